"""Locating and reading geodata files; writing outputs atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from corridor.errors import DataError, Problem

_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_dir() -> Path:
    """Directory of the built-in network (installed copy, else the source checkout's ``geodata/``)."""
    for candidate in (_PACKAGE_DIR / "_geodata", _PACKAGE_DIR.parent / "geodata"):
        if (candidate / "nodes.geojson").is_file():
            return candidate
    raise FileNotFoundError("the built-in geodata directory is missing from this installation")


def read_features(path: Path) -> list[dict[str, Any]]:
    """Read the features of a GeoJSON FeatureCollection.

    Raises
    ------
    DataError
        When the file is missing, is not JSON, or is not a FeatureCollection.
    """
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(str(path), "", "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), "", "", f"cannot read: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            [Problem(name, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg}")]
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DataError([Problem(name, "", "type", "expected a GeoJSON FeatureCollection")])
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise DataError([Problem(name, "", "features", "expected a list of Feature objects")])
    return features


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file and rename, so no half-written file remains."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
