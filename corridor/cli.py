"""The ``corridor`` command: parse, call the analyses, present (rich tables or JSON)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from corridor import tables
from corridor.datafiles import atomic_write_text
from corridor.errors import CorridorError, DataError
from corridor.network import Corridor, load
from corridor.summary import describe

app = typer.Typer(
    name="corridor",
    help="Analyse the China–Europe rail freight corridors through Kazakhstan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _console() -> Console:
    """A console for the current stdout; wide when not a terminal so tables don't truncate."""
    return Console(width=None if sys.stdout.isatty() else 180)

DataDir = Annotated[
    Path | None,
    typer.Option("--data", help="Directory of a network (nodes.geojson, links.geojson); "
                 "the built-in network when omitted."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _split(values: list[str] | None) -> list[str]:
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


def _print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_jsonable)
    typer.echo(text)


def _net(data: Path | None) -> Corridor:
    return load(data)


@app.command(epilog="Example: corridor validate geodata/")
def validate(
    directory: Annotated[Path | None, typer.Argument(help="Network directory; built-in if omitted.")]
    = None,
) -> None:
    """Check a network's files; print each problem on one line (exit 2 if any)."""
    try:
        net = load(directory)
    except DataError as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s) found", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{net.name}: {len(net.nodes)} nodes, {len(net.links)} links, no problems")


@app.command(epilog="Example: corridor nodes --kind gauge_change --country KZ")
def nodes(
    kind: Annotated[str | None, typer.Option(help="Only nodes with this role.")] = None,
    country: Annotated[str | None, typer.Option(help="Only nodes in this ISO country.")] = None,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """List the network's nodes."""
    from corridor.schema import KINDS

    net = _net(data)
    frame = net.nodes
    if kind is not None:
        if kind not in KINDS:
            raise CorridorError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        frame = frame[frame["kind"].map(lambda k: kind in (k or []))]
    if country is not None:
        frame = frame[frame["country"] == country.upper()]
    columns = ["id", "name", "country", "kind", "dwell_h", "capacity_trains_day",
               "reefer_service", "status"]
    if as_json:
        _print_json(frame.drop(columns="geometry").assign(
            lon=frame.geometry.x, lat=frame.geometry.y).to_dict(orient="records"))
        return
    _console().print(tables.frame_table(frame[columns], title=f"{len(frame)} nodes"))


@app.command(epilog="Example: corridor info --json")
def info(as_json: JsonFlag = False, data: DataDir = None) -> None:
    """Counts by country, kind, gauge and mode; total km; what is planned."""
    summary = describe(_net(data))
    if as_json:
        _print_json(summary)
        return
    for renderable in tables.summary_tables(summary):
        _console().print(renderable)


@app.command(epilog="Example: corridor route Chongqing Duisburg --alternatives 3 --avoid RU,BY")
def route(
    origin: Annotated[str, typer.Argument(help="Origin place (id, name or alias).")],
    destination: Annotated[str, typer.Argument(help="Destination place.")],
    via: Annotated[list[str] | None, typer.Option(help="Pass through (repeat or comma-list).")]
    = None,
    avoid: Annotated[list[str] | None, typer.Option(
        help="Avoid places, link ids or ISO countries (repeat or comma-list).")] = None,
    mode: Annotated[list[str] | None, typer.Option(help="Allowed modes: rail, ferry, sea.")]
    = None,
    alternatives: Annotated[int | None, typer.Option(
        help="Up to K routes through different crossings, fastest first.")] = None,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws for P50/P90.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    include_planned: Annotated[bool, typer.Option(
        help="Also use planned / under-construction lines.")] = False,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """Fastest gauge-aware route with a leg-by-leg timeline and P50/P90 transit time."""
    net = _net(data)
    result = net.route(
        origin, destination, via=_split(via), avoid=_split(avoid),
        modes=_split(mode) or None, alternatives=alternatives, samples=samples, seed=seed,
        include_planned=include_planned,
    )
    routes = result if isinstance(result, list) else [result]
    if as_json:
        _print_json([r.to_dict() for r in routes] if isinstance(result, list) else result.to_dict())
        return
    for number, r in enumerate(routes, start=1):
        label = f"Route {number} of {len(routes)}: " if len(routes) > 1 else ""
        _console().print(tables.timeline_table(net, r, title=label))
        _console().print(tables.route_summary(net, r))


@app.command(epilog="Example: corridor matrix --origins Chongqing,Chengdu --out matrix.csv")
def matrix(
    origins: Annotated[list[str] | None, typer.Option(help="Origins (all terminals if omitted).")]
    = None,
    destinations: Annotated[list[str] | None, typer.Option(
        help="Destinations (all terminals if omitted).")] = None,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws per pair.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the matrix as CSV.")] = None,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """Transit-time matrix between terminals: expected days, P50 and P90."""
    from corridor.transit import matrix as transit_matrix

    frame = transit_matrix(_net(data), _split(origins) or None, _split(destinations) or None,
                           samples=samples, seed=seed)
    if out is not None:
        atomic_write_text(out, frame.to_csv(index=False, float_format="%.2f"))
        typer.echo(f"wrote {len(frame)} pairs to {out}", err=True)
    if as_json:
        _print_json(frame.to_dict(orient="records"))
    elif out is None:
        _console().print(tables.frame_table(frame.round(2), title="Transit-time matrix (days)"))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; user errors become one line on stderr and exit code 2."""
    try:
        app(args=argv, prog_name="corridor")
    except CorridorError as exc:
        typer.echo(f"corridor: error: {exc}", err=True)
        sys.exit(2)
