"""Locating and reading geodata files; writing outputs atomically; rounding numbers written out."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from corridor.errors import CorridorError, DataError, Problem

_PACKAGE_DIR = Path(__file__).resolve().parent

#: a geodata or scenario file larger than this is refused before it is parsed (bytes); large enough
#: for a 100,000-node network built by ``corridor osm network`` (about 75 MB of nodes.geojson)
MAX_INPUT_BYTES = 500_000_000
#: numbers written to maps and JSON keep this many significant digits, and never fewer
#: than ``WRITTEN_DECIMALS`` decimals (1e-5 degrees is about 1 m)
WRITTEN_SIGNIFICANT = 6
WRITTEN_DECIMALS = 5


def builtin_dir() -> Path:
    """Directory of the built-in network (installed copy, else the source checkout's ``geodata/``)."""
    for candidate in (_PACKAGE_DIR / "_geodata", _PACKAGE_DIR.parent / "geodata"):
        if (candidate / "nodes.geojson").is_file():
            return candidate
    raise FileNotFoundError("the built-in geodata directory is missing from this installation")


# -- reading ----------------------------------------------------------------------------------------

@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector paused (restored after).

    Reading a large network allocates millions of dicts and lists that all stay alive; each
    automatic collection walks every one of them, so a 100k-node load spent most of its time
    collecting nothing. Reference counting still frees what is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_bytes(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file.

    Raises
    ------
    DataError
        When the file is missing, unreadable or larger than ``limit`` bytes.
    """
    try:
        if path.is_dir():
            raise DataError([Problem(str(path), "", "", "is a directory; expected a file")])
        size = path.stat().st_size
        if size > limit:
            raise DataError([Problem(str(path), "", "", f"{size:,} bytes; the limit is {limit:,}")])
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError([Problem(str(path), "", "", "file not found")]) from None
    except OSError as exc:
        raise DataError([Problem(str(path), "", "", f"cannot read: {exc.strerror or exc}")]) from None


def read_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of an input file (UTF-8, a leading byte-order mark ignored).

    Raises
    ------
    DataError
        When the file is missing, unreadable, larger than ``limit`` bytes or not UTF-8.
    """
    try:
        return read_bytes(path, limit).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        raise DataError([Problem(str(path), where, "", "cannot read: not UTF-8 text")]) from None


def read_csv_table(path: Path, limit: int = MAX_INPUT_BYTES) -> Any:
    """A CSV file as a DataFrame of strings (UTF-8, a byte-order mark ignored, nothing parsed).

    Raises
    ------
    DataError
        When the file is missing, unreadable, too large, not UTF-8 or not CSV.
    """
    import io

    import pandas as pd

    text = read_text(path, limit)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError([Problem(str(path), "", "", "empty file; expected a CSV header")]) from None
    except pd.errors.ParserError as exc:
        message = str(exc).strip().splitlines()[-1] if str(exc).strip() else "cannot parse"
        raise DataError([Problem(str(path), "", "", f"not a valid CSV file: {message}")]) from None


def _refuse_constant(name: str) -> float:
    raise ValueError(name)


#: a run of this many digits may be an integer beyond 64 bits, which orjson would read as a float
_LONG_DIGITS = b"0" * 19
#: every digit to ``0``, every other byte to a space: long digit runs are then one ``find`` away
_DIGITS_AS_ZEROS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_BOM = b"\xef\xbb\xbf"


def _fast_json(path: Path) -> Any:
    """The JSON document in ``path`` parsed by orjson, or None when only :mod:`json` can say.

    orjson reads valid JSON as :mod:`json` does, except integers beyond 64 bits (read as floats:
    a file with a run of 19+ digits is left to :mod:`json`); any document orjson refuses (bad JSON,
    ``NaN``, ``1e400``, a lone surrogate, deep nesting, bad UTF-8) is also left to :mod:`json`,
    so what is accepted and how a problem is worded stay exactly as before.
    """
    raw = read_bytes(path)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    if raw.translate(_DIGITS_AS_ZEROS).find(_LONG_DIGITS) >= 0:  # faster than a regex search
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _parsed_json(path: Path) -> Any:
    """The JSON document in ``path`` parsed by :mod:`json` (DataError worded for a bad one)."""
    name = path.name
    text = read_text(path)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DataError(
            [Problem(name, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg}")]
        ) from None
    except ValueError as exc:
        raise DataError([Problem(name, "", "", f"not valid JSON: {exc} is not a JSON number; "
                                 "expected a finite number")]) from None
    except RecursionError:
        raise DataError([Problem(name, "", "", "not valid JSON: nested too deeply")]) from None


def read_features(path: Path) -> list[dict[str, Any]]:
    """Read the features of a GeoJSON FeatureCollection.

    ``NaN``, ``Infinity`` and ``-Infinity`` (accepted by Python's JSON parser, not by JSON) are
    refused.

    Raises
    ------
    DataError
        When the file is missing, is not JSON, or is not a FeatureCollection.
    """
    name = path.name
    data = _fast_json(path)
    if data is None:
        data = _parsed_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DataError([Problem(name, "", "type", "expected a GeoJSON FeatureCollection")])
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise DataError([Problem(name, "", "features", "expected a list of Feature objects")])
    return features


# -- rounding numbers written out --------------------------------------------------------------------

def stable_float(value: float) -> float:
    """``value`` rounded so that it prints the same on every machine.

    Keeps ``WRITTEN_SIGNIFICANT`` significant digits but at least ``WRITTEN_DECIMALS`` decimals,
    so coordinates keep 1e-5° (about 1 m) and the last bits of floating-point noise (which differ
    between BLAS builds, CPUs and Python versions) never reach a file.
    """
    if not math.isfinite(value) or value == 0:
        return value
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(WRITTEN_DECIMALS, WRITTEN_SIGNIFICANT - 1 - magnitude)
    return round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def is_missing(value: Any) -> bool:
    """Whether a table cell holds no value: None or a float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def json_ready(value: Any) -> Any:
    """``value`` with every float made stable (:func:`stable_float`) and non-finite ones ``None``.

    Recurses into dicts, lists and tuples; numpy scalars become Python numbers.
    """
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = value.tolist()  # numpy scalars and arrays, pandas series
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return stable_float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    return value


_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{7,}(?:[eE][-+]?\d+)?(?![\w.])")


def stable_floats_in_text(text: str) -> str:
    """Every float literal with 7+ decimals in ``text`` (HTML, JavaScript) through :func:`stable_float`."""
    return _LONG_FLOAT.sub(lambda m: repr(stable_float(float(m.group()))), text)


# -- writing ------------------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _why(exc: OSError) -> str:
    reasons = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EROFS: "read-only file system", errno.ENOSPC: "no space left on device",
               errno.ENOTDIR: "a part of the path is a file, not a directory",
               errno.EISDIR: "is a directory", errno.ENAMETOOLONG: "name too long",
               errno.EDQUOT: "disk quota exceeded"}
    return reasons.get(exc.errno, exc.strerror or str(exc))


def check_writable(path: str | os.PathLike, what: str = "output") -> Path:
    """Refuse, before any work is done, a path that cannot be written as a file.

    Raises
    ------
    CorridorError
        When ``path`` is a directory, a part of it is a file, or its folder is not writable.
    """
    target = Path(path)
    if str(path) == "" or target.name in ("", ".", ".."):
        raise CorridorError(f"cannot write {what} {str(path)!r}: expected a file name")
    if target.is_dir():
        raise CorridorError(f"cannot write {what} {target}: is a directory; name a file")
    folder = target.parent
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise CorridorError(f"cannot write {what} {target}: {ancestor} is a file, "
                                    "not a directory")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise CorridorError(f"cannot write {what} {target}: permission denied in "
                                    f"{ancestor}")
            break
    return target


def atomic_write_text(path: str | os.PathLike, text: str, what: str = "output") -> Path:
    """Write ``text`` to ``path`` via a temporary file and rename, so no half-written file remains.

    Raises
    ------
    CorridorError
        One line naming the path and why it cannot be written (directory in the way, a file
        where a folder should be, permission denied, read-only or full disk ...).
    """
    target = check_writable(path, what)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise CorridorError(f"cannot write {what} {target}: {_why(exc)}") from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_directory(path: str | os.PathLike, build: Callable[[Path], list[Path]],
                    what: str = "output") -> list[Path]:
    """Build files in a temporary sibling directory, then move them into ``path`` all together.

    ``build(tmp_dir)`` writes the files and returns their paths. Nothing reaches ``path`` unless
    every file was built: an error (or Ctrl-C) while building leaves ``path`` as it was. A new
    directory is moved into place with one rename; into an existing one (which may hold other
    files, such as screenshots) each file is moved with an atomic rename, after checking that
    nothing is in the way.

    Returns
    -------
    list of Path
        The files as moved into ``path``.
    """
    target = Path(path)
    check_writable(target / ".probe", what)
    if target.exists() and not target.is_dir():
        raise CorridorError(f"cannot write {what} {target}: is a file; name a directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    except OSError as exc:
        raise CorridorError(f"cannot write {what} {target}: {_why(exc)}") from None
    try:
        built = build(staging)
        names = [p.relative_to(staging) for p in built]
        for name in names:
            if (target / name).is_dir():
                raise CorridorError(f"cannot write {what} {target / name}: a directory is in the way")
        if not target.exists():
            staging.chmod(0o777 & ~_umask())
            os.replace(staging, target)
        else:
            for name in names:
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, target / name)
        return [target / name for name in names]
    except OSError as exc:
        raise CorridorError(f"cannot write {what} {target}: {_why(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def row_dicts(frame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` built column by column (the same plain Python values).

    ``to_dict`` boxes every cell on its own, which costs seconds on a 100k-row table; one
    ``tolist()`` per column gives the same values (NaN, None and ``pd.NA`` stay as they are).
    """
    columns = list(frame.columns) if columns is None else list(columns)
    if not columns:
        return [{} for _ in range(len(frame))]
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


#: shipped Natural Earth admin-0 polygons of Europe, Asia and Africa (see corridor/_data/README.md)
COUNTRIES_DATA = "_data/countries.geojson"


def country_polygons():
    """The shipped admin-0 polygons (columns ``iso_a2``, ``name``, ``geometry``), read once.

    The frame is shared between callers: read it, do not edit it.
    """
    if "frame" not in _COUNTRIES:
        from importlib import resources

        import geopandas as gpd

        with resources.as_file(resources.files("corridor") / COUNTRIES_DATA) as file:
            _COUNTRIES["frame"] = gpd.read_file(file)
    return _COUNTRIES["frame"]


_COUNTRIES: dict[str, Any] = {}
