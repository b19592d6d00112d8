"""Transit dependence: how much of a flow each transit country (or border crossing) carries at
baseline, and what avoiding it costs.

Baseline shares come from the capacity model's equilibrium assignment of the whole demand (the
flow shares capacity and queues with the other trains). For each country or crossing avoided:
the trains per day still carried (the served trains of the capacity-constrained assignment of the
whole demand with its elements closed, the other flows competing for the same capacity), the trains
and TEU per day that cannot, the extra days (expected and P90), USD and kg CO2e per 40' container
of the rerouted trains on their fastest detour (rail, else the fastest sea option of the mode comparison), the
corridor they move to, and the minimum cut of the detour network (the binding elements: how much
new capacity where would let the flow avoid it; its value ``detour_cut_trains_day`` is the flow's
maximum flow alone, an upper bound of the trains carried).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.dependence import inputs
from corridor.dependence.corridors import corridor_of, country_name, describe_mix
from corridor.dependence.flows import FLOW_COLUMNS, export_demand, flow_demand, get_flow
from corridor.errors import CorridorError
from corridor.limits import check_samples
from corridor.network import Corridor

BY = ("country", "crossing")
COLUMNS = [
    "id", "name", "share_trains", "share_teu_km", "through_trains_day", "flow_trains_day",
    "carried_trains_day", "unserved_trains_day", "unserved_teu_day", "rerouted_trains_day",
    "extra_days", "extra_p90_days", "extra_usd_per_container", "extra_co2e_kg_per_container",
    "moves_to", "detour_cut_trains_day", "binding", "binding_ids", "detour_path",
]
BASE_COLUMNS = ["share_trains", "carried_trains_day", "unserved_trains_day", "extra_days", "moves_to"]


@dataclass
class _Use:
    """One assigned path of one flow row."""

    origin: str
    destination: str
    market: str
    trains_day: float
    teu_per_train: float
    countries: set[str]
    country_km: dict[str, float]
    crossings: set[str]
    km: float


@dataclass
class _Context:
    net: Corridor
    rows: pd.DataFrame
    uses: list[_Use]
    crossing_links: dict[str, list[str]]
    crossing_names: dict[str, str]
    assigned: pd.DataFrame
    samples: int
    seed: int
    base_routes: dict = field(default_factory=dict)


def dependence(
    net: Corridor,
    demand: pd.DataFrame | str | Path | None = None,
    flow: str = "china-europe",
    by: str = "country",
    scenario=None,
    *,
    samples: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Transit dependence of a flow: one row per transit country (or border crossing).

    Parameters
    ----------
    net : Corridor
    demand : DataFrame, path or None
        Demand rows (``origin``, ``destination``, ``trains_day``); the built-in demand when None.
        For ``kazakhstan-exports`` the export trains are added to it.
    flow : {"china-europe", "china-central-asia", "kazakhstan-exports"}
        A flow of ``geodata/flows.csv``.
    by : {"country", "crossing"}
    scenario : Scenario, optional
        Apply it first; the table then also carries the baseline's ``base_*`` columns.
    samples, seed : int
        Monte Carlo draws for the P90 days of routes; same seed, same numbers.

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS`` (shares are fractions 0-1; days, USD and kg are per rerouted train or
        per 40' container, weighted by the trains rerouted), most depended-on first;
        ``attrs`` holds flow, by, total trains and TEU per day, the baseline max flow and the
        trains per day the baseline assignment carries.
    """
    if by not in BY:
        raise CorridorError(f"unknown --by {by!r}; expected one of {', '.join(BY)}")
    check_samples(samples)
    table = _table(net, demand, flow, by, samples, seed)
    if scenario is None:
        return table
    variant = scenario.apply(net)
    variant_demand = _scenario_demand(net, demand, scenario)
    changed = _table(variant, variant_demand, flow, by, samples, seed)
    base = table.set_index("id")[BASE_COLUMNS].add_prefix("base_")
    changed = changed.join(base, on="id")
    changed.attrs.update(table.attrs, scenario=scenario.name,
                         **{f"base_{k}": v for k, v in table.attrs.items() if k.endswith("_day")})
    return changed


def _scenario_demand(net, demand, scenario):
    frame = demand if isinstance(demand, pd.DataFrame) else inputs.builtin_demand(net, demand)
    return scenario.demand_table(frame, net)


def _table(net, demand, flow_name, by, samples, seed) -> pd.DataFrame:
    flow = get_flow(flow_name)
    base = demand if isinstance(demand, pd.DataFrame) else inputs.builtin_demand(net, demand)
    base = base.assign(origin=[net.resolve(p) for p in base["origin"]],
                       destination=[net.resolve(p) for p in base["destination"]])
    if flow.demand == "kz_exports.csv":
        rows = export_demand(net)
        assigned = pd.concat([base[["origin", "destination", "trains_day"]],
                              rows[["origin", "destination", "trains_day"]]], ignore_index=True)
    else:
        rows = flow_demand(net, flow, base)
        assigned = base[["origin", "destination", "trains_day"]]
    result = inputs.assignment(net, assigned)
    ctx = _context(net, rows[FLOW_COLUMNS], assigned, result, samples, seed)
    keys = _keys(ctx, by)
    records = [_row(ctx, key, by) for key in keys]
    frame = pd.DataFrame(records, columns=COLUMNS)
    frame = frame.sort_values(["share_trains", "share_teu_km", "id"], ascending=[False, False, True],
                              ignore_index=True)
    total = float(rows["trains_day"].sum())
    frame.attrs.update(flow=flow_name, by=by, trains_day=total,
                       teu_day=float((rows["trains_day"] * rows["teu_per_train"]).sum()),
                       max_flow_trains_day=_base_max_flow(ctx), carried_trains_day=_base_carried(ctx))
    return frame


def _context(net, rows, assigned, result, samples, seed) -> _Context:
    country = net.nodes["country"]
    totals = assigned.groupby(["origin", "destination"])["trains_day"].sum()
    by_pair = defaultdict(list)
    for use in inputs.path_uses(net, result):
        by_pair[(use.origin, use.destination)].append(use)
    links = net.links
    uses, crossing_links, crossing_names = [], defaultdict(list), {}
    for lid, link in links.iterrows():
        a, b = link["from"], link["to"]
        if country[a] != country[b]:
            key = "__".join(sorted((a, b)))
            crossing_links[key].append(lid)
            crossing_names[key] = f"{net.nodes.at[a, 'name']} – {net.nodes.at[b, 'name']}"
    ends_of = dict(zip(links.index, zip(links["from"], links["to"], strict=True), strict=True))
    length_of = dict(zip(links.index, links["length_km"].astype(float), strict=True))
    country = country.to_dict()
    for row in rows.itertuples(index=False):
        pair = (row.origin, row.destination)
        for use in by_pair.get(pair, []):
            scale = row.trains_day / totals[pair]
            km: dict[str, float] = defaultdict(float)
            crossings = set()
            for lid in use.links:
                a, b = ends_of[lid]
                length = length_of[lid]
                if country[a] == country[b]:
                    km[country[a]] += length
                else:
                    km[country[a]] += length / 2
                    km[country[b]] += length / 2
                    crossings.add("__".join(sorted((a, b))))
            ends = {country[row.origin], row.market_country}  # a stand-in market node's country is transit
            transit = {country[n] for n in use.nodes} - ends
            uses.append(_Use(row.origin, row.destination, row.market_country, use.trains_day * scale,
                             row.teu_per_train, transit, dict(km), crossings, sum(km.values())))
    return _Context(net, rows, uses, dict(crossing_links), crossing_names, assigned, samples, seed)


def _keys(ctx: _Context, by: str) -> list[str]:
    found: set[str] = set()
    for use in ctx.uses:
        found |= use.countries if by == "country" else use.crossings
    return sorted(found)


def _uses_key(use: _Use, key: str, by: str) -> bool:
    return key in (use.countries if by == "country" else use.crossings)


def _relevant(ctx: _Context, key: str, by: str) -> pd.DataFrame:
    """Flow rows whose trains can be asked to avoid ``key`` (for a country: not starting or ending there)."""
    if by == "crossing":
        return ctx.rows
    country = ctx.net.nodes["country"]
    keep = [(country[o] != key and m != key)
            for o, m in zip(ctx.rows["origin"], ctx.rows["market_country"], strict=True)]
    return ctx.rows[keep]


def _row(ctx: _Context, key: str, by: str) -> dict:
    total_trains = sum(u.trains_day for u in ctx.uses)
    total_teu_km = sum(u.trains_day * u.teu_per_train * u.km for u in ctx.uses)
    through = [u for u in ctx.uses if _uses_key(u, key, by)]
    through_trains = sum(u.trains_day for u in through)
    if by == "country":
        teu_km = sum(u.trains_day * u.teu_per_train * u.country_km.get(key, 0.0) for u in ctx.uses)
    else:
        teu_km = sum(u.trains_day * u.teu_per_train * u.km for u in through)
    relevant = _relevant(ctx, key, by)
    flow_trains = float(relevant["trains_day"].sum())
    closed = {"countries": [key]} if by == "country" else {"links": ctx.crossing_links[key]}
    capacity, cut = inputs.max_flow(ctx.net, relevant["origin"], relevant["destination"], **closed)
    carried = _carried(ctx, relevant, inputs.closed_elements(ctx.net, **closed))
    unserved = flow_trains - carried
    teu_per_train = (float((relevant["trains_day"] * relevant["teu_per_train"]).sum()) / flow_trains
                     if flow_trains > 0 else 0.0)
    detour = _detour(ctx, through, [key] if by == "country" else ctx.crossing_links[key])
    return {
        "id": key, "name": _name(ctx, key, by),
        "share_trains": through_trains / total_trains if total_trains else 0.0,
        "share_teu_km": teu_km / total_teu_km if total_teu_km else 0.0,
        "through_trains_day": through_trains, "flow_trains_day": flow_trains,
        "carried_trains_day": carried, "unserved_trains_day": unserved,
        "unserved_teu_day": unserved * teu_per_train,
        "rerouted_trains_day": max(0.0, min(through_trains, carried)),
        **detour,
        "detour_cut_trains_day": capacity,
        "binding": ", ".join(f"{n} {c:g}" for n, c in
                             zip(cut["name"], cut["capacity_trains_day"], strict=True)),
        "binding_ids": " ".join(cut["id"]),
    }


def _carried(ctx: _Context, relevant: pd.DataFrame, closed: list[str]) -> float:
    """Trains/day of the flow rows served with ``closed`` closed (assignment of the whole demand)."""
    if relevant.empty:
        return 0.0
    share = inputs.served_share(ctx.net, ctx.assigned, closed)
    return float(sum(t * share.get((o, d), 0.0) for o, d, t in
                     zip(relevant["origin"], relevant["destination"], relevant["trains_day"], strict=True)))


def _name(ctx: _Context, key: str, by: str) -> str:
    if by == "crossing":
        return ctx.crossing_names[key]
    return country_name(key)


def _base(ctx: _Context, origin: str, destination: str):
    pair = (origin, destination)
    if pair not in ctx.base_routes:
        found = inputs.rail_route(ctx.net, origin, destination, samples=ctx.samples, seed=ctx.seed)
        ctx.base_routes[pair] = (found, inputs.container_usd_co2e(ctx.net, found) if found else None)
    return ctx.base_routes[pair]


def _detour(ctx: _Context, through: list[_Use], avoid: list[str]) -> dict:
    """Trains-weighted extra days, P90 days, USD and kg CO2e per container of the rerouted trains."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for use in through:
        weights[(use.origin, use.destination)] += use.trains_day
    sums = np.zeros(4)
    total = 0.0
    corridors: dict[str, float] = defaultdict(float)
    largest: tuple[float, tuple[str, ...]] = (0.0, ())
    for (origin, destination), trains in sorted(weights.items()):
        country = ctx.net.nodes["country"]
        if country[origin] in avoid or country[destination] in avoid:
            continue  # a stand-in market inside the avoided country: no detour can reach it
        base, base_money = _base(ctx, origin, destination)
        if base is None:
            continue
        found = inputs.rail_route(ctx.net, origin, destination, avoid=avoid, samples=ctx.samples,
                                  seed=ctx.seed)
        if found is not None:
            corridors[corridor_of(ctx.net, found)] += trains
            if trains > largest[0]:
                largest = (trains, tuple(found.path))
            usd, kg = inputs.container_usd_co2e(ctx.net, found)
            days, p90 = found.transit_days, found.p90_days
        else:
            sea = inputs.sea_option(ctx.net, origin, destination, ctx.seed)
            corridors["sea" if sea is not None else "no route"] += trains
            if sea is None:
                continue
            days, p90, usd, kg = sea["days"], sea["p90_days"], sea["cost_usd"], sea["co2e_kg"]
        base_p90 = base.p90_days if base.p90_days is not None else base.transit_days
        p90 = p90 if p90 is not None else days
        sums += trains * np.array([days - base.transit_days, p90 - base_p90, usd - base_money[0],
                                   kg - base_money[1]])
        total += trains
    values = sums / total if total > 0 else np.full(4, np.nan)
    return {"extra_days": values[0], "extra_p90_days": values[1], "extra_usd_per_container": values[2],
            "extra_co2e_kg_per_container": values[3], "moves_to": describe_mix(corridors),
            "detour_path": " ".join(largest[1])}


def _base_max_flow(ctx: _Context) -> float:
    capacity, _ = inputs.max_flow(ctx.net, ctx.rows["origin"], ctx.rows["destination"])
    return min(float(ctx.rows["trains_day"].sum()), capacity)


def _base_carried(ctx: _Context) -> float:
    return _carried(ctx, ctx.rows, [])
