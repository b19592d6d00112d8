"""The modes tables loaded once: three-point ranges (low, typical, high) looked up by kind, key, container."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from corridor.datafiles import builtin_dir
from corridor.errors import CorridorError, DataError, Problem
from corridor.modes.lanes import ShippedLane, lanes_from_features
from corridor.modes.validation import PORT_COLUMNS, PORTS_FILE, TABLE_FILES, Rows, read_modes_tables


@dataclass(frozen=True)
class Range:
    """A sourced three-point value (low, typical, high) in ``unit``."""

    low: float
    typical: float
    high: float
    unit: str
    source: str
    year: int

    def scaled(self, factor: float) -> Range:
        """The same range multiplied by ``factor`` (units unchanged)."""
        return Range(self.low * factor, self.typical * factor, self.high * factor, self.unit, self.source,
                     self.year)

    @property
    def mean(self) -> float:
        """PERT expected value, as for durations in the time model."""
        return (self.low + 4.0 * self.typical + self.high) / 6.0


@dataclass
class ModeTables:
    """Tariffs, emission factors, sea and air parameters, the port list and the shipped sea lanes."""

    ranges: dict[tuple[str, str, str, str], Range]
    ports: pd.DataFrame
    #: (from port, to port, passage) -> the precomputed searoute lane (``sea_lanes.geojson``)
    lanes: dict[tuple[str, str, str], ShippedLane] = field(default_factory=dict)

    def get(self, table: str, kind: str, key: str, container: str = "*",
            default_key: str | None = "*") -> Range:
        """The range for (kind, key, container); falls back to container '*' then to ``default_key``.

        Raises
        ------
        CorridorError
            When neither the key nor the default has a row.
        """
        for k in (key, default_key):
            for c in (str(container), "*"):
                found = self.ranges.get((table, kind, k, c))
                if found is not None:
                    return found
        raise CorridorError(f"{table}: no row for kind {kind!r}, key {key!r}, container {container}")

    def has(self, table: str, kind: str, key: str, container: str = "*") -> bool:
        """Whether a row exists for exactly this key (either this container or '*')."""
        return any((table, kind, key, c) in self.ranges for c in (str(container), "*"))

    def with_range(self, table: str, kind: str, key: str, container: str, value: Range) -> ModeTables:
        """A copy with one range replaced (what-ifs and property tests; the original is unchanged)."""
        ranges = dict(self.ranges)
        ranges[(table, kind, key, str(container))] = value
        return ModeTables(ranges, self.ports, self.lanes)

    def scaled(self, table: str, kind: str, factor: float, key: str | None = None) -> ModeTables:
        """A copy with every range of ``kind`` (optionally one ``key``) multiplied by ``factor``."""
        ranges = {k: (v.scaled(factor) if k[0] == table and k[1] == kind and key in (None, k[2]) else v)
                  for k, v in self.ranges.items()}
        return ModeTables(ranges, self.ports, self.lanes)

    def sources(self) -> list[str]:
        """Distinct sources of every row, for a result's factor list."""
        return sorted({r.source for r in self.ranges.values()})


def _ranges(tables: dict[str, Rows]) -> dict:
    ranges = {}
    for name, rows in tables.items():
        table = name.removesuffix(".csv")
        for row in rows:
            ranges[(table, row["kind"], row["key"], row["container"])] = Range(
                float(row["low"]), float(row["typical"]), float(row["high"]), row["unit"], row["source"],
                int(float(row["year"])))
    return ranges


def load_tables(directory: str | Path | None = None, node_ids: set[str] | None = None) -> ModeTables:
    """Load and validate the modes tables of a directory (the built-in geodata when omitted).

    Raises
    ------
    DataError
        Listing every problem (file, line, column, value, expectation).
    """
    path = Path(directory) if directory is not None else builtin_dir()
    tables, ports, lanes, problems = read_modes_tables(path, node_ids)
    if problems:
        raise DataError(problems)
    if not tables:
        expected = ", ".join((*TABLE_FILES, PORTS_FILE))
        raise DataError([Problem(str(path), "", "", f"no modes tables; expected {expected}")])
    frame = pd.DataFrame(ports, columns=list(PORT_COLUMNS))
    return ModeTables(_ranges(tables), frame.set_index("id", drop=False), lanes_from_features(lanes))


@lru_cache(maxsize=1)
def builtin_tables() -> ModeTables:
    """The built-in tables (read once; use ``with_range``/``scaled`` for changes, never mutate)."""
    return load_tables()
