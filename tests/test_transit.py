"""Transit times on hand-made networks with known answers and on the built-in network."""

from __future__ import annotations

import numpy as np
import pytest
from netfactory import link, node, two_crossings

import corridor
from corridor import CorridorError, NoRouteError, UnknownPlaceError
from corridor.geodesy import polyline_km
from corridor.network import Corridor
from corridor.schema import EU_COUNTRIES
from corridor.timemodel import Spread, sample_mixture


@pytest.fixture
def toy() -> Corridor:
    return Corridor.from_features(*two_crossings())


def _km(a, b):
    return polyline_km([a["geometry"]["coordinates"], b["geometry"]["coordinates"]])


def test_fastest_route_known_answer(toy):
    nodes, _ = two_crossings()
    a, _b, _c, f, g, e = nodes
    run = (_km(a, f) + _km(f, g) + _km(g, e)) / 50.0
    dwell = Spread(1, 2, 6).mean + Spread(8, 10, 20).mean
    r = corridor.route(toy, "a", "e")
    assert r.path == ["a", "f", "g", "e"]
    assert r.transit_days * 24 == pytest.approx(run + dwell)
    assert r.timeline["hours"].sum() == pytest.approx(run + dwell)
    assert list(r.timeline["kind"]) == ["run", "border", "run", "gauge_change", "run"]
    assert r.gauge_changes == [{"node": "g", "from_mm": 1435, "to_mm": 1520}]
    assert [str(c) for c in r.border_crossings] == ["f→g"] and r.countries == ["CN", "KZ"]
    assert r.border_crossings[0].gauge_change and r.border_crossings[0].to_country == "KZ"


def test_gauge_changes_only_where_a_node_can(toy):
    nodes, links = two_crossings()
    for feature in nodes:
        kinds = feature["properties"]["kind"]
        if "gauge_change" in kinds:
            kinds.remove("gauge_change")
    with pytest.raises(NoRouteError, match="no route from a to e"):
        corridor.route(Corridor.from_features(nodes, links), "a", "e")


def test_via_and_avoid(toy):
    assert corridor.route(toy, "a", "e", via=["c"]).path == ["a", "b", "c", "e"]
    assert corridor.route(toy, "a", "e", avoid=["g"]).path == ["a", "b", "c", "e"]
    assert corridor.route(toy, "a", "e", avoid=["f__g"]).path == ["a", "b", "c", "e"]


def test_impossible_constraints_are_clear_errors(toy):
    with pytest.raises(CorridorError, match="both on the route"):
        corridor.route(toy, "a", "e", via=["g"], avoid=["g"])
    with pytest.raises(NoRouteError, match="avoiding c, g"):
        corridor.route(toy, "a", "e", avoid=["c", "g"])
    with pytest.raises(CorridorError, match="countries present: CN, KZ"):
        corridor.route(toy, "a", "e", avoid=["RU"])
    with pytest.raises(UnknownPlaceError):
        corridor.route(toy, "a", "nowhere")
    with pytest.raises(CorridorError, match="unknown mode"):
        corridor.route(toy, "a", "e", modes=["zeppelin"])


def test_alternatives_use_different_crossings(toy):
    routes = corridor.alternatives(toy, "a", "e", k=3)
    assert [[str(c) for c in r.border_crossings] for r in routes] == [["f→g"], ["b→c"]]
    assert routes[0].transit_days <= routes[1].transit_days


def test_percentiles_are_ordered_and_reproducible(toy):
    r1 = corridor.route(toy, "a", "e", samples=5000, seed=7)
    r2 = corridor.route(toy, "a", "e", samples=5000, seed=7)
    assert (r1.p50_days, r1.p90_days) == (r2.p50_days, r2.p90_days)
    assert r1.min_days <= r1.p50_days <= r1.p90_days
    assert corridor.route(toy, "a", "e", samples=0).p50_days is None


def _ferry_network(headway: float, worst: float):
    a = node("a", 50.0, 44.0, "KZ", ["terminal"])
    p = node("p", 51.2, 43.6, "KZ", ["port", "border"], dwell_h=8.0, dwell_min_h=6.0,
             dwell_max_h=24.0)
    q = node("q", 49.4, 40.0, "AZ", ["port", "border"], dwell_h=6.0, dwell_min_h=4.0,
             dwell_max_h=12.0)
    z = node("z", 48.0, 41.0, "AZ", ["terminal"])
    ferry = link(p, q, None, speed=None, mode="ferry", tracks=None, sailing_h=22.0,
                 headway_h=headway, headway_max_h=worst)
    return Corridor.from_features([a, p, q, z], [link(a, p), ferry, link(q, z)])


def test_ferry_wait_and_sailing_legs():
    r = corridor.route(_ferry_network(48.0, 240.0), "a", "z")
    kinds = list(r.timeline["kind"])
    assert kinds == ["run", "port", "ferry_wait", "ferry", "port", "run"]
    wait = r.timeline.loc[r.timeline["kind"] == "ferry_wait", "hours"].item()
    assert wait == pytest.approx(Spread(0.0, 24.0, 240.0).mean)
    assert r.timeline.loc[r.timeline["kind"] == "ferry", "hours"].item() == 22.0


def test_rail_only_mode_refuses_the_ferry():
    with pytest.raises(NoRouteError):
        corridor.route(_ferry_network(48.0, 240.0), "a", "z", modes=["rail"])


def test_pert_sampling_matches_its_mean():
    lo, mode, hi = np.array([0.0, 5.0]), np.array([24.0, 5.0]), np.array([240.0, 5.0])
    totals = sample_mixture(lo, mode, hi, np.ones(2), 200_000, np.random.default_rng(1)).sum(axis=1)
    assert totals.mean() == pytest.approx(Spread(0, 24, 240).mean + 5.0, rel=0.01)
    assert totals.min() >= 5.0 and totals.max() <= 245.0


def test_disruption_mixture_mean_is_chance_times_episode_mean():
    lo, mode, hi, chance = np.array([24.0]), np.array([48.0]), np.array([96.0]), np.array([0.04])
    draws = sample_mixture(lo, mode, hi, chance, 400_000, np.random.default_rng(2))[:, 0]
    assert draws.mean() == pytest.approx(0.04 * Spread(24, 48, 96).mean, rel=0.03)
    assert (draws == 0).mean() == pytest.approx(0.96, abs=0.002)


# -- the built-in network -----------------------------------------------------------------------

def test_chongqing_duisburg_crosses_dostyk_and_brest_with_gauge_changes(net):
    r = corridor.route(net, "Chongqing", "Duisburg")
    crossings = {str(c) for c in r.border_crossings}
    assert "alashankou→dostyk" in crossings
    assert any(c.startswith("brest→") for c in crossings)
    changes = {g["node"] for g in r.gauge_changes}
    assert len(r.gauge_changes) == 2
    assert changes & {"alashankou", "dostyk"} and changes & {"brest", "malaszewicze", "terespol"}
    kinds = set(r.timeline["kind"])
    assert {"run", "border", "gauge_change"} <= kinds
    assert r.countries[0] == "CN" and r.countries[-1] == "DE" and "KZ" in r.countries


def test_avoiding_kazakhstan_is_slower_or_impossible(net):
    base = corridor.route(net, "Chongqing", "Duisburg", samples=0)
    try:
        other = corridor.route(net, "Chongqing", "Duisburg", avoid=["KZ"], samples=0)
    except NoRouteError:
        return
    assert "KZ" not in other.countries and other.transit_days > base.transit_days


def test_avoiding_russia_and_belarus_takes_the_middle_corridor(net):
    r = corridor.route(net, "Chongqing", "Duisburg", avoid=["RU", "BY"], samples=0)
    assert not {"RU", "BY"} & set(r.countries)
    assert {"AZ", "GE", "TR"} <= set(r.countries)
    assert "ferry" in set(r.timeline["kind"])
    assert r.transit_days > corridor.route(net, "Chongqing", "Duisburg", samples=0).transit_days


def test_builtin_alternatives_differ_in_corridor(net):
    routes = corridor.alternatives(net, "Chongqing", "Duisburg", k=4, samples=0)
    assert len(routes) == 4
    signatures = [tuple(r.border_crossings) for r in routes]
    assert len(set(signatures)) == 4
    days = [r.transit_days for r in routes]
    assert days == sorted(days)


def test_a_detour_inside_the_eu_is_not_another_corridor(net):
    # from Leipzig, leaving Germany at Horka instead of Frankfurt (Oder) on the way to Brest was
    # counted as a second corridor; the first crossing that counts is the first to leave the EU
    routes = corridor.alternatives(net, "Leipzig", "Shenyang", k=3, samples=0)
    eu = EU_COUNTRIES
    outside = [tuple(str(c) for c in r.border_crossings
                     if not {c.from_country, c.to_country} <= eu) for r in routes]
    assert len(set(outside)) == len(routes)
    assert any("zabaikalsk→manzhouli" in crossings for crossings in outside[:2])


def test_another_caspian_ferry_line_is_another_corridor(net):
    # the Aktau and the Kuryk ferry to Baku are one border (KZ–AZ) but two ferry lines, each with
    # its sailing, wait and port: from Istanbul both are among the three fastest corridors to Xi'an
    # (the other goes round the Black Sea through the EU and Russia)
    routes = corridor.alternatives(net, "Halkali", "Xian", k=3, samples=0)
    ferries = {"alat_port→aktau_port", "alat_port→kuryk_port"}
    sailings = [{str(c) for c in r.border_crossings} & ferries for r in routes]
    assert sorted(map(sorted, filter(None, sailings))) == [["alat_port→aktau_port"],
                                                          ["alat_port→kuryk_port"]]


def test_planned_crossing_used_only_when_asked(net):
    r = corridor.route(net, "Tacheng", "Bakhty", include_planned=True, samples=0)
    assert r.path == ["tacheng", "bakhty"] or "bakhty" in r.path
    with pytest.raises(CorridorError, match=r"planned|under_construction"):
        corridor.route(net, "Tacheng", "Bakhty", samples=0)


def test_timeline_columns(net):
    frame = corridor.route(net, "Dostyk", "Almaty").timeline
    assert list(frame.columns) == ["leg", "from", "to", "kind", "km", "hours", "hours_min",
                                   "hours_max", "chance", "cumulative_days"]
    assert frame["cumulative_days"].is_monotonic_increasing


def test_matrix_agrees_with_single_routes(net):
    from corridor.transit import matrix

    frame = matrix(net, ["Chongqing", "Xian"], ["Duisburg", "Lodz", "Alat"], samples=4000)
    assert len(frame) == 6 and frame["transit_days"].notna().all()
    for row in frame.itertuples(index=False):
        r = corridor.route(net, row.origin, row.destination, samples=4000, seed=1)
        assert row.transit_days == pytest.approx(r.transit_days, rel=1e-6)
        assert row.distance_km == pytest.approx(r.distance_km)
        assert row.p50_days == pytest.approx(r.p50_days, rel=0.03)
        assert row.p90_days == pytest.approx(r.p90_days, rel=0.03)
        assert row.p50_days <= row.p90_days


def test_matrix_cli_writes_csv_atomically(cli, tmp_path):
    out = tmp_path / "m.csv"
    code, _, err = cli("matrix", "--origins", "Chongqing", "--destinations", "Duisburg,Madrid",
                       "--samples", "200", "--out", str(out))
    assert code == 0 and "wrote 2 pairs" in err
    text = out.read_text()
    assert text.startswith("origin,destination,distance_km,transit_days,p50_days,p90_days")
    assert not list(tmp_path.glob(".m.csv.*"))


def test_route_cli_json_keys(cli):
    import json

    code, out, _ = cli("route", "Chongqing", "Duisburg", "--json", "--samples", "500")
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 1 and len(data["routes"]) == 1
    data = data["routes"][0]
    for key in ("origin", "destination", "path", "distance_km", "transit_days", "p50_days",
                "p90_days", "border_crossings", "gauge_changes", "legs"):
        assert key in data
    assert {"from", "to", "kind", "km", "hours"} <= set(data["legs"][0])
    code, out, _ = cli("route", "Chongqing", "Duisburg", "--json", "--alternatives", "3",
                       "--samples", "0")
    routes = json.loads(out)["routes"]
    assert len(routes) == 3
    assert routes[0]["transit_days"] <= routes[1]["transit_days"] <= routes[2]["transit_days"]


def test_route_cli_impossible_constraints_exit_2(cli):
    code, out, err = cli("route", "Chongqing", "Duisburg", "--via", "Dostyk", "--avoid", "Dostyk")
    assert code == 2 and out == "" and "both on the route" in err


def test_closures_match_closing_each_border_in_turn(net):
    """N-1 over the border nodes searches only those on the route, with the same days as the
    naive loop that closes every border node and routes again."""
    from corridor.transit import border_nodes, closures, route

    table = closures(net, "Chongqing", "Duisburg")
    borders = [b for b in border_nodes(net) if b not in ("chongqing_tuanjiecun", "duisburg_logport")]
    assert list(table["element"]) == borders
    assert table["on_route"].sum() >= 2
    for element in borders:
        try:
            expected = route(net, "Chongqing", "Duisburg", avoid=[element], samples=0).transit_days
        except NoRouteError:
            expected = float("nan")
        got = table.set_index("element").loc[element, "transit_days"]
        assert got == pytest.approx(expected, nan_ok=True), element
    assert (table.loc[~table["on_route"], "delta_days"] == 0).all()
    assert (table["delta_days"].dropna() >= -1e-9).all()


def test_closures_on_two_crossings_known_answer(toy):
    """Closing the south crossing (the fastest) moves the route north; closing a north node
    changes nothing; closing a link works the same way."""
    from corridor.transit import closures, route

    table = closures(toy, "a", "e").set_index("element")
    assert "f" in route(toy, "a", "e", samples=0).path
    assert set(table.index) == {"b", "c", "f", "g"}
    north = route(toy, "a", "e", avoid=["f"], samples=0)
    assert "b" in north.path
    assert table.loc["f", "transit_days"] == pytest.approx(north.transit_days)
    assert table.loc["f", "delta_days"] > 0 and table.loc["f", "on_route"]
    assert table.loc["b", "delta_days"] == 0 and not table.loc["b", "on_route"]
    by_link = closures(toy, "a", "e", elements=["f__g"]).set_index("element")
    assert by_link.loc["f__g", "transit_days"] == pytest.approx(north.transit_days)


def test_trace_many_gives_each_target_its_own_trace(net):
    """Tracing all targets of one search together gives the edges tracing each one gives."""
    from corridor.transit import state_graph, terminals

    sg = state_graph(net, frozenset({"operating"}))
    mask = sg.edge_mask()
    dist, pred, lookup = sg.distances(sg.origin_states("xian"), mask)
    targets = [t for t in (sg.best_target(dist, end) for end in terminals(net) if end != "xian")
               if t is not None]
    assert len(targets) > 20
    together = sg.trace_many(pred, lookup, np.asarray(targets))
    assert [list(e) for e in together] == [sg.trace(pred, lookup, t) for t in targets]
    assert sg.trace_many(pred, lookup, np.asarray([], dtype=np.int64)) == []
