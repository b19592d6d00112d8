"""The fast load path (orjson parse, column-wise screen, vectorised frames) reads and words a
network exactly as the plain path does: same features, same problems, same frames."""

from __future__ import annotations

import copy
import json

import fuzzvalues
import geopandas as gpd
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netfactory import link, node

from corridor.datafiles import builtin_dir, read_features
from corridor.network import _frame, _plain_frame
from corridor.schema import FERRY_FIELDS, LINK_FIELDS, NODE_FIELDS
from corridor.validation import validate_features

SAME = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = fuzzvalues.json_values(finite=True)


@SAME
@given(properties=st.dictionaries(st.text(max_size=8), json_values, max_size=5),
       bom=st.booleans(), ascii_only=st.booleans())
def test_read_features_gives_what_json_gives(tmp_path, properties, bom, ascii_only):
    """Integers beyond 64 bits stay integers, strings and floats come back exactly."""
    document = {"type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": properties, "geometry": None}]}
    text = json.dumps(document, ensure_ascii=ascii_only)
    path = tmp_path / "nodes.geojson"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    features = read_features(path)
    assert features == json.loads(text)["features"]
    assert [type(v) for v in features[0]["properties"].values()] == \
        [type(v) for v in properties.values()]


def test_an_integer_beyond_64_bits_is_read_as_an_integer(tmp_path):
    path = tmp_path / "links.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"properties": '
                    '{"gauge_mm": 123456789012345678901234567890}}]}')
    assert read_features(path)[0]["properties"]["gauge_mm"] == 123456789012345678901234567890


# -- the column-wise screen finds every problem the per-feature checks find ------------------------

BUILTIN = {name: read_features(builtin_dir() / name) for name in ("nodes.geojson", "links.geojson")}
NODE_KEYS = [f.name for f in NODE_FIELDS] + ["geometry", "lon", "unknown"]
LINK_KEYS = [f.name for f in LINK_FIELDS] + [f.name for f in FERRY_FIELDS] + ["geometry"]
#: factors around the length-ratio and track thresholds of the per-feature checks
EDGES = [0.25, 0.8, 0.95, 1.0, 1.005, 1.25, 4.0]
tweaks = st.sampled_from(EDGES).flatmap(
    lambda edge: st.sampled_from([edge, edge * (1 + 1e-12), edge * (1 - 1e-12), edge * 1.01,
                                  edge * 0.99]))


def _mutated(data, where: str) -> tuple[list[dict], list[dict]]:
    nodes, links = list(BUILTIN["nodes.geojson"]), list(BUILTIN["links.geojson"])
    features = nodes if where == "node" else links
    index = data.draw(st.integers(0, len(features) - 1))
    feature = copy.deepcopy(features[index])
    features[index] = feature
    props = feature["properties"]
    action = data.draw(st.sampled_from(["value", "drop", "scale_length", "move", "coordinate",
                                        "note", "length_source", "mode", "straighten",
                                        "dwell"]))
    if action == "value":
        key = data.draw(st.sampled_from(NODE_KEYS if where == "node" else LINK_KEYS))
        props[key] = data.draw(json_values)
    elif action == "drop":
        props.pop(data.draw(st.sampled_from(sorted(props))), None)
    elif action == "scale_length" and where == "link":
        props["length_km"] = props["length_km"] * data.draw(tweaks)
    elif action == "move":
        coords = feature["geometry"]["coordinates"]
        target = coords if where == "node" else coords[data.draw(st.sampled_from([0, -1]))]
        target[data.draw(st.integers(0, 1))] += data.draw(st.sampled_from([0.01, 0.018, 0.02, 1.0,
                                                                            -0.03, 400.0]))
    elif action == "coordinate":
        coords = feature["geometry"]["coordinates"]
        target = coords if where == "node" else coords[data.draw(st.integers(0, len(coords) - 1))]
        target[data.draw(st.integers(0, 1))] = data.draw(json_values)
    elif action == "note":
        props["note"] = data.draw(st.sampled_from(["", "length", "OSM trace not used", None, 5]))
    elif action == "length_source":
        props["length_source"] = data.draw(st.sampled_from([None, "published", "osm", "estimate"]))
    elif action == "straighten" and where == "link":  # a long straight line: traced or excused?
        coords = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = [coords[0], coords[-1]]
        props["note"] = data.draw(st.sampled_from(["", "OSM trace not used: no track"]))
    elif action == "dwell" and where == "node":
        for key in ("dwell_min_h", "dwell_h", "dwell_max_h"):
            props[key] = data.draw(st.sampled_from([None, 1, 2.0, 3.5]))
    elif action == "mode":
        props["mode"] = data.draw(st.sampled_from(["rail", "ferry", "sea", "road"]))
    return nodes, links


@settings(max_examples=200, deadline=None)
@given(where=st.sampled_from(["node", "link"]), data=st.data())
def test_the_screen_misses_no_problem(where, data):
    nodes, links = _mutated(data, where)
    assert validate_features(nodes, links) == validate_features(nodes, links, screened=False)


def test_the_screen_flags_nothing_on_the_built_in_network():
    assert validate_features(BUILTIN["nodes.geojson"], BUILTIN["links.geojson"]) == []


def test_disconnected_parts_are_named_largest_first_then_in_order_seen():
    nodes = [node("a", 70.0, 45.0, "KZ", ["junction"]), node("b", 70.1, 45.0, "KZ", ["junction"]),
             node("c", 71.0, 45.0, "KZ", ["junction"]), node("d", 72.0, 45.0, "KZ", ["junction"]),
             node("e", 72.1, 45.0, "KZ", ["junction"]), node("f", 73.0, 45.0, "KZ", ["junction"])]
    links = [link(nodes[0], nodes[1]), link(nodes[3], nodes[4]), link(nodes[4], nodes[5])]
    problems = validate_features(nodes, links)
    assert [(p.key, p.message) for p in problems] == [
        (nid, "not connected to the main operating network") for nid in ("a", "b", "c")]
    assert problems == validate_features(nodes, links, screened=False)


# -- frames built column-wise are the frames geopandas builds -----------------------------------------

def _geopandas_frame(features, columns):
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[[*columns, *[c for c in frame.columns if c not in columns and c != "geometry"],
                   "geometry"]]
    frame.index = pd.Index(frame["id"].to_numpy(), dtype=object)
    return frame


def test_frames_are_those_geopandas_builds_from_the_features():
    node_columns = [f.name for f in NODE_FIELDS]
    link_columns = [f.name for f in LINK_FIELDS] + [f.name for f in FERRY_FIELDS]
    for name, columns in (("nodes.geojson", node_columns), ("links.geojson", link_columns)):
        features = BUILTIN[name]
        assert _plain_frame(features) is not None  # the column-wise path was taken
        built, expected = _frame(features, columns), _geopandas_frame(features, columns)
        pd.testing.assert_frame_equal(built, expected, check_exact=True)
        assert built.crs == expected.crs


def test_a_3d_geometry_takes_geopandas_way_and_keeps_its_height():
    features = copy.deepcopy(BUILTIN["nodes.geojson"][:3])
    features[1]["geometry"]["coordinates"] = [*features[1]["geometry"]["coordinates"], 250.0]
    assert _plain_frame(features) is None
    frame = _frame(features, [f.name for f in NODE_FIELDS])
    assert frame.geometry.iloc[1].has_z and frame.geometry.iloc[1].z == 250.0


def test_the_screen_copes_with_no_links_and_with_every_link_bad():
    nodes = BUILTIN["nodes.geojson"]
    assert validate_features(nodes, []) == validate_features(nodes, [], screened=False)
    links = copy.deepcopy(BUILTIN["links.geojson"])
    for feature in links:
        feature["geometry"] = None
    assert validate_features(nodes, links) == validate_features(nodes, links, screened=False)


def test_the_screen_copes_with_no_nodes_and_with_every_node_bad():
    links = BUILTIN["links.geojson"]
    assert validate_features([], links) == validate_features([], links, screened=False)
    nodes = copy.deepcopy(BUILTIN["nodes.geojson"])
    for feature in nodes:
        feature["geometry"]["coordinates"] = [999, 0]
    assert validate_features(nodes, links) == validate_features(nodes, links, screened=False)
