"""Wall-clock timing shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def wall_times(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of each of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, in seconds."""
    return statistics.median(wall_times(fn, repeat))


def fastest(fn: Callable[[], object], repeat: int = 7) -> float:
    """Shortest wall time of ``fn`` over ``repeat`` runs, in seconds (least disturbed by load)."""
    return min(wall_times(fn, repeat))
