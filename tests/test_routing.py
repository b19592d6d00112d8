"""The vectorised all-or-nothing router against the per-pair Dijkstra walk it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.bottlenecks.capacity import CLOSED, capacity_model
from corridor.bottlenecks.demand import demand_pairs
from corridor.bottlenecks.routing import Router


def _one_by_one(model, cost, origin, destination, via):
    """The route of one pair the way assign found it before: a Dijkstra per origin (or through a
    crossing), then a walk back along the predecessors."""
    matrix, chosen = model.graph(cost)
    if via:
        found = model.via_route(matrix, chosen, origin, via, destination)
        if found is not None:
            return found
    dist, pred, rows = model.trees(matrix, [origin])
    best = model.best_arrival(dist, rows[origin], destination)
    if best is None:
        return None
    return model.path_edges(pred[best[0]], chosen, best[1]), best[2]


@pytest.mark.parametrize("closed", [(), ("dostyk",), ("brest", "erenhot")])
def test_router_finds_the_same_routes_as_one_search_per_pair(net, closed):
    model = capacity_model(net)
    ods = demand_pairs(net, None)
    cost = model.sg.weight.copy()
    for place in closed:
        cost[model.closed_edges(model.position[place])] = CLOSED
    router = Router(model, ods["origin"].tolist(), ods["destination"].tolist(), ods["via"].tolist())
    routes = router.route(cost)
    assert routes.incidence.shape == (len(ods), len(cost))
    for i, (o, d, v) in enumerate(zip(ods["origin"], ods["destination"], ods["via"], strict=True)):
        expected = _one_by_one(model, cost, o, d, v)
        if expected is None:
            assert routes.edges[i] is None and np.isnan(routes.hours[i])
            continue
        edges, hours = expected
        assert routes.hours[i] == pytest.approx(hours, rel=1e-12)
        assert float(cost[routes.edges[i]].sum()) == pytest.approx(hours, rel=1e-9)
        assert sorted(routes.incidence[i].indices) == sorted(routes.edges[i])
        if v and v not in closed:  # trains counted at a crossing are charged there
            assert model._charged_edges(model.position[v])[routes.edges[i]].any()
    # the loads are the incidence applied to the trains
    trains = ods["trains_day"].to_numpy()
    loads = routes.loads(trains)
    by_hand = np.zeros(len(cost))
    for i, edges in enumerate(routes.edges):
        if edges is not None:
            by_hand[edges] += trains[i]
    assert np.allclose(loads, by_hand)


def test_router_paths_run_in_travel_order(net):
    model = capacity_model(net)
    ods = demand_pairs(net, None)
    router = Router(model, ods["origin"].tolist(), ods["destination"].tolist(), ods["via"].tolist())
    routes = router.route(model.sg.weight.copy())
    for i, edges in enumerate(routes.edges):
        assert edges is not None
        assert (model.sg.dst[edges[:-1]] == model.sg.src[edges[1:]]).all()
        assert model.sg.src[edges[0]] in model.departures[ods.at[i, "origin"]]
        assert model.sg.dst[edges[-1]] in model.arrivals[ods.at[i, "destination"]]
