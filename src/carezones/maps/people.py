"""Demand, carers' homes and isochrone layers of :mod:`carezones.maps` (public there)."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.maps import layers as ml
from carezones.maps.layers import ensure_map as _map

__all__ = ["carers_map", "demand_cells", "demand_map", "isochrone_map"]


# Demand hexagons in purples, a hue no provider lot uses, with a dark outline, so they
# stand out over the lots' fills (the yellow-red ramp blended with orange and yellow lots).
DEMAND_RAMP = ("#efedf5", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")


def _hexagons(
    points: gpd.GeoDataFrame, size: float, weights: np.ndarray | None = None
) -> gpd.GeoDataFrame:
    """Count (and sum ``weights``) per hexagon of a grid fixed to the metric CRS's origin."""
    crs = ml.metric_crs(points)
    pts = points.geometry.to_crs(crs)
    q, r = ml.hex_cells(np.column_stack([pts.x, pts.y]), size)
    frame = pd.DataFrame({"q": q, "r": r, "w": 0.0 if weights is None else weights})
    cells = frame.groupby(["q", "r"], sort=True).agg(count=("w", "size"), weight=("w", "sum"))
    cells = cells.reset_index()
    geoms = ml.hex_polygons(cells["q"].to_numpy(), cells["r"].to_numpy(), size)
    return gpd.GeoDataFrame(cells, geometry=geoms, crs=crs)


def demand_cells(
    clients: gpd.GeoDataFrame, *, cell_size: float = 250.0, min_count: int = 3
) -> gpd.GeoDataFrame:
    """Clients and weekly hours per hexagon, as :func:`demand_map` draws them (no point).

    Parameters
    ----------
    clients
        Clients with Point geometry (``weekly_hours`` when present).
    cell_size
        Hexagon width across flats, in metres.
    min_count
        Hexagons with fewer clients are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``clients``, ``weekly_hours`` and the hexagon, in WGS84.

    Examples
    --------
    >>> pts = gpd.points_from_xy([100, 120, 130, 140, 2000], [100, 110, 90, 95, 2000])
    >>> clients = gpd.GeoDataFrame({"client_id": list("abcde"), "weekly_hours": 10.0},
    ...                            geometry=pts, crs=27700)
    >>> demand_cells(clients)[["clients", "weekly_hours"]].values.tolist()
    [[4.0, 40.0]]
    """
    clients = ml.points_frame(clients, "demand_cells")
    weights = clients["weekly_hours"].to_numpy(float) if "weekly_hours" in clients.columns else None
    cells = _hexagons(clients, float(cell_size), weights)
    cells = cells[cells["count"] >= min_count].reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {"clients": cells["count"].astype(float), "weekly_hours": cells["weight"]},
        geometry=cells.geometry.values,
        crs=cells.crs,
    )
    return out.to_crs(4326)


def demand_map(
    clients: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    exact: bool = False,
    cell_size: float = 250.0,
    min_count: int = 3,
    show: bool = True,
    name: str = "Demand",
) -> folium.Map:
    """Clients' weekly hours per hexagon; exact client points only with ``exact=True``.

    Parameters
    ----------
    clients
        Clients with Point geometry (``client_id``; ``weekly_hours`` when present).
    exact
        Draw every client at their address (personal data: for internal use only).
    cell_size
        Hexagon width across flats, in metres.
    min_count
        Hexagons with fewer clients are left out (their number is in the legend).
    show
        Whether the layer is on when the map opens.

    Examples
    --------
    >>> pts = gpd.points_from_xy([100, 120, 130, 140, 2000], [100, 110, 90, 95, 2000])
    >>> clients = gpd.GeoDataFrame({"client_id": list("abcde"), "weekly_hours": 10.0},
    ...                            geometry=pts, crs=27700)
    >>> page = demand_map(clients).get_root().render()
    >>> "40 h/week" in page, "1 client in 1 hexagon" in page
    (True, True)
    """
    clients = ml.points_frame(clients, "demand_map")
    m = _map(m)
    if exact:
        _client_points(m, clients, name, show)
        ml.extend_bounds(m, clients)
        ml.keep_layer_control_last(m)
        return m
    has_hours = "weekly_hours" in clients.columns
    weights = clients["weekly_hours"].to_numpy(float) if has_hours else None
    cells = _hexagons(clients, float(cell_size), weights)
    small = cells["count"] < min_count
    hidden_clients, hidden_cells = int(cells.loc[small, "count"].sum()), int(small.sum())
    cells = cells[~small].reset_index(drop=True)
    values = cells["weight" if has_hours else "count"].to_numpy(float)
    breaks = ml.class_breaks(values)
    cls = np.minimum(np.searchsorted(breaks, values, side="left"), len(breaks) - 1)
    cells["colour"] = [DEMAND_RAMP[int(c) * len(DEMAND_RAMP) // len(breaks)] for c in cls]
    cells["clients"] = [f"{n}" for n in cells["count"]]
    cells["hours"] = [f"{h:,.0f} h/week" for h in cells["weight"]] if has_hours else ""
    fields = ["clients", "hours"] if has_hours else ["clients"]
    layer = folium.GeoJson(
        ml.feature_collection(cells, [*fields, "colour"]),
        name=ml.layer_name(name),
        show=show,
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#3f007d",
            "weight": 1.2,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=["Clients", "Weekly hours"][: len(fields)], sticky=True
        ),
        className="cz-demand",
    ).add_to(m)
    ml.extend_bounds(m, cells)
    unit = "h/week" if has_hours else "clients"
    lows = [float(values.min()) if len(values) else 0.0, *breaks[:-1]]
    rows = [
        (
            ml.fill_swatch(DEMAND_RAMP[i * len(DEMAND_RAMP) // len(breaks)], 0.8),
            f"{ml.number(lo)}-{ml.number(hi)} {unit}",
        )
        for i, (lo, hi) in enumerate(zip(lows, breaks, strict=True))
    ]
    note = f"Hexagons {cell_size:g} m across; fewer than {min_count} clients not shown"
    if hidden_clients:
        note += (
            f" ({hidden_clients} client{'s' * (hidden_clients != 1)} in {hidden_cells} "
            f"hexagon{'s' * (hidden_cells != 1)})"
        )
    ml.add_legend(m, f"{name} per hexagon", rows, note=note, key="demand", layers=[layer])
    ml.keep_layer_control_last(m)
    return m


def _client_points(m: folium.Map, clients: gpd.GeoDataFrame, name: str, show: bool) -> None:
    frame = clients.assign(
        client_id=clients["client_id"].astype(str) if "client_id" in clients else "",
        hours=[f"{h:,.1f} h/week" for h in clients["weekly_hours"]]
        if "weekly_hours" in clients
        else "",
    )
    layer = folium.GeoJson(
        ml.feature_collection(frame, ["client_id", "hours"]),
        name=ml.layer_name(f"{name}: clients (exact)"),
        show=show,
        marker=folium.CircleMarker(
            radius=4, color="#7a0177", fill=True, fill_opacity=0.8, weight=1
        ),
        tooltip=folium.GeoJsonTooltip(fields=["client_id", "hours"], aliases=["Client", "Hours"]),
        className="cz-client",
    ).add_to(m)
    ml.add_legend(
        m,
        "Clients",
        [(ml.dot_swatch("#7a0177"), "client (exact address)")],
        note="Exact addresses: personal data, not for publication",
        key="demand",
        layers=[layer],
    )


def carers_map(
    carers: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    exact: bool = False,
    cell_size: float = 250.0,
    show: bool = False,
    name: str = "Carers' homes",
) -> folium.Map:
    """Where carers live: counts per hexagon by travel mode (an optional layer, off at first).

    Parameters
    ----------
    carers
        Carers with a home Point (``carer_id``, ``mode``; ``provider_id`` optional).
    exact
        Draw each home at its address (personal data).
    cell_size
        Hexagon width across flats, in metres; each hexagon's carers are one dot at its
        centre.
    show
        Whether the layer is on when the map opens.

    Examples
    --------
    >>> carers = gpd.GeoDataFrame({"carer_id": ["K1", "K2", "K3"],
    ...     "mode": ["walk", "walk", "drive"]},
    ...     geometry=gpd.points_from_xy([0, 10, 900], [0, 5, 900]), crs=27700)
    >>> page = carers_map(carers).get_root().render()
    >>> "2 carers: 2 walking" in page
    True
    """
    carers = ml.points_frame(carers, "carers_map")
    m = _map(m)
    modes = (
        carers["mode"].astype(str)
        if "mode" in carers.columns
        else pd.Series("walk", index=carers.index)
    )
    if exact:
        dots = carers.assign(
            carer_id=carers["carer_id"].astype(str) if "carer_id" in carers else "",
            mode=modes,
            provider=carers["provider_id"].astype(str) if "provider_id" in carers else "",
        )
        fields, aliases = ["carer_id", "mode", "provider"], ["Carer", "Mode", "Provider"]
    else:
        crs = ml.metric_crs(carers)
        pts = carers.geometry.to_crs(crs)
        q, r = ml.hex_cells(np.column_stack([pts.x, pts.y]), float(cell_size))
        table = pd.DataFrame({"q": q, "r": r, "mode": modes.to_numpy()})
        rows = []
        for (cq, cr), group in table.groupby(["q", "r"], sort=True):
            counts = group["mode"].value_counts()
            text = ", ".join(f"{n} {ml.MODE_NAMES.get(k, k)}" for k, n in counts.items())
            rows.append(
                {"q": cq, "r": cr, "n": len(group), "mode": counts.index[0],
                 "carers": f"{len(group)} carer{'s' * (len(group) != 1)}: {text}"}
            )  # fmt: skip
        cells = pd.DataFrame(rows)
        centres = ml.hex_centres(cells["q"].to_numpy(), cells["r"].to_numpy(), float(cell_size))
        dots = gpd.GeoDataFrame(
            cells, geometry=gpd.points_from_xy(centres[:, 0], centres[:, 1]), crs=crs
        )
        fields, aliases = ["carers"], ["Carers"]
    dots["colour"] = dots["mode"].map(ml.MODE_COLOURS).fillna("#444444")
    dots["radius"] = 5.0 if exact else 4.0 + 3.0 * np.sqrt(dots["n"].to_numpy(float))
    layer = folium.GeoJson(
        ml.feature_collection(dots, [*fields, "colour", "radius"]),
        name=ml.layer_name(name),
        show=show,
        marker=folium.CircleMarker(radius=5, fill=True, weight=1),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#222222",
            "fillOpacity": 0.85,
            "radius": f["properties"]["radius"],
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
        className="cz-carer",
    ).add_to(m)
    ml.extend_bounds(m, carers if exact else dots)
    rows_legend = [
        (ml.dot_swatch(colour), f"{ml.MODE_NAMES[mode]} carers")
        for mode, colour in ml.MODE_COLOURS.items()
        if (modes == mode).any()
    ]
    note = (
        "Exact home addresses: personal data"
        if exact
        else f"Counted per {cell_size:g} m hexagon, drawn at its centre"
    )
    ml.add_legend(m, name, rows_legend, note=note, key="carers", layers=[layer])
    ml.keep_layer_control_last(m)
    return m


def isochrone_map(
    isochrones: gpd.GeoDataFrame, *, m: folium.Map | None = None, name: str = "Reach"
) -> folium.Map:
    """Areas reachable within each time limit (from :func:`carezones.isochrones`).

    Parameters
    ----------
    isochrones
        From :func:`carezones.isochrones`.
    m
        A map to add the layer to; None makes one.
    name
        The layer's name.

    Examples
    --------
    >>> from carezones import datasets, isochrones
    >>> net = datasets.load_default_network(modes="walk")
    >>> iso = isochrones(net, (24.9384, 60.1699), [5, 10])
    >>> "10 min walking" in isochrone_map(iso).get_root().render()
    True
    """
    if not isinstance(isochrones, gpd.GeoDataFrame) or "minutes" not in isochrones.columns:
        ml._bad(
            "isochrone_map",
            "bad isochrones",
            "a GeoDataFrame with minutes (from carezones.isochrones)",
            type(isochrones).__name__,
        )
    m = _map(m)
    iso = isochrones.sort_values("minutes", ascending=False).reset_index(drop=True)
    modes = iso["mode"] if "mode" in iso.columns else pd.Series("", index=iso.index)
    n = len(iso)
    palette = ml.SEQUENTIAL[::-1]
    iso = iso.assign(
        colour=[palette[min(i * len(palette) // max(n, 1), len(palette) - 1)] for i in range(n)],
        reach=[
            f"{t:g} min {ml.MODE_NAMES.get(str(md), str(md))}"
            for t, md in zip(iso["minutes"], modes, strict=True)
        ],
        area=[f"{a:.2f} km²" for a in iso.get("area_km2", pd.Series(np.nan, index=iso.index))],
    )
    layer = folium.GeoJson(
        ml.feature_collection(iso, ["reach", "area", "colour"]),
        name=ml.layer_name(name),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": f["properties"]["colour"],
            "weight": 1.5,
            "fillOpacity": 0.25,
        },
        tooltip=folium.GeoJsonTooltip(fields=["reach", "area"], aliases=["Within", "Area"]),
        className="cz-isochrone",
    ).add_to(m)
    ml.extend_bounds(m, iso)
    rows = [(ml.fill_swatch(c, 0.5), r) for c, r in zip(iso["colour"], iso["reach"], strict=True)]
    ml.add_legend(m, name, rows, key="isochrones", layers=[layer])
    ml.keep_layer_control_last(m)
    return m
