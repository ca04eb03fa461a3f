"""Shared fixtures: a tiny hand-made network, the Helsinki default, and the shared UK extracts."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

# Every test run gets its own network cache, so no test depends on an earlier run; it is
# removed when the run ends (each xdist worker makes and removes its own).
if "CAREZONES_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="carezones-test-cache-")
    os.environ["CAREZONES_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

from carezones import datasets
from carezones.network import Speeds, TravelNetwork


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-online", action="store_true", help="run tests that need the internet")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-online"):
        return
    skip = pytest.mark.skip(reason="needs the internet; pass --run-online")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)


def shared_path(name: str) -> Path:
    """Path of a shared UK extract, or skip the test with the reason."""
    folder = datasets.shared_data_dir()
    if folder is None or not (folder / datasets.UK_EXTRACTS[name]).exists():
        pytest.skip(
            f"shared OSM data absent: ../shared/data/osm/{datasets.UK_EXTRACTS[name]} not found"
        )
    return folder / datasets.UK_EXTRACTS[name]


@pytest.fixture(scope="session")
def helsinki() -> TravelNetwork:
    """The embedded default (central Helsinki), all three modes."""
    return datasets.load_default_network()


@pytest.fixture(scope="session")
def leeds_path() -> Path:
    return shared_path("leeds")


@pytest.fixture(scope="session")
def oxford_path() -> Path:
    return shared_path("oxford")


@pytest.fixture(scope="session")
def camden_path() -> Path:
    return shared_path("camden")


@pytest.fixture(scope="session")
def rutland_path() -> Path:
    return shared_path("rutland")


@pytest.fixture(scope="session")
def leeds(leeds_path: Path) -> TravelNetwork:
    from carezones import load_network

    return load_network(leeds_path)


@pytest.fixture(scope="session")
def oxford(oxford_path: Path) -> TravelNetwork:
    from carezones import load_network

    return load_network(oxford_path)


def grid_network(
    n: int = 5, spacing: float = 100.0, *, modes: tuple[str, ...] = ("walk",)
) -> TravelNetwork:
    """A hand-made n x n street grid (two-way streets, metres in EPSG:27700), osmnx layout."""
    crs = CRS.from_epsg(27700)
    x0, y0 = 530_000.0, 180_000.0
    ids = np.arange(n * n, dtype=np.int64) + 1
    xs = x0 + (ids - 1) % n * spacing
    ys = y0 + (ids - 1) // n * spacing
    nodes = gpd.GeoDataFrame(
        {"x": xs, "y": ys, "street_count": 4},
        geometry=gpd.points_from_xy(xs, ys),
        index=pd.Index(ids, name="osmid"),
        crs=crs,
    )
    rows = []
    for i in range(n * n):
        r, c = divmod(i, n)
        for j in ([i + 1] if c + 1 < n else []) + ([i + n] if r + 1 < n else []):
            for a, b in ((i, j), (j, i)):
                geom = shapely.LineString([(xs[a], ys[a]), (xs[b], ys[b])])
                rows.append(
                    {
                        "u": ids[a],
                        "v": ids[b],
                        "key": 0,
                        "osmid": 1000 + i,
                        "highway": "residential",
                        "length": spacing,
                        "geometry": geom,
                    }
                )
    speeds = Speeds()
    nets_nodes, nets_edges = {}, {}
    for mode in modes:
        edges = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=crs)
        kmh = {"walk": speeds.walk_kmh, "cycle": speeds.cycle_kmh, "drive": 30.0}[mode]
        edges["speed_kph"] = kmh
        edges["travel_time"] = edges["length"] / (kmh / 3.6)
        nets_nodes[mode] = nodes
        nets_edges[mode] = edges.set_index(["u", "v", "key"])
    return TravelNetwork(nets_nodes, nets_edges, crs, "grid", speeds)


@pytest.fixture()
def grid() -> TravelNetwork:
    """A 5 x 5 walking grid, 100 m blocks (75 s each at 4.8 km/h)."""
    return grid_network()
