"""The geography around a plan, offline: named places and the boundary (public in maps).

An offline map has no tiles, so nothing says where the streets are but the network
itself. :func:`places_map` writes the extract's own place names (``place=town|suburb|
village|quarter|neighbourhood``, from :func:`carezones.network.osm_places`) as quiet
labels, under the zone labels: a place label shows only where it clears every zone label
and every other place label at the current zoom. :func:`boundary_map` draws the area the
plan serves (a borough from ``--boundary``) as a dark dashed line.
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from carezones.exceptions import ProblemCollector
from carezones.maps import layers as ml
from carezones.maps.layers import ensure_map as _map

__all__ = ["boundary_map", "places_map"]

_CSS = """<style>
.cz-place-label {font: italic 11px/1.2 Georgia, serif; color: #4a4a4a; text-align: center;
  white-space: nowrap; pointer-events: none; letter-spacing: 0.02em;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff;}
</style>"""

_LINE = {"color": "#222", "weight": 2.5, "opacity": 0.85, "dashArray": "8 5"}

# The place kinds, the most important first: labels are placed (and kept) in this order.
_RANK = {"city": 0, "town": 1, "suburb": 2, "village": 3, "quarter": 4, "neighbourhood": 5}


def _frame(places: Any, where: str) -> gpd.GeoDataFrame:
    if not isinstance(places, gpd.GeoDataFrame) or places.crs is None:
        raise ProblemCollector(where).error(
            "bad places", "a GeoDataFrame with a CRS", type(places).__name__
        )
    if "name" not in places:
        raise ProblemCollector(where).error(
            "missing column", "name", ", ".join(map(str, places.columns)), column="name"
        )
    return places


def places_map(
    places: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    within: Any = None,
    name: str = "Places",
    max_places: int = 200,
) -> folium.Map:
    """Named places as labels that give way to the zone labels (and to each other).

    Parameters
    ----------
    places
        Points with a ``name`` (and optionally ``place``: towns before suburbs before
        neighbourhoods), e.g. :func:`carezones.network.osm_places`.
    m
        A map to add them to; None makes one.
    within
        Only places inside these shapes (a GeoDataFrame or GeoSeries with a CRS, e.g.
        the zones or the boundary) are drawn; None: every place.
    name
        The layer's name in the layer control.
    max_places
        At most this many labels, the most important kinds first.

    Returns
    -------
    folium.Map
        The map, with a "Places" layer.

    Examples
    --------
    >>> import shapely
    >>> towns = gpd.GeoDataFrame({"name": ["Oakham", "A <b>"], "place": ["town", "village"]},
    ...     geometry=[shapely.Point(-0.72, 52.67), shapely.Point(-0.6, 52.6)], crs=4326)
    >>> page = places_map(towns).get_root().render()
    >>> "Oakham" in page, "u0026lt;b" in page, "A <b>" in page  # escaped, JSON-encoded
    (True, True, False)
    """
    frame = _frame(places, "places_map").to_crs(4326)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame[frame["name"].notna() & (frame["name"].astype(str).str.strip() != "")]
    frame = ml.points_within(frame, within)
    rank = (
        frame["place"].map(_RANK).fillna(len(_RANK)).to_numpy()
        if "place" in frame
        else np.zeros(len(frame))
    )
    frame = frame.iloc[np.argsort(rank, kind="stable")].drop_duplicates("name").head(max_places)
    m = _map(m)
    group = folium.FeatureGroup(name=ml.layer_name(f"{name} ({len(frame)})"))
    for point, label in zip(frame.geometry, frame["name"].astype(str), strict=True):
        ml.add_text_label(
            group, point, f"<div class='cz-place-label'>{html.escape(label)}</div>",
            size=(120, 16), css_class="cz-place-icon",
        )  # fmt: skip
    group.add_to(m)
    ml.add_css_once(m, "places", _CSS)
    ml.add_declutter(m)
    ml.keep_layer_control_last(m)
    return m


def boundary_map(
    boundary: Any, *, m: folium.Map | None = None, name: str = "Boundary"
) -> folium.Map:
    """The served area's edge as a dark dashed line, with its name on hover.

    Parameters
    ----------
    boundary
        Polygons with a CRS (a GeoDataFrame or GeoSeries; a ``name`` column names it).
    m
        A map to add it to; None makes one.
    name
        The layer's name (the boundary's own name is added when it has one).

    Examples
    --------
    >>> import shapely
    >>> b = gpd.GeoDataFrame({"name": ["Rutland"]},
    ...                      geometry=[shapely.box(-0.8, 52.5, -0.4, 52.8)], crs=4326)
    >>> page = boundary_map(b).get_root().render()
    >>> "Boundary: Rutland" in page, "cz-boundary" in page
    (True, True)
    """
    if isinstance(boundary, gpd.GeoSeries):
        boundary = gpd.GeoDataFrame(geometry=boundary)
    if not isinstance(boundary, gpd.GeoDataFrame) or boundary.crs is None:
        raise ProblemCollector("boundary_map").error(
            "bad boundary", "polygons with a CRS", type(boundary).__name__
        )
    title = name
    if "name" in boundary and len(boundary):
        names = [str(n) for n in boundary["name"].dropna().unique()[:3]]
        if names:
            title = f"{name}: {', '.join(names)}"
    outline = shapely.union_all(shapely.make_valid(boundary.to_crs(4326).geometry.to_numpy()))
    frame = gpd.GeoDataFrame({"name": [title]}, geometry=[shapely.boundary(outline)], crs=4326)
    m = _map(m)
    folium.GeoJson(
        ml.feature_collection(frame, ["name"], precision=5),
        name=ml.layer_name(title),
        style_function=lambda _: _LINE,
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        className="cz-boundary",
    ).add_to(m)
    ml.extend_bounds(m, frame)
    ml.keep_layer_control_last(m)
    return m
