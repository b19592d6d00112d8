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
    check_options,
    console,
    open_network,
    print_json,
    terminal_safe,
)
from corridor.cli.summary import describe
from corridor.errors import CorridorError, DataError
from corridor.network import load


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


@app.command("osm", epilog="Example: corridor osm kazakhstan-rail.osm --link dostyk__alashankou")
def osm_refine(
    osm_file: Annotated[Path, typer.Argument(help="Local OpenStreetMap XML extract of railways.")],
    link: Annotated[list[str] | None, typer.Option(help="Only these link ids (repeat).")] = None,
    max_snap_km: Annotated[float, typer.Option(help="Max distance of a node from OSM rail.")] = 5.0,
    out: Annotated[Path | None, typer.Option(help="Write the traced lines as GeoJSON.")] = None,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """Trace links along OSM railways (offline, via osmnx) and compare their lengths."""
    from corridor.datafiles import atomic_write_text, check_writable
    from corridor.osm import read_rail_osm, refine_links

    check_options(max_snap_km=max_snap_km)
    if out is not None:
        check_writable(out, "--out")
    net = open_network(data)
    unknown = [lid for lid in link or [] if lid not in net.links.index]
    if unknown:
        raise CorridorError(f"unknown link {unknown[0]!r}; see `corridor info` or links.geojson")
    traced = refine_links(net, read_rail_osm(osm_file), link or None, max_snap_km)
    if out is not None:
        atomic_write_text(out, traced.to_json(drop_id=True), "--out")
        typer.echo(f"wrote {len(traced)} traced links to {out}", err=True)
    table = traced.drop(columns="geometry")
    if as_json:
        print_json(table.to_dict(orient="records"))
    else:
        console().print(tables.frame_table(table.round(3), title=f"{len(table)} links traced on OSM"))
