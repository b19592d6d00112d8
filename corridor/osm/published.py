"""Which curated link lengths are published rail distances, read from each link's own text.

A link's length counts as published when its ``note`` or ``source`` cites that figure (or km posts
whose sum or difference is that figure) and the note's length clause does not call it an estimate,
an apportioned share, a polyline length or an approximation. The rule is conservative; the hand
lists below settle the links the rule reads wrongly, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: words in a note's length clause that mean the figure is not itself published
ESTIMATE_MARKERS = ("estimat", "apportion", "share", "geodesic", "approx", "assum", "~", "mean",
                    "about", "c. ", "traced", "a few")
#: a cited figure matches the length within this many km (lengths are rounded to 0.1 km)
MATCH_TOLERANCE_KM = 0.06

#: published although the rule cannot read it from the text
PUBLISHED_BY_HAND: dict[str, str] = {
    "kostanay__troitsk": "note: ~167 versts = 178 km published for the Troitsk–Kustanay line (ng.kz 2025)",
    "orenburg__samara": "note: Samara–Kinel 40 km + Kinel–Orenburg 540.4 − 165.4 km (km posts)",
    "aksaraiskaya__astrakhan": "note: 62.2 km (Razъezd 2–Astrakhan I) minus 15.3 km (Razъezd 2–Aksaraiskaya)",
    "torugart__makmal": "note: 344 km Kashgar–Makmal minus 213 km China section (both published)",
    "irun__madrid_abronigal": "note: 645 km Spanish part of the 2014 Mannheim–Madrid route (La Moncloa)",
    "zhetygen__kazybek_bek": "source: 74.9 km bypass route (Kazinform via informburo.kz)",
    "lanzhou__turpan": "note: 1,904 km Lanzhou–Urumqi minus 143 km Urumqi–Turpan (both published)",
    "turpan__urumqi": "note: 143 km Turpan–Urumqi South published, plus 12 km hub approach (estimate)",
    "chengdu_qingbaijiang__chongqing_tuanjiecun":
        "note: 505 km Chengyu railway published, plus 12 km hub approaches (estimate)",
    # the published 460 km Urumqi–Alashankou, shared among its three links by their trace lengths
    **{link: "note: share of the published 460 km Urumqi–Alashankou, apportioned by trace length"
       for link in ("urumqi__kuitun", "kuitun__jinghe", "jinghe__alashankou")},
}
#: the rule would call these published; they are not
NOT_PUBLISHED_BY_HAND: dict[str, str] = {
    "brest__terespol": "source says 'c. 5 km' (approximate)",
}

_ARITHMETIC = re.compile(
    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:km\b[^+\-−0-9;]{0,60})?\s*(\+|-|−|plus|minus)\s*"
    r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def length_clause(note: str) -> str:
    """The part of a note about ``length_km`` (up to the next ``;`` or sentence end), or ''."""
    match = re.search(r"\blength(?:_km)?\b.*?(?=;|\. |$)", note, flags=re.IGNORECASE | re.DOTALL)
    return match.group(0) if match else ""


def _km_figures(text: str) -> list[float]:
    return [_number(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
            for m in re.finditer(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*km\b", text)]


def _arithmetic(text: str) -> list[float]:
    values = []
    for m in _ARITHMETIC.finditer(text):
        a, op, b = _number(m.group(1)), m.group(2), _number(m.group(3))
        values.append(a + b if op in ("+", "plus") else a - b)
    figures = _km_figures(text)
    if len(figures) > 1:
        values.append(sum(figures))
    return values


def _matches(length: float, candidates: list[float]) -> float | None:
    return next((c for c in candidates if abs(c - length) <= MATCH_TOLERANCE_KM), None)


def published_evidence(props: Mapping) -> str | None:
    """Why ``props['length_km']`` is a published rail distance, or None when it is not.

    Parameters
    ----------
    props : mapping
        A link's properties (``id``, ``length_km``, ``source``, ``note``, optionally ``length_source``).
    """
    link_id = str(props.get("id", ""))
    if props.get("length_source") == "published":
        return "marked published in the data"
    if link_id in NOT_PUBLISHED_BY_HAND:
        return None
    if link_id in PUBLISHED_BY_HAND:
        return PUBLISHED_BY_HAND[link_id]
    length = props.get("length_km")
    if not isinstance(length, int | float):
        return None
    note, source = str(props.get("note") or ""), str(props.get("source") or "")
    clause = length_clause(note)
    if any(marker in clause.lower() for marker in ESTIMATE_MARKERS):
        return None
    found = _matches(length, _km_figures(clause))
    if found is not None:
        return f"note: {clause.strip()[:90]}"
    found = _matches(length, _arithmetic(clause))
    if found is not None:
        return f"note (km posts): {clause.strip()[:90]}"
    if not clause or re.search(r"\d", clause) is None:
        found = _matches(length, _km_figures(source))
        if found is not None:
            return f"source cites {found:g} km"
    return None
