"""Time the full transit-dependence table of one flow beside the loop of `--avoid` routes.

Run: python tests/benchmarks/bench_dependence.py
The naive way: for every transit country, `corridor route O D --avoid X` for every origin-destination
pair of the flow (what a user does today), without max flow, cost or CO2e.
"""

from __future__ import annotations

import contextlib
import time

import corridor
from corridor.dependence import dependence, inputs
from corridor.errors import NoRouteError
from corridor.transit import route

REPEATS = 3


def main() -> None:
    net = corridor.load()
    dependence(net, samples=500)  # warm caches (state graphs, flow network)
    times, cpu = [], []
    for _ in range(REPEATS):  # the machine is shared: the minimum of a few runs
        start, start_cpu = time.perf_counter(), time.process_time()
        table = dependence(net, samples=500)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    full = min(times)
    demand = inputs.builtin_demand(net)
    country = net.nodes["country"]
    pairs = [(o, d) for o, d in zip(demand.origin, demand.destination, strict=True)
             if country[o] == "CN" and country[d] not in ("CN", "RU", "KZ", "UZ")]
    start, start_cpu = time.perf_counter(), time.process_time()
    for code in table["id"]:
        for o, d in pairs:
            if code in (country[o], country[d]):
                continue
            with contextlib.suppress(NoRouteError):
                route(net, o, d, avoid=[code], samples=500)
    loop, loop_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"dependence table china-europe ({len(table)} countries): {full:.2f} s, CPU {min(cpu):.2f} s "
          f"(min of {REPEATS}; target <= 2 s); loop of --avoid routes ({len(table)} x {len(pairs)} "
          f"pairs): {loop:.2f} s, CPU {loop_cpu:.2f} s; ratio {loop / full:.1f}x")


if __name__ == "__main__":
    main()
