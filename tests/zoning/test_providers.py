"""Tests for carezones.providers: zones grouped into contiguous lots above a minimum."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from carezones import InfeasibleError, ValidationError
from carezones.zoning import NeighbourhoodZoner
from carezones.zoning.providers import provider_lots
from conftest import grid_network


def checkerboard(n: int = 4, hours: list[float] | None = None) -> gpd.GeoDataFrame:
    """An n x n board of 1 km square zones."""
    cells = [
        shapely.box(x, y, x + 1000, y + 1000)
        for y in range(0, n * 1000, 1000)
        for x in range(0, n * 1000, 1000)
    ]
    values = hours if hours is not None else list(np.random.default_rng(0).uniform(200, 600, n * n))
    return gpd.GeoDataFrame(
        {"zone_id": [f"Z{i:02d}" for i in range(n * n)], "weekly_hours": values},
        geometry=cells,
        crs=27700,
    )


def lots_touch(result: object, zones: gpd.GeoDataFrame) -> bool:
    graph = nx.Graph()
    geoms = zones.set_index("zone_id").geometry
    for a in geoms.index:
        for b in geoms.index:
            if a < b and geoms[a].intersection(geoms[b]).length > 0:
                graph.add_edge(a, b)
    for _, group in result.zones.groupby("lot_id"):  # type: ignore[attr-defined]
        if not nx.is_connected(graph.subgraph(group["zone_id"])):
            return False
    return True


def test_lots_meet_minimum_and_touch() -> None:
    """Every lot meets the minimum and is made of touching zones; each zone is in one lot."""
    zones = checkerboard()
    result = provider_lots(zones, n_providers=4, min_provider_hours=1000, random_state=0)
    assert (result.lots["weekly_hours"] >= 1000).all()
    assert sorted(result.zones["zone_id"]) == sorted(zones["zone_id"])
    assert result.summary["all_contiguous"] and lots_touch(result, zones)
    assert result.lots["weekly_hours"].sum() == pytest.approx(zones["weekly_hours"].sum())


def test_auto_makes_most_lots() -> None:
    """n_providers='auto' gives as many lots as the minimum allows on an even board."""
    zones = checkerboard(hours=[250.0] * 16)
    result = provider_lots(zones, min_provider_hours=1000, random_state=0)
    assert result.summary["n_lots"] == 4


def test_too_many_lots_is_infeasible() -> None:
    """Asking for more lots than the hours support says how many they support."""
    zones = checkerboard(hours=[250.0] * 16)
    with pytest.raises(InfeasibleError, match="support at most 4"):
        provider_lots(zones, n_providers=5, min_provider_hours=1000)
    with pytest.raises(ValidationError):
        provider_lots(zones, n_providers=0)


def test_a_zone_below_the_lot_minimum_is_named() -> None:
    """When every zone would be its own lot, a zone too small for a lot is named."""
    zones = checkerboard(n=2, hours=[1200.0, 1200.0, 700.0, 1200.0])
    with pytest.raises(InfeasibleError, match=r"Z02 \(700 h/week\)"):
        provider_lots(zones, n_providers=4, min_provider_hours=1000)


def test_carers_pull_providers_to_their_homes() -> None:
    """With carers given, each lot's provider is the one whose carers live there."""
    zones = checkerboard(hours=[250.0] * 16)
    homes = [
        shapely.Point(500, 500),
        shapely.Point(3500, 3500),
        shapely.Point(3500, 500),
        shapely.Point(500, 3500),
    ]
    carers = gpd.GeoDataFrame(
        {"carer_id": [f"k{i}" for i in range(4)], "provider_id": ["PA", "PB", "PC", "PD"]},
        geometry=homes,
        crs=27700,
    )
    result = provider_lots(
        zones, n_providers=4, min_provider_hours=1000, carers=carers, random_state=0
    )
    assert result.summary["share_of_carers_in_own_lot"] == 1.0
    assert set(result.lots["provider_id"]) == {"PA", "PB", "PC", "PD"}


def test_lots_from_a_zone_plan() -> None:
    """Lots can be built straight from the zoner's plan."""
    net = grid_network(8)
    rng = np.random.default_rng(0)
    nodes = net.nodes["walk"].iloc[rng.integers(0, 64, 150)]
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(150)], "weekly_hours": rng.uniform(2, 15, 150)},
        geometry=nodes.geometry.values,
        crs=net.crs,
    )
    plan = NeighbourhoodZoner(120, n_zones=6, random_state=0).fit(clients, network=net).plan_
    result = provider_lots(plan, n_providers=2, min_provider_hours=300, random_state=0)
    assert result.summary["n_lots"] == 2 and (result.lots["weekly_hours"] >= 300).all()
    assert result.summary["all_contiguous"]
