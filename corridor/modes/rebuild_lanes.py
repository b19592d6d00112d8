"""Rebuild (or check) ``geodata/sea_lanes.geojson`` from searoute.

Run ``python -m corridor.modes.rebuild_lanes [--check] [DIRECTORY]`` after changing ``ports.csv``,
a port's coordinates or the searoute version. ``--check`` exits 1 when the file differs from a
fresh searoute run, 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corridor.datafiles import builtin_dir
from corridor.errors import CorridorError
from corridor.modes.lanes import LANES_FILE, build_features, lanes_text, rebuild, searoute_version


def main(argv: list[str] | None = None) -> int:
    """Write the lanes (default) or compare them with searoute (``--check``); the exit code."""
    parser = argparse.ArgumentParser(prog="python -m corridor.modes.rebuild_lanes",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help=f"compare {LANES_FILE} with searoute")
    parser.add_argument("directory", nargs="?", type=Path, help="geodata directory (built-in if omitted)")
    args = parser.parse_args(argv)
    directory = args.directory or builtin_dir()
    path = directory / LANES_FILE
    try:
        if not args.check:
            print(f"wrote {rebuild(directory)} (searoute {searoute_version()})")
            return 0
        fresh = lanes_text(build_features(directory))
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (CorridorError, OSError) as exc:
        print(f"rebuild_lanes: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if fresh != current:
        print(f"{path} differs from searoute {searoute_version()}; run python -m "
              "corridor.modes.rebuild_lanes", file=sys.stderr)
        return 1
    print(f"{path} matches searoute {searoute_version()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
