"""The per-mask caches of a state graph: bounded in bytes, least recently used dropped first."""

import numpy as np

from corridor import _graph
from corridor._graph import _recall, _remember


def _array(megabytes: int) -> np.ndarray:
    return np.zeros(megabytes * 2**20 // 8)


def test_least_recently_used_masks_go_first_and_the_pinned_one_stays(monkeypatch):
    monkeypatch.setattr(_graph, "MASK_CACHE_BYTES", 3 * 2**20)
    cache: dict = {}
    _remember(cache, b"all", _array(1), pinned=b"all")
    _remember(cache, b"a", {"indices": _array(1)}, pinned=b"all")
    _remember(cache, b"b", _array(1), pinned=b"all")
    assert list(cache) == [b"all", b"a", b"b"]  # 3 MB: within the bound
    assert _recall(cache, b"a") is not None  # now the most recently used
    _remember(cache, b"c", _array(1), pinned=b"all")
    assert list(cache) == [b"all", b"a", b"c"]  # b was least recently used; "all" is pinned
    assert _recall(cache, b"b") is None


def test_the_newest_entry_is_kept_even_when_alone_over_the_bound(monkeypatch):
    monkeypatch.setattr(_graph, "MASK_CACHE_BYTES", 2**20)
    cache: dict = {b"old": _array(1)}
    _remember(cache, b"big", _array(2))
    assert list(cache) == [b"big"]
