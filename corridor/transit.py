"""Transit times: fastest gauge-aware routes, leg-by-leg timelines, alternatives, P50/P90."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pycountry
import shapely
from shapely.geometry import LineString

from corridor._graph import Path, StateGraph
from corridor.datafiles import row_dicts
from corridor.errors import CorridorError, NoRouteError
from corridor.limits import check_matrix, check_route_request
from corridor.packing import table_column
from corridor.schema import EU_COUNTRIES, PLANNED_STATUSES, WATER_MODES
from corridor.timemodel import Spread, check_objective, percentile_days

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import csr_matrix

    from corridor.network import Corridor

TIMELINE_COLUMNS = [
    "leg", "from", "to", "kind", "km", "hours", "hours_min", "hours_max", "chance",
    "cumulative_days",
]
DEFAULT_SAMPLES = 2000
#: corridors compared when routing on a percentile objective
CANDIDATES = 6
#: Monte Carlo draws at least used to rank corridors on a percentile objective
MIN_OBJECTIVE_SAMPLES = 2000
MAX_ALTERNATIVE_SEARCHES = 120


@dataclass(frozen=True)
class Crossing:
    """One step of a route from one country into another.

    Attributes
    ----------
    from_node, to_node : str
        Node ids on either side of the border.
    from_country, to_country : str
        ISO 3166-1 alpha-2 codes.
    gauge_change : bool
        Whether the route changes gauge at ``from_node`` or ``to_node`` on this crossing.
    """

    from_node: str
    to_node: str
    from_country: str
    to_country: str
    gauge_change: bool

    def __str__(self) -> str:
        return f"{self.from_node}→{self.to_node}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready representation."""
        return {"from": self.from_node, "to": self.to_node, "from_country": self.from_country,
                "to_country": self.to_country, "gauge_change": self.gauge_change}


@dataclass(frozen=True)
class Leg:
    """One step of a journey: running on a link, or time spent at a node.

    ``kind`` is ``run``, ``ferry``, ``ferry_wait``, ``border``, ``gauge_change``, ``port`` or
    ``disruption``; ``chance`` is 1 except for a disruption episode, whose ``spread`` is the extra
    hours when it happens.
    """

    start: str
    end: str
    kind: str
    km: float
    spread: Spread
    chance: float = 1.0

    @property
    def hours(self) -> float:
        """Expected hours (``chance × spread.mean``)."""
        return self.chance * self.spread.mean

    @property
    def best_hours(self) -> float:
        """Best-case hours (no episode)."""
        return self.spread.lo if self.chance >= 1.0 else 0.0


@dataclass
class Route:
    """A route with its expected transit time, percentiles and leg-by-leg timeline.

    Attributes
    ----------
    origin, destination : str
        Node ids.
    path : list of str
        Node ids visited, origin first.
    links : list of str
        Link ids used, in order.
    distance_km : float
    transit_days : float
        Expected (PERT mean) transit time.
    min_days : float
        Deterministic best case: every leg at its best.
    p50_days, p90_days : float or None
        Monte Carlo percentiles (None when ``samples=0``).
    border_crossings : list of Crossing
        Cross-border steps in travel order.
    gauge_changes : list of dict
        ``{"node", "from_mm", "to_mm"}`` for every change of gauge.
    countries : list of str
        ISO codes in the order travelled.
    legs : list of Leg
    """

    origin: str
    destination: str
    path: list[str]
    links: list[str]
    distance_km: float
    transit_days: float
    min_days: float
    p50_days: float | None
    p90_days: float | None
    border_crossings: list[Crossing]
    gauge_changes: list[dict[str, Any]]
    countries: list[str]
    legs: list[Leg] = field(repr=False)
    geometries: list[LineString] = field(default_factory=list, repr=False)

    @property
    def geometry(self) -> LineString | None:
        """The route as one line in travel order (None for an empty route)."""
        coords: list = []
        for line in self.geometries:
            coords += list(line.coords)
        return LineString(coords) if len(coords) > 1 else None

    def __repr__(self) -> str:
        p90 = "" if self.p90_days is None else f", P90 {self.p90_days:.1f}"
        return (f"<Route {self.origin} → {self.destination}: {self.transit_days:.1f} days{p90}, "
                f"{self.distance_km:,.0f} km, {len(self.border_crossings)} crossings>")

    def _repr_html_(self) -> str:
        """A notebook summary: the numbers and the crossings (escaped)."""
        from html import escape

        rows = [("expected days", f"{self.transit_days:.1f}"), ("best case days", f"{self.min_days:.1f}"),
                ("P50 / P90 days", "–" if self.p90_days is None
                 else f"{self.p50_days:.1f} / {self.p90_days:.1f}"),
                ("distance km", f"{self.distance_km:,.0f}"), ("countries", " → ".join(self.countries)),
                ("crossings", " / ".join(str(c) for c in self.border_crossings) or "none")]
        body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return (f"<table><caption>{escape(self.origin)} → {escape(self.destination)}</caption>"
                f"{body}</table>")

    @property
    def timeline(self) -> pd.DataFrame:
        """The leg-by-leg timeline (kind: run, border, gauge_change, port, ferry_wait, ferry)."""
        import pandas as pd

        rows, elapsed = [], 0.0
        for index, leg in enumerate(self.legs, start=1):
            elapsed += leg.hours
            rows.append(
                (index, leg.start, leg.end, leg.kind, leg.km, leg.hours, leg.best_hours,
                 leg.spread.hi, leg.chance, elapsed / 24.0)
            )
        return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready representation."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "path": self.path,
            "links": self.links,
            "distance_km": round(self.distance_km, 1),
            "transit_days": round(self.transit_days, 2),
            "min_days": round(self.min_days, 2),
            "p50_days": None if self.p50_days is None else round(self.p50_days, 2),
            "p90_days": None if self.p90_days is None else round(self.p90_days, 2),
            "border_crossings": [c.to_dict() for c in self.border_crossings],
            "gauge_changes": self.gauge_changes,
            "countries": self.countries,
            "legs": [
                {"from": leg.start, "to": leg.end, "kind": leg.kind, "km": round(leg.km, 1),
                 "hours": round(leg.hours, 2), "hours_min": round(leg.best_hours, 2),
                 "hours_max": round(leg.spread.hi, 2), "chance": round(leg.chance, 4)}
                for leg in self.legs
            ],
        }


# -- constraints ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Constraints:
    """Resolved routing constraints (node ids, link ids, ISO codes)."""

    via: tuple[str, ...] = ()
    avoid_nodes: frozenset[str] = frozenset()
    avoid_links: frozenset[str] = frozenset()
    avoid_countries: frozenset[str] = frozenset()
    modes: frozenset[str] | None = None
    statuses: frozenset[str] = frozenset({"operating"})


def resolve_constraints(
    net: Corridor,
    via: Sequence[str] = (),
    avoid: Iterable[str] = (),
    modes: Iterable[str] | None = None,
    include_planned: bool = False,
) -> Constraints:
    """Turn user words into constraints: ``avoid`` items may be places, link ids or ISO codes."""
    node_records, link_records = records(net)
    nodes, links, countries = set(), set(), set()
    for item in avoid:
        text = str(item).strip()
        if text in link_records:
            links.add(text)
        elif len(text) == 2 and text.isalpha() and pycountry.countries.get(alpha_2=text.upper()):
            countries.add(text.upper())
        else:
            nodes.add(net.resolve(text))
    # the set of countries present is a scan of every node: only taken when countries are avoided
    known_countries = {n["country"] for n in node_records.values()} if countries else set()
    unknown = countries - known_countries
    if unknown:
        raise CorridorError(
            f"country {sorted(unknown)[0]} has no node in this network; countries present: "
            f"{', '.join(sorted(known_countries))}"
        )
    if modes is not None:
        modes = frozenset(modes)
        bad = modes - {"rail", *WATER_MODES}
        if bad:
            raise CorridorError(f"unknown mode {sorted(bad)[0]!r}; expected rail, ferry or sea")
    statuses = frozenset(PLANNED_STATUSES) if include_planned else frozenset({"operating"})
    return Constraints(
        tuple(net.resolve(v) for v in via), frozenset(nodes), frozenset(links),
        frozenset(countries), modes, statuses,
    )


def _check_consistent(net: Corridor, ends: Sequence[str], c: Constraints) -> None:
    node_records = records(net)[0]
    for place in ends:
        if place in c.avoid_nodes or node_records[place]["country"] in c.avoid_countries:
            raise CorridorError(
                f"{place} is both on the route (origin, destination or via) and avoided"
            )
        status = node_records[place]["status"]
        if status not in c.statuses:
            hint = "" if status == "closed" else (
                "; pass include_planned=True (CLI: --include-planned) to route through planned "
                "elements"
            )
            raise CorridorError(f"{place} is {status}{hint}")


def records(net: Corridor) -> tuple[dict[str, dict], dict[str, dict]]:
    """Node and link attributes as plain dicts keyed by id (fast look-ups, built once)."""
    def build() -> tuple[dict[str, dict], dict[str, dict]]:
        nodes = net.nodes.drop(columns="geometry")
        return (dict(zip(nodes.index, row_dicts(nodes), strict=True)),
                dict(zip(net.links.index, row_dicts(net.links), strict=True)))

    return net.derived("records", build)


def state_graph(net: Corridor, statuses: frozenset[str]) -> StateGraph:
    """The network's state-expanded graph for these statuses (built once, then cached)."""
    return net.derived(("state_graph", statuses),
                       lambda: StateGraph(net.nodes, net.links, statuses, net.disruptions))


def _mask(net: Corridor, sg: StateGraph, c: Constraints) -> np.ndarray:
    avoided = set(c.avoid_nodes)
    if c.avoid_countries:
        avoided |= {node for node, row in records(net)[0].items()
                    if row["country"] in c.avoid_countries}
    return sg.edge_mask(avoided, c.avoid_links, c.modes)


# -- timelines ------------------------------------------------------------------------------------

def legs_of(sg: StateGraph, edges: Sequence[int]) -> list[Leg]:
    """The leg-by-leg timeline of a path: exactly the components its state-graph edges pay.

    A node's dwell is paid where the train first stops there (often on arrival across a border);
    when the train then changes track at that node, the stop is labelled by that change.
    """
    switched = {sg.node_ids[node]: label for node, label in sg.track_changes(edges)}
    legs = []
    for e in edges:
        for step in sg.edge_steps(e):
            if step.component.spread.hi <= 0 and step.km <= 0:
                continue
            label = step.label
            if label == "border" and step.start in switched:
                label = switched[step.start]
            legs.append(Leg(step.start, step.end, label, step.km, step.component.spread,
                            step.component.chance))
    return legs


def component_counts(sg: StateGraph, edge_lists: Sequence[Sequence[int]]) -> csr_matrix:
    """Journeys × components: how many times each journey pays each component."""
    from scipy.sparse import csr_matrix  # deferred: a route without draws needs no scipy

    indptr, indices = sg.part_arrays()
    lengths = np.fromiter((len(e) for e in edge_lists), dtype=np.int64, count=len(edge_lists))
    edges = (np.concatenate([np.asarray(e, dtype=np.int64) for e in edge_lists]) if len(edge_lists)
             else np.empty(0, dtype=np.int64))
    journey = np.repeat(np.arange(len(edge_lists)), lengths)
    parts = indptr[edges + 1] - indptr[edges]
    rows = np.repeat(journey, parts)
    # the parts of each edge in order: the edge's first part, then the next ones
    first = np.repeat(indptr[edges], parts)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(parts) - parts, parts)
    cols = indices[first + offset]
    data = np.ones(len(rows))
    return csr_matrix((data, (rows, cols)), shape=(len(edge_lists), len(sg.components)))


def _gauge_changes(net: Corridor, path: Sequence[str], links: Sequence[str]) -> list[dict]:
    link_records = records(net)[1]
    changes = []
    for i in range(1, len(links)):
        before, after = link_records[links[i - 1]], link_records[links[i]]
        if before["mode"] == "rail" and after["mode"] == "rail" and (
            before["gauge_mm"] != after["gauge_mm"]
        ):
            changes.append(
                {"node": path[i], "from_mm": int(before["gauge_mm"]), "to_mm": int(after["gauge_mm"])}
            )
    return changes


def make_route(
    net: Corridor, found: Path, samples: int = DEFAULT_SAMPLES, seed: int | None = 0,
    statuses: frozenset[str] = frozenset({"operating"}),
) -> Route:
    """Assemble a Route (timeline, summary, percentiles) from a search result."""
    sg = state_graph(net, statuses)
    path, links = found.nodes, found.links
    node_records, link_records = records(net)
    legs = legs_of(sg, found.edges)
    changes = _gauge_changes(net, path, links)
    p50 = p90 = None
    if samples > 0:
        totals = sg.components.totals(component_counts(sg, [found.edges]), samples,
                                      np.random.default_rng(seed))[0]
        p50, p90 = (float(v) for v in percentile_days(totals, [50, 90]))
    return Route(
        origin=path[0], destination=path[-1], path=list(path), links=list(links),
        distance_km=float(sum(link_records[lid]["length_km"] for lid in links)),
        transit_days=found.hours / 24.0,
        min_days=sum(leg.best_hours for leg in legs) / 24.0, p50_days=p50, p90_days=p90,
        border_crossings=crossings(net, path, links, changes),
        gauge_changes=changes,
        countries=list(dict.fromkeys(node_records[n]["country"] for n in path)), legs=legs,
        geometries=_oriented_lines(link_records, path, links),
    )


def _oriented_lines(link_records: dict, path: Sequence[str], links: Sequence[str]) -> list:
    """Each link's line in travel order (links travelled against their drawing reversed, in one
    vectorised call: a route across a large network passes thousands of links)."""
    lines = [link_records[lid]["geometry"] for lid in links]
    against = [i for i, (start, lid) in enumerate(zip(path, links, strict=False))
               if link_records[lid]["from"] != start]
    if against:
        reversed_lines = shapely.reverse(np.asarray([lines[i] for i in against], dtype=object))
        for i, line in zip(against, reversed_lines.tolist(), strict=True):
            lines[i] = line
    return lines


# -- queries --------------------------------------------------------------------------------------

def crossing_steps(net: Corridor, path: Sequence[str]) -> list[tuple[str, str]]:
    """The steps of a path from one country into another, as (from node, to node)."""
    node_records = records(net)[0]
    countries = [node_records[n]["country"] for n in path]
    return [(path[i - 1], path[i]) for i in range(1, len(path)) if countries[i - 1] != countries[i]]


def crossings(net: Corridor, path: Sequence[str], links: Sequence[str],
              changes: Sequence[dict] | None = None) -> list[Crossing]:
    """The border crossings of a path, each with whether the gauge changes there.

    ``changes`` are the path's gauge changes when the caller has them already.
    """
    node_records = records(net)[0]
    if changes is None:
        changes = _gauge_changes(net, path, links)
    changed = {g["node"] for g in changes}
    return [Crossing(a, b, node_records[a]["country"], node_records[b]["country"],
                     a in changed or b in changed)
            for a, b in crossing_steps(net, path)]


def _crossing_pairs(net: Corridor, found: Path) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(step) for step in crossing_steps(net, found.nodes))


def _border_links(net: Corridor) -> tuple[dict, dict]:
    """Links of every crossing (by node pair) and of every border (by country pair), built once."""
    return net.derived("border_links", lambda: _build_border_links(net))


def _build_border_links(net: Corridor) -> tuple[dict, dict]:
    # columns, not rows: a cached large network builds a record only when it is read, and has
    # hundreds of thousands of links, of which a few thousand cross a border
    node_records, link_records = records(net)
    country = dict(zip(node_records, table_column(node_records, "country"), strict=True))
    by_pair: dict[frozenset, set] = {}
    by_border: dict[frozenset, set] = {}
    for lid, start, end in zip(link_records, table_column(link_records, "from"),
                               table_column(link_records, "to"), strict=True):
        a, b = country[start], country[end]
        if a != b:
            by_pair.setdefault(frozenset((start, end)), set()).add(lid)
            by_border.setdefault(frozenset((a, b)), set()).add(lid)
    return (
        {k: frozenset(v) for k, v in by_pair.items()},
        {k: frozenset(v) for k, v in by_border.items()},
    )


def _signature(net: Corridor, found: Path) -> tuple:
    """What sets a route apart: its first crossing that is not inside the EU, then the borders.

    Rail borders count as pairs of countries, so two routes that differ only in which
    Kazakh–Russian crossing they take are one corridor; borders between two EU states are left
    out, so a detour inside the EU is not an alternative corridor either. For the same reason the
    first crossing is the first one that leaves the EU or the origin's non-EU country: from
    Leipzig, leaving Germany at Horka or at Frankfurt (Oder) on the way to Brest is one corridor.
    A crossing by water counts by its ports: the Aktau and the Kuryk ferry to Baku are two ferry
    lines (their own sailings, waits and port handling), not two yards at one border.
    """
    node_records = records(net)[0]
    pairs = _crossing_pairs(net, found)
    water = _water_pairs(net)
    borders, first = [], None
    for pair in pairs:
        countries = frozenset(node_records[n]["country"] for n in pair)
        if countries <= EU_COUNTRIES:
            continue
        first = pair if first is None else first
        border = ("water", pair) if pair in water else ("rail", countries)
        if border not in borders:
            borders.append(border)
    return (first, tuple(borders))


def _water_pairs(net: Corridor) -> frozenset[frozenset[str]]:
    """Node pairs of the ferry and sea links that cross a border (found once per network)."""
    return net.derived("water_pairs", lambda: _find_water_pairs(net))


def _find_water_pairs(net: Corridor) -> frozenset[frozenset[str]]:
    by_pair, _ = _border_links(net)
    link_records = records(net)[1]
    return frozenset(pair for pair, links in by_pair.items()
                     if any(link_records[lid]["mode"] in WATER_MODES for lid in links))


def _closures(net: Corridor, signature: tuple) -> list[frozenset[str]]:
    """Link sets to forbid to look past a route: its first crossing, then each of its borders."""
    by_pair, by_border = _border_links(net)
    first, borders = signature
    closures = [by_pair[first]] if first is not None else []
    return closures + [by_pair[key] if kind == "water" else by_border[key] for kind, key in borders]


def fastest_paths(
    net: Corridor, origin: str, destination: str, c: Constraints, k: int = 1
) -> list[Path]:
    """Up to ``k`` fastest paths through different corridors, fastest first.

    Two paths differ meaningfully when they leave the origin's country by another crossing or
    cross other borders (see ``_signature``). Alternatives are found Lawler-style: from each path
    found, forbid in turn its first crossing and each of its borders.
    """
    sg = state_graph(net, c.statuses)
    base = _mask(net, sg, c)
    found: list[Path] = []
    signatures: set[tuple] = set()
    tried: set[frozenset[str]] = set()
    heap: list = []
    counter = itertools.count()

    def attempt(forbidden: frozenset[str]) -> None:
        if forbidden in tried or len(tried) >= MAX_ALTERNATIVE_SEARCHES:
            return
        tried.add(forbidden)
        mask = base & sg.edge_mask(avoid_links=forbidden) if forbidden else base
        try:
            result = sg.shortest(origin, destination, list(c.via), mask)
        except NoRouteError:
            return
        heapq.heappush(heap, (result.hours, next(counter), result, forbidden))

    attempt(frozenset())
    if k == 1:  # the fastest path: nothing to tell apart
        return [heap[0][2]] if heap else []
    while heap and len(found) < k:
        _, _, result, forbidden = heapq.heappop(heap)
        signature = _signature(net, result)
        if signature not in signatures:
            signatures.add(signature)
            found.append(result)
        if len(found) < k:
            for closure in _closures(net, signature):
                attempt(forbidden | closure)
    return found


class RouteSet(Sequence[Route]):
    """Routes between one origin and destination through different corridors, fastest first."""

    def __init__(self, routes: Sequence[Route]):
        self._routes = list(routes)

    def __getitem__(self, index):  # an int or a slice, as for a list
        return self._routes[index]

    def __len__(self) -> int:
        return len(self._routes)

    def __repr__(self) -> str:
        if not self._routes:
            return "<RouteSet: no routes>"
        first = self._routes[0]
        return (f"<RouteSet {first.origin} → {first.destination}: {len(self)} corridors, "
                f"{', '.join(f'{r.transit_days:.1f}' for r in self._routes)} days>")

    def _repr_html_(self) -> str:
        """A notebook summary: one row per corridor."""
        return self.summary.round(2).to_html(index=False)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per corridor: crossings, expected days, P50/P90, km."""
        import pandas as pd

        rows = [{"rank": i, "crossings": " / ".join(str(c) for c in r.border_crossings),
                 "transit_days": r.transit_days, "p50_days": r.p50_days, "p90_days": r.p90_days,
                 "distance_km": r.distance_km}
                for i, r in enumerate(self._routes, start=1)]
        return pd.DataFrame(rows, columns=["rank", "crossings", "transit_days", "p50_days",
                                           "p90_days", "distance_km"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready representation: ``{"routes": [...]}``."""
        return {"routes": [r.to_dict() for r in self._routes]}


def _prepare(net: Corridor, origin: str, destination: str, via, avoid, modes, samples: int,
             include_planned: bool) -> tuple[str, str, Constraints]:
    if samples < 0:
        raise CorridorError(f"samples must be >= 0, got {samples}")
    start, end = net.resolve(origin), net.resolve(destination)
    c = resolve_constraints(net, via, avoid, modes, include_planned)
    _check_consistent(net, [start, end, *c.via], c)
    if start == end:
        raise CorridorError(f"origin and destination are the same place ({start})")
    return start, end, c


def route(
    net: Corridor,
    origin: str,
    destination: str,
    *,
    via: Sequence[str] = (),
    avoid: Iterable[str] = (),
    modes: Iterable[str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    include_planned: bool = False,
    objective: str = "expected",
) -> Route:
    """Fastest gauge-aware route between two places.

    Parameters
    ----------
    net : Corridor
    origin, destination : str
        Place ids, names or aliases.
    via : sequence of str
        Places to pass, in order.
    avoid : iterable of str
        Places, link ids or ISO country codes (``"RU"``) to keep out of the route.
    modes : iterable of str, optional
        Allowed link modes (``rail``, ``ferry``, ``sea``); all when omitted.
    samples : int
        Monte Carlo draws for P50/P90 (0 to skip).
    seed : int, optional
        Random seed; the same seed gives the same percentiles.
    include_planned : bool
        Also use planned and under-construction elements.
    objective : {"expected", "p50", "p90"}
        What "fastest" means: the expected time (default), or the median or 90th percentile of
        the Monte Carlo distribution, for shippers who buy reliability. A percentile objective
        compares the ``CANDIDATES`` fastest corridors by expected time on that percentile (with
        at least ``MIN_OBJECTIVE_SAMPLES`` draws, same seed).

    Returns
    -------
    Route

    Raises
    ------
    UnknownPlaceError, NoRouteError, CorridorError
    """
    return alternatives(net, origin, destination, k=1, via=via, avoid=avoid, modes=modes,
                        samples=samples, seed=seed, include_planned=include_planned,
                        objective=objective)[0]


def alternatives(
    net: Corridor,
    origin: str,
    destination: str,
    k: int = 3,
    *,
    via: Sequence[str] = (),
    avoid: Iterable[str] = (),
    modes: Iterable[str] | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    include_planned: bool = False,
    objective: str = "expected",
) -> RouteSet:
    """Up to ``k`` fastest routes through different corridors (border crossings), fastest first.

    Takes the options of :func:`route`. Two routes are different corridors when they leave the
    origin's country by another crossing or cross other (non-EU) borders.

    Returns
    -------
    RouteSet
        Never empty (NoRouteError when no route exists).
    """
    check_route_request(net, origin, destination, via=via, k=k, samples=samples, seed=seed)
    if k < 1:
        raise CorridorError(f"alternatives must be >= 1, got {k}")
    check_objective(objective)
    start, end, c = _prepare(net, origin, destination, via, avoid, modes, samples, include_planned)
    if objective == "expected":
        paths = fastest_paths(net, start, end, c, k=k)
        if not paths:
            raise NoRouteError(_no_route_message(start, end, c))
        return RouteSet([make_route(net, p, samples, seed, c.statuses) for p in paths])
    paths = fastest_paths(net, start, end, c, k=max(k, CANDIDATES))
    if not paths:
        raise NoRouteError(_no_route_message(start, end, c))
    draws = max(samples, MIN_OBJECTIVE_SAMPLES)
    scored = [(make_route(net, p, draws, seed, c.statuses), p) for p in paths]
    scored.sort(key=lambda pair: (getattr(pair[0], f"{objective}_days"), pair[0].transit_days))
    chosen = scored[:k]
    if draws == samples:
        return RouteSet([r for r, _ in chosen])
    return RouteSet([make_route(net, p, samples, seed, c.statuses) for _, p in chosen])


def _no_route_message(start: str, end: str, c: Constraints) -> str:
    conditions = [f"via {', '.join(c.via)}"] if c.via else []
    avoided = sorted(c.avoid_countries | c.avoid_nodes | c.avoid_links)
    if avoided:
        conditions.append(f"avoiding {', '.join(avoided)}")
    if c.modes is not None:
        conditions.append(f"modes {', '.join(sorted(c.modes))}")
    tail = f" ({'; '.join(conditions)})" if conditions else ""
    return f"no route from {start} to {end}{tail}"


def terminals(net: Corridor) -> list[str]:
    """Ids of operating nodes that are terminals (origins and destinations of services)."""
    mask = net.nodes["kind"].map(lambda k: "terminal" in (k or [])) & (
        net.nodes["status"] == "operating"
    )
    return list(net.nodes.index[mask])


def matrix(
    net: Corridor,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    samples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Transit-time matrix between places (terminals by default), one row per pair.

    One Dijkstra per origin gives every fastest path; P50/P90 come from one set of PERT draws
    per network component (dwell, run, ferry wait) shared by all pairs (common random numbers),
    so each pair's distribution is exact while the whole matrix costs one sampling pass.

    Returns
    -------
    pandas.DataFrame
        Columns origin, destination, distance_km, transit_days, p50_days, p90_days,
        border_crossings; unreachable pairs have NaN times.
    """
    import pandas as pd

    starts = [net.resolve(o) for o in origins] if origins else terminals(net)
    ends = [net.resolve(d) for d in destinations] if destinations else terminals(net)
    sg = state_graph(net, Constraints().statuses)
    check_matrix(len(starts) * len(ends), samples)  # draws are taken in chunks (timemodel)
    mask = _mask(net, sg, Constraints())
    rows, edge_lists = [], []
    for first in range(0, len(starts), sg.MANY_BATCH):
        batch = starts[first:first + sg.MANY_BATCH]
        dist, pred, lookup = sg.distances_many([sg.origin_states(s) for s in batch], mask)
        pairs = [(i, start, end) for i, start in enumerate(batch) for end in ends if end != start]
        targets = [sg.best_target(dist[i], end) for i, _, end in pairs]
        reached = [k for k, t in enumerate(targets) if t is not None]
        traced = sg.trace_rows(pred, lookup, np.asarray([pairs[k][0] for k in reached]),
                               np.asarray([targets[k] for k in reached]))
        summaries = dict(zip(reached, _pair_summaries(sg, [pairs[k][1] for k in reached], traced),
                             strict=True))
        edges_of = dict(zip(reached, traced, strict=True))
        for k, (i, start, end) in enumerate(pairs):
            if targets[k] is None:
                rows.append((start, end, np.nan, np.nan, ""))
                edge_lists.append(())
                continue
            km, text = summaries[k]
            rows.append((start, end, km, float(dist[i, targets[k]]) / 24.0, text))
            edge_lists.append(edges_of[k])
    frame = pd.DataFrame(rows, columns=["origin", "destination", "distance_km", "transit_days",
                                        "border_crossings"])
    p50, p90 = _matrix_percentiles(sg, edge_lists, samples, seed)
    frame.insert(4, "p50_days", p50)
    frame.insert(5, "p90_days", p90)
    return frame


def _pair_summaries(sg: StateGraph, origins: list[str],
                    paths: list[np.ndarray]) -> list[tuple[float, str]]:
    """Distance (km) and the border crossings ('a→b; c→d') of each traced path, all at once:
    the same sums (in path order) and the same steps as :func:`crossings` on the path's nodes."""
    if not paths:
        return []
    lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    edges = np.concatenate(paths).astype(np.int64) if lengths.sum() else np.empty(0, np.int64)
    pair = np.repeat(np.arange(len(paths)), lengths)
    link = sg.edge_link[edges]
    moves = link >= 0
    km = np.bincount(pair[moves], sg.link_km[link[moves]], len(paths))  # a running sum per path
    # each path's nodes: its origin, then the end of every move
    moved = np.bincount(pair[moves], minlength=len(paths))
    starts = np.cumsum(moved + 1) - (moved + 1)
    nodes = np.empty(int((moved + 1).sum()), dtype=np.int64)
    nodes[starts] = [sg.node_pos[o] for o in origins]
    rest = np.ones(len(nodes), dtype=bool)
    rest[starts] = False
    nodes[rest] = sg.edge_dst_node[edges][moves]
    owner = np.repeat(np.arange(len(paths)), moved + 1)
    country = sg.country[nodes]
    step = np.flatnonzero((country[:-1] != country[1:]) & (owner[:-1] == owner[1:]))
    names = sg.node_ids
    texts: list[list[str]] = [[] for _ in paths]
    for i in step.tolist():
        texts[int(owner[i])].append(f"{names[nodes[i]]}→{names[nodes[i + 1]]}")
    return [(float(k), "; ".join(t)) for k, t in zip(km.tolist(), texts, strict=True)]


def _matrix_percentiles(sg: StateGraph, edge_lists: list[tuple[int, ...]], samples: int,
                        seed: int):
    """P50 and P90 days of each pair from shared component draws (common random numbers)."""
    if samples <= 0 or not edge_lists:
        nan = np.full(len(edge_lists), np.nan)
        return nan, nan
    totals = sg.components.totals(component_counts(sg, edge_lists), samples,
                                  np.random.default_rng(seed))
    p50, p90 = percentile_days(totals, [50, 90], axis=1)
    empty = np.array([len(e) == 0 for e in edge_lists])
    p50[empty] = p90[empty] = np.nan
    return p50, p90


def border_nodes(net: Corridor) -> list[str]:
    """Ids of operating border nodes (the elements :func:`closures` closes by default)."""
    mask = net.nodes["kind"].map(lambda k: "border" in (k or [])) & (
        net.nodes["status"] == "operating"
    )
    return list(net.nodes.index[mask])


def closures(
    net: Corridor, origin: str, destination: str, elements: Iterable[str] | None = None
) -> pd.DataFrame:
    """N-1 for one journey: the expected days with each element closed in turn.

    Parameters
    ----------
    net : Corridor
    origin, destination : str
        Place ids, names or aliases.
    elements : iterable of str, optional
        Node or link ids to close one at a time; every operating border node when omitted
        (the origin and destination themselves are left out).

    Returns
    -------
    pandas.DataFrame
        One row per element: element, on_route (the fastest route uses it), transit_days
        (NaN when closing it leaves no route), delta_days against the open network.

    Notes
    -----
    Closing an element the fastest route does not use leaves that route fastest, so only the
    elements on it are searched again: a few searches instead of one per element (thousands of
    border nodes on an OSM-built network), with the same days as closing each in turn.
    """
    start, end = net.resolve(origin), net.resolve(destination)
    base = route(net, start, end, samples=0)
    used = set(base.path) | set(base.links)
    chosen = border_nodes(net) if elements is None else [
        e if e in net.links.index else net.resolve(e) for e in elements]
    rows = []
    for element in dict.fromkeys(chosen):
        if element in (start, end):
            continue
        days = base.transit_days
        if element in used:
            try:
                days = route(net, start, end, avoid=[element], samples=0).transit_days
            except NoRouteError:
                days = float("nan")
        rows.append({"element": element, "on_route": element in used, "transit_days": days,
                     "delta_days": days - base.transit_days})
    import pandas as pd

    return pd.DataFrame(rows, columns=["element", "on_route", "transit_days", "delta_days"])
