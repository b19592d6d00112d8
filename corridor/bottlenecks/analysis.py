"""Bottlenecks: demand, flow assignment (all-or-nothing, equilibrium), binding constraints, min cut, N-1.

Capacities (``capacity_trains_day``) and the volume-delay model: see ``corridor.bottlenecks.capacity``.
Demand rows count trains per day in both directions; each row is routed origin → destination and
the return trip is taken to use the same elements, so flows and capacities are two-way totals.
"""

from __future__ import annotations

import csv
import errno
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from corridor.bottlenecks.capacity import (
    BPR_BETA,
    CLOSED,
    CapacityModel,
    MinCut,
    capacity_model,
    europe_codes,
    max_flow_cut,
    unique,
)
from corridor.datafiles import builtin_dir, json_ready
from corridor.errors import CorridorError, DataError, Problem, UnknownPlaceError
from corridor.geodesy import CRS
from corridor.schema import DEMAND_FIELDS
from corridor.validation import check_number, parse_number

if TYPE_CHECKING:
    from corridor.network import Corridor

DEMAND_FILE = "demand.csv"
DEMAND_COLUMNS = ["origin", "destination", "trains_day", "year", "source", "note"]
METHODS = ("equilibrium", "all_or_nothing")
ELEMENT_COLUMNS = ["id", "type", "name", "flow_trains_day", "capacity_trains_day", "utilization",
                   "delay_h", "geometry"]
CRITICALITY_COLUMNS = ["rank", "id", "type", "name", "delta_train_hours_day", "unserved_trains_day",
                       "rerouted_trains_day", "detour", "geometry"]

__all__ = ["Assignment", "MinCut", "assign", "binding", "criticality", "load_demand", "min_cut"]


# -- demand ----------------------------------------------------------------------------------------

def load_demand(path: str | Path | None = None, net: Corridor | None = None) -> pd.DataFrame:
    """Read a demand table (the built-in ``geodata/demand.csv`` when ``path`` is None).

    Columns: ``origin``, ``destination``, ``trains_day`` (or ``trains_year``), ``source``, and
    optionally ``year`` and ``note``. With ``net``, places (ids, names or aliases) are resolved to
    node ids.

    Raises
    ------
    DataError
        Naming file, row (line number), field and value for every bad row.
    """
    file = Path(path) if path is not None else builtin_dir() / DEMAND_FILE
    rows = _read_rows(file)
    problems: list[Problem] = []
    records = []
    for line, row in rows:
        record = _demand_row(file.name, line, row, net, problems)
        if record is not None:
            records.append(record)
    if problems:
        raise DataError(problems)
    if not records:
        raise DataError([Problem(file.name, "", "", "no demand rows")])
    return pd.DataFrame(records, columns=DEMAND_COLUMNS)


def _read_rows(file: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        if file.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory; expected a CSV file")
        with file.open(encoding="utf-8-sig", newline="") as handle:  # -sig: a BOM is ignored
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            rows = [(index + 2, row) for index, row in enumerate(reader)]
    except FileNotFoundError:
        raise DataError([Problem(str(file), "", "", "file not found")]) from None
    except UnicodeDecodeError:
        raise DataError([Problem(str(file), "", "", "cannot read: not UTF-8 text")]) from None
    except OSError as exc:
        raise DataError([Problem(str(file), "", "", f"cannot read: {exc.strerror or exc}")]) from None
    except csv.Error as exc:
        raise DataError([Problem(str(file), "", "", f"not a valid CSV file: {exc}")]) from None
    missing = [c for c in ("origin", "destination", "source") if c not in fields]
    if not ({"trains_day", "trains_year"} & set(fields)):
        missing.append("trains_day")
    if missing:
        raise DataError([Problem(file.name, "header", c, "missing column") for c in missing])
    return rows


def _demand_row(name: str, line: int, row: dict, net, problems: list[Problem]) -> tuple | None:
    where = f"row {line}"
    before = len(problems)
    places = []
    for column in ("origin", "destination"):
        value = (row.get(column) or "").strip()
        if not value:
            problems.append(Problem(name, where, column, "empty; expected a place id or name"))
        elif net is not None:
            try:
                value = net.resolve(value)
            except UnknownPlaceError as exc:
                problems.append(Problem(name, where, column, str(exc)))
        places.append(value)
    trains = _trains_per_day(name, where, row, problems)
    source = (row.get("source") or "").strip()
    if not source:
        problems.append(Problem(name, where, "source", "empty; every row needs a source"))
    if len(problems) == before and places[0] == places[1]:
        problems.append(Problem(name, where, "destination", f"same as origin ({places[0]!r})"))
    if len(problems) > before:
        return None
    return (places[0], places[1], trains, (row.get("year") or "").strip(), source,
            (row.get("note") or "").strip())


def _trains_per_day(name: str, where: str, row: dict, problems: list[Problem]) -> float:
    column = "trains_day" if (row.get("trains_day") or "").strip() else "trains_year"
    spec = next(f for f in DEMAND_FIELDS if f.name == column)
    value, problem = parse_number(spec, row.get(column))
    if problem:
        problems.append(Problem(name, where, column, problem))
        return 0.0
    return value / 365.0 if column == "trains_year" else value


def _demand(net: Corridor, demand: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if demand is None or isinstance(demand, str | Path):
        return load_demand(demand, net)
    frame = demand.copy()
    frame["origin"] = [net.resolve(p) for p in frame["origin"]]
    frame["destination"] = [net.resolve(p) for p in frame["destination"]]
    problems = [Problem("demand", f"row {i}", "trains_day", message)
                for i, value in enumerate(frame["trains_day"])
                if (message := check_number(DEMAND_FIELDS[0], _plain(value)))]
    if problems:
        raise DataError(problems)
    return frame


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _od_table(demand: pd.DataFrame) -> pd.DataFrame:
    """Demand summed per (origin, destination), zero rows dropped."""
    table = demand.groupby(["origin", "destination"], as_index=False, sort=True)["trains_day"].sum()
    return table[table["trains_day"] > 0].reset_index(drop=True)


# -- assignment ------------------------------------------------------------------------------------

@dataclass
class Assignment:
    """Flows of a demand on a network, with utilization and queueing delay per element.

    Attributes
    ----------
    elements : geopandas.GeoDataFrame
        One row per operating node and link: id, type, name, flow_trains_day, capacity_trains_day,
        utilization (flow / capacity, NaN when unlimited), delay_h (queueing delay per train), geometry.
    pairs : pandas.DataFrame
        origin, destination, trains_day, hours (per train, congested), served.
    total_train_hours_day : float
        Train-hours per day of all served demand (running, dwell and queueing).
    queue_train_hours_day : float
        The part of it spent queueing at capacity-limited elements.
    unserved_trains_day : float
        Demand with no route.
    iterations, gap : int, float
        Frank–Wolfe iterations and the final relative gap (0 for all-or-nothing).
    """

    elements: gpd.GeoDataFrame
    pairs: pd.DataFrame
    total_train_hours_day: float
    queue_train_hours_day: float
    unserved_trains_day: float
    iterations: int
    gap: float
    method: str
    path_flows: dict = field(default_factory=dict, repr=False)
    edge_costs: np.ndarray | None = field(default=None, repr=False)

    def binding(self, top: int | None = None) -> gpd.GeoDataFrame:
        """Capacity-limited elements ranked by utilization, highest first."""
        return binding(self, top)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready summary with the binding elements (a non-finite number becomes ``None``)."""
        return json_ready({
            "method": self.method,
            "total_train_hours_day": round(self.total_train_hours_day, 1),
            "queue_train_hours_day": round(self.queue_train_hours_day, 1),
            "unserved_trains_day": round(self.unserved_trains_day, 2),
            "iterations": self.iterations,
            "gap": self.gap,
            "elements": _records(self.binding(top)),
        })


def binding(assignment: Assignment, top: int | None = None) -> gpd.GeoDataFrame:
    """Elements with a capacity, ranked by utilization (then flow), highest first."""
    frame = assignment.elements[assignment.elements["capacity_trains_day"].notna()]
    frame = frame.sort_values(["utilization", "flow_trains_day"], ascending=False)
    return frame.head(top) if top else frame


def assign(
    net: Corridor,
    demand: pd.DataFrame | str | Path | None = None,
    method: str = "equilibrium",
    *,
    closed: Iterable[str] = (),
    max_iterations: int = 200,
    tolerance: float = 1e-3,
) -> Assignment:
    """Assign demand to gauge-aware routes and report flows, utilization and queueing delay.

    Parameters
    ----------
    net : Corridor
    demand : DataFrame, path or None
        Demand rows (``origin``, ``destination``, ``trains_day``); the built-in demand when None.
    method : {"equilibrium", "all_or_nothing"}
        ``equilibrium``: Frank–Wolfe user equilibrium with BPR delay at capacity-limited elements
        (no train can save time by switching route); ``all_or_nothing``: every train on its
        free-flow fastest route, delays evaluated afterwards.
    closed : iterable of str
        Places or link ids closed to traffic.
    max_iterations, tolerance : int, float
        Frank–Wolfe stopping rule (relative gap).

    Returns
    -------
    Assignment
    """
    if method not in METHODS:
        raise CorridorError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    model = capacity_model(net)
    ods = _od_table(_demand(net, demand))
    blocked = _closed_edges(net, model, closed)
    solver = _FrankWolfe(model, ods, blocked)
    iterations, gap = solver.run(max_iterations if method == "equilibrium" else 0, tolerance)
    return solver.result(net, method, iterations, gap)


def _closed_edges(net: Corridor, model: CapacityModel, closed: Iterable[str]) -> np.ndarray:
    edges = [np.empty(0, dtype=np.int64)]
    for item in closed:
        element = item if item in model.position else None
        if element is None and item not in net.links.index:
            element = net.resolve(item)
        if element in model.position:
            edges.append(model.closed_edges(model.position[element]))
    return np.unique(np.concatenate(edges))


class _FrankWolfe:
    """Frank–Wolfe on path flows: all-or-nothing directions, bisection line search."""

    def __init__(self, model: CapacityModel, ods: pd.DataFrame, blocked: np.ndarray,
                 conjugate: bool = True):
        self.model = model
        self.conjugate = conjugate
        self.ods = ods
        self.blocked = blocked
        self.by_origin: dict[str, list[int]] = defaultdict(list)
        for i, origin in enumerate(ods["origin"]):
            self.by_origin[origin].append(i)
        self.demand = ods["trains_day"].to_numpy(dtype=float)
        self.path_flows: list[dict[tuple, float]] = [{} for _ in range(len(ods))]
        self.served = np.ones(len(ods), dtype=bool)
        self.edge_flow = np.zeros(len(model.sg.src))

    def costs(self, edge_flow: np.ndarray) -> np.ndarray:
        volume = self.model.element_volume(edge_flow)
        cost = self.model.edge_costs(self.model.delay(volume))
        cost[self.blocked] = CLOSED
        return cost

    def all_or_nothing(self, cost: np.ndarray) -> tuple[np.ndarray, list[tuple | None]]:
        """Edge flows and paths with every pair on its cheapest route under ``cost``."""
        matrix, chosen = self.model.graph(cost)
        flow = np.zeros(len(cost))
        paths: list[tuple | None] = [None] * len(self.ods)
        for origin, rows in self.by_origin.items():
            dist, pred = self.model.tree(matrix, origin)
            for i in rows:
                target = self.model.target(dist, self.ods.at[i, "destination"])
                if target is None:
                    continue
                edges = self.model.path_edges(pred, chosen, target)
                paths[i] = tuple(int(e) for e in edges)
                np.add.at(flow, edges, self.demand[i])
        return flow, paths

    def run(self, max_iterations: int, tolerance: float) -> tuple[int, float]:
        """Conjugate Frank–Wolfe (Mitradjieva & Lindberg 2013); returns (iterations, relative gap)."""
        flow, paths = self.all_or_nothing(self.costs(self.edge_flow))
        for i, path in enumerate(paths):
            self.served[i] = path is not None
            if path is not None:
                self.path_flows[i] = {path: self.demand[i]}
        self.edge_flow = flow
        previous: tuple[np.ndarray, list[dict]] | None = None
        gap = 0.0
        for iteration in range(1, max_iterations + 1):
            cost = self.costs(self.edge_flow)
            aon, paths = self.all_or_nothing(cost)
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
        """Weight of the previous target in the conjugate direction (0 = plain Frank–Wolfe)."""
        if previous is None or not self.conjugate:
            return 0.0
        model = self.model
        volume = model.element_volume(self.edge_flow)
        hessian = _delay_slope(model, volume)
        old = model.element_volume(previous[0]) - volume
        numerator = float(old @ (hessian * (model.element_volume(aon) - volume)))
        denominator = float(old @ (hessian * (model.element_volume(aon - previous[0]))))
        if denominator == 0:
            return 0.0
        weight = numerator / denominator
        return min(max(weight, 0.0), 1.0 - delta)

    def _line_search(self, x: np.ndarray, y: np.ndarray) -> float:
        direction = y - x
        volume_x = self.model.element_volume(x)
        volume_d = self.model.element_volume(direction)
        base = float(direction @ self.model.sg.weight)

        def slope(step: float) -> float:
            return base + float(volume_d @ self.model.delay(volume_x + step * volume_d))

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
        delay = model.delay(volume)
        cost = model.edge_costs(delay)
        hours = []
        for i in range(len(self.ods)):
            flows = self.path_flows[i]
            total = sum(f * float(cost[list(p)].sum()) for p, f in flows.items())
            hours.append(total / self.demand[i] if self.served[i] else np.nan)
        pairs = self.ods.assign(hours=hours, served=self.served)
        served = self.served
        total = float(np.nansum(pairs["hours"] * pairs["trains_day"]))
        elements = _element_frame(net, model, volume, delay)
        return Assignment(
            elements=elements, pairs=pairs, total_train_hours_day=total,
            queue_train_hours_day=float(volume @ delay),
            unserved_trains_day=float(self.demand[~served].sum()), iterations=iterations, gap=gap,
            method=method, path_flows={(o, d): self.path_flows[i] for i, (o, d) in
                                       enumerate(zip(self.ods["origin"], self.ods["destination"],
                                                     strict=True))},
            edge_costs=cost,
        )


def _mix(a: dict, b: dict, weight: float) -> dict:
    """weight * a + (1 - weight) * b for path-flow dicts."""
    out = {p: weight * f for p, f in a.items()}
    for p, f in b.items():
        out[p] = out.get(p, 0.0) + (1 - weight) * f
    return {p: f for p, f in out.items() if f > 1e-12}


def _delay_slope(model: CapacityModel, volume: np.ndarray) -> np.ndarray:
    """Derivative of each element's delay with respect to its volume."""
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = model.delay(volume) * BPR_BETA / volume
    return np.nan_to_num(slope, nan=0.0, posinf=0.0)


def _element_frame(net: Corridor, model: CapacityModel, volume: np.ndarray,
                   delay: np.ndarray) -> gpd.GeoDataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = volume / model.capacity
    geometry = [*net.nodes.loc[model.ids[: model.n_nodes], "geometry"],
                *net.links.loc[model.ids[model.n_nodes:], "geometry"]]
    frame = gpd.GeoDataFrame(
        {"id": model.ids, "type": model.types, "name": model.names, "flow_trains_day": volume,
         "capacity_trains_day": model.capacity, "utilization": utilization, "delay_h": delay},
        geometry=geometry, crs=CRS,
    )
    frame.index = pd.Index(model.ids, name=None)
    return frame


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.drop(columns="geometry", errors="ignore").copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(3)
    return out.to_dict("records")


# -- max flow / min cut ----------------------------------------------------------------------------

def min_cut(
    net: Corridor,
    sources: Sequence[str] | None = None,
    sinks: Sequence[str] | None = None,
    demand: pd.DataFrame | str | Path | None = None,
) -> MinCut:
    """Maximum trains per day from sources to sinks, and the minimum cut that limits it.

    Parameters
    ----------
    sources, sinks : sequence of str, optional
        Places. By default the demand's origins in China and its destinations in Europe
        (EU and neighbours west of the 1520 mm area).

    Returns
    -------
    MinCut
        ``elements`` names the nodes and links of the cut with their capacities.
    """
    if sources is None or sinks is None:
        ods = _demand(net, demand)
        country = net.nodes["country"]
        if sources is None:
            sources = [o for o in unique(ods["origin"]) if country[o] == "CN"]
        if sinks is None:
            sinks = [d for d in unique(ods["destination"]) if country[d] in europe_codes()]
    sources = unique(net.resolve(s) for s in sources)
    sinks = unique(net.resolve(s) for s in sinks)
    if not sources or not sinks:
        raise CorridorError("min cut needs at least one source and one sink")
    if set(sources) & set(sinks):
        raise CorridorError(f"{sorted(set(sources) & set(sinks))[0]} is both a source and a sink")
    cut = max_flow_cut(net, sources, sinks)
    geometry = [net.nodes.at[i, "geometry"] if t == "node" else net.links.at[i, "geometry"]
                for i, t in zip(cut.elements["id"], cut.elements["type"], strict=True)]
    cut.elements = gpd.GeoDataFrame(cut.elements, geometry=geometry, crs=CRS)
    return cut


# -- N-1 criticality -------------------------------------------------------------------------------

def criticality(
    net: Corridor,
    demand: pd.DataFrame | str | Path | None = None,
    base: Assignment | None = None,
    include_endpoints: bool = False,
) -> gpd.GeoDataFrame:
    """Close every operating node and link in turn; report the harm, most harmful first.

    The origins and destinations of the demand themselves are left out unless
    ``include_endpoints`` is true: closing them only removes their own trains.

    The trains whose equilibrium routes used the closed element move to the fastest remaining
    route at the equilibrium travel times (all other trains keep their routes); then every
    element's queueing delay is evaluated again at the new flows, so a detour onto an already
    congested crossing pays for it. Only the origins concerned are searched again, so the whole
    N-1 takes well under two seconds on the built-in network. ``assign(net, demand, closed=[...])``
    gives the full re-equilibrium of one closure.

    Returns
    -------
    geopandas.GeoDataFrame
        rank, id, type, name, delta_train_hours_day (change in train-hours per day of the trains
        still served; negative when lost demand frees capacity for others), unserved_trains_day
        (demand left without a route), rerouted_trains_day, detour (the largest re-routed flow,
        the crossings of its new route and its extra hours at the old travel times), geometry.
        Ranked by unserved demand, then extra train-hours.
    """
    base = base if base is not None else assign(net, demand)
    model = capacity_model(net)
    users, flow = _users(model, base)
    cost = model.edge_costs(model.delay(model.element_volume(flow)))
    total = float(flow @ cost)
    rows = []
    for element in range(len(model.ids)):
        affected = users.get(element)
        if not affected:
            rows.append((0.0, 0.0, 0.0, ""))
            continue
        rows.append(_close(net, model, cost, flow, total, element, affected))
    frame = _element_frame(net, model, np.zeros(len(model.ids)), np.zeros(len(model.ids)))
    frame = frame[["id", "type", "name", "geometry"]].copy()
    values = np.asarray([r[:3] for r in rows], dtype=float)
    frame["delta_train_hours_day"] = values[:, 0]
    frame["unserved_trains_day"] = values[:, 1]
    frame["rerouted_trains_day"] = values[:, 2]
    frame["detour"] = [r[3] for r in rows]
    if not include_endpoints:
        endpoints = set(base.pairs["origin"]) | set(base.pairs["destination"])
        frame = frame[~((frame["type"] == "node") & frame["id"].isin(endpoints))]
    frame = frame.sort_values(["unserved_trains_day", "delta_train_hours_day", "id"],
                              ascending=[False, False, True])
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[CRITICALITY_COLUMNS]


def _users(model: CapacityModel, base: Assignment) -> tuple[dict[int, list], np.ndarray]:
    """For every element, the (origin, destination, flow, path hours, edges) of the paths touching
    it; and the base edge flows."""
    cost = base.edge_costs
    flow = np.zeros(len(cost))
    users: dict[int, list] = defaultdict(list)
    for (origin, destination), flows in base.path_flows.items():
        for path, trains in flows.items():
            edges = np.asarray(path, dtype=np.int64)
            np.add.at(flow, edges, trains)
            hours = float(cost[edges].sum())
            for element in model.path_elements(edges):
                users[int(element)].append((origin, destination, trains, hours, edges))
    return users, flow


def _close(net, model: CapacityModel, cost, flow, total: float, element: int,
           affected: list) -> tuple:
    """Re-route the flows that used one element: (delta hours, unserved, rerouted, detour)."""
    trial = cost.copy()
    trial[model.closed_edges(element)] = CLOSED
    matrix, chosen = model.graph(trial)
    dist, pred, rows = model.trees(matrix, unique(item[0] for item in affected))
    pred = pred.tolist()
    moved: dict[tuple[str, str], float] = defaultdict(float)
    new_flow = flow.copy()
    lost_hours = unserved = 0.0
    for origin, destination, trains, _, old_edges in affected:
        np.add.at(new_flow, old_edges, -trains)
        moved[(origin, destination)] += trains
    biggest = None
    for (origin, destination), trains in moved.items():
        found = model.best_arrival(dist, rows[origin], destination)
        if found is None:
            unserved += trains
            lost_hours += sum(t * h for o, d, t, h, _ in affected if (o, d) == (origin, destination))
            continue
        edges = model.path_edges(pred[found[0]], chosen, found[1])
        np.add.at(new_flow, edges, trains)
        if biggest is None or trains > biggest[0]:
            biggest = (trains, origin, destination, edges, found[2])
    new_cost = model.edge_costs(model.delay(model.element_volume(new_flow)))
    delta = float(new_flow @ new_cost) - (total - lost_hours)
    rerouted = sum(moved.values()) - unserved
    if biggest is None:
        return delta, unserved, rerouted, ""
    trains, origin, destination, edges, hours = biggest
    old = [item for item in affected if (item[0], item[1]) == (origin, destination)]
    before = sum(t * h for _, _, t, h, _ in old) / sum(t for _, _, t, _, _ in old)
    old_edges = np.concatenate([item[4] for item in old])
    return delta, unserved, rerouted, _describe(net, model, origin, destination, old_edges,
                                                edges, hours - before)


def _describe(net, model: CapacityModel, origin, destination, old_edges, new_edges, extra) -> str:
    """'origin→destination via X, Y (+h)': crossings of the new route the old one did not use."""
    sg = model.sg
    new_nodes = [sg.node_ids[n] for n in sg.edge_dst_node[new_edges]]
    old_nodes = {sg.node_ids[n] for n in sg.edge_dst_node[old_edges]}
    kinds = net.nodes["kind"]
    fresh = [n for n in unique(new_nodes) if n not in old_nodes
             and ({"border", "gauge_change", "port"} & set(kinds[n] or []))]
    via = ", ".join(fresh[:4]) if fresh else "same crossings"
    return f"{origin}→{destination} via {via} ({extra:+.1f} h)"
