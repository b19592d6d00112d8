"""Maps of the analyses: bottlenecks (utilization, min cut, N-1 ranking), cold-chain reach, what-ifs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import branca.colormap
import folium
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString

from corridor.datafiles import is_missing
from corridor.errors import CorridorError
from corridor.limits import check_band_days
from corridor.webmap.base import (
    Markup,
    attribute_table,
    badge_icon,
    base_map,
    data_table,
    dot_swatch,
    esc,
    finish,
    fmt,
    icon_swatch,
    latlon,
    legend,
    line_swatch,
    popup,
    scroll_box,
    tooltip,
)
from corridor.webmap.routes import add_context_layer, route_summary_html

if TYPE_CHECKING:
    from corridor.network import Corridor
    from corridor.scenarios.compare import WhatIf

UTILIZATION_COLORS = ("#1a9850", "#fee08b", "#f46d43", "#a50026")
NO_CAPACITY_COLOR = "#607d8b"
CUT_COLOR = "#000000"
QUEUE_COLOR = "#d500f9"
UNREACHABLE_COLOR = "#757575"  # outline of the hollow marker of a place a load cannot reach
#: reach scales: every step and every blend between two steps is saturated, so no reachable place
#: looks like the hollow grey marker of an unreachable one (a light blue → orange blend passes
#: through grey; blue → teal → gold → orange → red does not)
ARRIVAL_COLORS = ["#2166ac", "#1b9e77", "#e6ab02", "#d95f02", "#b2182b"]
SHELF_LIFE_COLORS = ["#b2182b", "#e6ab02", "#1a9850"]
REASONS = {
    "shelf_life": "too little shelf life left on arrival",
    "power": "reefer power would run out between service points",
    "no_route": "no route",
    "freezing": "ambient cold would injure the cargo",
}
BASE_COLOR, SCENARIO_COLOR, CHANGED_COLOR = "#1e88e5", "#e53935", "#ff6f00"
_METRIC_CRS = "EPSG:3857"


# -- bottlenecks -----------------------------------------------------------------------------------

def utilization_colormap(vmax: float = 1.5) -> branca.colormap.LinearColormap:
    """Green (idle) → yellow → red (at capacity) → dark red (over capacity) for flow / capacity."""
    scale = branca.colormap.LinearColormap(UTILIZATION_COLORS, index=[0.0, 0.6, 1.0, vmax],
                                           vmin=0.0, vmax=vmax)
    scale.caption = "utilization (flow / capacity), 1.0 = at capacity"
    return scale


def bottleneck_map(net: Corridor, assignment: Any, cut: Any, ranking: Any,
                   top: int = 15) -> folium.Map:
    """Flows against capacity, queues in days and trains, the minimum cut and the N-1 ranking.

    A presenter: it draws the results it is given and computes none of them.

    Parameters
    ----------
    net : Corridor
    assignment : corridor.bottlenecks.Assignment
    cut : corridor.bottlenecks.MinCut
    ranking : corridor.bottlenecks.Criticality or GeoDataFrame
        From :func:`corridor.bottlenecks.criticality` (its ``ranking`` frame is used).
    top : int
        Ranked elements marked on the map and listed in the ranking popup.
    """
    if assignment is None or cut is None or ranking is None:
        raise CorridorError("bottleneck_map draws an assignment, a min cut and an N-1 ranking; "
                            "compute them with corridor.bottlenecks first")
    frame = getattr(ranking, "ranking", ranking)
    flow = getattr(ranking, "flow", "china-europe")
    elements = assignment.elements
    scale = utilization_colormap(1.0)
    m = base_map(net.links.total_bounds)
    add_context_layer(m, net)
    max_flow = max(1.0, float(elements["demand_trains_day"].max()))
    _flow_layers(m, elements, scale, max_flow, assignment.horizon_days)
    _cut_layer(m, cut)
    _ranking_layer(m, frame.head(top), flow)
    scale.add_to(m)
    legend(f"Bottlenecks: queues over a {assignment.horizon_days:g}-day horizon", [
        (line_swatch(UTILIZATION_COLORS[2], width=5), "link with a capacity: colour = carried / capacity"),
        (line_swatch(NO_CAPACITY_COLOR), "link without a capacity: width = trains/day"),
        (dot_swatch(UTILIZATION_COLORS[3]), "node with a capacity (size = trains/day arriving)"),
        (f"<span style='display:inline-block;width:14px;height:14px;border-radius:50%;"
         f"border:3px solid {QUEUE_COLOR}'></span>",
         f"queue: more trains arrive than pass ({assignment.unserved_trains_day:.1f} trains/day "
         f"unserved within {assignment.horizon_days:g} days)"),
        (f"<span style='display:inline-block;width:14px;height:14px;border-radius:50%;"
         f"border:3px dashed {CUT_COLOR}'></span>",
         f"minimum cut: {cut.capacity_trains_day:,.0f} trains/day China → Europe at most"),
        (icon_swatch("triangle-exclamation", "#6a1b9a"),
         f"N-1 rank by {esc(flow)} volume affected (click for the list)"),
    ]).add_to(m)
    return finish(m)


def _flow_layers(m: folium.Map, elements: gpd.GeoDataFrame, scale, max_flow: float,
                 horizon_days: float) -> None:
    links = folium.FeatureGroup(name="Link flows and utilization")
    nodes = folium.FeatureGroup(name="Node capacity, queues and backlogs")
    for _eid, row in elements.iterrows():
        flow, capacity = float(row["demand_trains_day"]), row["capacity_trains_day"]
        limited = not is_missing(capacity)
        color = scale(min(float(row["utilization"]), scale.vmax)) if limited else NO_CAPACITY_COLOR
        text = _flow_text(row, horizon_days)
        if row["type"] == "link":
            if flow <= 0 and not limited:
                continue
            folium.PolyLine(
                latlon(row.geometry.coords), color=color,
                weight=2 + 8 * math.sqrt(flow / max_flow) if not limited else 6,
                opacity=0.9, tooltip=tooltip(text),
                popup=popup(attribute_table(_flow_rows(row, horizon_days), title=row["name"]), 380),
                class_name="corridor-flow corridor-flow-link",
            ).add_to(links)
        elif limited:
            queued = float(row["queued_trains_day"]) > 0
            folium.CircleMarker(
                [round(row.geometry.y, 5), round(row.geometry.x, 5)],
                radius=6 + 10 * math.sqrt(flow / max_flow),
                color=QUEUE_COLOR if queued else "#212121", weight=4 if queued else 1, fill=True,
                fill_color=color, fill_opacity=0.9, tooltip=tooltip(text),
                popup=popup(attribute_table(_flow_rows(row, horizon_days), title=row["name"]), 380),
                class_name="corridor-flow corridor-flow-node",
            ).add_to(nodes)
    links.add_to(m)
    nodes.add_to(m)


def _flow_text(row: pd.Series, horizon_days: float) -> str:
    capacity = row["capacity_trains_day"]
    if is_missing(capacity):
        return f"{row['name']}: {row['flow_trains_day']:.1f} trains/day (no capacity limit recorded)"
    text = (f"{row['name']}: {row['flow_trains_day']:.1f} of {capacity:g} trains/day carried "
            f"({100 * row['utilization']:.0f} %), mean wait {row['wait_days']:.1f} days")
    if row["queued_trains_day"] > 0:
        text += (f"; {row['demand_trains_day']:.1f}/day arrive, backlog after {horizon_days:g} days "
                 f"{row['backlog_trains']:.0f} trains ({row['backlog_days']:.1f} days)")
    return text


def _flow_rows(row: pd.Series, horizon_days: float) -> list[tuple[str, Any]]:
    return [("element", f"{row['type']} {row['id']}"),
            ("arriving", fmt(row["demand_trains_day"], 1, "trains/day")),
            ("carried", fmt(row["flow_trains_day"], 1, "trains/day")),
            ("capacity", fmt(row["capacity_trains_day"], 0, "trains/day")),
            ("utilization", "–" if is_missing(row["utilization"]) else f"{100 * row['utilization']:.0f} %"),
            ("mean wait", fmt(row["wait_days"], 2, "days per train")),
            ("queue growth", fmt(row["queued_trains_day"], 1, "trains/day")),
            (f"backlog after {horizon_days:g} days", fmt(row["backlog_trains"], 0, "trains")),
            ("backlog", fmt(row["backlog_days"], 1, "days of work")),
            ("unserved (held here)", fmt(row["unserved_trains_day"], 1, "trains/day"))]


def _cut_layer(m: folium.Map, cut: Any) -> None:
    group = folium.FeatureGroup(name=esc(f"Minimum cut ({cut.capacity_trains_day:,.0f} trains/day)"))
    body = data_table(["element", "name", "capacity trains/day"],
                      [(f"{r['type']} {r['id']}", r["name"], Markup(fmt(r["capacity_trains_day"], 0)))
                       for _i, r in cut.elements.iterrows()], numeric={2})
    html = (f"<h4 style='margin:0 0 6px 0'>Minimum cut: {cut.capacity_trains_day:,.0f} trains/day</h4>"
            f"<p style='margin:0 0 6px 0'>No more trains a day can get from the Chinese origins to "
            f"the European destinations than these elements pass together.</p>{body}")
    for _i, row in cut.elements.iterrows():
        text = f"minimum cut: {row['name']} ({fmt(row['capacity_trains_day'], 0)} trains/day)"
        if row.geometry.geom_type == "Point":
            folium.CircleMarker([round(row.geometry.y, 5), round(row.geometry.x, 5)], radius=20,
                                color=CUT_COLOR, weight=3, dash_array="6 4", fill=False,
                                tooltip=tooltip(text), popup=popup(html, 420),
                                class_name="corridor-cut").add_to(group)
        else:
            folium.PolyLine(latlon(row.geometry.coords), color=CUT_COLOR, weight=12, opacity=0.5,
                            dash_array="6 4", tooltip=tooltip(text), popup=popup(html, 420),
                            class_name="corridor-cut").add_to(group)
    group.add_to(m)


def _ranking_layer(m: folium.Map, ranking: gpd.GeoDataFrame, flow: str) -> None:
    group = folium.FeatureGroup(name=esc(f"N-1 criticality ranking ({flow})"))
    table = ranking_html(ranking, flow)
    for _i, row in ranking.iterrows():
        point = row.geometry
        if point.geom_type != "Point":
            point = point.interpolate(0.5, normalized=True)
        folium.Marker(
            [round(point.y, 5), round(point.x, 5)],
            tooltip=tooltip(f"#{row['rank']} if closed: {row['name']} "
                            f"({row['teu_day_lost']:,.0f} TEU/day lost, "
                            f"{row['rerouted_trains_day']:.1f} trains/day rerouted)"),
            popup=popup(table, 640),
            icon=folium.DivIcon(
                html=(f"<div style='width:22px;height:22px;border-radius:4px;background:#6a1b9a;"
                      f"color:#fff;font:bold 11px/22px sans-serif;text-align:center;"
                      f"border:1px solid #fff'>{int(row['rank'])}</div>"),
                icon_size=(22, 22), icon_anchor=(11, 11), class_name="corridor-rank"),
            # Leaflet stacks markers by screen position; a wide offset keeps the most critical on top
            z_index_offset=(len(ranking) - int(row["rank"]) + 1) * 1000,
        ).add_to(group)
    group.add_to(m)


def ranking_html(ranking: gpd.GeoDataFrame, flow: str = "china-europe") -> str:
    """The N-1 ranking as a table: what closing each element costs, in TEU, trains and days."""
    rows = [(int(r["rank"]), f"{r['type']} {r['name']}", Markup(fmt(r["teu_day_lost"], 0)),
             Markup(fmt(r["rerouted_trains_day"], 1)), Markup(fmt(r["extra_days_mean"], 1)),
             Markup(fmt(r["extra_days_worst"], 1)), r.get("new_binding", ""), r.get("detour", ""))
            for _i, r in ranking.iterrows()]
    body = data_table(["#", "closed element", "TEU/day lost", "rerouted trains/day",
                       "extra days mean", "worst", "new binding", "largest detour"],
                      rows, numeric={0, 2, 3, 4, 5})
    return (f"<h4 style='margin:0 0 6px 0'>N-1: closures ranked by {esc(flow)} volume affected</h4>"
            + scroll_box(body, 300))


# -- cold-chain reach --------------------------------------------------------------------------------

def reach_map(net: Corridor, result: gpd.GeoDataFrame, band_days: float = 3.0,
              color_by: str = "arrival", title: str | None = None) -> folium.Map:
    """Where a perishable commodity can go: arrival days, shelf life left, isochrone bands.

    Parameters
    ----------
    net : Corridor
    result : GeoDataFrame
        From :func:`corridor.coldchain.reach`.
    band_days : float
        Width of the isochrone bands in days.
    color_by : {"arrival", "shelf_life"}
        What the colour of reachable places shows (links and bands always show arrival days).
    title : str, optional
        Legend heading (built from the query by default).
    """
    check_band_days(band_days)
    if band_days <= 0:
        raise CorridorError(f"band_days must be > 0, got {band_days}")
    if color_by not in ("arrival", "shelf_life"):
        raise CorridorError(f"color_by must be arrival or shelf_life, got {color_by!r}")
    reachable = result[result["reachable"].astype(bool)]
    horizon = max(band_days, float(reachable["arrival_days"].max()) if len(reachable) else band_days)
    scale = branca.colormap.LinearColormap(ARRIVAL_COLORS,
                                           vmin=0.0, vmax=horizon)
    reverse = bool(result.attrs.get("reverse"))
    scale.caption = ("days from each origin to the market" if reverse
                     else "arrival (days after departure)")
    m = base_map(net.links.total_bounds)
    add_context_layer(m, net)
    _band_layer(m, net, reachable, scale, band_days, horizon)
    _reach_links(m, net, reachable, scale)
    node_scale = scale if color_by == "arrival" else shelf_life_colormap(result)
    _reach_nodes(m, reachable, result, node_scale, color_by)
    _reefer_layer(m, net)
    scale.add_to(m)
    if node_scale is not scale:
        node_scale.add_to(m)
    query = result.attrs
    heading = title or (
        f"Where {query.get('commodity', '?')} for {_name(net, query.get('origin'))} can come from, "
        f"month {query.get('month', '?')}" if reverse else
        f"Reach of {query.get('commodity', '?')} from {_name(net, query.get('origin'))}, "
        f"month {query.get('month', '?')}")
    legend(heading, [
        (dot_swatch("#2166ac"), "reachable: colour = " + (
            "arrival day" if color_by == "arrival" else "shelf life left on arrival")),
        ("<span style='display:inline-block;width:10px;height:10px;border-radius:50%;"
         f"background:#fff;border:2px dashed {UNREACHABLE_COLOR}'></span>",
         "not reachable (hover for the reason)"),
        ("<span style='display:inline-block;width:20px;height:12px;background:#67a9cf;"
         "opacity:.5'></span>", f"isochrone bands of {band_days:g} days"),
        (icon_swatch("snowflake", "#0067a3"), "reefer service (plug-in power / cold store)"),
    ]).add_to(m)
    return finish(m)


def _band_layer(m: folium.Map, net: Corridor, reachable: gpd.GeoDataFrame, scale, band_days: float,
                horizon: float) -> None:
    group = folium.FeatureGroup(name=esc(f"Isochrone bands ({band_days:g} days)"))
    arrival = reachable["arrival_days"]
    segments = _reach_segments(net, reachable)
    edges = [band_days * k for k in range(1, math.ceil(horizon / band_days) + 1)]
    for upper in reversed(edges):
        parts = [g for g in reachable.geometry[arrival <= upper]]
        parts += [geom for geom, day in segments if day <= upper]
        if not parts:
            continue
        shape = _buffer_km(parts, 90.0)
        folium.GeoJson(
            {"type": "Feature", "properties": {},
             "geometry": shapely.geometry.mapping(shape)},
            style_function=_fixed_style(scale(min(upper, horizon))),
            tooltip=tooltip(f"reached within {upper:g} days"), control=False,
        ).add_to(group)
    group.add_to(m)


def _fixed_style(color: str):
    def style(_feature: dict) -> dict:
        return {"color": color, "weight": 0.5, "fillColor": color, "fillOpacity": 0.18}

    return style


def _buffer_km(geometries: list, km: float):
    frame = gpd.GeoSeries(geometries, crs="EPSG:4326").to_crs(_METRIC_CRS)
    merged = shapely.union_all(frame.buffer(km * 1000.0 * 1.4, quad_segs=4).to_numpy())
    back = gpd.GeoSeries([merged], crs=_METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    return shapely.set_precision(back.simplify(0.05), 0.001)


def _reach_segments(net: Corridor, reachable: gpd.GeoDataFrame) -> list[tuple[LineString, float]]:
    """Link geometries on the paths to reachable places, with the arrival day at their far end."""
    arrival = reachable["arrival_days"].to_dict()
    seen: dict[str, float] = {}
    for _node, row in reachable.iterrows():
        path, links = list(row["path"] or []), list(row["links"] or [])
        for i, link_id in enumerate(links):
            end = path[i + 1] if i + 1 < len(path) else row["node"]
            day = arrival.get(end, row["arrival_days"])
            seen[link_id] = min(seen.get(link_id, math.inf), float(day))
    return [(net.links.geometry[link_id], day) for link_id, day in seen.items()
            if link_id in net.links.index]


def _reach_links(m: folium.Map, net: Corridor, reachable: gpd.GeoDataFrame, scale) -> None:
    group = folium.FeatureGroup(name="Links on the way (arrival day)")
    for geometry, day in _reach_segments(net, reachable):
        folium.PolyLine(latlon(geometry.coords), color=scale(day), weight=4, opacity=0.9,
                        tooltip=tooltip(f"reached after {day:.1f} days"),
                        class_name="corridor-reach-link").add_to(group)
    group.add_to(m)


def shelf_life_colormap(result: gpd.GeoDataFrame) -> branca.colormap.LinearColormap:
    """Red (little shelf life left) → green (plenty) for remaining shelf life in days."""
    top = float(result.attrs.get("shelf_life_days") or result["remaining_shelf_life_days"].max() or 1.0)
    scale = branca.colormap.LinearColormap(SHELF_LIFE_COLORS, vmin=0.0, vmax=top)
    scale.caption = "shelf life left on arrival (days)"
    return scale


def _reach_nodes(m: folium.Map, reachable: gpd.GeoDataFrame, result: gpd.GeoDataFrame, scale,
                 color_by: str = "arrival") -> None:
    ok = folium.FeatureGroup(name=esc(f"Reachable places ({len(reachable)})"))
    unreachable = result[~result["reachable"].astype(bool)]
    no = folium.FeatureGroup(name=esc(f"Not reachable ({len(unreachable)})"))
    for _node, row in result.iterrows():
        point = [round(row.geometry.y, 5), round(row.geometry.x, 5)]
        if bool(row["reachable"]):
            text = (f"{row['name']}: {row['arrival_days']:.1f} days (P90 {row['p90_days']:.1f}), "
                    f"{row['remaining_shelf_life_days']:.0f} days of shelf life left")
            folium.CircleMarker(point, radius=6, color="#212121", weight=1, fill=True,
                                fill_color=scale(float(row["arrival_days"] if color_by == "arrival"
                                                       else row["remaining_shelf_life_days"])),
                                fill_opacity=0.95,
                                tooltip=tooltip(text), popup=popup(_reach_popup(row), 380),
                                class_name="corridor-reach-node").add_to(ok)
        else:
            reason = REASONS.get(row["reason"], row["reason"] or "not reachable")
            folium.CircleMarker(point, radius=5, color=UNREACHABLE_COLOR, weight=2,
                                dash_array="3 2", fill=True, fill_color="#ffffff", fill_opacity=0.9,
                                tooltip=tooltip(f"{row['name']}: not reachable — {reason}"),
                                popup=popup(_reach_popup(row), 380),
                                class_name="corridor-unreachable").add_to(no)
    ok.add_to(m)
    no.add_to(m)


def _reach_popup(row: pd.Series) -> str:
    rows = [("reachable", "yes" if bool(row["reachable"]) else "no"),
            ("arrival", fmt(row["arrival_days"], 1, "days")), ("P90", fmt(row["p90_days"], 1, "days")),
            ("shelf life left", fmt(row["remaining_shelf_life_days"], 1, "days")),
            ("reason", REASONS.get(row["reason"], row["reason"]) if row["reason"] else "–"),
            ("path", " → ".join(row["path"] or []) or "–")]
    failed, after = row.get("failed_at_name"), row.get("failed_after_h")
    if failed and after == after:  # where and when the load failed on its best route
        rows.insert(5, ("failed at", f"{failed}, {after:.0f} h into the journey"))
    for extra in ("unpowered_hours", "ambient_c"):
        if extra in row.index:
            rows.append((extra.replace("_", " "), fmt(row[extra], 1)))
    return attribute_table(rows, title=row["name"])


def _reefer_layer(m: folium.Map, net: Corridor) -> None:
    group = folium.FeatureGroup(name="Reefer service")
    served = net.nodes[net.nodes["reefer_service"].astype(bool)]
    for _node_id, row in served.iterrows():
        kinds = ", ".join(row["reefer_types"] or [])
        folium.Marker([round(row.geometry.y, 5), round(row.geometry.x, 5)],
                      tooltip=tooltip(f"{row['name']}: reefer service ({kinds})"),
                      icon=badge_icon("snowflake", "#0067a3", 18, "corridor-reefer")).add_to(group)
    group.add_to(m)


# -- what-if ---------------------------------------------------------------------------------------

def whatif_map(result: WhatIf, title: str | None = None) -> folium.Map:
    """Baseline and scenario routes together, the scenario's edits highlighted, deltas in popups.

    Parameters
    ----------
    result : corridor.scenarios.compare.WhatIf
        From :func:`corridor.scenarios.compare.whatif`: both networks, the routes of each pair
        before and after, and the changed elements. The map draws them and computes nothing.
    title : str, optional
        Legend title; ``What-if: <scenario name>`` by default.
    """
    base, network, scenario, changes = result.base, result.variant, result.scenario, result.changes
    m = base_map(base.links.total_bounds)
    add_context_layer(m, base)
    baseline = folium.FeatureGroup(name="Baseline routes")
    variant_group = folium.FeatureGroup(name="Scenario routes")
    for origin, destination, before, after in result.pairs:
        html = _delta_html(base, network, origin, destination, before, after)
        label = f"{_name(base, origin)} → {_name(base, destination)}"
        for r, group, color, weight, dash, cls in (
                (before, baseline, BASE_COLOR, 7, None, "corridor-whatif-base"),
                (after, variant_group, SCENARIO_COLOR, 3.5, "8 6", "corridor-whatif-scenario")):
            if r is not None and r.geometry is not None:
                folium.PolyLine(latlon(r.geometry.coords), color=color, weight=weight, opacity=0.8,
                                dash_array=dash, popup=popup(html), tooltip=tooltip(_delta_text(
                                    label, before, after)), class_name=cls).add_to(group)
    baseline.add_to(m)
    variant_group.add_to(m)
    _changes_layer(m, network, changes)
    name = scenario.name if scenario is not None else network.name
    description = scenario.description if scenario is not None else ""
    legend(title or f"What-if: {name}", [
        ("", description[:300] + ("…" if len(description) > 300 else "")),
        (line_swatch(BASE_COLOR, width=6), "baseline route"),
        (line_swatch(SCENARIO_COLOR, "8 6", width=3), "scenario route (dashed)"),
        (dot_swatch(CHANGED_COLOR), f"element the scenario closed or changed ({len(changes)})"),
    ]).add_to(m)
    return finish(m)


def _changes_layer(m: folium.Map, network: Corridor, changes: pd.DataFrame) -> None:
    group = folium.FeatureGroup(name=esc(f"Closed or changed elements ({len(changes)})"))
    for _i, row in changes.iterrows():
        table = network.nodes if row["type"] == "node" else network.links
        geometry = table.geometry[row["id"]]
        name = table.at[row["id"], "name"] if row["type"] == "node" else table.at[row["id"], "line"]
        html = attribute_table([("element", f"{row['type']} {row['id']}"), ("change", row["change"]),
                                ("detail", row["detail"])], title=name or row["id"])
        text = f"{name or row['id']}: {row['change']} ({row['detail']})"
        if geometry.geom_type != "Point":
            folium.PolyLine(latlon(geometry.coords), color=CHANGED_COLOR, weight=10, opacity=0.6,
                            tooltip=tooltip(text), popup=popup(html, 420),
                            class_name="corridor-changed-line").add_to(group)
            geometry = geometry.interpolate(0.5, normalized=True)
        folium.CircleMarker([round(geometry.y, 5), round(geometry.x, 5)], radius=11,
                            color=CHANGED_COLOR, weight=4, fill=True, fill_opacity=0.3,
                            tooltip=tooltip(text), popup=popup(html, 420),
                            class_name="corridor-changed").add_to(group)
    group.add_to(m)


def _delta_text(label: str, before, after) -> str:
    if before is None and after is None:
        return f"{label}: no route in either"
    if after is None:
        return f"{label}: no route in the scenario (baseline {before.transit_days:.1f} days)"
    if before is None:
        return f"{label}: new route, {after.transit_days:.1f} days"
    delta = after.transit_days - before.transit_days
    return f"{label}: {before.transit_days:.1f} → {after.transit_days:.1f} days ({delta:+.1f})"


def _delta_html(base: Corridor, network: Corridor, origin: str, destination: str, before, after) -> str:
    label = f"{_name(base, origin)} → {_name(base, destination)}"
    parts = [f"<h4 style='margin:0 0 6px 0'>{esc(_delta_text(label, before, after))}</h4>"]
    if before is not None and after is not None:
        rows = [("expected", before.transit_days, after.transit_days, "days"),
                ("P50", before.p50_days, after.p50_days, "days"),
                ("P90", before.p90_days, after.p90_days, "days"),
                ("distance", before.distance_km, after.distance_km, "km")]
        parts.append(data_table(["", "baseline", "scenario", "change"], [
            (name, Markup(fmt(b, 1, unit)), Markup(fmt(a, 1, unit)),
             Markup(f"{a - b:+,.1f} {unit}" if a is not None and b is not None else "–"))
            for name, b, a, unit in rows], numeric={1, 2, 3}))
        rerouted = "same route" if before.path == after.path else "rerouted"
        parts.append(f"<p style='margin:6px 0'>{esc(rerouted)}</p>")
    for heading, net_, r in (("Baseline", base, before), ("Scenario", network, after)):
        if r is not None:
            parts.append(f"<b>{esc(heading)}</b>{route_summary_html(net_, r)}")
    return scroll_box("".join(parts), 360)


# -- helpers ---------------------------------------------------------------------------------------

def _name(net: Corridor, node: Any) -> str:
    return str(net.nodes["name"].get(node, node)) if node is not None else "?"

