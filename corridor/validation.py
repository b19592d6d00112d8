"""Validation of the geodata: every problem found, each naming file, feature id and field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import pycountry

from corridor.errors import Problem
from corridor.geodesy import distance_km, polyline_km
from corridor.schema import (
    ENDPOINT_TOLERANCE_KM,
    FERRY_FIELDS,
    LENGTH_RATIO_RANGE,
    LINK_FIELDS,
    LINKS_FILE,
    MAX_STRAIGHT_KM,
    MIN_LENGTH_SHARE_OF_TRACK,
    NODE_FIELDS,
    NODES_FILE,
    WATER_MODES,
    Field,
)

SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*(?:__[a-z0-9_]+)?$")
Feature = Mapping[str, Any]


def _type_ok(field: Field, value: Any) -> bool:
    if field.type == "str":
        return isinstance(value, str)
    if field.type == "bool":
        return isinstance(value, bool)
    if field.type == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field.type == "list":
        return isinstance(value, list)
    raise ValueError(f"unknown field type {field.type}")


def check_field(field: Field, props: Mapping[str, Any]) -> str | None:
    """Return what is wrong with one property, or None when it is valid."""
    if field.name not in props:
        return "missing" if field.required else None
    value = props[field.name]
    if value is None:
        return None if field.nullable else "must not be null"
    if not _type_ok(field, value):
        return f"expected {field.type}, got {value!r}"
    if field.positive and value <= 0:
        return f"must be > 0, got {value!r}"
    if field.choices is not None:
        items = value if field.type == "list" else [value]
        bad = [item for item in items if item not in field.choices]
        if bad:
            return f"unknown value {bad[0]!r}; expected one of {', '.join(map(str, field.choices))}"
    return None


def _feature_id(feature: Feature, index: int) -> str:
    fid = (feature.get("properties") or {}).get("id")
    return str(fid) if fid else f"feature #{index}"


def _check_fields(file: str, fid: str, fields: Iterable[Field], props: Mapping) -> list[Problem]:
    problems = []
    for field in fields:
        message = check_field(field, props)
        if message:
            problems.append(Problem(file, fid, field.name, message))
    return problems


def _check_ids(file: str, features: list[Feature]) -> list[Problem]:
    problems, seen = [], set()
    for index, feature in enumerate(features):
        fid = (feature.get("properties") or {}).get("id")
        if not isinstance(fid, str) or not fid:
            problems.append(Problem(file, f"feature #{index}", "id", "missing id"))
        elif not SLUG.match(fid):
            problems.append(Problem(file, fid, "id", "expected a lowercase slug like 'dostyk'"))
        elif fid in seen:
            problems.append(Problem(file, fid, "id", "duplicate id"))
        seen.add(fid)
    return problems


def _check_coordinates(file: str, fid: str, coords: Iterable) -> list[Problem]:
    for coord in coords:
        lon, lat = coord[0], coord[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return [Problem(file, fid, "geometry", f"coordinate ({lon}, {lat}) outside lon/lat range")]
    return []


def _check_node(feature: Feature, index: int) -> list[Problem]:
    fid = _feature_id(feature, index)
    props = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    problems = _check_fields(NODES_FILE, fid, NODE_FIELDS, props)
    if geometry.get("type") != "Point":
        problems.append(Problem(NODES_FILE, fid, "geometry", "expected a Point"))
    else:
        problems += _check_coordinates(NODES_FILE, fid, [geometry["coordinates"]])
    country = props.get("country")
    if isinstance(country, str) and pycountry.countries.get(alpha_2=country) is None:
        problems.append(
            Problem(NODES_FILE, fid, "country", f"{country!r} is not an ISO 3166-1 alpha-2 code")
        )
    if isinstance(props.get("source"), str) and not props["source"].strip():
        problems.append(Problem(NODES_FILE, fid, "source", "empty; name where the numbers come from"))
    problems += _check_dwell_order(fid, props)
    return problems


def _check_dwell_order(fid: str, props: Mapping) -> list[Problem]:
    values = [props.get(k) for k in ("dwell_min_h", "dwell_h", "dwell_max_h")]
    if all(isinstance(v, int | float) for v in values) and not values[0] <= values[1] <= values[2]:
        return [Problem(NODES_FILE, fid, "dwell_h", "expected dwell_min_h <= dwell_h <= dwell_max_h")]
    return []


def _check_link(feature: Feature, index: int, nodes: Mapping[str, Feature]) -> list[Problem]:
    fid = _feature_id(feature, index)
    props = feature.get("properties") or {}
    geometry = feature.get("geometry") or {}
    problems = _check_fields(LINKS_FILE, fid, LINK_FIELDS, props)
    if isinstance(props.get("source"), str) and not props["source"].strip():
        problems.append(Problem(LINKS_FILE, fid, "source", "empty; name where the numbers come from"))
    problems += _check_mode_fields(fid, props)
    for end in ("from", "to"):
        if isinstance(props.get(end), str) and props[end] not in nodes:
            problems.append(Problem(LINKS_FILE, fid, end, f"{props[end]!r} is not a node id"))
    if geometry.get("type") != "LineString" or len(geometry.get("coordinates") or []) < 2:
        problems.append(Problem(LINKS_FILE, fid, "geometry", "expected a LineString of 2+ points"))
        return problems
    coords = geometry["coordinates"]
    coord_problems = _check_coordinates(LINKS_FILE, fid, coords)
    if coord_problems:
        return problems + coord_problems
    problems += _check_endpoints(fid, props, coords, nodes)
    problems += _check_length(fid, props, coords)
    problems += _check_track(fid, props, coords)
    return problems


def _check_mode_fields(fid: str, props: Mapping) -> list[Problem]:
    mode = props.get("mode")
    if mode in WATER_MODES:
        problems = _check_fields(LINKS_FILE, fid, FERRY_FIELDS, props)
        if props.get("gauge_mm") is not None:
            problems.append(Problem(LINKS_FILE, fid, "gauge_mm", f"must be null for mode {mode}"))
        return problems
    problems = []
    if mode == "rail":
        for name in ("gauge_mm", "speed_kmh"):
            if props.get(name) is None and name in props:
                problems.append(Problem(LINKS_FILE, fid, name, "required for rail links"))
    return problems


def _check_endpoints(fid: str, props: Mapping, coords: list, nodes: Mapping) -> list[Problem]:
    problems = []
    for end, coord in (("from", coords[0]), ("to", coords[-1])):
        node = nodes.get(props.get(end))
        node_geom = (node or {}).get("geometry") or {}
        if node_geom.get("type") != "Point":
            continue
        lon, lat = node_geom["coordinates"][:2]
        gap = distance_km(coord[0], coord[1], lon, lat)
        if gap > ENDPOINT_TOLERANCE_KM:
            problems.append(
                Problem(
                    LINKS_FILE, fid, "geometry",
                    f"{'starts' if end == 'from' else 'ends'} {gap:.1f} km from node "
                    f"{props[end]!r}; expected within {ENDPOINT_TOLERANCE_KM:g} km",
                )
            )
    return problems


def _check_length(fid: str, props: Mapping, coords: list) -> list[Problem]:
    length = props.get("length_km")
    if not isinstance(length, int | float) or isinstance(length, bool) or length <= 0:
        return []
    geodesic = polyline_km(coords)
    low, high = LENGTH_RATIO_RANGE
    explained = "length" in str(props.get("note") or "").lower()
    if geodesic > 0 and not low <= length / geodesic <= high and not explained:
        return [
            Problem(
                LINKS_FILE, fid, "length_km",
                f"{length:g} km is {length / geodesic:.2f}× the geometry's {geodesic:.0f} km; "
                f"expected {low}–{high}× unless note explains",
            )
        ]
    return []


def _check_track(fid: str, props: Mapping, coords: list) -> list[Problem]:
    """Rules for refined links (those with ``length_source``, set by ``corridor osm refine``)."""
    length, source = props.get("length_km"), props.get("length_source")
    if source is None or props.get("mode") != "rail" or not isinstance(length, int | float):
        return []
    problems, track = [], polyline_km(coords)
    if source != "published" and length < MIN_LENGTH_SHARE_OF_TRACK * track:
        problems.append(Problem(
            LINKS_FILE, fid, "length_km",
            f"{length:g} km is below {MIN_LENGTH_SHARE_OF_TRACK:g}× the {track:.0f} km track of its "
            f"geometry; expected length_source 'published' for a shorter length"))
    chord = distance_km(coords[0][0], coords[0][1], coords[-1][0], coords[-1][1])
    explained = "osm trace not used" in str(props.get("note") or "").lower()
    if length > MAX_STRAIGHT_KM and track <= chord * 1.005 and not explained:
        problems.append(Problem(
            LINKS_FILE, fid, "geometry",
            f"straight line for a {length:g} km link; expected the traced track "
            f"(corridor osm refine) for links over {MAX_STRAIGHT_KM:g} km, or a note saying "
            f"'OSM trace not used' and why"))
    return problems


def _check_connected(nodes: Mapping[str, Feature], links: list[Feature]) -> list[Problem]:
    graph = nx.Graph()
    graph.add_nodes_from(
        nid for nid, f in nodes.items() if (f.get("properties") or {}).get("status") == "operating"
    )
    for feature in links:
        props = feature.get("properties") or {}
        a, b = props.get("from"), props.get("to")
        if props.get("status") == "operating" and a in graph and b in graph:
            graph.add_edge(a, b)
    if graph.number_of_nodes() == 0:
        return []
    parts = sorted(nx.connected_components(graph), key=len, reverse=True)
    return [
        Problem(NODES_FILE, nid, "", "not connected to the main operating network")
        for part in parts[1:]
        for nid in sorted(part)
    ]


def validate_features(nodes: list[Feature], links: list[Feature]) -> list[Problem]:
    """Check node and link features against the schema and each other.

    Parameters
    ----------
    nodes, links : list of dict
        GeoJSON features as read from ``nodes.geojson`` and ``links.geojson``.

    Returns
    -------
    list of Problem
        Every problem found (empty when the data are valid).
    """
    problems = _check_ids(NODES_FILE, nodes) + _check_ids(LINKS_FILE, links)
    by_id = {}
    for index, feature in enumerate(nodes):
        problems += _check_node(feature, index)
        fid = (feature.get("properties") or {}).get("id")
        if isinstance(fid, str):
            by_id.setdefault(fid, feature)
    for index, feature in enumerate(links):
        problems += _check_link(feature, index, by_id)
    problems += _check_connected(by_id, links)
    return problems
