"""Bottlenecks: demand, capacity and queues, capacity-constrained assignment, min cut, N-1.

``capacity`` holds the capacity model on the state graph (which elements a train uses, Dijkstra,
max flow); ``queues`` the time-dependent M/D/1 wait and the deterministic backlog over a horizon;
``demand`` the demand table; ``assignment`` the equilibrium and all-or-nothing assignment with
queued and unserved demand; ``analysis`` the min cut; ``criticality`` the N-1 closures;
``crossings`` the published throughput of the main crossings beside the model's flows.
"""

from corridor.bottlenecks.analysis import min_cut
from corridor.bottlenecks.assignment import (
    ELEMENT_COLUMNS,
    METHODS,
    Assignment,
    assign,
    binding,
)
from corridor.bottlenecks.capacity import CapacityModel, MinCut
from corridor.bottlenecks.criticality import CRITICALITY_COLUMNS, FLOWS, Criticality, criticality
from corridor.bottlenecks.demand import DEMAND_COLUMNS, load_demand
from corridor.bottlenecks.queues import HORIZON_DAYS, TEU_PER_TRAIN

__all__ = [
    "CRITICALITY_COLUMNS",
    "DEMAND_COLUMNS",
    "ELEMENT_COLUMNS",
    "FLOWS",
    "HORIZON_DAYS",
    "METHODS",
    "TEU_PER_TRAIN",
    "Assignment",
    "CapacityModel",
    "Criticality",
    "MinCut",
    "assign",
    "binding",
    "criticality",
    "load_demand",
    "min_cut",
]
