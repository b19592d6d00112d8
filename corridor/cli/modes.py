"""The ``corridor modes`` command: rail, rail–sea, sea and air compared for one container."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.common import DataDir, JsonFlag, app, console, open_network, print_json, split_list
from corridor.cli.maps import MapFile, check_map_file, write_map

DISPLAY = ["option", "days", "p50_days", "p90_days", "cost_usd", "p90_cost_usd", "co2e_kg", "inventory_usd",
           "total_cost_usd", "shelf_life_left_days", "pareto", "best_for"]


@app.command(epilog="Example: corridor modes Chongqing Duisburg --container 40 --avoid suez")
def modes(
    origin: Annotated[str, typer.Argument(help="Origin place (id, name or alias).")],
    destination: Annotated[str, typer.Argument(help="Destination place.")],
    container: Annotated[str, typer.Option(help="Container size: 20 or 40.")] = "40",
    reefer: Annotated[bool, typer.Option(help="Reefer box: surcharge and genset fuel.")] = False,
    payload_t: Annotated[float | None, typer.Option(help="Cargo tonnes per container.")] = None,
    commodity: Annotated[str | None, typer.Option(help="Commodity id: adds shelf life left.")] = None,
    cargo_value_usd: Annotated[float, typer.Option(help="Cargo value, for the inventory cost.")] = 0.0,
    avoid: Annotated[list[str] | None, typer.Option(help="Close a sea passage: suez.")] = None,
    alternatives: Annotated[int, typer.Option(help="Rail corridors to list.")] = 3,
    samples: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    data: DataDir = None,
) -> None:
    """Rail corridors, Middle Corridor, sea via Suez / the Cape, air: days, USD, kg CO2e, Pareto marks."""
    from corridor.cli import tables
    from corridor.modes import compare_modes
    from corridor.webmap.modes import modes_map

    check_map_file(map_file)
    net = open_network(data)
    result = compare_modes(net, origin, destination, container=container, reefer=reefer, payload_t=payload_t,
                           commodity_id=commodity, cargo_value_usd=cargo_value_usd, avoid=split_list(avoid),
                           alternatives=alternatives, samples=samples, seed=seed)
    write_map(map_file, lambda: modes_map(result))
    if as_json:
        print_json({"options": result.drop(columns="geometry").round(2).to_dict(orient="records"),
                    **{k: v for k, v in result.attrs.items()}})
        return
    frame = result[DISPLAY].round(1)
    attrs = result.attrs
    title = f"{attrs['origin']} → {attrs['destination']}, {attrs['container']}' container"
    console().print(tables.frame_table(frame, title=title))
