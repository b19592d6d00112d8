"""Short reprs and notebook HTML for the results people look at."""

from __future__ import annotations

from corridor.transit import alternatives, route


def test_route_repr_is_short_and_html_names_the_crossings(net):
    r = route(net, "Chongqing", "Duisburg", samples=200)
    assert len(repr(r)) < 160 and "days" in repr(r)
    html = r._repr_html_()
    assert "<table>" in html and "alashankou" in html.lower() and "P90" in html


def test_routeset_html_has_one_row_per_corridor(net):
    found = alternatives(net, "Chongqing", "Duisburg", k=3, samples=0)
    assert found._repr_html_().count("<tr") == len(found) + 1


def test_corridor_html_counts(net):
    html = net._repr_html_()
    assert f"{len(net.nodes)} nodes" in html and "KZ" in html
