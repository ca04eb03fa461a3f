"""Reading postcode centroid files: the ONS Postcode Directory and OS Code-Point Open.

Both are open data (see :mod:`carezones.geocode` for where to get them). Only the postcode
and its coordinates are read; every other column is skipped, so a whole-UK file reads in
seconds and a regional file in well under one.
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from carezones.exceptions import ProblemCollector
from carezones.geocode.text import FULL_POSTCODE

__all__ = ["LAYOUTS", "normalise_postcodes", "read_postcodes"]

logger = logging.getLogger(__name__)

#: The postcode file layouts :func:`read_postcodes` knows.
LAYOUTS = ("auto", "onspd", "codepoint")

# Header names (lower case) accepted for each role, best first. ONSPD calls the postcode
# pcd (7 characters), pcd2 (8) and pcds (variable, one space); newer releases and the
# National Statistics Postcode Lookup use the same names, some in upper case.
_POSTCODE_NAMES = ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode")
_LAT_NAMES = ("lat", "latitude")
_LON_NAMES = ("long", "lon", "longitude")
_EAST_NAMES = ("oseast1m", "east1m", "easting", "eastings")
_NORTH_NAMES = ("osnrth1m", "north1m", "northing", "northings")
_WANTED = frozenset(_POSTCODE_NAMES + _LAT_NAMES + _LON_NAMES + _EAST_NAMES + _NORTH_NAMES)
_EXPECTED_HEADER = (
    "a header with a postcode column (pcds, pcd, pcd2 or postcode) and lat/long or "
    "oseast1m/osnrth1m columns (ONSPD), or no header and postcode, quality, eastings, "
    "northings (Code-Point Open)"
)


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Normalise many postcodes at once (``"nw12db"`` -> ``"NW1 2DB"``); invalid ones become NA.

    Examples
    --------
    >>> normalise_postcodes(pd.Series(["nw12db", "SW1A1AA", "bad"])).tolist()
    ['NW1 2DB', 'SW1A 1AA', nan]
    """
    compact = values.astype(str).str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)
    parts = compact.str.extract(FULL_POSTCODE.pattern)
    outward = parts[0].fillna(parts[2])
    inward = parts[1].fillna(parts[3])
    return (outward + " " + inward).astype(object).where(outward.notna(), np.nan)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise ProblemCollector(str(path)).error(
                "no postcode files", "a folder of .csv files", "none"
            )
        return files
    if not path.is_file():
        raise ProblemCollector(str(path)).error(
            "missing file", "an existing postcode CSV file", "no such file"
        )
    return [path]


def _first_row(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
            return next(csv.reader(f), [])
    except OSError as exc:
        raise ProblemCollector(str(path)).error(
            "unreadable file", "a readable CSV file", type(exc).__name__
        ) from exc


def _detect(path: Path, first: list[str]) -> str:
    names = {c.strip().lower() for c in first}
    if names & set(_POSTCODE_NAMES):
        return "onspd"
    if len(first) >= 4 and normalise_postcodes(pd.Series([first[0]])).notna().iloc[0]:
        try:
            float(first[2]), float(first[3])
        except ValueError:
            pass
        else:
            return "codepoint"
    raise ProblemCollector(str(path)).error(
        "unknown postcode file layout", _EXPECTED_HEADER, "neither"
    )


def _read_csv(path: Path, **options: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **options)
    except (ValueError, pd.errors.ParserError, OSError) as exc:
        raise ProblemCollector(str(path)).error(
            "unreadable postcode file", _EXPECTED_HEADER, f"{type(exc).__name__}: {exc}"
        ) from exc


def _pick(columns: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((columns[n] for n in names if n in columns), None)


def _read_onspd(path: Path) -> tuple[pd.Series, np.ndarray, np.ndarray, str]:
    frame = _read_csv(path, usecols=lambda c: c.strip().lower() in _WANTED)
    columns = {c.strip().lower(): c for c in frame.columns}
    pc = _pick(columns, _POSTCODE_NAMES)
    lat, lon = _pick(columns, _LAT_NAMES), _pick(columns, _LON_NAMES)
    east, north = _pick(columns, _EAST_NAMES), _pick(columns, _NORTH_NAMES)
    if pc is None or not ((lat and lon) or (east and north)):
        raise ProblemCollector(str(path)).error(
            "missing columns", _EXPECTED_HEADER, ", ".join(frame.columns)
        )
    if lat and lon:
        y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(float, copy=True)
        x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(float, copy=True)
        # ONSPD puts lat 99.999999, long 0 where a postcode has no grid reference.
        bad = (np.abs(y) > 90) | (np.abs(x) > 180)
        x[bad], y[bad] = np.nan, np.nan
        return frame[pc], x, y, "EPSG:4326"
    x = pd.to_numeric(frame[east], errors="coerce").to_numpy(float, copy=True)
    y = pd.to_numeric(frame[north], errors="coerce").to_numpy(float, copy=True)
    return frame[pc], x, y, "EPSG:27700"


def _read_codepoint(path: Path) -> tuple[pd.Series, np.ndarray, np.ndarray, str]:
    frame = _read_csv(path, header=None, usecols=[0, 1, 2, 3])
    quality = pd.to_numeric(frame[1], errors="coerce").to_numpy(float, copy=True)
    x = pd.to_numeric(frame[2], errors="coerce").to_numpy(float, copy=True)
    y = pd.to_numeric(frame[3], errors="coerce").to_numpy(float, copy=True)
    # Positional quality 90 means "no coordinates" (eastings and northings are 0).
    bad = (quality >= 90) | ((x == 0) & (y == 0))
    x[bad], y[bad] = np.nan, np.nan
    return frame[0], x, y, "EPSG:27700"


def _to_crs(postcodes: pd.Series, x: np.ndarray, y: np.ndarray, crs: str) -> None:
    """Northern Irish (BT) grid references are on the Irish Grid: move them to ``crs`` in place."""
    if crs != "EPSG:27700":
        return
    irish = postcodes.str.startswith("BT").to_numpy(bool) & np.isfinite(x)
    if irish.any():
        move = Transformer.from_crs("EPSG:29902", crs, always_xy=True)
        x[irish], y[irish] = move.transform(x[irish], y[irish])


def read_postcodes(path: str | os.PathLike[str], *, layout: str = "auto") -> gpd.GeoDataFrame:
    r"""Read a postcode centroid file: the ONS Postcode Directory or OS Code-Point Open.

    Parameters
    ----------
    path
        A CSV file, or a folder whose ``.csv`` files are all read (the ``Data/multi_csv``
        folder of ONSPD, or the ``Data/CSV`` folder of Code-Point Open).
    layout
        {"auto", "onspd", "codepoint"}. ``"onspd"``: a header row naming the postcode
        (``pcds``, ``pcd``, ``pcd2`` or ``postcode``, any case) and either ``lat`` and
        ``long`` (WGS84) or ``oseast1m`` and ``osnrth1m`` (British National Grid, Irish Grid
        for Northern Ireland); the National Statistics Postcode Lookup has the same names.
        ``"codepoint"``: no header; postcode, positional quality, eastings, northings and
        further columns that are skipped. ``"auto"`` tells them apart by the first row.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per postcode with coordinates: ``postcode`` (normalised, ``"NW1 2DB"``)
        and a Point geometry in EPSG:4326 (lat/long read) or EPSG:27700 (eastings read).
        Postcodes without coordinates (ONSPD lat 99.999999, Code-Point quality 90) and
        rows that are not UK postcodes are left out; a repeated postcode keeps its first row.

    Raises
    ------
    ValidationError
        When the file is missing, or its layout or columns are not those above.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "onspd.csv").write_text(
    ...     "pcd,pcds,lat,long\nNW1 2DB,NW1 2DB,51.53,-0.13\nXX9 9XX,XX9 9XX,99.999999,0\n")
    >>> read_postcodes(folder / "onspd.csv")
      postcode             geometry
    0  NW1 2DB  POINT (-0.13 51.53)
    """
    if layout not in LAYOUTS:
        raise ProblemCollector("layout").error(
            "unknown layout", "one of " + ", ".join(LAYOUTS), repr(layout)
        )
    parts = []
    crs_seen: set[str] = set()
    for file in _files(Path(path)):
        kind = _detect(file, _first_row(file)) if layout == "auto" else layout
        raw, x, y, crs = (_read_onspd if kind == "onspd" else _read_codepoint)(file)
        postcodes = normalise_postcodes(raw)
        _to_crs(postcodes.fillna(""), x, y, crs)
        keep = postcodes.notna().to_numpy(bool) & np.isfinite(x) & np.isfinite(y)
        parts.append(pd.DataFrame({"postcode": postcodes[keep], "x": x[keep], "y": y[keep]}))
        crs_seen.add(crs)
    if len(crs_seen) > 1:
        raise ProblemCollector(str(path)).error(
            "mixed postcode files",
            "files with coordinates in one system",
            " and ".join(sorted(crs_seen)),
        )
    table = pd.concat(parts, ignore_index=True).drop_duplicates("postcode", ignore_index=True)
    logger.info("read %d postcodes", len(table))
    return gpd.GeoDataFrame(
        {"postcode": table["postcode"].astype(object)},
        geometry=gpd.points_from_xy(table["x"], table["y"]),
        crs=crs_seen.pop(),
    )
