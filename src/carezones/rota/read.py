"""Reading and checking rota exports: datetimes, double-ups and ids (:func:`read_rota`).

This module turns a CSV/Excel file (read through the column mapping of
:mod:`~carezones.rota.columns`) or a DataFrame into the checked rota table, collecting
every problem before raising once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.rota.columns import (
    DAYS,
    ROTA_COLUMNS,
    Ids,
    RotaColumns,
    Source,
    header_key,
    read_rota_source,
)

__all__ = ["check_rota", "checked_rota", "read_rota"]

logger = logging.getLogger("carezones.rota")


_TRUE = {"y", "yes", "true", "t", "1", "2", "x", "double", "double up", "2 carers"}
_FALSE = {"", "n", "no", "false", "f", "0", "single", "1 carer", "nan", "none"}
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(:\d{2})?$")


# ------------------------------------------------------------------------------ reading


# ---------------------------------------------------------------------------- checking


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
            raise ProblemCollector(column.split("_")[0] + "s").error(
                "missing column", f"a column {column!r}", "none", column=column
            )
        return set(table[column].astype(str))
    return {str(x) for x in table}


def _find_columns(frame: pd.DataFrame, cols: RotaColumns, where: str) -> dict[str, str | None]:
    """The frame's column for each field (None for absent optional ones)."""
    by_key: dict[str, str] = {}
    for c in frame.columns:
        by_key.setdefault(header_key(str(c)), str(c))
    default = RotaColumns()
    found: dict[str, str | None] = {}
    check = ProblemCollector(where)
    for name in RotaColumns.fields():
        header = getattr(cols, name)
        if header is None:
            found[name] = None
            continue
        hit = by_key.get(header_key(header))
        if hit is None and header_key(header) != header_key(name):
            hit = by_key.get(header_key(name))  # the carezones name itself, e.g. "carer_id"
        optional = name in ("double_up", "visit_id") and header == getattr(default, name)
        if hit is None and not optional:
            check.add(
                "missing column",
                f"a column {header!r} (RotaColumns.{name})",
                "none; columns are " + ", ".join(repr(str(c)) for c in frame.columns[:20]),
                column=header,
            )
        found[name] = hit
    check.raise_if_any()
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
    bag = ProblemCollector(where, labels=labels, ids=given_vid, id_column="visit_id")
    carer = _text(frame[found["carer_id"]])
    client = _text(frame[found["client_id"]])
    for values, name in ((carer, "carer_id"), (client, "client_id")):
        for i in np.flatnonzero(values == ""):
            bag.add("blank id", "an id on every row", "blank", int(i), getattr(cols, name))
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
            bag.add(what, expected, repr(ids[i]), int(i), getattr(cols, col))
    rota = pd.DataFrame(
        {"carer_id": carer, "client_id": client, **times, "double_up": double, "row": labels}
    )
    visit = _visit_ids(rota, given_vid, bag, cols)
    bag.raise_if_any()
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
    frame: pd.DataFrame, found: dict[str, str | None], cols: RotaColumns, bag: ProblemCollector
) -> dict[str, np.ndarray]:
    """The four datetimes (NaT when blank or bad), with every bad value and order noted."""
    dates = None
    if found["date"]:
        dates, bad_date = _parse(frame[found["date"]], cols)
        dates = dates.astype("datetime64[D]").astype("datetime64[ns]")
        for i in np.flatnonzero(bad_date | np.isnat(dates)):
            shown = _as_text(frame[found["date"]].iloc[i]) or "blank"
            bag.add("bad date", "a date such as 07/07/2025", repr(shown), int(i), cols.date)
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
        bad |= _date_only(frame[column])  # "07/07/2025" is not midnight: it has no time
        parsed[bad] = np.datetime64("NaT")
        times[name] = parsed
        header = getattr(cols, name)
        for i in np.flatnonzero(bad):
            shown = repr(_as_text(frame[column].iloc[i]))
            bag.add("bad datetime", expected, shown, int(i), header)
        if name.startswith("planned"):
            for i in np.flatnonzero(np.isnat(parsed) & ~bad):
                bag.add("missing planned time", expected, "blank", int(i), header)
    ps, pe = times["planned_start"], times["planned_end"]
    as_, ae = times["actual_start"], times["actual_end"]
    for i in np.flatnonzero(~np.isnat(ps) & ~np.isnat(pe) & (pe <= ps)):
        found_ = f"{_clock(ps[i])} to {_clock(pe[i])}"
        what = "a planned end after the planned start"
        bag.add("end before start", what, found_, int(i), cols.planned_end)
    for i in np.flatnonzero(~np.isnat(as_) & ~np.isnat(ae) & (ae < as_)):
        found_ = f"{_clock(as_[i])} to {_clock(ae[i])}"
        what = "an actual end at or after the actual start"
        bag.add("end before start", what, found_, int(i), cols.actual_end)
    return times


_HAS_TIME = re.compile(r"\d[:.]\d\d|\d\s*[ap]\.?m\b|T\d\d", re.IGNORECASE)


def _date_only(values: pd.Series) -> np.ndarray:
    """Text cells holding a date but no time of day (native datetimes are not judged)."""
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values.astype(object).to_numpy()):
        if isinstance(v, str) and v.strip() and not _HAS_TIME.search(v):
            out[i] = bool(re.search(r"\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}", v))
    return out


def _check_flags(
    frame: pd.DataFrame, found: dict[str, str | None], cols: RotaColumns, bag: ProblemCollector
) -> np.ndarray:
    """The double-up flag of every row (False without the column)."""
    if not found["double_up"]:
        return np.zeros(len(frame), dtype=bool)
    flags = _text(frame[found["double_up"]])
    lower = np.array([f.lower() for f in flags], dtype=object)
    double = np.isin(lower, list(_TRUE))
    expected = "yes/no, y/n, true/false, 1/0 or blank"
    for i in np.flatnonzero(~double & ~np.isin(lower, list(_FALSE))):
        bag.add("bad flag", expected, repr(flags[i]), int(i), cols.double_up)
    return double


def _clock(value: np.datetime64) -> str:
    return str(pd.Timestamp(value).strftime("%d/%m/%Y %H:%M"))


def _visit_ids(
    rota: pd.DataFrame, given: np.ndarray | None, bag: ProblemCollector, cols: RotaColumns
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
            bag.add("blank id", "a visit id on every row", "blank", int(i), cols.visit_id)
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
            "duplicate row",
            "each carer once per visit",
            f"carer {frame.at[i, 'carer']!r} again",
            int(i),
            cols.carer_id,
        )
    g = frame.groupby("visit", sort=False)
    size = g["carer"].transform("size")
    for i in frame.index[size.to_numpy() > 2]:
        bag.add(
            "too many carers",
            "at most two carers per visit (a double-up)",
            f"{int(size.loc[i])} rows for one visit",
            int(i),
            cols.carer_id,
        )
    if given is not None:
        clients = g["client"].transform("nunique").to_numpy()
        starts = g["start"].transform("nunique").to_numpy()
        for i in frame.index[(clients > 1) | (starts > 1)]:
            bag.add(
                "visit rows disagree",
                "one client and one planned start per visit id",
                "rows of this visit id with different ones",
                int(i),
                cols.visit_id,
            )
    else:
        flagged = g["double"].transform("any").to_numpy(bool)
        pair = (size.to_numpy() == 2) & ~flagged & ~dup.to_numpy()
        for i in frame.index[pair]:
            bag.add(
                "two carers, no double-up",
                "a double-up flag (or a visit id column) "
                "for two carers at one client and planned start",
                "not marked double-up",
                int(i),
                cols.double_up or cols.carer_id,
            )
    return visit


def read_rota(
    source: Source,
    *,
    columns: RotaColumns | None = None,
    clients: pd.DataFrame | list[str] | None = None,
    carers: pd.DataFrame | list[str] | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read and check a rota export (planned and actual visits), one row per carer per visit.

    Parameters
    ----------
    source
        A ``.csv``, ``.xlsx``/``.xlsm``/``.xls`` file (Excel needs openpyxl, a
        dependency), or a DataFrame.
    columns
        Which column holds what; default :class:`RotaColumns` (a typical ECM export).
        Headers match ignoring case, spaces and punctuation; carezones' own names
        (``carer_id``, ``planned_start``, ...) are also recognised.
    clients, carers
        Tables (with ``client_id`` / ``carer_id``) or lists of ids: when given, every id
        in the rota must be among them.
    sheet
        The Excel sheet (name or position); default the first.

    Returns
    -------
    pandas.DataFrame
        ``visit_id``, ``carer_id``, ``client_id`` (str), ``date`` (the planned start's
        day), ``day`` (its weekday name), ``planned_start``, ``planned_end``,
        ``actual_start``, ``actual_end`` (datetime64; NaT when not logged),
        ``double_up`` (bool), ``carers_needed`` (1 or 2) and ``row`` (the row in the
        source: for files as in a spreadsheet, the header being row 1; for a DataFrame
        from 1). Without a visit id column, ``visit_id`` is ``"<client_id>@<YYYYmmddTHHMM>"``
        of the planned start. Other columns are not kept.

    Raises
    ------
    ValidationError
        Listing every problem, each with its file, row (and visit id), column, what was
        expected and what was found: a missing column, a blank id, a datetime that does
        not parse, an end before its start, an unknown carer or client, a bad double-up
        flag, a carer twice on one visit, more than two carers on one visit, two carers
        at one client and planned start without a double-up flag (no visit ids).

    Examples
    --------
    >>> rota = pd.DataFrame({
    ...     "Carer ID": ["K1", "K1"], "Client ID": ["C1", "C2"],
    ...     "Planned Start": ["07/07/2025 08:00", "07/07/2025 09:00"],
    ...     "Planned End": ["07/07/2025 08:30", "07/07/2025 09:45"],
    ...     "Actual Start": ["07/07/2025 08:05", ""],
    ...     "Actual End": ["07/07/2025 08:31", ""]})
    >>> table = read_rota(rota)
    >>> table[["visit_id", "carer_id", "day", "carers_needed"]]
               visit_id carer_id     day  carers_needed
    0  C1@20250707T0800       K1  monday              1
    1  C2@20250707T0900       K1  monday              1
    >>> read_rota(rota.assign(**{"Actual End": ["07/07/2025 07:59", "tomorrow"]}))
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 2 problems found:
      - rota, column 'Actual End', row 2: bad datetime: expected a date and time such as 07/07/2025 08:30, found 'tomorrow'
      - rota, column 'Actual End', row 1: end before start: expected an actual end at or after the actual start, found 07/07/2025 08:05 to 07/07/2025 07:59
    """  # noqa: E501
    cols = columns if columns is not None else RotaColumns()
    if not isinstance(cols, RotaColumns):
        raise ProblemCollector("read_rota").error(
            "bad option", "a RotaColumns", type(cols).__name__, column="columns"
        )
    frame, where = read_rota_source(source, sheet=sheet)
    if len(frame) == 0:
        raise ProblemCollector(where).error(
            "no rows",
            "at least one visit (a row under the header)",
            "a header only" if len(frame.columns) else "an empty table",
        )
    rota = check_rota(frame, cols, where, clients=clients, carers=carers)
    logger.info(
        "%s: %d rows, %d visits, %d carers, %d clients",
        where,
        len(rota),
        rota["visit_id"].nunique(),
        rota["carer_id"].nunique(),
        rota["client_id"].nunique(),
    )
    return rota


def checked_rota(
    rota: Source, clients: Any, carers: Any, columns: RotaColumns | None
) -> pd.DataFrame:
    """A checked rota table: ``rota`` itself when already checked (its ids then rechecked)."""
    if not (
        isinstance(rota, pd.DataFrame) and list(rota.columns[: len(ROTA_COLUMNS)]) == ROTA_COLUMNS
    ):
        return read_rota(rota, columns=columns, clients=clients, carers=carers)
    problems = []
    for table, col, name in ((carers, "carer_id", "carers"), (clients, "client_id", "clients")):
        if not isinstance(table, pd.DataFrame):
            continue
        known = set(table[col].astype(str)) if col in table.columns else set()
        unknown = sorted(set(rota[col]) - known)
        problems += [
            Problem("rota", f"unknown {col[:-3]}", f"an id of the {name} table", repr(x),
                    column=col)
            for x in unknown
        ]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return rota
