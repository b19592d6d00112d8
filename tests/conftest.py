"""Shared fixtures: the built-in network, its raw features, and a CLI runner."""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# the network cache of corridor.cache goes to a fresh directory, never the user's own
os.environ["CORRIDOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="corridor-test-cache-")

import corridor
from corridor.cli import main
from corridor.datafiles import builtin_dir


@pytest.fixture(scope="session")
def net() -> corridor.Corridor:
    """The built-in network, loaded once."""
    return corridor.load()


@pytest.fixture(scope="session")
def _raw_features() -> tuple[list[dict], list[dict]]:
    directory = builtin_dir()
    nodes = json.loads((directory / "nodes.geojson").read_text(encoding="utf-8"))["features"]
    links = json.loads((directory / "links.geojson").read_text(encoding="utf-8"))["features"]
    return nodes, links


@pytest.fixture
def builtin_features(_raw_features) -> tuple[list[dict], list[dict]]:
    """A deep copy of the built-in network's features, free to break."""
    return copy.deepcopy(_raw_features)


@pytest.fixture
def cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run the ``corridor`` command in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        return int(exit_info.value.code or 0), out, err

    return run
