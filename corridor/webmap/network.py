"""The network map: links by gauge and mode, nodes by kind, with popups, legend and layer control."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins

from corridor.datafiles import is_missing
from corridor.webmap.base import (
    PlaceSearch,
    attribute_table,
    badge_icon,
    base_map,
    dot_swatch,
    esc,
    finish,
    fmt,
    icon_swatch,
    latlon,
    legend,
    line_swatch,
    popup,
    tooltip,
)

if TYPE_CHECKING:
    import pandas as pd

    from corridor.network import Corridor

GAUGE_STYLES: dict[int, tuple[str, str]] = {
    1520: ("#c62828", "Rail · 1520 mm (Russian gauge)"),
    1435: ("#1565c0", "Rail · 1435 mm (standard gauge)"),
    1668: ("#6a1b9a", "Rail · 1668 mm (Iberian gauge)"),
    1067: ("#ef6c00", "Rail · 1067 mm"),
    1000: ("#558b2f", "Rail · 1000 mm (metre gauge)"),
}
WATER_STYLES: dict[str, tuple[str, str]] = {
    "ferry": ("#00838f", "Rail ferry"),
    "sea": ("#2e7d32", "Sea feeder"),
}
WATER_DASH = "10 8"
PLANNED_COLOR = "#757575"
PLANNED_DASH = "2 7"
PLANNED_LAYER = "Planned & under construction"

#: node kinds in order of precedence: a node shows as the first of its kinds found here
NODE_KINDS: dict[str, tuple[str, str, str, str]] = {
    # kind: (layer name, Font Awesome icon, marker colour, swatch colour)
    "gauge_change": ("Gauge-change stations", "right-left", "orange", "#f69730"),
    "border": ("Border crossings", "flag", "red", "#d63e2a"),
    "port": ("Ports", "ship", "cadetblue", "#436978"),
    "coldchain": ("Cold-chain hubs", "snowflake", "darkblue", "#0067a3"),
    "terminal": ("Terminals", "train", "blue", "#1976d2"),
    "junction": ("Junctions", "circle", "gray", "#575757"),
}

_LINK_FIELDS = [
    ("id", "id", None), ("line", "line", None), ("railway", "railway", None),
    ("mode", "mode", None), ("gauge", "gauge_mm", "mm"), ("length", "length_km", "km"),
    ("tracks", "tracks", None), ("electrified", "electrified", None),
    ("capacity", "capacity_trains_day", "trains/day"), ("status", "status", None),
    ("sailing", "sailing_h", "h"), ("headway", "headway_h", "h"),
    ("worst headway", "headway_max_h", "h"),
]
_NODE_FIELDS = [
    ("id", "id", None), ("country", "country", None), ("kind", "kind", None),
    ("dwell", "dwell_h", "h"), ("dwell range", None, None),
    ("capacity", "capacity_trains_day", "trains/day"), ("reefer service", "reefer_service", None),
    ("reefer types", "reefer_types", None), ("status", "status", None),
    ("aliases", "aliases", None),
]


def primary_kind(kinds: Any) -> str:
    """The kind a node is drawn as (gauge change before border before port … before junction)."""
    kinds = list(kinds or [])
    return next((k for k in NODE_KINDS if k in kinds), "junction")


def link_style(row: pd.Series | dict, width_by: str = "tracks") -> dict[str, Any]:
    """Colour, weight and dash of a link (gauge and mode, width by tracks or capacity)."""
    planned = row["status"] != "operating"
    if row["mode"] in WATER_STYLES:
        color, dash = WATER_STYLES[row["mode"]][0], WATER_DASH
    else:
        color, dash = GAUGE_STYLES.get(_int(row["gauge_mm"]), ("#424242", ""))[0], None
    if planned:
        color, dash = PLANNED_COLOR, PLANNED_DASH
    return {"color": color, "weight": link_weight(row, width_by), "dash_array": dash,
            "opacity": 0.65 if planned else 0.9}


def link_weight(row: pd.Series | dict, width_by: str = "tracks") -> float:
    """Line width in pixels: 2 per track (1–4), or 1.5 + capacity/20 trains a day (capped at 8)."""
    if width_by == "capacity":
        capacity = row.get("capacity_trains_day")
        return 2.0 if is_missing(capacity) else min(8.0, 1.5 + float(capacity) / 20.0)
    tracks = row.get("tracks")
    return 2.0 if is_missing(tracks) else 1.0 + 1.5 * float(tracks)


def link_layer_name(row: pd.Series | dict) -> str:
    """The layer a link belongs to: planned, its water mode, or its rail gauge."""
    if row["status"] != "operating":
        return PLANNED_LAYER
    if row["mode"] in WATER_STYLES:
        return WATER_STYLES[row["mode"]][1]
    gauge = _int(row["gauge_mm"])
    return GAUGE_STYLES.get(gauge, ("", f"Rail · {gauge} mm"))[1]


def link_popup_html(net: Corridor, link_id: str, row: pd.Series | dict) -> str:
    """Attribute table of a link, with its ends, speeds, source and note."""
    names = net.nodes["name"]
    rows: list[tuple[str, Any]] = [
        ("from → to", f"{names.get(row['from'], row['from'])} → {names.get(row['to'], row['to'])}"),
    ]
    for label, column, unit in _LINK_FIELDS:
        value = row.get(column)
        if is_missing(value) or value == "":
            continue
        rows.append((label, fmt(value, 1, unit) if unit or isinstance(value, bool) else value))
    if not is_missing(row.get("speed_kmh")):
        rows.append(("speed", _range_text(row.get("speed_kmh"), row.get("speed_min_kmh"),
                                          row.get("speed_max_kmh"), "km/h")))
    rows += [("source", row.get("source")), ("note", row.get("note"))]
    return attribute_table(rows, title=row.get("line") or link_id)


def node_popup_html(node_id: str, row: pd.Series | dict) -> str:
    """Attribute table of a node, with its source and note."""
    rows: list[tuple[str, Any]] = []
    for label, column, unit in _NODE_FIELDS:
        if column is None:
            if not is_missing(row.get("dwell_min_h")):
                rows.append((label, _range_text(None, row.get("dwell_min_h"),
                                                row.get("dwell_max_h"), "h")))
            continue
        value = row.get(column)
        if is_missing(value) or value == "" or (isinstance(value, list) and not value):
            continue
        rows.append((label, fmt(value, 1, unit) if unit or isinstance(value, bool) else value))
    rows += [("source", row.get("source")), ("note", row.get("note"))]
    return attribute_table(rows, title=row.get("name") or node_id)


def node_marker(node_id: str, row: pd.Series | dict, with_popup: bool = True) -> folium.Marker:
    """A marker for a node: an icon by kind (a small circle for junctions)."""
    kind = primary_kind(row["kind"])
    planned = row["status"] != "operating"
    location = [round(row["geometry"].y, 5), round(row["geometry"].x, 5)]
    label = f"{row['name']} ({', '.join(row['kind'] or [])}{', ' + row['status'] if planned else ''})"
    pop = popup(node_popup_html(node_id, row), 420) if with_popup else None
    if kind == "junction":
        return folium.CircleMarker(
            location, radius=4, color="#333333", weight=1, fill=True,
            fill_color=PLANNED_COLOR if planned else "#ffffff", fill_opacity=0.9,
            popup=pop, tooltip=tooltip(label), class_name="corridor-node corridor-junction",
        )
    _layer, icon, _color, swatch = NODE_KINDS[kind]
    size = 16 if kind == "terminal" else 20
    return folium.Marker(
        location, popup=pop, tooltip=tooltip(label),
        icon=badge_icon(icon, PLANNED_COLOR if planned else swatch, size,
                        f"corridor-node corridor-{kind.replace('_', '-')}"),
    )


def network_map(net: Corridor, width_by: str = "tracks", title: str | None = None) -> folium.Map:
    """The whole network: links by gauge and mode, nodes by kind, planned elements apart.

    Parameters
    ----------
    net : Corridor
    width_by : {"tracks", "capacity"}
        What the line width shows.
    title : str, optional
        Heading of the legend (the network's name by default).

    Returns
    -------
    folium.Map
    """
    m = base_map(net.links.total_bounds)
    add_network_layers(m, net, width_by)
    add_place_search(m, net)
    legend_entries = _legend_entries(net)
    legend(title or f"corridor · {net.name}", legend_entries).add_to(m)
    return finish(m)


def add_network_layers(m: folium.Map, net: Corridor, width_by: str = "tracks") -> None:
    """Add link layers (by gauge / mode / planned) and node layers (by kind) to ``m``."""
    groups: dict[str, folium.FeatureGroup] = {}

    def group(name: str) -> folium.FeatureGroup:
        if name not in groups:
            groups[name] = folium.FeatureGroup(name=esc(name))
        return groups[name]

    for link_id, row in net.links.iterrows():
        style = link_style(row, width_by)
        folium.PolyLine(
            latlon(row.geometry.coords), **style,
            popup=popup(link_popup_html(net, link_id, row)),
            tooltip=tooltip(_link_label(net, row)),
            class_name=f"corridor-link corridor-{_css(link_layer_name(row))} corridor-id-{_css(link_id)}",
        ).add_to(group(link_layer_name(row)))
    for node_id, row in net.nodes.iterrows():
        name = PLANNED_LAYER if row["status"] != "operating" else NODE_KINDS[primary_kind(row["kind"])][0]
        node_marker(node_id, row).add_to(group(name))
    for name in _layer_order(groups):
        groups[name].add_to(m)


def add_place_search(m: folium.Map, net: Corridor) -> None:
    """A place search over node names; picking one zooms there and opens its popup."""
    places = {row["name"]: (row.geometry.y, row.geometry.x) for _id, row in net.nodes.iterrows()}
    PlaceSearch(places).add_to(m)


def _legend_entries(net: Corridor) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    gauges = {_int(g) for g in net.links.loc[net.links["mode"] == "rail", "gauge_mm"].dropna()}
    for gauge, (color, label) in GAUGE_STYLES.items():
        if gauge in gauges:
            entries.append((line_swatch(color), label))
    for mode, (color, label) in WATER_STYLES.items():
        if (net.links["mode"] == mode).any():
            entries.append((line_swatch(color, WATER_DASH), f"{label} (dashed)"))
    if (net.links["status"] != "operating").any() or (net.nodes["status"] != "operating").any():
        entries.append((line_swatch(PLANNED_COLOR, PLANNED_DASH), f"{PLANNED_LAYER} (dotted grey)"))
    entries.append(("<span style='width:28px'></span>", "line width: number of tracks"))
    kinds = {primary_kind(k) for k in net.nodes["kind"]}
    for kind, (label, icon, _color, swatch) in NODE_KINDS.items():
        if kind in kinds:
            sample = dot_swatch("#ffffff", 8) if kind == "junction" else icon_swatch(icon, swatch)
            entries.append((sample, label))
    return entries


def _layer_order(groups: dict[str, Any]) -> list[str]:
    order = [label for _c, label in GAUGE_STYLES.values()] + [
        label for _c, label in WATER_STYLES.values()
    ] + [PLANNED_LAYER] + [layer for layer, *_ in reversed(NODE_KINDS.values())]
    return sorted(groups, key=lambda n: order.index(n) if n in order else len(order))


def _link_label(net: Corridor, row: pd.Series) -> str:
    names = net.nodes["name"]
    gauge = f", {_int(row['gauge_mm'])} mm" if not is_missing(row["gauge_mm"]) else ""
    status = f", {row['status']}" if row["status"] != "operating" else ""
    return (f"{names.get(row['from'], row['from'])} – {names.get(row['to'], row['to'])}: "
            f"{row['mode']}{gauge}, {row['length_km']:,.0f} km{status}")


def _range_text(mean: Any, lo: Any, hi: Any, unit: str) -> str:
    parts = [] if is_missing(mean) else [fmt(mean, 0)]
    if not is_missing(lo) and not is_missing(hi):
        parts.append(f"({fmt(lo, 0)}–{fmt(hi, 0)})")
    return " ".join([*parts, unit])


def _css(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")



def _int(value: Any) -> int | None:
    return None if is_missing(value) else int(value)
