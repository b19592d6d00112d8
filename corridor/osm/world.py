"""The OSM-derived world railway graph shipped by ``scgraph_data`` (optional extra ``[osm]``).

``scgraph_data.world_railways`` (© OpenStreetMap contributors, ODbL) builds a ``GeoGraph`` from
``scgraph.core``; scgraph 3.x moved that class to ``scgraph.geograph``. :func:`load_world_railways`
provides the old module name when it is missing, so both scgraph 2.x and 3.x work. Both packages
are heavy (the data module is ~17 MB of Python and takes 10–20 s to import): they are imported
lazily here, never at package import, and no test needs them.
"""

from __future__ import annotations

import importlib
import sys

from corridor.errors import CorridorError
from corridor.osm.track import TrackGraph

#: the part of the world the corridor spans (lon/lat box, generous margins)
CORRIDOR_BOX = (-12.0, 18.0, 140.0, 62.0)
SOURCE_NAME = "world-railways"
ATTRIBUTION = "OpenStreetMap contributors (ODbL), via scgraph_data world_railways 2.0"


def _provide_scgraph_core() -> None:
    """Make ``scgraph.core.GeoGraph`` importable on scgraph releases that renamed the module."""
    try:
        importlib.import_module("scgraph.core")
    except ModuleNotFoundError:
        sys.modules["scgraph.core"] = importlib.import_module("scgraph.geograph")


def load_world_railways(box: tuple[float, float, float, float] = CORRIDOR_BOX) -> TrackGraph:
    """The world railway graph cut to ``box`` (west, south, east, north) as a :class:`TrackGraph`.

    Raises
    ------
    CorridorError
        When ``scgraph``/``scgraph_data`` are not installed (``pip install -e ".[osm]"``).
    """
    try:
        _provide_scgraph_core()
        # heavy optional dependency, imported lazily on purpose
        module = importlib.import_module("scgraph_data.world_railways")
    except ModuleNotFoundError as exc:
        raise CorridorError(
            f"the world railway graph needs the optional packages scgraph and scgraph_data "
            f"({exc.name} is missing); install them with: pip install -e \".[osm]\""
        ) from None
    geograph = module.world_railways_geograph
    return TrackGraph.from_adjacency(geograph.graph, geograph.nodes).within(*box)
