"""Benchmark transit queries against the naive networkx way, in the same run.

Run: ``python tests/benchmarks/bench_transit.py``. Prints median times and the speed-up ratios
for (1) one route query after load, (2) a 10,000-sample P50/P90, (3) the terminal matrix.
Naive ways: networkx Dijkstra on the same state graph per query; a fresh networkx shortest path
per Monte Carlo sample with sampled weights (extrapolated from a subset); one networkx query per
matrix pair.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from timing import timed

import corridor
from corridor.transit import Constraints, make_route, matrix, state_graph, terminals

PAIRS = [("chongqing_tuanjiecun", "duisburg_logport"), ("xian", "lodz_olechow"),
         ("almaty", "moscow_vorsino"), ("chengdu_qingbaijiang", "madrid_abronigal"),
         ("urumqi", "alat_port")]


def naive_graph(sg) -> nx.DiGraph:
    """The same state graph as a networkx DiGraph (built once, not timed)."""
    graph = nx.DiGraph()
    sg.edge_index = {}
    for e, (s, d, w) in enumerate(zip(sg.src, sg.dst, sg.weight, strict=True)):
        s, d = int(s), int(d)
        if not graph.has_edge(s, d) or graph[s][d]["weight"] > w:
            graph.add_edge(s, d, weight=float(w))
            sg.edge_index[(s, d)] = e
    return graph


def naive_query(sg, graph: nx.DiGraph, origin: str, destination: str) -> float:
    """Fastest time with networkx: multi-source Dijkstra from the origin's departure states."""
    dist = nx.multi_source_dijkstra_path_length(graph, list(sg.origin_states(origin)))
    return min(dist.get(int(s), np.inf) for s in sg.states_of(destination, 0))


def naive_route(net, sg, graph: nx.DiGraph, origin: str, destination: str):
    """The same Route as ``net.route`` but searched with networkx instead of scipy."""
    dist, paths = nx.multi_source_dijkstra(graph, list(sg.origin_states(origin)))
    target = min((int(s) for s in sg.states_of(destination, 0) if int(s) in dist), key=dist.get)
    chain = paths[target]
    edges = [sg.edge_index[(a, b)] for a, b in itertools.pairwise(chain)]
    return make_route(net, sg.as_path(origin, edges, dist[target]), samples=0)


def main() -> None:
    net = corridor.load()
    c = Constraints()
    sg = state_graph(net, c.statuses)
    graph = naive_graph(sg)
    print(f"network: {len(net.nodes)} nodes, {len(net.links)} links; "
          f"state graph: {len(sg.states)} states, {len(sg.src)} edges")

    ours = timed(lambda: [corridor.route(net, a, b, samples=0) for a, b in PAIRS], 7) / len(PAIRS)
    naive = timed(lambda: [naive_route(net, sg, graph, a, b) for a, b in PAIRS], 7) / len(PAIRS)
    print(f"route query      corridor {ours * 1e3:8.2f} ms   networkx {naive * 1e3:8.2f} ms"
          f"   ratio {naive / ours:6.1f}x   (target <= 5 ms; both build the same Route)")

    ours = timed(lambda: corridor.route(net, *PAIRS[0], samples=10_000, seed=1), 5)
    rng = np.random.default_rng(0)
    subset = 50

    def naive_mc() -> None:
        # per sample: draw every edge weight, re-run networkx Dijkstra
        for _ in range(subset):
            factors = rng.uniform(0.8, 1.5, size=len(sg.weight))
            for (s, d), f in zip(graph.edges(), factors, strict=False):
                graph[s][d]["sampled"] = graph[s][d]["weight"] * f
            nx.multi_source_dijkstra_path_length(graph, list(sg.origin_states(PAIRS[0][0])),
                                                 weight="sampled")

    naive = timed(naive_mc, 1) * 10_000 / subset
    print(f"P50/P90 10k      corridor {ours * 1e3:8.2f} ms   networkx {naive * 1e3:8.0f} ms"
          f"   ratio {naive / ours:6.0f}x   (target <= 500 ms; naive extrapolated from "
          f"{subset} samples)")

    names = terminals(net)
    ours = timed(lambda: matrix(net, samples=1000), 3)

    def naive_matrix() -> None:
        for a in names:
            for b in names:
                if a != b:
                    naive_query(sg, graph, a, b)

    naive = timed(naive_matrix, 1)
    pairs = len(names) * (len(names) - 1)
    print(f"terminal matrix  corridor {ours * 1e3:8.0f} ms   networkx {naive * 1e3:8.0f} ms"
          f"   ratio {naive / ours:6.1f}x   ({len(names)} terminals, {pairs} pairs, "
          "target <= 1 s; corridor includes paths and 1000-sample P50/P90 per pair, networkx only "
          "the shortest-path lengths)")


if __name__ == "__main__":
    main()
