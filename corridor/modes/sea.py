"""Port-to-port sea legs, offline, on searoute's maritime network: via Suez or via the Cape of Good Hope.

searoute (Eurostat marnet) is imported lazily on first use (its graph takes ~0.2 s to build); lanes
are cached per port pair and passage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from corridor.errors import CorridorError, NoRouteError
from corridor.modes.tables import ModeTables, Range
from corridor.timemodel import Spread

NM_KM = 1.852
PASSAGES = ("suez", "cape")
SEA = "sea"


@dataclass(frozen=True)
class SeaLane:
    """One searoute path: length, passages crossed and the line (lon, lat) to draw."""

    nm: float
    passages: tuple[str, ...]
    coords: tuple[tuple[float, float], ...]

    @property
    def km(self) -> float:
        return self.nm * NM_KM


def _restrictions(passage: str) -> list:
    from searoute.classes.passages import Passage  # deferred: searoute builds its graph on import

    if passage == "suez":
        return [Passage.northwest]
    if passage == "cape":  # Red Sea closed: no Suez, no Bab-el-Mandeb, and not the Panama way round
        return [Passage.northwest, Passage.suez, Passage.babalmandab, Passage.panama]
    raise CorridorError(f"unknown passage {passage!r}; expected one of {', '.join(PASSAGES)}")


@lru_cache(maxsize=512)
def sea_lane(start: tuple[float, float], end: tuple[float, float], passage: str) -> SeaLane:
    """The shortest sea path between two (lon, lat) points for a passage choice (cached)."""
    import searoute  # deferred: ~0.3 s import and graph build, only when a sea option is asked for

    feature = searoute.searoute(list(start), list(end), units="naut", restrictions=_restrictions(passage),
                                return_passages=True)
    nm = float(feature.properties["length"])
    if not nm or nm == float("inf"):
        raise NoRouteError(f"no sea route from {start} to {end} via {passage}")
    passages = tuple(feature.properties.get("traversed_passages") or ())
    coords = tuple((float(x), float(y)) for x, y in feature.geometry.coordinates)
    return SeaLane(nm, passages, coords)


def warm_up() -> None:
    """Build searoute's graph now (so that a later comparison is timed without it)."""
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
