"""Layers of a routed plan at borough scale: unserved visits, and each zone's routes on demand.

:func:`unserved_map` shows where visits went unserved (per hexagon, with their reasons);
:func:`zone_routes_map` draws the routes of each zone as a layer of its own, switched on
in the layer control (all on at first only for a small plan). No client's point is
drawn: unserved visits are counted per hexagon of at least ``min_count`` clients, and
legs stop short of homes. :func:`carezones.maps.routes_page` puts them on one page.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.maps import layers as ml
from carezones.maps.zones import MODE_COLOURS, leg_text, trim_legs

__all__ = ["MAX_LEGS_SHOWN", "unserved_map", "zone_routes_map"]

#: Routes start switched on only when the day drawn has at most this many legs.
MAX_LEGS_SHOWN = 600
_UNSERVED = ("#fcbba1", "#fb6a4a", "#cb181d", "#67000d")


def unserved_map(
    unscheduled: pd.DataFrame,
    clients: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    cell_size: float = 250.0,
    min_count: int = 3,
    name: str = "Unserved visits",
) -> folium.Map:
    """Where visits went unserved: visits per hexagon of their clients' homes, with reasons.

    Parameters
    ----------
    unscheduled
        The unscheduled visits (``client_id``, ``reason``; ``duration`` when known).
    clients
        The clients (``client_id``, Point geometry): only to count visits per hexagon.
    cell_size
        Hexagon width across flats, in metres (the demand map's grid).
    min_count
        Hexagons holding fewer clients with unserved visits are not drawn; the legend
        counts their visits.

    Examples
    --------
    >>> pts = gpd.points_from_xy([100, 120, 130, 2000], [100, 110, 90, 2000])
    >>> clients = gpd.GeoDataFrame({"client_id": list("abcd")}, geometry=pts, crs=27700)
    >>> lost = pd.DataFrame({"client_id": list("abcd"), "reason": ["no carers in zone"] * 4})
    >>> page = unserved_map(lost, clients).get_root().render()
    >>> "3 visits (3 clients)" in page, "1 visit elsewhere" in page
    (True, True)
    >>> "4 visits elsewhere" in unserved_map(lost, clients, min_count=5).get_root().render()
    True
    """
    m = ml.ensure_map(m)
    clients = ml.points_frame(clients, "unserved_map")
    where = clients.drop_duplicates("client_id").set_index(clients["client_id"].astype(str))
    lost = unscheduled[unscheduled["client_id"].astype(str).isin(where.index)]
    points = where.geometry.reindex(lost["client_id"].astype(str)).to_crs(ml.metric_crs(where))
    if len(lost):
        q, r = ml.hex_cells(np.column_stack([points.x, points.y]), float(cell_size))
    else:
        q = r = np.zeros(0, dtype=np.int64)
    table = pd.DataFrame({"q": q, "r": r, "client": lost["client_id"].astype(str).to_numpy(),
                          "reason": lost["reason"].astype(str).to_numpy()})  # fmt: skip
    cells = []
    for (cq, cr), group in table.groupby(["q", "r"], sort=True):
        if group["client"].nunique() < min_count:
            continue
        reasons = group["reason"].value_counts()
        why = "; ".join(f"{n} {w}" for w, n in reasons.head(3).items())
        cells.append({"q": cq, "r": cr, "n": len(group), "why": why,
                      "visits": f"{len(group)} visits ({group['client'].nunique()} clients)"})
    frame = pd.DataFrame(cells, columns=["q", "r", "n", "visits", "why"])
    geoms = (
        ml.hex_polygons(frame["q"].to_numpy(np.int64), frame["r"].to_numpy(np.int64),
                        float(cell_size))
        if len(frame)
        else []
    )  # fmt: skip
    hexes = gpd.GeoDataFrame(frame, geometry=geoms, crs=ml.metric_crs(where))
    top = max(int(hexes["n"].max()), 1) if len(hexes) else 1
    hexes["colour"] = [_UNSERVED[min(3, int(4 * (n - 1) / top))] for n in hexes["n"]]
    layers = []
    if len(hexes):  # folium's tooltip needs a feature to read its fields from
        layer = folium.GeoJson(
            ml.feature_collection(hexes, ["visits", "why", "colour"]),
            name=ml.layer_name(name),
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "color": "#67000d",
                "weight": 2,
                "fillOpacity": 0.7,
            },
            tooltip=folium.GeoJsonTooltip(fields=["visits", "why"], aliases=["Unserved", "Why"]),
            className="cz-unserved",
        ).add_to(m)
        layers.append(layer)
    drawn = int(hexes["n"].sum()) if len(hexes) else 0
    rest = len(lost) - drawn
    missing = len(unscheduled) - len(lost)
    note = f"{len(unscheduled):,} unserved visits"
    if rest:
        note += f"; {rest} visit{'s' * (rest != 1)} elsewhere (hexagons of fewer than "
        note += f"{min_count} clients not drawn)"
    if missing:
        note += f"; {missing} visits of clients with no known place"
    note += ". Each visit with its reason: unscheduled.csv"
    rows = [(ml.fill_swatch(c, 0.7), label) for c, label in
            zip(_UNSERVED, ("fewest", "", "", "most"), strict=True) if label]  # fmt: skip
    ml.add_legend(m, f"{name} per hexagon", rows, note=note, key="unserved", layers=layers)
    ml.keep_layer_control_last(m)
    return m


def zone_routes_map(
    legs: gpd.GeoDataFrame,
    *,
    m: folium.Map | None = None,
    names: dict[str, str] | None = None,
    show: bool | None = None,
    privacy_trim: float = 30.0,
) -> folium.Map:
    """Each zone's routes as a layer of its own, coloured by mode (walk, cycle, drive).

    Parameters
    ----------
    legs
        Legs with ``zone_id``, ``carer_id``, ``mode`` (``RoutePlan.to_geodataframe()``).
    names
        ``{zone_id: name}`` for the layers' names.
    show
        Whether the layers start switched on; None: when there are at most
        :data:`MAX_LEGS_SHOWN` legs.
    privacy_trim
        Metres around both ends of each leg (homes) where it is not drawn.

    Examples
    --------
    >>> import shapely
    >>> legs = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2"], "carer_id": ["K1", "K2"],
    ...     "mode": ["walk", "drive"], "sequence": [1, 1], "travel_seconds": [300, 120]},
    ...     geometry=[shapely.LineString([(0, 0), (400, 0)]),
    ...               shapely.LineString([(0, 100), (0, 700)])], crs=27700)
    >>> page = zone_routes_map(legs, names={"Z1": "North"}).get_root().render()
    >>> "Routes in Z1 North (1 carer)" in page, "Routes in Z2 (1 carer)" in page
    (True, True)
    """
    m = ml.ensure_map(m)
    drawn, short = trim_legs(legs, float(privacy_trim))
    show = len(drawn) <= MAX_LEGS_SHOWN if show is None else show
    drawn = drawn.assign(
        carer_id=drawn["carer_id"].astype(str),
        colour=drawn["mode"].map(MODE_COLOURS).fillna("#555555"),
        dash=drawn["mode"].map(ml.MODE_DASHES).fillna(""),
        leg=leg_text(drawn),
        minutes=[
            "" if pd.isna(s) else f"{s / 60:.1f} min"
            for s in drawn.get("travel_seconds", pd.Series(np.nan, index=drawn.index))
        ],
    )
    zones = sorted(pd.unique(drawn["zone_id"].astype(str)), key=ml.natural_key)
    layers = []
    for zone in zones:
        part = drawn[drawn["zone_id"].astype(str) == zone]
        n = part["carer_id"].nunique()
        label = f"Routes in {zone}" + (f" {names[zone]}" if names and names.get(zone) else "")
        layer = folium.GeoJson(
            ml.feature_collection(part, ["carer_id", "mode", "leg", "minutes", "colour",
                                         "dash"]),
            name=ml.layer_name(f"{label} ({n} carer{'s' * (n != 1)})"),
            show=show,
            style_function=lambda f: {"color": f["properties"]["colour"], "weight": 3,
                                      "opacity": 0.85, "dashArray": f["properties"]["dash"]
                                      or None, "lineCap": "round"},
            highlight_function=lambda _: {"weight": 6, "opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["carer_id", "mode", "leg", "minutes"],
                                          aliases=["Carer", "Mode", "Leg", "Travel"],
                                          sticky=True),
            className="cz-route",
        ).add_to(m)  # fmt: skip
        layers.append(layer)
    modes = [md for md in ("walk", "cycle", "drive") if (drawn["mode"] == md).any()]
    rows = [(ml.line_swatch(MODE_COLOURS[md], ml.MODE_DASHES.get(md)), ml.MODE_NAMES[md])
            for md in modes]  # fmt: skip
    note = (f"{drawn['carer_id'].nunique()} carers, {len(drawn):,} legs, a layer per zone"
            + ("" if show else f" (over {MAX_LEGS_SHOWN} legs: switch zones on in the layer "
               "control)") + f"; legs stop {privacy_trim:g} m short of homes")  # fmt: skip
    if short:
        note += f" ({short} shorter legs not drawn)"
    ml.add_legend(m, "Routes by mode", rows, note=note, key="routes", layers=layers)
    ml.keep_layer_control_last(m, collapsed=len(layers) > 6)
    return m
