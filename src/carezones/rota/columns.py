"""Reading a rota export: the column mapping (:class:`RotaColumns`) and the file itself.

CSV or Excel; the mapping names which of the export's columns hold the carer, the client
and the planned and actual times, with the date and time formats.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from carezones._files import excel_numbers, read_toml
from carezones.demand import DAYS, read_csv_text
from carezones.exceptions import ProblemCollector, ValidationError, unknown_keys

__all__ = [
    "DAYS",
    "EXCEL_SUFFIXES",
    "ROTA_COLUMNS",
    "Ids",
    "RotaColumns",
    "Source",
    "header_key",
    "read_rota_source",
]


Source: TypeAlias = str | os.PathLike[str] | pd.DataFrame


Ids: TypeAlias = pd.DataFrame | Iterable[str] | None


#: Columns of a checked rota table, in order.
ROTA_COLUMNS = [
    "visit_id",
    "carer_id",
    "client_id",
    "date",
    "day",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "double_up",
    "carers_needed",
    "row",
]




EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _format_problem(fmt: object) -> str | None:
    """What is wrong with a ``strftime`` format (None: it writes and reads a datetime back)."""
    if fmt is None:
        return None
    if not isinstance(fmt, str) or "%" not in fmt:
        return repr(fmt)
    sample = dt.datetime(2025, 7, 7, 9, 30)
    try:
        text = sample.strftime(fmt)
        dt.datetime.strptime(text, fmt)
        pd.to_datetime(pd.Series([text]), format=fmt)
    except (ValueError, re.error) as exc:  # a bad directive, a stray %, a field twice
        return f"{fmt!r} ({exc})"
    return None


@dataclass(frozen=True)
class RotaColumns:
    """Which column of a rota export holds what.

    The defaults are the headers of a typical electronic call monitoring (ECM) export,
    one row per carer per visit. Headers are matched ignoring case, spaces and
    punctuation, so ``"Carer ID"``, ``"carer_id"`` and ``"CarerID"`` are one column.

    Parameters
    ----------
    carer_id, client_id
        The carer's and the client (service user)'s ids; required.
    planned_start, planned_end
        The planned (rostered) start and end, datetimes; required.
    actual_start, actual_end
        The actual (logged) start and end, datetimes; blank when not logged (a missed
        visit, or a carer who did not log out); required columns.
    double_up
        The double-up (double-handed) flag: ``yes``/``y``/``true``/``1``/``x``/``2``
        or ``no``/``n``/``false``/``0``/blank; optional (None: every visit single-handed).
    visit_id
        The visit's id, shared by both carers of a double-up; optional. Without it a
        visit is the client and the planned start, and the rows of two carers at the
        same client and planned start are one double-up visit.
    date
        A date column, for exports whose start and end columns hold only times of day
        (``"08:30"``); None when they hold full datetimes.
    dayfirst
        Read ``01/07/2025`` as 1 July (UK style, the default) rather than 7 January.
    datetime_format
        An explicit ``strftime`` format of the datetimes (faster and unambiguous), e.g.
        ``"%d/%m/%Y %H:%M"``; None infers it.

    Examples
    --------
    >>> RotaColumns(client_id="Service User ID").client_id
    'Service User ID'
    >>> RotaColumns(carer_id="")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - RotaColumns, column 'carer_id': bad column name: expected a non-empty header, found ''
    """

    carer_id: str = "Carer ID"
    client_id: str = "Client ID"
    planned_start: str = "Planned Start"
    planned_end: str = "Planned End"
    actual_start: str = "Actual Start"
    actual_end: str = "Actual End"
    double_up: str | None = "Double Up"
    visit_id: str | None = "Visit ID"
    date: str | None = None
    dayfirst: bool = True
    datetime_format: str | None = None

    def __post_init__(self) -> None:
        check = ProblemCollector("RotaColumns")
        for name in self.fields():
            value = getattr(self, name)
            optional = name in ("double_up", "visit_id", "date")
            if (value is None and optional) or (isinstance(value, str) and value.strip()):
                continue
            check.add("bad column name", "a non-empty header", repr(value), column=name)
        used = [getattr(self, n) for n in self.fields() if getattr(self, n)]
        keys = [header_key(str(u)) for u in used]
        for k in sorted({k for k in keys if keys.count(k) > 1}):
            check.add(
                "same column twice", "a different header per field", repr(used[keys.index(k)])
            )
        if not isinstance(self.dayfirst, bool):
            check.add("bad option", "True or False", repr(self.dayfirst), column="dayfirst")
        broken = _format_problem(self.datetime_format)
        if broken is not None:
            check.add(
                "bad option",
                "a strftime format such as '%d/%m/%Y %H:%M'",
                broken,
                column="datetime_format",
            )
        check.raise_if_any()

    @staticmethod
    def fields() -> tuple[str, ...]:
        """The names of the fields that are column headers."""
        return (
            "carer_id",
            "client_id",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "double_up",
            "visit_id",
            "date",
        )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RotaColumns:
        """Build from a mapping (e.g. a TOML table), naming any unknown key.

        Examples
        --------
        >>> RotaColumns.from_dict({"client_id": "Service User"}).client_id
        'Service User'
        """
        known = sorted(f.name for f in fields(cls))
        problems = unknown_keys(values, known, "RotaColumns", what="unknown option")
        if problems:
            raise ValidationError(problems)
        return cls(**dict(values))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], *, table: str = "rota_columns") -> RotaColumns:
        """Read the ``[rota_columns]`` table (or the whole file when it has none) of a TOML file."""
        data = read_toml(path, what="a TOML file with a [rota_columns] table")
        return cls.from_dict(data.get(table, data))


def header_key(header: str) -> str:
    """A header as compared: lower case, letters and digits only (``Carer ID`` -> ``carerid``)."""
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


def read_rota_source(source: Source, *, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    """The raw table indexed by the row numbers users see, and its name for messages.

    Files are numbered as in a spreadsheet (the header is row 1, the first visit row 2);
    a DataFrame's rows from 1.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        frame.index = frame.index + 1
        return frame, "rota"
    path = Path(source)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", *EXCEL_SUFFIXES):
        raise ProblemCollector(where).error(
            "unknown format", "a .csv, .xlsx, .xlsm or .xls file", repr(suffix or "none")
        )
    if path.is_dir():
        raise ProblemCollector(where).error("not a file", "a rota file", "a folder")
    if not path.is_file():
        raise ProblemCollector(where).error("missing file", "an existing file", "no such file")
    if suffix in EXCEL_SUFFIXES:
        try:
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        except Exception as exc:
            raise ProblemCollector(where).error(
                "unreadable file",
                "an Excel workbook with that sheet",
                f"{type(exc).__name__}: {exc}",
            ) from exc
        problems = excel_numbers(frame, where)  # a 19-digit id Excel already changed
        if problems:
            raise ValidationError(problems)
        frame.index = frame.index + 2  # spreadsheet rows: the header is row 1
        return frame.dropna(how="all"), where
    try:  # never shifted by trailing commas; not UTF-8, semicolons named (demand's checks)
        frame = read_csv_text(path)
    except ValidationError:
        raise
    except Exception as exc:
        raise ProblemCollector(where).error(
            "unreadable file", "a CSV file with a header row", f"{type(exc).__name__}: {exc}"
        ) from exc
    frame.index = frame.index + 2
    return frame, where
