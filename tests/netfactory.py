"""Small hand-made networks for tests, built as GeoJSON features with known answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corridor.geodesy import polyline_km


def node(node_id: str, lon: float, lat: float, country: str, kind: list[str], **extra) -> dict:
    """A valid node feature; ``extra`` overrides properties."""
    props: dict[str, Any] = {
        "id": node_id, "name": node_id.upper(), "aliases": [], "country": country, "kind": kind,
        "dwell_h": None, "dwell_min_h": None, "dwell_max_h": None, "capacity_trains_day": None,
        "reefer_service": False, "reefer_types": [], "status": "operating",
        "source": "test fixture", "note": "",
    }
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def link(a: dict, b: dict, gauge: int | None = 1520, speed: float = 50.0, **extra) -> dict:
    """A valid straight link feature between two node features; ``extra`` overrides properties."""
    coords = [a["geometry"]["coordinates"], b["geometry"]["coordinates"]]
    a_id, b_id = a["properties"]["id"], b["properties"]["id"]
    props: dict[str, Any] = {
        "id": f"{a_id}__{b_id}", "from": a_id, "to": b_id, "mode": "rail", "gauge_mm": gauge,
        "length_km": round(polyline_km(coords), 3), "length_source": "estimate", "tracks": 1,
        "electrified": False,
        "speed_kmh": speed, "speed_min_kmh": None, "speed_max_kmh": None,
        "capacity_trains_day": None, "railway": "TEST", "line": "test line",
        "status": "operating", "source": "test fixture",
        "note": "length_km: estimate (straight test line), OSM trace not used",
    }
    props.update(extra)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": coords}}


def write_network(directory: Path, nodes: list[dict], links: list[dict]) -> Path:
    """Write features as nodes.geojson / links.geojson into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, features in (("nodes.geojson", nodes), ("links.geojson", links)):
        data = {"type": "FeatureCollection", "features": features}
        (directory / name).write_text(json.dumps(data), encoding="utf-8")
    return directory


def two_crossings() -> tuple[list[dict], list[dict]]:
    """Origin ``a`` (1435, CN) to destination ``e`` (1520, KZ) via two border crossings.

    North crossing b→c: shorter, gauge change at c (4 h). South crossing f→g: longer, gauge
    change at g (10 h). Border dwell 6 h at b and 2 h at f.
    """
    a = node("a", 80.0, 44.0, "CN", ["terminal"])
    b = node("b", 81.0, 44.5, "CN", ["border"], dwell_h=6.0, dwell_min_h=2.0, dwell_max_h=24.0)
    c = node("c", 82.0, 44.5, "KZ", ["border", "gauge_change"], dwell_h=4.0, dwell_min_h=3.0,
             dwell_max_h=48.0)
    f = node("f", 81.0, 43.0, "CN", ["border"], dwell_h=2.0, dwell_min_h=1.0, dwell_max_h=6.0)
    g = node("g", 82.0, 43.0, "KZ", ["border", "gauge_change"], dwell_h=10.0,
             dwell_min_h=8.0, dwell_max_h=20.0)
    e = node("e", 84.0, 44.0, "KZ", ["terminal"])
    nodes = [a, b, c, f, g, e]
    links = [
        link(a, b, 1435), link(b, c, 1435), link(c, e, 1520),
        link(a, f, 1435), link(f, g, 1435), link(g, e, 1520),
    ]
    return nodes, links
