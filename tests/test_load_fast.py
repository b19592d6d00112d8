"""The fast load path (orjson parse, column-wise screen, vectorised frames) reads and words a
network exactly as the plain path does: same features, same problems, same frames."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.datafiles import read_features

SAME = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@SAME
@given(properties=st.dictionaries(st.text(max_size=8), json_values, max_size=5),
       bom=st.booleans(), ascii_only=st.booleans())
def test_read_features_gives_what_json_gives(tmp_path, properties, bom, ascii_only):
    """Integers beyond 64 bits stay integers, strings and floats come back exactly."""
    document = {"type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": properties, "geometry": None}]}
    text = json.dumps(document, ensure_ascii=ascii_only)
    path = tmp_path / "nodes.geojson"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    features = read_features(path)
    assert features == json.loads(text)["features"]
    assert [type(v) for v in features[0]["properties"].values()] == \
        [type(v) for v in properties.values()]


def test_an_integer_beyond_64_bits_is_read_as_an_integer(tmp_path):
    path = tmp_path / "links.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"properties": '
                    '{"gauge_mm": 123456789012345678901234567890}}]}')
    assert read_features(path)[0]["properties"]["gauge_mm"] == 123456789012345678901234567890
