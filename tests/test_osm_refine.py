"""Refinement on real track: small rail graphs with known track lengths (no scgraph_data needed)."""

from __future__ import annotations

import csv
import itertools
import json

import pytest
from shapely.geometry import Point

from corridor.datafiles import builtin_dir
from corridor.geodesy import distance_km, polyline_km
from corridor.osm.published import published_evidence
from corridor.osm.refine import decide, polyline_is_straight
from corridor.osm.track import TrackGraph
from corridor.validation import validate_features

A, B = (105.0, 35.0), (108.3, 35.0)  # two Chinese stations ~300 km apart
BULGE = (106.65, 35.6)  # the conventional line swings ~67 km north
HSR = [(105.0 + 3.3 * k / 6, 35.0) for k in range(1, 6)]  # a straight high-speed line


def _graph(lines: list[list[tuple[float, float]]]) -> TrackGraph:
    """A rail graph from polylines; coincident points become one node, edges carry geodesic km."""
    index: dict[tuple[float, float], int] = {}
    adjacency: list[dict[int, float]] = []
    for line in lines:
        for p in line:
            if p not in index:
                index[p] = len(adjacency)
                adjacency.append({})
        for p, q in itertools.pairwise(line):
            km = distance_km(*p, *q)
            adjacency[index[p]][index[q]] = adjacency[index[q]][index[p]] = km
    latlon = [[p[1], p[0]] for p in sorted(index, key=index.get)]
    return TrackGraph.from_adjacency(adjacency, latlon).densified(2.0)


def _link(length_km: float, note: str = "length_km: geodesic length of the polyline") -> dict:
    return {"id": "a__b", "from": "a", "to": "b", "length_km": length_km, "source": "test", "note": note}


def _decide(props: dict, rail: TrackGraph, coords=(A, BULGE, B), countries=("CN", "CN")):
    return decide(props, list(coords), [Point(A), Point(B)], countries, rail)


CONVENTIONAL_KM = polyline_km([A, BULGE, B])


def test_traces_the_conventional_line_not_the_high_speed_one():
    rail = _graph([[A, BULGE, B], [A, *HSR, B]])
    decision = _decide(_link(polyline_km([A, B])), rail)
    assert decision.length_source == "osm"
    assert decision.traced_km == pytest.approx(CONVENTIONAL_KM, rel=1e-3)
    assert decision.geometry == "traced" and not polyline_is_straight(decision.coords)


def test_a_high_speed_trace_shorter_than_the_curated_route_is_refused():
    rail = _graph([[A, *HSR, B]])  # only the straight line is in the band around the curated chord
    decision = _decide(_link(CONVENTIONAL_KM), rail, coords=(A, B))
    assert decision.traced_km == pytest.approx(polyline_km([A, B]), rel=1e-3)
    assert decision.length_source == "estimate" and decision.chosen_km == CONVENTIONAL_KM
    assert "high-speed" in decision.why


def test_refining_a_traced_link_again_keeps_to_its_line():
    # the earlier refinement traced the conventional line (its geometry now follows the bulge); a
    # shorter line 0.94x as long lies 33 km away, inside the wide band: refining again stays on
    # the earlier line, which a link still curated would leave for the shorter one
    middle = (106.65, 35.3)
    rail = _graph([[A, BULGE, B], [A, middle, B]])
    shorter = polyline_km([A, middle, B])
    assert 0.90 < shorter / CONVENTIONAL_KM < 0.98
    traced = {**_link(round(CONVENTIONAL_KM, 1)), "length_source": "osm"}
    again = _decide(traced, rail, countries=("KZ", "KZ"))
    assert again.length_source == "osm"
    assert again.traced_km == pytest.approx(CONVENTIONAL_KM, rel=1e-3)
    fresh = _decide(_link(round(CONVENTIONAL_KM, 1)), rail, countries=("KZ", "KZ"))
    assert fresh.length_source == "osm" and fresh.chosen_km == pytest.approx(shorter, rel=1e-3)


def test_a_traced_link_keeps_its_trace_where_a_new_source_has_no_track():
    rail = _graph([[(110.0, 40.0), (110.5, 40.0)]])  # an extract far from the link
    traced = {**_link(round(CONVENTIONAL_KM, 1)), "length_source": "osm"}
    kept = _decide(traced, rail, countries=("KZ", "KZ"))
    assert kept.length_source == "osm" and kept.chosen_km == round(CONVENTIONAL_KM, 1)
    assert kept.coords is None and kept.why.startswith("earlier trace kept (no track within")


def test_a_gap_in_the_track_is_reported_not_bridged():
    gap_start, gap_end = (106.4, 35.4), (106.9, 35.55)
    rail = _graph([[A, gap_start], [gap_end, B]])
    decision = _decide(_link(CONVENTIONAL_KM), rail)
    assert decision.traced_km is None and decision.length_source == "estimate"
    assert decision.chosen_km == CONVENTIONAL_KM and decision.why.startswith("gap")


def test_track_outside_the_band_is_found_in_the_widened_band():
    # the chord A-B is the curated route; the only track swings ~67 km north of it, outside the
    # 45 km band (15 % of ~301 km) but inside the band twice as wide
    rail = _graph([[A, BULGE, B]])
    decision = _decide(_link(CONVENTIONAL_KM, "length_km: estimate"), rail, coords=(A, B))
    assert decision.length_source == "osm"
    assert decision.traced_km == pytest.approx(CONVENTIONAL_KM, rel=1e-3)
    assert decision.band_km == pytest.approx(2 * 0.15 * polyline_km([A, B]), rel=1e-3)
    assert "widened 90 km band" in decision.why


def test_a_trace_from_the_widened_band_still_passes_the_plausibility_test():
    rail = _graph([[A, BULGE, B]])
    curated = round(CONVENTIONAL_KM / 1.5, 1)  # the track is 1.5x the curated length: a detour
    decision = _decide(_link(curated, "length_km: estimate"), rail, coords=(A, B))
    assert decision.length_source == "estimate" and decision.chosen_km == curated
    assert "detour, refused" in decision.why and "widened" in decision.why


def test_track_beyond_the_widened_band_is_still_a_gap():
    far = (106.65, 36.2)  # ~133 km north of the chord, outside even the widened 90 km band
    rail = _graph([[A, far, B]])
    decision = _decide(_link(CONVENTIONAL_KM, "length_km: estimate"), rail, coords=(A, B))
    assert decision.traced_km is None and decision.length_source == "estimate"
    assert decision.why.startswith("gap: no continuous track between the ends within 90 km")


def test_a_published_length_wins_and_takes_the_agreeing_trace_as_geometry():
    rail = _graph([[A, BULGE, B]])
    published = round(CONVENTIONAL_KM * 1.03, 1)
    decision = _decide(_link(published, f"length_km: published {published} km"), rail)
    assert decision.length_source == "published" and decision.chosen_km == published
    assert decision.geometry == "traced"


def test_published_rule_reads_km_posts_and_refuses_estimates():
    assert published_evidence({"id": "x", "length_km": 456, "note": "length 5609-5153 km"})
    assert published_evidence({"id": "x", "length_km": 306, "note": "", "source": "KTZ (306 km)"})
    assert published_evidence({"id": "x", "length_km": 527, "note": "length_km: estimate, share "
                               "of the published 836 km", "source": "527 km"}) is None


def _first_long_two_point_link(links: list[dict]) -> dict:
    return next(f for f in links if f["properties"]["mode"] == "rail"
                and f["properties"]["length_km"] > 60 and len(f["geometry"]["coordinates"]) == 2)


def test_validate_refuses_an_unknown_length_source(builtin_features):
    nodes, links = builtin_features
    links[0]["properties"]["length_source"] = "guess"
    problems = validate_features(nodes, links)
    assert any(p.field == "length_source" and "unknown value 'guess'" in p.message for p in problems)


def test_validate_refuses_a_length_far_below_its_track_unless_published(builtin_features):
    nodes, links = builtin_features
    link = next(f for f in links if f["properties"]["id"] == "moyinty__shu")
    link["properties"]["length_source"] = "osm"
    link["properties"]["length_km"] = round(polyline_km(link["geometry"]["coordinates"]) * 0.8, 1)
    problems = [p for p in validate_features(nodes, links) if p.key == "moyinty__shu"]
    assert any("expected length_source 'published'" in p.message for p in problems)
    link["properties"]["length_source"] = "published"
    assert not [p for p in validate_features(nodes, links)
                if p.key == "moyinty__shu" and "length_source" in p.message]


def test_validate_refuses_a_long_straight_refined_link(builtin_features):
    nodes, links = builtin_features
    link = _first_long_two_point_link(links)
    assert "osm trace not used" in link["properties"]["note"].lower()  # the refinement said why
    assert not [p for p in validate_features(nodes, links) if p.key == link["properties"]["id"]]
    link["properties"]["length_source"] = "osm"
    link["properties"]["note"] = "length_km: traced"
    problems = [p for p in validate_features(nodes, links) if p.key == link["properties"]["id"]]
    assert any(p.field == "geometry" and "straight line" in p.message for p in problems)


def test_every_builtin_rail_link_states_its_length_source(builtin_features):
    nodes, links = builtin_features
    rail = [f["properties"] for f in links if f["properties"]["mode"] == "rail"]
    assert {p["length_source"] for p in rail} == {"published", "osm", "estimate"}
    link = rail[0]
    del link["length_source"]
    problems = validate_features(nodes, links)
    assert any(p.key == link["id"] and p.field == "length_source" and "missing" in p.message
               for p in problems)
    link["length_source"] = None
    assert any(p.key == link["id"] and "required for rail links" in p.message
               for p in validate_features(nodes, links))


def test_builtin_track_report_covers_every_rail_link(net):
    report = {r["id"]: r for r in csv.DictReader(
        (builtin_dir() / "track_report.csv").open(encoding="utf-8"))}
    rail = net.links[net.links["mode"] == "rail"]
    assert set(report) == set(rail.index)
    for lid, row in report.items():
        assert row["length_source"] == rail.loc[lid, "length_source"], lid
        assert float(row["chosen_km"]) == pytest.approx(rail.loc[lid, "length_km"], abs=0.05), lid


def test_refine_cli_writes_a_refined_copy_and_report(cli, tmp_path):
    from pathlib import Path

    sample = Path(__file__).parent / "fixtures" / "rail_sample.osm"
    out = tmp_path / "refined"
    code, _, err = cli("osm", "refine", "--source", str(sample), "--out", str(out))
    assert code == 0 and "refined" in err
    rows = {r["id"]: r for r in csv.DictReader((out / "track_report.csv").open(encoding="utf-8"))}
    # the fixture's track between the two stations is 11.4 km; with the straight connectors from the
    # stations to the snapped track (which the geometry draws and the plausibility test counts) it is
    # 0.90x the built-in 12.7 km (traced on the world railway graph through the yards): just taken
    row = rows["dostyk__alashankou"]
    assert float(row["traced_km"]) == pytest.approx(11.4, abs=0.1)
    with_connectors = float(row["traced_km"]) + float(row["snap_from_km"]) + float(row["snap_to_km"])
    assert row["length_source"] == "osm"
    assert float(row["chosen_km"]) == pytest.approx(with_connectors, abs=0.15)
    assert {"nodes.geojson", "links.geojson", "services.csv"} <= {p.name for p in out.iterdir()}
    code, out_text, _ = cli("validate", str(out))
    assert code in (0, 2) and "dostyk__alashankou" not in out_text
    # refining the refined copy on the same track changes no length, no length source and no note
    # (the earlier refinement's clauses are replaced, not repeated)
    again = tmp_path / "again"
    code, _, err = cli("osm", "refine", "--source", str(sample), "--data", str(out), "--out", str(again))
    assert code == 0, err
    second = {r["id"]: r for r in csv.DictReader((again / "track_report.csv").open(encoding="utf-8"))}
    for lid, first in rows.items():
        assert (second[lid]["length_source"], second[lid]["chosen_km"]) \
            == (first["length_source"], first["chosen_km"]), lid
    notes = [{f["properties"]["id"]: f["properties"]["note"] for f in json.loads(
        (d / "links.geojson").read_text(encoding="utf-8"))["features"]} for d in (out, again)]
    assert notes[0] == notes[1]


#: KTZ tariff distances between stations of passenger trains (per-stop km of KTZ route data: train
#: 022T Kyzylorda–Semey and 004Ts Nurly Zhol–Almaty 2, copied in GitHub
#: arstoktarov/ipayments-mock-server, app/Responses/); each pair's links are traced on OSM track, so
#: the tariff distance was not used to make them: an independent check of the traced lengths
KTZ_TARIFF_KM = {("aktogay", "ayagoz"): (133, "022T: Aktogay km 1791, Ayagoz km 1924"),
                 ("karaganda", "shu"): (782, "004Ts: Karaganda km 235, Shu km 1017")}


@pytest.mark.parametrize("pair", sorted(KTZ_TARIFF_KM))
def test_traced_lengths_agree_with_ktz_tariff_distances(net, pair):
    import networkx as nx

    km, trains = KTZ_TARIFF_KM[pair]
    rail = net.links[(net.links["mode"] == "rail") & (net.links["status"] == "operating")]
    graph = nx.Graph()
    for _, link in rail.iterrows():
        graph.add_edge(link["from"], link["to"], km=link["length_km"], source=link["length_source"])
    path = nx.shortest_path(graph, *pair, weight="km")
    steps = list(itertools.pairwise(path))
    model = sum(graph.edges[step]["km"] for step in steps)
    print(f"\n{pair[0]}–{pair[1]}: {model:.0f} km on the model's links against the KTZ tariff "
          f"{km} km ({trains}): {(model - km) / km:+.1%}")
    assert {graph.edges[step]["source"] for step in steps} == {"osm"}
    assert model == pytest.approx(km, rel=0.03)
