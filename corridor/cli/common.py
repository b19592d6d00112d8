"""Shared pieces of the ``corridor`` command: the Typer app, common options, JSON and console output."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from corridor.datafiles import json_ready

if TYPE_CHECKING:
    from corridor.network import Corridor

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


_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: object) -> str:
    """``text`` with control characters (escape codes, bidi overrides ...) shown as ``\\xNN``.

    Names, sources and notes come from data files; printed raw, an escape sequence in one of
    them could rewrite the user's terminal.
    """
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", str(text))


def split_list(values: list[str] | None) -> list[str]:
    """Accept repeated options and comma-separated lists alike."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def print_json(data: dict[str, Any]) -> None:
    """Print one command's result as indented UTF-8 JSON: one object whose first key is
    ``schema_version`` (see docs/json.md), always valid JSON (NaN and ±Infinity become ``null``),
    floats rounded by :func:`corridor.datafiles.stable_float`."""
    if not isinstance(data, dict):
        raise TypeError("a command prints one JSON object (wrap lists under a named key)")
    document = {"schema_version": JSON_SCHEMA_VERSION, **data}
    text = json.dumps(json_ready(document), ensure_ascii=False, indent=2, allow_nan=False,
                      default=str)
    typer.echo(text)


def check_options(**values: Any) -> None:
    """Check numeric options (``samples=...``, ``band_days=...``) against ``corridor.limits.OPTIONS``
    before any work is done; CorridorError names the option, the value and the range."""
    from corridor.limits import check_option

    for name, value in values.items():
        check_option("--" + name.replace("_", "-"), value)


def open_network(data: Path | None) -> Corridor:
    """The network in ``data``, or the built-in one (either validated once, then read from the
    cache of :mod:`corridor.cache`). geopandas is imported here, not at start-up."""
    if data is None:
        from corridor.cache import builtin_network

        return builtin_network()
    from corridor.cache import directory_network

    return directory_network(data)


