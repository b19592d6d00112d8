"""Many searches in one scipy call (the matrix's) give each search's own answers."""

from __future__ import annotations

import numpy as np
import pytest

import corridor._graph as graph_module
from corridor.transit import Constraints, _mask, matrix, route, state_graph

PLACES = ["xian", "dostyk", "duisburg_logport", "aktau_port", "chongqing_tuanjiecun", "brest"]


@pytest.fixture
def scipy_engine(monkeypatch):
    """The large-graph engine (scipy) on the built-in network, whatever its size."""
    monkeypatch.setattr(graph_module, "SMALL_GRAPH_STATES", 0)


def test_distances_many_rows_are_the_single_searches(net, scipy_engine, monkeypatch):
    sg = state_graph(net, Constraints().statuses)
    mask = _mask(net, sg, Constraints())
    sources = [sg.origin_states(p) for p in PLACES]
    monkeypatch.setattr(sg, "MANY_BATCH", 4)  # two batches, the second one short
    dist, pred, lookup = sg.distances_many(sources, mask)
    n = len(sg.states)
    for row, chosen in enumerate(sources):
        one, one_pred, one_lookup = sg.distances(chosen, mask)
        np.testing.assert_array_equal(dist[row], one[:n])
        virtual = one_pred[:n] == n
        assert (pred[row][virtual] >= n).all()
        np.testing.assert_array_equal(pred[row][~virtual], one_pred[:n][~virtual])
        targets = np.flatnonzero(np.isfinite(one[:n]))[::7]
        many = sg.trace_rows(pred, lookup, np.full(len(targets), row), targets)
        single = sg.trace_many(one_pred, one_lookup, targets)
        assert [m.tolist() for m in many] == [s.tolist() for s in single]


def test_matrix_on_the_scipy_engine_matches_routes(net, scipy_engine):
    frame = matrix(net, PLACES, PLACES, samples=0)
    assert len(frame) == len(PLACES) * (len(PLACES) - 1)
    for row in frame.itertuples():
        found = route(net, row.origin, row.destination, samples=0)
        assert row.transit_days == pytest.approx(found.transit_days, abs=1e-9)
        assert row.distance_km == pytest.approx(found.distance_km, abs=1e-6)
