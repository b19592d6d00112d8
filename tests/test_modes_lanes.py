"""The shipped sea lanes (geodata/sea_lanes.geojson): equal to searoute, used for the built-in ports,
searoute for any other point, every rule of their validation on a broken copy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from corridor.datafiles import builtin_dir, read_features
from corridor.errors import DataError
from corridor.modes import builtin_tables, compare_modes, load_tables, sea, validate_modes_tables
from corridor.modes.lanes import (
    LANES_FILE,
    PASSAGES,
    lane_feature,
    lanes_text,
    port_pairs,
    searoute_lane,
    searoute_version,
)
from corridor.modes.rebuild_lanes import main as rebuild_main

TABLES = ("tariffs.csv", "emission_factors.csv", "sea.csv", "air.csv", "ports.csv")


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in read_features(builtin_dir() / LANES_FILE)}


def _point(net, node: str) -> tuple[float, float]:
    return (float(net.nodes.geometry[node].x), float(net.nodes.geometry[node].y))


def test_every_port_pair_and_passage_is_shipped(shipped):
    wanted = {f"{a}__{b}__{p}" for a, b, _, _ in port_pairs() for p in PASSAGES}
    assert set(shipped) == wanted
    assert len(wanted) == 6 * 6 * 2


@pytest.mark.parametrize("origin,destination,passage", [
    ("shanghai", "rotterdam", "suez"), ("shanghai", "rotterdam", "cape"), ("qingdao", "piraeus", "cape"),
])
def test_shipped_lanes_equal_a_fresh_searoute_run(shipped, net, origin, destination, passage):
    feature = shipped[f"{origin}__{destination}__{passage}"]
    if f"searoute {searoute_version()} " not in feature["properties"]["source"]:
        pytest.skip(f"lanes built with another searoute than {searoute_version()}; "
                    "run python -m corridor.modes.rebuild_lanes")
    start, end = _point(net, origin), _point(net, destination)
    fresh = lane_feature(origin, destination, passage, start, end, searoute_lane(start, end, passage),
                         searoute_version())
    assert fresh == feature
    via = set(feature["properties"]["passages"])
    assert ("suez" in via) == (passage == "suez") and ("south_africa" in via) == (passage == "cape")


def test_comparison_uses_the_shipped_lane_for_builtin_ports(net):
    tables = builtin_tables()
    start, end = _point(net, "shanghai"), _point(net, "rotterdam")
    lane = sea.port_lane("shanghai", "rotterdam", start, end, "suez", tables)
    assert lane is tables.lanes[("shanghai", "rotterdam", "suez")].lane
    # the lane keeps searoute's length of the unsimplified path
    assert lane.nm == pytest.approx(sea.sea_lane(start, end, "suez").nm, abs=1e-4)


def test_a_moved_port_asks_searoute(net):
    tables = builtin_tables()
    start, end = _point(net, "shanghai"), (3.95, 51.98)  # not where the shipped lane ends
    lane = sea.port_lane("shanghai", "rotterdam", start, end, "suez", tables)
    assert lane is not tables.lanes[("shanghai", "rotterdam", "suez")].lane
    assert lane == sea.sea_lane(start, end, "suez")


def test_first_comparison_after_load_never_imports_searoute():
    code = ("import sys; from corridor.network import load; from corridor.modes import compare_modes; "
            "compare_modes(load(), 'Chongqing', 'Duisburg'); print('searoute' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_shipped_file_has_one_feature_per_line(shipped):
    text = (builtin_dir() / LANES_FILE).read_text(encoding="utf-8")
    assert text == lanes_text(sorted(shipped.values(), key=lambda f: f["properties"]["id"]))
    assert len(text.splitlines()) == len(shipped) + 2


# -- rebuilding -----------------------------------------------------------------------------------

@pytest.fixture
def two_ports(tmp_path):
    """A geodata copy with one Chinese and one European port."""
    for name in TABLES[:-1]:
        shutil.copy(builtin_dir() / name, tmp_path / name)
    shutil.copy(builtin_dir() / "nodes.geojson", tmp_path / "nodes.geojson")
    lines = (builtin_dir() / "ports.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [line for line in lines if line.startswith(("shanghai,", "rotterdam,"))]
    (tmp_path / "ports.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    return tmp_path


def test_rebuild_then_check(two_ports, capsys):
    assert rebuild_main([str(two_ports)]) == 0
    features = read_features(two_ports / LANES_FILE)
    assert [f["properties"]["id"] for f in features] == ["shanghai__rotterdam__cape",
                                                          "shanghai__rotterdam__suez"]
    assert rebuild_main(["--check", str(two_ports)]) == 0
    text = (two_ports / LANES_FILE).read_text(encoding="utf-8")
    (two_ports / LANES_FILE).write_text(text.replace('"length_nm": ', '"length_nm": 1', 1), encoding="utf-8")
    assert rebuild_main(["--check", str(two_ports)]) == 1
    assert "differs from searoute" in capsys.readouterr().err
    assert set(load_tables(two_ports).lanes) == {("shanghai", "rotterdam", p) for p in PASSAGES}


# -- validation -----------------------------------------------------------------------------------

def _broken_lanes(tmp_path, edit) -> list:
    for name in TABLES:
        shutil.copy(builtin_dir() / name, tmp_path / name)
    features = read_features(builtin_dir() / LANES_FILE)
    edit(features)
    (tmp_path / LANES_FILE).write_text(lanes_text(features), encoding="utf-8")
    return validate_modes_tables(tmp_path)


def _set(key, value):
    def edit(features):
        features[0]["properties"][key] = value
    return edit


def _geometry(features):
    features[0]["geometry"]["coordinates"] = [[121.6, 31.36]]


def _duplicate(features):
    features.append(json.loads(json.dumps(features[0])))


@pytest.mark.parametrize("edit,field", [
    (_set("to", "felixstowe"), "to"),              # not a port of ports.csv
    (_set("passage", "panama"), "passage"),        # unknown passage
    (_set("length_nm", -10.0), "length_nm"),       # negative length
    (_set("length_nm", None), "length_nm"),        # missing length
    (_set("from_lat", "31.36"), "from_lat"),       # a coordinate as text
    (_set("source", " "), "source"),               # missing source
    (_set("passages", "suez"), "passages"),        # not a list
    (_geometry, "geometry"),                       # a line of one point
    (_duplicate, "id"),                            # the same lane twice
])
def test_each_lane_rule_on_a_broken_copy(tmp_path, edit, field):
    problems = _broken_lanes(tmp_path, edit)
    assert [p.field for p in problems] == [field], problems
    assert problems[0].file == LANES_FILE


def test_broken_lanes_stop_the_tables_loading(tmp_path):
    _broken_lanes(tmp_path, _set("length_nm", 0))
    with pytest.raises(DataError, match="length_nm"):
        load_tables(tmp_path)


def test_a_directory_without_lanes_compares_with_searoute(tmp_path, net):
    for name in TABLES:
        shutil.copy(builtin_dir() / name, tmp_path / name)
    tables = load_tables(tmp_path)
    assert tables.lanes == {}
    shipped = compare_modes(net, "Shanghai", "Rotterdam", samples=200)
    fresh = compare_modes(net, "Shanghai", "Rotterdam", samples=200, tables=tables)
    cols = ["option", "days", "p90_days", "cost_usd", "co2e_kg"]
    pd.testing.assert_frame_equal(pd.DataFrame(shipped[cols]), pd.DataFrame(fresh[cols]), rtol=1e-7)
