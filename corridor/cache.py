"""A cache of validated networks, so a command need not re-read and re-validate them.

The first ``load`` of the built-in network validates about 600 KB of GeoJSON and builds the
state-expanded routing graph (most of a second on a small machine). :func:`builtin_network` keeps
that work in one pickle in the user cache directory (``platformdirs.user_cache_dir("corridor")``,
or ``$CORRIDOR_CACHE_DIR``). The file name carries a key that hashes every geodata file, the
package's own source and the versions of the libraries whose objects are pickled, so editing the
geodata (or upgrading corridor, pandas, geopandas, shapely or scipy) builds a new cache on the next
run; a cache that cannot be read is rebuilt, one that cannot be written is skipped.

A user's network directory (``--data DIR``) is cached the same way by
:func:`directory_network`, keyed by a hash of that directory's files.

``CORRIDOR_CACHE_DIR=off`` turns the cache off. The cache is the user's own directory, read back
with :mod:`pickle`: point ``$CORRIDOR_CACHE_DIR`` only at a directory you alone can write.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.datafiles import builtin_dir, gc_paused

if TYPE_CHECKING:
    from corridor.network import Corridor

#: libraries whose objects live in the pickle: a new version of any of them means a new key
PICKLED_LIBRARIES = ("pandas", "geopandas", "shapely", "numpy", "scipy", "networkx", "pyproj")
OFF = ("off", "0", "no", "false")
_PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Where the cache lives, or None when ``$CORRIDOR_CACHE_DIR`` turns it off."""
    chosen = os.environ.get("CORRIDOR_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else Path(chosen)
    import platformdirs  # small, but only needed here

    return Path(platformdirs.user_cache_dir("corridor", appauthor=False))


def _hash_tree(digest: hashlib._Hash, root: Path, pattern: str) -> None:
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())


def cache_key(geodata: Path | None = None) -> str:
    """Hex digest of the geodata files, corridor's source and the pickled libraries' versions."""
    digest = hashlib.sha256()
    _hash_tree(digest, geodata or builtin_dir(), "*")
    _hash_tree(digest, _PACKAGE_DIR, "*.py")
    digest.update(sys.version.encode())
    for name in PICKLED_LIBRARIES:
        digest.update(f"{name}={_version(name)}".encode())
    return digest.hexdigest()[:24]


def _version(name: str) -> str:
    """The installed version of ``name``: from the name of its ``NAME-VERSION.dist-info`` folder
    on ``sys.path`` (a directory listing; importing importlib.metadata costs more than the whole
    look-up), else from importlib.metadata, else ``"absent"``."""
    for entry in sys.path:
        with contextlib.suppress(OSError):
            for child in os.scandir(entry or "."):
                if child.name.startswith(f"{name}-") and child.name.endswith(".dist-info"):
                    return child.name[len(name) + 1:-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_path(geodata: Path | None = None) -> Path | None:
    """The cache file for the current geodata, or None when the cache is off."""
    directory = cache_dir()
    return None if directory is None else directory / f"builtin-{cache_key(geodata)}.pickle"


def warm(net: Corridor) -> Corridor:
    """Build what every routing command derives first (look-up records, operating state graph,
    the index of place names), so a route on the cached network needs no GeoDataFrame."""
    from corridor.transit import records, state_graph

    records(net)
    state_graph(net, frozenset({"operating"}))
    net.resolve(next(iter(records(net)[0])))  # builds and keeps the place index
    return net


def builtin_network() -> Corridor:
    """The validated built-in network, from the cache when it holds the current geodata."""
    from corridor.network import load

    path = cache_path()
    return _cached(path, load, "builtin-*.pickle")


def directory_path(directory: Path) -> Path | None:
    """The cache file of a user's network directory (its own files hashed), or None when off.

    The name starts with a digest of the directory's resolved path, so each directory keeps one
    cache (the newest) however often its files change.
    """
    root = cache_dir()
    if root is None:
        return None
    where = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    return root / f"dir-{where}-{cache_key(directory)}.pickle"


def directory_network(directory: str | Path) -> Corridor:
    """A user's network directory validated once, then read from the cache (a 10k-node network
    reads back in under half a second instead of seconds of parsing, validating and building
    the state graph).

    Only a network that loaded and validated is stored, so a bad directory reports its problems
    every time; editing any file in the directory gives a new key, hence a fresh load.
    """
    from corridor.network import load

    directory = Path(directory)
    if not directory.is_dir():  # a GeoPackage or a missing path: load says what is wrong
        return load(directory)
    path = directory_path(directory)
    prefix = "-".join(path.name.split("-")[:2]) if path is not None else ""
    return _cached(path, lambda: load(directory), f"{prefix}-*.pickle")


def _cached(path: Path | None, build, stale: str) -> Corridor:
    """The network pickled at ``path``, or ``warm(build())`` stored there (older ``stale`` removed)."""
    from corridor.network import Corridor

    if path is not None and path.is_file():
        with contextlib.suppress(Exception):  # unreadable or from another version: rebuild
            with path.open("rb") as handle, gc_paused():  # see datafiles.gc_paused
                net = pickle.load(handle)
            if isinstance(net, Corridor):
                return net
    net = warm(build())
    if path is not None:
        _store(net, path, stale)
    return net


def _store(net: Corridor, path: Path, stale: str = "builtin-*.pickle") -> None:
    """Write the cache atomically; remove older caches; never fail the command over it."""
    with contextlib.suppress(OSError, pickle.PicklingError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(net, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        for old in path.parent.glob(stale):
            if old != path:
                old.unlink(missing_ok=True)
