"""OSM refinement with osmnx from a local XML file (no network access)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor import DataError
from corridor.geodesy import polyline_km
from corridor.osm import read_rail_osm, refine_links, trace_link

SAMPLE = Path(__file__).parent / "fixtures" / "rail_sample.osm"
MAIN_LINE = [(82.4844, 45.2533), (82.5000, 45.2400), (82.5200, 45.2200), (82.5400, 45.2000),
             (82.5550, 45.1850), (82.5703, 45.1703)]


@pytest.fixture(scope="module")
def rail():
    return read_rail_osm(SAMPLE)


def test_traces_the_shortest_rail_path_with_its_length(net, rail):
    row = trace_link(net, "dostyk__alashankou", rail)
    assert row["osm_length_km"] == pytest.approx(polyline_km(MAIN_LINE), rel=0.01)
    assert [c for xy in row["geometry"].coords for c in xy] == pytest.approx(
        [c for xy in MAIN_LINE for c in xy]
    )
    assert row["snap_from_km"] < 1 and row["snap_to_km"] < 1


def test_links_off_the_extract_are_left_out(net, rail):
    traced = refine_links(net, rail)
    assert list(traced["id"]) == ["dostyk__alashankou"]
    assert traced.crs.to_epsg() == 4326


def test_missing_and_malformed_files_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_rail_osm(tmp_path / "none.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.osm"):
        read_rail_osm(bad)


def test_osm_cli_writes_geojson(cli, tmp_path):
    out = tmp_path / "traced.geojson"
    code, out_text, err = cli("osm", str(SAMPLE), "--link", "dostyk__alashankou", "--out", str(out),
                              "--json")
    assert code == 0 and "wrote 1 traced links" in err
    assert json.loads(out_text)["links"][0]["id"] == "dostyk__alashankou"
    assert json.loads(out.read_text())["features"][0]["geometry"]["type"] == "LineString"


def test_osm_cli_unknown_link_exit_2(cli):
    code, _, err = cli("osm", str(SAMPLE), "--link", "atlantis__x")
    assert code == 2 and "unknown link 'atlantis__x'" in err
