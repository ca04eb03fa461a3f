"""Converting and checking single values of the demand tables, and their locations.

Each function adds what it finds to a :class:`~carezones.exceptions.ProblemCollector`
whose rows are named ``row N (client_id 'id')``; none raises.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from carezones.demand import patterns as pat
from carezones.demand.schema import COORD_PAIRS, FALSE, MISSING_TEXT, TRUE, Column
from carezones.exceptions import Problem, ProblemCollector
from carezones.network import TravelNetwork, diagnose_outside, inside_area

__all__ = [
    "SKILL_NAME",
    "SKILL_RULE",
    "as_number",
    "as_text",
    "check_area",
    "convert",
    "is_missing",
    "locate",
    "show_value",
    "xname_pair",
]


#: A character no skill name holds: names are letters, digits, ``_`` and ``-``.
SKILL_NAME = re.compile(r"[^\w\-]")
#: What a skills cell must look like (the message of a bad one).
SKILL_RULE = (
    "skill names of letters, digits, '_' or '-' (e.g. end_of_life), separated by ';' or ',' "
    "(and '|' between the two carers of a double-up)"
)


def _named(char: str) -> str:
    """A character as a message names it: 'a space', 'a tab', "'/'"."""
    return {" ": "a space", "\t": "a tab", "\n": "a line break"}.get(char, repr(char))


def is_missing(value: Any) -> bool:
    """True for None, NaN, NA and empty or whitespace-only text."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in MISSING_TEXT
    return False


def show_value(value: Any) -> str:
    """``value`` as a message shows it: its repr, at most 40 characters."""
    text = repr(value.strip() if isinstance(value, str) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def as_text(value: Any) -> str:
    """``value`` as stripped text; "" when missing, ``"7"`` for the float 7.0."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- value conversion


def as_number(value: Any) -> float | None:
    """``value`` as a finite float, or None (booleans are not numbers)."""
    if isinstance(value, bool | np.bool_):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def convert(ctx: ProblemCollector, col: Column, values: Sequence[Any], present: bool) -> list[Any]:
    """Values of one schema column, converted; problems for bad or missing ones."""
    out: list[Any] = []
    for i, value in enumerate(values if present else [None] * len(ctx.ids or ())):
        if is_missing(value):
            if col.required and present:
                ctx.add(
                    "missing value",
                    f"a value{' in ' + col.unit if col.unit else ''}",
                    "empty",
                    i,
                    col.name,
                )
            out.append(col.default)
            continue
        out.append(_one(ctx, col, value, i))
    return out


def _one(ctx: ProblemCollector, col: Column, value: Any, i: int) -> Any:
    kind = col.kind
    if kind in ("id", "text"):
        return as_text(value)
    if kind == "skills":
        halves = str(value).split("|")  # a double-up naming each carer's skills
        out = []
        for half in halves:
            parts = [p.strip().lower() for p in half.replace(",", ";").split(";")]
            for name in parts:
                odd = SKILL_NAME.search(name)
                if odd is not None:
                    whole = "" if name == str(value).strip().lower() else f" of {show_value(value)}"
                    ctx.add("bad skill name", SKILL_RULE,
                            f"{_named(odd.group())} in {name!r}{whole}", i, col.name)  # fmt: skip
            out.append(";".join(sorted({p for p in parts if p})))
        return " | ".join(out) if len(out) > 1 and any(out) else ";".join(x for x in out if x)
    if kind == "days":
        try:
            return ";".join(pat.DAYS[d] for d in pat.parse_days(str(value).replace(";", ",")))
        except pat.PatternError as exc:
            ctx.add(
                "unknown day", "day names such as mon-fri or monday;tuesday", str(exc), i, col.name
            )
            return col.default
    if kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        text = str(value).strip().lower()
        if text in TRUE | FALSE:
            return text in TRUE
        ctx.add("not true or false", "true/false, yes/no or 1/0", show_value(value), i, col.name)
        return col.default
    if kind == "time" and isinstance(value, str) and ":" in value:
        try:
            return pat.parse_time(value)
        except pat.PatternError as exc:
            ctx.add("time out of range", "HH:MM between 00:00 and 24:00", str(exc), i, col.name)
            return col.default
    number = as_number(value)
    if number is None:
        ctx.add(
            "not a number",
            f"a number{' of ' + col.unit if col.unit else ''}",
            show_value(value),
            i,
            col.name,
        )
        return col.default
    if kind == "float":
        return number
    if not number.is_integer():
        ctx.add(
            "not a whole number", f"whole {col.unit or 'number'}", show_value(value), i, col.name
        )
        return col.default
    return int(number)


# ---------------------------------------------------------------- location


def _crs(ctx: ProblemCollector, crs: Any) -> CRS | None:
    try:
        return None if crs is None else CRS.from_user_input(crs)
    except CRSError:
        ctx.add(
            "no CRS",
            "a CRS pyproj understands (e.g. 4326 or 'EPSG:27700')",
            show_value(crs),
            column="crs",
        )
        return None


def locate(
    ctx: ProblemCollector,
    frame: pd.DataFrame,
    names: dict[str, str],
    crs: Any,
    required: bool,
    unplaced: Collection[int] = (),
) -> tuple[np.ndarray, CRS | None, list[str]]:
    """Points (an object array, None where missing), their CRS and the columns used.

    An empty geometry in an ``unplaced`` row is not a problem here (the caller reports it).
    """
    n = len(frame)
    given = _crs(ctx, crs)
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        geoms = frame.geometry
        if geoms.crs is not None and given is not None and CRS.from_user_input(geoms.crs) != given:
            ctx.add(
                "conflicting CRS",
                f"the data's CRS {CRS(geoms.crs).to_string()}",
                given.to_string(),
                column="crs",
            )
        use = CRS.from_user_input(geoms.crs) if geoms.crs is not None else given
        if use is None and geoms.notna().any():
            ctx.add(
                "no CRS",
                "geometry with a CRS (or crs=...)",
                "a geometry without one",
                column="geometry",
            )
        points = np.empty(n, dtype=object)
        for i, g in enumerate(geoms.to_numpy()):
            if g is None or g.is_empty:
                if required and i not in unplaced:
                    ctx.add("missing coordinates", "a location", "empty geometry", i, "geometry")
            elif g.geom_type != "Point":
                ctx.add("not a point", "Point geometry", g.geom_type, i, "geometry")
            elif not (math.isfinite(g.x) and math.isfinite(g.y)):
                ctx.add("missing coordinates", "finite coordinates", "NaN", i, "geometry")
            else:
                points[i] = g
        return points, use, [frame._geometry_column_name]
    for xname, yname, degrees in COORD_PAIRS:
        if xname in names and yname in names:
            return _from_columns(ctx, frame, names[xname], names[yname], degrees, given, required)
    if required:
        ctx.add(
            "missing column",
            "a geometry, or lon/lat, x/y or easting/northing columns",
            "none",
            column="location",
        )
    return np.full(n, None, dtype=object), given, []


def _from_columns(
    ctx: ProblemCollector,
    frame: pd.DataFrame,
    xcol: str,
    ycol: str,
    degrees: bool,
    given: CRS | None,
    required: bool,
) -> tuple[np.ndarray, CRS | None, list[str]]:
    use = given if given is not None else (CRS.from_epsg(4326) if degrees else None)
    if use is None:
        ctx.add(
            "no CRS",
            f"crs=... for the {xname_pair(xcol, ycol)} columns (e.g. crs=27700)",
            "none",
            column=f"{xcol}/{ycol}",
        )
    points = np.full(len(frame), None, dtype=object)
    outside: list[tuple[int, str]] = []
    for i, (xv, yv) in enumerate(zip(frame[xcol].to_numpy(), frame[ycol].to_numpy(), strict=True)):
        x, y = as_number(xv), as_number(yv)
        if x is None or y is None:
            if not (is_missing(xv) and is_missing(yv) and not required):
                found = "empty" if is_missing(xv) or is_missing(yv) else "not a number"
                ctx.add("missing coordinates", "finite x and y", found, i, f"{xcol}/{ycol}")
            continue
        if use is not None and use.is_geographic and not (-180 <= x <= 180 and -90 <= y <= 90):
            outside.append((i, "latitude" if not -90 <= y <= 90 else "longitude"))
            continue
        points[i] = shapely.Point(x, y)
    _out_of_range(ctx, outside, sum(p is not None for p in points), xcol, ycol)
    return points, use, [xcol, ycol]


def _out_of_range(
    ctx: ProblemCollector, outside: list[tuple[int, str]], n_ok: int, xcol: str, ycol: str
) -> None:
    """Degrees outside -180..180 / -90..90: each row named, or one hint when most rows are.

    The values are never shown: they are coordinates.
    """
    if len(outside) > n_ok:
        ctx.add(
            "coordinates out of range",
            "longitude/latitude in degrees (-180 to 180, -90 to 90)",
            f"{len(outside)} of {len(outside) + n_ok} rows outside them; these values look "
            "like metres: give the CRS (e.g. crs=27700)",
            column=xname_pair(xcol, ycol),
        )
        return
    for i, side in outside:
        limit = 90 if side == "latitude" else 180
        ctx.add(
            f"{side} out of range",
            f"degrees between -{limit} and {limit}",
            "a value outside them",
            i,
            ycol if side == "latitude" else xcol,
        )


def xname_pair(xcol: str, ycol: str) -> str:
    """``"easting/northing"``."""
    return f"{xcol}/{ycol}"


def check_area(
    ctx: ProblemCollector, points: np.ndarray, crs: CRS | None, network: TravelNetwork | None
) -> None:
    """Points far outside the network's area (via :mod:`carezones.travel`'s checks)."""
    ok = np.array([p is not None for p in points], dtype=bool)
    if network is None or crs is None or not ok.any():
        return
    x = shapely.get_x(points[ok].astype(object)).astype(float)
    y = shapely.get_y(points[ok].astype(object)).astype(float)
    inside = inside_area(x, y, crs, network)
    if inside.mean() <= 0.5:
        for p in diagnose_outside(x, y, crs, network, ctx.where).problems:
            ctx.problems.append(
                Problem(
                    p.where,
                    p.what,
                    p.expected,
                    f"{int((~inside).sum())} of {len(x)} points outside it "
                    "(wrong CRS or swapped coordinates?)",
                    column=p.column,
                )
            )
        return
    for i in np.flatnonzero(ok)[~inside]:
        ctx.add(
            "outside the network's area",
            f"a location within 20 km of the network ({network.source!r})",
            "a point farther away",
            int(i),
            "geometry",
        )
