"""Validation: every rule reported with file, feature id and field, on broken copies of the real data."""

from __future__ import annotations

import pytest
from netfactory import write_network

from corridor import DataError, load
from corridor.network import Corridor
from corridor.validation import validate_features


def _find(features: list[dict], feature_id: str) -> dict:
    return next(f for f in features if f["properties"]["id"] == feature_id)


def _problems(nodes, links) -> list[str]:
    return [str(p) for p in validate_features(nodes, links)]


def test_builtin_network_is_clean(builtin_features):
    assert _problems(*builtin_features) == []


def _break_missing_id(nodes, links):
    del nodes[0]["properties"]["id"]
    return "nodes.geojson: feature #0: id"


def _break_duplicate_id(nodes, links):
    nodes[1]["properties"]["id"] = nodes[0]["properties"]["id"]
    return f"nodes.geojson: {nodes[0]['properties']['id']}: id: duplicate id"


def _break_link_end(nodes, links):
    links[0]["properties"]["to"] = "atlantis"
    return f"links.geojson: {links[0]['properties']['id']}: to: 'atlantis' is not a node id"


def _break_geometry_end(nodes, links):
    coords = links[0]["geometry"]["coordinates"]
    coords[0] = [coords[0][0] + 0.2, coords[0][1]]
    return f"links.geojson: {links[0]['properties']['id']}: geometry: starts"


def _break_coordinate_range(nodes, links):
    nodes[0]["geometry"]["coordinates"] = [200.0, 45.0]
    return f"nodes.geojson: {nodes[0]['properties']['id']}: geometry: coordinate (200.0, 45.0)"


def _break_kind(nodes, links):
    nodes[0]["properties"]["kind"] = ["spaceport"]
    return f"nodes.geojson: {nodes[0]['properties']['id']}: kind: unknown value 'spaceport'"


def _break_mode(nodes, links):
    links[0]["properties"]["mode"] = "hyperloop"
    return f"links.geojson: {links[0]['properties']['id']}: mode: unknown value 'hyperloop'"


def _break_status(nodes, links):
    nodes[0]["properties"]["status"] = "rumoured"
    return f"nodes.geojson: {nodes[0]['properties']['id']}: status: unknown value 'rumoured'"


def _break_gauge(nodes, links):
    rail = next(f for f in links if f["properties"]["mode"] == "rail")
    rail["properties"]["gauge_mm"] = 1234
    return f"links.geojson: {rail['properties']['id']}: gauge_mm: unknown value 1234"


def _break_length(nodes, links):
    links[0]["properties"]["length_km"] = -5
    return f"links.geojson: {links[0]['properties']['id']}: length_km: must be > 0, got -5"


def _break_speed(nodes, links):
    rail = next(f for f in links if f["properties"]["mode"] == "rail")
    rail["properties"]["speed_kmh"] = 0
    return f"links.geojson: {rail['properties']['id']}: speed_kmh: must be > 0, got 0"


def _break_dwell(nodes, links):
    nodes[0]["properties"]["dwell_h"] = -1
    return f"nodes.geojson: {nodes[0]['properties']['id']}: dwell_h: must be > 0, got -1"


def _break_length_ratio(nodes, links):
    rail = next(f for f in links if f["properties"]["mode"] == "rail")
    rail["properties"]["length_km"] *= 3
    rail["properties"]["note"] = ""
    return f"links.geojson: {rail['properties']['id']}: length_km:"


def _break_country(nodes, links):
    nodes[0]["properties"]["country"] = "XX"
    return f"nodes.geojson: {nodes[0]['properties']['id']}: country: 'XX' is not an ISO"


def _break_source(nodes, links):
    del links[0]["properties"]["source"]
    return f"links.geojson: {links[0]['properties']['id']}: source: missing"


def _break_empty_source(nodes, links):
    nodes[0]["properties"]["source"] = "  "
    return f"nodes.geojson: {nodes[0]['properties']['id']}: source: empty"


def _break_connectivity(nodes, links):
    dostyk = _find(nodes, "dostyk")
    links[:] = [f for f in links if "dostyk" not in (f["properties"]["from"], f["properties"]["to"])]
    return f"nodes.geojson: {dostyk['properties']['id']}: not connected"


def _break_ferry_headway(nodes, links):
    ferry = next(f for f in links if f["properties"]["mode"] == "ferry")
    del ferry["properties"]["headway_h"]
    return f"links.geojson: {ferry['properties']['id']}: headway_h: missing"


RULES = [
    _break_missing_id, _break_duplicate_id, _break_link_end, _break_geometry_end,
    _break_coordinate_range, _break_kind, _break_mode, _break_status, _break_gauge,
    _break_length, _break_speed, _break_dwell, _break_length_ratio, _break_country,
    _break_source, _break_empty_source, _break_connectivity, _break_ferry_headway,
]


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__[7:] for r in RULES])
def test_each_rule_reports_file_id_and_field(builtin_features, rule):
    nodes, links = builtin_features
    expected = rule(nodes, links)
    problems = _problems(nodes, links)
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_reported_at_once(builtin_features, tmp_path):
    nodes, links = builtin_features
    expected = [_break_kind(nodes, links), _break_length(nodes, links), _break_source(nodes, links)]
    write_network(tmp_path, nodes, links)
    with pytest.raises(DataError) as info:
        load(tmp_path)
    reported = [str(p) for p in info.value.problems]
    for prefix in expected:
        assert any(p.startswith(prefix) for p in reported), reported
    assert "more problem" in str(info.value)


def test_length_ratio_accepted_when_note_explains(builtin_features):
    nodes, links = builtin_features
    rail = next(f for f in links if f["properties"]["mode"] == "rail")
    rail["properties"]["length_km"] *= 1.5
    rail["properties"]["note"] = "length_km: published rail distance follows a detour"
    assert not [p for p in _problems(nodes, links) if rail["properties"]["id"] in p]


def test_unreadable_file_names_file_and_line(tmp_path):
    (tmp_path / "nodes.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    (tmp_path / "links.geojson").write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    with pytest.raises(DataError, match=r"nodes.geojson: line 1: not valid JSON"):
        load(tmp_path)


def test_missing_directory_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not a directory"):
        load(tmp_path / "nowhere")


def test_from_features_without_validation_builds_anyway(builtin_features):
    nodes, links = builtin_features
    net = Corridor.from_features(nodes, links, validate=False)
    assert len(net.nodes) == len(nodes)
