"""Demand: trains per day between places, read from ``geodata/demand.csv`` or a user CSV.

Demand rows count trains per day in both directions; each row is routed origin → destination and
the return trip is taken to use the same elements, so flows and capacities are two-way totals.
"""

from __future__ import annotations

import csv
import errno
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridor.datafiles import builtin_dir
from corridor.errors import DataError, Problem, UnknownPlaceError
from corridor.schema import DEMAND_FIELDS
from corridor.validation import check_number, parse_number

if TYPE_CHECKING:
    from corridor.network import Corridor

DEMAND_FILE = "demand.csv"
DEMAND_COLUMNS = ["origin", "destination", "via", "trains_day", "year", "source", "note"]


def load_demand(path: str | Path | None = None, net: Corridor | None = None) -> pd.DataFrame:
    """Read a demand table (the built-in ``geodata/demand.csv`` when ``path`` is None).

    Columns: ``origin``, ``destination``, ``trains_day`` (or ``trains_year``), ``source``, and
    optionally ``via`` (a crossing the trains were counted at: their route passes it unless it is
    closed), ``year`` and ``note``. With ``net``, places (ids, names or aliases) are resolved to
    node ids.

    Raises
    ------
    DataError
        Naming file, row (line number), field and value for every bad row.
    """
    file = Path(path) if path is not None else builtin_dir() / DEMAND_FILE
    rows = _read_rows(file)
    problems: list[Problem] = []
    records = []
    for line, row in rows:
        record = _demand_row(file.name, line, row, net, problems)
        if record is not None:
            records.append(record)
    if problems:
        if path is None and net is not None:  # the built-in demand on another network
            first = problems[0]
            problems[0] = replace(first, message=first.message + BUILTIN_ON_ANOTHER_NETWORK)
        raise DataError(problems)
    if not records:
        raise DataError([Problem(file.name, "", "", "no demand rows")])
    return pd.DataFrame(records, columns=DEMAND_COLUMNS)


#: said when the built-in demand names places a network (a --data directory) does not have
BUILTIN_ON_ANOTHER_NETWORK = ("; the built-in demand is for the built-in network: give a demand "
                              "table naming this network's places (--demand FILE)")


def _read_rows(file: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        if file.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory; expected a CSV file")
        with file.open(encoding="utf-8-sig", newline="") as handle:  # -sig: a BOM is ignored
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            rows = [(index + 2, row) for index, row in enumerate(reader)]
    except FileNotFoundError:
        raise DataError([Problem(str(file), "", "", "file not found")]) from None
    except UnicodeDecodeError:
        raise DataError([Problem(str(file), "", "", "cannot read: not UTF-8 text")]) from None
    except OSError as exc:
        raise DataError([Problem(str(file), "", "", f"cannot read: {exc.strerror or exc}")]) from None
    except csv.Error as exc:
        raise DataError([Problem(str(file), "", "", f"not a valid CSV file: {exc}")]) from None
    missing = [c for c in ("origin", "destination", "source") if c not in fields]
    if not ({"trains_day", "trains_year"} & set(fields)):
        missing.append("trains_day")
    if missing:
        raise DataError([Problem(file.name, "header", c, "missing column") for c in missing])
    return rows


def _demand_row(name: str, line: int, row: dict, net, problems: list[Problem]) -> tuple | None:
    where = f"row {line}"
    before = len(problems)
    places = []
    for column in ("origin", "destination", "via"):
        value = (row.get(column) or "").strip()
        if not value and column == "via":
            places.append("")
            continue
        if not value:
            problems.append(Problem(name, where, column, "empty; expected a place id or name"))
        elif net is not None:
            try:
                value = net.resolve(value)
            except UnknownPlaceError as exc:
                problems.append(Problem(name, where, column, str(exc)))
        places.append(value)
    trains = _trains_per_day(name, where, row, problems)
    source = (row.get("source") or "").strip()
    if not source:
        problems.append(Problem(name, where, "source", "empty; every row needs a source"))
    if len(problems) == before and places[0] == places[1]:
        problems.append(Problem(name, where, "destination", f"same as origin ({places[0]!r})"))
    if len(problems) > before:
        return None
    return (places[0], places[1], places[2], trains, (row.get("year") or "").strip(), source,
            (row.get("note") or "").strip())


def _trains_per_day(name: str, where: str, row: dict, problems: list[Problem]) -> float:
    column = "trains_day" if (row.get("trains_day") or "").strip() else "trains_year"
    spec = next(f for f in DEMAND_FIELDS if f.name == column)
    value, problem = parse_number(spec, row.get(column))
    if problem:
        problems.append(Problem(name, where, column, problem))
        return 0.0
    return value / 365.0 if column == "trains_year" else value


def resolve_demand(net: Corridor, demand: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    """A demand table with places resolved to node ids (a path or None is read from file)."""
    if demand is None or isinstance(demand, str | Path):
        return load_demand(demand, net)
    frame = demand.copy()
    if "via" not in frame:
        frame["via"] = ""
    frame["via"] = ["" if not isinstance(p, str) or not p.strip() else net.resolve(p)
                    for p in frame["via"]]
    frame["origin"] = [net.resolve(p) for p in frame["origin"]]
    frame["destination"] = [net.resolve(p) for p in frame["destination"]]
    problems = [Problem("demand", f"row {i}", "trains_day", message)
                for i, value in enumerate(frame["trains_day"])
                if (message := check_number(DEMAND_FIELDS[0], _plain(value)))]
    if problems:
        raise DataError(problems)
    return frame


def demand_pairs(net: Corridor, demand: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    """:func:`od_table` of :func:`resolve_demand` (the built-in demand's read once per network)."""
    if demand is not None:
        return od_table(resolve_demand(net, demand))
    file = builtin_dir() / DEMAND_FILE
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        return od_table(resolve_demand(net, None))  # load_demand says what is wrong
    return net.derived(("builtin_demand_pairs", str(file), stamp),
                       lambda: od_table(resolve_demand(net, None))).copy()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def od_table(demand: pd.DataFrame) -> pd.DataFrame:
    """Demand summed per (origin, destination), zero rows dropped."""
    frame = demand if "via" in demand else demand.assign(via="")
    table = frame.groupby(["origin", "destination", "via"], as_index=False,
                          sort=True)["trains_day"].sum()
    return table[table["trains_day"] > 0].reset_index(drop=True)
