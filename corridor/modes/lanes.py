"""Sea lanes between the built-in ports, precomputed from searoute and shipped as data.

The port set is fixed data (``ports.csv``), so the searoute paths between every Chinese and every
European port, via Suez and via the Cape, are computed once and written to
``geodata/sea_lanes.geojson`` (one feature per line): searoute's length of the path in nautical
miles, the passages it crosses and its line, simplified for drawing. A comparison between ports
that match a shipped lane (same ids, same coordinates) reads it; any other pair asks searoute.

Rebuild after changing ports, their coordinates or the searoute version::

    python -m corridor.modes.rebuild_lanes            # writes geodata/sea_lanes.geojson
    python -m corridor.modes.rebuild_lanes --check    # exit 1 when the file differs from searoute

searoute is imported only when a lane is computed (its graph takes ~0.2 s to build).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from corridor.datafiles import atomic_write_text, builtin_dir, read_features, stable_float
from corridor.errors import CorridorError, DataError, NoRouteError, Problem

LANES_FILE = "sea_lanes.geojson"
PASSAGES = ("suez", "cape")
NM_KM = 1.852
#: Douglas–Peucker tolerance of the shipped lines, degrees (~1 km: invisible on a corridor map)
SIMPLIFY_DEG = 0.01
#: a shipped lane serves a port pair when both ports are within this of the coordinates it was
#: built from (degrees; the files keep 1e-5)
SAME_POINT_DEG = 1e-5
LICENCE = ("searoute-py (Apache-2.0) on its maritime network, derived from Eurostat SeaRoute's "
           "marnet (EUPL), which is based on the ORNL CTA Global Shipping Lane Network (2000) "
           "enriched with AIS-based lines")


@dataclass(frozen=True)
class SeaLane:
    """One searoute path: length, passages crossed (sorted by name) and the line (lon, lat) to draw."""

    nm: float
    passages: tuple[str, ...]
    coords: tuple[tuple[float, float], ...]

    @property
    def km(self) -> float:
        return self.nm * NM_KM


@dataclass(frozen=True)
class ShippedLane:
    """A lane of ``sea_lanes.geojson`` with the port coordinates it was computed between."""

    start: tuple[float, float]
    end: tuple[float, float]
    lane: SeaLane

    def serves(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """Whether the ports are where they were when the lane was computed."""
        return all(abs(a - b) <= SAME_POINT_DEG for a, b in zip((*self.start, *self.end),
                                                                (*start, *end), strict=True))


# -- computing with searoute --------------------------------------------------------------------

def restrictions(passage: str) -> list:
    """searoute's passages to close for a passage choice (Suez, or the Cape with the Red Sea shut)."""
    from searoute.classes.passages import Passage  # deferred: searoute builds its graph on import

    if passage == "suez":
        return [Passage.northwest]
    if passage == "cape":  # Red Sea closed: no Suez, no Bab-el-Mandeb, and not the Panama way round
        return [Passage.northwest, Passage.suez, Passage.babalmandab, Passage.panama]
    raise CorridorError(f"unknown passage {passage!r}; expected one of {', '.join(PASSAGES)}")


def searoute_lane(start: tuple[float, float], end: tuple[float, float], passage: str) -> SeaLane:
    """The shortest sea path between two (lon, lat) points for a passage choice, from searoute."""
    import searoute  # deferred: ~0.3 s import and graph build

    feature = searoute.searoute(list(start), list(end), units="naut", restrictions=restrictions(passage),
                                return_passages=True)
    nm = float(feature.properties["length"])
    if not nm or not math.isfinite(nm):
        raise NoRouteError(f"no sea route from {start} to {end} via {passage}")
    passages = tuple(sorted(feature.properties.get("traversed_passages") or ()))  # a set in searoute
    coords = tuple((float(x), float(y)) for x, y in feature.geometry.coordinates)
    return SeaLane(nm, passages, coords)


def searoute_version() -> str:
    """The installed searoute version (the shipped file records the one it was built with)."""
    try:
        return metadata.version("searoute")
    except metadata.PackageNotFoundError:
        return "not installed"


def for_shipping(lane: SeaLane) -> SeaLane:
    """``lane`` as the file keeps it: length rounded, line simplified and rounded (1e-5 degrees)."""
    from shapely.geometry import LineString

    line = LineString(lane.coords).simplify(SIMPLIFY_DEG, preserve_topology=False)
    coords = tuple((stable_float(x), stable_float(y)) for x, y in line.coords)
    return SeaLane(stable_float(lane.nm), lane.passages, coords)


# -- the file -------------------------------------------------------------------------------------

def lane_id(origin: str, destination: str, passage: str) -> str:
    return f"{origin}__{destination}__{passage}"


def lane_feature(origin: str, destination: str, passage: str, start: tuple[float, float],
                 end: tuple[float, float], lane: SeaLane, version: str) -> dict:
    """One line of ``sea_lanes.geojson``."""
    shipped = for_shipping(lane)
    props = {
        "id": lane_id(origin, destination, passage), "from": origin, "to": destination,
        "passage": passage, "from_lon": stable_float(start[0]), "from_lat": stable_float(start[1]),
        "to_lon": stable_float(end[0]), "to_lat": stable_float(end[1]), "length_nm": shipped.nm,
        "passages": list(shipped.passages),
        "source": f"searoute {version} ({LICENCE}); computed by python -m corridor.modes.rebuild_lanes",
        "note": (f"length_nm: searoute's length of the unsimplified path; line simplified to "
                 f"{SIMPLIFY_DEG}° for drawing"),
    }
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in shipped.coords]}}


def lanes_text(features: list[dict]) -> str:
    """GeoJSON text in the layout of the built-in files (one feature per line, UTF-8)."""
    body = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features)
    return f'{{"type": "FeatureCollection", "name": "corridor_sea_lanes", "features": [\n{body}\n]}}\n'


def _float(props: dict, key: str) -> float | None:
    value = props.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def check_lane(line: int, feature: dict, port_ids: set[str] | None) -> list[Problem]:
    """Problems of one lane feature (known ports and passage, length > 0, sourced, a line)."""
    props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    where = f"feature {line} ({props.get('id', '?')})"
    problems = []
    for end in ("from", "to"):
        if not isinstance(props.get(end), str) or (port_ids is not None and props[end] not in port_ids):
            problems.append(Problem(LANES_FILE, where, end, f"{props.get(end)!r} is not a port of ports.csv"))
    if props.get("passage") not in PASSAGES:
        problems.append(Problem(LANES_FILE, where, "passage",
                                f"{props.get('passage')!r}; expected one of {', '.join(PASSAGES)}"))
    for key in ("from_lon", "from_lat", "to_lon", "to_lat"):
        if _float(props, key) is None:
            problems.append(Problem(LANES_FILE, where, key, f"{props.get(key)!r}; expected a finite number"))
    length = _float(props, "length_nm")
    if length is None or length <= 0:
        problems.append(Problem(LANES_FILE, where, "length_nm",
                                f"{props.get('length_nm')!r}; expected a finite number > 0"))
    if not isinstance(props.get("passages"), list):
        problems.append(Problem(LANES_FILE, where, "passages", "expected a list of passage names"))
    if not str(props.get("source") or "").strip():
        problems.append(Problem(LANES_FILE, where, "source", "missing source"))
    geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else {}
    if geometry.get("type") != "LineString" or not _is_line(geometry.get("coordinates")):
        problems.append(Problem(LANES_FILE, where, "geometry",
                                "expected a LineString of two or more (lon, lat) points in degrees"))
    return problems


def _is_line(coords: object) -> bool:
    """Two or more [lon, lat] number pairs within ±180 / ±90 (the reader has refused NaN and Infinity)."""
    if not isinstance(coords, list) or len(coords) < 2:
        return False
    if not all(type(c) is list and len(c) == 2 for c in coords):
        return False
    if not all(type(v) in (int, float) for c in coords for v in c):  # bool is not a coordinate
        return False
    return all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in coords)


def read_checked_lanes(directory: Path,
                       port_ids: set[str] | None = None) -> tuple[list[dict], list[Problem]]:
    """The features of ``sea_lanes.geojson`` in ``directory`` and every problem in them (the file
    is read once); ``([], [])`` when the file is absent."""
    path = Path(directory) / LANES_FILE
    if not path.is_file():
        return [], []
    try:
        features = read_features(path)
    except DataError as exc:
        return [], list(exc.problems)
    problems = [p for line, f in enumerate(features, start=1) for p in check_lane(line, f, port_ids)]
    seen: set[str] = set()
    for line, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        key = lane_id(str(props.get("from")), str(props.get("to")), str(props.get("passage")))
        if key in seen:
            problems.append(Problem(LANES_FILE, f"feature {line} ({key})", "id", "duplicate lane"))
        seen.add(key)
    return features, problems


def validate_lanes(directory: Path, port_ids: set[str] | None = None) -> list[Problem]:
    """Every problem of ``sea_lanes.geojson`` in ``directory`` (none when the file is absent)."""
    return read_checked_lanes(directory, port_ids)[1]


def lanes_from_features(features: list[dict]) -> dict[tuple[str, str, str], ShippedLane]:
    """Checked lane features (:func:`read_checked_lanes`) keyed by (from port, to port, passage)."""
    lanes = {}
    for feature in features:
        p = feature["properties"]
        lane = SeaLane(float(p["length_nm"]), tuple(p["passages"]),
                       tuple((float(x), float(y)) for x, y in feature["geometry"]["coordinates"]))
        lanes[(p["from"], p["to"], p["passage"])] = ShippedLane(
            (float(p["from_lon"]), float(p["from_lat"])), (float(p["to_lon"]), float(p["to_lat"])), lane)
    return lanes


def read_lanes(directory: Path) -> dict[tuple[str, str, str], ShippedLane]:
    """The lanes of ``sea_lanes.geojson`` keyed by (from port, to port, passage); {} when absent.

    Raises
    ------
    DataError
        When the file has a problem (:func:`validate_lanes`).
    """
    features, problems = read_checked_lanes(directory)
    if problems:
        raise DataError(problems)
    return lanes_from_features(features)


# -- rebuilding -----------------------------------------------------------------------------------

Point = tuple[float, float]


def port_pairs(directory: Path | None = None) -> list[tuple[str, str, Point, Point]]:
    """(Chinese port, European port, its point, their point) for every pair of ``ports.csv``, westbound."""
    import pandas as pd

    directory = Path(directory) if directory is not None else builtin_dir()
    ports = pd.read_csv(directory / "ports.csv", dtype=str, keep_default_na=False)
    points = {f["properties"]["id"]: tuple(float(v) for v in f["geometry"]["coordinates"][:2])
              for f in read_features(directory / "nodes.geojson")}
    missing = sorted(set(ports["id"]) - set(points))
    if missing:
        raise CorridorError(f"ports.csv: port {missing[0]!r} is not a node of nodes.geojson")
    china = [p for p, r in zip(ports["id"], ports["region"], strict=True) if r == "china"]
    europe = [p for p, r in zip(ports["id"], ports["region"], strict=True) if r != "china"]
    return [(a, b, points[a], points[b]) for a in china for b in europe]


def build_features(directory: Path | None = None) -> list[dict]:
    """Every lane of the directory's ports, freshly computed by searoute (sorted by id)."""
    version = searoute_version()
    features = [lane_feature(a, b, passage, start, end, searoute_lane(start, end, passage), version)
                for a, b, start, end in port_pairs(directory) for passage in PASSAGES]
    return sorted(features, key=lambda f: f["properties"]["id"])


def rebuild(directory: Path | None = None) -> Path:
    """Write ``sea_lanes.geojson`` into ``directory`` (the built-in geodata when omitted), atomically."""
    directory = Path(directory) if directory is not None else builtin_dir()
    return atomic_write_text(directory / LANES_FILE, lanes_text(build_features(directory)), LANES_FILE)
