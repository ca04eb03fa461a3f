"""A table as a person reads it: rounded as people quote figures, units in the headers.

:func:`for_people` turns any carezones table into what a commissioner opens in Excel:
times of day as ``HH:MM``, legs in minutes and km, shares as percentages, counts as
whole numbers, money in pounds and pence, other figures to three significant places at
most (never more than two decimals), each unit in its column's header (``weekly_hours
(h/week)``) or, in a table of outcomes, in its ``unit`` column; yes/no for true/false;
zone names beside zone ids; and figures of fewer than seven routed days said to be so.
How each column reads is declared once (:mod:`carezones.tables.columns`, outcomes by
their own declaration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from carezones.tables.columns import (
    DATA_ONLY,
    MEASURED_OVER_DAYS,
    SCALED_TO_A_WEEK,
    Reading,
    reading_of,
    reading_of_unit,
)

__all__ = ["for_people", "hhmm", "quote", "unit_text"]

_ZONE_COLUMNS = {"zone_id": "zone_name", "home_zone_id": "home_zone_name"}


def hhmm(minutes: pd.Series) -> pd.Series:
    """Minutes since midnight as ``HH:MM`` text, as a clock shows them (07:10:53 is 07:10).

    Empty where missing; past midnight ``+1``.

    Examples
    --------
    >>> hhmm(pd.Series([430.8833, 1439.6, np.nan, 1500.0])).tolist()
    ['07:10', '23:59', '', '01:00+1']
    """
    values = pd.to_numeric(minutes, errors="coerce").to_numpy(float)
    out = []
    for v in values:
        if not np.isfinite(v):
            out.append("")
            continue
        m = int(np.floor(v + 1e-6))
        day, m = divmod(m, 1440)
        out.append(f"{m // 60:02d}:{m % 60:02d}" + (f"+{day}" if day else ""))
    return pd.Series(out, index=minutes.index, dtype=object)


def _places(size: float) -> int:
    """Decimals people quote: none from 100, one from 10, else two."""
    return 0 if size >= 100 else (1 if size >= 10 else 2)


def quote(value: Any, kind: str = "quantity") -> Any:
    """One figure as people quote it, in the unit its reading shows (None when missing).

    Parameters
    ----------
    value
        The exact figure (in carezones' own unit: a 0-1 share, seconds, metres, ...).
    kind
        {"quantity", "share", "count", "money", "ratio", "seconds", "metres"} How it reads
        (:class:`~carezones.tables.columns.Reading`).

    Returns
    -------
    int, float or None
        Whole numbers as ``int``; never more than two decimals.

    Examples
    --------
    >>> quote(302.1666), quote(45.0233), quote(0.944, "share"), quote(120.0, "count")
    (302, 45, 94.4, 120)
    >>> quote(27.0251, "money"), quote(51170.4, "money"), quote(331, "seconds")
    (27.03, 51170, 5.52)
    >>> quote(float("nan")) is None
    True
    """
    if value is None or isinstance(value, str | bool | np.bool_):
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        return value
    if not math.isfinite(v):
        return None
    if kind == "share":
        v, places = 100 * v, 1
    elif kind == "seconds":
        v /= 60
        places = _places(abs(v))
    elif kind == "metres":
        v /= 1000
        places = _places(abs(v))
    elif kind == "money":
        places = 0 if abs(v) >= 1000 else 2
    elif kind == "ratio":
        places = 2
    elif kind == "count" and abs(v - round(v)) < 1e-9:
        places = 0
    else:
        places = _places(abs(v))
    v = round(v, places)
    return int(v) if v == int(v) else v


def _column(values: pd.Series, reading: Reading) -> pd.Series:
    if reading.kind == "clock":
        return hhmm(values)
    if reading.kind == "yesno" or pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: "" if pd.isna(v) else ("yes" if bool(v) else "no"))
    if not pd.api.types.is_numeric_dtype(values):
        return values
    return pd.Series([quote(v, reading.kind) for v in values], index=values.index, dtype=object)


def unit_text(unit: str, name: str, days: int | None) -> str:
    """The unit, saying so when the figure comes from fewer days than a week.

    A weekly figure scaled from the days routed reads ``h/week, 1 day x 7``; a figure
    measured over the days routed (:data:`MEASURED_OVER_DAYS`) ``carers in 1 day``.

    Examples
    --------
    >>> unit_text("h/week", "demanded_hours_per_week", 1), unit_text("h/week", "x", 7)
    ('h/week, 1 day x 7', 'h/week')
    >>> unit_text("carers", "distinct_carers_per_client", 2)
    'carers in 2 days'
    """
    if days is None or days >= 7:
        return unit
    plural = "s" * (days != 1)
    if name in MEASURED_OVER_DAYS:
        return f"{unit} in {days} day{plural}"
    if name.endswith("_per_week") or name in SCALED_TO_A_WEEK:
        return f"{unit}, 1 day x 7" if days == 1 else f"{unit}, {days} days x 7/{days}"
    return unit


def _long(frame: pd.DataFrame, days: int | None) -> pd.DataFrame:
    """A table of outcomes (one per row, its unit in a ``unit`` column), each row by its unit."""
    key = "outcome" if "outcome" in frame.columns else frame.columns[0]
    numbers = [c for c in frame.columns if c != "unit" and pd.api.types.is_numeric_dtype(frame[c])]
    out = frame.copy().astype({c: object for c in numbers})
    units = []
    for i, (name, unit) in enumerate(zip(frame[key].astype(str), frame["unit"], strict=True)):
        reading = reading_of_unit("" if pd.isna(unit) else str(unit))
        for c in numbers:
            kind = "quantity" if str(c).endswith(" %") else reading.kind
            out.iat[i, out.columns.get_loc(c)] = quote(frame[c].iat[i], kind)
        units.append(unit_text(reading.unit, name, days))
    out["unit"] = units
    if "description" in out.columns and days is not None and days < 7:
        for i, name in enumerate(frame[key].astype(str)):
            if name in MEASURED_OVER_DAYS:
                text = str(out["description"].iat[i]).replace("in a week", "")
                out.iat[i, out.columns.get_loc("description")] = (
                    f"{text.strip()} (over the {days} day{'s' * (days != 1)} routed, not a week)"
                )
    return out.rename(columns={c: f"{c[: -len(' %')]} (%)" for c in numbers
                               if str(c).endswith(" %")})  # fmt: skip


def for_people(
    frame: pd.DataFrame,
    *,
    zone_names: Mapping[str, str] | None = None,
    days_routed: int | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` for reading: times as HH:MM, figures rounded, units in headers.

    Parameters
    ----------
    frame
        Any carezones table (exact figures, times in minutes since midnight).
    zone_names
        ``{zone_id: name}``: a ``zone_name`` column is put beside ``zone_id`` (and
        ``home_zone_name`` beside ``home_zone_id``).
    days_routed
        How many days the figures come from: with fewer than seven, weekly figures are
        said to be estimated from them, and figures measured over the days routed
        (:data:`~carezones.tables.columns.MEASURED_OVER_DAYS`) to be of those days.

    Returns
    -------
    pandas.DataFrame
        Each declared column (:func:`~carezones.tables.columns.reading_of`) shown as it
        reads, with its unit in the header (``name (unit)``); a table of outcomes
        (``unit`` and ``value`` columns, or a comparison) shown row by row, each in its own
        unit. Text and ids stay as they are; positions (``centre_x``, ``centre_y``) are
        left to the exact table.

    Examples
    --------
    >>> t = pd.DataFrame({"zone_id": ["Z1"], "start": [430.8833],
    ...                   "weekly_hours": [206.49999999999997], "scheduled_share": [0.9443]})
    >>> shown = for_people(t, zone_names={"Z1": "Kallio"})
    >>> shown.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'zone_id': 'Z1', 'zone_name': 'Kallio', 'start (HH:MM)': '07:10',
      'weekly_hours (h/week)': 206, 'scheduled_share (%)': 94.4}]
    """
    if "unit" in frame.columns and ("value" in frame.columns or "outcome" in frame.columns):
        return _long(frame, days_routed)
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        name = str(column)
        if name in DATA_ONLY:
            continue
        values = frame[column]
        reading = reading_of(name) if "(" not in name else None
        if reading is None:
            shown = _column(values, Reading("quantity", ""))
            out[name] = shown
        else:
            unit = unit_text(reading.unit, name, days_routed)
            head = reading.header(name)
            out[f"{head} ({unit})" if unit else head] = _column(values, reading)
        if name in _ZONE_COLUMNS and zone_names and _ZONE_COLUMNS[name] not in frame.columns:
            if not (name == "zone_id" and "name" in frame.columns):
                names = values.map(lambda z: "" if pd.isna(z) else zone_names.get(str(z), ""))
                out[_ZONE_COLUMNS[name]] = names
    return out
