"""Checks of the modes tables (tariffs, emission factors, sea, air, ports): every problem, not just the first.

The lead's ``corridor validate`` calls :func:`validate_modes_tables` on a geodata directory.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from corridor.errors import Problem
from corridor.modes.lanes import read_checked_lanes
from corridor.validation import year_problem

TABLE_FILES = ("tariffs.csv", "emission_factors.csv", "sea.csv", "air.csv")
PORTS_FILE = "ports.csv"
RANGE_COLUMNS = ("kind", "key", "container", "unit", "low", "typical", "high", "year", "source", "note")
PORT_COLUMNS = ("id", "region", "source", "note")
#: railway administrations a rail tariff row may name ('*' is the network-wide default)
ADMINISTRATIONS = frozenset({
    "*", "CR", "KTZ", "RZD", "BCh", "PKP", "DB", "UTY", "ADY", "GR", "TCDD", "UBTZ", "TRC", "KTJ", "CFR",
    "MAV", "ZS", "BDZ", "OBB", "CD", "NS", "SNCF", "Adif", "OSE", "ProRail", "Infrabel", "HPA",
})
KINDS = {
    "tariffs.csv": {"rail_km", "border", "gauge_change", "terminal", "ferry", "reefer_surcharge",
                    "genset_fuel", "inventory"},
    "emission_factors.csv": {"grid", "electric_traction", "diesel_traction", "sea", "ferry", "air", "genset"},
    "sea.csv": {"service_speed", "port_dwell", "port_calls", "freight", "cape_extra"},
    "air.csv": {"rate", "door_to_door", "distance_uplift"},
}
CONTAINERS = {"20", "40", "*"}
REGIONS = {"china", "north_europe", "mediterranean"}


Rows = list[dict[str, str]]


def read_rows(path: Path, columns: tuple[str, ...]) -> tuple[Rows | None, list[Problem]]:
    """A CSV's rows as dicts of strings, or the problem that stops it being read (missing file,
    not UTF-8, bad quoting, missing columns). The standard ``csv`` module: these tables are small and
    read on the first comparison, where pandas' reader costs more than the parsing."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restval="")
            rows = list(reader)
            header = reader.fieldnames or []
    except FileNotFoundError:
        return None, [Problem(path.name, "", "", "file not found")]
    except (csv.Error, UnicodeDecodeError) as exc:
        return None, [Problem(path.name, "", "", f"cannot parse: {exc}")]
    missing = [c for c in columns if c not in header]
    if missing:
        return None, [Problem(path.name, "header", c, "column missing") for c in missing]
    extra = [line for line, row in enumerate(rows, start=2) if None in row]
    if extra:
        return None, [Problem(path.name, f"line {extra[0]}", "", "more values than the header has columns")]
    return rows, []


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def check_range_row(name: str, line: int, row: dict) -> list[Problem]:
    """Problems of one row of a range table (low <= typical <= high, finite, >= 0, sourced, dated)."""
    key = f"line {line} ({row.get('kind')}/{row.get('key')})"
    problems = []
    if row.get("kind") not in KINDS[name]:
        problems.append(Problem(name, key, "kind", f"{row.get('kind')!r} unknown; expected one of "
                                f"{', '.join(sorted(KINDS[name]))}"))
    if name == "tariffs.csv" and row.get("kind") == "rail_km" and row.get("key") not in ADMINISTRATIONS:
        problems.append(Problem(name, key, "key", f"unknown railway administration {row.get('key')!r}; "
                                f"expected one of {', '.join(sorted(ADMINISTRATIONS))}"))
    if row.get("container") not in CONTAINERS:
        problems.append(Problem(name, key, "container", f"{row.get('container')!r}; expected 20, 40 or *"))
    source = str(row.get("source") or "").strip()
    if not source:
        problems.append(Problem(name, key, "source", "missing source"))
    elif source.lower().startswith("estimate"):
        problems.append(Problem(name, key, "source", "an estimate is not a source; expected where the "
                                "figure was published (say 'estimate' in note)"))
    year = year_problem(row.get("year"))
    if year:
        problems.append(Problem(name, key, "year", year))
    values = {}
    for column in ("low", "typical", "high"):
        value = _number(row.get(column))
        if value is None:
            problems.append(Problem(name, key, column, f"{row.get(column)!r} is not a finite number"))
        elif value < 0:
            problems.append(Problem(name, key, column, f"negative rate {value:g}; expected >= 0"))
        else:
            values[column] = value
    if len(values) == 3 and not values["low"] <= values["typical"] <= values["high"]:
        got = f"{values['low']:g} / {values['typical']:g} / {values['high']:g}"
        problems.append(Problem(name, key, "typical", f"expected low <= typical <= high, got {got}"))
    return problems


def check_ports(rows: Rows, node_ids: set[str] | None) -> list[Problem]:
    """Problems of ports.csv: known region, sourced, and (when nodes are given) an existing node id."""
    problems = []
    for line, row in enumerate(rows, start=2):
        key = f"line {line} ({row['id']})"
        if row["region"] not in REGIONS:
            problems.append(Problem(PORTS_FILE, key, "region", f"{row['region']!r}; expected one of "
                                    f"{', '.join(sorted(REGIONS))}"))
        if not str(row["source"]).strip():
            problems.append(Problem(PORTS_FILE, key, "source", "missing source"))
        if node_ids is not None and row["id"] not in node_ids:
            problems.append(Problem(PORTS_FILE, key, "id", f"no node {row['id']!r} in nodes.geojson"))
    return problems


def read_modes_tables(directory: str | Path, node_ids: set[str] | None = None
                      ) -> tuple[dict[str, Rows], Rows, list[dict], list[Problem]]:
    """The rows of every range table and of ports.csv and the features of sea_lanes.geojson, each
    file read once, with every problem found in them; see :func:`validate_modes_tables`."""
    directory = Path(directory)
    if not any((directory / name).is_file() for name in (*TABLE_FILES, PORTS_FILE)):
        lanes, problems = read_checked_lanes(directory)
        return {}, [], lanes, problems
    tables: dict[str, Rows] = {}
    problems: list[Problem] = []
    for name in TABLE_FILES:
        rows, read_problems = read_rows(directory / name, RANGE_COLUMNS)
        problems += read_problems
        if rows is not None:
            tables[name] = rows
            for line, row in enumerate(rows, start=2):
                problems += check_range_row(name, line, row)
    ports, read_problems = read_rows(directory / PORTS_FILE, PORT_COLUMNS)
    problems += read_problems
    if ports is not None:
        problems += check_ports(ports, node_ids)
    port_ids = {row["id"] for row in ports} if ports is not None else None
    lanes, lane_problems = read_checked_lanes(directory, port_ids)
    return tables, ports or [], lanes, problems + lane_problems


def validate_modes_tables(directory: str | Path, node_ids: set[str] | None = None) -> list[Problem]:
    """Every problem in the modes tables of a geodata directory (empty list when all is well).

    Parameters
    ----------
    directory : str or Path
        Directory holding tariffs.csv, emission_factors.csv, sea.csv, air.csv and ports.csv (and
        optionally sea_lanes.geojson, whose lanes must join ports of ports.csv).
    node_ids : set of str, optional
        Node ids of the network, to check that every port names a node.

    Notes
    -----
    The tables are optional in a user's network directory: when none of them is there, nothing is
    checked (the mode comparison then uses the built-in tables). When some are there, all must be.
    """
    return read_modes_tables(directory, node_ids)[3]
