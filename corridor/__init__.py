"""corridor: network analysis of the China–Europe rail freight corridors through Kazakhstan.

The network (:func:`load`, :class:`Corridor`) comes first; analyses are functions that take it,
as in networkx and osmnx: :func:`route`, :func:`alternatives`, :func:`matrix` (transit times),
``corridor.bottlenecks`` (capacity, assignment, min cut, N-1), :func:`reach` (perishable goods)
and :class:`Scenario` / :func:`compare` (what-ifs).
"""

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
