"""Commands about transit times: route, matrix."""

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
    split_list,
)
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import TABLE_FORMATS, Offline, OutFile, check_offline, check_out, write_out
from corridor.datafiles import atomic_write_text


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
    objective: Annotated[str, typer.Option(
        help="What 'fastest' means: expected (mean with rare disruption episodes), p50 or p90 "
             "(for shippers who buy reliability).")] = "expected",
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: OutFile = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Fastest gauge-aware route with a leg-by-leg timeline and P50/P90 transit time.

    Times come from one time model: running, dwell at borders and gauge changes, ferry waits
    and sailings in ordinary weeks, plus rare disruption episodes (chance × extra hours).
    """
    from corridor.transit import alternatives as find_alternatives
    from corridor.transit import route as find_route

    check_options(samples=samples, seed=seed, alternatives=alternatives)
    check_map_file(map_file)
    check_out(out)
    check_offline(offline, map_file, out)
    net = open_network(data)
    options = dict(via=split_list(via), avoid=split_list(avoid), modes=split_list(mode) or None,
                   samples=samples, seed=seed, include_planned=include_planned,
                   objective=objective)
    if alternatives is None:
        routes = [find_route(net, origin, destination, **options)]
    else:
        routes = list(find_alternatives(net, origin, destination, k=alternatives, **options))
    write_map(map_file, lambda: _route_map(net, routes), offline)
    write_out(out, lambda: _routes_frame(net, routes), lambda: _route_map(net, routes), offline)
    if as_json:
        print_json({"routes": [_named(net, r.to_dict()) for r in routes]})
        return
    if len(routes) > 1:
        console().print(tables.frame_table(tables.corridor_rows(net, routes, _money(net, routes)),
                                           title="Corridors, fastest first"))
    for number, r in enumerate(routes, start=1):
        label = f"Route {number} of {len(routes)}: " if len(routes) > 1 else ""
        console().print(tables.timeline_table(net, r, title=label))
        console().print(tables.route_summary(net, r))


def _money(net, routes) -> list[tuple[float, float]] | None:
    """Expected USD and kg CO2e of each route for one dry 40' container (corridor.modes: the
    tariffs and emission factors of ``corridor modes``); None where the mode tables do not cover
    the network (a ``--data`` network with other railways)."""
    from corridor.errors import CorridorError
    from corridor.modes import DEFAULT_PAYLOAD_T, builtin_tables
    from corridor.modes.emissions import links_co2e_kg
    from corridor.modes.tariffs import expected_cost, rail_cost_parts

    try:
        mode_tables = builtin_tables()
        return [(expected_cost(rail_cost_parts(net, r, mode_tables, "40")),
                 links_co2e_kg(net, r.path, r.links, mode_tables, DEFAULT_PAYLOAD_T["40"]))
                for r in routes]
    except (CorridorError, KeyError):
        return None


def _named(net, data: dict) -> dict:
    """A route's JSON with the names and countries of its ends beside their ids."""
    from corridor.transit import records

    node_records = records(net)[0]
    named = {}
    for key, value in data.items():
        named[key] = value
        if key in ("origin", "destination"):
            named[f"{key}_name"] = node_records[value]["name"]
            named[f"{key}_country"] = node_records[value]["country"]
    return named


def _routes_frame(net, routes):
    from corridor.export import routes_frame

    return routes_frame(net, routes)


def _route_map(net, routes):
    from corridor.webmap import route_map  # folium: imported only when a map is asked for

    return route_map(net, routes)


@app.command(epilog="Example: corridor matrix --origins Chongqing,Chengdu --out matrix.csv")
def matrix(
    origins: Annotated[list[str] | None, typer.Option(help="Origins (all terminals if omitted).")]
    = None,
    destinations: Annotated[list[str] | None, typer.Option(
        help="Destinations (all terminals if omitted).")] = None,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws per pair.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the matrix by extension: .csv (days to 2 decimals), .parquet (full "
        "precision), .gpkg or .geojson (each pair as a straight origin-destination desire line "
        "for flow maps, not the track).")] = None,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """Transit-time matrix between terminals: expected days, P50 and P90."""
    from corridor.transit import matrix as transit_matrix

    check_options(samples=samples, seed=seed)
    check_out(out, TABLE_FORMATS)
    from corridor.export import with_names

    net = open_network(data)
    frame = with_names(net, transit_matrix(net, split_list(origins) or None,
                                           split_list(destinations) or None,
                                           samples=samples, seed=seed))
    if out is not None:
        if out.suffix.lower() == ".csv":
            atomic_write_text(out, frame.to_csv(index=False, float_format="%.2f"), "--out")
        elif out.suffix.lower() in (".gpkg", ".geojson"):
            from corridor.export import with_desire_lines

            write_out(out, lambda: with_desire_lines(net, frame), None)
        else:
            write_out(out, lambda: frame, None)
        typer.echo(f"wrote {len(frame)} pairs to {out}", err=True)
    if as_json:
        print_json({"pairs": frame.to_dict(orient="records")})
    elif out is None:
        shown = frame.drop(columns=[c for c in frame.columns if c.endswith(("_name", "_country"))])
        console().print(tables.frame_table(shown.round(2), title="Transit-time matrix (days)"))
