"""Scenario steps: dense areas (where drivers park) and carers dealt to zones by preference."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.scenario.steps import dense_areas, staff_carers
from conftest import grid_network

X0, Y0 = 530_000.0, 180_000.0


def _points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


def test_dense_areas_are_where_the_streets_are_close() -> None:
    """Dense where the walking streets are close: a tight grid, not the empty land beside it."""
    # An 11 x 11 grid of 40 m blocks holds 8.8 km of street within 400 m of its centre:
    # 17.5 km per km², dense at a threshold of 15; a point 2 km away has no street near.
    net = grid_network(11, 40.0)
    points = _points([(200, 200), (2200, 200)])
    assert dense_areas(net, points, 15.0).tolist() == [True, False]
    assert dense_areas(net, points, 20.0).tolist() == [False, False]


def test_local_recruitment_deals_carers_to_the_zone_they_live_near() -> None:
    """Local: each zone takes the carers nearest its clients; anywhere: as the draw falls."""
    clients = gpd.GeoDataFrame({"client_id": ["w", "e"], "zone_id": ["W", "E"]},
                               geometry=_points([(0, 0), (4000, 0)]))  # fmt: skip
    homes = [(100 * i, 0) for i in range(4)] + [(4000 - 100 * i, 0) for i in range(4)]
    carers = gpd.GeoDataFrame(
        {"carer_id": [f"k{i}" for i in range(8)], "days": "monday", "shift_start": 420,
         "shift_end": 840, "max_minutes": 420, "skills": ""},
        geometry=_points(homes),
    )  # fmt: skip
    visits = pd.DataFrame({"client_id": ["w", "e"], "day": "monday", "window_start": 450,
                           "duration": 60, "carers_needed": 1, "skills": ""})  # fmt: skip
    rng = np.random.default_rng(0)
    local = staff_carers(carers, clients, visits, ["W", "E"], recruitment="local", rng=rng)
    assert local.group.tolist() == ["W"] * 4 + ["E"] * 4
    anywhere = staff_carers(carers, clients, visits, ["W", "E"], recruitment="anywhere",
                            rng=np.random.default_rng(0))  # fmt: skip
    assert sorted(set(anywhere.group)) == ["E", "W"]
    assert anywhere.group.tolist() != local.group.tolist()
