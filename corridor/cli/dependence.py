"""The ``corridor dependence`` command: which transit countries (or crossings) a flow depends on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli import tables
from corridor.cli.common import DataDir, JsonFlag, app, console, open_network, print_json
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import MAP_FORMATS, PLAIN_FORMATS, Offline, check_offline, check_out, write_out

SHOWN = ["id", "name", "share_trains", "share_teu_km", "carried_trains_day", "unserved_trains_day",
         "unserved_teu_day", "extra_days", "extra_p90_days", "extra_usd_per_container",
         "extra_co2e_kg_per_container", "moves_to", "detour_cut_trains_day", "binding"]
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
    data: DataDir = None,
) -> None:
    """How much of a flow each transit country holds, and what avoiding it costs."""
    from corridor.dependence import dependence as analysis
    from corridor.dependence import flow_names
    from corridor.errors import CorridorError
    from corridor.scenarios import find_scenario
    from corridor.webmap.dependence import dependence_map

    if flow not in flow_names():
        raise CorridorError(f"unknown --flow {flow!r}; expected one of {', '.join(flow_names())}")
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
    out = console()
    columns = SHOWN + [c for c in ("base_share_trains", "base_carried_trains_day", "base_moves_to")
                       if c in shown.columns]
    title = f"Transit dependence: {flow} ({table.attrs['trains_day']:.1f} trains/day)"
    if scenario:
        title += f" under {scenario} (base_* columns: baseline)"
    out.print(tables.frame_table(shown[columns], title=title))
