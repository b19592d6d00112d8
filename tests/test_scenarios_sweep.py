"""Comparisons, sweeps (in-process and on a local Dask cluster) and the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from corridor.errors import CorridorError
from corridor.scenarios import Scenario, sweep
from corridor.scenarios.compare import compare, parse_pairs

PAIRS = ["Chongqing:Duisburg", "Xian:Tashkent"]


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    return [
        Scenario("dostyk-closed").close("dostyk"),
        Scenario("kz-slow").scale("speed_kmh", 0.8, country="KZ"),
        Scenario.builtin("middle-corridor-only"),
        Scenario.builtin("caspian-ferry-suspension"),  # builds on middle-corridor-only
    ]


def one_by_one(net, scenarios, pairs) -> pd.DataFrame:
    frames = []
    for s in scenarios:
        frame = compare(net, s, pairs=pairs).transit
        frame.insert(0, "scenario", s.name)
        frames.append(frame[sweep.SWEEP_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def test_compare_table_has_baseline_scenario_and_delta(net):
    result = compare(net, Scenario("x").close("dostyk"), pairs=PAIRS)
    frame = result.transit
    assert list(frame[["origin", "destination"]].itertuples(index=False, name=None)) == [
        ("chongqing_tuanjiecun", "duisburg_logport"), ("xian", "tashkent")]
    assert (frame["delta_days"] == frame["scenario_days"] - frame["base_days"]).all()
    record = result.to_dict()
    assert record["scenario"] == "x"
    assert {"origin", "destination", "base_days", "scenario_days", "delta_days", "base_path",
            "scenario_path"} <= set(record["pairs"][0])


def test_compare_defaults_to_the_published_services(net):
    frame = compare(net, Scenario("noop")).transit
    assert ("chongqing_tuanjiecun", "duisburg_logport") in set(
        frame[["origin", "destination"]].itertuples(index=False, name=None))
    assert (frame["delta_days"].fillna(0) == 0).all()


def test_no_route_in_the_scenario_is_reported_not_raised(net):
    frame = compare(net, Scenario("cut").avoid_countries("KZ", "MN", "RU"),
                    pairs=["Xian:Duisburg"]).transit
    assert frame.iloc[0].change == "no route" and pd.isna(frame.iloc[0].scenario_days)


def test_bad_pairs_and_analyses_are_clear_errors(net):
    with pytest.raises(CorridorError, match="ORIGIN:DESTINATION"):
        parse_pairs(net, ["Xian-Duisburg"])
    with pytest.raises(CorridorError, match="unknown analysis 'speed'"):
        compare(net, Scenario("x"), analyses=["speed"])
    with pytest.raises(CorridorError, match="reach"):
        compare(net, Scenario("x"), analyses=["reach"])


def test_sweep_in_process_equals_running_scenarios_one_by_one(net, scenarios):
    pairs = parse_pairs(net, PAIRS)
    seen = []
    swept = sweep.run(net, scenarios, pairs, workers=1, progress=lambda d, t: seen.append((d, t)))
    pd.testing.assert_frame_equal(swept, one_by_one(net, scenarios, pairs))
    assert seen[-1] == (len(scenarios), len(scenarios))


def test_sweep_on_a_local_dask_cluster_equals_one_by_one(net, scenarios):
    from distributed import Client, LocalCluster

    pairs = parse_pairs(net, PAIRS)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        swept = sweep.run(net, scenarios, pairs, client=client)
        by_address = sweep.run(net, scenarios[:2], pairs, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(swept, one_by_one(net, scenarios, pairs))
    pd.testing.assert_frame_equal(by_address, one_by_one(net, scenarios[:2], pairs))


def test_grids_of_closures_and_values(net):
    closures = sweep.closures(net, "gauge_change")
    assert {"close-dostyk", "close-altynkol"} <= {s.name for s in closures}
    targets, attribute, values = sweep.parse_range("dostyk.dwell_h=6:24:6")
    assert (targets, attribute, values) == (["dostyk"], "dwell_h", [6.0, 12.0, 18.0, 24.0])
    grid = sweep.value_range(targets, attribute, values)
    frame = sweep.run(net, grid, parse_pairs(net, ["Xian:Duisburg"]), workers=1)
    assert frame["scenario_days"].is_monotonic_increasing
    with pytest.raises(CorridorError, match="START:STOP:STEP"):
        sweep.parse_range("dostyk.dwell_h=6:x")
    with pytest.raises(CorridorError, match="no place of kind"):
        sweep.closures(net, "harbour")


# -- CLI ------------------------------------------------------------------------------------------

def test_cli_whatif_json_contract(cli):
    code, out, err = cli("whatif", "dostyk-congestion", "--pairs", "Chongqing:Duisburg", "--json")
    assert code == 0, err
    data = json.loads(out)["scenarios"]
    assert data[0]["scenario"] == "dostyk-congestion"
    pair = data[0]["pairs"][0]
    assert pair["origin"] == "chongqing_tuanjiecun" and pair["delta_days"] > 0.1
    assert "altynkol" in pair["scenario_path"] and "dostyk" in pair["base_path"]


def test_cli_whatif_table_and_errors(cli, tmp_path):
    code, out, _ = cli("whatif", "middle-corridor-only", "--pairs", "Xian:Duisburg")
    assert code == 0 and "rerouted" in out and "kuryk_port→alat_port" in out
    code, _, err = cli("whatif", "dostyk-jam")
    assert code == 2 and err.startswith("corridor: error: unknown scenario") and err.count("\n") == 1
    broken = tmp_path / "b.toml"
    broken.write_text('name = "b"\nclose = ["dostik"]\n', encoding="utf-8")
    code, _, err = cli("whatif", str(broken))
    assert code == 2 and "close (line 2): unknown place 'dostik'" in err


def test_cli_scenarios_lists_builtins(cli):
    code, out, _ = cli("scenarios", "--json")
    names = {s["name"] for s in json.loads(out)["scenarios"]}
    assert code == 0 and "tacheng-bakhty" in names and len(names) >= 8


def test_cli_sweep_writes_one_table(cli, tmp_path):
    out = tmp_path / "sweep.csv"
    code, _, err = cli("sweep", "--range", "dostyk.delay_h=0:96:48", "--pairs",
                            "Chongqing:Duisburg", "--workers", "1", "--out", str(out))
    assert code == 0, err
    frame = pd.read_csv(out)
    assert list(frame["scenario"]) == ["delay-0h", "delay-48h", "delay-96h"]
    assert frame["delta_days"].iloc[0] == 0 and frame["delta_days"].iloc[-1] > 0.1


# -- bottlenecks and reach ------------------------------------------------------------------------

def test_bottleneck_comparison_shows_altynkol_relieved(net):
    result = compare(net, Scenario.builtin("altynkol-expansion"), pairs=["Xian:Duisburg"],
                     analyses=("transit", "bottlenecks"))
    row = result.bottlenecks.set_index("id").loc["altynkol"]
    assert row.utilization_scenario < row.utilization_base and row.delay_h_delta < 0
    assert row.utilization_delta == pytest.approx(row.utilization_scenario - row.utilization_base)


def test_reach_comparison_marks_closed_and_lost_places(net):
    result = compare(net, Scenario("c").close("dostyk", "altynkol"), analyses=("reach",),
                     reach={"origin": "xian", "commodity": "chilled_beef"})
    frame = result.reach.set_index("node")
    assert frame.at["dostyk", "reach_change"] == "closed"
    assert set(frame["reach_change"]) <= {"closed", "opened", "lost", "gained", "same"}
    assert (frame["arrival_days_delta"].dropna() >= -1e-9).all()


def test_demand_edits_reach_the_bottleneck_assignment(net):
    result = compare(net, Scenario("more").demand("Xi'an", factor=3.0), analyses=("bottlenecks",))
    frame = result.bottlenecks.set_index("id")
    assert frame.at["alashankou", "flow_trains_day_delta"] > 0
