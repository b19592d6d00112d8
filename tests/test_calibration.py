"""Calibration against published services (geodata/services.csv) with k-fold cross-validation.

Only network-wide parameters are fitted (see ``corridor.calibration``); the report prints, for each
service, the model's distance and P10/P50/P90 days from a fit that did not see that service, and the
summary against issue 12's targets. The targets are printed with the figures reached; asserted are
the distance-only sections (within 8 %), the long Xi'an service (within 2 %) and the median distance
error staying at the level the real-track lengths reached (3.0 %, target 3 %; 4.6 % before them).
"""

from __future__ import annotations

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
                "published_km", "published_days_min", "published_days_max", "source", "year"}
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


def test_median_distance_error_stays_at_the_real_track_level(report):
    # lengths from real track and published km posts (geodata/track_report.csv): median 3.01 %,
    # just above the 3 % target (printed); 4.6 % with the straight-chord lengths before
    assert report.summary["median_km_error"] <= 0.035
    assert report.summary["with_km"] >= 25


def test_long_xian_service_is_within_two_percent(report):
    row = report.table.set_index("service").loc["Xi'an–Duisburg (Chang'an hao)"]
    assert abs(row["km_error"]) <= 0.02
