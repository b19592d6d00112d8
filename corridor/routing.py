"""Gauge-aware routing on a state-expanded graph.

Each node ``n`` becomes states ``(n, track, paid, side)``: ``track`` is the gauge in mm of the
wagons (or 0 on a ferry), ``side`` is arrival (IN) or departure (OUT), and ``paid`` tells whether
the node's handling time was already paid on this visit. A train may change track only at a node
that can do it (``gauge_change`` for gauges, ``port`` between rail and water), and pays a node's
dwell once per visit when it crosses a border there, changes gauge or changes mode. Searches run
Dijkstra (``scipy.sparse.csgraph``) on expected hours.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.errors import NoRouteError
from corridor.schema import WATER_MODES
from corridor.timemodel import dwell_spread, ferry_wait_spread, run_spread

WATER = 0
IN, OUT = 0, 1
_EPS = 1e-9  # keeps zero-cost edges from vanishing as explicit zeros in sparse matrices


def link_track(link) -> int:
    """Track code of a link: its gauge in mm, or 0 (``WATER``) for ferries and sea legs."""
    return WATER if link["mode"] in WATER_MODES else int(link["gauge_mm"])


def can_switch(kinds: Iterable[str], track_in: int, track_out: int) -> bool:
    """Whether a node with roles ``kinds`` can move a load from one track to another."""
    if track_in == track_out:
        return True
    if WATER in (track_in, track_out):
        return "port" in kinds
    return "gauge_change" in kinds


@dataclass(frozen=True)
class Path:
    """Result of one search: expected hours, visited nodes and links used (ids)."""

    hours: float
    nodes: list[str]
    links: list[str]


class StateGraph:
    """The state-expanded graph of a network for one set of allowed statuses.

    Parameters
    ----------
    nodes, links : geopandas.GeoDataFrame
        The network's tables (``Corridor.nodes``, ``Corridor.links``).
    statuses : iterable of str
        Element statuses that may be used (``operating`` by default in callers).
    """

    def __init__(self, nodes, links, statuses: Iterable[str]):
        statuses = set(statuses)
        nodes = nodes[nodes["status"].isin(statuses)]
        links = links[
            links["status"].isin(statuses)
            & links["from"].isin(nodes.index)
            & links["to"].isin(nodes.index)
        ]
        self.node_ids: list[str] = list(nodes.index)
        self.node_pos = {n: i for i, n in enumerate(self.node_ids)}
        self.country = nodes["country"].to_numpy()
        self.link_ids: list[str] = list(links.index)
        self.link_mode = links["mode"].to_numpy()
        self._build(nodes, links)

    # -- construction -------------------------------------------------------------------------
    def _state(self, node: int, track: int, paid: int, side: int) -> int:
        key = (node, track, paid, side)
        if key not in self.state_index:
            self.state_index[key] = len(self.states)
            self.states.append(key)
        return self.state_index[key]

    def _build(self, nodes, links) -> None:
        self.states: list[tuple[int, int, int, int]] = []
        self.state_index: dict[tuple[int, int, int, int], int] = {}
        src, dst, weight, link_of = [], [], [], []
        dwell = [dwell_spread(row).mean for _, row in nodes.iterrows()]
        kinds = [set(k or []) for k in nodes["kind"]]
        border = [("border" in k) for k in kinds]
        tracks: dict[int, set[int]] = {i: set() for i in range(len(self.node_ids))}
        endpoints = []
        for _, link in links.iterrows():
            u, v, t = self.node_pos[link["from"]], self.node_pos[link["to"]], link_track(link)
            tracks[u].add(t)
            tracks[v].add(t)
            endpoints.append((u, v, t, run_spread(link).mean + ferry_wait_spread(link).mean))

        def add(a: int, b: int, w: float, link: int = -1) -> None:
            src.append(a)
            dst.append(b)
            weight.append(w + _EPS)
            link_of.append(link)

        for n, node_tracks in tracks.items():
            for t_in in node_tracks:
                for t_out in node_tracks:
                    if not can_switch(kinds[n], t_in, t_out):
                        continue
                    for paid in (0, 1):
                        a = self._state(n, t_in, paid, IN)
                        if t_in == t_out:
                            add(a, self._state(n, t_out, paid, OUT), 0.0)
                        else:
                            add(a, self._state(n, t_out, 1, OUT), dwell[n] * (1 - paid))
        for index, (u, v, t, hours) in enumerate(endpoints):
            for a, b in ((u, v), (v, u)):
                crossing = self.country[a] != self.country[b]
                for paid in (0, 1):
                    cost = hours
                    arrive_paid = 0
                    if crossing:
                        cost += dwell[a] * border[a] * (1 - paid) + dwell[b] * border[b]
                        arrive_paid = int(border[b])
                    add(
                        self._state(a, t, paid, OUT), self._state(b, t, arrive_paid, IN), cost,
                        index,
                    )
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.weight = np.asarray(weight, dtype=float)
        self.edge_link = np.asarray(link_of, dtype=np.int64)
        state_arr = np.asarray(self.states, dtype=np.int64).reshape(-1, 4)
        self.state_node = state_arr[:, 0]
        self.state_side = state_arr[:, 3]
        self.state_paid = state_arr[:, 2]
        self.edge_src_node = self.state_node[self.src]
        self.edge_dst_node = self.state_node[self.dst]

    # -- constraints --------------------------------------------------------------------------
    def edge_mask(
        self,
        avoid_nodes: Iterable[str] = (),
        avoid_links: Iterable[str] = (),
        modes: Iterable[str] | None = None,
    ) -> np.ndarray:
        """Boolean mask of usable edges under the given constraints."""
        mask = np.ones(len(self.src), dtype=bool)
        bad_nodes = [self.node_pos[n] for n in avoid_nodes if n in self.node_pos]
        if bad_nodes:
            mask &= ~np.isin(self.edge_src_node, bad_nodes) & ~np.isin(self.edge_dst_node, bad_nodes)
        link_pos = {lid: i for i, lid in enumerate(self.link_ids)}
        bad_links = [link_pos[lid] for lid in avoid_links if lid in link_pos]
        if bad_links:
            mask &= ~np.isin(self.edge_link, bad_links)
        if modes is not None:
            bad_modes = np.flatnonzero(~np.isin(self.link_mode, list(modes)))
            mask &= ~np.isin(self.edge_link, bad_modes)
        return mask

    def states_of(self, node: str, side: int) -> np.ndarray:
        """All state indices of a node on one side (IN or OUT)."""
        pos = self.node_pos.get(node)
        if pos is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero((self.state_node == pos) & (self.state_side == side))

    def origin_states(self, node: str) -> dict[int, float]:
        """Departure states of an origin (unpaid, any track), at zero cost."""
        states = self.states_of(node, OUT)
        return {int(s): 0.0 for s in states if self.state_paid[s] == 0}

    # -- search -------------------------------------------------------------------------------
    def distances(self, sources: Mapping[int, float], mask: np.ndarray):
        """Dijkstra from a set of states with initial costs; returns (dist, pred, edge lookup)."""
        n = len(self.states)
        keep = np.flatnonzero(mask)
        starts = np.fromiter(sources.keys(), dtype=np.int64, count=len(sources))
        init = np.fromiter(sources.values(), dtype=float, count=len(sources)) + _EPS
        src = np.concatenate([self.src[keep], np.full(len(starts), n)])
        dst = np.concatenate([self.dst[keep], starts])
        weight = np.concatenate([self.weight[keep], init])
        edge = np.concatenate([keep, np.full(len(starts), -1)])
        order = np.lexsort((weight, dst, src))
        src, dst, weight, edge = src[order], dst[order], weight[order], edge[order]
        first = np.ones(len(src), dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst, weight, edge = src[first], dst[first], weight[first], edge[first]
        graph = csr_matrix((weight, (src, dst)), shape=(n + 1, n + 1))
        dist, pred = dijkstra(graph, directed=True, indices=n, return_predecessors=True)
        return dist, pred, (src * (n + 1) + dst, edge)

    def best_target(self, dist: np.ndarray, node: str) -> int | None:
        """Cheapest reachable arrival state of a node, or None."""
        targets = self.states_of(node, IN)
        if len(targets) == 0:
            return None
        best = targets[np.argmin(dist[targets])]
        return int(best) if np.isfinite(dist[best]) else None

    def trace(self, pred: np.ndarray, lookup, target: int) -> list[int]:
        """Edge indices (into the full edge arrays) of the path ending at ``target``."""
        keys, edges = lookup
        n1 = len(self.states) + 1
        chain = [target]
        while pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        pairs = np.asarray([a * n1 + b for a, b in itertools.pairwise(chain)], dtype=np.int64)
        return [int(e) for e in edges[np.searchsorted(keys, pairs)] if e >= 0]

    def shortest(
        self, origin: str, destination: str, via: list[str], mask: np.ndarray
    ) -> Path:
        """Fastest path origin → via… → destination under an edge mask.

        Raises
        ------
        NoRouteError
            When a leg of the journey cannot be completed.
        """
        sources = self.origin_states(origin)
        if not sources:
            raise NoRouteError(f"{origin} is not open for traffic under these conditions")
        edges: list[int] = []
        stops = [*via, destination]
        start = origin
        for stop in stops:
            dist, pred, lookup = self.distances(sources, mask)
            target = self.best_target(dist, stop)
            if target is None:
                raise NoRouteError(f"no route from {start} to {stop} under these conditions")
            segment = self.trace(pred, lookup, target)
            edges += segment
            sources = {target: float(dist[target])}
            start = stop
        return self.as_path(origin, edges, float(dist[target]))

    def as_path(self, origin: str, edges: list[int], hours: float) -> Path:
        nodes, links = [origin], []
        for e in edges:
            link = int(self.edge_link[e])
            if link >= 0:
                nodes.append(self.node_ids[self.edge_dst_node[e]])
                links.append(self.link_ids[link])
        return Path(hours, nodes, links)
