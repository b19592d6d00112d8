"""corridor.packing: what a network derived reads back equal, geometries and row tables included."""

from __future__ import annotations

import math
import pickle

import shapely
from shapely.geometry import LineString, Point

from corridor.packing import MIN_ROWS, RowTable, pack, table_column, unpack


def _rows(n: int) -> dict:
    return {f"l{i}": {"id": f"l{i}", "length_km": float(i) if i % 3 else math.nan,
                      "geometry": LineString([(i, 0), (i + 1, 1)]), "kind": ["rail"]}
            for i in range(n)}


def test_a_table_of_rows_reads_back_equal_in_the_same_order():
    table = _rows(MIN_ROWS * 2)
    back = unpack(pack({"records": (table, {"a": 1})}))["records"]
    assert back[1] == {"a": 1} and isinstance(back[0], RowTable)
    assert list(back[0]) == list(table) and len(back[0]) == len(table) and "l1" in back[0]
    assert back[0].get("nowhere") is None and "nowhere" not in back[0]
    for key, row in table.items():
        assert list(back[0][key]) == list(row)
        assert [type(v) for v in back[0][key].values()] == [type(v) for v in row.values()]
        assert back[0][key]["geometry"].equals_exact(row["geometry"], 0)
        same = back[0][key]["length_km"] == row["length_km"] or math.isnan(row["length_km"])
        assert same and back[0][key]["kind"] == row["kind"]


def test_a_column_reads_the_same_from_a_packed_table_and_from_its_rows():
    table = _rows(MIN_ROWS * 2)
    back = unpack(pack({"records": table}))["records"]
    assert isinstance(back, RowTable)
    for key in ("id", "length_km", "kind"):
        packed, plain = table_column(back, key), table_column(table, key)
        assert len(packed) == len(plain) == len(table)
        assert all(a == b or (a != a and b != b) for a, b in zip(packed, plain, strict=True)), key
    assert not back._rows  # read by column: no row was built
    assert [type(v) for v in table_column(back, "length_km")] == [float] * len(table)


def test_geometries_are_stored_once_in_one_wkb_array():
    shared = Point(1.5, 2.5)
    data = pack({"a": [shared, shared, Point(3, 4)], "b": {"p": shared}})
    payload, wkb = data
    assert len(wkb) == 2 and b"shapely" not in payload  # no geometry pickled on its own
    back = unpack(pickle.loads(pickle.dumps(data)))
    assert back["a"][0] is back["a"][1] is back["b"]["p"]
    assert shapely.equals_exact(back["a"][2], Point(3, 4))


def test_tables_with_uneven_rows_and_values_without_geometry_stay_as_they_are():
    uneven = {str(i): ({"a": i} if i else {"b": i}) for i in range(MIN_ROWS + 1)}
    values = {"uneven": uneven, "small": {"x": {"a": 1}}, "number": 3, "empty": {}}
    data = pack(values)
    assert data[1] is None  # no geometry: shapely is not needed to read it back
    assert unpack(data) == values


def test_a_table_read_back_pickles_again_to_the_same_rows():
    table = {f"n{i}": {"id": f"n{i}", "tracks": i, "electrified": bool(i % 2)}
             for i in range(MIN_ROWS)}
    once = unpack(pack({"t": table}))["t"]
    twice = pickle.loads(pickle.dumps(once))
    assert dict(twice.items()) == table == dict(unpack(pack({"t": once}))["t"].items())
