"""The schemas of the clients, carers and providers tables, and the rules they are checked by.

:mod:`~carezones.demand.values` converts and checks single values and locations,
:mod:`~carezones.demand.checks` whole tables. Every check adds to one
:class:`~carezones.exceptions.ProblemCollector`; the public readers in
:mod:`carezones.demand` raise them once as a :class:`~carezones.ValidationError`.
Messages name the file, the row (1 = first data row) and id, the column, what was
expected and what was found, and never a coordinate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carezones.demand import patterns as pat
from carezones.exceptions import Problem

__all__ = [
    "CARER_COLUMNS",
    "CLIENT_COLUMNS",
    "COORD_PAIRS",
    "DEFAULT_MAX_MINUTES",
    "FALSE",
    "MISSING_TEXT",
    "PROVIDER_COLUMNS",
    "RULES",
    "SCHEMAS",
    "TRUE",
    "Checked",
    "Column",
]

#: Every rule the checks apply: its name (``Problem.what``) and what it means.
RULES: dict[str, str] = {
    "missing column": "a required column is absent",
    "missing value": "a required value is empty",
    "duplicate id": "an id appears more than once",
    "missing coordinates": "a location is empty, NaN or not a number",
    "not a point": "a geometry is not a Point",
    "no CRS": "coordinates without a coordinate reference system",
    "conflicting CRS": "crs= differs from the CRS the data carries",
    "outside the network's area": "a location far outside the network (swapped lon/lat, wrong CRS)",
    "not a number": "a numeric value that is not a number",
    "not a whole number": "a count or minutes value with a fraction",
    "not true or false": "a yes/no value that is neither",
    "hours out of range": "weekly hours <= 0 or > 168 (capacity: <= 0)",
    "bad pattern": "a visit pattern that cannot be read",
    "bad duration": "a visit of 0 minutes",
    "window ends before start": "a time window (or shift) that ends before it starts",
    "window shorter than visit": "a time window too short for its visit",
    "bad gap": "a follow-up's gap that is not MIN <= MAX minutes, or starts another day",
    "follow-up does not fit": "a follow-up too long for the window its gap leaves it that day",
    "duplicate call": "two calls of one client start at the same time on the same day",
    "pattern disagrees with weekly_hours": "weekly_hours and the pattern's total differ by > 1 min",
    "default pattern does not fit": "weekly_hours too many for the default pattern's windows",
    "unknown mode": "a travel mode other than walk, cycle, drive",
    "no mode": "a carer with neither a mode nor modes",
    "mode not among modes": "a carer's planning mode that is not one of the modes open to them",
    "unknown skill": "a skill not in the allowed list",
    "bad skill name": "a skill name with a space, '/', a tab or another separator in it",
    "bad carers_needed": "carers_needed other than 1 or 2",
    "time out of range": "a time of day outside 00:00-24:00",
    "unknown day": "a day name that cannot be read",
    "bad working minutes": "max_minutes <= 0 or longer than the shift",
    "contract does not fit shifts": "contracted hours above working days x max_minutes",
    "unknown provider": "a provider_id not in the providers table",
    "mode not loaded": "a carer's mode whose network was not loaded (when snapping)",
    "missing file": "the file does not exist",
    "unknown format": "a file name ending carezones cannot read or write",
    "unreadable file": "the file cannot be read in its format",
    "which layer": "a GeoPackage with several layers and none named after the table",
}

MISSING_TEXT = {"", "nan", "none", "null", "<na>"}
#: Text read as true and as false in a boolean column (lower case, stripped).
TRUE = {"true", "t", "yes", "y", "1", "1.0"}
FALSE = {"false", "f", "no", "n", "0", "0.0"}
# Coordinate column pairs, and whether they are degrees (default EPSG:4326).
COORD_PAIRS = (
    ("lon", "lat", True), ("longitude", "latitude", True), ("lng", "lat", True),
    ("x", "y", False), ("easting", "northing", False),
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of a table's schema (documented in the readers' docstrings)."""

    name: str
    kind: str  # id, text, skills, days, float, int, time, bool
    required: bool
    default: Any = None
    unit: str = ""


CLIENT_COLUMNS = (
    Column("client_id", "id", True),
    Column("weekly_hours", "float", False, None, "hours a week"),
    Column("pattern", "text", False, ""),
    Column("carers_needed", "int", False, 1, "carers"),
    Column("skills", "skills", False, ""),
    Column("virtual_ok", "bool", False, False),
    Column("provider_id", "text", False, ""),
)
CARER_COLUMNS = (
    Column("carer_id", "id", True),
    Column("mode", "text", False, ""),
    Column("modes", "text", False, ""),
    Column("contracted_hours", "float", True, None, "hours a week"),
    Column("shift_start", "time", False, 7 * 60, "minutes since midnight"),
    Column("shift_end", "time", False, 22 * 60, "minutes since midnight"),
    Column("max_minutes", "int", False, None, "minutes a day"),
    Column("days", "days", False, ";".join(pat.DAYS)),
    Column("skills", "skills", False, ""),
    Column("provider_id", "text", False, ""),
)
PROVIDER_COLUMNS = (
    Column("provider_id", "id", True),
    Column("name", "text", False, None),
    Column("capacity_hours", "float", False, math.nan, "hours a week"),
)
SCHEMAS = {"clients": CLIENT_COLUMNS, "carers": CARER_COLUMNS, "providers": PROVIDER_COLUMNS}
#: Default working minutes a day when ``max_minutes`` is not given (capped by the shift).
DEFAULT_MAX_MINUTES = 480


@dataclass
class Checked:
    """The normalised table, the problems found, and what the clients' checks parsed."""

    frame: pd.DataFrame
    problems: list[Problem]
    calls: list[list[pat.Call]] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
