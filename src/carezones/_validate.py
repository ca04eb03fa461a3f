"""Checking and normalising the clients, carers and providers tables.

Every check collects :class:`~carezones.Problem` s; the public readers in
:mod:`carezones.demand` raise them once as a :class:`~carezones.ValidationError`.
Messages name the file, the row (1 = first data row) and id, the column, what was
expected and what was found, and never a coordinate.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from . import _patterns as pat
from .exceptions import Problem

if TYPE_CHECKING:
    from .network import TravelNetwork

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
    "duplicate call": "two calls of one client start at the same time on the same day",
    "pattern disagrees with weekly_hours": "weekly_hours and the pattern's total differ by > 1 min",
    "default pattern does not fit": "weekly_hours too many for the default pattern's windows",
    "unknown mode": "a travel mode other than walk, cycle, drive",
    "unknown skill": "a skill not in the allowed list",
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

_MISSING_TEXT = {"", "nan", "none", "null", "<na>"}
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
# Coordinate column pairs, and whether they are degrees (default EPSG:4326).
_COORD_PAIRS = (
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
    Column("mode", "text", True),
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


class _Ctx:
    """Problems of one table, with row labels ``row N (id_col 'id')``."""

    def __init__(self, where: str, id_col: str, n: int) -> None:
        self.where, self.id_col, self.ids = where, id_col, [""] * n
        self.problems: list[Problem] = []

    def row(self, i: int) -> str:
        ident = self.ids[i]
        return f"row {i + 1}" + (f" ({self.id_col} {ident!r})" if ident else "")

    def add(
        self, what: str, expected: str, found: str, i: int | None = None, column: str | None = None
    ) -> None:
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


def is_missing(value: Any) -> bool:
    """True for None, NaN, NA and empty or whitespace-only text."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in _MISSING_TEXT
    return False


def _show(value: Any) -> str:
    text = repr(value.strip() if isinstance(value, str) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- value conversion


def _number(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _convert(ctx: _Ctx, col: Column, values: Sequence[Any], present: bool) -> list[Any]:
    """Values of one schema column, converted; problems for bad or missing ones."""
    out: list[Any] = []
    for i, value in enumerate(values if present else [None] * len(ctx.ids)):
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


def _one(ctx: _Ctx, col: Column, value: Any, i: int) -> Any:
    kind = col.kind
    if kind in ("id", "text"):
        return _text(value)
    if kind == "skills":
        parts = str(value).replace(",", ";").replace("|", ";").split(";")
        return ";".join(sorted({p.strip().lower() for p in parts if p.strip()}))
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
        if text in _TRUE | _FALSE:
            return text in _TRUE
        ctx.add("not true or false", "true/false, yes/no or 1/0", _show(value), i, col.name)
        return col.default
    if kind == "time" and isinstance(value, str) and ":" in value:
        try:
            return pat.parse_time(value)
        except pat.PatternError as exc:
            ctx.add("time out of range", "HH:MM between 00:00 and 24:00", str(exc), i, col.name)
            return col.default
    number = _number(value)
    if number is None:
        ctx.add(
            "not a number",
            f"a number{' of ' + col.unit if col.unit else ''}",
            _show(value),
            i,
            col.name,
        )
        return col.default
    if kind == "float":
        return number
    if not number.is_integer():
        ctx.add("not a whole number", f"whole {col.unit or 'number'}", _show(value), i, col.name)
        return col.default
    return int(number)


# ---------------------------------------------------------------- location


def _crs(ctx: _Ctx, crs: Any) -> CRS | None:
    try:
        return None if crs is None else CRS.from_user_input(crs)
    except CRSError:
        ctx.add(
            "no CRS",
            "a CRS pyproj understands (e.g. 4326 or 'EPSG:27700')",
            _show(crs),
            column="crs",
        )
        return None


def locate(
    ctx: _Ctx,
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
    for xname, yname, degrees in _COORD_PAIRS:
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
    ctx: _Ctx,
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
    for i, (xv, yv) in enumerate(zip(frame[xcol].to_numpy(), frame[ycol].to_numpy(), strict=True)):
        x, y = _number(xv), _number(yv)
        if x is None or y is None:
            if not (is_missing(xv) and is_missing(yv) and not required):
                found = "empty" if is_missing(xv) or is_missing(yv) else "not a number"
                ctx.add("missing coordinates", "finite x and y", found, i, f"{xcol}/{ycol}")
            continue
        points[i] = shapely.Point(x, y)
    return points, use, [xcol, ycol]


def xname_pair(xcol: str, ycol: str) -> str:
    """``"easting/northing"``."""
    return f"{xcol}/{ycol}"


def check_area(
    ctx: _Ctx, points: np.ndarray, crs: CRS | None, network: TravelNetwork | None
) -> None:
    """Points far outside the network's area (via :mod:`carezones.travel`'s checks)."""
    from .travel import _diagnose_outside, _inside

    ok = np.array([p is not None for p in points], dtype=bool)
    if network is None or crs is None or not ok.any():
        return
    x = shapely.get_x(points[ok].astype(object)).astype(float)
    y = shapely.get_y(points[ok].astype(object)).astype(float)
    inside = _inside(x, y, crs, network)
    if inside.mean() <= 0.5:
        for p in _diagnose_outside(x, y, crs, network, ctx.where).problems:
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
