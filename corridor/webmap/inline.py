"""Self-contained map pages: every CDN script and stylesheet inlined from the local asset mirror.

folium pages load Leaflet, its plugins, jQuery, Bootstrap and Font Awesome from CDNs, so offline or
behind a firewall they show nothing but the legend. :func:`inline_assets` replaces each
``<script src>`` and ``<link rel="stylesheet">`` with the mirrored file's text (see
:mod:`corridor.webmap.offline`); images and web fonts a stylesheet names are embedded as ``data:``
addresses. Basemap tiles are never inlined: offline the maps show the country outlines instead.
"""

from __future__ import annotations

import base64
import os
import re
from os import PathLike
from pathlib import Path
from urllib.parse import urljoin

from corridor.errors import CorridorError
from corridor.webmap.offline import (
    DEFAULT_MIRROR,
    content_type,
    is_empty_stylesheet,
    local_asset,
    mirror_ready,
)

_SCRIPT = re.compile(r'<script src="(https?://[^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^)'\"]+)\1\s*\)")
#: files a stylesheet names that are embedded; other font formats are left as they are (browsers
#: take the first format they support, and every mirrored font face lists woff2 first)
_EMBEDDED = (".woff2", ".png", ".svg", ".gif")


def check_mirror(mirror: str | PathLike | None = None, option: str = "--offline") -> Path:
    """The mirror directory, or a one-line CorridorError saying how to build it.

    Without ``mirror``: ``$CORRIDOR_WEBASSETS`` as it is now, else ``.venv/webassets`` of the checkout.
    """
    path = Path(mirror or os.environ.get("CORRIDOR_WEBASSETS") or DEFAULT_MIRROR)
    if not mirror_ready(path):
        raise CorridorError(f"{option} needs the web-asset mirror in {path}, which is missing or "
                            f"incomplete: run python -m corridor.webmap.offline {path} (needs npm), "
                            "or set CORRIDOR_WEBASSETS to a built mirror")
    return path


def inline_assets(page: str, mirror: str | PathLike | None = None) -> str:
    """``page`` with every CDN script and stylesheet replaced by the mirrored file's contents.

    Raises
    ------
    CorridorError
        When the mirror is missing, or the page asks for a file the mirror does not have.
    """
    base = check_mirror(mirror)
    page = _SCRIPT.sub(lambda match: _inline_script(match.group(1), base), page)
    return _STYLESHEET.sub(lambda match: _inline_stylesheet(match.group(1), base), page)


def _mirrored(url: str, mirror: Path) -> Path:
    path = local_asset(url, mirror)
    if path is None:
        raise CorridorError(f"--offline: {url} is not in the web-asset mirror {mirror}; "
                            "rebuild it with python -m corridor.webmap.offline")
    return path


def _inline_script(url: str, mirror: Path) -> str:
    text = _mirrored(url, mirror).read_text(encoding="utf-8")
    text = re.sub(r"</script", r"<\\/script", text, flags=re.IGNORECASE)
    return f"<script>/* {url} */\n{_strip_source_map(text)}\n</script>"


def _inline_stylesheet(url: str, mirror: Path) -> str:
    if is_empty_stylesheet(url):
        return f"<style>/* {url}: not needed offline */</style>"
    path = _mirrored(url, mirror)
    css = _strip_source_map(path.read_text(encoding="utf-8"))
    css = _CSS_URL.sub(lambda match: _embed(match, url, mirror), css)
    css = re.sub(r"</style", r"<\\/style", css, flags=re.IGNORECASE)
    return f"<style>/* {url} */\n{css}\n</style>"


def _embed(match: re.Match[str], stylesheet_url: str, mirror: Path) -> str:
    target = match.group(2)
    if target.startswith(("data:", "#")):
        return match.group(0)
    absolute = urljoin(stylesheet_url, target.split("?")[0].split("#")[0])
    path = local_asset(absolute, mirror)
    if path is None or path.suffix not in _EMBEDDED:
        return match.group(0)
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'url("data:{content_type(path)};base64,{encoded}")'


def _strip_source_map(text: str) -> str:
    return re.sub(r"/[/*]# sourceMappingURL=[^\s*]+(\s*\*/)?", "", text)
