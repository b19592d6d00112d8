"""Gauge-aware routing on a state-expanded graph.

Each node ``n`` becomes states ``(n, track, paid, side)``: ``track`` is the gauge in mm of the
wagons (or 0 on a ferry), ``side`` is arrival (IN) or departure (OUT), and ``paid`` tells whether
the node's handling time was already paid on this visit. A train may change track only at a node
that can do it (``gauge_change`` for gauges, ``port`` between rail and water). What each move costs
comes from :mod:`corridor.timemodel` (its components and its rule for when a node is paid, once per
visit); callers read an edge's costs through :meth:`StateGraph.edge_steps`, never by index
arithmetic. Searches run Dijkstra on expected hours: ``scipy.sparse.csgraph`` on large graphs,
``rustworkx`` over the same edges on small ones (see :data:`SMALL_GRAPH_STATES`). One journey
(:meth:`StateGraph.shortest`) on a large graph is searched on a smaller graph of the same paths
(:meth:`StateGraph._route_graph`: states passed straight through merged, unreachable ones left out).

The build is array-wise: per node a template of its states and track switches (one per kind of
node), the moves along links four per link, and each edge's components as CSR arrays
(:meth:`StateGraph.part_arrays`); it numbers states and edges as the per-edge loop it replaced
did (that loop is the reference in ``tests/test_graph_build.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.datafiles import row_dicts
from corridor.errors import NoRouteError
from corridor.schema import WATER_MODES
from corridor.timemodel import (
    DISRUPTION,
    DWELL,
    FERRY_WAIT,
    RUN,
    SAILING,
    Component,
    ComponentTable,
    dwell_spreads,
    event_kind,
    link_components,
    node_components,
    pays_node,
    travel_columns,
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
#: one leg of a journey: (state reached, hours at it, state-graph edges taken)
_Leg = tuple[int, float, list[int]]


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
    return small_search(small_graph(n, edges), source)


def small_graph(n: int, edges: list[tuple[int, int, float]]):
    """A rustworkx graph of ``n`` states and weighted ``edges`` for :func:`small_search`."""
    import rustworkx as rx

    graph = rx.PyDiGraph(multigraph=True)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    return graph


def small_search(graph, source: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`small_dijkstra` on a graph made by :func:`small_graph`."""
    import rustworkx as rx

    recorder = _Recorder(graph.num_nodes())
    rx.digraph_dijkstra_search(graph, [source], float, recorder)
    recorder.pred[source] = NO_PREDECESSOR
    return np.asarray(recorder.dist), np.asarray(recorder.pred, dtype=np.int32)



#: bytes of search structures each per-mask cache of a state graph keeps (the least recently
#: used mask goes first; the newest is always kept): alternatives and N-1 each search under
#: many masks once, and on a 100k-node graph one mask's arrays take about 40 MB
MASK_CACHE_BYTES = 256 * 2**20


def _nbytes(value: object) -> int:
    """Bytes of the numpy arrays in ``value`` (an array, or a dict of them)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 0


def _recall(cache: dict, key: bytes) -> Any:
    """The cached value of ``key`` (now the most recently used), or None."""
    value = cache.pop(key, None)
    if value is not None:
        cache[key] = value
    return value


def _remember(cache: dict, key: bytes, value: Any, pinned: bytes | None = None) -> None:
    """Cache ``value`` under ``key``, then drop the least recently used others (never
    ``pinned``) while the cache holds more than :data:`MASK_CACHE_BYTES`."""
    cache[key] = value
    total = sum(_nbytes(v) for v in cache.values())
    for old in [k for k in cache if k not in (key, pinned)]:
        if total <= MASK_CACHE_BYTES:
            break
        total -= _nbytes(cache.pop(old))


def _sole_in_edges(n: int, dst: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per state, the one edge of ``edges`` (heads ``dst``) entering it, or -1 (none or several)."""
    entering = np.bincount(dst, minlength=n)
    sole = np.full(n, -1, dtype=np.int64)
    single = entering[dst] == 1
    sole[dst[single]] = edges[single]
    return sole

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
        statuses = list(set(statuses))
        nodes = nodes[nodes["status"].isin(statuses).to_numpy(dtype=bool)]
        known = nodes.index
        links = links[
            links["status"].isin(statuses).to_numpy(dtype=bool)
            & (known.get_indexer(links["from"]) >= 0) & (known.get_indexer(links["to"]) >= 0)
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
    def _components(self, nodes, links, disruptions) -> None:
        """The component table: every node's bundle (dwell, episodes), then every link's bundle
        (ferry wait and sailing, or run; then episodes), in element order.

        The ordinary components of all elements are made column-wise; an element with episodes
        gets its whole bundle from :func:`~corridor.timemodel.node_components` /
        :func:`~corridor.timemodel.link_components` (the same values for its ordinary part).
        """
        n_nodes = len(self.node_ids)
        travel = travel_columns(links)
        own = ({} if disruptions is None or disruptions.empty
               else {key: rows for key, rows in disruptions.groupby("element", sort=False)})
        node_rows = {pos: rows for key, rows in own.items()
                     if (pos := self.node_pos.get(key)) is not None}
        link_rows = {pos: rows for key, rows in own.items()
                     if (pos := self.link_pos.get(key)) is not None}
        counts = np.concatenate([np.ones(n_nodes, dtype=np.int64),
                                 np.where(travel["water"], 2, 1).astype(np.int64)])
        for pos, rows in node_rows.items():
            counts[pos] += len(rows)
        for pos, rows in link_rows.items():
            counts[n_nodes + pos] += len(rows)
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        total = int(starts[-1])
        element = np.repeat(np.asarray(self.node_ids + self.link_ids, dtype=object), counts)
        kind = np.empty(total, dtype=object)
        lo, mode, hi = np.zeros(total), np.zeros(total), np.zeros(total)
        chance = np.ones(total)
        source = np.full(total, "", dtype=object)
        first = starts[:n_nodes]
        kind[first] = DWELL
        lo[first], mode[first], hi[first] = dwell_spreads(nodes)
        first = starts[n_nodes:-1]
        water = travel["water"]
        wait = first[water]  # a ferry waits, then sails: the sailing is its second component
        kind[wait], mode[wait], hi[wait] = FERRY_WAIT, travel["wait_mode"][water], travel["wait_hi"][water]
        runs = first + water
        kind[runs] = np.where(water, SAILING, RUN)
        lo[runs], mode[runs], hi[runs] = travel["run_lo"], travel["run_mode"], travel["run_hi"]
        special = [(pos, node_components(self.node_ids[pos], row, node_rows[pos]))
                   for pos, row in zip(node_rows, row_dicts(nodes.iloc[list(node_rows)]),
                                       strict=True)]
        special += [(n_nodes + pos, link_components(self.link_ids[pos], row, link_rows[pos]))
                    for pos, row in zip(link_rows, row_dicts(links.iloc[list(link_rows)]),
                                        strict=True)]
        for pos, bundle in special:
            for c, component in enumerate(bundle, start=int(starts[pos])):
                kind[c], chance[c], source[c] = component.kind, component.chance, component.source
                lo[c], mode[c], hi[c] = component.spread.lo, component.spread.mode, component.spread.hi
        self.components = ComponentTable.from_columns(element, kind, lo, mode, hi, chance, source)
        self.node_part_start, self.node_part_count = starts[:n_nodes], counts[:n_nodes]
        self.link_part_start, self.link_part_count = starts[n_nodes:-1], counts[n_nodes:]
        owner = np.repeat(np.arange(len(counts)), counts)
        self.component_node = np.where(owner < n_nodes, owner, -1)  # -1 for link components
        self.component_link = np.where(owner >= n_nodes, owner - n_nodes, -1)

    def _build(self, nodes, links, disruptions) -> None:
        self._components(nodes, links, disruptions)
        node_kinds = [tuple(k) if isinstance(k, list | tuple | np.ndarray) else ()
                      for k in nodes["kind"]]
        link_from = nodes.index.get_indexer(links["from"]).astype(np.int64)
        link_to = nodes.index.get_indexer(links["to"]).astype(np.int64)
        water = np.isin(self.link_mode, list(WATER_MODES))
        gauge = links["gauge_mm"].to_numpy(dtype=float, na_value=0.0)
        track = np.where(water, WATER, np.nan_to_num(gauge).astype(np.int64))
        layout = _NodeLayout(len(self.node_ids), node_kinds, link_from, link_to, track)
        self.state_node, self.state_track = layout.state_node, layout.state_track
        self.state_paid, self.state_side = layout.state_paid, layout.state_side
        switch = layout.switch_edges()
        moves = _link_edges(layout, link_from, link_to, track, self.country,
                            np.asarray([_pays_border(k) for k in node_kinds], dtype=bool))
        self.src = np.concatenate([switch["src"], moves["src"]])
        self.dst = np.concatenate([switch["dst"], moves["dst"]])
        self.edge_link = np.concatenate([np.full(len(switch["src"]), -1, dtype=np.int64),
                                         moves["link"]])
        n_node_parts = self.node_part_count
        segments = np.concatenate([
            np.column_stack([self.node_part_start[switch["node"]],
                             np.where(switch["pays"], n_node_parts[switch["node"]], 0),
                             np.zeros((len(switch["src"]), 4), dtype=np.int64)]),
            np.column_stack([self.node_part_start[moves["a"]],
                             np.where(moves["exit_pays"], n_node_parts[moves["a"]], 0),
                             self.link_part_start[moves["link"]],
                             self.link_part_count[moves["link"]],
                             self.node_part_start[moves["b"]],
                             np.where(moves["entry_pays"], n_node_parts[moves["b"]], 0)]),
        ])  # per edge: (first, count) of the exit node's, the link's and the entry node's parts
        self._part_arrays = _concatenated_ranges(segments[:, 0::2], segments[:, 1::2])
        self.weight = _sequential_sums(self.components.mean, *self._part_arrays) + _EPS
        self.edge_src_node = self.state_node[self.src]
        self.edge_dst_node = self.state_node[self.dst]
        self._edge_cache: dict[bytes, np.ndarray] = {}
        self._csr_cache: dict[bytes, dict] = {}
        self._search_lock = threading.Lock()
        self._sorted_edges: np.ndarray | None = None
        self._steps: dict[int, tuple[Step, ...]] = {}
        if self.n_states > SMALL_GRAPH_STATES:  # the unconstrained journey's search graph
            self._route_graph(None, self._open_mask_key())

    #: attributes made on demand from the arrays: not pickled
    _ON_DEMAND = ("_states", "_node_bundle", "_link_bundle", "_open_key", "_sibling_edges")

    def __getstate__(self) -> dict:  # pickled by the network cache: a lock cannot be
        state = dict(self.__dict__)
        state.pop("_search_lock", None)
        for name in self._ON_DEMAND:
            state.pop(name, None)
        state["_csr_cache"] = {}
        # the route graph of the unconstrained journey is kept (load builds it); others are not
        everything = self._open_mask_key()
        state["_route_cache"] = {key: graph for key, graph in self.__dict__.get(
            "_route_cache", {}).items() if key == everything}
        state.pop("_mask_uses", None)
        state["_steps"] = {}  # memoised per query; rebuilt on demand
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._search_lock = threading.Lock()

    def mask_key(self, mask: np.ndarray) -> bytes:
        """The key of an edge mask in the per-mask caches (its bytes).

        The mask of every edge, which most journeys use, always gives the same bytes object,
        so its hash (a pass over a megabyte or two on a large graph) is computed only once.
        """
        if mask.all():
            if "_open_key" not in self.__dict__:
                self._open_key = mask.tobytes()
            return self._open_key
        return mask.tobytes()

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self.state_node)

    @property
    def states(self) -> list[tuple[int, int, int, int]]:
        """Every state as ``(node position, track, paid, side)`` (a list made on first use; the
        arrays ``state_node``, ``state_track``, ``state_paid``, ``state_side`` hold the same)."""
        if "_states" not in self.__dict__:
            self._states = list(zip(self.state_node.tolist(), self.state_track.tolist(),
                                    self.state_paid.tolist(), self.state_side.tolist(),
                                    strict=True))
        return self._states

    @property
    def node_bundle(self) -> list[tuple[int, ...]]:
        """Per node, the positions of its components in :attr:`components` (dwell, episodes)."""
        if "_node_bundle" not in self.__dict__:
            self._node_bundle = _bundles(self.node_part_start, self.node_part_count)
        return self._node_bundle

    @property
    def link_bundle(self) -> list[tuple[int, ...]]:
        """Per link, the positions of its components in :attr:`components`, in travel order."""
        if "_link_bundle" not in self.__dict__:
            self._link_bundle = _bundles(self.link_part_start, self.link_part_count)
        return self._link_bundle

    def edge_parts(self, e: int) -> tuple[int, ...]:
        """Positions in :attr:`components` of what edge ``e`` pays, in travel order."""
        indptr, indices = self._part_arrays
        return tuple(indices[indptr[e]:indptr[e + 1]].tolist())

    def edge_labels(self, e: int) -> tuple[str, ...]:
        """Timeline kind of each part of edge ``e`` (see :class:`Step`), from the parts' kinds.

        On a change of track the node's dwell is labelled by the change (``gauge_change`` or
        ``port``); on a link edge a node's dwell is ``border`` time, a sailing ``ferry``; an
        episode is ``disruption`` and any other link component keeps its kind.
        """
        kinds = self.components.kind
        link = int(self.edge_link[e])
        if link < 0:
            tracks = (int(self.state_track[self.src[e]]), int(self.state_track[self.dst[e]]))
            stop = event_kind(True, WATER in tracks)
        else:
            stop = "border"
        labels = []
        for c in self.edge_parts(e):
            kind = kinds[c]
            if kind == DISRUPTION:
                labels.append(DISRUPTION)
            elif self.component_node[c] >= 0:
                labels.append(stop)
            else:
                labels.append("ferry" if kind == SAILING else kind)
        return tuple(labels)

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
        for c, label in zip(self.edge_parts(e), self.edge_labels(e), strict=True):
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
            t_in, t_out = int(self.state_track[self.src[e]]), int(self.state_track[self.dst[e]])
            if t_in != t_out:
                changes.append((int(self.edge_src_node[e]), event_kind(True, WATER in (t_in, t_out))))
        return changes

    def paid_node_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (edge, node position) pair where the edge pays that node's dwell (for capacity
        use), as two arrays, each pair once."""
        indptr, indices = self._part_arrays
        edge = np.repeat(np.arange(len(self.src)), np.diff(indptr))
        node = self.component_node[indices]
        paid = (node >= 0) & (self.components.kind[indices] == DWELL)
        pairs = np.unique(edge[paid] * len(self.node_ids) + node[paid])
        return pairs // len(self.node_ids), pairs % len(self.node_ids)

    def running_hours_all(self) -> np.ndarray:
        """Expected running (or sailing) hours of every link, in link order, without waits,
        dwell or episodes (each link's parts added in travel order)."""
        indptr, parts = _concatenated_ranges(self.link_part_start[:, None],
                                             self.link_part_count[:, None])
        kind = self.components.kind[parts]
        values = np.where((kind == RUN) | (kind == SAILING), self.components.mean[parts], 0.0)
        return _sequential_sums(values, indptr, np.arange(len(parts)))

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

    def states_by_node(self, chosen: np.ndarray) -> dict[str, np.ndarray]:
        """Per node id, the states where the boolean ``chosen`` holds, ascending (one sort)."""
        states = np.flatnonzero(chosen)
        states = states[np.argsort(self.state_node[states], kind="stable")]
        bounds = np.searchsorted(self.state_node[states], np.arange(len(self.node_ids) + 1))
        return {nid: states[bounds[i]:bounds[i + 1]] for i, nid in enumerate(self.node_ids)}

    def origin_states(self, node: str) -> dict[int, float]:
        """Departure states of an origin (unpaid, any track), at zero cost."""
        states = self.states_of(node, OUT)
        return {int(s): 0.0 for s in states if self.state_paid[s] == 0}

    # -- search -------------------------------------------------------------------------------
    def _usable_edges(self, mask: np.ndarray):
        """Usable edges sorted by (src, dst) with the cheapest of parallel edges kept (cached)."""
        key = self.mask_key(mask)
        if _recall(self._edge_cache, key) is None:
            order = self._edges_by_pair()  # sorted once; a mask then filters in linear time
            keep = order[mask[order]]
            first = np.ones(len(keep), dtype=bool)
            first[1:] = (self.src[keep][1:] != self.src[keep][:-1]) | (
                self.dst[keep][1:] != self.dst[keep][:-1]
            )
            _remember(self._edge_cache, key, keep[first])
        return self._edge_cache[key]

    #: spare slots in the cached CSR arrays for the virtual source's edges (more fall back to a copy)
    _SPARE = 64

    def _edges_by_pair(self) -> np.ndarray:
        """Every edge, sorted by (src, dst) and then weight (sorted once)."""
        if self._sorted_edges is None:
            self._sorted_edges = np.lexsort((self.weight, self.dst, self.src))
        return self._sorted_edges

    def _search_graph(self, mask: np.ndarray) -> dict:
        """CSR arrays of the usable edges plus an empty last row for the virtual source (cached
        per mask), and the sorted (src, dst) keys of those edges for :meth:`trace`."""
        key = self.mask_key(mask)
        cached = _recall(self._csr_cache, key)
        if cached is None:
            n = self.n_states
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
                      "keys": src * (n + 1) + dst, "edges": keep, "sole": _sole_in_edges(n, dst, keep)}
            _remember(self._csr_cache, key, cached)
        return cached

    def distances(self, sources: Mapping[int, float], mask: np.ndarray):
        """Dijkstra from a set of states with initial costs; returns (dist, pred, edge lookup).

        The sources hang off a virtual state (index ``len(states)``) whose edges to them cost
        their initial costs; the graph of usable edges is built once per mask.
        """
        n = self.n_states
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
            with self._search_lock:  # the virtual source's edges are added for one search
                if "rx" not in graph:  # one rustworkx graph per mask
                    graph["rx"] = small_graph(n + 1, graph["edge_list"])
                added = graph["rx"].add_edges_from(virtual)
                try:
                    dist, pred = small_search(graph["rx"], n)
                finally:
                    for index in added:
                        graph["rx"].remove_edge_from_index(index)
            return dist, pred, (graph["keys"], graph["edges"], graph["sole"])
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
        return dist, pred, (graph["keys"], graph["edges"], graph["sole"])

    def best_target(self, dist: np.ndarray, node: str) -> int | None:
        """Cheapest reachable arrival state of a node, or None."""
        targets = self.states_of(node, IN)
        if len(targets) == 0:
            return None
        best = targets[np.argmin(dist[targets])]
        return int(best) if np.isfinite(dist[best]) else None

    def trace(self, pred: np.ndarray, lookup, target: int) -> list[int]:
        """Edge indices (into the full edge arrays) of the path ending at ``target``."""
        keys, edges = lookup[:2]
        n = self.n_states
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
        keys, edges = lookup[:2]
        n = self.n_states
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
            if found:
                lookup = found[0][2]
            else:
                graph = self._search_graph(mask)
                lookup = (graph["keys"], graph["edges"], graph["sole"])
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
            # int32 indices throughout: scipy's Dijkstra would otherwise copy them to int32
            indptr = np.concatenate([graph["indptr"][:n + 1],
                                     nnz + np.cumsum(counts)]).astype(np.int32)
            indices = np.concatenate([graph["indices"][:nnz], *starts]).astype(np.int32,
                                                                                 copy=False)
            data = np.concatenate([graph["data"][:nnz], *init])
            size = n + len(batch)
            matrix = csr_matrix((data, indices, indptr), shape=(size, size), copy=False)
            dist, pred = dijkstra(matrix, directed=True, indices=np.arange(n, size),
                                  return_predecessors=True)
            dist_rows.append(dist[:, :n])
            pred_rows.append(pred[:, :n])
        if len(dist_rows) == 1:  # one batch (as :func:`corridor.transit.matrix` asks): no copy
            return dist_rows[0], pred_rows[0], (graph["keys"], graph["edges"], graph["sole"])
        return np.vstack(dist_rows), np.vstack(pred_rows), (graph["keys"], graph["edges"], graph["sole"])

    def trace_rows(self, pred: np.ndarray, lookup, rows: np.ndarray,
                   targets: np.ndarray) -> list[np.ndarray]:
        """:meth:`trace` of ``targets[k]`` on search ``rows[k]`` of :meth:`distances_many`, for all
        k at once (one vectorised step per edge of the longest path)."""
        keys, edges, sole = lookup
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
        into = sole[chains[1:][used]]  # a state entered by one usable edge needs no search
        search = into < 0
        into[search] = edges[np.searchsorted(keys, (chains[:-1] * (n + 1) + chains[1:])[used][search])]
        found = np.zeros(used.shape, dtype=np.int64)
        found[used] = into
        return [found[used[:, j], j] for j in range(len(targets))]

    def part_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The components each edge pays as CSR arrays (indptr, indices)."""
        return self._part_arrays

    def shortest(
        self, origin: str, destination: str, via: list[str], mask: np.ndarray
    ) -> Path:
        """Fastest path origin → via… → destination under an edge mask.

        On large graphs each leg is searched on :meth:`_route_graph` (the same paths on fewer
        states): the mask's own when it has one, else the unconstrained journey's with the edges
        the mask closes weighted infinite (:meth:`_maskable`); the hours are the path's edge
        weights added in travel order, as Dijkstra adds them.

        Raises
        ------
        NoRouteError
            When a leg of the journey cannot be completed.
        """
        sources = self.origin_states(origin)
        if not sources:
            raise NoRouteError(f"{origin} is not open for traffic under these conditions")
        edges: list[int] = []
        start = origin
        key = self.mask_key(mask) if self.n_states > SMALL_GRAPH_STATES else b""
        for stop in [*via, destination]:
            leg = None
            if stop != start and self.n_states > SMALL_GRAPH_STATES:
                leg = self._large_graph_leg(sources, stop, mask, key)
            if leg is None:
                leg = self._full_leg(sources, stop, mask)
            if leg is None:
                raise NoRouteError(f"no route from {start} to {stop} under these conditions")
            target, hours, segment = leg
            edges += segment
            sources = {target: hours}
            start = stop
        return self.as_path(origin, edges, hours)

    def _full_leg(self, sources: Mapping[int, float], stop: str, mask: np.ndarray) -> _Leg | None:
        """(target state, hours, edges) of one leg by :meth:`distances`, or None."""
        dist, pred, lookup = self.distances(sources, mask)
        target = self.best_target(dist, stop)
        if target is None:
            return None
        return target, float(dist[target]), self.trace(pred, lookup, target)

    def _large_graph_leg(self, sources: Mapping[int, float], stop: str, mask: np.ndarray,
                         key: bytes) -> _Leg | None:
        """One leg on a large graph by a route graph (see :meth:`shortest`), or None (then the
        full search decides)."""
        open_key = self._open_mask_key()
        if key is open_key or key in self.__dict__.get("_route_cache", {}):
            return self._route_leg(sources, stop, self._route_graph(mask, key))
        if self._maskable(mask):
            return self._route_leg(sources, stop, self._route_graph(None, open_key), mask)
        if self._worth_a_route_graph(key):
            return self._route_leg(sources, stop, self._route_graph(mask, key))
        return None

    def _open_mask_key(self) -> bytes:
        """:meth:`mask_key` of the mask of every edge (the same bytes object every time)."""
        if "_open_key" not in self.__dict__:
            self.mask_key(np.ones(len(self.src), dtype=bool))
        return self._open_key

    def _maskable(self, mask: np.ndarray) -> bool:
        """Whether the unconstrained journey's route graph, with the edges ``mask`` closes taken
        out, has the paths of ``mask``: it keeps only the cheapest of parallel edges (same two
        states), so a mask that closes one of a group of parallel edges could open another."""
        if "_sibling_edges" not in self.__dict__:  # the edges that have a parallel one
            order = self._edges_by_pair()  # parallel edges are neighbours
            pair = self.src[order] * self.n_states + self.dst[order]
            same = np.zeros(len(pair), dtype=bool)
            same[1:] = pair[1:] == pair[:-1]
            same[:-1] |= same[1:]
            self._sibling_edges = order[same]
        return bool(mask[self._sibling_edges].all())

    def _worth_a_route_graph(self, key: bytes) -> bool:
        """Whether a mask (of ``key``, :meth:`mask_key`) without a route graph yet, which the
        unconstrained journey's cannot stand in for, gets one of its own: when it is searched a
        second time (making one costs a few full searches, so a mask searched once is not worth
        it)."""
        uses = self.__dict__.setdefault("_mask_uses", {})
        uses[key] = uses.get(key, 0) + 1
        if len(uses) > 64:
            uses.pop(next(iter(uses)))
        return uses[key] > 1

    def _route_graph(self, mask: np.ndarray | None, key: bytes) -> dict:
        """The usable edges for one journey's search, on fewer states (cached per mask).

        An arrival state whose only usable edge is the free step to departure on the same track
        (a node passed through) is merged into that departure state: the edges into it lead to
        the departure state and carry the step's weight. States no usable edge touches are left
        out. Shortest paths are those of the state graph; each edge of this graph names the edge
        it stands for (``edge``) and the free step after it (``then``, -1 for none).
        """
        cache = self.__dict__.setdefault("_route_cache", {})
        cached = _recall(cache, key)
        if cached is not None:
            return cached
        n = self.n_states
        if mask is None:  # the unconstrained journey's
            mask = np.ones(len(self.src), dtype=bool)
        keep = self._reachable_edges(self._usable_edges(mask))
        src, dst, weight = self.src[keep], self.dst[keep], self.weight[keep]
        out_degree = np.bincount(src, minlength=n)
        passing = ((self.edge_link[keep] < 0) & (self.state_side[src] == IN)
                   & (self.state_track[src] == self.state_track[dst]) & (out_degree[src] == 1))
        merged = src[passing]
        into = np.arange(n)
        into[merged] = dst[passing]
        step_weight = np.zeros(n)
        step_weight[merged] = weight[passing]
        step_edge = np.full(n, -1, dtype=np.int64)
        step_edge[merged] = keep[passing]
        rest = ~passing
        src, dst, weight, edge = src[rest], dst[rest], weight[rest], keep[rest]
        head = into[dst]
        live = np.flatnonzero(np.bincount(src, minlength=n) + np.bincount(head, minlength=n))
        local = np.full(n, -1, dtype=np.int64)
        local[live] = np.arange(len(live))
        m = len(live)
        rows, cols = local[src], local[head]
        keys = rows * (m + 1) + cols
        # merging keeps the (src, dst) order of the usable edges wherever a passed arrival's
        # departure state follows it directly, as node templates make it; sorted otherwise
        order = (np.arange(len(keys)) if np.all(keys[1:] > keys[:-1])
                 else np.lexsort((cols, rows)))
        rows, cols, keys = rows[order], cols[order], keys[order]
        indptr = np.zeros(m + 2, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=m), out=indptr[1:m + 1])
        indptr[m + 1] = indptr[m]
        by_target = np.flatnonzero(step_edge[dst] >= 0)  # edges into merged states
        nnz = len(cols)
        indices = np.empty(nnz + self._SPARE, dtype=np.int32)  # spare slots: the virtual source
        indices[:nnz] = cols
        data = np.empty(nnz + self._SPARE)
        data[:nnz] = (weight + step_weight[dst])[order]
        cached = {"indptr": indptr, "indices": indices, "data": data, "nnz": nnz, "keys": keys,
                  "edge": edge[order], "then": step_edge[dst][order], "local": local,
                  "into": into, "step_weight": step_weight, "step_edge": step_edge,
                  "merged_dst": dst[by_target], "merged_row": local[src[by_target]],
                  "merged_weight": weight[by_target], "merged_edge": edge[by_target]}
        # the unconstrained journey's graph (built on load) stays; other masks come and go
        _remember(cache, key, cached, pinned=self._open_mask_key())
        return cached

    def _reachable_edges(self, edges: np.ndarray) -> np.ndarray:
        """``edges`` without those leaving states no journey can reach: states without an
        entering edge, other than the unpaid departures a journey starts from, in turn."""
        start = (self.state_side == OUT) & (self.state_paid == 0)
        while True:
            entered = np.bincount(self.dst[edges], minlength=self.n_states) > 0
            dead = ~entered[self.src[edges]] & ~start[self.src[edges]]
            if not dead.any():
                return edges
            edges = edges[~dead]

    def _route_leg(self, sources: Mapping[int, float], stop: str, graph: dict,
                   closing: np.ndarray | None = None) -> _Leg | None:
        """(target state, hours, edges) of one leg searched on a :meth:`_route_graph`; None when
        the stop cannot be reached from these sources. ``closing``: an edge mask whose closed
        edges the search may not use (the graph is then the unconstrained journey's)."""
        from scipy.sparse import csr_matrix  # deferred: only large graphs need it
        from scipy.sparse.csgraph import dijkstra

        local, m = graph["local"], len(graph["indptr"]) - 2
        starts, init, first = [], [], {}
        for state, cost in sources.items():
            step = int(graph["step_edge"][state])
            head = int(graph["into"][state])  # a merged arrival starts at its departure state
            if local[head] < 0 or (closing is not None and step >= 0 and not closing[step]):
                continue
            starts.append(int(local[head]))
            init.append(cost + float(graph["step_weight"][state]) + _EPS)
            first[int(local[head])] = [step] if step >= 0 else []
        if not starts:
            return None
        order = np.argsort(starts)
        starts_arr = np.asarray(starts, dtype=np.int32)[order]
        nnz, extra = graph["nnz"], len(starts)
        indptr = graph["indptr"].copy()
        indptr[m + 1] = nnz + extra
        with self._search_lock:  # the spare slots of the cached arrays are filled per search
            if closing is not None:  # a closed edge (or the free step after it) weighs infinity
                then = graph["then"]
                open_edge = closing[graph["edge"]] & ((then < 0) | closing[np.maximum(then, 0)])
                indices = np.concatenate([graph["indices"][:nnz], starts_arr])
                data = np.concatenate([np.where(open_edge, graph["data"][:nnz], np.inf),
                                       np.asarray(init)[order]])
            elif extra <= self._SPARE:
                indices, data = graph["indices"], graph["data"]
                indices[nnz:nnz + extra] = starts_arr
                data[nnz:nnz + extra] = np.asarray(init)[order]
                indices, data = indices[:nnz + extra], data[:nnz + extra]
            else:
                indices = np.concatenate([graph["indices"][:nnz], starts_arr])
                data = np.concatenate([graph["data"][:nnz], np.asarray(init)[order]])
            matrix = csr_matrix((data, indices, indptr), shape=(m + 1, m + 1), copy=False)
            dist, pred = dijkstra(matrix, directed=True, indices=m, return_predecessors=True)
        found = self._route_target(graph, dist, stop, closing)
        if found is None:
            return None
        row, last = found
        chain = [row]
        step_back = pred.item  # a Python int per step: far cheaper than numpy scalars
        up = step_back(row)
        while up >= 0 and up != m:
            chain.append(up)
            up = step_back(up)
        chain.reverse()
        rows = np.asarray(chain, dtype=np.int64)
        at = np.searchsorted(graph["keys"], rows[:-1] * (m + 1) + rows[1:])
        segment = list(first[chain[0]])
        for edge, then in zip(graph["edge"][at].tolist(), graph["then"][at].tolist(), strict=True):
            segment.append(edge)
            if then >= 0:
                segment.append(then)
        if last >= 0:
            segment.append(last)
        start_state = next(s for s in sources if int(local[graph["into"][s]]) == chain[0])
        hours = float(sources[start_state]) + _EPS
        for weight in self.weight[segment].tolist():
            hours += weight
        target = int(self.dst[segment[-1]]) if segment else start_state
        return target, hours, segment

    def _route_target(self, graph: dict, dist: np.ndarray, stop: str,
                      closing: np.ndarray | None = None) -> tuple[int, int] | None:
        """The cheapest arrival state of ``stop`` in a :meth:`_route_leg` search, as (row of the
        search graph to trace to, edge from it to a merged arrival state or -1); None if none."""
        best, found = np.inf, None
        for state in self.states_of(stop, IN).tolist():
            if graph["step_edge"][state] >= 0:  # merged: reached by one of its own edges
                into = np.flatnonzero(graph["merged_dst"] == state)
                if closing is not None:
                    into = into[closing[graph["merged_edge"][into]]]
                if not len(into):
                    continue
                costs = dist[graph["merged_row"][into]] + graph["merged_weight"][into]
                k = int(np.argmin(costs))
                cost, here = float(costs[k]), (int(graph["merged_row"][into[k]]),
                                               int(graph["merged_edge"][into[k]]))
            else:
                row = int(graph["local"][state])
                if row < 0:
                    continue
                cost, here = float(dist[row]), (row, -1)
            if cost < best:
                best, found = cost, here
        return found if np.isfinite(best) else None

    def as_path(self, origin: str, edges: list[int], hours: float) -> Path:
        used = np.asarray(edges, dtype=np.int64)
        link = self.edge_link[used]
        moves = link >= 0
        nodes = [origin, *(self.node_ids[i] for i in self.edge_dst_node[used[moves]].tolist())]
        links = [self.link_ids[i] for i in link[moves].tolist()]
        return Path(hours, nodes, links, tuple(edges))


def _pays_border(kinds: tuple[str, ...]) -> bool:
    """Whether a train crossing a border at a node with these roles pays the node."""
    return pays_node(kinds, changes_track=False, crosses_border=True)


def _node_template(kinds: tuple[str, ...], tracks: tuple[int, ...]
                   ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, bool]]]:
    """States and track-switch edges of one node, numbered in the order the state graph has
    always made them: tracks in the iteration order of a set filled in ``tracks`` order (the
    order links first reach the node), for each pair of tracks the node can switch between,
    unpaid then paid.

    Returns the states as ``(track, paid, side)`` and the edges as ``(from, to, pays)`` local
    indices (``pays``: the edge pays the node's bundle).
    """
    order: set[int] = set()
    for t in tracks:
        order.add(t)
    roles = set(kinds)
    local: dict[tuple[int, int, int], int] = {}
    states: list[tuple[int, int, int]] = []

    def state(track: int, paid: int, side: int) -> int:
        key = (track, paid, side)
        if key not in local:
            local[key] = len(states)
            states.append(key)
        return local[key]

    edges: list[tuple[int, int, bool]] = []
    for t_in in order:
        for t_out in order:
            if not can_switch(roles, t_in, t_out):
                continue
            for paid in (0, 1):
                a = state(t_in, paid, IN)
                if t_in == t_out:
                    edges.append((a, state(t_out, paid, OUT), False))
                else:
                    pays = not paid and pays_node(roles, changes_track=True, crosses_border=False)
                    edges.append((a, state(t_out, 1, OUT), pays))
    return states, edges


class _NodeLayout:
    """Every node's states (one block per node, in node order) and its track-switch edges.

    Parameters
    ----------
    n_nodes : int
    node_kinds : list of tuple of str
        Each node's roles.
    link_from, link_to, track : numpy.ndarray
        Per link: node positions of its ends and its track code.
    """

    def __init__(self, n_nodes: int, node_kinds: list[tuple[str, ...]], link_from: np.ndarray,
                 link_to: np.ndarray, track: np.ndarray):
        ends = np.column_stack([link_from, link_to]).ravel()
        self.track_values = np.unique(track)
        n_codes = max(len(self.track_values), 1)
        self._n_codes = n_codes
        code = np.searchsorted(self.track_values, np.repeat(track, 2))
        keys, first = np.unique(ends * n_codes + code, return_index=True)
        node_of, code_of = keys // n_codes, keys % n_codes
        by_arrival = np.lexsort((first, node_of))  # per node, tracks in the order links reach it
        n_tracks = np.bincount(node_of, minlength=n_nodes)
        node_start = np.cumsum(n_tracks) - n_tracks
        slot = np.empty(len(keys), dtype=np.int64)
        slot[by_arrival] = np.arange(len(keys)) - node_start[node_of[by_arrival]]
        self._pair_keys, self._pair_slot = keys, slot
        width = int(n_tracks.max(initial=0))
        tracks = np.full((n_nodes, width), -1, dtype=np.int64)
        tracks[node_of, slot] = code_of
        role_ids: dict[tuple[str, ...], int] = {}
        roles = np.fromiter((role_ids.setdefault(tuple(sorted(set(k))), len(role_ids))
                             for k in node_kinds), dtype=np.int64, count=n_nodes)
        signatures, self._signature = np.unique(np.column_stack([roles, tracks]), axis=0,
                                                return_inverse=True)
        self._signature = self._signature.reshape(-1)
        role_of = {i: r for r, i in role_ids.items()}
        self._templates = [
            _node_template(role_of[int(row[0])],
                           tuple(int(self.track_values[c]) for c in row[1:] if c >= 0))
            for row in signatures]
        self._local = np.zeros((len(signatures), max(width, 1), 2, 2), dtype=np.int64)
        for s, (row, (states, _)) in enumerate(zip(signatures, self._templates, strict=True)):
            where = {key: i for i, key in enumerate(states)}
            for j, c in enumerate(row[1:]):
                if c >= 0:
                    for paid in (0, 1):
                        for side in (IN, OUT):
                            self._local[s, j, paid, side] = where[(int(self.track_values[c]),
                                                                    paid, side)]
        self._state_counts = np.asarray([len(t[0]) for t in self._templates],
                                        dtype=np.int64)[self._signature]
        self.base = np.cumsum(self._state_counts) - self._state_counts
        self._lay_out_states()

    def _members(self) -> Iterator[tuple[int, tuple, np.ndarray]]:
        """(signature index, its template, positions of the nodes that have it)."""
        order = np.argsort(self._signature, kind="stable")
        bounds = np.searchsorted(self._signature[order], np.arange(len(self._templates) + 1))
        for s, template in enumerate(self._templates):
            yield s, template, order[bounds[s]:bounds[s + 1]]

    def _lay_out_states(self) -> None:
        total = int(self._state_counts.sum())
        self.state_node = np.empty(total, dtype=np.int64)
        self.state_track = np.empty(total, dtype=np.int64)
        self.state_paid = np.empty(total, dtype=np.int64)
        self.state_side = np.empty(total, dtype=np.int64)
        for _, (states, _), members in self._members():
            if not states or not len(members):
                continue
            table = np.asarray(states, dtype=np.int64)
            at = (self.base[members][:, None] + np.arange(len(states))).ravel()
            self.state_node[at] = np.repeat(members, len(states))
            for column, target in enumerate((self.state_track, self.state_paid, self.state_side)):
                target[at] = np.tile(table[:, column], len(members))

    def switch_edges(self) -> dict[str, np.ndarray]:
        """The edges inside nodes, node by node: ``src``, ``dst``, ``node``, ``pays``."""
        counts = np.asarray([len(t[1]) for t in self._templates], dtype=np.int64)[self._signature]
        edge_base = np.cumsum(counts) - counts
        total = int(counts.sum())
        out = {name: np.empty(total, dtype=np.int64) for name in ("src", "dst", "node")}
        out["pays"] = np.zeros(total, dtype=bool)
        for _, (_, edges), members in self._members():
            if not edges or not len(members):
                continue
            table = np.asarray(edges, dtype=np.int64)
            at = (edge_base[members][:, None] + np.arange(len(edges))).ravel()
            base = np.repeat(self.base[members], len(edges))
            out["src"][at] = base + np.tile(table[:, 0], len(members))
            out["dst"][at] = base + np.tile(table[:, 1], len(members))
            out["node"][at] = np.repeat(members, len(edges))
            out["pays"][at] = np.tile(table[:, 2].astype(bool), len(members))
        return out

    def state_of(self, node: np.ndarray, track: np.ndarray, paid: np.ndarray,
                 side: int) -> np.ndarray:
        """Indices of the states ``(node, track, paid, side)`` (which must exist)."""
        code = np.searchsorted(self.track_values, track)
        slot = self._pair_slot[np.searchsorted(self._pair_keys, node * self._n_codes + code)]
        return self.base[node] + self._local[self._signature[node], slot, paid, side]


def _link_edges(layout: _NodeLayout, link_from: np.ndarray, link_to: np.ndarray,
                track: np.ndarray, country: np.ndarray, border: np.ndarray) -> dict[str, np.ndarray]:
    """The moves along links: per link, forward unpaid, forward paid, back unpaid, back paid.

    A move leaves ``(a, track, paid, OUT)`` and reaches ``(b, track, entry_pays, IN)``; it pays
    ``a``'s bundle when it crosses a border there unpaid, ``b``'s when it crosses one there
    (:func:`~corridor.timemodel.pays_node`; ``border``: the node is paid on a crossing).
    """
    n = len(link_from)
    a = np.column_stack([link_from, link_from, link_to, link_to]).ravel()
    b = np.column_stack([link_to, link_to, link_from, link_from]).ravel()
    paid = np.tile(np.array([0, 1, 0, 1], dtype=np.int64), n)
    t = np.repeat(track, 4)
    crossing = np.asarray(country[a] != country[b], dtype=bool)
    exit_pays = (paid == 0) & crossing & border[a]
    entry_pays = crossing & border[b]
    return {"a": a, "b": b, "link": np.repeat(np.arange(n, dtype=np.int64), 4),
            "src": layout.state_of(a, t, paid, OUT),
            "dst": layout.state_of(b, t, entry_pays.astype(np.int64), IN),
            "exit_pays": exit_pays, "entry_pays": entry_pays}


def _concatenated_ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices) of rows made of consecutive runs: row ``i`` is
    ``range(starts[i, k], starts[i, k] + counts[i, k])`` for each column ``k`` in turn."""
    flat_starts, flat_counts = starts.ravel(), counts.ravel()
    offsets = np.cumsum(flat_counts) - flat_counts
    indices = np.repeat(flat_starts - offsets, flat_counts) + np.arange(int(flat_counts.sum()))
    indptr = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=1), out=indptr[1:])
    return indptr, indices.astype(np.int64)


def _sequential_sums(values: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Per CSR row, the sum of ``values[indices]`` added left to right (as Python's ``sum``)."""
    lengths = np.diff(indptr)
    out = np.zeros(len(lengths))
    for k in range(int(lengths.max(initial=0))):
        rows = np.flatnonzero(lengths > k)
        out[rows] += values[indices[indptr[rows] + k]]
    return out


def _bundles(starts: np.ndarray, counts: np.ndarray) -> list[tuple[int, ...]]:
    """``tuple(range(start, start + count))`` per element."""
    return [tuple(range(s, s + c)) for s, c in zip(starts.tolist(), counts.tolist(), strict=True)]
