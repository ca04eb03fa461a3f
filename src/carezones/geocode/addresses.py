"""The addresses of an OpenStreetMap extract: every object with a house number or a postcode."""

from __future__ import annotations

import os
import warnings

import geopandas as gpd
import pandas as pd

from carezones.network import open_osm

__all__ = ["read_osm_addresses"]

_ADDRESS_TAGS = ["addr:housenumber", "addr:street", "addr:place", "addr:postcode"]


def read_osm_addresses(
    source: str | os.PathLike[str], *, cache: str | os.PathLike[str] | None = None
) -> gpd.GeoDataFrame:
    """Read the addresses of an OSM extract: every object with a house number or a postcode.

    Parameters
    ----------
    source
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.
    cache
        The cache folder for converted OSM XML (see :func:`carezones.network.osm.cache_dir`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_type``, ``osm_id``, ``housenumber``, ``street`` (``addr:street``, else
        ``addr:place``), ``postcode`` (as tagged) and the object's geometry, EPSG:4326.

    Examples
    --------
    >>> from carezones.datasets import default_osm_path
    >>> addresses = read_osm_addresses(default_osm_path())
    >>> list(addresses.columns)
    ['osm_type', 'osm_id', 'housenumber', 'street', 'postcode', 'geometry']
    """
    osm = open_osm(source, cache=cache)
    with warnings.catch_warnings():
        # pyrosm warns when it finds nothing; an empty table says the same.
        warnings.filterwarnings("ignore", message="Could not find any", category=UserWarning)
        got = osm.get_data_by_custom_criteria(
            custom_filter={"addr:housenumber": True, "addr:postcode": True},
            osm_keys_to_keep=["addr:housenumber", "addr:postcode"],
            tags_as_columns=_ADDRESS_TAGS,
        )
    columns = ["osm_type", "osm_id", "housenumber", "street", "postcode"]
    if got is None or len(got) == 0:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in columns}, geometry=[], crs="EPSG:4326"
        )
    got = got[got.geometry.notna() & ~got.geometry.is_empty]

    def tag(name: str) -> pd.Series:
        if name not in got.columns:
            return pd.Series(None, index=got.index, dtype=object)
        return got[name].astype(object).where(got[name].notna(), None)

    frame = pd.DataFrame(
        {
            "osm_type": tag("osm_type"),
            "osm_id": got["id"].astype("int64"),
            "housenumber": tag("addr:housenumber"),
            "street": tag("addr:street").fillna(tag("addr:place")),
            "postcode": tag("addr:postcode"),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=got.geometry.values, crs="EPSG:4326").reset_index(
        drop=True
    )
