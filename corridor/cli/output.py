"""``--out FILE`` on the analysis commands: the result written by the file's extension.

``.gpkg``, ``.geojson``, ``.parquet`` and ``.csv`` hold the result table (:mod:`corridor.export`);
``.html`` the interactive map; ``.png`` a picture of that map, taken by headless Chromium
(:mod:`corridor.webmap.browser`; a one-line error says what is missing when it is not installed).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.datafiles import check_writable
from corridor.errors import CorridorError

if TYPE_CHECKING:
    import folium
    import pandas as pd

#: what ``--out`` writes
OUT_FORMATS = (".gpkg", ".geojson", ".parquet", ".csv", ".html", ".png")

OutFile = Annotated[Path | None, typer.Option(
    "--out", help="Write the result by extension: .gpkg .geojson .parquet .csv (table), .html (map), "
    ".png (map picture; needs Chromium).")]


#: formats that draw the result's map
MAP_FORMATS = (".html", ".png")
#: what ``--out`` writes for a table without geometry and without a map
PLAIN_FORMATS = (".parquet", ".csv")
#: what ``--out`` writes for a table with geometry but no map of its own (``corridor criticality``,
#: ``corridor matrix``)
TABLE_FORMATS = (".gpkg", ".geojson", *PLAIN_FORMATS)

Offline = Annotated[bool, typer.Option(
    "--offline", help="Make the --map / --out .html page self-contained: Leaflet and every script "
    "and style inlined from the local web-asset mirror (python -m corridor.webmap.offline DIR; "
    "$CORRIDOR_WEBASSETS), so it opens with no network.")]


def check_out(path: Path | None, formats: tuple[str, ...] = OUT_FORMATS) -> None:
    """Refuse a bad ``--out`` before any work is done (CorridorError, exit 2)."""
    if path is None:
        return
    if path.is_dir():
        raise CorridorError(f"--out {path} is a directory; name a file ({', '.join(formats)})")
    from corridor.export import frame_format

    frame_format(path, "--out", formats)
    check_writable(path, "--out")


def draws_map(path: Path | None) -> bool:
    """Whether ``--out path`` writes the result's map (an ``.html`` page or a ``.png`` of one)."""
    return path is not None and path.suffix.lower() in MAP_FORMATS


def check_offline(offline: bool, map_file: Path | None, out: Path | None) -> None:
    """``--offline`` needs a page to write and the web-asset mirror (CorridorError, exit 2)."""
    if not offline:
        return
    if map_file is None and not draws_map(out):
        raise CorridorError("--offline makes a map page self-contained; add --map FILE.html or "
                            "--out FILE.html (or .png)")
    from corridor.webmap.inline import check_mirror

    check_mirror()


def write_out(path: Path | None, table: Callable[[], pd.DataFrame],
              picture: Callable[[], folium.Map] | None, offline: bool = False) -> None:
    """Write ``table()`` or the map ``picture()`` to ``path`` when ``--out`` was given; ``offline``
    inlines the page's scripts and styles (:func:`corridor.webmap.save_map`)."""
    if path is None:
        return
    suffix = path.suffix.lower()
    if suffix in MAP_FORMATS and picture is None:  # check_out with PLAIN_FORMATS refuses it first
        raise CorridorError(f"--out {path}: this command draws no map; write .csv or .parquet")
    if suffix == ".html":
        from corridor.webmap import save_map

        save_map(picture(), path, offline=offline)
    elif suffix == ".png":
        _write_png(picture(), path, offline)
    else:
        from corridor.export import write_frame

        write_frame(table(), path, "--out")
    typer.echo(f"wrote {path}", err=True)


def _write_png(m: folium.Map, path: Path, offline: bool = False) -> None:
    from corridor.export import atomic_write_with
    from corridor.webmap import save_map
    from corridor.webmap.browser import screenshot

    with tempfile.TemporaryDirectory(prefix="corridor-png-") as scratch:
        html, png = Path(scratch) / "map.html", Path(scratch) / "map.png"
        save_map(m, html, offline=offline)
        screenshot(html, png)
        atomic_write_with(path, lambda target: shutil.copyfile(png, target), "--out")
