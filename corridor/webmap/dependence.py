"""Map of a transit-dependence table: countries by share of the flow, detours, binding elements.

The builder only draws what ``corridor.dependence.dependence`` computed: each row's share, the
largest rerouted pair's detour (``detour_path``) and the minimum cut of the detour network
(``binding_ids``). A country is its Natural Earth admin-0 polygon (``corridor/_data/
countries.geojson``, shipped) shaded by its share; a country without a polygon there falls back to
a disc over its stations.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import branca.colormap
import folium
import geopandas as gpd
import pandas as pd

from corridor.datafiles import country_polygons
from corridor.webmap.base import attribute_table, base_map, esc, finish, fmt, popup, tooltip

if TYPE_CHECKING:
    from corridor.network import Corridor

SHARE_COLORS = ("#fff5eb", "#fd8d3c", "#7f2704")
DETOUR_COLOR = "#1e88e5"
BINDING_COLOR = "#000000"


def dependence_map(net: Corridor, table: pd.DataFrame, top: int = 5) -> folium.Map:
    """Shares as shaded discs (countries) or lines (crossings), the ``top`` rows' detours and cuts."""
    m = base_map()
    scale = branca.colormap.LinearColormap(SHARE_COLORS, vmin=0.0, vmax=1.0,
                                           caption="share of the flow's trains")
    shares = folium.FeatureGroup(name="share of the flow", show=True)
    by = table.attrs.get("by", "country")
    polygons = polygons_by_code() if by == "country" else None
    for row in table.itertuples(index=False):
        shape = polygons.geometry.get(row.id) if polygons is not None else None
        if shape is not None:
            _country_shape(shape, row, scale).add_to(shares)
        else:
            _share_mark(net, row, by, scale).add_to(shares)
    shares.add_to(m)
    for row in table.head(top).itertuples(index=False):
        group = folium.FeatureGroup(name=f"avoid {esc(row.name)}: detour and binding elements", show=False)
        _detour(net, row).add_to(group)
        for element in str(row.binding_ids).split():
            _binding(net, element, row).add_to(group)
        group.add_to(m)
    scale.add_to(m)
    return finish(m)


@lru_cache(maxsize=1)
def polygons_by_code() -> gpd.GeoDataFrame:
    """The shipped Natural Earth admin-0 polygons, indexed by ISO 3166-1 alpha-2 code."""
    return country_polygons().drop_duplicates("iso_a2").set_index("iso_a2")


def _country_shape(shape, row, scale) -> folium.GeoJson:
    color = scale(min(max(float(row.share_trains), 0.0), 1.0))
    return folium.GeoJson(
        shape.__geo_interface__,
        style_function=lambda _, c=color: {"fillColor": c, "color": "#444444", "weight": 1,
                                           "fillOpacity": 0.75},
        tooltip=tooltip(f"{row.name}: {100 * row.share_trains:.0f} % of trains"),
        popup=_row_popup(row))


def _row_popup(row) -> folium.Popup:
    return popup(attribute_table([
        ("share of trains", fmt(100 * row.share_trains, 0, " %")),
        ("share of TEU-km", fmt(100 * row.share_teu_km, 0, " %")),
        ("carried without it", fmt(row.carried_trains_day, 1, " trains/day")),
        ("cannot be carried", fmt(row.unserved_trains_day, 1, " trains/day")),
        ("extra days (P90)", f"{fmt(row.extra_days, 1)} ({fmt(row.extra_p90_days, 1)})"),
        ("extra USD / CO2e per 40'",
         f"{fmt(row.extra_usd_per_container, 0)} / {fmt(row.extra_co2e_kg_per_container, 0)} kg"),
        ("moves to", row.moves_to),
        ("detour min cut", fmt(row.detour_cut_trains_day, 1, " trains/day")),
        ("binding", row.binding),
    ], title=row.name))


def _share_mark(net, row, by: str, scale):
    color = scale(min(max(float(row.share_trains), 0.0), 1.0))
    if by == "crossing":
        a, b = str(row.id).split("__")
        points = [[net.nodes.at[n, "geometry"].y, net.nodes.at[n, "geometry"].x] for n in (a, b)]
        return folium.PolyLine(points, color=color, weight=10, opacity=0.9,
                               tooltip=tooltip(f"{row.name}: {100 * row.share_trains:.0f} %"),
                               popup=_row_popup(row))
    stations = net.nodes[net.nodes["country"] == row.id].geometry
    lat, lon = float(stations.y.mean()), float(stations.x.mean())
    return folium.CircleMarker([lat, lon], radius=8 + 30 * float(row.share_trains), color="#444444",
                               weight=1, fill=True, fill_color=color, fill_opacity=0.8,
                               tooltip=tooltip(f"{row.name}: {100 * row.share_trains:.0f} % of trains"),
                               popup=_row_popup(row))


def _detour(net, row) -> folium.PolyLine:
    path = [n for n in str(row.detour_path).split() if n in net.nodes.index]
    points = [[net.nodes.at[n, "geometry"].y, net.nodes.at[n, "geometry"].x] for n in path]
    return folium.PolyLine(points or [[0, 0], [0, 0]], color=DETOUR_COLOR, weight=4, dash_array="8 6",
                           tooltip=tooltip(f"detour avoiding {row.name}: {row.moves_to}"))


def _binding(net, element: str, row) -> folium.CircleMarker:
    if element in net.nodes.index:
        point = net.nodes.at[element, "geometry"]
        name = net.nodes.at[element, "name"]
    else:
        point = net.links.at[element, "geometry"].interpolate(0.5, normalized=True)
        name = element
    return folium.CircleMarker([point.y, point.x], radius=14, color=BINDING_COLOR, weight=3, fill=False,
                               tooltip=tooltip(f"binding when avoiding {row.name}: {name}"))
