"""Cost, CO2e and the sea and air: the comparison a freight forwarder decides on.

``compare_modes(net, origin, destination, ...)`` returns one row per option (rail corridors, the
Middle Corridor, rail–sea via Suez and via the Cape, air) with days, USD, kg CO2e, inventory cost,
shelf life left and Pareto marks. Tables: ``geodata/tariffs.csv``, ``emission_factors.csv``,
``sea.csv``, ``air.csv``, ``ports.csv``.
"""

from corridor.modes.compare import COLUMNS, DEFAULT_PAYLOAD_T, compare_modes, pareto_mask
from corridor.modes.summary import ModesSummary, summary
from corridor.modes.tables import ModeTables, Range, builtin_tables, load_tables
from corridor.modes.validation import validate_modes_tables

__all__ = [
    "COLUMNS", "DEFAULT_PAYLOAD_T", "ModeTables", "ModesSummary", "Range", "builtin_tables",
    "compare_modes", "load_tables",
    "pareto_mask", "summary", "validate_modes_tables",
]
