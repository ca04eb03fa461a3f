"""The metric CRS of an area: British National Grid in Great Britain, else the local UTM zone."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

__all__ = ["choose_crs"]

# Great Britain (England, Scotland, Wales) in lon/lat, less the island of Ireland.
_GB_BOX = (-8.2, 49.8, 1.9, 60.95)
_IRELAND_BOX = (-10.7, 51.3, -5.4, 55.45)


def choose_crs(lon: np.ndarray, lat: np.ndarray) -> CRS:
    """Return the metric CRS for points at ``lon``/``lat`` (degrees).

    British National Grid (EPSG:27700) when their median lies in Great Britain, else the
    UTM zone of their median.

    Parameters
    ----------
    lon, lat
        The points' longitudes and latitudes, degrees.

    Examples
    --------
    >>> choose_crs(np.array([-0.14]), np.array([51.54])).to_epsg()
    27700
    >>> choose_crs(np.array([24.94]), np.array([60.17])).to_epsg()
    32635
    """
    x, y = float(np.nanmedian(lon)), float(np.nanmedian(lat))

    def inside(box: tuple[float, float, float, float]) -> bool:
        return box[0] <= x <= box[2] and box[1] <= y <= box[3]

    if inside(_GB_BOX) and not inside(_IRELAND_BOX):
        return CRS.from_epsg(27700)
    zone = int((x + 180) // 6) + 1
    return CRS.from_epsg((32600 if y >= 0 else 32700) + zone)
