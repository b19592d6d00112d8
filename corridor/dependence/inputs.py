"""The one adapter between transit dependence and the analyses it composes.

Every call into ``corridor.bottlenecks`` (assignment, maximum flow / minimum cut, demand),
``corridor.transit`` (routes), ``corridor.modes`` (USD and kg CO2e per container, the sea option)
and ``corridor.scenarios`` (closing a country or a crossing) goes through this module, so a new
API of those packages is switched here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from networkx.algorithms.flow import boykov_kolmogorov

from corridor import bottlenecks
from corridor.bottlenecks.capacity import capacity_model, element_rows, flow_graph
from corridor.errors import CorridorError
from corridor.modes import DEFAULT_PAYLOAD_T, builtin_tables, compare_modes, emissions, tariffs
from corridor.network import Corridor
from corridor.scenarios import Scenario
from corridor.transit import Route, fastest_paths, make_route, resolve_constraints

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
                                tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(links))))
    return uses


def closed_elements(net: Corridor, countries: Sequence[str] = (), links: Sequence[str] = ()) -> list[str]:
    """Node ids of whole countries and link ids: what ``bottlenecks.assign(closed=...)`` closes."""
    nodes = net.nodes.index[net.nodes["country"].isin(list(countries))]
    return [*nodes, *links]


def served_share(net: Corridor, demand: pd.DataFrame, closed: Sequence[str] = ()) -> dict[tuple, float]:
    """Share of each (origin, destination)'s trains served by the capacity-constrained assignment
    of the whole demand with ``closed`` elements closed (every flow competing for capacity).

    A pair with no route, or held in a backlog, has a share below 1 (0 when nothing gets through).
    """
    result = bottlenecks.assign(net, demand[["origin", "destination", "trains_day"]], closed=list(closed))
    pairs = result.pairs.groupby(["origin", "destination"])[["trains_day", "served_trains_day"]].sum()
    share = pairs["served_trains_day"] / pairs["trains_day"]
    return {key: float(value) for key, value in share.items()}


def without(net: Corridor, countries: Sequence[str] = (), elements: Sequence[str] = ()) -> Corridor:
    """The network with whole countries avoided or elements (places, link ids) closed."""
    scenario = Scenario("dependence-avoid", "avoid for the dependence table")
    if countries:
        scenario = scenario.avoid_countries(*countries)
    if elements:
        scenario = scenario.close(*elements)
    return scenario.apply(net)


def max_flow(net: Corridor, sources: Iterable[str], sinks: Iterable[str], *,
             countries: Sequence[str] = (), links: Sequence[str] = ()) -> tuple[float, pd.DataFrame]:
    """Maximum trains per day from sources to sinks with countries or links closed, and the cut.

    Runs the bottlenecks' max flow / min cut (``capacity.flow_graph`` + ``nx.minimum_cut``, as
    ``bottlenecks.min_cut``, with the Boykov–Kolmogorov algorithm) on the baseline flow network
    built once per network, with the closed
    elements removed. Sources and sinks inside a closed country are dropped (no flow when none is
    left). A flow unbounded because some route has no capacity anywhere is ``inf`` with no cut.
    """
    closed_nodes = set(net.nodes.index[net.nodes["country"].isin(list(countries))])
    all_sources, all_sinks = list(sources), list(sinks)
    sources = [s for s in dict.fromkeys(sources) if s not in closed_nodes]
    sinks = [s for s in dict.fromkeys(sinks) if s not in closed_nodes and s not in sources]
    empty = pd.DataFrame(columns=["id", "type", "name", "capacity_trains_day"])
    if not sources or not sinks:
        return 0.0, empty
    graph = _view(net, tuple(dict.fromkeys(all_sources)), tuple(dict.fromkeys(all_sinks)),
                  closed_nodes, set(links))
    if "SOURCE" not in graph or "SINK" not in graph:
        return 0.0, empty
    try:
        # Boykov–Kolmogorov: the same max flow as networkx's default preflow-push, ~3x faster here
        value, (reach, _) = nx.minimum_cut(graph, "SOURCE", "SINK", flow_func=boykov_kolmogorov)
    except nx.NetworkXUnbounded:
        return float("inf"), empty
    rows: dict[str, float] = {}
    for u, v, attrs in graph.edges(data=True):
        if u in reach and v not in reach and "capacity" in attrs:
            rows[attrs["element"]] = rows.get(attrs["element"], 0.0) + attrs["capacity"]
    return float(value), element_rows(net, rows)


def _attached(net: Corridor, sources: tuple[str, ...], sinks: tuple[str, ...]) -> nx.DiGraph:
    """The baseline flow network with SOURCE and SINK attached (built once per network and ends)."""
    cache = net.derived("dependence.attached_flow_graphs", dict)
    if (sources, sinks) in cache:
        return cache[(sources, sinks)]
    graph = net.derived("dependence.flow_graph", lambda: flow_graph(net)).copy()
    tracks = graph.graph["tracks"]
    sinks = tuple(s for s in sinks if s not in sources)
    for place, side, end in [(s, "out", "SOURCE") for s in sources] + [(s, "in", "SINK") for s in sinks]:
        for t in tracks.get(place, ()):
            for x in (False, True):
                port = ("port", place, t, side, x)
                if port in graph:
                    graph.add_edge(*((end, port) if end == "SOURCE" else (port, end)))
    by_place: dict[str, list] = {}
    by_element: dict[str, list] = {}
    for n in graph:
        if isinstance(n, tuple):
            by_place.setdefault(n[1], []).append(n)
    for u, v, e in graph.edges(data=True):
        if "element" in e:
            by_element.setdefault(e["element"], []).append((u, v))
    graph.graph.update(by_place=by_place, by_element=by_element)
    cache[(sources, sinks)] = graph
    return graph


def _view(net: Corridor, sources: tuple[str, ...], sinks: tuple[str, ...], closed_nodes: set[str],
          closed_links: set[str]):
    """A read-only view of the attached flow network without the closed places and links
    (a closed source's or sink's ports are hidden with it, so it drops out)."""
    graph = _attached(net, sources, sinks)
    hidden_nodes = [n for place in closed_nodes for n in graph.graph["by_place"].get(place, ())]
    hidden_edges = [e for link in closed_links for e in graph.graph["by_element"].get(link, ())]
    if not hidden_nodes and not hidden_edges:
        return graph
    return nx.restricted_view(graph, hidden_nodes, hidden_edges)


def rail_route(net: Corridor, origin: str, destination: str, avoid: Sequence[str] = (),
               samples: int = 500, seed: int = 0) -> Route | None:
    """The fastest rail (and rail-ferry) route keeping out of ``avoid``, or None when there is none.

    The same Route as ``corridor.transit.route`` (same path, same seed, same percentiles), but the
    Route (its Monte Carlo P90) is built once per path found and reused: many avoided countries
    leave a pair on the same detour, so the table searches a path per pair and country (one
    Dijkstra on the state graph) and samples only the detours it has not seen.
    """
    constraints = resolve_constraints(net, (), list(avoid), None, False)
    paths = fastest_paths(net, origin, destination, constraints, k=1)
    if not paths:
        return None
    cache = net.derived("dependence.routes", dict)
    key = (tuple(paths[0].edges), constraints.statuses, samples, seed)
    if key not in cache:
        cache[key] = make_route(net, paths[0], samples, seed, constraints.statuses)
    return cache[key]


def container_usd_co2e(net: Corridor, found: Route) -> tuple[float, float]:
    """Expected USD and kg CO2e of one 40' container on a rail route (modes tariffs and factors)."""
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
