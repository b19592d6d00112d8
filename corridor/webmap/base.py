"""Shared pieces of every web map: escaping, the base map and its controls, legends, tables, saving.

Every text that comes from geodata, scenarios or user input goes through :func:`esc` before it reaches
a popup, tooltip, layer name or legend: folium puts popup and tooltip HTML inside JavaScript template
literals and Leaflet inserts it with ``innerHTML``.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import Any

import folium
import folium.plugins
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin

from corridor.datafiles import atomic_write_text, stable_floats_in_text

OSM_TILES = "OpenStreetMap"
LIGHT_TILES = "OpenTopoMap"
POPUP_WIDTH = 620
#: besides HTML: what would end a JavaScript template literal (folium quotes popups and tooltips with
#: backticks) and Jinja delimiters (branca compiles every rendered element as a template again, so
#: ``{{ ... }}`` in a place name would be evaluated while the map is saved)
_LITERAL_BREAKERS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;",
                                   "}": "&#125;"})
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})
_JS_STRING_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                    "{": "\\u007b", "}": "\\u007d", "'": "\\u0027"})


def esc(value: Any) -> str:
    """HTML-escape ``value``; also escape backticks, ``$``, backslashes and braces (see above)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(v) for v in value)
    return html.escape(str(value), quote=True).translate(_LITERAL_BREAKERS)


def js_string(value: Any) -> str:
    """A JavaScript string literal safe inside ``<script>`` and against Jinja re-rendering."""
    return json.dumps(str(value), ensure_ascii=False).translate(_JS_STRING_ESCAPES)


def fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    """A number for display (thousands separators, fixed digits), or '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        # whole up to a float's last bits (24.000000000000004, a sum's rounding, is 24)
        number = float(value)
        whole = math.isfinite(number) and abs(number - round(number)) <= 1e-9 * max(1.0, abs(number))
        text = f"{value:,.{digits}f}" if not whole or digits == 0 else f"{value:,.0f}"
        return f"{text} {unit}".strip()
    return esc(value)


def attribute_table(rows: Iterable[tuple[str, Any]], title: str | None = None) -> str:
    """An HTML key/value table; values are escaped unless they are already-built ``Markup``."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top'>{esc(key)}</th>"
        f"<td>{value if isinstance(value, Markup) else esc(value)}</td></tr>"
        for key, value in rows
    )
    head = f"<h4 style='margin:0 0 6px 0'>{esc(title)}</h4>" if title else ""
    return f"{head}<table class='corridor-attrs' style='font-size:12px'>{body}</table>"


def data_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int] = frozenset()
               ) -> str:
    """An HTML table of rows; every cell is escaped (or an already formatted ``Markup``)."""
    head = "".join(f"<th style='padding:1px 4px;text-align:left'>{esc(c)}</th>" for c in columns)
    lines = []
    for row in rows:
        cells = "".join(
            f"<td style='padding:1px 4px;{'text-align:right' if i in numeric else ''}'>"
            f"{cell if isinstance(cell, Markup) else esc(cell)}</td>"
            for i, cell in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    return (f"<table class='corridor-table' style='font-size:11px;border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>")


class Markup(str):
    """HTML that was built from escaped parts and must not be escaped again."""


def scroll_box(inner: str, height_px: int = 320) -> str:
    """Wrap HTML in a scrollable box (long tables in popups)."""
    return f"<div style='max-height:{height_px}px;overflow:auto'>{inner}</div>"


def popup(html_text: str, width: int = POPUP_WIDTH) -> folium.Popup:
    """A popup for already-escaped HTML."""
    return folium.Popup(html_text, max_width=width)


def tooltip(text: str) -> folium.Tooltip:
    """A tooltip for plain text (escaped here)."""
    return folium.Tooltip(esc(text), sticky=True)


def base_map(bounds: Sequence[float] | None = None, measure: bool = True) -> folium.Map:
    """An empty map with two attributed tile layers, scale bar, fullscreen and measure controls.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy), optional
        Fit the view to these lon/lat bounds.
    measure : bool
        Add the distance measuring tool.
    """
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_start=3,
                   location=[48.0, 60.0])
    folium.TileLayer(OSM_TILES, name="OpenStreetMap").add_to(m)
    folium.TileLayer(LIGHT_TILES, name="OpenTopoMap").add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    if measure:
        folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                      secondary_length_unit="miles",
                                      primary_area_unit="sqkilometers").add_to(m)
    CountryOutlines(bounds).add_to(m)
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


# -- country outlines: a base layer that needs no tile server -----------------------------------------

#: lon/lat bounds of the countries drawn when a map has no bounds (the corridor's region)
DEFAULT_REGION = (-10.0, 20.0, 135.0, 65.0)
#: degrees of margin around a map's bounds within which countries are drawn
COUNTRY_MARGIN_DEG = 12.0
COUNTRY_STYLE = {"color": "#7a7a7a", "weight": 1, "opacity": 0.8, "fillColor": "#f2efe9",
                 "fillOpacity": 0.55}

_COUNTRIES_TEMPLATE = """
{% macro script(this, kwargs) %}
if (!{{ this._parent.get_name() }}.getPane('corridor-countries')) {
    {{ this._parent.get_name() }}.createPane('corridor-countries');
    {{ this._parent.get_name() }}.getPane('corridor-countries').style.zIndex = 250;
    {{ this._parent.get_name() }}.getPane('corridor-countries').style.pointerEvents = 'none';
}
var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
    pane: 'corridor-countries', interactive: false, className: 'corridor-country',
    style: {{ this.style_js }}
});
{% endmacro %}
"""


class CountryOutlines(folium.map.Layer):
    """Natural Earth admin-0 outlines (package data) under every other layer, in their own pane.

    Tiles need the internet; these are in the page, so a map opened offline still shows where
    things are. Only countries within :data:`COUNTRY_MARGIN_DEG` of ``bounds`` are drawn.
    :class:`folium.map.Layer` adds it to the map when rendered (``show``) and the layer control
    lists it.
    """

    def __init__(self, bounds: Sequence[float] | None = None):
        from folium.template import Template

        super().__init__(name="Country outlines (Natural Earth)", overlay=True, control=True,
                         show=True)
        self._name = "CountryOutlines"
        # in compact JSON, < > & ' occur only inside strings, where \uXXXX escapes are valid;
        # "{{", "{%" and "{#" cannot occur at all (an object's first token is a quoted key)
        self.data_js = json.dumps(country_features(bounds), separators=(",", ":")).translate(
            _JSON_ESCAPES)
        self.style_js = json.dumps(COUNTRY_STYLE)
        self._template = Template(_COUNTRIES_TEMPLATE)


def country_features(bounds: Sequence[float] | None = None) -> dict[str, Any]:
    """The package's country outlines near ``bounds`` (lon/lat) as a GeoJSON FeatureCollection.

    Features keep only ``name`` and ``iso_a2``; their order is the file's, so maps stay reproducible.
    """
    minx, miny, maxx, maxy = bounds if bounds is not None else DEFAULT_REGION
    pad = COUNTRY_MARGIN_DEG
    features = [
        {"type": "Feature", "properties": {"name": f["properties"].get("name"),
                                           "iso_a2": f["properties"].get("iso_a2")},
         "geometry": f["geometry"]}
        for f in _countries()["features"]
        if _overlaps(_extent(f["geometry"]["coordinates"]),
                     (float(minx) - pad, float(miny) - pad, float(maxx) + pad, float(maxy) + pad))
    ]
    return {"type": "FeatureCollection", "features": features}


_COUNTRY_CACHE: dict[str, Any] = {}


def _countries() -> dict[str, Any]:
    if "data" not in _COUNTRY_CACHE:
        from importlib.resources import files

        from corridor.datafiles import COUNTRIES_DATA

        text = files("corridor").joinpath(COUNTRIES_DATA).read_text(encoding="utf-8")
        _COUNTRY_CACHE["data"] = json.loads(text)
    return _COUNTRY_CACHE["data"]


def _extent(coords: Any) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    stack = [coords]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], int | float):
            xs.append(item[0])
            ys.append(item[1])
        else:
            stack.extend(item)
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def finish(m: folium.Map, collapsed: bool = True) -> folium.Map:
    """Add the layer control last (folium needs it after every layer)."""
    folium.LayerControl(position="topright", collapsed=collapsed).add_to(m)
    return m


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div class="corridor-legend" style="position:absolute;bottom:28px;right:10px;z-index:1000;
  background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;font:12px sans-serif;
  box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:260px">{{ this.body }}</div>
{% endmacro %}
"""


class Legend(MacroElement):
    """A fixed legend box; ``body`` is HTML built from escaped parts."""

    def __init__(self, body: str):
        from folium.template import Template

        super().__init__()
        self._name = "Legend"
        self.body = body
        self._template = Template(_LEGEND_TEMPLATE)


def legend(title: str, entries: Sequence[tuple[str, str]]) -> Legend:
    """A legend of (swatch HTML, label) entries; labels are escaped."""
    rows = "".join(
        f"<div style='display:flex;align-items:center;gap:6px;margin:2px 0'>{swatch}"
        f"<span>{esc(label)}</span></div>"
        for swatch, label in entries
    )
    return Legend(f"<b>{esc(title)}</b>{rows}")


def line_swatch(color: str, dash: str | None = None, width: int = 3) -> str:
    """A short line sample for a legend."""
    style = "dashed" if dash else "solid"
    return (f"<span style='display:inline-block;width:28px;border-top:{width}px {style} {color}'>"
            "</span>")


def dot_swatch(color: str, size: int = 10) -> str:
    """A dot sample for a legend."""
    return (f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:50%;"
            f"background:{color};border:1px solid #333'></span>")


def icon_swatch(icon: str, color: str) -> str:
    """A Font Awesome icon sample for a legend."""
    return f"<i class='fa fa-{icon}' style='color:{color};width:14px;text-align:center'></i>"


def latlon(coords: Iterable[Sequence[float]]) -> list[list[float]]:
    """Shapely (lon, lat) coordinates as folium [lat, lon] pairs, rounded to ~1 m."""
    return [[round(y, 5), round(x, 5)] for x, y, *_ in coords]


# -- deterministic output ---------------------------------------------------------------------------

def _walk(element: Element, seen: set[int]) -> Iterator[Element]:
    if id(element) in seen:
        return
    seen.add(id(element))
    yield element
    for child in list(element._children.values()):
        yield from _walk(child, seen)
    for name, value in list(vars(element).items()):  # popups keep their HTML outside _children
        if name != "_parent" and isinstance(value, Element):
            yield from _walk(value, seen)


@contextmanager
def _sequential_ids(counter: Iterator[int]) -> Iterator[None]:
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{next(counter):06x}")  # type: ignore[method-assign]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]


def render_html(m: folium.Map) -> str:
    """The map as a standalone HTML page, with element ids numbered in tree order.

    folium names every element with a random id; renumbering them (and the elements created
    while rendering) makes the same map render to the same bytes every time. Every float literal
    with more than six decimals (line weights, radii, colour-scale stops, buffered polygons) is
    rounded by :func:`corridor.datafiles.stable_float`, so floating-point noise that differs
    between machines never reaches the page.
    """
    root = m.get_root()
    counter = itertools.count(1)
    elements = list(_walk(root, set()))
    old_names = {id(e): e.get_name() for e in elements}
    for element in elements:
        element._id = f"{next(counter):06x}"
    for element in elements:  # templates use the keys children were added under
        element._children = type(element._children)(
            (child.get_name() if key == old_names.get(id(child)) else key, child)
            for key, child in element._children.items()
        )
    with _sequential_ids(counter):
        text = stable_floats_in_text(root.render())
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def save_map(m: folium.Map, path: str | PathLike, offline: bool = False,
             mirror: str | PathLike | None = None) -> Path:
    """Write the map as a standalone HTML file, atomically and reproducibly.

    Parameters
    ----------
    offline : bool
        Inline every script and stylesheet from the local web-asset mirror
        (:func:`corridor.webmap.inline.inline_assets`), so the page opens with no network.
    mirror : path, optional
        The mirror built by ``python -m corridor.webmap.offline DIR``; the default one if omitted.

    Examples
    --------
    >>> save_map(network_map(net), "network.html")  # doctest: +SKIP
    """
    text = render_html(m)
    if offline:
        from corridor.webmap.inline import inline_assets

        text = inline_assets(text, mirror)
    return atomic_write_text(path, text, what="map")


# -- markers and place search -----------------------------------------------------------------------

def badge_icon(icon: str, color: str, size: int = 20, css_class: str = "corridor-node") -> folium.DivIcon:
    """A round badge with a white Font Awesome glyph: compact node markers that stay readable."""
    glyph = max(8, int(size * 0.55))
    body = (f"<div style='width:{size}px;height:{size}px;border-radius:50%;background:{color};"
            f"border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,0.6);display:flex;"
            f"align-items:center;justify-content:center;box-sizing:border-box'>"
            f"<i class='fa fa-{icon}' style='color:#fff;font-size:{glyph}px'></i></div>")
    return folium.DivIcon(html=body, icon_size=(size, size), icon_anchor=(size // 2, size // 2),
                          class_name=css_class)


_SEARCH_TEMPLATE = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new L.Control.Search({
    sourceData: function(text, callResponse) {
        callResponse({{ this.places_js }});
        return {abort: function() {}};
    },
    propertyName: 'title',
    propertyLoc: 'loc',
    buildTip: function(text) {
        var tip = document.createElement('li');
        tip.textContent = text;
        return tip;
    },
    initial: false,
    zoom: {{ this.zoom }},
    collapsed: true,
    position: 'topleft',
    textPlaceholder: {{ this.placeholder|tojson }},
    marker: {icon: false, animate: true,
             circle: {radius: 16, weight: 3, color: '#e53935', fill: false}}
});
{{ this.get_name() }}.on('search:locationfound', function(e) {
    var opened = false;
    {{ this._parent.get_name() }}.eachLayer(function(layer) {
        if (!opened && layer.getPopup && layer.getPopup() && layer.getLatLng
                && layer.getLatLng().equals(e.latlng)) {
            layer.openPopup();
            opened = true;
        }
    });
});
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
{% endmacro %}
"""


class PlaceSearch(JSCSSMixin):
    """Search box over place names (leaflet-search with an in-page list; names shown as text)."""

    default_js = folium.plugins.Search.default_js
    default_css = folium.plugins.Search.default_css

    def __init__(self, places: dict[str, tuple[float, float]], placeholder: str = "Find a place…",
                 zoom: int = 8):
        from folium.template import Template

        super().__init__()
        self._name = "PlaceSearch"
        self.places_js = "[" + ", ".join(
            f'{{"title": {js_string(name)}, "loc": [{round(lat, 5)}, {round(lon, 5)}]}}'
            for name, (lat, lon) in places.items()
        ) + "]"
        self.placeholder = placeholder
        self.zoom = int(zoom)
        self._template = Template(_SEARCH_TEMPLATE)
