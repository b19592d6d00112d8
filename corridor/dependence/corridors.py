"""Which corridor a route takes: Middle Corridor, Trans-Siberian, northern (via Kazakhstan and
Russia), Central Asia–Iran, or sea when no rail route is left."""

from __future__ import annotations

from corridor.network import Corridor
from corridor.transit import Route

MIDDLE = "Middle Corridor"
TRANS_SIBERIAN = "Trans-Siberian"
NORTHERN = "northern (KZ–RU)"
SEA = "sea"
#: trains of the flow the capacity-constrained assignment cannot carry with the element closed
NOT_CARRIED = "not carried"
#: neither a rail route nor a sea option is left
NO_ROUTE = "no route"


def corridor_of(net: Corridor, found: Route | None) -> str:
    """The corridor label of a route (``sea`` for None: no rail route left)."""
    if found is None:
        return SEA
    countries = list(found.countries)
    mode_of = net.derived("dependence.link_modes", lambda: net.links["mode"].to_dict())
    modes = {mode_of[lid] for lid in found.links}
    if "ferry" in modes or "AZ" in countries:
        return MIDDLE
    if "MN" in countries or countries[:2] == ["CN", "RU"]:
        return TRANS_SIBERIAN
    if "KZ" in countries and "RU" in countries:
        return NORTHERN
    if "IR" in countries:
        return "Central Asia–Iran"
    return "rail " + "–".join(countries)


def describe_mix(weights: dict[str, float]) -> str:
    """'Middle Corridor' or 'Middle Corridor 70%, sea 30%' from trains per corridor."""
    total = sum(weights.values())
    if total <= 0:
        return ""
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked[0][1] / total > 0.995:
        return ranked[0][0]
    return ", ".join(f"{name} {100 * w / total:.0f}%" for name, w in ranked if w / total >= 0.005)

#: English short names of the ISO 3166 codes in the built-in network (others show their code)
COUNTRY_NAMES = {
    "AT": "Austria", "AZ": "Azerbaijan", "BE": "Belgium", "BG": "Bulgaria", "BY": "Belarus", "CN": "China",
    "CZ": "Czechia", "DE": "Germany", "ES": "Spain", "FR": "France", "GE": "Georgia", "GR": "Greece",
    "HU": "Hungary", "IR": "Iran", "IT": "Italy", "KG": "Kyrgyzstan", "KZ": "Kazakhstan", "MN": "Mongolia",
    "NL": "Netherlands", "PL": "Poland", "RO": "Romania", "RS": "Serbia", "RU": "Russia",
    "TM": "Turkmenistan", "TR": "Türkiye", "UZ": "Uzbekistan",
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)
