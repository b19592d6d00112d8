"""Write a refined copy of a geodata directory and the per-link report, atomically."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

from corridor.datafiles import atomic_write_text, read_features
from corridor.osm.refine import REPORT_COLUMNS, refine_features
from corridor.osm.track import TrackGraph
from corridor.schema import LINKS_FILE, NODES_FILE

REPORT_FILE = "track_report.csv"


def feature_collection_text(features: list[dict], name: str = "corridor_links") -> str:
    """GeoJSON text in the layout of the built-in files (one feature per line, UTF-8)."""
    head = json.dumps({"type": "FeatureCollection", "name": name}, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(feature, ensure_ascii=False) for feature in features)
    return f'{head}, "features": [\n{body}\n]}}\n'


def report_text(rows: list[dict]) -> str:
    """The report rows as CSV text (km to 0.1)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(REPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in REPORT_COLUMNS})
    return buffer.getvalue()


def refine_directory(source: Path, out: Path, rail: TrackGraph,
                     attribution: str = "OpenStreetMap contributors, ODbL") -> list[dict]:
    """Write ``out``: the files of ``source`` with links refined, plus ``track_report.csv``.

    The copy is assembled in a temporary directory beside ``out`` and renamed into place, so
    ``out`` is either the old directory or the complete new one.

    Returns
    -------
    list of dict
        The report rows.
    """
    source, out = Path(source), Path(out)
    nodes = read_features(source / NODES_FILE)
    links = read_features(source / LINKS_FILE)
    refined, rows = refine_features(nodes, links, rail, attribution)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(LINKS_FILE, REPORT_FILE, "__pycache__"))
        atomic_write_text(staging / LINKS_FILE, feature_collection_text(refined))
        atomic_write_text(staging / REPORT_FILE, report_text(rows))
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return rows


def _swap_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = out.with_name(f".{out.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)
