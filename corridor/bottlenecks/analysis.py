"""Bottlenecks: maximum flow and the minimum cut between places.

Demand is in ``demand``, the capacity-constrained assignment in ``assignment``, the N-1 closures in
``criticality``; this module keeps the max-flow / min-cut question.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from corridor.bottlenecks.capacity import MinCut, europe_codes, max_flow_cut, unique
from corridor.bottlenecks.demand import resolve_demand
from corridor.errors import CorridorError
from corridor.geodesy import CRS

if TYPE_CHECKING:
    from corridor.network import Corridor

__all__ = ["MinCut", "min_cut"]


def min_cut(
    net: Corridor,
    sources: Sequence[str] | None = None,
    sinks: Sequence[str] | None = None,
    demand: pd.DataFrame | str | Path | None = None,
) -> MinCut:
    """Maximum trains per day from sources to sinks, and the minimum cut that limits it.

    Parameters
    ----------
    sources, sinks : sequence of str, optional
        Places. By default the demand's origins in China and its destinations in Europe
        (EU and neighbours west of the 1520 mm area).

    Returns
    -------
    MinCut
        ``elements`` names the nodes and links of the cut with their capacities.
    """
    if sources is None or sinks is None:
        ods = resolve_demand(net, demand)
        country = net.nodes["country"]
        if sources is None:
            sources = [o for o in unique(ods["origin"]) if country[o] == "CN"]
        if sinks is None:
            sinks = [d for d in unique(ods["destination"]) if country[d] in europe_codes()]
    sources = unique(net.resolve(s) for s in sources)
    sinks = unique(net.resolve(s) for s in sinks)
    if not sources or not sinks:
        raise CorridorError("min cut needs at least one source and one sink")
    if set(sources) & set(sinks):
        raise CorridorError(f"{sorted(set(sources) & set(sinks))[0]} is both a source and a sink")
    cut = max_flow_cut(net, sources, sinks)
    geometry = [net.nodes.at[i, "geometry"] if t == "node" else net.links.at[i, "geometry"]
                for i, t in zip(cut.elements["id"], cut.elements["type"], strict=True)]
    cut.elements = gpd.GeoDataFrame(cut.elements, geometry=geometry, crs=CRS)
    return cut


