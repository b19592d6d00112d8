"""Checks of the published-services table (``services.csv``): every problem, not just the first.

``corridor validate`` calls :func:`validate_services_table` on a geodata directory. The table is
optional in a user's network directory (nothing is checked when it is absent).

Columns with node ids:

* ``origin``, ``destination`` - one node id each;
* ``crossing_nodes`` - the published border crossings, ``;``-separated, in route order (optional);
* ``distance_via`` - the places the *published distance's* route passes, ``;``-separated, in route
  order (optional; set only where a source documents that route). Calibration measures the
  service's distance on the route through these places, its days on the crossings' route.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from corridor.errors import Problem
from corridor.schema import SERVICE_FIELDS
from corridor.validation import parse_number, year_problem

SERVICES_FILE = "services.csv"
REQUIRED_COLUMNS = ("service", "origin", "destination", "border_crossing", "crossing_nodes",
                    "published_km", "published_days_min", "published_days_max", "year", "source")
NODE_LIST_COLUMNS = ("crossing_nodes", "distance_via")


def node_list(text: object) -> list[str]:
    """Node ids of a ``;``-separated cell (empty list for an empty cell)."""
    if not isinstance(text, str):
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


def _unknown(name: str, node_ids: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(node_ids), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no node {name!r} in nodes.geojson{hint}"


def check_service_row(line: int, row: dict, node_ids: set[str] | None) -> list[Problem]:
    """Problems of one row: known node ids, finite positive figures, days in order, sourced, dated."""
    key = f"line {line} ({row.get('service')})"
    problems = []
    if node_ids is not None:
        for column in ("origin", "destination"):
            if row[column] not in node_ids:
                problems.append(Problem(SERVICES_FILE, key, column, _unknown(row[column], node_ids)))
        for column in NODE_LIST_COLUMNS:
            for name in node_list(row.get(column, "")):
                if name not in node_ids:
                    problems.append(Problem(SERVICES_FILE, key, column, _unknown(name, node_ids)))
    values = {}
    for field in SERVICE_FIELDS:
        if not str(row[field.name]).strip():  # not published
            continue
        value, problem = parse_number(field, row[field.name])
        if problem:
            problems.append(Problem(SERVICES_FILE, key, field.name, f"{problem} or an empty cell"))
        else:
            values[field.name] = value
    low, high = values.get("published_days_min"), values.get("published_days_max")
    if (low is None) != (high is None) and not problems:
        problems.append(Problem(SERVICES_FILE, key, "published_days_max",
                                "give both published_days_min and published_days_max, or neither"))
    elif low is not None and high is not None and low > high:
        problems.append(Problem(SERVICES_FILE, key, "published_days_max",
                                f"{high:g} is below published_days_min {low:g}"))
    if row.get("distance_via", "").strip() and not str(row["published_km"]).strip():
        problems.append(Problem(SERVICES_FILE, key, "distance_via",
                                "a route for the published distance, but no published_km"))
    if not str(row["source"]).strip():
        problems.append(Problem(SERVICES_FILE, key, "source", "missing source"))
    year = year_problem(row["year"])
    if year:
        problems.append(Problem(SERVICES_FILE, key, "year", year))
    return problems


def validate_services_table(directory: str | Path, node_ids: set[str] | None = None) -> list[Problem]:
    """Every problem in a directory's ``services.csv`` (empty list when all is well or it is absent).

    Parameters
    ----------
    directory : str or Path
        Geodata directory.
    node_ids : set of str, optional
        Node ids of the network, to check every node id the table names.
    """
    path = Path(directory) / SERVICES_FILE
    if not path.is_file():
        return []
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        return [Problem(SERVICES_FILE, "", "", f"cannot parse: {exc}")]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        return [Problem(SERVICES_FILE, "header", c, "column missing") for c in missing]
    problems: list[Problem] = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        problems += check_service_row(line, row, node_ids)
    return problems
