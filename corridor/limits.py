"""Limits on the work one request may ask for, and the checks that enforce them.

Every option that sets an amount of work has a bound here, so that a typo (``--samples 1e9``)
gets a one-line error instead of a hang or a MemoryError. The command line checks its options
with these functions before any work is done; the public analysis functions call them at the
top too, so Python users get the same errors.

=====================  ===========  ===============================================================
limit                  value        what it bounds
=====================  ===========  ===============================================================
``MAX_SAMPLES``        100,000      Monte Carlo draws per route or reach query (``--samples``)
``MAX_SAMPLE_VALUES``  25,000,000   draws × max(pairs, network components) of one matrix (~200 MB)
``MAX_ALTERNATIVES``   20           routes through different corridors (``--alternatives``)
``MAX_MATRIX_PAIRS``   10,000       origin–destination pairs of one matrix
``MAX_WORKERS``        16           local Dask worker processes of a sweep (``--workers``)
``MAX_RANGE_VALUES``   1,000        values of one ``--range`` (one scenario each)
``MAX_SWEEP``          5,000        scenarios in one sweep
``MIN_BAND_DAYS``      0.5          width of the isochrone bands of a reach map (``--band-days``)
``MAX_BAND_DAYS``      365          ... and their largest width
=====================  ===========  ===============================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from corridor.errors import CorridorError
from corridor.schema import Field
from corridor.validation import check_number

if TYPE_CHECKING:
    from corridor.network import Corridor

MAX_SAMPLES = 100_000
MAX_SAMPLE_VALUES = 25_000_000
MAX_ALTERNATIVES = 20
MAX_MATRIX_PAIRS = 10_000
MAX_WORKERS = 16
MAX_RANGE_VALUES = 1_000
MAX_SWEEP = 5_000
MIN_BAND_DAYS = 0.5
MAX_BAND_DAYS = 365.0
#: seeds are non-negative integers below 2**63 (numpy's generators refuse negative seeds)
MAX_SEED = 2**63 - 1
#: seconds to wait for a Dask scheduler given with ``--scheduler``
SCHEDULER_TIMEOUT_S = 5

#: the numeric command-line options, with their ranges (checked by :func:`check_option`)
OPTIONS: dict[str, Field] = {f.name: f for f in (
    Field("--samples", "int", minimum=0, maximum=MAX_SAMPLES),
    Field("--alternatives", "int", minimum=1, maximum=MAX_ALTERNATIVES),
    Field("--seed", "int", minimum=0, maximum=MAX_SEED),
    Field("--workers", "int", minimum=1, maximum=MAX_WORKERS),
    Field("--band-days", "number", minimum=MIN_BAND_DAYS, maximum=MAX_BAND_DAYS),
    Field("--margin-days", "number", minimum=0.0, maximum=3650.0),
    Field("--autonomy-h", "number", positive=True, maximum=8760.0),
    Field("--month", "int", minimum=1, maximum=12),
    Field("--top", "int", minimum=1, maximum=100_000),
    Field("--horizon-days", "number", positive=True, maximum=3650.0),
    Field("--full", "int", minimum=0, maximum=100),
    Field("--max-snap-km", "number", positive=True, maximum=500.0),
)}


def check_option(name: str, value: Any) -> Any:
    """``value`` if it is valid for the option ``name`` (see ``OPTIONS``), else CorridorError.

    ``None`` (an option left out) is always valid.
    """
    if value is None:
        return value
    problem = check_number(OPTIONS[name], value)
    if problem:
        raise CorridorError(f"{name} {problem}")
    return value


def check_samples(samples: int) -> int:
    """Monte Carlo draws: an integer in ``[0, MAX_SAMPLES]``."""
    return check_option("--samples", samples)


def check_seed(seed: int | None) -> int | None:
    """A seed: ``None`` or an integer in ``[0, 2**63)``."""
    return check_option("--seed", seed)


def check_alternatives(k: int) -> int:
    """Number of alternative routes: an integer in ``[1, MAX_ALTERNATIVES]``."""
    return check_option("--alternatives", k)


def check_route_request(net: Corridor, origin: str, destination: str, *, via: Sequence[str] = (),
                        k: int = 1, samples: int = 0, seed: int | None = 0) -> None:
    """Check a route query before any work: k, samples, seed, and that ``via`` makes sense.

    A ``via`` place equal to the origin or the destination would make an out-and-back route;
    it is refused.
    """
    check_alternatives(k)
    check_samples(samples)
    check_seed(seed)
    ends = {net.resolve(origin): "origin", net.resolve(destination): "destination"}
    for place in via:
        node = net.resolve(place)
        if node in ends:
            raise CorridorError(f"--via {place!r} is the route's {ends[node]}; a via place must "
                                "lie between the origin and the destination")


def check_matrix(pairs: int, samples: int, components: int = 0) -> None:
    """A matrix of ``pairs`` pairs with ``samples`` draws: within the pair and memory limits.

    The component draws are sampled in chunks (``timemodel.CHUNK_ROWS``), so memory grows with
    ``samples × pairs`` (the totals); pass ``components`` only where draws are not chunked.
    """
    check_samples(samples)
    if pairs > MAX_MATRIX_PAIRS:
        raise CorridorError(f"{pairs:,} origin-destination pairs; the limit is "
                            f"{MAX_MATRIX_PAIRS:,} (name fewer --origins or --destinations)")
    values = samples * max(pairs, components)
    if values > MAX_SAMPLE_VALUES:
        most = MAX_SAMPLE_VALUES // max(pairs, components, 1)
        raise CorridorError(f"--samples {samples:,} for {pairs:,} pairs needs {values:,} draws; "
                            f"the limit is {MAX_SAMPLE_VALUES:,} (use --samples {most:,} or fewer)")


def check_reach_request(samples: int = 0, seed: int | None = 0, margin_days: float | None = None,
                        autonomy_h: float | None = None, month: int | None = None) -> None:
    """Check the numbers of a reach query (finite, in range) before any work."""
    check_samples(samples)
    check_seed(seed)
    check_option("--margin-days", margin_days)
    check_option("--autonomy-h", autonomy_h)
    check_option("--month", month)


def check_band_days(band_days: float) -> float:
    """Width of isochrone bands, in ``[MIN_BAND_DAYS, MAX_BAND_DAYS]`` days."""
    return check_option("--band-days", band_days)


def check_workers(workers: int | None) -> int | None:
    """Local worker processes: ``None`` (all cores, at most ``MAX_WORKERS``) or 1–MAX_WORKERS."""
    return check_option("--workers", workers)


def check_range_values(count: int, text: str) -> None:
    """A ``--range`` of ``count`` values, at most ``MAX_RANGE_VALUES``."""
    if count > MAX_RANGE_VALUES:
        raise CorridorError(f"--range {text!r} gives {count:,} values; the limit is "
                            f"{MAX_RANGE_VALUES:,}")


def check_sweep_size(count: int) -> None:
    """A sweep of ``count`` scenarios, at most ``MAX_SWEEP``."""
    if count > MAX_SWEEP:
        raise CorridorError(f"{count:,} scenarios in one sweep; the limit is {MAX_SWEEP:,}")
