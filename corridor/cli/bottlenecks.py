"""Commands about capacity: bottlenecks (flows, queues, min cut, published throughput) and N-1."""

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
)
from corridor.cli.maps import (
    Flow,
    Horizon,
    MapFile,
    check_bottleneck_options,
    check_map_file,
    write_map,
)
from corridor.cli.output import TABLE_FORMATS, Offline, OutFile, check_offline, check_out, write_out

DemandFile = Annotated[
    Path | None,
    typer.Option("--demand", help="Demand CSV (origin, destination, trains_day, source, optional "
                 "via); the built-in demand when omitted."),
]
Top = Annotated[int, typer.Option("--top", help="Show the N highest-ranked elements.")]
Method = Annotated[str, typer.Option(
    help="equilibrium (queue-aware Frank–Wolfe) or all_or_nothing (free-flow fastest routes).")]
Full = Annotated[int, typer.Option(
    "--full", help="Re-solve the equilibrium exactly for the top K closures and print how far "
    "the fast estimate was.")]

BINDING_COLUMNS = ["id", "name", "demand_trains_day", "flow_trains_day", "capacity_trains_day",
                   "wait_days", "queued_trains_day", "backlog_trains", "backlog_days"]
RANKING_COLUMNS = ["rank", "id", "teu_day_lost", "rerouted_trains_day", "extra_days_mean",
                   "extra_days_worst", "new_binding", "delta_train_hours_day",
                   "bound_train_hours_day"]
CROSSING_COLUMNS = ["crossing", "published_trains_day", "year", "model_trains_day", "difference"]


def _check(top: int, horizon_days: float, full: int = 0, flow: str = "china-europe") -> None:
    check_bottleneck_options(top, horizon_days, full, flow)


def _ranking_records(result, top: int) -> list[dict]:
    from corridor.bottlenecks.criticality import ranking_records

    return ranking_records(result, top)


@app.command(epilog="Example: corridor bottlenecks --top 8 --horizon-days 30 --json")
def bottlenecks(
    demand: DemandFile = None,
    top: Top = 10,
    method: Method = "equilibrium",
    horizon_days: Horizon = 30.0,
    flow: Flow = "china-europe",
    full: Full = 0,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: OutFile = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Where the corridor jams: queues in days and trains, unserved demand, the min cut China →
    Europe, published crossing throughput beside the model, and N-1 closures."""
    from corridor import bottlenecks as analysis
    from corridor.bottlenecks.crossings import crossing_table
    from corridor.webmap import bottleneck_map

    _check(top, horizon_days, full, flow)
    check_map_file(map_file)
    check_out(out)
    check_offline(offline, map_file, out)
    net = open_network(data)
    result = analysis.assign(net, demand, method=method, horizon_days=horizon_days)
    cut = analysis.min_cut(net, demand=demand)
    ranked = analysis.criticality(net, demand, base=result, flow=flow, full=full)
    crossings = crossing_table(result)

    def draw():
        return bottleneck_map(net, result, cut, ranked, top=top)

    write_map(map_file, draw, offline)
    write_out(out, lambda: result.elements, draw, offline)
    if as_json:
        print_json({**result.to_dict(top), "min_cut": cut.to_dict(),
                    "crossings": crossings.round(3).to_dict("records"),
                    "criticality": _ranking_records(ranked, top),
                    "criticality_flow": flow,
                    "criticality_full": None if ranked.full is None
                    else ranked.full.round(2).to_dict("records")})
        return
    _print_assignment(result, top)
    out = console()
    out.print(tables.frame_table(crossings[CROSSING_COLUMNS].round(2),
                                 title="Published throughput (both directions) beside the model"))
    out.print(f"max flow China → Europe: {cut.capacity_trains_day:,.1f} trains/day, limited by "
              + ", ".join(f"{n} ({c:g})" for n, c in
                          zip(cut.elements["name"], cut.elements["capacity_trains_day"], strict=True)))
    _print_ranking(ranked, top)


def _print_assignment(result, top: int) -> None:
    out = console()
    out.print(tables.frame_table(result.binding(top)[BINDING_COLUMNS].round(2),
                                 title=f"Capacity-limited elements (queues over "
                                       f"{result.horizon_days:g} days)"))
    out.print(
        f"served {result.served_trains_day:.1f} trains/day; unserved {result.unserved_trains_day:.1f}"
        f" trains/day = {result.unserved_teu_day:,.0f} TEU/day at {result.teu_per_train:g} TEU/train"
        f"; rerouted {result.rerouted_trains_day:.1f} trains/day; {result.total_train_hours_day:,.0f}"
        f" train-hours/day, of which waiting {result.queue_train_hours_day:,.0f} ({result.method}, "
        f"{result.iterations} iterations, gap {result.gap:.1e})")
    for line in result.conditions():
        out.print(f"demand exceeds capacity: {line}", markup=False)


def _print_ranking(ranked, top: int) -> None:
    out = console()
    out.print(tables.frame_table(ranked.ranking.head(top)[RANKING_COLUMNS].round(1),
                                 title=f"Most critical single closures (N-1, by {ranked.flow} "
                                       f"volume; horizon {ranked.horizon_days:g} days)"))
    error = ranked.full_error()
    if error is not None:
        out.print(tables.frame_table(ranked.full.round(1), title="Fast estimate vs full "
                                     "re-equilibrium"))
        out.print(f"fast estimate error over the top {len(ranked.full)}: at most "
                  f"{error['teu_day_lost']:,.0f} TEU/day lost and "
                  f"{error['delta_train_hours_day']:,.0f} train-hours/day")


@app.command(epilog="Example: corridor criticality --top 5 --flow china-central-asia --full 3")
def criticality(
    demand: DemandFile = None,
    top: Top = 10,
    include_endpoints: Annotated[bool, typer.Option(
        help="Also close the demand's own origins and destinations.")] = False,
    horizon_days: Horizon = 30.0,
    flow: Flow = "china-europe",
    full: Full = 0,
    as_json: JsonFlag = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the whole ranking by extension: .gpkg or .geojson (each closed "
        "element's point or line), .parquet or .csv (for a map of it: corridor bottlenecks --out "
        "FILE.html).")] = None,
    data: DataDir = None,
) -> None:
    """Close each operating node and link in turn: TEU/day lost, trains rerouted, extra days."""
    from corridor import bottlenecks as analysis

    _check(top, horizon_days, full, flow)
    check_out(out, TABLE_FORMATS)
    net = open_network(data)
    base = analysis.assign(net, demand, horizon_days=horizon_days)
    ranked = analysis.criticality(net, demand, base=base, include_endpoints=include_endpoints,
                                  flow=flow, full=full)
    write_out(out, lambda: ranked.ranking, None)
    if as_json:
        print_json({"flow": flow, "horizon_days": horizon_days,
                    "ranking": _ranking_records(ranked, top),
                    "full": None if ranked.full is None else ranked.full.round(2).to_dict("records")})
        return
    _print_ranking(ranked, top)
