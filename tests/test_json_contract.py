"""Every command's --json is one object with schema_version and the keys docs/json.md documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parent.parent / "docs" / "json.md").read_text(encoding="utf-8")
COMMANDS = {
    "info": ["info"],
    "nodes": ["nodes", "--kind", "border"],
    "route": ["route", "Chongqing", "Duisburg", "--samples", "100"],
    "matrix": ["matrix", "--origins", "Chongqing", "--destinations", "Duisburg", "--samples", "100"],
    "criticality": ["criticality", "--top", "2"],
    "reach": ["reach", "Kostanay", "--commodity", "chilled_beef", "--samples", "0"],
    "commodities": ["commodities"],
    "whatif": ["whatif", "dostyk-congestion"],
    "scenarios": ["scenarios"],
    "modes": ["modes", "Chongqing", "Duisburg", "--samples", "100"],
}


def documented_keys(command: str) -> list[str]:
    """Top-level keys of a command's row in docs/json.md (nested brackets left out)."""
    row = re.search(rf"^\| `{command}` \| `([^`]*)`", DOC, flags=re.M).group(1)
    depth, out, word = 0, [], ""
    for ch in row:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(word.strip())
            word = ""
        elif depth == 0:
            word += ch
    out.append(word.strip())
    return [w for w in out if w]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_json_has_schema_version_and_the_documented_keys(cli, command):
    code, out, err = cli(*COMMANDS[command], "--json")
    assert code == 0, err
    document = json.loads(out)
    assert isinstance(document, dict) and next(iter(document)) == "schema_version"
    assert document["schema_version"] == 1
    assert set(documented_keys(command)) <= set(document), (command, sorted(document))
