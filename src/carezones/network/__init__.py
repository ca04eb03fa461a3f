"""Travel networks per mode (walk, cycle, drive) from OpenStreetMap, and travel times on them.

:func:`load_network` reads an OSM extract (:mod:`~carezones.network.load`); the result is a
:class:`TravelNetwork` (:mod:`~carezones.network.graph`), with speeds from :class:`Speeds`
(:mod:`~carezones.network.speeds`). Travel times between any points, snapping and isochrones
are in :mod:`~carezones.network.travel` (also importable as :mod:`carezones.travel`).
"""

from carezones.network.cache import DamagedCacheWarning
from carezones.network.crs import choose_crs
from carezones.network.graph import TravelNetwork
from carezones.network.load import load_network
from carezones.network.osm import OSM_SUFFIXES, cache_dir, check_osm_path, file_digest, open_osm
from carezones.network.places import (
    PLACE_KINDS,
    admin_areas,
    admin_boundary,
    extract_boundary,
    osm_places,
    read_boundary,
)
from carezones.network.speeds import MODES, Speeds, check_mode
from carezones.network.travel import (
    MAX_SNAP_DISTANCE,
    Snapped,
    diagnose_outside,
    inside_area,
    isochrones,
    snap_points,
    travel_time,
    travel_time_matrix,
    travel_times_from,
)

__all__ = [
    "MAX_SNAP_DISTANCE",
    "MODES",
    "DamagedCacheWarning",
    "OSM_SUFFIXES",
    "PLACE_KINDS",
    "Snapped",
    "Speeds",
    "TravelNetwork",
    "admin_areas",
    "admin_boundary",
    "extract_boundary",
    "cache_dir",
    "check_mode",
    "check_osm_path",
    "choose_crs",
    "diagnose_outside",
    "file_digest",
    "inside_area",
    "isochrones",
    "load_network",
    "open_osm",
    "osm_places",
    "read_boundary",
    "snap_points",
    "travel_time",
    "travel_time_matrix",
    "travel_times_from",
]
