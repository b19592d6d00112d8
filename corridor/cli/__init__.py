"""The ``corridor`` command: parse, call the analyses, present (rich tables or JSON).

One module per analysis registers its commands on the shared Typer ``app`` (``common.py``).
"""

from __future__ import annotations

import sys

import typer

from corridor.cli import (  # noqa: F401  (each module registers its commands)
    bottlenecks,
    coldchain,
    maps,
    modes,
    network,
    osm,
    scenarios,
    transit,
)
from corridor.cli.common import app
from corridor.errors import CorridorError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; user errors become one line on stderr and exit code 2."""
    try:
        app(args=argv, prog_name="corridor")
    except CorridorError as exc:
        typer.echo(f"corridor: error: {exc}", err=True)
        sys.exit(2)
