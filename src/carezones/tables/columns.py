"""How each column of carezones' tables reads: its kind of value and the unit people see.

One declaration per column, used by every table a person opens
(:func:`~carezones.tables.for_people`): an outcome's unit comes from the outcome's own
declaration (:data:`carezones.outcomes.OUTCOMES`); the other columns (times of day,
legs' seconds and metres, hours, counts, shares) are declared here, by name or by the
end of their name. A column declared nowhere keeps its name and is rounded, and the
tests of the person-facing tables say which one it is.

This is the leaf of :mod:`carezones.tables`: it imports none of the folder's modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carezones.outcomes import OUTCOMES

__all__ = [
    "DATA_ONLY",
    "MEASURED_OVER_DAYS",
    "SCALED_TO_A_WEEK",
    "Reading",
    "reading_of",
    "reading_of_unit",
]


@dataclass(frozen=True)
class Reading:
    """How a column's numbers are shown to a person.

    Parameters
    ----------
    kind
        {"clock", "seconds", "metres", "share", "count", "money", "ratio", "quantity",
        "yesno"}: minutes since midnight shown as ``HH:MM``; seconds shown as minutes;
        metres shown as km; a 0-1 share shown as a percentage; a whole number; pounds;
        a ratio (two decimals); any other quantity, rounded as people quote it; yes/no.
    unit
        The unit written in the header, ``name (unit)`` (for ``clock``: ``HH:MM``).
    """

    kind: str
    unit: str

    def header(self, column: str) -> str:
        """The column's name for people: a converted unit leaves the name's own behind.

        Examples
        --------
        >>> Reading("seconds", "min").header("travel_seconds")
        'travel'
        >>> Reading("metres", "km").header("distance_m"), Reading("share", "%").header("x")
        ('distance', 'x')
        """
        for kind, ending in (("seconds", "_seconds"), ("metres", "_m"), ("metres", "_metres")):
            if self.kind == kind and column.endswith(ending):
                return column[: -len(ending)]
        return column


_CLOCK = Reading("clock", "HH:MM")

#: Columns holding a time of day in minutes since midnight.
_CLOCK_COLUMNS = frozenset(
    {"arrival", "start", "end", "depart", "back", "earliest", "latest", "shift_start",
     "shift_end", "window_start", "window_end", "ready", "planned_start", "actual_start",
     "planned_end", "actual_end", "break_start", "break_end", "agreed_start"}
)  # fmt: skip

#: Columns by name (outcomes aside).
_NAMED: dict[str, Reading] = {
    "wait": Reading("quantity", "min"),
    "late": Reading("quantity", "min"),
    "duration": Reading("quantity", "min"),
    "spread": Reading("quantity", "min"),
    "travel": Reading("quantity", "min"),
    "sequence": Reading("count", "order"),
    "row": Reading("count", "row of the file"),
    "carers_needed": Reading("count", "carers"),
    "pieces": Reading("count", "pieces"),
    "parts": Reading("count", "polygons"),
    "holes": Reading("count", "holes"),
    "polsby_popper": Reading("ratio", "0-1"),
    "area_km2": Reading("quantity", "km²"),
    "meets_floor": Reading("yesno", ""),
    "locked": Reading("yesno", ""),
    "contracted_hours": Reading("quantity", "h/week"),
    "paid_hours_needed": Reading("quantity", "h/week"),
    "contracted_hours_living_in": Reading("quantity", "h/week"),
    "workforce_balance_hours": Reading("quantity", "h/week"),
    "zone_hours": Reading("quantity", "h/week"),
    "lot_hours": Reading("quantity", "h/week"),
    "split_hours": Reading("quantity", "h/week"),
    "carers_serving": Reading("count", "carers"),
    "carers_living_in": Reading("count", "carers"),
    "distinct_carers": Reading("count", "carers"),
    "share_within_15_min": Reading("share", "%"),
    "minutes_to_centre": Reading("quantity", "min"),
    "diameter_minutes": Reading("quantity", "min"),
    "days_walking": Reading("count", "carer-days"),
    "days_cycling": Reading("count", "carer-days"),
    "days_driving": Reading("count", "carer-days"),
    "visits": Reading("count", "visits"),
    "clients": Reading("count", "clients"),
    "zones": Reading("count", "zones"),
    "units_split": Reading("count", "units"),
}

#: Columns by the end (or start) of their name, tried in order.
_PATTERNS: tuple[tuple[str, Reading], ...] = (
    (r"_seconds$", Reading("seconds", "min")),
    (r"(^|_)distance_m$|_metres$", Reading("metres", "km")),
    (r"_share$|^share_", Reading("share", "%")),
    (r"_ratio$", Reading("ratio", "ratio")),
    (r"_gbp_per_hour$|_gbp$", Reading("money", "£")),
    (r"_hours_per_week$|(^|_)weekly_hours$|_hours$", Reading("quantity", "h/week")),
    (r"_minutes$|^minutes_", Reading("quantity", "min")),
    (r"visits_per_week$", Reading("count", "visits/week")),
    (r"_km$", Reading("quantity", "km")),
)

#: How an outcome's declared unit reads (units not listed: a quantity in that unit).
_BY_UNIT: dict[str, Reading] = {
    "share": Reading("share", "%"),
    "ratio": Reading("ratio", "ratio"),
    "GBP/h": Reading("money", "£/h"),
    "GBP/week": Reading("money", "£/week"),
    "GBP": Reading("money", "£"),
    "clients": Reading("count", "clients"),
    "zones": Reading("count", "zones"),
    "providers": Reading("count", "providers"),
    "days": Reading("count", "days"),
    "weeks": Reading("count", "weeks"),
    "visits": Reading("count", "visits"),
    "visits/week": Reading("count", "visits/week"),
    "carers": Reading("count", "carers"),
    "violations": Reading("count", "violations"),
    "s": Reading("quantity", "s"),
}

#: Figures measured over the days routed, not scaled to a week: with fewer than seven
#: days routed they are said to be of those days (a client meets fewer carers in a day):
#: the outcomes, and the columns of each client's row in ``continuity.csv``.
MEASURED_OVER_DAYS = frozenset({"distinct_carers_per_client", "main_carer_share",
                                "distinct_carers"})  # fmt: skip

#: Weekly figures scaled from the days routed (with fewer than seven days, an estimate):
#: every ``*_per_week`` column, and these.
SCALED_TO_A_WEEK = frozenset(
    {"virtual_travel_hours_saved", "workforce_gap_hours", "paid_hours_needed",
     "workforce_balance_hours"}
)  # fmt: skip

#: Columns kept only in the exact tables (positions in a projected CRS: of no use in a
#: spreadsheet, and the ``data/`` copy has them).
DATA_ONLY = frozenset({"centre_x", "centre_y", "geometry"})

_OUTCOME_UNITS = {o.name: o.unit for o in OUTCOMES}


def reading_of_unit(unit: str) -> Reading:
    """How a value in ``unit`` (an outcome's declared unit) reads.

    Examples
    --------
    >>> reading_of_unit("share"), reading_of_unit("h/week").kind
    (Reading(kind='share', unit='%'), 'quantity')
    """
    return _BY_UNIT.get(unit, Reading("quantity", unit))


def reading_of(column: str) -> Reading | None:
    """How a column reads, by its name (None: not declared).

    An outcome's name reads by its declared unit (the one list of outcomes); the other
    names are declared in this module.

    Examples
    --------
    >>> reading_of("travel_to_care_ratio").unit, reading_of("start").unit
    ('ratio', 'HH:MM')
    >>> reading_of("distance_m"), reading_of("client_id") is None
    (Reading(kind='metres', unit='km'), True)
    """
    name = str(column)
    if name in _OUTCOME_UNITS:
        return reading_of_unit(_OUTCOME_UNITS[name])
    if name in _CLOCK_COLUMNS:
        return _CLOCK
    if name in _NAMED:
        return _NAMED[name]
    for pattern, reading in _PATTERNS:
        if re.search(pattern, name):
            return reading
    if name.startswith("n_") and len(name) > 2:  # n_visits: a count of visits
        return Reading("count", name[2:].replace("_", " "))
    return None
