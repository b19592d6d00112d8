"""Monthly mean air temperature at nodes (``geodata/climate.csv``), for exposure of unpowered cargo.

Rows give published monthly means of a station at or near a node. Where a source gives only the
January and July means, the other months are filled by a cosine annual cycle through those two
values (an estimate, marked ``interpolated``). A node without its own row borrows the nearest
row's values; the result says from where (``climate_from``) and how far (``climate_km``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pyproj import Geod

from corridor.datafiles import builtin_dir, read_csv_table
from corridor.errors import CorridorError, DataError, Problem
from corridor.schema import LATITUDE, LONGITUDE, MONTHLY_TEMPERATURE
from corridor.validation import parse_number

if TYPE_CHECKING:
    from corridor.network import Corridor

CLIMATE_FILE = "climate.csv"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_GEOD = Geod(ellps="WGS84")


def check_month(month: int) -> int:
    """The month as an int 1–12, or a CorridorError naming the valid choices."""
    try:
        value = int(month)
    except (TypeError, ValueError):
        value = 0
    if value != month or not 1 <= value <= 12:
        raise CorridorError(f"month must be 1-12 (1 = January … 12 = December), got {month!r}")
    return value


def _fill_cycle(temps: list[float | None]) -> tuple[list[float], bool]:
    """Fill missing months by a cosine cycle through January and July."""
    if all(t is not None for t in temps):
        return [float(t) for t in temps], False
    jan, jul = temps[0], temps[6]
    mid, half = (jan + jul) / 2.0, (jul - jan) / 2.0
    filled = [t if t is not None else mid - half * math.cos(2 * math.pi * m / 12.0)
              for m, t in enumerate(temps)]
    return [float(t) for t in filled], True


def _parse(raw: pd.DataFrame, name: str) -> tuple[list[dict], list[Problem]]:
    rows, problems = [], []
    for number, row in enumerate(raw.to_dict("records"), start=2):
        key = str(row.get("node_id") or f"line {number}")
        temps: list[float | None] = []
        for month in MONTHS:
            text = str(row.get(month) or "").strip()
            value, problem = parse_number(MONTHLY_TEMPERATURE, text) if text else (None, None)
            if problem:
                problems.append(Problem(name, key, month, problem))
            temps.append(value)
        if temps[0] is None or temps[6] is None:
            problems.append(Problem(name, key, "jan/jul", "January and July are required"))
        if not str(row.get("source") or "").strip():
            problems.append(Problem(name, key, "source", "must not be empty"))
        (lon, lon_problem), (lat, lat_problem) = (parse_number(LONGITUDE, row.get("lon")),
                                                  parse_number(LATITUDE, row.get("lat")))
        for column, problem in (("lon", lon_problem), ("lat", lat_problem)):
            if problem:
                problems.append(Problem(name, key, column, f"{problem} (decimal degrees)"))
        if lon_problem or lat_problem:
            continue
        if problems:
            continue
        values, interpolated = _fill_cycle(temps)
        rows.append({"node_id": key, "lon": lon, "lat": lat, "temps": values,
                     "interpolated": interpolated, "source": row["source"]})
    return rows, problems


@lru_cache(maxsize=1)
def builtin_climate() -> pd.DataFrame:
    """The built-in climate table (read once)."""
    return load_climate(builtin_dir() / CLIMATE_FILE)


def load_climate(path: str | Path | None = None) -> pd.DataFrame:
    """Climate rows indexed by node id: lon, lat, ``jan``…``dec`` (°C), interpolated, source.

    Raises
    ------
    DataError
        Listing every bad row.
    """
    file = Path(path) if path is not None else builtin_dir() / CLIMATE_FILE
    raw = read_csv_table(file)
    rows, problems = _parse(raw, file.name)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(
        [[r["lon"], r["lat"], *r["temps"], r["interpolated"], r["source"]] for r in rows],
        columns=["lon", "lat", *MONTHS, "interpolated", "source"],
        index=[r["node_id"] for r in rows],
    )
    return frame


def node_ambient(net: Corridor, month: int, climate: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ambient temperature of every node in ``month``, own row or borrowed from the nearest.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``net.nodes``: ``temp_c``, ``climate_from`` (row used), ``climate_km``
        (0 for the node's own row).
    """
    month = check_month(month)
    table = builtin_climate() if climate is None else climate
    if climate is None:
        return net.derived(("ambient", month), lambda: _ambient(net, month, table))
    return _ambient(net, month, table)


def _ambient(net: Corridor, month: int, table: pd.DataFrame) -> pd.DataFrame:
    lon = net.nodes.geometry.x.to_numpy()
    lat = net.nodes.geometry.y.to_numpy()
    n = len(lon)
    row_of: dict = {}
    for j, row in enumerate(table.index):
        row_of.setdefault(row, j)  # a node's own row (the first, if listed twice)
    own = np.array([row_of.get(node, -1) for node in net.nodes.index], dtype=np.int64)
    nearest = np.zeros(n, dtype=np.int64)
    km = np.zeros(n)
    for first in range(0, n, _AMBIENT_CHUNK):  # bounded memory: nodes × rows, a chunk at a time
        rows = slice(first, min(first + _AMBIENT_CHUNK, n))
        nearest[rows], km[rows] = _nearest_rows(lon[rows], lat[rows], own[rows], table)
    column = MONTHS[month - 1]
    frame = pd.DataFrame(
        {"temp_c": table[column].to_numpy()[nearest],
         "climate_from": table.index.to_numpy()[nearest],
         "climate_km": np.round(km, 1)},
        index=net.nodes.index,
    )
    return frame


#: nodes whose distances to every climate row are held at once by :func:`_ambient`
_AMBIENT_CHUNK = 8192


def _nearest_rows(lon: np.ndarray, lat: np.ndarray, own: np.ndarray,
                  table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per node, the climate row it takes (its own row, else the nearest) and the km to it."""
    n, m = len(lon), len(table)
    _, _, dist = _GEOD.inv(np.repeat(lon, m), np.repeat(lat, m),
                           np.tile(table["lon"].to_numpy(), n), np.tile(table["lat"].to_numpy(), n))
    dist = dist.reshape(n, m) / 1000.0 + 1e-6
    has_own = np.flatnonzero(own >= 0)
    dist[has_own, own[has_own]] = 0.0
    nearest = dist.argmin(axis=1)
    return nearest, dist[np.arange(n), nearest]
