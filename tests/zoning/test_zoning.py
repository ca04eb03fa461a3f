"""Tests for carezones.zoning: the neighbourhood zoner, check_plan and the baselines."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carezones import InfeasibleError, ValidationError
from carezones.network import TravelNetwork
from carezones.zoning import (
    NeighbourhoodZoner,
    ZonePlan,
    agglomerative_zones,
    check_plan,
    grid_zones,
    kmeans_zones,
    neighbourhood_zones,
)
from conftest import grid_network

GRID = grid_network(8)  # 8 x 8 walking grid, 100 m blocks


def make_clients(
    net: TravelNetwork, hours: np.ndarray, seed: int = 0, jitter: float = 20.0
) -> gpd.GeoDataFrame:
    """Clients near random nodes of the walking network."""
    rng = np.random.default_rng(seed)
    nodes = net.nodes["walk"]
    at = rng.integers(0, len(nodes), len(hours))
    x = nodes["x"].to_numpy()[at] + rng.uniform(-jitter, jitter, len(hours))
    y = nodes["y"].to_numpy()[at] + rng.uniform(-jitter, jitter, len(hours))
    return gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(len(hours))], "weekly_hours": hours},
        geometry=gpd.points_from_xy(x, y),
        crs=net.crs,
    )


@pytest.fixture(scope="module")
def clients() -> gpd.GeoDataFrame:
    return make_clients(GRID, np.random.default_rng(1).uniform(2, 20, 120))


@pytest.fixture(scope="module")
def fitted(clients: gpd.GeoDataFrame) -> NeighbourhoodZoner:
    return NeighbourhoodZoner(250, n_zones=4, random_state=0).fit(clients, network=GRID)


def node_zones(plan: ZonePlan, net: TravelNetwork) -> pd.Series:
    nodes = net.nodes["walk"]
    return pd.Series(
        plan.predict(gpd.GeoDataFrame(geometry=nodes.geometry)).to_numpy(), index=nodes.index
    )


def assert_one_piece(plan: ZonePlan, net: TravelNetwork) -> None:
    graph = nx.Graph(net.graph("walk"))
    zone_of = node_zones(plan, net)
    for zone, members in zone_of.groupby(zone_of):
        assert nx.is_connected(graph.subgraph(members.index)), zone


def assert_partition(plan: ZonePlan, clients: gpd.GeoDataFrame) -> None:
    zones = plan.zones
    union = shapely.union_all(zones.geometry.to_numpy())
    assert abs(zones.area.sum() - union.area) < 1e-3 * union.area  # no overlaps
    assert abs(union.area - plan.units.area.area) < 1e-3 * union.area  # no gaps
    pts = clients.geometry.to_crs(zones.crs)
    inside = np.array([[g.covers(p) for g in zones.geometry] for p in pts])
    assigned = plan.labels.reindex(clients["client_id"].astype(str)).to_numpy()
    for row, zone in zip(inside, assigned, strict=True):
        assert row.sum() >= 1
        if zone is not None and row.sum() == 1:
            assert zones["zone_id"].to_numpy()[row.argmax()] == zone


def test_every_zone_one_piece_on_the_walking_network(fitted: NeighbourhoodZoner) -> None:
    """Each zone's streets form one connected piece of the walking graph (checked with networkx)."""
    assert_one_piece(fitted.plan_, GRID)
    assert (fitted.zones_["pieces"] == 1).all()


def test_every_zone_meets_the_floor(fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame) -> None:
    """Zone hours are at or above the floor and add up to the clients' hours."""
    assert (fitted.zones_["weekly_hours"] >= 250).all()
    assert fitted.zones_["weekly_hours"].sum() == pytest.approx(clients["weekly_hours"].sum())
    assert fitted.report_.ok and fitted.n_zones_ == 4


def test_each_client_exactly_once(clients: gpd.GeoDataFrame) -> None:
    """Every client is in one zone or unassigned with a reason, never both or neither."""
    far = gpd.GeoDataFrame(
        {"client_id": ["far"], "weekly_hours": [5.0]},
        geometry=[shapely.Point(530_000 + 350, 180_000 + 5_000)],
        crs=GRID.crs,
    )
    both = pd.concat([clients, far], ignore_index=True)
    zoner = NeighbourhoodZoner(250, n_zones=3, random_state=0).fit(both, network=GRID)
    assert list(zoner.labels_.index) == both["client_id"].tolist()
    unassigned = set(zoner.unassigned_["client_id"])
    assert unassigned == {"far"}
    assert "far from the walking network" in zoner.unassigned_["reason"].iloc[0]
    assert zoner.labels_["far"] is None
    assert zoner.labels_.drop("far").notna().all()
    assert zoner.zones_["n_clients"].sum() == len(clients)


def test_polygons_partition_the_area(fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame) -> None:
    """Polygons cover the served area without overlaps; each client is in its zone's polygon."""
    assert_partition(fitted.plan_, clients)


def test_predict_agrees_with_labels(fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame) -> None:
    """predict() on the fitted clients returns labels_."""
    assert fitted.predict(clients).equals(fitted.labels_)
    assert fitted.labels_.equals(fitted.fit_predict(clients, network=GRID))


def test_the_zoner_is_a_scikit_learn_estimator(
    fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame
) -> None:
    """get_params, set_params, clone and repr work; predict before fit is NotFittedError."""
    from sklearn.base import BaseEstimator, clone
    from sklearn.exceptions import NotFittedError

    assert isinstance(fitted, BaseEstimator)
    params = fitted.get_params()
    assert params["min_weekly_hours"] == 250 and params["n_zones"] == 4
    fresh = clone(fitted)
    assert fresh.get_params() == params and not hasattr(fresh, "plan_")
    assert fresh.set_params(n_zones=3) is fresh and fresh.n_zones == 3
    assert repr(fresh) == "NeighbourhoodZoner(min_weekly_hours=250, n_zones=3, random_state=0)"
    with pytest.raises(NotFittedError):
        fresh.predict(clients)
    assert fresh.fit(clients, network=GRID).n_zones_ == 3


def test_the_network_goes_by_keyword(clients: gpd.GeoDataFrame) -> None:
    """fit(clients, network) still works, with a DeprecationWarning; no network is an error."""
    zoner = NeighbourhoodZoner(250, n_zones=2, n_init=1, random_state=0)
    with pytest.warns(DeprecationWarning, match="network=network"):
        old = zoner.fit(clients, GRID).labels_
    assert old.equals(zoner.fit(clients, network=GRID).labels_)
    with pytest.raises(ValidationError, match="no network"):
        zoner.fit(clients)


def test_ward_zones_is_a_deprecated_name_of_agglomerative_zones(
    clients: gpd.GeoDataFrame,
) -> None:
    """ward_zones warns and gives exactly agglomerative_zones' plan."""
    from carezones.zoning import ward_zones

    with pytest.warns(DeprecationWarning, match="agglomerative_zones"):
        old = ward_zones(clients, GRID, n_zones=3)
    assert old.labels.equals(agglomerative_zones(clients, GRID, n_zones=3).labels)


def test_one_default_floor_and_starts() -> None:
    """The zone floor and the starts have one default, shared by API, CLI and scenarios."""
    import inspect

    from carezones.cli.app import zones as zones_command
    from carezones.scenario.spec import ProviderSpec, ZoneSpec
    from carezones.zoning import MIN_PROVIDER_HOURS, MIN_WEEKLY_HOURS, N_INIT, provider_lots

    zoner = NeighbourhoodZoner()
    assert zoner.min_weekly_hours == MIN_WEEKLY_HOURS == ZoneSpec().min_weekly_hours
    assert zoner.n_init == N_INIT == ZoneSpec().n_init
    cli = inspect.signature(zones_command).parameters
    assert cli["min_weekly_hours"].default == MIN_WEEKLY_HOURS
    assert (
        cli["min_provider_hours"].default == MIN_PROVIDER_HOURS == ProviderSpec().min_provider_hours
    )
    assert inspect.signature(provider_lots).parameters["min_provider_hours"].default == (
        MIN_PROVIDER_HOURS
    )


def test_locked_polygon_zone_unchanged(
    fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame
) -> None:
    """A zone locked as a polygon keeps exactly its clients when the rest is redrawn."""
    keep = fitted.zones_.iloc[[1]][["zone_id", "geometry"]]
    zone = keep["zone_id"].iloc[0]
    before = set(fitted.labels_[fitted.labels_ == zone].index)
    again = NeighbourhoodZoner(250, n_zones=3, locked=keep, random_state=5).fit(
        clients, network=GRID
    )
    assert set(again.labels_[again.labels_ == zone].index) == before
    assert again.zones_.set_index("zone_id").loc[zone, "locked"]
    assert again.n_zones_ == 3 and again.report_.ok


def test_locked_client_set_unchanged(fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame) -> None:
    """A zone locked as a client set keeps exactly those clients."""
    members = list(fitted.labels_[fitted.labels_ == "Z01"].index)
    again = NeighbourhoodZoner(250, n_zones=4, locked={"mine": members}, random_state=3).fit(
        clients, network=GRID
    )
    assert set(again.labels_[again.labels_ == "mine"].index) == set(members)
    assert_one_piece(again.plan_, GRID)


def test_seeds_are_zone_centres(clients: gpd.GeoDataFrame) -> None:
    """Each seed becomes the centre of its own zone, in the order given."""
    nodes = GRID.nodes["walk"]
    seeds = gpd.GeoSeries([nodes.geometry.iloc[0], nodes.geometry.iloc[63]], crs=GRID.crs)
    zoner = NeighbourhoodZoner(250, n_zones=4, seeds=seeds, random_state=0).fit(
        clients, network=GRID
    )
    zones = zoner.zones_
    for j, seed in enumerate(seeds):
        assert zones["centre_x"].iloc[j] == pytest.approx(seed.x)
        assert zones["centre_y"].iloc[j] == pytest.approx(seed.y)
    assert zoner.predict(gpd.GeoDataFrame(geometry=seeds)).nunique() == 2


def test_infeasible_floor_says_how_many_zones(clients: gpd.GeoDataFrame) -> None:
    """Too many zones for the hours raises InfeasibleError naming the supported count."""
    total = clients["weekly_hours"].sum()
    with pytest.raises(InfeasibleError, match=f"support at most {int(total // 300)} zones"):
        NeighbourhoodZoner(300, n_zones=int(total // 300) + 1).fit(clients, network=GRID)
    with pytest.raises(RuntimeError):
        NeighbourhoodZoner(total + 1).fit(clients, network=GRID)


def test_deterministic_with_random_state(clients: gpd.GeoDataFrame) -> None:
    """The same random_state gives the same plan."""
    a = neighbourhood_zones(clients, GRID, min_weekly_hours=200, random_state=7)
    b = neighbourhood_zones(clients, GRID, min_weekly_hours=200, random_state=7)
    assert a.labels.equals(b.labels)
    assert a.zones.geometry.geom_equals_exact(b.zones.geometry, 1e-6).all()


def test_auto_finds_most_zones_meeting_floor(clients: gpd.GeoDataFrame) -> None:
    """n_zones='auto' draws as many zones as the hours allow."""
    total = clients["weekly_hours"].sum()
    zoner = NeighbourhoodZoner(total / 5.5, random_state=0).fit(clients, network=GRID)
    assert zoner.n_zones_ == 5 and zoner.report_.ok


def test_cap_is_respected(clients: gpd.GeoDataFrame) -> None:
    """max_weekly_hours caps every zone."""
    total = clients["weekly_hours"].sum()
    zoner = NeighbourhoodZoner(total / 8, max_weekly_hours=total / 3.5, n_zones=4, random_state=0)
    zoner.fit(clients, network=GRID)
    assert zoner.zones_["weekly_hours"].max() <= total / 3.5 + 1e-9


def test_bad_input_lists_every_problem(clients: gpd.GeoDataFrame) -> None:
    """Duplicate ids and negative hours are reported together, naming the ids."""
    bad = clients.copy()
    bad.loc[1, "client_id"] = "c0"
    bad.loc[2, "weekly_hours"] = -1.0
    with pytest.raises(ValidationError) as err:
        NeighbourhoodZoner(100).fit(bad, network=GRID)
    assert len(err.value.problems) == 2 and "'c0'" in str(err.value)
    with pytest.raises(ValidationError, match="n_zones"):
        NeighbourhoodZoner(100, n_zones=0).fit(clients, network=GRID)


def test_check_plan_finds_hand_drawn_faults(clients: gpd.GeoDataFrame) -> None:
    """check_plan reports overlaps, gaps, zones below the floor and zones in several pieces."""
    x0, y0 = 530_000.0, 180_000.0
    polys = gpd.GeoDataFrame(
        {"zone_id": ["a", "b", "c"]},
        geometry=[
            shapely.box(x0 - 200, y0 - 200, x0 + 420, y0 + 900),  # west
            shapely.box(x0 + 380, y0 - 200, x0 + 900, y0 + 900),  # east, overlapping west
            shapely.box(x0 - 200, y0 + 950, x0 + 900, y0 + 1000),  # a strip beyond the streets
        ],
        crs=GRID.crs,
    )
    report = check_plan(polys, clients, GRID, min_weekly_hours=300)
    rules = set(report.violations["rule"])
    assert {"overlap", "below floor"} <= rules
    gappy = polys.iloc[:1]
    report = check_plan(gappy, clients, GRID, min_weekly_hours=100)
    assert "gap" in set(report.violations["rule"])
    assert (report.unassigned["reason"].str.contains("gap")).any()
    split = gpd.GeoDataFrame(
        {"zone_id": ["two"]},
        geometry=[
            shapely.box(x0 - 50, y0 - 50, x0 + 50, y0 + 750).union(
                shapely.box(x0 + 650, y0 - 50, x0 + 750, y0 + 750)
            )
        ],
        crs=GRID.crs,
    )
    report = check_plan(split, clients, GRID, min_weekly_hours=1)
    assert "not one piece" in set(report.violations["rule"])


def test_check_plan_agrees_with_the_zoner(
    fitted: NeighbourhoodZoner, clients: gpd.GeoDataFrame
) -> None:
    """Checking the zoner's own polygons or labels gives the same hours and no broken rule."""
    for plan in (fitted.plan_, fitted.zones_[["zone_id", "geometry"]], fitted.labels_):
        report = check_plan(plan, clients, GRID, min_weekly_hours=250)
        assert report.ok, report.violations
        hours = report.zones["weekly_hours"].sort_index()
        assert np.allclose(
            hours.to_numpy(), fitted.zones_.set_index("zone_id")["weekly_hours"].sort_index()
        )


def test_baselines_return_comparable_plans(clients: gpd.GeoDataFrame) -> None:
    """k-means, Ward (network connectivity) and the grid return plans with the same metrics."""
    km = kmeans_zones(clients, GRID, n_zones=4, random_state=0)
    ward = agglomerative_zones(clients, GRID, n_zones=4)
    grid = grid_zones(clients, GRID, n_zones=4)
    assert len(km.zones) == 4 and len(ward.zones) == 4 and 2 <= len(grid.zones) <= 6
    assert ward.report.summary["all_one_piece"]
    for plan in (km, ward, grid):
        assert plan.labels.notna().all()
        assert "mean_minutes_to_centre" in plan.report.summary
        assert_partition(plan, clients)


def test_report_is_json_ready(fitted: NeighbourhoodZoner) -> None:
    """report_.to_dict() holds plain values and str() reads as a summary."""
    import json

    data = fitted.report_.to_dict()
    json.dumps(data)
    assert data["summary"]["n_zones"] == 4
    assert "zones" in str(fitted.report_)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hours=st.lists(st.floats(0.5, 30.0), min_size=12, max_size=60),
    seed=st.integers(0, 10_000),
    share=st.floats(0.15, 0.5),
)
def test_property_random_demand(hours: list[float], seed: int, share: float) -> None:
    """Random demand: zones meet the floor, are one piece, clients once, polygons partition."""
    net = grid_network(6)
    clients = make_clients(net, np.array(hours), seed=seed)
    floor = share * float(np.sum(hours))
    zoner = NeighbourhoodZoner(floor, random_state=seed).fit(clients, network=net)
    assert (zoner.zones_["weekly_hours"] >= floor - 1e-9).all()
    assert zoner.zones_["weekly_hours"].sum() == pytest.approx(sum(hours))
    assert zoner.labels_.notna().all() and zoner.unassigned_.empty
    assert 1 <= zoner.n_zones_ <= int(1 / share + 1e-9)
    assert_one_piece(zoner.plan_, net)
    assert_partition(zoner.plan_, clients)
    assert zoner.predict(clients).equals(zoner.labels_)


def test_cli_zones_writes_outputs(tmp_path: object) -> None:
    """`carezones zones` writes zones.gpkg, assignments.csv, report.json and providers.csv."""
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from carezones import datasets
    from carezones.cli import app

    out = Path(str(tmp_path))
    net = datasets.load_default_network(modes="walk")
    nodes = net.nodes["walk"].sample(80, random_state=4).to_crs(4326)
    pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(80)],
            "weekly_hours": 10.0,
            "lon": nodes.geometry.x.to_numpy(),
            "lat": nodes.geometry.y.to_numpy(),
        }
    ).to_csv(out / "clients.csv", index=False)
    args = ["zones", "--network", "helsinki", "--clients", str(out / "clients.csv"),
            "--min-hours", "150", "--zones", "auto", "--out", str(out / "run"),
            "--providers", "2", "--min-provider-hours", "300"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    zones = gpd.read_file(out / "run" / "zones.gpkg", layer="zones")
    assignments = pd.read_csv(out / "run" / "assignments.csv")
    report = json.loads((out / "run" / "report.json").read_text())
    lots = pd.read_csv(out / "run" / "providers.csv")
    assert (zones["weekly_hours"] >= 150).all() and len(zones) == report["summary"]["n_zones"]
    assert sorted(assignments["client_id"]) == sorted(f"c{i}" for i in range(80))
    assert set(assignments["zone_id"]) == set(zones["zone_id"])
    assert set(lots["zone_id"]) == set(zones["zone_id"]) and lots["lot_id"].nunique() == 2


def test_streets_cut_off_by_a_locked_zone(clients: gpd.GeoDataFrame) -> None:
    """Clients on streets cut off by a locked zone, too few for a zone, are unassigned with why."""
    x0, y0 = 530_000.0, 180_000.0
    wall = gpd.GeoDataFrame(
        {"zone_id": ["wall"]},
        geometry=[shapely.box(x0 + 50, y0 - 50, x0 + 150, y0 + 750)],
        crs=GRID.crs,
    )
    total = clients["weekly_hours"].sum()
    zoner = NeighbourhoodZoner(total / 4, n_zones="auto", locked=wall, random_state=0).fit(
        clients, network=GRID
    )
    west = clients.geometry.x < x0 + 50
    cut = set(clients.loc[west, "client_id"])
    assert cut and set(zoner.unassigned_["client_id"]) == cut
    assert zoner.unassigned_["reason"].str.contains("cut off").all()
    assert zoner.labels_[list(cut)].isna().all()
    assert_partition(zoner.plan_, clients)


def _grid_clients(net: TravelNetwork, columns: list[int]) -> gpd.GeoDataFrame:
    nodes = net.nodes["walk"]
    col = ((nodes["x"] - nodes["x"].min()) / 100).round().astype(int)
    pick = nodes[col.isin(columns)]
    return gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(len(pick))], "weekly_hours": 10.0},
        geometry=pick.geometry.to_numpy(),
        crs=net.crs,
    )


def test_hand_drawn_stub_without_clients_is_not_a_second_piece() -> None:
    """A hand-drawn zone that strands an empty bit of street is still one piece for its clients."""
    net = grid_network(5)
    x0, y0 = net.nodes["walk"]["x"].min(), net.nodes["walk"]["y"].min()
    clients = _grid_clients(net, [0, 1, 2, 4])
    stub = shapely.box(x0 + 250, y0 + 350, x0 + 350, y0 + 450)  # one empty node of column 3
    west = shapely.union_all([shapely.box(x0 - 50, y0 - 50, x0 + 150, y0 + 450), stub])
    east = shapely.box(x0 + 150, y0 - 50, x0 + 450, y0 + 450).difference(stub)
    plan = gpd.GeoDataFrame({"zone_id": ["W", "E"]}, geometry=[west, east], crs=net.crs)
    report = check_plan(plan, clients, net, min_weekly_hours=10)
    assert "not one piece" not in set(report.violations["rule"])


def test_hand_drawn_zone_split_between_clients_is_flagged() -> None:
    """A hand-drawn zone whose clients sit in two separate strips is not one piece."""
    net = grid_network(5)
    x0, y0 = net.nodes["walk"]["x"].min(), net.nodes["walk"]["y"].min()
    clients = _grid_clients(net, [0, 2, 4])
    west_and_east = shapely.union_all(
        [
            shapely.box(x0 - 50, y0 - 50, x0 + 50, y0 + 450),
            shapely.box(x0 + 350, y0 - 50, x0 + 450, y0 + 450),
        ]
    )
    middle = shapely.box(x0 + 50, y0 - 50, x0 + 350, y0 + 450)
    plan = gpd.GeoDataFrame({"zone_id": ["A", "B"]}, geometry=[west_and_east, middle], crs=net.crs)
    report = check_plan(plan, clients, net, min_weekly_hours=10)
    broken = report.violations
    assert set(broken.loc[broken["rule"] == "not one piece", "zone_id"]) == {"A"}


def _grid_graph(n: int = 8):
    from scipy import sparse

    idx = np.arange(n * n).reshape(n, n)
    rows = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    cols = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    a = sparse.coo_matrix((np.full(len(rows), 60.0), (rows, cols)), shape=(n * n, n * n))
    xy = np.c_[idx.ravel() % n, idx.ravel() // n].astype(float) * 100
    return (a + a.T).tocsr(), xy


def test_table_of_times_agrees_with_graph_searches():
    from scipy.sparse.csgraph import dijkstra

    from carezones.zoning.graph import prepare

    graph, xy = _grid_graph()
    w = np.random.default_rng(1).integers(0, 3, len(xy)).astype(float)
    g = prepare(graph, w, xy)
    assert g.table is not None and g.table.shape == ((w > 0).sum(), len(xy))
    sources = np.r_[np.flatnonzero(w > 0)[:3], np.flatnonzero(w == 0)[:3]]  # with and without
    np.testing.assert_allclose(g.distances(sources), dijkstra(graph, indices=sources))


def test_exact_medians_beat_or_match_the_candidate_medians():
    from carezones.zoning.graph import UnitGraph, zone_medians

    graph, xy = _grid_graph()
    w = np.random.default_rng(2).integers(0, 6, len(xy)).astype(float)
    labels = (xy[:, 0] >= 400).astype(np.intp) + 2 * (xy[:, 1] >= 400)
    centres = np.array([0, 7, 56, 63])  # the grid's corners: poor centres
    exact_g, near_g = UnitGraph(graph, w, xy), UnitGraph(graph, w, xy, table=False)
    exact = zone_medians(exact_g, labels, centres)
    near = zone_medians(near_g, labels, centres, candidates=2)

    def cost(c: np.ndarray) -> float:
        return float(w @ exact_g.distances(c)[labels, np.arange(len(xy))])

    assert cost(exact) <= cost(near) + 1e-9 < cost(centres)
    for z in range(4):  # the exact median is the best unit of its zone
        members = np.flatnonzero(labels == z)
        each = [w[members] @ exact_g.distances([m])[0, members] for m in members]
        assert w[members] @ exact_g.distances([exact[z]])[0, members] == pytest.approx(min(each))


@pytest.mark.parametrize(
    ("step", "n", "k", "seed"), [("polish_steps", 8, 4, 3), ("n_swaps", 10, 5, 5)]
)
def test_final_steps_never_raise_the_cost_and_keep_the_rules(
    step: str, n: int, k: int, seed: int
) -> None:
    """The polish and the centre swaps only keep what lowers the cost and breaks no rule."""
    from carezones.zoning.core import partition_connected
    from carezones.zoning.graph import pieces

    graph, xy = _grid_graph(n)
    w = np.random.default_rng(seed).integers(0, 5, len(xy)).astype(float)
    floor = w.sum() / (k + 2)
    plain = partition_connected(graph, w, xy, k, floor=floor, random_state=0, **{step: 0})
    more = partition_connected(graph, w, xy, k, floor=floor, random_state=0, **{step: 6})
    assert plain.feasible and more.feasible
    assert more.cost <= plain.cost + 1e-9
    assert (more.hours >= floor - 1e-9).all()
    assert (pieces(graph, more.labels, k) == 1).all()


def test_without_room_for_a_table_the_zoner_searches_the_graph(monkeypatch):
    import carezones.zoning.core as core
    import carezones.zoning.graph as unit_graph

    graph, xy = _grid_graph()
    w = np.random.default_rng(4).integers(0, 5, len(xy)).astype(float)
    monkeypatch.setattr(unit_graph, "TABLE_CELLS", 0)
    assert core.prepare(graph, w, xy).table is None
    res = core.partition_connected(graph, w, xy, 4, floor=w.sum() / 6, random_state=0)
    assert res.feasible and (core.pieces(graph, res.labels, 4) == 1).all()


def test_lp_prices_meet_the_floor_at_least_as_cheaply_as_the_dual_ascent():
    """Under the LP's weights each unit's nearest centre meets the floor, no dearer than Rprop."""
    from scipy import sparse

    from carezones.zoning.graph import UnitGraph
    from carezones.zoning.weights import dual_ascent, lp_weights

    rng = np.random.default_rng(7)
    graph, xy = _grid_graph(8)
    coo = sparse.triu(graph).tocoo()
    times = rng.uniform(50, 120, len(coo.data))  # uneven streets: no exact ties
    upper = sparse.coo_matrix((times, (coo.row, coo.col)), shape=graph.shape)
    graph = (upper + upper.T).tocsr()
    w = rng.integers(1, 4, len(xy)).astype(float)
    centres = np.array([0, 9, 63])  # two crowded in a corner: the floor must bend the cells
    floor = 0.3 * w.sum()
    g = UnitGraph(graph, w, xy)
    off = lp_weights(g, centres, floor, np.inf)
    assert off is not None
    labels = np.argmin(g.table[:, centres] + (off - off.min())[None, :], axis=1)
    hours = np.bincount(labels, weights=w, minlength=3)
    assert (hours >= floor - w.max()).all()  # a unit the LP splits may fall either side
    lp_cost = float(w @ g.table[np.arange(len(xy)), centres[labels]])
    plain = UnitGraph(graph, w, xy, table=False)
    rprop, _, _ = dual_ascent(plain, centres, floor, np.inf, np.zeros(3), 60, 100.0)
    assert np.bincount(rprop, weights=w, minlength=3).min() >= floor - 1e-9
    assert lp_cost <= float(w @ g.table[np.arange(len(xy)), centres[rprop]]) + 1e-6
