"""Folium maps of zones, provider lots, routes, demand, carers and isochrones; report figures.

Every function takes a ``folium.Map`` (``m=None`` makes one, fitted to the data) and
returns it with its layers added, so calls compose and a map shows inline in Jupyter or
saves to HTML with :func:`save_map`. Each layer has an entry in the layer control, and a
legend says what its colours mean. Static matplotlib figures for reports are in
:mod:`carezones.maps.figures` (also importable as :mod:`carezones.figures`).

Personal data
-------------
Client locations never reach a map unless asked for: demand is drawn as hexagons with at
least ``min_count`` clients (smaller cells are left out and counted in the legend), on
a grid fixed to the CRS's origin; carers' homes likewise as counts per hexagon. Routes
follow the network but stop ``privacy_trim`` metres short of each home, so neither a
client's nor a carer's coordinates appear. Only ``exact=True`` draws points.

Offline maps
------------
``base_map(network, offline=True)`` (or ``plan_map(..., offline=True)``) draws the
walking network itself as the background instead of web tiles, and
``save_map(m, path, offline=True)`` writes one HTML file that opens with no internet:
Leaflet (BSD-2-Clause) is inlined from the PyPI package ``django-js-lib-leaflet``, which
ships Leaflet 1.9.4's ``dist`` files unchanged (see :mod:`carezones.maps.offline`).
With no tiles, an offline plan map writes the extract's own names instead: places
(:func:`places_map`) and streets (:func:`streets_map`), under the zone labels and never
overlapping them or each other.
"""

from carezones.maps import figures
from carezones.maps.context import boundary_map, places_map
from carezones.maps.figures import (
    hide_overlapping_labels,
    hours_figure,
    rate_curve_figure,
    tornado_figure,
    travel_to_care_figure,
    zones_figure,
)
from carezones.maps.layers import zone_colours
from carezones.maps.offline import OfflineMapWarning, leaflet_assets
from carezones.maps.pages import (
    base_map,
    network_map,
    plan_map,
    routes_page,
    save_map,
    then_now_map,
    to_html,
)
from carezones.maps.people import carers_map, demand_cells, demand_map, isochrone_map
from carezones.maps.routed import unserved_map, zone_routes_map
from carezones.maps.streets import STREET_CLASSES, street_labels, streets_map
from carezones.maps.zones import routes_map, whole_area, zones_map

__all__ = [
    "STREET_CLASSES",
    "OfflineMapWarning",
    "base_map",
    "boundary_map",
    "carers_map",
    "demand_cells",
    "demand_map",
    "figures",
    "hide_overlapping_labels",
    "hours_figure",
    "isochrone_map",
    "leaflet_assets",
    "network_map",
    "places_map",
    "plan_map",
    "rate_curve_figure",
    "routes_map",
    "routes_page",
    "save_map",
    "street_labels",
    "streets_map",
    "then_now_map",
    "tornado_figure",
    "to_html",
    "travel_to_care_figure",
    "unserved_map",
    "whole_area",
    "zone_colours",
    "zone_routes_map",
    "zones_figure",
    "zones_map",
]
