"""Tests for zone shapes, names, boundaries and the one measure of drawn plans (issue 15)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from carezones import datasets
from carezones.network import TravelNetwork, admin_boundary, load_network, osm_places
from carezones.zoning import NeighbourhoodZoner, check_plan
from carezones.zoning.names import _DIRECTIONS

CASES = {  # extract: (clients, total weekly hours, floor, zones)
    "camden": (1500, 15000.0, 1000.0, "auto"),
    "rutland": (600, None, 1000.0, "auto"),
    "oxford": (800, 8000.0, 1000.0, "auto"),
}


def _clients(net: TravelNetwork, n: int, total: float | None) -> gpd.GeoDataFrame:
    clients, _, _ = datasets.synthetic_population(
        net, n_clients=n, n_carers=max(n // 3, 10), n_providers=4,
        total_weekly_hours=total, random_state=0,
    )  # fmt: skip
    return clients


def assert_clean(zones: gpd.GeoDataFrame) -> None:
    """No zone has a fragment without clients or a hole that holds no other zone."""
    assert (zones["empty_parts"] == 0).all(), zones[["zone_id", "parts", "empty_parts"]]
    assert (zones["empty_holes"] == 0).all(), zones[["zone_id", "holes", "empty_holes"]]
    # recount on the polygons themselves: every hole is filled by other zones
    geoms = zones.geometry.to_numpy()
    for z, geom in enumerate(geoms):
        for poly in shapely.get_parts(geom):
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                others = shapely.union_all(np.delete(geoms, z))
                assert shapely.area(shapely.intersection(hole, others)) > 0.5 * hole.area
    assert 0 < zones["polsby_popper"].min() <= zones["polsby_popper"].max() <= 1


@pytest.fixture(scope="module")
def demo() -> tuple[TravelNetwork, gpd.GeoDataFrame]:
    net = datasets.load_default_network(modes="walk")
    return net, _clients(net, 300, None)


def test_demo_zones_have_no_fragment_and_no_empty_hole(demo) -> None:
    """The demo's zones are drawn without client-less fragments or empty holes."""
    net, clients = demo
    zoner = NeighbourhoodZoner(300, random_state=0).fit(clients, network=net)
    assert_clean(zoner.zones_)
    assert zoner.report_.ok
    assert zoner.report_.summary["n_empty_parts"] == 0
    assert (zoner.predict(clients) == zoner.labels_).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_uk_plans_are_clean_named_and_unique(name: str) -> None:
    """Camden, Rutland and Oxford plans: no fragment or empty hole; unique names from places."""
    path = datasets.shared_data_dir()
    if path is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    source = datasets.shared_osm_path(name)
    net = load_network(source, modes=("walk",))
    n, total, floor, k = CASES[name]
    clients = _clients(net, n, total)
    places = osm_places(source)
    zoner = NeighbourhoodZoner(floor, n_zones=k, n_init=2, places=places, random_state=0)
    zoner.fit(clients, network=net)
    zones = zoner.zones_
    assert_clean(zones)
    assert zoner.report_.summary["zones_below_floor"] == 0
    assert zones["name"].is_unique
    assert zones["zone_id"].is_unique and list(zones.columns[:2]) == ["zone_id", "name"]
    base = {str(p) for p in places["name"]}
    for nm in zones["name"]:  # a place's name, or the nearest place's and a direction
        stem, _, way = nm.rpartition(" ")
        assert nm in base or (stem in base and way in _DIRECTIONS), nm
    print(name, zones[["zone_id", "name", "parts", "holes", "polsby_popper"]].to_string())


def test_camden_boundary_clips_zones_to_the_borough() -> None:
    """With the extract's own boundary, zones stay inside Camden and outsiders are unassigned."""
    if datasets.shared_data_dir() is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    source = datasets.shared_osm_path("camden")
    net = load_network(source, modes=("walk",))
    border = admin_boundary(source, points=net.nodes["walk"].geometry.iloc[::50])
    assert border is not None and "Camden" in border["name"].iloc[0]
    clients = _clients(net, 1200, 12000.0)
    zoner = NeighbourhoodZoner(1000, n_init=1, boundary=border, random_state=0)
    zoner.fit(clients, network=net)
    zones = zoner.zones_
    borough = border.to_crs(zones.crs).geometry.iloc[0]
    union = shapely.union_all(zones.geometry.to_numpy())
    assert shapely.area(shapely.difference(union, borough)) < 1e-6 * borough.area + 1.0
    assert zones["area_km2"].sum() <= borough.area / 1e6 + 1e-6
    outside = ~clients.geometry.to_crs(zones.crs).within(borough).to_numpy()
    left = zoner.unassigned_.set_index("client_id")["reason"]
    ids = clients["client_id"].astype(str).to_numpy()[outside]
    assert len(ids) and all(left.get(i) == "outside the boundary" for i in ids)
    assert zoner.report_.summary["zones_below_floor"] == 0
    assert_clean(zones)


def _quarters(net: TravelNetwork) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = net.nodes["walk"].total_bounds
    xm, ym = (x0 + x1) / 2 + 40.0, (y0 + y1) / 2 - 30.0
    pad = 500.0
    boxes = [
        shapely.box(x0 - pad, ym, xm, y1 + pad),
        shapely.box(xm, ym, x1 + pad, y1 + pad),
        shapely.box(x0 - pad, y0 - pad, xm, ym),
        shapely.box(xm, y0 - pad, x1 + pad, ym),
    ]
    return gpd.GeoDataFrame({"zone_id": ["NW", "NE", "SW", "SE"]}, geometry=boxes, crs=net.crs)


def test_check_equals_locked_on_the_same_polygons(demo) -> None:
    """--check and --locked give every zone drawn as a polygon the same hours and pieces."""
    net, clients = demo
    polys = _quarters(net)
    checked = check_plan(polys, clients, net, min_weekly_hours=100).zones
    locked = NeighbourhoodZoner(100, n_zones=4, locked=polys, random_state=0)
    locked = locked.fit(clients, network=net).report_.zones
    for column in ("weekly_hours", "n_clients", "pieces"):
        assert np.allclose(
            checked[column].sort_index().to_numpy(float),
            locked.loc[checked.index, column].sort_index().to_numpy(float),
        ), column
    # two of the four locked, the rest redrawn: the locked ones still measure the same
    part = NeighbourhoodZoner(100, n_zones=4, locked=polys.iloc[:2], random_state=0)
    part = part.fit(clients, network=net).report_.zones
    for zone in ("NW", "NE"):
        for column in ("weekly_hours", "n_clients", "pieces"):
            assert np.isclose(checked.loc[zone, column], part.loc[zone, column]), (zone, column)


def test_boundary_must_have_a_crs(demo) -> None:
    """A boundary without a CRS is a clear error."""
    net, clients = demo
    from carezones import ValidationError

    with pytest.raises(ValidationError, match="CRS"):
        NeighbourhoodZoner(300, boundary=shapely.box(0, 0, 1, 1)).fit(clients, network=net)


def test_cli_zones_boundary_names_and_lots(tmp_path: Path) -> None:
    """`carezones zones --boundary extract` writes names, lot_id and provider_id in zones.gpkg."""
    if datasets.shared_data_dir() is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    from typer.testing import CliRunner

    from carezones.cli.app import app

    source = datasets.shared_osm_path("camden")
    net = load_network(source, modes=("walk",))
    clients = _clients(net, 800, 8000.0).to_crs(4326)
    frame = clients.assign(lon=clients.geometry.x, lat=clients.geometry.y)
    frame.drop(columns="geometry").to_csv(tmp_path / "clients.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["zones", "--network", str(source), "--clients", str(tmp_path / "clients.csv"),
         "--out", str(tmp_path / "run"), "--boundary", "extract", "--providers", "2",
         "--min-provider-hours", "2000"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    zones = gpd.read_file(tmp_path / "run" / "zones.gpkg", layer="zones")
    assert {"name", "lot_id", "provider_id", "parts", "polsby_popper"} <= set(zones.columns)
    assert zones["name"].is_unique and zones["lot_id"].notna().all()
    assert "Camden" in result.output


# ------------------------------------------------------------------ their own geography


def _camden_squares(net: TravelNetwork, border: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Unit polygons built from the extract: 600 m squares clipped to the borough."""
    borough = border.to_crs(net.crs).geometry.iloc[0]
    x0, y0, x1, y1 = borough.bounds
    cells = [
        shapely.box(x, y, x + 600, y + 600)
        for x in np.arange(x0, x1, 600)
        for y in np.arange(y0, y1, 600)
    ]
    parts = shapely.intersection(np.asarray(cells, dtype=object), borough)
    keep = shapely.area(parts) > 1e3
    return gpd.GeoDataFrame(
        {"WD24CD": [f"E0500{i:04d}" for i in range(int(keep.sum()))]},
        geometry=parts[keep],
        crs=net.crs,
    )


def test_unit_zones_are_unions_of_whole_units_and_meet_the_floor() -> None:
    """Zones built from units are unions of whole units; every zone meets the floor."""
    if datasets.shared_data_dir() is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    from carezones.zoning import align_to_units, dissolve_plan, read_units, unit_zones

    source = datasets.shared_osm_path("camden")
    net = load_network(source, modes=("walk",))
    border = admin_boundary(source, points=net.nodes["walk"].geometry.iloc[::50])
    units = read_units(_camden_squares(net, border), "WD24CD")
    clients = _clients(net, 1200, 12000.0)
    inside = clients.geometry.within(border.to_crs(clients.crs).geometry.iloc[0])
    clients = clients[inside.to_numpy()]
    zoner = NeighbourhoodZoner(1000, n_init=1, boundary=border, random_state=0)
    plan = zoner.fit(clients, network=net).plan_
    split = align_to_units(plan, clients, units)
    assert split["units_split"].sum() > 0 and (split["split_hours"] >= 0).all()
    built = unit_zones(plan, clients, units, net, min_weekly_hours=1000)
    zones = built.zones
    assert (zones["weekly_hours"] >= 1000 - 1e-6).all()
    assert built.report.summary["zones_below_floor"] == 0
    # a union of whole units: each unit lies in exactly one zone polygon, wholly
    frame = units.to_crs(zones.crs)
    for geom in frame.geometry:
        covered = shapely.area(shapely.intersection(zones.geometry.to_numpy(), geom))
        assert np.isclose(covered.max(), geom.area, rtol=1e-6), covered
    assert (align_to_units(built, clients, units)["units_split"] == 0).all()
    # one piece where the units allow: each zone's units touch one another, even when
    # the plan scatters a zone's clients over the borough (every 5th unit's clients are
    # given to the first zone, far from most of them)
    for geom in zones.geometry:
        assert shapely.get_num_geometries(shapely.buffer(geom, 1.0)) == 1
    unit_of = shapely.STRtree(frame.geometry.to_numpy()).query(
        clients.geometry.to_crs(frame.crs).to_numpy(), predicate="within"
    )
    stray = clients["client_id"].astype(str).to_numpy()[unit_of[0][unit_of[1] % 5 == 0]]
    labels = plan.labels.copy()
    labels.loc[labels.index.isin(stray)] = plan.zones["zone_id"].iloc[0]
    scattered = dataclasses.replace(plan, labels=labels)
    rebuilt = unit_zones(scattered, clients, units, net, min_weekly_hours=1000).zones
    assert (rebuilt["weekly_hours"] >= 1000 - 1e-6).all()
    for geom in rebuilt.geometry:
        assert shapely.get_num_geometries(shapely.buffer(geom, 1.0)) == 1
    # the same plan given as unit ids scores the same
    frame["zone"] = None
    for z, geom in zip(zones["zone_id"], zones.geometry, strict=True):
        frame.loc[shapely.area(shapely.intersection(frame.geometry.to_numpy(), geom))
                  > 0.5 * frame.area, "zone"] = z  # fmt: skip
    again = check_plan(dissolve_plan(frame, "zone"), clients, net, min_weekly_hours=1000)
    assert np.allclose(
        again.zones["weekly_hours"].sort_index(),
        zones.set_index("zone_id")["weekly_hours"].sort_index(),
    )


def test_read_units_lists_every_problem(tmp_path: Path) -> None:
    """Units without the id column, with duplicate ids or non-polygons are refused at once."""
    from carezones import ValidationError
    from carezones.zoning import read_units

    frame = gpd.GeoDataFrame(
        {"code": ["a", "a", "b"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.Point(5, 5)],
        crs=27700,
    )
    with pytest.raises(ValidationError, match="WD24CD"):
        read_units(frame, "WD24CD")
    with pytest.raises(ValidationError) as err:
        read_units(frame, "code")
    assert "duplicate id" in str(err.value) and "not a polygon" in str(err.value)


def test_cli_zones_from_units_and_check_by_unit_ids(tmp_path: Path) -> None:
    """`zones --units` builds zones of whole units; `--check --zone-id-column` scores them."""
    if datasets.shared_data_dir() is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    import json

    from typer.testing import CliRunner

    from carezones.cli.app import app

    source = datasets.shared_osm_path("camden")
    net = load_network(source, modes=("walk",))
    border = admin_boundary(source, points=net.nodes["walk"].geometry.iloc[::50])
    squares = _camden_squares(net, border)
    squares.to_file(tmp_path / "wards.gpkg", driver="GPKG")
    clients = _clients(net, 800, 8000.0).to_crs(4326)
    frame = clients.assign(lon=clients.geometry.x, lat=clients.geometry.y)
    frame.drop(columns="geometry").to_csv(tmp_path / "clients.csv", index=False)
    base = ["zones", "--network", str(source), "--clients", str(tmp_path / "clients.csv")]
    result = CliRunner().invoke(
        app,
        [*base, "--out", str(tmp_path / "run"), "--boundary", "extract", "--units",
         str(tmp_path / "wards.gpkg"), "--unit-id", "WD24CD"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "zones rebuilt from whole units" in result.output
    split = pd.read_csv(tmp_path / "run" / "data" / "alignment.csv")
    assert {"zone_id", "units_split", "split_hours"} <= set(split.columns)
    shown = pd.read_csv(tmp_path / "run" / "alignment.csv")  # for people: units in headers
    assert {"units_split (units)", "split_hours (h/week)"} <= set(shown.columns)
    zones = gpd.read_file(tmp_path / "run" / "zones.gpkg", layer="zones")
    assert (zones["weekly_hours"] >= 1000 - 1e-6).all() and "n_units" in zones
    layers = gpd.list_layers(tmp_path / "run" / "zones.gpkg")["name"].tolist()
    assert "boundary" in layers  # the extract's own boundary, by default, kept for the maps
    # the same plan given as unit ids: each square carries its zone's id
    cells = squares.to_crs(zones.crs)
    held = shapely.area(
        shapely.intersection(cells.geometry.to_numpy()[:, None], zones.geometry.to_numpy()[None])
    )
    cells["zone"] = zones["zone_id"].to_numpy()[held.argmax(axis=1)]
    cells.to_file(tmp_path / "plan.gpkg", driver="GPKG")
    result = CliRunner().invoke(
        app,
        [*base, "--out", str(tmp_path / "check"), "--check", str(tmp_path / "plan.gpkg"),
         "--zone-id-column", "zone"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    checked = json.loads((tmp_path / "check" / "report.json").read_text())["zones"]
    hours = {z["zone_id"]: z["weekly_hours"] for z in checked}
    for row in zones.itertuples():  # clients outside the borough: in a gap under --check
        assert np.isclose(hours[row.zone_id], row.weekly_hours), row.zone_id


def test_locked_zones_keep_their_polygons_when_streets_are_stranded(
    helsinki: TravelNetwork,
) -> None:
    """Streets the locked zones cut off join a free zone, never a locked one.

    On Helsinki, locking the two smallest zones of a draft leaves streets with too few
    hours cut off; they used to join the nearest zone, a locked one, whose polygon then
    grew (125,442 m² to 153,849 m², in two parts).
    """
    clients, _, _ = datasets.synthetic_population(
        helsinki, n_clients=80, n_carers=45, n_providers=2, random_state=0
    )
    draft = NeighbourhoodZoner(150, n_zones="auto", n_init=1, random_state=0)
    zones = draft.fit(clients, network=helsinki).zones_
    agreed = zones.nsmallest(2, "area_km2")["zone_id"].tolist()
    redrawn = NeighbourhoodZoner(
        150, n_zones=len(zones) - 1, locked=zones[zones["zone_id"].isin(agreed)],
        n_init=1, random_state=1,
    ).fit(clients, network=helsinki)  # fmt: skip
    before, after = zones.set_index("zone_id"), redrawn.zones_.set_index("zone_id")
    for z in agreed:
        assert after.at[z, "geometry"].equals(before.at[z, "geometry"]), z
        assert after.at[z, "weekly_hours"] == pytest.approx(before.at[z, "weekly_hours"])
