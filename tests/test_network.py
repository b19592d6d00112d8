"""The built-in network: coverage, sources, look-up with suggestions, osmnx graph conventions."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest

from corridor import UnknownPlaceError

REQUIRED_PLACES = [
    # China
    "Chongqing", "Chengdu", "Xi'an", "Zhengzhou", "Wuhan", "Yiwu", "Lianyungang", "Lanzhou",
    "Baoji", "Urumqi", "Alashankou", "Khorgos", "Jinghe", "Yining", "Manzhouli", "Zabaikalsk",
    "Erenhot", "Zamyn-Uud", "Tacheng", "Bakhty",
    # Kazakhstan
    "Dostyk", "Altynkol", "Zhetygen", "Aktogay", "Ayagoz", "Semey", "Almaty", "Shu", "Taraz",
    "Shymkent", "Arys", "Saryagash", "Moyinty", "Karaganda", "Astana", "Kokshetau", "Petropavl",
    "Pavlodar", "Ekibastuz", "Kostanay", "Zhezkazgan", "Kyzylorda", "Shalkar", "Kandyagash",
    "Aktobe", "Oral", "Atyrau", "Makat", "Beyneu", "Aktau", "Kuryk", "Zhanaozen", "Bolashak",
    # Russia / Belarus
    "Omsk", "Kurgan", "Chelyabinsk", "Yekaterinburg", "Kazan", "Samara", "Orenburg", "Saratov",
    "Astrakhan", "Moscow", "Smolensk", "Krasnoye", "Orsha", "Minsk", "Brest",
    # Central Asia / Middle Corridor
    "Tashkent", "Baku", "Tbilisi", "Poti", "Batumi", "Akhalkalaki", "Kars", "Istanbul",
    # Europe
    "Małaszewicze", "Terespol", "Warsaw", "Łódź", "Poznań", "Frankfurt (Oder)", "Berlin",
    "Hamburg", "Duisburg", "Nuremberg", "Tilburg", "Prague", "Vienna", "Budapest", "Constanța",
    "Lyon", "Irún", "Hendaye", "Madrid",
]


@pytest.mark.parametrize("place", REQUIRED_PLACES)
def test_required_place_is_in_the_network(net, place):
    node_id = net.resolve(place)
    assert node_id in net.nodes.index


def test_tables_are_geodataframes_in_wgs84(net):
    assert isinstance(net.nodes, gpd.GeoDataFrame)
    assert isinstance(net.links, gpd.GeoDataFrame)
    assert net.nodes.crs.to_epsg() == 4326 == net.links.crs.to_epsg()
    assert set(net.nodes.geom_type) == {"Point"}
    assert set(net.links.geom_type) == {"LineString"}


def test_every_feature_names_a_source(net):
    assert net.nodes["source"].str.strip().str.len().gt(10).all()
    assert net.links["source"].str.strip().str.len().gt(10).all()


def test_required_lines_exist(net):
    lines = " | ".join(net.links["line"].str.lower())
    for name in ("longhai", "lanxin", "northern xinjiang", "turksib", "caspian", "baku"):
        assert name in lines, name


def test_ferries_and_gauges_present(net):
    ferries = net.links[net.links["mode"] == "ferry"]
    ends = set(ferries["from"]) | set(ferries["to"])
    assert {"aktau_port", "kuryk_port", "alat_port"} <= ends
    assert {1435, 1520, 1668} <= set(net.links["gauge_mm"].dropna().astype(int))


def test_geometry_has_waypoints_along_long_lines(net):
    from corridor.geodesy import distance_km

    for link_id, row in net.links[net.links["mode"] == "rail"].iterrows():
        coords = list(row.geometry.coords)
        gaps = [distance_km(*a, *b) for a, b in itertools.pairwise(coords)]
        assert max(gaps) <= 200, (link_id, max(gaps))


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Lodz", "lodz"), ("ŁÓDŹ", "lodz"), ("xian", "xian"), ("Xi'an", "xian"),
     ("DOSTYK", "dostyk"), ("Druzhba", "dostyk"), ("Достык", "dostyk"), ("Horgos", "khorgos"),
     ("Nur-Sultan", "astana"), ("Frankfurt Oder", "frankfurt_oder")],
)
def test_lookup_by_id_name_alias_any_case_and_accent(net, query, expected):
    assert net.resolve(query).startswith(expected)


def test_node_returns_the_row(net):
    row = net.node("Dostyk")
    assert row["country"] == "KZ" and "gauge_change" in row["kind"]


def test_unknown_place_suggests_close_names(net):
    with pytest.raises(UnknownPlaceError) as info:
        net.resolve("Dostik")
    assert "dostyk" in str(info.value)
    with pytest.raises(UnknownPlaceError, match="Duisburg"):
        net.resolve("Duisberg")


def test_graph_follows_osmnx_conventions(net):
    graph = net.graph
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.graph["crs"] == "EPSG:4326"
    assert graph.number_of_edges() == 2 * len(net.links)
    u, _v, data = next(iter(graph.edges(data=True)))
    link = net.links.loc[data["link"]]
    assert data["length"] == pytest.approx(link["length_km"] * 1000)
    assert data["geometry"].coords[0] == pytest.approx(
        (graph.nodes[u]["x"], graph.nodes[u]["y"]), abs=0.05
    )


def test_osmnx_graph_to_gdfs_round_trip(net):
    nodes, edges = ox.graph_to_gdfs(net.graph)
    assert len(nodes) == len(net.nodes) and len(edges) == 2 * len(net.links)
    back = ox.graph_from_gdfs(nodes, edges)
    assert back.number_of_nodes() == net.graph.number_of_nodes()
    assert back.number_of_edges() == net.graph.number_of_edges()


def test_osmnx_shortest_path_runs_on_the_graph(net):
    (path,) = ox.routing.shortest_path(net.graph, ["dostyk"], ["almaty"], weight="length")
    assert path[0] == "dostyk" and path[-1] == "almaty"
