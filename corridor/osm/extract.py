"""Refine link lengths and geometry from OpenStreetMap railway data read with osmnx.

Works offline from a local OSM XML extract (for example one cut with osmium or downloaded
from Overpass beforehand): ``osmnx.graph_from_xml`` builds the rail graph, every corridor link
is snapped to it at both ends and traced along the shortest rail path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pandas as pd
from shapely.geometry import LineString

from corridor.errors import CorridorError, DataError, Problem
from corridor.geodesy import CRS, distance_km

if TYPE_CHECKING:
    from corridor.network import Corridor

DEFAULT_MAX_SNAP_KM = 5.0


@dataclass(frozen=True)
class RailGraph:
    """An OSM rail graph in lon/lat plus its projected twin used for snapping."""

    latlon: nx.MultiDiGraph
    projected: nx.MultiDiGraph


def read_rail_osm(path: str | Path) -> RailGraph:
    """Read railways from a local OSM XML file (unsimplified, both directions).

    Raises
    ------
    DataError
        When the file is missing, unreadable, or holds no ways.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError([Problem(str(path), "", "", "file not found")])
    try:
        graph = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx raises several types for malformed XML
        raise DataError([Problem(path.name, "", "", f"not a readable OSM XML file: {exc}")]) from None
    if graph.number_of_edges() == 0:
        raise DataError([Problem(path.name, "", "", "no railway ways in this file")])
    return RailGraph(graph, ox.project_graph(graph))


def _snap(rail: RailGraph, lon: float, lat: float) -> tuple[int, float]:
    projected = ox.projection.project_geometry(
        gpd.points_from_xy([lon], [lat])[0], crs=CRS, to_crs=rail.projected.graph["crs"]
    )[0]
    osm_node = int(ox.distance.nearest_nodes(rail.projected, projected.x, projected.y))
    data = rail.latlon.nodes[osm_node]
    return osm_node, distance_km(lon, lat, data["x"], data["y"])


def trace_link(net: Corridor, link_id: str, rail: RailGraph) -> dict:
    """Trace one link along the OSM rail graph.

    Returns
    -------
    dict
        ``id``, ``length_km`` (current), ``osm_length_km``, ``ratio``, ``snap_from_km``,
        ``snap_to_km`` and ``geometry`` (the OSM path as a lon/lat LineString, None if no path).
    """
    if link_id not in net.links.index:
        raise CorridorError(f"unknown link {link_id!r}")
    link = net.links.loc[link_id]
    ends = [net.nodes.loc[link[end]].geometry for end in ("from", "to")]
    (a, snap_a), (b, snap_b) = (_snap(rail, p.x, p.y) for p in ends)
    row = {"id": link_id, "length_km": float(link["length_km"]), "snap_from_km": snap_a,
           "snap_to_km": snap_b, "osm_length_km": None, "ratio": None, "geometry": None}
    try:
        path = nx.shortest_path(rail.latlon, a, b, weight="length")
    except nx.NetworkXNoPath:
        return row
    if len(path) < 2:
        return row
    edges = ox.routing.route_to_gdf(rail.latlon, path, weight="length")
    osm_km = float(edges["length"].sum()) / 1000.0
    coords = [(rail.latlon.nodes[n]["x"], rail.latlon.nodes[n]["y"]) for n in path]
    row.update(osm_length_km=osm_km, ratio=osm_km / row["length_km"], geometry=LineString(coords))
    return row


def refine_links(
    net: Corridor,
    rail: RailGraph,
    links: Iterable[str] | None = None,
    max_snap_km: float = DEFAULT_MAX_SNAP_KM,
) -> gpd.GeoDataFrame:
    """OSM-traced lengths and geometries for links whose both ends lie on the extract.

    Links whose ends are more than ``max_snap_km`` from any OSM rail node are left out.
    """
    ids = list(links) if links is not None else list(net.links.index[net.links["mode"] == "rail"])
    rows = [trace_link(net, link_id, rail) for link_id in ids]
    frame = pd.DataFrame(rows, columns=["id", "length_km", "osm_length_km", "ratio",
                                        "snap_from_km", "snap_to_km", "geometry"])
    near = (frame["snap_from_km"] <= max_snap_km) & (frame["snap_to_km"] <= max_snap_km)
    return gpd.GeoDataFrame(frame[near & frame["geometry"].notna()], geometry="geometry", crs=CRS)
