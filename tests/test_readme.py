"""README's examples stay true: every ``$ corridor ...`` line and every Python block runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
CONSOLE_BLOCKS = re.findall(r"```console\n(.*?)```", TEXT, flags=re.S)
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
COMMANDS = [
    line[2:].strip()
    for block in CONSOLE_BLOCKS
    for line in block.splitlines()
    if line.startswith("$ corridor ")
]


def test_readme_has_examples():
    assert len(COMMANDS) >= 5 and PYTHON_BLOCKS


def test_quick_start_has_exactly_two_commands():
    quick = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:console|bash|sh)\n(.*?)```", quick, flags=re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_cli_example_runs(cli, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line, _, comment = command.partition("#")
    expected = re.match(r"\s*exit (\d+)", comment)
    code, out, err = cli(*shlex.split(line)[1:])
    assert code == (int(expected.group(1)) if expected else 0), err
    if expected:
        assert err.startswith("corridor: error:") and err.count("\n") == 1
    else:
        assert out or err


@pytest.mark.parametrize("block", PYTHON_BLOCKS)
def test_readme_python_example_runs(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(README), "exec"), {})
