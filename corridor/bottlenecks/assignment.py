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
from corridor.bottlenecks.demand import od_table, resolve_demand
from corridor.bottlenecks.queues import (
    HORIZON_DAYS,
    TEU_PER_TRAIN,
    backlog,
    carried_share,
    check_horizon,
    wait_hours,
)
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
    ods = od_table(resolve_demand(net, demand))
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
    """Conjugate Frank–Wolfe on path flows: all-or-nothing directions, bisection line search.

    ``conjugate=False`` gives plain Frank–Wolfe (the benchmark's reference).
    """

    def __init__(self, model: CapacityModel, ods: pd.DataFrame, blocked: np.ndarray,
                 horizon_days: float = HORIZON_DAYS, conjugate: bool = True):
        self.model = model
        self.horizon = horizon_days
        self.conjugate = conjugate
        self.ods = ods
        self.blocked = blocked
        self.origins = list(dict.fromkeys(ods["origin"]))
        self.destinations = ods["destination"].tolist()
        self.vias = ods["via"].tolist() if "via" in ods else [""] * len(ods)
        self.demand = ods["trains_day"].to_numpy(dtype=float)
        self.path_flows: list[dict[tuple, float]] = [{} for _ in range(len(ods))]
        self.served = np.ones(len(ods), dtype=bool)
        self.edge_flow = np.zeros(len(model.sg.src))
        self.free_paths: list[tuple | None] = []
        self.free_hours = np.full(len(ods), np.nan)

    def delay(self, volume: np.ndarray) -> np.ndarray:
        return self.model.delay(volume, self.horizon)

    def costs(self, edge_flow: np.ndarray) -> np.ndarray:
        cost = self.model.edge_costs(self.delay(self.model.element_volume(edge_flow)))
        cost[self.blocked] = CLOSED
        return cost

    def all_or_nothing(self, cost: np.ndarray) -> tuple[np.ndarray, list[tuple | None], np.ndarray]:
        """Edge flows, paths and hours with every pair on its cheapest route under ``cost``
        (one Dijkstra call from the departure states of every origin)."""
        model = self.model
        matrix, chosen = model.graph(cost)
        dist, pred, rows = model.trees(matrix, self.origins)
        flow = np.zeros(len(cost))
        paths: list[tuple | None] = [None] * len(self.ods)
        hours = np.full(len(self.ods), np.nan)
        via_trees: dict[tuple[str, str], Any] = {}
        pred_rows: dict[int, list[int]] = {}
        for i, (origin, destination) in enumerate(zip(self.ods["origin"], self.destinations,
                                                      strict=True)):
            via = None
            if self.vias[i]:
                key = (origin, self.vias[i])
                if key not in via_trees:
                    via_trees[key] = model.via_tree(matrix, chosen, *key)
                via = model.via_path(via_trees[key], chosen, destination)
            if via:
                edges, hours[i] = via
            else:  # no via, or the via place is closed: the fastest route anywhere
                found = model.best_arrival(dist, rows[origin], destination)
                if found is None:
                    continue
                if found[0] not in pred_rows:  # a list walks faster than an array
                    pred_rows[found[0]] = pred[found[0]].tolist()
                edges = model.path_edges(pred_rows[found[0]], chosen, found[1])
                hours[i] = found[2]
            paths[i] = tuple(edges.tolist())
            np.add.at(flow, edges, self.demand[i])
        return flow, paths, hours

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
                found = self.model.via_route(matrix, chosen, self.ods.at[i, "origin"], via,
                                             self.destinations[i])
                if found is None or cut[found[0]].any():
                    self.vias[i] = ""

    def run(self, max_iterations: int, tolerance: float) -> tuple[int, float]:
        """Iterate to the relative gap ``tolerance``; returns (iterations, relative gap)."""
        free = self.model.sg.weight.copy()
        self._release_vias(free)
        free[self.blocked] = CLOSED
        flow, paths, self.free_hours = self.all_or_nothing(free)
        self.free_paths = paths
        for i, path in enumerate(paths):
            self.served[i] = path is not None
            if path is not None:
                self.path_flows[i] = {path: self.demand[i]}
        self.edge_flow = flow
        previous: tuple[np.ndarray, list[dict]] | None = None
        gap = 0.0
        for iteration in range(1, max_iterations + 1):
            cost = self.costs(self.edge_flow)
            aon, paths, _ = self.all_or_nothing(cost)
            current = float(self.edge_flow @ cost)
            gap = (current - float(aon @ cost)) / current if current > 0 else 0.0
            if gap < tolerance:
                return iteration, max(gap, 0.0)
            aon_paths = [{p: self.demand[i]} if p is not None else {} for i, p in enumerate(paths)]
            weight = self._conjugate_weight(previous, aon)
            if previous is None or weight == 0.0:
                target, target_paths = aon, aon_paths
            else:
                target = weight * previous[0] + (1 - weight) * aon
                target_paths = [_mix(a, b, weight) for a, b in zip(previous[1], aon_paths, strict=True)]
            step = self._line_search(self.edge_flow, target)
            self.edge_flow = self.edge_flow + step * (target - self.edge_flow)
            self.path_flows = [_mix(x, t, 1 - step) for x, t in
                               zip(self.path_flows, target_paths, strict=True)]
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

    def _line_search(self, x: np.ndarray, y: np.ndarray) -> float:
        direction = y - x
        volume_x = self.model.element_volume(x)
        volume_d = self.model.element_volume(direction)
        base = float(direction @ self.model.sg.weight)
        limited = np.flatnonzero(volume_d != 0)
        vx, vd = volume_x[limited], volume_d[limited]
        capacity = self.model.capacity[limited]

        def slope(step: float) -> float:
            return base + float(vd @ wait_hours(vx + step * vd, capacity, self.horizon))

        if slope(1.0) <= 0:
            return 1.0
        lo, hi = 0.0, 1.0
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if slope(mid) < 0 else (lo, mid)
        return (lo + hi) / 2

    def result(self, net: Corridor, method: str, iterations: int, gap: float) -> Assignment:
        model = self.model
        volume = model.element_volume(self.edge_flow)
        delay = self.delay(volume)
        cost = model.edge_costs(delay)
        share = carried_share(volume, model.capacity)
        carried = np.zeros(len(model.ids))
        held = np.zeros(len(model.ids))
        pair_rows = []
        for i in range(len(self.ods)):
            pair_rows.append(self._pair(i, cost, share, carried, held))
        pairs = self.ods.assign(**{c: [r[k] for r in pair_rows] for k, c in
                                   enumerate(PAIR_COLUMNS[4:])})
        pairs["served"] = pairs["served"].astype(bool)
        if "via" not in pairs:
            pairs["via"] = ""
        total = float(np.nansum(pairs["hours"] * pairs["trains_day"]))
        elements = element_frame(net, model, volume, carried, delay, held, self.horizon)
        return Assignment(
            elements=elements, pairs=pairs[PAIR_COLUMNS], total_train_hours_day=total,
            queue_train_hours_day=float(volume @ delay),
            unserved_trains_day=float(pairs["unserved_trains_day"].sum()),
            rerouted_trains_day=float(pairs["rerouted_trains_day"].sum()),
            iterations=iterations, gap=gap, method=method, horizon_days=self.horizon,
            path_flows={pair_key(o, d, v): self.path_flows[i] for i, (o, d, v) in
                        enumerate(zip(self.ods["origin"], self.destinations, self.vias,
                                      strict=True))},
            edge_costs=cost,
        )

    def _pass(self, edges: np.ndarray, share: np.ndarray, carried: np.ndarray,
              trains: float) -> tuple[float, int]:
        """Walk a path in order: each element carries the trains that got past every element
        before it (``carried`` += ...); returns (share that arrives, element that held most)."""
        per_edge = self.model.edge_elements
        elements = np.concatenate([per_edge[e] for e in edges])  # in the order the path uses them
        if len(elements) == 0:
            return 1.0, -1
        passed = np.minimum.accumulate(np.minimum(share[elements], 1.0))
        np.add.at(carried, elements, trains * passed)
        where = int(elements[np.argmin(share[elements])])
        return float(passed[-1]), where

    def _pair(self, i: int, cost, share, carried, held) -> tuple:
        """(hours, free-flow hours, served, served/day, unserved/day, rerouted/day, held at)."""
        trains = self.demand[i]
        if not self.served[i]:
            return (np.nan, np.nan, False, 0.0, trains, 0.0, "")
        model = self.model
        hours = served = 0.0
        worst: dict[int, float] = defaultdict(float)
        for path, f in self.path_flows[i].items():
            edges = np.asarray(path, dtype=np.int64)
            hours += f * float(cost[edges].sum())
            passed, where = self._pass(edges, share, carried, f)
            served += f * passed
            if passed < 1.0:
                held[where] += f * (1.0 - passed)
                worst[where] += f * (1.0 - passed)
        rerouted = trains - self.path_flows[i].get(self.free_paths[i], 0.0)
        held_at = str(model.ids[max(worst, key=worst.get)]) if worst else ""
        return (hours / trains, float(self.free_hours[i]), True, served, trains - served,
                max(rerouted, 0.0), held_at)


def pair_key(origin: str, destination: str, via: str = "") -> tuple:
    """Key of a demand pair in ``Assignment.path_flows``: (origin, destination[, via])."""
    return (origin, destination, via) if via else (origin, destination)


def _mix(a: dict, b: dict, weight: float) -> dict:
    """weight * a + (1 - weight) * b for path-flow dicts."""
    out = {p: weight * f for p, f in a.items()}
    for p, f in b.items():
        out[p] = out.get(p, 0.0) + (1 - weight) * f
    return {p: f for p, f in out.items() if f > 1e-12}


def element_frame(net: Corridor, model: CapacityModel, volume: np.ndarray, carried: np.ndarray,
                  delay: np.ndarray, held: np.ndarray, horizon_days: float) -> gpd.GeoDataFrame:
    """The per-element table of an assignment (see :class:`Assignment`)."""
    excess, backlog_trains, backlog_days = backlog(volume, model.capacity, horizon_days)
    carried = np.where(np.isnan(model.capacity), carried,
                       np.minimum(carried, np.nan_to_num(model.capacity, nan=np.inf)))
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = carried / model.capacity
    geometry = [*net.nodes.loc[model.ids[: model.n_nodes], "geometry"],
                *net.links.loc[model.ids[model.n_nodes:], "geometry"]]
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
