"""Folium web maps of the network and of each analysis.

Every builder returns a ``folium.Map``; :func:`save_map` writes one as a standalone HTML file,
atomically and reproducibly (the same map gives the same bytes).
"""

from corridor.webmap.analyses import bottleneck_map, reach_map, whatif_map
from corridor.webmap.base import esc, render_html, save_map
from corridor.webmap.network import network_map
from corridor.webmap.routes import route_map

__all__ = [
    "bottleneck_map", "esc", "network_map", "reach_map", "render_html",
    "route_map", "save_map", "whatif_map",
]
