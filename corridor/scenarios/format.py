"""What-if scenarios: the Scenario type, its builder API and its TOML format.

A scenario is a pure function ``Corridor -> Corridor``: :meth:`Scenario.apply` copies the node and
link tables, edits the copies and returns a new :class:`~corridor.network.Corridor`; the baseline is
never touched.

Closing an element (``close``, ``avoid_countries``) keeps its row and sets its ``status`` to
``"closed"``. Routing only uses ``operating`` elements (all of ``schema.PLANNED_STATUSES`` with
``include_planned``), so a closed element is never used, while look-ups, maps and comparisons still
see it. Links of a closed node are unusable because one of their ends is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridor.datafiles import builtin_dir, read_text
from corridor.errors import CorridorError, DataError, Problem
from corridor.scenarios.edit import apply_edits
from corridor.scenarios.spec import (
    _NAME,
    CLOSABLE_PASSAGES,
    SCENARIO_DIR,
    Edit,
    _closest,
    _strings,
    passage_problem,
    tariff_problem,
)
from corridor.schema import (
    FERRY_FIELDS,
    LATITUDE,
    LINK_FIELDS,
    LONGITUDE,
    NODE_FIELDS,
    SCENARIO_FIELDS,
)
from corridor.validation import check_number

if TYPE_CHECKING:
    from corridor.network import Corridor

#: a scenario file larger than this is refused unread (bytes)
MAX_SCENARIO_BYTES = 1_000_000
#: deepest nesting of tables and arrays in a scenario file (``[[add_link]]`` geometry needs 5)
MAX_TOML_DEPTH = 8
#: longest chain of ``base`` scenarios
MAX_BASE_CHAIN = 32
#: most points in the geometry of an added line
MAX_GEOMETRY_POINTS = 100_000

@dataclass
class Scenario:
    """A named what-if: edits to apply to a network.

    Build one in code (every method returns the scenario, so calls chain) or read a TOML file:

    >>> s = Scenario("dostyk-jam").delay("dostyk", hours=72).scale("speed_kmh", 0.9, country="KZ")
    >>> [e.op for e in s.edits]
    ['delay', 'scale']
    """

    name: str
    description: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    base: str | None = None
    compare_with: str | None = None
    pairs: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    path: Path | None = field(default=None, compare=False, repr=False)

    # -- builder --------------------------------------------------------------------------------
    def _add(self, op: str, **kwargs) -> Scenario:
        where = (f"scenario {self.name!r}", f"edit {len(self.edits) + 1} ({op})")
        self.edits.append(Edit(op, where=where, **kwargs))
        return self

    def close(self, *ids: str) -> Scenario:
        """Close places or links (status ``closed``: never routed)."""
        return self._add("close", ids=_strings(ids))

    def delay(self, *ids: str, hours: float) -> Scenario:
        """Add ``hours`` to every dwell value of places, or to the running time of links."""
        return self._add("delay", ids=_strings(ids), value=self._checked("hours", hours))

    def set(self, attribute: str, value: Any, *ids: str, country: str | None = None,
            mode: str | None = None, kind: str | None = None) -> Scenario:
        """Set an attribute on the given elements (or those selected by country/mode/kind)."""
        return self._add("set", ids=_strings(ids), attribute=attribute, value=value,
                         country=country, mode=mode, kind=kind)

    def scale(self, attribute: str, factor: float, *ids: str, country: str | None = None,
              mode: str | None = None, kind: str | None = None) -> Scenario:
        """Multiply an attribute (and its min/max spread) by ``factor`` on the selected elements."""
        return self._add("scale", ids=_strings(ids), attribute=attribute,
                         value=self._checked("factor", factor), country=country, mode=mode,
                         kind=kind)

    def enable(self, *ids: str) -> Scenario:
        """Switch planned or under-construction places and links to ``operating``."""
        return self._add("enable", ids=_strings(ids))

    def avoid_countries(self, *codes: str) -> Scenario:
        """Close every place in these countries (ISO 3166-1 alpha-2)."""
        return self._add("avoid_countries", ids=tuple(c.upper() for c in _strings(codes)))

    def add_node(self, id: str, *, lon: float, lat: float, **props: Any) -> Scenario:
        """Add a place: ``name``, ``country``, ``kind`` and ``source`` are required."""
        return self._add("add_node", ids=(id,), value={"id": id, "lon": lon, "lat": lat, **props})

    def add_link(self, id: str, *, geometry: Sequence[Sequence[float]], **props: Any) -> Scenario:
        """Add a line with its lon/lat ``geometry``; ``from``/``to`` go in as ``start``/``end``.

        ``length_km`` defaults to the geodesic length of the geometry.
        """
        props = {("from" if k == "start" else "to" if k == "end" else k): v for k, v in props.items()}
        coords = [list(map(float, c)) for c in geometry]
        return self._add("add_link", ids=(id,), value={"id": id, **props, "geometry": coords})

    def demand(self, origin: str = "*", destination: str = "*", *,
               trains_day: float | None = None, factor: float | None = None) -> Scenario:
        """Change demand between places (``*`` for any): a new ``trains_day`` or a ``factor``."""
        change = {"origin": origin, "destination": destination}
        change.update({k: self._checked(spec, v) for k, spec, v in (
            ("trains_day", "trains_day", trains_day), ("factor", "demand_factor", factor))
            if v is not None})
        return self._add("demand", value=change)

    def close_passage(self, *passages: str) -> Scenario:
        """Close sea passages (``"suez"``: the Red Sea closure) for the modes comparison."""
        for passage in _strings(passages):
            self._refuse(passage_problem(passage), "passage")
        return self._add("close_passage", ids=_strings(passages))

    def scale_tariff(self, table: str, kind: str, factor: float, key: str | None = None) -> Scenario:
        """Multiply rows of a modes money table (``tariffs``, ``sea``, ``air``) by ``factor``.

        ``key`` picks one key of the kind (``"KTZ"`` of ``rail_km``); all keys when omitted.
        """
        self._refuse(tariff_problem(table, kind), "kind")
        value = {"table": table, "kind": kind, "key": key,
                 "factor": self._checked("tariff_factor", factor)}
        return self._add("scale_tariff", value=value)

    def _refuse(self, message: str | None, field_name: str) -> None:
        if message:
            where = f"edit {len(self.edits) + 1}"
            raise DataError([Problem(f"scenario {self.name!r}", where, field_name, message)])

    def _checked(self, spec: str, value: Any) -> float:
        """``value`` as a float after the schema's check (``SCENARIO_FIELDS[spec]``)."""
        field = SCENARIO_FIELDS[spec]
        message = check_number(field, value)
        if message:
            where = f"edit {len(self.edits) + 1}"
            raise DataError([Problem(f"scenario {self.name!r}", where, field.name, message)])
        return float(value)

    # -- files ----------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read and check a scenario file (structure and types; ids are checked by ``apply``)."""
        return read_scenario(Path(path))

    @classmethod
    def builtin(cls, name: str) -> Scenario:
        """A built-in scenario by name (see :func:`builtin_scenarios`)."""
        return find_scenario(name)

    # -- applying -------------------------------------------------------------------------------
    def flatten(self) -> Scenario:
        """This scenario with its ``base`` chain resolved: base edits first, ``base=None``.

        Raises
        ------
        CorridorError
            When the chain loops, or is longer than ``MAX_BASE_CHAIN``.
        """
        edits, current = list(self.edits), self
        seen = [_identity(self)]
        names = [self.name]
        while current.base:
            base = find_scenario(current.base, near=current.path, as_base=True)
            names.append(current.base)
            if _identity(base) in seen:
                raise CorridorError(
                    f"scenario {self.name!r}: base chain loops ({' -> '.join(names)})")
            if len(seen) > MAX_BASE_CHAIN:
                raise CorridorError(f"scenario {self.name!r}: base chain longer than "
                                    f"{MAX_BASE_CHAIN} scenarios")
            seen.append(_identity(base))
            current = base
            edits = list(current.edits) + edits
        return replace(self, base=None, edits=edits)

    def apply(self, net: Corridor) -> Corridor:
        """Return a new network with this scenario's edits (and its base's) applied.

        Raises
        ------
        DataError
            Listing every unknown id (with suggestions), wrong value or contradiction found.
        """
        flat = self.flatten()
        return apply_edits(net, flat.edits, name=self.name, scenario=flat)

    def baseline(self, net: Corridor) -> Corridor:
        """The network this scenario is compared with: ``net``, or ``compare_with`` applied."""
        if not self.compare_with:
            return net
        return find_scenario(self.compare_with, near=self.path).apply(net)

    def demand_table(self, demand: pd.DataFrame, net: Corridor | None = None) -> pd.DataFrame:
        """Apply the ``demand`` edits to a demand table (columns origin, destination, trains_day).

        With ``net``, the places of the edits are resolved to node ids first (as
        ``corridor.bottlenecks.load_demand(net=...)`` does for the table).
        """
        table = demand.copy()
        for edit in self.flatten().edits:
            if edit.op == "demand":
                change = dict(edit.value)
                if net is not None:
                    for end in ("origin", "destination"):
                        if change.get(end, "*") != "*":
                            change[end] = net.resolve(change[end])
                table = _edit_demand(table, change)
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {"name": self.name, "description": self.description, "base": self.base,
                "compare_with": self.compare_with, "pairs": self.pairs, "sources": self.sources,
                "edits": [e.op for e in self.edits],
                "file": str(self.path) if self.path else None}




def _identity(scenario: Scenario) -> str:
    return str(scenario.path.resolve()) if scenario.path is not None else f"name:{scenario.name}"


def _edit_demand(table: pd.DataFrame, change: Mapping[str, Any]) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for end in ("origin", "destination"):
        if change.get(end, "*") != "*":
            mask &= table[end] == change[end]
    if "factor" in change:
        table.loc[mask, "trains_day"] = table.loc[mask, "trains_day"] * change["factor"]
    if "trains_day" in change:
        if mask.any():
            table.loc[mask, "trains_day"] = change["trains_day"]
        elif "*" not in (change.get("origin"), change.get("destination")):
            row = {"origin": change["origin"], "destination": change["destination"],
                   "trains_day": change["trains_day"]}
            table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table


# -- reading TOML ---------------------------------------------------------------------------------

TOP_KEYS = {"name", "description", "sources", "base", "compare_with", "pairs", "close", "enable",
            "avoid_countries", "delay", "set", "scale", "add_node", "add_link", "demand",
            "close_passage", "scale_tariff"}
TABLE_KEYS = {
    "sources": ({"title"}, {"title", "url", "date", "publisher", "note"}),
    "delay": ({"hours"}, {"id", "ids", "hours", "note"}),
    "set": ({"attribute", "value"}, {"id", "ids", "attribute", "value", "country", "mode", "kind",
                                     "note"}),
    "scale": ({"attribute", "factor"}, {"id", "ids", "attribute", "factor", "country", "mode",
                                        "kind", "note"}),
    "add_node": ({"id", "name", "country", "kind", "lon", "lat", "source"},
                 {f.name for f in NODE_FIELDS} | {"lon", "lat"}),
    "add_link": ({"id", "from", "to", "mode", "source", "geometry"},
                 {f.name for f in LINK_FIELDS} | {f.name for f in FERRY_FIELDS} | {"geometry"}),
    "demand": (set(), {"origin", "destination", "trains_day", "factor", "note"}),
    "close_passage": ({"passage"}, {"passage", "note"}),
    "scale_tariff": ({"table", "kind", "factor"}, {"table", "kind", "key", "factor", "note"}),
}


class _Reader:
    """Checks a parsed TOML document and turns it into a Scenario, collecting every problem."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.splitlines()
        self.problems: list[Problem] = []

    # where things are in the file
    def line_of(self, table: str | None, index: int | None = None, key: str | None = None) -> int:
        start, end = 0, len(self.lines)
        if table is not None and index is not None:
            headers = [i for i, line in enumerate(self.lines)
                       if re.match(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]", line)]
            if index < len(headers):
                start = headers[index]
                later = [i for i, line in enumerate(self.lines)
                         if i > start and re.match(r"^\s*\[", line)]
                end = later[0] if later else len(self.lines)
            if key is None:
                return start + 1
        key = key or table
        for i in range(start, end):
            if re.match(rf"^\s*\"?{re.escape(str(key))}\"?\s*=", self.lines[i]):
                return i + 1
        return start + 1 if table is not None and index is not None else 0

    def problem(self, key: str, message: str, line: int = 0) -> None:
        where = f"{key} (line {line})" if line else key
        self.problems.append(Problem(str(self.path), where, "", message))

    def where(self, key: str, line: int) -> tuple[str, str]:
        return (str(self.path), f"{key} (line {line})" if line else key)

    # checks
    def expect(self, value: Any, kinds: tuple[type, ...], label: str, key: str, line: int) -> bool:
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            self.problem(key, f"expected {label}, got {type(value).__name__} {value!r}", line)
        return ok

    def id_list(self, value: Any, key: str, line: int) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        self.problem(key, f"expected a string or a list of strings, got {value!r}", line)
        return ()

    def table_list(self, doc: Mapping, name: str) -> list[tuple[int, dict, int]]:
        items = doc.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.problem(name, f"expected [[{name}]] tables", self.line_of(name))
            return []
        out = []
        required, allowed = TABLE_KEYS[name]
        for index, item in enumerate(items):
            line = self.line_of(name, index)
            for key in sorted(set(item) - allowed):
                self.problem(f"{name}[{index}].{key}", f"unknown key; expected one of "
                             f"{', '.join(sorted(allowed))}", self.line_of(name, index, key))
            for key in sorted(required - set(item)):
                self.problem(f"{name}[{index}]", f"missing key {key!r}", line)
            out.append((index, item, line))
        return out

    def read(self, doc: Mapping[str, Any]) -> Scenario:
        for key in sorted(set(doc) - TOP_KEYS):
            close = _closest(key, TOP_KEYS)
            self.problem(key, "unknown key" + (f"; did you mean {close!r}?" if close else
                                                f"; expected one of {', '.join(sorted(TOP_KEYS))}"),
                         self.line_of(key))
        name = doc.get("name")
        if name is None:
            self.problem("name", "missing key 'name'")
            name = self.path.stem
        elif self.expect(name, (str,), "a string", "name", self.line_of("name")) and not \
                _NAME.match(name):
            self.problem("name", f"{name!r}: expected a lowercase slug like 'dostyk-closed'",
                         self.line_of("name"))
        scenario = Scenario(str(name), path=self.path)
        for key in ("description", "base", "compare_with"):
            if key in doc and self.expect(doc[key], (str,), "a string", key, self.line_of(key)):
                setattr(scenario, key, doc[key])
        if "pairs" in doc:
            scenario.pairs = list(self.id_list(doc["pairs"], "pairs", self.line_of("pairs")))
            for pair in scenario.pairs:
                if len([p for p in pair.split(":") if p.strip()]) != 2:
                    self.problem("pairs", f"{pair!r}: expected 'ORIGIN:DESTINATION'",
                                 self.line_of("pairs"))
        scenario.sources = self.sources(doc)
        self.simple_edits(doc, scenario)
        self.table_edits(doc, scenario)
        return scenario

    def sources(self, doc: Mapping) -> list[dict[str, str]]:
        out = []
        for index, item, _line in self.table_list(doc, "sources"):
            entry = {}
            for key, value in item.items():
                if key in TABLE_KEYS["sources"][1]:
                    entry[key] = value.isoformat() if hasattr(value, "isoformat") else value
                    if not isinstance(entry[key], str):
                        self.problem(f"sources[{index}].{key}", f"expected a string or date, got "
                                     f"{value!r}", self.line_of("sources", index, key))
            out.append(entry)
        return out

    def simple_edits(self, doc: Mapping, scenario: Scenario) -> None:
        for op in ("close", "enable", "avoid_countries"):
            if op in doc:
                line = self.line_of(op)
                ids = self.id_list(doc[op], op, line)
                if op == "avoid_countries":
                    ids = tuple(code.upper() for code in ids)
                if ids:
                    scenario.edits.append(Edit(op, ids=ids, where=self.where(op, line)))

    def table_edits(self, doc: Mapping, scenario: Scenario) -> None:
        for op in ("delay", "set", "scale", "add_node", "add_link", "demand", "close_passage",
                   "scale_tariff"):
            for index, item, line in self.table_list(doc, op):
                edit = getattr(self, f"_{op}")(f"{op}[{index}]", item, index)
                if edit is not None:
                    scenario.edits.append(replace(edit, where=self.where(f"{op}[{index}]", line)))

    def _ids(self, key: str, item: Mapping, index: int, op: str) -> tuple[str, ...]:
        ids: tuple[str, ...] = ()
        for name in ("id", "ids"):
            if name in item:
                ids += self.id_list(item[name], f"{key}.{name}", self.line_of(op, index, name))
        return ids

    def _number(self, key: str, item: Mapping, name: str, index: int, op: str,
                spec: str | None = None) -> float | None:
        value = item.get(name)
        line = self.line_of(op, index, name)
        if value is None or not self.expect(value, (int, float), "a number", f"{key}.{name}", line):
            return None
        message = check_number(SCENARIO_FIELDS[spec or name], value)
        if message:
            self.problem(f"{key}.{name}", message, line)
            return None
        return float(value)

    def _field_numbers(self, key: str, item: Mapping, index: int, op: str) -> None:
        """Check every number of an added place or line against the schema (finite, in range)."""
        fields = {f.name: f for f in (*NODE_FIELDS, LONGITUDE, LATITUDE)} if op == "add_node" \
            else {f.name: f for f in (*LINK_FIELDS, *FERRY_FIELDS)}
        for name, value in item.items():
            field = fields.get(name)
            if field is not None and field.type in ("number", "int") and value is not None \
                    and field.choices is None:
                message = check_number(field, value)
                if message:
                    self.problem(f"{key}.{name}", message, self.line_of(op, index, name))

    def _selectors(self, key: str, item: Mapping, index: int, op: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for name in ("country", "mode", "kind"):
            value = item.get(name)
            if value is not None and not self.expect(value, (str,), "a string", f"{key}.{name}",
                                                     self.line_of(op, index, name)):
                value = None
            out[name] = value
        return out

    def _delay(self, key: str, item: Mapping, index: int) -> Edit | None:
        ids = self._ids(key, item, index, "delay")
        hours = self._number(key, item, "hours", index, "delay")
        if not ids:
            self.problem(key, "give 'id' or 'ids'", self.line_of("delay", index))
        return Edit("delay", ids=ids, value=hours) if ids and hours is not None else None

    def _set(self, key: str, item: Mapping, index: int) -> Edit | None:
        attribute = item.get("attribute")
        line = self.line_of("set", index, "attribute")
        if attribute is None or not self.expect(attribute, (str,), "a string",
                                                f"{key}.attribute", line):
            return None
        # the value is checked against the attribute's schema field when applied (edit.py)
        return Edit("set", ids=self._ids(key, item, index, "set"), attribute=attribute,
                    value=item.get("value"), **self._selectors(key, item, index, "set"))

    def _scale(self, key: str, item: Mapping, index: int) -> Edit | None:
        attribute = item.get("attribute")
        factor = self._number(key, item, "factor", index, "scale")
        line = self.line_of("scale", index, "attribute")
        if attribute is None or not self.expect(attribute, (str,), "a string",
                                                f"{key}.attribute", line) or factor is None:
            return None
        return Edit("scale", ids=self._ids(key, item, index, "scale"), attribute=attribute,
                    value=factor, **self._selectors(key, item, index, "scale"))

    def _add_node(self, key: str, item: Mapping, index: int) -> Edit | None:
        self._field_numbers(key, item, index, "add_node")
        if not isinstance(item.get("id"), str):
            return None
        return Edit("add_node", ids=(item["id"],), value=dict(item))

    def _add_link(self, key: str, item: Mapping, index: int) -> Edit | None:
        self._field_numbers(key, item, index, "add_link")
        if not isinstance(item.get("id"), str):
            return None
        coords = item.get("geometry")
        if not (isinstance(coords, list) and 2 <= len(coords) <= MAX_GEOMETRY_POINTS and all(
                isinstance(c, list) and len(c) == 2 and check_number(LONGITUDE, c[0]) is None
                and check_number(LATITUDE, c[1]) is None for c in coords)):
            self.problem(f"{key}.geometry", "expected a list of 2+ (at most "
                         f"{MAX_GEOMETRY_POINTS:,}) [lon, lat] pairs of finite degrees "
                         "(lon in [-180, 180], lat in [-90, 90])",
                         self.line_of("add_link", index, "geometry"))
            return None
        value = dict(item)
        value["geometry"] = [[float(v) for v in c] for c in coords]
        return Edit("add_link", ids=(item["id"],), value=value)

    def _demand(self, key: str, item: Mapping, index: int) -> Edit | None:
        change: dict[str, Any] = {"origin": "*", "destination": "*"}
        for end in ("origin", "destination"):
            if end in item and self.expect(item[end], (str,), "a string", f"{key}.{end}",
                                           self.line_of("demand", index, end)):
                change[end] = item[end]
        for name in ("trains_day", "factor"):
            if name in item:
                number = self._number(key, item, name, index, "demand",
                                      "demand_factor" if name == "factor" else name)
                if number is not None:
                    change[name] = number
        if not {"trains_day", "factor"} & set(item):
            self.problem(key, "give 'trains_day' or 'factor'", self.line_of("demand", index))
            return None
        if not {"trains_day", "factor"} & set(change):
            return None
        return Edit("demand", value=change)


    def _string(self, key: str, item: Mapping, name: str, index: int, op: str) -> str | None:
        value = item.get(name)
        if value is None or not self.expect(value, (str,), "a string", f"{key}.{name}",
                                            self.line_of(op, index, name)):
            return None
        return value

    def _close_passage(self, key: str, item: Mapping, index: int) -> Edit | None:
        passage = self._string(key, item, "passage", index, "close_passage")
        if passage is None:
            return None
        message = passage_problem(passage)
        if message:
            close = _closest(passage, CLOSABLE_PASSAGES)
            self.problem(f"{key}.passage", message + (f"; did you mean {close!r}?" if close else ""),
                         self.line_of("close_passage", index, "passage"))
            return None
        return Edit("close_passage", ids=(passage,))

    def _scale_tariff(self, key: str, item: Mapping, index: int) -> Edit | None:
        table = self._string(key, item, "table", index, "scale_tariff")
        kind = self._string(key, item, "kind", index, "scale_tariff")
        factor = self._number(key, item, "factor", index, "scale_tariff", "tariff_factor")
        selector = None
        if "key" in item:
            selector = self._string(key, item, "key", index, "scale_tariff")
            if selector is None:
                return None
        if table is None or kind is None:
            return None
        message = tariff_problem(table, kind)
        if message:
            name = "table" if "table " in message[:6] else "kind"
            self.problem(f"{key}.{name}", message, self.line_of("scale_tariff", index, name))
            return None
        if factor is None:
            return None
        return Edit("scale_tariff", value={"table": table, "kind": kind, "key": selector,
                                           "factor": factor})


def _depth(doc: Any) -> int:
    """How deeply tables and arrays nest in a parsed document (iteratively: no recursion)."""
    deepest, stack = 0, [(doc, 0)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(value, dict):
            stack += [(v, level + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, level + 1) for v in value]
    return deepest


def read_scenario(path: Path) -> Scenario:
    """Parse and check one scenario file; DataError lists every problem with its key and line.

    The file must be UTF-8 (a byte-order mark is ignored) and at most ``MAX_SCENARIO_BYTES``;
    tables and arrays may nest ``MAX_TOML_DEPTH`` levels deep.
    """
    text = read_text(path, MAX_SCENARIO_BYTES)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError([Problem(str(path), "", "", f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise DataError([Problem(str(path), "", "", "not valid TOML: nested too deeply")]) from None
    if _depth(doc) > MAX_TOML_DEPTH:
        raise DataError([Problem(str(path), "", "", f"tables and arrays nest deeper than "
                                 f"{MAX_TOML_DEPTH} levels; a scenario needs at most 5")])
    reader = _Reader(path, text)
    scenario = reader.read(doc)
    if reader.problems:
        raise DataError(reader.problems)
    return scenario


# -- finding scenarios ----------------------------------------------------------------------------

def builtin_scenario_dir() -> Path:
    """Directory of the built-in scenario files."""
    return builtin_dir() / SCENARIO_DIR


def builtin_scenarios() -> list[Scenario]:
    """Every built-in scenario, sorted by name."""
    return [read_scenario(p) for p in sorted(builtin_scenario_dir().glob("*.toml"))]


def find_scenario(name_or_path: str | Path, near: Path | None = None,
                  as_base: bool = False) -> Scenario:
    """A scenario by file path, or by name: next to ``near`` first, then among the built-ins.

    A relative path is taken relative to the folder of ``near`` (the scenario that names it),
    else to the current directory. With ``as_base`` (a scenario's ``base`` or ``compare_with``),
    a path must be a relative ``.toml`` path that stays inside that folder: a scenario file
    cannot make corridor open files elsewhere.
    """
    text = str(name_or_path)
    candidate = Path(text)
    folder = near.parent if near is not None else None
    if as_base and (candidate.suffix == ".toml" or "/" in text or "\\" in text):
        return read_scenario(_confined(candidate, folder, f"{near}: base {text!r}"))
    if candidate.suffix == ".toml" or candidate.is_file():
        if folder is not None and not candidate.is_absolute():
            candidate = folder / candidate
        return read_scenario(candidate)
    folders = ([folder] if folder is not None else []) + [builtin_scenario_dir()]
    for place in folders:
        if (place / f"{text}.toml").is_file():
            return read_scenario(place / f"{text}.toml")
    known = [p.stem for p in builtin_scenario_dir().glob("*.toml")]
    close = _closest(text, known)
    hint = f"; did you mean {close!r}?" if close else f"; built-in: {', '.join(sorted(known))}"
    raise CorridorError(f"unknown scenario {text!r}{hint}")


def _confined(candidate: Path, folder: Path | None, label: str) -> Path:
    """The file a ``base`` path names, refused unless it is a ``.toml`` inside ``folder``."""
    root = (folder if folder is not None else Path.cwd()).resolve()
    if candidate.is_absolute() or candidate.suffix != ".toml":
        raise CorridorError(f"{label}: expected a scenario name or a relative .toml path "
                            f"inside {root}")
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise CorridorError(f"{label}: leaves the scenario's folder {root}; expected a "
                            ".toml file inside it")
    return resolved
