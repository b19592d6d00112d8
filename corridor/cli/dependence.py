"""The ``corridor dependence`` command: which transit countries (or crossings) a flow depends on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.cli import tables
from corridor.cli.common import DataDir, JsonFlag, app, console, open_network, print_json
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import MAP_FORMATS, PLAIN_FORMATS, Offline, check_offline, check_out, write_out

if TYPE_CHECKING:
    import pandas as pd

#: the default view (fits a 100-column terminal): column -> header
SHORT = {"id": "", "share_trains": "share", "carried_trains_day": "carried", "unserved_trains_day": "lost",
         "extra_days": "+days", "extra_usd_per_container": "+USD/40'", "moves_to": "moves to",
         "binding": "binding (trains/day)"}
#: ``--wide``: every column
WIDE = {"id": "", "name": "name", "share_trains": "share", "share_teu_km": "TEU-km",
        "carried_trains_day": "carried", "unserved_trains_day": "lost", "unserved_teu_day": "lost TEU",
        "rerouted_trains_day": "rerouted", "extra_days": "+days", "extra_p90_days": "+P90 days",
        "extra_usd_per_container": "+USD/40'", "extra_co2e_kg_per_container": "+kg CO2e/40'",
        "moves_to": "moves to", "detour_corridor": "detour", "detour_cut_trains_day": "min cut",
        "binding": "binding (trains/day)"}
SCENARIO = {"base_share_trains": "base share", "base_carried_trains_day": "base carried",
            "base_moves_to": "base moves to"}
LEGEND = ("share: of the flow's trains through it at baseline; carried / lost: the flow's trains/day "
          "carried / not carried with it avoided; +days, +USD/40': per rerouted train and container "
          "('–': none rerouted); min cut: the detour network's maximum flow ('unlimited': some detour "
          "has no capacity limit; 'no route': none left). --wide for every column, --json for all.")
#: precision of printed and JSON numbers (shares 0.01, trains 0.1, days 0.1, USD and kg 1)
ROUNDING = {"share_trains": 2, "share_teu_km": 2, "through_trains_day": 1, "flow_trains_day": 1,
            "carried_trains_day": 1, "unserved_trains_day": 1, "unserved_teu_day": 0,
            "rerouted_trains_day": 1, "extra_days": 1, "extra_p90_days": 1, "extra_usd_per_container": 0,
            "extra_co2e_kg_per_container": 0, "detour_cut_trains_day": 1, "base_share_trains": 2,
            "base_carried_trains_day": 1, "base_unserved_trains_day": 1, "base_extra_days": 1}


EXAMPLE = "Example: corridor dependence --flow kazakhstan-exports --scenario russia-agri-transit-ban"


@app.command(epilog=EXAMPLE)
def dependence(
    demand: Annotated[Path | None, typer.Option(
        "--demand", help="Demand CSV (origin, destination, trains_day, source); "
        "the built-in demand when omitted.")] = None,
    flow: Annotated[str, typer.Option(help="china-europe, china-central-asia or kazakhstan-exports.")]
    = "china-europe",
    by: Annotated[str, typer.Option(help="country or crossing.")] = "country",
    scenario: Annotated[str | None, typer.Option(help="A built-in scenario name or a .toml file; "
                                                 "the table is shown beside the baseline.")] = None,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the table by extension: .csv or .parquet (rows are countries or "
        "crossings, without geometry), .html (map), .png (map picture; needs Chromium).")] = None,
    offline: Offline = False,
    wide: Annotated[bool, typer.Option("--wide", help="Show every column (needs a wide terminal).")]
    = False,
    data: DataDir = None,
) -> None:
    """How much of a flow each transit country holds, and what avoiding it costs."""
    from corridor.dependence import dependence as analysis
    from corridor.dependence import flow_names
    from corridor.errors import CorridorError, expected_one_of
    from corridor.scenarios import find_scenario
    from corridor.webmap.dependence import dependence_map

    if flow not in flow_names():
        raise CorridorError(f"unknown --flow {flow!r}; {expected_one_of(flow, flow_names())}")
    check_map_file(map_file)
    check_out(out, (*PLAIN_FORMATS, *MAP_FORMATS))
    check_offline(offline, map_file, out)
    chosen = find_scenario(scenario) if scenario else None
    net = open_network(data)
    table = analysis(net, demand, flow=flow, by=by, scenario=chosen)
    write_map(map_file, lambda: dependence_map(net, table), offline)
    write_out(out, lambda: table, lambda: dependence_map(net, table), offline)
    shown = table.round({k: v for k, v in ROUNDING.items() if k in table.columns})
    if as_json:
        print_json({"flow": flow, "by": by, "scenario": scenario,
                    "trains_day": round(table.attrs["trains_day"], 1),
                    "teu_day": round(table.attrs["teu_day"]),
                    "rows": shown.drop(columns=["detour_path"]).to_dict("records")})
        return
    screen = console()
    title = (f"Transit dependence: {flow} ({table.attrs['trains_day']:.1f} trains/day; "
             f"{table.attrs['carried_trains_day']:.1f} carried at baseline)")
    if scenario:
        title += f" under {scenario} (base: baseline)"
    screen.print(tables.frame_table(view(table, wide), title=title))
    screen.print(LEGEND, style="dim")


def view(table: pd.DataFrame, wide: bool = False) -> pd.DataFrame:
    """The printed table: readable text for every cell (percent shares, rounded numbers, '–' for
    a figure with nothing behind it, 'unlimited' and 'no route' for the min cut)."""
    import pandas as pd

    columns = {**(WIDE if wide else SHORT), **{k: v for k, v in SCENARIO.items() if k in table.columns}}
    out = pd.DataFrame(index=table.index)
    rows = list(table.itertuples(index=False))
    for column, header in columns.items():
        out[header or table.attrs.get("by", "country")] = [
            _text(column, v, row) for v, row in zip(table[column], rows, strict=True)]
    return out


def _text(column: str, value: Any, row: Any) -> str:
    import math

    if column == "carried_trains_day":
        return f"{value:,.1f} of {row.flow_trains_day:,.1f}"
    if column.startswith(("share", "base_share")):
        return f"{100 * value:.0f}%"
    if column == "detour_cut_trains_day":
        if math.isinf(value):
            return "unlimited"
        return "no route" if value == 0 else f"{value:.1f}"
    if column == "binding" and not value:
        return "unlimited" if math.isinf(row.detour_cut_trains_day) else "no route left"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        digits = 0 if column in ("unserved_teu_day", "extra_usd_per_container",
                                 "extra_co2e_kg_per_container") else 1
        return f"{value:,.{digits}f}"
    return "" if value is None else str(value)
