"""Transit dependence on the built-in network and on small what-ifs (no mocks)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor import Scenario
from corridor.dependence import dependence, export_demand, inputs
from corridor.errors import CorridorError, DataError


@pytest.fixture(scope="module")
def net():
    return corridor.load()


@pytest.fixture(scope="module")
def europe(net):
    return dependence(net, flow="china-europe", samples=200)


README_COLUMNS = {"id": "country", "share_trains": "share", "carried_trains_day": "carried/day",
                  "unserved_trains_day": "not carried/day", "extra_days": "extra days",
                  "extra_usd_per_container": "extra USD/40'", "moves_to": "moves to",
                  "binding": "binding (trains/day)"}

#: Middle Corridor trains/day published: 50,500 TEU in Jan-Nov 2024 (Kazakh ministry via Trend) at
#: the flow's 108 TEU per train; 200 transit trains in Jan-Aug 2024 (KazTAG); 96,000 TEU of dry
#: cargo projected for 2025 (sea-news.az 2025-05-08)
PUBLISHED_MIDDLE = {"2024 Jan-Nov, 50,500 TEU": 50_500 / 335 / 108, "2024 Jan-Aug, 200 trains": 200 / 244,
                    "2025 projected, 96,000 TEU": 96_000 / 365 / 108}


def _markdown(frame: pd.DataFrame) -> str:
    """A pipe table (README's format) of a small frame."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def test_china_europe_table_prints_and_names_the_main_transit_countries(europe):
    shown = europe[list(README_COLUMNS)].rename(columns=README_COLUMNS).head(8).copy()
    shown["share"] = (100 * shown["share"]).round(0).astype(int).astype(str) + " %"
    for column in ("carried/day", "not carried/day", "extra days"):
        shown[column] = shown[column].round(1).astype(object).where(shown[column].notna(), "–")
    usd = shown["extra USD/40'"]
    shown["extra USD/40'"] = usd.round(-1).astype("Int64").astype(object).where(usd.notna(), "–")
    print(f"\n{europe.attrs['trains_day']:.1f} China-Europe trains/day, "
          f"{europe.attrs['carried_trains_day']:.1f} carried at baseline")
    print(_markdown(shown))
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert _markdown(shown) in readme, "README 'Transit dependence' table differs from the one printed"
    top = list(europe["id"].head(3))
    assert {"KZ", "RU", "BY"} <= set(top)
    russia = europe.set_index("id").loc["RU"]
    assert russia["detour_corridor"] == "Middle Corridor"
    assert "Middle Corridor" in russia["moves_to"]
    print(f"avoiding Russia: the Middle Corridor carries {russia['carried_trains_day']:.1f} "
          f"trains/day of {europe.attrs['trains_day']:.1f} (max flow alone "
          f"{russia['detour_cut_trains_day']:.1f}); binding: {russia['binding']}")
    print("published Middle Corridor volumes: " + "; ".join(
        f"{k}: {v:.1f} trains/day" for k, v in PUBLISHED_MIDDLE.items()))
    azerbaijan = europe.set_index("id").loc["AZ"]
    print(f"at baseline the Middle Corridor (through Azerbaijan) carries "
          f"{azerbaijan['through_trains_day']:.1f} China-Europe trains/day")
    prose = " ".join(readme.split())
    assert f"({azerbaijan['through_trains_day']:.1f} China–Europe trains/day through Azerbaijan)" in prose
    assert f"the Middle Corridor carries {russia['carried_trains_day']:.1f} trains/day" in prose
    assert all(f"{v:.1f}" in prose for v in PUBLISHED_MIDDLE.values())
    assert 0 < russia["carried_trains_day"] < europe.attrs["trains_day"]
    # the Caspian's capacity, not the demand, limits the detour: within 5x the published volumes
    assert russia["carried_trains_day"] <= 5 * max(PUBLISHED_MIDDLE.values())


def test_shares_are_consistent_with_the_assignment(net, europe):
    result = inputs.assignment(net, inputs.builtin_demand(net))
    country = net.nodes["country"]
    flow = {(o, d) for o, d in result.path_flows if country[o] == "CN" and country[d] in
            corridor.bottlenecks.capacity.europe_codes()}
    total = sum(sum(p.values()) for k, p in result.path_flows.items() if k in flow)
    assert math.isclose(total, europe.attrs["trains_day"], rel_tol=1e-6)
    through_kz = sum(u.trains_day for u in inputs.path_uses(net, result)
                     if (u.origin, u.destination) in flow and any(country[n] == "KZ" for n in u.nodes))
    kz = europe.set_index("id").loc["KZ"]
    assert math.isclose(kz["through_trains_day"], through_kz, rel_tol=1e-6)
    assert ((europe["share_trains"] >= 0) & (europe["share_trains"] <= 1 + 1e-9)).all()
    assert (europe["carried_trains_day"] + europe["unserved_trains_day"]
            - europe["flow_trains_day"]).abs().max() < 1e-9
    # carried trains are a feasible flow: never above the max flow of the flow alone
    assert (europe["carried_trains_day"] <= europe["detour_cut_trains_day"] + 1e-6).all()


def _sources_sinks(net):
    demand = inputs.builtin_demand(net)
    country = net.nodes["country"]
    europe = corridor.bottlenecks.capacity.europe_codes()
    rows = demand[[country[o] == "CN" and country[d] in europe
                   for o, d in zip(demand.origin, demand.destination, strict=True)]]
    return list(rows.origin), list(rows.destination)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(["KZ", "RU", "BY", "MN", "AZ", "GE", "TR", "PL", "UZ"]), max_size=3),
       st.sampled_from(["KZ", "RU", "BY", "MN", "AZ", "TR"]))
def test_avoiding_a_country_never_raises_the_trains_carried(net, avoided, extra):
    sources, sinks = _sources_sinks(net)
    before, _ = inputs.max_flow(net, sources, sinks, countries=sorted(avoided))
    after, _ = inputs.max_flow(net, sources, sinks, countries=sorted(avoided | {extra}))
    assert after <= before + 1e-9


def _flow_served(net, demand, flow, countries):
    share = inputs.served_share(net, demand, inputs.closed_elements(net, countries=countries))
    country = net.nodes["country"]
    return sum(t * share.get((o, d), 0.0) for o, d, t in zip(flow.origin, flow.destination, flow.trains_day,
                                                            strict=True)
               if country[o] not in countries and country[d] not in countries)


def _china_europe_rows(net, demand):
    """The demand rows from China to Europe."""
    country = net.nodes["country"]
    europe = corridor.bottlenecks.capacity.europe_codes()
    return demand[[country[o] == "CN" and country[d] in europe
                   for o, d in zip(demand.origin, demand.destination, strict=True)]]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(["RU", "BY", "MN", "AZ", "GE", "TR"]), max_size=2),
       st.sampled_from(["RU", "BY", "MN", "AZ", "TR"]))
def test_avoiding_a_country_never_raises_the_trains_the_assignment_carries(net, avoided, extra):
    """The capacity-constrained assignment (other flows competing) with one more country closed."""
    demand = inputs.builtin_demand(net)
    flow = _china_europe_rows(net, demand)
    before = _flow_served(net, demand, flow, sorted(avoided))
    after = _flow_served(net, demand, flow, sorted(avoided | {extra}))
    assert after <= before + 1e-6


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["kapikule", "constanta", "zabaikalsk", "naushki", "altynkol", "dostyk"]),
       st.floats(min_value=1.0, max_value=4.0))
def test_adding_capacity_on_a_detour_never_lowers_the_trains_carried(net, element, factor):
    sources, sinks = _sources_sinks(net)
    before, _ = inputs.max_flow(net, sources, sinks, countries=["RU"])
    bigger = Scenario("more", "more capacity").scale("capacity_trains_day", factor, element).apply(net)
    after, _ = inputs.max_flow(bigger, sources, sinks, countries=["RU"])
    assert after >= before - 1e-9


def test_kazakhstan_exports_are_trains_per_day_from_the_producing_regions(net):
    rows = export_demand(net)
    print(rows.groupby(["commodity", "market_country"])["trains_day"].sum().round(3).to_string())
    assert set(rows["origin"]) >= {"kostanay", "astana", "petropavl", "pavlodar", "almaty"}
    # 2.3 Mt of grain to Uzbekistan in 186 days at 3,575 t per train
    uz = rows[(rows.commodity == "grain") & (rows.market_country == "UZ")]["trains_day"].sum()
    assert math.isclose(uz, 2_300_000 / 186 / 3575, rel_tol=1e-9)


def test_russian_ban_moves_kazakh_grain_for_europe_to_the_middle_corridor(net):
    ban = Scenario.builtin("russia-agri-transit-ban")
    table = dependence(net, flow="kazakhstan-exports", scenario=ban, samples=200)
    print(table.drop(columns=["binding_ids", "detour_path"]).round(2).to_string())
    assert "RU" not in set(table["id"])
    assert "base_share_trains" in table.columns
    base = dependence(net, flow="kazakhstan-exports", samples=200).set_index("id")
    assert base.loc["RU", "detour_corridor"] == "Middle Corridor"


def test_by_crossing_names_the_china_kazakhstan_crossing(net):
    table = dependence(net, by="crossing", samples=0)
    assert "alashankou__dostyk" in set(table["id"])
    assert table.attrs["by"] == "crossing"


@pytest.mark.parametrize("kwargs, message", [
    ({"flow": "nope"}, "unknown flow"),
    ({"by": "region"}, "unknown --by"),
    ({"samples": -1}, "samples"),
])
def test_bad_arguments_are_refused(net, kwargs, message):
    with pytest.raises(CorridorError, match=message):
        dependence(net, **kwargs)


def test_bad_export_table_names_row_and_column(net, tmp_path):
    bad = tmp_path / "exports.csv"
    bad.write_text("commodity,market,market_country,origins,tonnes,period_start,period_end,source\n"
                   "grain,tashkent,UZ,kostanay:1,NaN,2024-01-01,2024-12-31,x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2.*tonnes"):
        export_demand(net, bad)


def _given_table() -> pd.DataFrame:
    """A results table written by hand: the map must draw exactly this, computing nothing."""
    from corridor.dependence import COLUMNS
    rows = [
        {"id": "RU", "name": "Russia", "share_trains": 0.9, "share_teu_km": 0.5, "flow_trains_day": 24.8,
         "carried_trains_day": 4.8, "unserved_trains_day": 20.0, "extra_days": 9.0, "extra_p90_days": 12.0,
         "extra_usd_per_container": 1500.0, "extra_co2e_kg_per_container": 300.0,
         "moves_to": "Middle Corridor", "detour_cut_trains_day": 4.8, "binding": "Baku (Alat port) 4.8",
         "binding_ids": "alat_port", "detour_path": "aktau_port alat_port"},
        {"id": "KZ", "name": "Kazakhstan", "share_trains": 0.1, "share_teu_km": 0.3,
         "flow_trains_day": 24.0, "carried_trains_day": 20.0, "unserved_trains_day": 4.0,
         "extra_days": 2.0, "extra_p90_days": 3.0,
         "extra_usd_per_container": 100.0, "extra_co2e_kg_per_container": 50.0,
         "moves_to": "Trans-Siberian", "detour_cut_trains_day": 24.0, "binding": "Brest 24",
         "binding_ids": "brest kuryk_port__alat_port", "detour_path": "zabaikalsk brest"},
    ]
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    table.attrs["by"] = "country"
    return table


def test_dependence_map_shades_countries_and_circles_the_binding_elements(net):
    from corridor.webmap.dependence import BINDING_COLOR, DETOUR_COLOR, dependence_map
    html = dependence_map(net, _given_table(), top=2).get_root().render()
    assert html.count('"type": "Polygon"') + html.count('"type": "MultiPolygon"') >= 2  # RU and KZ shapes
    assert "Russia: 90 % of trains" in html and "Kazakhstan: 10 % of trains" in html
    assert html.count(f'"color": "{DETOUR_COLOR}"') == 2  # one detour line per row
    assert html.count(f'"color": "{BINDING_COLOR}"') == 3  # alat_port, brest, the Kuryk ferry
    assert "binding when avoiding Russia: Baku (Alat port)" in html


def test_dependence_map_of_the_built_in_table(net, europe):
    from corridor.webmap.dependence import dependence_map
    html = dependence_map(net, europe, top=3).get_root().render()
    for row in europe.head(3).itertuples():
        assert f"avoid {row.name}: detour and binding elements" in html


def test_printed_view_is_readable_text_without_inf_or_nan():
    from corridor.cli.dependence import view
    table = _given_table()
    table.loc[0, "detour_cut_trains_day"] = float("inf")
    table.loc[0, "binding"] = ""
    table.loc[1, ["detour_cut_trains_day", "binding", "extra_days"]] = [0.0, "", float("nan")]
    short, wide = view(table), view(table, wide=True)
    cells = " ".join(map(str, short.to_numpy().ravel())) + " ".join(map(str, wide.to_numpy().ravel()))
    assert "inf" not in cells and "nan" not in cells.lower()
    assert list(short.iloc[:, 0]) == ["RU", "KZ"] and short.iloc[0]["share"] == "90%"
    assert short.iloc[0]["carried"] == "4.8 of 24.8"
    assert short.iloc[0]["binding (trains/day)"] == "unlimited"
    assert short.iloc[1]["binding (trains/day)"] == "no route left" and short.iloc[1]["+days"] == "–"
    assert wide.iloc[0]["min cut"] == "unlimited" and wide.iloc[1]["min cut"] == "no route"
    assert len(short.columns) < len(wide.columns)


def test_default_table_fits_a_100_column_terminal(europe):
    from rich.console import Console

    from corridor.cli import tables
    from corridor.cli.dependence import view
    console = Console(width=100, record=True)
    console.print(tables.frame_table(view(europe), title="t"))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "…" not in text  # no header or cell cut short
    assert "moves to" in text and "inf" not in text


def test_a_detour_that_is_full_carries_none_of_the_trains(europe):
    """Türkiye's trains (the Middle Corridor via Kars) have the northern route as detour, which is
    already full at baseline: avoiding Türkiye loses about as many trains as went through it."""
    row = europe.set_index("id").loc["TR"]
    assert row["detour_corridor"] == "northern (KZ–RU)"
    assert row["moves_to"].startswith("not carried")
    lost = europe.attrs["carried_trains_day"] - row["carried_trains_day"]
    print(f"avoiding Türkiye: {row['through_trains_day']:.1f} trains/day went through it, the flow "
          f"loses {lost:.1f}, {row['rerouted_trains_day']:.2f} are rerouted")
    prose = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert f"Türkiye's {row['through_trains_day']:.1f} trains/day" in prose
    assert f"loses {lost:.1f} of them" in prose
    assert lost > 0.8 * row["through_trains_day"]
    assert row["rerouted_trains_day"] < 0.1 * row["through_trains_day"]


def test_rerouted_and_lost_trains_add_up_to_the_trains_through(europe):
    for row in europe.itertuples():
        assert -1e-9 <= row.rerouted_trains_day <= row.through_trains_day + 1e-9
        if row.moves_to != "not used by the flow":
            assert row.detour_corridor


def test_caspian_ferry_doubling_doubles_what_the_middle_corridor_takes_without_russia(net, europe):
    doubled = dependence(net, flow="china-europe", scenario=Scenario.builtin("caspian-ferry-doubling"),
                         samples=200).set_index("id")
    before = europe.set_index("id").loc["RU"]
    after = doubled.loc["RU"]
    print(f"caspian-ferry-doubling, Russia avoided: the Middle Corridor carries "
          f"{after['carried_trains_day']:.1f} trains/day (baseline {before['carried_trains_day']:.1f}); "
          f"binding: {after['binding']}")
    prose = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert f"takes {after['carried_trains_day']:.1f} trains/day" in prose
    assert after["base_carried_trains_day"] == pytest.approx(before["carried_trains_day"])
    assert after["carried_trains_day"] == pytest.approx(2 * before["carried_trains_day"], rel=0.02)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(["KZ", "RU", "BY", "MN", "AZ", "GE", "TR", "PL", "UZ", "CN"]), max_size=3))
def test_array_max_flow_equals_networkx_minimum_cut(net, avoided):
    """The scipy max flow on arrays gives networkx's minimum cut value on the same flow network."""
    import networkx as nx

    sources, sinks = _sources_sinks(net)
    value, cut = inputs.max_flow(net, sources, sinks, countries=sorted(avoided))
    graph = inputs.attached_flow_graph(net, tuple(dict.fromkeys(sources)), tuple(dict.fromkeys(sinks)))
    closed = set(net.nodes.index[net.nodes["country"].isin(sorted(avoided))])
    graph.remove_nodes_from([n for n in list(graph) if isinstance(n, tuple) and n[1] in closed])
    try:
        expected = nx.minimum_cut_value(graph, "SOURCE", "SINK")
    except nx.NetworkXUnbounded:
        expected = math.inf
    assert value == pytest.approx(expected, abs=1e-9)
    if math.isfinite(value):
        assert cut["capacity_trains_day"].sum() == pytest.approx(value, abs=1e-9)


def test_cli_short_and_wide_views(cli):
    code, out, err = cli("dependence", "--flow", "china-central-asia")
    assert code == 0, err
    header = re.compile(r"┃ min cut\s*┃")
    assert "moves to" in out and not header.search(out) and "inf" not in out
    code, wide, err = cli("dependence", "--flow", "china-central-asia", "--wide")
    assert code == 0, err
    assert header.search(wide) and "+kg CO2e/40'" in wide and "inf" not in wide


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["alat_port", "kuryk_port", "aktau_port", "brest", "constanta"]),
       st.floats(min_value=1.0, max_value=3.0))
def test_adding_capacity_on_a_detour_never_lowers_the_trains_the_assignment_carries(net, element, factor):
    """Russia avoided: more capacity on the Middle Corridor (or anywhere) never lowers the served trains."""
    demand = inputs.builtin_demand(net)
    flow = _china_europe_rows(net, demand)
    before = _flow_served(net, demand, flow, ["RU"])
    bigger = Scenario("more", "more capacity").scale("capacity_trains_day", factor, element).apply(net)
    after = _flow_served(bigger, demand, flow, ["RU"])
    assert after >= before - 1e-3 * before


def test_caspian_port_capacities_quoted_in_readme(net):
    caps = net.nodes["capacity_trains_day"]
    print("Caspian ferry ports (trains/day): " + ", ".join(
        f"{p} {caps[p]:g}" for p in ("alat_port", "kuryk_port", "aktau_port", "turkmenbashi_port")))
    assert (caps[["alat_port", "kuryk_port", "aktau_port", "turkmenbashi_port"]] > 0).all()
