"""Benchmark the command's start-up: wall time of whole processes, as a user waits for them.

Run: ``python tests/benchmarks/bench_cli.py``. Prints the median wall time of
``corridor --help``, of ``corridor route Chongqing Duisburg --samples 0`` with the network cache
warm (:mod:`corridor.cache`) and cold (cache off: read and validate the geodata, build the state
graph), beside ``python -c "import geopandas"``, the floor of any command that touches a
GeoDataFrame. The commands run in interleaved rounds (one of each per round), so that the load of a
shared machine falls on all of them alike; the minimum and the median of the rounds are printed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = sys.executable
CORRIDOR = [PYTHON, "-m", "corridor"]
ROUNDS = 7


def run(argv: list[str], env: dict[str, str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **env})


def main() -> None:
    warm = {"CORRIDOR_CACHE_DIR": tempfile.mkdtemp(prefix="corridor-bench-")}
    cold = {"CORRIDOR_CACHE_DIR": "off"}
    route = [*CORRIDOR, "route", "Chongqing", "Duisburg", "--samples", "0"]
    run(route, warm)  # fill the cache
    figures = [
        ('python -c "import geopandas"', lambda: run([PYTHON, "-c", "import geopandas"], {})),
        ("corridor --help", lambda: run([*CORRIDOR, "--help"], {})),
        ("corridor route Chongqing Duisburg --samples 0 (cache warm)", lambda: run(route, warm)),
        ("corridor route Chongqing Duisburg --samples 0 (cache off)", lambda: run(route, cold)),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in figures}
    for _ in range(ROUNDS):
        for label, fn in figures:
            start = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - start)
    floor = min(times[figures[0][0]])
    print(f"{'command':<62} {'min wall s':>10} {'median':>7} {'min / import geopandas':>23}")
    for label, _ in figures:
        best = min(times[label])
        print(f"{label:<62} {best:>10.2f} {statistics.median(times[label]):>7.2f} "
              f"{best / floor:>23.2f}")


if __name__ == "__main__":
    main()
