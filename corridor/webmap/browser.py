"""Open maps in headless Chromium (Playwright), offline: CDN assets from the local mirror, no tiles.

Used by the browser tests and to refresh the gallery's PNG screenshots. Needs the ``playwright``
Python package (test extra) and Debian's ``chromium`` at ``/usr/bin/chromium``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.errors import CorridorError
from corridor.webmap.offline import (
    DEFAULT_MIRROR,
    content_type,
    is_empty_stylesheet,
    is_tile_request,
    local_asset,
    mirror_ready,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
)
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class PageLog:
    """What went wrong on a page: script errors, console errors, blocked and failed requests."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    tiles: int = 0

    def problems(self) -> list[str]:
        """Everything except tile requests failing offline."""
        console = [m for m in self.console_errors if "Failed to load resource" not in m]
        return ([f"page error: {e}" for e in self.page_errors] + [f"console: {m}" for m in console]
                + [f"dialog: {d}" for d in self.dialogs] + [f"blocked: {u}" for u in self.blocked])


@contextmanager
def chromium(mirror: Path = DEFAULT_MIRROR) -> Iterator[Any]:
    """A headless Chromium browser (Playwright ``Browser``).

    Raises
    ------
    CorridorError
        When Playwright, Chromium or the web-asset mirror is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise CorridorError("playwright is not installed (pip install -e '.[test]')") from None
    if not CHROMIUM.is_file():
        raise CorridorError(f"{CHROMIUM} not found (Debian: apt-get install -y chromium)")
    if not mirror_ready(mirror):
        raise CorridorError(f"web assets missing in {mirror}: run python -m corridor.webmap.offline")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def open_map(browser: Any, url: str, mirror: Path = DEFAULT_MIRROR) -> tuple[Any, PageLog]:
    """Open ``url`` (file:// or http://127.0.0.1) in a new page with offline asset routing.

    Returns the page, once the map's layers are drawn, and the log that keeps collecting.
    """
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(10_000)
    log = PageLog()
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.route("**/*", lambda route: _serve(route, log, mirror))
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0"
                           " || document.querySelectorAll('.leaflet-marker-icon').length > 0")
    return page, log


def screenshot(html_path: Path, png_path: Path, mirror: Path = DEFAULT_MIRROR) -> Path:
    """Save a PNG of a map file as an offline browser shows it (no basemap tiles)."""
    with chromium(mirror) as browser:
        page, _log = open_map(browser, Path(html_path).resolve().as_uri(), mirror)
        page.wait_for_timeout(300)
        png_path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png_path))
        page.close()
    return png_path


def _serve(route: Any, log: PageLog, mirror: Path) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:")) or url.startswith(("http://127.0.0.1", "http://localhost")):
        route.continue_()
    elif is_tile_request(url):
        log.tiles += 1
        route.abort("internetdisconnected")
    elif is_empty_stylesheet(url):
        route.fulfill(status=200, content_type="text/css", body="")
    elif (path := local_asset(url, mirror)) is not None:
        route.fulfill(status=200, content_type=content_type(path), body=path.read_bytes(),
                      headers={"Access-Control-Allow-Origin": "*"})
    else:
        log.blocked.append(url)
        route.abort("internetdisconnected")
