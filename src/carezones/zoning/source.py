"""Opening a file of polygons (zones, units, boundaries) with one clear error per failure.

:func:`open_polygons` is what :func:`~carezones.zoning.read_zones` and
:func:`~carezones.zoning.read_units` open their file with: a missing file, a folder, a file
no GIS reader opens (a CSV, a damaged GeoPackage), or a table without geometry is one
:class:`~carezones.exceptions.ValidationError` naming the file, never a reader's traceback.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from carezones.exceptions import ProblemCollector

__all__ = ["open_polygons"]


def open_polygons(path: Path, where: str) -> gpd.GeoDataFrame:
    """The polygons of ``path`` (its ``zones`` layer when a GeoPackage has one).

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON or shapefile.
    where
        How the file is named in messages (e.g. ``"--units wards.gpkg"``).

    Returns
    -------
    geopandas.GeoDataFrame
        The file's rows (a geometry column is guaranteed; its types are the caller's to
        check).

    Raises
    ------
    ValidationError
        For a folder, a missing file, a file that cannot be read, or one without geometry.
    """
    if path.is_dir():
        raise ProblemCollector(where).error("not a file", "a file of polygons", "a folder")
    if not path.is_file():
        raise ProblemCollector(where).error(
            "missing file", "a file of polygons (.gpkg, .geojson)", "no such file"
        )
    try:
        # A GeoPackage written by `carezones zones --providers` also holds provider_lots:
        # the zones are its "zones" layer.
        layers = pyogrio.list_layers(path)[:, 0].tolist()
        frame = gpd.read_file(path, layer="zones" if "zones" in layers else None)
    except Exception as exc:  # pyogrio's DataSourceError and friends: name the file
        raise ProblemCollector(where).error(
            "unreadable file", "a GeoPackage, GeoJSON or shapefile of polygons", type(exc).__name__
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame):  # a CSV or a table read as a plain table
        raise ProblemCollector(where).error(
            "no geometry",
            "a file of polygons (.gpkg, .geojson, .shp)",
            f"a table without geometry ({path.suffix or 'no suffix'})",
        )
    return frame
