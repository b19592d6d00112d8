"""Air freight between the end points: great circle + 95 km (EN 16258 / GLEC), days and USD/kg ranges."""

from __future__ import annotations

from corridor.geodesy import distance_km
from corridor.modes.tables import ModeTables, Range
from corridor.timemodel import Spread

AIR = "air"


def air_km(lon1: float, lat1: float, lon2: float, lat2: float, tables: ModeTables) -> float:
    """Flight distance by convention: geodesic distance plus the uplift (95 km)."""
    return distance_km(lon1, lat1, lon2, lat2) + tables.get(AIR, "distance_uplift", "*").typical


def air_spread(tables: ModeTables) -> Spread:
    """Door-to-door hours of an air shipment (handling at both airports included)."""
    days = tables.get(AIR, "door_to_door", "*")
    return Spread(days.low * 24.0, days.typical * 24.0, days.high * 24.0)


def air_cost(payload_t: float, tables: ModeTables) -> Range:
    """USD for ``payload_t`` tonnes at the published USD/kg range."""
    return tables.get(AIR, "rate", "*").scaled(payload_t * 1000.0)
