"""The corridor command: validate, nodes, info, help and error handling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from netfactory import two_crossings, write_network


def test_validate_builtin_is_clean(cli):
    code, out, _ = cli("validate")
    assert code == 0 and "no problems" in out


def test_validate_broken_directory_prints_each_problem_and_exits_2(cli, tmp_path):
    nodes, links = two_crossings()
    nodes[0]["properties"]["kind"] = ["spaceport"]
    links[0]["properties"]["speed_kmh"] = -3
    write_network(tmp_path, nodes, links)
    code, out, err = cli("validate", str(tmp_path))
    assert code == 2
    lines = out.strip().splitlines()
    assert "nodes.geojson: a: kind: unknown value 'spaceport'" in lines[0]
    assert any(line.startswith("links.geojson: a__b: speed_kmh: must be > 0") for line in lines)
    assert "2 problem(s)" in err


def test_nodes_filters_by_kind_and_country(cli):
    code, out, _ = cli("nodes", "--kind", "gauge_change", "--country", "KZ", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["schema_version"] == 1
    rows = document["nodes"]
    ids = {r["id"] for r in rows}
    assert {"dostyk", "altynkol"} <= ids
    assert all(r["country"] == "KZ" and "gauge_change" in r["kind"] for r in rows)


def test_nodes_table(cli):
    code, out, _ = cli("nodes", "--country", "PL")
    assert code == 0 and "Małaszewicze" in out


def test_info_json_counts(cli, net):
    code, out, _ = cli("info", "--json")
    summary = json.loads(out)
    assert code == 0
    assert summary["nodes"] == len(net.nodes)
    assert summary["nodes_by_country"]["KZ"] >= 30
    assert {"1435", "1520"} <= set(summary["rail_km_by_gauge"])
    assert any(n["id"] == "bakhty" for n in summary["not_operating"]["nodes"])


def test_info_table(cli):
    code, out, _ = cli("info")
    assert code == 0 and "Nodes by country" in out and "Planned" in out


@pytest.mark.parametrize(
    "command", ["validate", "nodes", "info", "route", "matrix"]
)
def test_every_command_has_help_with_example(cli, command):
    code, out, _ = cli(command, "--help")
    assert code == 0 and "Example: corridor" in out


def test_unknown_kind_is_one_line_error_exit_2(cli):
    code, out, err = cli("nodes", "--kind", "spaceport")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "expected one of terminal" in err


def test_unknown_option_exits_2(cli):
    code, _, err = cli("info", "--colour")
    assert code == 2 and "No such option" in err


def test_bad_data_dir_is_one_line_error(cli, tmp_path):
    code, _, err = cli("info", "--data", str(tmp_path / "missing"))
    assert code == 2 and err.startswith("corridor: error:") and "Traceback" not in err


def test_python_dash_m_runs():
    result = subprocess.run(
        [sys.executable, "-m", "corridor", "info", "--json"], capture_output=True, text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["links"] > 100


def test_atomic_write_gives_a_readable_file(tmp_path):
    import stat

    from corridor.datafiles import atomic_write_text

    path = atomic_write_text(tmp_path / "sub" / "out.txt", "hello")
    assert path.read_text() == "hello"
    assert path.stat().st_mode & stat.S_IROTH
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]
