"""The ``corridor`` command: parse, call the analyses, present (rich tables or JSON).

One module per analysis registers its commands on the shared Typer ``app`` (``common.py``).
"""

from __future__ import annotations

import contextlib
import sys

import typer

# Typer 0.2x vendors Click as typer._click; older releases use click itself
try:
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors

from corridor.cli import (  # noqa: F401  (each module registers its commands)
    bottlenecks,
    coldchain,
    dependence,
    maps,
    modes,
    network,
    osm,
    scenarios,
    transit,
)
from corridor.cli.common import app, terminal_safe
from corridor.errors import CorridorError

__all__ = ["app", "main"]

#: exit code after Ctrl-C (128 + SIGINT, as shells report it)
INTERRUPTED = 130


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; every error is one line on stderr.

    Exit codes: 0 success, 2 a user error (bad option, bad data, unwritable output, no route),
    130 interrupted (Ctrl-C).
    """
    try:
        code = app(args=argv, prog_name="corridor", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:  # `corridor` or `corridor map` alone
        typer.echo(exc.ctx.get_help(), err=True)
        sys.exit(2)
    except click_errors.UsageError as exc:  # option parsing (Typer's Click)
        _fail(_usage_message(exc), 2)
    except click_errors.ClickException as exc:
        _fail(exc.format_message(), 2)
    except CorridorError as exc:
        _fail(str(exc), 2)
    except (KeyboardInterrupt, typer.Abort):
        _fail("interrupted", INTERRUPTED)
    except MemoryError:
        _fail("out of memory; ask for less work (see README, Errors and limits)", 2)
    except BrokenPipeError:  # e.g. `corridor nodes | head`
        sys.stderr.close()
        sys.exit(0)
    if code == INTERRUPTED:  # Typer turns KeyboardInterrupt into exit code 130 itself
        _fail("interrupted", INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc: click_errors.UsageError) -> str:
    command = exc.ctx.command_path if exc.ctx is not None else "corridor"
    message = exc.format_message()
    errors = getattr(exc.__cause__, "errors", None)  # Typer converts values with pydantic
    if callable(errors):
        with contextlib.suppress(Exception):
            message = f"{message}, got {errors()[0]['input']!r}"
    return f"{message} (see {command} --help)"


def _fail(message: str, code: int) -> None:
    text = " ".join(terminal_safe(message).split())  # one line, whatever the message held
    typer.echo(f"corridor: error: {text}", err=True)
    sys.exit(code)
