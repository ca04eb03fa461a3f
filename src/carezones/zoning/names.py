"""Zone names people use: from the OSM places inside a zone or nearest its centre.

:func:`zone_names` gives each zone the name of a place (``place=town|suburb|village|
quarter|neighbourhood``, e.g. from :func:`carezones.network.osm_places`) inside its polygon,
the most important kind first and the nearest to the zone's centre among equals; a zone
with no place of its own takes the nearest place with the direction from it ("Kentish
Town north"). Names are unique within a plan; the ``zone_id`` stays beside the name.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector

__all__ = ["KIND_RANK", "zone_names"]

KIND_RANK = {"town": 0, "suburb": 1, "village": 1, "quarter": 2, "neighbourhood": 3}
"""How a place kind ranks as a zone's name (lower first)."""

_DIRECTIONS = ("east", "north-east", "north", "north-west", "west", "south-west", "south",
               "south-east")  # fmt: skip


def zone_names(zones: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None) -> pd.Series:
    """A unique name for every zone, from the named places.

    Parameters
    ----------
    zones
        ``zone_id``, the polygons and, when present, ``centre_x``/``centre_y`` (in the
        zones' CRS; default: a point inside each polygon).
    places
        ``name``, ``place`` and points with a CRS; None or empty: names are the ids.

    Returns
    -------
    pandas.Series
        The name of each zone, in the zones' order (index as ``zones``).

    Examples
    --------
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z01", "Z02"]}, crs=27700, geometry=[
    ...     shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> places = gpd.GeoDataFrame({"name": ["Elm", "Oak"], "place": ["suburb", "suburb"]},
    ...     geometry=gpd.points_from_xy([5, 6], [5, 4]), crs=27700)
    >>> zone_names(zones, places).tolist()
    ['Elm', 'Oak east']
    """
    ids = zones["zone_id"].astype(str).tolist()
    if places is None or len(places) == 0 or len(zones) == 0:
        return pd.Series(ids, index=zones.index, name="name", dtype=object)
    if places.crs is None or zones.crs is None:
        raise ProblemCollector("places").error("no CRS", "points with a CRS", "none")
    pts = places.to_crs(zones.crs)
    px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    pname = pts["name"].astype(str).to_numpy()
    rank = pts["place"].map(KIND_RANK).fillna(4).to_numpy()
    if {"centre_x", "centre_y"} <= set(zones.columns):
        cx, cy = zones["centre_x"].to_numpy(float), zones["centre_y"].to_numpy(float)
    else:
        inner = shapely.point_on_surface(zones.geometry.to_numpy())
        cx, cy = shapely.get_x(inner), shapely.get_y(inner)
    geoms = zones.geometry.to_numpy()
    pairs = []  # (zone, place, rank, distance) of every place inside a zone
    for z, g in enumerate(geoms):
        inside = np.flatnonzero(shapely.contains_xy(g, px, py))
        for p in inside:
            pairs.append((z, p, rank[p], float(np.hypot(px[p] - cx[z], py[p] - cy[z]))))
    names: list[str | None] = [None] * len(zones)
    used: set[str] = set()
    for z, p, _, _ in sorted(pairs, key=lambda t: (t[2], t[3])):
        if names[z] is None and pname[p] not in used:
            names[z] = pname[p]
            used.add(pname[p])
    for z in range(len(zones)):
        if names[z] is not None:
            continue
        order = np.argsort(np.hypot(px - cx[z], py - cy[z]), kind="stable")
        for p in order:
            angle = np.degrees(np.arctan2(cy[z] - py[p], cx[z] - px[p])) % 360
            label = f"{pname[p]} {_DIRECTIONS[int(((angle + 22.5) % 360) // 45)]}"
            if label not in used:
                names[z] = label
                break
        if names[z] is None or names[z] in used:
            names[z] = ids[z]
        used.add(str(names[z]))
    return pd.Series(names, index=zones.index, name="name", dtype=object)
