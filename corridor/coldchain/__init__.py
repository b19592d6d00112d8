"""Cold chain: commodities and shelf life, climate along the route, and perishable-goods reach."""

from corridor.coldchain.climate import load_climate
from corridor.coldchain.commodities import Commodity, builtin_commodities, commodity, load_commodities
from corridor.coldchain.reach import (
    DEFAULT_AUTONOMY_H,
    POWER_MODES,
    REASONS,
    edge_costs,
    edge_model,
    reach,
    reach_table,
)
from corridor.coldchain.summary import ReachSummary, summary

__all__ = [
    "DEFAULT_AUTONOMY_H",
    "POWER_MODES",
    "REASONS",
    "Commodity",
    "ReachSummary",
    "builtin_commodities",
    "commodity",
    "edge_costs",
    "edge_model",
    "load_climate",
    "load_commodities",
    "reach",
    "reach_table",
    "summary",
]
