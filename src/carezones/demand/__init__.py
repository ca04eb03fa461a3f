"""Clients, carers and providers: reading, checking, writing, weekly visits and snapping.

The three tables follow ``docs/conventions.md``. The readers accept a file (CSV,
GeoPackage, GeoJSON, Parquet) or a DataFrame/GeoDataFrame, check every row against the
rules in :data:`RULES`, and raise one :class:`~carezones.ValidationError` listing every
problem found (file, row and id, column, expected, found; never a coordinate). Nothing is
dropped: a valid table comes back with as many rows as it went in, extra columns kept.

Weekly care patterns
--------------------
A client's visits are either

- an explicit ``pattern``: one entry per recurring call, separated by ``;``, each
  ``DAYS START-END MINUTES``, e.g. ``"mon-sun 07:00-10:00 45; mon,wed,fri 12:00-14:00 30"``
  (days as ``mon``/``monday``, lists ``mon,wed``, ranges ``mon-fri``, or ``daily``,
  ``weekdays``, ``weekends``; a window within one day; the visit's length in minutes).
  ``weekly_hours`` is then the pattern's total (a ``weekly_hours`` given too must agree
  within one minute);
- or ``weekly_hours`` alone, spread by the default pattern: calls of at least 30 minutes
  (NICE guideline NG21) in the windows morning 07:00-10:00, lunch 12:00-14:00,
  tea 16:30-18:30 and bed 19:30-22:00. From 3.5 hours a week there is a call every day,
  ``n = min(4, minutes // 210)`` calls a day (1: morning; 2: morning, bed;
  3: morning, lunch, bed; 4: all four); under 3.5 hours, one morning call on
  ``max(1, minutes // 30)`` days spread over the week. **Rounding rule**: the weekly hours
  are rounded to the nearest whole minute (halves to even) and split into whole-minute
  visits as evenly as possible, the remainder going one minute each to the earliest
  visits of the week; so the expanded visits add up to exactly
  ``round(weekly_hours * 60)`` minutes, within half a minute of ``weekly_hours``. The
  default pattern holds at most 56 hours a week (four calls filling the two-hour
  windows); give a pattern for more.
"""

from carezones.demand.geocoded import GeocodeOption
from carezones.demand.io import FileShapeWarning, read_csv_text
from carezones.demand.patterns import DAYS, FORTNIGHT
from carezones.demand.readers import (
    ShortVisitWarning,
    read_carers,
    read_clients,
    read_providers,
    write_carers,
    write_clients,
    write_providers,
)
from carezones.demand.schema import FALSE, RULES, TRUE
from carezones.demand.synthetic import ACCESS, generate_carers
from carezones.demand.synthetic import generate as generate_population
from carezones.demand.visits import expand_visits, snap_population
from carezones.demand.workforce import (
    SLOT_SPANS,
    TRAVEL_ALLOWANCE,
    Coverage,
    GroupStaffing,
    WorkforceWarning,
    capacity_minutes,
    group_cover,
    short_hours,
    slot_of,
    staff_groups,
    workforce_coverage,
)

__all__ = [
    "ACCESS",
    "DAYS",
    "FALSE",
    "FORTNIGHT",
    "RULES",
    "SLOT_SPANS",
    "TRAVEL_ALLOWANCE",
    "TRUE",
    "Coverage",
    "FileShapeWarning",
    "GeocodeOption",
    "GroupStaffing",
    "ShortVisitWarning",
    "WorkforceWarning",
    "capacity_minutes",
    "expand_visits",
    "generate_carers",
    "generate_population",
    "group_cover",
    "read_carers",
    "read_clients",
    "read_csv_text",
    "read_providers",
    "short_hours",
    "slot_of",
    "snap_population",
    "staff_groups",
    "workforce_coverage",
    "write_carers",
    "write_clients",
    "write_providers",
]
