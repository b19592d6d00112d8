"""The fast path of cold-chain reach (one Dijkstra on shelf life, autonomy checked along its tree)
gives the label search's answers wherever it is used."""

from __future__ import annotations

import importlib
import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor.coldchain.climate import node_ambient
from corridor.coldchain.commodities import builtin_commodities, commodity
from corridor.osm.network import build_features, synthetic_track, write_network

R = importlib.import_module("corridor.coldchain.reach")  # the package re-exports reach()
ITEMS = ["chilled_beef", "fresh_tomatoes", "cheese", "grain"]


def _query(net, place, item_id, month, power, autonomy_h, backward):
    model = R.edge_model(net)
    sg = model.sg
    item = commodity(builtin_commodities(), item_id)
    ambient = node_ambient(net, month, None).loc[sg.node_ids, "temp_c"].to_numpy()
    costs = R.edge_costs(net, model, item, ambient, power)
    autonomy = R._check_power(power, autonomy_h) if item.requires_reefer else math.inf
    starts = model.arrivals[place] if backward else model.departures[place]
    return model, costs, starts, autonomy


def _answers(model, labels, backward):
    """Per node: shelf life used, hours and state-graph edges of its best label, or None."""
    ends = model.departures if backward else model.arrivals
    out = {}
    for node in model.sg.node_ids:
        best = R._best_label(labels, ends[node])
        if best is None:
            out[node] = None
            continue
        edges = R._routes_of(model, labels, [best], backward)[best][2]
        out[node] = (labels.used[best], labels.hours[best], edges)
    return out


def _check(net, place, item_id, month, power, autonomy_h, backward) -> bool:
    """Assert the fast path's answers (when it answers) and the unlimited-autonomy tree equal the
    label search's; whether the fast path answered."""
    model, costs, starts, autonomy = _query(net, place, item_id, month, power, autonomy_h, backward)
    free, feasible = R._tree_labels(model, costs, starts, autonomy, backward)
    assert _answers(model, R._in_bags(free), backward) == _answers(
        model, R._search(model, costs, starts, math.inf, backward), backward)
    fast = R._settled(model, free, feasible, place, backward)
    if fast is None:
        return False
    assert _answers(model, fast, backward) == _answers(
        model, R._search(model, costs, starts, autonomy, backward), backward)
    return True


def test_fast_path_equals_the_label_search_on_the_builtin_network(net):
    answered = []
    for place, item, power, backward, hours in itertools.product(
            ["kostanay", "xian", "duisburg_logport"], ITEMS, R.POWER_MODES, (False, True),
            (None, 24.0)):
        answered.append(_check(net, place, item, 7, power, hours, backward))
    assert any(answered) and not all(answered)  # both paths taken


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Small synthetic track networks (two seeds) around the Kazakhstan–China crossings."""
    curated = corridor.load()
    places = [(curated.nodes.loc[n].geometry.x, curated.nodes.loc[n].geometry.y)
              for n in ("dostyk", "alashankou", "altynkol", "khorgos", "almaty", "urumqi")]
    nets = []
    for seed in (1, 2):
        track = synthetic_track(74.0, 41.0, 90.0, 47.0, 18, 9, seed=seed, extra=places)
        nodes, links, _ = build_features(track, ["KZ", "CN", "KG"], curated, "synthetic test")
        path = write_network(tmp_path_factory.mktemp(f"syn{seed}") / "net", nodes, links)[0]
        nets.append(corridor.load(path.parent))
    return nets


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 1), place=st.sampled_from(["dostyk", "almaty", "urumqi", "khorgos"]),
       item=st.sampled_from(ITEMS), month=st.sampled_from([1, 7]),
       power=st.sampled_from(R.POWER_MODES), hours=st.sampled_from([None, 6.0, 20.0, 60.0]),
       backward=st.booleans())
def test_fast_path_equals_the_label_search_on_synthetic_networks(synthetic, which, place, item,
                                                                   month, power, hours, backward):
    net = synthetic[which]
    assert place in R.edge_model(net).sg.node_pos
    _check(net, place, item, month, power, hours, backward)


def test_both_paths_are_taken_on_a_synthetic_network(synthetic):
    answered = [_check(synthetic[0], "dostyk", "chilled_beef", 7, "genset", hours, False)
                for hours in (6.0, 720.0)]
    assert answered == [False, True]
