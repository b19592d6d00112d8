"""All-or-nothing routing of every demand pair at once on the capacity model's state graph.

One scipy Dijkstra call serves every origin and every demand counted at a crossing (``via``): the
search graph stacks the plain state graph and, per crossing, two copies of it joined by the edges
charged at that crossing (see ``StateGraph.paid_node_pairs``), so a route reaches the second copy only
through the crossing. The paths of all pairs are read off the predecessor arrays together (one
vectorised step per edge of the longest path) into a pairs × edges incidence matrix; the loads on
the edges are ``incidence.T @ trains``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.bottlenecks.capacity import CLOSED, CapacityModel, unique


@dataclass
class Routes:
    """The cheapest route of every demand pair under one set of edge costs.

    Attributes
    ----------
    incidence : scipy.sparse.csr_matrix
        Pairs × state-graph edges: 1 where a pair's route uses an edge (no route: an empty row).
    hours : numpy.ndarray
        Hours of each pair's route (NaN: no route).
    edges : list of numpy.ndarray or None
        Each pair's edges in travel order (None: no route).
    """

    incidence: csr_matrix
    hours: np.ndarray
    edges: list[np.ndarray | None]

    def loads(self, trains: np.ndarray) -> np.ndarray:
        """Trains per day on every edge when each pair sends ``trains`` on its route."""
        return self.incidence.T @ trains


class Router:
    """Cheapest routes of a fixed set of demand pairs, for any edge costs.

    Parameters
    ----------
    model : CapacityModel
    origins, destinations, vias : sequences of str, one entry per pair
        ``via`` is "" or a node the route must be charged at; a pair whose ``via`` is not an
        operating node, or cannot be reached through it, takes its fastest route anywhere.
    """

    def __init__(self, model: CapacityModel, origins: Sequence[str], destinations: Sequence[str],
                 vias: Sequence[str]):
        self.model = model
        n = model.n_states
        self.n_pairs = len(origins)
        layers = [v for v in unique(vias) if v and model.position.get(v, model.n_nodes)
                  < model.n_nodes]
        self.charged = [model._charged_edges(model.position[v]) for v in layers]
        self.blocks = 1 + 2 * len(layers)
        self.size = n * self.blocks
        nnz = len(model.pair_src)
        self.indptr = np.concatenate(
            [model.indptr[:-1] + b * nnz for b in range(self.blocks)] + [[self.blocks * nnz]])
        layer = {v: k for k, v in enumerate(layers)}
        keys = [(o, -1) for o in unique(origins)]
        keys += unique((o, layer[v]) for o, v in zip(origins, vias, strict=True) if v in layer)
        starts, rows = [], {}
        for key in keys:
            first = sum(len(s) for s in starts)
            start = model.departures.get(key[0], np.empty(0, dtype=np.int64))
            starts.append(start + (0 if key[1] < 0 else n * (1 + 2 * key[1])))
            rows[key] = np.arange(first, first + len(start))
        self.starts = np.concatenate(starts).astype(np.int64) if starts else np.empty(0, np.int64)
        empty = np.empty(0, dtype=np.int64)
        plain = [(rows[(o, -1)], model.arrivals.get(d, empty))
                 for o, d in zip(origins, destinations, strict=True)]
        through = [(rows[(o, layer[v])], model.arrivals.get(d, empty) + n * (2 + 2 * layer[v]))
                   if v in layer else (empty, empty)
                   for o, d, v in zip(origins, destinations, vias, strict=True)]
        self.plain = _candidates(plain)
        self.through = _candidates(through)
        self._fixed: tuple[np.ndarray, np.ndarray] | None = None
        if len(model.pair_src) == len(model.sg.src):  # one edge per state pair
            chosen = np.argsort(model.pair_of_edge)
            # an edge's position in the stacked graph is found by stacking the edge numbers
            matrix, _ = self._stack(np.arange(len(chosen), dtype=float), chosen)
            self._columns = matrix.indices
            self._fixed = (chosen, matrix.data.astype(np.int64))

    def search_graph(self, cost: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
        """The stacked search graph under ``cost``, and the cheapest edge of each state pair."""
        model = self.model
        if self._fixed is not None:  # no parallel edges: the graph's shape never changes
            chosen, where = self._fixed  # a new matrix each call: a cached router is shared
            matrix = csr_matrix((cost[where], self._columns, self.indptr),
                                shape=(self.size, self.size))
            return matrix, chosen
        order = np.lexsort((cost, model.pair_of_edge))
        first = np.ones(len(order), dtype=bool)
        first[1:] = model.pair_of_edge[order][1:] != model.pair_of_edge[order][:-1]
        return self._stack(cost, order[first])

    def _stack(self, cost: np.ndarray, chosen: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
        """The stacked search graph with ``chosen`` edge per state pair (see the module note)."""
        model = self.model
        n = model.n_states
        weight = cost[chosen]
        data, columns = [weight], [model.pair_dst]
        for k, charged in enumerate(self.charged):
            a, b = n * (1 + 2 * k), n * (2 + 2 * k)
            into = charged[chosen]
            # first copy: per row the edges staying in it, then those crossing into the second
            # copy (the CSR column order); the second copy is the graph itself
            within = np.lexsort((into, model.pair_src))
            data += [weight[within], weight]
            columns += [np.where(into, model.pair_dst + b, model.pair_dst + a)[within],
                        model.pair_dst + b]
        matrix = csr_matrix((np.concatenate(data), np.concatenate(columns), self.indptr),
                            shape=(self.size, self.size))
        return matrix, chosen

    def route(self, cost: np.ndarray) -> Routes:
        """The cheapest route of every pair under these edge costs (one Dijkstra call)."""
        n_edges = len(cost)
        if len(self.starts) == 0:
            return Routes(csr_matrix((self.n_pairs, n_edges)), np.full(self.n_pairs, np.nan),
                          [None] * self.n_pairs)
        matrix, chosen = self.search_graph(cost)
        dist, pred = dijkstra(matrix, directed=True, indices=self.starts,
                              return_predecessors=True, limit=CLOSED / 2)
        dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
        row, state, hours = _best(dist, self.plain, self.n_pairs)
        v_row, v_state, v_hours = _best(dist, self.through, self.n_pairs)
        use = np.isfinite(v_hours)
        row, state, hours = (np.where(use, v_row, row), np.where(use, v_state, state),
                             np.where(use, v_hours, hours))
        pair_ids, edge_ids = self._walk(pred, row, state, chosen)
        counts = np.bincount(pair_ids, minlength=self.n_pairs)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        incidence = csr_matrix((np.ones(len(edge_ids)), edge_ids, indptr),
                               shape=(self.n_pairs, n_edges))
        reached = np.isfinite(hours)
        edges = [edge_ids[indptr[i]:indptr[i + 1]] if reached[i] else None
                 for i in range(self.n_pairs)]
        return Routes(incidence, np.where(reached, hours, np.nan), edges)

    def _walk(self, pred: np.ndarray, row: np.ndarray, state: np.ndarray, chosen: np.ndarray):
        """(pair, edge) of every edge on every pair's tree path, grouped by pair in travel order.

        All pairs step back to their tree's root together, one array lookup per step; the states
        found are turned into edges in one vectorised lookup at the end.
        """
        model = self.model
        n, size = model.n_states, self.size
        pair = np.flatnonzero(row >= 0)
        if len(pair) == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        flat = pred.ravel()  # read in place: a padded copy would take searches × states
        base = row[pair] * size
        cur = state[pair].astype(np.int64)
        history = [cur]
        while cur.min() < size:  # past the root (``size``) every walk stays there
            for _ in range(8):
                live = cur < size
                step = flat[base + np.where(live, cur, 0)]
                cur = np.where(live & (step >= 0), step, size)
                history.append(cur)
        states = np.stack(history, axis=1)[:, ::-1]  # pairs × steps, root side first
        child, parent = states[:, 1:], states[:, :-1]
        valid = parent != size
        keys = (parent[valid] % n) * n + child[valid] % n
        edges = chosen[np.searchsorted(model.pair_keys, keys)]
        return np.repeat(pair, valid.sum(axis=1)), edges


def router(model: CapacityModel, origins: Sequence[str], destinations: Sequence[str],
           vias: Sequence[str]) -> Router:
    """The :class:`Router` of these pairs on this model (memoised on the model: an N-1 re-solves
    the same pairs many times)."""
    cache = model.__dict__.setdefault("_routers", {})
    key = (tuple(origins), tuple(destinations), tuple(vias))
    if key not in cache:
        if len(cache) >= 16:
            cache.pop(next(iter(cache)))
        cache[key] = Router(model, origins, destinations, vias)
    return cache[key]


@dataclass
class _Candidates:
    """(row, state) candidates of every pair, grouped by pair."""

    pair: np.ndarray
    row: np.ndarray
    state: np.ndarray


def _candidates(groups: list[tuple[np.ndarray, np.ndarray]]) -> _Candidates:
    pairs, rows, states = [], [], []
    for i, (r, s) in enumerate(groups):
        rr, ss = np.meshgrid(r, s, indexing="ij")
        pairs.append(np.full(rr.size, i, dtype=np.int64))
        rows.append(rr.ravel())
        states.append(ss.ravel())
    if not pairs:
        empty = np.empty(0, dtype=np.int64)
        return _Candidates(empty, empty, empty)
    return _Candidates(np.concatenate(pairs), np.concatenate(rows).astype(np.int64),
                       np.concatenate(states).astype(np.int64))


def _best(dist: np.ndarray, cand: _Candidates, n_pairs: int):
    """Per pair the (row, state, hours) of its cheapest reachable candidate (row -1, hours inf
    where none is reachable); the first of equal ones, as ``argmin`` takes it."""
    row = np.full(n_pairs, -1, dtype=np.int64)
    state = np.full(n_pairs, -1, dtype=np.int64)
    hours = np.full(n_pairs, np.inf)
    if len(cand.pair) == 0:
        return row, state, hours
    d = dist[cand.row, cand.state]
    order = np.lexsort((np.arange(len(d)), d, cand.pair))
    first = np.ones(len(order), dtype=bool)
    first[1:] = cand.pair[order][1:] != cand.pair[order][:-1]
    pick = order[first]
    ok = d[pick] < CLOSED / 2
    pick = pick[ok]
    p = cand.pair[pick]
    row[p], state[p], hours[p] = cand.row[pick], cand.state[pick], d[pick]
    return row, state, hours
