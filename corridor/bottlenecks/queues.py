"""Queueing at capacity-limited rail elements over a planning horizon.

The wait of a train at an element whose capacity is ``c`` trains/day and whose arrivals are ``v``
trains/day over a planning horizon of ``H`` days is the *time-dependent* M/D/1 delay of Kimber &
Hollis (1979, TRRL Laboratory Report LR 909), in the closed form of Akçelik (1991, "Travel time
functions for transport planning purposes", Australian Road Research 21(3))::

    w = (H / 4) * [ (x - 1) + sqrt( (x - 1)**2 + 8 J x / (c H) ) ]      (days),  x = v / c

with ``J = 0.5`` (deterministic service, Poisson arrivals). It joins the two regimes a planner
needs:

* below capacity and for a long horizon it tends to the steady-state M/D/1 (Pollaczek–Khinchine)
  wait ``x / (2 μ (1 - x))`` with service rate ``μ = c`` trains/day;
* above capacity it tends to the deterministic queue over the horizon: a backlog that grows by
  ``v - c`` trains a day, so a train arriving during the horizon waits ``H (x - 1) / 2`` days on
  average and the backlog at the end is ``(v - c) H`` trains, ``(v - c) H / c`` days of work.

The function is increasing and convex in ``v`` (the square root of a positive-definite quadratic),
so the user equilibrium is unique in element flows and Frank–Wolfe converges on it.

Within the horizon an element passes at most ``c`` trains a day: what arrives beyond that is in the
backlog at the end of the horizon and is reported as *unserved* (not carried within the horizon),
see :func:`carried_share`.
"""

from __future__ import annotations

import numpy as np

HORIZON_DAYS = 30.0  #: default planning horizon of the deterministic queue
MD1_J = 0.5  #: Akçelik's delay parameter for deterministic service (M/D/1)
#: TEU per China–Europe train: 1.749 M TEU on 16,145 trains, Jan–Nov 2024 (China State Railway via
#: CRI / China Daily, facts digest); Manzhouli 2023: 420,000 TEU on 3,891 trains (ECNS 2023-10-16)
TEU_PER_TRAIN = 108.0


def check_horizon(horizon_days: float) -> float:
    """The horizon as a float, or a one-line ``CorridorError`` for a non-finite or non-positive one."""
    from corridor.errors import CorridorError

    try:
        value = float(horizon_days)
    except (TypeError, ValueError):
        raise CorridorError(f"horizon_days {horizon_days!r}: expected a number of days") from None
    if not np.isfinite(value) or value <= 0 or value > 3650:
        raise CorridorError(f"horizon_days {horizon_days!r}: expected a number of days in (0, 3650]")
    return value


def _ratio(volume: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(capacity), 0.0, volume / capacity)


def wait_hours(volume: np.ndarray, capacity: np.ndarray, horizon_days: float) -> np.ndarray:
    """Mean wait in hours per arriving train (Kimber–Hollis / Akçelik M/D/1 over the horizon).

    ``capacity`` NaN = unlimited (no wait). ``volume`` and ``capacity`` in trains per day.
    """
    x = _ratio(volume, capacity)
    cap = np.where(np.isnan(capacity), 1.0, capacity)
    a = 8.0 * MD1_J * x / (cap * horizon_days)
    days = 0.25 * horizon_days * ((x - 1.0) + np.sqrt((x - 1.0) ** 2 + a))
    return np.where(np.isnan(capacity) | (volume <= 0), 0.0, 24.0 * days)


def wait_slope(volume: np.ndarray, capacity: np.ndarray, horizon_days: float) -> np.ndarray:
    """Derivative of :func:`wait_hours` with respect to the volume (hours per train per train/day)."""
    x = _ratio(volume, capacity)
    cap = np.where(np.isnan(capacity), 1.0, capacity)
    k = 8.0 * MD1_J / (cap * horizon_days)
    root = np.sqrt((x - 1.0) ** 2 + k * x)
    dw_dx = 0.25 * horizon_days * (1.0 + ((x - 1.0) + 0.5 * k) / root)
    return np.where(np.isnan(capacity), 0.0, 24.0 * dw_dx / cap)


def backlog(volume: np.ndarray, capacity: np.ndarray, horizon_days: float):
    """(excess trains/day, final backlog in trains, final backlog in days of the element's work)."""
    excess = np.where(np.isnan(capacity), 0.0, np.maximum(volume - np.nan_to_num(capacity), 0.0))
    trains = excess * horizon_days
    with np.errstate(invalid="ignore", divide="ignore"):
        days = np.where(excess > 0, trains / capacity, 0.0)
    return excess, trains, days


def carried_share(volume: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Share of the arriving trains an element passes within the horizon: ``min(1, c / v)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(volume > capacity, capacity / volume, 1.0)
    return np.where(np.isnan(capacity), 1.0, share)
