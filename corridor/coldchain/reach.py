"""Perishable-goods reach: shelf life, reefer power and temperature exposure.

The search runs on the gauge-aware state graph of :mod:`corridor._graph` (the same states and
edges, and the same expected hours, as :func:`corridor.transit.route`). Each edge is split into
parts that matter to a cold chain:

* running on a link, and border dwell: the reefer unit runs (cargo at its set temperature) and
  uses power autonomy; unrefrigerated cargo is at the ambient temperature of the place;
* unpowered periods — gauge-change transshipment, rail/ferry transfer at ports, the ferry wait
  and sailing — cargo sits at the node's ambient temperature for the month, unless the node has
  plug-in reefer service (then the wait is on shore power) or the unit is self-powered
  (``power="autonomous"``).

Shelf life is used at rate 1 inside the commodity's safe band and faster outside it
(:mod:`corridor.coldchain.commodities`). Reefer autonomy is renewed on arrival at a node whose reefer service
fits the power mode. Because a route that runs out of power is infeasible even if it is fastest,
reach is a resource-constrained label-setting search: labels carry shelf life used, autonomy used
and time, and a label is dropped when another at the same state used no more shelf life and no
more autonomy. Each node then gets the feasible label that keeps the most shelf life.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from corridor._graph import IN, OUT, Path
from corridor.coldchain.climate import check_month, node_ambient
from corridor.coldchain.commodities import Commodity, builtin_commodities, commodity, load_commodities
from corridor.datafiles import gc_paused
from corridor.errors import CorridorError
from corridor.limits import check_reach_request
from corridor.schema import WATER_MODES
from corridor.timemodel import RUN as TIME_RUN
from corridor.transit import make_route, records, state_graph

if TYPE_CHECKING:
    from corridor._graph import StateGraph
    from corridor.network import Corridor

__all__ = ["DEFAULT_AUTONOMY_H", "POWER_MODES", "EdgeModel", "load_commodities", "reach"]

POWER_MODES = ("genset", "plug-in", "autonomous")
#: genset: a transport refrigeration unit runs 3-6 days on a full tank (engineerfix.com, "How long
#: can a reefer trailer run on a full tank"); plug-in and autonomous are assumptions: pass
#: ``autonomy_h`` for the equipment you use.
DEFAULT_AUTONOMY_H = {"genset": 96.0, "plug-in": 24.0, "autonomous": 720.0}
#: reefer_types of a node that renew each power mode (a node with reefer service and no listed
#: type counts as serving every mode)
RENEWED_BY = {
    "genset": {"genset_fuel", "plug_in"},
    "plug-in": {"plug_in"},
    "autonomous": {"genset_fuel", "plug_in"},
}
REASONS = ("", "shelf_life", "power", "no_route", "freezing")
Z90 = 1.2815515655446004
RUN, POWERED, UNPOWERED, RECLASS = 0, 1, 2, 3
RUN_KIND = TIME_RUN  # the time model's running component
_EPS = 1e-9


# -- the cold-chain view of the state graph ------------------------------------------------------

@dataclass
class EdgeModel:
    """Per-edge parts of the state graph, independent of commodity and month.

    ``comp_*`` arrays list the parts: edge index, hours, kind (RUN, POWERED, UNPOWERED,
    RECLASS) and the two nodes whose ambient temperature applies (the same node twice except
    for running). ``hours`` and ``var`` are the expected hours and PERT variance of each edge.
    """

    sg: StateGraph
    hours: np.ndarray
    var: np.ndarray
    comp_edge: np.ndarray
    comp_hours: np.ndarray
    comp_kind: np.ndarray
    comp_a: np.ndarray
    comp_b: np.ndarray
    out_edges: list[list[int]]
    in_edges: list[list[int]]
    arrivals: dict[str, list[int]]
    departures: dict[str, list[int]]
    serves: dict[frozenset, np.ndarray]
    link_of: Sequence[int]
    to_node: Sequence[int]


def _edge_parts(sg: StateGraph, e: int) -> list:
    """(hours, kind, node_a, node_b, variance) parts of edge ``e``.

    Which durations an edge is made of comes from the time model through
    :meth:`StateGraph.edge_steps`; here each step is only classed as running, powered (border
    formalities on a link edge) or unpowered (transshipment, ferry wait and sailing) time. A
    disruption episode is classed like the stop or link it happens at. A dwell paid on arrival as
    border time at a node where the train then changes track is transshipment (``RECLASS``).
    """
    a, b = int(sg.edge_src_node[e]), int(sg.edge_dst_node[e])
    steps = sg.edge_steps(e)
    if int(sg.edge_link[e]) < 0:
        if sg.states[int(sg.src[e])][1] == sg.states[int(sg.dst[e])][1]:
            return []
        if not steps:  # the node's dwell was charged on arrival as border time: transshipment
            dwell = sg.components[sg.node_bundle[a][0]]
            return [(dwell.mean, RECLASS, a, a, 0.0)]
        return [(s.component.mean, UNPOWERED, a, a, s.component.variance) for s in steps]
    out = []
    for step in steps:
        c = step.component
        node = int(sg.component_node[step.index])
        if node >= 0:  # border formalities (and their episodes) at either end of a crossing
            out.append((c.mean, POWERED, node, node, c.variance))
        elif step.label == "run":
            out.append((c.mean, RUN, a, b, c.variance))
        else:  # ferry wait, sailing, or an episode on a water link: no power while shipped
            kind = UNPOWERED if sg.link_mode[int(sg.edge_link[e])] in WATER_MODES else RUN
            out.append((c.mean, kind, a, a if kind == UNPOWERED else b, c.variance))
    return out


def edge_model(net: Corridor, statuses: frozenset[str] = frozenset({"operating"})) -> EdgeModel:
    """The cold-chain edge parts of the network's state graph (built once, then cached)."""
    return net.derived(("coldchain_edges", statuses), lambda: _build_edge_model(net, statuses))


def _part_table(sg: StateGraph) -> np.ndarray | None:
    """The parts of every edge as rows (edge, hours, kind, node_a, node_b, variance), in edge
    order and, within an edge, in travel order: :func:`_edge_parts` for all edges at once.

    None when some track change pays nothing at a node without components (the loop then
    decides, as it always did).
    """
    indptr, indices = sg.part_arrays()
    table = sg.components
    n_edges = len(sg.src)
    a, b, link = sg.edge_src_node, sg.edge_dst_node, sg.edge_link
    track = np.asarray([t for _, t, _, _ in sg.states], dtype=np.int64) if sg.states else \
        np.empty(0, dtype=np.int64)
    count = indptr[1:] - indptr[:-1]
    switch = (link < 0) & (track[sg.src] != track[sg.dst])
    reclass = switch & (count == 0)  # the dwell was charged on arrival: transshipment
    first_part = np.where(sg.node_part_count > 0, sg.node_part_start, -1).astype(np.int64)
    if (first_part[a[reclass]] < 0).any():
        return None
    keep = (link >= 0) | switch  # a node edge on one track has no parts
    edge = np.repeat(np.arange(n_edges), np.where(keep, count, 0))
    offset = np.arange(len(edge)) - np.repeat(np.cumsum(np.where(keep, count, 0))
                                              - np.where(keep, count, 0), np.where(keep, count, 0))
    comp = indices[indptr[edge] + offset]
    kind_of = table.kind
    owner = sg.component_node[comp]
    on_link = link[edge] >= 0
    water = np.isin(sg.link_mode, list(WATER_MODES))[np.maximum(link[edge], 0)] & on_link
    part_kind = np.where(~on_link, UNPOWERED,
                         np.where(owner >= 0, POWERED,
                                  np.where((kind_of[comp] == RUN_KIND) | ~water, RUN, UNPOWERED)))
    ea, eb = a[edge], b[edge]
    node_a = np.where(on_link & (owner >= 0), owner, ea)
    node_b = np.where(on_link & (owner >= 0), owner,
                      np.where(on_link & (part_kind == RUN), eb, ea))
    parts = np.column_stack([edge, table.mean[comp], part_kind, node_a, node_b,
                             table.variance[comp]])
    extra_edges = np.flatnonzero(reclass)
    extra = np.column_stack([extra_edges, table.mean[first_part[a[extra_edges]]],
                             np.full(len(extra_edges), RECLASS), a[extra_edges],
                             a[extra_edges], np.zeros(len(extra_edges))])
    rows = np.vstack([parts, extra])
    return rows[np.argsort(rows[:, 0], kind="stable")]


def _grouped(keys: np.ndarray, size: int) -> list[list[int]]:
    """For each value 0..size-1 of ``keys``, the positions holding it, ascending."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(size + 1)).tolist()
    flat = order.tolist()
    return [flat[bounds[i]:bounds[i + 1]] for i in range(size)]


def _build_edge_model(net: Corridor, statuses: frozenset[str]) -> EdgeModel:
    sg = state_graph(net, statuses)
    table = _part_table(sg)
    if table is None:
        return _build_edge_model_loop(net, sg)
    n_edges = len(sg.src)
    counted = table[:, 2] != RECLASS
    edge = table[:, 0].astype(np.int64)
    hours = np.bincount(edge[counted], table[counted, 1], n_edges)
    var = np.bincount(edge[counted], table[counted, 5], n_edges)
    n_states = len(sg.states)
    arrivals = sg.states_by_node(sg.state_side == IN)
    departures = sg.states_by_node((sg.state_side == OUT) & (sg.state_paid == 0))
    return EdgeModel(
        sg, hours, var, edge, table[:, 1], table[:, 2].astype(np.int64),
        table[:, 3].astype(np.int64), table[:, 4].astype(np.int64),
        _grouped(sg.src, n_states), _grouped(sg.dst, n_states),
        {n: states.tolist() for n, states in arrivals.items()},
        {n: states.tolist() for n, states in departures.items()}, {},
        _typed(sg.edge_link, "q"), _typed(sg.edge_dst_node, "q"),
    )


def _build_edge_model_loop(net: Corridor, sg: StateGraph) -> EdgeModel:
    n_edges = len(sg.src)
    hours, var = np.zeros(n_edges), np.zeros(n_edges)
    comps = []
    for e in range(n_edges):
        for h, kind, a, b, v in _edge_parts(sg, e):
            comps.append((e, h, kind, a, b))
            if kind != RECLASS:
                hours[e] += h
                var[e] += v
    comp = np.asarray(comps, dtype=float).reshape(-1, 5)
    out_edges: list[list[int]] = [[] for _ in sg.states]
    in_edges: list[list[int]] = [[] for _ in sg.states]
    for e in range(n_edges):
        out_edges[int(sg.src[e])].append(e)
        in_edges[int(sg.dst[e])].append(e)
    model = EdgeModel(
        sg, hours, var, comp[:, 0].astype(np.int64), comp[:, 1], comp[:, 2].astype(np.int64),
        comp[:, 3].astype(np.int64), comp[:, 4].astype(np.int64), out_edges, in_edges,
        {n: [int(s) for s in sg.states_of(n, IN)] for n in sg.node_ids},
        {n: list(sg.origin_states(n)) for n in sg.node_ids}, {},
        _typed(sg.edge_link, "q"), _typed(sg.edge_dst_node, "q"),
    )
    return model


# -- costs for one commodity, month and power mode ----------------------------------------------

@dataclass
class EdgeCosts:
    """Per-edge consumption (hours of shelf life), excess from heat and cold, autonomy use."""

    used: np.ndarray
    heat: np.ndarray
    cold: np.ndarray
    power: np.ndarray
    refund: np.ndarray
    renew: np.ndarray
    unpowered: np.ndarray


def _serves(net: Corridor, model: EdgeModel, types: set[str]) -> np.ndarray:
    """Per node of the state graph: whether its reefer service includes one of ``types``.

    A node with reefer service but no listed type counts as offering every type.
    """
    key = frozenset(types)
    if key not in model.serves:
        nodes = net.nodes.loc[model.sg.node_ids]
        model.serves[key] = np.array([
            bool(service) and (not (listed or []) or bool(set(listed) & types))
            for service, listed in zip(nodes["reefer_service"], nodes["reefer_types"], strict=True)
        ])
    return model.serves[key]


def edge_costs(
    net: Corridor, model: EdgeModel, item: Commodity, ambient: np.ndarray, power: str
) -> EdgeCosts:
    """Shelf life used and autonomy used on every edge for one commodity, month and power mode."""
    sg = model.sg
    e, h, kind = model.comp_edge, model.comp_hours, model.comp_kind
    temp = np.where(kind == RUN, (ambient[model.comp_a] + ambient[model.comp_b]) / 2.0,
                    ambient[model.comp_a])
    heat_x = item.heat_rate(temp) - 1.0
    cold_x = item.cold_rate(temp) - 1.0
    plugged = _serves(net, model, {"plug_in"})[model.comp_a]
    if not item.requires_reefer:
        exposed = kind != RECLASS
        use = np.zeros_like(h)
        refund = np.zeros_like(h)
        time_h = np.where(exposed, h, 0.0)
    else:
        unpowered = (kind == UNPOWERED) & ~plugged & (power != "autonomous")
        exposed = unpowered | ((kind == RECLASS) & ~plugged & (power != "autonomous"))
        running = ((kind == RUN) | (kind == POWERED) | (kind == UNPOWERED)) & ~unpowered
        use = np.where(running & ~(plugged & (kind != RUN)), h, 0.0)
        refund = np.where(exposed & (kind == RECLASS), h, 0.0)
        time_h = np.where(kind == RECLASS, 0.0, h)
    n = len(sg.src)
    renew_nodes = _serves(net, model, RENEWED_BY[power]) if item.requires_reefer else None
    renew = (np.zeros(len(sg.states), dtype=bool) if renew_nodes is None
             else renew_nodes[sg.state_node] & (sg.state_side == IN))
    return EdgeCosts(
        used=np.bincount(e, time_h + np.where(exposed, h * (heat_x + cold_x), 0.0), n),
        heat=np.bincount(e, np.where(exposed, h * heat_x, 0.0), n),
        cold=np.bincount(e, np.where(exposed, h * cold_x, 0.0), n),
        power=np.bincount(e, use, n),
        refund=np.bincount(e, refund, n),
        renew=renew,
        unpowered=np.bincount(e, np.where(exposed, h, 0.0), n),
    )


# -- the label-setting search ---------------------------------------------------------------------

@dataclass
class Labels:
    """All labels created by a search (parallel sequences: lists, typed arrays or numpy
    arrays, indexed by label) and the live ones per state."""

    used: MutableSequence[float]
    hours: MutableSequence[float]
    var: Sequence[float]
    heat: Sequence[float]
    cold: Sequence[float]
    unpowered: Sequence[float]
    power: MutableSequence[float]
    parent: MutableSequence[int]
    edge: MutableSequence[int]
    state: MutableSequence[int]
    bags: dict[int, list[int]]


def _search(model: EdgeModel, costs: EdgeCosts, starts: list[int], autonomy_h: float,
            backward: bool) -> Labels:
    """Pareto label-setting on (shelf life used, autonomy used/needed), best shelf life first."""
    # typed arrays, not lists: 8 bytes a label and field rather than a Python object each (a
    # reverse reach on 100k nodes makes 1.6 million labels); var … unpowered: summed at the end
    labels = Labels(array("d"), array("d"), [], [], [], [], array("d"), array("q"), array("q"),
                    array("q"), {})
    heap: list = []
    for s in starts:
        labels.bags[s] = [len(labels.state)]
        for field in (labels.used, labels.hours, labels.var, labels.heat, labels.cold,
                      labels.unpowered, labels.power):
            field.append(0.0)
        labels.parent.append(-1)
        labels.edge.append(-1)
        labels.state.append(s)
        heapq.heappush(heap, (0.0, 0.0, len(labels.state) - 1))
    sg = model.sg
    adjacency = model.in_edges if backward else model.out_edges
    # plain lists: indexing a list gives a Python float, far cheaper than a numpy scalar
    ends = (sg.src if backward else sg.dst).tolist()
    dst = sg.dst.tolist()
    used_e, power_e, refund_e = costs.used.tolist(), costs.power.tolist(), costs.refund.tolist()
    hours_e = model.hours.tolist()
    renew = costs.renew.tolist()
    # the label lists and heap functions as locals: the loop runs once per label and edge
    l_used, l_power, bags = labels.used, labels.power, labels.bags
    l_hours, l_parent, l_edge, l_state = labels.hours, labels.parent, labels.edge, labels.state
    push, pop = heapq.heappush, heapq.heappop
    limit = autonomy_h + _EPS
    dead: set[int] = set()
    while heap:
        _, _, label = pop(heap)
        if label in dead:
            continue
        state, power, used_here, hours_here = (l_state[label], l_power[label], l_used[label],
                                               l_hours[label])
        for e in adjacency[state]:
            nxt = ends[e]
            if backward:
                need = (0.0 if renew[dst[e]] else power) - refund_e[e]
                new_power = power_e[e] + (need if need > 0.0 else 0.0)  # max(0, need), inlined
            else:
                new_power = power + power_e[e]
                if new_power <= limit:
                    left = new_power - refund_e[e]
                    new_power = 0.0 if renew[nxt] else (left if left > 0.0 else 0.0)
            if new_power > limit:
                continue
            used = used_here + used_e[e]
            bag = bags.get(nxt)
            if bag is None:
                bag = bags[nxt] = []
            else:
                used_up, power_up = used + _EPS, new_power + _EPS
                held_wins = False
                for i in bag:  # a held label that uses no more of either beats the new one
                    if l_used[i] <= used_up and l_power[i] <= power_up:
                        held_wins = True
                        break
                if held_wins:
                    continue
                beaten = [o for o in bag if used <= l_used[o] + _EPS and new_power <= l_power[o] + _EPS]
                if beaten:
                    dead.update(beaten)
                    bag[:] = [o for o in bag if o not in dead]
            new = len(l_state)
            hours = hours_here + hours_e[e]
            bag.append(new)
            l_used.append(used)
            l_hours.append(hours)
            l_power.append(new_power)
            l_parent.append(label)
            l_edge.append(e)
            l_state.append(nxt)
            push(heap, (used, hours, new))
    sums = _sums_along(np.asarray(labels.parent, dtype=np.int64),
                       np.asarray(labels.edge, dtype=np.int64),
                       {"var": model.var, "heat": costs.heat, "cold": costs.cold,
                        "unpowered": costs.unpowered})
    return replace(labels, **sums)


def _sums_along(parent: np.ndarray, edge: np.ndarray,
                steps: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per label, each of ``steps`` (per edge) summed along its path, in path order (as the
    search would add them label by label), one vectorised step per level of the label tree."""
    levels = _tree_levels(parent, np.flatnonzero(parent < 0).tolist())
    sums = {name: np.zeros(len(parent)) for name in steps}
    for level in levels[1:]:
        up, e = parent[level], edge[level]
        for name, step in steps.items():
            sums[name][level] = sums[name][up] + step[e]
    return sums


# -- the fast path: one Dijkstra on shelf life, checked for autonomy along its tree -------------

def _tree_edges(model: EdgeModel, costs: EdgeCosts, backward: bool) -> np.ndarray:
    """Edges of the search graph in (tail, head) order, one per pair of states: of parallel
    edges the one the label search keeps (least shelf life, then least autonomy, then first)."""
    sg = model.sg
    tail, head = (sg.dst, sg.src) if backward else (sg.src, sg.dst)
    order = np.lexsort((np.arange(len(tail)), costs.power, costs.used, head, tail))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (tail[order][1:] != tail[order][:-1]) | (head[order][1:] != head[order][:-1])
    return order[first]


def _shelf_life_tree(model: EdgeModel, costs: EdgeCosts, starts: list[int],
                     backward: bool) -> tuple[np.ndarray, np.ndarray]:
    """Predecessor state and edge of every state on the tree of least shelf life used from
    ``starts`` (scipy's Dijkstra, power ignored); -1 for the starts and unreached states."""
    sg = model.sg
    n = len(sg.states)
    tail, head = (sg.dst, sg.src) if backward else (sg.src, sg.dst)
    keep = _tree_edges(model, costs, backward)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail[keep], minlength=n), out=indptr[1:])
    # explicit zeros stay edges in a CSR matrix built from its arrays (node edges use no shelf life)
    graph = csr_matrix((costs.used[keep], head[keep].astype(np.int32), indptr), shape=(n, n))
    _, pred, _ = dijkstra(graph, directed=True, indices=np.asarray(starts, dtype=np.int64),
                          min_only=True, return_predecessors=True)
    pred = np.where(pred < 0, -1, pred).astype(np.int64)
    edge = np.full(n, -1, dtype=np.int64)
    child = np.flatnonzero(pred >= 0)
    keys = tail[keep] * n + head[keep]  # ascending: keep is sorted by (tail, head)
    edge[child] = keep[np.searchsorted(keys, pred[child] * n + child)]
    return pred, edge


def _tree_levels(pred: np.ndarray, starts: list[int]) -> list[np.ndarray]:
    """States of the tree level by level from the starts (a parent always on an earlier level)."""
    child = np.flatnonzero(pred >= 0)
    child = child[np.argsort(pred[child], kind="stable")]
    bounds = np.searchsorted(pred[child], np.arange(len(pred) + 1))
    levels = [np.asarray(starts, dtype=np.int64)]
    while True:
        top = levels[-1]
        counts = bounds[top + 1] - bounds[top]
        if not counts.any():
            return levels
        first = np.repeat(bounds[top] - np.cumsum(counts) + counts, counts)
        levels.append(child[first + np.arange(int(counts.sum()))])


def _tree_labels(model: EdgeModel, costs: EdgeCosts, starts: list[int], autonomy_h: float,
                 backward: bool) -> tuple[Labels, np.ndarray]:
    """Labels along the least-shelf-life tree (one per reached state, parents first; bags
    filled by :func:`_in_bags`) and whether each state's tree path keeps within the autonomy (the label
    search's own rule: autonomy used or needed accumulates per edge, renews at serving nodes,
    refunds on transshipment). Sums run in path order, as the label search adds them.

    With unlimited autonomy these are the label search's labels: every label that search keeps
    at a state uses no less shelf life than the tree's."""
    sg = model.sg
    n = len(sg.states)
    pred, edge = _shelf_life_tree(model, costs, starts, backward)
    levels = _tree_levels(pred, starts)
    fields = {name: np.zeros(n) for name in ("used", "hours", "var", "heat", "cold",
                                              "unpowered", "power")}
    steps = {"used": costs.used, "hours": model.hours, "var": model.var, "heat": costs.heat,
             "cold": costs.cold, "unpowered": costs.unpowered}
    feasible = np.zeros(n, dtype=bool)
    feasible[levels[0]] = True
    renew, limit = costs.renew, autonomy_h + _EPS
    for level in levels[1:]:
        up, e = pred[level], edge[level]
        for name, step in steps.items():
            fields[name][level] = fields[name][up] + step[e]
        if backward:
            need = np.where(renew[up], 0.0, fields["power"][up]) - costs.refund[e]
            power = costs.power[e] + np.maximum(need, 0.0)
            feasible[level] = feasible[up] & (power <= limit)
        else:
            power = fields["power"][up] + costs.power[e]
            feasible[level] = feasible[up] & (power <= limit)
            power = np.where(renew[level], 0.0, np.maximum(power - costs.refund[e], 0.0))
        fields["power"][level] = power
    order = np.concatenate(levels)
    label_of = np.full(n, -1, dtype=np.int64)
    label_of[order] = np.arange(len(order))
    parent = np.where(pred[order] >= 0, label_of[np.maximum(pred[order], 0)], -1)
    labels = Labels(*(_typed(fields[name][order], "d") for name in fields),
                    _typed(parent, "q"), _typed(edge[order], "q"), _typed(order, "q"), {})
    return labels, feasible


def _typed(values: np.ndarray, code: str) -> array:
    """A numpy array as a typed array (``"d"`` float, ``"q"`` int): indexing it gives Python
    numbers, as a list does, at 8 bytes an entry."""
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=np.float64 if code == "d" else np.int64)
                  .tobytes())
    return out


def _settled(model: EdgeModel, labels: Labels, feasible: np.ndarray, place: str,
             backward: bool) -> Labels | None:
    """The tree labels that keep within the autonomy, when they answer every node exactly.

    A node's answer is its end state (arrival, or departure when ``backward``) whose label used
    the least shelf life. No route that keeps within the autonomy uses less shelf life than the
    least-shelf-life route ignoring it, so where the tree path to that state (to each such
    state, on a tie) keeps within the autonomy it is the constrained answer too. None when some
    node's is not (the label search then decides).
    """
    sg = model.sg
    ends = np.flatnonzero((sg.state_side == OUT) & (sg.state_paid == 0) if backward
                          else sg.state_side == IN)
    used = np.full(len(sg.states), math.inf)
    used[labels.state] = labels.used
    node = sg.state_node[ends]
    best = np.full(len(sg.node_ids), math.inf)
    np.minimum.at(best, node, used[ends])
    tied = np.isfinite(used[ends]) & (used[ends] == best[node]) & (node != sg.node_pos[place])
    if not feasible[ends[tied]].all():
        return None
    return _in_bags(labels, feasible)


def _in_bags(labels: Labels, keep: np.ndarray | None = None) -> Labels:
    """Tree labels with each label in its state's bag (only where ``keep``, if given)."""
    states = labels.state
    chosen = range(len(states)) if keep is None else np.flatnonzero(keep[states]).tolist()
    return replace(labels, bags={states[k]: [k] for k in chosen})


def _best_label(labels: Labels, states: list[int]) -> int | None:
    best, key = None, (math.inf, math.inf)
    for s in states:
        for label in labels.bags.get(s, []):
            candidate = (labels.used[label], labels.hours[label])
            if candidate < key:
                best, key = label, candidate
    return best


Route = tuple[list[str], list[str], tuple[int, ...]]


def _routes_of(model: EdgeModel, labels: Labels, wanted: list[int], backward: bool,
               with_edges: bool = True) -> dict[int, Route]:
    """Node ids (without the start), link ids and state-graph edges of each wanted label's path,
    in travel order (edges only ``with_edges``: Monte Carlo needs them, the P90 formula not).

    Labels form a tree (a parent is always created before its children): in ascending order,
    each wanted label's path is the path of its nearest wanted ancestor and the edges walked up
    to it, so only wanted paths are built and each walk stops early (one walk per node back to
    the start would be quadratic on a large network).
    """
    link_of, ends, parent, edge = model.link_of, model.to_node, labels.parent, labels.edge
    node_ids, link_ids = model.sg.node_ids, model.sg.link_ids
    routes: dict[int, Route] = {}
    empty: Route = ([], [], ())
    for label in sorted(set(wanted)):
        chain = []  # edges from the label up to its nearest wanted ancestor, label first
        up = label
        while up >= 0 and parent[up] >= 0 and (up == label or up not in routes):
            chain.append(edge[up])
            up = parent[up]
        base = routes.get(up, empty) if up != label else empty
        if not backward:
            chain.reverse()
        moves = [e for e in chain if link_of[e] >= 0]
        nodes = [node_ids[ends[e]] for e in moves]
        links = [link_ids[link_of[e]] for e in moves]
        edges: tuple[int, ...] = ()
        if backward:
            if with_edges:
                edges = (*chain, *base[2])
            routes[label] = (nodes + base[0], links + base[1], edges)
        else:
            if with_edges:
                edges = (*base[2], *chain)
            routes[label] = (base[0] + nodes, base[1] + links, edges)
    return routes


def _topology(sg: StateGraph, starts: list[int], backward: bool) -> set[int]:
    """Nodes connected to the start states at all (ignoring power and shelf life)."""
    n = len(sg.states)
    src, dst = (sg.dst, sg.src) if backward else (sg.src, sg.dst)
    graph = csr_matrix((np.ones(len(src) + len(starts)),
                        (np.concatenate([src, np.full(len(starts), n)]),
                         np.concatenate([dst, starts]))), shape=(n + 1, n + 1))
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    return {int(sg.state_node[s]) for s in order if s < n}


# -- the public query -----------------------------------------------------------------------------

def _check_power(power: str, autonomy_h: float | None) -> float:
    if power not in POWER_MODES:
        raise CorridorError(f"unknown power mode {power!r}; valid choices: {', '.join(POWER_MODES)}")
    hours = DEFAULT_AUTONOMY_H[power] if autonomy_h is None else float(autonomy_h)
    if not hours > 0:
        raise CorridorError(f"autonomy_h must be > 0 hours, got {autonomy_h}")
    return hours


def _p90_days(net: Corridor, found: Path, var: float, samples: int, seed: int | None) -> float:
    hours = found.hours
    if samples > 0 and found.links:
        return make_route(net, found, samples, seed).p90_days
    # a sum of many variances can round a hair below zero on a long path
    return (hours + Z90 * math.sqrt(max(var, 0.0))) / 24.0


def reach(
    net: Corridor,
    origin: str,
    commodity: str,
    month: int = 7,
    power: str = "genset",
    autonomy_h: float | None = None,
    margin_days: float | None = None,
    reverse: bool = False,
    samples: int = 0,
    seed: int | None = 0,
    climate: pd.DataFrame | None = None,
    commodities: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Where a perishable commodity can go from ``origin`` (or, reversed, come from to it).

    Parameters
    ----------
    net : Corridor
    origin : str
        Place id, name or alias; the market when ``reverse=True``.
    commodity : str
        Commodity id from :func:`load_commodities` (e.g. ``chilled_beef``).
    month : int
        1–12; sets the ambient temperature of unpowered periods.
    power : {"genset", "plug-in", "autonomous"}
        How the reefer unit is powered between service nodes.
    autonomy_h : float, optional
        Hours the unit runs before it must reach a node that renews its power
        (default :data:`DEFAULT_AUTONOMY_H`).
    margin_days : float, optional
        Shelf life that must remain on arrival (default: the commodity's ``margin_days``).
    reverse : bool
        Rows are then candidate origins that can supply the market ``origin``.
    samples : int
        0 (default): P90 from the PERT variances (normal approximation); > 0: Monte Carlo
        draws per reachable node via :func:`corridor.transit.make_route`.
    seed : int, optional
        Random seed for ``samples > 0``.
    climate, commodities : pandas.DataFrame, optional
        Replacement tables (:func:`corridor.coldchain.climate.load_climate`, :func:`load_commodities`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per operating node: node, name, country, origin, destination, reachable,
        arrival_days, p90_days, remaining_shelf_life_days, unpowered_hours, chill_injury,
        reason ('' or shelf_life / power / no_route / freezing), path, links, ambient_c,
        climate_from, climate_km, geometry. ``attrs`` holds the query.

    Raises
    ------
    CorridorError
        Unknown commodity, month or power mode (listing the valid choices); UnknownPlaceError.
    """
    check_reach_request(samples=samples, seed=seed, margin_days=margin_days, autonomy_h=autonomy_h)
    item = _commodity(commodities, commodity)
    month = check_month(month)
    autonomy = _check_power(power, autonomy_h) if item.requires_reefer else math.inf
    margin = item.margin_days if margin_days is None else float(margin_days)
    if samples < 0:
        raise CorridorError(f"samples must be >= 0, got {samples}")
    place = net.resolve(origin)
    model = edge_model(net)
    sg = model.sg
    ambient = node_ambient(net, month, climate)
    if place not in sg.node_pos:
        raise CorridorError(f"{place} is not open for traffic (status "
                            f"{net.nodes.at[place, 'status']})")
    costs = edge_costs(net, model, item, ambient.loc[sg.node_ids, "temp_c"].to_numpy(), power)
    starts = model.arrivals[place] if reverse else model.departures[place]
    # millions of labels and path lists: a cyclic collection would scan them all, to free nothing
    with gc_paused():
        free, feasible = _tree_labels(model, costs, starts, autonomy, reverse)
        labels = _settled(model, free, feasible, place, reverse)
        if labels is None:
            labels = _search(model, costs, starts, autonomy, reverse)
        connected = _topology(sg, starts, reverse)
        node_records = records(net)[0]
        bests = {node: _best_label(labels, model.departures[node] if reverse
                                   else model.arrivals[node]) for node in sg.node_ids if node != place}
        routes = _routes_of(model, labels, [b for b in bests.values() if b is not None], reverse,
                            with_edges=samples > 0)
        columns = _columns(net, model, labels, item, margin, place, reverse, connected, samples,
                           seed, bests, routes)
        _place_failures(columns, model, costs, labels, free, item, margin, autonomy, reverse,
                        node_records)
        frame = pd.DataFrame(columns).join(ambient[["temp_c", "climate_from", "climate_km"]],
                                           on="node")
        frame = frame.rename(columns={"temp_c": "ambient_c"})
        result = gpd.GeoDataFrame(frame, geometry=list(net.nodes.loc[frame["node"]].geometry),
                                  crs=net.nodes.crs)
    result.index = pd.Index(result["node"].to_numpy(), dtype=object, name=None)  # no clash with "node"
    result.attrs.update({
        "origin": place, "commodity": item.id, "month": month, "power": power,
        "autonomy_h": autonomy, "margin_days": margin, "reverse": reverse,
        "shelf_life_days": item.shelf_life_days,
    })
    return result


#: columns of a reach result that say where and when an unreachable load failed
FAILURE_COLUMNS = ("failed_at", "failed_at_name", "failed_after_h")


def _place_failures(columns: dict[str, list], model: EdgeModel, costs: EdgeCosts, labels: Labels,
                    free: Labels, item: Commodity, margin: float, autonomy: float,
                    backward: bool, node_records: dict) -> None:
    """Add where and when each unreachable load failed (``FAILURE_COLUMNS``) to ``columns``.

    The load follows its best route (for ``power``: the best route were power unlimited, on
    the least-shelf-life tree ``free``), edge by edge in travel order; it fails at the node
    where its shelf life left first falls below the margin (``shelf_life``), where it is first
    chilled below its safe band (``freezing``) or where the reefer's autonomy is exceeded
    (``power``: the node the stretch that exceeds it starts from), ``failed_after_h`` hours
    into the journey.
    """
    count = len(columns["node"])
    failed_at: list[str | None] = [None] * count
    failed_at_name: list[str | None] = [None] * count
    failed_after_h = [math.nan] * count
    columns.update(zip(FAILURE_COLUMNS, (failed_at, failed_at_name, failed_after_h), strict=True))
    reasons = columns["reason"]
    for k in (k for k, r in enumerate(reasons) if r in ("shelf_life", "freezing", "power")):
        if reasons[k] == "power" and not free.bags:
            free = _in_bags(free)
        chosen = free if reasons[k] == "power" else labels
        node = columns["node"][k]
        best = _best_label(chosen, model.departures[node] if backward else model.arrivals[node])
        if best is None:
            continue
        edges = _routes_of(model, chosen, [best], backward)[best][2]
        found = _failure(model, costs, edges, reasons[k], item, margin, autonomy)
        if found is not None:
            at = model.sg.node_ids[found[0]]
            failed_at[k], failed_at_name[k], failed_after_h[k] = (
                at, node_records[at]["name"], found[1])


def _failure(model: EdgeModel, costs: EdgeCosts, edges: tuple[int, ...], reason: str,
             item: Commodity, margin: float, autonomy: float) -> tuple[int, float] | None:
    """(node position, hours into the journey) where a load on ``edges`` fails for ``reason``."""
    sg = model.sg
    hours = used = power = 0.0
    for e in edges:
        src, dst = int(sg.edge_src_node[e]), int(sg.edge_dst_node[e])
        if reason == "power":
            after = power + costs.power[e]
            if after > autonomy + _EPS:  # runs out on this stretch, assumed used evenly along it
                share = (autonomy - power) / costs.power[e] if costs.power[e] > 0 else 0.0
                return src, hours + max(0.0, min(1.0, share)) * float(model.hours[e])
            power = 0.0 if costs.renew[int(sg.dst[e])] else max(0.0, after - costs.refund[e])
        elif reason == "freezing" and costs.cold[e] > 0:
            return src, hours
        used += costs.used[e]
        hours += float(model.hours[e])
        if reason == "shelf_life" and item.shelf_life_days - used / 24.0 < margin - 1e-9:
            return dst, hours
    return None


def _commodity(catalogue: pd.DataFrame | None, name: str) -> Commodity:
    return commodity(builtin_commodities() if catalogue is None else catalogue, name)


def _columns(net: Corridor, model: EdgeModel, labels: Labels, item: Commodity, margin: float,
             place: str, reverse: bool, connected: set[int], samples: int, seed: int | None,
             bests: dict[str, int | None], routes: dict[int, Route]) -> dict[str, list]:
    """The result's columns, one entry per node of the state graph (in its order).

    The place itself is reached at once; a node without a label is unreachable for power (it is
    connected) or for want of a route; the others take their best label's sums, all at once.
    ``routes`` is used up: each route leaves it as its node's path is made (bounded memory).
    """
    sg = model.sg
    nodes = list(sg.node_ids)
    best = np.array([-1 if bests.get(n) is None else bests[n] for n in nodes], dtype=np.int64)
    found = best >= 0
    pick = np.maximum(best, 0)
    here = np.array([n == place for n in nodes])

    def field(values: Sequence[float], at_place: float) -> np.ndarray:
        out = np.where(found, np.asarray(values, dtype=float)[pick] if len(values) else 0.0,
                       math.nan)
        out[here] = at_place
        return out

    hours, var = field(labels.hours, 0.0), field(labels.var, 0.0)
    cold, heat = field(labels.cold, 0.0), field(labels.heat, 0.0)
    remaining = item.shelf_life_days - field(labels.used, 0.0) / 24.0
    ok = remaining >= margin - 1e-9
    reason = np.where(ok, "", np.where((cold > 0) & (cold >= heat), "freezing", "shelf_life"))
    unreached = ~found & ~here
    wired = np.array([sg.node_pos[n] in connected for n in nodes])
    reason = np.where(unreached, np.where(wired, "power", "no_route"), reason)
    p90 = (hours + Z90 * np.sqrt(np.maximum(var, 0.0))) / 24.0
    paths: list[list[str]] = []
    links: list[list[str]] = []
    for k, node in enumerate(nodes):
        if here[k]:
            paths.append([node])
            links.append([])
        elif not found[k]:
            paths.append([])
            links.append([])
        else:
            ends = (place, node) if not reverse else (node, place)
            # taken out as used: the route's node list is freed once the path is made
            route_nodes, route_links, edges = routes.pop(int(best[k]))
            paths.append([ends[0], *route_nodes])
            links.append(route_links)
            if samples > 0 and route_links:
                p90[k] = _p90_days(net, Path(float(hours[k]), paths[-1], route_links, edges),
                                   float(var[k]), samples, seed)
    table = net.nodes.loc[nodes]
    return {
        "node": nodes, "name": table["name"].tolist(), "country": table["country"].tolist(),
        "origin": nodes if reverse else [place] * len(nodes),
        "destination": [place] * len(nodes) if reverse else nodes,
        "reachable": np.where(found | here, ok, False), "arrival_days": hours / 24.0,
        "p90_days": p90, "remaining_shelf_life_days": np.where(found | here, remaining, math.nan),
        "unpowered_hours": field(labels.unpowered, 0.0), "chill_injury": cold > 0,
        "reason": reason.tolist(), "path": paths, "links": links,
    }


def reach_table(result: gpd.GeoDataFrame) -> dict:
    """JSON-ready summary: the query, ``reachable`` and ``unreachable`` lists (with ``why``)."""
    from corridor.coldchain.explain import why

    reachable = result[result["reachable"]].sort_values("arrival_days")
    unreachable = result[~result["reachable"]]
    return {
        **{k: v for k, v in result.attrs.items() if not (isinstance(v, float) and math.isinf(v))},
        "reachable": [
            {"node": r.node, "arrival_days": round(r.arrival_days, 2),
             "p90_days": round(r.p90_days, 2),
             "remaining_shelf_life_days": round(r.remaining_shelf_life_days, 1),
             "unpowered_hours": round(r.unpowered_hours, 1), "chill_injury": bool(r.chill_injury),
             "path": list(r.path)}
            for r in reachable.itertuples()
        ],
        "unreachable": [
            {"node": r.node, "reason": r.reason,
             "arrival_days": None if math.isnan(r.arrival_days) else round(r.arrival_days, 2),
             "remaining_shelf_life_days": None if math.isnan(r.remaining_shelf_life_days)
             else round(r.remaining_shelf_life_days, 1),
             "chill_injury": bool(r.chill_injury),
             "failed_at": getattr(r, "failed_at", None),
             "failed_after_h": None if getattr(r, "failed_after_h", None) is None
             or math.isnan(r.failed_after_h) else round(r.failed_after_h, 1),
             "why": why(r._asdict(), result.attrs)}
            for r in unreachable.itertuples()
        ],
    }
