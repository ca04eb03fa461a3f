"""Whole maps: a base map, the network, a plan, then beside now; saved as HTML.

See :mod:`carezones.maps` for what every map shows and how client data is kept off it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import DualMap

from carezones.exceptions import ProblemCollector
from carezones.maps import layers as ml
from carezones.maps.context import boundary_map, places_map
from carezones.maps.layers import TILES as _TILES
from carezones.maps.layers import ensure_map as _map
from carezones.maps.layers import new_map as _new_map
from carezones.maps.offline import offline_html, without_tiles
from carezones.maps.people import carers_map, demand_map, isochrone_map
from carezones.maps.routed import unserved_map, zone_routes_map
from carezones.maps.streets import streets_map
from carezones.maps.zones import routes_map, zones_map
from carezones.network import TravelNetwork

__all__ = [
    "base_map",
    "network_map",
    "plan_map",
    "routes_page",
    "save_map",
    "then_now_map",
    "to_html",
]

_OSM = "&copy; OpenStreetMap contributors"


def base_map(
    network: TravelNetwork | None = None,
    *,
    offline: bool = False,
    tiles: str | None = _TILES,
    mode: str = "walk",
) -> folium.Map:
    """An empty map: web tiles, or (``offline=True``) the network as the background.

    Parameters
    ----------
    network
        Optional network: drawn as a thin grey layer and sets the view.
    offline
        True: no tiles (they need the internet); the network is the background.
    tiles
        Folium tiles for online maps (None: none).
    mode
        {"walk", "cycle", "drive"} The network drawn.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> m = base_map(net, offline=True)
    >>> "cz-network" in m.get_root().render()
    True
    """
    m = _new_map(None if offline else tiles)
    if network is not None:
        network_map(network, m=m, mode=mode)
    return m


def network_map(
    network: TravelNetwork, *, m: folium.Map | None = None, mode: str = "walk"
) -> folium.Map:
    """The network's streets as one thin, non-clickable grey layer.

    Parameters
    ----------
    network
        The networks.
    m
        A map to add the layer to; None makes one.
    mode
        {"walk", "cycle", "drive"} The network drawn.

    Examples
    --------
    >>> from carezones import datasets
    >>> m = network_map(datasets.load_default_network(modes="walk"))
    >>> "Walking network" in m.get_root().render()
    True
    """
    m = _map(m)
    edges = network.edges[mode]
    lines = shapely.simplify(edges.geometry.to_numpy(), 2.0)
    merged = gpd.GeoDataFrame(
        {"mode": [mode]}, geometry=[shapely.multilinestrings(lines)], crs=edges.crs
    )
    name = f"{ml.MODE_NAMES.get(mode, mode).capitalize()} network"
    folium.GeoJson(
        ml.feature_collection(merged, [], precision=5),  # about 1 m
        name=ml.layer_name(name),
        style_function=lambda _: {"color": "#8f8f8f", "weight": 1.3, "opacity": 0.9},
        interactive=False,
        className="cz-network",
        attribution=_OSM,
    ).add_to(m)
    ml.extend_bounds(m, merged)
    ml.keep_layer_control_last(m)
    return m


def plan_map(
    zones: Any = None,
    *,
    lots: Any = None,
    routes: Any = None,
    clients: gpd.GeoDataFrame | None = None,
    carers: gpd.GeoDataFrame | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    network: TravelNetwork | None = None,
    places: gpd.GeoDataFrame | None = None,
    boundary: Any = None,
    m: folium.Map | None = None,
    offline: bool = False,
    title: str | None = None,
    street_names: bool | None = None,
    fill_opacity: float = 0.45,
) -> folium.Map:
    """A whole plan on one map: network, zones, lots, demand, routes and carers' homes.

    Every part is optional. Demand (hexagons) and carers' homes start switched off in
    the layer control, so zones and routes read clearly; see the other functions for
    what each layer shows.

    Parameters
    ----------
    places
        Named places (``name``, ``place``, points: :func:`carezones.network.osm_places`)
        written as quiet labels that give way to the zone labels; only those inside the
        zones (or the boundary) when there are any, and none a zone is named after.
    boundary
        The served area's polygons (a borough): drawn as a dark dashed line.
    offline
        Draw ``network`` as the background instead of web tiles (for a map that will be
        saved with ``save_map(m, path, offline=True)``).
    title
        A title shown at the top left.
    street_names
        Write the names of ``network``'s streets (:func:`carezones.maps.streets_map`),
        giving way to zone and place labels; None (the default): on offline maps, which
        have no tiles to name them.
    fill_opacity
        How strongly zones are filled (see :func:`carezones.maps.zones_map`).

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> clients, carers, _ = datasets.synthetic_population(
    ...     net, n_clients=30, n_carers=5, n_providers=1, random_state=0)
    >>> m = plan_map(clients=clients, carers=carers, network=net, offline=True)
    >>> page = m.get_root().render()
    >>> "cz-demand" in page, "cz-carer" in page, "tile" in page.lower()
    (True, True, False)
    """
    if m is None:
        m = base_map(network, offline=offline)
    elif network is not None:
        network_map(network, m=m)
    if zones is not None:
        zones_map(zones, lots=lots, m=m, fill_opacity=fill_opacity)
    if boundary is not None:
        boundary_map(boundary, m=m)  # over the zones' fill
    within = boundary if boundary is not None else zones
    within = within if isinstance(within, gpd.GeoDataFrame) else None
    if places is not None and len(places):
        if isinstance(zones, gpd.GeoDataFrame) and "name" in zones and "name" in places:
            places = places[~places["name"].isin(set(zones["name"].astype(str)))]  # said already
        places_map(places, m=m, within=within)
    if network is not None and (offline if street_names is None else street_names):
        streets_map(network, m=m, within=within)
    if clients is not None:
        demand_map(clients, m=m, show=zones is None)
    if isochrones is not None:
        isochrone_map(isochrones, m=m)
    if routes is not None:
        legs = routes.to_geodataframe() if hasattr(routes, "to_geodataframe") else routes
        if isinstance(legs, gpd.GeoDataFrame) and "zone_id" in legs.columns:
            zone_routes_map(legs, m=m, names=_names(zones))  # a layer per zone
        else:
            routes_map(routes, m=m, colour_by="mode")
    if carers is not None:
        carers_map(carers, m=m)
    if title:
        ml.add_title(m, title)
        ml.keep_layer_control_last(m)
    return m


def _names(zones: Any) -> dict[str, str] | None:
    """``{zone_id: name}`` of a zones table (None without one or without names)."""
    if not isinstance(zones, gpd.GeoDataFrame) or "name" not in zones.columns:
        return None
    return dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str), strict=True))


def routes_page(
    zones: gpd.GeoDataFrame | None,
    legs: gpd.GeoDataFrame,
    *,
    unscheduled: pd.DataFrame | None = None,
    clients: gpd.GeoDataFrame | None = None,
    carers: gpd.GeoDataFrame | None = None,
    lots: Any = None,
    network: TravelNetwork | None = None,
    places: gpd.GeoDataFrame | None = None,
    boundary: Any = None,
    day: str | None = None,
    title: str | None = None,
) -> folium.Map:
    """A route plan on one offline page that reads at borough scale.

    The zones in their colours (lots outlined when the zones carry ``lot_id``), demand
    per hexagon, where visits went unserved (per hexagon, reasons in the tooltip) and,
    for one day, each zone's routes as a layer (:func:`zone_routes_map`). Carers' homes
    are an optional layer, off at first.

    Parameters
    ----------
    zones
        The zones routed (``zone_id``, ``name``, ``weekly_hours``; ``lot_id`` optional).
    legs
        ``RoutePlan.to_geodataframe()``.
    unscheduled
        The unscheduled visits (``client_id``, ``reason``, ``day``).
    day
        The day whose routes and unserved visits are drawn; default the first day routed.
    title
        The map's title (the day drawn is added).

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> legs = gpd.GeoDataFrame({"zone_id": [], "carer_id": [], "mode": []}, geometry=[],
    ...                         crs=net.crs)
    >>> page = routes_page(None, legs, network=net, title="t").get_root().render()
    >>> "cz-network" in page
    True
    """
    if day is None and len(legs) and "day" in legs.columns:
        day = str(legs["day"].iloc[0])
    if day is not None and "day" in legs.columns:
        legs = legs[legs["day"].astype(str) == day]
    lots_of = None
    if zones is not None and "lot_id" in zones.columns and zones["lot_id"].notna().any():
        lots_of = zones[["zone_id", "lot_id"]].assign(
            provider_id=zones["provider_id"] if "provider_id" in zones.columns else None
        ).dropna(subset=["lot_id"])
    shown = f"{title}: {day.capitalize()}'s routes" if title and day else title
    m = plan_map(zones, lots=lots if lots is not None else lots_of, network=network,
                 places=places, boundary=boundary, offline=True, title=shown,
                 fill_opacity=0.3)  # fmt: skip
    if clients is not None and len(clients):
        demand_map(clients, m=m, show=True)
    if unscheduled is not None and clients is not None and len(clients):
        lost = unscheduled
        if day is not None and "day" in unscheduled.columns:
            lost = unscheduled[unscheduled["day"].astype(str) == day]
        unserved_map(lost, clients, m=m, name=f"Unserved visits, {day.capitalize()}"
                     if day else "Unserved visits")  # fmt: skip
    if len(legs):
        zone_routes_map(legs, m=m, names=_names(zones))
    if carers is not None and len(carers):
        carers_map(carers, m=m)
    ml.keep_layer_control_last(m)
    return m


Side = Mapping[str, Any] | Callable[["folium.Map"], Any]


def then_now_map(
    then: Side,
    now: Side,
    *,
    titles: tuple[str, str] = ("Then", "Now"),
    network: TravelNetwork | None = None,
    offline: bool = False,
) -> Any:
    """Two plans side by side, moving together (``folium.plugins.DualMap``).

    Parameters
    ----------
    then, now
        What each side shows: keyword arguments of :func:`plan_map` (``zones``, ``lots``,
        ``routes``, ``clients``, ...), or a function that draws on the ``folium.Map`` it
        is given (e.g. ``lambda m: routes_map(old_routes, m=m)``).
    titles
        The two sides' titles.
    network
        Drawn under both sides (the background when ``offline``).
    offline
        No web tiles (see :func:`plan_map`).

    Returns
    -------
    folium.plugins.DualMap
        Its ``m1`` and ``m2`` are the two maps; it shows inline and saves like a map.

    Examples
    --------
    >>> import shapely
    >>> box = gpd.GeoDataFrame({"zone_id": ["Z1"], "weekly_hours": [900.0]},
    ...                        geometry=[shapely.box(0, 0, 800, 800)], crs=27700)
    >>> halves = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2"], "weekly_hours": [450.0, 450.0]},
    ...     geometry=[shapely.box(0, 0, 400, 800), shapely.box(400, 0, 800, 800)], crs=27700)
    >>> dm = then_now_map({"zones": box}, {"zones": halves}, titles=("2015", "2025"))
    >>> page = dm.get_root().render()
    >>> "2015" in page and "2025" in page
    True
    """
    dm = DualMap(tiles=None if offline else _TILES, control_scale=True)
    bounds = []
    for side, spec, title in ((dm.m1, then, titles[0]), (dm.m2, now, titles[1])):
        if network is not None:
            network_map(network, m=side)
        if callable(spec):
            spec(side)
        elif isinstance(spec, Mapping):
            plan_map(m=side, **{"offline": offline, **spec})
        else:
            raise ProblemCollector("then_now_map").error(
                "bad side", "a mapping or a function", type(spec).__name__
            )
        ml.add_title(side, title)
        ml.keep_layer_control_last(side)
        if getattr(side, "_carezones_bounds", None) is not None:
            bounds.append(side._carezones_bounds)
    if bounds:
        b = np.array(bounds)
        box = [[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]]
        for side in (dm.m1, dm.m2):
            side._children.pop("carezones_fit_bounds", None)
        dm.fit_bounds(box)
    return dm


def to_html(m: Any, *, offline: bool = False) -> str:
    """The map's page as HTML; ``offline=True``: self-contained (see :func:`save_map`).

    Parameters
    ----------
    m
        A ``folium.Map`` or a :func:`then_now_map` page.
    offline
        {False, True} Self-contained (see :func:`save_map`).

    Examples
    --------
    >>> import re
    >>> page = to_html(base_map(tiles=None), offline=True)
    >>> re.findall(r'<(?:script|link)[^>]*(?:src|href)="https?:', page), "L.map(" in page
    ([], True)
    """
    if not offline:
        return m.get_root().render()
    with without_tiles(m):
        page = m.get_root().render()
    return offline_html(page)


def save_map(m: Any, path: str | PathLike[str], *, offline: bool = False) -> Path:
    """Save a map (or a :func:`then_now_map`) as one HTML file.

    With ``offline=True`` the file opens with no internet: Leaflet 1.9.4's JavaScript and
    CSS (BSD-2-Clause) are inlined from the PyPI package ``django-js-lib-leaflet`` (it
    ships Leaflet's ``dist`` files as the npm package ``leaflet`` does, and needs no
    Django); folium's other defaults (jQuery, Bootstrap, Font Awesome), which carezones'
    maps do not use, are left out; web tiles are left out (build the map with
    ``offline=True`` to draw the network as the background); anything else that needs
    the internet is left out with an :class:`OfflineMapWarning`.

    Parameters
    ----------
    m
        A ``folium.Map``, or the side-by-side page of :func:`then_now_map`.
    path
        The HTML file to write.
    offline
        {False, True} Inline Leaflet and leave out web tiles, so the file opens with no
        internet.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_map(base_map(tiles=None), folder / "map.html", offline=True).stat().st_size > 100_000
    True
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_html(m, offline=offline), encoding="utf-8")
    return out
