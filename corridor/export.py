"""Write frames and networks to the files GIS tools read, so that they read back the same.

* :func:`write_frame` writes any (Geo)DataFrame corridor returns by the file's extension:
  ``.gpkg`` (GeoPackage), ``.geojson``, ``.parquet`` (GeoParquet), ``.csv``. GeoPackage and CSV
  have no list type: list and dict cells are written as JSON text (``["Dostyk", "Достык"]``) and
  :func:`read_frame` turns them back into lists. The unnamed index is dropped (every corridor frame
  keeps its ids in a column: ``id``, ``node``).
* :func:`write_network` writes a whole network: a directory of ``nodes.geojson``,
  ``links.geojson`` and ``disruptions.csv`` (the geodata format), or one GeoPackage with the
  layers ``nodes``, ``links`` and ``disruptions``. :func:`corridor.load` reads both back, validated.

Floats are written through :func:`corridor.datafiles.stable_float` in GeoJSON and CSV. Every file
is written atomically (a temporary file, then a rename).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from corridor.datafiles import atomic_write_text, check_writable, json_ready, write_directory
from corridor.episodes import DISRUPTIONS_FILE
from corridor.errors import CorridorError, DataError, Problem
from corridor.schema import FERRY_FIELDS, LINK_FIELDS, LINKS_FILE, NODE_FIELDS, NODES_FILE

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


class NetworkTables(Protocol):
    """What the writers need of a network (a :class:`corridor.network.Corridor` is one); typed
    structurally so that this module, which the loader uses, does not depend on the network."""

    @property
    def nodes(self) -> gpd.GeoDataFrame: ...

    @property
    def links(self) -> gpd.GeoDataFrame: ...

    @property
    def disruptions(self) -> pd.DataFrame: ...

#: file extensions :func:`write_frame` understands
FRAME_FORMATS = (".gpkg", ".geojson", ".parquet", ".csv")
#: GeoPackage layer names of a network
LAYERS = ("nodes", "links", "disruptions")
LIST_FIELDS = frozenset(f.name for f in (*NODE_FIELDS, *LINK_FIELDS, *FERRY_FIELDS) if f.type == "list")


def frame_format(path: Path, what: str = "--out", allowed: tuple[str, ...] = FRAME_FORMATS) -> str:
    """The extension of ``path`` when :func:`write_frame` can write it (CorridorError otherwise)."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise CorridorError(f"{what} {path}: unknown file type {suffix or '(none)'!r}; "
                            f"expected one of {', '.join(allowed)}")
    return suffix


def _is_nested(value: Any) -> bool:
    return isinstance(value, list | tuple | dict | set)


def _json_cell(value: Any) -> Any:
    if _is_nested(value):
        items = sorted(value) if isinstance(value, set) else value
        return json.dumps(json_ready(list(items) if isinstance(value, tuple | set) else items),
                          ensure_ascii=False)
    return value


def nested_columns(frame: pd.DataFrame) -> list[str]:
    """Columns holding a list, tuple, set or dict in any row."""
    return [c for c in frame.columns if c != "geometry" and frame[c].map(_is_nested).any()]


def flat_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose nested cells are JSON text, with a plain 0..n-1 index.

    An unnamed index (corridor's ids, also kept in a column) is dropped; a named index becomes a
    column.
    """
    out = frame.reset_index(drop=frame.index.name is None)
    for column in nested_columns(out):
        out[column] = out[column].map(_json_cell)
    return out


def atomic_write_with(path: Path, write: Callable[[Path], None], what: str) -> Path:
    """Write via ``write(temporary)`` in the same directory, then rename onto ``path``."""
    path = check_writable(path, what)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    os.unlink(temporary)  # drivers refuse to write over an empty file
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except OSError as exc:
        raise CorridorError(f"{what} {path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def write_frame(frame: pd.DataFrame, path: str | os.PathLike, what: str = "--out",
                layer: str | None = None) -> Path:
    """Write ``frame`` by extension (see :data:`FRAME_FORMATS`); returns the path written.

    A DataFrame without geometry may be written as ``.csv`` or ``.parquet`` only.
    """
    path = Path(path)
    suffix = frame_format(path, what)
    spatial = hasattr(frame, "geometry") and "geometry" in frame.columns
    if not spatial and suffix in (".gpkg", ".geojson"):
        raise CorridorError(f"{what} {path}: this table has no geometry; write .csv or .parquet")
    if suffix == ".csv":
        return atomic_write_text(path, _csv_text(frame), what)
    if suffix == ".geojson":
        return atomic_write_text(path, geojson_text(frame), what)
    if suffix == ".parquet":
        table = frame.reset_index(drop=frame.index.name is None)
        return atomic_write_with(path, lambda tmp: table.to_parquet(tmp, index=False), what)
    flat = flat_frame(frame)
    name = layer or path.stem
    return atomic_write_with(path, lambda tmp: flat.to_file(tmp, driver="GPKG", layer=name), what)


def _csv_text(frame: pd.DataFrame) -> str:
    import pandas as pd

    flat = flat_frame(frame)
    if "geometry" in flat.columns:  # points as lon/lat, lines as WKT
        geometry = flat.geometry
        rest = pd.DataFrame(flat.drop(columns="geometry"))
        if len(geometry) and (geometry.geom_type == "Point").all():
            flat = rest.assign(lon=geometry.x.to_numpy(), lat=geometry.y.to_numpy())
        else:
            flat = rest.assign(geometry=geometry.to_wkt().to_numpy())
    for column in flat.columns:
        if flat[column].dtype.kind == "f":
            flat[column] = flat[column].map(_stable)
    return flat.to_csv(index=False, lineterminator="\n")


def _stable(value: float) -> float:
    from corridor.datafiles import stable_float

    return value if value is None or math.isnan(value) else stable_float(value)


def features(frame: gpd.GeoDataFrame, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """GeoJSON features of a GeoDataFrame: lists stay lists, NaN becomes null."""
    from shapely.geometry import mapping

    columns = [c for c in frame.columns if c != "geometry" and c not in drop]
    out = []
    for values, geometry in zip(frame[columns].itertuples(index=False, name=None), frame.geometry,
                                strict=True):
        properties = {c: _plain(v) for c, v in zip(columns, values, strict=True)}
        out.append({"type": "Feature", "properties": properties,
                    "geometry": None if geometry is None else mapping(geometry)})
    return json_ready(out)


def _plain(value: Any) -> Any:
    if _is_nested(value):
        return [_plain(v) for v in value] if not isinstance(value, dict) else {
            k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def geojson_text(frame: gpd.GeoDataFrame) -> str:
    """A FeatureCollection, one feature per line (diff-friendly), in WGS84."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    lines = [json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features(frame)]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


# -- reading back -------------------------------------------------------------------------------------

def _from_json_text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def read_frame(path: str | os.PathLike, layer: str | None = None,
               list_columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read a file :func:`write_frame` wrote; JSON-text cells of ``list_columns`` (default: every
    column whose cells all look like JSON lists or objects) become lists again."""
    import geopandas as gpd
    import pandas as pd

    path = Path(path)
    suffix = frame_format(path, "file")
    if suffix == ".parquet":
        try:
            frame = gpd.read_parquet(path)
        except ValueError:  # no geometry column
            frame = pd.read_parquet(path)
        return _arrays_as_lists(frame)
    frame = pd.read_csv(path) if suffix == ".csv" else gpd.read_file(path, layer=layer)
    frame = _arrays_as_lists(frame)
    for column in list_columns if list_columns is not None else _json_columns(frame):
        if column in frame.columns:
            frame[column] = frame[column].map(_from_json_text)
    return frame


def _arrays_as_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells that a reader returns as numpy arrays (GeoJSON, Parquet) as Python lists."""
    for column in frame.columns:
        if column != "geometry" and frame[column].map(lambda v: hasattr(v, "tolist")
                                                      and not isinstance(v, str | float | int)).any():
            frame[column] = frame[column].map(lambda v: v.tolist() if hasattr(v, "tolist") else v)
    return frame


def _json_columns(frame: pd.DataFrame) -> list[str]:
    found = []
    for column in frame.columns:
        cells = frame[column].dropna()
        if column != "geometry" and len(cells) and cells.map(
                lambda v: isinstance(v, str) and v[:1] in "[{" and v[-1:] in "]}").all():
            found.append(column)
    return found


# -- networks -----------------------------------------------------------------------------------------

def network_format(path: Path, what: str = "--out") -> str:
    """``"directory"`` or ``".gpkg"`` (CorridorError for anything else)."""
    path = Path(path)
    if path.suffix.lower() == ".gpkg":
        return ".gpkg"
    if path.suffix == "" or path.is_dir():
        return "directory"
    raise CorridorError(f"{what} {path}: a network is written as a directory of GeoJSON files "
                        "(name a directory) or as one GeoPackage (.gpkg)")


def write_network(net: NetworkTables, path: str | os.PathLike, what: str = "--out") -> list[Path]:
    """Write ``net`` as a geodata directory or one GeoPackage; returns the paths written."""
    path = Path(path)
    if network_format(path, what) == ".gpkg":
        return [atomic_write_with(path, lambda tmp: _write_gpkg(net, tmp), what)]
    if path.exists() and any(path.iterdir()) and not (path / NODES_FILE).is_file():
        raise CorridorError(f"{what} {path}: directory holds other files; name an empty or new one")

    def build(directory: Path) -> list[Path]:
        for name, frame in ((NODES_FILE, net.nodes), (LINKS_FILE, net.links)):
            (directory / name).write_text(network_geojson(frame), encoding="utf-8")
        (directory / DISRUPTIONS_FILE).write_text(
            net.disruptions.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        return [directory / name for name in (NODES_FILE, LINKS_FILE, DISRUPTIONS_FILE)]

    return write_directory(path, build, what)


def _write_gpkg(net: NetworkTables, target: Path) -> None:
    import geopandas as gpd

    flat_frame(net.nodes).to_file(target, driver="GPKG", layer="nodes")
    flat_frame(net.links).to_file(target, driver="GPKG", layer="links", mode="a")
    table = net.disruptions.reset_index(drop=True)
    holder = gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=net.nodes.crs)
    holder.to_file(target, driver="GPKG", layer="disruptions", mode="a")


def read_gpkg_network(path: Path) -> tuple[list[dict], list[dict], pd.DataFrame | None]:
    """Node and link features (lists restored) and the disruption table of a network GeoPackage."""
    import pyogrio

    name = Path(path).name
    try:
        layers = {row[0] for row in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio raises its own DataSourceError
        raise DataError([Problem(name, "", "", f"not a readable GeoPackage ({exc})")]) from None
    missing = [layer for layer in ("nodes", "links") if layer not in layers]
    if missing:
        raise DataError([Problem(name, "", "layers", f"missing layer(s) {', '.join(missing)}; "
                                 "expected nodes and links")])
    found = []
    for layer in ("nodes", "links"):
        frame = read_frame(path, layer=layer, list_columns=tuple(LIST_FIELDS))
        found.append(_as_geodata(features(frame)))
    disruptions = None
    if "disruptions" in layers:
        table = read_frame(path, layer="disruptions", list_columns=())
        disruptions = table.drop(columns="geometry", errors="ignore")
    return found[0], found[1], disruptions


_FIELDS = {f.name: f for f in (*NODE_FIELDS, *LINK_FIELDS, *FERRY_FIELDS)}


def _as_geodata(found: list[dict]) -> list[dict]:
    """Features as the geodata files hold them: whole numbers of ``int`` fields as ints (a
    column with a blank reads as float), and a null of an optional field left out."""
    for feature in found:
        properties = {}
        for key, value in feature["properties"].items():
            field = _FIELDS.get(key)
            if value is None and (field is None or not field.required):
                continue
            if field is not None and field.type == "int" and isinstance(value, float) \
                    and value.is_integer():
                value = int(value)
            properties[key] = value
        feature["properties"] = properties
    return found


def network_geojson(frame: gpd.GeoDataFrame) -> str:
    """A network table as a geodata FeatureCollection (see :func:`_as_geodata`)."""
    lines = [json.dumps(f, ensure_ascii=False, allow_nan=False) for f in _as_geodata(features(frame))]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


# -- analysis results as frames ------------------------------------------------------------------------

def routes_frame(net: NetworkTables, routes: list) -> gpd.GeoDataFrame:
    """One row per route: ends with names and countries beside ids, days, km, crossings, the line."""
    import geopandas as gpd

    names, countries = net.nodes["name"], net.nodes["country"]
    rows = []
    for rank, r in enumerate(routes, start=1):
        rows.append({
            "rank": rank, "origin": r.origin, "origin_name": names[r.origin],
            "origin_country": countries[r.origin], "destination": r.destination,
            "destination_name": names[r.destination],
            "destination_country": countries[r.destination],
            "transit_days": r.transit_days, "p50_days": r.p50_days, "p90_days": r.p90_days,
            "min_days": r.min_days, "distance_km": r.distance_km,
            "crossings": " / ".join(str(c) for c in r.border_crossings),
            "countries": list(r.countries), "links": list(r.links), "geometry": r.geometry,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.nodes.crs)


def whatif_frame(net: NetworkTables, comparisons: list) -> gpd.GeoDataFrame:
    """The transit comparison of ``corridor whatif`` as one table with a line per pair.

    ``comparisons`` holds ``(Comparison, WhatIf)`` for each scenario: the rows are the
    comparison's transit rows (``scenario`` first), with names and countries beside the ids and
    the route the scenario takes as geometry (the baseline's when the scenario has none;
    ``geometry_of`` says which).
    """
    import geopandas as gpd

    names, countries = net.nodes["name"], net.nodes["country"]
    rows = []
    for comparison, found in comparisons:
        routes = {(o, d): (before, after) for o, d, before, after in found.pairs}
        for row in comparison.transit.to_dict(orient="records"):
            before, after = routes.get((row["origin"], row["destination"]), (None, None))
            shown, which = (after, "scenario") if after is not None else (before, "baseline")
            rows.append({
                "scenario": comparison.scenario, **row,
                "origin_name": names.get(row["origin"]), "origin_country": countries.get(row["origin"]),
                "destination_name": names.get(row["destination"]),
                "destination_country": countries.get(row["destination"]),
                "geometry_of": which if shown is not None else "none",
                "geometry": None if shown is None else shown.geometry,
            })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.nodes.crs)


def with_names(net: NetworkTables, frame: pd.DataFrame,
               ends: tuple[str, ...] = ("origin", "destination")) -> pd.DataFrame:
    """``frame`` with ``<end>_name`` and ``<end>_country`` appended for each id column in ``ends``."""
    out = frame.copy()
    names, countries = net.nodes["name"], net.nodes["country"]
    for end in ends:
        out[f"{end}_name"] = out[end].map(names)
        out[f"{end}_country"] = out[end].map(countries)
    return out


def with_desire_lines(net: NetworkTables, frame: pd.DataFrame,
                      ends: tuple[str, str] = ("origin", "destination")) -> gpd.GeoDataFrame:
    """``frame`` as a GeoDataFrame whose geometry is the straight line from each row's origin
    node to its destination node (a desire line, for flow maps; the track is in the route)."""
    import geopandas as gpd
    from shapely.geometry import LineString

    points = net.nodes.geometry
    lines = [LineString([points[a], points[b]])
             for a, b in zip(frame[ends[0]], frame[ends[1]], strict=True)]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=lines, crs=net.nodes.crs)
