"""The gallery and hostile-text maps in a real headless Chromium (Playwright, Debian's chromium).

Run alone with ``pytest -m browser``. Leaflet and its plugins are served from the local npm mirror
(``python -m corridor.webmap.offline``); tile requests fail offline and are the only failures allowed.
Missing Chromium, Playwright or the mirror fails these tests under CI and skips them elsewhere.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from test_webmap import EVIL_JINJA, EVIL_LINE, EVIL_NAME, EVIL_SOURCE, MAPS_DIR, evil_network

import corridor
from corridor.cli.gallery import gallery_maps
from corridor.errors import CorridorError
from corridor.webmap import network_map, route_map, save_map
from corridor.webmap.offline import is_tile_request
from corridor.webmap.routes import route_events

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    from corridor.webmap.browser import chromium

    try:
        with chromium() as instance:
            yield instance
    except CorridorError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {exc}")
        pytest.skip(f"browser tests need Chromium, Playwright and the web-asset mirror: {exc}")


@pytest.fixture(scope="module")
def gallery_server():
    """The committed gallery served over HTTP on 127.0.0.1 (an ephemeral port)."""
    handler = functools.partial(_QuietHandler, directory=str(MAPS_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _open(browser, url):
    from corridor.webmap.browser import open_map

    page, log = open_map(browser, url)
    return page, log


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("item", gallery_maps(), ids=lambda item: item.file)
def test_gallery_map_loads_without_script_errors(browser, gallery_server, item):
    page, log = _open(browser, f"{gallery_server}/{item.file}")
    page.wait_for_timeout(200)
    _shot(page, Path(item.file).stem)
    assert page.locator(".leaflet-control-layers").count() == 1
    assert page.locator(".corridor-legend").is_visible()
    assert log.problems() == []
    page.close()


def test_index_page_links_every_map(browser, gallery_server):
    page = browser.new_page()
    page.goto(f"{gallery_server}/index.html")
    hrefs = page.eval_on_selector_all("li a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [item.file for item in gallery_maps()]
    page.close()


def test_network_map_dom_counts_layer_toggle_and_search_popup(browser, gallery_server, net):
    page, log = _open(browser, f"{gallery_server}/network.html")
    rail_1435 = page.locator("path.corridor-rail-1435-mm-standard-gauge")
    assert page.locator("path.corridor-link").count() == len(net.links)
    junctions = net.nodes["kind"].map(lambda k: not set(k) - {"junction"}).sum()
    assert page.locator(".leaflet-marker-icon.corridor-node").count() == len(net.nodes) - junctions
    assert page.locator("path.corridor-junction").count() == junctions
    before = rail_1435.count()
    assert before > 0

    page.hover(".leaflet-control-layers")
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="1435 mm").locator("input")
    toggle.click()
    assert rail_1435.count() == 0
    toggle.click()
    assert rail_1435.count() == before

    page.click(".leaflet-control-search .search-button")
    page.locator(".leaflet-control-search input").press_sequentially("Dosty", delay=20)
    page.locator(".search-tip", has_text="Dostyk").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "Dostyk" in popup.inner_text() and "source" in popup.inner_text()
    _shot(page, "network-search-popup")
    assert log.problems() == []
    page.close()


def test_route_map_has_lines_events_and_timeline_popup_on_click(browser, gallery_server, net):
    routes = corridor.alternatives(net, "Chongqing", "Duisburg", k=5, samples=2000, seed=0)
    page, log = _open(browser, f"{gallery_server}/route-chongqing-duisburg.html")
    assert page.locator("path.corridor-route").count() == 5
    events = sum(len(route_events(net, r)) for r in routes)
    assert page.locator(".leaflet-marker-icon.corridor-event").count() == events
    assert page.locator(".leaflet-marker-icon.corridor-end").count() == 2

    _click_line(page, "path.corridor-route-5")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "Route 5" in text and "P90" in text and f"{routes[4].p90_days:.1f} days" in text
    assert popup.locator("table.corridor-table tbody tr").count() == len(routes[4].legs)
    _shot(page, "route-popup")

    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="Route 2").locator("input").click()
    assert page.locator("path.corridor-route").count() == 4
    assert page.locator(".leaflet-marker-icon.corridor-event-2").count() == 0
    assert log.problems() == []
    page.close()


def test_hostile_names_show_as_text_and_run_nothing(browser, tmp_path):
    evil = evil_network()
    files = [save_map(network_map(evil), tmp_path / "evil-network.html"),
             save_map(route_map(evil, corridor.route(evil, "a", "e", samples=200)),
                      tmp_path / "evil-route.html")]
    texts = []
    for path in files:
        page, log = _open(browser, path.as_uri())
        page.hover(".leaflet-control-layers")
        texts.append(page.inner_text(".leaflet-control-layers"))
        for marker in page.locator(".leaflet-marker-icon").all():
            marker.hover()
            texts.append(page.inner_text(".leaflet-tooltip-pane"))
            marker.click()
            texts.append(page.inner_text(".leaflet-popup-pane"))
        _click_line(page, "path.corridor-id-f-g" if "network" in path.name else "path.corridor-route")
        texts.append(page.inner_text(".leaflet-popup-pane"))
        texts.append(page.inner_text(".corridor-legend"))
        assert page.locator("img[src='x']").count() == 0
        _shot(page, path.stem)
        assert log.dialogs == [] and log.problems() == []
        page.close()
    shown = "\n".join(texts)
    for hostile in (EVIL_NAME, EVIL_LINE, EVIL_SOURCE, EVIL_JINJA, "evil <net>"):
        assert hostile in shown, hostile


def _click_line(page, selector: str) -> None:
    """Click a real point on an SVG polyline (its middle), as a user would."""
    point = page.locator(selector).evaluate(
        """path => {
            const p = path.getPointAtLength(path.getTotalLength() / 2);
            const m = path.getScreenCTM();
            return {x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f};
        }"""
    )
    page.mouse.click(point["x"], point["y"])


def test_bottleneck_map_shows_scale_cut_and_ranking_popup(browser, gallery_server):
    page, log = _open(browser, f"{gallery_server}/bottlenecks.html")
    assert page.locator(".legend svg, svg.legend, #legend svg").count() + page.locator(
        "text", has_text="utilization").count() >= 1  # the branca colour scale drew
    assert page.locator("path.corridor-cut").count() >= 1
    page.locator(".corridor-rank").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "N-1: closures ranked" in popup.inner_text()
    assert popup.locator("tbody tr").count() == page.locator(".corridor-rank").count()
    assert log.problems() == []
    page.close()


def test_reach_and_whatif_maps_toggle_layers(browser, gallery_server):
    page, log = _open(browser, f"{gallery_server}/reach-chilled-beef-july.html")
    unreachable = page.locator("path.corridor-unreachable")
    assert unreachable.count() > 0 and page.locator("path.corridor-reach-node").count() > 0
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="Not reachable").locator("input").click()
    assert unreachable.count() == 0
    assert log.problems() == []
    page.close()

    page, log = _open(browser, f"{gallery_server}/whatif-poland-belarus-border-closure.html")
    assert page.locator("path.corridor-changed").count() == 2
    _click_line(page, "path.corridor-whatif-scenario >> nth=0")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert "scenario" in popup.inner_text() and "days" in popup.inner_text()
    assert log.problems() == []
    page.close()


def test_offline_map_opens_with_the_network_disabled(browser, tmp_path, net):
    """A ``--offline`` map needs no request at all: vector paths and country outlines draw."""
    from typer.testing import CliRunner

    from corridor.cli import app

    out = tmp_path / "network-offline.html"
    result = CliRunner().invoke(app, ["map", "network", "--offline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    requests, errors = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def refuse_all_but_the_page(route):
        if route.request.url == out.resolve().as_uri() or route.request.url.startswith("data:"):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", refuse_all_but_the_page)
    page.goto(out.resolve().as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_timeout(300)
    _shot(page, "network-offline")
    countries = page.locator("path.corridor-country").count()
    assert countries > 50  # Natural Earth outlines from Portugal to Japan
    assert page.locator("path.corridor-link").count() == len(net.links)
    assert page.locator(".corridor-legend").is_visible()
    assert page.locator(".leaflet-control-layers-overlays label", has_text="Country outlines").count() == 1
    # only tiles may be wanted: no script, style, font or image request left the page
    assert [u for u in requests if not is_tile_request(u)] == []
    assert [e for e in errors if "Failed to load resource" not in e] == []
    context.close()
