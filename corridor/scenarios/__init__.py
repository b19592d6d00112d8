"""What-if scenarios: the format and builder (``format``), applying edits (``edit``), comparing a
scenario with its baseline (``compare``) and sweeping many scenarios (``sweep``, optionally on Dask).
"""

from corridor.scenarios.compare import Comparison, compare
from corridor.scenarios.format import (
    Scenario,
    builtin_scenario_dir,
    builtin_scenarios,
    find_scenario,
    read_scenario,
)
from corridor.scenarios.spec import CLOSED, OPS, Edit

__all__ = [
    "CLOSED",
    "OPS",
    "Comparison",
    "Edit",
    "Scenario",
    "builtin_scenario_dir",
    "builtin_scenarios",
    "compare",
    "find_scenario",
    "read_scenario",
]
