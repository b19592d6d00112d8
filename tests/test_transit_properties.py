"""Invariants of the time model, checked with hypothesis on the built-in network."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor import NoRouteError

PAIRS = [("chongqing_tuanjiecun", "duisburg_logport"), ("xian", "lodz_olechow"), ("almaty", "moscow_vorsino"),
         ("urumqi", "alat_port"), ("chengdu_qingbaijiang", "madrid_abronigal")]
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _hours(net, a, b, **kw) -> float:
    try:
        return corridor.route(net, a, b, samples=0, **kw).transit_days * 24
    except NoRouteError:
        return float("inf")


@pytest.fixture(scope="module")
def base_hours(net):
    return {pair: _hours(net, *pair) for pair in PAIRS}


@SETTINGS
@given(pair=st.sampled_from(PAIRS), data=st.data())
def test_closing_a_link_never_makes_a_route_faster(net, base_hours, pair, data):
    path_links = corridor.route(net, *pair, samples=0).links
    closed = data.draw(st.sampled_from(path_links + list(net.links.index[:40])))
    assert _hours(net, *pair, avoid=[closed]) >= base_hours[pair] - 1e-6


@SETTINGS
@given(pair=st.sampled_from(PAIRS), extra=st.floats(0.5, 200.0), data=st.data())
def test_adding_dwell_never_makes_a_route_faster(net, base_hours, pair, extra, data):
    dwellers = list(net.nodes.index[net.nodes["dwell_h"].notna()])
    target = data.draw(st.sampled_from(dwellers))
    nodes = net.nodes.copy()
    for column in ("dwell_min_h", "dwell_h", "dwell_max_h"):
        nodes[column] = nodes[column].astype(float)
        nodes.loc[target, column] = (nodes.loc[target, column] if pd.notna(
            nodes.loc[target, column]) else nodes.loc[target, "dwell_h"]) + extra
    slower = net.replace(nodes=nodes)
    assert _hours(slower, *pair) >= base_hours[pair] - 1e-6


@SETTINGS
@given(pair=st.sampled_from(PAIRS), seed=st.integers(0, 2**31))
def test_p90_at_least_p50_at_least_minimum(net, pair, seed):
    r = corridor.route(net, *pair, samples=500, seed=seed)
    assert r.min_days <= r.p50_days <= r.p90_days


@SETTINGS
@given(pair=st.sampled_from(PAIRS))
def test_route_time_equals_timeline_sum(net, pair):
    r = corridor.route(net, *pair, samples=0)
    assert r.timeline["hours"].sum() / 24 == pytest.approx(r.transit_days)
