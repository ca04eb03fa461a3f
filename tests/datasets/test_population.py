"""Tests of datasets.synthetic_population and the `carezones population` command."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal
from typer.testing import CliRunner

import carezones as cz
from carezones import datasets
from carezones.cli import app
from carezones.demand.synthetic import SKILLS, find_homes
from carezones.network import TravelNetwork
from carezones.network.osm import open_osm

runner = CliRunner()


@pytest.fixture(scope="module")
def helsinki_population(
    helsinki: TravelNetwork,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """400 clients, 80 carers and 4 providers on central Helsinki."""
    return datasets.synthetic_population(
        helsinki, n_clients=400, n_carers=80, n_providers=4, random_state=7
    )


def _variance_to_mean(xy: np.ndarray, cell: float) -> float:
    """Variance-to-mean ratio of counts in square cells over the points' bounding box."""
    ij = np.floor(xy / cell).astype(int)
    ij -= ij.min(axis=0)
    counts = np.zeros(tuple(ij.max(axis=0) + 1))
    np.add.at(counts, (ij[:, 0], ij[:, 1]), 1)
    return float(counts.var() / counts.mean())


def test_tables_pass_the_readers(helsinki_population: tuple[gpd.GeoDataFrame, ...]) -> None:
    """The three tables have the requested sizes, unique ids, and pass the readers unchanged."""
    clients, carers, providers = helsinki_population
    assert (len(clients), len(carers), len(providers)) == (400, 80, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = cz.read_clients(clients, skills=SKILLS, providers=providers)
        assert_geodataframe_equal(again, clients)
        assert_geodataframe_equal(
            cz.read_carers(carers, skills=SKILLS, providers=providers), carers
        )
        assert_geodataframe_equal(cz.read_providers(providers), providers)
    for table, col in ((clients, "client_id"), (carers, "carer_id"), (providers, "provider_id")):
        assert table[col].is_unique
    assert clients.crs == carers.crs == providers.crs


def test_same_seed_same_tables(helsinki: TravelNetwork) -> None:
    """The same random_state gives identical tables; another gives different ones."""
    kw = {"n_clients": 60, "n_carers": 15, "n_providers": 3}
    a = datasets.synthetic_population(helsinki, random_state=3, **kw)
    b = datasets.synthetic_population(helsinki, random_state=3, **kw)
    c = datasets.synthetic_population(helsinki, random_state=4, **kw)
    for x, y in zip(a, b, strict=True):
        assert_geodataframe_equal(x, y)
    assert not a[0].geometry.equals(c[0].geometry)
    same_clients = datasets.synthetic_population(
        helsinki, random_state=3, **(kw | {"n_carers": 30})
    )
    assert same_clients[0].drop(columns="provider_id").equals(a[0].drop(columns="provider_id"))


def test_hours_and_patterns_look_like_english_home_care(
    helsinki_population: tuple[gpd.GeoDataFrame, ...],
) -> None:
    """Most clients get 5-20 h in 1-4 calls a day of >= 30 min; 10-15% of visits double-handed."""
    clients, carers, _ = helsinki_population
    hours = clients["weekly_hours"]
    assert 0.6 <= hours.between(5, 20).mean() <= 0.9
    assert 8 <= hours.median() <= 13
    visits = cz.expand_visits(clients)
    calls = visits.groupby(["client_id", "day"]).size()
    assert calls.between(1, 4).all() and calls.isin([2, 3, 4]).mean() > 0.6
    assert visits["duration"].min() >= 30 and visits["duration"].median() <= 60
    assert 0.10 <= (visits["carers_needed"] == 2).mean() <= 0.16
    assert clients.loc[clients["carers_needed"] == 2, "skills"].str.contains("hoist").all()
    assert 0.05 <= clients["virtual_ok"].mean() <= 0.25
    assert (visits["window_end"] - visits["window_start"] >= visits["duration"]).all()
    assert set(carers["mode"]) == {"walk", "cycle", "drive"}
    assert carers["provider_id"].isin([f"P0{i}" for i in range(1, 5)]).all()


def test_total_weekly_hours_rescales(helsinki: TravelNetwork) -> None:
    """total_weekly_hours sets the clients' total to within 20 minutes."""
    for total in (600.0, 4000.0):
        clients, _, providers = datasets.synthetic_population(
            helsinki, n_clients=200, n_carers=10, n_providers=2, total_weekly_hours=total,
            random_state=1,
        )  # fmt: skip
        assert abs(clients["weekly_hours"].sum() - total) <= 20 / 60
        assert clients["weekly_hours"].max() <= 42  # 40 h, plus rounding visits to 5 minutes
        assert providers["capacity_hours"].sum() >= total
    with pytest.raises(cz.ValidationError, match="total_weekly_hours"):
        datasets.synthetic_population(
            helsinki,
            n_clients=10,
            n_carers=1,
            n_providers=1,
            total_weekly_hours=1000,
            random_state=0,
        )


def test_clients_live_in_real_residential_buildings(
    helsinki: TravelNetwork, helsinki_population: tuple[gpd.GeoDataFrame, ...]
) -> None:
    """Every client and carer is inside a building of the OSM extract."""
    clients, carers, _ = helsinki_population
    buildings = open_osm(helsinki.source).get_buildings().to_crs(helsinki.crs)
    for table in (clients, carers):
        inside = gpd.sjoin(table[["geometry"]], buildings[["geometry"]], predicate="within")
        assert inside.index.unique().size == len(table)


def test_clients_are_clustered(
    helsinki: TravelNetwork, helsinki_population: tuple[gpd.GeoDataFrame, ...]
) -> None:
    """Clients cluster more than dwellings do (hotspots), so cell counts vary more."""
    clients = helsinki_population[0]
    homes = find_homes(helsinki)
    rng = np.random.default_rng(0)
    even = homes.xy[
        rng.choice(len(homes.xy), len(clients), p=homes.dwellings / homes.dwellings.sum())
    ]
    xy = np.column_stack([clients.geometry.x, clients.geometry.y])
    assert _variance_to_mean(xy, 100.0) > 1.2 * _variance_to_mean(even, 100.0)


def test_everyone_near_the_network(
    helsinki: TravelNetwork, helsinki_population: tuple[gpd.GeoDataFrame, ...]
) -> None:
    """Snapped to every mode, no client or carer is farther than 500 m; nothing is lost."""
    clients, carers, _ = helsinki_population
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snapped = cz.snap_population(helsinki, clients, carers)
    assert len(snapped) == 3 * len(clients) + len(carers)
    assert not snapped["far"].any()
    assert snapped.loc[snapped["mode"] == "walk", "snap_distance_m"].max() <= 250


def test_fallback_to_residential_street_nodes(grid: TravelNetwork) -> None:
    """Without an OSM file (the hand-made grid) people live at residential-street nodes."""
    clients, carers, providers = datasets.synthetic_population(
        grid, n_clients=30, n_carers=5, n_providers=2, random_state=0
    )
    nodes = grid.nodes["walk"]
    xy = set(zip(nodes["x"], nodes["y"], strict=True))
    assert set(zip(clients.geometry.x, clients.geometry.y, strict=True)) <= xy
    assert set(carers["mode"]) == {"walk"}  # the only mode loaded
    assert len(providers) == 2


def test_bad_arguments(grid: TravelNetwork) -> None:
    """Counts, modes and shares are checked, every problem at once."""
    with pytest.raises(cz.ValidationError) as err:
        datasets.synthetic_population(
            grid, n_clients=0, n_carers=-1, n_providers=1, random_state=0, mode_shares={"bike": 1}
        )
    assert [p.column for p in err.value.problems] == ["n_clients", "n_carers", "mode_shares"]


def test_camden_5000_clients(camden_path: Path) -> None:
    """5,000 clients on Camden: valid, within 500 m of the walking network."""
    net = cz.load_network(camden_path)
    clients, carers, _ = datasets.synthetic_population(
        net, n_clients=5000, n_carers=900, n_providers=8, total_weekly_hours=21_000, random_state=0
    )
    assert len(clients) == 5000 and clients["client_id"].is_unique
    assert abs(clients["weekly_hours"].sum() - 21_000) <= 20 / 60
    snapped = cz.snap_points(net, clients, mode="walk")
    assert not snapped.far.any()
    visits = cz.expand_visits(clients)
    assert visits["duration"].sum() == round(clients["weekly_hours"].sum() * 60)
    assert visits["duration"].min() >= 30 and len(carers) == 900


def test_cli_population_rutland(rutland_path: Path, tmp_path: Path) -> None:
    """`carezones population --network rutland-latest.osm.pbf ...` writes readable files."""
    out = tmp_path / "rutland"
    result = runner.invoke(
        app,
        ["population", "--network", str(rutland_path), "--clients", "800", "--carers", "150",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    providers = cz.read_providers(out / "providers.gpkg")
    clients = cz.read_clients(out / "clients.gpkg", providers=providers)
    carers = cz.read_carers(out / "carers.gpkg", providers=providers)
    assert (len(clients), len(carers), len(providers)) == (800, 150, 8)
    assert "800 clients" in result.output and "0 points far" in result.output


@pytest.mark.parametrize("fmt", ["csv", "parquet", "geojson"])
def test_cli_population_formats(fmt: str, tmp_path: Path) -> None:
    """--format and --seed: the files read back to the tables the API gives for that seed."""
    result = runner.invoke(
        app,
        ["population", "--network", "helsinki", "--clients", "40", "--carers", "8", "--providers",
         "2", "--out", str(tmp_path), "--format", fmt, "--seed", "5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    clients = cz.read_clients(tmp_path / f"clients.{fmt}")
    net = datasets.load_default_network()
    expected, _, _ = datasets.synthetic_population(
        net, n_clients=40, n_carers=8, n_providers=2, random_state=5
    )
    if fmt == "csv":
        expected = expected.to_crs(4326)
    assert_geodataframe_equal(clients, expected, check_less_precise=fmt == "csv")


def test_area_keeps_everyone_inside_and_refuses_an_empty_one(helsinki: TravelNetwork) -> None:
    """``area=``: every client and carer lives inside it; too few homes there is an error."""
    import shapely

    homes = find_homes(helsinki)
    x, y = np.median(homes.xy, axis=0)
    half = shapely.box(x - 600, y - 600, x + 600, y + 600)
    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=40, n_carers=8, n_providers=1, random_state=0,
        area=gpd.GeoSeries([half], crs=helsinki.crs),
    )  # fmt: skip
    for table in (clients, carers):
        assert shapely.contains_xy(half, table.geometry.x, table.geometry.y).all()
    far = shapely.box(x + 1e5, y + 1e5, x + 1e5 + 100, y + 1e5 + 100)  # no home in it
    with pytest.raises(cz.ValidationError) as err:
        datasets.synthetic_population(
            helsinki, n_clients=40, n_carers=8, n_providers=1, random_state=0,
            area=gpd.GeoSeries([far], crs=helsinki.crs),
        )  # fmt: skip
    problem = err.value.problems[0]
    assert problem.what == "too few homes" and problem.found == "0", str(err.value)
