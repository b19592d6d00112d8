"""Calibration of network-wide time parameters against published services, with k-fold cross-validation.

Only network-wide parameters are fitted; there is no per-service factor:

* ``speed_china`` - multiplier on every running speed of standard-gauge links in China;
* ``speed_broad_gauge`` - multiplier on every 1520 mm link (Kazakhstan, Russia, Belarus, Central Asia,
  Mongolia, the Caucasus);
* ``speed_europe`` - multiplier on the other standard- and broad-Iberian-gauge links (Europe, Turkey, Iran);
* ``border_dwell`` - scale on the dwell (best, most likely and bad-week hours) of every border and
  gauge-change node.

Why these: running time is set per railway from typical daily runs (km/day) that differ by traction,
gauge and dispatching regime, so one multiplier per region corrects a bias of the whole region;
border dwell is the other large block of a China-Europe transit time and its figures are the least
certain. Ferries, ports and terminals keep their own sourced figures (too few Middle Corridor
services to fit them separately).

Parameters are applied by building a modified :class:`~corridor.network.Corridor` from copies of
the frames; the loaded network is never changed. The fit itself uses a fast surrogate: for a fixed
path the expected hours are ``fixed + sum(run_r / m_r) + s * dwell`` (exact for PERT means, which are
linear in 1/speed and in the dwell), with the paths re-routed once on the fitted network. The
held-out figures in the report always come from real routing on the fitted network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from corridor.network import Corridor
from corridor.timemodel import sample_mixture

PARAMETERS = ("speed_china", "speed_broad_gauge", "speed_europe", "border_dwell")
REGIONS = ("china", "broad_gauge", "europe")
SCALED_NODE_KINDS = ("border", "gauge_change")
SPEED_COLUMNS = ("speed_kmh", "speed_min_kmh", "speed_max_kmh")
DWELL_COLUMNS = ("dwell_h", "dwell_min_h", "dwell_max_h")
#: log-parameters are pulled towards 0 (multiplier 1) with this weight, so a region that a fold
#: hardly sees keeps its sourced speeds
PRIOR_WEIGHT = 0.15
BOUNDS = (0.3, 3.0)
TARGETS = {"median_km_error": 0.03, "max_km_error": 0.08, "days_hit_share": 0.90}


# -- routing calls (isolated: ``alternatives`` becomes its own function in transit) -----------------

def route_service(net: Corridor, origin: str, destination: str, samples: int, seed: int):
    """Fastest route of one service."""
    from corridor import transit

    return transit.route(net, origin, destination, samples=samples, seed=seed)


def alternative_routes(net: Corridor, origin: str, destination: str, k: int) -> list:
    """Up to ``k`` routes through different corridors, fastest first."""
    from corridor import transit

    found = transit.alternatives(net, origin, destination, k=k, samples=0)
    return list(found)


def p10_days(route, samples: int, seed: int) -> float:
    """Tenth percentile of transit days (from the route when it has one, else from its legs)."""
    own = getattr(route, "p10_days", None)
    if own is not None:
        return float(own)
    lo = np.array([leg.spread.lo for leg in route.legs])
    mode = np.array([leg.spread.mode for leg in route.legs])
    hi = np.array([leg.spread.hi for leg in route.legs])
    chance = np.array([leg.chance for leg in route.legs])
    totals = sample_mixture(lo, mode, hi, chance, samples, np.random.default_rng(seed)).sum(axis=1)
    return float(np.percentile(totals, 10)) / 24.0


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


def apply_parameters(net: Corridor, params: Mapping[str, float]) -> Corridor:
    """A new Corridor with speeds and border dwell scaled; ``net`` itself is not changed."""
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
    return net.replace(nodes=nodes, links=links, name=f"{net.name} (calibrated)")


# -- surrogate of expected hours for a fixed path --------------------------------------------------

def path_components(net: Corridor, route) -> dict[str, float]:
    """Expected hours of a route split into ``fixed``, ``border`` and one entry per speed region."""
    regions = link_regions(net)
    border = scaled_nodes(net)
    parts = dict.fromkeys(("fixed", "border", *REGIONS), 0.0)
    links = iter(route.links)
    for leg in route.legs:
        hours = leg.hours
        if leg.kind == "run":
            region = regions.get(next(links))
            parts[region or "fixed"] += hours
        elif leg.kind == "ferry":
            next(links)
            parts["fixed"] += hours
        elif leg.start == leg.end and leg.start in border and leg.kind not in ("ferry_wait", "disruption"):
            parts["border"] += hours
        else:
            parts["fixed"] += hours
    return parts


def predicted_hours(parts: Mapping[str, float], params: Mapping[str, float]) -> float:
    """Surrogate expected hours of a fixed path under ``params``."""
    total = parts["fixed"] + parts["border"] * params.get("border_dwell", 1.0)
    for region in REGIONS:
        total += parts[region] / params.get(f"speed_{region}", 1.0)
    return total


def _as_params(x: np.ndarray) -> dict[str, float]:
    return dict(zip(PARAMETERS, np.exp(x), strict=True))


def _published_days(services: pd.DataFrame) -> np.ndarray:
    return (services["published_days_min"] + services["published_days_max"]).to_numpy(float) / 2.0


def fit(parts: Sequence[Mapping[str, float]], target_days: np.ndarray) -> dict[str, float]:
    """Least-squares fit (log of days, soft-L1 loss, weak prior at 1) of the network-wide parameters."""
    target_h = np.asarray(target_days, float) * 24.0

    def residuals(x: np.ndarray) -> np.ndarray:
        params = _as_params(x)
        model = np.array([predicted_hours(p, params) for p in parts])
        return np.concatenate([np.log(model / target_h), PRIOR_WEIGHT * x])

    lo, hi = math.log(BOUNDS[0]), math.log(BOUNDS[1])
    result = least_squares(residuals, np.zeros(len(PARAMETERS)), bounds=(lo, hi), loss="soft_l1",
                           f_scale=0.1)
    return _as_params(result.x)


def fit_on(net: Corridor, services: pd.DataFrame, rounds: int = 2) -> dict[str, float]:
    """Fit on ``services`` (timed ones), re-routing them on the fitted network between rounds."""
    timed = services[services["published_days_min"].notna()]
    params = dict.fromkeys(PARAMETERS, 1.0)
    for _ in range(rounds):
        current = apply_parameters(net, params)
        parts = [path_components(current, route_service(current, o, d, 0, 0))
                 for o, d in zip(timed["origin"], timed["destination"], strict=True)]
        # components were measured on the scaled network: undo the scaling to get base components
        base = [_unscale(p, params) for p in parts]
        params = fit(base, _published_days(timed))
    return params


def _unscale(parts: Mapping[str, float], params: Mapping[str, float]) -> dict[str, float]:
    base = dict(parts)
    base["border"] = parts["border"] / params.get("border_dwell", 1.0)
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
    listed = service.crossing_nodes
    wanted = [n for n in listed.split(";") if n] if isinstance(listed, str) else []
    if not wanted:
        return None
    routes = alternative_routes(net, service.origin, service.destination, k)
    for rank, route in enumerate(routes, start=1):
        if all(node in route.path for node in wanted):
            return rank
    return 0


def _held_out_row(net: Corridor, service, samples: int, seed: int, k: int) -> dict:
    route = route_service(net, service.origin, service.destination, samples, seed)
    return {"model_km": route.distance_km, "model_days": route.transit_days,
            "p10": p10_days(route, samples, seed), "p50": route.p50_days, "p90": route.p90_days,
            "crossing_rank": _crossing_rank(net, service, k)}


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
            f"({s['days_hit_share']:.0%}, target >= {TARGETS['days_hit_share']:.0%})",
            f"published crossing on the model's fastest or second route: {s['route_hit']:.0f} of "
            f"{s['with_crossing']:.0f}",
        ]
        return "\n".join(lines)


def _days_hit(row) -> bool | None:
    if pd.isna(row.published_days_min):
        return None
    lo, hi = row.published_days_min, row.published_days_max
    if row.p10 <= hi and lo <= row.p90:
        return True
    nearest = lo if row.model_days < lo else hi
    return abs(row.model_days - nearest) <= 0.10 * nearest


def _summary(table: pd.DataFrame) -> dict[str, float]:
    km = table["km_error"].dropna().abs()
    hits = table["days_hit"].dropna()
    ranks = table["crossing_rank"].dropna()
    return {
        "with_km": float(len(km)), "median_km_error": float(km.median()), "max_km_error": float(km.max()),
        "within_8pct": float((km <= 0.08).sum()), "timed": float(len(hits)),
        "days_hit": float(hits.astype(bool).sum()),
        "days_hit_share": float(hits.astype(bool).mean()) if len(hits) else math.nan,
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
            rows[i] = _held_out_row(fitted, services.iloc[i], samples, seed, alternatives)
    table = pd.concat([services, pd.DataFrame([rows[i] for i in range(len(services))])], axis=1)
    table["km_error"] = (table["model_km"] - table["published_km"]) / table["published_km"]
    table["days_hit"] = [_days_hit(r) for r in table.itertuples(index=False)]
    return CalibrationReport(table, fold_parameters, fit_on(net, services), _summary(table))
