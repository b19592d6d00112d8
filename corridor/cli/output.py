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


def check_out(path: Path | None) -> None:
    """Refuse a bad ``--out`` before any work is done (CorridorError, exit 2)."""
    if path is None:
        return
    if path.is_dir():
        raise CorridorError(f"--out {path} is a directory; name a file ({', '.join(OUT_FORMATS)})")
    from corridor.export import frame_format

    frame_format(path, "--out", OUT_FORMATS)
    check_writable(path, "--out")


def write_out(path: Path | None, table: Callable[[], pd.DataFrame],
              picture: Callable[[], folium.Map]) -> None:
    """Write ``table()`` or the map ``picture()`` to ``path`` when ``--out`` was given."""
    if path is None:
        return
    suffix = path.suffix.lower()
    if suffix == ".html":
        from corridor.webmap import save_map

        save_map(picture(), path)
    elif suffix == ".png":
        _write_png(picture(), path)
    else:
        from corridor.export import write_frame

        write_frame(table(), path, "--out")
    typer.echo(f"wrote {path}", err=True)


def _write_png(m: folium.Map, path: Path) -> None:
    from corridor.export import atomic_write_with
    from corridor.webmap import save_map
    from corridor.webmap.browser import screenshot

    with tempfile.TemporaryDirectory(prefix="corridor-png-") as scratch:
        html, png = Path(scratch) / "map.html", Path(scratch) / "map.png"
        save_map(m, html)
        screenshot(html, png)
        atomic_write_with(path, lambda target: shutil.copyfile(png, target), "--out")
