"""Transit dependence: how much of a flow each transit country (or border crossing) carries at
baseline, and what avoiding it costs.

Baseline shares come from the capacity model's equilibrium assignment of the whole demand (the
flow shares capacity and queues with the other trains). For each country or crossing avoided:
the trains per day still carried (the served trains of the capacity-constrained assignment of the
whole demand with its elements closed, the other flows competing for the same capacity), the trains
and TEU per day that cannot; where the trains through it go, net of knock-on effects (rerouted
onto the corridors of the closed assignment's paths, or not carried when the detour is full);
the extra days (expected and P90), USD and kg CO2e per 40' container of the rerouted trains
(closed-assignment paths against their baseline paths; rail, else the fastest sea option of the
mode comparison); and the minimum cut of the detour network (the binding elements: how much new
capacity where would let the flow avoid it; its value ``detour_cut_trains_day`` is the flow's
maximum flow alone, an upper bound of the trains carried).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.dependence import inputs
from corridor.dependence.corridors import NO_ROUTE, NOT_CARRIED, SEA, corridor_of, country_name, describe_mix
from corridor.dependence.flows import FLOW_COLUMNS, export_demand, flow_demand, get_flow
from corridor.errors import CorridorError
from corridor.limits import check_samples
from corridor.network import Corridor

BY = ("country", "crossing")
COLUMNS = [
    "id", "name", "share_trains", "share_teu_km", "through_trains_day", "flow_trains_day",
    "carried_trains_day", "unserved_trains_day", "unserved_teu_day", "rerouted_trains_day",
    "extra_days", "extra_p90_days", "extra_usd_per_container", "extra_co2e_kg_per_container",
    "moves_to", "detour_corridor", "detour_cut_trains_day", "binding", "binding_ids", "detour_path",
]
_EXTRA = ("extra_days", "extra_p90_days", "extra_usd_per_container", "extra_co2e_kg_per_container")
#: an element with fewer of the flow's trains through it at baseline is not used by the flow
UNUSED_TRAINS_DAY = 0.01
UNUSED = "not used by the flow"
#: every train of the flow through it ends there (its market is inside): nothing to reroute
ENDS_THERE = "its trains end there"
#: extra days, USD and CO2e are left out (NaN) when fewer trains than this are rerouted
MOVED_TRAINS_DAY = 0.05
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
    edges: tuple[int, ...] = ()


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
    result: inputs.Assignment
    derived: dict = field(default_factory=dict)


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
        per 40' container, weighted by the trains rerouted, NaN when fewer than
        ``MOVED_TRAINS_DAY`` are; ``moves_to`` the net mix of corridors and ``not carried``,
        ``detour_corridor`` the main corridor of the detour paths even when it is full;
        ``detour_cut_trains_day`` is ``inf`` when a detour has no capacity limit anywhere),
        most depended-on first;
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
    for lid, a, b in zip(links.index, links["from"], links["to"], strict=True):
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
                             row.teu_per_train, transit, dict(km), crossings, sum(km.values()),
                             use.edges))
    return _Context(net, rows, uses, dict(crossing_links), crossing_names, assigned, samples, seed,
                    result)


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
    closed_result = inputs.closed_assignment(ctx.net, ctx.assigned,
                                             inputs.closed_elements(ctx.net, **closed))
    carried = _carried(ctx, relevant, closed_result)
    unserved = flow_trains - carried
    teu_per_train = (float((relevant["trains_day"] * relevant["teu_per_train"]).sum()) / flow_trains
                     if flow_trains > 0 else 0.0)
    lost = max(0.0, _carried(ctx, relevant, ctx.result) - carried)
    detour = _detour(ctx, through, closed_result, [key] if by == "country" else [], lost)
    return {
        "id": key, "name": _name(ctx, key, by),
        "share_trains": through_trains / total_trains if total_trains else 0.0,
        "share_teu_km": teu_km / total_teu_km if total_teu_km else 0.0,
        "through_trains_day": through_trains, "flow_trains_day": flow_trains,
        "carried_trains_day": carried, "unserved_trains_day": unserved,
        "unserved_teu_day": unserved * teu_per_train,
        **detour,
        "detour_cut_trains_day": capacity,
        "binding": ", ".join(f"{n} {c:g}" for n, c in
                             zip(cut["name"], cut["capacity_trains_day"], strict=True)),
        "binding_ids": " ".join(cut["id"]),
    }


def _of(ctx: _Context, result: inputs.Assignment) -> dict:
    """What the table derives from one assignment, computed once: served shares, carried waits."""
    key = id(result)
    if key not in ctx.derived:
        ctx.derived[key] = {"result": result, "shares": inputs.served_shares(result),
                            "waits": inputs.carried_waits(ctx.net, result)}
    return ctx.derived[key]


def _carried(ctx: _Context, relevant: pd.DataFrame, result: inputs.Assignment) -> float:
    """Trains/day of the flow rows an assignment of the whole demand serves."""
    if relevant.empty:
        return 0.0
    share = _of(ctx, result)["shares"]
    return float(sum(t * share.get((o, d), 0.0) for o, d, t in
                     zip(relevant["origin"], relevant["destination"], relevant["trains_day"], strict=True)))


def _name(ctx: _Context, key: str, by: str) -> str:
    if by == "crossing":
        return ctx.crossing_names[key]
    return country_name(key)


def _metrics(ctx: _Context, result: inputs.Assignment, origin: str, edges: tuple[int, ...]):
    """(route, [days, P90 days, USD, kg CO2e]) of a train on an assigned path, days with its waits."""
    found = inputs.path_route(ctx.net, origin, edges, samples=ctx.samples, seed=ctx.seed)
    wait = float(_of(ctx, result)["waits"][list(edges)].sum()) / 24.0
    p90 = found.p90_days if found.p90_days is not None else found.transit_days
    usd, kg = inputs.container_usd_co2e(ctx.net, found)
    return found, np.array([found.transit_days + wait, p90 + wait, usd, kg])


def _mean_metrics(ctx: _Context, result, origin: str, paths: dict[tuple, float]) -> np.ndarray:
    total = sum(paths.values())
    return sum(f / total * _metrics(ctx, result, origin, p)[1] for p, f in paths.items())


@dataclass
class _PairDetour:
    """One pair's trains through the avoided element and their detour in the closed assignment."""

    served: float  # the pair's trains through it that the baseline carries (trains/day)
    extra: np.ndarray  # detour minus baseline: days, P90 days, USD, kg CO2e
    mix: dict[str, float]  # corridor -> share of the pair's closed paths (rail), or {"sea": 1}
    path: tuple[str, ...] = ()  # the pair's main detour path (rail)

    @property
    def by_rail(self) -> bool:
        return SEA not in self.mix and NO_ROUTE not in self.mix


def _detour(ctx: _Context, through: list[_Use], closed: inputs.Assignment, avoid: list[str],
            lost: float) -> dict:
    """Where the flow's trains through the avoided element go with it closed, and what it costs.

    Net of knock-on effects: of the trains through the element that the baseline carries, the flow
    loses ``lost`` (its trains carried at baseline minus with the element closed, every flow
    competing); the rest are rerouted, spread over the corridors of their pairs' paths in the
    assignment with it closed. So a detour that is already full at baseline takes none: trains
    moving onto it only displace others (``not carried``). A pair with no rail route left goes by
    the fastest sea option of the mode comparison (its trains are part of ``lost``). Extra days
    (expected, P90; each element's queue wait at its volume but at most its capacity, the trains
    beyond it being the ones not carried), USD and kg CO2e per container are those of the pairs'
    closed paths minus those of their baseline paths through the element, weighted by the trains
    rerouted.
    """
    if sum(u.trains_day for u in through) < UNUSED_TRAINS_DAY:
        return {"rerouted_trains_day": 0.0, **dict.fromkeys(_EXTRA, np.nan), "moves_to": UNUSED,
                "detour_corridor": "", "detour_path": ""}
    pairs = _pair_detours(ctx, through, closed, avoid)
    rail = [p for p in pairs if p.by_rail]
    rail_served = sum(p.served for p in rail)
    off_rail = sum(p.served for p in pairs) - rail_served
    rerouted = max(0.0, rail_served - max(0.0, lost - off_rail))
    scale = rerouted / rail_served if rail_served > 0 else 0.0
    corridors: dict[str, float] = defaultdict(float, {NOT_CARRIED: rail_served - rerouted})
    detours: dict[str, float] = defaultdict(float)
    sums, total = np.zeros(4), 0.0
    for pair in pairs:
        moved = pair.served * (scale if pair.by_rail else 1.0)
        for name, share in pair.mix.items():
            corridors[name] += moved * share
            detours[name] += pair.served * share
        if np.isfinite(pair.extra).all():
            sums += moved * pair.extra
            total += moved
    values = sums / total if total >= MOVED_TRAINS_DAY else np.full(4, np.nan)
    main_path = max(((p.served, p.path) for p in rail), default=(0.0, ()))[1]
    by_sea = sum(p.served for p in pairs if SEA in p.mix)
    return {"rerouted_trains_day": rerouted + by_sea,
            **dict(zip(_EXTRA, values, strict=True)),
            "moves_to": describe_mix(corridors) or ENDS_THERE, "detour_corridor": _main(detours),
            "detour_path": " ".join(main_path)}


def _pair_detours(ctx: _Context, through: list[_Use], closed: inputs.Assignment,
                  avoid: list[str]) -> list[_PairDetour]:
    """Each pair's trains through the element (carried at baseline) and their detour."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    base_paths: dict[tuple[str, str], dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
    for use in through:
        weights[(use.origin, use.destination)] += use.trains_day
        base_paths[(use.origin, use.destination)][use.edges] += use.trains_day
    base_share = _of(ctx, ctx.result)["shares"]
    country = ctx.net.nodes["country"]
    out = []
    for (origin, destination), trains in sorted(weights.items()):
        if country[origin] in avoid or country[destination] in avoid:
            continue  # a stand-in market inside the avoided country: no detour can reach it
        served = trains * min(base_share.get((origin, destination), 0.0), 1.0)
        base = _mean_metrics(ctx, ctx.result, origin, base_paths[(origin, destination)])
        paths = inputs.pair_paths(closed, origin, destination)
        if not paths:
            sea = inputs.sea_option(ctx.net, origin, destination, ctx.seed)
            if sea is None:
                out.append(_PairDetour(served, np.full(4, np.nan), {NO_ROUTE: 1.0}))
            else:
                detour = np.array([sea[k] for k in ("days", "p90_days", "cost_usd", "co2e_kg")])
                out.append(_PairDetour(served, detour - base, {SEA: 1.0}))
            continue
        flow = sum(paths.values())
        detour, mix, largest = np.zeros(4), defaultdict(float), (0.0, ())
        for path, f in paths.items():
            found, values = _metrics(ctx, closed, origin, path)
            mix[corridor_of(ctx.net, found)] += f / flow
            detour += f / flow * values
            largest = max(largest, (f / flow, tuple(found.path)))
        out.append(_PairDetour(served, detour - base, dict(mix), largest[1]))
    return out


def _main(weights: dict[str, float]) -> str:
    """The corridor with most trains ('' when none)."""
    ranked = sorted(((-w, name) for name, w in weights.items() if w > 0))
    return ranked[0][1] if ranked else ""


def _base_max_flow(ctx: _Context) -> float:
    capacity, _ = inputs.max_flow(ctx.net, ctx.rows["origin"], ctx.rows["destination"])
    return min(float(ctx.rows["trains_day"].sum()), capacity)


def _base_carried(ctx: _Context) -> float:
    return _carried(ctx, ctx.rows, ctx.result)
