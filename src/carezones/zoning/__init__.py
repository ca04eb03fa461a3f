"""Neighbourhood zones around walkable routes, each carrying a sustainable number of hours.

The unit is the walking network, not the map's straight lines: a zone is one connected
piece of the walking network, compact in walking time, and carries at least
``min_weekly_hours``. :class:`NeighbourhoodZoner` (scikit-learn style) and its function
wrapper :func:`neighbourhood_zones` draw such zones; :func:`check_plan` measures any plan
(one drawn by hand included) and lists the rules it breaks; :func:`kmeans_zones`,
:func:`agglomerative_zones` and :func:`grid_zones` are the baselines every plan is compared with
(:func:`ward_zones` is the deprecated name of :func:`agglomerative_zones`).

How the zones are drawn
-----------------------
Clients sit on the walking network's *units* (its nodes, plus points every
``resolution`` metres along longer streets). Zones grow from well-spread centres as a
network Voronoi with additive weights tuned to meet the floor (one multi-source Dijkstra
per step, contiguous by construction); centres move to their zone's network median; then
boundary pieces move between zones while that shortens walks, never breaking the floor or
contiguity. With ``n_zones="auto"`` the zoner looks for the most zones that each meet the
floor (max-p style). See :mod:`carezones.zoning.core` for the numeric core.

A zone's polygon is the union of its units' Voronoi cells within the served area (the
network's convex hull plus ``resolution``), so the polygons cover the area without
overlaps, follow the streets, and the zone of an address is the zone of its nearest unit.
"""

from carezones.zoning.baselines import agglomerative_zones, grid_zones, kmeans_zones, ward_zones
from carezones.zoning.check import check_plan
from carezones.zoning.defaults import (
    MIN_PROVIDER_HOURS,
    MIN_WEEKLY_HOURS,
    N_INIT,
    TO_TENDER,
    check_zoner_options,
)
from carezones.zoning.files import read_zones
from carezones.zoning.geo import boundary_area, build_units, place_clients
from carezones.zoning.graph import drawn_pieces
from carezones.zoning.names import zone_names
from carezones.zoning.plan import PlanReport, ZonePlan, totals_line
from carezones.zoning.plan import finish as finish_plan
from carezones.zoning.providers import ProviderLots, provider_lots
from carezones.zoning.shapes import shape_figures
from carezones.zoning.units import align_to_units, dissolve_plan, read_units, unit_zones
from carezones.zoning.zoner import NeighbourhoodZoner, neighbourhood_zones

__all__ = [
    "MIN_PROVIDER_HOURS",
    "MIN_WEEKLY_HOURS",
    "N_INIT",
    "NeighbourhoodZoner",
    "TO_TENDER",
    "PlanReport",
    "ProviderLots",
    "ZonePlan",
    "agglomerative_zones",
    "align_to_units",
    "boundary_area",
    "build_units",
    "check_plan",
    "check_zoner_options",
    "dissolve_plan",
    "drawn_pieces",
    "finish_plan",
    "grid_zones",
    "kmeans_zones",
    "neighbourhood_zones",
    "place_clients",
    "provider_lots",
    "read_units",
    "read_zones",
    "shape_figures",
    "totals_line",
    "unit_zones",
    "ward_zones",
    "zone_names",
]
