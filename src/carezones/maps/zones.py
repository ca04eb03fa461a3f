"""Zones and routes layers of :mod:`carezones.maps` (public there)."""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from carezones.maps import layers as ml
from carezones.maps.layers import ensure_map as _map

__all__ = ["MODE_COLOURS", "leg_text", "routes_map", "trim_legs", "whole_area", "zones_map"]


def _label_points(zones: gpd.GeoDataFrame) -> gpd.GeoSeries:
    metric = zones.to_crs(ml.metric_crs(zones))
    points = []
    for geom in metric.geometry:
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        points.append(polylabel(geom, tolerance=2.0) if geom.area > 0 else geom.centroid)
    return gpd.GeoSeries(points, crs=metric.crs).to_crs(4326)


def _zone_properties(zones: gpd.GeoDataFrame, lots: pd.DataFrame) -> pd.DataFrame:
    z = pd.DataFrame({"zone_id": zones["zone_id"].astype(str).to_numpy()})
    z["name"] = (
        [
            "" if pd.isna(n) or str(n) == zid else str(n)
            for n, zid in zip(zones["name"], z["zone_id"], strict=True)
        ]
        if "name" in zones
        else ""
    )
    lot_of = dict(zip(lots["zone_id"], lots["lot_id"], strict=True))
    provider_of = dict(zip(lots["zone_id"], lots["provider_id"], strict=True))
    z["lot_id"] = z["zone_id"].map(lot_of)
    z["lot"] = [
        "" if pd.isna(lot) else (f"{lot} ({p})" if p is not None and not pd.isna(p) else lot)
        for lot, p in zip(z["lot_id"], z["zone_id"].map(provider_of), strict=True)
    ]
    z["hours"] = (
        [f"{h:,.0f} h/week" for h in zones["weekly_hours"]] if "weekly_hours" in zones else ""
    )
    z["clients"] = [f"{int(n)}" for n in zones["n_clients"]] if "n_clients" in zones else ""
    z["area"] = [f"{a:.2f} km²" for a in zones["area_km2"]] if "area_km2" in zones else ""
    z["walk"] = (
        [f"{t:.1f} min" for t in zones["minutes_to_centre"]] if "minutes_to_centre" in zones else ""
    )
    return z


def zones_map(
    zones: Any,
    *,
    lots: Any = None,
    m: folium.Map | None = None,
    labels: bool = True,
    name: str = "Zones",
    fill_opacity: float = 0.45,
) -> folium.Map:
    """Zones each in its own colour, provider lots outlined, labelled, with tooltips.

    Each zone has the colour :func:`~carezones.maps.layers.zone_colours` gives it (never a
    neighbour's, the same on every map of the plan); a provider lot is a heavy outline
    round its zones. Each zone is labelled with its name, id and hours; where that label
    would cover another, its id alone is written, and the legend lists every zone by id,
    so every zone can be found at any zoom.

    Parameters
    ----------
    zones
        A zones GeoDataFrame (``zone_id``; ``name``, ``weekly_hours``, ``n_clients``,
        ``area_km2``, ``minutes_to_centre`` shown when present), a
        :class:`~carezones.ZonePlan` or a fitted :class:`~carezones.NeighbourhoodZoner`.
    lots
        The zones' provider lots: :class:`~carezones.ProviderLots`, a table with
        ``zone_id`` and ``lot_id`` (``provider_id`` optional) or ``{zone_id: lot_id}``.
        None: no lot outlines.
    labels
        Write each zone's name, id, hours and clients on it.
    name
        The layer's name in the layer control.
    fill_opacity
        How strongly zones are filled (lower under routes and demand).

    Examples
    --------
    >>> import shapely
    >>> cells = [shapely.box(x, 0, x + 500, 500) for x in (0, 500, 1000)]
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2", "Z3"],
    ...     "weekly_hours": [1100.0, 1050.0, 990.0], "n_clients": [80, 75, 70]},
    ...     geometry=cells, crs=27700)
    >>> m = zones_map(zones, lots={"Z1": "L1", "Z2": "L1", "Z3": "L2"})
    >>> page = m.get_root().render()
    >>> "1,100 h/wk" in page, "cz-zone-label" in page, "cz-zone-badge" in page
    (True, True, True)
    """
    zones = ml.zones_frame(zones, "zones_map")
    lots = _lots_of_polygons(zones, lots)
    lot_rows = ml.lot_table(lots, "zones_map")
    m = _map(m)
    props = _zone_properties(zones, lot_rows)
    colour_of = ml.zone_colours(zones)
    props["colour"] = props["zone_id"].map(colour_of)
    frame = gpd.GeoDataFrame(props, geometry=zones.geometry.to_numpy(), crs=zones.crs)
    shown = ["zone_id", "name", "lot", "hours", "clients", "area", "walk"]
    aliases = ["Zone", "Name", "Lot (provider)", "Hours", "Clients", "Area", "Walk to centre"]
    keep = [(f, a) for f, a in zip(shown, aliases, strict=True) if (props[f] != "").any()]
    layer = folium.GeoJson(
        ml.feature_collection(frame, [f for f, _ in keep] + ["colour"]),
        name=ml.layer_name(name),
        style_function=lambda f, o=fill_opacity: {
            "fillColor": f["properties"]["colour"],
            "color": "#444444",
            "weight": 1.2,
            "fillOpacity": o,
        },
        highlight_function=lambda _: {"weight": 3, "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(
            fields=[f for f, _ in keep], aliases=[a for _, a in keep], sticky=True
        ),
        className="cz-zone",
    ).add_to(m)
    layers = [layer]
    if lots is not None and len(lot_rows):
        layers.append(_lot_outlines(m, zones, lot_rows, name))
    if labels:
        _zone_labels(m, zones, props, name)
    ml.extend_bounds(m, zones)
    _zones_legend(m, zones, props, lot_rows, colour_of, layers)
    ml.keep_layer_control_last(m)
    return m


def _lot_outlines(
    m: folium.Map, zones: gpd.GeoDataFrame, lot_rows: pd.DataFrame, name: str
) -> folium.GeoJson:
    """Each provider lot as one heavy outline round its zones."""
    lot_of = dict(zip(lot_rows["zone_id"], lot_rows["lot_id"], strict=True))
    frame = zones[["geometry"]].assign(lot_id=zones["zone_id"].astype(str).map(lot_of))
    frame = frame[frame["lot_id"].notna()]
    metric = frame.to_crs(ml.metric_crs(frame))
    metric["geometry"] = shapely.make_valid(metric.geometry.to_numpy())
    outlines = metric.dissolve(by="lot_id").reset_index()
    outlines["geometry"] = outlines.geometry.boundary
    provider_of = dict(zip(lot_rows["lot_id"], lot_rows["provider_id"], strict=True))
    outlines["lot"] = [
        f"{lot} ({provider_of[lot]})" if provider_of.get(lot) is not None
        and not pd.isna(provider_of.get(lot)) else str(lot)
        for lot in outlines["lot_id"]
    ]  # fmt: skip
    return folium.GeoJson(
        ml.feature_collection(outlines, ["lot"]),
        name=ml.layer_name(f"{name}: provider lots (outlines)"),
        style_function=lambda _: {"color": "#111111", "weight": 4, "opacity": 0.8},
        interactive=False,
        className="cz-lot",
    ).add_to(m)


def whole_area(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Providers that each cover the whole area (a "then" plan): one shape, said so.

    Drawn as it is, such a plan stacks one identical polygon per provider, each label on
    the last; this is the area once, named "Whole area (N providers, no zones)", with
    the providers' hours and clients summed.

    Examples
    --------
    >>> import shapely
    >>> area = shapely.box(0, 0, 1000, 1000)
    >>> providers = gpd.GeoDataFrame({"zone_id": ["P01", "P02"], "weekly_hours": [600.0, 400.0]},
    ...                              geometry=[area, area], crs=27700)
    >>> one = whole_area(providers)
    >>> one[["zone_id", "name", "weekly_hours"]].to_dict("records")
    [{'zone_id': '2 providers, no zones', 'name': 'Whole area', 'weekly_hours': 1000.0}]
    """
    frame: dict[str, list[Any]] = {
        "zone_id": [f"{len(zones)} providers, no zones"],
        "name": ["Whole area"],
    }
    if "weekly_hours" in zones:
        frame["weekly_hours"] = [float(zones["weekly_hours"].sum())]
    if "n_clients" in zones:
        frame["n_clients"] = [int(zones["n_clients"].sum())]
    area = shapely.union_all(shapely.make_valid(zones.geometry.to_numpy()))
    return gpd.GeoDataFrame(frame, geometry=[area], crs=zones.crs)


def _lots_of_polygons(zones: gpd.GeoDataFrame, lots: Any) -> Any:
    """Lot polygons (the ``provider_lots`` layer of zones.gpkg) as each zone's lot.

    A zone belongs to the lot polygon that holds a point inside it; anything else is
    returned as given.
    """
    if not (
        isinstance(lots, gpd.GeoDataFrame)
        and "zone_id" not in lots.columns
        and "lot_id" in lots.columns
        and lots.crs is not None
    ):
        return lots
    inner = zones.geometry.representative_point().to_crs(lots.crs)
    rows = []
    for zone_id, point in zip(zones["zone_id"].astype(str), inner, strict=True):
        hit = lots[lots.geometry.covers(point)]
        rows.append(
            {
                "zone_id": zone_id,
                "lot_id": hit["lot_id"].iloc[0] if len(hit) else None,
                "provider_id": hit["provider_id"].iloc[0]
                if len(hit) and "provider_id" in hit
                else None,
            }
        )
    return pd.DataFrame(rows)


def _zone_labels(m: folium.Map, zones: gpd.GeoDataFrame, props: pd.DataFrame, name: str) -> None:
    """Full labels, then an id badge per zone: a badge shows where its full label cannot.

    The page's declutter (:func:`~carezones.maps.layers.add_declutter`) shows labels in
    this order and hides any that would cover one already shown: a zone's badge sits
    under its own full label, so it is hidden when that label is shown, and shown when
    the label gave way to another.
    """
    group = folium.FeatureGroup(name=ml.layer_name(f"{name}: labels"))
    points = _label_points(zones)
    order = sorted(range(len(zones)), key=lambda i: -float(zones.geometry.iloc[i].area))
    for i in order:  # larger zones first: they keep their full labels
        point, row = points.iloc[i], props.iloc[i]
        lines = [f"<b>{html.escape(row.zone_id)}</b>"]
        if row["name"]:
            lines = [f"<b>{html.escape(row['name'])}</b> ({html.escape(row.zone_id)})"]
        if row.hours:
            lines.append(html.escape(row.hours.replace("/week", "/wk")))
        if row.clients:
            lines.append(f"{html.escape(row.clients)} clients")
        ml.add_text_label(
            group, point, f"<div class='cz-zone-label'>{'<br>'.join(lines)}</div>",
            size=(110, 44), css_class="cz-label-icon",
        )  # fmt: skip
    for i in order:
        ml.add_text_label(
            group, points.iloc[i],
            f"<div class='cz-zone-badge'>{html.escape(props.iloc[i].zone_id)}</div>",
            size=(40, 16), css_class="cz-label-icon",
        )  # fmt: skip
    group.add_to(m)
    ml.add_declutter(m)


def _zones_legend(
    m: folium.Map,
    zones: gpd.GeoDataFrame,
    props: pd.DataFrame,
    lot_rows: pd.DataFrame,
    colour_of: dict[str, str],
    layers: list[Any],
) -> None:
    """Every zone by id (its colour, name and hours), then the provider lots."""
    hours = zones["weekly_hours"].to_numpy(float) if "weekly_hours" in zones else None
    rows = []
    order = sorted(range(len(props)), key=lambda i: ml.natural_key(props["zone_id"].iat[i]))
    for i in order:
        zone = str(props["zone_id"].iat[i])
        label = zone + (f" {props['name'].iat[i]}" if props["name"].iat[i] else "")
        if hours is not None:
            label += f": {hours[i]:,.0f} h/week"
        rows.append((ml.fill_swatch(colour_of[zone]), label))
    lot_ids = sorted(pd.unique(lot_rows["lot_id"]), key=ml.natural_key) if len(lot_rows) else []
    for lot in lot_ids:
        members = lot_rows.loc[lot_rows["lot_id"] == lot]
        mask = props["zone_id"].isin(set(members["zone_id"])).to_numpy()
        provider = members["provider_id"].dropna()
        label = f"{lot}" + (f" ({provider.iat[0]})" if len(provider) else "")
        label += f": {int(mask.sum())} zone{'' if mask.sum() == 1 else 's'}"
        if hours is not None:
            label += f", {hours[mask].sum():,.0f} h/week"
        rows.append((ml.line_swatch("#111111", None, 4), label))
    title = "Zones and provider lots" if lot_ids else "Zones"
    note = None
    if hours is not None and len(zones) > 1:
        note = (
            f"{len(zones)} zones, {hours.sum():,.0f} h/week "
            f"({hours.min():,.0f}-{hours.max():,.0f} per zone); a zone whose label would "
            "cover another shows its id"
        )
    elif hours is not None:
        note = f"{hours.sum():,.0f} h/week"
    ml.add_legend(m, title, rows, note=note, key="zones", layers=layers[:1], position="bottomleft")


def _routes_frame(routes: Any) -> gpd.GeoDataFrame:
    if hasattr(routes, "to_geodataframe") and not isinstance(routes, gpd.GeoDataFrame):
        routes = routes.to_geodataframe()
    if not isinstance(routes, gpd.GeoDataFrame):
        ml._bad("routes_map", "bad routes", "a legs GeoDataFrame", type(routes).__name__)
    missing = [c for c in ("carer_id", "mode") if c not in routes.columns]
    if missing:
        ml._bad(
            "routes_map",
            "missing column",
            "carer_id and mode (from RoutingResult.to_geodataframe())",
            ", ".join(map(str, routes.columns)),
            column=missing[0],
        )
    if routes.crs is None:
        ml._bad("routes_map", "no CRS", "legs with a CRS set", "crs=None", column="geometry")
    return routes


def trim_legs(routes: gpd.GeoDataFrame, metres: float) -> tuple[gpd.GeoDataFrame, int]:
    """Take out of every leg what lies within ``metres`` (straight line) of either end.

    The ends are homes; a cut measured along the path could end nearer than ``metres`` to
    the door (a street doubling back), a disc around each end cannot. Legs with nothing
    left are not drawn.
    """
    if metres <= 0 or routes.empty:
        return routes, 0
    metric = routes.to_crs(ml.metric_crs(routes))
    geoms = metric.geometry.to_numpy()
    ends = [
        shapely.union(
            shapely.Point(g.coords[0]).buffer(metres), shapely.Point(g.coords[-1]).buffer(metres)
        )
        if g is not None and g.geom_type == "LineString" and not g.is_empty
        else None
        for g in geoms
    ]
    cut = [
        shapely.difference(g, e) if e is not None else g for g, e in zip(geoms, ends, strict=True)
    ]
    keep = np.array([c is not None and not c.is_empty for c in cut], dtype=bool)
    out = metric.set_geometry(gpd.GeoSeries(cut, index=metric.index, crs=metric.crs))
    return out[keep], int((~keep).sum())


def routes_map(
    routes: Any,
    *,
    m: folium.Map | None = None,
    day: str | None = None,
    privacy_trim: float = 30.0,
    name: str = "Routes",
    colour_by: str = "carer",
) -> folium.Map:
    """Carers' routes along the network: one colour per carer (or mode), mode by line style.

    Walking is a solid line, cycling dashed, driving dotted; each travel mode is its own
    layer. A leg's tooltip gives the carer, mode, the leg's number and minutes, never a
    visit or client id (a leg ends near a client's home).

    Parameters
    ----------
    routes
        Legs from ``RoutingResult.to_geodataframe()`` or ``RoutePlan.to_geodataframe()``
        (``carer_id``, ``mode``, line geometry), or the result or plan itself.
    day
        Only this day's legs (when there is a ``day`` column).
    privacy_trim
        Metres, in a straight line, around both ends of each leg (clients' and carers'
        homes) where the leg is not drawn (0: draw to the door). Legs lying wholly
        within them are not drawn.
    name
        Prefix of the layers' names.
    colour_by
        {"carer", "mode"} One colour per carer, or per travel mode (walking green,
        cycling blue, driving orange: a busy plan reads at a glance; the carer is in each
        leg's tooltip).

    Examples
    --------
    >>> import shapely
    >>> legs = gpd.GeoDataFrame({"carer_id": ["K1", "K1", "K2"],
    ...     "mode": ["walk", "walk", "cycle"], "sequence": [1, 2, 1],
    ...     "from_id": ["K1", "v1", "K2"], "to_id": ["v1", "K1", "v2"],
    ...     "travel_seconds": [300, 280, 120]},
    ...     geometry=[shapely.LineString([(0, 0), (400, 0)]),
    ...               shapely.LineString([(400, 0), (0, 0)]),
    ...               shapely.LineString([(0, 100), (0, 700)])], crs=27700)
    >>> page = routes_map(legs).get_root().render()
    >>> "Routes: walking (1 carer)" in page, "Routes: cycling (1 carer)" in page
    (True, True)
    """
    if colour_by not in ("carer", "mode"):
        ml._bad("routes_map", "bad colour_by", "'carer' or 'mode'", repr(colour_by))
    legs = _routes_frame(routes)
    if day is not None and "day" in legs.columns:
        legs = legs[legs["day"] == day]
    m = _map(m)
    carers = sorted(pd.unique(legs["carer_id"].astype(str)))
    colour_of = {c: ml.CARER_COLOURS[i % len(ml.CARER_COLOURS)] for i, c in enumerate(carers)}
    drawn, short = trim_legs(legs, float(privacy_trim))
    by_mode = colour_by == "mode"
    drawn = drawn.assign(
        carer_id=drawn["carer_id"].astype(str),
        colour=drawn["mode"].map(MODE_COLOURS).fillna("#555555")
        if by_mode
        else drawn["carer_id"].astype(str).map(colour_of),
        leg=leg_text(drawn),
        minutes=[
            "" if pd.isna(s) else f"{s / 60:.1f} min"
            for s in drawn.get("travel_seconds", pd.Series(np.nan, index=drawn.index))
        ],
    )
    modes = [md for md in ("walk", "cycle", "drive") if (drawn["mode"] == md).any()]
    modes += sorted(set(drawn["mode"]) - set(modes))
    layers = []
    for mode in modes:
        part = drawn[drawn["mode"] == mode]
        n = part["carer_id"].nunique()
        dash = ml.MODE_DASHES.get(mode)
        layer = folium.GeoJson(
            ml.feature_collection(part, ["carer_id", "mode", "leg", "minutes", "colour"]),
            name=ml.layer_name(
                f"{name}: {ml.MODE_NAMES.get(mode, mode)} ({n} carer{'s' * (n != 1)})"
            ),
            style_function=lambda f, dash=dash: {
                "color": f["properties"]["colour"],
                "weight": 3.5,
                "opacity": 0.85,
                "dashArray": dash,
                "lineCap": "round",
            },
            highlight_function=lambda _: {"weight": 6, "opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(
                fields=["carer_id", "mode", "leg", "minutes"],
                aliases=["Carer", "Mode", "Leg", "Travel"],
                sticky=True,
            ),
            className="cz-route",
        ).add_to(m)
        layers.append(layer)
    ml.extend_bounds(m, drawn)
    rows = [
        (
            ml.line_swatch(
                MODE_COLOURS.get(md, "#555555") if by_mode else "#333333", ml.MODE_DASHES.get(md)
            ),
            ml.MODE_NAMES.get(md, md),
        )
        for md in modes
    ]
    n_drawn = drawn["carer_id"].nunique()  # the carers drawn, as the layer names count them
    note = f"{n_drawn} carers" + ("" if by_mode else ", one colour each") + f"; {len(drawn)} legs"
    if privacy_trim > 0:
        note += f"; legs stop {privacy_trim:g} m short of homes"
    if short:
        note += f" ({short} shorter legs not drawn)"
    ml.add_legend(m, "Routes", rows, note=note, key="routes", layers=layers)
    ml.keep_layer_control_last(m)
    return m


MODE_COLOURS = {"walk": "#1b9e77", "cycle": "#3366cc", "drive": "#d95f02"}
"""Route colours by travel mode (``routes_map(colour_by="mode")``)."""


def leg_text(legs: gpd.GeoDataFrame) -> list[str]:
    """Opaque leg labels ("leg 2 of 5"), naming no visit or client.

    A visit id holds the client id, and a leg ends near that client's home.
    """
    if "sequence" not in legs.columns:
        return [""] * len(legs)
    carers = legs["carer_id"].astype(str)
    total = carers.map(carers.value_counts())
    return [f"leg {s} of {n}" for s, n in zip(legs["sequence"], total, strict=True)]
