"""Capacity-constrained assignment of train demand: equilibrium or all-or-nothing, queues, unserved.

Every origin–destination pair chooses among its gauge-aware routes by expected hours: running,
dwell (the time model's own edge weights) and the queueing wait at capacity-limited elements over
the planning horizon (``corridor.bottlenecks.queues``). At equilibrium no train can save time by
switching route, so trains leave a queue for another corridor once the wait costs more than the
detour. Whatever still arrives at an element beyond its capacity is in that element's backlog at
the end of the horizon: it is reported as queued there and as *unserved* (not carried within the
horizon), so the reported flows never exceed a capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from corridor.bottlenecks.capacity import CLOSED, CapacityModel, capacity_model
from corridor.bottlenecks.demand import demand_pairs
from corridor.bottlenecks.queues import (
    HORIZON_DAYS,
    TEU_PER_TRAIN,
    backlog,
    carried_share,
    check_horizon,
    wait_hours,
)
from corridor.bottlenecks.routing import Router, router
from corridor.datafiles import json_ready
from corridor.errors import CorridorError
from corridor.geodesy import CRS

if TYPE_CHECKING:
    from corridor.network import Corridor

METHODS = ("equilibrium", "all_or_nothing")
ELEMENT_COLUMNS = ["id", "type", "name", "demand_trains_day", "flow_trains_day",
                   "capacity_trains_day", "utilization", "delay_h", "wait_days",
                   "queued_trains_day", "backlog_trains", "backlog_days", "unserved_trains_day",
                   "geometry"]
PAIR_COLUMNS = ["origin", "destination", "via", "trains_day", "hours", "free_flow_hours", "served",
                "served_trains_day", "unserved_trains_day", "rerouted_trains_day", "held_at"]


@dataclass
class Assignment:
    """Flows of a demand on a network, with queues, backlogs and unserved demand per element.

    Attributes
    ----------
    elements : geopandas.GeoDataFrame
        One row per operating node and link: id, type, name, demand_trains_day (trains arriving),
        flow_trains_day (trains carried within the horizon, never above the capacity),
        capacity_trains_day, utilization (flow / capacity, NaN when unlimited), delay_h and
        wait_days (mean queueing wait per arriving train over the horizon), queued_trains_day
        (arrivals beyond capacity: the daily growth of the backlog), backlog_trains and
        backlog_days (the backlog at the end of the horizon, in trains and in days of the
        element's work), unserved_trains_day (trains held here: not carried within the horizon).
    pairs : pandas.DataFrame
        origin, destination, via ("" or the crossing the trains were counted at), trains_day,
        hours (expected hours per train, with waits),
        free_flow_hours, served (has a route), served_trains_day, unserved_trains_day,
        rerouted_trains_day (trains off their free-flow fastest route), held_at (the element that
        holds the unserved trains, or "").
    total_train_hours_day : float
        Train-hours per day of the demand that has a route (running, dwell and waits).
    queue_train_hours_day : float
        The part of it spent waiting at capacity-limited elements.
    unserved_trains_day, unserved_teu_day : float
        Demand not carried within the horizon (no route, or held in a backlog).
    rerouted_trains_day : float
        Trains per day on a route other than their free-flow fastest one.
    iterations, gap : int, float
        Frank–Wolfe iterations and the final relative gap (0 for all-or-nothing).
    horizon_days, teu_per_train : float
    """

    elements: gpd.GeoDataFrame
    pairs: pd.DataFrame
    total_train_hours_day: float
    queue_train_hours_day: float
    unserved_trains_day: float
    rerouted_trains_day: float
    iterations: int
    gap: float
    method: str
    horizon_days: float = HORIZON_DAYS
    teu_per_train: float = TEU_PER_TRAIN
    path_flows: dict = field(default_factory=dict, repr=False)
    edge_costs: np.ndarray | None = field(default=None, repr=False)

    @property
    def unserved_teu_day(self) -> float:
        return self.unserved_trains_day * self.teu_per_train

    def _facts(self) -> list[tuple[str, str]]:
        from corridor.display import number

        return [("method", self.method), ("pairs", number(len(self.pairs))),
                ("served trains/day", number(self.served_trains_day)),
                ("unserved trains/day", number(self.unserved_trains_day)),
                ("rerouted trains/day", number(self.rerouted_trains_day)),
                ("train-hours/day", number(self.total_train_hours_day, 0)),
                ("of which queueing", number(self.queue_train_hours_day, 0)),
                ("iterations, gap", f"{self.iterations}, {self.gap:.2g}")]

    def __repr__(self) -> str:
        from corridor.display import number, short

        return short("Assignment", [
            ("method", self.method), ("pairs", len(self.pairs)), ("elements", len(self.elements)),
            ("served_trains_day", number(self.served_trains_day)),
            ("unserved_trains_day", number(self.unserved_trains_day)),
            ("queue_train_hours_day", number(self.queue_train_hours_day, 0))])

    def _repr_html_(self) -> str:
        from corridor.display import card, table

        top = self.binding(10)
        return card("Assignment", self._facts(), [table(
            top, ["id", "name", "demand_trains_day", "flow_trains_day", "capacity_trains_day",
                  "utilization", "wait_days"], caption="busiest capacity-limited elements",
            digits=2)])

    @property
    def served_trains_day(self) -> float:
        return float(self.pairs["served_trains_day"].sum())

    def binding(self, top: int | None = None) -> gpd.GeoDataFrame:
        """Capacity-limited elements ranked by demand / capacity, highest first."""
        return binding(self, top)

    def excess(self) -> gpd.GeoDataFrame:
        """Elements whose arriving trains exceed their capacity (the backlog grows there)."""
        return self.elements[self.elements["queued_trains_day"] > 1e-9].sort_values(
            "queued_trains_day", ascending=False)

    def conditions(self) -> list[str]:
        """One line per element where demand exceeds capacity, and for demand with no route."""
        lines = []
        for row in self.excess().itertuples():
            lines.append(
                f"{row.name}: {row.demand_trains_day:.1f} trains/day arrive for a capacity of "
                f"{row.capacity_trains_day:g}; {row.queued_trains_day:.1f}/day queue (backlog "
                f"{row.backlog_trains:.0f} trains = {row.backlog_days:.1f} days after "
                f"{self.horizon_days:g} days), unserved within the horizon")
        lost = self.pairs[~self.pairs["served"]]
        if len(lost):
            lines.append(f"no route for {lost['trains_day'].sum():.1f} trains/day: "
                         + ", ".join(f"{o}→{d}" for o, d in zip(lost["origin"], lost["destination"],
                                                                  strict=True)))
        return lines

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready summary with the binding elements (a non-finite number becomes ``None``)."""
        return json_ready({
            "method": self.method,
            "horizon_days": self.horizon_days,
            "teu_per_train": self.teu_per_train,
            "total_train_hours_day": round(self.total_train_hours_day, 1),
            "queue_train_hours_day": round(self.queue_train_hours_day, 1),
            "served_trains_day": round(self.served_trains_day, 2),
            "unserved_trains_day": round(self.unserved_trains_day, 2),
            "unserved_teu_day": round(self.unserved_teu_day, 0),
            "rerouted_trains_day": round(self.rerouted_trains_day, 2),
            "iterations": self.iterations,
            "gap": self.gap,
            "conditions": self.conditions(),
            "elements": records(self.binding(top)),
        })


def binding(assignment: Assignment, top: int | None = None) -> gpd.GeoDataFrame:
    """Elements with a capacity, ranked by demand / capacity (then flow), highest first."""
    frame = assignment.elements[assignment.elements["capacity_trains_day"].notna()].copy()
    frame["_ratio"] = frame["demand_trains_day"] / frame["capacity_trains_day"]
    frame = frame.sort_values(["_ratio", "flow_trains_day"], ascending=False).drop(columns="_ratio")
    return frame.head(top) if top else frame


def assign(
    net: Corridor,
    demand: pd.DataFrame | str | Path | None = None,
    method: str = "equilibrium",
    *,
    closed: Iterable[str] = (),
    horizon_days: float = HORIZON_DAYS,
    max_iterations: int = 200,
    tolerance: float = 1e-3,
) -> Assignment:
    """Assign demand to gauge-aware routes; report flows, queues, backlogs and unserved demand.

    Parameters
    ----------
    net : Corridor
    demand : DataFrame, path or None
        Demand rows (``origin``, ``destination``, ``trains_day``); the built-in demand when None.
    method : {"equilibrium", "all_or_nothing"}
        ``equilibrium``: conjugate Frank–Wolfe user equilibrium with the time-dependent M/D/1
        wait at capacity-limited elements (no train can save time by switching route);
        ``all_or_nothing``: every train on its free-flow fastest route, waits evaluated afterwards.
    closed : iterable of str
        Places or link ids closed to traffic.
    horizon_days : float
        Planning horizon of the queues (days, > 0).
    max_iterations, tolerance : int, float
        Frank–Wolfe stopping rule (relative gap).

    Returns
    -------
    Assignment
    """
    if method not in METHODS:
        raise CorridorError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    horizon = check_horizon(horizon_days)
    model = capacity_model(net)
    ods = demand_pairs(net, demand)
    blocked = closed_edges(net, model, closed)
    solver = FrankWolfe(model, ods, blocked, horizon)
    iterations, gap = solver.run(max_iterations if method == "equilibrium" else 0, tolerance)
    return solver.result(net, method, iterations, gap)


def closed_edges(net: Corridor, model: CapacityModel, closed: Iterable[str]) -> np.ndarray:
    """State-graph edges unusable when these places or links are closed."""
    edges = [np.empty(0, dtype=np.int64)]
    for item in closed:
        element = item if item in model.position else None
        if element is None and item not in net.links.index:
            element = net.resolve(item)
        if element in model.position:
            edges.append(model.closed_edges(model.position[element]))
    return np.unique(np.concatenate(edges))


class FrankWolfe:
    """Conjugate Frank–Wolfe on path flows: all-or-nothing directions, vectorised line search.

    Every iteration routes all pairs with one Dijkstra call (``corridor.bottlenecks.routing``);
    path flows are a vector over the distinct paths found so far, updated as the edge flows are.
    ``conjugate=False`` gives plain Frank–Wolfe (the benchmark's reference).
    """

    def __init__(self, model: CapacityModel, ods: pd.DataFrame, blocked: np.ndarray,
                 horizon_days: float = HORIZON_DAYS, conjugate: bool = True):
        self.model = model
        self.horizon = horizon_days
        self.conjugate = conjugate
        self.ods = ods
        self.blocked = blocked
        self.origins = ods["origin"].tolist()
        self.destinations = ods["destination"].tolist()
        self.vias = ods["via"].tolist() if "via" in ods else [""] * len(ods)
        self.vias_given = list(self.vias)  # as asked (a closure may release a pair from its via)
        self.demand = ods["trains_day"].to_numpy(dtype=float)
        self.served = np.ones(len(ods), dtype=bool)
        self.edge_flow = np.zeros(len(model.sg.src))
        self.free_paths = np.full(len(ods), -1, dtype=np.int64)
        self.free_hours = np.full(len(ods), np.nan)
        #: distinct paths found so far: edges in travel order, the pair they serve, their flow
        self.path_index: dict[tuple, int] = {}
        self.path_edges: list[np.ndarray] = []
        self.path_pair: list[int] = []
        self.path_flow = np.zeros(0)
        self._router: Router | None = None

    @property
    def router(self) -> Router:
        if self._router is None:
            self._router = router(self.model, self.origins, self.destinations, self.vias)
        return self._router

    def delay(self, volume: np.ndarray) -> np.ndarray:
        return self.model.delay(volume, self.horizon)

    def costs(self, edge_flow: np.ndarray) -> np.ndarray:
        cost = self.model.edge_costs(self.delay(self.model.element_volume(edge_flow)))
        cost[self.blocked] = CLOSED
        return cost

    def all_or_nothing(self, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edge flows, path ids (-1: no route) and hours with every pair on its cheapest route
        under ``cost`` (one Dijkstra call for all origins and crossings)."""
        routes = self.router.route(cost)
        ids = np.full(len(self.demand), -1, dtype=np.int64)
        for i, edges in enumerate(routes.edges):
            if edges is not None:
                ids[i] = self._path_id(i, edges)
        return routes.loads(self.demand), ids, routes.hours

    def _path_id(self, pair: int, edges: np.ndarray) -> int:
        key = (pair, edges.tobytes())
        found = self.path_index.get(key)
        if found is None:
            found = self.path_index[key] = len(self.path_edges)
            self.path_edges.append(edges)
            self.path_pair.append(pair)
        return found

    def _on_paths(self, ids: np.ndarray) -> np.ndarray:
        """Path-flow vector with every pair's demand on the path ``ids`` names."""
        vector = np.zeros(len(self.path_edges))
        ok = ids >= 0
        vector[ids[ok]] = self.demand[ok]
        return vector

    def _grown(self, vector: np.ndarray) -> np.ndarray:
        """A path-flow vector padded with zeros for paths found since it was made."""
        return np.pad(vector, (0, len(self.path_edges) - len(vector)))

    def _release_vias(self, free: np.ndarray) -> None:
        """Trains counted at a crossing keep to it unless a closure cuts their route through it:
        then they route freely (as the fast N-1 moves them)."""
        if not len(self.blocked) or not any(self.vias):
            return
        matrix, chosen = self.model.graph(free)
        cut = np.zeros(len(free), dtype=bool)
        cut[self.blocked] = True
        for i, via in enumerate(self.vias):
            if via:
                found = self.model.via_route(matrix, chosen, self.origins[i], via,
                                             self.destinations[i])
                if found is None or cut[found[0]].any():
                    self.vias[i] = ""
        self._router = None

    def run(self, max_iterations: int, tolerance: float) -> tuple[int, float]:
        """Iterate to the relative gap ``tolerance``; returns (iterations, relative gap)."""
        free = self.model.sg.weight.copy()
        self._release_vias(free)
        free[self.blocked] = CLOSED
        flow, ids, self.free_hours = self.all_or_nothing(free)
        self.free_paths = ids
        self.served = ids >= 0
        self.path_flow = self._on_paths(ids)
        self.edge_flow = flow
        previous: tuple[np.ndarray, np.ndarray] | None = None
        gap = 0.0
        for iteration in range(1, max_iterations + 1):
            cost = self.costs(self.edge_flow)
            aon, ids, _ = self.all_or_nothing(cost)
            current = float(self.edge_flow @ cost)
            gap = (current - float(aon @ cost)) / current if current > 0 else 0.0
            if gap < tolerance:
                return iteration, max(gap, 0.0)
            aon_paths = self._on_paths(ids)
            weight = self._conjugate_weight(previous, aon)
            if previous is None or weight == 0.0:
                target, target_paths = aon, aon_paths
            else:
                target = weight * previous[0] + (1 - weight) * aon
                target_paths = weight * self._grown(previous[1]) + (1 - weight) * aon_paths
            step = self._line_search(self.edge_flow, target)
            self.edge_flow = self.edge_flow + step * (target - self.edge_flow)
            self.path_flow = (1 - step) * self._grown(self.path_flow) + step * target_paths
            previous = (target, target_paths)
        return max_iterations, max(gap, 0.0)

    def _conjugate_weight(self, previous, aon: np.ndarray, delta: float = 0.05) -> float:
        """Weight of the previous target in the conjugate direction (Mitradjieva & Lindberg 2013)."""
        if previous is None or not self.conjugate:
            return 0.0
        model = self.model
        volume = model.element_volume(self.edge_flow)
        hessian = model.delay_slope(volume, self.horizon)
        old = model.element_volume(previous[0]) - volume
        numerator = float(old @ (hessian * (model.element_volume(aon) - volume)))
        denominator = float(old @ (hessian * (model.element_volume(aon - previous[0]))))
        if denominator == 0:
            return 0.0
        return min(max(numerator / denominator, 0.0), 1.0 - delta)

    def _line_search(self, x: np.ndarray, y: np.ndarray, points: int = 32,
                     rounds: int = 6) -> float:
        """Step in [0, 1] where the objective's slope along ``y - x`` turns positive.

        The slope is increasing (the waits are convex), so each round evaluates it at ``points``
        steps of the current bracket at once and keeps the sub-interval where it changes sign
        (32 ** 6: about the precision of 30 bisections).
        """
        direction = y - x
        volume_x = self.model.element_volume(x)
        volume_d = self.model.element_volume(direction)
        base = float(direction @ self.model.sg.weight)
        limited = np.flatnonzero(volume_d != 0)
        vx, vd = volume_x[limited], volume_d[limited]
        capacity = self.model.capacity[limited]

        def slopes(steps: np.ndarray) -> np.ndarray:
            waits = wait_hours(vx + steps[:, None] * vd, capacity, self.horizon)
            return base + waits @ vd

        if slopes(np.array([1.0]))[0] <= 0:
            return 1.0
        lo, hi = 0.0, 1.0
        for _ in range(rounds):
            steps = np.linspace(lo, hi, points + 1)
            negative = np.flatnonzero(slopes(steps) < 0)
            k = int(negative[-1]) if len(negative) else 0
            lo, hi = float(steps[k]), float(steps[min(k + 1, points)])
        return (lo + hi) / 2

    def result(self, net: Corridor, method: str, iterations: int, gap: float) -> Assignment:
        model = self.model
        volume = model.element_volume(self.edge_flow)
        delay = self.delay(volume)
        cost = model.edge_costs(delay)
        share = carried_share(volume, model.capacity)
        live = np.flatnonzero(self.path_flow > 1e-12)
        flows = self.path_flow[live]
        owner = np.asarray(self.path_pair, dtype=np.int64)[live]
        edges = [self.path_edges[p] for p in live]
        passed, where, carried = self._passes(edges, flows, share)
        n = len(self.ods)
        path_hours = np.array([float(cost[e].sum()) for e in edges])
        hours = np.bincount(owner, flows * path_hours, minlength=n)
        served = np.bincount(owner, flows * passed, minlength=n)
        lost = flows * (1.0 - passed)
        holds = lost > 0
        held = np.bincount(where[holds], lost[holds], minlength=len(model.ids)).astype(float)
        held_at = [""] * n
        worst: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for p in np.flatnonzero(holds):
            worst[int(owner[p])][int(where[p])] += float(lost[p])
        for i, by in worst.items():
            held_at[i] = str(model.ids[max(by, key=by.get)])
        free = self.free_paths
        on_free = np.zeros(n)
        is_free = free[owner] == live
        np.add.at(on_free, owner[is_free], flows[is_free])
        ok = self.served
        trains = self.demand
        with np.errstate(invalid="ignore", divide="ignore"):
            per_train = np.where(ok, hours / trains, np.nan)
        pairs = pd.DataFrame({
            "origin": self.origins, "destination": self.destinations, "via": self.vias_given,
            "trains_day": trains, "hours": per_train,
            "free_flow_hours": np.where(ok, self.free_hours, np.nan), "served": ok,
            "served_trains_day": np.where(ok, served, 0.0),
            "unserved_trains_day": np.where(ok, trains - served, trains),
            "rerouted_trains_day": np.where(ok, np.maximum(trains - on_free, 0.0), 0.0),
            "held_at": held_at}, columns=PAIR_COLUMNS)
        total = float(np.nansum(per_train * trains))
        elements = element_frame(net, model, volume, carried, delay, held, self.horizon)
        path_flows: list[dict[tuple, float]] = [{} for _ in range(n)]
        for p, f, e in zip(owner.tolist(), flows.tolist(), edges, strict=True):
            path_flows[p][tuple(e.tolist())] = f
        return Assignment(
            elements=elements, pairs=pairs, total_train_hours_day=total,
            queue_train_hours_day=float(volume @ delay),
            unserved_trains_day=float(pairs["unserved_trains_day"].to_numpy().sum()),
            rerouted_trains_day=float(pairs["rerouted_trains_day"].to_numpy().sum()),
            iterations=iterations, gap=gap, method=method, horizon_days=self.horizon,
            path_flows={pair_key(o, d, v): path_flows[i] for i, (o, d, v) in
                        enumerate(zip(self.origins, self.destinations, self.vias, strict=True))},
            edge_costs=cost,
        )

    def _passes(self, edges: list[np.ndarray], flows: np.ndarray, share: np.ndarray):
        """Walk every path in order: each element carries the trains that got past every element
        before it. Returns per path the share that arrives and the element holding most (-1: none),
        and per element the trains carried."""
        model = self.model
        carried = np.zeros(len(model.ids))
        n = len(edges)
        if n == 0:
            return np.ones(0), np.full(0, -1, dtype=np.int64), carried
        inc = model.incidence
        flat = np.concatenate(edges)
        path_of_edge = np.repeat(np.arange(n), [len(e) for e in edges])
        counts = np.diff(inc.indptr)[flat]
        offsets = np.repeat(inc.indptr[flat] - np.cumsum(counts) + counts, counts)
        elements = inc.indices[offsets + np.arange(counts.sum())]  # in the order the path uses them
        seg = np.repeat(path_of_edge, counts)
        values = np.minimum(share[elements], 1.0)
        levels, rank = np.unique(values, return_inverse=True)
        width = len(levels) + 1  # segmented running minimum on ranks: exact, restarts per path
        running = np.minimum.accumulate(rank - seg * width) + seg * width
        through = levels[running]
        carried += np.bincount(elements, flows[seg] * through, minlength=len(model.ids))
        passed = np.ones(n)
        where = np.full(n, -1, dtype=np.int64)
        has = np.bincount(seg, minlength=n) > 0
        last = np.cumsum(np.bincount(seg, minlength=n)) - 1
        passed[has] = through[last[has]]
        order = np.lexsort((np.arange(len(seg)), share[elements], seg))
        first = np.ones(len(order), dtype=bool)
        first[1:] = seg[order][1:] != seg[order][:-1]
        where[seg[order][first]] = elements[order][first]
        return passed, where, carried


def pair_key(origin: str, destination: str, via: str = "") -> tuple:
    """Key of a demand pair in ``Assignment.path_flows``: (origin, destination[, via])."""
    return (origin, destination, via) if via else (origin, destination)


def element_frame(net: Corridor, model: CapacityModel, volume: np.ndarray, carried: np.ndarray,
                  delay: np.ndarray, held: np.ndarray, horizon_days: float) -> gpd.GeoDataFrame:
    """The per-element table of an assignment (see :class:`Assignment`)."""
    excess, backlog_trains, backlog_days = backlog(volume, model.capacity, horizon_days)
    carried = np.where(np.isnan(model.capacity), carried,
                       np.minimum(carried, np.nan_to_num(model.capacity, nan=np.inf)))
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = carried / model.capacity
    geometry = net.derived("element_geometry", lambda: gpd.GeoSeries(
        [*net.nodes.loc[model.ids[: model.n_nodes], "geometry"],
         *net.links.loc[model.ids[model.n_nodes:], "geometry"]], crs=CRS).values)
    frame = gpd.GeoDataFrame(
        {"id": model.ids, "type": model.types, "name": model.names, "demand_trains_day": volume,
         "flow_trains_day": carried, "capacity_trains_day": model.capacity,
         "utilization": utilization, "delay_h": delay, "wait_days": delay / 24.0,
         "queued_trains_day": excess, "backlog_trains": backlog_trains,
         "backlog_days": backlog_days, "unserved_trains_day": held},
        geometry=geometry, crs=CRS,
    )
    frame.index = pd.Index(model.ids, name=None)
    return frame


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows of a frame (geometry dropped, floats to 3 decimals)."""
    out = frame.drop(columns="geometry", errors="ignore").copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(3)
    return out.to_dict("records")
