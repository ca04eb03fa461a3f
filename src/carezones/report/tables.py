"""Tables for people who open them in Excel: times as HH:MM, rounded numbers, units in headers.

carezones' own tables keep times of day as minutes since midnight and full precision (so
they read back exactly); :func:`for_people` turns one into what a commissioner expects to
see, and :func:`write_workbook` writes several as the sheets of one ``.xlsx`` (openpyxl).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

__all__ = [
    "MAX_SHEET_NAME",
    "TIME_OF_DAY",
    "UNITS",
    "for_people",
    "hhmm",
    "sheet_names",
    "write_workbook",
]

TIME_OF_DAY = frozenset(
    {"arrival", "start", "end", "depart", "back", "earliest", "latest", "shift_start",
     "shift_end", "window_start", "window_end", "ready", "planned_start", "actual_start",
     "planned_end", "actual_end"}
)  # fmt: skip
"""Columns that hold a time of day in minutes since midnight."""

UNITS: tuple[tuple[str, str], ...] = (
    (r"(^|_)weekly_hours$|_hours$|^hours$", "h/week"),
    (r"_minutes$|^minutes_|^wait$|^late$|^travel$|^duration$", "min"),
    (r"_km2$", "km²"),
    (r"_km$", "km"),
    (r"_kg$|co2e", "kg CO2e"),
    (r"_gbp$|^gbp_|_gbp_per_hour$", "£"),
    (r"^share_|_share$|_ratio$", "share"),
)
"""Patterns of column names and the unit each gets in its header."""

_DIGITS = {"h/week": 1, "min": 1, "km²": 2, "km": 1, "kg CO2e": 1, "£": 2, "share": 3}


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


def _unit(column: str) -> str | None:
    for pattern, unit in UNITS:
        if re.search(pattern, column):
            return unit
    return None


def for_people(frame: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """A copy of ``frame`` for reading: times as HH:MM, rounded, units in column names.

    Parameters
    ----------
    frame
        Any carezones table.
    digits
        Decimal places for numbers without a known unit.

    Returns
    -------
    pandas.DataFrame
        Times of day (:data:`TIME_OF_DAY`) as ``HH:MM`` text, floats rounded (no
        206.49999999999997), and each column with a known unit renamed ``name (unit)``.

    Examples
    --------
    >>> t = pd.DataFrame({"start": [430.8833], "weekly_hours": [206.49999999999997]})
    >>> for_people(t).to_dict("records")
    [{'start': '07:10', 'weekly_hours (h/week)': 206.5}]
    """
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        name = str(column)
        values = frame[column]
        if name in TIME_OF_DAY and pd.api.types.is_numeric_dtype(values):
            out[name] = hhmm(values)
            continue
        unit = _unit(name) if "(" not in name else None
        if pd.api.types.is_float_dtype(values):
            values = values.round(_DIGITS.get(unit or "", digits))
        out[f"{name} ({unit})" if unit else name] = values
    return out


#: The longest sheet name Excel takes.
MAX_SHEET_NAME = 31


def sheet_names(names: Iterable[object]) -> list[str]:
    r"""A distinct Excel sheet name for each table name, as close to it as Excel allows.

    Excel takes at most 31 characters, none of ``[]:*?/\``, and tells sheets apart
    without case. A name that fits is kept; a longer one keeps its start and its last word
    (the table: ``zones``, ``outcomes``) around an ellipsis; a name already taken gets a
    number, ``(2)``. No two tables ever share a sheet.

    Examples
    --------
    >>> sheet_names(["zones", "scenario-with-a-very-long-name-one zones",
    ...              "scenario-with-a-very-long-name-two zones", "Zones"])
    ['zones', 'scenario-with-a-very-lon… zones', 'scenario-with-a-very… zones (2)', 'Zones (2)']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        text = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip().strip("'") or "table"
        head, _, tail = text.rpartition(" ")
        if not head or len(tail) > 12:
            head, tail = text, ""
        k = 1
        while True:
            suffix = f" ({k})" if k > 1 else ""
            sheet = text + suffix
            if len(sheet) > MAX_SHEET_NAME:
                end = (f" {tail}" if tail else "") + suffix
                sheet = head[: MAX_SHEET_NAME - len(end) - 1].rstrip() + "…" + end
            if sheet.casefold() not in taken and sheet.casefold() != "history":
                break
            k += 1
        taken.add(sheet.casefold())
        out.append(sheet)
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write each table (already for people, or raw) as a sheet of one ``.xlsx`` workbook.

    Every table gets a sheet of its own (:func:`sheet_names`: at most Excel's 31
    characters, distinct without case); when a name had to be shortened, a first sheet
    ``contents`` gives each sheet's full table name. The header row is frozen and columns
    are sized to their content. No cell can be a formula: text that openpyxl would store
    as one (an id such as ``=HYPERLINK(...)``) is stored as the text it is.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> p = write_workbook({"zones": pd.DataFrame({"weekly_hours": [1.0]})}, f"{folder}/r.xlsx")
    >>> p.name
    'r.xlsx'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    names = [str(n) for n in tables]
    sheets = sheet_names(names)
    frames: dict[str, pd.DataFrame] = {}
    if sheets != names:
        contents = pd.DataFrame({"sheet": sheets, "table": names})
        frames[sheet_names(["contents", *sheets])[0]] = contents
    frames.update(zip(sheets, tables.values(), strict=True))
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            table = frame if any("(" in str(c) for c in frame.columns) else for_people(frame)
            table.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # text starting with "=": keep it text
                        cell.data_type = "s"
            for i, column in enumerate(table.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    return target
