"""Reading and writing the clients, carers and providers tables (CSV, GeoPackage, GeoJSON, Parquet).

CSV holds locations as ``lon``/``lat`` columns in EPSG:4326 (what a spreadsheet user
expects); the other formats keep the geometry and its CRS. Everything is read as text
first for CSV, so ids keep their leading zeros, and converted by :mod:`._validate`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio

from carezones._files import safe_cells, unescape_cell
from carezones.exceptions import CarezonesWarning, ProblemCollector, ValidationError


class FileShapeWarning(CarezonesWarning):
    """A table file was read, but its shape was not what its header says (e.g. trailing commas)."""


#: File name endings and the format each means.
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
}
FORMATS = ("csv", "gpkg", "geojson", "parquet")


def format_of(path: Path, format: str | None, where: str) -> str:
    """The format of ``path``: ``format`` when given, else from the file name ending."""
    if format is not None:
        if format.lower().lstrip(".") not in FORMATS:
            raise ProblemCollector("format").error(
                "unknown format", "one of " + ", ".join(FORMATS), repr(format)
            )
        return format.lower().lstrip(".")
    got = SUFFIXES.get(path.suffix.lower())
    if got is None:
        raise ProblemCollector(where).error(
            "unknown format", "a name ending in " + ", ".join(SUFFIXES), repr(path.suffix or "none")
        )
    return got


def read_source(path: str | os.PathLike[str], table: str, layer: str | None) -> pd.DataFrame:
    """The raw table in a file (no checks beyond being readable)."""
    if not isinstance(path, str | os.PathLike):
        raise ProblemCollector(table).error(
            "not a table",
            "a file path (.csv, .gpkg, .geojson, .parquet) or a DataFrame",
            type(path).__name__,
        )
    path = Path(path)
    where = str(path)
    fmt = format_of(path, None, where)
    if path.is_dir():
        raise ProblemCollector(where).error("not a file", f"a {fmt} file", "a folder")
    if not path.is_file():
        raise ProblemCollector(where).error(
            "missing file", f"an existing {fmt} file", "no such file"
        )
    try:
        if fmt == "csv":
            return read_csv_text(path)
        if fmt == "parquet":
            return _read_parquet(path)
        if fmt == "gpkg":
            layer = _pick_layer(
                path, table, layer, [str(n) for n in pyogrio.list_layers(path)[:, 0]]
            )
        return gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except ValidationError:
        raise
    except Exception as exc:  # every reader's own error: name the file and format
        raise ProblemCollector(where).error(
            "unreadable file", f"a readable {fmt} file", f"{type(exc).__name__}: {exc}"
        ) from exc


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file as text cells, its shape checked before any value is looked at.

    Rows with more fields than the header would make pandas use the first column as the
    index and shift every value one column left (longitudes read as ids); they are read
    with ``index_col=False`` instead. When the extra fields are all empty (a trailing
    comma on every data row), the table is read without them and a
    :class:`FileShapeWarning` says so; otherwise the file is an error naming the rows.
    A one-column header holding semicolons or tabs is an error with the hint.
    """
    where = str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemCollector(where).error(
            "not UTF-8",
            "text saved as UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')",
            f"byte 0x{raw[exc.start]:02x}, not UTF-8",
            row=f"line {raw[: exc.start].count(NEWLINE) + 1}",
        ) from None
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    if not any(c.strip() for r in rows for c in r):
        raise ProblemCollector(where).error("empty file", "a header row and data rows", "nothing")
    header, data = rows[0], rows[1:]
    if len(header) == 1 and any(sep in header[0] for sep in _SEP_NAMES):
        sep = next(s for s in _SEP_NAMES if s in header[0])
        raise ProblemCollector(where).error(
            "not comma-separated",
            "values separated by commas (save as 'CSV UTF-8 (comma delimited)')",
            f"one column whose header holds {sep!r}: separated by {_SEP_NAMES[sep]}",
            row="row 1",
        )
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise ProblemCollector(where).error(
            "duplicate column",
            "each header once",
            ", ".join(repr(h) for h in twice) + " more than once",
            row="row 1",
        )
    long = [i for i, r in enumerate(data) if len(r) > len(header)]
    filled = [i for i in long if any(c.strip() for c in data[i][len(header) :])]
    if filled:
        shown = ", ".join(str(i + 2) for i in filled[:10]) + (" ..." if len(filled) > 10 else "")
        raise ProblemCollector(where).error(
            "more values than headers",
            f"at most {len(header)} values a row (one per header)",
            f"{len(filled)} row(s) with more values (rows {shown}); "
            "a missing header or an unquoted comma inside a value?",
        )
    if long:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(r[: len(header)] for r in rows)
        text = buffer.getvalue()
        warnings.warn(
            FileShapeWarning(
                f"{where}: {len(long)} data row(s) end with an empty extra value (a trailing "
                f"comma) that the header of {len(header)} columns does not have; read without it"
            ),
            stacklevel=5,
        )
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    return frame.map(unescape_cell)  # a cell written as '=x by safe_cells reads back as =x


NEWLINE = b"\n"
_SEP_NAMES = {";": "semicolons", "\t": "tabs", "|": "bars"}


def _pick_layer(path: Path, table: str, layer: str | None, layers: list[str]) -> str:
    if layer is not None:
        if layer not in layers:
            raise ProblemCollector(str(path)).error(
                "which layer", "one of " + ", ".join(layers), repr(layer), column="layer"
            )
        return layer
    if table in layers:
        return table
    if len(layers) == 1:
        return layers[0]
    raise ProblemCollector(str(path)).error(
        "which layer", f"a layer named {table!r} or layer=...", ", ".join(layers), column="layer"
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def write_table(
    frame: pd.DataFrame, path: str | os.PathLike[str], table: str, format: str | None
) -> Path:
    """Write a checked table; returns the path written."""
    path = Path(path)
    fmt = format_of(path, format, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    spatial = isinstance(frame, gpd.GeoDataFrame)
    if fmt == "csv":
        safe_cells(_to_csv(frame)).to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "geojson":
        path.write_text(_to_geojson(frame, path.stem))
    elif spatial:
        frame.to_file(path, layer=table, driver="GPKG")
    else:
        pyogrio.write_dataframe(frame, path, layer=table, driver="GPKG")
    return path


def _to_geojson(frame: pd.DataFrame, name: str) -> str:
    """GeoJSON text written with Python's json, so every float reads back exactly.

    (GDAL's writer shortens some coordinates and numbers, e.g. 24.959999999999997 to
    24.96.) A CRS other than EPSG:4326 is named in the ``crs`` member, which GDAL reads.
    """
    geo = (
        frame
        if isinstance(frame, gpd.GeoDataFrame)
        else gpd.GeoDataFrame(frame, geometry=[None] * len(frame))
    )
    data = geo.to_geo_dict(drop_id=True)
    data = {"type": "FeatureCollection", "name": name, **data}
    if geo.crs is not None:
        code = geo.crs.to_epsg()
        label = f"urn:ogc:def:crs:EPSG::{code}" if code else geo.crs.to_string()
        data["crs"] = {"type": "name", "properties": {"name": label}}
    return json.dumps(data, ensure_ascii=False)


def _to_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain columns, with the geometry as lon/lat (EPSG:4326) at the end."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    geoms = frame.geometry
    if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs(4326)
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    missing = geoms.isna().to_numpy()
    out["lon"] = geoms.x.where(~missing)
    out["lat"] = geoms.y.where(~missing)
    return out
