"""The modes comparison in what-ifs and sweeps: `corridor whatif --analyses modes` prints its table,
`corridor sweep --analyses modes` / `--tariff-range` write one, equal to scenario-by-scenario."""

from __future__ import annotations

import pandas as pd
import pytest

from corridor.errors import CorridorError
from corridor.scenarios import Scenario, sweep
from corridor.scenarios.compare import compare, parse_pairs

PAIR = ["Chongqing:Duisburg"]
FAST = {"samples": 200, "seed": 0}


def test_modes_sweep_equals_comparing_one_by_one(net):
    scenarios = [Scenario.builtin("red-sea-closure"), Scenario.builtin("ktz-tariff-change")]
    pairs = parse_pairs(net, PAIR)
    swept = sweep.run(net, scenarios, pairs, workers=1, analysis="modes", modes=FAST)
    frames = []
    for s in scenarios:
        frame = compare(net, s, pairs=PAIR, analyses=["modes"], modes=FAST).modes
        frame.insert(0, "scenario", s.name)
        frames.append(frame)
    pd.testing.assert_frame_equal(swept, pd.concat(frames, ignore_index=True))
    assert list(swept.columns) == sweep.SWEEP_MODES_COLUMNS
    red = swept[swept["scenario"] == "red-sea-closure"].set_index("option")
    assert red.filter(like="Suez", axis=0)["change"].eq("dropped").all()


def test_tariff_range_never_lowers_a_cost_as_the_factor_rises(net):
    factors = [0.5, 1.0, 1.5, 2.0]
    grid = sweep.tariff_range("tariffs", "rail_km", factors, key="KTZ")
    assert [s.name for s in grid] == [f"tariffs.rail_km.KTZ-x{f:g}" for f in factors]
    frame = sweep.run(net, grid, parse_pairs(net, PAIR), workers=1, analysis="modes", modes=FAST)
    by_option = frame.pivot(index="scenario", columns="option", values="scenario_cost_usd")
    by_option = by_option.loc[[s.name for s in grid]]
    assert (by_option.diff().dropna() >= -1e-9).all().all()
    at_one = frame[frame["scenario"] == "tariffs.rail_km.KTZ-x1"]
    assert (at_one["delta_cost_usd"].abs() < 1e-9).all()
    # the KTZ tariff moves the rail corridors through Kazakhstan, never sea or air
    rises = frame[frame["scenario"] == "tariffs.rail_km.KTZ-x2"].set_index("option")["delta_cost_usd"]
    assert rises["rail 1"] > 0 and rises["air"] == 0 and rises.filter(like="sea", axis=0).eq(0).all()


def test_parse_tariff_range():
    assert sweep.parse_tariff_range("tariffs.rail_km.KTZ=0.8:1.2:0.2") == (
        "tariffs", "rail_km", "KTZ", [0.8, 1.0, 1.2])
    assert sweep.parse_tariff_range("sea.freight=1,2") == ("sea", "freight", None, [1.0, 2.0])
    for bad in ("tariffs=1,2", "tariffs.rail_km", "tariffs.rail_km.KTZ=1:x", "a.b.c.d=1", ".rail_km=1"):
        with pytest.raises(CorridorError, match="expected"):
            sweep.parse_tariff_range(bad)


def test_unknown_sweep_analysis_is_refused(net):
    with pytest.raises(CorridorError, match="unknown sweep analysis 'reach'"):
        sweep.run(net, [Scenario("x")], parse_pairs(net, PAIR), workers=1, analysis="reach")


# -- CLI ------------------------------------------------------------------------------------------

def test_cli_whatif_prints_the_modes_table(cli):
    code, out, err = cli("whatif", "red-sea-closure", "--analyses", "modes", "--pairs", *PAIR,
                         "--samples", "200")
    assert code == 0, err
    assert "Modes: red-sea-closure" in out and "dropped" in out and "Cape of Good Hope" in out
    assert "Red Sea closed" in out  # the description, once, under the only table
    code, out, err = cli("whatif", "ktz-tariff-change", "--analyses", "transit,modes", "--pairs", *PAIR,
                         "--samples", "200")
    assert code == 0, err
    assert "What if: ktz-tariff-change" in out and "Modes: ktz-tariff-change" in out


def test_cli_sweep_writes_transit_and_modes_tables(cli, tmp_path):
    out = tmp_path / "s.csv"
    code, stdout, err = cli("sweep", "red-sea-closure", "--analyses", "transit,modes", "--pairs", *PAIR,
                            "--workers", "1", "--out", str(out))
    assert code == 0, err
    assert list(pd.read_csv(out).columns) == sweep.SWEEP_COLUMNS
    modes = pd.read_csv(tmp_path / "s-modes.csv")
    assert list(modes.columns) == sweep.SWEEP_MODES_COLUMNS
    assert "dropped" in set(modes["change"]) and "s-modes.csv" in stdout


def test_cli_sweep_tariff_range_is_a_modes_sweep(cli, tmp_path):
    out = tmp_path / "ktz.csv"
    code, _, err = cli("sweep", "--tariff-range", "tariffs.rail_km.KTZ=1,1.5", "--pairs", *PAIR,
                       "--workers", "1", "--out", str(out))
    assert code == 0, err
    frame = pd.read_csv(out)
    assert list(frame.columns) == sweep.SWEEP_MODES_COLUMNS
    assert set(frame["scenario"]) == {"tariffs.rail_km.KTZ-x1", "tariffs.rail_km.KTZ-x1.5"}


@pytest.mark.parametrize("args,message", [
    (["red-sea-closure", "--analyses", "speed"], "--analyses 'speed'"),
    (["--tariff-range", "tariffs.rail_km.KTZ=0,1"], "must be > 0"),
    (["--tariff-range", "tariffs.rail_kmh=1"], "kind 'rail_kmh'"),
])
def test_cli_sweep_bad_modes_input_is_one_line(cli, tmp_path, args, message):
    code, _, err = cli("sweep", *args, "--pairs", *PAIR, "--workers", "1", "--out", str(tmp_path / "x.csv"))
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_modes_sweep_on_a_local_dask_cluster_equals_in_process(net):
    from distributed import Client, LocalCluster

    scenarios = [Scenario.builtin("red-sea-closure"), *sweep.tariff_range("sea", "freight", [1.5])]
    pairs = parse_pairs(net, ["Shanghai:Rotterdam"])
    local = sweep.run(net, scenarios, pairs, workers=1, analysis="modes", modes=FAST)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        swept = sweep.run(net, scenarios, pairs, client=client, analysis="modes", modes=FAST)
    pd.testing.assert_frame_equal(swept, local)


def test_cli_spells_the_sweep_analyses_as_the_library():
    from corridor.cli import scenarios as cli_scenarios

    assert cli_scenarios.SWEEP_ANALYSES == sweep.SWEEP_ANALYSES
