"""THE time model: what a journey's hours are made of, and the one rule for which of them a train pays.

A journey is a sum of **components**, each tied to one element of the network:

``run``
    Running on a rail link: ``length_km / speed_kmh``, with the speed's spread.
``sailing``
    Sailing time of a ferry or sea link (``sailing_h``).
``ferry_wait``
    Waiting for the next sailing: none at best, half a headway most likely, ``headway_max_h`` in a
    bad ordinary week.
``dwell``
    Handling at a node where the train stops (see :func:`stops_at`): border formalities, a change of
    gauge, a transfer between rail and water. ``dwell_min_h`` / ``dwell_h`` / ``dwell_max_h``.
``disruption``
    A rare episode at an element (a queue at a border, a storm that stops the ferries), from
    ``disruptions.csv``: the chance that a train meets one there and the extra hours it then costs.

Ordinary components are three-point spreads (best, most likely, bad ordinary week): their expected
value is the PERT mean ``(lo + 4 mode + hi) / 6`` and Monte Carlo draws come from the PERT (scaled
beta) distribution. A disruption component is a mixture: with probability ``chance`` a PERT draw of
its extra hours, else nothing. Hence

* expected time = Σ ordinary means + Σ chance × episode mean (what routing minimises by default);
* best case = Σ ordinary best values (no episode);
* P50 / P90 come from Monte Carlo of the mixture.

A fixed scenario delay (column ``delay_h`` on a node or link, written by a scenario's ``delay``
edit) is added to all three points of the element's dwell or run.

**The rule for when a train pays a node** (:func:`pays_node`): once per visit, when it changes track
there (a gauge change, or between rail and water) or crosses a border there (the node is a
``border`` node on either side of the crossing step). Paying a node means paying its dwell and its
disruption episodes. The state graph (:mod:`corridor._graph`) is built from this rule and from
:func:`node_components` / :func:`link_components`; the timeline, Monte Carlo, capacity model,
cold-chain search and scenario edits all read those components. Nothing else decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.errors import CorridorError
from corridor.schema import WATER_MODES

if TYPE_CHECKING:
    import pandas as pd

RUN, SAILING, FERRY_WAIT, DWELL, DISRUPTION = "run", "sailing", "ferry_wait", "dwell", "disruption"
KINDS = (RUN, SAILING, FERRY_WAIT, DWELL, DISRUPTION)
#: node roles at which a train stops (and so where a delay can act)
STOP_KINDS = frozenset({"border", "gauge_change", "port"})
#: routing objectives: expected hours, or a percentile of the Monte Carlo distribution
OBJECTIVES = ("expected", "p50", "p90")
#: column of fixed extra hours (a scenario's ``delay`` edit) on a node or link
DELAY_COLUMN = "delay_h"
#: draws per Monte Carlo chunk (bounds memory whatever the number of samples)
CHUNK_ROWS = 4096


@dataclass(frozen=True)
class Spread:
    """A duration in hours as best case, most likely and bad-(ordinary-)week values."""

    lo: float
    mode: float
    hi: float

    @property
    def mean(self) -> float:
        """PERT expected value."""
        return (self.lo + 4.0 * self.mode + self.hi) / 6.0

    @property
    def variance(self) -> float:
        """PERT variance approximation ``((hi - lo) / 6) ** 2``."""
        return ((self.hi - self.lo) / 6.0) ** 2

    def shifted(self, hours: float) -> Spread:
        """The same spread with ``hours`` added to every point."""
        return Spread(self.lo + hours, self.mode + hours, self.hi + hours)

    @classmethod
    def fixed(cls, hours: float) -> Spread:
        """A duration without spread."""
        return cls(hours, hours, hours)


ZERO = Spread.fixed(0.0)


@dataclass(frozen=True)
class Component:
    """One duration a journey can be made of.

    Attributes
    ----------
    element : str
        Node or link id it belongs to.
    kind : str
        One of ``KINDS``.
    spread : Spread
        Ordinary duration; for a disruption, the extra hours of one episode.
    chance : float
        Probability that a train pays it (1 for ordinary components).
    source : str
        Where a disruption record comes from ("" for ordinary components).
    """

    element: str
    kind: str
    spread: Spread
    chance: float = 1.0
    source: str = ""

    @property
    def mean(self) -> float:
        """Expected hours: ``chance × spread.mean``."""
        return self.chance * self.spread.mean

    @property
    def best(self) -> float:
        """Best-case hours: no episode for a disruption, ``spread.lo`` otherwise."""
        return self.spread.lo if self.chance >= 1.0 else 0.0

    @property
    def variance(self) -> float:
        """Variance of the (mixture) duration."""
        p, m = self.chance, self.spread.mean
        return p * (self.spread.variance + m * m) - (p * m) ** 2


# -- the rule -----------------------------------------------------------------------------------

def stops_at(kinds: Iterable[str]) -> bool:
    """Whether a node with these roles is one where trains can stop (border, gauge change, port)."""
    return bool(set(kinds or ()) & STOP_KINDS)


def pays_node(kinds: Iterable[str], *, changes_track: bool, crosses_border: bool) -> bool:
    """THE rule: a train pays a node's dwell (and episodes) when it changes track or crosses a border there.

    ``changes_track`` is a gauge change or a rail/water transfer at the node; ``crosses_border`` is a
    step into or out of another country at the node. A border crossing is paid only where the node
    is a ``border`` node (the other side of the step may do the formalities). Callers charge it at
    most once per visit.
    """
    return changes_track or (crosses_border and "border" in set(kinds or ()))


def event_kind(changes_track: bool, water: bool) -> str:
    """Timeline label of a paid node: ``port`` (rail/water), ``gauge_change`` or ``border``."""
    if not changes_track:
        return "border"
    return "port" if water else "gauge_change"


# -- components of elements -----------------------------------------------------------------------

def number_or(value: Any, default: float) -> float:
    """``value`` as a float, or ``default`` when it is missing, not a number or NaN."""
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


def _value(row: Mapping[str, Any], name: str, default: float) -> float:
    return number_or(row.get(name), default)


def run_spread(link: Mapping[str, Any]) -> Spread:
    """Running (or sailing) time on a link, with any scenario ``delay_h`` added."""
    delay = _value(link, DELAY_COLUMN, 0.0)
    if link["mode"] in WATER_MODES:
        return Spread.fixed(float(link["sailing_h"])).shifted(delay)
    length, speed = float(link["length_km"]), float(link["speed_kmh"])
    fast = _value(link, "speed_max_kmh", speed)
    slow = _value(link, "speed_min_kmh", speed)
    return Spread(length / max(fast, speed), length / speed, length / min(slow, speed)).shifted(delay)


def ferry_wait_spread(link: Mapping[str, Any]) -> Spread:
    """Wait for the next sailing: none at best, half a headway most likely, ``headway_max_h`` at worst."""
    if link["mode"] not in WATER_MODES:
        return ZERO
    headway = float(link["headway_h"])
    worst = max(_value(link, "headway_max_h", headway), headway / 2.0)
    return Spread(0.0, headway / 2.0, worst)


def dwell_spread(node: Mapping[str, Any]) -> Spread:
    """Ordinary handling time at a node where a train stops, with any scenario ``delay_h`` added."""
    mode = _value(node, "dwell_h", 0.0)
    lo = min(_value(node, "dwell_min_h", mode), mode)
    hi = max(_value(node, "dwell_max_h", mode), mode)
    return Spread(lo, mode, hi).shifted(_value(node, DELAY_COLUMN, 0.0))


def episodes(element: str, disruptions: pd.DataFrame | None) -> list[Component]:
    """The disruption components of one element (rows of ``disruptions.csv``)."""
    if disruptions is None or disruptions.empty:
        return []
    rows = disruptions[disruptions["element"] == element]
    return [
        Component(element, DISRUPTION, Spread(r.extra_min_h, r.extra_h, r.extra_max_h),
                  chance=float(r.chance), source=str(r.source))
        for r in rows.itertuples()
    ]


def node_components(node_id: str, node: Mapping[str, Any],
                    disruptions: pd.DataFrame | None = None) -> list[Component]:
    """What a train pays at a node when :func:`pays_node` says so: dwell, then its episodes."""
    return [Component(node_id, DWELL, dwell_spread(node)), *episodes(node_id, disruptions)]


def link_components(link_id: str, link: Mapping[str, Any],
                    disruptions: pd.DataFrame | None = None) -> list[Component]:
    """What a train pays on a link, in travel order: ferry wait, sailing or run, then its episodes."""
    if link["mode"] in WATER_MODES:
        travel = [Component(link_id, FERRY_WAIT, ferry_wait_spread(link)),
                  Component(link_id, SAILING, run_spread(link))]
    else:
        travel = [Component(link_id, RUN, run_spread(link))]
    return [*travel, *episodes(link_id, disruptions)]


def number_column(frame: pd.DataFrame, name: str, default: float | np.ndarray) -> np.ndarray:
    """:func:`number_or` of every cell of column ``name`` (``default`` where it is absent)."""
    if name not in frame.columns:
        return np.broadcast_to(np.asarray(default, dtype=float), (len(frame),)).copy()
    column = frame[name]
    if column.dtype.kind in "biuf":
        values = column.to_numpy(dtype=float, na_value=np.nan)
    else:  # text or mixed cells: the scalar rule, cell by cell
        values = np.fromiter((number_or(v, math.nan) for v in column.tolist()), dtype=float,
                             count=len(column))
    return np.where(np.isnan(values), default, values)


def dwell_spreads(nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`dwell_spread` of every node, as (lo, mode, hi) arrays."""
    mode = number_column(nodes, "dwell_h", 0.0)
    lo = np.minimum(number_column(nodes, "dwell_min_h", mode), mode)
    hi = np.maximum(number_column(nodes, "dwell_max_h", mode), mode)
    delay = number_column(nodes, DELAY_COLUMN, 0.0)
    return lo + delay, mode + delay, hi + delay


def travel_columns(links: pd.DataFrame) -> dict[str, np.ndarray]:
    """The ordinary components of every link (:func:`link_components` without episodes).

    Returns arrays per link: ``water`` (bool), the run or sailing spread ``run_lo``, ``run_mode``,
    ``run_hi`` (:func:`run_spread`) and the ferry wait ``wait_mode``, ``wait_hi``
    (:func:`ferry_wait_spread`; zero on rail links).
    """
    water = links["mode"].isin(list(WATER_MODES)).to_numpy(dtype=bool)
    delay = number_column(links, DELAY_COLUMN, 0.0)
    length = links["length_km"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = number_column(links, "speed_kmh", math.nan) if "speed_kmh" in links else \
            np.full(len(links), math.nan)
        fast = np.maximum(number_column(links, "speed_max_kmh", speed), speed)
        slow = np.minimum(number_column(links, "speed_min_kmh", speed), speed)
        sailing = number_column(links, "sailing_h", math.nan)
        run = [np.where(water, sailing, length / rate) for rate in (fast, speed, slow)]
    headway = np.where(water, number_column(links, "headway_h", 0.0), 0.0)
    worst = np.maximum(number_column(links, "headway_max_h", headway), headway / 2.0)
    return {"water": water, "run_lo": run[0] + delay, "run_mode": run[1] + delay,
            "run_hi": run[2] + delay, "wait_mode": np.where(water, headway / 2.0, 0.0),
            "wait_hi": np.where(water, worst, 0.0)}


# -- a table of components --------------------------------------------------------------------------

class ComponentTable:
    """Components as arrays, for routing costs and vectorised Monte Carlo.

    Parameters
    ----------
    components : sequence of Component

    Notes
    -----
    The table is column-wise (:meth:`from_columns` builds one without a Component per row);
    ``table[i]`` and :attr:`components` make the Component objects on demand.
    """

    def __init__(self, components: Sequence[Component]):
        components = list(components)
        self._set_columns(
            np.array([c.element for c in components], dtype=object),
            np.array([c.kind for c in components], dtype=object),
            np.array([c.spread.lo for c in components], dtype=float),
            np.array([c.spread.mode for c in components], dtype=float),
            np.array([c.spread.hi for c in components], dtype=float),
            np.array([c.chance for c in components], dtype=float),
            np.array([c.source for c in components], dtype=object),
        )
        self._objects = components

    @classmethod
    def from_columns(cls, element: np.ndarray, kind: np.ndarray, lo: np.ndarray, mode: np.ndarray,
                     hi: np.ndarray, chance: np.ndarray, source: np.ndarray) -> ComponentTable:
        """A table from one array per Component field (``element``, ``kind`` and ``source`` are
        object arrays of str; ``lo``, ``mode``, ``hi`` the spread and ``chance`` as floats)."""
        table = cls.__new__(cls)
        table._set_columns(element, kind, np.asarray(lo, dtype=float),
                           np.asarray(mode, dtype=float), np.asarray(hi, dtype=float),
                           np.asarray(chance, dtype=float), source)
        table._objects = None
        return table

    def _set_columns(self, element, kind, lo, mode, hi, chance, source) -> None:
        self.element, self.kind, self.source = element, kind, source
        self.lo, self.mode, self.hi, self.chance = lo, mode, hi, chance
        # the same float operations as Spread / Component, element-wise (identical values)
        spread_mean = (lo + 4.0 * mode + hi) / 6.0
        self.mean = chance * spread_mean
        self.best = np.where(chance >= 1.0, lo, 0.0)
        self.variance = chance * (((hi - lo) / 6.0) ** 2 + spread_mean * spread_mean) \
            - (chance * spread_mean) ** 2

    def __getstate__(self) -> dict:  # the Component objects are remade on demand
        state = dict(self.__dict__)
        state["_objects"] = None
        return state

    @property
    def components(self) -> list[Component]:
        """Every component as a :class:`Component` (made once, on first use)."""
        if self._objects is None:
            self._objects = [self._make(i) for i in range(len(self))]
        return self._objects

    def _make(self, index: int) -> Component:
        return Component(str(self.element[index]), str(self.kind[index]),
                         Spread(float(self.lo[index]), float(self.mode[index]),
                                float(self.hi[index])),
                         float(self.chance[index]), str(self.source[index]))

    def __len__(self) -> int:
        return len(self.lo)

    def __getitem__(self, index: int) -> Component:
        if self._objects is not None:
            return self._objects[index]
        return self._make(int(index))

    def sample(self, samples: int, rng: np.random.Generator,
               columns: np.ndarray | None = None) -> np.ndarray:
        """Draws of the chosen components (all by default), shape ``(samples, n_columns)``."""
        cols = np.arange(len(self)) if columns is None else np.asarray(columns, dtype=np.int64)
        return sample_mixture(self.lo[cols], self.mode[cols], self.hi[cols], self.chance[cols],
                              samples, rng)

    def totals(self, counts: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
        """Monte Carlo totals (hours) of journeys given as component-count vectors.

        ``counts`` has shape ``(journeys, len(self))`` (dense or scipy sparse); every journey uses
        the same draws of a component (common random numbers). Sampled in chunks of
        ``CHUNK_ROWS`` draws, so memory stays bounded. Returns shape ``(journeys, samples)``.
        """
        used = np.flatnonzero(np.asarray(abs(counts).sum(axis=0)).ravel())
        sub = counts[:, used]
        out = np.empty((counts.shape[0], samples))
        for start in range(0, samples, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, samples - start)
            draws = self.sample(rows, rng, used)
            out[:, start:start + rows] = np.asarray(sub @ draws.T)
        return out


def sample_mixture(lo: np.ndarray, mode: np.ndarray, hi: np.ndarray, chance: np.ndarray,
                   samples: int, rng: np.random.Generator) -> np.ndarray:
    """PERT draws, each kept with probability ``chance`` (zero otherwise), one column per duration.

    Parameters
    ----------
    lo, mode, hi : numpy.ndarray
        Best case, most likely and worst hours of each duration.
    chance : numpy.ndarray
        Probability that each duration occurs (1 for ordinary durations).
    samples : int
        Number of draws (rows).
    rng : numpy.random.Generator
        Source of randomness (seeded by the caller for reproducible percentiles).
    """
    draws = np.broadcast_to(mode, (samples, len(mode))).astype(float)
    width = hi - lo
    spread = width > 1e-9
    if spread.any():
        w = width[spread]
        alpha = 1.0 + 4.0 * (mode[spread] - lo[spread]) / w
        beta = 1.0 + 4.0 * (hi[spread] - mode[spread]) / w
        draws[:, spread] = lo[spread] + rng.beta(alpha, beta, size=(samples, int(spread.sum()))) * w
    rare = chance < 1.0
    if rare.any():
        happens = rng.random((samples, int(rare.sum()))) < chance[rare]
        draws[:, rare] *= happens
    return draws


def percentile_days(totals_h: np.ndarray, q: Sequence[float], axis: int = -1) -> np.ndarray:
    """Percentiles ``q`` (0–100) of Monte Carlo totals in hours, as days."""
    return np.percentile(totals_h, list(q), axis=axis) / 24.0


def check_objective(objective: str) -> str:
    """The objective, or a CorridorError naming the choices."""
    if objective not in OBJECTIVES:
        raise CorridorError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    return objective


def sample_matrix(lo: np.ndarray, mode: np.ndarray, hi: np.ndarray, samples: int,
                  rng: np.random.Generator) -> np.ndarray:
    """PERT draws of always-present durations (tariff ranges, ordinary spreads), shape ``(samples, n)``."""
    return sample_mixture(lo, mode, hi, np.ones(len(lo)), samples, rng)
