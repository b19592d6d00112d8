"""Pickling what a network derived so that it reads back fast (the ``--data`` cache).

A 100,000-node network derives look-up records (a dict of row dicts per table, the link rows
holding a shapely LineString each). Pickled as they are, reading them back builds every shapely
geometry with its own WKB call and every row dict key by key: seconds. :func:`pack` stores every
shapely geometry found anywhere in the value in one WKB array (read back by one vectorised
``shapely.from_wkb``) and every table of row dicts (a dict whose values are dicts with the same
keys) column by column; :func:`unpack` gives back an equal value, rows in the same order, keys
in the same order.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from typing import Any

#: a table of fewer rows than this is pickled as it is
MIN_ROWS = 64


@dataclass(frozen=True)
class _Rows:
    """A dict of row dicts, column by column."""

    ids: list
    keys: tuple
    columns: list[list]

    def rebuilt(self) -> dict:
        keys = self.keys
        return dict(zip(self.ids, [dict(zip(keys, row, strict=True))
                                   for row in zip(*self.columns, strict=True)], strict=True))


def _as_rows(table: dict) -> _Rows | None:
    """``table`` column-wise, or None when it is not a table of rows with the same keys."""
    if len(table) < MIN_ROWS:
        return None
    rows = list(table.values())
    if not all(type(row) is dict for row in rows):
        return None
    keys = tuple(rows[0])
    if not keys or any(tuple(row) != keys for row in rows):
        return None
    return _Rows(list(table), keys, [[row[key] for row in rows] for key in keys])


def _columnar(value: Any) -> Any:
    """``value`` with its tables of rows (itself, or items of a tuple) made column-wise."""
    if type(value) is tuple:
        return tuple(_columnar(item) for item in value)
    if type(value) is dict:
        rows = _as_rows(value)
        return value if rows is None else rows
    return value


def _row_wise(value: Any) -> Any:
    if type(value) is tuple:
        return tuple(_row_wise(item) for item in value)
    return value.rebuilt() if type(value) is _Rows else value


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


def pack(values: dict) -> bytes:
    """``values`` pickled with their geometries in one WKB array and their tables column-wise."""
    buffer = io.BytesIO()
    pickler = _GeometryPickler(buffer)
    pickler.dump({key: _columnar(value) for key, value in values.items()})
    wkb = None
    if pickler.geometries:
        import shapely

        wkb = shapely.to_wkb(pickler.geometries, include_srid=True)
    return pickle.dumps((buffer.getvalue(), wkb), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes) -> dict:
    """The values :func:`pack` pickled."""
    payload, wkb = pickle.loads(data)
    geometries: Any = ()
    if wkb is not None:
        import shapely

        geometries = shapely.from_wkb(wkb).tolist()
    values = _GeometryUnpickler(io.BytesIO(payload), geometries).load()
    return {key: _row_wise(value) for key, value in values.items()}
