"""Benchmark the command's start-up: wall time of whole processes, as a user waits for them.

Run: ``python tests/benchmarks/bench_cli.py``. Prints the median wall time of
``corridor --help``, of ``corridor route Chongqing Duisburg --samples 0`` with the network cache
warm (:mod:`corridor.cache`) and cold (cache off: read and validate the geodata, build the state
graph), beside ``python -c "import geopandas"``, the floor of any command that touches a
GeoDataFrame.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from timing import timed

PYTHON = sys.executable
CORRIDOR = [PYTHON, "-m", "corridor"]


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
    print(f"{'command':<62} {'median wall s':>13}")
    for label, fn in figures:
        print(f"{label:<62} {timed(fn, repeat=5):>13.2f}")


if __name__ == "__main__":
    main()
