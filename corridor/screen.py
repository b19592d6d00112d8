"""Column-wise screening of geodata features: which ones may have a problem.

:func:`corridor.validation.validate_features` words every problem with its per-feature checks,
which cost tens of microseconds a feature: minutes on a 100,000-node network. The screen reads
each property of every feature as one column and tests it with one set operation or one numpy
comparison; geometry is tested as arrays of coordinates (geodesic lengths from one vectorised
``pyproj`` call). Only the features it flags go through the per-feature checks.

The screen is conservative: a feature it does not flag has no problem the per-feature checks
would find. Where a column holds anything unusual (a type other than the plain JSON one, a
value out of range) it is gone through value by value with :func:`corridor.validation.check_field`
itself, and geometric tests flag anything within a relative ``MARGIN`` of their thresholds, so
rounding in the vectorised sums never lets a problem through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from corridor.schema import (
    ENDPOINT_TOLERANCE_KM,
    LATITUDE,
    LENGTH_RATIO_RANGE,
    LINK_FIELDS,
    LONGITUDE,
    MAX_STRAIGHT_KM,
    MIN_LENGTH_SHARE_OF_TRACK,
    NODE_FIELDS,
    RESERVED_PROPERTIES,
    STRAIGHT_TRACK_RATIO,
    WATER_MODES,
    Field,
)

#: relative margin around every geometric threshold (far above the rounding of summed lengths)
MARGIN = 1e-6
#: integers beyond this are not compared as float64 (left to the per-feature checks)
_EXACT_FLOAT_INT = 2.0**53


class _Absent:
    """Stands for a property a feature does not have."""


ABSENT = _Absent()
_PLAIN_TYPES = {"str": {str}, "bool": {bool}, "int": {int}, "number": {int, float},
                "list": {list}}


@dataclass(frozen=True)
class Points:
    """Plain positions of some features: ``rows`` (feature indices) and their lon/lat."""

    rows: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def property_dicts(features: Sequence[Any]) -> tuple[list[dict], list[int]]:
    """Every feature's properties (``{}`` where not plain), and the rows that are not plain dicts."""
    props: list[dict] = []
    odd: list[int] = []
    for index, feature in enumerate(features):
        found = feature.get("properties") if type(feature) is dict else None
        if type(found) is dict:
            props.append(found)
        else:
            props.append({})
            odd.append(index)
    return props, odd


def column(props: Sequence[dict], name: str) -> list:
    """The values of one property across features (``ABSENT`` where a feature has none)."""
    return [p.get(name, ABSENT) for p in props]


def columns_of(props: Sequence[dict], names: Sequence[str]) -> dict[str, list]:
    """:func:`column` of each name; at C speed when every feature has every name."""
    try:
        rows = list(map(itemgetter(*names), props))
    except KeyError:
        return {name: column(props, name) for name in names}
    if len(names) == 1:
        return {names[0]: rows}
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}


def _allowed_types(field: Field) -> set[type]:
    allowed = set(_PLAIN_TYPES[field.type])
    if field.nullable:
        allowed.add(type(None))
    if not field.required:
        allowed.add(_Absent)
    return allowed


def _numbers_in_range(field: Field, values: list) -> bool:
    """Whether every number (plain int or float) lies within ``field``'s bounds."""
    if not values:
        return True
    try:
        array = np.array(values, dtype=float)
    except OverflowError:
        return False
    ok = np.isfinite(array) & (np.abs(array) < _EXACT_FLOAT_INT)
    if field.positive:
        ok &= array > 0
    if field.minimum is not None:
        ok &= array >= field.minimum
    if field.maximum is not None:
        ok &= array <= field.maximum
    return bool(ok.all())


def _column_clean(field: Field, values: list) -> bool:
    """Whether every value of the column passes ``check_field`` (False: look value by value)."""
    kinds = set(map(type, values))
    if not kinds <= _allowed_types(field):
        return False
    plain = _PLAIN_TYPES[field.type]
    present = values if kinds <= plain else [v for v in values if type(v) in plain]
    try:
        if field.choices is not None:
            items = chain.from_iterable(present) if field.type == "list" else present
            return set(items) <= set(field.choices)
    except TypeError:  # an unhashable item
        return False
    if field.type == "list":
        return set(map(type, chain.from_iterable(present))) <= {str}
    if field.type in ("number", "int"):
        return _numbers_in_range(field, present)
    return True


#: the per-value check the screen defers to: what is wrong with ``props[field.name]``, or None
FieldCheck = Callable[[Field, Mapping[str, Any]], "str | None"]


def field_rows(field: Field, values: list, check_field: FieldCheck) -> list[int]:
    """Rows whose value of ``field`` may be wrong (exactly those ``check_field`` refuses, and
    any value of a type other than the plain JSON one)."""
    if _column_clean(field, values):
        return []
    allowed = _allowed_types(field)
    return [i for i, v in enumerate(values)
            if type(v) not in allowed
            or check_field(field, {} if v is ABSENT else {field.name: v}) is not None]


def rows_where(values: list, is_bad: Callable[[Any], bool]) -> list[int]:
    """Rows whose value ``is_bad``, testing each distinct string once.

    ``is_bad`` must be False for anything but a ``str`` (strings are never equal to other types,
    so deduplicating by value cannot mix them up).
    """
    strings = {v for v in values if type(v) is str}
    bad = {v for v in strings if is_bad(v)}
    return [i for i, v in enumerate(values) if type(v) is str and v in bad] if bad else []


def reserved_rows(props: Sequence[dict]) -> list[int]:
    """Rows with a reserved property name."""
    if not set().union(*props) & set(RESERVED_PROPERTIES):
        return []
    return [i for i, p in enumerate(props) if any(name in p for name in RESERVED_PROPERTIES)]


def schema_rows(props: Sequence[dict], fields: Iterable[Field], check_field: FieldCheck
                ) -> tuple[set[int], dict[str, list]]:
    """Rows with a doubtful value of any of ``fields``, and the columns read (by field name)."""
    flagged: set[int] = set()
    fields = list(fields)
    columns = columns_of(props, [field.name for field in fields])
    for field in fields:
        flagged.update(field_rows(field, columns[field.name], check_field))
    flagged.update(rows_where(columns["source"], lambda s: not s.strip()))
    return flagged, columns


def _plain_position(position: Any) -> bool:
    return (type(position) is list and len(position) == 2
            and type(position[0]) in (int, float) and type(position[1]) in (int, float))


def _in_range(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (np.isfinite(lon) & np.isfinite(lat)
            & (lon >= LONGITUDE.minimum) & (lon <= LONGITUDE.maximum)
            & (lat >= LATITUDE.minimum) & (lat <= LATITUDE.maximum))


def _as_floats(positions: list) -> np.ndarray | None:
    """An (n, 2) float array of plain positions, or None when a number does not fit a float."""
    try:
        array = np.array(positions, dtype=float).reshape(-1, 2)
    except OverflowError:
        return None
    return array if (np.abs(array) < _EXACT_FLOAT_INT).all() else None


def point_rows(features: Sequence[Any], odd: Iterable[int]) -> tuple[set[int], Points]:
    """Nodes whose geometry may be wrong or is not a plain ``[lon, lat]`` Point, and the plain
    valid points of the others."""
    flagged = set(odd)
    rows, positions = [], []
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if type(feature) is dict else None
        position = geometry.get("coordinates") if type(geometry) is dict \
            and geometry.get("type") == "Point" else None
        if index not in flagged and _plain_position(position):
            rows.append(index)
            positions.append(position)
        else:
            flagged.add(index)
    array = _as_floats(positions)
    if array is None:  # a huge integer coordinate: leave every node to the per-feature checks
        return set(range(len(features))), Points(np.zeros(0, int), np.zeros(0), np.zeros(0))
    rows_array = np.asarray(rows, dtype=int)
    good = _in_range(array[:, 0], array[:, 1])
    flagged.update(rows_array[~good].tolist())
    return flagged, Points(rows_array[good], array[good, 0], array[good, 1])


def node_rows(features: Sequence[Any], check_field: FieldCheck, is_country: Callable[[str], bool]
              ) -> tuple[set[int], Points]:
    """Nodes that may have a problem, and the plain valid points of those that cannot.

    ``check_field`` and ``is_country`` are the per-feature checks' own (see
    :mod:`corridor.validation`), used on the values a column test cannot clear.
    """
    props, odd = property_dicts(features)
    flagged, columns = schema_rows(props, NODE_FIELDS, check_field)
    flagged.update(reserved_rows(props))
    flagged.update(rows_where(columns["country"], lambda c: not is_country(c)))
    flagged.update(_dwell_order_rows(columns))
    geometry_flagged, points = point_rows(features, odd)
    flagged |= geometry_flagged
    keep = ~np.isin(points.rows, np.fromiter(flagged, dtype=int, count=len(flagged)))
    return flagged, Points(points.rows[keep], points.lon[keep], points.lat[keep])


def _numbers(values: list) -> np.ndarray:
    """Plain finite numbers as floats, NaN for anything else (bools, None, huge integers)."""
    return np.array([v if (type(v) is float or (type(v) is int and abs(v) < _EXACT_FLOAT_INT))
                     else np.nan for v in values], dtype=float)


def _dwell_order_rows(columns: dict[str, list]) -> list[int]:
    low, mid, high = (_numbers(columns[k]) for k in ("dwell_min_h", "dwell_h", "dwell_max_h"))
    numbers = np.isfinite(low) & np.isfinite(mid) & np.isfinite(high)
    return np.flatnonzero(numbers & ~((low <= mid) & (mid <= high))).tolist()


def _line_positions(features: Sequence[Any], flagged: set[int]) -> tuple[list[int], list[list]]:
    """Rows and positions of plain LineStrings (2+ plain positions); the others are flagged."""
    rows, lines = [], []
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if type(feature) is dict else None
        coords = geometry.get("coordinates") if type(geometry) is dict \
            and geometry.get("type") == "LineString" else None
        if type(coords) is list and len(coords) >= 2 and index not in flagged:
            rows.append(index)
            lines.append(coords)
        else:
            flagged.add(index)
    flat = list(chain.from_iterable(lines))
    if not (set(map(type, flat)) <= {list} and set(map(len, flat)) <= {2}
            and set(map(type, chain.from_iterable(flat))) <= {int, float}):
        plain = [all(map(_plain_position, line)) for line in lines]
        flagged.update(row for row, ok in zip(rows, plain, strict=True) if not ok)
        rows = [row for row, ok in zip(rows, plain, strict=True) if ok]
        lines = [line for line, ok in zip(lines, plain, strict=True) if ok]
    return rows, lines


@dataclass(frozen=True)
class Lines:
    """Plain LineStrings of some links: ``rows``, all positions, and where each line starts."""

    rows: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    starts: np.ndarray

    @property
    def ends(self) -> np.ndarray:
        """Index of each line's last position."""
        if not len(self.starts):
            return np.zeros(0, dtype=int)
        return np.append(self.starts[1:], len(self.lon)) - 1


def line_rows(features: Sequence[Any], flagged: set[int]) -> Lines | None:
    """Plain, in-range LineStrings of the links not yet flagged (others are added to
    ``flagged``), or None when a coordinate does not fit a float."""
    rows, lines = _line_positions(features, flagged)
    array = _as_floats(list(chain.from_iterable(lines)))
    if array is None:
        return None
    counts = np.fromiter(map(len, lines), dtype=int, count=len(lines))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int) if len(lines) else \
        np.zeros(0, int)
    good_position = _in_range(array[:, 0], array[:, 1])
    good = np.logical_and.reduceat(good_position, starts) if len(lines) else np.zeros(0, bool)
    rows_array = np.asarray(rows, dtype=int)
    flagged.update(rows_array[~good].tolist())
    keep_position = np.repeat(good, counts)
    kept_counts = counts[good]
    kept_starts = np.concatenate([[0], np.cumsum(kept_counts)[:-1]]).astype(int) \
        if len(kept_counts) else np.zeros(0, int)
    return Lines(rows_array[good], array[keep_position, 0], array[keep_position, 1], kept_starts)


def _geodesic_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
                 ) -> np.ndarray:
    from corridor.geodesy import wgs84

    if not len(lon1):
        return np.zeros(0)
    return np.asarray(wgs84().inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def track_km(lines: Lines) -> np.ndarray:
    """Geodesic length of every line (one vectorised call over all segments)."""
    if not len(lines.rows):
        return np.zeros(0)
    segments = _geodesic_km(lines.lon[:-1], lines.lat[:-1], lines.lon[1:], lines.lat[1:])
    segments = np.append(segments, 0.0)
    segments[lines.ends] = 0.0  # the "segment" from a line's last position to the next line's first
    return np.add.reduceat(segments, lines.starts)


def _endpoint_rows(lines: Lines, ends: dict[str, list], nodes: Points,
                   node_rows_by_id: dict[str, int], flagged_nodes: set[int]) -> list[int]:
    """Links whose end may lie too far from its node, or whose node is not a plain point."""
    where = {int(row): k for k, row in enumerate(nodes.rows)}
    flagged: list[int] = []
    tolerance = ENDPOINT_TOLERANCE_KM * (1 - MARGIN)
    for end, positions in (("from", lines.starts), ("to", lines.ends)):
        node_ids = [ends[end][row] for row in lines.rows]
        node_rows = [node_rows_by_id.get(nid) if type(nid) is str else None for nid in node_ids]
        doubtful = [r is not None and r in flagged_nodes for r in node_rows]
        flagged.extend(int(lines.rows[k]) for k, bad in enumerate(doubtful) if bad)
        take = [k for k, r in enumerate(node_rows) if r is not None and r in where]
        picks = np.asarray([where[node_rows[k]] for k in take], dtype=int)
        take_array = np.asarray(take, dtype=int)
        gap = _geodesic_km(lines.lon[positions[take_array]], lines.lat[positions[take_array]],
                           nodes.lon[picks], nodes.lat[picks])
        flagged.extend(lines.rows[take_array[gap > tolerance]].tolist())
    return flagged


def _note_mentions(notes: list, phrase: str) -> np.ndarray:
    """Whether each link's note mentions ``phrase`` (as the per-feature checks read it)."""
    seen: dict[Any, bool] = {}
    out = np.zeros(len(notes), dtype=bool)
    for i, note in enumerate(notes):
        value = None if note is ABSENT else note
        if type(value) is str or value is None:
            if value not in seen:
                seen[value] = phrase in str(value or "").lower()
            out[i] = seen[value]
        else:
            out[i] = phrase in str(value or "").lower()
    return out


def _length_rows(lines: Lines, columns: dict[str, list]) -> list[int]:
    """Links whose stated length may disagree with their geometry (ratio or track rules)."""
    track = track_km(lines)
    rows = lines.rows
    length = _numbers([columns["length_km"][r] for r in rows])
    has_length = np.isfinite(length) & (length > 0)
    low, high = LENGTH_RATIO_RANGE  # the narrow range: a note's wider one is left to the checks
    ratio = np.divide(length, track, out=np.ones_like(length), where=track > 0)
    doubtful = has_length & ((track <= MARGIN) | (ratio < low * (1 + MARGIN))
                             | (ratio > high * (1 - MARGIN)))
    refined = np.array([columns["length_source"][r] not in (None, ABSENT)
                        and columns["mode"][r] == "rail" for r in rows], dtype=bool)
    sourced = np.isfinite(length) & refined
    published = np.array([columns["length_source"][r] == "published" for r in rows], dtype=bool)
    doubtful |= sourced & ~published & (length < MIN_LENGTH_SHARE_OF_TRACK * track * (1 + MARGIN))
    chord = _geodesic_km(lines.lon[lines.starts], lines.lat[lines.starts],
                         lines.lon[lines.ends], lines.lat[lines.ends])
    traced_excused = _note_mentions([columns["note"][r] for r in rows], "osm trace not used")
    straight = ((length > MAX_STRAIGHT_KM * (1 - MARGIN))
                & (track <= chord * STRAIGHT_TRACK_RATIO * (1 + MARGIN)))
    doubtful |= sourced & straight & ~traced_excused
    doubtful |= refined & ~np.isfinite(length)  # a non-float length: let the checks decide
    return rows[doubtful].tolist()


def _mode_rows(columns: dict[str, list]) -> list[int]:
    """Water links (their own fields) and rail links with a required field set to null."""
    flagged = [i for i, mode in enumerate(columns["mode"]) if mode in WATER_MODES]
    for name in ("gauge_mm", "speed_kmh", "length_source"):
        flagged += [i for i, (mode, value) in enumerate(zip(columns["mode"], columns[name],
                                                            strict=True))
                    if value is None and mode == "rail"]
    return flagged


def link_rows(features: Sequence[Any], node_ids: dict[str, int], flagged_nodes: set[int],
              nodes: Points, check_field: FieldCheck) -> set[int]:
    """Links that may have a problem.

    Parameters
    ----------
    features : list of dict
        The link features.
    node_ids : dict
        Node id to the row of its first feature (the node the per-feature checks use).
    flagged_nodes, nodes : set of int, Points
        What :func:`node_rows` returned for the node features.
    check_field : callable
        The per-feature check of one property (:func:`corridor.validation.check_field`).
    """
    props, odd = property_dicts(features)
    flagged, columns = schema_rows(props, LINK_FIELDS, check_field)
    flagged.update(odd)
    flagged.update(reserved_rows(props))
    flagged.update(_mode_rows(columns))
    for end in ("from", "to"):
        flagged.update(rows_where(columns[end], lambda nid: nid not in node_ids))
    lines = line_rows(features, flagged)
    if lines is None:
        return set(range(len(features)))
    flagged.update(_endpoint_rows(lines, columns, nodes, node_ids, flagged_nodes))
    flagged.update(_length_rows(lines, columns))
    return flagged
