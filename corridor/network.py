"""The Corridor network: geodata loaded and validated, as GeoDataFrames and an osmnx-style graph."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from corridor.datafiles import builtin_dir, gc_paused, read_features
from corridor.errors import DataError, Problem
from corridor.lookup import PlaceIndex
from corridor.packing import pack, unpack
from corridor.schema import FERRY_FIELDS, LINK_FIELDS, LINKS_FILE, NODE_FIELDS, NODES_FILE

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx
    import pandas as pd

# geopandas, pandas and shapely are imported where frames are built or read, not with this module:
# a network unpickled from the cache (corridor.cache) answers a route from what it derived
# (look-up records, the state graph) without them.

T = TypeVar("T")
#: the attributes holding the tables; pickled as one blob, unpickled on first use (see __getstate__)
_TABLES = ("_nodes", "_links", "_disruptions")
_BLOB = "_tables_blob"
_DERIVED = "_derived_packed"


def _frame(features: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """The features as a GeoDataFrame: ``columns`` first (None where absent), then any others,
    then ``geometry``, indexed by ``id``."""
    import pandas as pd

    frame = _plain_frame(features)
    if frame is None:  # unusual features (3D or empty geometry, no properties ...): geopandas' way
        import geopandas as gpd

        from corridor.geodesy import CRS

        frame = gpd.GeoDataFrame.from_features(features, crs=CRS)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    ordered = columns + [c for c in frame.columns if c not in columns and c != "geometry"]
    frame = frame[[*ordered, "geometry"]]
    # unnamed index beside the kept ``id`` column: reset_index (to_file, explore) finds no clash
    frame.index = pd.Index(frame["id"].to_numpy(), dtype=object, name=None)
    return frame


def _plain_frame(features: list[dict[str, Any]]) -> gpd.GeoDataFrame | None:
    """What ``GeoDataFrame.from_features`` gives, built column-wise, for features that are all
    2D Points or all 2D LineStrings with properties; None for anything else.

    One DataFrame from the property dicts and one vectorised shapely call for the geometry,
    instead of a shapely object built per feature.
    """
    import geopandas as gpd
    import pandas as pd

    from corridor.geodesy import CRS

    props = [f.get("properties") for f in features]
    geometry = _plain_geometry([f.get("geometry") for f in features])
    if (geometry is None or not features or not all(type(p) is dict for p in props)
            or any("geometry" in p for p in props)):
        return None
    table = pd.DataFrame(props)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=CRS)[
        ["geometry", *table.columns]]


def _plain_geometry(geometries: list[Any]) -> Any:
    """Shapely geometries of GeoJSON Points or LineStrings of plain ``[lon, lat]`` positions, in
    one vectorised call; None when they are not all of one such kind."""
    from itertools import chain

    import numpy as np
    import shapely

    kinds = {g.get("type") if type(g) is dict else None for g in geometries}
    if kinds not in ({"Point"}, {"LineString"}):
        return None
    coords = [g.get("coordinates") for g in geometries]
    positions = coords if kinds == {"Point"} else list(chain.from_iterable(
        c if type(c) is list and len(c) >= 2 else [None] for c in coords))
    if not (set(map(type, positions)) <= {list} and set(map(len, positions)) <= {2}
            and set(map(type, chain.from_iterable(positions))) <= {int, float}):
        return None
    array = np.array(positions, dtype=float).reshape(-1, 2)
    if kinds == {"Point"}:
        return shapely.points(array)
    counts = np.fromiter(map(len, coords), dtype=np.int64, count=len(coords))
    return shapely.linestrings(array, indices=np.repeat(np.arange(len(coords)), counts))


class Corridor:
    """A rail freight network: nodes, links and the graph built from them.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        Point features indexed by node id (columns as in ``corridor.schema.NODE_FIELDS``).
    links : geopandas.GeoDataFrame
        LineString features indexed by link id (columns as in ``corridor.schema.LINK_FIELDS``).
    name : str
        Label of the network (the directory it came from, or a scenario name).

    Notes
    -----
    ``graph`` follows osmnx conventions: graph attribute ``crs``, node ``x``/``y``, edge ``length``
    in metres and ``geometry``; every two-way link becomes two directed edges.
    """

    def __init__(
        self,
        nodes: gpd.GeoDataFrame,
        links: gpd.GeoDataFrame,
        name: str = "corridor",
        scenario: Any = None,
        disruptions: pd.DataFrame | None = None,
    ):
        from corridor.episodes import empty_disruptions
        from corridor.frames import freeze

        self._nodes = freeze(nodes)
        self._links = freeze(links)
        self._disruptions = (empty_disruptions() if disruptions is None else disruptions).copy()
        self.name = name
        self.scenario = scenario
        self._derived: dict[Hashable, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the tables as one blob, unpickled only when they are first read.

        A network read back from the cache (:mod:`corridor.cache`) can then answer from what it
        derived (look-up records, the state graph) without importing pandas or geopandas. The
        osmnx graph is left out (rebuilt on demand); what was derived is pickled by
        :func:`corridor.packing.pack` (geometries in bulk, tables of rows column-wise).
        """
        state = dict(self.__dict__)
        state.pop("graph", None)
        state[_DERIVED] = pack(state.pop("_derived"))  # geometries in bulk, tables column-wise
        if _BLOB not in state:
            state[_BLOB] = pickle.dumps({name: state[name] for name in _TABLES},
                                        protocol=pickle.HIGHEST_PROTOCOL)
        for name in _TABLES:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        if _DERIVED in state:
            state["_derived"] = unpack(state.pop(_DERIVED))
        self.__dict__.update(state)

    def _table(self, name: str) -> Any:
        """One of the tables, unpickled from the blob on first use after unpickling."""
        tables = self.__dict__
        if name not in tables:
            tables.update(pickle.loads(tables[_BLOB]))
        return tables[name]

    @property
    def nodes(self) -> gpd.GeoDataFrame:
        """Point features indexed by node id (read-only; see :mod:`corridor.frames`)."""
        return self._table("_nodes")

    @property
    def links(self) -> gpd.GeoDataFrame:
        """LineString features indexed by link id (read-only; see :mod:`corridor.frames`)."""
        return self._table("_links")

    @property
    def disruptions(self) -> pd.DataFrame:
        """Disruption episodes (a copy of ``disruptions.csv``; see :mod:`corridor.episodes`)."""
        return self._table("_disruptions").copy()

    def replace(
        self,
        nodes: gpd.GeoDataFrame | None = None,
        links: gpd.GeoDataFrame | None = None,
        name: str | None = None,
        disruptions: pd.DataFrame | None = None,
    ) -> Corridor:
        """A new network with some tables replaced; this one (and what it derived) is unchanged."""
        return Corridor(
            self.nodes if nodes is None else nodes,
            self.links if links is None else links,
            name=self.name if name is None else name,
            disruptions=self._table("_disruptions") if disruptions is None else disruptions,
        )

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build()`` derives from this network's tables, computed once per ``key``.

        The tables are read-only, so a derived result can never describe another state of them.
        """
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @classmethod
    def from_features(
        cls, nodes: list[dict], links: list[dict], name: str = "corridor", validate: bool = True,
        disruptions: pd.DataFrame | None = None,
    ) -> Corridor:
        """Build a network from GeoJSON features, validating them first (DataError lists all problems)."""
        if validate:
            from corridor.validation import validate_features

            problems = validate_features(nodes, links)
            if problems:
                raise DataError(problems)
        node_columns = [f.name for f in NODE_FIELDS]
        link_columns = [f.name for f in LINK_FIELDS] + [f.name for f in FERRY_FIELDS]
        return cls(_frame(nodes, node_columns), _frame(links, link_columns), name=name,
                   disruptions=disruptions)

    def __repr__(self) -> str:
        return f"<Corridor {self.name!r}: {len(self.nodes)} nodes, {len(self.links)} links>"

    def _repr_html_(self) -> str:
        """A notebook summary: counts by country and by mode."""
        from html import escape

        by_country = self.nodes["country"].value_counts().sort_index()
        by_mode = self.links.groupby("mode")["length_km"].agg(["count", "sum"])
        countries = ", ".join(f"{escape(str(c))} {n}" for c, n in by_country.items())
        modes = ", ".join(f"{escape(str(m))} {int(r['count'])} ({r['sum']:,.0f} km)"
                          for m, r in by_mode.iterrows())
        return (f"<p><b>Corridor {escape(self.name)}</b>: {len(self.nodes)} nodes, "
                f"{len(self.links)} links</p><p>nodes by country: {countries}</p>"
                f"<p>links by mode: {modes}</p>")

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The network as an osmnx-compatible ``networkx.MultiDiGraph``."""
        return build_graph(self.nodes, self.links, self.name, self._table("_disruptions"))

    def to_osmnx(self) -> nx.MultiDiGraph:
        """:attr:`graph` with osmnx's integer node keys (0, 1, ... in ``nodes`` order).

        The slug is kept as node attribute ``slug`` (``node_key`` maps one to the other), and
        ``street_count`` is set as osmnx's simplification would, so ``ox.load_graphml`` (which
        reads node keys as integers), ``ox.stats.basic_stats`` and
        ``ox.routing.shortest_path(G, G.graph["node_key"]["dostyk"], ...)`` work unchanged. On
        :attr:`graph` itself, pass single ids in lists: ``shortest_path(net.graph, ["a"], ["b"])``.
        """
        import networkx as nx  # deferred, as in build_graph
        import osmnx as ox  # deferred: only this method needs it

        keys = {slug: number for number, slug in enumerate(self.nodes.index)}
        graph = nx.relabel_nodes(self.graph, keys, copy=True)
        for slug, number in keys.items():
            graph.nodes[number]["slug"] = slug
            graph.nodes[number]["osmid"] = number
        nx.set_node_attributes(graph, ox.stats.count_streets_per_node(graph), name="street_count")
        graph.graph["node_key"] = keys
        return graph

    @cached_property
    def _places(self) -> PlaceIndex:
        nodes = self.nodes
        return PlaceIndex(
            (node_id, [node_id, name, *(aliases or [])])
            for node_id, name, aliases in zip(nodes.index, nodes["name"].tolist(),
                                              nodes["aliases"].tolist(), strict=True)
        )

    def resolve(self, place: str) -> str:
        """Node id for an id, name or alias (case- and accent-insensitive).

        Raises
        ------
        UnknownPlaceError
            With the closest known names as suggestions.
        """
        return self._places.resolve(place)

    def node(self, place: str) -> pd.Series:
        """The node row for an id, name or alias, e.g. ``net.node("Lodz")``."""
        return self.nodes.loc[self.resolve(place)]


def build_graph(nodes: gpd.GeoDataFrame, links: gpd.GeoDataFrame, name: str,
                disruptions: pd.DataFrame | None = None) -> nx.MultiDiGraph:
    """Build the directed multigraph: one edge per direction of every link.

    Edges carry osmnx's ``travel_time`` (seconds, expected) and ``speed_kph``: the expected hours
    of the link's own components in :mod:`corridor.timemodel` (running or sailing, ferry wait, the
    link's disruption episodes weighted by their chance), and the length over that time. Node
    dwell is not on any edge (it depends on the route, see ``pays_node``), so a shortest
    ``travel_time`` path is a lower bound of what :func:`corridor.route` reports.
    """
    import networkx as nx  # deferred: routing uses the state graph, not this one
    from shapely.geometry import LineString

    from corridor.geodesy import CRS
    from corridor.timemodel import link_components

    graph = nx.MultiDiGraph(crs=CRS, name=name)
    for node_id, row in nodes.iterrows():
        attrs = {k: v for k, v in row.items() if k != "geometry"}
        graph.add_node(node_id, x=row.geometry.x, y=row.geometry.y, **attrs)
    for link_id, row in links.iterrows():
        attrs = {k: v for k, v in row.items() if k not in ("geometry", "from", "to", "id")}
        attrs["link"] = link_id
        attrs["length"] = float(row["length_km"]) * 1000.0
        hours = sum(c.mean for c in link_components(link_id, row, disruptions))
        attrs["travel_time"] = hours * 3600.0
        attrs["speed_kph"] = float(row["length_km"]) / hours if hours > 0 else float(row["speed_kmh"])
        geometry = row.geometry
        graph.add_edge(row["from"], row["to"], geometry=geometry, reversed=False, **attrs)
        graph.add_edge(
            row["to"], row["from"], geometry=LineString(geometry.coords[::-1]), reversed=True,
            **attrs,
        )
    return graph


def load(path: str | Path | None = None, validate: bool = True) -> Corridor:
    """Load the built-in network, a directory holding ``nodes.geojson`` and ``links.geojson``, or a
    GeoPackage written by ``corridor export network`` (layers ``nodes``, ``links``, ``disruptions``).

    Parameters
    ----------
    path : str or Path, optional
        Directory (or ``.gpkg`` file) of a user's network; the built-in network when omitted.
    validate : bool
        Validate before building (raises DataError listing every problem).

    Returns
    -------
    Corridor
    """
    from corridor.episodes import DISRUPTIONS_FILE, read_disruptions

    directory = Path(path) if path is not None else builtin_dir()
    if directory.suffix.lower() == ".gpkg" and directory.is_file():
        return _load_gpkg(directory, validate)
    if not directory.is_dir():
        raise DataError(
            [Problem(str(directory), "", "", "not a directory with nodes.geojson and links.geojson")]
        )
    with gc_paused():  # millions of live objects: collections would walk them all, for nothing
        nodes = read_features(directory / NODES_FILE)
        links = read_features(directory / LINKS_FILE)
        name = "built-in" if path is None else directory.name
        table = directory / DISRUPTIONS_FILE
        ids = _feature_ids(nodes + links) if validate and table.is_file() else None
        disruptions = read_disruptions(table, ids)
        return Corridor.from_features(nodes, links, name=name, validate=validate,
                                      disruptions=disruptions)



def _feature_ids(features: list[Any]) -> set[str]:
    """The string ids of the features (the elements a disruption row may name)."""
    return {f["properties"].get("id") for f in features if isinstance(f, dict)
            and isinstance(f.get("properties"), dict) and isinstance(f["properties"].get("id"), str)}


def _load_gpkg(path: Path, validate: bool) -> Corridor:
    """A network from one GeoPackage, through the same validation as a directory."""
    from corridor.episodes import disruptions_from_table
    from corridor.export import read_gpkg_network

    nodes, links, table = read_gpkg_network(path)
    disruptions = None
    if table is not None:
        text = table.astype(object).where(table.notna(), "").astype(str)
        ids = {f["properties"].get("id") for f in nodes + links}
        disruptions = disruptions_from_table(text, f"{path.name}:disruptions",
                                             ids if validate else None, first_row=1)
    return Corridor.from_features(nodes, links, name=path.stem, validate=validate,
                                  disruptions=disruptions)
