"""Transit dependence: how much of a flow each country or crossing holds, and what avoiding it costs.

``dependence(net, flow=..., by=...)`` returns one row per transit country or border crossing;
``flows`` holds the flow definitions and Kazakhstan's exports as a flow; ``inputs`` is the one
adapter to the analyses it composes (bottlenecks, transit, modes).
"""

from corridor.dependence.analysis import BY, COLUMNS, dependence
from corridor.dependence.flows import export_demand, flow_names, get_flow, load_flows

__all__ = ["BY", "COLUMNS", "dependence", "export_demand", "flow_names", "get_flow", "load_flows"]
