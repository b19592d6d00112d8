"""The modes map: every option of a comparison as one line (sea lanes from searoute's geometry),
Pareto options solid, others dashed; popups with the numbers. Takes the result, never computes."""

from __future__ import annotations

import folium
import geopandas as gpd

from corridor.webmap.base import (
    attribute_table,
    base_map,
    finish,
    fmt,
    latlon,
    legend,
    line_swatch,
    popup,
    tooltip,
)

MODE_COLORS = {"rail": "#d81b60", "rail–ferry": "#8e24aa", "rail–sea": "#1e88e5", "sea": "#00897b",
               "air": "#fb8c00"}


def _popup_rows(row) -> list[tuple[str, str]]:
    rows = [("mode", row["mode"]), ("via", row["via"]), ("distance", fmt(row["distance_km"], 0, " km")),
            ("days (expected / P50 / P90)",
             f"{fmt(row['days'])} / {fmt(row['p50_days'])} / {fmt(row['p90_days'])}"),
            ("USD (expected / P90)", f"{fmt(row['cost_usd'], 0)} / {fmt(row['p90_cost_usd'], 0)}"),
            ("kg CO2e", fmt(row["co2e_kg"], 0)), ("inventory USD", fmt(row["inventory_usd"], 0)),
            ("total logistics USD", fmt(row["total_cost_usd"], 0)),
            ("Pareto-optimal", "yes" if row["pareto"] else "no"), ("best for", row["best_for"] or "—")]
    if row["keeps"] is not None:
        rows.append(("shelf life left", f"{fmt(row['shelf_life_left_days'], 0)} d {row['shelf_note']}"))
    return rows


def modes_map(result: gpd.GeoDataFrame) -> folium.Map:
    """A Folium map of a ``compare_modes`` result (one layer per option)."""
    drawn = result[result.geometry.notna()]
    m = base_map(list(drawn.total_bounds) if len(drawn) else None)
    for _, row in drawn.iterrows():
        color = MODE_COLORS.get(row["mode"], "#6d4c41")
        layer = folium.FeatureGroup(name=row["option"], show=True)
        folium.PolyLine(latlon(row.geometry.coords), color=color, weight=4 if row["pareto"] else 2,
                        dash_array=None if row["pareto"] else "6 6", opacity=0.85,
                        tooltip=tooltip(row["option"]),
                        popup=popup(attribute_table(_popup_rows(row), title=row["option"]))).add_to(layer)
        layer.add_to(m)
    entries = [(line_swatch(c), mode) for mode, c in MODE_COLORS.items() if mode in set(result["mode"])]
    entries.append((line_swatch("#555", dash="6 6"), "dominated (not Pareto-optimal)"))
    legend("Options", entries).add_to(m)
    return finish(m)
