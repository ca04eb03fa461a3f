"""Building blocks of carezones' Folium maps: colours, GeoJSON, hexagons, legends, bounds.

Shared by :mod:`carezones.maps` and (colours) :mod:`carezones.figures`. Nothing here
draws client points: hexagons are laid on a fixed grid of the metric CRS (its origin is
the CRS's, never the data's), so a cell's corners say nothing about who is in it.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from carezones.exceptions import ProblemCollector

__all__ = [
    "CARER_COLOURS",
    "LOT_COLOURS",
    "MODE_COLOURS",
    "MODE_DASHES",
    "SEQUENTIAL",
    "add_legend",
    "layer_name",
    "extend_bounds",
    "feature_collection",
    "hex_cells",
    "hex_polygons",
    "keep_layer_control_last",
    "lot_table",
    "metric_crs",
    "points_frame",
    "zone_colours",
    "zones_frame",
]

# Colour-blind-safe qualitative colours (Okabe-Ito first, then Tableau's), for lots.
LOT_COLOURS = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F",
)  # fmt: skip
# Fills of zones: light enough for labels, routes and demand on top, distinct from each
# other (ColorBrewer Set3 and Pastel1, then Tableau's light half), none of them purple
# (demand) or red (unserved visits).
ZONE_COLOURS = (
    "#8dd3c7", "#ffffb3", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bebada", "#ccebc5",
    "#ffed6f", "#d9d9d9", "#a6cee3", "#b2df8a", "#fbb4ae", "#decbe4", "#fed9a6", "#e5d8bd",
    "#9edae5", "#c5b0d5", "#dbdb8d", "#c49c94",
)  # fmt: skip
# Strong, distinct colours for carers' routes (Tableau 20 without the palest ones).
CARER_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#7b4173", "#e6550d", "#3182bd",
)  # fmt: skip
MODE_COLOURS = {"walk": "#1b9e77", "cycle": "#2c7fb8", "drive": "#636363"}
MODE_DASHES = {"walk": None, "cycle": "10 6", "drive": "2 6"}
MODE_NAMES = {"walk": "walking", "cycle": "cycling", "drive": "driving"}
# Yellow to red, five classes (ColorBrewer YlOrRd).
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")

_PRECISION = 6  # decimal degrees, about 0.1 m
TILES = "OpenStreetMap"


def new_map(tiles: str | None = TILES) -> Any:
    """A folium map with a scale bar, fitted later to what is drawn."""
    return folium.Map(location=None, tiles=tiles, control_scale=True, zoom_start=14, zoom_snap=0.25)


def ensure_map(m: Any) -> Any:
    """``m``, or a new online map when None."""
    return new_map() if m is None else m


def _bad(where: str, what: str, expected: str, found: str, column: str | None = None) -> None:
    raise ProblemCollector(where).error(what, expected, found, column=column)


def zones_frame(zones: Any, where: str) -> gpd.GeoDataFrame:
    """The zones GeoDataFrame of a ZonePlan, a fitted zoner or a GeoDataFrame."""
    if hasattr(zones, "zones_"):
        zones = zones.zones_
    elif hasattr(zones, "zones") and isinstance(zones.zones, gpd.GeoDataFrame):
        zones = zones.zones
    if not isinstance(zones, gpd.GeoDataFrame):
        _bad(where, "bad zones", "a GeoDataFrame, ZonePlan or fitted zoner", type(zones).__name__)
    if "zone_id" not in zones.columns:
        _bad(where, "missing column", "a zone_id column", ", ".join(map(str, zones.columns)))
    if zones.crs is None:
        _bad(where, "no CRS", "zones with a CRS set", "crs=None", column="geometry")
    return zones


def zone_colours(zones: gpd.GeoDataFrame, *, gap: float = 25.0) -> dict[str, str]:
    """One colour per zone, different from every neighbour's: the same on every map of a run.

    Zones are coloured in the order of their ids (Z2 before Z10), each with the colour
    used least so far among those no neighbour (a zone within ``gap`` metres) has, so a
    plan's colours depend only on its zones: ``zones.html``, ``routes.html``, the
    scenario's ``plan.html`` and the report's figures agree.

    Examples
    --------
    >>> import shapely
    >>> cells = [shapely.box(x, 0, x + 500, 500) for x in (0, 500, 1000, 3000)]
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2", "Z3", "Z4"]}, geometry=cells,
    ...                          crs=27700)
    >>> c = zone_colours(zones)
    >>> c["Z1"] != c["Z2"] != c["Z3"], len(set(c.values()))
    (True, 4)
    """
    frame = zones_frame(zones, "zone_colours")
    ids = frame["zone_id"].astype(str).to_numpy()
    metric = frame.to_crs(metric_crs(frame)).geometry.to_numpy()
    valid = shapely.make_valid(metric)
    tree = shapely.STRtree(valid)
    pairs = tree.query(shapely.buffer(valid, gap), predicate="intersects")
    near: dict[int, set[int]] = {i: set() for i in range(len(ids))}
    for a, b in zip(*pairs, strict=True):
        if a != b:
            near[int(a)].add(int(b))
            near[int(b)].add(int(a))
    colour: dict[int, int] = {}
    used = [0] * len(ZONE_COLOURS)
    for i in sorted(range(len(ids)), key=lambda k: natural_key(ids[k])):
        taken = {colour[j] for j in near[i] if j in colour}
        free = [c for c in range(len(ZONE_COLOURS)) if c not in taken] or list(
            range(len(ZONE_COLOURS))
        )
        pick = min(free, key=lambda c: (used[c], c))
        colour[i] = pick
        used[pick] += 1
    return {ids[i]: ZONE_COLOURS[colour[i]] for i in range(len(ids))}


def points_frame(points: Any, where: str) -> gpd.GeoDataFrame:
    """Point rows with a CRS (client or carer tables)."""
    if not isinstance(points, gpd.GeoDataFrame):
        _bad(where, "bad table", "a GeoDataFrame of points", type(points).__name__)
    if points.crs is None:
        _bad(where, "no CRS", "points with a CRS set", "crs=None", column="geometry")
    kinds = set(points.geometry.geom_type.dropna())
    if kinds - {"Point"}:
        _bad(where, "bad geometry", "points", ", ".join(sorted(kinds)), column="geometry")
    return points[points.geometry.notna() & ~points.geometry.is_empty]


def lot_table(lots: Any, where: str) -> pd.DataFrame:
    """``zone_id``, ``lot_id``, ``provider_id`` from ProviderLots, a table or a mapping."""
    if lots is None:
        return pd.DataFrame(columns=["zone_id", "lot_id", "provider_id"])
    if hasattr(lots, "zones") and isinstance(lots.zones, pd.DataFrame):
        lots = lots.zones
    if isinstance(lots, pd.Series):
        lots = lots.rename("lot_id").rename_axis("zone_id").reset_index()
    elif isinstance(lots, dict):
        lots = pd.DataFrame({"zone_id": list(lots), "lot_id": list(lots.values())})
    if not isinstance(lots, pd.DataFrame) or not {"zone_id", "lot_id"} <= set(lots.columns):
        _bad(
            where,
            "bad lots",
            "ProviderLots, a table with zone_id and lot_id, or {zone_id: lot_id}",
            type(lots).__name__,
        )
    out = lots[["zone_id", "lot_id"]].astype(str).copy()
    out["provider_id"] = lots["provider_id"] if "provider_id" in lots.columns else None
    return out.reset_index(drop=True)


def metric_crs(frame: gpd.GeoDataFrame) -> Any:
    """The frame's CRS when projected in metres, else its UTM zone."""
    crs = frame.crs
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    return frame.estimate_utm_crs()


def feature_collection(
    frame: gpd.GeoDataFrame, properties: Sequence[str], *, precision: int = _PRECISION
) -> dict[str, Any]:
    """GeoJSON (lon/lat, coordinates to ``precision`` decimals) with only ``properties``.

    Every text property is HTML-escaped: folium's tooltips and popups write property
    values into ``innerHTML``, so an id such as ``<img src=x onerror=...>`` must arrive
    as text, never as markup.
    """
    wgs = frame.to_crs(4326) if frame.crs is not None else frame
    geoms = shapely.transform(wgs.geometry.to_numpy(), lambda c: np.round(c, precision))
    features = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        props = {}
        for name in properties:
            value = frame[name].iat[i]
            value = value.item() if isinstance(value, np.generic) else value
            props[name] = html.escape(value) if isinstance(value, str) else value
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        )
    return json.loads(json.dumps({"type": "FeatureCollection", "features": features}, default=str))


def hex_cells(xy: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) of the pointy-top hexagon, ``size`` metres across flats, holding each point."""
    radius = size / math.sqrt(3)
    x, y = xy[:, 0] / radius, xy[:, 1] / radius
    q = math.sqrt(3) / 3 * x - y / 3
    r = 2 / 3 * y
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return rq.astype(np.int64), rr.astype(np.int64)


def hex_centres(q: np.ndarray, r: np.ndarray, size: float) -> np.ndarray:
    """Centres of hexagons (q, r)."""
    radius = size / math.sqrt(3)
    return np.column_stack([radius * math.sqrt(3) * (q + r / 2), radius * 1.5 * r])


def hex_polygons(q: np.ndarray, r: np.ndarray, size: float) -> np.ndarray:
    """Polygons of hexagons (q, r)."""
    radius = size / math.sqrt(3)
    centres = hex_centres(q, r, size)
    angles = np.deg2rad(30 + 60 * np.arange(6))
    corners = np.column_stack([np.cos(angles), np.sin(angles)]) * radius
    rings = centres[:, None, :] + corners[None, :, :]
    return shapely.polygons(rings)


def extend_bounds(m: Any, frame: gpd.GeoDataFrame | None) -> None:
    """Widen the view kept for ``m`` to take in ``frame`` and fit the map to it."""
    if frame is None or frame.empty:
        return
    west, south, east, north = frame.to_crs(4326).total_bounds
    if not np.isfinite([west, south, east, north]).all():
        return
    old = getattr(m, "_carezones_bounds", None)
    if old is not None:
        west, south = min(west, old[0]), min(south, old[1])
        east, north = max(east, old[2]), max(north, old[3])
    m._carezones_bounds = (west, south, east, north)
    fit = folium.map.FitBounds([[south, west], [north, east]], padding=(10, 10))
    m.add_child(fit, name="carezones_fit_bounds")


def keep_layer_control_last(m: Any, *, collapsed: bool | None = None) -> None:
    """One layer control per map, rendered after every layer.

    ``collapsed``: folded into a button (a map of many layers, such as one routes layer
    per zone); None keeps what the control already is (open at first).
    """
    name = "carezones_layer_control"
    if name not in m._children:
        m.add_child(folium.LayerControl(collapsed=False, position="topright"), name=name)
    if collapsed is not None:
        m._children[name].options["collapsed"] = collapsed
    m._children.move_to_end(name)


# Labels never overlap, and every zone keeps a label: after every zoom or move, each zone's
# id badge is placed first (small: they hardly ever collide); then each zone's full label
# (name, hours; the larger zones first) replaces its own badge wherever it clears every
# label already shown; then each place label likewise, so places give way to zones; then
# each street label, from the zoom in its data-cz-minzoom. Each shown label's box is kept
# in data-cz-box (left,top,right,bottom) for checks.
_DECLUTTER = """
(function () {
  function declutter() {
    var zoom = MAP.getZoom();
    var view = MAP.getContainer().getBoundingClientRect();
    var badges = [], fulls = [], others = [];
    // every box is read first, then every label shown or hidden: one layout, not one each
    ['.cz-label-icon', '.cz-place-icon', '.cz-street-icon'].forEach(function (kind) {
      MAP.getContainer().querySelectorAll(kind).forEach(function (icon) {
        var label = icon.firstElementChild || icon;
        var r = null;
        if (zoom >= +(label.getAttribute('data-cz-minzoom') || 0)) {
          var range = document.createRange();
          range.selectNodeContents(label);  // the text's own box, not the icon's
          r = range.getBoundingClientRect();
          if (r.right < view.left || r.left > view.right || r.bottom < view.top ||
              r.top > view.bottom) { r = null; }  // off the map: shown again once in view
        }
        var item = [icon, r];
        var badge = label.classList && label.classList.contains('cz-zone-badge');
        if (kind !== '.cz-label-icon') { others.push(item); }
        else if (badge) { badges.push(item); } else { fulls.push(item); }
      });
    });
    var shown = [];
    function hits(r, skip) {
      return r === null || r.width === 0 || shown.some(function (s) {
        return s !== skip && r.left < s.right && s.left < r.right && r.top < s.bottom &&
          s.top < r.bottom;
      });
    }
    function set(icon, r, on) {
      icon.style.visibility = on ? 'visible' : 'hidden';
      icon.setAttribute('data-cz-box', on ? [r.left, r.top, r.right, r.bottom]
        .map(Math.round).join(',') : '');
    }
    var mine = badges.map(function (item) {  // 1. every zone's id
      var on = !hits(item[1], null);
      set(item[0], item[1], on);
      if (on) { shown.push(item[1]); return item[1]; }
      return null;
    });
    fulls.forEach(function (item, i) {  // 2. full labels, each in place of its own id
      var own = i < mine.length ? mine[i] : null;
      var on = !hits(item[1], own);
      set(item[0], item[1], on);
      if (on) {
        if (own !== null) { shown.splice(shown.indexOf(own), 1); set(badges[i][0], own, false); }
        shown.push(item[1]);
      }
    });
    others.forEach(function (item) {  // 3. places, then streets
      var on = !hits(item[1], null);
      set(item[0], item[1], on);
      if (on) { shown.push(item[1]); }
    });
  }
  window.addEventListener('load', function () {  // after the map's own script has run
    if (typeof MAP === 'undefined') { return; }
    MAP.on('zoomend moveend overlayadd overlayremove', declutter);
    declutter();
  });
})();
"""


def add_text_label(
    group: Any, point: Any, body: str, *, size: tuple[int, int], css_class: str
) -> None:
    """A non-clickable text label (``body`` is HTML the caller has escaped) at a point."""
    folium.Marker(
        [point.y, point.x],
        icon=folium.DivIcon(
            html=body,
            icon_size=size,
            icon_anchor=(size[0] // 2, size[1] // 2),
            class_name=css_class,
        ),
        interactive=False,
    ).add_to(group)


def points_within(frame: gpd.GeoDataFrame, within: Any) -> gpd.GeoDataFrame:
    """The rows of ``frame`` (points, EPSG:4326) inside ``within`` (shapes with a CRS)."""
    if within is None or not len(frame):
        return frame
    shapes = within.geometry if isinstance(within, gpd.GeoDataFrame) else within
    area = shapely.union_all(shapely.make_valid(shapes.to_crs(4326).to_numpy()))
    return frame[shapely.covers(area, frame.geometry.to_numpy())]


def add_css_once(m: Any, key: str, css: str) -> None:
    """A ``<style>`` block in the page's head, once per map and ``key``."""
    done = m.__dict__.setdefault("_carezones_css", set())
    if key not in done:
        done.add(key)
        m.get_root().header.add_child(folium.Element(css))


def add_declutter(m: Any) -> None:
    """Keep the map's zone, place and street labels apart (once per map)."""
    if getattr(m, "_carezones_declutter", False):
        return
    m._carezones_declutter = True
    m.get_root().script.add_child(folium.Element(_DECLUTTER.replace("MAP", m.get_name())))


_LEGEND_CSS = """
.cz-legend {background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 Arial, sans-serif; color: #222;
  max-height: 45vh; overflow-y: auto;}
.cz-legend b.cz-title {display: block; margin-bottom: 3px;}
.cz-legend .cz-swatch {display: inline-block; width: 14px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,0.35);}
.cz-legend .cz-note {color: #555; font-size: 11px; margin-top: 3px; max-width: 220px;}
.cz-zone-label {font: 11px/1.2 Arial, sans-serif; color: #111; text-align: center;
  white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff;}
.cz-zone-badge {font: bold 11px/14px Arial, sans-serif; color: #111; text-align: center;
  background: rgba(255,255,255,0.85); border: 1px solid #555; border-radius: 7px;
  padding: 0 3px; display: table; margin: 0 auto; white-space: nowrap; pointer-events: none;}
.cz-title-box {background: rgba(255,255,255,0.92); padding: 4px 10px; border-radius: 4px;
  font: bold 15px Arial, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);}
.leaflet-container {background: #f4f3ef;}
"""


class _Box(MacroElement):
    """A Leaflet control holding fixed HTML, shown while any of its layers is on."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var layers = [{% for layer in this.layers %}{{ layer.get_name() }},{% endfor %}];
          var box = L.control({position: {{ this.position|tojson }}});
          box.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          box.addTo(map);
          function update() {
            var on = layers.length === 0 || layers.some(function (l) { return map.hasLayer(l); });
            box.getContainer().style.display = on ? "" : "none";
          }
          map.on("overlayadd overlayremove", update);
          update();
          setTimeout(update, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str, position: str, css_class: str, layers: Sequence[Any]) -> None:
        super().__init__()
        self._name = "CarezonesBox"
        self.css = _LEGEND_CSS
        self.body = body
        self.position = position
        self.css_class = css_class
        self.layers = list(layers)


def _legend_element(body: str, position: str, css_class: str, layers: Sequence[Any]) -> _Box:
    return _Box(body, position, css_class, layers)


def add_legend(
    m: Any,
    title: str,
    rows: Iterable[tuple[str, str]],
    *,
    note: str | None = None,
    key: str,
    layers: Sequence[Any] = (),
    position: str = "bottomright",
) -> None:
    """A legend box (bottom right), shown while any of ``layers`` is on (always when none).

    ``rows`` are (swatch HTML, label); labels and ``note`` are escaped here.
    """
    parts = [f"<b class='cz-title'>{html.escape(title)}</b>"]
    parts += [f"<div>{swatch}{html.escape(label)}</div>" for swatch, label in rows]
    if note:
        parts.append(f"<div class='cz-note'>{html.escape(note)}</div>")
    m.add_child(
        _legend_element("".join(parts), position, "cz-legend", layers), name=f"legend_{key}"
    )


def natural_key(value: object) -> tuple:
    """Sort key reading the numbers in an id as numbers: "L2" before "L10"."""
    parts = re.split(r"(\d+)", str(value))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def layer_name(text: object) -> str:
    """A layer's name for the layer control, HTML-escaped (Leaflet writes it as HTML)."""
    return html.escape(str(text))


def add_title(m: Any, title: str) -> None:
    """A title box (top left, under the zoom buttons)."""
    m.add_child(
        _legend_element(html.escape(title), "topleft", "cz-title-box", ()),
        name="carezones_title",
    )


def fill_swatch(colour: str, opacity: float = 0.6) -> str:
    """A filled square."""
    return f"<span class='cz-swatch' style='background:{colour};opacity:{opacity}'></span>"


def line_swatch(colour: str, dash: str | None, width: float = 3) -> str:
    """A short line, solid or dashed."""
    dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
    return (
        "<svg width='30' height='10' style='margin-right:5px;vertical-align:0'>"
        f"<line x1='1' y1='5' x2='29' y2='5' stroke='{colour}' stroke-width='{width}'"
        f"{dash_attr}/></svg>"
    )


def dot_swatch(colour: str) -> str:
    """A round dot."""
    return (
        "<svg width='14' height='12' style='margin-right:5px;vertical-align:-1px'>"
        f"<circle cx='7' cy='6' r='5' fill='{colour}' fill-opacity='0.8' stroke='#333'/></svg>"
    )


def class_breaks(values: np.ndarray, n: int = 5) -> np.ndarray:
    """Up to ``n`` quantile classes (upper bounds), rounded to readable numbers."""
    if len(values) == 0:
        return np.array([1.0])
    qs = np.quantile(values, np.linspace(0, 1, n + 1)[1:])
    nice = np.array([_nice(v) for v in qs])
    nice[-1] = max(nice[-1], float(np.max(values)))
    return np.unique(nice)


def number(value: float) -> str:
    """A number for a legend: whole above 10, two significant digits below."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _nice(value: float) -> float:
    if value <= 0:
        return 0.0
    digits = max(0, 1 - math.floor(math.log10(value)))
    return float(math.ceil(value * 10**digits) / 10**digits)
