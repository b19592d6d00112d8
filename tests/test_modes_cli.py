"""``corridor modes`` end to end: the time model's days, --month, --scenario, the CLI and the map."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from corridor.errors import DataError
from corridor.modes import COLUMNS, builtin_tables, compare_modes, sea
from corridor.modes.compare import _days, _Option, _timed
from corridor.scenarios import Scenario, compare, find_scenario, read_scenario
from corridor.transit import alternatives, route


@pytest.fixture(scope="module")
def chongqing(net):
    return compare_modes(net, "Chongqing", "Duisburg")


def _by_name(frame):
    return frame.set_index("option")


# -- days come from the time model -------------------------------------------------------------

def test_rail_days_are_the_routes_own(net, chongqing):
    routes = alternatives(net, "Chongqing", "Duisburg", k=3, samples=2000, seed=0)
    rows = _by_name(chongqing)
    for i, r in enumerate(routes, start=1):
        got = rows.loc[f"rail {i}", ["days", "p50_days", "p90_days"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, [r.transit_days, r.p50_days, r.p90_days])


def test_leg_mixture_matches_the_routes_monte_carlo(net):
    # the draws a combined (rail–sea) option takes of its rail legs, episodes (chance < 1) included
    r = route(net, "Chongqing", "Duisburg", samples=20_000, seed=1)
    assert any(leg.chance < 1 for leg in r.legs)  # Dostyk, Brest ... episodes
    option = _Option("x", "rail", "", r.distance_km, _timed(r), [], 0.0)
    days, p50, p90 = _days(option, 20_000, np.random.default_rng(2))
    assert days == pytest.approx(r.transit_days)
    assert p50 == pytest.approx(r.p50_days, abs=0.05) and p90 == pytest.approx(r.p90_days, abs=0.1)
    ordinary = _Option("x", "rail", "", 0, [(s, 1.0) for s, c in _timed(r) if c >= 1], [], 0.0)
    assert _days(ordinary, 20_000, np.random.default_rng(2))[0] < days  # episodes add expected time


def test_rail_sea_days_are_sea_plus_rail_legs(net, chongqing):
    row = chongqing[chongqing["option"].str.startswith("rail–sea via Suez")].iloc[0]
    pol, _, pod = row["via"].split(" · ")
    legs = [route(net, "Chongqing", pol, samples=0), route(net, pod, "Duisburg", samples=0)]
    xy = [(net.nodes.geometry[n].x, net.nodes.geometry[n].y) for n in (pol, pod)]
    sailing = sum(s.mean for _, s in sea.sea_spreads(sea.sea_lane(*xy, "suez"), builtin_tables()))
    # expected days = sea + each rail leg's expected time (which counts chance × episode mean)
    assert row["days"] == pytest.approx(sailing / 24 + sum(r.transit_days for r in legs))
    assert row["p50_days"] < row["p90_days"]


# -- --month ---------------------------------------------------------------------------------

def test_month_costs_shelf_life_on_rail_only(net):
    plain = _by_name(compare_modes(net, "Kostanay", "Duisburg", commodity_id="chilled_beef"))
    july = compare_modes(net, "Kostanay", "Duisburg", commodity_id="chilled_beef", month=7)
    print("\nchilled beef Kostanay → Duisburg, July\n"
          f"{july[['option', 'p90_days', 'shelf_life_left_days', 'keeps']].round(1).to_string(index=False)}")
    july = _by_name(july)
    # the Middle Corridor waits for and rides the Caspian ferry unpowered: July heat costs shelf life
    assert july.at["Middle Corridor", "shelf_life_left_days"] < plain.at["Middle Corridor",
                                                                          "shelf_life_left_days"] - 1
    assert (july["shelf_life_left_days"] <= plain["shelf_life_left_days"] + 1e-9).all()
    # air (and sea) hold the reefer at set point whatever the month: stated assumption
    assert july.at["air", "shelf_life_left_days"] == pytest.approx(plain.at["air", "shelf_life_left_days"])
    assert "set point" in compare_modes(net, "Kostanay", "Duisburg", commodity_id="chilled_beef",
                                        month=7).attrs["shelf_assumption"]


def test_january_spares_chilled_beef_more_than_july(net):
    jan = compare_modes(net, "Kostanay", "Chongqing", commodity_id="chilled_beef", month=1)
    jul = compare_modes(net, "Kostanay", "Chongqing", commodity_id="chilled_beef", month=7)
    assert jan["shelf_life_left_days"].sum() > jul["shelf_life_left_days"].sum()


# -- scenarios ---------------------------------------------------------------------------------

def test_red_sea_closure_is_avoid_suez(net):
    closed = compare_modes(find_scenario("red-sea-closure").apply(net), "Shanghai", "Rotterdam")
    avoided = compare_modes(net, "Shanghai", "Rotterdam", avoid=["suez"])
    assert closed.attrs["scenario"] == "red-sea-closure" and closed.attrs["avoid"] == ["suez"]
    assert list(closed["option"]) == list(avoided["option"])
    np.testing.assert_allclose(closed["days"], avoided["days"])
    assert not closed["option"].str.contains("Suez").any()


def test_ktz_tariff_change_raises_rail_through_kazakhstan_only(net, chongqing):
    raised = _by_name(compare_modes(find_scenario("ktz-tariff-change").apply(net), "Chongqing", "Duisburg"))
    base = _by_name(chongqing)
    assert (raised.loc["rail 1", "cost_usd"] > base.loc["rail 1", "cost_usd"] + 100)
    for option in ("air", *[o for o in base.index if "sea" in o]):
        assert raised.loc[option, "cost_usd"] == pytest.approx(base.loc[option, "cost_usd"])
    np.testing.assert_allclose(raised["days"], base["days"])


def test_compare_modes_analysis(net):
    result = compare(net, Scenario("shut").close_passage("suez").scale_tariff("sea", "freight", 2.0),
                     pairs=["Shanghai:Rotterdam"], analyses=("modes",))
    frame = result.modes.set_index("option")
    assert frame.filter(like="Suez", axis=0)["change"].eq("dropped").all()
    cape = frame.filter(like="Cape", axis=0).iloc[0]
    assert cape["change"] == "same" and cape["delta_cost_usd"] > 1000
    assert frame.loc["air", "delta_cost_usd"] == 0
    assert "modes" in result.to_dict()


def test_scale_tariff_selecting_nothing_is_refused(net):
    variant = Scenario("x").scale_tariff("tariffs", "rail_km", 2.0, key="XYZ").apply(net)
    with pytest.raises(DataError, match="selects no row"):
        compare_modes(variant, "Chongqing", "Duisburg")


@pytest.mark.parametrize(("body", "word"), [
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nfactor = nan', "finite"),
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nfactor = 0', "> 0"),
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nfactor = 101', "<= 100"),
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nfactor = true', "a number"),
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nkey = 7\nfactor = 2', "a string"),
    ('[[scale_tariff]]\ntable = "tarifs"\nkind = "rail_km"\nfactor = 2', "table 'tarifs'"),
    ('[[scale_tariff]]\ntable = "sea"\nkind = "rail_km"\nfactor = 2', "kind 'rail_km' of table 'sea'"),
    ('[[scale_tariff]]\ntable = "tariffs"\nfactor = 2', "missing key 'kind'"),
    ('[[scale_tariff]]\ntable = "tariffs"\nkind = "rail_km"\nfactor = 2\nrate = 3', "unknown key"),
    ('[[close_passage]]\npassage = "suze"', "did you mean 'suez'"),
    ('[[close_passage]]\npassage = ["suez"]', "a string"),
    ("[[close_passage]]\nnote = 'x'", "missing key 'passage'"),
])
def test_reader_refuses_bad_modes_verbs(tmp_path, body, word):
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\n{textwrap.dedent(body)}\n', encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_scenario(path)
    text = str(exc.value)
    assert word in text and "line" in text, text


def test_builder_refuses_bad_modes_verbs():
    for make in (lambda s: s.close_passage("panama"), lambda s: s.scale_tariff("tariffs", "rail_km", -1),
                 lambda s: s.scale_tariff("tariffs", "rail_km", float("inf")),
                 lambda s: s.scale_tariff("fares", "rail_km", 2)):
        with pytest.raises(DataError):
            make(Scenario("x"))


def test_builtin_modes_scenarios_read_back_their_verbs():
    red, ktz = find_scenario("red-sea-closure"), find_scenario("ktz-tariff-change")
    assert [(e.op, e.ids) for e in red.edits] == [("close_passage", ("suez",))]
    assert [(e.op, e.value) for e in ktz.edits] == [
        ("scale_tariff", {"table": "tariffs", "kind": "rail_km", "key": "KTZ", "factor": 1.25})]


# -- the command line --------------------------------------------------------------------------

def test_cli_table(cli):
    code, out, err = cli("modes", "Chongqing", "Duisburg")
    print(out)
    assert code == 0, err
    for word in ("rail 1", "Middle Corridor", "rail–sea via Suez", "Cape of Good Hope", "air", "pareto"):
        assert word in out


def test_cli_json_shape_and_agreement_with_route(cli):
    code, out, err = cli("modes", "Chongqing", "Duisburg", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["schema_version"] == 1
    assert set(data["options"][0]) == set(COLUMNS)
    assert {"origin", "destination", "container", "sources", "avoid", "month", "scenario"} <= set(data)
    code, out, err = cli("route", "Chongqing", "Duisburg", "--alternatives", "3", "--json")
    routes = json.loads(out)["routes"]
    rail = [o for o in data["options"] if o["option"].startswith("rail ")]
    for option, r in zip(rail, routes, strict=True):
        assert option["p90_days"] == pytest.approx(r["p90_days"], abs=0.01)


def test_cli_scenario_shows_baseline_beside_scenario(cli):
    code, out, err = cli("modes", "Shanghai", "Rotterdam", "--scenario", "red-sea-closure", "--json")
    data = json.loads(out)
    assert data["scenario"] is None and data["under_scenario"]["scenario"] == "red-sea-closure"
    assert any(row["change"] == "dropped" for row in data["comparison"])
    code, out, err = cli("modes", "Shanghai", "Rotterdam", "--scenario", "red-sea-closure")
    print(out)
    assert code == 0, err
    assert "scenario red-sea-closure" in out and "Baseline beside scenario" in out and "dropped" in out


def test_cli_month_states_its_assumption(cli):
    code, out, err = cli("modes", "Kostanay", "Duisburg", "--commodity", "chilled_beef", "--month", "7")
    assert code == 0, err
    assert "month 7" in out and "set point" in err


def test_cli_map_draws_the_sea_lanes(cli, tmp_path):
    target = tmp_path / "modes.html"
    code, _, err = cli("modes", "Shanghai", "Rotterdam", "--map", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert "sea via Suez" in page and "Cape of Good Hope" in page
    assert page.count("L.polyline") >= 6


# -- the map -----------------------------------------------------------------------------------

def test_modes_map_has_one_line_per_option_and_sea_lanes_by_their_passage(net):
    import folium

    from corridor.webmap.modes import modes_map

    result = compare_modes(net, "Shanghai", "Rotterdam")
    m = modes_map(result)
    lines = {}
    for layer in m._children.values():
        if isinstance(layer, folium.FeatureGroup):
            for child in layer._children.values():
                if isinstance(child, folium.PolyLine):
                    lines[layer.layer_name] = child.locations
    assert set(lines) == set(result["option"])
    suez = next(v for k, v in lines.items() if "Suez" in k)
    cape = next(v for k, v in lines.items() if "Cape" in k)
    assert any(29 <= lat <= 31.5 and 32 <= lon <= 33 for lat, lon in suez)   # through the canal
    assert min(lat for lat, _ in cape) < -33 and min(lat for lat, _ in suez) > -5  # round the Cape
    html = m.get_root().render()
    assert "Pareto-optimal" in html and "days (expected / P50 / P90)" in html
