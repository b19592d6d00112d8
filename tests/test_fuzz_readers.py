"""Fuzzing the readers: whatever a geodata or scenario file holds, only the package's own errors
escape (``corridor.errors.CorridorError``), never a crash."""

from __future__ import annotations

import contextlib
import copy
import json
import tomllib

import fuzzvalues
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from netfactory import two_crossings, write_network

import corridor
from corridor.errors import CorridorError
from corridor.scenarios.format import read_scenario

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

json_values = fuzzvalues.json_values(finite=False)
NODE_KEYS = ["id", "name", "aliases", "country", "kind", "dwell_h", "dwell_min_h", "dwell_max_h",
             "capacity_trains_day", "reefer_service", "reefer_types", "status", "source", "note",
             "geometry"]
LINK_KEYS = ["id", "from", "to", "mode", "gauge_mm", "length_km", "tracks", "electrified",
             "speed_kmh", "speed_min_kmh", "speed_max_kmh", "capacity_trains_day", "status",
             "sailing_h", "headway_h", "headway_max_h", "note", "geometry"]


def _load(tmp_path, nodes, links):
    folder = write_network(tmp_path / "net", nodes, links)
    try:
        net = corridor.load(folder)
    except CorridorError:
        return None
    corridor.route(net, "a", "e", samples=0) if "a" in net.nodes.index else None
    return net


@FUZZ
@given(where=st.sampled_from(["node", "link"]), index=st.integers(0, 3), data=st.data(),
       value=json_values)
def test_any_property_value_gives_a_clean_error_or_a_network(tmp_path, where, index, data, value):
    nodes, links = copy.deepcopy(two_crossings())
    features = nodes if where == "node" else links
    feature = features[index % len(features)]
    key = data.draw(st.sampled_from(NODE_KEYS if where == "node" else LINK_KEYS))
    if key == "geometry":
        target = data.draw(st.sampled_from(["feature", "coordinates", "type", "properties"]))
        if target == "feature":
            feature["geometry"] = value
        elif target == "properties":
            feature["properties"] = value
        else:
            feature["geometry"][target] = value
    else:
        feature["properties"][key] = value
    with contextlib.suppress(CorridorError):
        _load(tmp_path, nodes, links)


@FUZZ
@given(document=json_values)
def test_any_json_document_gives_a_clean_error(tmp_path, document):
    folder = tmp_path / "raw"
    folder.mkdir(exist_ok=True)
    for name in ("nodes.geojson", "links.geojson"):
        (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": document}
                                              if isinstance(document, list) else document),
                                   encoding="utf-8")
    with contextlib.suppress(CorridorError):
        corridor.load(folder)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_give_a_clean_error(tmp_path, raw):
    folder = tmp_path / "bytes"
    folder.mkdir(exist_ok=True)
    (folder / "nodes.geojson").write_bytes(raw)
    (folder / "links.geojson").write_bytes(raw)
    with contextlib.suppress(CorridorError):
        corridor.load(folder)


toml_scalars = st.one_of(
    st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["id", "ids", "hours", "factor",
                                                             "value", "attribute", "lon", "lat",
                                                             "geometry", "origin", "x"]),
                                            inner, max_size=4)),
    max_leaves=10,
)
TOP = ["name", "description", "base", "compare_with", "pairs", "close", "enable",
       "avoid_countries", "delay", "set", "scale", "add_node", "add_link", "demand", "sources",
       "bogus"]


def _toml(value) -> str:
    """``value`` written as TOML (tomllib only reads, so this is a small writer)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(document=st.dictionaries(st.sampled_from(TOP), toml_values, max_size=5))
def test_any_scenario_document_gives_a_clean_error_or_applies(tmp_path, net, document):
    text = "\n".join(f"{key} = {_toml(value)}" for key, value in document.items())
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    tomllib.loads(text)  # the writer above makes valid TOML
    with contextlib.suppress(CorridorError):
        read_scenario(path).apply(net)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_scenario_bytes_give_a_clean_error(tmp_path, raw):
    path = tmp_path / "bytes.toml"
    path.write_bytes(raw)
    with contextlib.suppress(CorridorError):
        read_scenario(path)
