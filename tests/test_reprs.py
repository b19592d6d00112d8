"""Notebook displays: a short one-line ``repr`` and a compact HTML table for each analysis result.

Results are computed on the built-in network; the figures shown must be the result's own.
"""

from __future__ import annotations

import html
import re

import pytest

from corridor import bottlenecks
from corridor.coldchain import ReachSummary, reach, summary
from corridor.modes import ModesSummary, compare_modes
from corridor.modes import summary as modes_summary
from corridor.scenarios import find_scenario
from corridor.scenarios.compare import compare

#: a repr that fits a notebook line; an HTML summary far smaller than the frames it sums up
MAX_REPR, MAX_HTML = 240, 12_000


def _check_html(text: str, *expected: str) -> None:
    assert text.startswith("<div class='corridor-repr'>") and text.endswith("</div>")
    assert len(text) < MAX_HTML
    assert "<script" not in text
    for word in expected:
        assert html.escape(word) in text, word


def _check_repr(text: str, name: str) -> None:
    assert text.startswith(f"{name}(") and text.endswith(")")
    assert "\n" not in text and len(text) <= MAX_REPR, text


@pytest.fixture(scope="module")
def assignment(net):
    return bottlenecks.assign(net)


def test_assignment_repr_and_html_show_its_own_totals(assignment):
    text = repr(assignment)
    _check_repr(text, "Assignment")
    assert f"pairs={len(assignment.pairs)}" in text
    assert f"served_trains_day={assignment.served_trains_day:,.1f}" in text
    page = assignment._repr_html_()
    busiest = assignment.binding(1).iloc[0]
    _check_html(page, "equilibrium", "busiest capacity-limited elements", busiest["name"])
    assert page.count("<tr>") <= 10 + 12  # ten elements and the facts, not the 400-row frame


def test_min_cut_lists_its_elements(net):
    cut = bottlenecks.min_cut(net)
    text = repr(cut)
    _check_repr(text, "MinCut")
    assert f"capacity_trains_day={cut.capacity_trains_day:,.1f}" in text
    assert all(str(e) in text for e in cut.elements["id"])
    _check_html(cut._repr_html_(), "Minimum cut", *cut.elements["name"])


def test_criticality_shows_the_top_of_the_ranking(net, assignment):
    ranked = bottlenecks.criticality(net, base=assignment)
    text = repr(ranked)
    _check_repr(text, "Criticality")
    assert ranked.ranking["id"].iloc[0] in text and f"elements={len(ranked.ranking)}" in text
    page = ranked._repr_html_()
    _check_html(page, "N-1", *ranked.ranking["name"].head(10))
    assert f"… {len(ranked.ranking) - 10:,} more rows" in page


def test_comparison_counts_changed_pairs(net):
    result = compare(net, find_scenario("poland-belarus-border-closure"))
    text = repr(result)
    _check_repr(text, "Comparison")
    changed = int((result.transit["change"] != "same route").sum())
    assert changed > 0 and f"changed={changed}" in text
    assert f"transit={len(result.transit)} rows" in text
    _check_html(result._repr_html_(), "poland-belarus-border-closure", "delta_days", "rerouted")


def test_reach_summary_counts_reachable_places_and_reasons(net):
    result = reach(net, "Kostanay", "chilled_beef", month=7)
    view = summary(result)
    assert isinstance(view, ReachSummary) and view.result is result
    reasons = result.loc[~result["reachable"], "reason"].value_counts()
    assert view.reachable == int(result["reachable"].sum())
    assert view.unreachable_by_reason == {k: int(v) for k, v in reasons.items()}
    text = repr(view)
    _check_repr(text, "Reach")
    assert f"reachable={view.reachable}/{len(result)}" in text and "month=7" in text
    page = view._repr_html_()
    _check_html(page, "chilled_beef", "reachable, soonest first", "Kostanay")
    first = re.search(r"<tbody><tr><td[^>]*>([^<]+)</td>", page).group(1)
    assert first == html.escape(result.loc[result.attrs["origin"], "name"])  # arrival 0: the origin


def test_reverse_reach_summary_says_to(net):
    view = summary(reach(net, "Duisburg", "chilled_beef", reverse=True))
    assert "to=duisburg" in repr(view) and "from=" not in repr(view)


def test_modes_summary_names_the_best_option_per_criterion(net):
    result = compare_modes(net, "Chongqing", "Duisburg", samples=200, seed=0)
    view = modes_summary(result)
    assert isinstance(view, ModesSummary)
    best = view.best()
    assert set(best) == {"time", "cost", "co2e"}
    assert best["time"] == result.loc[result["days"].idxmin(), "option"]
    assert best["co2e"] == result.loc[result["co2e_kg"].idxmin(), "option"]
    text = repr(view)
    _check_repr(text, "Modes")
    assert f"options={len(result)}" in text
    _check_html(view._repr_html_(), "Mode comparison", *result["option"])


def test_results_keep_their_frames_unchanged(assignment):
    before = assignment.elements.copy()
    repr(assignment)
    assignment._repr_html_()
    assert assignment.elements.equals(before)
