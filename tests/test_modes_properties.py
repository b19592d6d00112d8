"""Invariants of the modes comparison (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.modes import builtin_tables, compare_modes, pareto_mask
from corridor.modes.emissions import links_co2e_kg
from corridor.modes.tariffs import expected_cost, rail_cost_parts
from corridor.network import load
from corridor.transit import route

NET = load()
ROUTE = route(NET, "Chongqing", "Duisburg", samples=0)
ADMINS = ["*", "CR", "KTZ", "RZD", "BCh", "PKP", "DB"]


@settings(max_examples=40, deadline=None)
@given(admin=st.sampled_from(ADMINS), factor=st.floats(1.0, 5.0), container=st.sampled_from(["20", "40"]))
def test_higher_tariff_never_lowers_cost(admin, factor, container):
    tables = builtin_tables()
    before = expected_cost(rail_cost_parts(NET, ROUTE, tables, container))
    after = expected_cost(rail_cost_parts(NET, ROUTE, tables.scaled("tariffs", "rail_km", factor, admin),
                                          container))
    assert after >= before - 1e-9


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["grid", "electric_traction", "diesel_traction", "ferry"]),
       factor=st.floats(1.0, 5.0), payload=st.floats(1.0, 30.0))
def test_more_intensive_traction_never_lowers_co2e(kind, factor, payload):
    tables = builtin_tables()
    before = links_co2e_kg(NET, ROUTE.path, ROUTE.links, tables, payload)
    dirtier = tables.scaled("emission_factors", kind, factor)
    after = links_co2e_kg(NET, ROUTE.path, ROUTE.links, dirtier, payload)
    assert after >= before - 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 1e5), st.floats(0, 1e5)), min_size=1, max_size=12))
def test_pareto_set_nonempty_and_undominated(points):
    import pandas as pd

    frame = pd.DataFrame(points, columns=["days", "cost_usd", "co2e_kg"])
    mask = pareto_mask(frame)
    assert mask.any()
    values = frame.to_numpy()
    for i in mask.nonzero()[0]:
        assert not ((values <= values[i]).all(axis=1) & (values < values[i]).any(axis=1)).any()


@pytest.mark.parametrize("pair", [("Chongqing", "Duisburg"), ("Kostanay", "Chongqing")])
def test_real_comparison_pareto_marks(pair):
    frame = compare_modes(NET, *pair, samples=200)
    assert frame["pareto"].any()
    assert set(", ".join(frame["best_for"]).replace(" ", "").split(",")) - {""} == {"time", "cost", "co2e"}


# -- the same invariants on the whole comparison: every option, rail, rail–sea, sea and air --------

PAIRS = [("Chongqing", "Duisburg"), ("Shanghai", "Rotterdam")]
MONEY = [("tariffs", k) for k in ("rail_km", "border", "gauge_change", "terminal", "ferry",
                                   "reefer_surcharge", "genset_fuel")] + [("sea", "freight"), ("air", "rate")]
FACTORS = [("emission_factors", k) for k in ("grid", "electric_traction", "diesel_traction", "sea", "ferry",
                                              "air", "genset")]


def _compare(pair, reefer, tables=None):
    return compare_modes(NET, *pair, reefer=reefer, samples=50, tables=tables).set_index("option")


BASE = {(pair, reefer): _compare(pair, reefer) for pair in PAIRS for reefer in (False, True)}


@settings(max_examples=12, deadline=None)
@given(money=st.sampled_from(MONEY), factor=st.floats(1.0, 3.0), pair=st.sampled_from(PAIRS),
       reefer=st.booleans())
def test_higher_tariff_never_lowers_any_options_cost(money, factor, pair, reefer):
    base = BASE[(pair, reefer)]
    after = _compare(pair, reefer, builtin_tables().scaled(*money, factor))
    assert list(after.index) == list(base.index)
    assert (after["cost_usd"] >= base["cost_usd"] - 1e-6).all()
    assert (after["days"] == base["days"]).all()  # money never moves time


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(FACTORS), factor=st.floats(1.0, 3.0), pair=st.sampled_from(PAIRS),
       reefer=st.booleans())
def test_more_intensive_factor_never_lowers_any_options_co2e(kind, factor, pair, reefer):
    base = BASE[(pair, reefer)]
    after = _compare(pair, reefer, builtin_tables().scaled(*kind, factor))
    assert list(after.index) == list(base.index)
    assert (after["co2e_kg"] >= base["co2e_kg"] - 1e-6).all()
