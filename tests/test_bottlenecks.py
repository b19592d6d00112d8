"""Bottlenecks: max flow / min cut, equilibrium, N-1 criticality and demand errors.

Hand-made networks have answers worked out by hand; the built-in network is checked against the
published congestion picture (China–Kazakhstan and Belarus–Poland crossings bind).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from netfactory import link, node, two_crossings, write_network

import corridor
from corridor import bottlenecks
from corridor.errors import CorridorError, DataError
from corridor.network import Corridor

# -- small networks --------------------------------------------------------------------------------


def parallel(cap_north: float | None = 10.0, cap_south: float | None = 30.0, *, south_dwell=4.0,
             link_cap: float | None = None) -> tuple[list[dict], list[dict]]:
    """Origin ``a`` (CN, 1435) to ``e`` (KZ, 1520) by two mirror-image crossings.

    North: a→b (CN border)→c (KZ border + gauge change, capacity ``cap_north``)→e.
    South: a→f→g (capacity ``cap_south``)→e. Same lengths and dwell, so free-flow times are equal
    when ``south_dwell`` is 4 h. ``link_cap`` limits the link a→f.
    """
    dwell = {"dwell_h": 4.0, "dwell_min_h": 2.0, "dwell_max_h": 8.0}
    a = node("a", 80.0, 44.0, "CN", ["terminal"])
    b = node("b", 81.0, 44.5, "CN", ["border"], **dwell)
    c = node("c", 82.0, 44.5, "KZ", ["border", "gauge_change"], capacity_trains_day=cap_north, **dwell)
    f = node("f", 81.0, 43.5, "CN", ["border"], **dwell)
    g = node("g", 82.0, 43.5, "KZ", ["border", "gauge_change"], capacity_trains_day=cap_south,
             dwell_h=south_dwell, dwell_min_h=2.0, dwell_max_h=max(8.0, south_dwell))
    e = node("e", 84.0, 44.0, "KZ", ["terminal"])
    links = [link(a, b, 1435), link(b, c, 1435), link(c, e, 1520),
             link(a, f, 1435, capacity_trains_day=link_cap), link(f, g, 1435), link(g, e, 1520)]
    for north, south in ((0, 3), (1, 4), (2, 5)):  # equal lengths on both sides
        km = round((links[north]["properties"]["length_km"] + links[south]["properties"]["length_km"]) / 2, 3)
        links[north]["properties"]["length_km"] = links[south]["properties"]["length_km"] = km
    return [a, b, c, f, g, e], links


def build(nodes, links) -> Corridor:
    return Corridor.from_features(nodes, links, name="test")


def demand(trains: float, origin="a", destination="e"):
    import pandas as pd

    return pd.DataFrame({"origin": [origin], "destination": [destination], "trains_day": [trains],
                         "source": ["test"]})


def test_max_flow_and_cut_by_hand():
    # north limited by c (5), south by the link a→f (3) although g could take 7: 5 + 3 = 8
    net = build(*parallel(5.0, 7.0, link_cap=3.0))
    cut = bottlenecks.min_cut(net, ["a"], ["e"])
    assert cut.capacity_trains_day == pytest.approx(8.0)
    assert set(cut.elements["id"]) == {"c", "a__f"}
    assert set(cut.elements["type"]) == {"node", "link"}


def test_max_flow_unbounded_is_a_clear_error():
    net = build(*parallel(5.0, None))
    with pytest.raises(CorridorError, match="unbounded"):
        bottlenecks.min_cut(net, ["a"], ["e"])


def test_pass_through_does_not_use_a_terminal_capacity():
    # a capacity on the destination-side terminal e is not in the way (terminal handling is outside)
    nodes, links = parallel(5.0, 7.0)
    nodes[-1]["properties"]["capacity_trains_day"] = 1.0
    cut = bottlenecks.min_cut(build(nodes, links), ["a"], ["e"])
    assert cut.capacity_trains_day == pytest.approx(12.0)


def test_equilibrium_equalises_the_waits_of_two_mirror_crossings():
    # equal free-flow times: at equilibrium both crossings have the same wait, and the one with
    # three times the capacity carries more than three times the trains (M/D/1 waits fall with c)
    net = build(*parallel(10.0, 30.0))
    result = bottlenecks.assign(net, demand(20.0), tolerance=1e-6, max_iterations=500)
    e = result.elements
    assert e.at["c", "flow_trains_day"] + e.at["g", "flow_trains_day"] == pytest.approx(20.0)
    assert e.at["c", "delay_h"] == pytest.approx(e.at["g", "delay_h"], rel=1e-3)
    assert e.at["g", "flow_trains_day"] > 3 * e.at["c", "flow_trains_day"]
    assert result.unserved_trains_day == 0
    hours = result.pairs["hours"].iloc[0]
    assert result.total_train_hours_day == pytest.approx(20.0 * hours)


def test_all_or_nothing_takes_the_free_flow_fastest_route():
    net = build(*parallel(10.0, 30.0, south_dwell=6.0))
    result = bottlenecks.assign(net, demand(20.0), method="all_or_nothing")
    # all 20 arrive at c (capacity 10): 10 carried, 10 a day join the backlog, unserved
    assert result.elements.at["c", "demand_trains_day"] == pytest.approx(20.0)
    assert result.elements.at["c", "flow_trains_day"] == pytest.approx(10.0)
    assert result.elements.at["c", "queued_trains_day"] == pytest.approx(10.0)
    assert result.elements.at["c", "backlog_trains"] == pytest.approx(10.0 * 30)
    assert result.unserved_trains_day == pytest.approx(10.0)
    assert result.elements.at["g", "flow_trains_day"] == 0
    equilibrium = bottlenecks.assign(net, demand(20.0))
    assert equilibrium.elements.at["g", "flow_trains_day"] > 5
    assert equilibrium.total_train_hours_day < result.total_train_hours_day


def test_closing_the_only_route_leaves_demand_unserved():
    net = build(*parallel(10.0, 30.0))
    result = bottlenecks.assign(net, demand(4.0), closed=["c", "g"])
    assert result.unserved_trains_day == pytest.approx(4.0)
    ranked = bottlenecks.criticality(build(*parallel(10.0, 30.0)), demand(4.0),
                                     include_endpoints=True, flow="all").ranking
    assert ranked.iloc[0]["id"] in {"a", "e"} and ranked.iloc[0]["trains_day_lost"] == 4.0
    assert ranked.iloc[0]["teu_day_lost"] == pytest.approx(4.0 * bottlenecks.TEU_PER_TRAIN)
    default = bottlenecks.criticality(build(*parallel(10.0, 30.0)), demand(4.0), flow="all").ranking
    assert not {"a", "e"} & set(default["id"])
    assert (default["trains_day_lost"] == 0).all()  # one closure always leaves a route


@settings(max_examples=25, deadline=None)
@given(
    cap_north=st.floats(1.0, 60.0), cap_south=st.floats(1.0, 60.0), extra=st.floats(0.5, 40.0),
    trains=st.floats(1.0, 80.0), south_dwell=st.sampled_from([4.0, 5.0, 9.0]),
)
def test_adding_capacity_never_raises_total_train_hours(cap_north, cap_south, extra, trains,
                                                        south_dwell):
    before = bottlenecks.assign(build(*parallel(cap_north, cap_south, south_dwell=south_dwell)),
                                demand(trains), tolerance=1e-6, max_iterations=500)
    after = bottlenecks.assign(build(*parallel(cap_north + extra, cap_south, south_dwell=south_dwell)),
                               demand(trains), tolerance=1e-6, max_iterations=500)
    assert after.total_train_hours_day <= before.total_train_hours_day * (1 + 1e-4) + 1e-6


# -- built-in network -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(net):
    return bottlenecks.assign(net)


def test_builtin_demand_loads_with_sources(net):
    frame = bottlenecks.load_demand(net=net)
    assert {"origin", "destination", "trains_day", "source"} <= set(frame.columns)
    assert (frame["source"].str.len() > 0).all() and (frame["trains_day"] > 0).all()
    assert set(frame["origin"]) <= set(net.nodes.index)


def test_border_crossings_bind(base):
    top = base.binding(5)
    ids = set(top["id"])
    assert ids & {"dostyk", "altynkol", "alashankou", "khorgos"}  # China–Kazakhstan
    assert top.iloc[0]["id"] == "brest"  # Belarus–Poland: more arrives than passes
    assert top.iloc[0]["utilization"] == pytest.approx(1.0)
    assert base.gap < 2e-3
    # the excess at Brest is queued there and unserved within the horizon, and says so
    brest = base.elements.loc["brest"]
    assert base.unserved_trains_day == pytest.approx(brest["unserved_trains_day"], rel=0.05)
    assert any(line.startswith("Brest:") for line in base.conditions())


def test_min_cut_is_named(net):
    cut = bottlenecks.min_cut(net)
    assert cut.capacity_trains_day > 0
    assert cut.elements["capacity_trains_day"].sum() == pytest.approx(cut.capacity_trains_day)
    # with Dostyk at 24 and Altynkol at 27 trains/day the cut lies on the European side (Brest)
    assert "brest" in set(cut.elements["id"])
    assert cut.elements["name"].str.len().min() > 0


def test_closing_dostyk_moves_flow_to_altynkol(net, base):
    closed = bottlenecks.assign(net, closed=["Dostyk"])
    assert closed.elements.at["dostyk", "flow_trains_day"] == 0
    before, after = base.elements.loc["altynkol"], closed.elements.loc["altynkol"]
    assert after["demand_trains_day"] > before["demand_trains_day"] + 5
    assert after["flow_trains_day"] > before["flow_trains_day"]
    # Khorgos (24 a day) now binds: what it cannot pass queues there, unserved in the horizon
    khorgos = closed.elements.loc["khorgos"]
    assert khorgos["flow_trains_day"] == pytest.approx(24.0) and khorgos["queued_trains_day"] > 0


def test_criticality_ranks_every_element_but_the_demand_ends(net, base):
    ranked = bottlenecks.criticality(net, base=base).ranking
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    operating = (net.nodes["status"] == "operating").sum() + (net.links["status"] == "operating").sum()
    ends = set(base.pairs["origin"]) | set(base.pairs["destination"])
    assert len(ranked) == operating - len(ends)
    assert not ends & set(ranked["id"])
    dostyk = ranked.set_index("id").loc["dostyk"]
    assert dostyk["delta_train_hours_day"] > 0 and dostyk["rerouted_trains_day"] > 20
    assert "altynkol" in dostyk["detour"] or "khorgos" in dostyk["detour"]
    assert dostyk["new_binding"] in {"Altynkol", "Khorgos"}
    idle = ranked[ranked["rerouted_trains_day"] + ranked["trains_day_lost"] == 0]
    assert len(idle) > 0 and (idle["delta_train_hours_day"] == 0).all() and (idle["detour"] == "").all()
    # the first is on a trunk most China–Europe trains share: the Northern Xinjiang line (Jinghe),
    # or, since the Caspian ports have capacities (the Middle Corridor takes ~5 trains/day), the
    # Moscow–Minsk–Brest chain, whose closure strands the trains the Caspian cannot take
    first = ranked.iloc[0]
    print(f"most critical: {first['name']}: {first['trains_day_lost']:.1f} trains/day lost")
    assert first["id"] in {"jinghe", "kuitun", "kuitun__jinghe", "urumqi__kuitun", "baranovichi",
                           "baranovichi__brest", "brest", "minsk_kolyadichi", "krasnoye"}
    assert first["trains_day_lost"] > 0 or first["id"] in {"jinghe", "kuitun", "kuitun__jinghe",
                                                           "urumqi__kuitun"}
    tashkent = ranked[ranked["id"].str.contains("tashkent")]
    assert tashkent.empty or tashkent["rank"].min() > 10


# -- demand errors ------------------------------------------------------------------------------


HEADER = "origin,destination,trains_day,year,source,note\n"


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("Chongqing,Atlantis,2,2024,test,\n", "destination", "unknown place"),
        ("Chongqing,Duisburg,-3,2024,test,\n", "trains_day", ">= 0"),
        ("Chongqing,Duisburg,many,2024,test,\n", "trains_day", "not a number"),
        ("Chongqing,Duisburg,2,2024,,\n", "source", "needs a source"),
        ("Chongqing,Chongqing,2,2024,test,\n", "destination", "same as origin"),
    ],
)
def test_bad_demand_rows_name_row_and_field(net, tmp_path, row, field, words):
    path = tmp_path / "demand.csv"
    path.write_text(HEADER + "Xian,Lodz,1,2024,test,\n" + row, encoding="utf-8")
    with pytest.raises(DataError) as info:
        bottlenecks.load_demand(path, net)
    problem = info.value.problems[0]
    assert (problem.file, problem.key, problem.field) == ("demand.csv", "row 3", field)
    assert words in problem.message


def test_unreadable_demand_file(net, tmp_path):
    with pytest.raises(DataError, match="file not found"):
        bottlenecks.load_demand(tmp_path / "missing.csv", net)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DataError, match="cannot read"):
        bottlenecks.load_demand(binary, net)
    headless = tmp_path / "headless.csv"
    headless.write_text("from,to\nXian,Lodz\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column"):
        bottlenecks.load_demand(headless, net)


def test_trains_per_year_column(net, tmp_path):
    path = tmp_path / "yearly.csv"
    path.write_text("origin,destination,trains_year,source\nXian,Lodz,365,test\n", encoding="utf-8")
    assert bottlenecks.load_demand(path, net)["trains_day"].iloc[0] == pytest.approx(1.0)


def test_unknown_method(net):
    with pytest.raises(CorridorError, match="unknown method"):
        bottlenecks.assign(net, method="magic")


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_bottlenecks_json(cli):
    code, out, err = cli("bottlenecks", "--top", "6", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"elements", "min_cut", "criticality", "crossings", "conditions"} <= set(data)
    first = data["elements"][0]
    assert {"id", "type", "name", "flow_trains_day", "capacity_trains_day", "utilization",
            "wait_days", "backlog_trains", "backlog_days"} <= set(first)
    assert data["min_cut"]["capacity_trains_day"] > 0 and data["min_cut"]["elements"]
    assert {"id", "type", "teu_day_lost", "rerouted_trains_day", "extra_days_mean",
            "new_binding"} <= set(data["criticality"][0])
    assert data["horizon_days"] == 30 and data["unserved_teu_day"] > 0
    assert len(data["elements"]) == 6


def test_cli_criticality_table_and_bad_demand(cli, tmp_path):
    code, out, _ = cli("criticality", "--top", "3")
    assert code == 0 and "N-1" in out and "china-europe" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Xian,Nowhere,1,2024,test,\n", encoding="utf-8")
    code, _, err = cli("criticality", "--demand", str(bad))
    assert code == 2 and "row 2" in err and "destination" in err and err.count("\n") == 1


def test_loaded_network_unchanged_by_closures(net):
    before = corridor.load()
    bottlenecks.assign(net, closed=["dostyk"])
    assert net.nodes.equals(before.nodes)


def test_builtin_demand_on_another_network_says_to_give_one(tmp_path):
    """A --data network without the built-in demand's places: the error says why and what to do."""
    other = corridor.load(write_network(tmp_path / "net", *two_crossings()))
    with pytest.raises(DataError) as info:
        bottlenecks.assign(other)
    assert "unknown place" in str(info.value)
    assert "built-in demand is for the built-in network" in str(info.value)
    assert "--demand FILE" in str(info.value)
