"""Capacity model on the gauge-aware state graph: element costs, congested Dijkstra, max flow.

A node's ``capacity_trains_day`` binds the trains it *handles*: a change of gauge or mode there,
or a border crossing there (the same events for which routing charges its dwell). Trains that only
pass through a junction or terminal, or start or end at a terminal, do not use it (terminal handling
is outside the model, as in ``corridor.transit``). A link's capacity binds every train on it, both
directions together. Capacities are trains per day; ``None`` means not limited.

The wait at a capacity-limited element is the time-dependent M/D/1 queue of
``corridor.bottlenecks.queues`` (Kimber & Hollis 1979; Akçelik 1991) over a planning horizon.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor._graph import IN, OUT, can_switch, link_track
from corridor.bottlenecks import maxflow
from corridor.bottlenecks.queues import HORIZON_DAYS, wait_hours, wait_slope
from corridor.errors import CorridorError

if TYPE_CHECKING:
    from corridor._graph import StateGraph
    from corridor.network import Corridor

CLOSED = 1e9  #: weight of a closed edge; anything this far is unreachable
OPERATING = frozenset({"operating"})


class CapacityModel:
    """Elements (operating nodes, then links) of a network with their capacities, on its state graph.

    Attributes
    ----------
    sg : StateGraph
    ids, types, names : numpy arrays, one entry per element
    capacity : numpy array (NaN = unlimited)
    incidence : scipy.sparse.csr_matrix
        Edges × elements: 1 where an edge uses an element (link edges, node handling edges).
    """

    def __init__(self, net: Corridor, sg: StateGraph):
        self.sg = sg
        nodes = net.nodes.loc[sg.node_ids]
        links = net.links.loc[sg.link_ids]
        self.n_nodes = len(nodes)
        self.ids = np.array([*sg.node_ids, *sg.link_ids], dtype=object)
        self.types = np.array(["node"] * len(nodes) + ["link"] * len(links), dtype=object)
        node_names = net.nodes["name"]
        link_names = [f"{a} – {b}" for a, b in zip(node_names.loc[links["from"]].tolist(),
                                                  node_names.loc[links["to"]].tolist(), strict=True)]
        self.names = np.array([*nodes["name"], *link_names], dtype=object)
        self.capacity = pd.to_numeric(
            pd.concat([nodes["capacity_trains_day"], links["capacity_trains_day"]]), errors="coerce"
        ).to_numpy(dtype=float)
        self.position = {eid: i for i, eid in enumerate(self.ids)}
        # free-flow hours of each element: a node's ordinary dwell, a link's running time only
        # (no border dwell, waits or episodes), both from the time model's components
        self.free_flow_h = np.concatenate([sg.components.mean[sg.node_part_start],
                                           sg.running_hours_all()])
        self.incidence = self._incidence()
        self.incidence_by_element = self.incidence.tocsc()
        self._incidence_t = self.incidence.T.tocsr()  # elements × edges, for element_volume
        #: per edge, the elements it uses (the rows of ``incidence``)
        self.limited = np.flatnonzero(~np.isnan(self.capacity))
        #: edges × capacity-limited elements: which limited elements each edge uses (sparse:
        #: on a large network a dense table would take edges × limited elements)
        self.edge_limited = self.incidence[:, self.limited].tocsr()
        self._pairs()

    # -- structure ---------------------------------------------------------------------------------
    def _incidence(self) -> csr_matrix:
        """Which elements each state edge uses: its link, and every node whose dwell it pays.

        The dwell rule (border crossing, change of gauge or mode) is the routing's own, read from
        ``StateGraph.paid_node_pairs``, so capacity is used exactly where time is charged.
        """
        sg = self.sg
        moves = np.flatnonzero(sg.edge_link >= 0)
        paid_edge, paid_node = sg.paid_node_pairs()
        rows = np.concatenate([moves, paid_edge])
        cols = np.concatenate([self.n_nodes + sg.edge_link[moves], paid_node])
        return coo_matrix((np.ones(len(rows)), (rows, cols)),
                          shape=(len(sg.src), len(self.ids))).tocsr()

    def _pairs(self) -> None:
        """Unique (state, state) pairs in CSR order; parallel edges keep the cheapest."""
        sg = self.sg
        n = len(sg.states)
        order = np.lexsort((sg.dst, sg.src))
        keys = sg.src[order] * n + sg.dst[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        self.pair_of_edge = np.empty(len(order), dtype=np.int64)
        self.pair_of_edge[order] = np.cumsum(first) - 1
        unique = keys[first]
        self.pair_keys = unique
        self.pair_src, self.pair_dst = unique // n, unique % n
        self.indptr = np.searchsorted(self.pair_src, np.arange(n + 1))
        self.n_states = n
        self.arrivals = sg.states_by_node(sg.state_side == IN)
        self.departures = sg.states_by_node((sg.state_side == OUT) & (sg.state_paid == 0))
        # nodes touched by each edge (for closures)
        self.edge_nodes = (sg.edge_src_node, sg.edge_dst_node)

    # -- costs -------------------------------------------------------------------------------------
    def delay(self, volume: np.ndarray, horizon_days: float = HORIZON_DAYS) -> np.ndarray:
        """Mean queueing wait in hours per train on each element at these volumes (trains/day)."""
        return wait_hours(volume, self.capacity, horizon_days)

    def delay_slope(self, volume: np.ndarray, horizon_days: float = HORIZON_DAYS) -> np.ndarray:
        """Derivative of :meth:`delay` with respect to each element's volume."""
        return wait_slope(volume, self.capacity, horizon_days)

    def edge_deficit(self, share: np.ndarray) -> np.ndarray:
        """Per edge, the largest share of trains held by a limited element it uses (0 if none)."""
        uses = self.edge_limited
        deficit = np.zeros(uses.shape[0])
        rows = np.flatnonzero(np.diff(uses.indptr))  # edges using some limited element
        if len(rows):
            held = (1.0 - share[self.limited])[uses.indices]
            deficit[rows] = np.maximum(np.maximum.reduceat(held, uses.indptr[rows]), 0.0)
        return deficit

    def edge_costs(self, element_delay: np.ndarray) -> np.ndarray:
        """Hours of every state-graph edge: free-flow weight plus the delays of its elements."""
        return self.sg.weight + self.incidence @ element_delay

    def element_volume(self, edge_flow: np.ndarray) -> np.ndarray:
        """Trains per day on each element from trains per day on each edge."""
        return self._incidence_t @ edge_flow

    def closed_edges(self, element: int) -> np.ndarray:
        """Indices of the edges unusable when an element is closed."""
        if element < self.n_nodes:
            src, dst = self.edge_nodes
            return np.flatnonzero((src == element) | (dst == element))
        return np.flatnonzero(self.sg.edge_link == element - self.n_nodes)

    # -- search ------------------------------------------------------------------------------------
    def graph(self, costs: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
        """CSR matrix of the cheapest edge per state pair, and which edge that is."""
        order = np.lexsort((costs, self.pair_of_edge))
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.pair_of_edge[order][1:] != self.pair_of_edge[order][:-1]
        chosen = order[first]
        matrix = csr_matrix((costs[chosen], self.pair_dst, self.indptr),
                            shape=(self.n_states, self.n_states))
        return matrix, chosen

    def tree(self, matrix: csr_matrix, origin: str):
        """Dijkstra from all departure states of an origin: (dist, pred) over states."""
        starts = self.departures.get(origin, ())
        if len(starts) == 0:
            return np.full(self.n_states, np.inf), np.full(self.n_states, -9999)
        dist, pred, _ = dijkstra(matrix, directed=True, indices=starts, min_only=True,
                                 return_predecessors=True)
        return dist, pred

    def target(self, dist: np.ndarray, destination: str) -> int | None:
        """Cheapest reachable arrival state of a destination, or None."""
        targets = self.arrivals.get(destination, ())
        if len(targets) == 0:
            return None
        best = int(targets[np.argmin(dist[targets])])
        return best if dist[best] < CLOSED / 2 else None

    def trees(self, matrix: csr_matrix, origins: Sequence[str]):
        """Dijkstra from the departure states of several origins in one call.

        Returns (dist, pred, rows): ``dist``/``pred`` have one row per start state and ``rows`` maps
        each origin to its rows.
        """
        starts = [self.departures.get(o, np.empty(0, dtype=np.int64)) for o in origins]
        sizes = np.cumsum([0, *(len(s) for s in starts)])
        rows = {o: np.arange(sizes[i], sizes[i + 1]) for i, o in enumerate(origins)}
        indices = np.concatenate(starts) if sizes[-1] else np.empty(0, dtype=np.int64)
        if len(indices) == 0:
            return np.empty((0, self.n_states)), np.empty((0, self.n_states), dtype=np.int32), rows
        dist, pred = dijkstra(matrix, directed=True, indices=indices, return_predecessors=True)
        return np.atleast_2d(dist), np.atleast_2d(pred), rows

    def best_arrival(self, dist: np.ndarray, rows: np.ndarray, destination: str):
        """(row, state, hours) of the cheapest arrival at a destination over some tree rows, or None."""
        targets = self.arrivals.get(destination, ())
        if len(rows) == 0 or len(targets) == 0:
            return None
        block = dist[rows[0]: rows[-1] + 1, targets]  # an origin's rows are consecutive
        r, t = np.unravel_index(np.argmin(block), block.shape)
        hours = float(block[r, t])
        return (int(rows[r]), int(targets[t]), hours) if hours < CLOSED / 2 else None

    def via_tree(self, matrix: csr_matrix, chosen: np.ndarray, origin: str, via: str):
        """Dijkstra from an origin over routes that pass ``via``: (dist, pred) over 2 × states,
        or None when the origin or ``via`` is not in the graph.

        Two copies of the graph: every edge that is charged ``via`` (crosses the border or changes
        gauge there, see ``StateGraph.paid_node_pairs``) leads from the first copy into the second; the
        origin is in the first copy and destinations are looked up in the second.
        """
        n = self.n_states
        starts = self.departures.get(origin, ())
        position = self.position.get(via)
        if len(starts) == 0 or position is None or position >= self.n_nodes:
            return None
        into = self._charged_edges(position)[chosen]
        # first copy: per row, the edges staying in it, then those leading into the second copy
        # (the order a COO → CSR conversion would sort them in); second copy: the graph itself
        order = np.lexsort((into, self.pair_src))
        nnz = len(chosen)
        layered = csr_matrix(
            (np.concatenate([matrix.data[order], matrix.data]),
             np.concatenate([np.where(into, self.pair_dst + n, self.pair_dst)[order],
                             self.pair_dst + n]),
             np.concatenate([self.indptr, self.indptr[1:] + nnz])),
            shape=(2 * n, 2 * n))
        dist, pred, _ = dijkstra(layered, directed=True, indices=starts, min_only=True,
                                 return_predecessors=True)
        return dist, pred.tolist()  # walked in Python by via_path: a list indexes faster

    def _charged_edges(self, position: int) -> np.ndarray:
        """Boolean over state-graph edges: which are charged element ``position`` (memoised)."""
        cache = self.__dict__.setdefault("_charged_cache", {})
        if position not in cache:
            column = self.incidence_by_element[:, position]
            cache[position] = np.asarray(column.todense()).ravel() > 0
        return cache[position]

    def via_path(self, tree, chosen: np.ndarray, destination: str) -> tuple[np.ndarray, float] | None:
        """(edges, hours) of the cheapest route in a :meth:`via_tree` to a destination, or None."""
        targets = self.arrivals.get(destination, ())
        if tree is None or len(targets) == 0:
            return None
        dist, pred = tree
        n = self.n_states
        best = int(targets[np.argmin(dist[targets + n])]) + n
        if not dist[best] < CLOSED / 2:
            return None
        states = np.asarray(_chain(pred, best)[::-1], dtype=np.int64) % n
        keys = states[:-1] * n + states[1:]
        return chosen[np.searchsorted(self.pair_keys, keys)], float(dist[best])

    def via_route(self, matrix: csr_matrix, chosen: np.ndarray, origin: str, via: str,
                  destination: str) -> tuple[np.ndarray, float] | None:
        """Cheapest route origin → destination that passes ``via``: (edges, hours), or None."""
        return self.via_path(self.via_tree(matrix, chosen, origin, via), chosen, destination)

    def path_edges(self, pred, chosen: np.ndarray, target: int) -> np.ndarray:
        """Edge indices of the tree path ending at ``target`` (``pred``: array or list)."""
        chain = np.asarray(_chain(pred, target)[::-1], dtype=np.int64)
        keys = chain[:-1] * self.n_states + chain[1:]
        return chosen[np.searchsorted(self.pair_keys, keys)]

    def path_elements(self, edges: np.ndarray) -> np.ndarray:
        """Every element a path touches: nodes visited and links used."""
        src, dst = self.edge_nodes
        nodes = np.union1d(src[edges], dst[edges])
        links = self.sg.edge_link[edges]
        return np.union1d(nodes, self.n_nodes + links[links >= 0])


def _chain(pred, target: int) -> list[int]:
    """States from ``target`` back to its tree's root along predecessors (array or list)."""
    chain = [target]
    step = pred[target]
    while step >= 0:
        chain.append(step)
        step = pred[step]
    return chain


def capacity_model(net: Corridor) -> CapacityModel:
    """The capacity model of a network's operating elements (built once, cached on the network)."""
    from corridor.transit import state_graph

    return net.derived("capacity_model", lambda: CapacityModel(net, state_graph(net, OPERATING)))


# -- maximum flow and minimum cut ------------------------------------------------------------------

@dataclass(frozen=True)
class _Port:
    node: str
    track: int
    side: str  # "in" or "out"
    crossing: bool


def flow_graph(net: Corridor) -> nx.DiGraph:
    """Directed flow network with node splitting for capacitated nodes, keeping break of gauge.

    A capacitated node gets a gate (``("gate", n, 0) → ("gate", n, 1)``) that its handled trains
    (change of track, or border crossing at a border node) pass; other trains bypass it on their
    own track. Edges carry ``capacity`` (absent = unlimited) and ``element`` (node or link id).
    """
    nodes = net.nodes[net.nodes["status"] == "operating"]
    links = net.links[(net.links["status"] == "operating") & net.links["from"].isin(nodes.index)
                      & net.links["to"].isin(nodes.index)]
    caps = pd.to_numeric(nodes["capacity_trains_day"], errors="coerce")
    gated = {n for n, c in caps.items() if np.isfinite(c)}
    graph = nx.DiGraph()
    tracks: dict[str, set[int]] = {n: set() for n in nodes.index}

    def port(node: str, track: int, side: str, crossing: bool):
        return ("port", node, track, side, crossing and node in gated)

    for lid, link in links.iterrows():
        t = link_track(link)
        tracks[link["from"]].add(t)
        tracks[link["to"]].add(t)
        crossing = nodes.at[link["from"], "country"] != nodes.at[link["to"], "country"]
        attrs = {"element": lid}
        cap = pd.to_numeric(pd.Series([link["capacity_trains_day"]]), errors="coerce").iloc[0]
        if np.isfinite(cap):
            attrs["capacity"] = float(cap)
        for a, b in ((link["from"], link["to"]), (link["to"], link["from"])):
            graph.add_edge(port(a, t, "out", crossing), port(b, t, "in", crossing), **attrs)
    for n, node_tracks in tracks.items():
        kinds = nodes.at[n, "kind"] or []
        border = "border" in kinds
        if n in gated:
            graph.add_edge(("gate", n, 0), ("gate", n, 1), capacity=float(caps[n]), element=n)
        for t_in in node_tracks:
            for t_out in node_tracks:
                if not can_switch(kinds, t_in, t_out):
                    continue
                for x_in in (False, True):
                    for x_out in (False, True):
                        a, b = port(n, t_in, "in", x_in), port(n, t_out, "out", x_out)
                        handled = t_in != t_out or (border and (x_in or x_out))
                        if n in gated and handled:
                            graph.add_edge(a, ("gate", n, 0))
                            graph.add_edge(("gate", n, 1), b)
                        else:
                            graph.add_edge(a, b)
    graph.graph["tracks"] = tracks
    return graph


@dataclass
class MinCut:
    """Maximum trains per day from sources to sinks and the elements of the cut that limits it.

    Attributes
    ----------
    capacity_trains_day : float
        The maximum flow (= capacity of the minimum cut).
    elements : pandas.DataFrame
        Columns id, type, name, capacity_trains_day: the cut, largest capacity first.
    sources, sinks : list of str
    """

    capacity_trains_day: float
    elements: pd.DataFrame
    sources: list[str]
    sinks: list[str]

    def __repr__(self) -> str:
        from corridor.display import number, short

        return short("MinCut", [("capacity_trains_day", number(self.capacity_trains_day)),
                                ("elements", ", ".join(map(str, self.elements["id"]))),
                                ("sources", len(self.sources)), ("sinks", len(self.sinks))])

    def _repr_html_(self) -> str:
        from corridor.display import card, number, table

        facts = [("capacity (trains/day)", number(self.capacity_trains_day)),
                 ("sources", ", ".join(self.sources)), ("sinks", ", ".join(self.sinks))]
        return card("Minimum cut", facts, [table(self.elements, ["id", "type", "name",
                                                                  "capacity_trains_day"])])

    def to_dict(self) -> dict:
        return {"capacity_trains_day": round(self.capacity_trains_day, 2),
                "sources": self.sources, "sinks": self.sinks,
                "elements": self.elements.drop(columns="geometry", errors="ignore").to_dict("records")}


def attach_ends(graph: nx.DiGraph, sources: Sequence[str], sinks: Sequence[str]) -> nx.DiGraph:
    """``graph`` (a :func:`flow_graph`, edited in place) with ``SOURCE`` feeding every departure
    port of the sources and every arrival port of the sinks feeding ``SINK``."""
    tracks = graph.graph["tracks"]
    for place, side, end in [(s, "out", "SOURCE") for s in sources] + [(s, "in", "SINK") for s in sinks]:
        for t in tracks.get(place, ()):
            for x in (False, True):
                port = ("port", place, t, side, x)
                if port in graph:
                    graph.add_edge(*((end, port) if end == "SOURCE" else (port, end)))
    return graph


def max_flow_cut(net: Corridor, sources: Sequence[str], sinks: Sequence[str]) -> MinCut:
    """Max flow / min cut between node ids (scipy's Dinic on the flow network, :mod:`.maxflow`)."""
    graph = attach_ends(flow_graph(net), sources, sinks)
    if "SOURCE" not in graph or "SINK" not in graph:
        raise CorridorError("sources or sinks are not on any operating link")
    arrays = maxflow.flow_arrays(graph)
    value, rows = maxflow.min_cut(arrays, maxflow.open_edges(arrays, (), ()))
    if np.isinf(value):
        raise CorridorError(
            "the flow is unbounded: some route from the sources to the sinks has no capacity on any "
            "node or link; add capacity_trains_day to its elements"
        )
    return MinCut(value, element_rows(net, rows), list(sources), list(sinks))


def element_rows(net: Corridor, capacities: dict[str, float]) -> pd.DataFrame:
    """The cut elements as a table: id, type (node/link), name, capacity_trains_day, largest first.

    ``capacities`` maps a node or link id to the capacity it contributes to a cut (trains/day).
    """
    records = []
    for element, cap in capacities.items():
        if element in net.nodes.index:
            records.append((element, "node", net.nodes.at[element, "name"], cap))
        else:
            a, b = net.links.at[element, "from"], net.links.at[element, "to"]
            records.append((element, "link", f"{net.nodes.at[a, 'name']} – {net.nodes.at[b, 'name']}",
                            cap))
    frame = pd.DataFrame(records, columns=["id", "type", "name", "capacity_trains_day"])
    return frame.sort_values(["capacity_trains_day", "id"], ascending=[False, True], ignore_index=True)


def europe_codes() -> frozenset[str]:
    """ISO codes treated as 'Europe' for default sinks: west of the 1520 mm area (EU and neighbours)."""
    return frozenset({"AT", "BE", "BG", "CH", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
                      "HR", "HU", "IE", "IT", "LT", "LU", "LV", "NL", "NO", "PL", "PT", "RO", "RS",
                      "SE", "SI", "SK"})


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
