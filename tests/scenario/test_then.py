"""The "then" markets: a market by share (no geography) and a brokered one (nearest with room)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from carezones import ValidationError
from carezones.scenario.then import allocate, broker

X0, Y0 = 530_000.0, 180_000.0


def _points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


def _small_case() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two offices 4 km apart (room for 30 h and 100 h); five clients of 10 h each.

    Three clients are nearest the small office (west), two the large one (east).
    """
    providers = gpd.GeoDataFrame(
        {"provider_id": ["W", "E"], "capacity_hours": [30.0, 100.0]},
        geometry=_points([(0, 0), (4000, 0)]),
    )
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(5)], "weekly_hours": 10.0, "carers_needed": 1},
        geometry=_points([(100, 0), (500, 0), (900, 0), (3500, 0), (3900, 0)]),
    )
    carers = gpd.GeoDataFrame({"carer_id": ["k1"], "provider_id": [""]},
                              geometry=_points([(0, 0)]))  # fmt: skip
    return clients, carers, providers


def test_a_brokered_market_puts_each_package_with_the_nearest_provider_with_room() -> None:
    """Brokered: each package to the nearest provider with room, in the order referred."""
    clients, carers, providers = _small_case()
    rng = np.random.default_rng(7)
    order = np.random.default_rng(7).permutation(len(clients))  # the order allocate draws
    out, _, ids = allocate(clients, carers, providers, n_providers=2, allocation="brokered",
                           rng=rng, where="test [providers]")  # fmt: skip
    assert ids == ["W", "E"]
    got = dict(zip(out["client_id"], out["provider_id"], strict=True))
    # replay the referrals by hand: W (room for 3 packages) takes the first three of its
    # nearest clients referred; the other western client goes east; eastern ones go east
    room = {"W": 30.0, "E": 100.0}
    x = clients.geometry.x.to_numpy() - X0
    for i in order:
        nearest = sorted(room, key=lambda p: abs(x[i] - (0 if p == "W" else 4000)))
        expected = next(p for p in nearest if room[p] >= 10.0)
        assert got[f"c{i}"] == expected
        room[expected] -= 10.0
    assert list(got.values()).count("W") == 3 and got["c3"] == got["c4"] == "E"
    assert (out["zone_id"] == out["provider_id"]).all()


def test_broker_by_hand() -> None:
    """The numeric core: the order of referrals matters; with no room, the most room left."""
    distance = np.array([[0.0, 5.0], [1.0, 4.0], [2.0, 3.0]])
    hours = np.full(3, 10.0)
    room = np.array([20.0, 50.0])
    assert broker(hours, distance, room, np.array([0, 1, 2])).tolist() == [0, 0, 1]
    assert broker(hours, distance, room, np.array([2, 1, 0])).tolist() == [1, 0, 0]
    assert broker(hours, distance, np.array([5.0, 8.0]), np.array([0, 1, 2])).tolist() == [1, 0, 1]


def test_a_brokered_market_needs_the_providers_offices() -> None:
    """Without a located office per provider the brokered market is refused by name."""
    clients, carers, providers = _small_case()
    plain = pd.DataFrame(providers.drop(columns="geometry"))
    with pytest.raises(ValidationError, match="no offices") as info:
        allocate(clients, carers, plain, n_providers=2, allocation="brokered",
                 rng=np.random.default_rng(0), where="then.toml [providers]")  # fmt: skip
    assert "then.toml [providers]" in str(info.value)
    assert "allocation" in str(info.value)


def test_a_market_by_share_ignores_where_clients_live() -> None:
    """By market share, clients are dealt at random: the western office gets eastern clients."""
    clients, carers, providers = _small_case()
    many = pd.concat([clients] * 40, ignore_index=True).assign(
        client_id=[f"c{i}" for i in range(200)]
    )
    out, _, _ = allocate(gpd.GeoDataFrame(many, crs=27700), carers, providers, n_providers=2,
                         allocation="market_share", rng=np.random.default_rng(0),
                         where="test")  # fmt: skip
    east = out.geometry.x.to_numpy() - X0 > 2000
    assert set(out.loc[east, "provider_id"]) == {"W", "E"}
    share = (out["provider_id"] == "W").mean()
    assert share == pytest.approx(30 / 130, abs=0.08)
