"""A CLI that starts fast: no heavy import for --help, and the built-in network cached by hash."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corridor import cache
from corridor.datafiles import builtin_dir

HEAVY = ("folium", "dask", "geopandas", "distributed", "branca")


def _modules_after(code: str, env: dict | None = None) -> set[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})})
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_no_folium_dask_or_geopandas():
    code = ("from corridor.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    loaded = _modules_after(code)
    assert "corridor.cli.transit" in loaded  # the commands were registered
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_command_help_imports_nothing_heavy_either():
    code = ("from corridor.cli import main\n"
            "try:\n    main(['route', '--help'])\nexcept SystemExit:\n    pass")
    assert not [m for m in _modules_after(code) if m.split(".")[0] in HEAVY]


def test_route_without_a_map_does_not_import_folium(tmp_path):
    code = ("from corridor.cli import main\n"
            "try:\n    main(['route', 'Chongqing', 'Duisburg', '--samples', '0'])\n"
            "except SystemExit:\n    pass")
    loaded = _modules_after(code, {"CORRIDOR_CACHE_DIR": str(tmp_path)})
    assert "folium" not in loaded and "dask" not in loaded


def test_route_on_the_warm_cache_needs_no_pandas_geopandas_or_scipy(tmp_path):
    """The cached network answers from its look-up records and state graph; its tables stay
    pickled until something reads them (Corridor.__getstate__); a graph this small is searched
    by rustworkx, not scipy (corridor._graph.SMALL_GRAPH_STATES)."""
    code = ("from corridor.cli import main\n"
            "try:\n    main(['route', 'Chongqing', 'Duisburg', '--samples', '0'])\n"
            "except SystemExit:\n    pass")
    env = {"CORRIDOR_CACHE_DIR": str(tmp_path)}
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    assert not [m for m in loaded
                if m.split(".")[0] in (*HEAVY, "pandas", "pyproj", "networkx", "scipy")]


def test_a_cached_network_reads_its_tables_back_on_first_use(tmp_path, monkeypatch, net):
    import pickle

    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    cache.builtin_network()
    again = cache.builtin_network()
    assert "_nodes" not in again.__dict__  # still the pickled blob
    assert again.nodes.equals(net.nodes)
    with pytest.raises(Exception, match="read-only"):
        again.nodes.loc["dostyk", "dwell_h"] = 1.0
    twice = pickle.loads(pickle.dumps(again))
    assert twice.links.equals(net.links) and twice.disruptions.equals(net.disruptions)
    assert twice.replace(name="copy").nodes.equals(net.nodes)


def test_package_import_is_lazy_and_names_still_resolve():
    loaded = _modules_after("import corridor.errors")
    assert "geopandas" not in loaded and "pandas" not in loaded
    import corridor

    assert corridor.route is corridor.transit.route
    assert "Corridor" in dir(corridor)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = corridor.nope


def test_cli_analyses_constant_matches_compare():
    from corridor.cli.scenarios import ANALYSES
    from corridor.scenarios.compare import ANALYSES as REAL

    assert ANALYSES == REAL


def test_cache_is_written_once_and_gives_the_same_network(tmp_path, monkeypatch, net):
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    first = cache.builtin_network()
    written = list(tmp_path.glob("builtin-*.pickle"))
    assert len(written) == 1
    again = cache.builtin_network()
    assert again is not first
    assert again.nodes.equals(net.nodes) and again.links.equals(net.links)
    assert again.disruptions.equals(net.disruptions)
    from corridor.transit import route

    assert route(again, "Chongqing", "Duisburg", samples=0).transit_days == pytest.approx(
        route(net, "Chongqing", "Duisburg", samples=0).transit_days)


def test_cache_key_changes_when_the_geodata_change(tmp_path):
    copy = tmp_path / "geodata"
    shutil.copytree(builtin_dir(), copy)
    before = cache.cache_key(copy)
    assert cache.cache_key(copy) == before
    nodes = copy / "nodes.geojson"
    nodes.write_text(nodes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.cache_key(copy) != before


def test_a_broken_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    path = cache.cache_path()
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    net = cache.builtin_network()
    assert len(net.nodes) > 100
    assert path.read_bytes() != b"not a pickle"


def test_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", "off")
    assert cache.cache_path() is None
    assert len(cache.builtin_network().links) > 100


def test_an_unwritable_cache_directory_does_not_fail_the_command(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(blocker / "sub"))
    assert len(cache.builtin_network().nodes) > 100


def test_default_cache_directory_is_the_user_cache_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv("CORRIDOR_CACHE_DIR")
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("corridor", appauthor=False))


def test_cache_key_reads_the_library_versions_importlib_metadata_reports():
    from importlib import metadata

    for name in cache.PICKLED_LIBRARIES:
        assert cache._version(name) == metadata.version(name)
    assert cache._version("no-such-library-anywhere") == "absent"


def test_a_network_directory_is_cached_once_per_directory(tmp_path, monkeypatch):
    """--data DIR: validated once, read back from the cache; an edit gives a fresh load, and the
    directory keeps one cache file; a bad directory is never cached and fails every time."""
    from netfactory import two_crossings, write_network

    from corridor.errors import DataError

    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    nodes, links = two_crossings()
    data = write_network(tmp_path / "net", nodes, links)
    first = cache.directory_network(data)
    assert len(list((tmp_path / "cache").glob("dir-*.pickle"))) == 1
    again = cache.directory_network(data)
    assert again is not first and again.nodes.equals(first.nodes)
    from corridor.transit import route

    assert route(again, "a", "e", samples=0).transit_days == pytest.approx(
        route(first, "a", "e", samples=0).transit_days)
    nodes[0]["properties"]["name"] = "Origin A"
    write_network(data, nodes, links)
    assert cache.directory_network(data).resolve("Origin A") == "a"
    assert len(list((tmp_path / "cache").glob("dir-*.pickle"))) == 1
    nodes[0]["properties"]["country"] = "??"
    write_network(data, nodes, links)
    for _ in range(2):
        with pytest.raises(DataError):
            cache.directory_network(data)
