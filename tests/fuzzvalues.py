"""Hypothesis strategies shared by the reader fuzz tests and the validation-screen tests."""

from __future__ import annotations

from hypothesis import strategies as st


def json_values(finite: bool) -> st.SearchStrategy:
    """Any JSON-like value (scalars, lists, objects), with NaN/±Infinity only when not ``finite``."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
        st.floats(allow_nan=not finite, allow_infinity=not finite), st.text(max_size=12),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=12,
    )
