"""Benchmark cold-chain reach against the naive networkx way, in the same run.

Run: ``python tests/benchmarks/bench_reach.py``. Prints the median time of (1) one reach over the
whole built-in network (target <= 50 ms) and (2) every commodity x 12 months from one origin.
Naive way: the same state graph as a networkx DiGraph weighted by shelf life used, one
networkx Dijkstra per destination node (a pair-by-pair query, as a route planner would do it),
without the reefer-power constraint that the label-setting search also enforces.
"""

from __future__ import annotations

import networkx as nx
from timing import timed

import corridor
from corridor.coldchain import edge_costs, edge_model, reach
from corridor.coldchain.climate import node_ambient
from corridor.coldchain.commodities import builtin_commodities, commodity

ORIGIN = "kostanay"


def naive_reach(net, item: str, month: int) -> dict[str, float]:
    """Shelf life used to every node: one networkx Dijkstra per destination."""
    model = edge_model(net)
    sg = model.sg
    ambient = node_ambient(net, month).loc[sg.node_ids, "temp_c"].to_numpy()
    costs = edge_costs(net, model, commodity(builtin_commodities(), item), ambient, "genset")
    graph = nx.DiGraph()
    for s, d, w in zip(sg.src, sg.dst, costs.used, strict=True):
        if not graph.has_edge(int(s), int(d)) or graph[int(s)][int(d)]["weight"] > w:
            graph.add_edge(int(s), int(d), weight=float(w) + 1e-9)
    sources = [int(s) for s in sg.origin_states(ORIGIN)]
    used = {}
    for target in sg.node_ids:
        best = float("inf")
        for state in sg.states_of(target, 0):
            try:
                best = min(best, nx.multi_source_dijkstra(graph, sources, int(state))[0])
            except nx.NetworkXNoPath:
                continue
        used[target] = best
    return used


def main() -> None:
    net = corridor.load()
    reach(net, ORIGIN, "chilled_beef")  # build and cache the state graph and edge model
    items = list(builtin_commodities().index)
    ours = timed(lambda: reach(net, ORIGIN, "chilled_beef", month=7), 9)
    naive = timed(lambda: naive_reach(net, "chilled_beef", 7), 3)
    print(f"one reach (all {len(net.nodes)} nodes)  corridor {ours * 1e3:8.1f} ms   networkx "
          f"{naive * 1e3:8.1f} ms   ratio {naive / ours:6.1f}x   (target <= 50 ms; networkx "
          "ignores reefer power)")

    def every() -> None:
        for item in items:
            for month in range(1, 13):
                reach(net, ORIGIN, item, month=month)

    ours = timed(every, 1)
    runs = len(items) * 12
    naive_one = timed(lambda: naive_reach(net, "chilled_beef", 7), 1)
    print(f"{len(items)} commodities x 12 months  corridor {ours * 1e3:8.0f} ms   networkx "
          f"{naive_one * runs * 1e3:8.0f} ms   ratio {naive_one * runs / ours:6.1f}x   "
          f"({runs} reaches, {ours / runs * 1e3:.1f} ms each; networkx extrapolated from one)")


if __name__ == "__main__":
    main()
