"""Commands that write web maps: ``corridor map network|route|...`` and ``corridor gallery``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import DataDir, app, check_options, open_network, split_list
from corridor.datafiles import check_writable
from corridor.errors import CorridorError, expected_one_of

if TYPE_CHECKING:
    import folium

map_app = typer.Typer(
    help="Write an interactive web map (standalone HTML, Leaflet via folium).",
    no_args_is_help=True,
)
app.add_typer(map_app, name="map")

OutFile = Annotated[Path, typer.Option("--out", help="HTML file to write (atomically).")]
Offline = Annotated[bool, typer.Option(
    "--offline", help="Inline Leaflet and every script and style from the local web-asset mirror "
    "(python -m corridor.webmap.offline DIR; $CORRIDOR_WEBASSETS), so the page opens with no "
    "network (no basemap tiles; country outlines are always drawn).")]

Horizon = Annotated[float, typer.Option(
    "--horizon-days", help="Planning horizon of the queues in days: backlogs grow over it.")]
Flow = Annotated[str, typer.Option(
    "--flow", help="Rank closures by the volume of this flow affected: china-europe, "
    "china-central-asia, europe or all.")]


def check_bottleneck_options(top: int, horizon_days: float, full: int = 0,
                             flow: str = "china-europe") -> None:
    """One-line errors for the options of the bottleneck commands and map."""
    from corridor.bottlenecks import FLOWS

    check_options(top=top, horizon_days=horizon_days, full=full)
    if flow not in FLOWS:
        raise CorridorError(f"--flow {flow!r}: {expected_one_of(flow, FLOWS)}")


def _check_out(out: Path, option: str = "--out") -> None:
    if out.is_dir():
        raise CorridorError(f"{option} {out} is a directory; name an .html file")
    if out.suffix.lower() not in (".html", ".htm"):
        raise CorridorError(f"{option} must name an .html file, got {out}")
    check_writable(out, option)


def _check_offline(offline: bool) -> None:
    if offline:
        from corridor.webmap.inline import check_mirror

        check_mirror()


def _write(m, out: Path, offline: bool = False) -> None:
    from corridor.webmap import save_map

    save_map(m, out, offline=offline)
    typer.echo(f"wrote {out}", err=True)


@map_app.command("network", epilog="Example: corridor map network --out network.html")
def map_network(
    out: OutFile,
    width_by: Annotated[str, typer.Option(help="Line width shows: tracks or capacity.")] = "tracks",
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """The network: lines by gauge and mode, nodes by kind, popups with attributes and sources."""
    from corridor.webmap import network_map

    _check_out(out)
    _check_offline(offline)
    if width_by not in ("tracks", "capacity"):
        raise CorridorError(f"--width-by must be tracks or capacity, got {width_by!r}")
    _write(network_map(open_network(data), width_by=width_by), out, offline)


@map_app.command("route", epilog="Example: corridor map route Chongqing Duisburg --alternatives 3 "
                 "--out route.html")
def map_route(
    origin: Annotated[str, typer.Argument(help="Origin place (id, name or alias).")],
    destination: Annotated[str, typer.Argument(help="Destination place.")],
    out: OutFile,
    via: Annotated[list[str] | None, typer.Option(help="Pass through (repeat or comma-list).")]
    = None,
    avoid: Annotated[list[str] | None, typer.Option(
        help="Avoid places, link ids or ISO countries (repeat or comma-list).")] = None,
    alternatives: Annotated[int | None, typer.Option(
        help="Up to K routes through different crossings, in distinct colours.")] = None,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws for P50/P90.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    include_planned: Annotated[bool, typer.Option(
        help="Also use planned / under-construction lines.")] = False,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Route(s) with border and gauge-change events and a leg-by-leg timeline popup."""
    from corridor.webmap import route_map

    check_options(samples=samples, seed=seed, alternatives=alternatives)
    _check_out(out)
    _check_offline(offline)
    net = open_network(data)
    from corridor.transit import alternatives as find_alternatives
    from corridor.transit import route as find_route

    options = dict(via=split_list(via), avoid=split_list(avoid), samples=samples, seed=seed,
                   include_planned=include_planned)
    if alternatives is None:
        routes = [find_route(net, origin, destination, **options)]
    else:
        routes = list(find_alternatives(net, origin, destination, k=alternatives, **options))
    _write(route_map(net, routes), out, offline)


@app.command(epilog="Example: corridor gallery --out maps/")
def gallery(
    out: Annotated[Path, typer.Option("--out", help="Directory for the maps and index.html.")]
    = Path("maps"),
    screenshots: Annotated[bool, typer.Option(
        help="Also save PNG screenshots (needs playwright, Debian chromium and the web-asset "
             "mirror of python -m corridor.webmap.offline).")] = False,
    offline: Offline = False,
) -> None:
    """Render the map gallery of the built-in network, with an index.html linking every map."""
    from corridor.cli.gallery import render_gallery, take_screenshots

    if out.exists() and not out.is_dir():
        raise CorridorError(f"--out {out} is a file; name a directory")
    check_writable(out / "index.html", "--out")
    _check_offline(offline)
    written = render_gallery(out, offline=offline)
    if screenshots:
        written += take_screenshots(out)
    for path in written:
        typer.echo(f"wrote {path}", err=True)


@map_app.command("bottlenecks", epilog="Example: corridor map bottlenecks --horizon-days 60 "
                 "--flow china-central-asia --out bottlenecks.html")
def map_bottlenecks(
    out: OutFile,
    demand: Annotated[Path | None, typer.Option(
        help="Demand CSV (origin, destination, trains_day, source); the built-in demand if omitted.")]
    = None,
    method: Annotated[str, typer.Option(help="equilibrium or all_or_nothing.")] = "equilibrium",
    top: Annotated[int, typer.Option(help="Criticality ranks to mark.")] = 15,
    horizon_days: Horizon = 30.0,
    flow: Flow = "china-europe",
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Utilization colour scale, flows and capacities, queues in days and trains over the horizon,
    the minimum cut and the N-1 ranking for a flow."""
    from corridor import bottlenecks
    from corridor.webmap import bottleneck_map

    _check_out(out)
    _check_offline(offline)
    check_bottleneck_options(top, horizon_days, 0, flow)
    net = open_network(data)
    assignment = bottlenecks.assign(net, demand, method=method, horizon_days=horizon_days)
    cut = bottlenecks.min_cut(net, demand=demand)
    ranking = bottlenecks.criticality(net, demand, base=assignment, flow=flow)
    _write(bottleneck_map(net, assignment, cut, ranking, top=top), out, offline)


@map_app.command("reach", epilog="Example: corridor map reach Kostanay --commodity chilled_beef "
                 "--month 1 --out reach.html")
def map_reach(
    origin: Annotated[str, typer.Argument(help="Origin place (the market with --reverse).")],
    commodity: Annotated[str, typer.Option(help="Commodity id (see `corridor commodities`).")],
    out: OutFile,
    month: Annotated[int, typer.Option(help="Month 1-12 (ambient temperature).")] = 7,
    power: Annotated[str, typer.Option(help="Reefer power: genset, plug-in or autonomous.")]
    = "genset",
    reverse: Annotated[bool, typer.Option(help="Where the market can be supplied from.")] = False,
    band_days: Annotated[float, typer.Option(help="Width of the isochrone bands (days).")] = 3.0,
    color_by: Annotated[str, typer.Option(help="Colour places by arrival or shelf_life.")]
    = "arrival",
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Cold-chain reach: arrival days, shelf life left, isochrone bands, unreachable reasons."""
    from corridor.coldchain import reach
    from corridor.webmap import reach_map

    check_options(band_days=band_days)
    _check_out(out)
    _check_offline(offline)
    net = open_network(data)
    result = reach(net, origin, commodity, month=month, power=power, reverse=reverse)
    _write(reach_map(net, result, band_days=band_days, color_by=color_by), out, offline)


@map_app.command("whatif", epilog="Example: corridor map whatif dostyk-congestion --out whatif.html")
def map_whatif(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a .toml file.")],
    out: OutFile,
    pairs: Annotated[list[str] | None, typer.Option(
        help="Origin:Destination pairs (repeat or comma-list); the scenario's own by default.")]
    = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Baseline and scenario routes together, edited elements highlighted, deltas in popups."""
    from corridor.scenarios import find_scenario
    from corridor.scenarios.compare import whatif
    from corridor.webmap import whatif_map

    _check_out(out)
    _check_offline(offline)
    net = open_network(data)
    found = find_scenario(scenario)
    result = whatif(found.baseline(net), found, pairs=split_list(pairs) or None)
    _write(whatif_map(result), out, offline)


# -- `--map FILE.html` on the analysis commands ------------------------------------------------------

MapFile = Annotated[Path | None, typer.Option(
    "--map", help="Also write an interactive web map of the result (HTML file).")]


def check_map_file(path: Path | None) -> None:
    """Reject a bad ``--map`` path before any work is done (CorridorError, exit 2)."""
    if path is not None:
        _check_out(path, "--map")


def write_map(path: Path | None, build: Callable[[], folium.Map], offline: bool = False) -> None:
    """Build and write the map for ``--map`` when it was given (atomically, reproducibly);
    ``offline`` inlines its scripts and styles from the web-asset mirror."""
    if path is None:
        return
    from corridor.webmap import save_map

    check_map_file(path)
    save_map(build(), path, offline=offline)
    typer.echo(f"wrote map {path}", err=True)
