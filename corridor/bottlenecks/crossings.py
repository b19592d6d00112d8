"""Published throughput of the main border crossings, beside the model's flows.

``geodata/crossings.csv`` holds, per crossing, the trains per day it passed in a published period
(both directions), the model elements that stand for it, year and source. ``elements`` lists the
two sides of a crossing as ``a|b`` (the model's flow is the larger of the two: a train is charged
where it changes gauge) and several crossings as ``a|b;c|d`` (summed).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridor.datafiles import builtin_dir
from corridor.errors import DataError, Problem

if TYPE_CHECKING:
    from corridor.bottlenecks.assignment import Assignment

CROSSINGS_FILE = "crossings.csv"
CROSSING_COLUMNS = ["crossing", "elements", "published_trains_day", "year", "period",
                    "model_trains_day", "difference", "source"]
CHECK_FROM_YEAR = 2024  #: rows from this year on are the ones the model is checked against
TOLERANCE = 0.25  #: the model's flow must be within 25 % of a published 2024-2025 figure


def load_crossings(path: str | Path | None = None) -> pd.DataFrame:
    """Read the published crossing throughput table (the built-in one when ``path`` is None)."""
    file = Path(path) if path is not None else builtin_dir() / CROSSINGS_FILE
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise DataError([Problem(str(file), "", "", f"cannot read: {exc.strerror or exc}")]) from None
    problems, records = [], []
    for line, row in enumerate(rows, start=2):
        try:
            trains = float(row["trains_day"])
            year = int(row["year"])
        except (KeyError, TypeError, ValueError):
            problems.append(Problem(file.name, f"row {line}", "trains_day/year",
                                    "expected a number of trains a day and a year"))
            continue
        if not np.isfinite(trains) or trains <= 0 or not (row.get("source") or "").strip():
            problems.append(Problem(file.name, f"row {line}", "trains_day",
                                    "expected a positive number and a source"))
            continue
        records.append((row["crossing"], row["elements"].split(";"), trains, year,
                        row.get("period", ""), row["source"]))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(records, columns=["crossing", "elements", "published_trains_day", "year",
                                          "period", "source"])


def crossing_table(assignment: Assignment, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each published crossing with the model's carried flow there and the relative difference.

    ``difference`` is (model − published) / published; ``checked`` says whether the row is from
    2024 or later (the rows the model is held to within 25 %).
    """
    table = load_crossings() if published is None else published.copy()
    flows = assignment.elements["flow_trains_day"]
    table["model_trains_day"] = [
        float(sum(max(flows.get(side, np.nan) for side in group.split("|")) for group in ids))
        for ids in table["elements"]]
    table["difference"] = table["model_trains_day"] / table["published_trains_day"] - 1.0
    table["checked"] = table["year"] >= CHECK_FROM_YEAR
    table["elements"] = [";".join(ids) for ids in table["elements"]]
    return table[[*CROSSING_COLUMNS, "checked"]]
