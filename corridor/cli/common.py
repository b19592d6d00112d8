"""Shared pieces of the ``corridor`` command: the Typer app, common options, JSON and console output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from corridor.datafiles import json_ready
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


def print_json(data: Any) -> None:
    """Print ``data`` as indented UTF-8 JSON: always valid JSON (NaN and ±Infinity become
    ``null``), floats rounded by :func:`corridor.datafiles.stable_float`."""
    text = json.dumps(json_ready(data), ensure_ascii=False, indent=2, allow_nan=False,
                      default=str)
    typer.echo(text)


def open_network(data: Path | None) -> Corridor:
    """The network in ``data``, or the built-in one."""
    return load(data)


