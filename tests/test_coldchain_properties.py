"""Invariants of cold-chain reach, checked with hypothesis on the built-in network."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.coldchain import reach
from corridor.coldchain.commodities import builtin_commodities

ORIGINS = ["kostanay", "astana", "almaty", "xian", "urumqi", "chongqing_tuanjiecun"]
REEFER = ["chilled_beef", "chilled_lamb", "fresh_apples", "fresh_tomatoes", "cheese"]
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _reached(result) -> set[str]:
    return set(result.index[result["reachable"]])


@SETTINGS
@given(origin=st.sampled_from(ORIGINS), item=st.sampled_from([*REEFER, "grain"]),
       month=st.integers(1, 12), factor=st.floats(1.0, 4.0))
def test_longer_shelf_life_never_shrinks_reach(net, origin, item, month, factor):
    longer = builtin_commodities().copy()
    longer.loc[item, "shelf_life_days"] *= factor
    base = reach(net, origin, item, month=month)
    more = reach(net, origin, item, month=month, commodities=longer)
    assert _reached(base) <= _reached(more)


@SETTINGS
@given(origin=st.sampled_from(ORIGINS), item=st.sampled_from(REEFER),
       power=st.sampled_from(["genset", "plug-in", "autonomous"]),
       hours=st.floats(6.0, 200.0), extra=st.floats(0.0, 300.0), month=st.integers(1, 12))
def test_larger_autonomy_never_shrinks_reach(net, origin, item, power, hours, extra, month):
    small = reach(net, origin, item, month=month, power=power, autonomy_h=hours)
    large = reach(net, origin, item, month=month, power=power, autonomy_h=hours + extra)
    assert _reached(small) <= _reached(large)


@SETTINGS
@given(origin=st.sampled_from(ORIGINS), chilled=st.sampled_from(["chilled_beef", "chilled_lamb"]),
       power=st.sampled_from(["genset", "plug-in", "autonomous"]),
       hours=st.floats(12.0, 200.0), month=st.integers(1, 12))
def test_frozen_goods_reach_at_least_as_far_as_chilled(net, origin, chilled, power, hours, month):
    kw = {"month": month, "power": power, "autonomy_h": hours}
    assert _reached(reach(net, origin, chilled, **kw)) <= _reached(
        reach(net, origin, "frozen_meat", **kw))


@SETTINGS
@given(origin=st.sampled_from(ORIGINS), item=st.sampled_from(REEFER),
       margin=st.floats(0.0, 60.0), more=st.floats(0.0, 60.0))
def test_a_larger_margin_never_grows_reach(net, origin, item, margin, more):
    loose = reach(net, origin, item, margin_days=margin)
    strict = reach(net, origin, item, margin_days=margin + more)
    assert _reached(strict) <= _reached(loose)


@SETTINGS
@given(origin=st.sampled_from(ORIGINS), item=st.sampled_from(REEFER), month=st.integers(1, 12))
def test_remaining_shelf_life_never_exceeds_the_rating_and_p90_is_later(net, origin, item,
                                                                        month):
    result = reach(net, origin, item, month=month)
    rated = builtin_commodities().loc[item, "shelf_life_days"]
    found = result[result["path"].map(len) > 0]
    assert (found["remaining_shelf_life_days"] <= rated - found["arrival_days"] + 1e-9).all()
    assert (found["p90_days"] >= found["arrival_days"] - 1e-9).all()
