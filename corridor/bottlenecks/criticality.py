"""N-1 criticality in planner units: close each operating element in turn.

For every closure: the TEU and trains per day no longer carried within the horizon, the trains
rerouted and their extra days (mean and worst), the element that becomes binding, and the change
in train-hours per day. Ranked by the volume of one flow affected (China–Europe by default): TEU
per day lost, then extra train-days per day.

The fast estimate moves only the trains whose equilibrium routes used the closed element, each to
its fastest remaining route at the equilibrium travel times; then every element's wait and carried
share are evaluated again at the new flows, so a detour into a queue pays for it and may be held
there. ``full=K`` re-solves the equilibrium for the top K closures and reports how far the fast
estimate was.

Train-hours are those spent within the horizon: no train adds more than ``24 × horizon`` hours,
so no closure reports more than its affected trains × 24 × horizon.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from corridor.bottlenecks.assignment import Assignment, assign, element_frame
from corridor.bottlenecks.capacity import CLOSED, CapacityModel, capacity_model, europe_codes, unique
from corridor.bottlenecks.queues import backlog, carried_share
from corridor.errors import CorridorError

if TYPE_CHECKING:
    from corridor.network import Corridor

CENTRAL_ASIA = frozenset({"KZ", "KG", "TJ", "TM", "UZ"})
#: flows a ranking can be for: (name, description)
FLOWS = {
    "china-europe": "origin in China, destination outside China and Central Asia (Europe, Russia, "
                    "Belarus, the Caucasus and Turkey)",
    "china-central-asia": "origin in China, destination in Kazakhstan, Kyrgyzstan, Tajikistan, "
                          "Turkmenistan or Uzbekistan",
    "europe": "destination in the EU and neighbours west of the 1520 mm area",
    "all": "every demand pair",
}
CRITICALITY_COLUMNS = ["rank", "id", "type", "name", "flow_teu_day_lost", "flow_extra_train_days_day",
                       "teu_day_lost", "trains_day_lost", "rerouted_trains_day", "extra_days_mean",
                       "extra_days_worst", "new_binding", "delta_train_hours_day",
                       "affected_trains_day", "bound_train_hours_day", "detour", "geometry"]
#: equal parts in which the trains of a top closure that overloads its detours are loaded again
INCREMENTS = 4
#: ... when the one-shot detours queue more than this many trains a day beyond the base queues
OVERLOAD_TRAINS_DAY = 1.0
#: distinct closures at the top of the ranking evaluated again that way
REFINE = 5
FULL_COLUMNS = ["id", "name", "teu_day_lost_fast", "teu_day_lost_full", "delta_train_hours_day_fast",
                "delta_train_hours_day_full", "iterations", "gap"]


@dataclass
class Criticality:
    """The N-1 ranking and, with ``full``, the exact re-equilibrium of its top closures.

    Attributes
    ----------
    ranking : geopandas.GeoDataFrame
        Columns ``CRITICALITY_COLUMNS``, most harmful to ``flow`` first.
    full : pandas.DataFrame or None
        Columns ``FULL_COLUMNS``: fast estimate and full re-equilibrium side by side.
    flow, horizon_days, teu_per_train
    """

    ranking: gpd.GeoDataFrame
    full: pd.DataFrame | None
    flow: str
    horizon_days: float
    teu_per_train: float

    def __repr__(self) -> str:
        from corridor.display import short

        top = ", ".join(map(str, self.ranking["id"].head(3)))
        return short("Criticality", [("flow", self.flow), ("elements", len(self.ranking)),
                                     ("top", top), ("full", self.full is not None)])

    def _repr_html_(self) -> str:
        from corridor.display import card, table

        facts = [("flow", self.flow), ("elements ranked", len(self.ranking)),
                 ("horizon (days)", self.horizon_days)]
        tables = [table(self.ranking, ["rank", "id", "name", "flow_teu_day_lost", "teu_day_lost",
                                       "rerouted_trains_day", "extra_days_mean", "detour"],
                        caption="N-1: most harmful closures first")]
        if self.full is not None:
            tables.append(table(self.full, FULL_COLUMNS, caption="full re-equilibrium", digits=2))
        return card("Criticality (N-1)", facts, tables)

    def full_error(self) -> dict[str, float] | None:
        """Largest absolute differences fast − full (TEU/day lost, train-hours/day), or None."""
        if self.full is None or self.full.empty:
            return None
        f = self.full
        return {"teu_day_lost": float((f["teu_day_lost_fast"] - f["teu_day_lost_full"]).abs().max()),
                "delta_train_hours_day": float((f["delta_train_hours_day_fast"]
                                                - f["delta_train_hours_day_full"]).abs().max())}


def flow_mask(net: Corridor, pairs: pd.DataFrame, flow: str) -> np.ndarray:
    """Which demand pairs belong to a flow (see ``FLOWS``)."""
    if flow not in FLOWS:
        raise CorridorError(f"unknown flow {flow!r}; expected one of {', '.join(FLOWS)}")
    country = net.nodes["country"]
    o = country.reindex(pairs["origin"]).to_numpy()
    d = country.reindex(pairs["destination"]).to_numpy()
    if flow == "all":
        return np.ones(len(pairs), dtype=bool)
    if flow == "europe":
        return np.isin(d, list(europe_codes()))
    china = o == "CN"
    central = np.isin(d, list(CENTRAL_ASIA))
    if flow == "china-central-asia":
        return china & central
    return china & ~central & (d != "CN")


class _Paths:
    """The equilibrium's path flows as sparse matrices (paths × edges; elements × the paths touching them)."""

    def __init__(self, model: CapacityModel, base: Assignment, mask: np.ndarray):
        rows, edges_list, flows, od = [], [], [], []
        touch_rows, touch_cols = [], []
        for pair, paths in enumerate(base.path_flows.values()):  # in the order of base.pairs
            for path, trains in paths.items():
                edges = np.asarray(path, dtype=np.int64)
                p = len(flows)
                rows.extend([p] * len(edges))
                edges_list.append(edges)
                flows.append(trains)
                od.append(pair)
                touched = model.path_elements(edges)
                touch_rows.extend([p] * len(touched))
                touch_cols.extend(touched.tolist())
        n_edges = len(model.sg.src)
        n = len(flows)
        self.edges = edges_list
        self.E = csr_matrix((np.ones(len(rows)), (rows, np.concatenate(edges_list) if n else [])),
                            shape=(n, n_edges))
        self.T = csr_matrix((np.ones(len(touch_rows)), (touch_rows, touch_cols)),
                            shape=(n, len(model.ids))).tocsc()
        self.flow = np.asarray(flows, dtype=float)
        self.od = np.asarray(od, dtype=np.int64)
        self.in_flow = mask[self.od] if n else np.zeros(0, dtype=bool)
        width = max((len(e) for e in edges_list), default=0)
        self.padded = np.full((n, width + 1), n_edges, dtype=np.int64)  # n_edges: a no-edge pad
        for p, edges in enumerate(edges_list):
            self.padded[p, : len(edges)] = edges

    def deficit(self, edge_deficit: np.ndarray) -> np.ndarray:
        """Per path, the share of its trains held by its most binding element."""
        if self.padded.shape[0] == 0:
            return np.zeros(0)
        return np.append(edge_deficit, 0.0)[self.padded].max(axis=1)


def criticality(
    net: Corridor,
    demand: pd.DataFrame | str | Path | None = None,
    base: Assignment | None = None,
    include_endpoints: bool = False,
    *,
    flow: str = "china-europe",
    full: int = 0,
    horizon_days: float | None = None,
    group: bool = True,
) -> Criticality:
    """Close every operating node and link in turn; rank the closures by harm to ``flow``.

    Parameters
    ----------
    net : Corridor
    demand : DataFrame, path or None
    base : Assignment, optional
        The baseline equilibrium (solved here when None).
    include_endpoints : bool
        Also close the demand's own origins and destinations (which only removes their trains).
    flow : str
        The flow the ranking is for (``FLOWS``): TEU/day of it lost, then its extra train-days.
    full : int
        Re-solve the equilibrium exactly for the top ``full`` closures.
    horizon_days : float, optional
        Planning horizon; the base assignment's when None.
    group : bool
        Evaluate one closure per chain of elements that every route uses all or none of (links
        joined by nodes with exactly two links that no demand starts or ends at): closing any of
        them moves the same trains to the same routes. ``False`` evaluates every element (the
        same numbers, slower).

    Returns
    -------
    Criticality
    """
    if base is None:
        base = assign(net, demand, horizon_days=horizon_days or 30.0)
    horizon = base.horizon_days if horizon_days is None else horizon_days
    model = capacity_model(net)
    mask = flow_mask(net, base.pairs, flow)
    paths = _Paths(model, base, mask)
    state = _Baseline(model, paths, base.edge_costs, horizon, _od_table(base))
    endpoints = set(base.pairs["origin"]) | set(base.pairs["destination"])
    skip = set() if include_endpoints else {model.position[n] for n in endpoints
                                            if n in model.position}
    rows = _close_all(state, chains(net, model, endpoints) if group else None, skip)
    _refine_top(state, rows, REFINE)
    frame = element_frame(net, model, *(np.zeros(len(model.ids)),) * 4, horizon)
    frame = frame[["id", "type", "name", "geometry"]].copy()
    for column in CRITICALITY_COLUMNS[4:-1]:
        frame[column] = [r.get(column, 0.0 if column not in ("new_binding", "detour") else "")
                         for r in rows]
    frame["detour"] = [_describe(net, model, r["detour"]) if r.get("detour") else "" for r in rows]
    frame["new_binding"] = [model.names[r["new_binding"]] if r.get("new_binding", -1) >= 0 else ""
                            for r in rows]
    frame["bound_train_hours_day"] = frame["affected_trains_day"] * 24.0 * horizon
    frame["teu_day_lost"] = frame["trains_day_lost"] * base.teu_per_train
    frame["flow_teu_day_lost"] = frame["flow_teu_day_lost"] * base.teu_per_train
    if not include_endpoints:
        frame = frame[~((frame["type"] == "node") & frame["id"].isin(endpoints))]
    frame = frame.sort_values(["flow_teu_day_lost", "flow_extra_train_days_day",
                               "teu_day_lost", "delta_train_hours_day", "id"],
                              ascending=[False, False, False, False, True])
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    ranking = frame[CRITICALITY_COLUMNS]
    exact = _full(net, demand, base, ranking.head(full), horizon) if full else None
    return Criticality(ranking, exact, flow, horizon, base.teu_per_train)


def chains(net: Corridor, model: CapacityModel, endpoints: set[str]) -> np.ndarray:
    """A chain label per element: elements in series that a route uses all or none of.

    A node with exactly two operating links to two different neighbours, where no demand starts
    or ends, is joined to both its links; every other element is a chain of its own.
    """
    parent = list(range(len(model.ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links = net.links.loc[model.ids[model.n_nodes:]]
    ends = list(zip(links["from"], links["to"], strict=True))
    incident: dict[str, list[int]] = defaultdict(list)
    for j, (a, b) in enumerate(zip(links["from"], links["to"], strict=True)):
        incident[a].append(model.n_nodes + j)
        incident[b].append(model.n_nodes + j)
    for i, node in enumerate(model.ids[: model.n_nodes]):
        mine = incident.get(node, [])
        neighbours = {ends[j - model.n_nodes][k] for j in mine for k in (0, 1)} - {node}
        if len(mine) == 2 and len(neighbours) == 2 and node not in endpoints:
            for j in mine:
                parent[find(j)] = find(i)
    return np.asarray([find(i) for i in range(len(model.ids))])


def _refine_top(state: _Baseline, rows: list[dict], top: int) -> None:
    """Evaluate the ``top`` most harmful distinct closures again with incremental loading of
    their moved trains (see ``_Baseline._reroute``).

    Closures with the same one-shot numbers and the same affected trains (elements of one chain)
    are one closure: each gets the result of the first of them.
    """
    def harm(row: dict) -> tuple:
        return tuple(round(float(row.get(k, 0.0)), 9) for k in (
            "flow_teu_day_lost", "flow_extra_train_days_day", "trains_day_lost",
            "delta_train_hours_day", "rerouted_trains_day"))

    users = state.paths.T
    groups: dict[tuple, list[int]] = {}
    for element, row in enumerate(rows):
        if row:
            affected = np.sort(users.indices[users.indptr[element]:users.indptr[element + 1]])
            groups.setdefault((harm(row), affected.tobytes()), []).append(element)
    best = sorted(groups, key=lambda key: key[0], reverse=True)[:top]
    for key in best:
        members = groups[key]
        new = state.close(members[0], refine=True)
        for element in members:
            rows[element] = new


def _close_all(state: _Baseline, labels: np.ndarray | None, skip: set[int]) -> list[dict]:
    """close() for every element but ``skip`` (left out of the ranking), once per chain when
    ``labels`` are given."""
    done: dict[tuple, dict] = {}
    rows = []
    users = state.paths.T
    for element in range(len(state.model.ids)):
        if element in skip:
            rows.append({})
            continue
        affected = users.indices[users.indptr[element]:users.indptr[element + 1]]
        # same chain and the same trains affected: the same closure (else evaluated on its own)
        key = ((int(labels[element]), np.sort(affected).tobytes()) if labels is not None
               else (element, b""))
        if key not in done:
            done[key] = state.close(element)
        rows.append(done[key])
    return rows


class _Baseline:
    """Base flows, costs, waits and carried shares; evaluates one closure at a time."""

    def __init__(self, model: CapacityModel, paths: _Paths, cost: np.ndarray, horizon: float,
                 od_table: list[tuple[str, str]]):
        self.model, self.paths, self.horizon = model, paths, horizon
        self.od_table = od_table
        self.cap_hours = 24.0 * horizon
        edge_flow = paths.E.T @ paths.flow
        self.volume = model.element_volume(edge_flow)
        self.cost = cost
        self.hours = paths.E @ cost
        self.share = carried_share(self.volume, model.capacity)
        self.served = paths.flow * (1.0 - paths.deficit(model.edge_deficit(self.share)))
        self.excess = backlog(self.volume, model.capacity, horizon)[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.ratio = np.nan_to_num(self.volume / model.capacity)

    def close(self, element: int, refine: bool = False) -> dict:
        paths, model = self.paths, self.model
        affected = paths.T.indices[paths.T.indptr[element]:paths.T.indptr[element + 1]]
        if len(affected) == 0:
            return {}
        moved: dict[int, float] = defaultdict(float)
        old_hours: dict[int, float] = defaultdict(float)
        for p in affected:
            moved[int(paths.od[p])] += paths.flow[p]
            old_hours[int(paths.od[p])] += paths.flow[p] * self.hours[p]
        keep = paths.flow.copy()
        keep[affected] = 0.0
        kept_flow = paths.E.T @ keep
        new_routes = self._reroute(element, moved, kept_flow, refine)
        edge_flow = kept_flow + self._loads(new_routes, moved)
        volume = model.element_volume(edge_flow)
        cost = model.edge_costs(model.delay(volume, self.horizon))
        share = carried_share(volume, model.capacity)
        edge_deficit = model.edge_deficit(share)
        deficit = paths.deficit(edge_deficit)
        served_kept = keep * (1.0 - deficit)
        lost = self.served - served_kept  # per base path (affected ones lose all, then re-added)
        lost_flow = float(lost[paths.in_flow].sum())
        lost_all = float(lost.sum())
        delta = np.clip(paths.E @ cost - self.hours, -self.cap_hours, self.cap_hours)
        changed = (np.abs(delta) > 1e-9) & (keep > 0)
        hours_delta = float(keep @ np.where(keep > 0, delta, 0.0))
        affected_trains = float(keep[changed].sum())
        flow_days = float((keep * np.where(keep > 0, delta, 0.0))[paths.in_flow].sum()) / 24.0
        extras, rerouted, detour = [], 0.0, None
        in_flow_od = {int(paths.od[p]): bool(paths.in_flow[p]) for p in affected}
        for od, trains in moved.items():
            routes = new_routes[od]
            if not routes:
                continue
            before = old_hours[od] / trains
            carried = extra = 0.0
            for edges, part in routes:
                carried += part * trains * (1.0 - float(edge_deficit[edges].max(initial=0.0)))
                one = float(np.clip(cost[edges].sum() - before, -self.cap_hours, self.cap_hours))
                extra += part * one
                extras.append((one, part * trains))
            lost_all -= carried
            hours_delta += trains * extra
            affected_trains += trains
            rerouted += trains
            if in_flow_od[od]:
                lost_flow -= carried
                flow_days += trains * extra / 24.0
            if detour is None or trains > detour[0]:
                old = np.concatenate([paths.edges[p] for p in affected if paths.od[p] == od])
                main = max(routes, key=lambda r: r[1])[0]
                detour = (trains, self.od_table[od], old, main, extra)
        mean = sum(e * t for e, t in extras) / rerouted / 24.0 if rerouted else 0.0
        worst = max(e for e, _ in extras) / 24.0 if extras else 0.0
        return {
            "flow_teu_day_lost": max(lost_flow, 0.0), "flow_extra_train_days_day": flow_days,
            "trains_day_lost": max(lost_all, 0.0), "rerouted_trains_day": rerouted,
            "extra_days_mean": mean, "extra_days_worst": worst,
            "new_binding": self._new_binding(volume, element),
            "delta_train_hours_day": hours_delta, "affected_trains_day": affected_trains,
            "detour": detour,
        }

    def _loads(self, routes: dict[int, list], moved: dict[int, float]) -> np.ndarray:
        """Edge flows of the moved trains on their new routes."""
        flow = np.zeros(len(self.cost))
        for od, parts in routes.items():
            for edges, part in parts:
                np.add.at(flow, edges, part * moved[od])
        return flow

    def _reroute(self, element: int, moved: dict[int, float], kept_flow: np.ndarray,
                 refine: bool = False) -> dict[int, list[tuple[np.ndarray, float]]]:
        """New routes of the moved trains: ``(edges, share of the pair's moved trains)`` each.

        Every moved pair takes its fastest remaining route at the equilibrium times. With
        ``refine``, if that queues more than ``OVERLOAD_TRAINS_DAY`` beyond what the base already
        queued at an element, the moved trains are loaded again in ``INCREMENTS`` equal parts,
        each on the fastest route at the waits the parts before it caused (incremental
        assignment), so a large closure does not pile every train onto one detour.
        """
        model = self.model
        closed = model.closed_edges(element)
        once = self._fastest(self.cost, closed, moved)
        routes = {od: [(edges, 1.0)] if edges is not None else [] for od, edges in once.items()}
        volume = model.element_volume(kept_flow + self._loads(routes, moved))
        excess = backlog(volume, model.capacity, self.horizon)[0]
        rise = excess - self.excess
        rise[element] = 0.0
        if not refine or rise.max(initial=0.0) <= OVERLOAD_TRAINS_DAY:
            return routes
        parts: dict[int, list[tuple[np.ndarray, float]]] = {od: [] for od in moved}
        flow = kept_flow.copy()
        for _ in range(INCREMENTS):
            cost = model.edge_costs(model.delay(model.element_volume(flow), self.horizon))
            step = self._fastest(cost, closed, moved)
            for od, edges in step.items():
                if edges is not None:
                    parts[od].append((edges, 1.0 / INCREMENTS))
                    np.add.at(flow, edges, moved[od] / INCREMENTS)
        return {od: _merge(p) for od, p in parts.items()}

    def _fastest(self, cost: np.ndarray, closed: np.ndarray,
                 moved: dict[int, float]) -> dict[int, np.ndarray | None]:
        """Fastest route of every moved pair under ``cost`` with the closed edges removed."""
        model = self.model
        trial = cost.copy()
        trial[closed] = CLOSED
        matrix, chosen = model.graph(trial)
        ods = self.od_table
        origins = unique(ods[od][0] for od in moved)
        dist, pred, rows = model.trees(matrix, origins)
        out: dict[int, np.ndarray | None] = {}
        lists: dict[int, list] = {}
        for od in moved:
            origin, destination, _ = ods[od]  # a cut route leaves its crossing (see assign)
            found = model.best_arrival(dist, rows[origin], destination)
            if found is None:
                out[od] = None
                continue
            if found[0] not in lists:
                lists[found[0]] = pred[found[0]].tolist()
            out[od] = model.path_edges(lists[found[0]], chosen, found[1])
        return out

    def _new_binding(self, volume: np.ndarray, element: int) -> int:
        model = self.model
        excess = backlog(volume, model.capacity, self.horizon)[0]
        rise = excess - self.excess
        rise[element] = 0.0
        if rise.max() > 1e-6:
            return int(np.argmax(rise))
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.nan_to_num(volume / model.capacity)
        gain = ratio - self.ratio
        gain[element] = 0.0
        return int(np.argmax(gain)) if gain.max() > 1e-6 else -1


def _merge(parts: list[tuple[np.ndarray, float]]) -> list[tuple[np.ndarray, float]]:
    """The same route found in several increments, counted once with the shares summed."""
    merged: dict[bytes, list] = {}
    for edges, share in parts:
        key = edges.tobytes()
        if key in merged:
            merged[key][1] += share
        else:
            merged[key] = [edges, share]
    return [(e, s) for e, s in merged.values()]


def _describe(net, model: CapacityModel, detour) -> str:
    """'origin→destination via X, Y (+d)': crossings of the new route the old one did not use."""
    _, od, old_edges, new_edges, extra = detour
    origin, destination = od[0], od[1]
    sg = model.sg
    new_nodes = [sg.node_ids[n] for n in sg.edge_dst_node[new_edges]]
    old_nodes = {sg.node_ids[n] for n in sg.edge_dst_node[old_edges]}
    kinds = net.nodes["kind"]
    fresh = [n for n in unique(new_nodes) if n not in old_nodes
             and ({"border", "gauge_change", "port"} & set(kinds[n] or []))]
    via = ", ".join(fresh[:4]) if fresh else "same crossings"
    return f"{origin}→{destination} via {via} ({extra / 24:+.1f} d)"


def _full(net: Corridor, demand, base: Assignment, top: pd.DataFrame,
          horizon: float) -> pd.DataFrame:
    """Re-solve the equilibrium with each of these elements closed; fast and full side by side."""
    rows = []
    for row in top.itertuples():
        closed = assign(net, base_demand(base), closed=[row.id], horizon_days=horizon)
        keys = ["origin", "destination", "via"]
        served_before = base.pairs.set_index(keys)["served_trains_day"]
        lost = (served_before - closed.pairs.set_index(keys)["served_trains_day"]).sum()
        rows.append((row.id, row.name, row.teu_day_lost, float(lost) * base.teu_per_train,
                     row.delta_train_hours_day, _delta_hours(base, closed, horizon),
                     closed.iterations, closed.gap))
    return pd.DataFrame(rows, columns=FULL_COLUMNS)


def base_demand(base: Assignment) -> pd.DataFrame:
    """The demand an assignment was solved for (origin, destination, trains_day)."""
    return base.pairs[["origin", "destination", "via", "trains_day"]].copy()


def _delta_hours(base: Assignment, closed: Assignment, horizon: float) -> float:
    """Change in train-hours per day of the pairs served in both, each train's change clipped to
    the horizon (as in the fast estimate)."""
    a = base.pairs.set_index(["origin", "destination", "via"])
    b = closed.pairs.set_index(["origin", "destination", "via"])
    both = a["served"] & b["served"]
    change = (b["hours"] - a["hours"])[both].clip(-24 * horizon, 24 * horizon)
    return float((change * a["trains_day"][both]).sum())


def _od_table(base: Assignment) -> list[tuple[str, str, str]]:
    return list(zip(base.pairs["origin"], base.pairs["destination"], base.pairs["via"],
                    strict=True))


def ranking_records(result: Criticality, top: int) -> list[dict]:
    """JSON-ready rows of the top of the ranking."""
    head = result.ranking.head(top).drop(columns="geometry")
    return head.round(2).to_dict("records")


__all__: Sequence[str] = ["CRITICALITY_COLUMNS", "FLOWS", "Criticality", "criticality", "flow_mask"]
