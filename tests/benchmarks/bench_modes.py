"""Benchmark: `corridor modes` for one pair in-process after load, beside the rail route time.

Run: .venv/bin/python tests/benchmarks/bench_modes.py
"""

from __future__ import annotations

import time

from corridor.modes import builtin_tables, compare_modes
from corridor.modes.sea import warm_up
from corridor.network import load
from corridor.transit import alternatives


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
    builtin_tables()
    warm_up()  # searoute graph build (~0.2 s), part of loading
    print(f"load (network, tables, searoute graph): {time.perf_counter() - t:.3f} s")
    first = time.perf_counter()
    compare_modes(net, "Chongqing", "Duisburg")
    print(f"modes Chongqing–Duisburg, first call:   {time.perf_counter() - first:.3f} s (target <= 0.5 s)")
    warm = best_of(lambda: compare_modes(net, "Chongqing", "Duisburg"))
    print(f"modes Chongqing–Duisburg, best of 5:    {warm:.3f} s")
    print(f"rail route with 3 alternatives, 2000 draws (what modes now asks transit for): "
          f"{best_of(lambda: alternatives(net, 'Chongqing', 'Duisburg', k=3, samples=2000)):.3f} s")


if __name__ == "__main__":
    main()
