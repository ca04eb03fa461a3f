"""Street names on an offline map, from the network's own edges (public in maps).

An offline map has no tiles, so the only streets on it are the network drawn as the
background (:func:`carezones.maps.network_map`), with no names. :func:`street_labels`
finds where to write each named street: its edges are merged into lines, and each line
long enough to carry its name gets a label at its middle, turned along the street.
:func:`streets_map` writes them under the zone and place labels: a street label shows
only from a zoom that suits its class (main roads first) and only where it clears every
label already shown, so zone names, then place names, then street names win.
"""

from __future__ import annotations

import html
import math
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector
from carezones.maps import layers as ml
from carezones.maps.layers import ensure_map as _map
from carezones.network import TravelNetwork

__all__ = ["STREET_CLASSES", "street_labels", "streets_map"]

STREET_CLASSES: dict[str, int] = {
    "motorway": 13,
    "trunk": 13,
    "primary": 13,
    "secondary": 14,
    "tertiary": 14,
    "residential": 15,
    "unclassified": 15,
    "living_street": 16,
    "pedestrian": 16,
}
"""The OSM ``highway`` classes whose names are written, and the zoom each shows from."""

_CSS = """<style>
.cz-street-label {font: 10px/1.1 Arial, sans-serif; color: #5b5b5b; white-space: nowrap;
  pointer-events: none; position: absolute; left: 50%; top: 50%;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 2px #fff;}
</style>"""


def _first(value: Any) -> Any:
    """One value of a pyrosm attribute that may hold a list of them."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value if isinstance(value, str) and value.strip() else None


def street_labels(
    network: TravelNetwork,
    *,
    mode: str = "walk",
    classes: dict[str, int] | None = None,
    min_length: float = 120.0,
    spacing: float = 900.0,
) -> gpd.GeoDataFrame:
    """Where to write each named street: a point, an angle and the zoom it shows from.

    Parameters
    ----------
    network
        The networks; the ``name`` and ``highway`` of ``mode``'s edges are read.
    mode
        The network whose streets are named.
    classes
        ``highway`` class -> the zoom its names show from (default
        :data:`STREET_CLASSES`); other classes are not named.
    min_length
        Metres: a merged line shorter than this carries no name.
    spacing
        Metres: along one street, labels at least this far apart.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``highway``, ``min_zoom``, ``angle`` (degrees clockwise, text never
        upside down) and ``length_m``, one row per label, main roads and long lines
        first; points in EPSG:4326.

    Examples
    --------
    >>> from carezones import datasets
    >>> labels = street_labels(datasets.load_default_network(modes="walk"))
    >>> bool(len(labels)), bool(labels["angle"].between(-90, 90).all())
    (True, True)
    """
    classes = STREET_CLASSES if classes is None else classes
    if mode not in network.modes:
        raise ProblemCollector("street_labels").error(
            "unknown mode", " or ".join(network.modes), repr(mode)
        )
    edges = network.edges[mode]
    none = pd.Series(None, index=edges.index, dtype=object)
    names = edges["name"].map(_first) if "name" in edges else none
    kind = edges["highway"].map(_first) if "highway" in edges else none
    keep = names.notna() & kind.isin(list(classes))
    frame = gpd.GeoDataFrame(
        {"name": names[keep].astype(str), "highway": kind[keep].astype(str)},
        geometry=edges.geometry[keep].to_numpy(),
        crs=edges.crs,
    )
    if frame.crs is not None and frame.crs.is_geographic:
        frame = frame.to_crs(ml.metric_crs(frame))
    rank = {k: i for i, k in enumerate(sorted(classes, key=lambda k: classes[k]))}
    rows = []
    for name, part in frame.groupby("name", sort=True):
        best = min(part["highway"], key=lambda k: rank[k])
        merged = shapely.line_merge(shapely.union_all(part.geometry.to_numpy()))
        lines = sorted(shapely.get_parts(merged), key=lambda g: -g.length)
        placed: list[Any] = []
        for line in lines:
            if line.length < min_length:
                break
            mid = line.interpolate(0.5, normalized=True)
            if any(mid.distance(p) < spacing for p in placed):
                continue
            placed.append(mid)
            a = line.interpolate(max(0.0, 0.5 - 40.0 / line.length), normalized=True)
            b = line.interpolate(min(1.0, 0.5 + 40.0 / line.length), normalized=True)
            angle = -math.degrees(math.atan2(b.y - a.y, b.x - a.x))  # screen: y grows down
            angle = (angle + 90.0) % 180.0 - 90.0  # never upside down
            rows.append((name, best, classes[best], round(angle, 1), line.length, mid))
    out = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["name", "highway", "min_zoom", "angle", "length_m", "at"]),
        geometry="at",
        crs=frame.crs,
    )
    out = out.sort_values(["min_zoom", "length_m"], ascending=[True, False], kind="stable")
    return out.rename_geometry("geometry").to_crs(4326).reset_index(drop=True)


def streets_map(
    network: TravelNetwork,
    *,
    m: folium.Map | None = None,
    mode: str = "walk",
    within: Any = None,
    max_labels: int = 400,
    name: str = "Street names",
) -> folium.Map:
    """Street names, turned along their streets, giving way to zone and place labels.

    Parameters
    ----------
    network
        The networks (see :func:`street_labels`).
    m
        A map to add them to; None makes one.
    mode
        The network whose streets are named.
    within
        Only labels inside these shapes (a GeoDataFrame or GeoSeries with a CRS, e.g.
        the zones or the boundary); None: every label.
    max_labels
        At most this many labels, main roads and long streets first.
    name
        The layer's name in the layer control.

    Returns
    -------
    folium.Map
        The map, with a "Street names" layer.

    Examples
    --------
    >>> from carezones import datasets
    >>> page = streets_map(datasets.load_default_network(modes="walk")).get_root().render()
    >>> "cz-street-label" in page, "Mannerheimintie" in page
    (True, True)
    """
    labels = ml.points_within(street_labels(network, mode=mode), within).head(max_labels)
    m = _map(m)
    group = folium.FeatureGroup(name=ml.layer_name(f"{name} ({len(labels)})"))
    for point, text, zoom, angle in zip(
        labels.geometry, labels["name"], labels["min_zoom"], labels["angle"], strict=True
    ):
        turn = f"transform: translate(-50%, -50%) rotate({float(angle):.1f}deg)"
        body = (
            f"<div class='cz-street-label' data-cz-minzoom='{int(zoom)}' style='{turn}'>"
            f"{html.escape(str(text))}</div>"
        )
        ml.add_text_label(group, point, body, size=(160, 14), css_class="cz-street-icon")
    group.add_to(m)
    ml.add_css_once(m, "streets", _CSS)
    ml.add_declutter(m)
    ml.keep_layer_control_last(m)
    return m
