"""Pickling what a network derived so that it reads back fast (the ``--data`` cache).

A 100,000-node network derives look-up records (a dict of row dicts per table, the link rows
holding a shapely LineString each). Pickled as they are, reading them back builds every shapely
geometry with its own WKB call and every row dict key by key: seconds. :func:`pack` stores every
shapely geometry found anywhere in the value in one WKB array (read back by one vectorised
``shapely.from_wkb``) and every table of row dicts (a dict whose values are dicts with the same
keys) column by column; :func:`unpack` gives back equal values, a table as a :class:`RowTable`
(a read-only mapping, ids and keys in the same order) that builds each row when first read.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

#: a table of fewer rows than this is pickled as it is
MIN_ROWS = 64


class RowTable(Mapping):
    """A dict of row dicts read back from the cache (id -> {column: value}), each row built on
    its first look-up: a route reads a few hundred of a 100k-node network's 300,000 rows.

    Rows are plain dicts with the keys in their original order; numbers come back as Python
    ``float``/``int``/``bool`` (stored as numpy arrays when a column holds only one of them).
    """

    def __init__(self, ids: list, keys: tuple, columns: list):
        self._ids = ids
        self._keys = keys
        self._columns = columns
        self._position = {key: i for i, key in enumerate(ids)}
        self._rows: dict = {}

    def __getitem__(self, key: Any) -> dict:
        row = self._rows.get(key)
        if row is None:
            i = self._position[key]  # KeyError, as a dict
            row = self._rows[key] = dict(zip(self._keys, [
                values[i] if type(values) is list else values[i].item()
                for values in self._columns], strict=True))
        return row

    def __iter__(self) -> Iterator:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._position

    def __reduce__(self) -> tuple:
        return RowTable, (self._ids, self._keys, self._columns)

    def column(self, key: str) -> list:
        """One column's values in id order, without building the rows."""
        values = self._columns[self._keys.index(key)]
        return values if type(values) is list else values.tolist()


def table_column(table: Mapping, key: str) -> list:
    """One column of a table of row dicts (a dict or a :class:`RowTable`), in id order."""
    if isinstance(table, RowTable):
        return table.column(key)
    return [row[key] for row in table.values()]


#: numpy dtypes a column is stored as when every value is exactly of that Python type
_ARRAY_TYPES = {float: "float64", bool: "bool", int: "int64"}


def _stored_column(values: list) -> Any:
    """A numpy array when every value is a float (or every one a bool, or an int64), else the list
    (strings that are equal made one object)."""
    import numpy as np  # deferred: reading back a network without numeric tables needs none

    kinds = set(map(type, values))
    if kinds == {str}:  # equal strings as one object: pickled once, then referred to
        shared: dict[str, str] = {}
        return [shared.setdefault(value, value) for value in values]
    if len(kinds) != 1 or next(iter(kinds)) not in _ARRAY_TYPES:
        return values
    try:
        return np.array(values, dtype=_ARRAY_TYPES[next(iter(kinds))])
    except OverflowError:
        return values


def _as_rows(table: dict) -> RowTable | None:
    """``table`` column-wise, or None when it is not a table of rows with the same keys."""
    if len(table) < MIN_ROWS:
        return None
    rows = list(table.values())
    if not all(type(row) is dict for row in rows):
        return None
    keys = tuple(rows[0])
    if not keys or any(tuple(row) != keys for row in rows):
        return None
    return RowTable(list(table), keys, [_stored_column([row[key] for row in rows]) for key in keys])


def _columnar(value: Any) -> Any:
    """``value`` with its tables of rows (itself, or items of a tuple) made column-wise."""
    if type(value) is tuple:
        return tuple(_columnar(item) for item in value)
    if type(value) is dict:
        rows = _as_rows(value)
        return value if rows is None else rows
    return value


def _is_geometry(obj: Any) -> bool:
    # by module name: testing with isinstance would import shapely for values without geometry
    return type(obj).__module__.startswith("shapely.") and hasattr(obj, "geom_type")


class _GeometryPickler(pickle.Pickler):
    """Pickles each shapely geometry as its number in ``geometries`` (one object, one number)."""

    def __init__(self, file: io.BytesIO):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.geometries: list = []
        self._numbers: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> int | None:
        if not _is_geometry(obj):
            return None
        number = self._numbers.get(id(obj))
        if number is None:
            number = self._numbers[id(obj)] = len(self.geometries)
            self.geometries.append(obj)
        return number


class _GeometryUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, geometries: Any):
        super().__init__(file)
        self._geometries = geometries

    def persistent_load(self, pid: Any) -> Any:
        return self._geometries[pid]


def pack(values: dict) -> tuple[bytes, Any]:
    """``values`` pickled with their geometries in one WKB array and their tables column-wise:
    ``(pickle, WKB array or None)``, to be pickled as it is (no second copy of the bytes)."""
    buffer = io.BytesIO()
    pickler = _GeometryPickler(buffer)
    pickler.dump({key: _columnar(value) for key, value in values.items()})
    wkb = None
    if pickler.geometries:
        import shapely

        wkb = shapely.to_wkb(pickler.geometries, include_srid=True)
    return buffer.getvalue(), wkb


def unpack(packed: tuple[bytes, Any]) -> dict:
    """The values :func:`pack` packed."""
    payload, wkb = packed
    geometries: Any = ()
    if wkb is not None:
        import shapely

        geometries = shapely.from_wkb(wkb).tolist()
    return _GeometryUnpickler(io.BytesIO(payload), geometries).load()
