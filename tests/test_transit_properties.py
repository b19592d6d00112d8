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


# -- the two Dijkstra engines of the state graph agree (small graphs: a heap; large: scipy) -----------

@st.composite
def _csr_graphs(draw):
    import numpy as np

    n = draw(st.integers(2, 30))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.sampled_from([0.5, 1.0, 1.5, 2.0, 7.25])), max_size=120))
    edges = sorted({(a, b): w for a, b, w in edges if a != b}.items())
    indptr = np.zeros(n + 1, dtype=np.int32)
    for (a, _), _w in edges:
        indptr[a + 1] += 1
    indptr = np.cumsum(indptr).astype(np.int32)
    indices = np.array([b for (_, b), _ in edges], dtype=np.int32)
    data = np.array([w for _, w in edges], dtype=float)
    return n, indptr, indices, data, draw(st.integers(0, n - 1))


@settings(max_examples=200, deadline=None)
@given(_csr_graphs())
def test_rustworkx_search_gives_scipys_distances_and_valid_predecessors(graph):
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from corridor._graph import NO_PREDECESSOR, small_dijkstra

    n, indptr, indices, data, source = graph
    rows = np.repeat(np.arange(n), np.diff(indptr))
    edges = list(zip(rows.tolist(), indices.tolist(), data.tolist(), strict=True))
    dist, pred = small_dijkstra(n, edges, source)
    expected = dijkstra(csr_matrix((data, indices, indptr), shape=(n, n)), directed=True,
                        indices=source)
    assert np.array_equal(dist, expected)  # same sums in the same order: bit-identical
    weight = {(a, int(indices[k])): data[k] for a in range(n) for k in range(indptr[a], indptr[a + 1])}
    for v in range(n):
        if v == source or not np.isfinite(dist[v]):
            assert pred[v] == NO_PREDECESSOR
        else:
            assert dist[pred[v]] + weight[(int(pred[v]), v)] == dist[v]


def test_both_engines_route_the_built_in_network_identically(net, monkeypatch):
    import corridor._graph as graph_module
    from corridor.transit import matrix

    origins = ["Chongqing", "Xian", "Almaty", "Kostanay", "Duisburg", "Lodz", "Aktau"]
    small = matrix(net, origins, samples=0)
    alternatives = [tuple(r.path) for r in corridor.alternatives(net, "Chongqing", "Duisburg", k=4,
                                                                  samples=0)]
    monkeypatch.setattr(graph_module, "SMALL_GRAPH_STATES", 0)
    fresh = corridor.load()  # its state graph is searched by scipy
    assert matrix(fresh, origins, samples=0).equals(small)
    assert [tuple(r.path) for r in corridor.alternatives(fresh, "Chongqing", "Duisburg", k=4,
                                                         samples=0)] == alternatives
