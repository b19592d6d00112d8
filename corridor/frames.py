"""Read-only GeoDataFrames: a network's tables refuse writes, so results derived from them stay true.

A :class:`Corridor` caches what it derives from its tables (the state graph, look-up records,
capacity and cold-chain models). Were the tables writable, an edit such as
``net.nodes.loc["dostyk", "dwell_h"] = 500`` would leave those caches describing the old network.
Instead every write raises :class:`~corridor.errors.ReadOnlyError`, and a changed network is a new
one: ``net.replace(nodes=edited)`` or a :class:`~corridor.scenarios.Scenario`.

Reading is unchanged, and anything derived from a frozen frame (a selection, ``copy()``, a join) is
an ordinary, writable GeoDataFrame.
"""

from __future__ import annotations

from typing import Any, NoReturn

import geopandas as gpd
from pandas.core.indexing import _AtIndexer, _iAtIndexer, _iLocIndexer, _LocIndexer

from corridor.errors import ReadOnlyError

_MESSAGE = (
    "a network's tables are read-only; edit a copy (frame = net.nodes.copy()) and build a new network "
    "with net.replace(nodes=frame, links=...), or describe the change as a Scenario"
)


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise ReadOnlyError(_MESSAGE)


class _Loc(_LocIndexer):
    __setitem__ = _refuse


class _ILoc(_iLocIndexer):
    __setitem__ = _refuse


class _At(_AtIndexer):
    __setitem__ = _refuse


class _IAt(_iAtIndexer):
    __setitem__ = _refuse


class FrozenGeoDataFrame(gpd.GeoDataFrame):
    """A GeoDataFrame that refuses every write; see the module docstring."""

    @property
    def loc(self) -> _Loc:  # type: ignore[override]
        return _Loc("loc", self)

    @property
    def iloc(self) -> _ILoc:  # type: ignore[override]
        return _ILoc("iloc", self)

    @property
    def at(self) -> _At:  # type: ignore[override]
        return _At("at", self)

    @property
    def iat(self) -> _IAt:  # type: ignore[override]
        return _IAt("iat", self)

    __setitem__ = _refuse
    __delitem__ = _refuse
    insert = _refuse
    update = _refuse
    pop = _refuse
    isetitem = _refuse
    _update_inplace = _refuse

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name in ("columns", "index", "crs", "geometry") or name in self.columns:
            _refuse()
        super().__setattr__(name, value)

    def _set_axis_nocheck(self, labels, axis, inplace, *args, **kwargs):
        if inplace:
            _refuse()
        return super()._set_axis_nocheck(labels, axis, inplace, *args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        return _thaw(super().__getitem__(key))

    def _constructor_from_mgr(self, mgr, axes):
        return _thaw(super()._constructor_from_mgr(mgr, axes))

    def __reduce__(self):  # pickles (e.g. to Dask workers) as a frozen frame again
        return freeze, (gpd.GeoDataFrame(self),)


def _thaw(result: Any) -> Any:
    if isinstance(result, FrozenGeoDataFrame):
        result.__class__ = gpd.GeoDataFrame
    return result


def freeze(frame: gpd.GeoDataFrame) -> FrozenGeoDataFrame:
    """A read-only copy of ``frame`` (its arrays are copied, so the caller's frame stays writable)."""
    frozen = gpd.GeoDataFrame(frame).copy()
    frozen.__class__ = FrozenGeoDataFrame
    return frozen
