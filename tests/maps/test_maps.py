"""Tests for carezones.maps: layers, legends, offline pages and clients' privacy."""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.plugins import DualMap

from carezones import NeighbourhoodZoner, ValidationError, datasets, expand_visits, provider_lots
from carezones.maps import (
    OfflineMapWarning,
    base_map,
    carers_map,
    demand_map,
    isochrone_map,
    plan_map,
    routes_map,
    save_map,
    then_now_map,
    to_html,
    zones_map,
)
from carezones.maps import layers as ml
from carezones.network import TravelNetwork
from carezones.network.travel import isochrones
from carezones.routing import Budget

_PLANS: dict[int, dict[str, Any]] = {}


def build_plan(net: TravelNetwork) -> dict[str, Any]:
    """A small plan on the Helsinki default: clients, carers, zones, lots, Monday's routes."""
    if id(net) in _PLANS:
        return _PLANS[id(net)]
    from carezones.routing import plan_routes

    clients, carers, _ = datasets.synthetic_population(
        net, n_clients=120, n_carers=30, n_providers=3, random_state=0
    )
    zoner = NeighbourhoodZoner(250, n_zones="auto", n_init=1, random_state=0).fit(
        clients, network=net
    )
    lots = provider_lots(zoner.plan_, min_provider_hours=500, n_init=3, random_state=0)
    visits = expand_visits(clients, days="monday")
    routes = plan_routes(
        visits,
        carers,
        net,
        clients=clients,
        zones=zoner.zones_,
        days="monday",
        budget=Budget(max_iterations=200, max_seconds=5),
        n_jobs=1,
        random_state=0,
    )
    plan = {
        "network": net,
        "clients": clients,
        "carers": carers,
        "zones": zoner.zones_,
        "lots": lots,
        "legs": routes.to_geodataframe(),
    }
    _PLANS[id(net)] = plan
    return plan


@pytest.fixture(scope="module")
def plan(helsinki: TravelNetwork) -> dict[str, Any]:
    return build_plan(helsinki)


def geojson_layers(page: str) -> list[dict[str, Any]]:
    """Every GeoJSON FeatureCollection embedded in a folium page."""
    out = []
    for match in re.finditer(r"_add\((\{\"features\".*?\}|\{\"type\".*?\})\);\n", page):
        out.append(json.loads(match.group(1)))
    return out


def layer_with(page: str, prop: str) -> list[dict[str, Any]]:
    """Features of the layers whose features have property ``prop``."""
    return [
        f
        for layer in geojson_layers(page)
        for f in layer["features"]
        if prop in (f.get("properties") or {})
    ]


def legends(page: str) -> list[str]:
    """The HTML of every legend box in a page."""
    return [json.loads(m) for m in re.findall(r"div\.innerHTML = (\".*?\");\n", page)]


_PAIR = re.compile(r"(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)")


def _cut(number: str, digits: int) -> str | None:
    """``number`` cut (not rounded) to ``digits`` decimals; None when it has fewer."""
    whole, _, decimals = number.partition(".")
    return f"{whole}.{decimals[:digits]}" if len(decimals) >= digits else None


def leaked(page: str, points: gpd.GeoSeries) -> list[str]:
    """Which points' coordinates appear in ``page``, as lon/lat or metric pairs.

    A point leaks when its longitude or latitude appears at full precision, when a pair
    of numbers in the page equals its (lat, lon) or (lon, lat) rounded to 4, 5 or 6
    decimals, or starts with them cut to 6 or 7 decimals, or starts with its metric
    (x, y) cut to 2 decimals.
    """
    pairs = _PAIR.findall(page)
    numbers = set(re.findall(r"-?\d+\.\d+", page))
    exact = set(pairs)
    cut = {
        (_cut(a, d), _cut(b, d)) for a, b in pairs for d in (2, 6, 7) if _cut(a, d) and _cut(b, d)
    }
    wgs = points.to_crs(4326)
    metric = points.to_crs(ml.metric_crs(gpd.GeoDataFrame(geometry=points)))
    found = []
    for i, (p, q) in enumerate(zip(wgs, metric, strict=True)):
        lon, lat = repr(p.x), repr(p.y)
        hit = lon in numbers or lat in numbers
        for d in (4, 5, 6):
            a, b = repr(round(p.y, d)), repr(round(p.x, d))
            hit = hit or (a, b) in exact or (b, a) in exact
        for d in (6, 7):
            c, e = _cut(lat, d), _cut(lon, d)
            hit = hit or (c, e) in cut or (e, c) in cut
        hit = hit or (_cut(repr(q.x), 2), _cut(repr(q.y), 2)) in cut
        if hit:
            found.append(str(i))
    return found


# ----------------------------------------------------------------------------- zones


def test_zones_map_colours_each_zone_apart_from_its_neighbours_with_lots_outlined(
    plan: dict[str, Any],
) -> None:
    """Each zone drawn once in its own colour (no neighbour's), labelled; lots outlined."""
    zones, lots = plan["zones"], plan["lots"]
    m = zones_map(zones, lots=lots)
    page = m.get_root().render()
    features = layer_with(page, "colour")
    assert sorted(f["properties"]["zone_id"] for f in features) == sorted(zones["zone_id"])
    colour = {f["properties"]["zone_id"]: f["properties"]["colour"] for f in features}
    assert colour == ml.zone_colours(zones)  # the same colours on every map of the plan
    touching = zones.geometry.buffer(1).intersects
    for a in zones.itertuples():
        for b in zones[touching(a.geometry)].itertuples():
            assert a.zone_id == b.zone_id or colour[a.zone_id] != colour[b.zone_id]
    outlines = layer_with(page, "lot")
    assert sorted(f["properties"]["lot"].split(" ")[0] for f in outlines if "colour" not in
                  f["properties"]) == sorted(lots.lots["lot_id"])  # fmt: skip
    assert page.count("cz-zone-label") == len(zones) + 1  # a full label a zone, and the CSS
    assert page.count("cz-zone-badge\\u0027") == len(zones)  # its id, where labels collide
    for row in zones.itertuples():
        assert f"{row.weekly_hours:,.0f} h/wk" in page
    (legend,) = legends(page)
    assert "Zones and provider lots" in legend
    for zone in zones["zone_id"]:  # every zone is in the key, by id
        assert f"</span>{zone}" in legend
    for lot in lots.lots["lot_id"]:
        assert f"</svg>{lot}: " in legend


def test_zones_map_without_lots_gives_each_zone_a_colour(plan: dict[str, Any]) -> None:
    """Without lots, zones get distinct colours and the legend lists zones."""
    page = zones_map(plan["zones"], labels=False).get_root().render()
    colours = [f["properties"]["colour"] for f in layer_with(page, "colour")]
    assert len(set(colours)) == len(plan["zones"])
    assert page.count("cz-zone-label") == 1  # the CSS rule only
    assert "<b class='cz-title'>Zones</b>" in legends(page)[0]


def test_zones_map_accepts_a_plan_a_zoner_and_a_mapping(plan: dict[str, Any]) -> None:
    """ZonePlan-like objects and {zone_id: lot_id} work as inputs."""

    class Fitted:
        zones_ = plan["zones"]

    lots = dict(zip(plan["lots"].zones["zone_id"], plan["lots"].zones["lot_id"], strict=True))
    page = zones_map(Fitted(), lots=lots).get_root().render()
    assert len(layer_with(page, "colour")) == len(plan["zones"])


def test_zones_map_names_bad_input() -> None:
    """A zones table without zone_id, or without a CRS, is refused with the reason."""
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=27700)
    with pytest.raises(ValidationError, match="zone_id"):
        zones_map(frame)
    with pytest.raises(ValidationError, match="CRS"):
        zones_map(frame.rename(columns={"name": "zone_id"}).set_crs(None, allow_override=True))
    with pytest.raises(ValidationError, match="lot_id"):
        zones_map(frame.rename(columns={"name": "zone_id"}), lots=[1, 2])


# ----------------------------------------------------------------------------- routes


def test_routes_map_one_colour_per_carer_and_a_layer_per_mode(plan: dict[str, Any]) -> None:
    """Each carer's legs share one colour, carers differ, and each mode is its own layer."""
    legs = plan["legs"]
    page = routes_map(legs).get_root().render()
    features = layer_with(page, "leg")
    colours: dict[str, set[str]] = {}
    for f in features:
        colours.setdefault(f["properties"]["carer_id"], set()).add(f["properties"]["colour"])
    assert all(len(c) == 1 for c in colours.values())
    n = len(colours)
    assert len({next(iter(c)) for c in colours.values()}) == min(n, len(ml.CARER_COLOURS))
    for mode in pd.unique(legs["mode"]):
        k = legs.loc[legs["mode"] == mode, "carer_id"].nunique()
        assert f"Routes: {ml.MODE_NAMES[mode]} ({k} carer" in page
    assert {f["properties"]["mode"] for f in features} <= set(legs["mode"])


def test_routes_map_stops_short_of_homes(plan: dict[str, Any]) -> None:
    """Nothing drawn lies within 30 m, in a straight line, of a leg's ends (homes).

    privacy_trim=0 draws every leg to the door.
    """
    legs = plan["legs"]
    to_door = routes_map(legs, privacy_trim=0).get_root().render()
    assert len(layer_with(to_door, "leg")) == len(legs)
    assert leaked(to_door, plan["clients"].geometry) != []  # the ends are homes
    page = routes_map(legs, privacy_trim=30).get_root().render()
    assert leaked(page, plan["clients"].geometry) == []
    assert leaked(page, plan["carers"].geometry) == []
    trimmed = layer_with(page, "leg")
    discs = [
        shapely.Point(g.coords[0]).buffer(30).union(shapely.Point(g.coords[-1]).buffer(30))
        for g in legs.geometry
    ]
    left = [not g.difference(d).is_empty for g, d in zip(legs.geometry, discs, strict=True)]
    assert len(trimmed) == sum(left)
    own = {(str(c), int(s)): g for c, s, g in zip(legs["carer_id"], legs["sequence"],
                                                   legs.geometry, strict=True)}  # fmt: skip
    drawn = gpd.GeoSeries([shapely.geometry.shape(f["geometry"]) for f in trimmed], crs=4326)
    for f, line in zip(trimmed, drawn.to_crs(legs.crs), strict=True):
        leg = own[(f["properties"]["carer_id"], int(f["properties"]["leg"].split()[1]))]
        ends = shapely.MultiPoint([leg.coords[0], leg.coords[-1]])
        assert line.distance(ends) > 29.0  # 5-decimal lon/lat rounding moves a vertex < 1 m
    assert all(" of " in f["properties"]["leg"] for f in trimmed)  # opaque: no visit ids
    assert not any("@" in f["properties"]["leg"] for f in trimmed)


def test_routes_map_takes_a_plan_and_filters_a_day(plan: dict[str, Any]) -> None:
    """A routes table without carer_id is refused; a day with no legs draws none."""
    with pytest.raises(ValidationError, match="carer_id"):
        routes_map(plan["legs"].drop(columns="carer_id"))
    page = routes_map(plan["legs"], day="sunday").get_root().render()
    assert layer_with(page, "leg") == []


# ----------------------------------------------------------------------------- demand


def test_demand_map_aggregates_and_suppresses_small_cells(plan: dict[str, Any]) -> None:
    """Hexagons hold at least min_count clients; those left out are counted in the legend."""
    clients = plan["clients"]
    page = demand_map(clients, min_count=3).get_root().render()
    cells = layer_with(page, "clients")
    counts = [int(f["properties"]["clients"]) for f in cells]
    assert min(counts) >= 3
    hidden = len(clients) - sum(counts)
    assert hidden > 0 and f"({hidden} clients in" in legends(page)[0]
    hours = sum(float(f["properties"]["hours"].split()[0].replace(",", "")) for f in cells)
    assert hours == pytest.approx(clients["weekly_hours"].sum(), abs=0.6 * len(cells) + 400)


def test_hexagons_contain_their_points() -> None:
    """Each point falls inside the hexagon it is counted in, on a grid fixed to the origin."""
    rng = np.random.default_rng(0)
    xy = rng.uniform(-5_000, 5_000, size=(500, 2))
    q, r = ml.hex_cells(xy, 250.0)
    polys = ml.hex_polygons(q, r, 250.0)
    assert shapely.covers(polys, shapely.points(xy)).all()
    again = ml.hex_cells(xy + 0.0, 250.0)
    assert (again[0] == q).all() and (again[1] == r).all()
    assert np.isclose(shapely.area(polys[0]), 250.0**2 * math.sqrt(3) / 2)


def test_default_html_never_holds_client_or_carer_coordinates(
    plan: dict[str, Any], tmp_path: Path
) -> None:
    """No client's or carer's coordinates are in the default or offline HTML, at any precision."""
    m = plan_map(
        plan["zones"],
        lots=plan["lots"],
        routes=plan["legs"],
        clients=plan["clients"],
        carers=plan["carers"],
        network=plan["network"],
    )
    for offline in (False, True):
        page = save_map(m, tmp_path / f"map{offline}.html", offline=offline).read_text()
        assert leaked(page, plan["clients"].geometry) == []
        assert leaked(page, plan["carers"].geometry) == []


def test_exact_flags_do_show_points(plan: dict[str, Any]) -> None:
    """With exact=True the points are drawn: the leak search above finds them (positive control)."""
    clients, carers = plan["clients"], plan["carers"]
    page = demand_map(clients, exact=True).get_root().render()
    assert len(leaked(page, clients.geometry)) == len(clients)
    assert "not for publication" in legends(page)[0]
    page = carers_map(carers, exact=True).get_root().render()
    assert len(leaked(page, carers.geometry)) == len(carers)


def test_demand_map_refuses_tables_without_points() -> None:
    """Clients need point geometry with a CRS."""
    with pytest.raises(ValidationError, match="CRS"):
        demand_map(gpd.GeoDataFrame({"client_id": ["a"]}, geometry=gpd.points_from_xy([0], [0])))
    with pytest.raises(ValidationError, match="points"):
        demand_map(pd.DataFrame({"client_id": ["a"]}))


# ----------------------------------------------------------------------------- carers, reach


def test_carers_map_counts_every_carer_once_and_starts_hidden(plan: dict[str, Any]) -> None:
    """Homes are counted per hexagon (by mode); the layer is off until ticked."""
    carers = plan["carers"]
    page = carers_map(carers).get_root().render()
    dots = layer_with(page, "carers")
    assert sum(int(f["properties"]["carers"].split()[0]) for f in dots) == len(carers)
    (name,) = re.findall(r"var (geo_json_\w+) = L\.geoJson", page)
    assert f"{name}.addTo(" not in page


def test_isochrone_map_draws_each_limit(helsinki: TravelNetwork) -> None:
    """One polygon per time limit, largest first, with the limits in the legend."""
    iso = isochrones(helsinki, (24.9384, 60.1699), [5, 10, 15])
    page = isochrone_map(iso).get_root().render()
    reach = [f["properties"]["reach"] for f in layer_with(page, "reach")]
    assert reach == ["15 min walking", "10 min walking", "5 min walking"]
    with pytest.raises(ValidationError, match="minutes"):
        isochrone_map(iso.drop(columns="minutes"))


# ----------------------------------------------------------------------------- whole maps, files


def test_plan_map_composes_every_layer_with_one_layer_control(plan: dict[str, Any]) -> None:
    """plan_map draws network, zones, demand, routes and carers, with a single layer control."""
    m = plan_map(
        plan["zones"],
        lots=plan["lots"],
        routes=plan["legs"],
        clients=plan["clients"],
        carers=plan["carers"],
        network=plan["network"],
        offline=True,
        title="Demo",
    )
    page = m.get_root().render()
    for cls in ("cz-network", "cz-zone", "cz-demand", "cz-route", "cz-carer"):
        assert cls in page
    assert page.count("L.control.layers(") == 1
    assert list(m._children)[-1] == "carezones_layer_control"
    assert "tile.openstreetmap" not in page and "Demo" in page


def test_offline_file_needs_no_internet(plan: dict[str, Any], tmp_path: Path) -> None:
    """The offline file inlines Leaflet, loads nothing from outside, and the map keeps its tiles."""
    m = plan_map(plan["zones"], lots=plan["lots"], routes=plan["legs"])
    path = save_map(m, tmp_path / "sub" / "plan.html", offline=True)
    page = path.read_text()
    assert re.findall(r"<(?:script|link)[^>]*(?:src|href)=\"(?:https?:)?//", page) == []
    assert "Leaflet 1.9.4" in page and "url(images/" not in page
    assert "tile.openstreetmap" not in page
    assert "tile.openstreetmap" in to_html(m)  # the map itself still has its tiles
    assert "cdn.jsdelivr.net" in to_html(m)  # online pages load Leaflet from the web


def test_then_now_map_shows_two_synchronised_maps(plan: dict[str, Any], tmp_path: Path) -> None:
    """Two maps side by side, each with its own layers and title; offline they still sync."""
    dm = then_now_map(
        {"clients": plan["clients"]},
        {"zones": plan["zones"], "lots": plan["lots"]},
        titles=("2015", "2025"),
        network=plan["network"],
        offline=True,
    )
    assert isinstance(dm, DualMap)
    page = save_map(dm, tmp_path / "then_now.html", offline=True).read_text()
    assert page.count("L.map(") == 2 and "2015" in page and "2025" in page
    assert "L.Map.include({" in page and ".sync(" in page
    assert re.findall(r"<script[^>]*src=\"https?:", page) == []
    assert leaked(page, plan["clients"].geometry) == []
    with pytest.raises(ValidationError, match="mapping or a function"):
        then_now_map(1, {})  # type: ignore[arg-type]


def test_then_now_map_takes_drawing_functions(plan: dict[str, Any]) -> None:
    """A side may be a function that draws on the map it is given."""
    dm = then_now_map(
        lambda m: zones_map(plan["zones"], m=m), lambda m: routes_map(plan["legs"], m=m)
    )
    page = dm.get_root().render()
    assert "cz-zone" in page and "cz-route" in page


def test_offline_warns_about_parts_that_need_the_internet(tmp_path: Path) -> None:
    """Popups (jQuery) and plugins with external scripts are named in an OfflineMapWarning."""
    from folium.plugins import MarkerCluster

    m = base_map(tiles=None)
    folium.Marker([60.17, 24.94], popup="hello").add_to(MarkerCluster().add_to(m))
    with pytest.warns(OfflineMapWarning) as record:
        save_map(m, tmp_path / "m.html", offline=True)
    text = " ".join(str(w.message) for w in record)
    assert "jQuery" in text and "markercluster" in text.lower()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_map(base_map(tiles=None), tmp_path / "quiet.html", offline=True)


def test_places_map_escapes_names_keeps_within_and_ranks_towns_first() -> None:
    """Place labels: escaped, only inside ``within``, towns before neighbourhoods, one a name."""
    import geopandas as gpd
    import shapely

    from carezones.maps import places_map

    places = gpd.GeoDataFrame(
        {"name": ["Nook", "<img src=x onerror=alert(1)>", "Far", "Oakham", "Oakham"],
         "place": ["neighbourhood", "village", "town", "town", "suburb"]},
        geometry=[shapely.Point(0.001, 0.001), shapely.Point(0.002, 0.002),
                  shapely.Point(1, 1), shapely.Point(0.003, 0.003), shapely.Point(0.004, 0.004)],
        crs=4326,
    )  # fmt: skip
    area = gpd.GeoSeries([shapely.box(0, 0, 0.01, 0.01)], crs=4326)
    page = places_map(places, within=area).get_root().render()
    assert "Places (3)" in page  # "Far" is outside; "Oakham" once
    assert "Far" not in page and "<img" not in page and "u0026lt;img" in page
    assert page.index("Oakham") < page.index("Nook")  # towns placed (and kept) first


def test_plan_map_draws_the_boundary_and_skips_places_a_zone_is_named_after() -> None:
    """The boundary is a named dashed line; a place a zone is named after is not repeated."""
    import geopandas as gpd
    import shapely

    from carezones.maps import plan_map

    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z01", "Z02"], "name": ["Kluuvi", "Z02"], "weekly_hours": [900.0, 950.0]},
        geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 500)], crs=27700,
    )  # fmt: skip
    centre = zones.to_crs(4326).geometry.representative_point()
    places = gpd.GeoDataFrame(
        {"name": ["Kluuvi", "Kamppi"], "place": ["suburb", "suburb"]},
        geometry=list(centre), crs=4326,
    )  # fmt: skip
    border = gpd.GeoDataFrame({"name": ["Borough <b>"]}, geometry=[shapely.box(0, 0, 1000, 500)],
                              crs=27700)  # fmt: skip
    page = plan_map(zones, places=places, boundary=border).get_root().render()
    label = "cz-place-label\\u0027\\u003e"  # how folium writes a place label's html
    assert "Places (1)" in page and f"{label}Kamppi" in page and f"{label}Kluuvi" not in page
    assert "Boundary: Borough \\u0026lt;b\\u0026gt;" in page  # escaped, JSON-encoded
    assert "cz-boundary" in page


# ------------------------------------------------------------------ street names offline


def test_street_labels_sit_on_their_streets_turned_along_them() -> None:
    """Each label lies on an edge of its own name, reads upright, shows from its class's zoom."""
    from carezones.maps import STREET_CLASSES, street_labels

    net = datasets.load_default_network(modes="walk")
    labels = street_labels(net)
    assert len(labels) > 20 and labels["angle"].between(-90, 90).all()
    assert set(labels["min_zoom"]) <= set(STREET_CLASSES.values())
    assert labels["highway"].map(STREET_CLASSES).eq(labels["min_zoom"]).all()
    edges = net.edges["walk"]
    at = labels.to_crs(edges.crs)
    for name, point in zip(at["name"].head(30), at.geometry.head(30), strict=True):
        own = edges[edges["name"].astype(str).str.contains(name, regex=False)]
        assert own.distance(point).min() < 1.0, name
    # main roads first, then longer streets
    assert labels["min_zoom"].is_monotonic_increasing
    first = labels[labels["name"] == "Mannerheimintie"]
    assert len(first) and (first["min_zoom"] == 13).all()


def test_streets_map_escapes_names_and_gives_way_to_zone_labels() -> None:
    """A street named like HTML is written as text; street labels join the declutter last."""
    import dataclasses

    from carezones.maps import streets_map

    net = datasets.load_default_network(modes="walk")
    edges = net.edges["walk"].copy()
    main = edges["name"].astype(str) == "Mannerheimintie"
    edges.loc[main, "name"] = "<img src=x onerror=alert(1)>"
    hostile = dataclasses.replace(net, edges={"walk": edges})
    page = streets_map(hostile).get_root().render()
    assert "<img src=x" not in page and "&amp;lt;img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.replace("\\u0026", "&")
    assert "'.cz-label-icon', '.cz-place-icon', '.cz-street-icon'" in page
