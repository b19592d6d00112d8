"""Property of the equilibrium on the real network: more capacity never raises total delay.

At the default relative gap (1e-3) convergence noise is larger than the effect of a small
capacity change (raising a capacity raised the total in 17 of 110 random cases), so these tests
solve to ``GAP`` and allow a difference of ``SLACK`` times the two gaps: what is left is the
property, not the noise of the solver.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor import Scenario, bottlenecks

#: relative gap the property tests solve to: with the queue model of issue 13 the solver reaches
#: it in 15-40 iterations; at 1e-4 a 12.5 % larger Alashankou still showed +18 train-hours/day of
#: convergence noise (gone at 1e-6)
GAP = 1e-6
#: the totals of two assignments solved to gaps g1, g2 may differ by SLACK * (g1 + g2) of the
#: total from convergence alone (measured: the total moves 2x the gap from 1e-4 to 1e-5)
SLACK = 3.0


@pytest.fixture(scope="module")
def base(net):
    return bottlenecks.assign(net, tolerance=GAP, max_iterations=2000)


@pytest.fixture(scope="module")
def limited(net, base):
    """Capacity-limited elements that carry flow (where more capacity can matter)."""
    frame = base.binding()
    return sorted(frame.index[frame["flow_trains_day"] > 0])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), factor=st.floats(min_value=1.1, max_value=3.0))
def test_more_capacity_never_raises_total_delay(net, base, limited, data, factor):
    element = data.draw(st.sampled_from(limited), label="element")
    bigger = Scenario("more").scale("capacity_trains_day", factor, element).apply(net)
    more = bottlenecks.assign(bigger, tolerance=GAP, max_iterations=2000)
    slack = SLACK * (base.gap + more.gap) * base.total_train_hours_day
    assert more.total_train_hours_day <= base.total_train_hours_day + slack, (
        element, factor, more.total_train_hours_day, base.total_train_hours_day)
    assert more.queue_train_hours_day <= base.queue_train_hours_day + slack


def test_the_equilibrium_reaches_the_gap_of_the_property_tests(base):
    assert base.gap <= GAP and base.iterations < 2000
