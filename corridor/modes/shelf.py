"""Shelf life left on arrival for the modes comparison, optionally with the month's ambient exposure.

Without a month, the cargo is taken to be held at its set point throughout, so shelf life left is
the rated shelf life minus the P90 days. With a month (1–12), rail legs follow the reach model's
rules (:mod:`corridor.coldchain.reach`): a reefer runs on the train and at border formalities, but
the cargo sits at the place's ambient temperature for the month (``geodata/climate.csv``) during
unpowered periods — gauge-change transshipment, rail/ferry transfer at a port, the ferry wait and
the sailing — unless the place offers plug-in reefer service. A disruption episode counts like
the leg it interrupts (the one before it). Unrefrigerated cargo is at ambient on every rail leg.

Sea and air legs: **stated assumption** — the reefer is held at its set point (plugged into the
ship's reefer sockets and the terminals' reefer racks; air freight in a temperature-controlled
chain), so they use shelf life at rate 1 whatever the month. Ambient along sea lanes is not modelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from corridor.coldchain.climate import check_month, node_ambient
from corridor.coldchain.commodities import Commodity, builtin_commodities, commodity
from corridor.transit import records

if TYPE_CHECKING:
    from corridor.network import Corridor
    from corridor.transit import Leg

#: rail-side legs during which a reefer unit is not powered (as in the reach model)
UNPOWERED_LEGS = frozenset({"gauge_change", "port", "ferry_wait", "ferry"})
SEA_AIR_ASSUMPTION = "sea and air: reefer held at set point (plugged in on board and at terminals)"


def find_commodity(commodity_id: str) -> Commodity:
    """A built-in commodity by id (CorridorError naming the choices when unknown)."""
    return commodity(builtin_commodities(), commodity_id)


def _plugged(node: dict) -> bool:
    listed = node.get("reefer_types") or []
    return bool(node.get("reefer_service")) and (not listed or "plug_in" in listed)


def exposure_days(net: Corridor, legs: Sequence[Leg], item: Commodity, month: int) -> float:
    """Extra days of shelf life used by the month's ambient temperature on rail legs.

    Each exposed leg adds its expected hours × (rate at ambient − 1); rate 1 is the set point.
    """
    month = check_month(month)
    ambient = node_ambient(net, month)["temp_c"]
    nodes = records(net)[0]
    extra_h, exposed_before = 0.0, False
    for leg in legs:
        if leg.kind == "disruption":
            exposed = exposed_before
        elif not item.requires_reefer:
            exposed = True
        else:
            exposed = leg.kind in UNPOWERED_LEGS and not _plugged(nodes[leg.start])
        exposed_before = exposed
        if not exposed or leg.hours <= 0:
            continue
        if leg.kind == "run" and leg.end in ambient.index:
            temp = (float(ambient[leg.start]) + float(ambient[leg.end])) / 2.0
        else:
            temp = float(ambient[leg.start])
        extra_h += leg.hours * (float(item.rate(temp)) - 1.0)
    return extra_h / 24.0


def shelf_life(item: Commodity, p90_days: float, exposure: float = 0.0) -> tuple[float, bool, str]:
    """Shelf life left on arrival (days) after a P90 transit plus ``exposure`` days, whether the
    commodity's margin is kept, and why not."""
    left = item.shelf_life_days - p90_days - exposure
    keeps = bool(left >= item.margin_days)
    if keeps:
        return left, True, ""
    heat = f" incl. {exposure:.0f} d lost to ambient exposure" if exposure >= 0.5 else ""
    return left, False, (f"spoils: {left:.0f} d left after a {p90_days:.0f}-day P90 transit{heat}, "
                         f"{item.margin_days:.0f} d needed on arrival")
