"""Shared pieces of the ``corridor`` command: the Typer app, common options, JSON and console output."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from corridor.network import Corridor, load

#: version of every command's JSON output (see docs/json.md); raised when a shape changes
JSON_SCHEMA_VERSION = 1

app = typer.Typer(
    name="corridor",
    help="Analyse the China–Europe rail freight corridors through Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def console() -> Console:
    """A console for the current stdout; wide when not a terminal so tables don't truncate."""
    return Console(width=None if sys.stdout.isatty() else 180)


DataDir = Annotated[
    Path | None,
    typer.Option("--data", help="Directory of a network (nodes.geojson, links.geojson); "
                 "the built-in network when omitted."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def split_list(values: list[str] | None) -> list[str]:
    """Accept repeated options and comma-separated lists alike."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    """Print ``data`` as indented UTF-8 JSON (numpy scalars and NaN handled)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable)
    typer.echo(text)


def open_network(data: Path | None) -> Corridor:
    """The network in ``data``, or the built-in one."""
    return load(data)


