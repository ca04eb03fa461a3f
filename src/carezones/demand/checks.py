"""Checking and normalising whole tables: ids, schema columns, and the clients' and carers' rules.

The value-level checks (conversions, locations) are in :mod:`~carezones.demand.values`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from carezones.demand import patterns as pat
from carezones.demand.schema import DEFAULT_MAX_MINUTES, SCHEMAS, Checked, Column
from carezones.demand.values import as_number, check_area, convert, is_missing, locate, show_value
from carezones.exceptions import ProblemCollector
from carezones.network import MODES, TravelNetwork


def _ids(ctx: ProblemCollector, col: Column, values: list[Any]) -> None:
    ctx.ids = [str(v) for v in values]
    counts = pd.Series(ctx.ids, dtype=object).value_counts()
    for ident, k in counts[(counts > 1).to_numpy() & (counts.index != "")].items():
        first = ctx.ids.index(ident)
        ctx.add("duplicate id", "unique ids", f"{ident!r} {k} times", first, col.name)


def header_key(header: Any) -> str:
    """A header as the schema reads it: ``" Client ID "`` and ``"client-id"`` are ``client_id``."""
    return re.sub(r"[\s\-.]+", "_", str(header).strip().lower()).strip("_")


def column_names(ctx: ProblemCollector, columns: Iterable[Any]) -> dict[str, Any]:
    """Each header's key (:func:`header_key`) and the column it names.

    Two columns with the same key (``client_id`` and ``Client_ID``) are a problem, not a
    silent choice of one.
    """
    names: dict[str, Any] = {}
    clashes: dict[str, list[Any]] = {}
    for c in columns:
        key = header_key(c)
        if key in names:
            clashes.setdefault(key, [names[key]]).append(c)
        else:
            names[key] = c
    for key, given in clashes.items():
        ctx.add(
            "duplicate column",
            f"one column named {key!r} (in any case or spacing)",
            ", ".join(repr(str(c)) for c in given),
            column=key,
        )
    return names


def check_table(
    frame: pd.DataFrame,
    table: str,
    where: str,
    *,
    crs: Any = None,
    network: TravelNetwork | None = None,
    skills: Iterable[str] | None = None,
    providers: Iterable[str] | None = None,
    locations: bool = True,
    unplaced: Collection[int] = (),
) -> Checked:
    """Check and normalise one table (``table`` in clients, carers, providers).

    ``locations=False`` skips the location (for steps that need none, such as expanding
    visits); the geometry, if any, is then kept as it is. ``unplaced`` are rows (from 0)
    whose missing location is reported by the caller (the geocoder's unmatched rows).
    """
    schema = SCHEMAS[table]
    if (
        isinstance(frame, pd.DataFrame)
        and schema[0].name not in frame.columns
        and frame.index.name == schema[0].name
    ):
        frame = frame.reset_index()
    ctx = ProblemCollector(where, ids=[""] * len(frame), id_column=schema[0].name)
    names = column_names(ctx, frame.columns)
    values: dict[str, list[Any]] = {}
    for col in schema:
        present = col.name in names
        if col.required and not present:
            ctx.add("missing column", f"a {col.name!r} column", "none", column=col.name)
        raw = list(frame[names[col.name]]) if present else []
        values[col.name] = convert(ctx, col, raw, present)
        if col.kind == "id" and present:
            _ids(ctx, col, values[col.name])
    if locations:
        points, out_crs, used = locate(
            ctx, frame, names, crs, required=table != "providers", unplaced=unplaced
        )
        check_area(ctx, points, out_crs, network)
    else:
        points, out_crs, used = np.full(len(frame), None, dtype=object), None, []
    result = Checked(pd.DataFrame(), ctx.problems)
    if table == "clients":
        _check_clients(ctx, values, names, result)
    elif table == "carers":
        _check_carers(ctx, values, names)
    else:
        for i, cap in enumerate(values["capacity_hours"]):
            if not math.isnan(cap) and cap <= 0:
                ctx.add(
                    "hours out of range",
                    "more than 0 hours a week",
                    f"{cap:g}",
                    i,
                    "capacity_hours",
                )
        values["name"] = [
            nm if nm is not None else pid
            for nm, pid in zip(values["name"], values["provider_id"], strict=True)
        ]
    _check_refs(ctx, values, skills, providers)
    consumed = {names[c.name] for c in schema if c.name in names} | set(used)
    extras = [c for c in frame.columns if c not in consumed]
    result.frame = _assemble(frame, schema, values, extras, points, out_crs, table, used)
    return result


def _assemble(
    frame: pd.DataFrame,
    schema: Sequence[Column],
    values: dict[str, list[Any]],
    extras: list[Any],
    points: np.ndarray,
    crs: CRS | None,
    table: str,
    used: list[str],
) -> pd.DataFrame:
    dtypes = {
        "id": str,
        "text": str,
        "skills": str,
        "days": str,
        "float": "float64",
        "int": "int64",
        "time": "int64",
        "bool": bool,
    }
    data: dict[Any, Any] = {}
    for col in schema:
        try:
            data[col.name] = pd.Series(values[col.name], dtype=dtypes[col.kind])
        except (TypeError, ValueError):  # only when problems were found (defaults missing)
            data[col.name] = pd.Series(values[col.name], dtype=object)
    for c in extras:
        data[c] = _extra(frame[c]).reset_index(drop=True)
    out = pd.DataFrame(data)
    has_points = any(p is not None for p in points)
    if table == "providers" and not has_points:  # no office at all: a plain table
        return out
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(list(points), crs=crs), crs=crs)


def _extra(series: pd.Series) -> pd.Series:
    """An extra column: kept as is, except CSV text that is all numbers becomes numbers."""
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        filled = series[~series.map(is_missing)]
        if (
            len(filled)
            and filled.map(lambda v: isinstance(v, str) and as_number(v) is not None).all()
        ):
            return series.map(lambda v: math.nan if is_missing(v) else float(v))
    return series


def _check_clients(
    ctx: ProblemCollector, values: dict[str, list[Any]], names: dict[str, str], result: Checked
) -> None:
    if "weekly_hours" not in names and "pattern" not in names:
        ctx.add(
            "missing column",
            "a 'weekly_hours' or a 'pattern' column",
            "neither",
            column="weekly_hours",
        )
    hours, patterns = values["weekly_hours"], values["pattern"]
    for i, needed in enumerate(values["carers_needed"]):
        if needed not in (1, 2) and needed is not None:
            ctx.add("bad carers_needed", "1 or 2", show_value(needed), i, "carers_needed")
    has_any = "weekly_hours" in names or "pattern" in names
    for i in range(len(ctx.ids)):
        calls = _client_calls(ctx, i, hours[i], patterns[i], has_any)
        result.calls.append(calls)
        if calls:
            if patterns[i]:  # the pattern is exact: weekly_hours is its total
                patterns[i] = pat.format_pattern(calls)
                hours[i] = pat.weekly_minutes(calls) / 60
            if min(c.duration for c in calls) < pat.MIN_VISIT_MINUTES:
                result.short.append(ctx.ids[i] or ctx.row(i))


def _client_calls(
    ctx: ProblemCollector, i: int, hours: float | None, text: str, has_any: bool
) -> list[pat.Call]:
    """The client's calls from the pattern, or from weekly_hours by the default rule."""
    if text:
        try:
            calls = pat.parse_pattern(text)
        except pat.PatternError as exc:
            ctx.add("bad pattern", "entries like 'mon-sun 07:00-10:00 45'", str(exc), i, "pattern")
            return []
        bad = pat.check_calls(calls)
        for what, expected, found in bad:
            ctx.add(what, expected, found, i, "pattern")
        total = pat.weekly_minutes(calls)
        if not 0 < total <= 168 * 60:
            ctx.add(
                "hours out of range",
                "more than 0 and at most 168 hours a week",
                f"{total / 60:g} hours in the pattern",
                i,
                "pattern",
            )
        elif hours is not None and not bad and abs(hours * 60 - total) > 1:
            ctx.add(
                "pattern disagrees with weekly_hours",
                f"{total / 60:.4g} hours (the pattern's total)",
                f"{hours:g}",
                i,
                "weekly_hours",
            )
        return [] if bad else calls
    if hours is None:
        if has_any:
            ctx.add("missing value", "weekly_hours or a pattern", "neither", i, "weekly_hours")
        return []
    if not 0 < hours <= 168:
        ctx.add(
            "hours out of range",
            "more than 0 and at most 168 hours a week",
            f"{hours:g}",
            i,
            "weekly_hours",
        )
        return []
    if hours > pat.MAX_DEFAULT_WEEKLY_HOURS:
        ctx.add(
            "default pattern does not fit",
            f"at most {pat.MAX_DEFAULT_WEEKLY_HOURS:g} hours a week (default pattern) or a pattern",
            f"{hours:g}",
            i,
            "weekly_hours",
        )
        return []
    if round(hours * 60) == 0:
        ctx.add("hours out of range", "at least one minute a week", f"{hours:g}", i, "weekly_hours")
        return []
    return pat.default_calls(hours)


def _carer_modes(
    ctx: ProblemCollector, values: dict[str, list[Any]], names: dict[str, str]
) -> None:
    """``modes`` (what a carer can use) and ``mode`` (what plans start from), each from the other.

    ``modes`` is ``;``-separated, in :data:`~carezones.network.MODES` order; without it a
    carer can use only ``mode``. Without ``mode``, plans start from the least sustainable
    of ``modes`` (drive before cycle before walk: the most a carer can reach), and each
    carer-day's mode is then chosen by the router (see :mod:`carezones.routing`).
    """
    if "mode" not in names and "modes" not in names:
        ctx.add("missing column", "a 'mode' or a 'modes' column", "none", column="mode")
        return
    for i in range(len(values["mode"])):
        mode = (values["mode"][i] or "").strip().lower()
        text = str(values["modes"][i] or "").lower().replace(",", ";").replace("|", ";")
        given = [m.strip() for m in text.split(";") if m.strip()]
        for m in [m for m in [mode, *given] if m and m not in MODES]:
            column = "mode" if m == mode else "modes"
            ctx.add("unknown mode", "one of " + ", ".join(MODES), show_value(m), i, column)
        modes = [m for m in MODES if m in given] or ([mode] if mode in MODES else [])
        if not modes and not mode:
            ctx.add("no mode", "a mode (walk, cycle, drive) or modes such as 'walk;cycle'",
                    "empty", i, "modes")  # fmt: skip
        if mode in MODES and modes and mode not in modes:
            ctx.add(
                "mode not among modes", f"one of {';'.join(modes)}", show_value(mode), i, "mode"
            )
        values["modes"][i] = ";".join(modes)
        values["mode"][i] = mode if mode in MODES else (modes[-1] if modes else mode)


def _check_carers(
    ctx: ProblemCollector, values: dict[str, list[Any]], names: dict[str, str]
) -> None:
    _carer_modes(ctx, values, names)
    for i in range(len(ctx.ids)):
        hours = values["contracted_hours"][i]
        if hours is not None and not 0 < hours <= 168:
            ctx.add(
                "hours out of range",
                "more than 0 and at most 168 hours a week",
                f"{hours:g}",
                i,
                "contracted_hours",
            )
        start, end = values["shift_start"][i], values["shift_end"][i]
        bad_time = False
        for name, t in (("shift_start", start), ("shift_end", end)):
            if not 0 <= t <= 24 * 60:
                ctx.add(
                    "time out of range", "minutes from 0 to 1440 (or HH:MM)", show_value(t), i, name
                )
                bad_time = True
        if bad_time:
            continue
        if end <= start:
            ctx.add(
                "window ends before start",
                "a shift ending after it starts",
                f"{pat.format_time(start)}-{pat.format_time(end)}",
                i,
                "shift_end",
            )
            continue
        most = values["max_minutes"][i]
        if most is None:
            most = values["max_minutes"][i] = min(end - start, DEFAULT_MAX_MINUTES)
        if not 0 < most <= end - start:
            ctx.add(
                "bad working minutes",
                f"from 1 to {end - start} (the shift's length)",
                show_value(most),
                i,
                "max_minutes",
            )
        elif hours is not None and 0 < hours <= 168:
            n_days = len(values["days"][i].split(";"))
            if hours * 60 > n_days * most + 1e-6:
                ctx.add(
                    "contract does not fit shifts",
                    f"at most {n_days * most / 60:g} hours ({n_days} days x {most} minutes)",
                    f"{hours:g}",
                    i,
                    "contracted_hours",
                )


def _check_refs(
    ctx: ProblemCollector,
    values: dict[str, list[Any]],
    skills: Iterable[str] | None,
    providers: Iterable[str] | None,
) -> None:
    if skills is not None and "skills" in values:
        allowed = {str(s).strip().lower() for s in skills}
        for i, text in enumerate(values["skills"]):
            names = (s.strip() for s in text.replace("|", ";").split(";"))
            unknown = [s for s in names if s and s not in allowed]
            if unknown:
                ctx.add(
                    "unknown skill",
                    "one of " + ", ".join(sorted(allowed)) if allowed else "no skills",
                    ", ".join(repr(s) for s in unknown),
                    i,
                    "skills",
                )
    if providers is not None and ctx.id_column != "provider_id":
        known = {str(p) for p in providers}
        for i, pid in enumerate(values["provider_id"]):
            if pid and pid not in known:
                ctx.add(
                    "unknown provider",
                    "a provider_id of the providers table",
                    show_value(pid),
                    i,
                    "provider_id",
                )
