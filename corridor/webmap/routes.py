"""The route map: one or several routes in distinct colours, border and gauge-change events marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import folium

from corridor.webmap.base import (
    Markup,
    attribute_table,
    badge_icon,
    base_map,
    data_table,
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

if TYPE_CHECKING:
    from corridor.network import Corridor
    from corridor.transit import Route

ROUTE_COLORS = ("#d81b60", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41")
CONTEXT_COLOR = "#9e9e9e"
EVENT_ICONS = {  # event: (Font Awesome icon, marker colour, legend colour, label)
    "gauge_change": ("right-left", "orange", "#f69730", "gauge change"),
    "border": ("flag", "red", "#d63e2a", "border crossing"),
    "port": ("ship", "cadetblue", "#436978", "port (rail ↔ ferry)"),
}
_EVENT_ORDER = ("gauge_change", "border", "port")


@dataclass(frozen=True)
class RouteEvent:
    """A place on a route where something happens: a border, a break of gauge, a port.

    Attributes
    ----------
    node : str
        Node id.
    kinds : tuple of str
        Event kinds at the node (``border``, ``gauge_change``, ``port``).
    hours : float
        Expected time spent there (0 when the timeline has no dwell for it).
    detail : str
        Plain text: the crossing, the gauges, the dwell.
    """

    node: str
    kinds: tuple[str, ...]
    hours: float
    detail: str


def route_events(net: Corridor, route: Route) -> list[RouteEvent]:
    """Border crossings, gauge changes and ports of a route, one per node, in travel order."""
    names = net.nodes["name"]
    found: dict[str, dict] = {}

    def note(node: str, kind: str, text: str, hours: float = 0.0) -> None:
        entry = found.setdefault(node, {"kinds": [], "hours": 0.0, "texts": []})
        if kind not in entry["kinds"]:
            entry["kinds"].append(kind)
        entry["hours"] += hours
        if text and text not in entry["texts"]:
            entry["texts"].append(text)

    for leg in route.legs:
        if leg.kind in EVENT_ICONS:
            note(leg.start, leg.kind, f"{EVENT_ICONS[leg.kind][3]}: {leg.spread.mean:.0f} h expected "
                 f"({leg.spread.lo:.0f}–{leg.spread.hi:.0f} h)", leg.spread.mean)
    for crossing in route.border_crossings:
        before, after = crossing.from_node, crossing.to_node
        country = net.nodes["country"]
        note(after, "border", f"border {names[before]} → {names[after]} "
             f"({country[before]} → {country[after]})")
    for change in route.gauge_changes:
        note(change["node"], "gauge_change", f"gauge {change['from_mm']} → {change['to_mm']} mm")
    order = {node: i for i, node in enumerate(route.path)}
    return [
        RouteEvent(node, tuple(k for k in _EVENT_ORDER if k in entry["kinds"]), entry["hours"],
                   "; ".join(entry["texts"]))
        for node, entry in sorted(found.items(), key=lambda item: order.get(item[0], 0))
    ]


def route_label(net: Corridor, route: Route, number: int | None = None,
                fastest: Route | None = None) -> str:
    """Plain-text label: number, ends, the crossing that sets it apart, expected days.

    The crossing named is the route's first border crossing that the ``fastest`` route does not use
    (its first crossing when there is none), so alternatives read "via Khorgos–Altynkol" etc.
    """
    names = net.nodes["name"]
    crossings = route.border_crossings
    if fastest is not None and fastest is not route:
        crossings = [c for c in crossings if c not in fastest.border_crossings] or crossings
    via = ""
    if crossings:
        before, after = crossings[0].from_node, crossings[0].to_node
        via = f" via {names[before]}–{names[after]}"
    prefix = f"Route {number}: " if number is not None else ""
    return (f"{prefix}{names[route.origin]} → {names[route.destination]}{via}, "
            f"{route.transit_days:.1f} days")


def route_summary_html(net: Corridor, route: Route) -> str:
    """Summary table: distance, expected / P50 / P90 / best-case days, countries, crossings."""
    names = net.nodes["name"]
    rows = [
        ("distance", fmt(route.distance_km, 0, "km")),
        ("expected", fmt(route.transit_days, 1, "days")),
        ("P50", fmt(route.p50_days, 1, "days")),
        ("P90", fmt(route.p90_days, 1, "days")),
        ("best case", fmt(route.min_days, 1, "days")),
        ("countries", " → ".join(route.countries)),
        ("border crossings", ", ".join(
            f"{names[c.from_node]} → {names[c.to_node]}" for c in route.border_crossings) or "none"),
        ("gauge changes", ", ".join(
            f"{names[g['node']]} ({g['from_mm']}→{g['to_mm']} mm)" for g in route.gauge_changes)
         or "none"),
    ]
    return attribute_table(rows)


def timeline_html(net: Corridor, route: Route) -> str:
    """The leg-by-leg timeline as an HTML table (names, kind, km, hours with range, day)."""
    names = net.nodes["name"]
    rows = []
    for r in route.timeline.to_dict("records"):
        start, end = names[r["from"]], names[r["to"]]
        rows.append((
            r["leg"], start, "" if r["to"] == r["from"] else end, r["kind"].replace("_", " "),
            Markup(fmt(r["km"], 0)) if r["km"] else "", Markup(fmt(r["hours"], 1)),
            Markup(f"{fmt(r['hours_min'], 0)}–{fmt(r['hours_max'], 0)}"),
            Markup(f"{r['cumulative_days']:.2f}"),
        ))
    return data_table(["#", "from", "to", "kind", "km", "hours", "range h", "day"], rows,
                      numeric={0, 4, 5, 6, 7})


def route_popup_html(net: Corridor, route: Route, label: str) -> str:
    """Popup of a route: its summary, then the leg-by-leg timeline in a scroll box."""
    return (f"<h4 style='margin:0 0 6px 0'>{esc(label)}</h4>{route_summary_html(net, route)}"
            f"<hr style='margin:6px 0'>{scroll_box(timeline_html(net, route), 260)}")


def route_map(net: Corridor, routes: Route | Sequence[Route], context: bool = True,
              title: str | None = None) -> folium.Map:
    """One or several routes in distinct colours, with their events, timeline and P50/P90.

    Parameters
    ----------
    net : Corridor
        The network the routes were computed on.
    routes : Route or sequence of Route
        From :func:`corridor.transit.route` (e.g. ``alternatives=3``), fastest first.
    context : bool
        Draw the rest of the network faintly underneath.
    title : str, optional
        Legend heading.

    Returns
    -------
    folium.Map
    """
    routes = [routes] if not isinstance(routes, Sequence) else list(routes)
    bounds = _bounds([r.geometry for r in routes if r.geometry is not None]) if routes else None
    m = base_map(bounds)
    if context:
        add_context_layer(m, net)
    entries: list[tuple[str, str]] = []
    for number, route in enumerate(routes, start=1):
        color = ROUTE_COLORS[(number - 1) % len(ROUTE_COLORS)]
        label = route_label(net, route, number if len(routes) > 1 else None, routes[0])
        add_route_layer(m, net, route, color, label, number)
        entries.append((line_swatch(color, width=5), label))
    if routes:
        add_ends_layer(m, net, routes[0])
    for kind in _EVENT_ORDER:
        icon, _color, swatch, text = EVENT_ICONS[kind]
        entries.append((icon_swatch(icon, swatch), text))
    legend(title or "Routes (click a line for its timeline)", entries).add_to(m)
    return finish(m)


def add_route_layer(m: folium.Map, net: Corridor, route: Route, color: str, label: str,
                    number: int = 1) -> folium.FeatureGroup:
    """Add one route (line + event markers) as its own layer."""
    group = folium.FeatureGroup(name=esc(label))
    if route.geometry is not None:
        folium.PolyLine(
            latlon(route.geometry.coords), color=color, weight=6, opacity=0.85,
            popup=popup(route_popup_html(net, route, label)), tooltip=tooltip(label),
            class_name=f"corridor-route corridor-route-{number}",
        ).add_to(group)
    for event in route_events(net, route):
        point = net.nodes.geometry[event.node]
        icon, _marker_color, swatch, _text = EVENT_ICONS[event.kinds[0]]
        text = f"{net.nodes['name'][event.node]}: {event.detail}"
        folium.Marker(
            [round(point.y, 5), round(point.x, 5)], tooltip=tooltip(text),
            icon=badge_icon(icon, swatch, 24, f"corridor-event corridor-event-{number}"),
            popup=popup(attribute_table([("event", ", ".join(k.replace("_", " ") for k in event.kinds)),
                                         ("detail", event.detail),
                                         ("expected time", fmt(event.hours, 1, "h"))],
                                        title=net.nodes["name"][event.node]), 360),
        ).add_to(group)
    group.add_to(m)
    return group


def add_ends_layer(m: folium.Map, net: Corridor, route: Route) -> None:
    """Origin and destination markers."""
    group = folium.FeatureGroup(name="Origin & destination")
    for node, icon, color, role in ((route.origin, "play", "#2e7d32", "origin"),
                                    (route.destination, "flag-checkered", "#212121", "destination")):
        point = net.nodes.geometry[node]
        folium.Marker([round(point.y, 5), round(point.x, 5)],
                      tooltip=tooltip(f"{role}: {net.nodes['name'][node]}"),
                      icon=badge_icon(icon, color, 26, f"corridor-end corridor-{role}")).add_to(group)
    group.add_to(m)


def add_context_layer(m: folium.Map, net: Corridor) -> None:
    """The operating network as thin grey lines that do not react to the mouse."""
    group = folium.FeatureGroup(name="Network")
    for _link_id, row in net.links.iterrows():
        if row["status"] != "operating":
            continue
        folium.PolyLine(latlon(row.geometry.coords), color=CONTEXT_COLOR, weight=1.5, opacity=0.6,
                        interactive=False, class_name="corridor-context").add_to(group)
    group.add_to(m)


def _bounds(lines: list) -> tuple[float, float, float, float] | None:
    if not lines:
        return None
    xs = [x for line in lines for x, _y in line.coords]
    ys = [y for line in lines for _x, y in line.coords]
    return min(xs), min(ys), max(xs), max(ys)
