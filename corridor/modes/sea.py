"""Port-to-port sea legs, offline, on searoute's maritime network: via Suez or via the Cape of Good Hope.

Lanes between the built-in ports are shipped precomputed (:mod:`corridor.modes.lanes`,
``geodata/sea_lanes.geojson``); other points ask searoute, imported lazily on first use (its graph
takes ~0.2 s to build), and are cached per point pair and passage.
"""

from __future__ import annotations

from functools import lru_cache

from corridor.modes.lanes import NM_KM, PASSAGES, SeaLane, ShippedLane, searoute_lane
from corridor.modes.tables import ModeTables, Range
from corridor.timemodel import Spread

__all__ = ["NM_KM", "PASSAGES", "SEA", "SeaLane", "port_lane", "sea_freight", "sea_lane", "sea_spreads",
           "warm_up"]

SEA = "sea"


@lru_cache(maxsize=512)
def sea_lane(start: tuple[float, float], end: tuple[float, float], passage: str) -> SeaLane:
    """The shortest sea path between two (lon, lat) points for a passage choice (searoute, cached)."""
    return searoute_lane(start, end, passage)


def port_lane(origin: str, destination: str, start: tuple[float, float], end: tuple[float, float],
              passage: str, tables: ModeTables) -> SeaLane:
    """The lane between two ports: the shipped one when the ports match it, else searoute's."""
    shipped: ShippedLane | None = tables.lanes.get((origin, destination, passage))
    if shipped is not None and shipped.serves(start, end):
        return shipped.lane
    return sea_lane(start, end, passage)


def warm_up() -> None:
    """Build searoute's graph now (for pairs without a shipped lane; timed comparisons need not)."""
    sea_lane((121.6, 31.36), (4.03, 51.96), "suez")


def sea_spreads(lane: SeaLane, tables: ModeTables) -> list[tuple[str, Spread]]:
    """Hours of a sea leg: origin dwell, sailing at the service speed, calls en route, destination dwell."""
    speed = tables.get(SEA, "service_speed", "*")
    sailing = Spread(lane.nm / speed.high, lane.nm / speed.typical, lane.nm / speed.low)
    parts = [("port_dwell", tables.get(SEA, "port_dwell", "origin")),
             ("port_calls", tables.get(SEA, "port_calls", "*")),
             ("port_dwell", tables.get(SEA, "port_dwell", "destination"))]
    spreads = [(kind, Spread(r.low, r.typical, r.high)) for kind, r in parts]
    return [spreads[0], ("sailing", sailing), *spreads[1:]]


def sea_freight(region: str, container: str, tables: ModeTables) -> Range:
    """Published freight-rate index range for a trade (Asia → north_europe or mediterranean)."""
    return tables.get(SEA, "freight", region, container, default_key=None)
