"""Cold-chain reach on small hand-made networks with known answers, and on the built-in network."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from netfactory import link, node, write_network

import corridor
from corridor.coldchain import DEFAULT_AUTONOMY_H, reach
from corridor.coldchain.climate import MONTHS, load_climate, node_ambient
from corridor.coldchain.commodities import builtin_commodities, commodity, load_commodities
from corridor.errors import CorridorError, DataError

BEEF = commodity(builtin_commodities(), "chilled_beef")


def write_climate(tmp_path, temps: dict[str, tuple[float, float, float]]):
    """A climate table with January and July means (and station position) per node id."""
    lines = ["node_id,station,lon,lat," + ",".join(MONTHS) + ",source,note"]
    for node_id, (lon, lat, jan_c, jul_c) in temps.items():
        months = [str(jan_c)] + [""] * 5 + [str(jul_c)] + [""] * 5
        lines.append(f"{node_id},{node_id},{lon},{lat},{','.join(months)},test fixture,")
    path = tmp_path / "climate.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_climate(path)


def detour_network(tmp_path, reefer: bool = True) -> corridor.Corridor:
    """a → b → d is short (6.4 h); a → r → d is longer but r refuels gensets."""
    a = node("a", 80.0, 44.0, "KZ", ["terminal"])
    b = node("b", 82.0, 44.0, "KZ", ["junction"])
    r = node("r", 82.0, 45.0, "KZ", ["junction", "coldchain"], reefer_service=reefer,
             reefer_types=["genset_fuel"] if reefer else [])
    d = node("d", 84.0, 44.0, "KZ", ["terminal"])
    links = [link(a, b), link(b, d), link(a, r), link(r, d)]
    return corridor.load(write_network(tmp_path / "detour", [a, b, r, d], links))


def transship_network(tmp_path, dwell_h: float) -> corridor.Corridor:
    """a (1435 mm) → g (gauge change, dwell exactly ``dwell_h``) → e (1520 mm)."""
    a = node("a", 80.0, 44.0, "KZ", ["terminal"])
    g = node("g", 81.0, 44.0, "KZ", ["gauge_change"], dwell_h=dwell_h, dwell_min_h=dwell_h,
             dwell_max_h=dwell_h)
    e = node("e", 82.0, 44.0, "KZ", ["terminal"])
    return corridor.load(write_network(tmp_path / "ship", [a, g, e],
                                       [link(a, g, 1435), link(g, e, 1520)]))


def test_power_autonomy_forces_a_detour_through_a_reefer_node(tmp_path):
    net = detour_network(tmp_path)
    climate = write_climate(tmp_path, {"a": (80.0, 44.0, -10.0, 25.0)})
    roomy = reach(net, "a", "chilled_beef", autonomy_h=10, climate=climate)
    assert roomy.loc["d", "path"] == ["a", "b", "d"]
    tight = reach(net, "a", "chilled_beef", autonomy_h=5, climate=climate)
    assert tight.loc["d", "reachable"]
    assert tight.loc["d", "path"] == ["a", "r", "d"]
    assert tight.loc["d", "arrival_days"] > roomy.loc["d", "arrival_days"]
    assert tight.loc["b", "reason"] == ""  # b itself is within 5 h


def test_without_the_reefer_node_the_market_is_out_of_power(tmp_path):
    net = detour_network(tmp_path, reefer=False)
    result = reach(net, "a", "chilled_beef", autonomy_h=5)
    assert not result.loc["d", "reachable"]
    assert result.loc["d", "reason"] == "power"
    assert reach(net, "a", "grain").loc["d", "reachable"]  # no reefer, no power limit


def test_long_unpowered_transshipment_in_summer_spoils_a_chilled_load(tmp_path):
    net = transship_network(tmp_path, dwell_h=120.0)
    climate = write_climate(tmp_path, {"g": (81.0, 44.0, -10.0, 30.0)})
    run_h = float((net.links["length_km"] / net.links["speed_kmh"]).sum())
    july = reach(net, "a", "chilled_beef", month=7, climate=climate)
    expected = BEEF.shelf_life_days - (run_h + 120.0 * float(BEEF.rate(30.0))) / 24.0
    assert july.loc["e", "remaining_shelf_life_days"] == pytest.approx(expected, rel=1e-6)
    assert expected < BEEF.margin_days
    assert not july.loc["e", "reachable"] and july.loc["e", "reason"] == "shelf_life"
    assert july.loc["e", "unpowered_hours"] == pytest.approx(120.0)
    january = reach(net, "a", "chilled_beef", month=1, climate=climate)
    assert january.loc["e", "reachable"]
    assert january.loc["e", "remaining_shelf_life_days"] == pytest.approx(
        BEEF.shelf_life_days - (run_h + 120.0) / 24.0)
    selfpowered = reach(net, "a", "chilled_beef", month=7, power="autonomous", climate=climate)
    assert selfpowered.loc["e", "reachable"]


def test_chill_sensitive_produce_is_flagged_for_freezing_in_winter(tmp_path):
    net = transship_network(tmp_path, dwell_h=60.0)
    climate = write_climate(tmp_path, {"g": (81.0, 44.0, -25.0, 30.0)})
    january = reach(net, "a", "fresh_tomatoes", month=1, climate=climate)
    assert january.loc["e", "reason"] == "freezing"
    assert january.loc["e", "chill_injury"]
    assert not january.loc["e", "reachable"]


def test_reverse_reach_matches_forward(net):
    forward = reach(net, "Kostanay", "chilled_beef", month=7)
    backward = reach(net, "Chongqing", "chilled_beef", month=7, reverse=True)
    row = backward.loc["kostanay"]
    assert row["reachable"] == forward.loc["chongqing_tuanjiecun", "reachable"]
    assert row["remaining_shelf_life_days"] == pytest.approx(
        forward.loc["chongqing_tuanjiecun", "remaining_shelf_life_days"])
    assert row["path"][0] == "kostanay" and row["path"][-1] == "chongqing_tuanjiecun"


@pytest.mark.parametrize("origin", ["Kostanay", "Astana", "Almaty"])
@pytest.mark.parametrize("meat", ["chilled_beef", "chilled_lamb"])
def test_kazakh_chilled_meat_reaches_the_chinese_markets(net, origin, meat):
    result = reach(net, origin, meat, month=7)
    for market in ("chongqing_tuanjiecun", "chengdu_qingbaijiang", "xian", "urumqi"):
        assert result.loc[market, "reachable"], (origin, meat, market)
        assert "alashankou" in result.loc[market, "path"] or "khorgos" in result.loc[
            market, "path"]


def test_summer_exposure_costs_shelf_life_that_winter_does_not(net):
    july = reach(net, "Kostanay", "chilled_beef", month=7).loc["chongqing_tuanjiecun"]
    january = reach(net, "Kostanay", "chilled_beef", month=1).loc["chongqing_tuanjiecun"]
    assert january["remaining_shelf_life_days"] > july["remaining_shelf_life_days"] + 3


def test_chinese_fruit_reaches_almaty_and_moscow(net):
    result = reach(net, "Xian", "fresh_apples", month=10)
    assert result.loc[["almaty", "moscow_vorsino", "lodz_olechow"], "reachable"].all()


def test_rows_cover_every_operating_node_with_geometry(net):
    result = reach(net, "Kostanay", "grain")
    operating = net.nodes.index[net.nodes["status"] == "operating"]
    assert set(result.index) == set(operating)
    assert result.crs == net.nodes.crs and result.geometry.notna().all()
    assert set(result["reason"]) <= {"", "shelf_life", "power", "no_route", "freezing"}
    assert result.attrs["commodity"] == "grain" and result.attrs["month"] == 7
    assert result.loc["kostanay", "path"] == ["kostanay"]


@pytest.mark.parametrize("bad", ["beef", "bananas"])
def test_unknown_commodity_lists_the_choices(net, bad):
    with pytest.raises(CorridorError, match="valid choices: chilled_beef, chilled_lamb"):
        reach(net, "Kostanay", bad)


@pytest.mark.parametrize("month", [0, 13, -1, 2.5])
def test_month_outside_1_to_12_is_refused(net, month):
    with pytest.raises(CorridorError, match="month must be 1-12"):
        reach(net, "Kostanay", "chilled_beef", month=month)


def test_unknown_power_mode_lists_the_choices(net):
    with pytest.raises(CorridorError, match="genset, plug-in, autonomous"):
        reach(net, "Kostanay", "chilled_beef", power="solar")


def test_catalogue_and_climate_have_sources():
    catalogue = load_commodities()
    assert {"chilled_beef", "chilled_lamb", "frozen_meat", "fresh_apples", "grain",
            "salted_hides", "cheese"} <= set(catalogue.index)
    assert catalogue["source"].str.len().min() > 20
    assert catalogue.loc["chilled_beef", "shelf_life_days"] >= 130
    climate = load_climate()
    assert (climate["source"].str.len() > 10).all()
    assert set(DEFAULT_AUTONOMY_H) == {"genset", "plug-in", "autonomous"}


def test_nodes_without_a_climate_row_borrow_the_nearest(net):
    ambient = node_ambient(net, 7)
    assert ambient.loc["kostanay", "climate_from"] == "kostanay"
    assert ambient.loc["kostanay", "climate_km"] == 0
    assert ambient.loc["tobol", "climate_from"] == "kostanay"
    assert ambient.loc["tobol", "climate_km"] > 0
    assert np.isfinite(ambient["temp_c"]).all()


def test_bad_commodity_table_names_file_row_and_field(tmp_path):
    text = (load_commodities().to_csv(index=False)
            .replace("chilled_lamb,\"Chilled lamb", "chilled_lamb,\"Lamb", 1))
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str)
    frame.loc[frame["id"] == "cheese", "q10"] = "fast"
    frame.loc[frame["id"] == "grain", "requires_reefer"] = "maybe"
    path = tmp_path / "commodities.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_commodities(path)
    messages = [str(p) for p in info.value.problems]
    assert any("cheese: q10" in m and "'fast'" in m for m in messages)
    assert any("grain: requires_reefer" in m for m in messages)


def test_cli_reach_json(cli):
    code, out, err = cli("reach", "Kostanay", "--commodity", "chilled_beef", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["origin"] == "kostanay" and data["commodity"] == "chilled_beef"
    assert data["month"] == 7
    chongqing = next(r for r in data["reachable"] if r["node"] == "chongqing_tuanjiecun")
    assert set(chongqing) >= {"arrival_days", "p90_days", "remaining_shelf_life_days", "path"}
    assert all(set(r) >= {"node", "reason"} for r in data["unreachable"])


def test_cli_reach_table_and_commodities(cli):
    code, out, _ = cli("reach", "Chongqing", "--commodity", "chilled_lamb", "--reverse",
                       "--month", "1")
    assert code == 0 and "Kostanay" in out and "can supply it" in out
    code, out, _ = cli("commodities")
    assert code == 0 and "chilled_beef" in out


@pytest.mark.parametrize("args,expected", [
    (["--commodity", "bananas"], "valid choices"),
    (["--commodity", "chilled_beef", "--month", "13"], "month must be 1-12"),
    (["--commodity", "chilled_beef", "--power", "solar"], "valid choices: genset"),
])
def test_cli_reach_errors_are_one_line(cli, args, expected):
    code, _, err = cli("reach", "Kostanay", *args)
    assert code == 2 and expected in err and err.count("\n") == 1


# -- why a place is out of reach; chill injury in the table (issue 15) --------------------------------

def test_unreachable_places_say_why_with_their_arrival_and_shelf_life(net):
    from corridor.coldchain import commodity as find_commodity
    from corridor.coldchain.explain import UNREACHABLE_COLUMNS, unreachable_table

    winter = corridor.reach(net, "Kostanay", "fresh_tomatoes", month=1)
    table = unreachable_table(winter)
    assert list(table.columns) == UNREACHABLE_COLUMNS
    assert set(table["node"]) == set(winter.loc[~winter["reachable"], "node"])
    frozen = table[table["reason"] == "freezing"].iloc[0]
    assert frozen["why"].startswith("chilled below its safe band on unpowered stretches in January")
    assert f"takes {frozen['arrival_days']:.1f} d" in frozen["why"]
    assert f"{frozen['remaining_shelf_life_days']:.1f} d of shelf life left" in frozen["why"]
    power = table[table["reason"] == "power"].iloc[0]
    assert "96 h autonomy of genset power" in power["why"]

    shelf = find_commodity(corridor.coldchain.builtin_commodities(), "chilled_beef").shelf_life_days
    tight = unreachable_table(corridor.reach(net, "Kostanay", "chilled_beef", month=7,
                                             margin_days=shelf - 1))
    used_up = tight[tight["reason"] == "shelf_life"]
    assert len(used_up) > 0 and used_up["why"].str.startswith("shelf life used up").all()
    assert used_up["why"].str.contains(f"{shelf - 1:.0f} d needed").all()


def test_reach_command_lists_out_of_reach_places_and_chill_injury(cli):
    code, out, _ = cli("reach", "Kostanay", "--commodity", "fresh_tomatoes", "--month", "1", "--all")
    assert code == 0
    assert "chill injury" in out and "Out of reach" in out
    assert "chilled below its safe band" in out and "reefer power runs out" in out
    code, out, _ = cli("reach", "Kostanay", "--commodity", "fresh_tomatoes", "--month", "1", "--json")
    data = json.loads(out)
    assert any(r["chill_injury"] for r in data["reachable"])
    assert all(r["why"] for r in data["unreachable"])
    frozen = next(r for r in data["unreachable"] if r["reason"] == "freezing")
    assert frozen["arrival_days"] > 0 and "January" in frozen["why"]


# -- where and when an unreachable load failed (issue 15) --------------------------------------------

def _lost(result, reason):
    return result[result["reason"] == reason]


def test_power_failures_name_the_stretch_and_the_hour(net):
    winter = corridor.reach(net, "Kostanay", "chilled_beef", month=1)
    power = _lost(winter, "power")
    assert len(power) > 0 and power["failed_at"].notna().all()
    # the unit runs at most one hour per hour: it cannot run dry before its autonomy is used up
    assert (power["failed_after_h"] >= winter.attrs["autonomy_h"] - 1e-6).all()
    chita = power.loc["chita"]
    assert chita["failed_at"] == "ulan_ude" and chita["failed_at_name"] == "Ulan-Ude"
    from corridor.coldchain.explain import why

    assert why(chita, winter.attrs).startswith(
        f"reefer power runs out after Ulan-Ude, {chita['failed_after_h']:.0f} h into the journey")


def test_shelf_life_and_chilling_failures_lie_on_the_route_before_arrival(net):
    from corridor.coldchain import commodity as find_commodity

    shelf = find_commodity(corridor.coldchain.builtin_commodities(), "chilled_beef").shelf_life_days
    tight = corridor.reach(net, "Kostanay", "chilled_beef", month=7, margin_days=shelf - 1)
    winter = corridor.reach(net, "Chongqing", "fresh_tomatoes", month=1)
    for lost in (_lost(tight, "shelf_life"), _lost(winter, "freezing")):
        assert len(lost) > 0
        for _, row in lost.iterrows():
            assert row["failed_at"] in row["path"]
            assert 0 < row["failed_after_h"] <= row["arrival_days"] * 24.0 + 1e-6
    wien = winter.loc["wien"]
    assert wien["failed_at"] == "altynkol"  # transshipped unpowered in a January frost
    from corridor.coldchain.explain import why

    assert ", first at Altynkol, " in why(wien, winter.attrs)
    reachable = winter[winter["reachable"]]
    assert reachable["failed_at"].isna().all() and reachable["failed_after_h"].isna().all()


def test_reach_json_carries_the_failure_place(cli):
    code, out, _ = cli("reach", "Kostanay", "--commodity", "chilled_beef", "--month", "1", "--json")
    assert code == 0
    chita = next(r for r in json.loads(out)["unreachable"] if r["node"] == "chita")
    assert chita["failed_at"] == "ulan_ude" and chita["failed_after_h"] >= 96


def test_vectorised_edge_model_equals_the_edge_by_edge_loop(net):
    """The cold-chain model built from arrays is the one the loop over edges builds."""
    import importlib

    module = importlib.import_module("corridor.coldchain.reach")
    statuses = frozenset({"operating"})
    fast = module._build_edge_model(net, statuses)
    slow = module._build_edge_model_loop(net, module.state_graph(net, statuses))
    for name in ("hours", "var", "comp_edge", "comp_hours", "comp_kind", "comp_a", "comp_b"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    for name in ("out_edges", "in_edges", "arrivals", "departures", "link_of", "to_node"):
        assert getattr(fast, name) == getattr(slow, name), name


def test_p90_survives_a_variance_rounded_below_zero(net):
    """A long path's summed variance can round a hair below zero; the P90 is then the mean."""
    import importlib

    from corridor._graph import Path

    module = importlib.import_module("corridor.coldchain.reach")
    found = Path(48.0, ["a", "b"], ["a__b"])
    assert module._p90_days(net, found, -1e-12, 0, 0) == 2.0


def test_ambient_is_the_same_whatever_the_chunk_of_nodes(monkeypatch):
    """Nodes are matched to climate rows a chunk at a time (bounded memory): the chunk size
    changes nothing, and a node with its own climate row keeps it at 0 km."""
    from corridor.coldchain import climate

    net = corridor.load()
    whole = climate._ambient(net, 1, climate.builtin_climate())
    monkeypatch.setattr(climate, "_AMBIENT_CHUNK", 7)
    pd.testing.assert_frame_equal(climate._ambient(net, 1, climate.builtin_climate()), whole)
    own = whole.index.intersection(climate.builtin_climate().index)
    assert len(own) and (whole.loc[own, "climate_km"] == 0).all()
    assert (whole.loc[own, "climate_from"] == own).all()
