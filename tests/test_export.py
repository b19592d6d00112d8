"""Exports round-trip: frames to GeoPackage/GeoJSON/GeoParquet/CSV, whole networks, --out."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest

import corridor
from corridor.coldchain import reach
from corridor.export import read_frame, write_frame, write_network

FORMATS = (".gpkg", ".geojson", ".parquet", ".csv")


@pytest.fixture(scope="module")
def reach_result(net):
    return reach(net, "Kostanay", "chilled_beef", month=7)


def _frames(net, reach_result):
    return {"nodes": net.nodes, "links": net.links, "reach": reach_result}


@pytest.mark.parametrize("name", ["nodes", "links", "reach"])
def test_to_file_and_explore_work_on_corridor_frames(net, reach_result, tmp_path, name):
    frame = _frames(net, reach_result)[name]
    assert frame.index.name is None  # the ids stay in a column; no clash on reset_index
    frame.to_file(tmp_path / f"{name}.gpkg")
    assert len(gpd.read_file(tmp_path / f"{name}.gpkg")) == len(frame)
    m = frame.explore()
    assert "<html>" in m.get_root().render()[:200].lower() or m.get_root().render()


@pytest.mark.parametrize("suffix", FORMATS)
def test_node_table_round_trips_with_lists(net, tmp_path, suffix):
    path = write_frame(net.nodes, tmp_path / f"nodes{suffix}")
    back = read_frame(path)
    assert list(back["id"]) == list(net.nodes["id"])
    assert list(back["aliases"]) == [list(a) for a in net.nodes["aliases"]]
    assert list(back["kind"]) == [list(k) for k in net.nodes["kind"]]
    assert back["dwell_h"].tolist() == pytest.approx(net.nodes["dwell_h"].tolist(), nan_ok=True)


def test_geopackage_list_cells_are_json_text_not_python_repr(net, tmp_path):
    write_frame(net.nodes, tmp_path / "n.gpkg")
    raw = gpd.read_file(tmp_path / "n.gpkg")
    dostyk = raw.set_index("id").loc["dostyk", "kind"]
    assert json.loads(dostyk) == list(net.nodes.loc["dostyk", "kind"])
    assert "index" not in raw.columns


@pytest.mark.parametrize("target", ["dir", "net.gpkg"])
def test_network_export_loads_back_identical_and_validates(net, tmp_path, cli, target):
    out = tmp_path / target
    write_network(net, out)
    back = corridor.load(out)
    assert back.nodes.equals(net.nodes)
    assert back.links.equals(net.links)
    assert back.disruptions.equals(net.disruptions)
    code, stdout, _ = cli("validate", str(out))
    assert code == 0 and "no problems" in stdout


def test_export_network_command_then_route_on_it(cli, tmp_path):
    out = tmp_path / "corridor.gpkg"
    code, _, err = cli("export", "network", "--out", str(out))
    assert code == 0 and "wrote" in err
    code, stdout, _ = cli("route", "Chongqing", "Duisburg", "--samples", "0", "--data", str(out))
    assert code == 0 and "Dostyk" in stdout


@pytest.mark.parametrize("suffix", FORMATS)
def test_route_out_writes_routes_with_names_and_countries(cli, tmp_path, suffix):
    out = tmp_path / f"routes{suffix}"
    code, _, _ = cli("route", "Chongqing", "Duisburg", "--alternatives", "2", "--samples", "0",
                     "--out", str(out))
    assert code == 0
    back = read_frame(out)
    assert len(back) == 2
    assert back["origin_name"].iloc[0] == "Chongqing (Tuanjiecun)"
    assert back["destination_country"].iloc[0] == "DE"
    assert back["countries"].iloc[0][0] == "CN"


def test_route_out_html_writes_the_map(cli, tmp_path):
    out = tmp_path / "r.html"
    code, _, _ = cli("route", "Chongqing", "Duisburg", "--samples", "0", "--out", str(out))
    assert code == 0 and "leaflet" in out.read_text(encoding="utf-8").lower()


def test_reach_out_round_trips_and_country_filter(cli, tmp_path):
    out = tmp_path / "reach.gpkg"
    code, _, _ = cli("reach", "Kostanay", "--commodity", "chilled_beef", "--reverse",
                          "--country", "KZ", "--out", str(out))
    assert code == 0
    back = read_frame(out)
    assert set(back["country"]) == {"KZ"}
    assert isinstance(back["path"].iloc[0], list)


def test_alternatives_start_with_one_row_per_corridor(cli):
    code, stdout, _ = cli("route", "Chongqing", "Duisburg", "--alternatives", "3", "--samples", "0")
    assert code == 0
    head = stdout.split("Route 1 of 3")[0]
    assert "Corridors, fastest first" in head
    assert "Alashankou → Dostyk" in head and "Khorgos → Altynkol" in head


# -- --out on every analysis command (issue 15) ------------------------------------------------------

@pytest.fixture(scope="module")
def command_tables(net):
    """The table each command's --out writes, computed once: bottlenecks, modes, whatif."""
    from corridor import bottlenecks
    from corridor.export import whatif_frame
    from corridor.modes import compare_modes
    from corridor.scenarios import find_scenario
    from corridor.scenarios.compare import compare, parse_pairs, whatif

    scenario = find_scenario("dostyk-congestion")
    base, variant = scenario.baseline(net), scenario.apply(net)
    pairs = parse_pairs(net, ["Chongqing:Duisburg", "Xian:Lodz"])
    comparison = compare(base, variant, pairs=pairs, samples=0)
    comparison.scenario = scenario.name
    return {
        "bottlenecks": bottlenecks.assign(net).elements,
        "modes": compare_modes(net, "Chongqing", "Duisburg", samples=100),
        "whatif": whatif_frame(net, [(comparison, whatif(base, variant, pairs=pairs, samples=0))]),
    }


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("name", ["bottlenecks", "modes", "whatif"])
def test_command_tables_round_trip_in_every_format(command_tables, tmp_path, name, suffix):
    frame = command_tables[name]
    back = read_frame(write_frame(frame, tmp_path / f"{name}{suffix}"))
    assert len(back) == len(frame)
    key = {"bottlenecks": "id", "modes": "option", "whatif": "destination"}[name]
    assert list(back[key]) == list(frame[key])
    numbers = {"bottlenecks": "flow_trains_day", "modes": "days", "whatif": "scenario_days"}[name]
    rounded = suffix in (".geojson", ".csv")  # written through datafiles.stable_float
    assert back[numbers].tolist() == pytest.approx(frame[numbers].tolist(),
                                                   rel=1e-5 if rounded else 1e-12, nan_ok=True)
    if suffix != ".csv":
        assert list(back.geometry.geom_type) == list(frame.geometry.geom_type)


def test_whatif_table_has_names_and_the_scenario_route(command_tables):
    frame = command_tables["whatif"]
    first = frame.iloc[0]
    assert first["scenario"] == "dostyk-congestion" and first["origin_name"] == "Chongqing (Tuanjiecun)"
    assert first["destination_country"] == "DE" and first["geometry_of"] == "scenario"
    assert first.geometry.geom_type == "LineString" and first.geometry.length > 50  # degrees, Asia→Europe
    assert first["scenario_path"][0] == "chongqing_tuanjiecun"


@pytest.mark.parametrize(("argv", "suffix", "key"), [
    (["bottlenecks", "--top", "3"], ".geojson", "id"),
    (["modes", "Chongqing", "Duisburg", "--samples", "100"], ".parquet", "option"),
    (["whatif", "dostyk-congestion", "--pairs", "Chongqing:Duisburg", "--samples", "0"], ".gpkg",
     "origin_name"),
    (["dependence"], ".csv", "id"),
    (["criticality", "--top", "3"], ".csv", "id"),
    (["matrix", "--origins", "Chongqing", "--destinations", "Duisburg,Lodz", "--samples", "50"],
     ".parquet", "destination"),
])
def test_out_on_the_analysis_commands(cli, tmp_path, argv, suffix, key):
    out = tmp_path / f"result{suffix}"
    code, _, err = cli(*argv, "--out", str(out))
    assert code == 0, err
    assert "wrote" in err and len(read_frame(out)[key]) > 0


@pytest.mark.parametrize("argv", [
    ["bottlenecks", "--top", "3"], ["modes", "Chongqing", "Duisburg", "--samples", "100"],
    ["whatif", "dostyk-congestion", "--pairs", "Chongqing:Duisburg", "--samples", "0"],
])
def test_out_html_draws_the_commands_map(cli, tmp_path, argv):
    out = tmp_path / "m.html"
    code, _, err = cli(*argv, "--out", str(out))
    assert code == 0, err
    assert "leaflet" in out.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize(("argv", "message"), [
    (["matrix", "--origins", "Chongqing", "--destinations", "Duisburg", "--out", "m.html"],
     "expected one of .gpkg, .geojson, .parquet, .csv"),
    (["criticality", "--out", "c.png"], "expected one of .gpkg, .geojson, .parquet, .csv"),
    (["dependence", "--out", "d.geojson"], "expected one of .parquet, .csv, .html, .png"),
    (["bottlenecks", "--out", "b.shp"], "unknown file type '.shp'"),
    (["whatif", "dostyk-congestion", "altynkol-expansion", "--out", "w.html"],
     "draws one scenario"),
    (["route", "Chongqing", "Duisburg", "--offline"], "--offline makes a map page self-contained"),
    (["bottlenecks", "--offline", "--out", "b.csv"], "--offline makes a map page self-contained"),
])
def test_bad_out_and_offline_are_refused_before_any_work(cli, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(*argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_corridor_rows_carry_the_modes_usd_and_co2e(cli, command_tables):
    code, stdout, _ = cli("route", "Chongqing", "Duisburg", "--alternatives", "2", "--samples", "0")
    assert code == 0
    head = stdout.split("Route 1 of 2")[0]
    assert "USD (40')" in head and "kg CO2e" in head
    rail = command_tables["modes"].set_index("option").loc["rail 1"]  # same corridor, same tables
    assert f"{round(rail['cost_usd'], -1):,.0f}" in head and f"{rail['co2e_kg']:.0f}" in head


def test_route_and_matrix_json_carry_names_and_countries(cli):
    code, out, _ = cli("route", "Chongqing", "Duisburg", "--samples", "0", "--json")
    assert code == 0
    first = json.loads(out)["routes"][0]
    assert first["origin_name"] == "Chongqing (Tuanjiecun)" and first["destination_country"] == "DE"
    code, out, _ = cli("matrix", "--origins", "Chongqing", "--destinations", "Duisburg", "--samples", "10",
                       "--json")
    assert code == 0
    pair = json.loads(out)["pairs"][0]
    assert pair["destination_name"] == "Duisburg (logport)" and pair["origin_country"] == "CN"


@pytest.mark.parametrize("name", ["bottlenecks", "modes", "whatif"])
def test_to_file_and_explore_work_on_the_command_tables(command_tables, tmp_path, name):
    frame = command_tables[name]
    frame.to_file(tmp_path / f"{name}.gpkg")
    assert len(gpd.read_file(tmp_path / f"{name}.gpkg")) == len(frame)
    assert frame.index.name is None
    assert "leaflet" in frame.explore().get_root().render().lower()


def test_criticality_and_matrix_write_their_geometry(cli, tmp_path, net):
    """The N-1 ranking carries each closed element's point or line; the matrix each pair's
    straight origin-destination desire line."""
    ranking = tmp_path / "n1.gpkg"
    code, _, err = cli("criticality", "--top", "3", "--out", str(ranking))
    assert code == 0, err
    ranked = read_frame(ranking)
    assert set(ranked.geometry.geom_type) <= {"Point", "LineString", "MultiLineString"}
    assert ranked.geometry.notna().all() and len(ranked) > 3  # the whole ranking, not the top
    pairs = tmp_path / "m.geojson"
    code, _, err = cli("matrix", "--origins", "Chongqing", "--destinations", "Duisburg,Lodz",
                       "--samples", "0", "--out", str(pairs))
    assert code == 0, err
    lines = read_frame(pairs).set_index("destination")
    start = net.nodes.geometry["chongqing_tuanjiecun"]
    for end in ("duisburg_logport", "lodz_olechow"):
        assert list(lines.geometry[end].coords) == [start.coords[0], net.nodes.geometry[end].coords[0]]
