"""Commands about perishable goods: reach, commodities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from corridor.cli import tables
from corridor.cli.common import (
    DataDir,
    JsonFlag,
    app,
    check_options,
    console,
    open_network,
    print_json,
)
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import Offline, OutFile, check_offline, check_out, write_out

if TYPE_CHECKING:
    import pandas as pd

REACH_COLUMNS = ["node", "name", "country", "arrival_days", "p90_days",
                 "remaining_shelf_life_days", "unpowered_hours", "chill_injury", "climate_from"]


def _is_terminal(kinds) -> bool:
    return bool({"terminal", "port"} & set(kinds or []))


def _reach_rows(net, result: pd.DataFrame, show_all: bool) -> pd.DataFrame:
    rows = result[result["reachable"]]
    if not show_all:
        keep = net.nodes.loc[rows["node"], "kind"].map(_is_terminal).to_numpy()
        rows = rows[keep]
    frame = rows.sort_values("arrival_days")[REACH_COLUMNS].round(1)
    frame["chill_injury"] = frame["chill_injury"].map(lambda hurt: "yes" if hurt else "")
    return frame.rename(columns={"arrival_days": "days", "p90_days": "P90",
                                 "remaining_shelf_life_days": "shelf life left (d)",
                                 "unpowered_hours": "unpowered h", "chill_injury": "chill injury",
                                 "climate_from": "climate"})


def _unreachable_rows(net, result: pd.DataFrame, show_all: bool) -> pd.DataFrame:
    from corridor.coldchain.explain import unreachable_table

    rows = unreachable_table(result)
    if not show_all:
        rows = rows[rows["node"].map(lambda node: _is_terminal(net.nodes.at[node, "kind"]))
                    .astype(bool)]
    # where and when it failed are in the sentence; the columns are in --json and --out
    rows = rows.drop(columns=["arrival_days", "remaining_shelf_life_days", "failed_at",
                              "failed_after_h"])
    return rows


def _summary(result: pd.DataFrame) -> Text:
    a = result.attrs
    lost = result[~result["reachable"]]
    counts = lost["reason"].value_counts().to_dict()
    direction = "to" if a["reverse"] else "from"
    head = (f"{a['commodity']} {direction} {a['origin']}, month {a['month']}, "
            f"power {a['power']}" + (f" ({a['autonomy_h']:.0f} h autonomy)"
                                     if a["autonomy_h"] != float("inf") else "")
            + f", margin {a['margin_days']:.0f} days")
    reached = int(result["reachable"].sum()) - 1
    detail = ", ".join(f"{n} {r}" for r, n in counts.items()) or "none"
    examples = ", ".join(lost.sort_values("reason")["node"].head(8))
    return Text(f"{head}\n{reached} places {'can supply it' if a['reverse'] else 'reached'}; "
                f"unreachable: {detail}" + (f" (e.g. {examples})" if examples else "") + "\n")


def _countries(values: list[str] | None) -> set[str]:
    """ISO codes of ``--country`` (CorridorError for anything else)."""
    import pycountry

    from corridor.cli.common import split_list
    from corridor.errors import CorridorError

    codes = {value.upper() for value in split_list(values)}
    for code in sorted(codes):
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise CorridorError(f"--country {code!r} is not an ISO 3166-1 alpha-2 country code "
                                "(e.g. KZ, CN, DE)")
    return codes


def _in_countries(result: pd.DataFrame, countries: set[str]) -> pd.DataFrame:
    """The rows of places in ``countries``, and the origin's own row (attrs kept)."""
    keep = result["country"].isin(countries) | (result["node"] == result.attrs["origin"])
    kept = result[keep].copy()
    kept.attrs = dict(result.attrs, countries=sorted(countries))
    return kept


@app.command(epilog="Example: corridor reach Kostanay --commodity chilled_beef --month 7")
def reach(
    origin: Annotated[str, typer.Argument(help="Origin place (the market with --reverse).")],
    commodity: Annotated[str, typer.Option(help="Commodity id (see `corridor commodities`).")],
    month: Annotated[int, typer.Option(help="Month 1-12 (ambient temperature).")] = 7,
    power: Annotated[str, typer.Option(help="Reefer power: genset, plug-in or autonomous.")]
    = "genset",
    autonomy_h: Annotated[float | None, typer.Option(
        help="Hours the unit runs between power renewals (default per power mode).")] = None,
    margin_days: Annotated[float | None, typer.Option(
        help="Shelf life that must remain on arrival (default per commodity).")] = None,
    reverse: Annotated[bool, typer.Option(
        help="List the origins that can supply ORIGIN instead.")] = False,
    samples: Annotated[int, typer.Option(
        help="Monte Carlo draws for P90 (0: normal approximation).")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    show_all: Annotated[bool, typer.Option(
        "--all", help="List every node, not only terminals and ports.")] = False,
    country: Annotated[list[str] | None, typer.Option(
        help="Only places in these ISO countries (repeat or comma-list), e.g. KZ.")] = None,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: OutFile = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Where a perishable load can go with enough shelf life left (reefer power permitting)."""
    from corridor.coldchain import reach as reach_query
    from corridor.coldchain import reach_table
    from corridor.webmap import reach_map

    check_options(samples=samples, seed=seed, margin_days=margin_days,
                  autonomy_h=autonomy_h)
    check_map_file(map_file)
    check_out(out)
    check_offline(offline, map_file, out)
    countries = _countries(country)
    net = open_network(data)
    result = reach_query(net, origin, commodity, month=month, power=power,
                         autonomy_h=autonomy_h, margin_days=margin_days, reverse=reverse,
                         samples=samples, seed=seed)
    if countries:
        result = _in_countries(result, countries)
    write_map(map_file, lambda: reach_map(net, result), offline)
    write_out(out, lambda: result, lambda: reach_map(net, result), offline)
    if as_json:
        print_json(reach_table(result))
        return
    title = "Origins that can supply it" if reverse else "Reachable terminals"
    console().print(tables.frame_table(_reach_rows(net, result, show_all), title=title))
    lost = _unreachable_rows(net, result, show_all)
    if len(lost):
        console().print(tables.frame_table(
            lost, title="Out of reach" + ("" if show_all else " (terminals; --all for every node)")))
    console().print(_summary(result))


@app.command(epilog="Example: corridor commodities --json")
def commodities(as_json: JsonFlag = False) -> None:
    """The commodity catalogue: set temperature, safe band, shelf life, sensitivity, source."""
    from corridor.coldchain.commodities import builtin_commodities

    frame = builtin_commodities()
    if as_json:
        print_json({"commodities": frame.to_dict(orient="records")})
        return
    shown = frame[["id", "name", "set_temp_c", "min_temp_c", "max_temp_c", "shelf_life_days",
                   "q10", "chill_sensitive", "requires_reefer", "margin_days"]]
    console().print(tables.frame_table(shown, title="Commodities"))
