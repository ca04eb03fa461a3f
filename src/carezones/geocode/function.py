"""The one-call form of geocoding: build a :class:`~carezones.geocode.Geocoder` and use it.

The package shares the function's name, so ``carezones.geocode(frame, osm, ...)`` is made
to call :func:`geocode` too (rather than fail with "module object is not callable").
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
from typing import Any

import geopandas as gpd
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.geocode.geocoder import Geocoder
from carezones.geocode.rows import GeocodeResult
from carezones.network import TravelNetwork

__all__ = ["geocode"]


def geocode(
    frame: pd.DataFrame,
    osm: str | os.PathLike[str] | TravelNetwork | Geocoder,
    *,
    id_column: str | None = None,
    address_column: str | None = None,
    postcode_column: str | None = None,
    house_number_column: str | None = None,
    street_column: str | None = None,
    postcodes: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    crs: Any = None,
    source: str | None = None,
    errors: str = "report",
) -> GeocodeResult:
    """Geocode a table offline: ``Geocoder.from_osm(osm, postcodes=...).geocode(frame, ...)``.

    Parameters
    ----------
    frame
        The clients or carers.
    osm
        An OSM file, a :class:`~carezones.TravelNetwork` (results in its CRS), or a
        :class:`Geocoder` already built (then ``postcodes`` must be None; ``crs`` moves
        its results to that CRS).
    id_column, address_column, postcode_column, house_number_column, street_column, source, errors
        See :meth:`Geocoder.geocode`.
    postcodes
        A postcode file or folder (ONSPD or Code-Point Open), a table from
        :func:`read_postcodes`, or None.
    crs
        The CRS of the results (see :meth:`Geocoder.from_osm`).

    Returns
    -------
    GeocodeResult
        The placed rows, the counts per quality and the problems found.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.datasets import default_osm_path
    >>> carers = pd.DataFrame({"carer_id": ["k1"], "street": ["Mikonkatu"],
    ...                        "house_number": [18]})
    >>> result = geocode(carers, default_osm_path(), id_column="carer_id")
    >>> print(result)
    1 row geocoded: address 1, street 0, postcode 0, sector 0, unmatched 0
    """
    if isinstance(osm, Geocoder):
        if postcodes is not None:
            raise ProblemCollector("geocode").error(
                "options for a built geocoder",
                "postcodes=None with a Geocoder (its postcodes are built in)",
                "postcodes given",
            )
        geocoder = osm
    else:
        geocoder = Geocoder.from_osm(osm, postcodes=postcodes, crs=crs)
    result = geocoder.geocode(
        frame, id_column=id_column, address_column=address_column,
        postcode_column=postcode_column, house_number_column=house_number_column,
        street_column=street_column, source=source, errors=errors,
    )  # fmt: skip
    if isinstance(osm, Geocoder) and crs is not None:  # a built geocoder, results moved
        result = dataclasses.replace(result, frame=result.frame.to_crs(crs))
    return result


class _CallableModule(types.ModuleType):
    """The ``carezones.geocode`` package, callable as :func:`geocode`."""

    def __call__(self, *args: Any, **kwargs: Any) -> GeocodeResult:
        return geocode(*args, **kwargs)


sys.modules[__name__.rpartition(".")[0]].__class__ = _CallableModule
