"""The vectorised state-graph build makes the same states, edges, parts and weights as the
per-edge loop it replaced (kept here as the reference), and the same routes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import corridor
from corridor._graph import IN, OUT, WATER, StateGraph, can_switch, link_track
from corridor.datafiles import row_dicts
from corridor.timemodel import (
    DISRUPTION,
    DWELL,
    SAILING,
    ComponentTable,
    event_kind,
    link_components,
    node_components,
    pays_node,
)

STATUSES = [frozenset({"operating"}), frozenset({"operating", "planned", "construction"})]


def reference_build(nodes, links, statuses, disruptions) -> dict:
    """The state graph as the loop of corridor._graph built it (one Python step per edge)."""
    nodes = nodes[nodes["status"].isin(statuses)]
    links = links[links["status"].isin(statuses) & links["from"].isin(nodes.index)
                  & links["to"].isin(nodes.index)]
    node_ids, link_ids = list(nodes.index), list(links.index)
    node_pos = {n: i for i, n in enumerate(node_ids)}
    country = nodes["country"].to_numpy()
    link_rows = row_dicts(links)
    own = ({} if disruptions is None or disruptions.empty
           else {key: rows for key, rows in disruptions.groupby("element", sort=False)})
    components, node_bundle, link_bundle = [], [], []
    for node_id, row in zip(node_ids, row_dicts(nodes), strict=True):
        bundle = node_components(node_id, row, own.get(node_id))
        node_bundle.append(tuple(range(len(components), len(components) + len(bundle))))
        components += bundle
    for link_id, row in zip(link_ids, link_rows, strict=True):
        bundle = link_components(link_id, row, own.get(link_id))
        link_bundle.append(tuple(range(len(components), len(components) + len(bundle))))
        components += bundle
    states, index = [], {}

    def state(*key) -> int:
        if key not in index:
            index[key] = len(states)
            states.append(key)
        return index[key]

    edges = []  # (src, dst, parts, labels, link)

    def paid_at(n, label):
        bundle = node_bundle[n]
        return bundle, tuple(label if components[c].kind == DWELL else DISRUPTION for c in bundle)

    kinds = [set(k or []) for k in nodes["kind"]]
    tracks = {i: set() for i in range(len(node_ids))}
    for link in link_rows:
        for end in ("from", "to"):
            tracks[node_pos[link[end]]].add(link_track(link))
    for n, node_tracks in tracks.items():
        for t_in in node_tracks:
            for t_out in node_tracks:
                if not can_switch(kinds[n], t_in, t_out):
                    continue
                for paid in (0, 1):
                    a = state(n, t_in, paid, IN)
                    if t_in == t_out:
                        edges.append((a, state(n, t_out, paid, OUT), (), (), -1))
                        continue
                    pays = not paid and pays_node(kinds[n], changes_track=True, crosses_border=False)
                    parts, labels = paid_at(n, event_kind(True, WATER in (t_in, t_out))) if pays \
                        else ((), ())
                    edges.append((a, state(n, t_out, 1, OUT), parts, labels, -1))
    for i, link in enumerate(link_rows):
        u, v, t = node_pos[link["from"]], node_pos[link["to"]], link_track(link)
        travel = link_bundle[i]
        travel_labels = tuple("ferry" if components[c].kind == SAILING else components[c].kind
                              for c in travel)
        for a, b in ((u, v), (v, u)):
            crossing = country[a] != country[b]
            for paid in (0, 1):
                exit_pays = not paid and pays_node(kinds[a], changes_track=False,
                                                   crosses_border=crossing)
                entry_pays = pays_node(kinds[b], changes_track=False, crosses_border=crossing)
                exit_parts, exit_labels = paid_at(a, "border") if exit_pays else ((), ())
                entry_parts, entry_labels = paid_at(b, "border") if entry_pays else ((), ())
                edges.append((state(a, t, paid, OUT), state(b, t, int(entry_pays), IN),
                              exit_parts + travel + entry_parts,
                              exit_labels + travel_labels + entry_labels, i))
    mean = [c.mean for c in components]
    return {"components": components, "node_bundle": node_bundle, "link_bundle": link_bundle,
            "states": states, "src": [e[0] for e in edges], "dst": [e[1] for e in edges],
            "parts": [e[2] for e in edges], "labels": [e[3] for e in edges],
            "link": [e[4] for e in edges],
            "weight": [sum(mean[c] for c in e[2]) + 1e-9 for e in edges]}


def assert_same_graph(sg: StateGraph, ref: dict) -> None:
    assert sg.components.components == ref["components"]
    old = ComponentTable(ref["components"])
    for column in ("lo", "mode", "hi", "chance", "mean", "best", "variance"):
        np.testing.assert_array_equal(getattr(sg.components, column), getattr(old, column))
    assert sg.node_bundle == ref["node_bundle"]
    assert sg.link_bundle == ref["link_bundle"]
    assert sg.states == ref["states"]
    assert sg.src.tolist() == ref["src"]
    assert sg.dst.tolist() == ref["dst"]
    assert sg.edge_link.tolist() == ref["link"]
    assert [sg.edge_parts(e) for e in range(len(sg.src))] == ref["parts"]
    assert [sg.edge_labels(e) for e in range(len(sg.src))] == ref["labels"]
    np.testing.assert_array_equal(sg.weight, np.asarray(ref["weight"]))


@pytest.mark.parametrize("statuses", STATUSES)
def test_build_matches_the_reference_loop_on_the_builtin_network(net, statuses):
    sg = StateGraph(net.nodes, net.links, statuses, net.disruptions)
    assert_same_graph(sg, reference_build(net.nodes, net.links, statuses, net.disruptions))
    assert sg.n_states == len(sg.states) > 0


@pytest.fixture(scope="module")
def grid_net(tmp_path_factory) -> corridor.Corridor:
    """A small synthetic network (the builder of ``corridor osm network`` on a jittered grid,
    with the built-in places on it), as the scale benchmark makes its large ones."""
    from corridor.osm.network import REGIONS, build_features, synthetic_track, write_network

    curated = corridor.load()
    places = [(p.x, p.y) for p in curated.nodes.geometry]
    track = synthetic_track(10.0, 36.0, 125.0, 58.0, 16, 7, seed=1, extra=places)
    nodes, links, _ = build_features(track, REGIONS["eurasia"], curated, "synthetic grid (test)")
    out = tmp_path_factory.mktemp("grid")
    write_network(out, nodes, links)
    return corridor.load(out)


def test_build_matches_the_reference_loop_on_a_synthetic_network(grid_net):
    statuses = STATUSES[0]
    sg = StateGraph(grid_net.nodes, grid_net.links, statuses, grid_net.disruptions)
    assert len(sg.node_ids) > 250
    assert_same_graph(sg, reference_build(grid_net.nodes, grid_net.links, statuses,
                                          grid_net.disruptions))


def test_a_node_with_three_tracks_and_episodes_on_links(net):
    """A port that also changes gauge (rail 1435 and 1520 and water at one node), with
    disruptions on a link and a node: the switch edges and bundles follow the loop."""
    nodes, links = net.nodes.copy(), net.links.copy()
    def used_links(node: str, water: bool) -> list[str]:
        ends = links.index[((links["from"] == node) | (links["to"] == node))
                           & (links["status"] == "operating")]
        return [lid for lid in ends if (links.at[lid, "mode"] != "rail") == water]

    port = next(n for n, k in nodes["kind"].items()
                if "port" in k and used_links(n, water=False) and used_links(n, water=True))
    nodes.at[port, "kind"] = [*nodes.at[port, "kind"], "gauge_change"]
    rail = used_links(port, water=False)[0]
    twin = links.loc[[rail]].copy()  # a parallel line of the other gauge
    twin.index = [f"{rail}_twin"]
    twin["gauge_mm"] = 1435 if links.at[rail, "gauge_mm"] != 1435 else 1520
    links = pd.concat([links, twin])
    rail = [f"{rail}_twin"]
    episodes = net.disruptions.copy()
    extra = episodes.iloc[[0, 0]].copy()
    extra["element"] = [rail[0], port]
    episodes = type(episodes)(np.concatenate([episodes.to_numpy(), extra.to_numpy()]),
                              columns=episodes.columns).astype(episodes.dtypes.to_dict())
    sg = StateGraph(nodes, links, STATUSES[0], episodes)
    assert len({t for n, t, _, _ in sg.states if n == sg.node_pos[port]}) == 3
    assert_same_graph(sg, reference_build(nodes, links, STATUSES[0], episodes))


def test_routes_of_the_terminal_matrix_are_unchanged(net):
    """Every route between the built-in terminals, searched on the new graph, costs what the
    reference graph's own Dijkstra (networkx, on the loop's edges) says."""
    import networkx as nx

    statuses = STATUSES[0]
    sg = StateGraph(net.nodes, net.links, statuses, net.disruptions)
    ref = reference_build(net.nodes, net.links, statuses, net.disruptions)
    graph = nx.MultiDiGraph()
    graph.add_weighted_edges_from(zip(ref["src"], ref["dst"], ref["weight"], strict=True))
    terminals = [n for n in sg.node_ids if "terminal" in net.nodes.at[n, "kind"]][:12]
    mask = sg.edge_mask()
    checked = 0
    for origin in terminals:
        starts = [s for s, (n, _, p, side) in enumerate(ref["states"])
                  if n == sg.node_pos[origin] and side == OUT and p == 0]
        best = nx.multi_source_dijkstra_path_length(graph, starts)
        for destination in terminals:
            if destination == origin:
                continue
            ends = [s for s, (n, _, _, side) in enumerate(ref["states"])
                    if n == sg.node_pos[destination] and side == IN and s in best]
            if not ends:
                continue
            path = sg.shortest(origin, destination, [], mask)
            assert path.hours == pytest.approx(min(best[s] for s in ends) + 1e-9, abs=1e-6)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("statuses", STATUSES)
def test_the_merged_route_graph_finds_the_paths_of_the_full_search(net, monkeypatch, statuses):
    """A journey searched on the smaller route graph (used on large graphs) has the edges and
    the hours, to the bit, of the search over every state; with a via stop and constraints too."""
    import corridor._graph as graph_module

    sg = StateGraph(net.nodes, net.links, statuses, net.disruptions)
    terminals = [n for n in sg.node_ids if "terminal" in net.nodes.at[n, "kind"]][:10]
    masks = [sg.edge_mask(), sg.edge_mask(avoid_nodes=["dostyk"]),
             sg.edge_mask(modes=["rail"])]
    journeys = [(a, b, []) for a in terminals for b in terminals if a != b]
    journeys += [("xian", "duisburg_logport", ["aktau_port"]),
                 ("xian", "duisburg_logport", ["almaty", "moscow_vorsino"]),
                 ("xian", "brest", ["almaty"])]
    compared = 0
    for mask in masks:
        for origin, destination, via in journeys:
            if any(stop not in sg.node_pos for stop in [origin, destination, *via]):
                continue
            monkeypatch.setattr(graph_module, "SMALL_GRAPH_STATES", 10**9)
            try:
                full = sg.shortest(origin, destination, via, mask)
            except corridor.errors.NoRouteError:
                full = None
            monkeypatch.setattr(graph_module, "SMALL_GRAPH_STATES", 0)
            if full is None:
                with pytest.raises(corridor.errors.NoRouteError):
                    sg.shortest(origin, destination, via, mask)
                continue
            merged = sg.shortest(origin, destination, via, mask)
            assert merged.edges == full.edges, (origin, destination, via)
            assert merged.hours == full.hours
            compared += 1
    assert compared > 150
    # the built-in network has no parallel edges, so every mask was searched on the
    # unconstrained journey's route graph with its closed edges weighted infinite
    assert len(sg._route_cache) == 1


def test_a_mask_closing_one_of_two_parallel_links_keeps_the_other(tmp_path, monkeypatch):
    """The route graph keeps the cheaper of two parallel edges; a mask closing it is searched on
    a route graph of its own (or in full), which still has the other."""
    import corridor._graph as graph_module
    from tests.netfactory import link, node, write_network

    a, b, c = (node("a", 70.0, 45.0, "KZ", ["terminal"]), node("b", 71.0, 45.0, "KZ", ["junction"]),
               node("c", 72.0, 45.0, "KZ", ["terminal"]))
    fast, slow = link(a, b, speed=60.0, id="a__b_fast"), link(a, b, speed=30.0, id="a__b_slow")
    net = corridor.load(write_network(tmp_path / "net", [a, b, c], [fast, slow, link(b, c)]))
    monkeypatch.setattr(graph_module, "SMALL_GRAPH_STATES", 0)
    sg = StateGraph(net.nodes, net.links, frozenset({"operating"}), net.disruptions)
    closed = sg.edge_mask(avoid_links=["a__b_fast"])
    assert not sg._maskable(closed) and sg._maskable(sg.edge_mask())
    assert sg.shortest("a", "c", [], sg.edge_mask()).links == ["a__b_fast", "b__c"]
    assert sg.shortest("a", "c", [], closed).links == ["a__b_slow", "b__c"]


@pytest.mark.parametrize("statuses", STATUSES)
def test_whole_graph_paid_nodes_and_running_hours_match_the_per_edge_ones(statuses):
    """The capacity model's array forms, against one edge and one link at a time: every (edge,
    node) whose dwell the edge pays, and every link's running hours (its parts in order)."""
    from corridor.timemodel import RUN
    from corridor.transit import state_graph

    sg = state_graph(corridor.load(), statuses)
    edges, nodes = sg.paid_node_pairs()
    expected = sorted({(e, int(sg.component_node[c])) for e in range(len(sg.src))
                       for c in sg.edge_parts(e)
                       if sg.component_node[c] >= 0 and sg.components[c].kind == DWELL})
    assert sorted(zip(edges.tolist(), nodes.tolist(), strict=True)) == expected
    assert expected  # border and gauge-change dwell is paid somewhere
    one_by_one = []
    for j in range(len(sg.link_ids)):
        start = int(sg.link_part_start[j])
        parts = range(start, start + int(sg.link_part_count[j]))
        one_by_one.append(float(sum(sg.components.mean[c] for c in parts
                                    if sg.components.kind[c] in (RUN, SAILING))))
    assert sg.running_hours_all().tolist() == one_by_one


def test_states_by_node_are_each_nodes_states_where_the_mask_holds():
    from corridor.transit import state_graph

    sg = state_graph(corridor.load(), STATUSES[0])
    grouped = sg.states_by_node(sg.state_side == IN)
    assert list(grouped) == list(sg.node_ids)
    for n, states in grouped.items():
        assert states.tolist() == sg.states_of(n, IN).tolist()
