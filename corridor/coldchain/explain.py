"""Why a place is out of reach, in words: the reason code of a reach row made readable.

:func:`corridor.coldchain.reach` gives each unreachable row a ``reason`` code (``shelf_life``,
``freezing``, ``power``, ``no_route``); for the first two the fastest load still arrives, so its
arrival day and the shelf life it has left say how short it falls. Every lost row also names where
and when the load failed on its best route (``failed_at``, ``failed_at_name``,
``failed_after_h``): where its shelf life left fell below the margin, where it was first chilled, or
where the reefer's power ran out (on the best route were power unlimited).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: columns of :func:`unreachable_table`
UNREACHABLE_COLUMNS = ["node", "name", "country", "reason", "arrival_days",
                       "remaining_shelf_life_days", "failed_at", "failed_after_h", "why"]
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def why(row: Any, attrs: dict) -> str:
    """One sentence: why the load cannot reach (or come from) the place of ``row``."""
    reason = row["reason"]
    margin = attrs.get("margin_days", math.nan)
    month = attrs.get("month")
    month_name = _MONTHS[int(month) - 1] if month else "the month"
    place, after = _get(row, "failed_at_name"), _get(row, "failed_after_h")
    known = bool(place) and isinstance(after, float | int) and not math.isnan(after)
    into = f", {after:.0f} h into the journey" if known else ""
    if reason in ("shelf_life", "freezing"):
        arrival, left = row["arrival_days"], row["remaining_shelf_life_days"]
        timing = (f"the fastest load takes {arrival:.1f} d and arrives with {left:.1f} d of shelf "
                  f"life left, {margin:.0f} d needed")
        if reason == "freezing":
            where = f", first at {place}{into}" if known else ""
            return f"chilled below its safe band on unpowered stretches in {month_name}{where}: {timing}"
        return f"shelf life used up{f' at {place}{into}' if known else ''}: {timing}"
    if reason == "power":
        autonomy = attrs.get("autonomy_h", math.inf)
        limit = "" if math.isinf(autonomy) else f" {autonomy:.0f} h"
        head = "reefer power runs out" + (f" after {place}{into}" if known else "")
        return (f"{head}: every route has a stretch longer than the{limit} autonomy "
                f"of {attrs.get('power', 'the unit')} power without a node that renews it")
    if reason == "no_route":
        return "no operating line connects it"
    return ""


def _get(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError):  # a result from before the failure columns
        return None


def unreachable_table(result: pd.DataFrame) -> pd.DataFrame:
    """The unreachable rows of a reach result with a ``why`` sentence each, by reason then name."""
    lost = result[~result["reachable"]].copy()
    lost["why"] = [why(row, result.attrs) for _, row in lost.iterrows()]
    for column in UNREACHABLE_COLUMNS:
        if column not in lost.columns:
            lost[column] = None
    return lost.sort_values(["reason", "name"])[UNREACHABLE_COLUMNS]
