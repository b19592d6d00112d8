"""osmnx on the corridor graph: travel_time/speed_kph, shortest_path, GraphML round trip, stats."""

from __future__ import annotations

import itertools

import osmnx as ox
import pytest

from corridor.transit import route

A, B = "chongqing_tuanjiecun", "duisburg_logport"


def test_edges_carry_travel_time_seconds_and_speed_kph(net):
    for _, _, data in net.graph.edges(data=True):
        assert data["travel_time"] > 0
        assert data["speed_kph"] == pytest.approx(data["length"] / 1000 / (data["travel_time"] / 3600))


def test_travel_time_is_a_lower_bound_of_the_route_time(net):
    path = ox.routing.shortest_path(net.graph, [A], [B], weight="travel_time")[0]
    edges = [min(net.graph[u][v].values(), key=lambda d: d["travel_time"])
             for u, v in itertools.pairwise(path)]
    hours = sum(d["travel_time"] for d in edges) / 3600
    expected = route(net, A, B, samples=0).transit_days * 24
    assert 0.5 * expected < hours <= expected


def test_shortest_path_with_integer_keys(net):
    graph = net.to_osmnx()
    keys = graph.graph["node_key"]
    path = ox.routing.shortest_path(graph, keys[A], keys[B], weight="travel_time")
    slugs = [graph.nodes[n]["slug"] for n in path]
    assert slugs[0] == A and slugs[-1] == B and "dostyk" in slugs


def test_graphml_round_trip(net, tmp_path):
    graph = net.to_osmnx()
    keys = graph.graph["node_key"]
    ox.save_graphml(graph, tmp_path / "corridor.graphml")
    back = ox.load_graphml(tmp_path / "corridor.graphml")
    assert len(back) == len(graph) and back.number_of_edges() == graph.number_of_edges()
    assert ox.routing.shortest_path(back, keys[A], keys[B], weight="travel_time") == \
        ox.routing.shortest_path(graph, keys[A], keys[B], weight="travel_time")


def test_basic_stats_and_graph_to_gdfs(net):
    graph = net.to_osmnx()
    stats = ox.stats.basic_stats(graph)
    assert stats["n"] == len(net.nodes)
    _, edges = ox.graph_to_gdfs(graph)
    assert len(edges) == 2 * len(net.links)
