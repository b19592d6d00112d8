"""Commands about the network itself: validate, nodes, info."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli import tables
from corridor.cli.common import (
    DataDir,
    JsonFlag,
    app,
    console,
    open_network,
    print_json,
    terminal_safe,
)
from corridor.cli.summary import describe
from corridor.errors import CorridorError, DataError


@app.command(epilog="Example: corridor validate geodata/")
def validate(
    directory: Annotated[Path | None, typer.Argument(help="Network directory; built-in if omitted.")]
    = None,
) -> None:
    """Check a network's files; print each problem on one line (exit 2 if any)."""
    from corridor.datafiles import builtin_dir
    from corridor.modes import validate_modes_tables
    from corridor.network import load

    try:
        net = load(directory)
        problems = validate_modes_tables(directory or builtin_dir(), set(net.nodes.index))
        if problems:
            raise DataError(problems)
    except DataError as exc:
        for problem in exc.problems:
            typer.echo(" ".join(terminal_safe(problem).split()))
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

    net = open_network(data)
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
        print_json(frame.drop(columns="geometry").assign(
            lon=frame.geometry.x, lat=frame.geometry.y).to_dict(orient="records"))
        return
    console().print(tables.frame_table(frame[columns], title=f"{len(frame)} nodes"))


@app.command(epilog="Example: corridor info --json")
def info(as_json: JsonFlag = False, data: DataDir = None) -> None:
    """Counts by country, kind, gauge and mode; total km; what is planned."""
    summary = describe(open_network(data))
    if as_json:
        print_json(summary)
        return
    for renderable in tables.summary_tables(summary):
        console().print(renderable)
