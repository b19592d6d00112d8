"""The modes comparison on the built-in network: acceptance checks of issue 14 and table rules."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from corridor.errors import CorridorError
from corridor.modes import builtin_tables, compare_modes, validate_modes_tables
from corridor.network import load

SHOW = ["option", "days", "p50_days", "p90_days", "cost_usd", "p90_cost_usd", "co2e_kg", "pareto", "best_for"]


@pytest.fixture(scope="module")
def net():
    return load()


def _show(frame, title: str) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(f"\n{title}\n{frame[SHOW].round(1).to_string(index=False)}")


def _row(frame, prefix: str):
    return frame[frame["option"].str.startswith(prefix)].iloc[0]


@pytest.mark.parametrize("pair", [("Chongqing", "Duisburg"), ("Shanghai", "Rotterdam")])
def test_sea_cheaper_slower_air_fastest_dirtiest(net, pair):
    frame = compare_modes(net, *pair)
    _show(frame, f"{pair[0]} → {pair[1]}, 40' container")
    rail, air = _row(frame, "rail 1"), _row(frame, "air")
    suez, cape = _row(frame, "sea via Suez") if pair[0] == "Shanghai" else _row(frame, "rail–sea via Suez"), \
        frame[frame["option"].str.contains("Cape")].iloc[0]
    # 2024–25 quotes: rail USD 7,000–9,000 per FEU; sea (WCI Shanghai–Rotterdam) USD 2,000–4,400
    assert 1.3 <= rail["cost_usd"] / suez["cost_usd"] <= 4.5
    assert suez["days"] > rail["days"] + 10
    assert air["days"] == frame["days"].min()
    assert air["co2e_kg"] > 5 * frame.drop(index=air.name)["co2e_kg"].max()
    # published Cape margin: around 10 days (7–14) on Asia–North Europe
    assert 7 <= cape["days"] - suez["days"] <= 14


def test_avoid_suez_drops_the_suez_option(net):
    frame = compare_modes(net, "Shanghai", "Rotterdam", avoid=["suez"])
    assert not frame["option"].str.contains("Suez").any()
    assert frame["option"].str.contains("Cape").any()


@pytest.mark.parametrize("destination", ["Duisburg", "Chongqing"])
def test_chilled_beef_from_kostanay(net, destination):
    frame = compare_modes(net, "Kostanay", destination, commodity_id="chilled_beef", cargo_value_usd=150_000)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nchilled beef Kostanay → {destination}\n"
              f"{frame[['option', 'p90_days', 'shelf_life_left_days', 'keeps', 'inventory_usd']].round(1)}")
    assert frame["keeps"].notna().all()
    assert frame.attrs["reefer"]  # chilled beef needs a reefer
    np.testing.assert_allclose(frame["shelf_life_left_days"], 130 - frame["p90_days"])


def test_same_seed_same_numbers(net):
    a = compare_modes(net, "Chongqing", "Duisburg", seed=3)
    b = compare_modes(net, "Chongqing", "Duisburg", seed=3)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))


def test_bad_input_is_refused(net):
    for kwargs in ({"container": "45"}, {"avoid": ["panama"]}, {"payload_t": float("nan")},
                   {"cargo_value_usd": -1.0}):
        with pytest.raises(CorridorError):
            compare_modes(net, "Chongqing", "Duisburg", **kwargs)


def test_every_row_has_source_and_year():
    tables = builtin_tables()
    assert all(r.source.strip() and 1990 <= r.year <= 2030 for r in tables.ranges.values())


def test_rows_borrowed_or_estimated_say_estimate_in_note(geodata):
    """A row that takes another row's figure ('as row ...') or has no published range says so."""
    for name in ("tariffs.csv", "emission_factors.csv", "sea.csv", "air.csv"):
        frame = pd.read_csv(geodata / name, dtype=str, keep_default_na=False)
        for row in frame.to_dict("records"):
            assert not row["source"].lower().startswith("estimate"), (name, row["kind"], row["key"])
            if row["source"].startswith("as row") or "no published" in row["note"]:
                assert "estimate" in row["note"], (name, row["kind"], row["key"])


def _broken(tmp_path, geodata, name, old, new):
    for f in ("tariffs.csv", "emission_factors.csv", "sea.csv", "air.csv", "ports.csv"):
        shutil.copy(geodata / f, tmp_path / f)
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return validate_modes_tables(tmp_path)


@pytest.fixture
def geodata():
    from corridor.datafiles import builtin_dir
    return builtin_dir()


def test_builtin_tables_are_clean(geodata):
    assert validate_modes_tables(geodata, set(load().nodes.index)) == []


@pytest.mark.parametrize("name,old,new,field", [
    ("tariffs.csv", "rail_km,KTZ,40", "rail_km,KZT,40", "key"),                       # unknown administration
    ("tariffs.csv", "usd_per_container,235,470,705", "usd_per_container,-235,470,705",
     "low"),  # negative rate
    ("tariffs.csv", "\"Reed & Trubetskoy 2019 (Belarus USD 108, from Doing Business)\"", "\"\"",
     "source"),  # missing source
    ("tariffs.csv", "\"Reed & Trubetskoy 2019 (Belarus USD 108, from Doing Business)\"", "\"estimate\"",
     "source"),  # an estimate given as the source
    ("sea.csv", "kn,14,16,19", "kn,14,inf,19", "typical"),                             # non-finite number
    ("emission_factors.csv", "grid,KZ,*,g_co2e_per_kwh,641.1", "grid,KZ,*,g_co2e_per_kwh,NaN", "low"),
    ("air.csv", "usd_per_kg,2.65,3.5,7.33,2024", "usd_per_kg,2.65,3.5,7.33,1850", "year"),
])
def test_each_rule_on_a_broken_copy(tmp_path, geodata, name, old, new, field):
    problems = _broken(tmp_path, geodata, name, old, new)
    assert [p.field for p in problems] == [field], problems
    assert problems[0].file == name


def test_cli_validate_reports_the_modes_tables_of_a_broken_copy(cli, tmp_path, geodata):
    copy = tmp_path / "net"
    shutil.copytree(geodata, copy, ignore=shutil.ignore_patterns("scenarios", "__pycache__"))
    code, out, err = cli("validate", str(copy))
    assert code == 0, out + err
    tariffs = (copy / "tariffs.csv").read_text(encoding="utf-8")
    (copy / "tariffs.csv").write_text(tariffs.replace("rail_km,KTZ,40", "rail_km,KZT,40", 1),
                                      encoding="utf-8")
    lanes = (copy / "sea_lanes.geojson").read_text(encoding="utf-8")
    (copy / "sea_lanes.geojson").write_text(lanes.replace('"passage": "cape"', '"passage": "panama"', 1),
                                            encoding="utf-8")
    code, out, err = cli("validate", str(copy))
    assert code == 2 and "2 problem(s)" in err
    lines = out.strip().splitlines()
    assert any(line.startswith("tariffs.csv") and "KZT" in line for line in lines), out
    assert any(line.startswith("sea_lanes.geojson") and "panama" in line for line in lines), out
