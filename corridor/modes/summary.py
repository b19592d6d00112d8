"""A notebook view of a mode comparison: the query and one line per option.

:func:`corridor.modes.compare_modes` returns a GeoDataFrame (one row per option, the drawn line in
``geometry``); ``summary(result)`` is the compact view, with a short ``__repr__`` and a
``_repr_html_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

SHOWN = ["option", "via", "days", "p90_days", "cost_usd", "co2e_kg", "total_cost_usd", "pareto",
         "best_for"]


@dataclass(frozen=True, repr=False)
class ModesSummary:
    """The options of a mode comparison (``result`` is kept, unchanged)."""

    result: gpd.GeoDataFrame

    def _query(self) -> list[tuple[str, Any]]:
        a = self.result.attrs
        return [("from", a.get("origin")), ("to", a.get("destination")),
                ("container", a.get("container")), ("reefer", a.get("reefer"))]

    def best(self) -> dict[str, str]:
        """The option best for each criterion (time, cost, co2e)."""
        out: dict[str, str] = {}
        for option, best_for in zip(self.result["option"], self.result["best_for"], strict=True):
            for criterion in filter(None, str(best_for).split(", ")):
                out.setdefault(criterion, str(option))
        return out

    def __repr__(self) -> str:
        from corridor.display import short

        best = ", ".join(f"{k}: {v}" for k, v in self.best().items())
        return short("Modes", [*self._query(), ("options", len(self.result)), ("best", best)])

    def _repr_html_(self) -> str:
        from corridor.display import card, table

        facts = [*self._query(), *((f"best for {k}", v) for k, v in self.best().items())]
        return card("Mode comparison", facts, [table(self.result, SHOWN, digits=1)])


def summary(result: gpd.GeoDataFrame) -> ModesSummary:
    """The compact notebook view of a :func:`corridor.modes.compare_modes` result."""
    return ModesSummary(result)
