"""Validation of the geodata: every problem found, each naming file, feature id and field."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pycountry

from corridor import screen
from corridor.errors import Problem
from corridor.geodesy import distance_km, polyline_km
from corridor.schema import (
    ENDPOINT_TOLERANCE_KM,
    EXPLAINED_LENGTH_RATIO_RANGE,
    FERRY_FIELDS,
    LATITUDE,
    LENGTH_RATIO_RANGE,
    LINK_FIELDS,
    LINKS_FILE,
    LONGITUDE,
    MAX_STRAIGHT_KM,
    MIN_LENGTH_SHARE_OF_TRACK,
    NODE_FIELDS,
    NODES_FILE,
    RESERVED_PROPERTIES,
    STRAIGHT_TRACK_RATIO,
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


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (control characters escaped by ``repr``)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite int or float (``bool`` is not a number)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and (isinstance(value, int) or math.isfinite(value)))


def check_number(field: Field, value: Any) -> str | None:
    """What is wrong with a number for ``field`` (type, finiteness, range), or None.

    The one check of numbers used for geodata, CSV tables, scenario files and command-line
    options; the bounds come from the schema (:class:`corridor.schema.Field`).
    """
    integer = field.type == "int"
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)):
        return f"expected {'an integer' if integer else 'a number'}, got {shown(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value!r}; {_expected(field)}"
    if field.positive and value <= 0:
        return f"must be > 0, got {value!r}; {_expected(field)}"
    if field.minimum is not None and value < field.minimum:
        return f"must be >= {field.minimum:g}, got {value!r}; {_expected(field)}"
    if field.maximum is not None and value > field.maximum:
        return f"must be <= {field.maximum:g}, got {value!r}; {_expected(field)}"
    return None


def _expected(field: Field) -> str:
    # only worded for a value that fails: a 100k-node network checks millions of good numbers
    return f"expected a number in {field.describe_range()}"


def parse_number(field: Field, text: Any) -> tuple[float | None, str | None]:
    """A number read from text (CSV cells): ``(value, None)`` or ``(None, what is wrong)``."""
    raw = str(text if text is not None else "").strip()
    try:
        value = float(raw)
    except ValueError:
        return None, f"{shown(raw)} is not a number; expected {field.describe_range()}"
    problem = check_number(field, value)
    return (None, problem) if problem else (value, None)


#: years a sourced table row (tariffs, factors, published services) may give for its figure
SOURCE_YEAR_RANGE = (1990, 2030)


def year_problem(text: Any) -> str | None:
    """What is wrong with the ``year`` cell of a sourced table row, or None."""
    try:
        year = float(text)
    except (TypeError, ValueError):
        year = math.nan
    if not SOURCE_YEAR_RANGE[0] <= year <= SOURCE_YEAR_RANGE[1]:  # NaN fails too
        return f"{text!r}; expected a year {SOURCE_YEAR_RANGE[0]}–{SOURCE_YEAR_RANGE[1]}"
    return None


def check_field(field: Field, props: Mapping[str, Any]) -> str | None:
    """Return what is wrong with one property, or None when it is valid."""
    if field.name not in props:
        return "missing" if field.required else None
    value = props[field.name]
    if value is None:
        return None if field.nullable else "must not be null"
    if not _type_ok(field, value):
        return f"expected {field.type}, got {shown(value)}"
    if field.type in ("number", "int") and field.choices is None:
        return check_number(field, value)
    if field.type == "list" and field.choices is None:
        bad = [item for item in value if not isinstance(item, str)]
        if bad:
            return f"expected a list of strings, got item {shown(bad[0])}"
    if field.choices is not None:
        items = value if field.type == "list" else [value]
        bad = [item for item in items if not _among(item, field.choices)]
        if bad:
            return (f"unknown value {shown(bad[0])}; expected one of "
                    f"{', '.join(map(str, field.choices))}")
    return None


def _among(item: Any, choices: tuple) -> bool:
    return not isinstance(item, bool | dict | list) and item in choices


def properties(feature: Any) -> Mapping[str, Any]:
    """A feature's ``properties`` object, or ``{}`` when it has none (or not an object)."""
    # ``type(...) is dict`` first: the abstract-class check costs more than the rest on 100k rows
    props = feature.get("properties") if type(feature) is dict or isinstance(feature, Mapping) \
        else None
    return props if type(props) is dict or isinstance(props, Mapping) else {}


def _feature_id(feature: Feature, index: int) -> str:
    fid = properties(feature).get("id")
    return fid if isinstance(fid, str) and fid else f"feature #{index}"


def _check_fields(file: str, fid: str, fields: Iterable[Field], props: Mapping) -> list[Problem]:
    problems = []
    for field in fields:
        message = check_field(field, props)
        if message:
            problems.append(Problem(file, fid, field.name, message))
    return problems


def _check_shape(file: str, fid: str, feature: Feature) -> list[Problem]:
    """Problems with the feature object itself: its properties and reserved names."""
    problems = []
    if not isinstance(feature.get("properties"), Mapping):
        problems.append(Problem(file, fid, "properties", "expected an object of properties"))
    for name in RESERVED_PROPERTIES:
        if name in properties(feature):
            problems.append(Problem(file, fid, name, "reserved name; not allowed as a property"))
    return problems


def _check_ids(file: str, ids: list[Any]) -> list[Problem]:
    """Problems with the features' ids (``ids[i]``: the ``id`` property of feature ``i``)."""
    if (all(type(fid) is str for fid in ids) and all(map(SLUG.match, ids))
            and len(set(ids)) == len(ids)):
        return []  # the common case, at C speed; otherwise each id is worded below
    problems, seen = [], set()
    for index, fid in enumerate(ids):
        if not isinstance(fid, str) or not fid:
            problems.append(Problem(file, f"feature #{index}", "id", "missing id"))
        elif not SLUG.match(fid):
            problems.append(Problem(file, shown(fid), "id", "expected a lowercase slug like 'dostyk'"))
        elif fid in seen:
            problems.append(Problem(file, fid, "id", "duplicate id"))
        else:
            seen.add(fid)
    return problems


def _all_properties(features: list[Feature]) -> list[Mapping[str, Any]]:
    """:func:`properties` of every feature (a plain dict's own, without the call, when it can)."""
    out = []
    for feature in features:
        props = feature.get("properties") if type(feature) is dict else None
        out.append(props if type(props) is dict else properties(feature))
    return out


def _position(coord: Any) -> tuple[float, float] | str:
    """``(lon, lat)`` of a GeoJSON position, or what is wrong with it."""
    if not isinstance(coord, list | tuple) or len(coord) not in (2, 3):
        return f"position {shown(coord)}: expected [lon, lat]"
    lon, lat = coord[0], coord[1]
    if not (is_number(lon) and is_number(lat)):
        return f"coordinate ({shown(lon)}, {shown(lat)}): expected finite numbers [lon, lat]"
    if check_number(LONGITUDE, lon) or check_number(LATITUDE, lat):
        return (f"coordinate ({lon}, {lat}) outside lon/lat range; expected lon in "
                f"{LONGITUDE.describe_range()}, lat in {LATITUDE.describe_range()}")
    return float(lon), float(lat)


def _point(geometry: Any) -> tuple[float, float] | str:
    """``(lon, lat)`` of a GeoJSON Point, or what is wrong with it."""
    if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
        return "expected a Point"
    return _position(geometry.get("coordinates"))


def _line(geometry: Any) -> list[tuple[float, float]] | str:
    """Positions of a GeoJSON LineString, or what is wrong with it."""
    if not isinstance(geometry, Mapping) or geometry.get("type") != "LineString":
        return "expected a LineString of 2+ points"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return "expected a LineString of 2+ points"
    out = []
    for coord in coords:
        position = _position(coord)
        if isinstance(position, str):
            return position
        out.append(position)
    return out


def _check_node(feature: Feature, index: int) -> list[Problem]:
    fid = _feature_id(feature, index)
    props = properties(feature)
    problems = _check_shape(NODES_FILE, fid, feature)
    problems += _check_fields(NODES_FILE, fid, NODE_FIELDS, props)
    point = _point(feature.get("geometry"))
    if isinstance(point, str):
        problems.append(Problem(NODES_FILE, fid, "geometry", point))
    country = props.get("country")
    if isinstance(country, str) and not _is_country(country):
        problems.append(
            Problem(NODES_FILE, fid, "country", f"{shown(country)} is not an ISO 3166-1 alpha-2 code")
        )
    if isinstance(props.get("source"), str) and not props["source"].strip():
        problems.append(Problem(NODES_FILE, fid, "source", "empty; name where the numbers come from"))
    problems += _check_dwell_order(fid, props)
    return problems


@functools.lru_cache(maxsize=1024)
def _is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (looked up once per code)."""
    return pycountry.countries.get(alpha_2=code) is not None


def _check_dwell_order(fid: str, props: Mapping) -> list[Problem]:
    values = [props.get(k) for k in ("dwell_min_h", "dwell_h", "dwell_max_h")]
    if all(is_number(v) for v in values) and not values[0] <= values[1] <= values[2]:
        return [Problem(NODES_FILE, fid, "dwell_h", "expected dwell_min_h <= dwell_h <= dwell_max_h")]
    return []


def _check_link(feature: Feature, index: int, nodes: Mapping[str, Feature],
                points: dict | None = None) -> list[Problem]:
    fid = _feature_id(feature, index)
    props = properties(feature)
    problems = _check_shape(LINKS_FILE, fid, feature)
    problems += _check_fields(LINKS_FILE, fid, LINK_FIELDS, props)
    if isinstance(props.get("source"), str) and not props["source"].strip():
        problems.append(Problem(LINKS_FILE, fid, "source", "empty; name where the numbers come from"))
    problems += _check_mode_fields(fid, props)
    for end in ("from", "to"):
        if isinstance(props.get(end), str) and props[end] not in nodes:
            problems.append(Problem(LINKS_FILE, fid, end, f"{shown(props[end])} is not a node id"))
    coords = _line(feature.get("geometry"))
    if isinstance(coords, str):
        problems.append(Problem(LINKS_FILE, fid, "geometry", coords))
        return problems
    problems += _check_endpoints(fid, props, coords, nodes, points)
    track = polyline_km(coords)  # once for both checks below
    problems += _check_length(fid, props, coords, track)
    problems += _check_track(fid, props, coords, track)
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
        for name in ("gauge_mm", "speed_kmh", "length_source"):
            if props.get(name) is None and name in props:
                problems.append(Problem(LINKS_FILE, fid, name, "required for rail links"))
    return problems


def _check_endpoints(fid: str, props: Mapping, coords: list, nodes: Mapping,
                     points: dict | None = None) -> list[Problem]:
    problems = []
    for end, coord in (("from", coords[0]), ("to", coords[-1])):
        node_id = props.get(end)
        node = nodes.get(node_id) if isinstance(node_id, str) else None
        if node is None:
            continue
        point = points.get(node_id) if points is not None else None
        if point is None:  # a node ends many links: its point is read once per pass
            point = _point(node.get("geometry"))
            if points is not None:
                points[node_id] = point
        if isinstance(point, str):
            continue
        lon, lat = point
        gap = distance_km(coord[0], coord[1], lon, lat)
        if gap > ENDPOINT_TOLERANCE_KM:
            problems.append(
                Problem(
                    LINKS_FILE, fid, "geometry",
                    f"{'starts' if end == 'from' else 'ends'} {gap:.1f} km from node "
                    f"{node_id!r}; expected within {ENDPOINT_TOLERANCE_KM:g} km",
                )
            )
    return problems


def _check_length(fid: str, props: Mapping, coords: list, track: float | None = None
                  ) -> list[Problem]:
    """The stated length against the geometry's geodesic length.

    A ``note`` mentioning the length explains a ratio outside ``LENGTH_RATIO_RANGE`` (a
    straight-line sketch of a winding line), but never one outside ``EXPLAINED_LENGTH_RATIO_RANGE``.
    """
    length = props.get("length_km")
    if not is_number(length) or length <= 0:
        return []
    geodesic = polyline_km(coords) if track is None else track
    if geodesic <= 0:
        return []
    ratio = length / geodesic
    explained = "length" in str(props.get("note") or "").lower()
    low, high = EXPLAINED_LENGTH_RATIO_RANGE if explained else LENGTH_RATIO_RANGE
    if low <= ratio <= high:
        return []
    unless = "even with a note" if explained else "unless note explains"
    return [
        Problem(
            LINKS_FILE, fid, "length_km",
            f"{length:g} km is {ratio:.2f}× the geometry's {geodesic:.0f} km; "
            f"expected {low}–{high}× {unless}",
        )
    ]


def _check_track(fid: str, props: Mapping, coords: list, track: float | None = None
                 ) -> list[Problem]:
    """Rules for refined links (those with ``length_source``, set by ``corridor osm refine``)."""
    length, source = props.get("length_km"), props.get("length_source")
    if source is None or props.get("mode") != "rail" or not isinstance(length, int | float):
        return []
    problems = []
    track = polyline_km(coords) if track is None else track
    if source != "published" and length < MIN_LENGTH_SHARE_OF_TRACK * track:
        problems.append(Problem(
            LINKS_FILE, fid, "length_km",
            f"{length:g} km is below {MIN_LENGTH_SHARE_OF_TRACK:g}× the {track:.0f} km track of its "
            f"geometry; expected length_source 'published' for a shorter length"))
    chord = distance_km(coords[0][0], coords[0][1], coords[-1][0], coords[-1][1])
    explained = "osm trace not used" in str(props.get("note") or "").lower()
    if length > MAX_STRAIGHT_KM and track <= chord * STRAIGHT_TRACK_RATIO and not explained:
        problems.append(Problem(
            LINKS_FILE, fid, "geometry",
            f"straight line for a {length:g} km link; expected the traced track "
            f"(corridor osm refine) for links over {MAX_STRAIGHT_KM:g} km, or a note saying "
            f"'OSM trace not used' and why"))
    return problems


def _check_connected(nodes: Mapping[str, Feature], links: list[Mapping[str, Any]]
                     ) -> list[Problem]:
    """Operating nodes outside the largest operating component (ties: the one seen first).

    ``links`` are the link features' properties (see :func:`_all_properties`).
    """
    import numpy as np
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    operating = [nid for nid, f in nodes.items() if properties(f).get("status") == "operating"]
    if not operating:
        return []
    number = {nid: k for k, nid in enumerate(operating)}
    ends = [(number[a], number[b]) for a, b, status in
            ((p.get("from"), p.get("to"), p.get("status")) for p in links)
            if status == "operating" and isinstance(a, str) and isinstance(b, str)
            and a in number and b in number]
    pairs = np.asarray(ends, dtype=np.int64).reshape(-1, 2)
    size = len(operating)
    adjacency = coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    _, labels = connected_components(adjacency, directed=False)
    found, first_seen = np.unique(labels, return_index=True)
    counts = np.bincount(labels)
    parts = sorted(found.tolist(), key=lambda label: (-counts[label], first_seen[label]))
    members: dict[int, list[str]] = {label: [] for label in parts[1:]}
    for k, label in enumerate(labels.tolist()):
        if label in members:
            members[label].append(operating[k])
    return [
        Problem(NODES_FILE, nid, "", "not connected to the main operating network")
        for label in parts[1:]
        for nid in sorted(members[label])
    ]


def validate_features(nodes: list[Feature], links: list[Feature], *, screened: bool = True
                      ) -> list[Problem]:
    """Check node and link features against the schema and each other.

    Parameters
    ----------
    nodes, links : list of dict
        GeoJSON features as read from ``nodes.geojson`` and ``links.geojson``.
    screened : bool
        Run the per-feature checks only on the features :mod:`corridor.screen` flags (the same
        problems, found in a fraction of the time); False checks every feature one by one.

    Returns
    -------
    list of Problem
        Every problem found (empty when the data are valid).
    """
    node_props, link_props = _all_properties(nodes), _all_properties(links)
    node_ids = [p.get("id") for p in node_props]
    problems = (_check_ids(NODES_FILE, node_ids)
                + _check_ids(LINKS_FILE, [p.get("id") for p in link_props]))
    by_id: dict[str, Feature] = {}
    first_row: dict[str, int] = {}
    for index, (feature, fid) in enumerate(zip(nodes, node_ids, strict=True)):
        if isinstance(fid, str) and fid not in by_id:
            by_id[fid] = feature
            first_row[fid] = index
    node_rows: Iterable[int] = range(len(nodes))
    link_rows: Iterable[int] = range(len(links))
    if screened:
        flagged_nodes, points = screen.node_rows(nodes, check_field, _is_country)
        node_rows = sorted(flagged_nodes)
        link_rows = sorted(screen.link_rows(links, first_row, flagged_nodes, points, check_field))
    for index in node_rows:
        problems += _check_node(nodes[index], index)
    cache: dict = {}
    for index in link_rows:
        problems += _check_link(links[index], index, by_id, cache)
    problems += _check_connected(by_id, link_props)
    return problems
