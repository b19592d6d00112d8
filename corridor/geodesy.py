"""Geodesic measurements on WGS84 lon/lat coordinates (never in degrees)."""

from __future__ import annotations

from collections.abc import Sequence

from pyproj import Geod

WGS84 = Geod(ellps="WGS84")
CRS = "EPSG:4326"


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance between two points, in km."""
    return WGS84.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def polyline_km(coords: Sequence[Sequence[float]]) -> float:
    """Geodesic length of a lon/lat polyline, in km."""
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return WGS84.line_length(lons, lats) / 1000.0
