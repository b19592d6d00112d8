"""Descriptive summaries of a network (counts, lengths, what is planned)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.network import Corridor


def describe(net: Corridor) -> dict[str, Any]:
    """Counts by country, kind, gauge and mode; total length; planned and under-construction elements.

    Returns
    -------
    dict
        JSON-ready summary.
    """
    nodes, links = net.nodes, net.links
    kinds = Counter(kind for kinds in nodes["kind"] for kind in (kinds or []))
    rail = links[links["mode"] == "rail"]
    gauge_km = rail.groupby(rail["gauge_mm"].astype(int))["length_km"].sum()
    not_operating = {
        "nodes": [
            {"id": i, "name": r["name"], "status": r["status"]}
            for i, r in nodes[nodes["status"] != "operating"].iterrows()
        ],
        "links": [
            {"id": i, "line": r["line"], "status": r["status"], "length_km": r["length_km"]}
            for i, r in links[links["status"] != "operating"].iterrows()
        ],
    }
    return {
        "name": net.name,
        "nodes": len(nodes),
        "links": len(links),
        "total_km": round(float(links["length_km"].sum()), 1),
        "rail_km": round(float(rail["length_km"].sum()), 1),
        "nodes_by_country": dict(sorted(Counter(nodes["country"]).items())),
        "nodes_by_kind": dict(sorted(kinds.items())),
        "links_by_mode": dict(sorted(Counter(links["mode"]).items())),
        "rail_km_by_gauge": {str(g): round(float(km), 1) for g, km in gauge_km.items()},
        "reefer_nodes": int(nodes["reefer_service"].sum()),
        "not_operating": not_operating,
    }
