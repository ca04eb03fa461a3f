"""Reading zone polygons from a file: a hand-drawn plan to check, or zones to lock.

Each problem is a :class:`~carezones.exceptions.ValidationError` naming the file, the
column or row, what was expected and what was found: a missing or unreadable file, points
or lines where polygons are needed, no CRS, and ids that are missing, empty or repeated.
A boundary file with ids of its own (the ONS's ``WD24CD``/``WD24NM``) is read by naming
the column (``id_column="WD24CD"``, ``--zone-id-column`` in the command line); without a
``zone_id`` column and without that choice the rows are not numbered silently.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.zoning.source import open_polygons
from carezones.zoning.units import dissolve_plan

__all__ = ["read_zones"]

logger = logging.getLogger(__name__)

_POLYGONS = ("Polygon", "MultiPolygon")


def _id_candidates(frame: gpd.GeoDataFrame) -> list[str]:
    """Text columns whose values are all filled and unique: what an id column looks like."""
    out = []
    for c in frame.columns:
        if c == frame.geometry.name:
            continue
        values = frame[c]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            filled = values.dropna().astype(str).str.strip()
            if len(filled) == len(frame) and (filled != "").all() and filled.is_unique:
                out.append(str(c))
    return out


def read_zones(
    path: str | os.PathLike[str],
    *,
    id_column: str | None = None,
    where: str | None = None,
    dissolve: bool = False,
) -> gpd.GeoDataFrame:
    """Zone polygons from a file, with their ids in ``zone_id``.

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON or shapefile of polygons.
    id_column
        The column holding each zone's id, e.g. ``"WD24CD"``; default ``zone_id``. When
        the file has no ``zone_id`` and this is None, the rows are numbered ``Z1``,
        ``Z2``, ... only if no column looks like an id; otherwise it is an error naming
        the candidate columns.
    where
        How the file is named in messages (e.g. ``"--check zones.gpkg"``); default the path.
    dissolve
        Polygons sharing an id are one zone (units such as wards carrying their zone in
        ``id_column``), dissolved into one polygon with ``n_units``; otherwise a repeated
        id is an error.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone_id`` (text) first, then the file's other columns and its polygons.

    Raises
    ------
    ValidationError
        Listing every problem found.

    Examples
    --------
    >>> read_zones("nowhere.gpkg")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - nowhere.gpkg: missing file: expected a file of polygons (.gpkg, .geojson), found no such file
    """  # noqa: E501
    p = Path(path)
    where = str(p) if where is None else where
    frame = open_polygons(p, where)
    problems = ProblemCollector(where, id_column=id_column or "zone_id")
    if len(frame) == 0:
        problems.add("no rows", "at least one zone polygon", "an empty layer")
        problems.raise_if_any()
    if frame.crs is None:
        problems.add("no CRS", "polygons with a CRS", "none", column="geometry")
    kinds = frame.geometry.geom_type.fillna("empty")
    wrong = kinds[~kinds.isin(_POLYGONS)]
    if len(wrong):
        counts = ", ".join(f"{n} {k}" for k, n in wrong.value_counts().items())
        problems.add(
            "not polygons",
            "Polygon or MultiPolygon zones (a points file is a table of people, not zones)",
            f"{counts} of {len(frame)} rows",
            column="geometry",
        )
    frame = _with_ids(frame, id_column, problems, unique=not dissolve)
    problems.raise_if_any()
    if dissolve and frame["zone_id"].duplicated().any():
        frame = dissolve_plan(frame, "zone_id")
    return frame


def _with_ids(
    frame: gpd.GeoDataFrame, id_column: str | None, problems: ProblemCollector, unique: bool
) -> gpd.GeoDataFrame:
    column = "zone_id" if id_column is None else id_column
    if column not in frame.columns:
        if id_column is not None:
            problems.add(
                "missing column",
                "one of " + ", ".join(repr(str(c)) for c in frame.columns if c != "geometry"),
                repr(id_column),
                column=id_column,
            )
            return frame
        candidates = _id_candidates(frame)
        if candidates:
            problems.add(
                "which id column",
                "a 'zone_id' column, or the id column named (id_column=..., --zone-id-column)",
                "no 'zone_id'; columns that look like ids: " + ", ".join(map(repr, candidates)),
                column="zone_id",
            )
            return frame
        logger.info("%s: no zone_id column; zones numbered Z1..Z%d", problems.where, len(frame))
        ids = pd.Series([f"Z{i + 1}" for i in range(len(frame))], index=frame.index)
    else:
        ids = frame[column]
    text = ids.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    text = text.str.strip()
    problems.ids = text.tolist()
    for i in range(len(text)):
        if text.iloc[i] == "":
            problems.add("missing value", "a zone id", "empty", i, column)
    counts = text[text != ""].value_counts()
    for ident, k in counts[counts > 1].items() if unique else ():
        problems.add("duplicate id", "unique zone ids", f"{ident!r} {k} times", column=column)
    out = frame.drop(columns=[c for c in ("zone_id",) if c in frame.columns and c != column])
    out = out.drop(columns=[column]) if column in out.columns else out
    out.insert(0, "zone_id", text.to_numpy())
    return out
