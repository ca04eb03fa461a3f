"""The "then" baseline: N providers, each serving clients spread over the whole area.

No zones. Every client is given to a provider: at random in proportion to the providers'
market shares (a market without geography: the upper bound of what zones save),
uniformly at random, by brokerage (each package, in the order referrals come, offered to
the provider whose office is nearest with room under its capacity: the lower bound), or
as the tables say. Carers are then dealt to providers by the same rule as in "now"
(:func:`carezones.staff_groups`: each provider against its own day-slots, shifts and
skills; see :func:`carezones.scenario.steps.staff_carers`), and each provider's clients
and carers are routed as one group, across the whole area (Wigan before 2015: 30+
providers criss-crossing the borough).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector
from carezones.network import TravelNetwork

__all__ = ["allocate", "broker", "provider_areas", "then_providers"]


def then_providers(
    providers: pd.DataFrame, n: int, rng: np.random.Generator
) -> tuple[list[str], np.ndarray]:
    """The ``n`` providers and their market shares.

    The providers table's own when it has ``n`` providers (shares from
    ``capacity_hours``, equal where missing), else ``P01``... with Dirichlet(3) shares.
    """
    if len(providers) == n:
        ids = providers["provider_id"].astype(str).tolist()
        cap = providers.get("capacity_hours", pd.Series(np.nan, index=providers.index))
        cap = cap.astype(float).to_numpy()
        cap = np.where(
            np.isfinite(cap) & (cap > 0), cap, np.nanmean(cap) if np.isfinite(cap).any() else 1.0
        )
        return ids, cap / cap.sum()
    width = max(2, len(str(n)))
    return [f"P{k + 1:0{width}d}" for k in range(n)], rng.dirichlet(np.full(n, 3.0))


def _capacities(providers: pd.DataFrame, ids: list[str], total: float) -> np.ndarray:
    """Each provider's capacity, h/week: ``capacity_hours``, else an equal share x 1.15."""
    cap = providers.set_index(providers["provider_id"].astype(str)).get("capacity_hours")
    got = (
        cap.reindex(ids).astype(float).to_numpy()
        if cap is not None
        else np.full(len(ids), np.nan)
    )
    fill = total * 1.15 / max(len(ids), 1)
    return np.where(np.isfinite(got) & (got > 0), got, fill)


def broker(
    hours: np.ndarray,
    distance: np.ndarray,
    capacity: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:
    """Each package to the nearest provider with room: the index of each client's provider.

    Packages are offered in ``order`` (referrals as they come); each goes to the nearest
    provider (``distance``, clients x providers) whose capacity left holds its ``hours``,
    or, when none does, to the one with the most room left.

    Examples
    --------
    Three clients at 0, 1 and 2 km from provider A's office (B's is 5 km off), 10 hours
    each; A has room for 20 hours: the third package offered goes to B.

    >>> d = np.array([[0.0, 5.0], [1.0, 4.0], [2.0, 3.0]])
    >>> broker(np.full(3, 10.0), d, np.array([20.0, 50.0]), np.array([0, 1, 2])).tolist()
    [0, 0, 1]
    >>> broker(np.full(3, 10.0), d, np.array([20.0, 50.0]), np.array([2, 1, 0])).tolist()
    [1, 0, 0]
    """
    left = np.asarray(capacity, dtype=float).copy()
    out = np.empty(len(hours), dtype=np.intp)
    for i in order:
        fits = np.flatnonzero(left >= hours[i] - 1e-9)
        if len(fits):
            p = int(fits[np.argmin(distance[i, fits])])
        else:
            p = int(np.argmax(left))
        out[i] = p
        left[p] -= hours[i]
    return out


def _offices(providers: pd.DataFrame, ids: list[str], crs: Any, where: str) -> np.ndarray:
    """The providers' office points (x, y in ``crs``), or a problem naming what is missing."""
    geometry = providers.geometry if isinstance(providers, gpd.GeoDataFrame) else None
    if geometry is None or len(providers) != len(ids) or geometry.isna().any():
        raise ProblemCollector(where).error(
            "no offices",
            f"{len(ids)} providers with locations for a "
            "brokered market: [population] n_providers equal to [providers] "
            "n_providers, or a providers file with a point per provider",
            f"{len(providers)} provider(s)"
            + ("" if geometry is not None else " without locations"),
            column="allocation",
        )
    frame = providers.set_index(providers["provider_id"].astype(str)).loc[ids]
    points = gpd.GeoSeries(frame.geometry, crs=providers.crs).to_crs(crs)
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def allocate(
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    providers: pd.DataFrame,
    *,
    n_providers: int,
    allocation: str,
    rng: np.random.Generator,
    where: str,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[str]]:
    """Clients with ``provider_id`` and ``zone_id`` (= ``provider_id``), and the provider ids.

    With ``allocation = "given"`` the carers keep the tables' providers too; otherwise
    the carers are returned unchanged (dealt to providers afterwards by
    :func:`carezones.scenario.steps.staff_carers`).
    """
    clients, carers = clients.copy(), carers.copy()
    if allocation == "given":
        check = ProblemCollector(where)
        for name, frame in (("clients", clients), ("carers", carers)):
            ids = frame.get("provider_id", pd.Series("", index=frame.index)).fillna("").astype(str)
            if (ids == "").any():
                check.add(
                    "no provider",
                    f"every one of the {name} with a provider_id (allocation = 'given')",
                    f"{int((ids == '').sum())} without",
                    column="allocation",
                )
        check.raise_if_any()
        ids = sorted(
            set(clients["provider_id"].astype(str)) | set(carers["provider_id"].astype(str))
        )
        carers["zone_id"] = carers["provider_id"].astype(str)
    else:
        ids, share = then_providers(providers, n_providers, rng)
        if allocation == "brokered":
            hours = clients["weekly_hours"].astype(float).to_numpy()
            xy = _offices(providers, ids, clients.crs, where)
            hx, hy = clients.geometry.x.to_numpy(), clients.geometry.y.to_numpy()
            distance = np.hypot(hx[:, None] - xy[None, :, 0], hy[:, None] - xy[None, :, 1])
            capacity = _capacities(providers, ids, float(hours.sum()))
            who = broker(hours, distance, capacity, rng.permutation(len(clients)))
        else:
            p = share if allocation == "market_share" else np.full(len(ids), 1.0 / len(ids))
            who = rng.choice(len(ids), size=len(clients), p=p)
        clients["provider_id"] = np.asarray(ids, dtype=object)[who]
    clients["zone_id"] = clients["provider_id"].astype(str)
    return clients, carers, ids


def provider_areas(
    clients: pd.DataFrame,
    ids: list[str],
    network: TravelNetwork,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """One row per provider: its hours, clients and the whole served area.

    Every provider covers all of the area (the network's extent, inside ``boundary``
    when the scenario has one); its clients' points are never drawn.
    """
    mode = "walk" if "walk" in network.modes else network.modes[0]
    area = shapely.convex_hull(shapely.multipoints(network.index(mode).xy))
    if boundary is not None and len(boundary):
        edge = shapely.union_all(shapely.make_valid(boundary.to_crs(network.crs).geometry))
        area = shapely.intersection(area, edge)
    hours = clients.groupby("provider_id")["weekly_hours"].sum().reindex(ids).fillna(0.0)
    count = clients.groupby("provider_id").size().reindex(ids).fillna(0).astype(int)
    return gpd.GeoDataFrame(
        {
            "zone_id": ids,
            "provider_id": ids,
            "weekly_hours": hours.to_numpy(),
            "n_clients": count.to_numpy(),
        },
        geometry=[area] * len(ids),
        crs=network.crs,
    )
