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
    directory: Annotated[Path | None, typer.Argument(
        help="Network directory or .gpkg; built-in if omitted.")] = None,
    data: DataDir = None,
) -> None:
    """Check a network's files; print each problem on one line (exit 2 if any)."""
    from corridor.datafiles import builtin_dir
    from corridor.modes import validate_modes_tables
    from corridor.network import load
    from corridor.services_table import validate_services_table

    if directory is not None and data is not None and directory != data:
        raise CorridorError(f"name the network once: DIRECTORY {directory} or --data {data}")
    directory = directory or data
    try:
        net = load(directory)
        if directory is not None and directory.suffix.lower() == ".gpkg":
            problems = []  # a GeoPackage holds the network only; the modes tables are optional
        else:
            ids = set(net.nodes.index)
            problems = (validate_modes_tables(directory or builtin_dir(), ids)
                        + validate_services_table(directory or builtin_dir(), ids))
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
        print_json({"nodes": frame.drop(columns="geometry").assign(
            lon=frame.geometry.x, lat=frame.geometry.y).to_dict(orient="records")})
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


export_app = typer.Typer(help="Write the network or a table to GIS files.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("network", epilog="Example: corridor export network --out corridor.gpkg")
def export_network(
    out: Annotated[Path, typer.Option("--out", help="A directory (nodes.geojson, links.geojson, "
                                      "disruptions.csv) or one GeoPackage (.gpkg).")],
    data: DataDir = None,
) -> None:
    """Write the network so that `corridor validate` and `--data` read it back unchanged."""
    from corridor.export import network_format, write_network

    network_format(out)
    for path in write_network(open_network(data), out):
        typer.echo(f"wrote {path}", err=True)
