"""A notebook view of a reach result: the query, counts by reason and the nearest places.

:func:`corridor.coldchain.reach` returns a GeoDataFrame (so ``.explore()``, ``.to_file()`` and
pandas work on it); a GeoDataFrame shows in a notebook as its whole table. ``summary(result)`` is
the compact view: ``ReachSummary`` has a short ``__repr__`` and a ``_repr_html_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

#: columns of the reachable places shown
SHOWN = ["name", "country", "arrival_days", "p90_days", "remaining_shelf_life_days", "chill_injury"]


@dataclass(frozen=True, repr=False)
class ReachSummary:
    """The headline figures of a reach result (``result`` is kept, unchanged)."""

    result: gpd.GeoDataFrame

    @property
    def reachable(self) -> int:
        return int(self.result["reachable"].sum())

    @property
    def unreachable_by_reason(self) -> dict[str, int]:
        """Unreachable places per reason (``shelf_life``, ``power``, ``no_route``, ``freezing``)."""
        counts = self.result.loc[~self.result["reachable"], "reason"].value_counts()
        return {str(k): int(v) for k, v in sorted(counts.items())}

    def _query(self) -> list[tuple[str, Any]]:
        a = self.result.attrs
        direction = "to" if a.get("reverse") else "from"
        return [("commodity", a.get("commodity")), (direction, a.get("origin")),
                ("month", a.get("month")), ("power", a.get("power"))]

    def __repr__(self) -> str:
        from corridor.display import short

        reasons = ", ".join(f"{k} {v}" for k, v in self.unreachable_by_reason.items()) or "none"
        return short("Reach", [*((k, v) for k, v in self._query()),
                               ("reachable", f"{self.reachable}/{len(self.result)}"),
                               ("unreachable", reasons)])

    def _repr_html_(self) -> str:
        from corridor.display import card, table

        reachable = self.result[self.result["reachable"]].sort_values(["arrival_days", "node"])
        facts = [*self._query(), ("reachable", f"{self.reachable} of {len(self.result)} places")]
        facts += [(f"unreachable: {k}", v) for k, v in self.unreachable_by_reason.items()]
        return card("Cold-chain reach", facts,
                    [table(reachable, SHOWN, caption="reachable, soonest first")])


def summary(result: gpd.GeoDataFrame) -> ReachSummary:
    """The compact notebook view of a :func:`corridor.coldchain.reach` result.

    Examples
    --------
    >>> summary(reach(net, "Kostanay", "chilled_beef", month=1))  # doctest: +SKIP
    Reach(commodity=chilled_beef, from=kostanay, month=1, power=genset, reachable=…, unreachable=…)
    """
    return ReachSummary(result)
