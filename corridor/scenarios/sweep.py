"""Sweeps: many scenarios compared with one baseline, run in parallel on Dask.

By default a sweep starts a Dask ``LocalCluster`` on the machine's cores; give ``scheduler`` (an
address like ``tcp://10.0.0.5:8786``) to use an existing Dask distributed cluster, or ``client`` to
reuse one. ``workers=1`` runs in this process without Dask.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor.errors import CorridorError
from corridor.limits import (
    MAX_WORKERS,
    SCHEDULER_TIMEOUT_S,
    check_range_values,
    check_sweep_size,
    check_workers,
)
from corridor.scenarios.compare import MODES_COLUMNS, merge_modes, summarize_routes, transit_frame
from corridor.scenarios.format import Scenario, find_scenario

if TYPE_CHECKING:
    from corridor.network import Corridor

SWEEP_COLUMNS = ["scenario", "origin", "destination", "base_days", "scenario_days", "delta_days",
                 "base_crossings", "scenario_crossings", "change"]
#: the table of ``run(..., analysis="modes")``: one row per scenario, pair and option
SWEEP_MODES_COLUMNS = ["scenario", *MODES_COLUMNS]
SWEEP_ANALYSES = ("transit", "modes")
Progress = Callable[[int, int], None]


# -- building the list of scenarios ---------------------------------------------------------------

def from_directory(directory: str | Path) -> list[Scenario]:
    """Every ``*.toml`` scenario in a directory, sorted by file name."""
    folder = Path(directory)
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CorridorError(f"{folder}: no *.toml scenario files")
    return [find_scenario(f) for f in files]


def closures(net: Corridor, kind: str = "border", ids: Iterable[str] | None = None) -> list[Scenario]:
    """One scenario per closed element: every operating node of ``kind`` (``"link"`` for every
    operating link), or the given ids."""
    if ids is None:
        if kind == "link":
            ids = net.links.index[net.links["status"] == "operating"]
        else:
            usable = net.nodes["status"] == "operating"
            has_kind = net.nodes["kind"].map(lambda k: kind in (k or []))
            if not has_kind.any():
                raise CorridorError(f"no place of kind {kind!r}; try border, gauge_change, port, "
                                    "terminal, junction or link")
            ids = net.nodes.index[usable & has_kind]
    return [Scenario(f"close-{i}", f"{i} closed").close(i) for i in ids]


def value_range(targets: Sequence[str], attribute: str, values: Iterable[float],
                how: str = "set") -> list[Scenario]:
    """One scenario per value: ``set`` (or ``scale``, or ``delay`` hours) on the targets."""
    out = []
    for value in values:
        name = f"{attribute}-{how}-{value:g}"
        scenario = Scenario(name, f"{how} {attribute} = {value:g} on {', '.join(targets)}")
        if how == "set":
            scenario.set(attribute, float(value), *targets)
        elif how == "scale":
            scenario.scale(attribute, float(value), *targets)
        elif how == "delay":
            scenario = Scenario(f"delay-{value:g}h", f"{value:g} h extra at "
                                f"{', '.join(targets)}").delay(*targets, hours=float(value))
        else:
            raise CorridorError(f"unknown sweep operation {how!r}; expected set, scale or delay")
        out.append(scenario)
    return out


def tariff_range(table: str, kind: str, factors: Iterable[float], key: str | None = None) -> list[Scenario]:
    """One scenario per factor: ``scale_tariff`` of a modes money table (for ``analysis="modes"``).

    ``tariff_range("tariffs", "rail_km", [0.8, 1.0, 1.2], key="KTZ")`` sweeps the KTZ per-km tariff.
    """
    selector = ".".join(p for p in (table, kind, key) if p)
    return [Scenario(f"{selector}-x{factor:g}", f"{selector} tariff × {factor:g}")
            .scale_tariff(table, kind, float(factor), key) for factor in factors]


def parse_tariff_range(text: str) -> tuple[str, str, str | None, list[float]]:
    """``"tariffs.rail_km.KTZ=0.8:1.2:0.2"`` -> ("tariffs", "rail_km", "KTZ", [0.8, 1.0, 1.2]).

    TABLE.KIND or TABLE.KIND.KEY, then factors as ``START:STOP:STEP`` or ``V1,V2,...`` (as
    :func:`parse_range`).
    """
    usage = (f"tariff range {text!r}: expected TABLE.KIND[.KEY]=START:STOP:STEP or "
             "TABLE.KIND[.KEY]=V1,V2,... (e.g. tariffs.rail_km.KTZ=0.8:1.2:0.1)")
    left, sep, right = text.partition("=")
    parts = left.split(".")
    if not sep or len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise CorridorError(usage)
    _, _, factors = parse_range(f"x.factor={right}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None, factors


def parse_range(text: str) -> tuple[list[str], str, list[float]]:
    """``"dostyk.dwell_h=6:96:18"`` -> (["dostyk"], "dwell_h", [6, 24, 42, 60, 78, 96]).

    Several targets are joined with ``+`` (``"dostyk+altynkol.dwell_h=..."``); values are
    ``START:STOP:STEP`` (STOP included) or a comma list ``V1,V2,...``. Every value must be finite,
    and a range gives at most ``corridor.limits.MAX_RANGE_VALUES`` values.
    """
    usage = (f"range {text!r}: expected PLACE.ATTRIBUTE=START:STOP:STEP or "
             "PLACE.ATTRIBUTE=V1,V2,...")
    try:
        left, right = text.split("=", 1)
        target, attribute = left.rsplit(".", 1)
        if ":" in right:
            start, stop, step = (float(v) for v in right.split(":"))
            numbers = [start, stop, step]
        else:
            numbers = [float(v) for v in right.split(",")]
    except ValueError:
        raise CorridorError(usage) from None
    if not all(np.isfinite(numbers)):
        raise CorridorError(f"{usage}; every number must be finite")
    if not target.strip("+") or not attribute:
        raise CorridorError(usage)
    if ":" in right:
        if step <= 0 or stop < start:
            raise CorridorError(f"range {text!r}: expected STEP > 0 and STOP >= START")
        check_range_values(int((stop - start) / step) + 1, text)
        values = list(np.round(np.arange(start, stop + step / 2, step), 6))
    else:
        check_range_values(len(numbers), text)
        values = numbers
    return [t for t in target.split("+") if t], attribute, [float(v) for v in values]


# -- running --------------------------------------------------------------------------------------

def _clean(net: Corridor) -> Corridor:
    """A copy without caches, cheap to ship to workers."""

    return net.replace()


def run_one(net: Corridor, scenario: Scenario, pairs: list[tuple[str, str]],
            base_routes: dict) -> pd.DataFrame:
    """Rows of one scenario: its routes beside the baseline's."""
    variant = scenario.apply(net)
    frame = transit_frame(base_routes, summarize_routes(variant, pairs))
    frame.insert(0, "scenario", scenario.name)
    return frame[SWEEP_COLUMNS]


def base_modes(net: Corridor, pairs: Sequence[tuple[str, str]], options: dict) -> dict:
    """The baseline's modes comparison of each pair (computed once per sweep, shipped to workers)."""
    from corridor.modes import compare_modes

    return {pair: pd.DataFrame(compare_modes(net, *pair, **options).drop(columns="geometry"))
            for pair in pairs}


def run_one_modes(net: Corridor, scenario: Scenario, pairs: list[tuple[str, str]], base: dict,
                  options: dict) -> pd.DataFrame:
    """Rows of one scenario in a modes sweep: every pair's options beside the baseline's."""
    from corridor.modes import compare_modes

    variant = scenario.apply(net)
    frames = []
    for pair in pairs:
        frame = merge_modes(base[pair], compare_modes(variant, *pair, **options))
        frame["origin"], frame["destination"] = pair
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "scenario", scenario.name)
    return frame[SWEEP_MODES_COLUMNS]


def run(
    net: Corridor,
    scenarios: Sequence[Scenario],
    pairs: Sequence[tuple[str, str]],
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    analysis: str = "transit",
    modes: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Compare every scenario with ``net`` on ``pairs``; one results table.

    Parameters
    ----------
    net : Corridor
    scenarios : sequence of Scenario
    pairs : sequence of (origin id, destination id)
    client : distributed.Client, optional
        Run on this Dask client.
    scheduler : str, optional
        Address of a running Dask scheduler to connect to.
    workers : int, optional
        Local worker processes, 1 to ``corridor.limits.MAX_WORKERS`` (default: the machine's
        cores, at most that); 1 runs in-process without Dask. 0 or fewer is refused.
    progress : callable(done, total), optional
        Called after each finished scenario.
    analysis : {"transit", "modes"}
        ``"transit"``: each pair's fastest route (columns ``SWEEP_COLUMNS``). ``"modes"``: each
        pair's modes comparison, one row per option with days, USD, kg CO2e and Pareto mark before
        and after (columns ``SWEEP_MODES_COLUMNS``); the scenarios' ``close_passage`` and
        ``scale_tariff`` edits act here (see :func:`tariff_range`).
    modes : dict, optional
        Arguments of :func:`corridor.modes.compare_modes` (``container``, ``samples`` ...) for
        ``analysis="modes"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``SWEEP_COLUMNS`` (or ``SWEEP_MODES_COLUMNS``), scenarios in the order given.
    """
    if analysis not in SWEEP_ANALYSES:
        raise CorridorError(f"unknown sweep analysis {analysis!r}; expected {' or '.join(SWEEP_ANALYSES)}")
    if not scenarios:
        raise CorridorError("nothing to sweep: no scenarios")
    check_workers(workers)
    check_sweep_size(len(scenarios))
    if scheduler is not None:
        check_scheduler(scheduler)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise CorridorError("scenario names in a sweep must be unique")
    pairs = list(pairs)
    flat = [s.flatten() for s in scenarios]
    base = _clean(net)
    if analysis == "modes":
        options = dict(modes or {})
        task, extra = run_one_modes, (base_modes(base, pairs, options), options)
    else:
        task, extra = run_one, (summarize_routes(base, pairs),)
    if client is None and scheduler is None and workers == 1:
        frames = []
        for done, scenario in enumerate(flat, start=1):
            frames.append(task(base, scenario, pairs, *extra))
            if progress:
                progress(done, len(flat))
    else:
        frames = _run_dask(task, base, flat, pairs, extra, client, scheduler, workers, progress)
    return pd.concat(frames, ignore_index=True)


def default_workers() -> int:
    """Local workers when none are asked for: the machine's cores, at most ``MAX_WORKERS``."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


_SCHEDULER = re.compile(r"^(tcp|tls|ws|wss|inproc|ucx)://[A-Za-z0-9._\-\[\]:/]+$")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address like ``tcp://10.0.0.5:8786``, or CorridorError."""
    if not isinstance(address, str) or not _SCHEDULER.match(address):
        raise CorridorError(f"--scheduler {address!r}: expected an address like "
                            "tcp://HOST:8786")
    return address


def _connect(client_type: Any, address: str) -> Any:
    """A Dask client connected to ``address`` within ``SCHEDULER_TIMEOUT_S`` seconds."""
    try:
        return client_type(address, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CorridorError(f"--scheduler {address}: cannot connect within "
                            f"{SCHEDULER_TIMEOUT_S} s ({reason[:200]})") from None


@contextlib.contextmanager
def _children_ignore_interrupt() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored: this process stops them (one line, exit 130)
    instead of every worker printing its own KeyboardInterrupt traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the new processes
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_dask(task, net, scenarios, pairs, extra, client, scheduler, workers, progress):
    from distributed import Client, LocalCluster, as_completed

    own_cluster = own_client = None
    try:
        if client is None:
            if scheduler is not None:
                client = own_client = _connect(Client, scheduler)
            else:
                with _children_ignore_interrupt():
                    own_cluster = LocalCluster(n_workers=workers or default_workers(),
                                               threads_per_worker=1, processes=True,
                                               dashboard_address=None,
                                               silence_logs=logging.CRITICAL)  # no log noise
                client = own_client = Client(own_cluster)
        shared = client.scatter(net, broadcast=True)
        futures = [client.submit(task, shared, s, pairs, *extra, pure=False) for s in scenarios]
        index = {f.key: i for i, f in enumerate(futures)}
        frames: list[pd.DataFrame | None] = [None] * len(futures)
        for done, future in enumerate(as_completed(futures), start=1):
            frames[index[future.key]] = future.result()
            if progress:
                progress(done, len(futures))
        return frames
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
