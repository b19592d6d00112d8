"""Serve the maps' JavaScript and CSS from a local npm mirror, so maps work in an offline browser.

folium pages load Leaflet, its plugins, jQuery, Bootstrap and Font Awesome from CDNs. Tests and
screenshots run without internet access: ``python -m corridor.webmap.offline DIR`` installs the same
versions from the npm registry into ``DIR``, and :func:`local_asset` maps each CDN address to its file.
Map tiles are never mirrored: tile requests fail offline and the maps show no basemap, only the
country outlines every map carries. ``corridor map … --offline`` inlines the mirrored files into
the page itself (:mod:`corridor.webmap.inline`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

#: the versions folium 0.20 and branca 0.8 ask for
NPM_PACKAGES = (
    "leaflet@1.9.3",
    "jquery@3.7.1",
    "bootstrap@5.2.2",
    "drmonty-leaflet-awesome-markers@2.0.2",
    "@fortawesome/fontawesome-free@6.2.0",
    "leaflet.fullscreen@3.0.0",
    "leaflet-measure@2.1.7",
    "leaflet-search@2.9.7",
    "d3@3.5.5",
)
#: stylesheets not published on npm; the maps need nothing from them (glyphicons, icon rotation)
EMPTY_STYLESHEETS = (
    "netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
)
TILE_HOSTS = re.compile(r"(^|\.)(tile\.openstreetmap\.org|tile\.opentopomap\.org|basemaps\.cartocdn\.com)$")
#: ``$CORRIDOR_WEBASSETS``, else ``.venv/webassets`` in the source checkout
DEFAULT_MIRROR = Path(
    os.environ.get("CORRIDOR_WEBASSETS") or Path(__file__).resolve().parents[2] / ".venv" / "webassets"
)

_JSDELIVR_NPM = re.compile(r"^cdn\.jsdelivr\.net/npm/(@?[^@/]+(?:/[^@/]+)?)@[^/]+/(.+)$")
_MEASURE = re.compile(r"^cdn\.jsdelivr\.net/gh/ljagis/leaflet-measure@[^/]+/(.+)$")
_AWESOME = re.compile(r"^cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/[^/]+/(.+)$")
_SPECIAL = {
    "code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3/d3.min.js",
}


def is_tile_request(url: str) -> bool:
    """Whether ``url`` asks a tile server for a map tile."""
    return bool(TILE_HOSTS.search(urlsplit(url).hostname or ""))


def is_empty_stylesheet(url: str) -> bool:
    """Whether ``url`` is a stylesheet served empty offline."""
    return _strip(url) in EMPTY_STYLESHEETS


def local_asset(url: str, mirror: Path = DEFAULT_MIRROR) -> Path | None:
    """The mirrored file for a CDN address, or None when it is not mirrored.

    Minified names fall back to the plain file when a package ships only that.
    """
    relative = _relative_path(_strip(url))
    if relative is None:
        return None
    base = mirror / "node_modules"
    candidates = [relative, relative.replace(".min.", ".")]
    for candidate in candidates:
        path = base / candidate
        if path.is_file():
            return path
    return None


def content_type(path: Path) -> str:
    """MIME type for a mirrored file."""
    return {
        ".js": "application/javascript", ".css": "text/css", ".png": "image/png",
        ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
        ".eot": "application/vnd.ms-fontobject",
    }.get(path.suffix, "application/octet-stream")


def mirror_ready(mirror: Path = DEFAULT_MIRROR) -> bool:
    """Whether every package of :data:`NPM_PACKAGES` is in the mirror."""
    names = [spec.rsplit("@", 1)[0] for spec in NPM_PACKAGES]
    return all((mirror / "node_modules" / name / "package.json").is_file() for name in names)


def install(mirror: Path = DEFAULT_MIRROR) -> Path:
    """Install :data:`NPM_PACKAGES` into ``mirror`` with npm (needs the npm registry)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Debian: apt-get install -y npm)")
    mirror.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(mirror), "--no-save", "--no-package-lock", "--no-audit",
         "--no-fund", "--ignore-scripts", "--loglevel=error", *NPM_PACKAGES],
        check=True,
    )
    return mirror


def _strip(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}{parts.path}"


def _relative_path(address: str) -> str | None:
    if address in _SPECIAL:
        return _SPECIAL[address]
    if match := _MEASURE.match(address):
        return f"leaflet-measure/{match.group(1)}"
    if match := _AWESOME.match(address):
        rest = match.group(1)
        folder = "js" if rest.endswith(".js") else "css"
        return f"drmonty-leaflet-awesome-markers/{folder}/{rest}"
    if match := _JSDELIVR_NPM.match(address):
        return f"{match.group(1)}/{match.group(2)}"
    return None


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MIRROR
    print(f"web assets in {install(target)}")
