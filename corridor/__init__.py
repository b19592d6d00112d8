"""corridor: network analysis of the China–Europe rail freight corridors through Kazakhstan.

The network (:func:`load`, :class:`Corridor`) comes first; analyses are functions that take it,
as in networkx and osmnx: :func:`route`, :func:`alternatives`, :func:`matrix` (transit times),
``corridor.bottlenecks`` (capacity, assignment, min cut, N-1), :func:`reach` (perishable goods)
and :class:`Scenario` / :func:`compare` (what-ifs).

The names below are imported on first use (PEP 562), so ``import corridor.errors`` or the
``corridor --help`` command never pay for geopandas, folium or dask.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.coldchain import reach
    from corridor.errors import (
        CorridorError,
        DataError,
        NoRouteError,
        Problem,
        ReadOnlyError,
        UnknownPlaceError,
    )
    from corridor.network import Corridor, load
    from corridor.scenarios import Comparison, Scenario, compare
    from corridor.transit import Crossing, Route, RouteSet, alternatives, matrix, route

#: public name -> module that defines it
_WHERE = {
    "reach": "corridor.coldchain",
    "CorridorError": "corridor.errors",
    "DataError": "corridor.errors",
    "NoRouteError": "corridor.errors",
    "Problem": "corridor.errors",
    "ReadOnlyError": "corridor.errors",
    "UnknownPlaceError": "corridor.errors",
    "Corridor": "corridor.network",
    "load": "corridor.network",
    "Comparison": "corridor.scenarios",
    "Scenario": "corridor.scenarios",
    "compare": "corridor.scenarios",
    "Crossing": "corridor.transit",
    "Route": "corridor.transit",
    "RouteSet": "corridor.transit",
    "alternatives": "corridor.transit",
    "matrix": "corridor.transit",
    "route": "corridor.transit",
}

__all__ = [
    "Comparison",
    "Corridor",
    "CorridorError",
    "Crossing",
    "DataError",
    "NoRouteError",
    "Problem",
    "ReadOnlyError",
    "Route",
    "RouteSet",
    "Scenario",
    "UnknownPlaceError",
    "alternatives",
    "compare",
    "load",
    "matrix",
    "reach",
    "route",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'corridor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
