"""``corridor osm``: trace links on a user's OSM extract, or refine the geodata on real track."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from corridor.cli import tables
from corridor.cli.common import (
    DataDir,
    JsonFlag,
    app,
    check_options,
    console,
    open_network,
    print_json,
)
from corridor.errors import CorridorError


class _TraceByDefault(TyperGroup):
    """``corridor osm FILE.osm ...`` keeps working: an unknown first word means ``trace``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["trace", *args]
        return super().parse_args(ctx, args)


osm_app = typer.Typer(cls=_TraceByDefault, no_args_is_help=True,
                      help="OpenStreetMap track: trace links on an extract, or refine the geodata.")
app.add_typer(osm_app, name="osm")


@osm_app.command("trace", epilog="Example: corridor osm kazakhstan-rail.osm --link dostyk__alashankou")
def osm_trace(
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
        print_json({"links": table.to_dict(orient="records")})
    else:
        console().print(tables.frame_table(table.round(3), title=f"{len(table)} links traced on OSM"))


@osm_app.command("refine", epilog="Example: corridor osm refine --source world-railways --out refined/")
def osm_refine(
    out: Annotated[Path, typer.Option(help="Directory to write the refined geodata and report to.")],
    source: Annotated[str, typer.Option(
        help="'world-railways' (scgraph_data, extra [osm]) or a local .osm extract.")] = "world-railways",
    data: DataDir = None,
) -> None:
    """Write a copy of the geodata with link lengths and geometry from real track, plus a report."""
    from corridor.datafiles import builtin_dir
    from corridor.osm.output import REPORT_FILE, refine_directory
    from corridor.osm.track import TrackGraph

    started = time.perf_counter()
    if source == "world-railways":
        from corridor.osm.world import ATTRIBUTION, load_world_railways

        rail, attribution = load_world_railways(), ATTRIBUTION
    elif source.endswith(".osm"):
        from corridor.osm import read_rail_osm

        rail = TrackGraph.from_networkx(read_rail_osm(source).latlon)
        attribution = f"OpenStreetMap contributors (ODbL), extract {Path(source).name}"
    else:
        raise CorridorError(f"unknown --source {source!r}; expected 'world-railways' or a .osm file")
    directory = data if data is not None else builtin_dir()
    open_network(data)  # refuse to refine a network that does not validate
    rows = refine_directory(directory, out, rail.densified(), attribution)
    counts = {kind: sum(r["length_source"] == kind for r in rows)
              for kind in ("published", "osm", "estimate")}
    typer.echo(f"refined {len(rows)} rail links ({', '.join(f'{v} {k}' for k, v in counts.items())}) "
               f"into {out}; report {out / REPORT_FILE} ({time.perf_counter() - started:.0f} s)", err=True)


@osm_app.command("network", epilog="Example: corridor osm network --region corridor --out big/")
def osm_network(
    out: Annotated[Path, typer.Option(help="Directory to write nodes.geojson and links.geojson to.")],
    source: Annotated[str, typer.Option(
        help="'world-railways' (scgraph_data, extra [osm]).")] = "world-railways",
    region: Annotated[str, typer.Option(
        help="corridor, central-asia, eurasia, or a comma list of ISO codes.")] = "corridor",
    data: DataDir = None,
) -> None:
    """Write a large network on OSM track: gauge by country, border crossings, curated values kept."""
    from corridor.datafiles import check_writable
    from corridor.osm.network import (
        build_features,
        carried_disruptions,
        region_countries,
        summary,
        write_network,
    )

    started = time.perf_counter()
    countries = region_countries(region)
    if source != "world-railways":
        raise CorridorError(f"unknown --source {source!r}; expected 'world-railways'")
    check_writable(out / "nodes.geojson", "--out")
    curated = open_network(data)
    from corridor.osm.world import ATTRIBUTION, load_world_railways

    nodes, links, report = build_features(load_world_railways(), countries, curated, ATTRIBUTION)
    episodes = carried_disruptions(curated.disruptions, nodes, links)
    write_network(out, nodes, links, episodes)
    typer.echo(f"wrote {summary(report)}, {len(episodes)} of {len(curated.disruptions)} disruption "
               f"episodes kept, into {out} ({time.perf_counter() - started:.0f} s)", err=True)
