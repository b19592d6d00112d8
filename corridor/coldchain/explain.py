"""Why a place is out of reach, in words: the reason code of a reach row made readable.

:func:`corridor.coldchain.reach` gives each unreachable row a ``reason`` code (``shelf_life``,
``freezing``, ``power``, ``no_route``); for the first two the fastest load still arrives, so its
arrival day and the shelf life it has left say when the load failed. The search does not keep the
place where reefer power ran out, so ``power`` names the autonomy every route exceeds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: columns of :func:`unreachable_table`
UNREACHABLE_COLUMNS = ["node", "name", "country", "reason", "arrival_days",
                       "remaining_shelf_life_days", "why"]
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def why(row: Any, attrs: dict) -> str:
    """One sentence: why the load cannot reach (or come from) the place of ``row``."""
    reason = row["reason"]
    margin = attrs.get("margin_days", math.nan)
    month = attrs.get("month")
    month_name = _MONTHS[int(month) - 1] if month else "the month"
    if reason in ("shelf_life", "freezing"):
        arrival, left = row["arrival_days"], row["remaining_shelf_life_days"]
        timing = (f"the fastest load takes {arrival:.1f} d and arrives with {left:.1f} d of shelf "
                  f"life left, {margin:.0f} d needed")
        if reason == "freezing":
            return f"chilled below its safe band on unpowered stretches in {month_name}: {timing}"
        return f"shelf life used up: {timing}"
    if reason == "power":
        autonomy = attrs.get("autonomy_h", math.inf)
        limit = "" if math.isinf(autonomy) else f" {autonomy:.0f} h"
        return (f"reefer power runs out: every route has a stretch longer than the{limit} autonomy "
                f"of {attrs.get('power', 'the unit')} power without a node that renews it")
    if reason == "no_route":
        return "no operating line connects it"
    return ""


def unreachable_table(result: pd.DataFrame) -> pd.DataFrame:
    """The unreachable rows of a reach result with a ``why`` sentence each, by reason then name."""
    lost = result[~result["reachable"]].copy()
    lost["why"] = [why(row, result.attrs) for _, row in lost.iterrows()]
    return lost.sort_values(["reason", "name"])[UNREACHABLE_COLUMNS]
