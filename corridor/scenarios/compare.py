"""Comparing a scenario with its baseline: transit times, bottlenecks and cold-chain reach."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor.datafiles import builtin_dir, is_missing
from corridor.errors import CorridorError, NoRouteError

if TYPE_CHECKING:
    from corridor.network import Corridor
    from corridor.scenarios.format import Scenario

ANALYSES = ("transit", "bottlenecks", "reach", "modes")
MODES_COLUMNS = [
    "origin", "destination", "option", "mode", "base_days", "scenario_days", "delta_days",
    "base_p90_days", "scenario_p90_days", "base_cost_usd", "scenario_cost_usd", "delta_cost_usd",
    "base_co2e_kg", "scenario_co2e_kg", "base_pareto", "scenario_pareto", "change",
]
#: equilibrium relative gap of what-if comparisons: at the default 1e-3, convergence noise showed up
#: as deltas (more capacity raising total delay in 17 of 110 random cases); at 1e-4 it does not
WHATIF_GAP = 1e-4
TRANSIT_COLUMNS = [
    "origin", "destination", "base_days", "scenario_days", "delta_days", "base_km", "scenario_km",
    "base_crossings", "scenario_crossings", "change", "base_path", "scenario_path",
]


@dataclass
class Comparison:
    """Baseline and scenario side by side; one DataFrame per analysis asked for.

    Attributes
    ----------
    scenario : str
        Name of the variant network.
    transit : pandas.DataFrame or None
        One row per pair (columns ``TRANSIT_COLUMNS``); ``change`` is ``same route``,
        ``rerouted``, ``no route`` or ``new route``.
    bottlenecks : pandas.DataFrame or None
        One row per element: flows, utilisation and delay, baseline, scenario and delta.
    reach : pandas.DataFrame or None
        One row per place: reachable and arrival days, baseline, scenario and delta.
    modes : pandas.DataFrame or None
        One row per pair and option of the modes comparison (columns ``MODES_COLUMNS``);
        ``change`` is ``same``, ``dropped`` (e.g. sea via Suez when the Red Sea is closed) or
        ``new``.
    """

    scenario: str
    transit: pd.DataFrame | None = None
    bottlenecks: pd.DataFrame | None = None
    reach: pd.DataFrame | None = None
    modes: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _analyses(self) -> list[tuple[str, pd.DataFrame]]:
        return [(name, frame) for name in ("transit", "bottlenecks", "reach", "modes")
                if (frame := getattr(self, name)) is not None]

    def __repr__(self) -> str:
        from corridor.display import short

        facts: list[tuple[str, Any]] = [("scenario", repr(self.scenario))]
        facts += [(name, f"{len(frame)} rows") for name, frame in self._analyses()]
        if self.transit is not None and "change" in self.transit:
            facts.append(("changed", int((self.transit["change"] != "same route").sum())))
        return short("Comparison", facts)

    def _repr_html_(self) -> str:
        from corridor.display import card, table

        shown = {"transit": ["origin", "destination", "base_days", "scenario_days", "delta_days",
                             "change"],
                 "modes": ["origin", "destination", "option", "change"]}
        facts = [("scenario", self.scenario)] + [(name, f"{len(frame):,} rows")
                                                 for name, frame in self._analyses()]
        tables = [table(frame, shown.get(name, list(frame.columns)[:8]), caption=name, digits=2)
                  for name, frame in self._analyses()]
        return card(f"Comparison: {self.scenario}", facts, tables)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``scenario``, ``pairs`` and the other analyses as lists of records."""
        out: dict[str, Any] = {"scenario": self.scenario}
        if self.transit is not None:
            out["pairs"] = [_record(row) for row in self.transit.to_dict(orient="records")]
        for name in ("bottlenecks", "reach", "modes"):
            frame = getattr(self, name)
            if frame is not None:
                out[name] = [_record(row) for row in frame.to_dict(orient="records")]
        return out


def _record(row: dict) -> dict:
    clean = {}
    for key, value in row.items():
        if isinstance(value, float) and np.isnan(value):
            value = None
        elif isinstance(value, float):
            value = round(value, 3)
        clean[key] = value
    return clean


# -- pairs ----------------------------------------------------------------------------------------

def default_pairs(net: Corridor) -> list[tuple[str, str]]:
    """The origin–destination pairs of the published services in ``services.csv`` found in ``net``."""
    path = builtin_dir() / "services.csv"
    pairs: list[tuple[str, str]] = []
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                pair = (row["origin"], row["destination"])
                if all(p in net.nodes.index for p in pair) and pair not in pairs:
                    pairs.append(pair)
    if not pairs:
        raise CorridorError("no default pairs for this network; pass pairs=[(origin, destination)]")
    return pairs


def parse_pairs(net: Corridor, pairs: Iterable[str | Sequence[str]] | None) -> list[tuple[str, str]]:
    """Resolve pairs given as ``("Xi'an", "Duisburg")`` or ``"Xi'an:Duisburg"`` to node ids."""
    if pairs is None:
        return default_pairs(net)
    out = []
    for pair in pairs:
        if isinstance(pair, str):
            parts = pair.split(":")
            if len(parts) != 2 or not all(p.strip() for p in parts):
                raise CorridorError(f"pair {pair!r}: expected ORIGIN:DESTINATION")
            pair = parts
        origin, destination = (net.resolve(str(p).strip()) for p in pair)
        out.append((origin, destination))
    if not out:
        raise CorridorError("no pairs to compare")
    return out


# -- transit --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RouteSummary:
    """What a comparison keeps of a route (small, so sweeps ship it cheaply)."""

    days: float
    km: float
    crossings: str
    path: tuple[str, ...]
    p50_days: float = math.nan
    p90_days: float = math.nan


def summarize_routes(net: Corridor, pairs: Sequence[tuple[str, str]], samples: int = 0,
                     seed: int = 0) -> dict[tuple[str, str], RouteSummary | None]:
    """Fastest route (expected days) for each pair; None where there is none.

    With ``samples`` > 0 each route also gets its Monte Carlo P50 and P90 days (same seed, same
    numbers); the route itself is the same either way.
    """
    from corridor.transit import route

    out: dict[tuple[str, str], RouteSummary | None] = {}
    for origin, destination in pairs:
        try:
            r = route(net, origin, destination, samples=samples, seed=seed)
        except (NoRouteError, CorridorError):
            out[(origin, destination)] = None
            continue
        p50, p90 = ((r.p50_days, r.p90_days) if samples and r.p50_days is not None
                    else (math.nan, math.nan))
        out[(origin, destination)] = RouteSummary(
            r.transit_days, r.distance_km, "; ".join(str(c) for c in r.border_crossings), tuple(r.path),
            p50, p90)
    return out


#: columns :func:`transit_frame` adds when the routes carry P50/P90 (``compare(samples=N)``)
PERCENTILE_COLUMNS = ["base_p50_days", "scenario_p50_days", "base_p90_days", "scenario_p90_days",
                      "delta_p90_days"]


def transit_frame(base: dict, variant: dict) -> pd.DataFrame:
    """Side-by-side table of two route summaries keyed by pair (P50/P90 columns when sampled)."""
    rows = []
    for pair, b in base.items():
        v = variant.get(pair)
        rows.append((
            *pair,
            b.days if b else np.nan, v.days if v else np.nan,
            (v.days - b.days) if (b and v) else np.nan,
            b.km if b else np.nan, v.km if v else np.nan,
            b.crossings if b else "", v.crossings if v else "",
            _change(b, v), list(b.path) if b else [], list(v.path) if v else [],
        ))
    frame = pd.DataFrame(rows, columns=TRANSIT_COLUMNS)
    summaries = [s for pair in base for s in (base[pair], variant.get(pair)) if s is not None]
    if summaries and not all(math.isnan(s.p90_days) for s in summaries):
        def pick(table: dict, attr: str) -> list[float]:
            return [getattr(table.get(pair), attr) if table.get(pair) else math.nan for pair in base]

        frame["base_p50_days"], frame["scenario_p50_days"] = pick(base, "p50_days"), pick(variant,
                                                                                          "p50_days")
        frame["base_p90_days"], frame["scenario_p90_days"] = pick(base, "p90_days"), pick(variant,
                                                                                          "p90_days")
        frame["delta_p90_days"] = frame["scenario_p90_days"] - frame["base_p90_days"]
    return frame


def _change(base: RouteSummary | None, variant: RouteSummary | None) -> str:
    if base is None and variant is None:
        return "no route"
    if variant is None:
        return "no route"
    if base is None:
        return "new route"
    return "same route" if base.path == variant.path else "rerouted"


# -- bottlenecks and reach ------------------------------------------------------------------------

def _module(name: str):
    import importlib

    try:
        return importlib.import_module(f"corridor.{name}")
    except ImportError:
        return None


def bottleneck_frame(base: Corridor, variant: Corridor) -> pd.DataFrame:
    """Flow, utilisation and delay of every element, baseline vs scenario."""
    module = _module("bottlenecks")
    if module is None or not hasattr(module, "assign"):
        raise CorridorError("the bottlenecks comparison needs corridor.bottlenecks, "
                            "which is not available in this installation")
    scenario = variant.scenario
    base_demand = module.load_demand(net=base)
    demand = base_demand
    if scenario is not None and any(e.op == "demand" for e in scenario.edits):
        demand = scenario.demand_table(base_demand, net=variant)
    cols = ["flow_trains_day", "utilization", "delay_h"]
    b = module.assign(base, demand=base_demand, tolerance=WHATIF_GAP).elements
    v = module.assign(variant, demand=demand, tolerance=WHATIF_GAP).elements
    keys = ["id", "type", "name"]
    merged = pd.merge(pd.DataFrame(b)[keys + cols].reset_index(drop=True),
                      pd.DataFrame(v)[keys + cols].reset_index(drop=True), on=keys,
                      how="outer", suffixes=("_base", "_scenario"))
    for col in cols:
        merged[f"{col}_delta"] = merged[f"{col}_scenario"].fillna(0) - merged[f"{col}_base"].fillna(0)
    return merged.sort_values("utilization_delta", key=abs, ascending=False, ignore_index=True)


def reach_frame(base: Corridor, variant: Corridor, origin: str, commodity: str,
                **options: Any) -> pd.DataFrame:
    """Cold-chain reach from ``origin`` for ``commodity``, baseline vs scenario."""
    module = _module("coldchain")
    if module is None or not hasattr(module, "reach"):
        raise CorridorError("the reach comparison needs corridor.coldchain, "
                            "which is not available in this installation")
    cols = ["node", "reachable", "arrival_days", "remaining_shelf_life_days"]
    b = pd.DataFrame(module.reach(base, origin, commodity, **options))[cols].reset_index(drop=True)
    v = pd.DataFrame(module.reach(variant, origin, commodity, **options))[cols].reset_index(
        drop=True)
    merged = pd.merge(b, v, on="node", how="outer", suffixes=("_base", "_scenario"),
                      indicator=True)
    merged["arrival_days_delta"] = merged["arrival_days_scenario"] - merged["arrival_days_base"]
    before, after = merged["reachable_base"].eq(True), merged["reachable_scenario"].eq(True)
    merged["reach_change"] = np.select(
        [merged["_merge"] == "left_only", merged["_merge"] == "right_only", before & ~after,
         ~before & after], ["closed", "opened", "lost", "gained"], "same")
    return merged.drop(columns="_merge")


def modes_frame(base: Corridor, variant: Corridor, pairs: Sequence[tuple[str, str]],
                **options: Any) -> pd.DataFrame:
    """The modes comparison (:func:`corridor.modes.compare_modes`) of each pair, baseline vs scenario.

    The scenario's ``close_passage`` and ``scale_tariff`` edits act through ``variant.scenario``.
    """
    module = _module("modes")
    if module is None or not hasattr(module, "compare_modes"):
        raise CorridorError("the modes comparison needs corridor.modes, which is not available "
                            "in this installation")
    frames = []
    for origin, destination in pairs:
        frames.append(merge_modes(module.compare_modes(base, origin, destination, **options),
                                  module.compare_modes(variant, origin, destination, **options)))
    return pd.concat(frames, ignore_index=True)[MODES_COLUMNS]


def merge_modes(base: pd.DataFrame, variant: pd.DataFrame) -> pd.DataFrame:
    """Two ``compare_modes`` results of one pair side by side, one row per option (``MODES_COLUMNS``)."""
    keep = ["option", "mode", "days", "p90_days", "cost_usd", "co2e_kg", "pareto"]
    b, v = pd.DataFrame(base)[keep], pd.DataFrame(variant)[keep]
    merged = pd.merge(b, v, on=["option", "mode"], how="outer", suffixes=("_base", "_scenario"),
                      indicator=True)
    order: dict[str, int] = {}
    for name in [*b["option"], *v["option"]]:  # baseline order, then options only the scenario has
        order.setdefault(name, len(order))
    merged = merged.sort_values("option", key=lambda names: names.map(order), ignore_index=True)
    merged.insert(0, "origin", base.attrs.get("origin"))
    merged.insert(1, "destination", base.attrs.get("destination"))
    merged = merged.rename(columns={f"{c}_{side}": f"{side}_{c}" for c in keep[2:]
                                    for side in ("base", "scenario")})
    merged["delta_days"] = merged["scenario_days"] - merged["base_days"]
    merged["delta_cost_usd"] = merged["scenario_cost_usd"] - merged["base_cost_usd"]
    merged["change"] = merged["_merge"].map({"both": "same", "left_only": "dropped",
                                             "right_only": "new"}).astype(str)
    return merged[MODES_COLUMNS]


# -- the comparison -------------------------------------------------------------------------------

def compare(
    base: Corridor,
    variant: Corridor | Scenario,
    pairs: Iterable[str | Sequence[str]] | None = None,
    analyses: Sequence[str] = ("transit",),
    reach: dict[str, Any] | None = None,
    modes: dict[str, Any] | None = None,
    samples: int = 0,
    seed: int = 0,
) -> Comparison:
    """Compare a scenario network with the baseline.

    Parameters
    ----------
    base : Corridor
        The baseline network.
    variant : Corridor or Scenario
        The scenario network, or a Scenario (applied to ``base``).
    pairs : iterable, optional
        ``("Xi'an", "Duisburg")`` tuples or ``"Xi'an:Duisburg"`` strings; the published services
        of ``services.csv`` by default.
    analyses : sequence of str
        Any of ``"transit"``, ``"bottlenecks"``, ``"reach"``.
    reach : dict, optional
        Arguments of :func:`corridor.coldchain.reach` (``origin``, ``commodity``, ``month`` ...);
        required for ``"reach"``.
    samples, seed : int
        Monte Carlo draws per route for the transit table's P50/P90 columns
        (``PERCENTILE_COLUMNS``, added only when ``samples`` > 0); 0 (default): expected days only.
    modes : dict, optional
        Arguments of :func:`corridor.modes.compare_modes` (``container``, ``commodity_id``,
        ``month`` ...) for ``"modes"``, which compares every pair.

    Returns
    -------
    Comparison
    """
    from corridor.scenarios.format import Scenario

    unknown = set(analyses) - set(ANALYSES)
    if unknown:
        raise CorridorError(f"unknown analysis {sorted(unknown)[0]!r}; expected "
                            f"{', '.join(ANALYSES)}")
    if isinstance(variant, Scenario):
        variant = variant.apply(base)
    result = Comparison(variant.name)
    if "transit" in analyses:
        resolved = parse_pairs(base, pairs)
        result.transit = transit_frame(summarize_routes(base, resolved, samples, seed),
                                       summarize_routes(variant, resolved, samples, seed))
    if "bottlenecks" in analyses:
        result.bottlenecks = bottleneck_frame(base, variant)
    if "reach" in analyses:
        if not reach or "origin" not in reach or "commodity" not in reach:
            raise CorridorError("the reach comparison needs reach={'origin': ..., "
                                "'commodity': ...}")
        options = dict(reach)
        result.reach = reach_frame(base, variant, options.pop("origin"),
                                   options.pop("commodity"), **options)
    if "modes" in analyses:
        result.modes = modes_frame(base, variant, parse_pairs(base, pairs), **(modes or {}))
    return result


# -- what-ifs for maps: both routes of each pair and the changed elements --------------------------

#: value a column has when a table lacks it (a scenario's delay column starts at 0 h)
_ABSENT = {"delay_h": 0.0}


@dataclass(frozen=True)
class WhatIf:
    """A scenario beside its baseline, as a what-if map draws it.

    Attributes
    ----------
    base, variant : Corridor
        The baseline and the scenario network.
    scenario : Scenario or None
        The scenario the variant came from (for its name and description).
    pairs : list of (origin, destination, Route or None, Route or None)
        Each pair's fastest route before and after (None where there is none).
    changes : pandas.DataFrame
        :func:`changed_elements` of the variant.
    """

    base: Corridor
    variant: Corridor
    scenario: Scenario | None
    pairs: list[tuple[str, str, Any, Any]]
    changes: pd.DataFrame


def whatif(base: Corridor, variant: Corridor | Scenario,
           pairs: Iterable[str | Sequence[str]] | None = None, samples: int = 1000,
           seed: int = 0) -> WhatIf:
    """Route each pair on the baseline and on the scenario (applied once), and list what changed.

    ``pairs`` default to the scenario's own, else the published services.
    """
    from corridor.scenarios.format import Scenario
    from corridor.transit import route

    scenario = variant if isinstance(variant, Scenario) else variant.scenario
    network = variant.apply(base) if isinstance(variant, Scenario) else variant
    if pairs is None and scenario is not None and scenario.pairs:
        pairs = scenario.pairs

    def fastest(net: Corridor, origin: str, destination: str):
        try:
            return route(net, origin, destination, samples=samples, seed=seed)
        except (NoRouteError, CorridorError):
            return None

    found = [(o, d, fastest(base, o, d), fastest(network, o, d)) for o, d in parse_pairs(base, pairs)]
    return WhatIf(base, network, scenario, found, changed_elements(base, network))


def changed_elements(base: Corridor, variant: Corridor) -> pd.DataFrame:
    """Nodes and links the scenario closed, added or changed: id, type, change, detail."""
    rows = []
    for kind, before, after in (("node", base.nodes, variant.nodes), ("link", base.links, variant.links)):
        for eid in after.index:
            if eid not in before.index:
                rows.append((eid, kind, "added", f"new {kind}"))
                continue
            old, new = before.loc[eid], after.loc[eid]
            if new["status"] != old["status"]:
                rows.append((eid, kind, "closed" if new["status"] == "closed" else "status",
                             f"status {old['status']} → {new['status']}"))
                continue
            diffs = [f"{col} {_show(old.get(col))} → {_show(new[col])}" for col in after.columns
                     if col not in ("geometry", "source", "note")
                     and _differs(old.get(col, _ABSENT.get(col)), new[col])]
            if diffs:
                rows.append((eid, kind, "changed", "; ".join(diffs)))
    return pd.DataFrame(rows, columns=["id", "type", "change", "detail"])



def _show(value: Any) -> str:
    if is_missing(value):
        return "–"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _differs(a: Any, b: Any) -> bool:
    if is_missing(a) and is_missing(b):
        return False
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return list(a or []) != list(b or [])
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return str(a) != str(b)
