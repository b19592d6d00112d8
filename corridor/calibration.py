"""Calibration of network-wide time parameters against published services, with k-fold cross-validation.

Only network-wide parameters are fitted; there is no per-service factor:

* ``speed_china`` - multiplier on every running speed of standard-gauge links in China;
* ``speed_broad_gauge`` - multiplier on every 1520 mm link (Kazakhstan, Russia, Belarus, Central Asia,
  Mongolia, the Caucasus);
* ``speed_europe`` - multiplier on the other standard- and broad-Iberian-gauge links (Europe, Turkey, Iran);
* ``border_dwell`` - scale on the dwell (best, most likely and bad-week hours) of every border and
  gauge-change node;
* ``ferry_port`` - scale on the waits for a sailing (ferry and sea headways) and on port handling;
* ``dispersion`` - the log-standard-deviation of a published service's days around the model: the
  day-to-day and service-to-service variation the time model does not carry (timetable slots,
  priority, consolidation at origin, early or demonstration runs).

Why these: running time is set per railway from typical daily runs (km/day) that differ by traction,
gauge and dispatching regime, so one multiplier per region corrects a bias of the whole region;
border dwell and the Caspian ferry waits are the other large blocks of a transit time and their
figures are the least certain. Published figures of one corridor differ by a factor of two between
services and years, so the model's P10-P90 band must carry that spread to be honest.

The fit is a maximum a-posteriori fit of an interval-censored log-normal likelihood: a published
"12-13 days" is read as 11.5-13.5 days (published days are rounded), and the model gives a service's
days as ``expected_days(params) * exp(dispersion * Z)``. The multipliers have a normal prior on their
logarithm centred on 1 (sd ``PRIOR_SD``), so a region a fold hardly sees keeps its sourced figures and
the multipliers cannot trade off freely between folds. The expected hours use a fast surrogate: for a
fixed path they are ``fixed + sum(run_r / m_r) + s * dwell + f * (waits + port)`` (exact for PERT
means, which are linear in 1/speed, in the dwell and in the headway), with the paths re-routed once on
the fitted network.

Each service is compared on the route it takes in reality: the fastest route through its published
crossings (when published), so that a route the model would not choose is not read as a wrong length
or speed; whether the model itself would choose that route is reported separately (the rank of the
first of its corridors that crosses at the published crossings). Where a source documents the route of
the published distance (``distance_via``: an older routing, or the cities it names), the distance
is measured on the route through those places instead (:func:`distance_route_km`). The held-out
figures in the report always come from real routing on the fitted network, with the dispersion on
top of the route's own Monte Carlo spread.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import norm

from corridor.errors import NoRouteError
from corridor.network import Corridor
from corridor.services_table import node_list
from corridor.timemodel import sample_mixture

PARAMETERS = ("speed_china", "speed_broad_gauge", "speed_europe", "border_dwell", "ferry_port")
REGIONS = ("china", "broad_gauge", "europe")
SCALED_NODE_KINDS = ("border", "gauge_change")
SPEED_COLUMNS = ("speed_kmh", "speed_min_kmh", "speed_max_kmh")
DWELL_COLUMNS = ("dwell_h", "dwell_min_h", "dwell_max_h")
HEADWAY_COLUMNS = ("headway_h", "headway_max_h")
WATER_MODES = ("ferry", "sea")
#: prior standard deviation of the log-multipliers (centred on 0, multiplier 1): a region that a fold
#: hardly sees keeps its sourced speeds, and the four multipliers cannot trade off freely
PRIOR_SD = 0.2
#: the ferry waits and port handling are estimates (no timetable: "ferries sail when loaded", waits
#: of a day to two weeks reported), so their scale gets a wider prior
PRIOR_SD_BY_PARAMETER = {"ferry_port": 0.5}
#: the network-wide dispersion: log-sd of a service's days around the model (day-to-day and
#: service-to-service variation the time model does not carry: schedule slots, priority, consolidation)
DISPERSION = "dispersion"
DISPERSION_BOUNDS = (0.02, 1.0)
#: published days are rounded to whole days (a published "12 days" is read as 11.5-12.5)
ROUNDING_DAYS = 0.5
BOUNDS = (0.3, 3.0)
TARGETS = {"median_km_error": 0.03, "max_km_error": 0.08, "days_hit_share": 0.90}


# -- routing calls (isolated: ``alternatives`` becomes its own function in transit) -----------------

def route_service(net: Corridor, origin: str, destination: str, samples: int, seed: int,
                  via: Sequence[str] = (), avoid: Sequence[str] = ()):
    """Fastest route of one service (through ``via``, in order, when given; avoiding ``avoid``)."""
    from corridor import transit

    return transit.route(net, origin, destination, via=via, avoid=avoid, samples=samples,
                         seed=seed)


def published_via(service) -> list[str]:
    """The service's published crossing nodes, in route order (empty when not published)."""
    return node_list(service.crossing_nodes)


def crossed_nodes(route) -> set[str]:
    """Nodes at which ``route`` crosses from one country into another (either side of the step)."""
    return {node for c in route.border_crossings for node in (c.from_node, c.to_node)}


def crosses_all(route, wanted: Sequence[str]) -> bool:
    """Whether ``route`` crosses a border at every node of ``wanted`` (passing by is not enough)."""
    return set(wanted) <= crossed_nodes(route)


def _border_pairs(net: Corridor) -> pd.Series:
    """For every operating link, the set of its end countries (two countries: a border link)."""
    links = net.links[net.links["status"] == "operating"]
    country = net.nodes["country"]
    return links[["from", "to"]].apply(lambda ends: frozenset(country.get(n) for n in ends), axis=1)


def forced_crossing(net: Corridor, node: str) -> tuple[str, str] | None:
    """The one operating link joining ``node`` to another country, as ``(partner, link id)``.

    Erenhot–Zamyn-Uud, Aktau–Alat, Poti–Constanța; ``None`` when ``node`` has none or several.
    """
    pairs = _border_pairs(net)
    links = net.links.loc[pairs.index[pairs.map(len) == 2]]
    own = links[(links["from"] == node) | (links["to"] == node)]
    if len(own) != 1:
        return None
    link = own.iloc[0]
    return (link["to"] if link["from"] == node else link["from"]), str(own.index[0])


def _links_forcing(net: Corridor, link_id: str, partner: str, partner_is_end: bool) -> frozenset[str]:
    """Links to avoid so that a route reaching ``partner`` across that border takes ``link_id``.

    When the partner is the route's origin or destination the route must start or end with the
    link, so every other link at the partner is avoided; else the other links across the same
    border (Kuryk–Alat beside Aktau–Alat).
    """
    links = net.links[net.links["status"] == "operating"]
    if partner_is_end:
        at = links.index[(links["from"] == partner) | (links["to"] == partner)]
        return frozenset(at.drop(link_id))
    pairs = _border_pairs(net)
    return frozenset(pairs.index[(pairs == pairs[link_id]) & (pairs.index != link_id)])


def _crossing_requests(net: Corridor, via: list[str], uncrossed: Sequence[str],
                       ends: set[str]) -> list[tuple[list[str], frozenset[str]]]:
    """``(via, avoid)`` requests that make a route cross at each of ``uncrossed``.

    Each uncrossed node's partner across its one border link is put just after or just before it
    (both orders are tried; not when the partner is the route's origin or destination), and the
    links that would let the route bypass that link are avoided (:func:`_links_forcing`).
    """
    requests = [(via, frozenset())]
    for node in uncrossed:
        forced = forced_crossing(net, node)
        if forced is None:
            continue
        partner, link_id = forced
        avoid = _links_forcing(net, link_id, partner, partner in ends)
        grown = []
        for base, avoided in requests:
            if partner in ends or node not in base:
                grown.append((base, avoided | avoid))
                continue
            at = base.index(node)
            grown += [([*base[:at + 1], partner, *base[at + 1:]], avoided | avoid),
                      ([*base[:at], partner, *base[at:]], avoided | avoid)]
        requests = grown
    return requests


def published_route(net: Corridor, service, samples: int, seed: int):
    """The service's route on the model: the fastest one that crosses at its published crossings.

    Distance and days are compared on the route the train takes in reality (where its crossings
    are published), so that a wrong route choice is not read as a wrong length or speed; whether
    the model itself would choose that route is checked separately (``crossing_rank``).

    A route *through* a crossing node need not cross there: the fastest route via Erenhot may
    touch Erenhot and turn back to Alashankou, one via Aktau may take the train on to the Kuryk
    ferry, and one via Poti may leave Poti by rail instead of sailing. Where that happens, the
    route is asked to take the crossing node's one link across the border (:func:`forced_crossing`).
    """
    ends = {service.origin, service.destination}
    wanted = published_via(service)
    via = [n for n in wanted if n not in ends]
    first = route_service(net, service.origin, service.destination, samples, seed, via=via)
    uncrossed = [n for n in wanted if n not in crossed_nodes(first)]
    if not uncrossed:
        return first
    crossing = []
    for candidate, avoid in _crossing_requests(net, via, uncrossed, ends):
        try:
            found = route_service(net, service.origin, service.destination, samples, seed,
                                  via=candidate, avoid=avoid)
        except NoRouteError:
            continue
        if crosses_all(found, wanted):
            crossing.append(found)
    return min(crossing, key=lambda r: r.transit_days) if crossing else first


def distance_via(service) -> list[str]:
    """Places the published distance's route passes, in order (empty when no source documents it)."""
    return node_list(getattr(service, "distance_via", None))


def direct_link_km(net: Corridor, a: str, b: str) -> float | None:
    """Length of the shortest operating link joining ``a`` and ``b`` directly (``None`` if none)."""
    links = net.links
    joined = (((links["from"] == a) & (links["to"] == b)) | ((links["from"] == b) & (links["to"] == a)))
    found = links.loc[joined & (links["status"] == "operating"), "length_km"]
    return float(found.min()) if len(found) else None


def distance_route_km(net: Corridor, service, days_route) -> float:
    """Model km of the route the published *distance* refers to.

    A published distance may belong to an older or another routing than today's train (Yuxinou's
    11,179 km is the 2011 route via Xi'an, before the Lanzhou–Chongqing railway opened), so, where a
    source documents that route (``distance_via``), the distance is measured through the places it
    names, in order: two consecutive places that a link joins are joined by that link (a documented
    Aktau–Alyat sailing is that ferry, not a faster one from another port), the others by the
    fastest route between them. Without ``distance_via`` it is ``days_route``'s distance (the
    fastest route through the published crossings). Days and the crossing rank stay on
    ``days_route``.
    """
    via = distance_via(service)
    if not via:
        return float(days_route.distance_km)
    ends = {service.origin, service.destination}
    stops = [service.origin, *[n for n in via if n not in ends], service.destination]
    total = 0.0
    for a, b in itertools.pairwise(stops):
        direct = direct_link_km(net, a, b)
        total += direct if direct is not None else route_service(net, a, b, 0, 0).distance_km
    return total


def alternative_routes(net: Corridor, origin: str, destination: str, k: int) -> list:
    """Up to ``k`` routes through different corridors, fastest first."""
    from corridor import transit

    found = transit.alternatives(net, origin, destination, k=k, samples=0)
    return list(found)


def band_days(route, dispersion: float, samples: int, seed: int) -> tuple[float, float, float]:
    """P10, P50 and P90 days of a route with the network-wide dispersion on top of its own spread.

    The route's legs are drawn as in the time model (PERT and rare episodes); each draw's total is
    multiplied by ``exp(s * Z)``, ``Z`` standard normal, where ``s**2 = dispersion**2 - own**2`` and
    ``own`` is the log-spread the legs already give (so the fitted dispersion is not counted twice).
    """
    lo = np.array([leg.spread.lo for leg in route.legs])
    mode = np.array([leg.spread.mode for leg in route.legs])
    hi = np.array([leg.spread.hi for leg in route.legs])
    chance = np.array([leg.chance for leg in route.legs])
    rng = np.random.default_rng(seed)
    totals = sample_mixture(lo, mode, hi, chance, samples, rng).sum(axis=1)
    p10, p90 = np.percentile(totals, [10, 90])
    own = math.log(p90 / p10) / (2 * norm.ppf(0.9)) if p10 > 0 else 0.0
    extra = math.sqrt(max(dispersion ** 2 - own ** 2, 0.0))
    totals = totals * np.exp(extra * rng.standard_normal(samples))
    return tuple(float(v) / 24.0 for v in np.percentile(totals, [10, 50, 90]))


# -- parameters ---------------------------------------------------------------------------------

def link_regions(net: Corridor) -> pd.Series:
    """Speed region of every rail link (``None`` for ferries and sea links)."""
    country = net.nodes["country"]
    regions = {}
    for link_id, row in net.links.iterrows():
        if row["mode"] != "rail":
            regions[link_id] = None
        elif int(row["gauge_mm"]) == 1520:
            regions[link_id] = "broad_gauge"
        elif country.get(row["from"]) == "CN" and country.get(row["to"]) == "CN":
            regions[link_id] = "china"
        else:
            regions[link_id] = "europe"
    return pd.Series(regions, dtype=object)


def scaled_nodes(net: Corridor) -> set[str]:
    """Nodes whose dwell ``border_dwell`` scales."""
    return {nid for nid, kinds in net.nodes["kind"].items()
            if any(k in SCALED_NODE_KINDS for k in (kinds or []))}


def port_nodes(net: Corridor) -> set[str]:
    """Port nodes whose dwell ``ferry_port`` scales (ports that are borders keep ``border_dwell``)."""
    border = scaled_nodes(net)
    return {nid for nid, kinds in net.nodes["kind"].items()
            if "port" in (kinds or []) and nid not in border}


def apply_parameters(net: Corridor, params: Mapping[str, float]) -> Corridor:
    """A new Corridor with speeds, border dwell, ferry waits and port dwell scaled; ``net`` is not changed."""
    nodes, links = net.nodes.copy(), net.links.copy()
    regions = link_regions(net)
    for region in REGIONS:
        factor = float(params.get(f"speed_{region}", 1.0))
        ids = regions.index[regions == region]
        for column in SPEED_COLUMNS:
            links.loc[ids, column] = links.loc[ids, column].astype(float) * factor
    scale = float(params.get("border_dwell", 1.0))
    ids = sorted(scaled_nodes(net))
    for column in DWELL_COLUMNS:
        nodes.loc[ids, column] = nodes.loc[ids, column].astype(float) * scale
    scale = float(params.get("ferry_port", 1.0))
    ids = sorted(port_nodes(net))
    for column in DWELL_COLUMNS:
        nodes.loc[ids, column] = nodes.loc[ids, column].astype(float) * scale
    water = links.index[links["mode"].isin(WATER_MODES)]
    for column in HEADWAY_COLUMNS:
        if column in links:
            links.loc[water, column] = links.loc[water, column].astype(float) * scale
    return net.replace(nodes=nodes, links=links, name=f"{net.name} (calibrated)")


# -- surrogate of expected hours for a fixed path --------------------------------------------------

def path_components(net: Corridor, route) -> dict[str, float]:
    """Expected hours of a route split into ``fixed``, ``border``, ``ferry_port`` and one entry per region."""
    regions = link_regions(net)
    border, ports = scaled_nodes(net), port_nodes(net)
    parts = dict.fromkeys(("fixed", "border", "ferry_port", *REGIONS), 0.0)
    links = iter(route.links)
    for leg in route.legs:
        hours = leg.hours
        if leg.kind == "run":
            region = regions.get(next(links))
            parts[region or "fixed"] += hours
        elif leg.kind == "ferry":
            next(links)
            parts["fixed"] += hours
        elif leg.kind == "ferry_wait":
            parts["ferry_port"] += hours
        elif leg.start == leg.end and leg.start in border and leg.kind != "disruption":
            parts["border"] += hours
        elif leg.start == leg.end and leg.start in ports and leg.kind != "disruption":
            parts["ferry_port"] += hours
        else:
            parts["fixed"] += hours
    return parts


def predicted_hours(parts: Mapping[str, float], params: Mapping[str, float]) -> float:
    """Surrogate expected hours of a fixed path under ``params``."""
    total = (parts["fixed"] + parts["border"] * params.get("border_dwell", 1.0)
             + parts["ferry_port"] * params.get("ferry_port", 1.0))
    for region in REGIONS:
        total += parts[region] / params.get(f"speed_{region}", 1.0)
    return total


def _as_params(x: np.ndarray) -> dict[str, float]:
    params = dict(zip(PARAMETERS, np.exp(x[:len(PARAMETERS)]), strict=True))
    params[DISPERSION] = float(np.exp(x[len(PARAMETERS)]))
    return params


def published_interval(services: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Published days as an interval: ``[min - 0.5, max + 0.5]`` (published days are rounded)."""
    lo = services["published_days_min"].to_numpy(float) - ROUNDING_DAYS
    hi = services["published_days_max"].to_numpy(float) + ROUNDING_DAYS
    return lo, hi


def negative_log_likelihood(x: np.ndarray, parts: Sequence[Mapping[str, float]], lo_days: np.ndarray,
                            hi_days: np.ndarray) -> float:
    """Interval-censored log-normal likelihood of the published days, plus the prior on the multipliers.

    A service's days are ``expected_days(params) * exp(dispersion * Z)`` with ``Z`` standard normal;
    a published figure ``[lo, hi]`` has probability ``Phi(log(hi)/...) - Phi(log(lo)/...)``.
    """
    params = _as_params(x)
    sigma = params[DISPERSION]
    mu = np.log(np.array([predicted_hours(p, params) for p in parts]) / 24.0)
    upper = norm.cdf((np.log(hi_days) - mu) / sigma)
    lower = norm.cdf((np.log(np.maximum(lo_days, 1e-6)) - mu) / sigma)
    prob = np.maximum(upper - lower, 1e-300)
    sd = np.array([PRIOR_SD_BY_PARAMETER.get(name, PRIOR_SD) for name in PARAMETERS])
    prior = 0.5 * float(np.sum((x[:len(PARAMETERS)] / sd) ** 2))
    return float(-np.sum(np.log(prob))) + prior


def fit(parts: Sequence[Mapping[str, float]], lo_days: np.ndarray, hi_days: np.ndarray) -> dict[str, float]:
    """Maximum a-posteriori fit of the network-wide multipliers and of the dispersion.

    Parameters
    ----------
    parts : sequence of mapping
        Base expected-hours components of each service's route (:func:`path_components`).
    lo_days, hi_days : numpy.ndarray
        Published interval of each service (:func:`published_interval`).
    """
    lo, hi = math.log(BOUNDS[0]), math.log(BOUNDS[1])
    bounds = [(lo, hi)] * len(PARAMETERS) + [tuple(math.log(b) for b in DISPERSION_BOUNDS)]
    start = np.concatenate([np.zeros(len(PARAMETERS)), [math.log(0.2)]])
    result = minimize(negative_log_likelihood, start, args=(parts, np.asarray(lo_days, float),
                                                            np.asarray(hi_days, float)),
                      method="L-BFGS-B", bounds=bounds)
    return _as_params(result.x)


def fit_on(net: Corridor, services: pd.DataFrame, rounds: int = 2) -> dict[str, float]:
    """Fit on ``services`` (timed ones), re-routing them on the fitted network between rounds."""
    timed = services[services["published_days_min"].notna()]
    params: dict[str, float] = dict.fromkeys(PARAMETERS, 1.0)
    for _ in range(rounds):
        current = apply_parameters(net, params)
        parts = [path_components(current, published_route(current, service, 0, 0))
                 for service in timed.itertuples(index=False)]
        # components were measured on the scaled network: undo the scaling to get base components
        base = [_unscale(p, params) for p in parts]
        params = fit(base, *published_interval(timed))
    return params


def _unscale(parts: Mapping[str, float], params: Mapping[str, float]) -> dict[str, float]:
    base = dict(parts)
    base["border"] = parts["border"] / params.get("border_dwell", 1.0)
    base["ferry_port"] = parts["ferry_port"] / params.get("ferry_port", 1.0)
    for region in REGIONS:
        base[region] = parts[region] * params.get(f"speed_{region}", 1.0)
    return base


# -- cross-validation -------------------------------------------------------------------------------

def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    """``k`` disjoint index sets covering ``range(n)`` (a seeded shuffle)."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(order, k)]


def _crossing_rank(net: Corridor, service, k: int) -> int | None:
    """1-based rank of the first of the model's ``k`` corridors that passes the published crossings."""
    wanted = published_via(service)
    if not wanted:
        return None
    routes = alternative_routes(net, service.origin, service.destination, k)
    for rank, route in enumerate(routes, start=1):
        if crosses_all(route, wanted):
            return rank
    return 0


def _held_out_row(net: Corridor, service, dispersion: float, samples: int, seed: int, k: int) -> dict:
    route = published_route(net, service, samples, seed)
    p10, p50, p90 = band_days(route, dispersion, samples, seed)
    return {"model_km": distance_route_km(net, service, route),
            "model_days": route.transit_days,
            "p10": p10, "p50": p50, "p90": p90, "crossing_rank": _crossing_rank(net, service, k)}


@dataclass
class CalibrationReport:
    """Cross-validated comparison of the model with published services."""

    table: pd.DataFrame
    fold_parameters: list[dict[str, float]]
    parameters: dict[str, float]
    summary: dict[str, float] = field(default_factory=dict)

    def to_text(self) -> str:
        """The report as plain text (per-service table, parameters, summary against targets)."""
        shown = self.table[["service", "published_km", "model_km", "km_error", "published_days_min",
                            "published_days_max", "p10", "p50", "p90", "days_hit", "crossing_rank"]]
        lines = [shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"), "",
                 "parameters fitted on all services: "
                 + ", ".join(f"{k}={v:.3f}" for k, v in self.parameters.items()),
                 "per fold: " + "; ".join(", ".join(f"{v:.2f}" for v in p.values())
                                          for p in self.fold_parameters), ""]
        s = self.summary
        lines += [
            f"median |distance error| {s['median_km_error']:.1%} "
            f"(target <= {TARGETS['median_km_error']:.0%}); "
            f"max {s['max_km_error']:.1%} (target <= {TARGETS['max_km_error']:.0%}); "
            f"{s['within_8pct']:.0f} of {s['with_km']:.0f} within 8 %",
            f"published days inside P10-P90 or within 10 %: {s['days_hit']:.0f} of {s['timed']:.0f} "
            f"({s['days_hit_share']:.0%}, target >= {TARGETS['days_hit_share']:.0%}); "
            f"{s['days_hit_rounded']:.0f} of {s['timed']:.0f} reading published whole days as "
            f"+/-{ROUNDING_DAYS} d (as the fit reads them)",
            f"published crossing on the model's fastest or second route: {s['route_hit']:.0f} of "
            f"{s['with_crossing']:.0f}",
        ]
        return "\n".join(lines)


def _days_hit(row, rounding: float = 0.0) -> bool | None:
    """Published days inside the held-out P10-P90 (published ``[lo, hi]`` widened by ``rounding``
    days each side), or the model's expected days within 10 % of the nearer published bound."""
    if pd.isna(row.published_days_min):
        return None
    lo, hi = row.published_days_min, row.published_days_max
    if row.p10 <= hi + rounding and lo - rounding <= row.p90:
        return True
    nearest = lo if row.model_days < lo else hi
    return abs(row.model_days - nearest) <= 0.10 * nearest


def _summary(table: pd.DataFrame) -> dict[str, float]:
    km = table["km_error"].dropna().abs()
    hits = table["days_hit"].dropna()
    rounded = table["days_hit_rounded"].dropna()
    ranks = table["crossing_rank"].dropna()
    return {
        "with_km": float(len(km)), "median_km_error": float(km.median()), "max_km_error": float(km.max()),
        "within_8pct": float((km <= 0.08).sum()), "timed": float(len(hits)),
        "days_hit": float(hits.astype(bool).sum()),
        "days_hit_share": float(hits.astype(bool).mean()) if len(hits) else math.nan,
        "days_hit_rounded": float(rounded.astype(bool).sum()),
        "with_crossing": float(len(ranks)), "route_hit": float(ranks.between(1, 2).sum()),
    }


def cross_validate(net: Corridor, services: pd.DataFrame, k: int = 5, seed: int = 0,
                   samples: int = 1000, alternatives: int = 2) -> CalibrationReport:
    """k-fold cross-validation: each service is reported from a fit that did not see it.

    Parameters
    ----------
    net : Corridor
        The network to calibrate (not modified).
    services : pandas.DataFrame
        Rows of ``geodata/services.csv``.
    k : int
        Number of folds.
    seed : int
        Seed of the fold shuffle and of the Monte Carlo percentiles.
    samples : int
        Monte Carlo draws for P10/P50/P90.
    alternatives : int
        How many corridors count for the route check (fastest or second: 2).
    """
    services = services.reset_index(drop=True)
    rows: dict[int, dict] = {}
    fold_parameters = []
    for held in folds(len(services), k, seed):
        train = services.drop(index=held)
        params = fit_on(net, train)
        fold_parameters.append(params)
        fitted = apply_parameters(net, params)
        for i in held:
            rows[i] = _held_out_row(fitted, services.iloc[i], params[DISPERSION], samples, seed,
                                    alternatives)
    table = pd.concat([services, pd.DataFrame([rows[i] for i in range(len(services))])], axis=1)
    table["km_error"] = (table["model_km"] - table["published_km"]) / table["published_km"]
    table["days_hit"] = [_days_hit(r) for r in table.itertuples(index=False)]
    table["days_hit_rounded"] = [_days_hit(r, ROUNDING_DAYS) for r in table.itertuples(index=False)]
    return CalibrationReport(table, fold_parameters, fit_on(net, services), _summary(table))
