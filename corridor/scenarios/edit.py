"""Applying a scenario's edits to copies of a network's tables; the baseline is never touched.

Closing an element (``close``, ``avoid_countries``) keeps its row and sets its ``status`` to
``"closed"``. Routing only uses ``operating`` elements (all of ``schema.PLANNED_STATUSES`` with
``include_planned``), so a closed element is never used, while look-ups, maps and comparisons still
see it. Links of a closed node are unusable because one of their ends is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

from corridor.errors import DataError, Problem, UnknownPlaceError
from corridor.geodesy import CRS, distance_km, polyline_km
from corridor.network import Corridor
from corridor.scenarios.spec import (
    _FIELDS,
    CLOSED,
    FAMILIES,
    OPS,
    SCALABLE,
    SETTABLE,
    Edit,
    _closest,
    passage_problem,
    tariff_problem,
)
from corridor.schema import (
    ENDPOINT_TOLERANCE_KM,
    FERRY_FIELDS,
    LINK_FIELDS,
    NODE_FIELDS,
    WATER_MODES,
    Field,
)
from corridor.timemodel import DELAY_COLUMN, number_or, stops_at
from corridor.validation import check_field


def apply_edits(net: Corridor, edits: Sequence[Edit], name: str, scenario: Any = None) -> Corridor:
    """A new network with ``edits`` applied to copies of ``net``'s tables.

    Raises
    ------
    DataError
        Listing every unknown id (with suggestions), wrong value or contradiction found.
    """
    editor = _Editor(net)
    for edit in edits:
        editor.run(edit)
    editor.check_result(edits)
    if editor.problems:
        raise DataError(editor.problems)
    return Corridor(editor.nodes, editor.links, name=name, scenario=scenario,
                    disruptions=net.disruptions)

# -- applying edits -------------------------------------------------------------------------------

class _Editor:
    """Applies edits to copies of a network's tables, collecting problems instead of stopping."""

    def __init__(self, net: Corridor):
        self.net = net
        self.nodes: gpd.GeoDataFrame = net.nodes.copy()
        self.links: gpd.GeoDataFrame = net.links.copy()
        self.problems: list[Problem] = []
        self.closed: dict[str, tuple[str, str]] = {}
        self.enabled: dict[str, tuple[str, str]] = {}
        self.touched: dict[str, tuple[str, str]] = {}

    def problem(self, edit: Edit, message: str, field_name: str = "") -> None:
        self.problems.append(Problem(edit.where[0], edit.where[1], field_name, message))

    def run(self, edit: Edit) -> None:
        if edit.op not in OPS:
            self.problem(edit, f"unknown edit {edit.op!r}")
            return
        getattr(self, f"_{edit.op}")(edit)

    # ids ----------------------------------------------------------------------------------------
    def element(self, edit: Edit, text: str) -> tuple[str, str] | None:
        """('link', id) or ('node', id) for a link id or place; a problem when unknown."""
        if text in self.links.index:
            return "link", text
        if text in self.nodes.index:
            return "node", text
        try:
            return "node", self.net.resolve(text)
        except UnknownPlaceError as exc:
            links = _closest(text, self.links.index)
            hint = f" or link {links!r}" if links else ""
            self.problem(edit, f"{exc}{hint}" if exc.suggestions or hint else
                         f"unknown place or link {text!r}")
            return None

    def elements(self, edit: Edit) -> list[tuple[str, str]]:
        found = [self.element(edit, text) for text in edit.ids]
        return [f for f in found if f is not None]

    def table(self, kind: str) -> gpd.GeoDataFrame:
        return self.nodes if kind == "node" else self.links

    def mark(self, store: dict, kind: str, eid: str, edit: Edit) -> None:
        store[f"{kind}:{eid}"] = edit.where

    def contradiction(self, edit: Edit, kind: str, eid: str, action: str) -> None:
        key = f"{kind}:{eid}"
        other = self.closed.get(key) if action != "close" else None
        if other is None and action == "close":
            other = self.enabled.get(key) or self.touched.get(key)
        if other is not None:
            self.problem(edit, f"{action} {eid} contradicts {other[0]}: {other[1]}, which "
                         f"{'closes' if action != 'close' else 'edits or enables'} it")

    # edits --------------------------------------------------------------------------------------
    def _close(self, edit: Edit) -> None:
        for kind, eid in self.elements(edit):
            self.contradiction(edit, kind, eid, "close")
            self.table(kind).loc[eid, "status"] = CLOSED
            self.mark(self.closed, kind, eid, edit)

    def _avoid_countries(self, edit: Edit) -> None:
        present = set(self.nodes["country"])
        for code in edit.ids:
            if code not in present:
                self.problem(edit, f"country {code!r} has no place in this network; present: "
                             f"{', '.join(sorted(present))}")
                continue
            for eid in self.nodes.index[self.nodes["country"] == code]:
                self.contradiction(edit, "node", eid, "close")
                self.nodes.loc[eid, "status"] = CLOSED
                self.mark(self.closed, "node", eid, edit)

    def _enable(self, edit: Edit) -> None:
        for kind, eid in self.elements(edit):
            self.contradiction(edit, kind, eid, "enable")
            status = self.table(kind).at[eid, "status"]
            if status not in ("planned", "under_construction"):
                self.problem(edit, f"{eid} is {status}, not planned or under construction")
                continue
            self.table(kind).loc[eid, "status"] = "operating"
            self.mark(self.enabled, kind, eid, edit)

    def _delay(self, edit: Edit) -> None:
        hours = float(edit.value)
        if hours < 0:
            self.problem(edit, f"hours must be >= 0, got {hours:g}", "hours")
            return
        for kind, eid in self.elements(edit):
            self.contradiction(edit, kind, eid, "delay")
            self.mark(self.touched, kind, eid, edit)
            if kind == "node":
                self._delay_node(edit, eid, hours)
            else:
                self._delay_link(eid, hours)

    def _delay_node(self, edit: Edit, eid: str, hours: float) -> None:
        if not stops_at(self.nodes.at[eid, "kind"]):
            self.problem(edit, f"delay at {eid} has no effect: trains only stop at border, "
                         "gauge_change or port places (delay a link instead)")
            return
        self._add_delay(self.nodes, eid, hours)

    def _delay_link(self, eid: str, hours: float) -> None:
        self._add_delay(self.links, eid, hours)

    @staticmethod
    def _add_delay(frame: gpd.GeoDataFrame, eid: str, hours: float) -> None:
        """Add fixed hours to an element's ``delay_h``, which the time model adds to its dwell or run."""
        if DELAY_COLUMN not in frame.columns:
            frame[DELAY_COLUMN] = 0.0
        frame.loc[eid, DELAY_COLUMN] = _number(frame.at[eid, DELAY_COLUMN], 0.0) + hours

    def _selection(self, edit: Edit, allowed: Mapping[str, tuple]) -> list[tuple[str, list[str]]]:
        attribute = edit.attribute or ""
        kinds = [k for k in ("node", "link") if attribute in allowed[k]]
        if not kinds:
            every = sorted(set(allowed["node"]) | set(allowed["link"]))
            close = _closest(attribute, every)
            self.problem(edit, f"cannot {edit.op} {attribute!r}" + (
                f"; did you mean {close!r}?" if close else f"; expected one of {', '.join(every)}"),
                "attribute")
            return []
        if edit.ids:
            return self._selection_by_ids(edit, kinds)
        if not (edit.country or edit.mode or edit.kind):
            self.problem(edit, "select elements with ids, country, mode or kind")
            return []
        chosen = [(k, self._select(k, edit)) for k in kinds]
        if not any(ids for _, ids in chosen):
            self.problem(edit, "selects nothing (country/mode/kind match no element with "
                         f"{attribute!r})")
        return chosen

    def _selection_by_ids(self, edit: Edit, kinds: list[str]) -> list[tuple[str, list[str]]]:
        chosen: dict[str, list[str]] = {k: [] for k in kinds}
        for kind, eid in self.elements(edit):
            if kind not in chosen:
                self.problem(edit, f"{edit.attribute} is a {' and '.join(kinds)} attribute but "
                             f"{eid} is a {kind}", "attribute")
                continue
            chosen[kind].append(eid)
        return list(chosen.items())

    def _select(self, kind: str, edit: Edit) -> list[str]:
        if kind == "node":
            frame = self.nodes
            mask = pd.Series(edit.mode is None, index=frame.index)
            if edit.country:
                mask &= frame["country"] == edit.country.upper()
            if edit.kind:
                mask &= frame["kind"].map(lambda k: edit.kind in (k or []))
        else:
            frame = self.links
            mask = pd.Series(edit.kind is None, index=frame.index)
            if edit.country:
                country = self.nodes["country"]
                mask &= (frame["from"].map(country) == edit.country.upper()) & (
                    frame["to"].map(country) == edit.country.upper())
            if edit.mode:
                mask &= frame["mode"] == edit.mode
        return list(frame.index[mask])

    def _set(self, edit: Edit) -> None:
        spec = _FIELDS.get(edit.attribute or "")
        if spec is not None and edit.value is not None:
            message = check_field(spec, {spec.name: edit.value})
            if message:
                self.problem(edit, message, "value")
                return
        for kind, ids in self._selection(edit, SETTABLE):
            for eid in ids:
                self.contradiction(edit, kind, eid, "set")
                self.mark(self.touched, kind, eid, edit)
                self.table(kind).loc[eid, edit.attribute] = (
                    float("nan") if edit.value is None else edit.value)

    def _scale(self, edit: Edit) -> None:
        if not float(edit.value) > 0:
            self.problem(edit, f"factor must be > 0, got {edit.value!r}", "factor")
            return
        names = FAMILIES.get(edit.attribute or "", (edit.attribute,))
        for kind, ids in self._selection(edit, SCALABLE):
            table = self.table(kind)
            for eid in ids:
                self.contradiction(edit, kind, eid, "scale")
                self.mark(self.touched, kind, eid, edit)
                for name in names:
                    if name in table.columns:
                        table.loc[eid, name] = table.at[eid, name] * float(edit.value)

    def _add_node(self, edit: Edit) -> None:
        props = dict(edit.value)
        eid = props["id"]
        if eid in self.nodes.index or eid in self.links.index:
            self.problem(edit, f"id {eid!r} already exists", "id")
            return
        lon, lat = props.pop("lon", None), props.pop("lat", None)
        defaults = {"aliases": [], "dwell_h": None, "dwell_min_h": None, "dwell_max_h": None,
                    "capacity_trains_day": None, "reefer_service": False, "reefer_types": [],
                    "status": "operating", "note": ""}
        props = {**defaults, **props}
        if not self._fields_ok(edit, NODE_FIELDS, props):
            return
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)) \
                or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.problem(edit, f"lon/lat ({lon}, {lat}) are not a WGS84 position", "lon")
            return
        row = gpd.GeoDataFrame([{**props, "geometry": Point(lon, lat)}], crs=CRS,
                               index=pd.Index([eid]))
        self.nodes = _append(self.nodes, row)

    def _add_link(self, edit: Edit) -> None:
        props = dict(edit.value)
        eid = props["id"]
        if eid in self.links.index or eid in self.nodes.index:
            self.problem(edit, f"id {eid!r} already exists", "id")
            return
        coords = props.pop("geometry")
        defaults = {"gauge_mm": None, "tracks": None, "electrified": False, "speed_kmh": None,
                    "speed_min_kmh": None, "speed_max_kmh": None, "capacity_trains_day": None,
                    "railway": "", "line": "", "status": "operating", "note": "",
                    "length_source": "estimate", "length_km": round(polyline_km(coords), 1)}
        props = {**defaults, **props}
        fields = LINK_FIELDS + (FERRY_FIELDS if props.get("mode") in WATER_MODES else ())
        if not self._fields_ok(edit, fields, props) or not self._ends_ok(edit, props, coords):
            return
        if props["mode"] == "rail" and (props["gauge_mm"] is None or props["speed_kmh"] is None):
            self.problem(edit, "rail links need gauge_mm and speed_kmh")
            return
        row = gpd.GeoDataFrame([{**props, "geometry": LineString(coords)}], crs=CRS,
                               index=pd.Index([eid]))
        self.links = _append(self.links, row)

    def _fields_ok(self, edit: Edit, fields: Iterable[Field], props: Mapping) -> bool:
        ok = True
        for spec in fields:
            message = check_field(spec, props)
            if message:
                self.problem(edit, message, spec.name)
                ok = False
        if ok and not str(props.get("source", "")).strip():
            self.problem(edit, "empty; name where the numbers come from", "source")
            ok = False
        return ok

    def _ends_ok(self, edit: Edit, props: Mapping, coords: list) -> bool:
        ok = True
        for end, coord in (("from", coords[0]), ("to", coords[-1])):
            if props[end] not in self.nodes.index:
                close = _closest(props[end], self.nodes.index)
                self.problem(edit, f"{props[end]!r} is not a node id" +
                             (f"; did you mean {close!r}?" if close else ""), end)
                ok = False
                continue
            point = self.nodes.at[props[end], "geometry"]
            gap = distance_km(coord[0], coord[1], point.x, point.y)
            if gap > ENDPOINT_TOLERANCE_KM:
                self.problem(edit, f"geometry {'starts' if end == 'from' else 'ends'} {gap:.1f} km "
                             f"from {props[end]!r}; expected within {ENDPOINT_TOLERANCE_KM:g} km",
                             "geometry")
                ok = False
        return ok

    def _demand(self, edit: Edit) -> None:
        for end in ("origin", "destination"):
            place = edit.value.get(end, "*")
            if place != "*":
                self.element(replace(edit, ids=(place,)), place)
        if edit.value.get("factor", 1.0) < 0 or edit.value.get("trains_day", 0.0) < 0:
            self.problem(edit, "demand must be >= 0")

    def _close_passage(self, edit: Edit) -> None:
        """No change to the network: ``corridor.modes`` drops the passage's sea options."""
        for passage in edit.ids:
            message = passage_problem(passage)
            if message:
                self.problem(edit, message, "passage")

    def _scale_tariff(self, edit: Edit) -> None:
        """No change to the network: ``corridor.modes`` scales the tariff tables it reads."""
        change = edit.value if isinstance(edit.value, Mapping) else {}
        message = tariff_problem(change.get("table"), change.get("kind"))
        if message:
            self.problem(edit, message, "kind")
        factor = change.get("factor")
        if not (isinstance(factor, int | float) and math.isfinite(factor) and factor > 0):
            self.problem(edit, f"factor must be a finite number > 0, got {factor!r}", "factor")

    # whole-scenario checks ----------------------------------------------------------------------
    def check_result(self, edits: Sequence[Edit]) -> None:
        """Contradictions visible only at the end: enabled links with unusable ends, and
        enabled handling places without a dwell time."""
        for key, where in self.enabled.items():
            kind, eid = key.split(":", 1)
            if kind == "link":
                for end in ("from", "to"):
                    node = self.links.at[eid, end]
                    status = self.nodes.at[node, "status"]
                    if status != "operating":
                        self.problems.append(Problem(
                            where[0], where[1], "",
                            f"enables link {eid} but its end {node} is {status}; enable {node} too"))
            elif stops_at(self.nodes.at[eid, "kind"]) and math.isnan(
                    _number(self.nodes.at[eid, "dwell_h"], float("nan"))):
                self.problems.append(Problem(
                    where[0], where[1], "",
                    f"enables {eid} ({', '.join(self.nodes.at[eid, 'kind'])}) without a dwell "
                    "time; set its dwell_h (and dwell_min_h, dwell_max_h) too"))


def _append(frame: gpd.GeoDataFrame, row: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    row = row.reindex(columns=frame.columns)
    row["id"] = row.index
    return gpd.GeoDataFrame(pd.concat([frame, row]), crs=frame.crs)


_number = number_or
