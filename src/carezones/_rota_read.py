"""Reading and checking rota exports: the column mapping, datetimes, double-ups and ids.

The public side is :mod:`carezones.rota`; this module turns a CSV/Excel file or a
DataFrame into the checked rota table, collecting every problem before raising once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .exceptions import Problem, ValidationError, unknown_keys

__all__ = ["ROTA_COLUMNS", "RotaColumns", "check_rota", "read_rota_source"]

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
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TRUE = {"y", "yes", "true", "t", "1", "2", "x", "double", "double up", "2 carers"}
_FALSE = {"", "n", "no", "false", "f", "0", "single", "1 carer", "nan", "none"}
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(:\d{2})?$")
_EXCEL = (".xlsx", ".xlsm", ".xls")


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
        problems = []
        for name in self.fields():
            value = getattr(self, name)
            optional = name in ("double_up", "visit_id", "date")
            if (value is None and optional) or (isinstance(value, str) and value.strip()):
                continue
            problems.append(
                Problem(
                    "RotaColumns", "bad column name", "a non-empty header", repr(value), column=name
                )
            )
        used = [getattr(self, n) for n in self.fields() if getattr(self, n)]
        keys = [_key(str(u)) for u in used]
        for k in sorted({k for k in keys if keys.count(k) > 1}):
            problems.append(
                Problem(
                    "RotaColumns",
                    "same column twice",
                    "a different header per field",
                    repr(used[keys.index(k)]),
                )
            )
        if not isinstance(self.dayfirst, bool):
            problems.append(
                Problem(
                    "RotaColumns",
                    "bad option",
                    "True or False",
                    repr(self.dayfirst),
                    column="dayfirst",
                )
            )
        if self.datetime_format is not None and "%" not in str(self.datetime_format):
            problems.append(
                Problem(
                    "RotaColumns",
                    "bad option",
                    "a strftime format such as '%d/%m/%Y %H:%M'",
                    repr(self.datetime_format),
                    column="datetime_format",
                )
            )
        if problems:
            raise ValidationError(problems)

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
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        return cls.from_dict(data.get(table, data))


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


# ------------------------------------------------------------------------------ reading


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
    if suffix not in (".csv", ".txt", *_EXCEL):
        raise ValidationError(
            [
                Problem(
                    where,
                    "unknown format",
                    "a .csv, .xlsx, .xlsm or .xls file",
                    repr(suffix or "none"),
                )
            ]
        )
    if not path.is_file():
        raise ValidationError([Problem(where, "missing file", "an existing file", "no such file")])
    if suffix in _EXCEL:
        try:
            import openpyxl  # noqa: F401
        except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
            raise ValidationError(
                [
                    Problem(
                        where,
                        "cannot read Excel",
                        "openpyxl installed (pip install openpyxl)",
                        "not installed",
                    )
                ]
            ) from exc
        try:
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        except Exception as exc:
            raise ValidationError(
                [
                    Problem(
                        where,
                        "unreadable file",
                        "an Excel workbook with that sheet",
                        f"{type(exc).__name__}: {exc}",
                    )
                ]
            ) from exc
        frame.index = frame.index + 2  # spreadsheet rows: the header is row 1
        return frame.dropna(how="all"), where
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise ValidationError(
            [
                Problem(
                    where,
                    "unreadable file",
                    "a CSV file with a header row",
                    f"{type(exc).__name__}: {exc}",
                )
            ]
        ) from exc
    frame.index = frame.index + 2
    return frame, where


# ---------------------------------------------------------------------------- checking


class _Collector:
    """Problems of one table, with rows named as the user sees them."""

    def __init__(self, where: str, labels: np.ndarray, visit_ids: np.ndarray | None) -> None:
        self.where = where
        self.labels = labels
        self.visit_ids = visit_ids
        self.problems: list[Problem] = []

    def row(self, i: int) -> str:
        text = f"row {self.labels[i]}"
        if self.visit_ids is not None and self.visit_ids[i]:
            text += f" (visit_id {self.visit_ids[i]!r})"
        return text

    def add(self, i: int | None, what: str, expected: str, found: str, column: str | None) -> None:
        self.problems.append(
            Problem(
                self.where,
                what,
                expected,
                found,
                row=None if i is None else self.row(i),
                column=column,
            )
        )


def _text(values: pd.Series) -> np.ndarray:
    """Values as stripped strings, ``""`` for missing."""
    out = values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    return np.array([_as_text(v) for v in out], dtype=object)


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(values: pd.Series, cols: RotaColumns) -> tuple[np.ndarray, np.ndarray]:
    """Datetimes (datetime64[ns], NaT when blank) and a mask of values that did not parse."""
    raw = values.astype(object).to_numpy()
    n = len(raw)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    native = np.array([isinstance(v, dt.datetime | pd.Timestamp) for v in raw], dtype=bool)
    if native.any():
        out[native] = pd.to_datetime(pd.Series(raw[native]), errors="coerce").to_numpy(
            "datetime64[ns]"
        )
    text = np.array(
        [
            "" if native[i] else _as_text(v) if v is not None and v == v else ""
            for i, v in enumerate(raw)
        ],
        dtype=object,
    )
    todo = ~native & (text != "")
    if not todo.any():
        return out, bad
    strings = pd.Series(text[todo])
    got = _to_datetime(strings, cols)
    out[todo] = got
    bad[np.flatnonzero(todo)[np.isnat(got)]] = True
    return out, bad


_ISO_DATE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")


def _to_datetime(strings: pd.Series, cols: RotaColumns) -> np.ndarray:
    """Parse strings fast with one (given or inferred) format, then the rest one by one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' format-inference chatter is not the user's
        fmt = cols.datetime_format
        if fmt is None and _ISO_DATE.match(str(strings.iloc[0])):
            fmt = "ISO8601"  # year first is never day first, whatever ``dayfirst`` says
        if fmt is None:
            from pandas.tseries.api import guess_datetime_format

            fmt = guess_datetime_format(str(strings.iloc[0]), dayfirst=cols.dayfirst)
        if fmt is not None:
            got = pd.to_datetime(strings, format=fmt, errors="coerce").to_numpy("datetime64[ns]")
        else:
            got = np.full(len(strings), np.datetime64("NaT"), dtype="datetime64[ns]")
        left = np.isnat(got)
        if left.any() and cols.datetime_format is None:
            iso = strings.astype(str).str.match(_ISO_DATE.pattern).to_numpy()
            for mask, dayfirst in ((left & iso, False), (left & ~iso, cols.dayfirst)):
                if mask.any():
                    rest = pd.to_datetime(
                        strings[mask], format="mixed", dayfirst=dayfirst, errors="coerce"
                    )
                    got[mask] = rest.to_numpy("datetime64[ns]")
    return got


def _parse_with_date(
    values: pd.Series, dates: np.ndarray, cols: RotaColumns
) -> tuple[np.ndarray, np.ndarray]:
    """Times of day on ``dates`` (or full datetimes) as datetime64, and a bad mask."""
    raw = values.astype(object).to_numpy()
    is_time = np.array([isinstance(v, dt.time) for v in raw], dtype=bool)
    text = np.array([_as_text(v) if v is not None and v == v else "" for v in raw], dtype=object)
    tod = np.array([bool(_TIME_ONLY.match(t)) for t in text], dtype=bool) & ~is_time
    out, bad = _parse(pd.Series(np.where(tod | is_time, None, raw), dtype=object), cols)
    minutes = np.full(len(raw), np.nan)
    for i in np.flatnonzero(tod):
        parts = re.split(r"[:.]", text[i])
        h, m = int(parts[0]), int(parts[1])
        s = int(parts[2]) if len(parts) > 2 else 0
        if h < 24 and m < 60 and s < 60:
            minutes[i] = h * 60 + m + s / 60
        else:
            bad[i] = True
    for i in np.flatnonzero(is_time):
        t = raw[i]
        minutes[i] = t.hour * 60 + t.minute + t.second / 60
    has = ~np.isnan(minutes)
    no_date = has & np.isnat(dates)
    out[has & ~no_date] = dates[has & ~no_date] + (minutes[has & ~no_date] * 60e9).astype(
        "timedelta64[ns]"
    )
    bad |= no_date
    return out, bad


def _id_set(table: Ids, column: str) -> set[str] | None:
    if table is None:
        return None
    if isinstance(table, pd.DataFrame):
        if column not in table.columns:
            raise ValidationError(
                [
                    Problem(
                        column.split("_")[0] + "s",
                        "missing column",
                        f"a column {column!r}",
                        "none",
                        column=column,
                    )
                ]
            )
        return set(table[column].astype(str))
    return {str(x) for x in table}


def _find_columns(frame: pd.DataFrame, cols: RotaColumns, where: str) -> dict[str, str | None]:
    """The frame's column for each field (None for absent optional ones)."""
    by_key: dict[str, str] = {}
    for c in frame.columns:
        by_key.setdefault(_key(str(c)), str(c))
    default = RotaColumns()
    found: dict[str, str | None] = {}
    problems = []
    for name in RotaColumns.fields():
        header = getattr(cols, name)
        if header is None:
            found[name] = None
            continue
        hit = by_key.get(_key(header))
        if hit is None and _key(header) != _key(name):
            hit = by_key.get(_key(name))  # the carezones name itself, e.g. "carer_id"
        optional = name in ("double_up", "visit_id") and header == getattr(default, name)
        if hit is None and not optional:
            problems.append(
                Problem(
                    where,
                    "missing column",
                    f"a column {header!r} (RotaColumns.{name})",
                    "none; columns are " + ", ".join(repr(str(c)) for c in frame.columns[:20]),
                    column=header,
                )
            )
        found[name] = hit
    if problems:
        raise ValidationError(problems)
    return found


def check_rota(
    frame: pd.DataFrame,
    cols: RotaColumns,
    where: str,
    *,
    clients: Ids = None,
    carers: Ids = None,
) -> pd.DataFrame:
    """The checked rota table (see :data:`ROTA_COLUMNS`); a ValidationError lists every problem."""
    found = _find_columns(frame, cols, where)
    labels = np.asarray(frame.index).astype(str)
    vid_col = found["visit_id"]
    given_vid = _text(frame[vid_col]) if vid_col else None
    bag = _Collector(where, labels, given_vid)
    carer = _text(frame[found["carer_id"]])
    client = _text(frame[found["client_id"]])
    for values, name in ((carer, "carer_id"), (client, "client_id")):
        for i in np.flatnonzero(values == ""):
            bag.add(int(i), "blank id", "an id on every row", "blank", getattr(cols, name))
    times = _check_times(frame, found, cols, bag)
    double = _check_flags(frame, found, cols, bag)
    for ids, table, name, col in (
        (carer, carers, "carers", "carer_id"),
        (client, clients, "clients", "client_id"),
    ):
        known = _id_set(table, col)
        if known is None:
            continue
        unknown = np.array([v != "" and v not in known for v in ids], dtype=bool)
        for i in np.flatnonzero(unknown):
            what, expected = f"unknown {col[:-3]}", f"an id of the {name} table"
            bag.add(int(i), what, expected, repr(ids[i]), getattr(cols, col))
    rota = pd.DataFrame(
        {"carer_id": carer, "client_id": client, **times, "double_up": double, "row": labels}
    )
    visit = _visit_ids(rota, given_vid, bag, cols)
    if bag.problems:
        raise ValidationError(bag.problems)
    rota.insert(0, "visit_id", visit)
    for col in ("visit_id", "carer_id", "client_id"):
        rota[col] = rota[col].astype(str)
    rota["date"] = rota["planned_start"].dt.normalize()
    rota["day"] = np.array(DAYS, dtype=object)[rota["date"].dt.day_of_week.to_numpy()]
    rota["day"] = rota["day"].astype(str)
    n_rows = rota.groupby("visit_id")["carer_id"].transform("size").to_numpy()
    flagged = rota.groupby("visit_id")["double_up"].transform("any").to_numpy(bool)
    rota["double_up"] = flagged | (n_rows > 1)
    rota["carers_needed"] = np.where(rota["double_up"], 2, 1).astype(np.int64)
    return rota[ROTA_COLUMNS].reset_index(drop=True)


def _check_times(
    frame: pd.DataFrame, found: dict[str, str | None], cols: RotaColumns, bag: _Collector
) -> dict[str, np.ndarray]:
    """The four datetimes (NaT when blank or bad), with every bad value and order noted."""
    dates = None
    if found["date"]:
        dates, bad_date = _parse(frame[found["date"]], cols)
        dates = dates.astype("datetime64[D]").astype("datetime64[ns]")
        for i in np.flatnonzero(bad_date | np.isnat(dates)):
            shown = _as_text(frame[found["date"]].iloc[i]) or "blank"
            bag.add(int(i), "bad date", "a date such as 07/07/2025", repr(shown), cols.date)
    expected = (
        "a time such as 08:30" if dates is not None else "a date and time such as 07/07/2025 08:30"
    )
    times: dict[str, np.ndarray] = {}
    for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
        column = found[name]
        assert column is not None
        if dates is not None:
            parsed, bad = _parse_with_date(frame[column], dates, cols)
        else:
            parsed, bad = _parse(frame[column], cols)
        times[name] = parsed
        header = getattr(cols, name)
        for i in np.flatnonzero(bad):
            shown = repr(_as_text(frame[column].iloc[i]))
            bag.add(int(i), "bad datetime", expected, shown, header)
        if name.startswith("planned"):
            for i in np.flatnonzero(np.isnat(parsed) & ~bad):
                bag.add(int(i), "missing planned time", expected, "blank", header)
    ps, pe = times["planned_start"], times["planned_end"]
    as_, ae = times["actual_start"], times["actual_end"]
    for i in np.flatnonzero(~np.isnat(ps) & ~np.isnat(pe) & (pe <= ps)):
        found_ = f"{_clock(ps[i])} to {_clock(pe[i])}"
        what = "a planned end after the planned start"
        bag.add(int(i), "end before start", what, found_, cols.planned_end)
    for i in np.flatnonzero(~np.isnat(as_) & ~np.isnat(ae) & (ae < as_)):
        found_ = f"{_clock(as_[i])} to {_clock(ae[i])}"
        what = "an actual end at or after the actual start"
        bag.add(int(i), "end before start", what, found_, cols.actual_end)
    return times


def _check_flags(
    frame: pd.DataFrame, found: dict[str, str | None], cols: RotaColumns, bag: _Collector
) -> np.ndarray:
    """The double-up flag of every row (False without the column)."""
    if not found["double_up"]:
        return np.zeros(len(frame), dtype=bool)
    flags = _text(frame[found["double_up"]])
    lower = np.array([f.lower() for f in flags], dtype=object)
    double = np.isin(lower, list(_TRUE))
    expected = "yes/no, y/n, true/false, 1/0 or blank"
    for i in np.flatnonzero(~double & ~np.isin(lower, list(_FALSE))):
        bag.add(int(i), "bad flag", expected, repr(flags[i]), cols.double_up)
    return double


def _clock(value: np.datetime64) -> str:
    return str(pd.Timestamp(value).strftime("%d/%m/%Y %H:%M"))


def _visit_ids(
    rota: pd.DataFrame, given: np.ndarray | None, bag: _Collector, cols: RotaColumns
) -> np.ndarray:
    """Each row's visit id (given, or client and planned start), checking the pairing."""
    ok = ~rota["planned_start"].isna().to_numpy()
    stamp = rota["planned_start"].dt.strftime("%Y%m%dT%H%M").fillna("").to_numpy(dtype=object)
    made = np.array(
        [f"{c}@{s}" for c, s in zip(rota["client_id"], stamp, strict=True)], dtype=object
    )
    if given is not None:
        blank = given == ""
        for i in np.flatnonzero(blank):
            bag.add(int(i), "blank id", "a visit id on every row", "blank", cols.visit_id)
        visit = np.where(blank, made, given)
    else:
        visit = made
    frame = pd.DataFrame(
        {
            "visit": visit,
            "carer": rota["carer_id"].to_numpy(),
            "client": rota["client_id"],
            "start": rota["planned_start"],
            "double": rota["double_up"],
            "ok": ok,
        }
    )
    frame = frame[frame["ok"]]
    dup = frame.duplicated(["visit", "carer"], keep="first")
    for i in frame.index[dup]:
        bag.add(
            int(i),
            "duplicate row",
            "each carer once per visit",
            f"carer {frame.at[i, 'carer']!r} again",
            cols.carer_id,
        )
    g = frame.groupby("visit", sort=False)
    size = g["carer"].transform("size")
    for i in frame.index[size.to_numpy() > 2]:
        bag.add(
            int(i),
            "too many carers",
            "at most two carers per visit (a double-up)",
            f"{int(size.loc[i])} rows for one visit",
            cols.carer_id,
        )
    if given is not None:
        clients = g["client"].transform("nunique").to_numpy()
        starts = g["start"].transform("nunique").to_numpy()
        for i in frame.index[(clients > 1) | (starts > 1)]:
            bag.add(
                int(i),
                "visit rows disagree",
                "one client and one planned start per visit id",
                "rows of this visit id with different ones",
                cols.visit_id,
            )
    else:
        flagged = g["double"].transform("any").to_numpy(bool)
        pair = (size.to_numpy() == 2) & ~flagged & ~dup.to_numpy()
        for i in frame.index[pair]:
            bag.add(
                int(i),
                "two carers, no double-up",
                "a double-up flag (or a visit id column) "
                "for two carers at one client and planned start",
                "not marked double-up",
                cols.double_up or cols.carer_id,
            )
    return visit
