"""The "then" baseline: N providers, each serving clients spread over the whole area.

No zones: every client is given to a provider (at random in proportion to the providers'
market shares, uniformly at random, or as the tables say), carers are given to providers
so each provider's contracted hours match its clients' hours, and each provider's clients
and carers are routed as one group, across the whole area (Wigan before 2015: 30+
providers criss-crossing the borough).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import Problem, ValidationError
from carezones.network import TravelNetwork

__all__ = ["allocate", "provider_areas", "then_providers"]


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


def _by_hours(hours: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Carers (``hours`` each) in random order, each to the provider furthest below target."""
    have = np.zeros(len(target))
    out = np.empty(len(hours), dtype=np.intp)
    goal = target / max(target.sum(), 1e-9) * hours.sum()
    for i in rng.permutation(len(hours)):
        p = int(np.argmax(goal - have))
        out[i] = p
        have[p] += hours[i]
    return out


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
    """Clients and carers with ``provider_id`` and ``zone_id`` (= ``provider_id``)."""
    clients, carers = clients.copy(), carers.copy()
    if allocation == "given":
        problems = []
        for name, frame in (("clients", clients), ("carers", carers)):
            ids = frame.get("provider_id", pd.Series("", index=frame.index)).fillna("").astype(str)
            if (ids == "").any():
                problems.append(
                    Problem(
                        where,
                        "no provider",
                        f"every one of the {name} with a provider_id (allocation = 'given')",
                        f"{int((ids == '').sum())} without",
                        column="allocation",
                    )
                )
        if problems:
            raise ValidationError(problems)
        ids = sorted(
            set(clients["provider_id"].astype(str)) | set(carers["provider_id"].astype(str))
        )
    else:
        ids, share = then_providers(providers, n_providers, rng)
        p = share if allocation == "market_share" else np.full(len(ids), 1.0 / len(ids))
        clients["provider_id"] = np.asarray(ids, dtype=object)[
            rng.choice(len(ids), size=len(clients), p=p)
        ]
        need = (
            (clients["weekly_hours"].astype(float) * clients.get("carers_needed", 1))
            .groupby(clients["provider_id"])
            .sum()
        )
        target = need.reindex(ids).fillna(0.0).to_numpy()
        who = _by_hours(carers["contracted_hours"].astype(float).to_numpy(), target, rng)
        carers["provider_id"] = np.asarray(ids, dtype=object)[who]
    clients["zone_id"] = clients["provider_id"].astype(str)
    carers["zone_id"] = carers["provider_id"].astype(str)
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
