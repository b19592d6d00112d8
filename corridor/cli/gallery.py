"""The gallery: a set of web maps rendered from the built-in network, and an index page linking them.

It lives with the commands, not in ``corridor.webmap``: it runs the analyses whose results the map
builders draw (map builders never compute).

``corridor gallery`` writes it to ``maps/``; the output is reproducible byte for byte (see
:func:`corridor.webmap.render_html`), so a test can check that the committed gallery is current.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.datafiles import atomic_write_text, write_directory
from corridor.errors import CorridorError
from corridor.transit import alternatives
from corridor.webmap import bottleneck_map, network_map, reach_map, route_map, save_map, whatif_map
from corridor.webmap.base import esc

if TYPE_CHECKING:
    import folium

    from corridor.network import Corridor

#: Monte Carlo settings of the gallery's routes (fixed, so the maps are reproducible)
SAMPLES, SEED = 2000, 0
#: PNG screenshots kept beside the gallery for the README: (map file, png file)
SCREENSHOTS = (("network.html", "network.png"), ("route-chongqing-duisburg.html", "route.png"))


@dataclass(frozen=True)
class GalleryMap:
    """One map of the gallery: file name, title, one-line description, and how to build it."""

    file: str
    title: str
    description: str
    build: Callable[[Corridor], folium.Map]


def _routes(origin: str, destination: str, k: int) -> Callable[[Corridor], folium.Map]:
    def build(net: Corridor) -> folium.Map:
        routes = alternatives(net, origin, destination, k=k, samples=SAMPLES, seed=SEED)
        return route_map(net, routes)

    return build


def gallery_maps() -> list[GalleryMap]:
    """The maps of the gallery, in index order."""
    return [
        GalleryMap("network.html", "The network",
                   "Every line by gauge and mode (ferries dashed, planned dotted), every node by kind, "
                   "with the source of each element in its popup.", network_map),
        GalleryMap("route-chongqing-duisburg.html", "Chongqing → Duisburg, five corridors",
                   "The fastest route and alternatives via Khorgos, the Trans-Siberian (Manzhouli; "
                   "Erenhot and Mongolia) and the Middle Corridor; click a line for its leg-by-leg "
                   "timeline and P50/P90.",
                   _routes("Chongqing", "Duisburg", 5)),
        GalleryMap("route-chengdu-lodz.html", "Chengdu → Łódź, three corridors",
                   "The Chengdu–Łódź service and its alternatives, with borders and breaks of gauge "
                   "marked.", _routes("Chengdu", "Lodz", 3)),
        GalleryMap("bottlenecks.html", "Bottlenecks",
                   "Utilization of every capacity-limited crossing and line under the built-in demand, "
                   "the minimum cut between China and Europe and the N-1 criticality ranking.",
                   _bottlenecks),
        GalleryMap("reach-chilled-beef-july.html", "Chilled beef from Kostanay in July",
                   "Where Kazakh chilled beef arrives with enough shelf life left (places coloured by "
                   "shelf life left, lines and isochrone bands by arrival day), and why the others "
                   "are out of reach.",
                   _reach("Kostanay", "chilled_beef", 7)),
        GalleryMap("reach-chilled-beef-january.html", "Chilled beef from Kostanay in January",
                   "The same query in winter: colder air on unpowered stretches leaves more shelf life "
                   "on arrival.",
                   _reach("Kostanay", "chilled_beef", 1)),
        GalleryMap("whatif-poland-belarus-border-closure.html", "What-if: Poland–Belarus border closed",
                   "Routes before and after the September 2025 closure of the Brest crossings, with "
                   "the closed links highlighted and the change in days in each popup.",
                   _whatif("poland-belarus-border-closure")),
        GalleryMap("whatif-dostyk-congestion.html", "What-if: Dostyk congested",
                   "The September 2024 queue at Dostyk (96 extra hours) and how the fastest routes "
                   "move to Khorgos–Altynkol.", _whatif("dostyk-congestion")),
    ]


def _bottlenecks(net: Corridor) -> folium.Map:
    from corridor import bottlenecks

    assignment = bottlenecks.assign(net)
    cut = bottlenecks.min_cut(net)
    ranking = bottlenecks.criticality(net, base=assignment)
    return bottleneck_map(net, assignment, cut, ranking)


def _reach(origin: str, commodity: str, month: int) -> Callable[[Corridor], folium.Map]:
    def build(net: Corridor) -> folium.Map:
        from corridor.coldchain import reach

        return reach_map(net, reach(net, origin, commodity, month=month), color_by="shelf_life")

    return build


def _whatif(scenario: str) -> Callable[[Corridor], folium.Map]:
    def build(net: Corridor) -> folium.Map:
        from corridor.scenarios import find_scenario
        from corridor.scenarios.compare import whatif

        return whatif_map(whatif(net, find_scenario(scenario)))

    return build


def render_gallery(out_dir: str | Path = "maps", net: Corridor | None = None,
                   maps: list[GalleryMap] | None = None, offline: bool = False) -> list[Path]:
    """Render every gallery map and ``index.html`` into ``out_dir``, all or nothing.

    The maps are built in a temporary directory beside ``out_dir`` and moved into it only when
    every one of them was written (see :func:`corridor.datafiles.write_directory`); other files in
    ``out_dir`` (the PNG screenshots) are kept.

    Returns
    -------
    list of Path
        The files written, index last.

    Raises
    ------
    CorridorError
        When ``out_dir`` is a file, a directory is in the way of a map, or it is not writable.
    """
    from corridor.network import load

    items = maps if maps is not None else gallery_maps()
    for name in [item.file for item in items] + ["index.html"]:  # fail before any work
        if (Path(out_dir) / name).is_dir():
            raise CorridorError(f"cannot write gallery {Path(out_dir) / name}: a directory is "
                                "in the way")
    net = net if net is not None else load()

    def build(staging: Path) -> list[Path]:
        written = [save_map(item.build(net), staging / item.file, offline=offline) for item in items]
        written.append(atomic_write_text(staging / "index.html", index_html(items, offline)))
        return written

    return write_directory(out_dir, build, what="gallery")


def take_screenshots(out_dir: str | Path = "maps") -> list[Path]:
    """Save the README's PNG screenshots of gallery maps (headless Chromium, offline, no tiles)."""
    from corridor.webmap.browser import screenshot

    out = Path(out_dir)
    return [screenshot(out / html, out / png) for html, png in SCREENSHOTS]


def index_html(items: list[GalleryMap], offline: bool = False) -> str:
    """The gallery's index page: one link and one line per map, and what needs the internet."""
    entries = "\n".join(
        f'  <li><a href="{esc(item.file)}">{esc(item.title)}</a> — {esc(item.description)}</li>'
        for item in items
    )
    pictures = "\n".join(
        f'  <figure><a href="{esc(html)}"><img src="{esc(png)}" alt="{esc(html)}" width="640"></a>'
        f"<figcaption>{esc(html)}</figcaption></figure>"
        for html, png in SCREENSHOTS
    )
    scripts = (
        "Nothing else: these maps were rendered with <code>--offline</code>, so Leaflet, its plugins, "
        "jQuery, Bootstrap and Font Awesome are inlined."
        if offline else
        "Leaflet, its plugins, jQuery, Bootstrap and Font Awesome load from CDNs (jsDelivr, cdnjs, "
        "code.jquery.com); <code>corridor gallery --offline</code> inlines them instead, from the "
        "mirror of <code>python -m corridor.webmap.offline DIR</code>."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>corridor · map gallery</title>
<style>
  body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 860px; margin: 2em auto; padding: 0 1em; }}
  li {{ margin: 0.4em 0; }}
  figure {{ display: inline-block; margin: 0.5em 1em 0.5em 0; }}
  img {{ border: 1px solid #ccc; max-width: 100%; }}
</style>
</head>
<body>
<h1>corridor · map gallery</h1>
<p>Web maps rendered by <code>corridor gallery</code> from the built-in network of the China–Europe
rail freight corridors. Open a map in a browser.</p>
<h2>What needs the internet</h2>
<ul>
  <li>Basemap tiles (OpenStreetMap, OpenTopoMap) always do; without them every map still draws its
  country outlines (Natural Earth, in the page).</li>
  <li>{scripts}</li>
  <li>Everything else — lines, places, popups, legends, the place search — is in the page.</li>
</ul>
<ul>
{entries}
</ul>
<h2>Screenshots</h2>
{pictures}
</body>
</html>
"""
