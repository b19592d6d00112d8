"""Money per container on a rail route: per-km tariffs by administration, border, gauge-change,
ferry and terminal fees, reefer surcharge and genset fuel. Each part is a three-point range; the
Monte Carlo in :func:`sample_cost` draws them like the time model draws durations (PERT)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from corridor.modes.tables import ModeTables, Range
from corridor.modes.validation import ADMINISTRATIONS
from corridor.schema import EU_COUNTRIES, WATER_MODES
from corridor.timemodel import sample_matrix
from corridor.transit import crossing_steps, records

if TYPE_CHECKING:
    from corridor.network import Corridor
    from corridor.transit import Route

TARIFFS = "tariffs"
_TOKENS = re.compile(r"[/\s(),]+")


def administration(railway: str) -> str:
    """The administration whose tariff applies to a link ('KTZ/CR' → 'KTZ'; unknown → '*')."""
    for token in _TOKENS.split(str(railway or "")):
        if token in ADMINISTRATIONS:
            return token
    return "*"


def _freight_parts(net: Corridor, links: Sequence[str], tables: ModeTables, container: str) -> list[Range]:
    link_records = records(net)[1]
    parts = []
    for lid in links:
        link = link_records[lid]
        if link["mode"] in WATER_MODES:
            parts.append(tables.get(TARIFFS, "ferry", lid, container, default_key=None))
        else:
            rate = tables.get(TARIFFS, "rail_km", administration(link["railway"]), container)
            parts.append(rate.scaled(float(link["length_km"])))
    return parts


def _fee_parts(net: Corridor, route: Route, tables: ModeTables, container: str) -> list[Range]:
    node_records = records(net)[0]
    parts = []
    for a, b in crossing_steps(net, route.path):
        leaving, entering = node_records[a]["country"], node_records[b]["country"]
        if not {leaving, entering} <= EU_COUNTRIES:  # no customs between two EU states
            parts.append(tables.get(TARIFFS, "border", leaving, container))
    parts += [tables.get(TARIFFS, "gauge_change", "*", container) for _ in route.gauge_changes]
    return parts


def _product(a: Range, b: Range, c: Range | None = None, unit: str = "usd_per_container") -> Range:
    ranges = [r for r in (a, b, c) if r is not None]
    low = np.prod([r.low for r in ranges])
    typical = np.prod([r.typical for r in ranges])
    high = np.prod([r.high for r in ranges])
    return Range(float(low), float(typical), float(high), unit, "; ".join(r.source for r in ranges),
                 max(r.year for r in ranges))


def reefer_parts(freight: Sequence[Range], mode: str, genset_hours: float, tables: ModeTables) -> list[Range]:
    """Reefer surcharge on the freight parts, plus genset diesel for ``genset_hours`` of running."""
    if not freight:
        return []
    total = Range(sum(r.low for r in freight), sum(r.typical for r in freight), sum(r.high for r in freight),
                  "usd_per_container", freight[0].source, freight[0].year)
    parts = [_product(total, tables.get(TARIFFS, "reefer_surcharge", mode))]
    if genset_hours > 0:
        hours = Range(genset_hours, genset_hours, genset_hours, "h", "route", 2024)
        parts.append(_product(hours, tables.get(TARIFFS, "genset_fuel", "l_per_h"),
                              tables.get(TARIFFS, "genset_fuel", "usd_per_l")))
    return parts


def rail_cost_parts(
    net: Corridor,
    route: Route,
    tables: ModeTables,
    container: str = "40",
    reefer: bool = False,
    terminals: Sequence[str] = ("rail", "rail"),
) -> list[Range]:
    """Every money part of a rail (and rail-ferry) route for one container, in USD.

    Parameters
    ----------
    net, route
        The network and a route found on it.
    tables : ModeTables
    container : {"20", "40"}
    reefer : bool
        Add the reefer surcharge and genset fuel for the route's expected hours.
    terminals : sequence of str
        Terminal handling charged at the ends ('rail' or 'port'); empty for a leg joined to another.
    """
    freight = _freight_parts(net, route.links, tables, container)
    parts = freight + _fee_parts(net, route, tables, container)
    parts += [tables.get(TARIFFS, "terminal", kind, container) for kind in terminals]
    if reefer:
        parts += reefer_parts(freight, "rail", route.transit_days * 24.0, tables)
    return parts


def expected_cost(parts: Sequence[Range]) -> float:
    """Expected USD: the sum of the parts' PERT means."""
    return float(sum(p.mean for p in parts))


def sample_cost(parts: Sequence[Range], samples: int, rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo totals (USD) of independent PERT-distributed parts, one per draw."""
    if not parts:
        return np.zeros(samples)
    lo = np.array([p.low for p in parts])
    mode = np.array([p.typical for p in parts])
    hi = np.array([p.high for p in parts])
    return sample_matrix(lo, mode, hi, samples, rng).sum(axis=1)
