"""What a scenario changes in the modes comparison: closed sea passages and scaled tariff tables.

A scenario network (:meth:`corridor.scenarios.Scenario.apply`) carries its flattened scenario in
``net.scenario``. Its ``close_passage`` edits remove a passage from the sea options (as
``avoid=["suez"]``); its ``scale_tariff`` edits multiply rows of the money tables. The network
tables are not touched by either verb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corridor.errors import DataError, Problem
from corridor.modes.tables import ModeTables

if TYPE_CHECKING:
    from corridor.network import Corridor


def _edits(net: Corridor, op: str) -> list[Any]:
    scenario = getattr(net, "scenario", None)
    return [e for e in getattr(scenario, "edits", ()) if e.op == op]


def scenario_name(net: Corridor) -> str | None:
    """The scenario a network was made by, or None for a baseline."""
    scenario = getattr(net, "scenario", None)
    return getattr(scenario, "name", None)


def closed_passages(net: Corridor) -> set[str]:
    """Sea passages the network's scenario closes (``close_passage`` edits)."""
    return {p for e in _edits(net, "close_passage") for p in e.ids}


def scale_tariffs(tables: ModeTables, edits: list[Any]) -> ModeTables:
    """``tables`` with each ``scale_tariff`` edit applied in turn.

    Raises
    ------
    DataError
        When an edit selects no row of the tables (names the edit's file and position).
    """
    problems = []
    for edit in edits:
        change = edit.value
        table, kind, key = change["table"], change["kind"], change.get("key")
        if not any(k[0] == table and k[1] == kind and key in (None, k[2]) for k in tables.ranges):
            selector = f"{table}/{kind}" + (f"/{key}" if key else "")
            problems.append(Problem(edit.where[0], edit.where[1], "key",
                                    f"scale_tariff {selector} selects no row of {table}.csv"))
            continue
        tables = tables.scaled(table, kind, change["factor"], key)
    if problems:
        raise DataError(problems)
    return tables


def scenario_tables(net: Corridor, tables: ModeTables) -> ModeTables:
    """The tables under the network's scenario (``tables`` itself when it has no tariff edits)."""
    edits = _edits(net, "scale_tariff")
    return scale_tariffs(tables, edits) if edits else tables
