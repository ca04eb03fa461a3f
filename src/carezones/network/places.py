"""Named places and the administrative boundary of an OSM extract (offline, from the file).

:func:`osm_places` reads the ``place=suburb|neighbourhood|quarter|village|town`` points that
name zones; :func:`admin_boundary` the administrative area (a borough, a district, a
county) that covers the extract's streets, to clip zones to (``--boundary extract``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector
from carezones.network.osm import open_osm

__all__ = [
    "PLACE_KINDS",
    "admin_areas",
    "admin_boundary",
    "extract_boundary",
    "osm_places",
    "read_boundary",
]

PLACE_KINDS = ("town", "suburb", "village", "quarter", "neighbourhood")
"""The OSM ``place`` values that name zones, most important first."""


def osm_places(
    source: str | os.PathLike[str], *, kinds: Sequence[str] = PLACE_KINDS
) -> gpd.GeoDataFrame:
    """The named places of an OSM extract: ``name``, ``place`` and a point (EPSG:4326).

    Parameters
    ----------
    source
        An OSM extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``, ``.osm.gz``).
    kinds
        The ``place`` values to keep (default :data:`PLACE_KINDS`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per named place node (empty when the extract has none).

    Examples
    --------
    >>> from carezones import datasets
    >>> places = osm_places(datasets.default_osm_path())
    >>> list(places.columns)
    ['name', 'place', 'geometry']
    """
    osm = open_osm(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = osm.get_data_by_custom_criteria(
            custom_filter={"place": list(kinds)},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=False,
            keep_relations=False,
            extra_attributes=["name"],
        )
    empty = gpd.GeoDataFrame({"name": [], "place": []}, geometry=[], crs=4326)
    if found is None or len(found) == 0 or "name" not in found:
        return empty
    frame = found[found["name"].notna() & found["place"].isin(list(kinds))]
    frame = frame[frame.geometry.geom_type == "Point"]
    out = gpd.GeoDataFrame(
        {"name": frame["name"].astype(str).to_numpy(), "place": frame["place"].to_numpy()},
        geometry=frame.geometry.to_numpy(),
        crs=4326,
    )
    return out.drop_duplicates(["name", "place"]).reset_index(drop=True)


def admin_boundary(
    source: str | os.PathLike[str], *, points: gpd.GeoSeries | None = None
) -> gpd.GeoDataFrame | None:
    """The administrative area of an extract: the one holding most of ``points``.

    Parameters
    ----------
    source
        An OSM extract.
    points
        Where the streets (or clients) are; among the administrative boundaries of levels
        5-8 (county to borough) the one that holds most of them wins, the smallest on a
        tie. Without points, the largest such boundary.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``name``, ``admin_level`` and the polygon (EPSG:4326); None when the extract has
        no administrative boundary.
    """
    osm = open_osm(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = osm.get_boundaries(boundary_type="administrative")
    if found is None or len(found) == 0 or "admin_level" not in found:
        return None
    level = pd.to_numeric(found["admin_level"], errors="coerce")
    frame = found[level.between(5, 8) & found.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if frame.empty:
        return None
    geoms = shapely.make_valid(frame.geometry.to_numpy())
    area = shapely.area(geoms)
    if points is not None and len(points):
        pts = points.to_crs(4326)
        x, y = pts.x.to_numpy(), pts.y.to_numpy()
        held = np.array([shapely.contains_xy(g, x, y).sum() for g in geoms])
        best = int(np.lexsort((area, -held))[0])
        if held[best] == 0:
            return None
    else:
        best = int(np.argmax(area))
    return gpd.GeoDataFrame(
        {"name": [frame["name"].iloc[best]], "admin_level": [str(frame["admin_level"].iloc[best])]},
        geometry=[geoms[best]],
        crs=4326,
    )


def extract_boundary(
    source: str | os.PathLike[str], nodes: gpd.GeoSeries
) -> gpd.GeoDataFrame | None:
    """The extract's own area: :func:`admin_boundary` holding most of its street ``nodes``.

    At most about 2,000 of the nodes are tested (every k-th), which decides the same
    boundary in a fraction of the time.
    """
    return admin_boundary(source, points=nodes.iloc[:: max(len(nodes) // 2000, 1)])


def admin_areas(source: str | os.PathLike[str], level: int) -> gpd.GeoDataFrame:
    """Every administrative area of one ``admin_level`` in the extract (e.g. 10: parishes).

    ``name``, ``admin_level`` and polygons (EPSG:4326); empty when there are none.
    """
    osm = open_osm(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = osm.get_boundaries(boundary_type="administrative")
    empty = gpd.GeoDataFrame({"name": [], "admin_level": []}, geometry=[], crs=4326)
    if found is None or len(found) == 0 or "admin_level" not in found:
        return empty
    level_of = pd.to_numeric(found["admin_level"], errors="coerce")
    frame = found[(level_of == level) & found.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    return gpd.GeoDataFrame(
        {"name": frame["name"].astype(str).to_numpy(), "admin_level": str(level)},
        geometry=shapely.make_valid(frame.geometry.to_numpy()),
        crs=4326,
    ).reset_index(drop=True)


def read_boundary(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """A boundary file (GeoPackage, GeoJSON, shapefile) as polygons with a CRS."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # every reader error is a bad file for the user
        raise ProblemCollector(str(path)).error(
            "unreadable", "a GeoPackage, GeoJSON or shapefile", str(exc)
        ) from exc
    check = ProblemCollector(str(path))
    if frame.crs is None:
        check.add("no CRS", "polygons with a CRS", "none")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds or not kinds <= {"Polygon", "MultiPolygon"}:
        check.add("not polygons", "Polygon or MultiPolygon", ", ".join(sorted(kinds)))
    check.raise_if_any()
    return frame
