"""Rich renderables for the CLI (presentation only; no computation beyond formatting)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from corridor.cli.common import terminal_safe

if TYPE_CHECKING:
    import pandas as pd

    from corridor.network import Corridor
    from corridor.transit import Route

KIND_STYLE = {"border": "yellow", "gauge_change": "magenta", "port": "cyan",
              "ferry_wait": "cyan", "ferry": "blue", "run": ""}


def _cell(value: Any) -> str:
    return terminal_safe(_plain_cell(value))


def _plain_cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and math.isnan(value)) \
            or type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def number_text(value: float | None, spec: str, missing: str = "–") -> str:
    """``value`` formatted with ``spec``, or ``missing`` for None and NaN."""
    return missing if value is None or value != value else format(value, spec)


def frame_table(frame: pd.DataFrame, title: str = "") -> Table:
    """A table with one row per DataFrame row."""
    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(Text(_cell(v)) for v in row))
    return table


def _counts(title: str, counts: dict) -> Table:
    table = Table(title=title)
    table.add_column("value")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(Text(_cell(key)), Text(_cell(value)))
    return table


def summary_tables(summary: dict) -> list:
    """Renderables for ``corridor info``."""
    head = Text(
        f"{summary['name']}: {summary['nodes']} nodes, {summary['links']} links, "
        f"{summary['total_km']:,.0f} km ({summary['rail_km']:,.0f} km rail), "
        f"{summary['reefer_nodes']} nodes with reefer service"
    )
    parts = [
        head,
        _counts("Nodes by country", summary["nodes_by_country"]),
        _counts("Nodes by kind", summary["nodes_by_kind"]),
        _counts("Links by mode", summary["links_by_mode"]),
        _counts("Rail km by gauge (mm)", summary["rail_km_by_gauge"]),
    ]
    pending = summary["not_operating"]
    table = Table(title="Planned / under construction")
    for column in ("type", "id", "name or line", "status"):
        table.add_column(column)
    for node in pending["nodes"]:
        table.add_row("node", Text(_cell(node["id"])), Text(_cell(node["name"])),
                      Text(_cell(node["status"])))
    for link in pending["links"]:
        table.add_row("link", Text(_cell(link["id"])), Text(_cell(link["line"])),
                      Text(_cell(link["status"])))
    parts.append(table)
    return parts


def _name(net: Corridor, node_id: str) -> str:
    """A node's name, safe to print (control characters escaped).

    Read from the network's look-up records (cached with the built-in network), so printing a
    route does not need the GeoDataFrames."""
    from corridor.transit import records

    return terminal_safe(records(net)[0][node_id]["name"])


def timeline_table(net: Corridor, route: Route, title: str = "") -> Table:
    """Leg-by-leg timeline of a route."""
    head = f"{title}{_name(net, route.origin)} → {_name(net, route.destination)}"
    table = Table(title=Text(head))  # Text: a name from data is never read as rich markup
    for column, justify in (("#", "right"), ("from", "left"), ("to", "left"), ("kind", "left"),
                            ("km", "right"), ("hours", "right"), ("range h", "right"),
                            ("day", "right")):
        table.add_column(column, justify=justify)
    elapsed = 0.0
    for number, leg in enumerate(route.legs, start=1):  # the rows of Route.timeline, without pandas
        elapsed += leg.hours
        low, high = leg.best_hours, leg.spread.hi
        table.add_row(
            str(number), Text(_name(net, leg.start)), Text(_name(net, leg.end)),
            Text(leg.kind, style=KIND_STYLE.get(leg.kind, "")), f"{leg.km:,.0f}" if leg.km else "",
            f"{leg.hours:.1f}", f"{low:.0f}–{high:.0f}" if high > low else "", f"{elapsed / 24.0:.1f}",
        )
    return table


def route_summary(net: Corridor, route: Route) -> Text:
    """One paragraph: distance, expected and percentile days, crossings, gauge changes."""
    crossings = ", ".join(
        f"{_name(net, c.from_node)} → {_name(net, c.to_node)}" for c in route.border_crossings
    )
    changes = ", ".join(
        f"{_name(net, g['node'])} ({g['from_mm']}→{g['to_mm']} mm)" for g in route.gauge_changes
    )
    lines = [
        f"distance {route.distance_km:,.0f} km · expected {route.transit_days:.1f} days"
        + (f" · P50 {route.p50_days:.1f} · P90 {route.p90_days:.1f}" if route.p50_days else "")
        + f" · best case {route.min_days:.1f}",
        f"countries: {' → '.join(route.countries)}",
        f"border crossings: {crossings or 'none'}",
        f"gauge changes: {changes or 'none'}",
    ]
    return Text("\n".join(lines) + "\n")


def corridor_rows(net: Corridor, routes: list[Route],
                  money: list[tuple[float, float]] | None = None) -> pd.DataFrame:
    """One row per corridor (``--alternatives``): crossings by name, days, P90, km, and with
    ``money`` (expected USD and kg CO2e per 40' container, one pair per route) those too."""
    import pandas as pd

    rows = []
    for rank, r in enumerate(routes, start=1):
        crossings = " / ".join(f"{_name(net, c.from_node)} → {_name(net, c.to_node)}"
                               for c in r.border_crossings)
        row = {"#": rank, "crossings": crossings or "none", "days": round(r.transit_days, 1),
               "P90": None if r.p90_days is None else round(r.p90_days, 1),
               "km": round(r.distance_km)}
        if money is not None:
            row["USD (40')"] = round(money[rank - 1][0], -1)
            row["kg CO2e"] = round(money[rank - 1][1])
        rows.append({**row, "countries": " → ".join(r.countries)})
    return pd.DataFrame(rows)
