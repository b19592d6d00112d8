"""The options a forwarder decides on: rail corridors, the Middle Corridor, rail–sea via Suez or the
Cape, air — each with days, USD, kg CO2e, inventory cost, shelf life left and Pareto marks."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from corridor.coldchain.climate import check_month
from corridor.coldchain.commodities import Commodity
from corridor.errors import CorridorError, NoRouteError
from corridor.geodesy import CRS
from corridor.limits import check_samples, check_seed
from corridor.modes import air, emissions, sea, shelf, tariffs, whatif
from corridor.modes.tables import ModeTables, Range, builtin_tables
from corridor.network import Corridor
from corridor.scenarios.spec import CLOSABLE_PASSAGES
from corridor.schema import EU_COUNTRIES, WATER_MODES
from corridor.timemodel import Spread, sample_mixture
from corridor.transit import Leg, Route, alternatives, matrix, route

#: stated default cargo per container when --payload-t is not given (estimate, tonnes)
DEFAULT_PAYLOAD_T = {"20": 10.0, "40": 14.0}
CONTAINERS = ("20", "40")
AVOIDABLE = CLOSABLE_PASSAGES
COLUMNS = [
    "option", "mode", "via", "distance_km", "days", "p50_days", "p90_days", "cost_usd", "p50_cost_usd",
    "p90_cost_usd", "co2e_kg", "inventory_usd", "total_cost_usd", "shelf_life_left_days", "keeps",
    "shelf_note", "pareto", "best_for",
]
CRITERIA = {"time": "days", "cost": "cost_usd", "co2e": "co2e_kg"}


@dataclass
class _Option:
    name: str
    mode: str
    via: str
    distance_km: float
    times: list[tuple[Spread, float]]
    costs: list[Range]
    co2e_kg: float
    lines: list = field(default_factory=list)
    #: a whole rail route: its own expected / P50 / P90 days (as ``corridor route`` prints them)
    route_days: tuple[float, float, float] | None = None
    #: the rail(-ferry) legs, for the month's ambient exposure
    rail_legs: list[Leg] = field(default_factory=list)


def rail_alternatives(net: Corridor, origin: str, destination: str, k: int, samples: int = 2000,
                      seed: int = 0) -> list[Route]:
    """The rail corridors ``corridor route --alternatives`` finds, with its P50/P90 (same seed)."""
    return list(alternatives(net, origin, destination, k=k, samples=samples, seed=seed))


def _timed(r: Route) -> list[tuple[Spread, float]]:
    """Every leg of a route as (spread, chance): disruption episodes (chance < 1) included."""
    return [(leg.spread, leg.chance) for leg in r.legs]


def _route_days(r: Route) -> tuple[float, float, float] | None:
    if r.p50_days is None or r.p90_days is None:
        return None
    return (r.transit_days, r.p50_days, r.p90_days)


def _rail_option(net, r: Route, name: str, tables, container, reefer, payload_t) -> _Option:
    co2 = emissions.links_co2e_kg(net, r.path, r.links, tables, payload_t)
    if reefer:
        co2 += emissions.genset_co2e_kg(r.transit_days * 24.0, tables)
    water = any(net.links.at[lid, "mode"] in WATER_MODES for lid in r.links)
    via = " · ".join(step.from_node for step in r.border_crossings[:4])
    return _Option(name, "rail–ferry" if water else "rail", via, r.distance_km, _timed(r),
                   tariffs.rail_cost_parts(net, r, tables, container, reefer), co2,
                   [r.geometry] if r.geometry is not None else [], _route_days(r), list(r.legs))


def _xy(net: Corridor, node: str) -> tuple[float, float]:
    point = net.nodes.geometry[node]
    return (float(point.x), float(point.y))


def _nearest(net: Corridor, ends: Sequence[str], place: str, outbound: bool) -> str | None:
    """The port with the fastest rail link to (outbound) or from ``place``; the place itself if a port."""
    if place in ends:
        return place
    starts, ends_ = ([place], list(ends)) if outbound else (list(ends), [place])
    frame = matrix(net, starts, ends_, samples=0)
    frame = frame.dropna(subset=["transit_days"])
    if frame.empty:
        return None
    best = frame.loc[frame["transit_days"].idxmin()]
    return str(best["destination"] if outbound else best["origin"])


def _sea_options(net, origin, destination, tables: ModeTables, container, reefer, payload_t,
                 passages: Sequence[str]) -> list[_Option]:
    ports = tables.ports[tables.ports["id"].isin(net.nodes.index)]
    china = list(ports.index[ports["region"] == "china"])
    europe = list(ports.index[ports["region"] != "china"])
    countries = net.nodes["country"]
    in_europe = countries[destination] in EU_COUNTRIES or destination in europe
    if countries[origin] != "CN" or not in_europe:
        return []  # westbound China → Europe only (the indices are westbound)
    pol, pod = _nearest(net, china, origin, True), _nearest(net, europe, destination, False)
    if pol is None or pod is None:
        return []
    pre = route(net, origin, pol, samples=0) if pol != origin else None
    post = route(net, pod, destination, samples=0) if pod != destination else None
    region = str(ports.at[pod, "region"])
    options = []
    for passage in passages:
        lane = sea.port_lane(pol, pod, _xy(net, pol), _xy(net, pod), passage, tables)
        options.append(_combine(net, pre, lane, post, passage, pol, pod, region, tables, container, reefer,
                                payload_t))
    return options


def _combine(net, pre, lane, post, passage, pol, pod, region, tables, container, reefer,
             payload_t) -> _Option:
    times = [(s, 1.0) for _, s in sea.sea_spreads(lane, tables)]
    rail_legs: list[Leg] = []
    freight = sea.sea_freight(region, container, tables)
    costs = [freight, *(tables.get("tariffs", "terminal", "port", container) for _ in range(2))]
    if reefer:
        costs += tariffs.reefer_parts([freight], "sea", 0.0, tables)
    co2, km, lines = emissions.sea_co2e_kg(lane.km, payload_t, tables), lane.km, [LineString(lane.coords)]
    for leg, terminals in ((pre, ("rail",)), (post, ("rail",))):
        if leg is None:
            continue
        times += _timed(leg)
        rail_legs += leg.legs
        costs += tariffs.rail_cost_parts(net, leg, tables, container, reefer, terminals)
        co2 += emissions.links_co2e_kg(net, leg.path, leg.links, tables, payload_t)
        if reefer:
            co2 += emissions.genset_co2e_kg(leg.transit_days * 24.0, tables)
        km += leg.distance_km
        if leg.geometry is not None:
            lines.append(leg.geometry)
    label = "Suez" if passage == "suez" else "Cape of Good Hope"
    mode = "sea" if pre is None and post is None else "rail–sea"
    name = f"{mode} via {label} ({net.nodes.at[pol, 'name']} → {net.nodes.at[pod, 'name']})"
    return _Option(name, mode, f"{pol} · {label} · {pod}", km, times, costs, co2, lines, rail_legs=rail_legs)


def _air_option(net, origin, destination, tables, payload_t) -> _Option:
    (x1, y1), (x2, y2) = _xy(net, origin), _xy(net, destination)
    km = air.air_km(x1, y1, x2, y2, tables)
    return _Option("air", "air", "great circle + 95 km", km, [(air.air_spread(tables), 1.0)],
                   [air.air_cost(payload_t, tables)], emissions.air_co2e_kg(km, payload_t, tables),
                   [LineString([(x1, y1), (x2, y2)])])


def _middle_corridor(net, origin, destination, routes: list[Route], samples: int, seed: int) -> Route | None:
    if any(net.links.at[lid, "mode"] == "ferry" for r in routes for lid in r.links):
        return None
    try:
        return route(net, origin, destination, via=["alat_port"], samples=samples, seed=seed)
    except (NoRouteError, CorridorError):
        return None


def pareto_mask(frame: pd.DataFrame, columns: Iterable[str] = tuple(CRITERIA.values())) -> np.ndarray:
    """True for rows no other row dominates (no worse on every column, better on one)."""
    values = frame[list(columns)].to_numpy(dtype=float)
    keep = np.ones(len(values), dtype=bool)
    for i, row in enumerate(values):
        no_worse = (values <= row).all(axis=1)
        better = (values < row).any(axis=1)
        keep[i] = not (no_worse & better).any()
    return keep


def _check(container: str, avoid: Iterable[str], payload_t: float | None, cargo_value_usd: float,
           month: int | None, samples: int, seed: int) -> set[str]:
    if str(container) not in CONTAINERS:
        raise CorridorError(f"container {container!r}; expected 20 or 40")
    avoided = {str(a).strip().lower() for a in avoid}
    unknown = avoided - set(AVOIDABLE)
    if unknown:
        raise CorridorError(f"cannot avoid {sorted(unknown)[0]!r}; expected one of {', '.join(AVOIDABLE)}")
    if payload_t is not None and not (np.isfinite(payload_t) and 0 < payload_t <= 30):
        raise CorridorError(f"payload {payload_t!r} t; expected a number in (0, 30]")
    if not (np.isfinite(cargo_value_usd) and cargo_value_usd >= 0):
        raise CorridorError(f"cargo value {cargo_value_usd!r} USD; expected a finite number >= 0")
    if month is not None:
        check_month(month)
    check_samples(samples)
    check_seed(seed)
    if samples < 1:
        raise CorridorError(f"samples {samples!r}; the modes comparison needs at least 1 draw for P50/P90")
    return avoided


def _days(o: _Option, samples: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """Expected, P50 and P90 days: a rail route's own, else the Monte Carlo of every leg (episodes too)."""
    if o.route_days is not None:
        return o.route_days
    spreads = [s for s, _ in o.times]
    chance = np.array([c for _, c in o.times])
    draws = sample_mixture(np.array([s.lo for s in spreads]), np.array([s.mode for s in spreads]),
                           np.array([s.hi for s in spreads]), chance, samples, rng)
    p50, p90 = (float(v) / 24.0 for v in np.percentile(draws.sum(axis=1), [50, 90]))
    return float(sum(c * s.mean for s, c in o.times)) / 24.0, p50, p90


def _row(net: Corridor, o: _Option, rng_seed: int, samples: int, value: float, rate: float,
         item: Commodity | None, month: int | None) -> dict:
    # one stream per option name: an option keeps its draws when a scenario drops another option
    rng = np.random.default_rng((rng_seed, zlib.crc32(o.name.encode("utf-8"))))
    days, p50, p90 = _days(o, samples, rng)
    usd = tariffs.sample_cost(o.costs, samples, rng)
    cost = tariffs.expected_cost(o.costs)
    inventory = value * days * rate / 365.0
    if item is None:
        left, keeps, note = np.nan, None, ""
    else:
        exposure = shelf.exposure_days(net, o.rail_legs, item, month) if month else 0.0
        left, keeps, note = shelf.shelf_life(item, p90, exposure)
    return {"option": o.name, "mode": o.mode, "via": o.via, "distance_km": o.distance_km, "days": days,
            "p50_days": p50, "p90_days": p90, "cost_usd": cost, "p50_cost_usd": float(np.percentile(usd, 50)),
            "p90_cost_usd": float(np.percentile(usd, 90)), "co2e_kg": o.co2e_kg, "inventory_usd": inventory,
            "total_cost_usd": cost + inventory, "shelf_life_left_days": left, "keeps": keeps,
            "shelf_note": note}


def compare_modes(
    net: Corridor,
    origin: str,
    destination: str,
    *,
    container: str = "40",
    reefer: bool = False,
    payload_t: float | None = None,
    commodity_id: str | None = None,
    month: int | None = None,
    cargo_value_usd: float = 0.0,
    avoid: Iterable[str] = (),
    alternatives: int = 3,
    samples: int = 2000,
    seed: int = 0,
    tables: ModeTables | None = None,
) -> gpd.GeoDataFrame:
    """Compare rail, rail–sea, sea and air for one container between two places.

    Parameters
    ----------
    net : Corridor
    origin, destination : str
        Place ids, names or aliases (ports for a port-to-port comparison).
    container : {"20", "40"}
    reefer : bool
        Reefer box: surcharge on freight and genset fuel on rail legs. A commodity needing a reefer
        turns it on.
    payload_t : float, optional
        Cargo tonnes per container (default ``DEFAULT_PAYLOAD_T``: 10 t per 20', 14 t per 40').
    commodity_id : str, optional
        A commodity of ``geodata/commodities.csv``; adds shelf life left on arrival (after the P90 days).
    month : int, optional
        1–12: rail legs also use shelf life by the month's ambient temperature during unpowered
        periods (transshipment, ferry), as in the reach model; sea and air keep the reefer at its
        set point (stated assumption, :mod:`corridor.modes.shelf`). Without it, set point throughout.
    cargo_value_usd : float
        Value of the cargo, for the inventory cost (value × days × annual rate in tariffs.csv / 365).
    avoid : iterable of str
        ``"suez"`` closes the Suez/Red Sea passage (Red Sea closure). A scenario network
        (``Scenario.apply``) adds its ``close_passage`` edits and its ``scale_tariff`` edits
        scale the tables.
    alternatives : int
        Rail corridors to list (as ``corridor route --alternatives`` finds them).
    samples, seed : int
        Monte Carlo draws for P50/P90 days and USD; same seed, same numbers.
    tables : ModeTables, optional
        Tariffs and factors (the built-in tables when omitted).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per option (columns ``COLUMNS``; units in names; days expected/P50/P90), the drawn
        line in ``geometry``; ``attrs["sources"]`` lists every table source used.
    """
    avoided = _check(container, avoid, payload_t, cargo_value_usd, month, samples, seed)
    avoided |= whatif.closed_passages(net)
    tables = whatif.scenario_tables(net, tables or builtin_tables())
    container = str(container)
    payload = payload_t if payload_t is not None else DEFAULT_PAYLOAD_T[container]
    item = shelf.find_commodity(commodity_id) if commodity_id else None
    reefer = reefer or bool(item and item.requires_reefer)
    start, end = net.resolve(origin), net.resolve(destination)
    routes = rail_alternatives(net, start, end, alternatives, samples, seed)
    options = [_rail_option(net, r, f"rail {i}", tables, container, reefer, payload)
               for i, r in enumerate(routes, start=1)]
    middle = _middle_corridor(net, start, end, routes, samples, seed)
    if middle is not None:
        options.append(_rail_option(net, middle, "Middle Corridor", tables, container, reefer, payload))
    passages = [p for p in sea.PASSAGES if p not in avoided]
    options += _sea_options(net, start, end, tables, container, reefer, payload, passages)
    options.append(_air_option(net, start, end, tables, payload))
    rate = tables.get("tariffs", "inventory", "annual_rate").typical
    rows = [_row(net, o, seed, samples, cargo_value_usd, rate, item, month) for o in options]
    frame = pd.DataFrame(rows)
    frame["pareto"] = pareto_mask(frame)
    frame["best_for"] = [", ".join(c for c, col in CRITERIA.items() if i == frame[col].idxmin())
                         for i in frame.index]
    geometry = [_joined(o.lines) for o in options]
    result = gpd.GeoDataFrame(frame[COLUMNS], geometry=geometry, crs=CRS)
    result.attrs.update(origin=start, destination=end, container=container, reefer=reefer, payload_t=payload,
                        commodity=commodity_id, month=month, avoid=sorted(avoided),
                        scenario=whatif.scenario_name(net), sources=tables.sources())
    if item is not None:
        result.attrs["shelf_assumption"] = (f"rail: ambient of month {month} in unpowered periods; "
                                            f"{shelf.SEA_AIR_ASSUMPTION}" if month else
                                            "reefer at set point throughout (no --month)")
    return result


def _joined(lines: list) -> LineString | None:
    coords = [c for line in lines for c in line.coords]
    return LineString(coords) if len(coords) > 1 else None
