"""The large-network builder (``corridor osm network``) on a small synthetic track (no scgraph_data)."""

from __future__ import annotations

import pytest

import corridor
from corridor.errors import CorridorError
from corridor.osm.network import (
    GAUGE_BY_COUNTRY,
    build_features,
    region_countries,
    synthetic_track,
    write_network,
)
from corridor.transit import route
from corridor.validation import validate_features

CURATED = ("dostyk", "alashankou", "altynkol", "khorgos")


@pytest.fixture(scope="module")
def curated():
    return corridor.load()


@pytest.fixture(scope="module")
def built(curated):
    places = [(curated.nodes.loc[n].geometry.x, curated.nodes.loc[n].geometry.y) for n in CURATED]
    track = synthetic_track(76.0, 42.0, 86.0, 47.0, 30, 16, seed=1, extra=places)
    return build_features(track, ["KZ", "CN", "KG"], curated, "synthetic test track")


@pytest.fixture(scope="module")
def net(built, tmp_path_factory):
    nodes, links, _ = built
    return corridor.load(write_network(tmp_path_factory.mktemp("big") / "net", nodes, links)[0].parent)


def test_the_built_network_validates_and_loads(built, net):
    nodes, links, report = built
    assert validate_features(nodes, links) == []
    assert len(net.nodes) == report.nodes and len(net.links) == report.links


def test_gauge_follows_the_country_and_changes_only_where_gauges_meet(net):
    links, nodes = net.links, net.nodes
    origin_country = nodes.loc[links["from"], "country"].to_numpy()
    assert (links["gauge_mm"].to_numpy() == [GAUGE_BY_COUNTRY[c] for c in origin_country]).all()
    for node_id, kinds in nodes["kind"].items():
        touching = links[(links["from"] == node_id) | (links["to"] == node_id)]["gauge_mm"]
        if touching.nunique() > 1:
            assert "gauge_change" in kinds, node_id
        elif node_id.startswith("osm"):  # curated nodes keep their own kinds
            assert "gauge_change" not in kinds, node_id


def test_every_crossing_link_ends_at_border_nodes(net):
    nodes, links = net.nodes, net.links
    crossing = links[nodes.loc[links["from"], "country"].to_numpy()
                     != nodes.loc[links["to"], "country"].to_numpy()]
    assert len(crossing) > 0
    for end in ("from", "to"):
        assert nodes.loc[crossing[end], "kind"].map(lambda k: "border" in k).all()


def test_curated_nodes_are_carried_over_with_their_values(net, curated):
    for node_id in CURATED:
        mine, theirs = net.nodes.loc[node_id], curated.nodes.loc[node_id]
        assert mine["dwell_h"] == theirs["dwell_h"]
        assert set(theirs["kind"]) <= set(mine["kind"])
        assert mine["source"] == theirs["source"]


def test_generated_rows_name_their_source_and_defaults(net):
    generated = net.nodes[net.nodes.index.str.startswith("osm")]
    assert generated["source"].str.contains("synthetic test track").all()
    assert generated["note"].str.contains("default values").all()
    assert net.links["source"].str.contains("synthetic test track").all()


def test_a_route_crosses_from_china_into_kazakhstan_with_a_gauge_change(net):
    cn = net.nodes[net.nodes["country"] == "CN"].index[0]
    kz = net.nodes[net.nodes["country"] == "KZ"].index[-1]
    found = route(net, cn, kz, samples=0)
    assert found.border_crossings and len(found.gauge_changes) >= 1


def test_regions_are_named_or_listed():
    assert "KZ" in region_countries("corridor")
    assert region_countries("kz,cn") == ("KZ", "CN")
    with pytest.raises(CorridorError, match="--region 'XX'"):
        region_countries("XX")


def test_disruption_episodes_follow_the_curated_nodes(built, curated, tmp_path):
    """Episodes of curated nodes placed on the track are written with the network and loaded
    back; episodes of elements not in it are left out."""
    from corridor.osm.network import carried_disruptions

    nodes, links, _ = built
    episodes = carried_disruptions(curated.disruptions, nodes, links)
    ids = {f["properties"]["id"] for f in nodes} | {f["properties"]["id"] for f in links}
    assert set(episodes["element"]) <= ids
    expected = curated.disruptions[curated.disruptions["element"].isin(CURATED)]
    assert len(expected) >= 2
    assert set(expected["element"]) <= set(episodes["element"])
    assert len(episodes) < len(curated.disruptions)
    assert episodes["note"].str.contains("OSM-built network").all()
    loaded = corridor.load(write_network(tmp_path / "net", nodes, links, episodes)[0].parent)
    kept = loaded.disruptions.set_index(["element", "episode"]).sort_index()
    want = expected.set_index(["element", "episode"]).sort_index()
    assert list(kept.loc[want.index, "chance"]) == pytest.approx(list(want["chance"]))
    assert list(kept.loc[want.index, "extra_h"]) == pytest.approx(list(want["extra_h"]))
    from corridor.timemodel import DISRUPTION
    from corridor.transit import state_graph

    sg = state_graph(loaded, frozenset({"operating"}))
    for node in set(expected["element"]):
        bundle = sg.node_bundle[sg.node_pos[node]]
        assert any(sg.components[c].kind == DISRUPTION for c in bundle), node


def test_generated_border_nodes_say_where_they_are(net, curated):
    """A generated border or gauge-change node is named by its country and the nearest curated
    place, with its OSM track node; other generated nodes keep the plain track-node name."""
    import re

    from corridor.geodesy import distance_km

    generated = net.nodes[net.nodes.index.str.startswith("osm")]
    border = generated[generated["kind"].map(lambda k: "border" in k or "gauge_change" in k)]
    assert len(border) > 0
    places = curated.nodes
    for node_id, row in border.iterrows():
        found = re.fullmatch(r"([A-Z]{2}) (border|gauge change) (\d+) km from (.+) \(OSM rail node "
                             r"(\d+)\)", row["name"])
        assert found, row["name"]
        assert found[1] == row["country"] and f"osm{found[5]}" == node_id
        km = [distance_km(row.geometry.x, row.geometry.y, p.x, p.y) for p in places.geometry]
        nearest = places.iloc[min(range(len(km)), key=km.__getitem__)]
        assert found[4] == nearest["name"] and int(found[3]) == round(min(km))
    plain = generated.drop(border.index)
    assert (plain["name"] == "OSM rail node " + plain.index.str[3:]).all()
