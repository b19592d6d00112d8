"""Gauge-aware routing on a state-expanded graph.

Each node ``n`` becomes states ``(n, track, paid, side)``: ``track`` is the gauge in mm of the
wagons (or 0 on a ferry), ``side`` is arrival (IN) or departure (OUT), and ``paid`` tells whether
the node's handling time was already paid on this visit. A train may change track only at a node
that can do it (``gauge_change`` for gauges, ``port`` between rail and water). What each move costs
comes from :mod:`corridor.timemodel` (its components and its rule for when a node is paid, once per
visit); callers read an edge's costs through :meth:`StateGraph.edge_steps`, never by index
arithmetic. Searches run Dijkstra on expected hours: ``scipy.sparse.csgraph`` on large graphs,
``rustworkx`` over the same edges on small ones (see :data:`SMALL_GRAPH_STATES`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from corridor.datafiles import row_dicts
from corridor.errors import NoRouteError
from corridor.schema import WATER_MODES
from corridor.timemodel import (
    DISRUPTION,
    DWELL,
    RUN,
    SAILING,
    Component,
    ComponentTable,
    event_kind,
    link_components,
    node_components,
    pays_node,
)

WATER = 0
IN, OUT = 0, 1
_EPS = 1e-9  # keeps zero-cost edges from vanishing as explicit zeros in sparse matrices
#: state graphs up to this size are searched by rustworkx's Dijkstra (:func:`small_dijkstra`;
#: the built-in network has about a thousand states: a search takes a few milliseconds, and a
#: command that routes on it never imports scipy, whose import alone takes longer than the whole
#: route); larger ones by scipy's. The choice depends on the graph only, so one network always
#: gets the same answers.
SMALL_GRAPH_STATES = 5000
#: predecessor of a state no search reached (scipy's convention)
NO_PREDECESSOR = -9999


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
    """Result of one search: expected hours, visited nodes, links used (ids) and state-graph edges."""

    hours: float
    nodes: list[str]
    links: list[str]
    edges: tuple[int, ...] = ()


@dataclass(frozen=True)
class Step:
    """One component paid on a state-graph edge, placed on the journey.

    Attributes
    ----------
    index : int
        Position of the component in ``StateGraph.components``.
    component : Component
    label : str
        Timeline kind: ``run``, ``ferry``, ``ferry_wait``, ``border``, ``gauge_change``, ``port``
        or ``disruption``.
    start, end : str
        Node ids where the step starts and ends (equal for time spent at a place).
    km : float
        Distance covered (running and sailing steps only).
    """

    index: int
    component: Component
    label: str
    start: str
    end: str
    km: float


class _Recorder:
    """Dijkstra visitor that keeps scipy's outputs: final distances and predecessors."""

    def __init__(self, n: int):
        self.dist = [float("inf")] * n
        self.pred = [NO_PREDECESSOR] * n

    def discover_vertex(self, v: int, score: float) -> None:
        self.dist[v] = score

    def edge_relaxed(self, edge: tuple[int, int, float]) -> None:
        self.pred[edge[1]] = edge[0]

    # rustworkx calls every event of a DijkstraVisitor; these are not needed
    def examine_edge(self, edge) -> None:
        pass

    edge_not_relaxed = finish_vertex = examine_edge


def small_dijkstra(n: int, edges: list[tuple[int, int, float]],
                   source: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances and predecessors from ``source`` over ``n`` states and weighted ``edges``,
    as scipy's ``dijkstra`` returns them (inf and :data:`NO_PREDECESSOR` where unreached), by
    rustworkx's compiled Dijkstra (which imports in a tenth of scipy's time)."""
    import rustworkx as rx

    graph = rx.PyDiGraph(multigraph=True)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    recorder = _Recorder(n)
    rx.digraph_dijkstra_search(graph, [source], float, recorder)
    recorder.pred[source] = NO_PREDECESSOR
    return np.asarray(recorder.dist), np.asarray(recorder.pred, dtype=np.int32)


class StateGraph:
    """The state-expanded graph of a network for one set of allowed statuses.

    Parameters
    ----------
    nodes, links : geopandas.GeoDataFrame
        The network's tables (``Corridor.nodes``, ``Corridor.links``).
    statuses : iterable of str
        Element statuses that may be used (``operating`` by default in callers).
    disruptions : pandas.DataFrame, optional
        Disruption episodes (``Corridor.disruptions``).

    Notes
    -----
    Every duration comes from :mod:`corridor.timemodel`: each node has a bundle of components
    (its dwell and episodes) paid where :func:`~corridor.timemodel.pays_node` says so, each link a
    bundle (run or ferry wait + sailing, and episodes). An edge's weight is the sum of the expected
    hours of the components it pays; :meth:`edge_steps` lists them in travel order.
    """

    def __init__(self, nodes, links, statuses: Iterable[str], disruptions=None):
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
        self.link_pos = {lid: i for i, lid in enumerate(self.link_ids)}
        self.link_mode = links["mode"].to_numpy()
        self.link_km = links["length_km"].to_numpy(dtype=float)
        self._build(nodes, links, disruptions)

    # -- construction -------------------------------------------------------------------------
    def _state(self, node: int, track: int, paid: int, side: int) -> int:
        key = (node, track, paid, side)
        if key not in self.state_index:
            self.state_index[key] = len(self.states)
            self.states.append(key)
        return self.state_index[key]

    def _components(self, nodes, links, disruptions) -> None:
        """The component table: every node's bundle, then every link's bundle."""
        components: list[Component] = []
        self.node_bundle: list[tuple[int, ...]] = []
        self.link_bundle: list[tuple[int, ...]] = []
        # each element sees only its own episode rows (same rows, same order): one groupby
        # instead of one filter of the whole table per element
        own = ({} if disruptions is None or disruptions.empty
               else {key: rows for key, rows in disruptions.groupby("element", sort=False)})
        for node_id, row in zip(self.node_ids, row_dicts(nodes), strict=True):
            bundle = node_components(node_id, row, own.get(node_id))
            self.node_bundle.append(tuple(range(len(components), len(components) + len(bundle))))
            components += bundle
        for link_id, row in zip(self.link_ids, self._link_rows, strict=True):
            bundle = link_components(link_id, row, own.get(link_id))
            self.link_bundle.append(tuple(range(len(components), len(components) + len(bundle))))
            components += bundle
        self.components = ComponentTable(components)
        self.component_node = np.array(  # node position a component belongs to, -1 for links
            [n for n, b in enumerate(self.node_bundle) for _ in b]
            + [-1] * sum(len(b) for b in self.link_bundle), dtype=np.int64)
        self.component_link = np.array(
            [-1] * sum(len(b) for b in self.node_bundle)
            + [j for j, b in enumerate(self.link_bundle) for _ in b], dtype=np.int64)

    def _build(self, nodes, links, disruptions) -> None:
        self._link_rows = row_dicts(links)  # one plain record per link, read twice below
        self._components(nodes, links, disruptions)
        self.states: list[tuple[int, int, int, int]] = []
        self.state_index: dict[tuple[int, int, int, int], int] = {}
        mean = self.components.mean.tolist()
        self.edge_parts: list[tuple[int, ...]] = []
        self.edge_labels: list[tuple[str, ...]] = []
        src, dst, weight, link_of = [], [], [], []
        kinds = [set(k or []) for k in nodes["kind"]]
        link_rows = self.__dict__.pop("_link_rows")
        tracks: dict[int, set[int]] = {i: set() for i in range(len(self.node_ids))}
        for link in link_rows:
            for end in ("from", "to"):
                tracks[self.node_pos[link[end]]].add(link_track(link))

        def add(a: int, b: int, parts: tuple[int, ...], labels: tuple[str, ...], link: int = -1) -> None:
            src.append(a)
            dst.append(b)
            weight.append(sum(mean[c] for c in parts) + _EPS)
            link_of.append(link)
            self.edge_parts.append(parts)
            self.edge_labels.append(labels)

        def paid_at(n: int, label: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
            bundle = self.node_bundle[n]
            return bundle, tuple(label if self.components[c].kind == DWELL else DISRUPTION
                                 for c in bundle)

        for n, node_tracks in tracks.items():
            for t_in in node_tracks:
                for t_out in node_tracks:
                    if not can_switch(kinds[n], t_in, t_out):
                        continue
                    for paid in (0, 1):
                        a = self._state(n, t_in, paid, IN)
                        if t_in == t_out:
                            add(a, self._state(n, t_out, paid, OUT), (), ())
                            continue
                        pays = not paid and pays_node(kinds[n], changes_track=True, crosses_border=False)
                        parts, labels = paid_at(n, event_kind(True, WATER in (t_in, t_out))) if pays \
                            else ((), ())
                        add(a, self._state(n, t_out, 1, OUT), parts, labels)
        for index, link in enumerate(link_rows):
            u, v, t = self.node_pos[link["from"]], self.node_pos[link["to"]], link_track(link)
            travel = self.link_bundle[index]
            travel_labels = tuple(self._travel_label(c) for c in travel)
            for a, b in ((u, v), (v, u)):
                crossing = self.country[a] != self.country[b]
                for paid in (0, 1):
                    exit_pays = not paid and pays_node(kinds[a], changes_track=False,
                                                       crosses_border=crossing)
                    entry_pays = pays_node(kinds[b], changes_track=False, crosses_border=crossing)
                    exit_parts, exit_labels = paid_at(a, "border") if exit_pays else ((), ())
                    entry_parts, entry_labels = paid_at(b, "border") if entry_pays else ((), ())
                    add(
                        self._state(a, t, paid, OUT), self._state(b, t, int(entry_pays), IN),
                        exit_parts + travel + entry_parts,
                        exit_labels + travel_labels + entry_labels, index,
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
        self._edge_cache: dict[bytes, np.ndarray] = {}
        self._csr_cache: dict[bytes, dict] = {}
        self._search_lock = threading.Lock()
        self._sorted_edges: np.ndarray | None = None
        self._steps: dict[int, tuple[Step, ...]] = {}
        del self.state_index  # only the build looks states up by key: not kept, not pickled

    def __getstate__(self) -> dict:  # pickled by the network cache: a lock cannot be
        state = dict(self.__dict__)
        state.pop("_search_lock", None)
        state["_csr_cache"] = {}
        state["_steps"] = {}  # memoised per query; rebuilt on demand
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._search_lock = threading.Lock()

    def _travel_label(self, c: int) -> str:
        kind = self.components[c].kind
        return "ferry" if kind == SAILING else kind

    # -- typed access ---------------------------------------------------------------------------
    def edge_steps(self, e: int) -> tuple[Step, ...]:
        """The components edge ``e`` pays, in travel order, placed on the journey (memoised)."""
        steps = self._steps.get(e)
        if steps is None:
            steps = self._steps[e] = tuple(self._edge_steps(e))
        return steps

    def _edge_steps(self, e: int) -> list[Step]:
        a = self.node_ids[int(self.edge_src_node[e])]
        b = self.node_ids[int(self.edge_dst_node[e])]
        link = int(self.edge_link[e])
        steps = []
        for c, label in zip(self.edge_parts[e], self.edge_labels[e], strict=True):
            component = self.components[c]
            node = int(self.component_node[c])
            if node >= 0:  # time at a place: the node whose bundle it is
                here = self.node_ids[node]
                steps.append(Step(c, component, label, here, here, 0.0))
            elif component.kind in (RUN, SAILING):
                steps.append(Step(c, component, label, a, b, float(self.link_km[link])))
            else:  # ferry wait, or an episode on the link: spent at the departure end
                steps.append(Step(c, component, label, a, a, 0.0))
        return steps

    def track_changes(self, edges: Iterable[int]) -> list[tuple[int, str]]:
        """(node position, ``gauge_change`` or ``port``) for each change of track along ``edges``."""
        changes = []
        for e in edges:
            if self.edge_link[e] >= 0:
                continue
            t_in, t_out = self.states[int(self.src[e])][1], self.states[int(self.dst[e])][1]
            if t_in != t_out:
                changes.append((int(self.edge_src_node[e]), event_kind(True, WATER in (t_in, t_out))))
        return changes

    def paid_nodes(self, e: int) -> tuple[int, ...]:
        """Positions of the nodes whose dwell edge ``e`` pays (for capacity use)."""
        return tuple(dict.fromkeys(int(self.component_node[c]) for c in self.edge_parts[e]
                                   if self.component_node[c] >= 0
                                   and self.components[c].kind == DWELL))

    def running_hours(self, link: int) -> float:
        """Expected running (or sailing) hours of a link, without waits, dwell or episodes."""
        return float(sum(self.components[c].mean for c in self.link_bundle[link]
                         if self.components[c].kind in (RUN, SAILING)))

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
        bad_links = [self.link_pos[lid] for lid in avoid_links if lid in self.link_pos]
        if bad_links:
            mask &= ~np.isin(self.edge_link, bad_links)
        if modes is not None:
            bad_modes = np.flatnonzero(~np.isin(self.link_mode, list(modes)))
            mask &= ~np.isin(self.edge_link, bad_modes)
        return mask

    def states_of(self, node: str, side: int) -> np.ndarray:
        """All state indices of a node on one side (IN or OUT), memoised."""
        cache = self.__dict__.setdefault("_states_of", {})
        key = (node, side)
        if key not in cache:
            pos = self.node_pos.get(node)
            if pos is None:
                cache[key] = np.empty(0, dtype=np.int64)
            else:
                if "_node_states" not in self.__dict__:  # states grouped by node, once
                    order = np.argsort(self.state_node, kind="stable")
                    bounds = np.searchsorted(self.state_node[order],
                                             np.arange(len(self.node_ids) + 1))
                    self._node_states = (order, bounds)
                order, bounds = self._node_states
                mine = order[bounds[pos]:bounds[pos + 1]]
                cache[key] = np.sort(mine[self.state_side[mine] == side])
        return cache[key]

    def origin_states(self, node: str) -> dict[int, float]:
        """Departure states of an origin (unpaid, any track), at zero cost."""
        states = self.states_of(node, OUT)
        return {int(s): 0.0 for s in states if self.state_paid[s] == 0}

    # -- search -------------------------------------------------------------------------------
    def _usable_edges(self, mask: np.ndarray):
        """Usable edges sorted by (src, dst) with the cheapest of parallel edges kept (cached)."""
        key = mask.tobytes()
        if key not in self._edge_cache:
            if self._sorted_edges is None:  # sorted once; a mask then filters in linear time
                self._sorted_edges = np.lexsort((self.weight, self.dst, self.src))
            keep = self._sorted_edges[mask[self._sorted_edges]]
            first = np.ones(len(keep), dtype=bool)
            first[1:] = (self.src[keep][1:] != self.src[keep][:-1]) | (
                self.dst[keep][1:] != self.dst[keep][:-1]
            )
            if len(self._edge_cache) >= 64:
                self._edge_cache.pop(next(iter(self._edge_cache)))
            self._edge_cache[key] = keep[first]
        return self._edge_cache[key]

    #: spare slots in the cached CSR arrays for the virtual source's edges (more fall back to a copy)
    _SPARE = 64

    def _search_graph(self, mask: np.ndarray) -> dict:
        """CSR arrays of the usable edges plus an empty last row for the virtual source (cached
        per mask), and the sorted (src, dst) keys of those edges for :meth:`trace`."""
        key = mask.tobytes()
        cached = self._csr_cache.get(key)
        if cached is None:
            n = len(self.states)
            keep = self._usable_edges(mask)
            src, dst = self.src[keep], self.dst[keep]
            indptr = np.zeros(n + 2, dtype=np.int32)
            np.cumsum(np.bincount(src, minlength=n), out=indptr[1:n + 1])
            indptr[n + 1] = indptr[n]
            nnz = len(keep)
            indices = np.empty(nnz + self._SPARE, dtype=np.int32)
            indices[:nnz] = dst
            data = np.empty(nnz + self._SPARE, dtype=float)
            data[:nnz] = self.weight[keep]
            cached = {"indptr": indptr, "indices": indices, "data": data, "nnz": nnz,
                      "keys": src * (n + 1) + dst, "edges": keep}
            if len(self._csr_cache) >= 64:
                self._csr_cache.pop(next(iter(self._csr_cache)))
            self._csr_cache[key] = cached
        return cached

    def distances(self, sources: Mapping[int, float], mask: np.ndarray):
        """Dijkstra from a set of states with initial costs; returns (dist, pred, edge lookup).

        The sources hang off a virtual state (index ``len(states)``) whose edges to them cost
        their initial costs; the graph of usable edges is built once per mask.
        """
        n = len(self.states)
        graph = self._search_graph(mask)
        starts = np.fromiter(sources.keys(), dtype=np.int64, count=len(sources))
        init = np.fromiter(sources.values(), dtype=float, count=len(sources)) + _EPS
        order = np.argsort(starts)
        starts, init = starts[order], init[order]
        nnz, extra = graph["nnz"], len(starts)
        indptr = graph["indptr"].copy()
        indptr[n + 1] = nnz + extra
        if n <= SMALL_GRAPH_STATES:  # the same edges, searched without scipy
            if "edge_list" not in graph:
                rows = np.repeat(np.arange(n + 1), np.diff(graph["indptr"][:n + 2]))[:nnz]
                graph["edge_list"] = list(zip(rows.tolist(), graph["indices"][:nnz].tolist(),
                                              graph["data"][:nnz].tolist(), strict=True))
            virtual = list(zip([n] * extra, starts.tolist(), init.tolist(), strict=True))
            dist, pred = small_dijkstra(n + 1, graph["edge_list"] + virtual, n)
            return dist, pred, (graph["keys"], graph["edges"])
        from scipy.sparse import csr_matrix  # deferred: only large graphs need it
        from scipy.sparse.csgraph import dijkstra

        with self._search_lock:  # the spare slots of the cached arrays are filled per search
            if extra <= self._SPARE:
                indices, data = graph["indices"], graph["data"]
                indices[nnz:nnz + extra] = starts
                data[nnz:nnz + extra] = init
                indices, data = indices[:nnz + extra], data[:nnz + extra]
            else:
                indices = np.concatenate([graph["indices"][:nnz], starts.astype(np.int32)])
                data = np.concatenate([graph["data"][:nnz], init])
            matrix = csr_matrix((data, indices, indptr), shape=(n + 1, n + 1), copy=False)
            dist, pred = dijkstra(matrix, directed=True, indices=n, return_predecessors=True)
        return dist, pred, (graph["keys"], graph["edges"])

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
        n = len(self.states)
        chain = [target]
        while pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        if chain[0] == n:  # the virtual source's edge is no edge of the network
            chain = chain[1:]
        states = np.asarray(chain, dtype=np.int64)
        pairs = states[:-1] * (n + 1) + states[1:]
        return edges[np.searchsorted(keys, pairs)].tolist()

    def trace_many(self, pred: np.ndarray, lookup, targets: np.ndarray) -> list[np.ndarray]:
        """:meth:`trace` for many targets of one search at once (the same edge lists).

        The predecessor chains are walked together, one vectorised step per edge of the longest
        path, instead of one Python walk per target.
        """
        keys, edges = lookup
        n = len(self.states)
        targets = np.asarray(targets, dtype=np.int64)
        if len(targets) == 0:
            return []
        rows = [targets]
        current = targets
        while True:
            step = np.where(current >= 0, pred[np.maximum(current, 0)], -9999)
            step = np.where((step < 0) | (step == n), -1, step)  # the virtual source ends a chain
            if not (step >= 0).any():
                break
            rows.append(step)
            current = step
        chains = np.vstack(rows[::-1])  # (depth, targets), chains aligned at their ends
        valid = chains >= 0
        pairs = chains[:-1] * (n + 1) + chains[1:]
        used = valid[:-1] & valid[1:]
        found = np.zeros(pairs.shape, dtype=np.int64)
        found[used] = edges[np.searchsorted(keys, pairs[used])]
        return [found[used[:, j], j] for j in range(len(targets))]

    # -- many searches at once (the origin-destination matrix) -----------------------------------
    #: origins searched per scipy call by :meth:`distances_many` (bounds the rows held at once)
    MANY_BATCH = 16

    def distances_many(self, sources: list[Mapping[int, float]],
                       mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
        """:meth:`distances` for each set of sources: rows of distances and predecessors.

        On a large graph each batch of :data:`MANY_BATCH` searches is one scipy call, every set
        of sources hanging off its own virtual state (``len(states) + j``), so the graph is
        checked and copied once per batch instead of once per search; the same edges, weights
        and virtual edges as :meth:`distances`, so the same answers. Predecessors that are
        virtual states (>= ``len(states)``) end a path, as in :meth:`trace`.
        """
        n = len(self.states)
        if n <= SMALL_GRAPH_STATES or not sources:
            found = [self.distances(s, mask) for s in sources]
            lookup = found[0][2] if found else self._search_graph(mask)
            return (np.vstack([f[0][:n] for f in found]) if found else np.empty((0, n)),
                    np.vstack([f[1][:n] for f in found]) if found else np.empty((0, n)), lookup)
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        graph = self._search_graph(mask)
        nnz = graph["nnz"]
        dist_rows, pred_rows = [], []
        for first in range(0, len(sources), self.MANY_BATCH):
            batch = sources[first:first + self.MANY_BATCH]
            starts, init, counts = [], [], []
            for chosen in batch:
                s = np.fromiter(chosen.keys(), dtype=np.int64, count=len(chosen))
                v = np.fromiter(chosen.values(), dtype=float, count=len(chosen)) + _EPS
                order = np.argsort(s)
                starts.append(s[order])
                init.append(v[order])
                counts.append(len(s))
            indptr = np.concatenate([graph["indptr"][:n + 1],
                                     nnz + np.cumsum(counts)]).astype(np.int64)
            indices = np.concatenate([graph["indices"][:nnz], *starts])
            data = np.concatenate([graph["data"][:nnz], *init])
            size = n + len(batch)
            matrix = csr_matrix((data, indices, indptr), shape=(size, size), copy=False)
            dist, pred = dijkstra(matrix, directed=True, indices=np.arange(n, size),
                                  return_predecessors=True)
            dist_rows.append(dist[:, :n])
            pred_rows.append(pred[:, :n])
        return np.vstack(dist_rows), np.vstack(pred_rows), (graph["keys"], graph["edges"])

    def trace_rows(self, pred: np.ndarray, lookup, rows: np.ndarray,
                   targets: np.ndarray) -> list[np.ndarray]:
        """:meth:`trace` of ``targets[k]`` on search ``rows[k]`` of :meth:`distances_many`, for all
        k at once (one vectorised step per edge of the longest path)."""
        keys, edges = lookup
        n = len(self.states)
        rows = np.asarray(rows, dtype=np.int64)
        current = np.asarray(targets, dtype=np.int64)
        if len(current) == 0:
            return []
        chain = [current]
        while True:
            step = np.where(current >= 0, pred[rows, np.maximum(current, 0)], -1)
            step = np.where((step < 0) | (step >= n), -1, step)  # a virtual source ends a path
            if not (step >= 0).any():
                break
            chain.append(step)
            current = step
        chains = np.vstack(chain[::-1])
        valid = chains >= 0
        used = valid[:-1] & valid[1:]
        pairs = chains[:-1] * (n + 1) + chains[1:]
        found = np.zeros(pairs.shape, dtype=np.int64)
        found[used] = edges[np.searchsorted(keys, pairs[used])]
        return [found[used[:, j], j] for j in range(len(targets))]

    def part_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The components each edge pays as CSR arrays (indptr, indices), built once."""
        arrays = self.__dict__.get("_part_arrays")
        if arrays is None:
            lengths = np.fromiter((len(p) for p in self.edge_parts), dtype=np.int64,
                                  count=len(self.edge_parts))
            indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            indices = np.fromiter((c for p in self.edge_parts for c in p), dtype=np.int64,
                                  count=int(indptr[-1]))
            arrays = self._part_arrays = (indptr, indices)
        return arrays

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
        used = np.asarray(edges, dtype=np.int64)
        link = self.edge_link[used]
        moves = link >= 0
        nodes = [origin, *(self.node_ids[i] for i in self.edge_dst_node[used[moves]].tolist())]
        links = [self.link_ids[i] for i in link[moves].tolist()]
        return Path(hours, nodes, links, tuple(edges))
