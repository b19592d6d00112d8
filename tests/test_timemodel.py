"""One time model: routing cost = timeline = Monte Carlo mean = capacity free-flow time, on the
built-in network and on random networks; episodes; results that never go stale."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netfactory import link, node

import corridor
from corridor import Corridor, ReadOnlyError
from corridor.bottlenecks.capacity import capacity_model
from corridor.transit import (
    Constraints,
    component_counts,
    fastest_paths,
    make_route,
    state_graph,
    terminals,
)

SAMPLES = 4000
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _identities(net: Corridor, origin: str, destination: str) -> None:
    """Every way of counting a path's hours gives the same number."""
    found = fastest_paths(net, origin, destination, Constraints())
    if not found:
        return
    path = found[0]
    sg = state_graph(net, Constraints().statuses)
    r = make_route(net, path, samples=SAMPLES, seed=1)
    dijkstra_h = path.hours
    timeline_h = float(r.timeline["hours"].sum())
    assert timeline_h == pytest.approx(dijkstra_h, abs=1e-6)
    assert r.transit_days * 24 == pytest.approx(dijkstra_h, abs=1e-6)
    model = capacity_model(net)
    free_flow = float(model.edge_costs(np.zeros(len(model.ids)))[list(path.edges)].sum())
    assert free_flow == pytest.approx(dijkstra_h, abs=1e-6)
    counts = component_counts(sg, [path.edges])
    totals = sg.components.totals(counts, SAMPLES, np.random.default_rng(2))[0]
    spread = float(np.sqrt(counts.toarray()[0] @ sg.components.variance))  # independent parts
    assert totals.mean() == pytest.approx(dijkstra_h, abs=5 * spread / np.sqrt(SAMPLES) + 1e-6)
    assert r.min_days <= r.p50_days + 1e-9 <= r.p90_days + 2e-9


@pytest.fixture(scope="module")
def pairs(net):
    places = terminals(net)
    return [(a, b) for a in places for b in places if a != b]


@SETTINGS
@given(data=st.data())
def test_costs_agree_on_random_pairs_of_the_built_in_network(net, pairs, data):
    origin, destination = data.draw(st.sampled_from(pairs))
    _identities(net, origin, destination)


@st.composite
def random_networks(draw):
    """A chain of 3-8 places over two countries and gauges, with random dwell, kinds and shortcuts."""
    n = draw(st.integers(3, 8))
    border_at = draw(st.integers(1, n - 1))
    nodes = []
    for i in range(n):
        country = "CN" if i < border_at else "KZ"
        kinds = ["terminal"] if i in (0, n - 1) else []
        if i in (border_at - 1, border_at):
            kinds += ["border"]
        if i == border_at:
            kinds += ["gauge_change"]
        lo = draw(st.floats(0.5, 5.0))
        mode = lo + draw(st.floats(0.0, 10.0))
        hi = mode + draw(st.floats(0.0, 100.0))
        nodes.append(node(f"n{i}", 70.0 + i, 45.0 + (i % 2) * 0.3, country, kinds or ["junction"],
                          dwell_min_h=lo, dwell_h=mode, dwell_max_h=hi))
    links = []
    for i in range(n - 1):
        gauge = 1435 if i + 1 <= border_at else 1520
        links.append(link(nodes[i], nodes[i + 1], gauge, speed=draw(st.floats(20.0, 80.0)),
                          speed_min_kmh=15.0, speed_max_kmh=90.0))
    return nodes, links


@settings(max_examples=60, deadline=None, derandomize=True)
@given(network=random_networks())
def test_costs_agree_on_random_networks(network):
    nodes, links = network
    net = Corridor.from_features(nodes, links, validate=False)
    _identities(net, "n0", nodes[-1]["properties"]["id"])


def test_t0_of_every_link_is_its_running_time(net):
    model = capacity_model(net)
    sg = model.sg
    for j, lid in enumerate(sg.link_ids):
        row = net.links.loc[lid]
        expected = (float(row["sailing_h"]) if row["mode"] != "rail"
                    else sg.components[sg.link_bundle[j][0]].mean)
        assert model.free_flow_h[model.n_nodes + j] == pytest.approx(expected), lid
    brest = model.position["brest__malaszewicze"]
    assert model.free_flow_h[brest] < 3.0  # running time only, not the border dwell (was 28.95 h)


def test_editing_a_loaded_network_is_refused_and_replace_gives_the_fresh_answer(net):
    before = corridor.route(net, "Chongqing", "Duisburg", samples=0).transit_days
    with pytest.raises(ReadOnlyError, match="read-only"):
        net.nodes.loc["dostyk", "dwell_h"] = 500
    with pytest.raises(ReadOnlyError):
        net.nodes["dwell_h"] = 500.0
    assert corridor.route(net, "Chongqing", "Duisburg", samples=0).transit_days == before
    nodes = net.nodes.copy()
    nodes.loc["dostyk", ["dwell_min_h", "dwell_h", "dwell_max_h"]] = 500.0
    edited = net.replace(nodes=nodes)
    fresh = corridor.load().replace(nodes=nodes)
    after = corridor.route(edited, "Chongqing", "Duisburg", samples=0)
    assert after.transit_days == corridor.route(fresh, "Chongqing", "Duisburg", samples=0).transit_days
    assert after.transit_days > before and "dostyk" not in after.path


def test_episodes_raise_the_expected_time_by_chance_times_extra(net):
    dostyk = net.disruptions.set_index("element").loc["dostyk"]
    quiet = net.replace(disruptions=net.disruptions.iloc[0:0])
    r = corridor.route(net, "Urumqi", "Almaty", samples=0, avoid=["altynkol"])
    q = corridor.route(quiet, "Urumqi", "Almaty", samples=0, avoid=["altynkol"])
    extra = dostyk.chance * (dostyk.extra_min_h + 4 * dostyk.extra_h + dostyk.extra_max_h) / 6
    assert "dostyk" in r.path
    assert (r.transit_days - q.transit_days) * 24 == pytest.approx(extra)
    assert r.min_days == pytest.approx(q.min_days)  # the best case has no episodes
    timeline = r.timeline
    episode = timeline[timeline["kind"] == "disruption"].iloc[0]
    assert episode["chance"] == pytest.approx(dostyk.chance) and episode["hours_min"] == 0


def test_a_crossing_with_a_rare_queue_is_not_avoided_in_normal_weeks(net):
    """Zabaikalsk has a 20-day congestion record, but Harbin–Moscow still leaves by Manzhouli."""
    r = corridor.route(net, "Harbin", "Moscow", samples=500)
    assert str(r.border_crossings[0]) == "manzhouli→zabaikalsk"
    assert "zabaikalsk" in set(net.disruptions["element"])


def test_a_percentile_objective_prefers_reliability(net):
    expected = corridor.alternatives(net, "Chongqing", "Duisburg", k=3, samples=2000)
    p90 = corridor.route(net, "Chongqing", "Duisburg", objective="p90", samples=2000)
    assert p90.p90_days <= min(r.p90_days for r in expected) + 1e-9
    with pytest.raises(corridor.CorridorError, match="objective"):
        corridor.route(net, "Chongqing", "Duisburg", objective="fastest")


def test_worked_example_dostyk(net):
    """The README's worked example of the time model, printed from the data."""
    sg = state_graph(net, Constraints().statuses)
    bundle = [sg.components[c] for c in sg.node_bundle[sg.node_pos["dostyk"]]]
    dwell, episode = bundle[0], bundle[1]
    print(f"\ndostyk dwell {dwell.spread.lo:g} / {dwell.spread.mode:g} / {dwell.spread.hi:g} h, "
          f"mean {dwell.mean:.2f} h; episode chance {episode.chance:g}, "
          f"{episode.spread.lo:g} / {episode.spread.mode:g} / {episode.spread.hi:g} h "
          f"(mean {episode.spread.mean:.0f} h) adds {episode.mean:.2f} h; "
          f"expected {dwell.mean + episode.mean:.2f} h, best {dwell.best + episode.best:g} h")
    assert round(dwell.mean, 2) == 6.71 and round(episode.mean, 2) == 2.08
    assert round(dwell.mean + episode.mean, 2) == 8.79 and dwell.best + episode.best == 4.25
