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
    """One property of a geodata feature.

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
    """

    name: str
    type: str
    nullable: bool = False
    positive: bool = False
    choices: tuple | None = None
    required: bool = True


NODE_FIELDS: tuple[Field, ...] = (
    Field("id", "str"),
    Field("name", "str"),
    Field("aliases", "list"),
    Field("country", "str"),
    Field("kind", "list", choices=KINDS),
    Field("dwell_h", "number", nullable=True, positive=True),
    Field("dwell_min_h", "number", nullable=True, positive=True),
    Field("dwell_max_h", "number", nullable=True, positive=True),
    Field("capacity_trains_day", "number", nullable=True, positive=True),
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
    Field("length_km", "number", positive=True),
    # optional until the built-in geodata is regenerated with `corridor osm refine`
    Field("length_source", "str", nullable=True, choices=LENGTH_SOURCES, required=False),
    Field("tracks", "int", nullable=True, choices=(1, 2, 3, 4)),
    Field("electrified", "bool"),
    Field("speed_kmh", "number", nullable=True, positive=True),
    Field("speed_min_kmh", "number", nullable=True, positive=True),
    Field("speed_max_kmh", "number", nullable=True, positive=True),
    Field("capacity_trains_day", "number", nullable=True, positive=True),
    Field("railway", "str"),
    Field("line", "str"),
    Field("status", "str", choices=STATUSES),
    Field("source", "str"),
    Field("note", "str"),
)

FERRY_FIELDS: tuple[Field, ...] = (
    Field("sailing_h", "number", positive=True),
    Field("headway_h", "number", positive=True),
    Field("headway_max_h", "number", positive=True),
)

NODES_FILE = "nodes.geojson"
LINKS_FILE = "links.geojson"

#: link length may differ from the polyline's geodesic length by this factor unless `note` explains
LENGTH_RATIO_RANGE = (0.8, 1.25)
#: refined links (with ``length_source``): a length below this share of the geometry's km needs
#: ``length_source = published`` (a traced geometry is never longer than the track it follows)
MIN_LENGTH_SHARE_OF_TRACK = 0.95
#: refined rail links longer than this must not keep a straight-line geometry
MAX_STRAIGHT_KM = 50.0
#: a link geometry must start and end within this distance of its nodes
ENDPOINT_TOLERANCE_KM = 2.0
