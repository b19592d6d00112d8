"""Commands about capacity: bottlenecks (flows, binding constraints, min cut) and criticality."""

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
)
from corridor.cli.maps import MapFile, check_map_file, write_map

DemandFile = Annotated[
    Path | None,
    typer.Option("--demand", help="Demand CSV (origin, destination, trains_day, source); "
                 "the built-in demand when omitted."),
]
Top = Annotated[int, typer.Option("--top", help="Show the N highest-ranked elements.")]
Method = Annotated[str, typer.Option(help="equilibrium (BPR, Frank–Wolfe) or all_or_nothing.")]

BINDING_COLUMNS = ["id", "type", "name", "flow_trains_day", "capacity_trains_day", "utilization",
                   "delay_h"]
CRITICALITY_COLUMNS = ["rank", "id", "type", "delta_train_hours_day", "unserved_trains_day", "detour"]


def _check_top(top: int) -> None:
    check_options(top=top)


def _criticality_records(frame, top: int) -> list[dict]:
    head = frame.head(top).drop(columns="geometry")
    return head.round({"delta_train_hours_day": 1, "unserved_trains_day": 2,
                       "rerouted_trains_day": 2}).to_dict("records")


@app.command(epilog="Example: corridor bottlenecks --top 8 --json")
def bottlenecks(
    demand: DemandFile = None,
    top: Top = 10,
    method: Method = "equilibrium",
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    data: DataDir = None,
) -> None:
    """Where the corridor jams: flows and utilization, the min cut China → Europe, N-1 closures."""
    from corridor import bottlenecks as analysis
    from corridor.webmap import bottleneck_map

    _check_top(top)
    check_map_file(map_file)
    net = open_network(data)
    result = analysis.assign(net, demand, method=method)
    cut = analysis.min_cut(net, demand=demand)
    ranked = analysis.criticality(net, demand, base=result)
    write_map(map_file, lambda: bottleneck_map(net, result, cut, ranked, top=top))
    if as_json:
        print_json({**result.to_dict(top), "min_cut": cut.to_dict(),
                    "criticality": _criticality_records(ranked, top)})
        return
    out = console()
    out.print(tables.frame_table(result.binding(top)[BINDING_COLUMNS].round(2),
                                 title="Binding constraints (utilization = flow / capacity)"))
    out.print(
        f"total {result.total_train_hours_day:,.0f} train-hours/day, of which queueing "
        f"{result.queue_train_hours_day:,.0f}; unserved {result.unserved_trains_day:.1f} trains/day "
        f"({result.method}, {result.iterations} iterations, gap {result.gap:.1e})"
    )
    out.print(f"max flow China → Europe: {cut.capacity_trains_day:,.1f} trains/day, limited by "
              + ", ".join(f"{n} ({c:g})" for n, c in
                          zip(cut.elements["name"], cut.elements["capacity_trains_day"], strict=True)))
    out.print(tables.frame_table(ranked.head(top)[CRITICALITY_COLUMNS].round(1),
                                 title="Most critical single closures (N-1)"))


@app.command(epilog="Example: corridor criticality --top 5")
def criticality(
    demand: DemandFile = None,
    top: Top = 10,
    include_endpoints: Annotated[bool, typer.Option(
        help="Also close the demand's own origins and destinations.")] = False,
    as_json: JsonFlag = False,
    data: DataDir = None,
) -> None:
    """Close each operating node and link in turn: extra train-hours, unserved trains, detour."""
    from corridor import bottlenecks as analysis

    _check_top(top)
    net = open_network(data)
    ranked = analysis.criticality(net, demand, include_endpoints=include_endpoints)
    if as_json:
        print_json(_criticality_records(ranked, top))
        return
    console().print(tables.frame_table(ranked.head(top)[CRITICALITY_COLUMNS].round(1),
                                       title="Most critical single closures (N-1)"))
