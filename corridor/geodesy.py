"""Geodesic measurements on WGS84 lon/lat coordinates (never in degrees)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyproj import Geod

CRS = "EPSG:4326"


@cache
def wgs84() -> Geod:
    """The WGS84 ellipsoid (pyproj is imported on first use: validating options needs none)."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance between two points, in km."""
    return wgs84().inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def polyline_km(coords: Sequence[Sequence[float]]) -> float:
    """Geodesic length of a lon/lat polyline, in km."""
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return wgs84().line_length(lons, lats) / 1000.0
