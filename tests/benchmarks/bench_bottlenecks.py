"""Benchmark bottleneck analyses against the naive networkx way, in the same run.

Run: ``python tests/benchmarks/bench_bottlenecks.py``. Prints, beside the naive way and with the ratio:
(1) the full N-1 criticality over every operating node and link for all demand pairs
    (target <= 1 s and >= 30x). Naive: for every closure, copy the networkx state graph without the closed
    element, re-run networkx Dijkstra from every origin, re-assign every pair to its new path and
    evaluate the congestion again (timed on a subset of closures, extrapolated to all of them);
(2) the equilibrium assignment to a relative gap of 1e-3 (target >= 20x), the whole
    ``bottlenecks.assign`` call (demand, solver, result tables). Naive: plain Frank–Wolfe with networkx
    Dijkstra per origin in every iteration (the all-or-nothing step alone is timed, on the same delay
    function's costs, times the iterations plain Frank–Wolfe needs to reach the same gap; its line
    search and result tables are not counted). Both sides are the fastest of several runs, as the
    machine is shared.
"""

from __future__ import annotations

import itertools
import time

import networkx as nx
import numpy as np
from timing import fastest, timed

import corridor
from corridor import bottlenecks
from corridor._graph import IN
from corridor.bottlenecks.assignment import FrankWolfe, closed_edges
from corridor.bottlenecks.capacity import capacity_model
from corridor.bottlenecks.demand import od_table, resolve_demand

TOLERANCE = 1e-3


def nx_graph(model, cost: np.ndarray) -> nx.DiGraph:
    """The state graph as a networkx DiGraph with the cheapest edge per state pair."""
    graph = nx.DiGraph()
    for e, (s, d) in enumerate(zip(model.sg.src.tolist(), model.sg.dst.tolist(), strict=True)):
        if not graph.has_edge(s, d) or graph[s][d]["weight"] > cost[e]:
            graph.add_edge(s, d, weight=float(cost[e]), edge=e)
    return graph


def naive_closure(model, graph: nx.DiGraph, element: int, ods) -> float:
    """Total train-hours with one element closed: copy the graph without it, re-run networkx
    Dijkstra from every origin, put every pair on its new path, evaluate congestion again."""
    closed = graph.copy()
    src, dst = model.sg.src, model.sg.dst
    closed.remove_edges_from((int(src[e]), int(dst[e])) for e in model.closed_edges(element))
    flow = np.zeros(len(src))
    for origin, rows in ods.groupby("origin"):
        starts = [s for s in model.sg.origin_states(origin) if s in closed]
        dist, paths = nx.multi_source_dijkstra(closed, starts) if starts else ({}, {})
        for destination, trains in zip(rows["destination"], rows["trains_day"], strict=True):
            reached = [int(s) for s in model.sg.states_of(destination, IN) if int(s) in dist]
            if reached:
                chain = paths[min(reached, key=dist.get)]
                edges = [closed[a][b]["edge"] for a, b in itertools.pairwise(chain)]
                flow[edges] += trains
    cost = model.edge_costs(model.delay(model.element_volume(flow)))
    return float(flow @ cost)


def naive_aon(model, cost: np.ndarray, ods) -> None:
    """One all-or-nothing step with networkx: Dijkstra per origin, paths to every destination."""
    graph = nx_graph(model, cost)
    for origin, rows in ods.groupby("origin"):
        _, paths = nx.multi_source_dijkstra(graph, list(model.sg.origin_states(origin)))
        for destination in rows["destination"]:
            targets = [int(s) for s in model.sg.states_of(destination, IN) if int(s) in paths]
            if targets:
                chain = paths[targets[0]]
                [graph[a][b]["edge"] for a, b in itertools.pairwise(chain)]


def main() -> None:
    net = corridor.load()
    model = capacity_model(net)
    ods = od_table(resolve_demand(net, None))
    print(f"network: {len(net.nodes)} nodes, {len(net.links)} links; state graph "
          f"{len(model.sg.states)} states, {len(model.sg.src)} edges; {len(ods)} demand pairs, "
          f"{len(model.ids)} operating elements")

    base = bottlenecks.assign(net, tolerance=TOLERANCE)
    ours = timed(lambda: bottlenecks.criticality(net, base=base, include_endpoints=True), 5)
    ranked_only = timed(lambda: bottlenecks.criticality(net, base=base), 5)
    graph = nx_graph(model, base.edge_costs)
    subset = list(range(0, len(model.ids), max(1, len(model.ids) // 24)))
    start = time.perf_counter()
    for element in subset:
        naive_closure(model, graph, element, ods)
    naive = (time.perf_counter() - start) / len(subset) * len(model.ids)
    print(f"N-1 criticality  corridor {ours * 1e3:8.0f} ms   networkx {naive * 1e3:8.0f} ms"
          f"   ratio {naive / ours:6.1f}x   (target <= 1 s and >= 30x; {len(model.ids)} closures; naive "
          f"extrapolated from {len(subset)} closures; without closing the demand's own ends, as "
          f"`corridor criticality` ranks: {ranked_only * 1e3:.0f} ms)")

    ours = fastest(lambda: bottlenecks.assign(net, tolerance=TOLERANCE), 9)
    plain = FrankWolfe(model, ods, closed_edges(net, model, ()), conjugate=False)
    iterations, _ = plain.run(2000, TOLERANCE)
    cost = base.edge_costs
    per_iteration = fastest(lambda: naive_aon(model, cost, ods), 5)
    naive = per_iteration * iterations
    print(f"equilibrium      corridor {ours * 1e3:8.0f} ms   networkx {naive * 1e3:8.0f} ms"
          f"   ratio {naive / ours:6.1f}x   (target >= 20x; gap {TOLERANCE:g}: conjugate Frank–Wolfe "
          f"{base.iterations} iterations with scipy Dijkstra; naive plain Frank–Wolfe needs "
          f"{iterations} iterations x {per_iteration * 1e3:.0f} ms networkx all-or-nothing)")


if __name__ == "__main__":
    main()
