"""The time model: hours spent running on links, dwelling at nodes and waiting for ferries.

Every duration is a three-point spread (best case, most likely, bad week) in hours. Its expected
value is the PERT mean ``(lo + 4 mode + hi) / 6`` and Monte Carlo samples come from the PERT
(scaled beta) distribution on ``[lo, hi]`` with that mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.schema import WATER_MODES


@dataclass(frozen=True)
class Spread:
    """A duration in hours as best case, most likely and bad-week values."""

    lo: float
    mode: float
    hi: float

    @property
    def mean(self) -> float:
        """PERT expected value."""
        return (self.lo + 4.0 * self.mode + self.hi) / 6.0

    @classmethod
    def fixed(cls, hours: float) -> Spread:
        """A duration without spread."""
        return cls(hours, hours, hours)


ZERO = Spread.fixed(0.0)


def _value(row: pd.Series, name: str, default: float) -> float:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return float(value)


def run_spread(link: pd.Series) -> Spread:
    """Running (or sailing) time on a link: ``length_km / speed_kmh`` with the speed's spread."""
    if link["mode"] in WATER_MODES:
        return Spread.fixed(float(link["sailing_h"]))
    length, speed = float(link["length_km"]), float(link["speed_kmh"])
    fast = _value(link, "speed_max_kmh", speed)
    slow = _value(link, "speed_min_kmh", speed)
    return Spread(length / max(fast, speed), length / speed, length / min(slow, speed))


def ferry_wait_spread(link: pd.Series) -> Spread:
    """Wait for the next sailing: half a headway most likely, up to the worst observed interval."""
    if link["mode"] not in WATER_MODES:
        return ZERO
    headway = float(link["headway_h"])
    worst = max(_value(link, "headway_max_h", headway), headway / 2.0)
    return Spread(0.0, headway / 2.0, worst)


def dwell_spread(node: pd.Series) -> Spread:
    """Handling time at a node when a train performs its role there (border, gauge change, port)."""
    mode = _value(node, "dwell_h", 0.0)
    lo = min(_value(node, "dwell_min_h", mode), mode)
    hi = max(_value(node, "dwell_max_h", mode), mode)
    return Spread(lo, mode, hi)


def sample_matrix(
    lo: np.ndarray, mode: np.ndarray, hi: np.ndarray, samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Independent PERT draws, one column per duration.

    Parameters
    ----------
    lo, mode, hi : numpy.ndarray
        Best case, most likely and bad-week hours of each duration.
    samples : int
        Number of draws (rows).
    rng : numpy.random.Generator
        Source of randomness (seeded by the caller for reproducible percentiles).

    Returns
    -------
    numpy.ndarray
        Array of shape ``(samples, len(lo))`` in hours.
    """
    draws = np.broadcast_to(mode, (samples, len(mode))).astype(float)
    width = hi - lo
    spread = width > 1e-9
    if spread.any():
        w = width[spread]
        alpha = 1.0 + 4.0 * (mode[spread] - lo[spread]) / w
        beta = 1.0 + 4.0 * (hi[spread] - mode[spread]) / w
        draws[:, spread] = lo[spread] + rng.beta(alpha, beta, size=(samples, int(spread.sum()))) * w
    return draws


def sample_totals(
    lo: np.ndarray, mode: np.ndarray, hi: np.ndarray, samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Monte Carlo totals (hours) of independent PERT-distributed durations, one per draw."""
    return sample_matrix(lo, mode, hi, samples, rng).sum(axis=1)
