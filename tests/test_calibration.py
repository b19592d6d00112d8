"""Calibration against published services (geodata/services.csv) with k-fold cross-validation.

Only network-wide parameters are fitted (see ``corridor.calibration``); the report prints, for each
service, the model's distance and P10/P50/P90 days from a fit that did not see that service, and the
summary against issue 12's targets. The targets are printed with the figures reached; asserted are
the distance-only sections (within 8 %), the long Xi'an service (within 2 %), the median distance
error (1.0 %, target 3 %; 1.2 % before the December 2026 published lengths, 1.9 % before distances
were measured on their documented routes, 4.6 % with the straight chords), 24 of 24 distances within
8 % (21 before), the share of published days inside the held-out band (25 of 32; 12 of 31 before the
dispersion was fitted) and parameters that agree between folds. The fit itself is checked on
synthetic services with a known answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor import calibration
from corridor.datafiles import builtin_dir

SERVICES = pd.read_csv(builtin_dir() / "services.csv")
TIMED = SERVICES[SERVICES["published_days_min"].notna()]


@pytest.fixture(scope="module")
def report(net) -> calibration.CalibrationReport:
    result = calibration.cross_validate(net, SERVICES, k=5, seed=0, samples=1000)
    print("\n" + result.to_text())
    return result


def test_services_file_is_complete():
    required = {"service", "origin", "destination", "border_crossing", "crossing_nodes",
                "distance_via", "published_km", "published_days_min", "published_days_max", "source", "year"}
    assert required <= set(SERVICES.columns)
    assert SERVICES["source"].str.len().gt(10).all()
    assert SERVICES["year"].between(2000, 2026).all()
    assert len(TIMED) >= 30 and TIMED["origin"].nunique() >= 10
    assert (TIMED["published_days_min"] <= TIMED["published_days_max"]).all()


def test_service_places_and_crossings_exist(net):
    for row in SERVICES.itertuples(index=False):
        assert row.origin in net.nodes.index and row.destination in net.nodes.index, row.service
        if isinstance(row.crossing_nodes, str):
            assert set(row.crossing_nodes.split(";")) <= set(net.nodes.index), row.service
        assert set(calibration.distance_via(row)) <= set(net.nodes.index), row.service


def test_folds_hold_out_every_service_once():
    parts = calibration.folds(37, 5, seed=0)
    assert sorted(np.concatenate(parts).tolist()) == list(range(37))
    assert [len(p) for p in parts] == [8, 8, 7, 7, 7]


def test_parameters_apply_to_a_copy(net):
    before = net.links["speed_kmh"].copy(), net.nodes["dwell_h"].copy()
    scaled = calibration.apply_parameters(net, {"speed_china": 2.0, "border_dwell": 0.5})
    pd.testing.assert_series_equal(net.links["speed_kmh"], before[0])
    pd.testing.assert_series_equal(net.nodes["dwell_h"], before[1])
    china = calibration.link_regions(net) == "china"
    assert np.allclose(scaled.links.loc[china, "speed_kmh"], 2.0 * net.links.loc[china, "speed_kmh"])
    assert scaled.nodes.loc["dostyk", "dwell_h"] == pytest.approx(0.5 * net.nodes.loc["dostyk", "dwell_h"])


@pytest.mark.parametrize(("origin", "destination", "via"), [
    ("xian", "duisburg_logport", ()),
    ("halkali", "xian", ("kars", "aktau_port")),  # Turkish lines, Caspian ferry wait and ports
    ("altynkol", "constanta", ("poti_port",)),  # Black Sea sailing
])
def test_surrogate_equals_routing_on_the_scaled_network(net, origin, destination, via):
    params = {"speed_china": 1.2, "speed_broad_gauge": 0.8, "speed_europe": 1.1, "border_dwell": 1.5,
              "ferry_port": 1.7}
    base = calibration.route_service(net, origin, destination, 0, 0, via=via)
    parts = calibration.path_components(net, base)
    assert parts["ferry_port"] > 0 or not via
    scaled = calibration.route_service(calibration.apply_parameters(net, params), origin,
                                       destination, 0, 0, via=via)
    assert scaled.path == base.path
    assert calibration.predicted_hours(parts, params) / 24 == pytest.approx(scaled.transit_days)


def test_report_covers_every_service_out_of_fold(report):
    table = report.table
    assert len(table) == len(SERVICES) and table["model_km"].gt(0).all()
    assert (table["p10"] <= table["p50"]).all() and (table["p50"] <= table["p90"]).all()
    low, high = calibration.BOUNDS
    for params in [*report.fold_parameters, report.parameters]:
        assert set(params) == {*calibration.PARAMETERS, calibration.DISPERSION}
        assert all(low - 1e-9 <= params[name] <= high + 1e-9 for name in calibration.PARAMETERS)
        low_s, high_s = calibration.DISPERSION_BOUNDS
        assert low_s - 1e-9 <= params[calibration.DISPERSION] <= high_s + 1e-9


def test_distance_only_sections_match_published_km(report):
    sections = report.table[report.table["published_days_min"].isna()]
    assert sections["km_error"].abs().max() <= 0.08


def test_median_distance_error_meets_the_target(report):
    # lengths from real track and published km posts (geodata/track_report.csv), each service on
    # its published crossings, crossed there: median 1.0 % (1.2 % before the December 2026
    # published lengths; 1.7 % before Yiwu–Tehran ran on its 2016 route via Sarakhs; 1.0 % before
    # Xi'an–Baku sailed from Aktau instead of passing it);
    # 4.6 % with the straight-chord lengths before
    assert report.summary["median_km_error"] <= calibration.TARGETS["median_km_error"]
    assert report.summary["with_km"] >= 24


def test_published_days_fall_in_the_held_out_band(report):
    # 25 of 32 (78 %) strictly, 29 of 32 reading whole published days as +/-0.5 d; 12 of 31 with
    # the band of the time model alone (printed against the 90 % target)
    assert report.summary["days_hit"] >= 25
    assert report.summary["days_hit_rounded"] >= report.summary["days_hit"]


def test_published_crossings_are_on_the_models_first_two_corridors(report):
    # 15 of 22: 14 with the Aktau and Kuryk ferries one corridor, 13 before routes had to cross at
    # the published crossings and an EU detour stopped counting as a corridor; printed against
    # the target (all)
    assert report.summary["with_crossing"] == 22
    assert report.summary["route_hit"] >= 15


def test_parameters_agree_between_folds(report):
    for name in (*calibration.PARAMETERS, calibration.DISPERSION):
        values = [params[name] for params in report.fold_parameters]
        assert max(values) / min(values) <= 1.3, (name, values)


def test_fit_recovers_known_parameters_of_synthetic_services():
    rng = np.random.default_rng(1)
    true = {"speed_china": 0.7, "speed_broad_gauge": 1.0, "speed_europe": 1.0, "border_dwell": 1.0,
            "ferry_port": 1.0}
    parts = [{"fixed": 5.0, "border": 30.0, "ferry_port": 0.0, "china": float(c),
              "broad_gauge": float(b), "europe": 40.0}
             for c, b in zip(rng.uniform(20, 150, 80), rng.uniform(50, 150, 80), strict=True)]
    days = np.array([calibration.predicted_hours(p, true) for p in parts]) / 24.0
    spread = np.exp(0.08 * rng.standard_normal(len(days)))
    fitted = calibration.fit(parts, days * spread - 0.5, days * spread + 0.5)
    assert fitted["speed_china"] == pytest.approx(0.7, rel=0.1)
    assert fitted["speed_broad_gauge"] == pytest.approx(1.0, rel=0.1)
    assert fitted[calibration.DISPERSION] == pytest.approx(0.08, abs=0.04)


def test_dispersion_widens_the_band_around_the_same_median(net):
    route = calibration.route_service(net, "xian", "duisburg_logport", 0, 0)
    own = calibration.band_days(route, 0.0, 4000, 0)
    wide = calibration.band_days(route, 0.25, 4000, 0)
    assert own[0] < own[1] < own[2] and wide[0] < own[0] and wide[2] > own[2]
    assert wide[1] == pytest.approx(own[1], rel=0.03)
    assert np.log(wide[2] / wide[0]) / (2 * 1.2816) == pytest.approx(0.25, rel=0.1)


def test_long_xian_service_is_within_two_percent(report):
    row = report.table.set_index("service").loc["Xi'an–Duisburg (Chang'an hao)"]
    assert abs(row["km_error"]) <= 0.02


def _service(name: str):
    return next(s for s in SERVICES.itertuples(index=False) if s.service == name)


def test_distance_is_measured_on_the_documented_route(net):
    # Yuxinou's published 11,179 km is the route via Xi'an (before the Lanzhou–Chongqing railway):
    # through its distance_via the model's km is longer than on today's fastest route via Guangyuan
    yuxinou = _service("Yuxinou Chongqing–Duisburg")
    today = calibration.published_route(net, yuxinou, 0, 0)
    assert "guangyuan" in today.path and "xian" not in today.path
    documented = calibration.distance_route_km(net, yuxinou, today)
    via_xian = calibration.route_service(net, yuxinou.origin, yuxinou.destination, 0, 0,
                                         via=["xian", "lanzhou", "urumqi", "alashankou"])
    assert documented == pytest.approx(via_xian.distance_km)
    published = yuxinou.published_km
    assert abs(documented / published - 1) <= 0.05 < abs(today.distance_km / published - 1)


def test_consecutive_documented_places_joined_by_a_link_take_that_link(net):
    # the Nomad Express sailed Aktau–Alyat: its distance is Dostyk–Aktau plus that ferry (470 km),
    # not the fastest route's detour from Aktau to the Kuryk ferry
    nomad = _service("Dostyk–Baku (Nomad Express)")
    days_route = calibration.published_route(net, nomad, 0, 0)
    to_aktau = calibration.route_service(net, "dostyk", "aktau_port", 0, 0)
    assert calibration.direct_link_km(net, "alat_port", "aktau_port") == 470.0
    measured = calibration.distance_route_km(net, nomad, days_route)
    assert measured == pytest.approx(to_aktau.distance_km + 470.0)


def test_without_distance_via_the_distance_is_the_days_route(net):
    xian = _service("Xi'an–Duisburg (Chang'an hao)")
    assert calibration.distance_via(xian) == []
    route = calibration.published_route(net, xian, 0, 0)
    assert calibration.distance_route_km(net, xian, route) == route.distance_km


def test_distances_within_eight_percent(report):
    # 24 of 24 (24 of 25 before Urumqi–Duisburg's round "about 8,000 km", which the published
    # sections put near 7,300 km, stopped counting as a rail distance: −8.1 % once Smolensk–Orsha
    # took its published 120 km; 24 of 25 before the Turkmen–Iran line via Ashgabat and Sarakhs
    # carried Yiwu–Tehran's 2016 route, 21 before distance_via)
    table = report.table.dropna(subset=["km_error"])
    missed = table.loc[table["km_error"].abs() > 0.08, "service"].tolist()
    assert missed == []


@pytest.mark.parametrize(("name", "node", "link"), [
    ("Jinan–Hamburg (Qilu)", "erenhot", "erenhot__zamyn_uud"),  # not touch Erenhot and turn back
    ("Xi'an–Baku (Middle Corridor)", "aktau_port", "aktau_port__alat_port"),  # not on to Kuryk
    ("Altynkol–Constanța (TITR)", "poti_port", "poti_port__constanta"),  # sails, not rails via Turkey
])
def test_published_route_crosses_at_its_published_crossing(net, name, node, link):
    service = _service(name)
    ends = {service.origin, service.destination}
    via = [n for n in calibration.published_via(service) if n not in ends]
    passing = calibration.route_service(net, service.origin, service.destination, 0, 0, via=via)
    assert node in passing.path and not calibration.crosses_all(passing, [node])
    crossing = calibration.published_route(net, service, 0, 0)
    assert calibration.crosses_all(crossing, calibration.published_via(service))
    assert link in crossing.links


#: README's calibration table: its label of each service and the service's name in services.csv
README_TABLE = {
    "Yuxinou Chongqing–Duisburg (distance via Xi'an)": "Yuxinou Chongqing–Duisburg",
    "Chengdu–Łódź (Rong'ou)": "Chengdu–Łódź (Rong'ou)",
    "Xi'an–Duisburg (Chang'an hao)": "Xi'an–Duisburg (Chang'an hao)",
    "Zhengzhou–Hamburg": "Zhengzhou–Hamburg",
    "Shenyang–Hamburg (via Manzhouli)": "Shenyang–Hamburg (Shen-Man-Ou)",
    "Yiwu–Tehran (2016, via Sarakhs)": "Yiwu–Tehran",
    "Istanbul–Xi'an (BTK, Aktau)": "Istanbul–Xi'an (Middle Corridor, BTK)",
}


def test_readme_calibration_table_is_the_report(report):
    """Each row of README's table: model km to the km, held-out P10/P50/P90 to 0.02 d (the fit's
    optimiser may differ in the last digits between machines)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in readme.splitlines() if line.startswith("| ") and line.count("|") == 6}
    table = report.table.set_index("service")
    for label, name in README_TABLE.items():
        model_km, percentiles = rows[label][1], rows[label][3]
        row = table.loc[name]
        print(f"{label}: README {model_km} km, {percentiles}; report {row.model_km:,.0f} km, "
              f"{row.p10:.2f} / {row.p50:.2f} / {row.p90:.2f}")
        assert float(model_km.replace(",", "")) == pytest.approx(row.model_km, abs=1.0), label
        quoted = [float(v) for v in percentiles.split(" / ")]
        assert quoted == pytest.approx([row.p10, row.p50, row.p90], abs=0.02), label
