"""Commands about what-ifs: whatif, scenarios, sweep."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from corridor.cli.common import (
    DataDir,
    JsonFlag,
    app,
    check_options,
    console,
    open_network,
    print_json,
    split_list,
    terminal_safe,
)
from corridor.cli.maps import MapFile, check_map_file, write_map
from corridor.cli.output import Offline, OutFile, check_offline, check_out, draws_map, write_out
from corridor.cli.tables import number_text
from corridor.datafiles import atomic_write_text, check_writable
from corridor.errors import CorridorError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from corridor.scenarios.compare import Comparison

#: corridor.scenarios.compare.ANALYSES, spelled here so `corridor --help` need not import pandas
#: (tests/test_cli_speed.py checks they agree)
ANALYSES = ("transit", "bottlenecks", "reach", "modes")

PairsOption = Annotated[list[str] | None, typer.Option(
    "--pairs", help="ORIGIN:DESTINATION pairs (repeat or comma-list); the scenario's own pairs, "
    "else the published services, when omitted.")]


def _safe(value: object) -> Text:
    """Text from data as a table cell: control characters escaped, never read as markup."""
    return Text(terminal_safe(value))


def _days(value: float) -> str:
    return number_text(value, ".1f")


def _delta(value: float) -> str:
    if value != value:
        return "–"
    style = "red" if value > 0.05 else "green" if value < -0.05 else "dim"
    return f"[{style}]{value:+.1f}[/]"


def _transit_table(result: Comparison, description: str) -> Table:
    table = Table(title=Text(f"What if: {terminal_safe(result.scenario)}"),
                  caption=Text(terminal_safe(description)) if description else None,
                  caption_justify="left")
    sampled = "base_p90_days" in result.transit.columns
    days = (("base days", "base P50/P90", "scenario days", "scenario P50/P90", "Δ days", "Δ P90")
            if sampled else ("base days", "scenario days", "Δ days"))
    for column in ("origin", "destination", *days, "change", "scenario crossings"):
        table.add_column(column, justify="right" if ("days" in column or "P90" in column) else "left")
    for row in result.transit.to_dict(orient="records"):
        cells = ([_days(row["base_days"]), _spread(row["base_p50_days"], row["base_p90_days"]),
                  _days(row["scenario_days"]),
                  _spread(row["scenario_p50_days"], row["scenario_p90_days"]),
                  _delta(row["delta_days"]), _delta(row["delta_p90_days"])]
                 if sampled else
                 [_days(row["base_days"]), _days(row["scenario_days"]), _delta(row["delta_days"])])
        table.add_row(_safe(row["origin"]), _safe(row["destination"]), *cells, _safe(row["change"]),
                      _safe(row["scenario_crossings"] or "no route"))
    return table


def _modes_options(samples: int, seed: int) -> dict:
    """``compare_modes`` options from the command's: its P50/P90 need draws, so 0 keeps the default."""
    return {"seed": seed, **({"samples": samples} if samples > 0 else {})}


def _spread(p50: float, p90: float) -> str:
    return "–" if p50 != p50 or p90 != p90 else f"{p50:.1f}/{p90:.1f}"


def _bottleneck_table(result: Comparison, top: int = 10) -> Table:
    table = Table(title=f"Bottlenecks: {result.scenario} (largest utilisation changes)")
    for column in ("element", "type", "util. base", "util. scenario", "Δ util.", "Δ delay h"):
        table.add_column(column)
    for row in result.bottlenecks.head(top).itertuples(index=False):
        table.add_row(_safe(row.id), _safe(row.type), number_text(row.utilization_base, ".2f"),
                      number_text(row.utilization_scenario, ".2f"),
                      number_text(row.utilization_delta, "+.2f"), number_text(row.delay_h_delta, "+.1f"))
    return table


def _pareto(base: object, scenario: object) -> str:
    def mark(value: object) -> str:
        return "–" if value is None or value != value else ("yes" if value else "no")

    return f"{mark(base)}→{mark(scenario)}" if mark(base) != mark(scenario) else mark(base)


def _modes_table(result: Comparison, description: str, names: Mapping[str, str]) -> Table:
    """The modes comparison of each pair: days, USD and kg CO2e per option, baseline vs scenario."""
    table = Table(title=Text(f"Modes: {terminal_safe(result.scenario)} (one container per option; "
                             "baseline, then under the scenario)"),
                  caption=Text(terminal_safe(description)) if description else None,
                  caption_justify="left")
    heads = ("days", "days scen.", "Δ days", "USD", "USD scen.", "Δ USD", "kg CO2e", "kg CO2e scen.")
    table.add_column("pair", max_width=24)
    table.add_column("option", min_width=24)
    for column in (*heads, "Pareto", "change"):
        table.add_column(column, justify="right" if column in heads else "left")
    shown = None
    for row in result.modes.to_dict(orient="records"):
        pair = (f"{names.get(row['origin'], row['origin'])} → "
                f"{names.get(row['destination'], row['destination'])}")
        if shown is not None and pair != shown:
            table.add_section()
        table.add_row(_safe(pair if pair != shown else ""), _safe(row["option"]),
                      _days(row["base_days"]), _days(row["scenario_days"]), _delta(row["delta_days"]),
                      number_text(row["base_cost_usd"], ",.0f"),
                      number_text(row["scenario_cost_usd"], ",.0f"),
                      _usd_delta(row["delta_cost_usd"]), number_text(row["base_co2e_kg"], ",.0f"),
                      number_text(row["scenario_co2e_kg"], ",.0f"),
                      _safe(_pareto(row["base_pareto"], row["scenario_pareto"])), _safe(row["change"]))
        shown = pair
    return table


def _usd_delta(value: float) -> str:
    if value != value:
        return "–"
    style = "red" if value > 0.5 else "green" if value < -0.5 else "dim"
    return f"[{style}]{value:+,.0f}[/]"


@app.command(epilog="Example: corridor whatif red-sea-closure --analyses transit,modes "
             "--pairs Shanghai:Rotterdam")
def whatif(
    scenarios: Annotated[list[str], typer.Argument(
        help="Built-in scenario names or paths to scenario TOML files.")],
    pairs: PairsOption = None,
    analyses: Annotated[list[str] | None, typer.Option(
        "--analyses", help=f"Comparisons to run: {', '.join(ANALYSES)} (default transit).")]
    = None,
    samples: Annotated[int, typer.Option(
        help="Monte Carlo draws per route for P50/P90 (0: expected days only).")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonFlag = False,
    map_file: MapFile = None,
    out: OutFile = None,
    offline: Offline = False,
    data: DataDir = None,
) -> None:
    """Compare scenarios with the baseline: transit time (expected, P50, P90) per pair, old and new route."""
    from corridor.scenarios import find_scenario
    from corridor.scenarios.compare import compare, parse_pairs
    from corridor.scenarios.compare import whatif as whatif_pairs
    from corridor.webmap import whatif_map  # folium: imported only when the command runs

    check_options(samples=samples, seed=seed)
    check_map_file(map_file)
    check_out(out)
    check_offline(offline, map_file, out)
    if map_file is not None and len(scenarios) > 1:
        raise CorridorError("--map draws one scenario; name a single scenario")
    if draws_map(out) and len(scenarios) > 1:
        raise CorridorError(f"--out {out} draws one scenario; name a single scenario, or write "
                            "a table (.gpkg .geojson .parquet .csv)")
    net = open_network(data)
    wanted = tuple(split_list(analyses)) or ("transit",)
    if "reach" in wanted:
        raise CorridorError("the reach comparison is available from Python: "
                            "corridor.scenarios.compare(..., analyses=['reach'], reach={...})")
    results, routed = [], []
    for name in scenarios:
        scenario = find_scenario(name)
        chosen = split_list(pairs) or scenario.pairs or None
        baseline, variant = scenario.baseline(net), scenario.apply(net)  # applied once
        result = compare(baseline, variant, pairs=parse_pairs(net, chosen), analyses=wanted,
                         samples=samples, seed=seed, modes=_modes_options(samples, seed))
        result.scenario = scenario.name
        results.append((scenario, result))
        if map_file is not None or out is not None:  # the routes themselves, for lines and maps
            drawn = whatif_pairs(baseline, variant, pairs=parse_pairs(net, chosen),
                                 **({} if map_file is not None or draws_map(out) else {"samples": 0}))
            routed.append((result, drawn))
            write_map(map_file, lambda d=drawn: whatif_map(d), offline)
    if out is not None:
        from corridor.export import whatif_frame

        write_out(out, lambda: whatif_frame(net, routed), lambda: whatif_map(routed[0][1]), offline)
    if as_json:
        print_json({"scenarios": [{**r.to_dict(), "description": s.description,
                                   "compared_with": s.compare_with or "baseline"}
                                  for s, r in results]})
        return
    out = console()
    for scenario, result in results:
        if result.transit is not None:
            out.print(_transit_table(result, scenario.description))
        if result.bottlenecks is not None:
            out.print(_bottleneck_table(result))
        if result.modes is not None:
            out.print(_modes_table(result, "" if result.transit is not None else scenario.description,
                                   net.nodes["name"]))


@app.command(epilog="Example: corridor scenarios --json")
def scenarios(as_json: JsonFlag = False) -> None:
    """List the built-in scenarios with their sources."""
    from corridor.scenarios import builtin_scenarios

    found = builtin_scenarios()
    if as_json:
        print_json({"scenarios": [s.to_dict() for s in found]})
        return
    table = Table(title="Built-in scenarios (corridor whatif NAME)")
    for column in ("name", "description", "builds on", "sources"):
        table.add_column(column)
    for s in found:
        sources = "; ".join(f"{src.get('publisher', src.get('title', ''))} {src.get('date', '')}"
                            .strip() for src in s.sources)
        table.add_row(_safe(s.name), _safe(s.description), _safe(s.base or ""), _safe(sources))
    console().print(table)


def _sweep_scenarios(net, paths: list[str], close_each: str | None, ranges: list[str],
                     tariff_ranges: list[str] = ()):
    from corridor.scenarios import find_scenario, sweep

    found = []
    for item in paths:
        path = Path(item)
        found += sweep.from_directory(path) if path.is_dir() else [find_scenario(item)]
    if close_each:
        found += sweep.closures(net, close_each)
    for text in ranges:
        targets, attribute, values = sweep.parse_range(text)
        how = "delay" if attribute == "delay_h" else "set"
        found += sweep.value_range(targets, attribute, values, how=how)
    for text in tariff_ranges:
        table, kind, key, factors = sweep.parse_tariff_range(text)
        found += sweep.tariff_range(table, kind, factors, key)
    if not found:
        raise CorridorError("nothing to sweep: give scenario files or a directory, --close-each, "
                            "--range or --tariff-range")
    return found


SWEEP_ANALYSES = ("transit", "modes")


def _sweep_analyses(analyses: list[str] | None, tariff_ranges: list[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(split_list(analyses))) or (("modes",) if tariff_ranges else ("transit",))
    unknown = [a for a in wanted if a not in SWEEP_ANALYSES]
    if unknown:
        raise CorridorError(f"--analyses {unknown[0]!r}: a sweep compares "
                            f"{' or '.join(SWEEP_ANALYSES)}")
    return wanted


def _modes_out(out: Path, analyses: tuple[str, ...]) -> Path:
    """Where the modes table goes: --out itself, or beside it when transit is written there too."""
    return out.with_name(f"{out.stem}-modes{out.suffix}") if "transit" in analyses else out


def _worst_modes_table(frame, title: str) -> Table:
    worst = frame.sort_values("delta_cost_usd", key=abs, ascending=False, na_position="first").head(10)
    table = Table(title=title)
    for column in ("scenario", "pair", "option", "Δ days", "Δ USD", "change"):
        table.add_column(column)
    for row in worst.itertuples(index=False):
        table.add_row(_safe(row.scenario), _safe(f"{row.origin} → {row.destination}"), _safe(row.option),
                      _delta(row.delta_days), _usd_delta(row.delta_cost_usd), _safe(row.change))
    return table


@app.command(epilog="Example: corridor sweep --close-each border --pairs Xian:Duisburg "
             "--out closures.csv; corridor sweep --tariff-range tariffs.rail_km.KTZ=0.8:1.4:0.2 "
             "--pairs Chongqing:Duisburg --out ktz.csv")
def sweep(
    scenarios: Annotated[list[str] | None, typer.Argument(
        help="Scenario names, TOML files or directories of them.")] = None,
    close_each: Annotated[str | None, typer.Option(
        help="Add one scenario per closed place of this kind (border, gauge_change, port ...) "
        "or per link ('link').")] = None,
    ranges: Annotated[list[str] | None, typer.Option(
        "--range", help="PLACE.ATTRIBUTE=START:STOP:STEP or PLACE.ATTRIBUTE=V1,V2,..., one "
        "scenario per value (e.g. dostyk.dwell_h=6:96:18; ATTRIBUTE delay_h adds hours); "
        "repeat for several ranges.")] = None,
    tariff_ranges: Annotated[list[str] | None, typer.Option(
        "--tariff-range", help="TABLE.KIND[.KEY]=START:STOP:STEP or =V1,V2,...: one scenario per "
        "factor on a modes money table (e.g. tariffs.rail_km.KTZ=0.8:1.4:0.2); implies "
        "--analyses modes.")] = None,
    analyses: Annotated[list[str] | None, typer.Option(
        "--analyses", help="transit (fastest route per pair, default) and/or modes (days, USD, "
        "kg CO2e per option of corridor modes); with both, the modes table goes to OUT-modes.csv.")]
    = None,
    pairs: PairsOption = None,
    out: Annotated[Path, typer.Option(help="Results table (CSV).")] = Path("sweep.csv"),
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786); local cores otherwise.")]
    = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes, 1-16 (default: all cores, at most 16; 1 = no Dask).")]
    = None,
    data: DataDir = None,
) -> None:
    """Run many scenarios in parallel and write one table of transit (or modes) changes."""
    from corridor.scenarios import sweep as sweeps
    from corridor.scenarios.compare import parse_pairs

    check_options(workers=workers)
    if scheduler is not None:
        sweeps.check_scheduler(scheduler)
    wanted = _sweep_analyses(analyses, list(tariff_ranges or []))
    outputs = {"transit": out, "modes": _modes_out(out, wanted)}
    for analysis in wanted:
        check_writable(outputs[analysis], "--out")
    net = open_network(data)
    # a --range holds commas itself (PLACE.ATTR=V1,V2,...): repeat --range for several
    chosen = _sweep_scenarios(net, list(scenarios or []), close_each, list(ranges or []),
                              list(tariff_ranges or []))
    resolved = parse_pairs(net, split_list(pairs) or None)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    frames = {}
    with Progress(*columns, console=console(), transient=False) as bar:
        for analysis in wanted:
            task = bar.add_task(f"scenarios ({analysis})", total=len(chosen))
            frames[analysis] = sweeps.run(
                net, chosen, resolved, scheduler=scheduler, workers=workers, analysis=analysis,
                progress=lambda done, total, t=task: bar.update(t, completed=done))
    for analysis, frame in frames.items():
        atomic_write_text(outputs[analysis], frame.to_csv(index=False, float_format="%.3f"), "--out")
    heading = f"{len(chosen)} scenarios × {len(resolved)} pairs"
    if "transit" in frames:
        frame = frames["transit"]
        worst = frame.sort_values("delta_days", ascending=False, na_position="first").head(10)
        table = Table(title=f"{heading} → {out} (largest increases first)")
        for column in ("scenario", "origin", "destination", "Δ days", "change"):
            table.add_column(column)
        for row in worst.itertuples(index=False):
            table.add_row(_safe(row.scenario), _safe(row.origin), _safe(row.destination),
                          _delta(row.delta_days), _safe(row.change))
        console().print(table)
    if "modes" in frames:
        console().print(_worst_modes_table(
            frames["modes"], f"{heading} → {outputs['modes']} (modes: largest cost changes first, "
            "dropped options on top)"))
