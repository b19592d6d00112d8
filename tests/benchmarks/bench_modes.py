"""Benchmark: `corridor modes` for one pair in-process after load, beside the rail route time.

The first call in a fresh process after ``corridor.load()`` is what a script or notebook pays: it
reads the modes tables and the shipped sea lanes (``geodata/sea_lanes.geojson``) and builds the
state graph. Beside it: the same comparison's two sea lanes computed by searoute (what the first
call paid before the lanes were shipped: graph build plus a networkx Dijkstra per lane), and the
rail route the comparison starts from.

Run: .venv/bin/python tests/benchmarks/bench_modes.py
"""

from __future__ import annotations

import time

from corridor.modes import compare_modes
from corridor.modes.lanes import searoute_lane
from corridor.network import load
from corridor.transit import alternatives, route

PAIR = ("Chongqing", "Duisburg")


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    t = time.perf_counter()
    net = load()
    print(f"corridor.load():                         {time.perf_counter() - t:.3f} s")
    first = time.perf_counter()
    result = compare_modes(net, *PAIR)
    print(f"modes {PAIR[0]}–{PAIR[1]}, first call:      {time.perf_counter() - first:.3f} s "
          "(target <= 0.5 s)")
    warm = best_of(lambda: compare_modes(net, *PAIR))
    print(f"modes {PAIR[0]}–{PAIR[1]}, best of 5:       {warm:.3f} s")
    print(f"rail route {PAIR[0]}–{PAIR[1]}, 2000 draws: "
          f"{best_of(lambda: route(net, *PAIR, samples=2000)):.3f} s; with 3 alternatives: "
          f"{best_of(lambda: alternatives(net, *PAIR, k=3, samples=2000)):.3f} s")
    pol, _, pod = result.loc[result["option"].str.contains("Suez"), "via"].iloc[0].split(" · ")
    ends = [(float(net.nodes.geometry[n].x), float(net.nodes.geometry[n].y)) for n in (pol, pod)]
    t = time.perf_counter()
    for passage in ("suez", "cape"):
        searoute_lane(*ends, passage)
    print(f"naive: the same 2 lanes by searoute, first time (graph build + networkx Dijkstra): "
          f"{time.perf_counter() - t:.3f} s; again: "
          f"{best_of(lambda: [searoute_lane(*ends, p) for p in ('suez', 'cape')]):.3f} s")


if __name__ == "__main__":
    main()
