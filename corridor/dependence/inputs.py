"""The one adapter between transit dependence and the analyses it composes.

Every call into ``corridor.bottlenecks`` (assignment with elements closed, the flow network for
maximum flow / minimum cut, demand), ``corridor.transit`` (a Route of an assigned path) and
``corridor.modes`` (USD and kg CO2e per container, the sea option) goes through this module, so a
new API of those packages is switched here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from corridor import bottlenecks
from corridor.bottlenecks import maxflow
from corridor.bottlenecks.capacity import OPERATING, attach_ends, capacity_model, element_rows, flow_graph
from corridor.errors import CorridorError
from corridor.modes import DEFAULT_PAYLOAD_T, builtin_tables, compare_modes, emissions, tariffs
from corridor.network import Corridor
from corridor.transit import Route, make_route

#: the capacity model's assignment result (flows, queues, served trains, path flows)
Assignment = bottlenecks.Assignment

#: the container a per-container figure is for (a 40' box, the corridor's usual unit)
CONTAINER = "40"


@dataclass(frozen=True)
class PathUse:
    """One assigned path of one origin-destination pair: trains per day, nodes and links in order."""

    origin: str
    destination: str
    trains_day: float
    nodes: tuple[str, ...]
    links: tuple[str, ...]
    edges: tuple[int, ...] = ()


def builtin_demand(net: Corridor, path: str | Path | None = None) -> pd.DataFrame:
    """The demand table (built-in ``geodata/demand.csv`` or a user file), places resolved."""
    return bottlenecks.load_demand(path, net)


def assignment(net: Corridor, demand: pd.DataFrame) -> bottlenecks.Assignment:
    """Baseline assignment of the whole demand (the flows share capacity and queues)."""
    return bottlenecks.assign(net, demand[["origin", "destination", "trains_day"]])


def path_uses(net: Corridor, result: bottlenecks.Assignment) -> list[PathUse]:
    """Every path of an assignment with its flow, as node and link ids (state graph decoded)."""
    sg = capacity_model(net).sg
    uses = []
    for (origin, destination), flows in result.path_flows.items():
        for path, trains in flows.items():
            edges = np.asarray(path, dtype=np.int64)
            nodes = [sg.node_ids[sg.edge_src_node[edges[0]]]] if len(edges) else []
            nodes += [sg.node_ids[n] for n in sg.edge_dst_node[edges]]
            links = [sg.link_ids[j] for j in sg.edge_link[edges] if j >= 0]
            uses.append(PathUse(origin, destination, float(trains),
                                tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(links)), tuple(path)))
    return uses


def closed_elements(net: Corridor, countries: Sequence[str] = (), links: Sequence[str] = ()) -> list[str]:
    """Node ids of whole countries and link ids: what ``bottlenecks.assign(closed=...)`` closes."""
    nodes = net.nodes.index[net.nodes["country"].isin(list(countries))]
    return [*nodes, *links]


def closed_assignment(net: Corridor, demand: pd.DataFrame,
                      closed: Sequence[str] = ()) -> bottlenecks.Assignment:
    """The capacity-constrained assignment of the whole demand with ``closed`` elements closed
    (every flow competing for capacity)."""
    return bottlenecks.assign(net, demand[["origin", "destination", "trains_day"]], closed=list(closed))


def served_shares(result: Assignment) -> dict[tuple, float]:
    """Share of each (origin, destination)'s trains an assignment serves.

    A pair with no route, or held in a backlog, has a share below 1 (0 when nothing gets through).
    """
    pairs = result.pairs
    trains: dict[tuple, list[float]] = {}
    for o, d, t, served in zip(pairs["origin"], pairs["destination"], pairs["trains_day"],
                               pairs["served_trains_day"], strict=True):
        total = trains.setdefault((o, d), [0.0, 0.0])
        total[0] += float(t)
        total[1] += float(served)
    return {key: served / t for key, (t, served) in trains.items()}


def served_share(net: Corridor, demand: pd.DataFrame, closed: Sequence[str] = ()) -> dict[tuple, float]:
    """``served_shares`` of the assignment of the whole demand with ``closed`` elements closed."""
    return served_shares(closed_assignment(net, demand, closed))


def pair_paths(result: bottlenecks.Assignment, origin: str, destination: str) -> dict[tuple, float]:
    """Trains per day on each state-graph path of one pair (empty when it has no route)."""
    return dict(result.path_flows.get((origin, destination), {}))


def path_route(net: Corridor, origin: str, edges: tuple[int, ...], samples: int = 500,
               seed: int = 0) -> Route:
    """The Route of an assigned state-graph path (free-flow timeline, P90 of its components),
    built once per path, seed and samples."""
    cache = net.derived("dependence.path_routes", dict)
    key = (origin, edges, samples, seed)
    if key not in cache:
        sg = capacity_model(net).sg
        found = sg.as_path(origin, list(edges), float(sg.weight[list(edges)].sum()))
        cache[key] = make_route(net, found, samples, seed, OPERATING)
    return cache[key]


def carried_waits(net: Corridor, result: Assignment) -> np.ndarray:
    """Hours of queue wait a carried train meets on each state-graph edge of an assignment.

    Each element's wait at its assigned volume, but at most its capacity: trains beyond an
    element's capacity are not carried within the horizon (the assignment's unserved trains,
    counted apart), and the trains that are carried see at most a queue at capacity.
    """
    model = capacity_model(net)
    volume = result.elements.set_index("id")["demand_trains_day"].reindex(model.ids).to_numpy(float)
    delay = model.delay(np.fmin(volume, model.capacity), result.horizon_days)
    return model.incidence @ delay


def max_flow(net: Corridor, sources: Iterable[str], sinks: Iterable[str], *,
             countries: Sequence[str] = (), links: Sequence[str] = ()) -> tuple[float, pd.DataFrame]:
    """Maximum trains per day from sources to sinks with countries or links closed, and the cut.

    The bottlenecks' max flow / min cut (``capacity.flow_graph``, the partition of
    ``nx.minimum_cut``, as ``bottlenecks.min_cut``) on the baseline flow network turned into arrays
    once per network and ends, with the closed elements' edges dropped (``maxflow.min_cut``:
    scipy's Dinic). Sources and sinks inside a closed country are dropped (no flow when none is
    left). A flow unbounded because some route has no capacity anywhere is ``inf`` with no cut.
    """
    closed_nodes = set(net.nodes.index[net.nodes["country"].isin(list(countries))])
    all_sources, all_sinks = list(sources), list(sinks)
    sources = [s for s in dict.fromkeys(sources) if s not in closed_nodes]
    sinks = [s for s in dict.fromkeys(sinks) if s not in closed_nodes and s not in sources]
    empty = pd.DataFrame(columns=["id", "type", "name", "capacity_trains_day"])
    if not sources or not sinks:
        return 0.0, empty
    arrays = _arrays(net, tuple(dict.fromkeys(all_sources)), tuple(dict.fromkeys(all_sinks)))
    if arrays is None:
        return 0.0, empty
    value, rows = maxflow.min_cut(arrays, maxflow.open_edges(arrays, closed_nodes, set(links)))
    return value, (element_rows(net, rows) if rows else empty)


def _arrays(net: Corridor, sources: tuple[str, ...], sinks: tuple[str, ...]) -> maxflow.FlowArrays | None:
    """The attached flow network as arrays (built once per network and ends; None without ends)."""
    cache = net.derived("dependence.flow_arrays", dict)
    if (sources, sinks) not in cache:
        graph = attached_flow_graph(net, sources, sinks)
        cache[(sources, sinks)] = (maxflow.flow_arrays(graph) if "SOURCE" in graph and "SINK" in graph
                                   else None)
    return cache[(sources, sinks)]


def attached_flow_graph(net: Corridor, sources: tuple[str, ...], sinks: tuple[str, ...]) -> nx.DiGraph:
    """The baseline flow network with SOURCE and SINK attached (a new graph)."""
    graph = net.derived("dependence.flow_graph", lambda: flow_graph(net)).copy()
    return attach_ends(graph, sources, tuple(s for s in sinks if s not in sources))


def container_usd_co2e(net: Corridor, found: Route) -> tuple[float, float]:
    """Expected USD and kg CO2e of one 40' container on a rail route (modes tariffs and factors),
    computed once per route."""
    cache = net.derived("dependence.route_money", dict)
    key = (tuple(found.path), tuple(found.links))
    if key not in cache:
        cache[key] = _usd_co2e(net, found)
    return cache[key]


def _usd_co2e(net: Corridor, found: Route) -> tuple[float, float]:
    tables = builtin_tables()
    usd = tariffs.expected_cost(tariffs.rail_cost_parts(net, found, tables, CONTAINER))
    kg = emissions.links_co2e_kg(net, found.path, found.links, tables, DEFAULT_PAYLOAD_T[CONTAINER])
    return usd, kg


def sea_option(net: Corridor, origin: str, destination: str, seed: int = 0) -> dict | None:
    """The fastest rail-sea or sea option of the mode comparison: days, p90_days, cost_usd, co2e_kg."""
    return _sea_option(net, origin, destination, seed)


@lru_cache(maxsize=256)
def _sea_option(net: Corridor, origin: str, destination: str, seed: int) -> dict | None:
    try:
        frame = compare_modes(net, origin, destination, container=CONTAINER, samples=500, seed=seed)
    except CorridorError:
        return None
    sea = frame[frame["mode"].astype(str).str.contains("sea")]
    if sea.empty:
        return None
    best = sea.sort_values("days").iloc[0]
    return {k: float(best[k]) for k in ("days", "p90_days", "cost_usd", "co2e_kg")}
