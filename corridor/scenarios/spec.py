"""Scenario building blocks: the edit record, the verbs a scenario may use, shared helpers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corridor.schema import FERRY_FIELDS, LINK_FIELDS, NODE_FIELDS

CLOSED = "closed"
SCENARIO_DIR = "scenarios"
OPS = ("close", "delay", "set", "scale", "enable", "add_node", "add_link", "avoid_countries",
       "demand", "close_passage", "scale_tariff")
#: sea passages a scenario may close (``close_passage``; the modes comparison's sea options)
CLOSABLE_PASSAGES = ("suez",)
#: money tables of ``corridor.modes`` and the kinds of row a ``scale_tariff`` edit may scale
TARIFF_KINDS = {
    "tariffs": ("rail_km", "border", "gauge_change", "terminal", "ferry", "reefer_surcharge", "genset_fuel"),
    "sea": ("freight",),
    "air": ("rate",),
}
_FIELDS = {f.name: f for f in (*NODE_FIELDS, *LINK_FIELDS, *FERRY_FIELDS)}
NODE_NUMBERS = ("dwell_h", "dwell_min_h", "dwell_max_h", "capacity_trains_day")
LINK_NUMBERS = ("length_km", "speed_kmh", "speed_min_kmh", "speed_max_kmh", "capacity_trains_day",
                "sailing_h", "headway_h", "headway_max_h")
SETTABLE = {"node": (*NODE_NUMBERS,), "link": (*LINK_NUMBERS, "tracks", "electrified")}
SCALABLE = {"node": NODE_NUMBERS, "link": LINK_NUMBERS}
#: scaling an attribute scales its whole spread
FAMILIES = {"speed_kmh": ("speed_kmh", "speed_min_kmh", "speed_max_kmh"),
            "dwell_h": ("dwell_h", "dwell_min_h", "dwell_max_h"),
            "headway_h": ("headway_h", "headway_max_h")}
_NAME = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


# -- the scenario ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """One edit of a scenario.

    Attributes
    ----------
    op : str
        One of ``OPS``.
    ids : tuple of str
        Places (ids, names, aliases) or link ids the edit targets, or ISO codes for
        ``avoid_countries``.
    attribute : str, optional
        For ``set`` and ``scale``.
    value : Any
        New value (``set``), factor (``scale``), hours (``delay``), the feature dict
        (``add_node``, ``add_link``) or the demand change (``demand``).
    country, mode, kind : str, optional
        Selectors for ``set`` and ``scale`` when no ``ids`` are given.
    where : str
        Where the edit was written (file, key path, line) for error messages; not compared.
    """

    op: str
    ids: tuple[str, ...] = ()
    attribute: str | None = None
    value: Any = None
    country: str | None = None
    mode: str | None = None
    kind: str | None = None
    where: tuple[str, str] = field(default=("", ""), compare=False)




def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    out = []
    for value in values:
        if isinstance(value, list | tuple):
            out += [str(v) for v in value]
        else:
            out.append(str(value))
    return tuple(out)



def passage_problem(passage: Any) -> str | None:
    """Why ``passage`` cannot be closed, or None when it can."""
    if passage in CLOSABLE_PASSAGES:
        return None
    return f"passage {passage!r}; expected one of {', '.join(CLOSABLE_PASSAGES)}"


def tariff_problem(table: Any, kind: Any) -> str | None:
    """Why (table, kind) cannot be scaled by ``scale_tariff``, or None when it can."""
    if table not in TARIFF_KINDS:
        return f"table {table!r}; expected one of {', '.join(TARIFF_KINDS)}"
    if kind not in TARIFF_KINDS[table]:
        return f"kind {kind!r} of table {table!r}; expected one of {', '.join(TARIFF_KINDS[table])}"
    return None


def _closest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None
