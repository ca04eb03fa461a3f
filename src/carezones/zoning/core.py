"""Numeric core of the zoner: contiguous zones with an hours floor on a weighted graph.

Everything here works on plain arrays (spopt's ``from_cost_matrix`` half): a symmetric
sparse graph of travel seconds between *units* (network nodes, plus points along long
streets), the weekly hours sitting on each unit, and the units' coordinates. The geo
adapter in :mod:`carezones.zoning.geo` builds those from clients and a network.

Method
------
1. Seeds: straight-line k-means or network k-means++ on the hours, one per start (fixed
   seeds, e.g. provider offices, first).
2. A network Voronoi with additive weights: each unit joins the zone whose centre it
   reaches first once every centre's clock starts at its own offset. One multi-source
   Dijkstra (``min_only=True``) on the graph plus one virtual source per zone. Its
   shortest-path forest makes every zone one connected piece by construction.
3. The offsets are Lagrange multipliers of the floor (and cap): a subgradient step raises
   the head start of zones below the floor until the floor holds (dual ascent). With a
   table of times from every unit with hours to every unit (kept when it fits in
   memory), each step is a lookup and the graph search runs once on the final weights;
   after the Lloyd steps the weights are the prices of the exact assignment LP (the
   transportation problem with the floor and cap, solved by HiGHS).
4. Lloyd steps move each centre to the zone's hours-weighted network median (exact over
   the zone's most central units with the table).
5. Local search moves boundary pieces (a unit and everything behind it in its zone's
   shortest-path tree) to a neighbouring zone when that lowers the hours-weighted time to
   the centres, never breaking the floor, the cap or contiguity (removing a branch of a
   spanning tree leaves a tree; the branch joins the other zone through a street). The
   gains of all branches come from one pass of subtree sums.
6. Centre swaps on the best start (fast interchange): with every unit charged its time
   to a centre plus that zone's offset (the floor's price), the cost of closing each
   centre and opening each unit with hours is predicted at once; the best swaps are
   tried with a new descent and kept when the cost falls. Without the table: split and
   merge (close a cheap zone's centre, open one in the costliest zone).
7. Polish: medians over more candidates (the units with hours nearest the zone's mean)
   and piece moves on the best result, while the cost falls.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans

from carezones._options import make_rng
from carezones.zoning.graph import CoreResult, UnitGraph, pieces, prepare, supported_zones
from carezones.zoning.search import descend, interchange, polish, swap

__all__ = [
    "CoreResult",
    "partition_connected",
    "pieces",
    "prepare",
    "supported_zones",
]


def _seed(g: UnitGraph, k: int, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Network k-means++ on the hours, after the fixed seeds."""
    chosen = [int(s) for s in fixed]
    demand = np.flatnonzero(g.w > 0)
    pool = demand if len(demand) >= k else np.arange(g.n)
    if not chosen:
        p = g.w_eps[pool] / g.w_eps[pool].sum()
        chosen.append(int(rng.choice(pool, p=p)))
    nearest = g.distances(np.array(chosen)).min(axis=0)
    while len(chosen) < k:
        score = g.w_eps[pool] * nearest[pool] ** 2
        total = score.sum()
        pick = int(rng.choice(pool, p=score / total)) if total > 0 else int(rng.choice(pool))
        if pick in chosen:
            pick = int(rng.choice(np.setdiff1d(np.arange(g.n), chosen)))
        chosen.append(pick)
        nearest = np.minimum(nearest, g.distances(np.array([pick]))[0])
    return np.array(chosen, dtype=np.intp)


def _seed_kmeans(g: UnitGraph, k: int, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Straight-line k-means on the hours; each free centre moves to the nearest unit with hours."""
    pool = np.flatnonzero(g.w > 0)
    if len(pool) < k:
        return _seed(g, k, fixed, rng)
    model = KMeans(k, n_init=1, random_state=int(rng.integers(2**31 - 1)))
    model.fit(g.xy[pool], sample_weight=g.w[pool])
    centres = model.cluster_centers_
    # Fixed seeds replace the k-means centres nearest to them.
    free = np.ones(k, dtype=bool)
    for s in fixed:
        d = ((centres - g.xy[s]) ** 2).sum(axis=1)
        d[~free] = np.inf
        free[int(np.argmin(d))] = False
    chosen = [int(s) for s in fixed]
    for c in centres[free]:
        d = ((g.xy[pool] - c) ** 2).sum(axis=1)
        d[np.isin(pool, chosen)] = np.inf
        chosen.append(int(pool[int(np.argmin(d))]))
    return np.array(chosen, dtype=np.intp)


def partition_connected(
    graph: sparse.csr_matrix,
    weights: np.ndarray,
    xy: np.ndarray,
    k: int,
    *,
    floor: float,
    cap: float = np.inf,
    seeds: np.ndarray | None = None,
    random_state: int | np.random.Generator | None = None,
    n_init: int = 4,
    lloyd_steps: int = 15,
    refine_steps: int = 10,
    n_swaps: int = 6,
    polish_steps: int = 3,
) -> CoreResult:
    """Split a connected graph's units into ``k`` contiguous zones of ``floor``..``cap`` hours.

    Parameters
    ----------
    graph
        Symmetric sparse matrix of travel seconds between adjacent units (connected), or
        the result of :func:`prepare` on it (then ``weights`` and ``xy`` are not used).
    weights
        Weekly hours on each unit.
    xy
        Unit coordinates (metres), used only to pick median candidates.
    k
        Number of zones.
    floor, cap
        Smallest and largest weekly hours of a zone.
    seeds
        Units that must be zone centres (at most ``k``).
    random_state
        Seed of the random choices.
    n_init
        Independent starts, seeded alternately by straight-line k-means and by network
        k-means++; the best feasible one is kept.
    lloyd_steps
        Centre updates per start while the zones are weighted Voronoi cells.
    refine_steps
        Centre updates per start while boundary pieces move.
    n_swaps
        Centre swaps tried on the best start, each followed by a new descent and kept
        when the cost falls: guided by the floor's prices when the table of times fits
        (see :func:`prepare`), else split and merge (close a cheap zone's centre, open one
        in the costliest zone).
    polish_steps
        Final rounds on the best result of hours-weighted medians over more candidates
        and piece moves, while the cost falls.

    Returns
    -------
    CoreResult
        The best start (feasible first, then lowest cost).

    Examples
    --------
    >>> a = np.zeros((6, 6))
    >>> for i in range(5):
    ...     a[i, i + 1] = a[i + 1, i] = 60.0
    >>> xy = np.c_[np.arange(6), np.zeros(6)]
    >>> res = partition_connected(sparse.csr_matrix(a), np.ones(6), xy, 2, floor=3, random_state=0)
    >>> sorted(res.hours.tolist()), res.feasible
    ([3.0, 3.0], True)
    """
    rng = make_rng(random_state)
    g = graph if isinstance(graph, UnitGraph) else UnitGraph(graph, weights, xy)
    fixed_seeds = np.array([] if seeds is None else seeds, dtype=np.intp)
    fixed = np.zeros(k, dtype=bool)
    fixed[: len(fixed_seeds)] = True
    best: CoreResult | None = None
    for start in range(max(1, n_init)):
        seeding = _seed_kmeans if start % 2 == 0 else _seed
        start_centres = seeding(g, k, fixed_seeds, rng)
        res = descend(g, start_centres, fixed, floor, cap, lloyd_steps, refine_steps)
        if best is None or (res.feasible, -res.cost) > (best.feasible, -best.cost):
            best = res
    assert best is not None
    if g.table is not None and k - len(fixed_seeds) >= 2 and best.feasible:
        best = interchange(g, best, fixed, floor, cap, lloyd_steps, refine_steps, n_swaps)
        n_swaps = 0
    for _ in range(n_swaps if k - len(fixed_seeds) >= 2 and best.feasible else 0):
        moved = swap(g, best, fixed, rng)
        trial = descend(g, moved, fixed, floor, cap, lloyd_steps, refine_steps)
        if trial.feasible and trial.cost < best.cost - 1e-9:
            best = trial
    if best.feasible:
        best = polish(g, best, fixed, floor, cap, polish_steps)
    return best
