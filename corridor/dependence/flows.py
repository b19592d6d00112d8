"""Flow definitions (``geodata/flows.csv``) and Kazakhstan's exports as a flow.

A flow is a set of origin-destination trains: the demand rows whose origin lies in the flow's
origin countries and destination in its destination countries (``china-europe``,
``china-central-asia``), or Kazakhstan's exports of grain and meat (``geodata/kz_exports.csv``)
turned into trains per day with the stated factors of ``geodata/export_units.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from corridor.datafiles import builtin_dir, read_csv_table
from corridor.errors import CorridorError, DataError, Problem, UnknownPlaceError
from corridor.network import Corridor
from corridor.schema import Field
from corridor.validation import parse_number

FLOWS_FILE = "flows.csv"
EXPORTS_FILE = "kz_exports.csv"
UNITS_FILE = "export_units.csv"
#: columns of a flow's demand frame
FLOW_COLUMNS = ["origin", "destination", "market_country", "trains_day", "teu_per_train", "commodity",
                "source", "note"]

_TONNES = Field("tonnes", "number", minimum=0.0, maximum=1e9)
_SHARE = Field("share", "number", minimum=0.0, maximum=1.0)
_POSITIVE = Field("factor", "number", positive=True, minimum=0.0, maximum=1e6)
_TEU = Field("teu", "number", minimum=0.0, maximum=1e4)


@dataclass(frozen=True)
class Flow:
    """One flow definition: name, origin and destination countries ('*' = any), TEU per train."""

    name: str
    origin_countries: frozenset[str]
    destination_countries: frozenset[str]
    demand: str
    teu_per_train: float | None
    description: str
    source: str


def load_flows(directory: Path | None = None) -> dict[str, Flow]:
    """The flow definitions, by name."""
    file = (directory or builtin_dir()) / FLOWS_FILE
    table = read_csv_table(file)
    flows, problems = {}, []
    for line, row in enumerate(table.to_dict("records"), start=2):
        teu = None
        if row.get("teu_per_train", "").strip():
            teu, message = parse_number(_TEU, row["teu_per_train"])
            if message:
                problems.append(Problem(FLOWS_FILE, f"row {line}", "teu_per_train", message))
        flows[row["flow"]] = Flow(
            row["flow"], frozenset(row["origin_countries"].split()),
            frozenset(row["destination_countries"].split()), row["demand"], teu, row["description"],
            row["source"])
    if problems:
        raise DataError(problems)
    return flows


def flow_names() -> list[str]:
    return list(load_flows())


def get_flow(name: str) -> Flow:
    flows = load_flows()
    if name not in flows:
        raise CorridorError(f"unknown flow {name!r}; expected one of {', '.join(flows)}")
    return flows[name]


def _matches(codes: frozenset[str], country: str) -> bool:
    return "*" in codes or country in codes


def flow_demand(net: Corridor, flow: Flow, demand: pd.DataFrame) -> pd.DataFrame:
    """The rows of a demand table that belong to a flow (columns ``FLOW_COLUMNS``)."""
    country = net.nodes["country"]
    keep = [(_matches(flow.origin_countries, country[o]) and _matches(flow.destination_countries, country[d]))
            for o, d in zip(demand["origin"], demand["destination"], strict=True)]
    rows = demand[keep]
    frame = pd.DataFrame({
        "origin": rows["origin"], "destination": rows["destination"],
        "market_country": [country[d] for d in rows["destination"]],
        "trains_day": rows["trains_day"].astype(float), "teu_per_train": flow.teu_per_train or 0.0,
        "commodity": "containers", "source": rows["source"], "note": rows.get("note", "")})
    frame = frame[frame["trains_day"] > 0].reset_index(drop=True)
    if frame.empty:
        origins, ends = " ".join(sorted(flow.origin_countries)), " ".join(sorted(flow.destination_countries))
        raise CorridorError(f"flow {flow.name!r}: no demand row goes from {origins} to {ends}")
    return frame


# -- Kazakhstan's exports --------------------------------------------------------------------------

def load_export_units(directory: Path | None = None) -> pd.DataFrame:
    """Conversion factors per commodity: tonnes per unit, units per train, TEU per unit."""
    file = (directory or builtin_dir()) / UNITS_FILE
    table = read_csv_table(file)
    problems = []
    specs = (("tonnes_per_unit", _POSITIVE), ("units_per_train", _POSITIVE), ("teu_per_unit", _TEU))
    for column, spec in specs:
        values = []
        for line, text in enumerate(table[column], start=2):
            value, message = parse_number(spec, text)
            if message:
                problems.append(Problem(UNITS_FILE, f"row {line}", column, message))
            values.append(value)
        table[column] = values
    if problems:
        raise DataError(problems)
    table["tonnes_per_train"] = table["tonnes_per_unit"] * table["units_per_train"]
    table["teu_per_train"] = table["teu_per_unit"] * table["units_per_train"]
    return table.set_index("commodity")


def export_demand(net: Corridor, path: str | Path | None = None) -> pd.DataFrame:
    """Kazakhstan's exports as trains per day from the producing regions' stations to their markets.

    ``tonnes`` over the row's period (``period_start`` to ``period_end``, both included) give tonnes
    per day; each is split over the row's ``origins`` (``station:share``) and divided by the
    commodity's tonnes per train.

    Raises
    ------
    DataError
        Naming the file, row, column and value of every bad cell.
    """
    file = Path(path) if path is not None else builtin_dir() / EXPORTS_FILE
    units = load_export_units()
    table = read_csv_table(file)
    missing = [c for c in ("commodity", "market", "market_country", "origins", "tonnes", "period_start",
                           "period_end", "source") if c not in table.columns]
    if missing:
        raise DataError([Problem(file.name, "header", c, "missing column") for c in missing])
    records, problems = [], []
    for line, row in enumerate(table.to_dict("records"), start=2):
        records += _export_rows(net, file.name, line, row, units, problems)
    if problems:
        raise DataError(problems)
    if not records:
        raise DataError([Problem(file.name, "", "", "no export rows")])
    return pd.DataFrame(records, columns=FLOW_COLUMNS)


def _export_rows(net, name: str, line: int, row: dict, units: pd.DataFrame, problems: list) -> list[tuple]:
    where = f"row {line}"
    before = len(problems)
    item = row["commodity"].strip()
    if item not in units.index:
        expected = ", ".join(units.index)
        problems.append(Problem(name, where, "commodity", f"{item!r}; expected one of {expected}"))
    market = _place(net, name, where, "market", row["market"], problems)
    tonnes, message = parse_number(_TONNES, row["tonnes"])
    if message:
        problems.append(Problem(name, where, "tonnes", message))
    days = _period_days(name, where, row, problems)
    origins = _origins(net, name, where, row["origins"], problems)
    if not row["source"].strip():
        problems.append(Problem(name, where, "source", "empty; every row needs a source"))
    if len(problems) > before:
        return []
    per_train = units.at[item, "tonnes_per_train"]
    return [(origin, market, row["market_country"].strip(), tonnes / days * share / per_train,
             float(units.at[item, "teu_per_train"]), item, row["source"], row.get("note", ""))
            for origin, share in origins if origin != market]


def _place(net, name, where, column, value, problems) -> str:
    try:
        return net.resolve(value.strip())
    except UnknownPlaceError as exc:
        problems.append(Problem(name, where, column, str(exc)))
        return ""


def _period_days(name: str, where: str, row: dict, problems: list) -> float:
    try:
        start = date.fromisoformat(row["period_start"].strip())
        end = date.fromisoformat(row["period_end"].strip())
    except ValueError:
        problems.append(Problem(name, where, "period_start",
                                "expected ISO dates YYYY-MM-DD in period_start and period_end"))
        return 1.0
    if end < start:
        problems.append(Problem(name, where, "period_end", f"{end} is before period_start {start}"))
        return 1.0
    return float((end - start).days + 1)


def _origins(net, name: str, where: str, text: str, problems: list) -> list[tuple[str, float]]:
    out = []
    for part in text.split():
        station, _, share_text = part.partition(":")
        share, message = parse_number(_SHARE, share_text)
        if message:
            problems.append(Problem(name, where, "origins", f"{part!r}: share {message}"))
            continue
        out.append((_place(net, name, where, "origins", station, problems), share))
    total = sum(s for _, s in out)
    if not out or abs(total - 1.0) > 1e-6:
        problems.append(Problem(name, where, "origins",
                                f"shares sum to {total:g}; expected 1 ('station:share ...')"))
    return out
