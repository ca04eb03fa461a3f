"""Offline geocoding: clients and carers given by UK postcode and/or address, placed on the map.

:class:`Geocoder` (:mod:`~carezones.geocode.geocoder`) places rows at OpenStreetMap
addresses (:mod:`~carezones.geocode.addresses`), postcode centroids from the ONS Postcode
Directory or Code-Point Open (:mod:`~carezones.geocode.postcodes`) or postcode sectors; the
text rules (postcodes, street names, house numbers) are in :mod:`~carezones.geocode.text`,
the input rows and the result in :mod:`~carezones.geocode.rows`.
"""

from carezones.geocode.addresses import read_osm_addresses
from carezones.geocode.function import geocode
from carezones.geocode.geocoder import Geocoder
from carezones.geocode.postcodes import read_postcodes
from carezones.geocode.rows import AUTO_COLUMNS, MATCH_QUALITIES, GeocodeResult, cell_text
from carezones.geocode.text import normalise_postcode

__all__ = [
    "AUTO_COLUMNS",
    "MATCH_QUALITIES",
    "GeocodeResult",
    "Geocoder",
    "cell_text",
    "geocode",
    "normalise_postcode",
    "read_osm_addresses",
    "read_postcodes",
]

