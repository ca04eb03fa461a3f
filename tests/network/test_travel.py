"""Tests of carezones.travel: snapping, far points, exact matrices, cutoffs, isochrones."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from carezones import (
    Snapped,
    TravelNetwork,
    ValidationError,
    isochrones,
    snap_points,
    travel_time,
    travel_time_matrix,
    travel_times_from,
)


def node_points(net: TravelNetwork, mode: str, n: int, seed: int) -> gpd.GeoSeries:
    """``n`` random nodes of ``mode`` as points in the network's CRS (snap distance 0)."""
    nodes = net.nodes[mode]
    pick = np.random.default_rng(seed).choice(len(nodes), size=n, replace=False)
    return gpd.GeoSeries(nodes.geometry.iloc[pick].to_numpy(), crs=net.crs)


@pytest.mark.parametrize("mode", ["walk", "cycle", "drive"])
def test_matrix_equals_networkx_dijkstra(helsinki: TravelNetwork, mode: str) -> None:
    """Matrix values equal networkx's Dijkstra on random node pairs to 1e-6 s."""
    pts = node_points(helsinki, mode, 25, seed=1)
    matrix = travel_time_matrix(helsinki, pts, mode=mode)
    snapped = snap_points(helsinki, pts, mode=mode)
    assert np.allclose(snapped.distance, 0)
    graph = helsinki.graphs[mode]
    for i in range(0, 25, 5):
        lengths = nx.single_source_dijkstra_path_length(
            graph, int(snapped.node[i]), weight="travel_time"
        )
        expected = np.array([lengths[int(n)] for n in snapped.node])
        np.testing.assert_allclose(matrix[i], expected, atol=1e-6, rtol=0)


def test_matrix_rectangular_and_reversed_side(helsinki: TravelNetwork) -> None:
    """Many origins to few destinations (searched backwards) equals the forward matrix."""
    a = node_points(helsinki, "drive", 30, seed=2)
    b = node_points(helsinki, "drive", 4, seed=3)
    forward = travel_time_matrix(helsinki, b, a, mode="drive").T
    backward = travel_time_matrix(helsinki, a, b, mode="drive")
    full = travel_time_matrix(
        helsinki, gpd.GeoSeries(list(a) + list(b), crs=helsinki.crs), mode="drive"
    )
    np.testing.assert_allclose(backward, full[:30, 30:], atol=1e-9)
    assert not np.allclose(forward, backward)  # one-way streets: driving is not symmetric


def test_cutoff_gives_inf_beyond(helsinki: TravelNetwork) -> None:
    """With a cutoff, times above it are inf and the rest equal the uncut values."""
    pts = node_points(helsinki, "walk", 60, seed=4)
    full = travel_time_matrix(helsinki, pts)
    cut = travel_time_matrix(helsinki, pts, cutoff=300)
    assert np.isinf(cut[full > 300]).all()
    np.testing.assert_allclose(cut[full <= 300], full[full <= 300])
    assert (full > 300).any() and (full <= 300).sum() > 60


def test_snap_distance_added_at_mode_speed(grid: TravelNetwork) -> None:
    """A point 40 m from its node adds 40 m at walking speed to its times."""
    nodes = grid.nodes["walk"].geometry
    start = shapely.Point(nodes.iloc[0].x + 10, nodes.iloc[0].y + 30)  # 31.6 m from node 0
    snapped = snap_points(grid, gpd.GeoSeries([start], crs=grid.crs))
    assert snapped.node[0] == grid.nodes["walk"].index[0]
    assert snapped.distance[0] == pytest.approx(np.hypot(10, 30))
    m = travel_time_matrix(grid, snapped, gpd.GeoSeries(nodes.iloc[[24]].to_numpy(), crs=grid.crs))
    assert m[0, 0] == pytest.approx((800 + np.hypot(10, 30)) / (4.8 / 3.6))


def test_lonlat_arrays_and_geodataframe_agree(helsinki: TravelNetwork) -> None:
    """The same points given as lon/lat arrays or a GeoDataFrame give the same matrix."""
    pts = node_points(helsinki, "walk", 8, seed=5).to_crs(4326)
    frame = gpd.GeoDataFrame({"client_id": list("abcdefgh")}, geometry=pts, crs=4326)
    by_frame = travel_time_matrix(helsinki, frame)
    by_arrays = travel_time_matrix(helsinki, (pts.x.to_numpy(), pts.y.to_numpy()))
    np.testing.assert_allclose(by_frame, by_arrays, atol=1e-6)
    assert np.all(np.diag(by_frame) == 0)


def test_far_points_reported_not_dropped(helsinki: TravelNetwork) -> None:
    """A point 2 km off the network is flagged; the matrix raises naming it, or gives inf."""
    near = helsinki.nodes["walk"].geometry.iloc[0]
    maxx, maxy = helsinki.bounds[2:]
    far = shapely.Point(maxx + 2000, maxy + 2000)
    pts = gpd.GeoDataFrame(
        {"id": ["near", "far"]}, geometry=[near, far], crs=helsinki.crs
    ).set_index("id")
    snapped = snap_points(helsinki, pts)
    assert snapped.far.tolist() == [False, True]
    assert snapped.far_labels == ["far"]
    with pytest.raises(ValidationError, match="far from the network") as info:
        travel_time_matrix(helsinki, pts)
    assert "'far'" in str(info.value)
    assert f"{far.x:.0f}" not in str(info.value)  # no coordinates in messages
    got = travel_time_matrix(helsinki, pts, far="inf")
    assert got.shape == (2, 2)
    assert np.isinf(got[0, 1]) and np.isinf(got[1, 0]) and got[0, 0] == 0
    kept = travel_time_matrix(helsinki, pts, far="keep")
    assert np.isfinite(kept).all()


def test_nan_points_named(helsinki: TravelNetwork) -> None:
    """NaN coordinates raise a ValidationError naming the rows."""
    with pytest.raises(ValidationError, match="missing coordinates") as info:
        snap_points(helsinki, ([24.94, np.nan, 24.93], [60.17, 60.16, np.nan]))
    assert "row 1" in str(info.value) and "row 2" in str(info.value)


def test_lonlat_given_as_metres(helsinki: TravelNetwork) -> None:
    """Lon/lat values declared as metres (a projected CRS) are diagnosed."""
    pts = gpd.GeoSeries.from_xy([24.94, 24.95], [60.17, 60.16], crs=helsinki.crs)
    with pytest.raises(ValidationError, match="look like degrees"):
        snap_points(helsinki, pts)


def test_metres_given_as_lonlat(helsinki: TravelNetwork) -> None:
    """Metre values declared as lon/lat are diagnosed."""
    xy = helsinki.nodes["walk"][["x", "y"]].to_numpy()[:3]
    with pytest.raises(ValidationError, match="look like metres"):
        snap_points(helsinki, (xy[:, 0], xy[:, 1]))


def test_swapped_lonlat(helsinki: TravelNetwork) -> None:
    """Latitude/longitude given in the wrong order is diagnosed as swapped."""
    with pytest.raises(ValidationError, match="swapped"):
        snap_points(helsinki, ([60.17, 60.16], [24.94, 24.95]))


def test_non_point_geometry_named(helsinki: TravelNetwork) -> None:
    """A polygon where a point is expected names the row."""
    poly = helsinki.nodes["walk"].geometry.iloc[0].buffer(10)
    with pytest.raises(ValidationError, match="not a point"):
        snap_points(helsinki, gpd.GeoSeries([poly], crs=helsinki.crs))


def test_unknown_or_unloaded_mode(helsinki: TravelNetwork, grid: TravelNetwork) -> None:
    """An unknown mode, or one the network does not hold, is a ValidationError."""
    with pytest.raises(ValidationError, match="unknown mode"):
        travel_time_matrix(helsinki, ([24.94], [60.17]), mode="bus")
    with pytest.raises(ValidationError, match="mode not loaded"):
        snap_points(grid, gpd.GeoSeries(grid.nodes["walk"].geometry.iloc[:1]), mode="drive")


def test_grid_times_known(grid: TravelNetwork) -> None:
    """On a 100 m grid, opposite corners are 800 m apart: 600 s at 4.8 km/h."""
    corners = gpd.GeoSeries(grid.nodes["walk"].geometry.iloc[[0, 24]].to_numpy(), crs=grid.crs)
    m = travel_time_matrix(grid, corners)
    assert m[0, 1] == pytest.approx(800 / (4.8 / 3.6))
    assert travel_times_from(grid, corners.iloc[:1], corners)[1] == pytest.approx(m[0, 1])
    a, b = corners.iloc[0], corners.iloc[1]
    assert travel_time(grid, (a.x, a.y), (b.x, b.y), crs=grid.crs) == pytest.approx(m[0, 1])


def test_snapped_mode_mismatch(helsinki: TravelNetwork) -> None:
    """Points snapped for one mode cannot be used for another."""
    snapped = snap_points(helsinki, ([24.94], [60.17]), mode="walk")
    assert isinstance(snapped, Snapped)
    with pytest.raises(ValidationError, match="another mode"):
        travel_time_matrix(helsinki, snapped, mode="cycle")


def test_isochrones_nested_and_growing(helsinki: TravelNetwork) -> None:
    """Longer limits reach more: each isochrone contains the shorter one and its start."""
    start = helsinki.nodes["walk"].geometry.iloc[100]
    iso = isochrones(helsinki, gpd.GeoSeries([start], crs=helsinki.crs), [5, 10, 15])
    assert list(iso["minutes"]) == [15, 10, 5]
    areas = iso["area_km2"].to_numpy()
    assert areas[0] > areas[1] > areas[2] > 0
    assert iso.geometry.iloc[0].buffer(1).contains(iso.geometry.iloc[1])
    assert iso.geometry.iloc[2].contains(start)


def test_isochrone_on_grid_reaches_exact_distance(grid: TravelNetwork) -> None:
    """On the grid, a 75 s walk from a corner reaches the next node and not the one after."""
    nodes = grid.nodes["walk"].geometry
    iso = isochrones(
        grid, gpd.GeoSeries(nodes.iloc[[0]].to_numpy(), crs=grid.crs), 75 / 60, buffer=5
    )
    shape = iso.geometry.iloc[0]
    assert shape.contains(nodes.iloc[1]) and shape.contains(nodes.iloc[5])
    assert not shape.contains(nodes.iloc[2])
