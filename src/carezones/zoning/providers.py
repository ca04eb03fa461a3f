"""Provider lots: neighbourhood zones grouped into contracts that each carry sustainable hours.

Wigan's 2025 model put 8 providers across 18 neighbourhood zones, each provider with at
least 1,000 hours a week. :func:`provider_lots` groups zones into ``n_providers`` lots
(or as many as the minimum allows, ``"auto"``), each lot a set of zones that touch and at
or above ``min_provider_hours``, compact (hours-weighted distance from each zone to its
lot's centre), and, when carers with a ``provider_id`` are given, matched to providers so
that as many carers as possible live in the lot their provider serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linear_sum_assignment

from carezones._options import make_rng
from carezones.exceptions import InfeasibleError, Problem, ProblemCollector, ValidationError
from carezones.zoning.defaults import MIN_PROVIDER_HOURS
from carezones.zoning.plan import ZonePlan

__all__ = ["ProviderLots", "provider_lots"]


@dataclass(frozen=True)
class ProviderLots:
    """Zones grouped into provider lots.

    Attributes
    ----------
    lots
        One row per lot: ``lot_id``, ``provider_id`` (None unless carers were given),
        ``weekly_hours``, ``n_zones``, ``zone_ids`` (``;``-separated),
        ``carers_living_in`` (carers of the lot's provider whose home is in the lot) and
        the lot's polygon.
    zones
        One row per zone: ``zone_id``, ``lot_id``, ``provider_id``, ``zone_hours``,
        ``lot_hours``.
    summary
        ``n_lots``, ``min_lot_hours``, ``max_lot_hours``, ``lots_below_minimum``,
        ``all_contiguous``, ``min_provider_hours`` and, with carers,
        ``share_of_carers_in_own_lot``.
    """

    lots: gpd.GeoDataFrame
    zones: pd.DataFrame
    summary: dict[str, Any]

    def __str__(self) -> str:
        s = self.summary
        lines = [
            f"{s['n_lots']} lots of {s['min_lot_hours']:.0f}-{s['max_lot_hours']:.0f} h/week "
            f"(minimum {s['min_provider_hours']:g}); every lot one piece: {s['all_contiguous']}"
        ]
        for row in self.lots.itertuples():
            who = f" ({row.provider_id})" if row.provider_id is not None else ""
            lines.append(
                f"  {row.lot_id}{who}: {row.weekly_hours:.0f} h/week, zones {row.zone_ids}"
            )
        return "\n".join(lines)


def _zone_graph(zones: gpd.GeoDataFrame) -> nx.Graph:
    """Zones that share a border (more than a point); islands joined to their nearest zone."""
    geoms = zones.geometry.to_numpy()
    graph = nx.Graph()
    graph.add_nodes_from(range(len(geoms)))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a < b:
            shared = shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b]))
            if shapely.length(shared) > 1.0:
                graph.add_edge(int(a), int(b))
    parts = [sorted(c) for c in nx.connected_components(graph)]
    while len(parts) > 1:
        first, rest = parts[0], [z for p in parts[1:] for z in p]
        d = shapely.distance(geoms[first][:, None], geoms[rest][None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        graph.add_edge(first[i], rest[j])
        parts = [sorted(c) for c in nx.connected_components(graph)]
    return graph


def _cost(labels: np.ndarray, p: int, hours: np.ndarray, xy: np.ndarray) -> float:
    total = 0.0
    for lot in range(p):
        m = labels == lot
        if m.any() and hours[m].sum() > 0:
            mean = np.average(xy[m], axis=0, weights=hours[m])
            total += float(hours[m] @ np.sqrt(((xy[m] - mean) ** 2).sum(axis=1)))
    return total


def _grow(
    graph: nx.Graph, p: int, hours: np.ndarray, xy: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Greedy start: well-spread seeds; the lot with fewest hours takes its nearest neighbour."""
    n = len(hours)
    seeds = [int(rng.choice(n, p=hours / hours.sum()))]
    while len(seeds) < p:
        d = np.min(((xy[:, None, :] - xy[seeds][None, :, :]) ** 2).sum(axis=2), axis=1)
        d[seeds] = 0
        seeds.append(int(rng.choice(n, p=d / d.sum())) if d.sum() > 0 else int(rng.integers(n)))
    labels = np.full(n, -1)
    labels[seeds] = np.arange(p)
    lot_hours = hours[seeds].astype(float)
    while (labels < 0).any():
        grew = False
        for lot in np.argsort(lot_hours):
            frontier = {v for u in np.flatnonzero(labels == lot) for v in graph[u] if labels[v] < 0}
            if frontier:
                centre = xy[seeds[lot]]
                pick = min(frontier, key=lambda v: ((xy[v] - centre) ** 2).sum())
                labels[pick] = lot
                lot_hours[lot] += hours[pick]
                grew = True
                break
        if not grew:
            break
    return labels


def _improve(
    graph: nx.Graph,
    labels: np.ndarray,
    p: int,
    hours: np.ndarray,
    xy: np.ndarray,
    floor: float,
    score: Any,
) -> np.ndarray:
    """Move border zones between lots: repair the minimum first, then lower the score."""
    labels = labels.copy()
    for _ in range(200):
        lot_hours = np.bincount(labels, weights=hours, minlength=p)
        short = lot_hours < floor - 1e-9
        current = score(labels)
        best: tuple[float, int, int] | None = None
        for z in range(len(labels)):
            a = labels[z]
            for b in {labels[v] for v in graph[z]} - {a}:
                if (labels == a).sum() == 1:
                    continue
                if not short.any() and lot_hours[a] - hours[z] < floor - 1e-9:
                    continue
                rest = [v for v in np.flatnonzero(labels == a) if v != z]
                if not nx.is_connected(graph.subgraph(rest)):
                    continue
                trial = labels.copy()
                trial[z] = b
                if short.any():
                    after = np.bincount(trial, weights=hours, minlength=p)
                    gain = (
                        np.maximum(floor - lot_hours, 0).sum() - np.maximum(floor - after, 0).sum()
                    )
                    if gain <= 1e-9:
                        continue
                    value = 1e9 * gain + current - score(trial)
                else:
                    value = current - score(trial)
                    if value <= 1e-9 * max(abs(current), 1.0):
                        continue
                if best is None or value > best[0]:
                    best = (value, z, int(b))
        if best is None:
            break
        labels[best[1]] = best[2]
    return labels


def _carer_counts(
    zones: gpd.GeoDataFrame, carers: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, list[str]]:
    """Carers of each provider living in each zone: (zones x providers) counts."""
    if carers is None:
        return np.zeros((len(zones), 0)), []
    check = ProblemCollector("carers")
    for col in ("provider_id",):
        if col not in carers.columns:
            check.add("missing column", f"a {col!r} column", "none", column=col)
    if carers.crs is None:
        check.add("no CRS", "homes with a CRS", "none")
    check.raise_if_any()
    homes = carers[carers["provider_id"].notna()]
    pts = homes.geometry.to_crs(zones.crs)
    providers = sorted(homes["provider_id"].astype(str).unique())
    where = pd.Index(providers).get_indexer(homes["provider_id"].astype(str))
    counts = np.zeros((len(zones), len(providers)))
    tree = shapely.STRtree(zones.geometry.to_numpy())
    pt_idx, zone_idx = tree.query(pts.to_numpy(), predicate="within")
    _, first = np.unique(pt_idx, return_index=True)
    np.add.at(counts, (zone_idx[first], where[pt_idx[first]]), 1)
    return counts, providers


def _match(labels: np.ndarray, p: int, counts: np.ndarray) -> tuple[np.ndarray, float]:
    """Providers matched to lots to maximise carers living in their own lot."""
    if counts.shape[1] == 0:
        return np.full(p, -1), 0.0
    per_lot = np.zeros((p, counts.shape[1]))
    np.add.at(per_lot, labels, counts)
    rows, cols = linear_sum_assignment(-per_lot)
    match = np.full(p, -1)
    match[rows] = cols
    return match, float(per_lot[rows, cols].sum())


def _lot_counts(
    zones: gpd.GeoDataFrame | ZonePlan, n_providers: int | str, min_provider_hours: float
) -> tuple[gpd.GeoDataFrame, np.ndarray, list[int]]:
    """Check the inputs; the zones, their hours and the lot counts to try (most first)."""
    frame = zones.zones if isinstance(zones, ZonePlan) else zones
    problems = []
    for col in ("zone_id", "weekly_hours"):
        if col not in frame.columns:
            problems.append(
                Problem("zones", "missing column", f"a {col!r} column", "none", column=col)
            )
    if not (isinstance(min_provider_hours, int | float) and min_provider_hours > 0):
        problems.append(
            Problem("min_provider_hours", "bad minimum", "a number > 0", repr(min_provider_hours))
        )
    if problems:
        raise ValidationError(problems)
    frame = frame.reset_index(drop=True)
    hours = frame["weekly_hours"].to_numpy(float)
    total = float(hours.sum())
    support = int(np.floor(total / min_provider_hours + 1e-9))
    if n_providers == "auto":
        wanted = list(range(min(support, len(frame)), 0, -1))
    elif isinstance(n_providers, int | np.integer) and 1 <= n_providers <= len(frame):
        wanted = [int(n_providers)]
    else:
        raise ProblemCollector("n_providers").error(
            "bad n_providers",
            f"an integer from 1 to {len(frame)} (the zones) or 'auto'",
            repr(n_providers),
        )
    if not wanted or wanted[0] > support:
        raise InfeasibleError(
            f"{total:.0f} weekly hours support at most {support} provider lots of at least "
            f"{min_provider_hours:g} h/week; {wanted[0] if wanted else 1} were asked for."
        )
    return frame, hours, wanted


def provider_lots(
    zones: gpd.GeoDataFrame | ZonePlan,
    *,
    n_providers: int | Literal["auto"] = "auto",
    min_provider_hours: float = MIN_PROVIDER_HOURS,
    carers: gpd.GeoDataFrame | None = None,
    carer_weight: float = 0.5,
    balance_weight: float = 1.0,
    n_init: int = 20,
    random_state: int | None = None,
) -> ProviderLots:
    """Group zones into contiguous provider lots, each at or above ``min_provider_hours``.

    Parameters
    ----------
    zones
        A :class:`~carezones.zoning.ZonePlan` or a zones GeoDataFrame (``zone_id``,
        ``weekly_hours``, polygons that partition the area).
    n_providers
        {int, "auto"} How many lots; "auto" makes as many as the minimum allows.
    min_provider_hours
        The sustainable minimum of weekly hours per lot (Wigan: 1,000).
    carers
        Optional carers (``provider_id``, home points): lots are matched to providers so
        that most carers live in the lot their provider serves, and lot shapes lean
        towards that (``carer_weight``).
    carer_weight
        How much carers living in their own lot count against compactness (0: ignore).
    balance_weight
        How much uneven lot hours count against compactness (0: ignore); without it
        the most compact grouping is many one-zone lots and one very large lot.
    n_init
        Random starts; the best is kept.
    random_state
        Seed of the random choices.

    Returns
    -------
    ProviderLots
        Lots, the lot of every zone, and a summary.

    Raises
    ------
    InfeasibleError
        When the hours cannot support ``n_providers`` lots (the message says how many
        they support) or no contiguous split meeting the minimum was found.

    Notes
    -----
    The score minimised is the hours-weighted straight-line distance from each zone to
    its lot's centre (relative to a single lot), plus ``balance_weight`` times the mean
    squared relative deviation of lot hours from the mean, minus ``carer_weight`` times
    the share of carers living in the lot matched to their provider. Lots are grown from
    well-spread seeds and improved by moving border zones between touching lots.

    Examples
    --------
    >>> import shapely
    >>> cells = [shapely.box(x, y, x + 1000, y + 1000) for y in range(0, 3000, 1000)
    ...          for x in range(0, 3000, 1000)]
    >>> zones = gpd.GeoDataFrame({"zone_id": [f"Z{i}" for i in range(9)],
    ...                           "weekly_hours": [400.0] * 9}, geometry=cells, crs=27700)
    >>> lots = provider_lots(zones, n_providers=3, min_provider_hours=1000, random_state=0)
    >>> lots.lots["weekly_hours"].tolist(), lots.summary["all_contiguous"]
    ([1200.0, 1200.0, 1200.0], True)
    """
    frame, hours, wanted = _lot_counts(zones, n_providers, min_provider_hours)
    total = float(hours.sum())
    support = int(np.floor(total / min_provider_hours + 1e-9))
    graph = _zone_graph(frame)
    centroid = frame.geometry.centroid
    xy = np.column_stack([centroid.x, centroid.y])
    counts, providers = _carer_counts(frame, carers)
    n_carers = max(counts.sum(), 1.0)
    rng = make_rng(random_state)
    for p in wanted:
        scale = max(_cost(np.zeros(len(frame), dtype=int), 1, hours, xy), 1e-9)

        def score(labels: np.ndarray, p: int = p, scale: float = scale) -> float:
            value = _cost(labels, p, hours, xy) / scale
            lot_hours = np.bincount(labels, weights=hours, minlength=p)
            value += balance_weight * float((((lot_hours - total / p) / (total / p)) ** 2).mean())
            if counts.shape[1]:
                value -= carer_weight * _match(labels, p, counts)[1] / n_carers
            return value

        best: tuple[bool, float, np.ndarray] | None = None
        for _ in range(n_init):
            labels = _grow(graph, p, hours, xy, rng)
            if (labels < 0).any():
                continue
            labels = _improve(graph, labels, p, hours, xy, min_provider_hours, score)
            lot_hours = np.bincount(labels, weights=hours, minlength=p)
            ok = bool((lot_hours >= min_provider_hours - 1e-9).all())
            if best is None or (ok, -score(labels)) > (best[0], -best[1]):
                best = (ok, score(labels), labels)
        if best is not None and best[0]:
            return _result(frame, best[2], p, hours, graph, counts, providers, min_provider_hours)
    small = hours < min_provider_hours - 1e-9
    hint = ""
    if small.any():
        names = ", ".join(
            f"{zid} ({h:.0f} h/week)"
            for zid, h in zip(frame["zone_id"][small], hours[small], strict=True)
        )
        hint = (
            f" Zones below the lot minimum must share a lot with a neighbour: {names};"
            " ask for fewer lots, or draw zones with a floor at or above the lot minimum."
        )
    raise InfeasibleError(
        f"No split of the {len(frame)} zones into {wanted[-1]} contiguous lots of at least "
        f"{min_provider_hours:g} h/week was found ({total:.0f} h/week support at most {support})."
        + hint
    )


def _result(
    frame: gpd.GeoDataFrame,
    labels: np.ndarray,
    p: int,
    hours: np.ndarray,
    graph: nx.Graph,
    counts: np.ndarray,
    providers: list[str],
    floor: float,
) -> ProviderLots:
    # Lots numbered north to south, west to east.
    pts = frame.geometry.centroid
    cy = np.array([pts.y[labels == lot].mean() for lot in range(p)])
    cx = np.array([pts.x[labels == lot].mean() for lot in range(p)])
    order = np.lexsort((cx, -cy))
    rank = np.empty(p, dtype=int)
    rank[order] = np.arange(p)
    labels = rank[labels]
    match, _ = _match(labels, p, counts)
    lot_ids = [f"L{i + 1}" for i in range(p)]
    rows = []
    for lot in range(p):
        m = labels == lot
        prov = providers[match[lot]] if match[lot] >= 0 else None
        rows.append(
            {
                "lot_id": lot_ids[lot],
                "provider_id": prov,
                "weekly_hours": float(hours[m].sum()),
                "n_zones": int(m.sum()),
                "zone_ids": ";".join(frame["zone_id"].astype(str)[m]),
                "carers_living_in": int(counts[m][:, match[lot]].sum()) if match[lot] >= 0 else 0,
                "geometry": shapely.union_all(frame.geometry.to_numpy()[m]),
            }
        )
    lots = gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs)
    per_zone = pd.DataFrame(
        {
            "zone_id": frame["zone_id"].astype(str),
            "lot_id": [lot_ids[x] for x in labels],
            "provider_id": [lots["provider_id"].iloc[x] for x in labels],
            "zone_hours": hours,
            "lot_hours": [lots["weekly_hours"].iloc[x] for x in labels],
        }
    )
    contiguous = all(
        nx.is_connected(graph.subgraph(np.flatnonzero(labels == lot))) for lot in range(p)
    )
    summary = {
        "n_lots": p,
        "min_lot_hours": float(lots["weekly_hours"].min()),
        "max_lot_hours": float(lots["weekly_hours"].max()),
        "lots_below_minimum": int((lots["weekly_hours"] < floor - 1e-9).sum()),
        "all_contiguous": contiguous,
        "min_provider_hours": floor,
    }
    if counts.shape[1]:
        summary["share_of_carers_in_own_lot"] = float(
            lots["carers_living_in"].sum() / max(counts.sum(), 1)
        )
    return ProviderLots(lots, per_zone, summary)
