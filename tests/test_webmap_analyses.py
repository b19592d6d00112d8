"""Maps of the analyses: bottlenecks, cold-chain reach and what-ifs."""

from __future__ import annotations

import html

import pytest
from test_webmap import EVIL_NAME

import corridor
from corridor import bottlenecks
from corridor.coldchain import reach
from corridor.errors import CorridorError
from corridor.scenarios import Scenario, find_scenario
from corridor.scenarios.compare import changed_elements, whatif
from corridor.webmap import bottleneck_map, reach_map, render_html, whatif_map


@pytest.fixture(scope="module")
def assignment(net):
    return bottlenecks.assign(net)


@pytest.fixture(scope="module")
def july(net):
    return reach(net, "Kostanay", "chilled_beef", month=7)


def test_bottleneck_map_colours_capacities_marks_the_cut_and_ranks(net, assignment):
    cut = bottlenecks.min_cut(net)
    ranking = bottlenecks.criticality(net, base=assignment)
    page = render_html(bottleneck_map(net, assignment, cut, ranking, top=7))
    limited = assignment.elements[assignment.elements["capacity_trains_day"].notna()]
    assert page.count("corridor-flow corridor-flow-node") == (limited["type"] == "node").sum()
    assert page.count('"className": "corridor-cut"') == len(cut.elements)
    assert page.count('"className": "corridor-rank"') == 7
    assert "d3.min.js" in page and "utilization (flow / capacity)" in page  # branca colour scale
    dostyk = limited.loc["dostyk"]
    assert f"of {dostyk['capacity_trains_day']:.0f} trains/day" in page
    assert f"Minimum cut: {cut.capacity_trains_day:,.0f} trains/day" in page
    assert html.escape(ranking.ranking.iloc[0]["name"]) in page
    assert "30-day horizon" in page and "mean wait" in page and "TEU/day lost" in page
    brest = limited.loc["brest"]  # more arrives than passes: the backlog is on the map
    assert f"backlog after 30 days {brest['backlog_trains']:.0f} trains" in page


def test_bottleneck_map_is_a_presenter(net, assignment):
    with pytest.raises(CorridorError, match="compute them"):
        bottleneck_map(net, assignment, None, None)


def test_reach_map_shows_reachable_unreachable_reefer_and_bands(net, july):
    page = render_html(reach_map(net, july, band_days=3))
    reachable = int(july["reachable"].sum())
    assert page.count('"className": "corridor-reach-node"') == reachable
    assert page.count('"className": "corridor-unreachable"') == len(july) - reachable
    assert page.count("corridor-reefer") == int(net.nodes["reefer_service"].astype(bool).sum())
    bands = int(-(-july.loc[july["reachable"], "arrival_days"].max() // 3))
    assert page.count("reached within ") == bands
    assert "reefer power would run out" in page


def test_reach_map_colour_by_shelf_life_adds_its_scale(net, july):
    page = render_html(reach_map(net, july, color_by="shelf_life"))
    assert "shelf life left on arrival (days)" in page
    with pytest.raises(CorridorError):
        reach_map(net, july, color_by="price")
    with pytest.raises(CorridorError):
        reach_map(net, july, band_days=0)


def test_changed_elements_lists_closures_and_edits(net):
    closure = find_scenario("poland-belarus-border-closure")
    changes = changed_elements(net, closure.apply(net))
    assert set(changes["id"]) == {"brest__terespol", "brest__malaszewicze"}
    assert set(changes["change"]) == {"closed"}
    jam = changed_elements(net, Scenario("jam").delay("dostyk", hours=72).apply(net))
    assert list(jam["id"]) == ["dostyk"] and "delay_h" in jam.iloc[0]["detail"]


def test_whatif_map_draws_baseline_and_scenario_routes_with_deltas(net):
    scenario = find_scenario("dostyk-congestion")
    page = render_html(whatif_map(whatif(net, scenario, pairs=["Xian:Duisburg", "Chengdu:Lodz"])))
    assert page.count('"className": "corridor-whatif-base"') == 2
    assert page.count('"className": "corridor-whatif-scenario"') == 2
    assert page.count('"className": "corridor-changed"') == 1  # dostyk
    base = corridor.route(net, "Xian", "Duisburg", samples=0).transit_days
    after = corridor.route(net, "Xian", "Duisburg", samples=0)  # baseline is never mutated
    assert after.transit_days == base
    assert f"{base:.1f} → " in page and "rerouted" in page


def test_whatif_map_escapes_scenario_text(net):
    scenario = Scenario("evil", description=EVIL_NAME).close("brest__terespol")
    page = render_html(whatif_map(whatif(net, scenario, pairs=["Xian:Duisburg"])))
    assert EVIL_NAME not in page and html.escape(EVIL_NAME) in page


def test_reach_map_popup_says_where_and_when_the_load_failed(net):
    winter = corridor.reach(net, "Kostanay", "chilled_beef", month=1)
    chita = winter.loc["chita"]
    page = render_html(reach_map(net, winter))
    assert f"{chita['failed_at_name']}, {chita['failed_after_h']:.0f} h into the journey" in page


def test_reverse_reach_map_says_where_supplies_come_from(net):
    market = corridor.reach(net, "Chongqing", "chilled_lamb", month=1, reverse=True)
    page = render_html(reach_map(net, market))
    assert "Where chilled_lamb for Chongqing (Tuanjiecun) can come from, month 1" in page
    assert "Reach of chilled_lamb from" not in page and "days from each origin to the market" in page
