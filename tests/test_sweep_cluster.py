"""Sweeps on a real Dask cluster: a scheduler and two workers started as separate processes.

The processes listen on 127.0.0.1 only, are started in their own process groups and are always
killed at the end (also when a test fails). Each wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from corridor.network import load
from corridor.scenarios import sweep as sweeps

DASK = Path(sys.executable).with_name("dask")
START_TIMEOUT_S = 90
PAIRS = [("xian", "duisburg_logport"), ("chengdu_qingbaijiang", "lodz_olechow")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    return subprocess.Popen([str(DASK), *args], stdout=handle, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


class Cluster:
    """A scheduler and workers (``dask worker --no-nanny``: killing one really loses it)."""

    def __init__(self, directory: Path, workers: int = 2):
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.directory = directory
        self.processes: list[subprocess.Popen] = []
        self.scheduler = self._spawn(["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--no-dashboard"], "scheduler")
        self.workers = [self._spawn(["worker", self.address, "--host", "127.0.0.1", "--nthreads",
                                     "1", "--no-nanny", "--no-dashboard", "--name", f"w{k}"],
                                    f"worker{k}") for k in range(workers)]

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        process = _start(args, self.directory / f"{name}.log")
        self.processes.append(process)
        return process

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with Client(self.address, timeout="5s") as client:
                    client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError):
                time.sleep(0.5)
        logs = {p.name: p.read_text(errors="replace")[-500:] for p in self.directory.glob("*.log")}
        raise AssertionError(f"cluster did not start within {START_TIMEOUT_S} s: {logs}")

    def close(self) -> None:
        for process in self.processes:
            _stop(process)


@pytest.fixture()
def cluster(tmp_path):
    if not DASK.exists():
        pytest.fail(f"{DASK} missing: dask[distributed] is a dependency of corridor")
    running = Cluster(tmp_path)
    try:
        running.wait_for_workers(2)
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def net():
    return load()


def _scenarios(net, values: int):
    return sweeps.value_range(["dostyk"], "dwell_h", [6.0 + 3.0 * k for k in range(values)])


def test_cli_sweep_on_the_cluster_equals_the_local_run(cluster, tmp_path):
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    common = [sys.executable, "-m", "corridor", "sweep", "--close-each", "border",
              "--pairs", "Xian:Duisburg,Chengdu:Lodz"]
    subprocess.run([*common, "--workers", "1", "--out", str(local)], check=True, timeout=300,
                   capture_output=True)
    started = time.perf_counter()
    done = subprocess.run([*common, "--scheduler", cluster.address, "--out", str(remote)],
                          timeout=300, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert remote.read_bytes() == local.read_bytes()
    rows = pd.read_csv(remote)
    assert len(rows) > 10
    scenarios = rows["scenario"].nunique()
    print(f"cluster sweep: {scenarios} scenarios x 2 pairs on 2 workers in {seconds:.1f} s "
          f"({seconds / scenarios:.2f} s per scenario, including load and connection)")


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(cluster, net):
    scenarios = _scenarios(net, 60)
    expected = sweeps.run(net, scenarios, PAIRS, workers=1)
    seen: list[int] = []
    killed = threading.Event()

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 5 and not killed.is_set():
            killed.set()
            os.killpg(cluster.workers[0].pid, signal.SIGKILL)

    result = sweeps.run(net, scenarios, PAIRS, scheduler=cluster.address, progress=progress)
    assert killed.is_set(), "the sweep ended before a worker could be killed"
    assert cluster.workers[0].wait(timeout=30) != 0
    assert seen == list(range(1, len(scenarios) + 1))  # progress advances one by one to the end
    assert result["scenario"].value_counts().max() == len(PAIRS)
    assert list(result["scenario"].unique()) == [s.name for s in scenarios]
    pd.testing.assert_frame_equal(result, expected)
