"""The commodity catalogue (``geodata/commodities.csv``) and how temperature consumes shelf life.

Shelf life is rated at the commodity's safe band ``[min_temp_c, max_temp_c]`` (set temperature
inside it). Inside the band one hour of travel uses one hour of shelf life. Above the band the rate
grows by ``q10`` per 10 °C; below it, only chill-sensitive produce is harmed, at the same Q10 law
(chilling / freezing injury, flagged). Meat, cheese and grain lose nothing extra in the cold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.datafiles import builtin_dir, read_csv_table
from corridor.errors import CorridorError, DataError, Problem
from corridor.schema import COMMODITY_FIELDS
from corridor.validation import parse_number

COMMODITIES_FILE = "commodities.csv"
NUMBER_COLUMNS = tuple(f.name for f in COMMODITY_FIELDS)
BOOL_COLUMNS = ("chill_sensitive", "requires_reefer")
TEXT_COLUMNS = ("id", "name", "source")
COLUMNS = (*TEXT_COLUMNS, *NUMBER_COLUMNS, *BOOL_COLUMNS, "note")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


@dataclass(frozen=True)
class Commodity:
    """One row of the catalogue (temperatures in °C, durations in days)."""

    id: str
    name: str
    set_temp_c: float
    min_temp_c: float
    max_temp_c: float
    shelf_life_days: float
    q10: float
    chill_sensitive: bool
    requires_reefer: bool
    margin_days: float
    source: str
    note: str = ""

    def rate(self, temp_c) -> np.ndarray:
        """Days of shelf life used per day spent at ``temp_c`` (scalar or array)."""
        return np.asarray(self.heat_rate(temp_c) + self.cold_rate(temp_c) - 1.0)

    def heat_rate(self, temp_c) -> np.ndarray:
        """Rate from heat alone: 1 inside or below the band, Q10 law above it."""
        excess = np.maximum(np.asarray(temp_c, dtype=float) - self.max_temp_c, 0.0)
        return self.q10 ** (excess / 10.0)

    def cold_rate(self, temp_c) -> np.ndarray:
        """Rate from cold alone: Q10 law below the band for chill-sensitive produce, else 1."""
        if not self.chill_sensitive:
            return np.ones_like(np.asarray(temp_c, dtype=float))
        deficit = np.maximum(self.min_temp_c - np.asarray(temp_c, dtype=float), 0.0)
        return self.q10 ** (deficit / 10.0)


def _parse_bool(value: str) -> bool | None:
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _check_row(row: dict, key: str, name: str) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    clean: dict = {"note": str(row.get("note") or "")}
    for column in TEXT_COLUMNS:
        text = str(row.get(column) or "").strip()
        if not text:
            problems.append(Problem(name, key, column, "must not be empty"))
        clean[column] = text
    for field in COMMODITY_FIELDS:
        clean[field.name], problem = parse_number(field, row.get(field.name))
        if problem:
            problems.append(Problem(name, key, field.name, problem))
    for column in BOOL_COLUMNS:
        clean[column] = _parse_bool(row.get(column))
        if clean[column] is None:
            problems.append(Problem(name, key, column, f"{row.get(column)!r} is not true/false"))
    if not problems and not clean["min_temp_c"] <= clean["set_temp_c"] <= clean["max_temp_c"]:
        problems.append(Problem(name, key, "set_temp_c", "expected min_temp_c <= set_temp_c "
                                f"<= max_temp_c, got {clean['min_temp_c']} / "
                                f"{clean['set_temp_c']} / {clean['max_temp_c']}"))
    return clean, problems


@lru_cache(maxsize=1)
def builtin_commodities() -> pd.DataFrame:
    """The built-in catalogue (read once; do not modify the returned frame)."""
    return load_commodities(builtin_dir() / COMMODITIES_FILE)


def load_commodities(path: str | Path | None = None) -> pd.DataFrame:
    """The commodity catalogue as a DataFrame indexed by id.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of ``geodata/commodities.csv``; the built-in table when omitted.

    Raises
    ------
    DataError
        Listing every bad row (file, row id, column, value, expectation).
    """
    file = Path(path) if path is not None else builtin_dir() / COMMODITIES_FILE
    raw = read_csv_table(file)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataError([Problem(file.name, "header", c, "column missing") for c in missing])
    rows, problems, seen = [], [], set()
    for number, row in enumerate(raw.to_dict("records"), start=2):
        key = row.get("id") or f"line {number}"
        if key in seen:
            problems.append(Problem(file.name, key, "id", "duplicate id"))
        seen.add(key)
        clean, row_problems = _check_row(row, key, file.name)
        problems += row_problems
        rows.append(clean)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame.index = pd.Index(frame["id"].to_numpy(), dtype=object, name=None)
    return frame


def commodity(catalogue: pd.DataFrame, name: str) -> Commodity:
    """The commodity with this id (or name, any case).

    Raises
    ------
    CorridorError
        For an unknown commodity, listing the valid ids.
    """
    wanted = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    for cid, row in catalogue.iterrows():
        if wanted in (cid.lower(), row["name"].lower().replace(" ", "_")):
            return Commodity(**{c: row[c] for c in COLUMNS})
    raise CorridorError(
        f"unknown commodity {name!r}; valid choices: {', '.join(catalogue.index)}"
    )
