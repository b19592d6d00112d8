"""`corridor validate` on the published-services table: each rule on a broken copy of the built-in one."""

from __future__ import annotations

import shutil

import pytest

from corridor.datafiles import builtin_dir
from corridor.services_table import node_list, validate_services_table

YUXINOU_VIA = "xian;lanzhou;urumqi;alashankou"


@pytest.fixture(scope="module")
def node_ids(net) -> set[str]:
    return set(net.nodes.index)


def _broken(tmp_path, old: str, new: str):
    text = (builtin_dir() / "services.csv").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "services.csv").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_builtin_services_table_is_clean(node_ids):
    assert validate_services_table(builtin_dir(), node_ids) == []


def test_a_directory_without_the_table_is_not_checked(tmp_path, node_ids):
    assert validate_services_table(tmp_path, node_ids) == []


def test_node_lists_split_on_semicolons():
    assert node_list("khorgos; aktau_port;") == ["khorgos", "aktau_port"]
    assert node_list(float("nan")) == [] and node_list("") == []


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    (YUXINOU_VIA, "xian;lanzhuo;urumqi;alashankou", "distance_via", "did you mean lanzhou"),
    ("Alashankou–Dostyk,alashankou,xian", "Alashankou–Dostyk,alashankou_pass,xian",
     "crossing_nodes", "no node 'alashankou_pass'"),
    ("Yuxinou Chongqing–Duisburg,chongqing_tuanjiecun", "Yuxinou Chongqing–Duisburg,chongqing",
     "origin", "no node 'chongqing'"),
    (f"{YUXINOU_VIA},11179,12,13", f"{YUXINOU_VIA},inf,12,13", "published_km", "finite number"),
    (f"{YUXINOU_VIA},11179,12,13", f"{YUXINOU_VIA},,12,13", "distance_via", "no published_km"),
    (f"{YUXINOU_VIA},11179,12,13", f"{YUXINOU_VIA},11179,14,13", "published_days_max",
     "below published_days_min"),
    (f"{YUXINOU_VIA},11179,12,13,2024", f"{YUXINOU_VIA},11179,12,13,1850", "year", "expected a year"),
])
def test_each_rule_on_a_broken_copy(tmp_path, node_ids, old, new, field, words):
    problems = validate_services_table(_broken(tmp_path, old, new), node_ids)
    assert [p.field for p in problems] == [field], problems
    assert problems[0].file == "services.csv" and problems[0].key.startswith("line 2 (Yuxinou")
    assert words in problems[0].message


def test_validate_command_reports_an_unknown_distance_via_node(cli, tmp_path):
    shutil.copytree(builtin_dir(), tmp_path / "geodata")
    directory = tmp_path / "geodata"
    _broken(directory, YUXINOU_VIA, "xian;lanzhuo;urumqi;alashankou")
    code, out, err = cli("validate", str(directory))
    assert code == 2
    assert out.strip().splitlines() == [
        "services.csv: line 2 (Yuxinou Chongqing–Duisburg): distance_via: no node 'lanzhuo' in "
        "nodes.geojson; did you mean lanzhou, manzhouli, milano?"]
    assert "1 problem(s)" in err and "Traceback" not in err
