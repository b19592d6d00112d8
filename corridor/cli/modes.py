"""The ``corridor modes`` command: rail, rail–sea, sea and air compared for one container."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    DataDir,
    JsonFlag,
    app,
    check_options,
    console,
    open_network,
    print_json,
    split_list,
)
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import Offline, check_offline, check_out, write_out
from corridor.cli.tables import number_text

DISPLAY = ["option", "days", "p50_days", "p90_days", "cost_usd", "p90_cost_usd", "co2e_kg", "inventory_usd",
           "total_cost_usd", "shelf_life_left_days", "pareto", "best_for"]
SIDE_BY_SIDE = {"option": "option", "base_days": "days", "scenario_days": "days (scenario)",
                "delta_days": "Δ days", "base_cost_usd": "USD", "scenario_cost_usd": "USD (scenario)",
                "delta_cost_usd": "Δ USD", "base_co2e_kg": "kg CO2e",
                "scenario_co2e_kg": "kg CO2e (scenario)", "change": "change"}


def _json(result) -> dict:
    return {"options": result.drop(columns="geometry").round(2).to_dict(orient="records"),
            **dict(result.attrs)}


#: printed precision: days to 0.1, money and kg CO2e to whole units (JSON keeps 2 decimals)
DAYS_COLUMNS = ("days", "p50_days", "p90_days", "shelf_life_left_days")
WHOLE_COLUMNS = ("cost_usd", "p90_cost_usd", "co2e_kg", "inventory_usd", "total_cost_usd")


def _shown(result):
    """The printed table: every figure of a column with the same number of decimals."""
    shown = result[DISPLAY].copy()
    for column in DAYS_COLUMNS:
        shown[column] = [number_text(v, ",.1f", "") for v in shown[column]]
    for column in WHOLE_COLUMNS:
        shown[column] = [number_text(v, ",.0f", "") for v in shown[column]]
    return shown


def _title(net, result) -> str:
    attrs = result.attrs
    names = net.nodes["name"]
    title = (f"{names.get(attrs['origin'], attrs['origin'])} → "
             f"{names.get(attrs['destination'], attrs['destination'])}, {attrs['container']}' container")
    if attrs.get("month"):
        title += f", month {attrs['month']}"
    return title + (f" — scenario {attrs['scenario']}" if attrs.get("scenario") else "")


@app.command(epilog="Example: corridor modes Chongqing Duisburg --container 40 --scenario red-sea-closure")
def modes(
    origin: Annotated[str, typer.Argument(help="Origin place (id, name or alias).")],
    destination: Annotated[str, typer.Argument(help="Destination place.")],
    container: Annotated[str, typer.Option(help="Container size: 20 or 40.")] = "40",
    reefer: Annotated[bool, typer.Option(help="Reefer box: surcharge and genset fuel.")] = False,
    payload_t: Annotated[float | None, typer.Option(help="Cargo tonnes per container.")] = None,
    commodity: Annotated[str | None, typer.Option(help="Commodity id: adds shelf life left.")] = None,
    month: Annotated[int | None, typer.Option(
        help="1-12: rail legs lose shelf life to the month's ambient temperature when unpowered "
        "(transshipment, ferry); sea and air hold the reefer at set point.")] = None,
    cargo_value_usd: Annotated[float, typer.Option(help="Cargo value, for the inventory cost.")] = 0.0,
    avoid: Annotated[list[str] | None, typer.Option(help="Close a sea passage: suez.")] = None,
    scenario: Annotated[str | None, typer.Option(
        help="Also compare under a scenario (name or TOML), beside the baseline.")] = None,
    alternatives: Annotated[int, typer.Option(help="Rail corridors to list.")] = 3,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the options (with --scenario: the scenario's) by extension: .gpkg "
        ".geojson .parquet .csv (table), .html (map), .png (map picture; needs Chromium).")] = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Rail corridors, Middle Corridor, sea via Suez / the Cape, air: days, USD, kg CO2e, Pareto marks."""
    import pandas as pd

    from corridor.cli import tables
    from corridor.modes import compare_modes
    from corridor.scenarios import find_scenario
    from corridor.scenarios.compare import merge_modes
    from corridor.webmap.modes import modes_map

    check_options(samples=samples, seed=seed, alternatives=alternatives, month=month)
    check_map_file(map_file)
    check_out(out)
    check_offline(offline, map_file, out)
    net = open_network(data)
    chosen = find_scenario(scenario) if scenario is not None else None
    base = chosen.baseline(net) if chosen is not None else net
    options = dict(container=container, reefer=reefer, payload_t=payload_t, commodity_id=commodity,
                   month=month, cargo_value_usd=cargo_value_usd, avoid=split_list(avoid),
                   alternatives=alternatives, samples=samples, seed=seed)
    result = compare_modes(base, origin, destination, **options)
    variant = compare_modes(chosen.apply(net), origin, destination, **options) if chosen else None
    shown = variant if variant is not None else result
    write_map(map_file, lambda: modes_map(shown), offline)
    write_out(out, lambda: shown, lambda: modes_map(shown), offline)
    if as_json:
        out = _json(result)
        if variant is not None:
            out["under_scenario"] = _json(variant)
            out["comparison"] = merge_modes(result, variant).round(2).to_dict(orient="records")
        print_json(out)
        return
    out = console()
    out.print(tables.frame_table(_shown(result), title=_title(net, result)))
    if variant is not None:
        out.print(tables.frame_table(_shown(variant), title=_title(net, variant)))
        merged = merge_modes(result, variant)[list(SIDE_BY_SIDE)].rename(columns=SIDE_BY_SIDE)
        out.print(tables.frame_table(pd.DataFrame(merged).round(1),
                                     title=f"Baseline beside scenario {chosen.name}"))
    if result.attrs.get("shelf_assumption"):
        typer.echo(f"shelf life: {result.attrs['shelf_assumption']}", err=True)
