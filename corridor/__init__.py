"""corridor: network analysis of the China–Europe rail freight corridors through Kazakhstan."""

from corridor.errors import CorridorError, DataError, NoRouteError, Problem, UnknownPlaceError
from corridor.network import Corridor, load

__all__ = [
    "Corridor",
    "CorridorError",
    "DataError",
    "NoRouteError",
    "Problem",
    "UnknownPlaceError",
    "load",
]
__version__ = "0.1.0"
