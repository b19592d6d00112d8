"""Decide each rail link's length and geometry from real track.

For every rail link: snap both end nodes to the rail graph, trace the shortest track path between
them inside a band around the curated route, then choose

1. ``published`` — the curated length is a published rail distance (:mod:`corridor.osm.published`);
   the trace supplies the geometry when it agrees with that figure within ``PUBLISHED_AGREEMENT``;
2. ``osm`` — else the traced length, when the trace is plausible:
   ``floor × curated ≤ traced ≤ MAX_RATIO_CURATED × curated`` and
   ``traced ≤ MAX_DETOUR × straight line``. The floor is ``MIN_RATIO_CURATED`` (0.90), and
   ``MIN_RATIO_CURATED_CN`` (0.97) where both ends are in China: OSM there holds high-speed lines
   that freight does not use, which are shorter than the conventional line the curated route (its
   waypoints, or the published figure it was apportioned from) follows, so a trace shorter than the
   curated route took one of them and is refused;
3. ``estimate`` — else the curated length stays, and the note says why the trace was refused
   (no track near a node, a gap in the track inside the band, or an implausible trace).

The trace is searched in a band around the curated route (``BAND_MIN_KM`` or ``BAND_SHARE`` of the
straight line, whichever is wider). A link an earlier refinement traced (``length_source`` ``osm``)
already follows the track, so it is searched only within ``RETRACE_BAND_KM`` of that trace: refining
again follows the same line, even where another line (a high-speed one, say) lies in the wide band,
and where the new source has no track along it the earlier trace is kept.

Curated routes are coarse (a few waypoints), so real track can leave that band where the line
swings round hills or lakes; when no track joins the ends inside it, the search is repeated once in
a band ``WIDE_BAND_FACTOR`` times wider. A trace found there passes the same plausibility test, so a
wider band never admits a detour or a high-speed shortcut.

Ferry and sea links are left alone. Traced geometry is simplified with a 1 km tolerance in a local
azimuthal-equidistant projection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from shapely.geometry import LineString, Point

from corridor.geodesy import distance_km, polyline_km
from corridor.osm.published import published_evidence
from corridor.osm.track import Trace, TrackGraph

MAX_SNAP_KM = 10.0
BAND_MIN_KM = 40.0
BAND_SHARE = 0.15
#: when no track joins the ends inside the band, the search is tried once more in a band this much wider
WIDE_BAND_FACTOR = 2.0
MIN_RATIO_CURATED = 0.90
MIN_RATIO_CURATED_CN = 0.97
MAX_RATIO_CURATED = 1.35
MAX_DETOUR = 1.6
PUBLISHED_AGREEMENT = 0.08
#: half-width of the band around an earlier trace in which a traced link is searched again
RETRACE_BAND_KM = 5.0
SIMPLIFY_KM = 1.0
DENSIFY_KM = 2.0

REPORT_COLUMNS = ("id", "from", "to", "curated_km", "straight_km", "traced_km", "published_km",
                  "chosen_km", "length_source", "geometry", "snap_from_km", "snap_to_km", "why")


@dataclass
class Decision:
    """What the refinement chose for one link, and why (one report row)."""

    id: str
    start: str
    end: str
    curated_km: float
    straight_km: float
    traced_km: float | None = None
    published_km: float | None = None
    chosen_km: float | None = None
    length_source: str = "estimate"
    geometry: str = "curated"
    snap_from_km: float | None = None
    snap_to_km: float | None = None
    longest_track_edge_km: float | None = None
    band_km: float | None = None
    why: str = ""
    #: the link keeps an earlier refinement's trace (length, geometry and the note naming its source)
    kept_earlier_trace: bool = False
    coords: list[tuple[float, float]] | None = field(default=None, repr=False)

    def row(self) -> dict:
        """The report row (km rounded to 0.1)."""
        values = {"id": self.id, "from": self.start, "to": self.end, "curated_km": self.curated_km,
                  "straight_km": self.straight_km, "traced_km": self.traced_km,
                  "published_km": self.published_km, "chosen_km": self.chosen_km,
                  "length_source": self.length_source, "geometry": self.geometry,
                  "snap_from_km": self.snap_from_km, "snap_to_km": self.snap_to_km, "why": self.why}
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in values.items()}


def _local_projection(coords: list) -> tuple[Transformer, Transformer]:
    lon, lat = np.mean([c[0] for c in coords]), np.mean([c[1] for c in coords])
    aeqd = ProjCRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    return (Transformer.from_crs("EPSG:4326", aeqd, always_xy=True),
            Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True))


def _project(transformer: Transformer, geometry):
    return shapely.transform(geometry, lambda x, y: transformer.transform(x, y), interleaved=False)


def band_mask(rail: TrackGraph, coords: list, band_km: float) -> np.ndarray:
    """Rail nodes within ``band_km`` of the curated polyline ``coords`` (lon/lat)."""
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    margin = band_km / 80.0 + 0.5  # degrees; generous at corridor latitudes
    box = ((rail.lon >= min(lons) - margin / np.cos(np.radians(max(map(abs, lats)))))
           & (rail.lon <= max(lons) + margin / np.cos(np.radians(max(map(abs, lats)))))
           & (rail.lat >= min(lats) - margin) & (rail.lat <= max(lats) + margin))
    candidates = np.flatnonzero(box)
    mask = np.zeros(len(rail), dtype=bool)
    if len(candidates) == 0:
        return mask
    forward, _ = _local_projection(coords)
    line = _project(forward, LineString(coords))
    x, y = forward.transform(rail.lon[candidates], rail.lat[candidates])
    from shapely import distance, points  # vectorised shapely 2 functions

    near = distance(points(np.column_stack([x, y])), line) <= band_km * 1000.0
    mask[candidates[near]] = True
    return mask


def simplify_coords(coords: list, tolerance_km: float = SIMPLIFY_KM) -> list[tuple[float, float]]:
    """Douglas–Peucker in a local projection; endpoints kept; lon/lat rounded to 5 decimals."""
    if len(coords) <= 2:
        return [(round(x, 5), round(y, 5)) for x, y in coords]
    forward, back = _local_projection(coords)
    line = _project(forward, LineString(coords)).simplify(tolerance_km * 1000.0)
    out = _project(back, line)
    return [(round(x, 5), round(y, 5)) for x, y in out.coords]


def _floor(countries: tuple[str, str]) -> float:
    return MIN_RATIO_CURATED_CN if countries == ("CN", "CN") else MIN_RATIO_CURATED


def trace_plausibility(traced: float, curated: float, straight: float, countries: tuple[str, str]
                       ) -> str | None:
    """Why a trace is implausible for an unpublished link, or None when it is acceptable."""
    floor = _floor(countries)
    if traced < floor * curated:
        kind = "likely a high-speed line or shortcut" if countries == ("CN", "CN") else "a shortcut"
        return (f"trace {traced:.1f} km is {traced / curated:.2f}× the curated {curated:.1f} km "
                f"(below {floor:.2f}×): {kind}, refused")
    if traced > MAX_RATIO_CURATED * curated:
        return f"trace {traced:.1f} km is {traced / curated:.2f}× the curated {curated:.1f} km " \
               f"(above {MAX_RATIO_CURATED:.2f}×): detour, refused"
    if straight > 0 and traced > MAX_DETOUR * straight:
        return f"trace {traced:.1f} km is {traced / straight:.2f}× the straight line: detour, refused"
    return None


def _trace(rail: TrackGraph, coords: list, ends: list[Point], decision: Decision,
           retrace: bool = False) -> Trace | None:
    """Trace between the ends on the nearest piece of track that reaches both (never bridged);
    ``retrace``: ``coords`` are an earlier trace, searched only within ``RETRACE_BAND_KM`` of it."""
    (a, snap_a), (b, snap_b) = (rail.snap(p.x, p.y) for p in ends)
    decision.snap_from_km, decision.snap_to_km = snap_a, snap_b
    far = [(name, km) for name, km in ((decision.start, snap_a), (decision.end, snap_b))
           if km > MAX_SNAP_KM]
    if far:
        name, km = far[0]
        decision.why = f"no track within {MAX_SNAP_KM:g} km of {name} (nearest {km:.1f} km)"
        return None
    near_a, near_b = (rail.nearby(p.x, p.y, MAX_SNAP_KM) for p in ends)
    shared = sorted(set(near_a) & set(near_b), key=lambda c: near_a[c][1] + near_b[c][1])
    if not shared:
        decision.why = (f"gap: the track near {decision.start} and near {decision.end} is not "
                        f"connected in the rail graph; not bridged")
        return None
    band = max(BAND_MIN_KM, BAND_SHARE * decision.straight_km)
    widths = (RETRACE_BAND_KM,) if retrace else (band, WIDE_BAND_FACTOR * band)
    for width in widths:
        allowed = band_mask(rail, coords, width)
        for piece in shared:
            (a, snap_a), (b, snap_b) = near_a[piece], near_b[piece]
            trace = rail.trace(a, b, allowed)
            if trace is not None:
                decision.snap_from_km, decision.snap_to_km = snap_a, snap_b
                decision.band_km = width
                return trace
    decision.why = (f"gap: no continuous track between the ends within {widths[-1]:.0f} km "
                    f"of the {'earlier trace' if retrace else 'curated route'}; not bridged")
    return None


def _keep_earlier_trace(decision: Decision) -> None:
    """Keep a link's earlier trace (its length, source and geometry) when no new one replaces it."""
    decision.length_source, decision.geometry = "osm", "traced"
    decision.kept_earlier_trace = True
    decision.why = f"earlier trace kept ({decision.why})"


def _band_text(decision: Decision) -> str:
    """' (found in the widened N km band)' when the trace needed the wider band, else ''."""
    if decision.band_km is None or decision.band_km <= max(BAND_MIN_KM, BAND_SHARE * decision.straight_km):
        return ""
    return f" (found in the widened {decision.band_km:.0f} km band)"


def decide(props: Mapping, coords: list, ends: list[Point], countries: tuple[str, str],
           rail: TrackGraph) -> Decision:
    """Choose length, length source and geometry for one rail link."""
    curated = float(props["length_km"])
    straight = distance_km(ends[0].x, ends[0].y, ends[1].x, ends[1].y)
    decision = Decision(str(props["id"]), str(props["from"]), str(props["to"]), curated, straight)
    evidence = published_evidence(props)
    retrace = props.get("length_source") == "osm"
    trace = _trace(rail, coords, ends, decision, retrace)
    if trace is not None:
        decision.traced_km, decision.longest_track_edge_km = trace.km, trace.longest_edge_km
        track = [(ends[0].x, ends[0].y), *map(tuple, trace.coords), (ends[1].x, ends[1].y)]
    if evidence is not None:
        decision.published_km = decision.chosen_km = curated
        decision.length_source = "published"
        why = f"published ({evidence})"
        if trace is not None:
            gap = trace.km / curated - 1
            if abs(gap) <= PUBLISHED_AGREEMENT:
                decision.geometry, decision.coords = "traced", simplify_coords(track)
                why += f"; trace agrees ({gap:+.1%}), geometry from the trace"
            else:
                hint = " (likely a high-speed line)" if gap < 0 and countries == ("CN", "CN") else ""
                why += f"; trace differs by {gap:+.1%}{hint}, curated geometry kept"
        else:
            why += f"; {decision.why}"
        decision.why = why
        return decision
    if trace is None:
        decision.chosen_km = curated
        if retrace:
            _keep_earlier_trace(decision)
        return decision
    # the straight connectors from the stations to the snapped track count, as the geometry draws
    # them; the plausibility test judges that same length, so refining refined data changes nothing
    connectors = (decision.snap_from_km or 0.0) + (decision.snap_to_km or 0.0)
    refused = trace_plausibility(trace.km + connectors, curated, straight, countries)
    if refused:
        decision.chosen_km, decision.why = curated, refused + _band_text(decision)
        if retrace:
            _keep_earlier_trace(decision)
        return decision
    decision.chosen_km, decision.length_source = round(trace.km + connectors, 1), "osm"
    decision.geometry, decision.coords = "traced", simplify_coords(track)
    decision.why = f"traced on OSM track ({trace.km / curated:.2f}× curated, " \
                   f"{trace.km / straight:.2f}× straight line)" if straight > 0 else "traced on OSM track"
    decision.why += _band_text(decision)
    return decision


_LENGTH_CLAUSE = re.compile(r"length_km: geodesic length of the polyline[^;.]*")
#: what an earlier refinement wrote into a note: its trace clause, and its refusal, which it
#: appended last (the reason may itself hold "; "), so that refining again replaces them
_EARLIER_TRACE = re.compile(
    r"(?:; )?length_km: traced on OpenStreetMap track \((?:[^()]|\([^()]*\))*\), [\d.]+ km")
_EARLIER_REFUSAL = re.compile(r"(?:; )?(?:length_km: estimate|geometry: curated), OSM trace not used: .*$",
                              flags=re.DOTALL)


def _without_earlier_refinement(note: str) -> str:
    return _EARLIER_REFUSAL.sub("", _EARLIER_TRACE.sub("", note)).strip().removeprefix("; ")


def _note_for(note: str, decision: Decision, attribution: str) -> str:
    if decision.kept_earlier_trace:
        return note  # its trace clause names the source it was traced on
    note = _without_earlier_refinement(note)
    if decision.length_source == "osm":
        text = f"length_km: traced on OpenStreetMap track ({attribution}), {decision.chosen_km:.1f} km"
        return _LENGTH_CLAUSE.sub(text, note) if _LENGTH_CLAUSE.search(note) else f"{note}; {text}"
    if decision.length_source == "estimate":
        return f"{note}; length_km: estimate, OSM trace not used: {decision.why}".lstrip("; ")
    if decision.geometry == "curated":
        return f"{note}; geometry: curated, OSM trace not used: {decision.why}".lstrip("; ")
    return note


def apply_decision(feature: Mapping, decision: Decision, attribution: str) -> dict:
    """A copy of a link feature with the chosen length, ``length_source``, geometry and note."""
    props = dict(feature["properties"])
    props["length_km"] = decision.chosen_km
    props["length_source"] = decision.length_source
    props["note"] = _note_for(str(props.get("note") or ""), decision, attribution)
    geometry = dict(feature["geometry"])
    if decision.coords is not None:
        geometry = {"type": "LineString", "coordinates": [list(c) for c in decision.coords]}
        if "OpenStreetMap" not in str(props.get("source", "")):
            props["source"] = f"{props['source']}; geometry: {attribution}"
    return {**feature, "properties": props, "geometry": geometry}


def refine_features(nodes: list[dict], links: list[dict], rail: TrackGraph,
                    attribution: str = "OpenStreetMap contributors, ODbL") -> tuple[list[dict], list[dict]]:
    """Refined link features and the per-link report rows (rail links only; others unchanged).

    Parameters
    ----------
    nodes, links : list of dict
        GeoJSON features as in ``nodes.geojson`` / ``links.geojson``.
    rail : TrackGraph
        The rail graph (densified so that stations between far-apart graph nodes snap to track).
    """
    by_id = {f["properties"]["id"]: f for f in nodes}
    refined, report = [], []
    for feature in links:
        props = feature["properties"]
        if props.get("mode") != "rail":
            refined.append(feature)
            continue
        ends = [Point(by_id[props[end]]["geometry"]["coordinates"][:2]) for end in ("from", "to")]
        countries = tuple(by_id[props[end]]["properties"]["country"] for end in ("from", "to"))
        decision = decide(props, feature["geometry"]["coordinates"], ends, countries, rail)
        refined.append(apply_decision(feature, decision, attribution))
        report.append(decision.row())
    return refined, report


def polyline_is_straight(coords: list, tolerance: float = 0.005) -> bool:
    """True when a polyline is no longer than the straight line between its ends (within 0.5 %)."""
    chord = distance_km(coords[0][0], coords[0][1], coords[-1][0], coords[-1][1])
    return polyline_km(coords) <= chord * (1 + tolerance)
