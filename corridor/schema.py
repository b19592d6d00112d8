"""Columns of each geodata table: names, types, units and allowed values."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("terminal", "border", "gauge_change", "junction", "port", "coldchain")
MODES = ("rail", "ferry", "sea")
STATUSES = ("operating", "under_construction", "planned", "closed")
#: statuses a route may use when planned elements are asked for (closed ones never)
PLANNED_STATUSES = ("operating", "under_construction", "planned")
GAUGES_MM = (1000, 1067, 1435, 1520, 1668)
REEFER_TYPES = ("plug_in", "genset_fuel", "cold_storage")
WATER_MODES = ("ferry", "sea")
#: where a link's length comes from (``corridor osm refine`` sets it on every rail link)
LENGTH_SOURCES = ("published", "osm", "estimate")
#: EU member states: crossings between two of them do not set a corridor apart
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})


@dataclass(frozen=True)
class Field:
    """One property of a geodata feature, or one number of a table, scenario or option.

    Parameters
    ----------
    name : str
        Property name; units are part of the name (``length_km``, ``dwell_h``).
    type : str
        One of ``str``, ``number``, ``int``, ``bool``, ``list``.
    nullable : bool
        Whether ``null`` is allowed.
    positive : bool
        Numbers must be strictly greater than zero.
    choices : tuple, optional
        Allowed values (for lists: allowed items).
    required : bool
        Whether the property must be present (optional ones may be absent, then count as null).
    minimum, maximum : float, optional
        Inclusive bounds of a number (with ``positive``, the lower bound is 0 exclusive). Every
        number must also be finite: NaN and ±Infinity are never valid, and a ``note`` never
        excuses a value outside these bounds.
    """

    name: str
    type: str
    nullable: bool = False
    positive: bool = False
    choices: tuple | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None

    def describe_range(self) -> str:
        """The allowed range in interval notation, e.g. ``(0, 2160]``."""
        low = "(0" if self.positive and self.minimum is None else (
            f"[{_number(self.minimum)}" if self.minimum is not None else "(-inf")
        high = f"{_number(self.maximum)}]" if self.maximum is not None else "inf)"
        return f"{low}, {high}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


#: upper bounds of physical quantities (generous: they catch typos and impossible values)
MAX_DWELL_H = 2160.0          # 90 days at one place
MAX_LENGTH_KM = 20_000.0      # half the Earth's circumference
MAX_SPEED_KMH = 300.0         # no freight train or ferry is faster
MAX_CAPACITY_TRAINS_DAY = 1000.0
MIN_CAPACITY_TRAINS_DAY = 0.01  # one train in 100 days; smaller values overflow the delay function
MAX_SAILING_H = 2000.0
MAX_HEADWAY_H = 8760.0        # one sailing a year

NODE_FIELDS: tuple[Field, ...] = (
    Field("id", "str"),
    Field("name", "str"),
    Field("aliases", "list"),
    Field("country", "str"),
    Field("kind", "list", choices=KINDS),
    Field("dwell_h", "number", nullable=True, positive=True, maximum=MAX_DWELL_H),
    Field("dwell_min_h", "number", nullable=True, positive=True, maximum=MAX_DWELL_H),
    Field("dwell_max_h", "number", nullable=True, positive=True, maximum=MAX_DWELL_H),
    Field("capacity_trains_day", "number", nullable=True, positive=True,
          minimum=MIN_CAPACITY_TRAINS_DAY, maximum=MAX_CAPACITY_TRAINS_DAY),
    Field("reefer_service", "bool"),
    Field("reefer_types", "list", choices=REEFER_TYPES),
    Field("status", "str", choices=STATUSES),
    Field("source", "str"),
    Field("note", "str"),
)

LINK_FIELDS: tuple[Field, ...] = (
    Field("id", "str"),
    Field("from", "str"),
    Field("to", "str"),
    Field("mode", "str", choices=MODES),
    Field("gauge_mm", "int", nullable=True, choices=GAUGES_MM),
    Field("length_km", "number", positive=True, maximum=MAX_LENGTH_KM),
    # set by `corridor osm refine` (published / osm / estimate); null only for ferry and sea links
    Field("length_source", "str", nullable=True, choices=LENGTH_SOURCES),
    Field("tracks", "int", nullable=True, choices=(1, 2, 3, 4)),
    Field("electrified", "bool"),
    Field("speed_kmh", "number", nullable=True, positive=True, maximum=MAX_SPEED_KMH),
    Field("speed_min_kmh", "number", nullable=True, positive=True, maximum=MAX_SPEED_KMH),
    Field("speed_max_kmh", "number", nullable=True, positive=True, maximum=MAX_SPEED_KMH),
    Field("capacity_trains_day", "number", nullable=True, positive=True,
          minimum=MIN_CAPACITY_TRAINS_DAY, maximum=MAX_CAPACITY_TRAINS_DAY),
    Field("railway", "str"),
    Field("line", "str"),
    Field("status", "str", choices=STATUSES),
    Field("source", "str"),
    Field("note", "str"),
)

FERRY_FIELDS: tuple[Field, ...] = (
    Field("sailing_h", "number", positive=True, maximum=MAX_SAILING_H),
    Field("headway_h", "number", positive=True, maximum=MAX_HEADWAY_H),
    Field("headway_max_h", "number", positive=True, maximum=MAX_HEADWAY_H),
)

LONGITUDE = Field("lon", "number", minimum=-180.0, maximum=180.0)
LATITUDE = Field("lat", "number", minimum=-90.0, maximum=90.0)
#: properties a feature may not carry (they clash with the tables' own columns)
RESERVED_PROPERTIES = ("geometry",)

#: numbers of the demand table (``demand.csv`` and a scenario's ``[[demand]]``)
MAX_TRAINS_DAY = 10_000.0
DEMAND_FIELDS: tuple[Field, ...] = (
    Field("trains_day", "number", minimum=0.0, maximum=MAX_TRAINS_DAY),
    Field("trains_year", "number", minimum=0.0, maximum=MAX_TRAINS_DAY * 365),
)

#: numbers of the commodity catalogue (``commodities.csv``)
COMMODITY_FIELDS: tuple[Field, ...] = (
    Field("set_temp_c", "number", minimum=-80.0, maximum=60.0),
    Field("min_temp_c", "number", minimum=-80.0, maximum=60.0),
    Field("max_temp_c", "number", minimum=-80.0, maximum=60.0),
    Field("shelf_life_days", "number", positive=True, maximum=3650.0),
    Field("q10", "number", minimum=1.0, maximum=20.0),
    Field("margin_days", "number", minimum=0.0, maximum=3650.0),
)

#: numbers of the published-services table (``services.csv``); an empty cell means not published
SERVICE_FIELDS: tuple[Field, ...] = (
    Field("published_km", "number", positive=True),
    Field("published_days_min", "number", positive=True),
    Field("published_days_max", "number", positive=True),
)

#: monthly mean air temperature of the climate table (``climate.csv``), °C
MONTHLY_TEMPERATURE = Field("temp_c", "number", minimum=-70.0, maximum=60.0)

#: numbers of a scenario's edits (``[[delay]]``, ``[[scale]]``, ``[[demand]]``, ``[[scale_tariff]]``)
SCENARIO_FIELDS: dict[str, Field] = {
    "hours": Field("hours", "number", minimum=0.0, maximum=8760.0),
    "factor": Field("factor", "number", positive=True, maximum=1000.0),
    "demand_factor": Field("factor", "number", minimum=0.0, maximum=1000.0),
    "tariff_factor": Field("factor", "number", positive=True, maximum=100.0),
    "trains_day": DEMAND_FIELDS[0],
}

NODES_FILE = "nodes.geojson"
LINKS_FILE = "links.geojson"

#: link length may differ from the polyline's geodesic length by this factor unless `note` explains
LENGTH_RATIO_RANGE = (0.8, 1.25)
#: refined links (with ``length_source``): a length below this share of the geometry's km needs
#: ``length_source = published`` (a traced geometry is never longer than the track it follows)
MIN_LENGTH_SHARE_OF_TRACK = 0.95
#: refined rail links longer than this must not keep a straight-line geometry
MAX_STRAIGHT_KM = 50.0
#: a geometry whose km are within this factor of its end-to-end chord counts as a straight line
STRAIGHT_TRACK_RATIO = 1.005
#: ... and never by more than this factor, whatever the note says
EXPLAINED_LENGTH_RATIO_RANGE = (0.25, 4.0)
#: a link geometry must start and end within this distance of its nodes
ENDPOINT_TOLERANCE_KM = 2.0
