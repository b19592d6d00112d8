"""corridor: network analysis of the China–Europe rail freight corridors through Kazakhstan."""

from corridor.compare import Comparison, compare
from corridor.errors import CorridorError, DataError, NoRouteError, Problem, UnknownPlaceError
from corridor.network import Corridor, load
from corridor.scenarios import Scenario

__all__ = [
    "Comparison",
    "Corridor",
    "CorridorError",
    "DataError",
    "NoRouteError",
    "Problem",
    "Scenario",
    "UnknownPlaceError",
    "compare",
    "load",
]
__version__ = "0.1.0"
