"""Benchmark: `corridor modes` for one pair in-process after load, beside the rail route time.

Each figure of the first table is the FIRST call in a fresh process after ``corridor.load()`` (what
a script or notebook pays), best of ``REPEAT`` processes:

* ``modes``: :func:`corridor.modes.compare_modes` with the shipped sea lanes
  (``geodata/sea_lanes.geojson``), modes tables read on the way;
* ``rail route``: the rail corridors the comparison starts from
  (``alternatives(k=3, samples=2000)``); it pays the same first-route build of the state graph;
* ``naive``: the same comparison with the lanes asked of searoute (what it cost before the lanes
  were shipped: searoute's graph build plus a networkx Dijkstra per lane).

Then the warm figures in this process. Run: .venv/bin/python tests/benchmarks/bench_modes.py
"""

from __future__ import annotations

import subprocess
import sys

from timing import fastest

REPEAT = 3
PAIR = ("Chongqing", "Duisburg")
SETUP = "import time; from corridor.network import load; from corridor.modes import compare_modes, tables\n"
TIMED = "net = load(); t = time.perf_counter(); {call}; print(time.perf_counter() - t)\n"
CALLS = {
    "modes (shipped sea lanes)": ("", f"compare_modes(net, *{PAIR!r})"),
    "rail route, 3 alternatives, 2000 draws": (
        "from corridor.transit import alternatives\n", f"alternatives(net, *{PAIR!r}, k=3, samples=2000)"),
    "naive: modes with searoute's lanes": (
        "tables.lanes_from_features = lambda features: {}\n", f"compare_modes(net, *{PAIR!r})"),
}


def first_call(prelude: str, call: str) -> float:
    """Best of ``REPEAT`` fresh processes: seconds of ``call`` right after ``load()``."""
    code = SETUP + prelude + TIMED.format(call=call)
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(REPEAT)]
    return min(runs)


def main() -> None:
    from corridor.modes import compare_modes
    from corridor.network import load
    from corridor.transit import alternatives

    print(f"{PAIR[0]}–{PAIR[1]}, first call in a fresh process after corridor.load() "
          f"(best of {REPEAT} processes):")
    first = {name: first_call(*parts) for name, parts in CALLS.items()}
    for name, seconds in first.items():
        print(f"  {name:<42} {seconds:.3f} s")
    modes, rail, naive = first.values()
    print(f"  modes {'<=' if modes <= 0.5 else '>'} 0.5 s target; {modes / rail:.1f}× the rail route; "
          f"shipped lanes save {naive - modes:.3f} s ({naive / modes:.1f}× faster than searoute's)")
    net = load()
    compare_modes(net, *PAIR)
    print("warm, in this process (best of 5):")
    print(f"  modes                                      "
          f"{fastest(lambda: compare_modes(net, *PAIR), 5):.3f} s")
    print(f"  rail route, 3 alternatives, 2000 draws     "
          f"{fastest(lambda: alternatives(net, *PAIR, k=3, samples=2000), 5):.3f} s")


if __name__ == "__main__":
    main()
