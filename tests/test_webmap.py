"""Web maps: content, escaping of geodata text, reproducible output, the gallery and the map commands."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import folium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from netfactory import two_crossings, write_network

import corridor
from corridor.cli.gallery import SCREENSHOTS, gallery_maps, index_html, render_gallery
from corridor.webmap import esc, network_map, render_html, route_map, save_map
from corridor.webmap.network import NODE_KINDS, link_layer_name, primary_kind
from corridor.webmap.routes import route_events, route_label

MAPS_DIR = Path(__file__).resolve().parents[1] / "maps"
EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_LINE = "\"><script>alert(2)</script>`${alert(3)}`\\u0041"
EVIL_SOURCE = "<b onmouseover=alert(4)>report</b>"
EVIL_JINJA = "{{ 7*7 }}{# c #}{% if true %}jinja{% endif %}"  # branca re-renders output with Jinja


def evil_network() -> corridor.Corridor:
    """``two_crossings`` with hostile names, line and source text on the fastest route."""
    nodes, links = two_crossings()
    nodes[3]["properties"]["name"] = EVIL_NAME  # f, the border station of the fastest route
    nodes[0]["properties"]["source"] = EVIL_SOURCE
    links[4]["properties"]["line"] = EVIL_LINE  # f→g
    nodes[5]["properties"]["name"] = EVIL_JINJA  # e, the destination
    return corridor.Corridor.from_features(nodes, links, name="evil <net>")


@pytest.fixture(scope="module")
def chongqing_routes(net):
    return corridor.alternatives(net, "Chongqing", "Duisburg", k=4, samples=500, seed=0)


# -- escaping --------------------------------------------------------------------------------------

@given(st.text())
def test_esc_round_trips_and_leaves_no_markup_or_template_characters(text):
    out = esc(text)
    assert not set(out) & set("<>\"'`$\\{}")
    assert html.unescape(out) == text


def test_hostile_text_is_escaped_in_network_and_route_maps():
    evil = evil_network()
    pages = [render_html(network_map(evil)),
             render_html(route_map(evil, corridor.route(evil, "a", "e", samples=100)))]
    for page in pages:
        for raw in (EVIL_NAME, "<script>alert(2)", "${alert(3)}", "onmouseover=alert(4)>", "evil <net>",
                    "{{", "{%", "{#", "49jinja"):  # EVIL_JINJA evaluated (country coordinates hold 49)
            assert raw not in page, raw
    assert html.escape(EVIL_NAME) in pages[0] and html.escape(EVIL_NAME) in pages[1]
    assert "&lt;b onmouseover=alert(4)&gt;report" in pages[0]


# -- network map -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network_page(net) -> tuple[folium.Map, str]:
    m = network_map(net)
    return m, render_html(m)


def test_network_map_draws_every_link_and_node_in_named_layers(net, network_page):
    m, page = network_page
    assert isinstance(m, folium.Map)
    assert page.count('"className": "corridor-link ') == len(net.links)
    kinds = net.nodes["kind"].map(primary_kind)
    assert page.count("corridor-node corridor-") == len(net.nodes)
    assert (kinds == "junction").sum() == page.count("corridor-junction")
    layers = {child.layer_name for child in m._children.values() if isinstance(child, folium.FeatureGroup)}
    expected = {link_layer_name(row) for _, row in net.links.iterrows()} | {
        NODE_KINDS[k][0] for k in set(kinds)}
    assert {esc(name) for name in expected} <= layers
    assert {"Rail · 1435 mm (standard gauge)", "Rail · 1520 mm (Russian gauge)", "Rail ferry",
            "Planned &amp; under construction", "Border crossings", "Gauge-change stations"} <= layers
    for needle in ("L.control.layers", "L.Control.Search", "L.Control.Measure", "L.control.fullscreen",
                   "L.control.scale", "tile.opentopomap.org", "openstreetmap.org/copyright",
                   "corridor-legend"):
        assert needle in page, needle


def test_network_map_styles_ferries_dashed_and_planned_apart(net, network_page):
    page = network_page[1]
    ferry = net.links[net.links["mode"] == "ferry"].iloc[0]
    assert '"dashArray": "10 8"' in page
    planned = net.links[net.links["status"] != "operating"]
    assert len(planned) and page.count("corridor-planned-under-construction") == len(planned)
    assert html.escape(ferry["source"], quote=True)[:40] in page


def test_network_map_width_by_capacity_differs():
    nodes, links = two_crossings()
    links[0]["properties"]["capacity_trains_day"] = 120.0
    small = corridor.Corridor.from_features(nodes, links)
    by_tracks, by_capacity = (render_html(network_map(small, width_by=w)) for w in ("tracks", "capacity"))
    assert '"weight": 2.5' in by_tracks and '"weight": 7.5' in by_capacity


# -- route map -------------------------------------------------------------------------------------

def test_route_events_mark_borders_and_breaks_of_gauge(net, chongqing_routes):
    fastest = chongqing_routes[0]
    events = {e.node: e for e in route_events(net, fastest)}
    assert {"gauge_change", "border"} <= set(events["dostyk"].kinds)
    assert "1435 → 1520 mm" in events["dostyk"].detail
    assert {g["node"] for g in fastest.gauge_changes} <= set(events)
    assert {c.to_node for c in fastest.border_crossings} <= set(events)


def test_route_labels_name_the_crossing_that_sets_each_alternative_apart(net, chongqing_routes):
    labels = [route_label(net, r, i, chongqing_routes[0]) for i, r in enumerate(chongqing_routes, 1)]
    assert len(set(labels)) == len(labels) == 4
    assert "Alashankou" in labels[0] and "Khorgos" in labels[1]


def test_route_map_has_one_line_per_route_with_timeline_and_percentiles(net, chongqing_routes):
    page = render_html(route_map(net, chongqing_routes))
    assert page.count('"className": "corridor-route ') == 4
    assert page.count("corridor-event corridor-event-") == sum(
        len(route_events(net, r)) for r in chongqing_routes)
    for r in chongqing_routes:
        assert f"{r.p90_days:.1f} days" in page and f"{r.p50_days:.1f} days" in page
    assert page.count("<tr><td style='padding:1px 4px;text-align:right'>1</td>") == 4  # leg 1 rows
    assert len(set(re.findall(r'"color": "(#[0-9a-f]{6})", "dashArray": null, "dashOffset": null, '
                              r'"fill": false, "fillColor": "#[0-9a-f]{6}", "fillOpacity": 0.2, '
                              r'"fillRule": "evenodd", "lineCap": "round", "lineJoin": "round", '
                              r'"noClip": false, "opacity": 0.85', page))) == 4


def test_route_map_accepts_a_single_route(net):
    single = corridor.route(net, "Xian", "Duisburg", samples=0)
    page = render_html(route_map(net, single))
    assert page.count('"className": "corridor-route ') == 1 and "P90" in page


# -- reproducible output and saving ------------------------------------------------------------------

def test_same_map_renders_to_same_bytes(net, chongqing_routes):
    small = evil_network()
    assert render_html(network_map(small)) == render_html(network_map(small))
    assert render_html(route_map(net, chongqing_routes)) == render_html(route_map(net, chongqing_routes))


def test_save_map_writes_atomically(tmp_path, net):
    almaty_moscow = corridor.route(net, "Almaty", "Moscow", samples=0)
    path = save_map(route_map(net, almaty_moscow), tmp_path / "sub" / "r.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["r.html"]


_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def same_but_float_noise(committed: str, rendered: str) -> bool:
    """Equal text, and every decimal number equal to within 1e-9 relative (or 1e-9 absolute).

    Numbers in maps are rounded (``corridor.datafiles.stable_float``), so they print the same on
    any machine; this comparison also survives the rare value that sits on a rounding boundary.
    """
    if committed == rendered:
        return True
    if _NUMBER.split(committed) != _NUMBER.split(rendered):
        return False
    pairs = zip(_NUMBER.findall(committed), _NUMBER.findall(rendered), strict=True)
    return all(math.isclose(float(a), float(b), rel_tol=1e-5, abs_tol=1e-5) for a, b in pairs)


def test_same_but_float_noise_tolerates_only_the_last_digits():
    assert same_but_float_noise("w: 6.5374984706893295,", "w: 6.537498470689329,")
    assert not same_but_float_noise("w: 6.5375,", "w: 6.6375,")
    assert not same_but_float_noise("<b>6.5</b>", "<i>6.5</i>")


def test_gallery_in_maps_is_up_to_date(tmp_path):
    written = render_gallery(tmp_path)
    expected = {p.name for p in written}
    committed = {p.name for p in MAPS_DIR.glob("*.html")}
    assert committed == expected, "run `corridor gallery` to refresh maps/"
    for path in written:
        assert same_but_float_noise((MAPS_DIR / path.name).read_text(encoding="utf-8"),
                                    path.read_text(encoding="utf-8")), (
            f"maps/{path.name} is stale: run `corridor gallery` and commit maps/")
    for _html, png in SCREENSHOTS:
        assert (MAPS_DIR / png).stat().st_size > 10_000


def test_gallery_index_links_every_map_with_a_description():
    items = gallery_maps()
    page = index_html(items)
    for item in items:
        assert f'href="{item.file}"' in page and html.escape(item.description) in page


# -- commands ---------------------------------------------------------------------------------------

def test_map_commands_write_html(cli, tmp_path):
    nodes, links = two_crossings()
    write_network(tmp_path / "net", nodes, links)
    code, _, err = cli("map", "network", "--data", str(tmp_path / "net"), "--out", str(tmp_path / "n.html"))
    assert code == 0 and "wrote" in err
    assert (tmp_path / "n.html").read_text(encoding="utf-8").count('"className": "corridor-link ') == 6
    code, _, _ = cli("map", "route", "Chengdu", "Lodz", "--alternatives", "2", "--samples", "100",
                     "--out", str(tmp_path / "r.html"))
    assert code == 0
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count('"className": "corridor-route ') == 2


def test_map_commands_for_the_analyses(cli, tmp_path):
    for args in (("bottlenecks", "--top", "3"), ("reach", "Kostanay", "--commodity", "chilled_beef"),
                 ("whatif", "dostyk-congestion", "--pairs", "Xian:Duisburg")):
        out = tmp_path / f"{args[0]}.html"
        code, _, err = cli("map", *args, "--out", str(out))
        assert code == 0, err
        assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_map_bottlenecks_takes_the_horizon_and_the_flow(cli, tmp_path):
    out = tmp_path / "b.html"
    code, _, err = cli("map", "bottlenecks", "--top", "3", "--horizon-days", "60", "--flow",
                       "china-central-asia", "--out", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "60-day horizon" in page and "backlog after 60 days" in page
    assert "china-central-asia" in page and "30-day horizon" not in page


@pytest.mark.parametrize("args", [
    ("map", "network", "--out", "network.txt"),
    ("map", "bottlenecks", "--horizon-days", "-1", "--out", "b.html"),
    ("map", "bottlenecks", "--flow", "mars", "--out", "b.html"),
    ("map", "route", "Chongqing", "Duisbrug", "--out", "r.html"),
    ("map", "network", "--width-by", "colour", "--out", "n.html"),
    ("map", "whatif", "no-such-scenario", "--out", "w.html"),
    ("map", "reach", "Kostanay", "--commodity", "caviar", "--out", "r.html"),
])
def test_map_command_errors_are_one_line(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(*args)
    assert code == 2 and err.startswith("corridor: error:") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_gallery_refuses_a_file_as_directory(cli, tmp_path):
    target = tmp_path / "maps.html"
    target.write_text("x", encoding="utf-8")
    code, _, err = cli("gallery", "--out", str(target))
    assert code == 2 and "is a file" in err and target.read_text(encoding="utf-8") == "x"


def test_map_option_helpers_for_analysis_commands(tmp_path):
    from corridor.cli.maps import check_map_file, write_map
    from corridor.errors import CorridorError

    write_map(None, lambda: pytest.fail("no --map, no map"))
    with pytest.raises(CorridorError, match=r"--map must name an \.html file"):
        check_map_file(tmp_path / "map.png")
    write_map(tmp_path / "m.html", lambda: network_map(evil_network()))
    assert (tmp_path / "m.html").read_text(encoding="utf-8").count('"className": "corridor-link ') == 6


# -- country outlines and self-contained (--offline) pages --------------------------------------------

def _country_names(page: str) -> set[str]:
    match = re.search(r"L\.geoJSON\((\{.*?\}), \{\n    pane: 'corridor-countries'", page, flags=re.S)
    assert match, "no country layer in the page"
    import json

    return {f["properties"]["name"] for f in json.loads(match.group(1))["features"]}


def test_every_map_draws_country_outlines_under_its_layers(net, chongqing_routes):
    from corridor.webmap.base import base_map, finish

    for m in (network_map(net), route_map(net, chongqing_routes), finish(base_map())):
        page = render_html(m)
        names = _country_names(page)
        assert {"Kazakhstan", "China", "Poland", "Germany", "Russia"} <= names
        assert "pane: 'corridor-countries'" in page and "'corridor-countries').style.zIndex = 250" in page
        assert "Country outlines (Natural Earth)" in page  # a toggle in the layer control
        assert page.count("country_outlines_000") > 0
        assert len(re.findall(r"country_outlines_\w+\.addTo\(", page)) == 1


def test_country_outlines_keep_only_countries_near_the_map():
    from corridor.webmap.base import country_features

    names = {f["properties"]["name"] for f in country_features((5.0, 45.0, 15.0, 55.0))["features"]}
    assert "Germany" in names and "Poland" in names and "China" not in names and "Japan" not in names
    everything = country_features(None)["features"]
    assert len(everything) > len(names)


def _mirror_or_skip():
    from corridor.errors import CorridorError
    from corridor.webmap.inline import check_mirror

    try:
        return check_mirror()
    except CorridorError as exc:
        pytest.skip(str(exc))


def test_offline_page_has_no_remote_script_or_style_and_is_reproducible(tmp_path, net):
    _mirror_or_skip()
    m = network_map(net)
    first = save_map(m, tmp_path / "a.html", offline=True).read_text(encoding="utf-8")
    second = save_map(network_map(net), tmp_path / "b.html", offline=True).read_text(encoding="utf-8")
    assert first == second
    assert not re.search(r"<script src=|<link rel=\"stylesheet\"", first)
    assert "/* https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js */" in first
    assert "data:font/woff2;base64," in first  # Font Awesome glyphs of the node badges
    assert _country_names(first) == _country_names(render_html(m))


def test_offline_map_and_gallery_commands(cli, tmp_path):
    _mirror_or_skip()
    code, _, err = cli("map", "network", "--offline", "--out", str(tmp_path / "n.html"))
    assert code == 0, err
    assert "<script src=" not in (tmp_path / "n.html").read_text(encoding="utf-8")


def test_gallery_index_says_what_needs_the_internet():
    online, offline = index_html(gallery_maps()), index_html(gallery_maps(), offline=True)
    for page in (online, offline):
        assert "What needs the internet" in page and "Basemap tiles" in page
        assert "country outlines" in page
    assert "load from CDNs" in online and "corridor gallery --offline" in online
    assert "rendered with <code>--offline</code>" in offline and "load from CDNs" not in offline


@pytest.mark.parametrize("argv", [
    ["route", "Chongqing", "Duisburg", "--samples", "0", "--map", "{out}"],
    ["route", "Chongqing", "Duisburg", "--samples", "0", "--out", "{out}"],
    ["reach", "Kostanay", "--commodity", "chilled_beef", "--out", "{out}"],
    ["bottlenecks", "--top", "3", "--map", "{out}"],
    ["modes", "Chongqing", "Duisburg", "--samples", "100", "--out", "{out}"],
    ["whatif", "dostyk-congestion", "--pairs", "Chongqing:Duisburg", "--samples", "0", "--map", "{out}"],
    ["dependence", "--out", "{out}"],
])
def test_offline_on_every_map_an_analysis_command_writes(cli, tmp_path, argv):
    _mirror_or_skip()
    out = tmp_path / "m.html"
    code, _, err = cli(*[a.format(out=out) for a in argv], "--offline")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script src=|<link rel=\"stylesheet\"", page)
    assert "/* https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js */" in page
    assert "Kazakhstan" in _country_names(page)


def test_numbers_in_maps_do_not_show_the_last_bit_of_a_float():
    """A flow of 24.000000000000004 trains/day (a sum's rounding) shows as 24, like 24 itself."""
    from corridor.webmap.base import fmt

    assert fmt(24.000000000000004, 1, "trains/day") == fmt(24, 1, "trains/day") == "24 trains/day"
    assert fmt(23.96, 1) == "24.0"  # not whole: its digit shows
    assert fmt(23.94, 1) == "23.9"
    assert fmt(1234.5, 0) == "1,234"  # no digits: rounded, as format rounds (half to even)
    assert fmt(float("nan")) == "–"
