"""OpenStreetMap railway data: trace corridor links on real track.

``extract`` reads a user's own OSM XML extract with osmnx (``corridor osm FILE.osm``);
``track`` holds the small rail-graph structure the refinement runs on; ``world`` loads the
OSM-derived world railway graph shipped by ``scgraph_data`` (optional extra ``[osm]``);
``refine`` decides each link's length and geometry (``corridor osm refine``).
"""

from corridor.osm.extract import DEFAULT_MAX_SNAP_KM, RailGraph, read_rail_osm, refine_links, trace_link

__all__ = ["DEFAULT_MAX_SNAP_KM", "RailGraph", "read_rail_osm", "refine_links", "trace_link"]
