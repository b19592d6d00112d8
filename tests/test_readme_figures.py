"""The figures README quotes in prose are the model's: computed here, printed, and found in README."""

from __future__ import annotations

from pathlib import Path

import pytest

import corridor
from corridor.cli.tables import route_summary

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_route_summary_in_readme_is_current(net):
    from rich.console import Console

    r = corridor.route(net, "Chongqing", "Duisburg")  # the CLI's defaults: 2000 draws, seed 0
    console = Console(width=400, record=True)
    console.print(route_summary(net, r))
    lines = [line.rstrip() for line in console.export_text().splitlines() if line.strip()]
    print("\n" + "\n".join(lines))
    for line in lines:
        assert line in README, f"README is stale: {line!r}"


def test_alternatives_figures_in_readme_are_current(net):
    routes = corridor.alternatives(net, "Chongqing", "Duisburg", k=5, samples=0)
    days = [f"{r.transit_days:.1f}" for r in routes]
    print("\nChongqing–Duisburg corridors:", ", ".join(
        f"{r.border_crossings[0]} {d}" for r, d in zip(routes, days, strict=True)))
    text = " ".join(README.split())
    for d in days:
        assert f"({d} days)" in text or f"({d})" in text, f"README is stale: {d} days"


@pytest.mark.parametrize("pair,marker", [
    (("Chongqing", "Duisburg"), "checks this block against the command):"),
    (("Shanghai", "Rotterdam"), "`corridor modes Shanghai Rotterdam` (checked the same way):"),
])
def test_modes_table_in_readme_is_current(cli, pair, marker):
    code, out, err = cli("modes", *pair)
    assert code == 0, err
    print("\n" + out)
    block = README.split(f"{marker}\n\n```text\n", 1)[1].split("```")[0]
    assert [line.rstrip() for line in out.strip("\n").splitlines()] == \
        [line.rstrip() for line in block.strip("\n").splitlines()], "README's modes table is stale"


def test_reach_counts_and_failure_places_in_readme_are_current(net):
    from corridor.coldchain.explain import why

    text = " ".join(README.split())
    july = corridor.reach(net, "Kostanay", "chilled_beef", month=7)
    short = corridor.reach(net, "Kostanay", "chilled_beef", month=7, autonomy_h=48)
    counts = [int(r["reachable"].sum()) - 1 for r in (july, short)]
    chita, chongqing = july.loc["chita"], short.loc["chongqing_tuanjiecun"]
    print(f"\nreached from Kostanay: {counts[0]} (96 h), {counts[1]} (48 h); chita: "
          f"{why(chita, july.attrs)}; chongqing at 48 h: {chongqing['failed_at_name']} "
          f"{chongqing['failed_after_h']:.0f} h")
    assert f"autonomy {counts[0]} places are reached from Kostanay in July" in text
    assert f"With 48 hours only {counts[1]} " in text
    assert f"\"{why(chita, july.attrs).split(':')[0]}\"" in text
    assert f"runs dry after {chongqing['failed_at_name']}, {chongqing['failed_after_h']:.0f} h in" in text


def test_length_source_counts_in_readme_are_current(net):
    rail = net.links[net.links["mode"] == "rail"]
    counts = rail["length_source"].value_counts()
    sentence = (f"Of the {len(rail)} rail links, {counts['published']} lengths are published, "
                f"{counts['osm']} traced and {counts['estimate']} estimates")
    print("\n" + sentence)
    assert sentence in " ".join(README.split()), f"README is stale: {sentence!r}"


def test_natural_earth_position_checks_in_readme_are_current(net):
    """The count of approximate positions whose note gives the distance from a Natural Earth town,
    and their range for outlying terminals and ports, as README states them."""
    import re

    found = net.nodes["note"].str.extract(r"CC0\): ([\d.]+) km from '", expand=False).dropna()
    km = found.astype(float)
    print(f"\nNatural Earth position checks: {len(km)} nodes; farthest {km.max():.0f} km")
    text = " ".join(README.split())
    assert f"({len(km)} nodes; terminals and ports outside a city lie 10–{km.max():.0f} km" in text
    assert re.search(r"Position checked against Natural Earth", net.nodes.loc["wien", "note"])
