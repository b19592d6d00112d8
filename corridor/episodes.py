"""The disruption-episode table (``disruptions.csv``): rare events at an element, with their sources.

Each row is one kind of episode at a node or link: the chance that a train passing the element meets
one, and the extra hours it then costs as best / most likely / worst. The time model
(:mod:`corridor.timemodel`) turns the rows into ``disruption`` components. A network directory
without the file has no episodes.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from corridor.errors import DataError, Problem

DISRUPTIONS_FILE = "disruptions.csv"
COLUMNS = ["element", "episode", "chance", "extra_min_h", "extra_h", "extra_max_h", "year", "source",
           "note"]
NUMBERS = ("chance", "extra_min_h", "extra_h", "extra_max_h")


def empty_disruptions() -> pd.DataFrame:
    """A table with the columns of ``disruptions.csv`` and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=float if c in NUMBERS else object) for c in COLUMNS})
    return frame


def read_disruptions(path: Path, elements: set[str] | None = None) -> pd.DataFrame:
    """Read and check a disruption table; DataError lists every problem with its row and column.

    Parameters
    ----------
    path : Path
        The CSV file; a missing file means no episodes.
    elements : set of str, optional
        Known node and link ids; rows naming another element are refused.
    """
    if not path.is_file():
        return empty_disruptions()
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError([Problem(path.name, "", "", f"cannot read as CSV: {exc}")]) from None
    return disruptions_from_table(raw, path.name, elements)


def disruptions_from_table(raw: pd.DataFrame, name: str, elements: set[str] | None = None,
                           first_row: int = 2) -> pd.DataFrame:
    """Check a disruption table read as text (every cell a string, blanks empty); DataError
    lists every problem, naming ``name`` and the row (``first_row`` for the first one)."""
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataError([Problem(name, "header", c, "missing column") for c in missing])
    problems: list[Problem] = []
    rows = []
    for number, (_, row) in enumerate(raw.iterrows()):
        key = f"row {number + first_row}"
        rows.append(_check_row(name, key, row, elements, problems))
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(rows, columns=COLUMNS) if rows else empty_disruptions()
    return frame


def _number(name: str, key: str, row: pd.Series, column: str, problems: list[Problem]) -> float:
    text = str(row[column]).strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(Problem(name, key, column, f"expected a finite number, got {text!r}"))
        return math.nan
    return value


def _check_row(name: str, key: str, row: pd.Series, elements: set[str] | None,
               problems: list[Problem]) -> dict:
    element = str(row["element"]).strip()
    if not element:
        problems.append(Problem(name, key, "element", "expected a node or link id"))
    elif elements is not None and element not in elements:
        problems.append(Problem(name, key, "element", f"unknown node or link {element!r}"))
    values = {c: _number(name, key, row, c, problems) for c in NUMBERS}
    chance = values["chance"]
    if math.isfinite(chance) and not 0.0 < chance <= 1.0:
        problems.append(Problem(name, key, "chance", f"expected a probability in (0, 1], got {chance:g}"))
    lo, mode, hi = values["extra_min_h"], values["extra_h"], values["extra_max_h"]
    if all(math.isfinite(v) for v in (lo, mode, hi)) and not 0.0 <= lo <= mode <= hi:
        problems.append(Problem(name, key, "extra_h",
                                f"expected 0 <= extra_min_h <= extra_h <= extra_max_h, got "
                                f"{lo:g} / {mode:g} / {hi:g}"))
    if not str(row["source"]).strip():
        problems.append(Problem(name, key, "source", "every episode needs a source"))
    return {"element": element, "episode": str(row["episode"]), **values,
            "year": str(row["year"]), "source": str(row["source"]), "note": str(row["note"])}
