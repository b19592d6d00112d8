"""Bottlenecks: demand, capacity model, flow assignment, binding constraints, min cut, N-1.

``capacity`` holds the capacity model on the state graph (which elements a train uses, delay
curves, congested Dijkstra); ``analysis`` the demand table, assignment, min cut and criticality.
"""

from corridor.bottlenecks.analysis import (
    CRITICALITY_COLUMNS,
    DEMAND_COLUMNS,
    ELEMENT_COLUMNS,
    METHODS,
    Assignment,
    assign,
    binding,
    criticality,
    load_demand,
    min_cut,
)
from corridor.bottlenecks.capacity import CapacityModel, MinCut

__all__ = [
    "CRITICALITY_COLUMNS",
    "DEMAND_COLUMNS",
    "ELEMENT_COLUMNS",
    "METHODS",
    "Assignment",
    "CapacityModel",
    "MinCut",
    "assign",
    "binding",
    "criticality",
    "load_demand",
    "min_cut",
]
