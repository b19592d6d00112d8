"""CO2e per container, well-to-wheel (ISO 14083 / GLEC): cargo tonnes × km × the factor of each leg.

Electric traction uses the energy per tonne-km times the grid factor of the country the link starts
in; diesel traction, ferries, ships and aircraft use their tonne-km factors. Values are typical
factors; the low/high columns of the table are kept for sensitivity work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from corridor.modes.tables import ModeTables
from corridor.transit import records

if TYPE_CHECKING:
    from corridor.network import Corridor

FACTORS = "emission_factors"


def rail_factor_g_per_tkm(link: dict, country: str, tables: ModeTables) -> float:
    """Typical g CO2e per tonne-km of one network link (traction, ferry or short-sea)."""
    if link["mode"] == "ferry":
        return tables.get(FACTORS, "ferry", "roro").typical
    if link["mode"] == "sea":
        return tables.get(FACTORS, "sea", "container_short_sea").typical
    if bool(link["electrified"]):
        energy = tables.get(FACTORS, "electric_traction", "*").typical
        return energy * tables.get(FACTORS, "grid", country).typical
    return tables.get(FACTORS, "diesel_traction", "*").typical


def links_co2e_kg(net: Corridor, path: Sequence[str], links: Sequence[str], tables: ModeTables,
                  payload_t: float) -> float:
    """kg CO2e of carrying ``payload_t`` tonnes along the links of a path."""
    node_records, link_records = records(net)
    grams = 0.0
    for start, lid in zip(path, links, strict=False):
        link = link_records[lid]
        grams += payload_t * float(link["length_km"]) * rail_factor_g_per_tkm(
            link, node_records[start]["country"], tables)
    return grams / 1000.0


def genset_co2e_kg(hours: float, tables: ModeTables) -> float:
    """kg CO2e of a reefer genset running ``hours`` (typical consumption and factor)."""
    litres = hours * tables.get("tariffs", "genset_fuel", "l_per_h").typical
    return litres * tables.get(FACTORS, "genset", "diesel").typical


def sea_co2e_kg(km: float, payload_t: float, tables: ModeTables) -> float:
    """kg CO2e of a deep-sea container leg."""
    return payload_t * km * tables.get(FACTORS, "sea", "container_deep_sea").typical / 1000.0


def air_co2e_kg(km: float, payload_t: float, tables: ModeTables) -> float:
    """kg CO2e of flying ``payload_t`` tonnes ``km`` (distance already including the uplift)."""
    return payload_t * km * tables.get(FACTORS, "air", "*").typical / 1000.0
