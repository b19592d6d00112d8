"""The model against published services (geodata/services.csv); prints the error of each.

Parameters are set per railway, node and link from sources; no per-service factor exists.
Published distances come from other years' routings and the model's lengths are partly
geodesic polylines, so distances are checked within 15 %.
"""

from __future__ import annotations

import pandas as pd
import pytest

import corridor
from corridor.datafiles import builtin_dir

SERVICES = pd.read_csv(builtin_dir() / "services.csv")
DISTANCE_TOLERANCE = 0.15


@pytest.fixture(scope="module")
def modelled(net) -> pd.DataFrame:
    rows = []
    for service in SERVICES.itertuples(index=False):
        r = corridor.route(net, service.origin, service.destination, samples=4000, seed=0)
        rows.append({"service": service.service, "model_km": r.distance_km,
                     "model_days": r.transit_days, "p50": r.p50_days, "p90": r.p90_days})
    frame = pd.concat([SERVICES, pd.DataFrame(rows).drop(columns="service")], axis=1)
    report = frame[["service", "published_km", "model_km", "published_days_min",
                    "published_days_max", "model_days", "p50", "p90"]]
    print("\n" + report.round(1).to_string(index=False))
    return frame


def test_services_file_is_complete():
    required = {"service", "origin", "destination", "border_crossing", "published_km",
                "published_days_min", "published_days_max", "source", "year"}
    assert required <= set(SERVICES.columns)
    assert SERVICES["source"].str.len().gt(10).all()
    assert SERVICES["published_days_min"].notna().sum() >= 5


def test_transit_days_within_published_ranges(modelled):
    timed = modelled[modelled["published_days_min"].notna()]
    for row in timed.itertuples(index=False):
        assert row.published_days_min <= row.model_days <= row.published_days_max, row.service


def test_distances_close_to_published(modelled):
    measured = modelled[modelled["published_km"].notna()]
    error = (measured["model_km"] - measured["published_km"]) / measured["published_km"]
    for service, err in zip(measured["service"], error, strict=True):
        print(f"{service}: distance error {err:+.1%}")
        assert abs(err) <= DISTANCE_TOLERANCE, service
