"""Numeric core of the zoner: contiguous zones with an hours floor on a weighted graph.

Everything here works on plain arrays (spopt's ``from_cost_matrix`` half): a symmetric
sparse graph of travel seconds between *units* (network nodes, plus points along long
streets), the weekly hours sitting on each unit, and the units' coordinates. The geo
adapter in :mod:`carezones.zoning` builds those from clients and a network.

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

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

__all__ = [
    "CoreResult",
    "partition_connected",
    "prepare",
    "zone_medians",
    "pieces",
    "supported_zones",
]

_EPS_SHARE = 1e-3  # weight of an empty unit relative to the mean hours of a unit with hours
_TABLE_CELLS = 64_000_000  # largest table of times (units with hours x units) kept: 512 MB
_TABLE_CHUNK = 4_000_000  # cells computed at a time while filling it
_TABLE_CANDIDATES = 160  # centre candidates per zone with a table: the units nearest its mean


@dataclass(frozen=True)
class CoreResult:
    """A partition of the units of one connected graph.

    Attributes
    ----------
    labels
        Zone index (0..k-1) of every unit.
    centres
        Unit index of every zone's centre.
    hours
        Hours of every zone.
    cost
        Hours-weighted seconds from the units to their zone's centre.
    feasible
        Every zone at or above the floor (and below the cap).
    offsets
        The additive weights (seconds) of the zones' weighted Voronoi cells, when known.
    """

    labels: np.ndarray
    centres: np.ndarray
    hours: np.ndarray
    cost: float
    feasible: bool
    offsets: np.ndarray | None = None


def supported_zones(total_hours: float, floor: float) -> int:
    """How many zones of at least ``floor`` hours ``total_hours`` can support."""
    if floor <= 0:
        return 10**9
    return int(np.floor(total_hours / floor + 1e-9))


def pieces(
    graph: sparse.csr_matrix, labels: np.ndarray, k: int, occupied: np.ndarray | None = None
) -> np.ndarray:
    """Number of connected pieces of each zone's units (0 for an empty zone).

    With ``occupied`` (a mask of units), only pieces holding an occupied unit count: a
    hand-drawn boundary that strands a bit of street with nobody on it does not split the
    zone for its clients.

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> pieces(g, np.array([0, 1, 0]), 2).tolist()
    [2, 1]
    """
    coo = graph.tocoo()
    keep = (labels[coo.row] == labels[coo.col]) & (labels[coo.row] >= 0)
    inner = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=graph.shape
    )
    _, comp = connected_components(inner, directed=False)
    out = np.zeros(k, dtype=int)
    ok = labels >= 0
    if occupied is not None:
        ok &= occupied
    pairs = np.unique(np.column_stack([labels[ok], comp[ok]]), axis=0)
    np.add.at(out, pairs[:, 0], 1)
    return out


class _Graph:
    """The unit graph with the pieces every step reuses."""

    def __init__(
        self, graph: sparse.csr_matrix, weights: np.ndarray, xy: np.ndarray, table: bool = True
    ) -> None:
        self.csr = graph.tocsr()
        coo = self.csr.tocoo()
        self.rows, self.cols, self.data = coo.row, coo.col, coo.data
        self.n = self.csr.shape[0]
        self.w = np.asarray(weights, dtype=float)
        self.xy = np.asarray(xy, dtype=float)
        positive = self.w[self.w > 0]
        eps = _EPS_SHARE * (positive.mean() if len(positive) else 1.0)
        self.w_eps = self.w + eps  # empty units count a little, for tidy shapes
        # Times from every unit with hours to every unit, when they fit in memory: centre
        # moves and distance rows then become lookups instead of graph searches.
        self.have = np.flatnonzero(self.w > 0)
        self.row = np.full(self.n, -1, dtype=np.intp)
        self.row[self.have] = np.arange(len(self.have))
        self.table: np.ndarray | None = None
        self.more: dict[int, np.ndarray] = {}
        self._aug: tuple[bytes, sparse.csr_matrix] | None = None
        if table and 0 < len(self.have) * self.n <= _TABLE_CELLS:
            self.table = np.empty((len(self.have), self.n))
            step = max(1, _TABLE_CHUNK // self.n)  # in chunks: no second copy in memory
            for lo in range(0, len(self.have), step):
                self.table[lo : lo + step] = dijkstra(
                    self.csr, directed=True, indices=self.have[lo : lo + step]
                )

    def distances(self, sources: np.ndarray) -> np.ndarray:
        sources = np.atleast_1d(np.asarray(sources, dtype=np.intp))
        if self.table is None:
            return np.atleast_2d(dijkstra(self.csr, directed=True, indices=sources))
        rows = self.row[sources]
        out = np.empty((len(sources), self.n))
        known = rows >= 0
        out[known] = self.table[rows[known]]
        for i in np.flatnonzero(~known):  # a centre without hours: its own search, kept
            s = int(sources[i])
            if s not in self.more:
                if (len(self.more) + 1) * self.n > _TABLE_CELLS // 4:
                    self.more.clear()
                self.more[s] = dijkstra(self.csr, directed=True, indices=s)
            out[i] = self.more[s]
        return out

    def voronoi(self, centres: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Additively weighted network Voronoi: labels and the shortest-path forest."""
        k = len(centres)
        base = offsets - offsets.min() + 1.0
        key = centres.tobytes()
        if self._aug is None or self._aug[0] != key:
            rows = np.concatenate([self.rows, np.arange(self.n, self.n + k)])
            cols = np.concatenate([self.cols, centres])
            data = np.concatenate([self.data, np.ones(k)])
            aug = sparse.csr_matrix((data, (rows, cols)), shape=(self.n + k, self.n + k))
            self._aug = (key, aug)
        aug = self._aug[1]
        aug.data[-k:] = base  # the virtual sources' rows come last, one street each
        _, pred, src = dijkstra(
            aug,
            directed=True,
            indices=np.arange(self.n, self.n + k),
            min_only=True,
            return_predecessors=True,
        )
        labels = src[: self.n] - self.n
        parent = pred[: self.n].astype(np.intp)
        parent[parent >= self.n] = -1
        return labels.astype(np.intp), parent

    def forest(self, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
        """Shortest-path forest of every zone inside itself, rooted at its centre."""
        keep = labels[self.rows] == labels[self.cols]
        inner = sparse.csr_matrix(
            (self.data[keep], (self.rows[keep], self.cols[keep])), shape=(self.n, self.n)
        )
        _, pred, _ = dijkstra(
            inner, directed=True, indices=centres, min_only=True, return_predecessors=True
        )
        parent = pred.astype(np.intp)
        parent[parent < 0] = -1
        return parent


def prepare(graph: sparse.csr_matrix, weights: np.ndarray, xy: np.ndarray) -> _Graph:
    """The unit graph with its table of times, to reuse over several :func:`partition_connected`."""
    return _Graph(graph, weights, xy)


def zone_medians(
    g: _Graph | None,
    labels: np.ndarray,
    centres: np.ndarray,
    *,
    fixed: np.ndarray | None = None,
    candidates: int = 8,
    dist: np.ndarray | None = None,
    skip: np.ndarray | None = None,
    graph: sparse.csr_matrix | None = None,
    weights: np.ndarray | None = None,
    xy: np.ndarray | None = None,
    exact: bool = False,
) -> np.ndarray:
    """Move each zone's centre to its hours-weighted network median (among candidates).

    With a table of times (``g.table``, or ``exact`` when ``g`` is built here) the zone's
    160 units nearest its hours-weighted mean position (every unit of a smaller zone) are
    candidates; otherwise the current centre and the zone's
    ``candidates`` units nearest (in a straight line) to its hours-weighted mean position.
    ``fixed`` zones keep their centre.
    """
    if g is None:  # exact (a table of times) when no centres are known yet
        g = _Graph(graph, weights, xy, table=exact)  # type: ignore[arg-type]
    k = len(centres)
    fixed = np.zeros(k, dtype=bool) if fixed is None else fixed
    out = np.array(centres, copy=True)
    todo = ~fixed if skip is None else ~fixed & ~skip
    for z in np.flatnonzero(todo):
        members = np.flatnonzero(labels == z)
        if len(members) == 0 or g.w[members].sum() <= 0:
            continue
        mean = np.average(g.xy[members], axis=0, weights=g.w[members])
        near = members[np.argsort(((g.xy[members] - mean) ** 2).sum(axis=1))]
        if g.table is not None:
            # The zone's most central units, each priced exactly from the table.
            cands = np.union1d(near[:_TABLE_CANDIDATES], [centres[z]])
            have = members[g.w[members] > 0]
            cost = g.w[have] @ g.table[np.ix_(g.row[have], cands)]
            best = int(np.argmin(cost))
            if cost[best] < cost[np.searchsorted(cands, centres[z])] - 1e-9:  # ties stay
                out[z] = cands[best]
            continue
        cands = np.union1d(near[:candidates], [centres[z]])
        # Every candidate is a member, so it reaches every member within twice the
        # zone's radius from the current centre: a bounded search is exact.
        from_centre = dist[z] if dist is not None else dijkstra(g.csr, indices=int(centres[z]))
        radius = from_centre[members].max()
        limit = 2 * radius + 1.0 if np.isfinite(radius) else np.inf
        block = np.atleast_2d(dijkstra(g.csr, indices=cands, limit=limit))
        cost = np.where(np.isfinite(block[:, members]), block[:, members], 1e18) @ g.w_eps[members]
        out[z] = cands[int(np.argmin(cost))]
    return out


def _seed(g: _Graph, k: int, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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


def _seed_kmeans(g: _Graph, k: int, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Straight-line k-means on the hours; each free centre moves to the nearest unit with hours."""
    from sklearn.cluster import KMeans

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


def _dual_ascent(
    g: _Graph,
    centres: np.ndarray,
    floor: float,
    cap: float,
    offsets: np.ndarray,
    iters: int,
    scale: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tune the additive weights until every zone meets the floor and the cap.

    The weights are Lagrange multipliers of balance constraints (hours = the mean): a
    sign-subgradient step with a per-zone step size (Rprop) gives zones short of hours a
    head start and holds back the largest, and stops as soon as the floor and the cap
    hold, so zones stay as compact as they can.
    """
    k = len(centres)
    target = g.w.sum() / k
    off = offsets.copy()
    step = np.full(k, scale / 4)
    sign = np.zeros(k)
    best: tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray] | None] | None = None
    # With a table of times the hours of each cell come from the units with hours alone
    # (a lookup per step); the graph search runs once, on the best weights.
    to_centre = g.table[:, centres] if g.table is not None else None
    for _ in range(iters):
        cells = None
        if to_centre is not None:
            nearest = np.argmin(to_centre + (off - off.min())[None, :], axis=1)
            hours = np.bincount(nearest, weights=g.w[g.have], minlength=k)
        else:
            cells = g.voronoi(centres, off)
            hours = np.bincount(cells[0], weights=g.w, minlength=k)
        short = np.maximum(floor - hours, 0.0).sum() + np.maximum(hours - cap, 0.0).sum()
        if best is None or short < best[0]:
            best = (short, off.copy(), cells)
        if short <= 0:
            break
        # Rprop: each zone's step grows while its sign holds and halves when it flips, so
        # dense town zones and sparse rural ones each find their own scale.
        new_sign = np.sign(hours - target)
        step = np.clip(np.where(new_sign == sign, step * 1.4, step * 0.5), scale * 1e-4, scale * 8)
        sign = new_sign
        off = off + sign * step
        off -= off.mean()
    assert best is not None
    _, off, cells = best
    labels, parent = cells if cells is not None else g.voronoi(centres, off)
    return labels, parent, off


class _Children:
    """Children of every unit in a forest (sorted arrays), with moved branches on top."""

    def __init__(self, parent: np.ndarray) -> None:
        idx = np.flatnonzero(parent >= 0)
        order = idx[np.argsort(parent[idx], kind="stable")]
        self.order = order
        self.start = np.searchsorted(parent[order], np.arange(len(parent) + 1))
        self.gone: set[int] = set()
        self.extra: defaultdict[int, list[int]] = defaultdict(list)

    def of(self, v: int) -> list[int]:
        base = self.order[self.start[v] : self.start[v + 1]].tolist()
        if self.gone:
            base = [c for c in base if c not in self.gone]
        return base + self.extra.get(v, [])

    def move(self, v: int, old: int, new: int) -> None:
        if v in self.extra.get(old, ()):
            self.extra[old].remove(v)
        else:
            self.gone.add(v)
        self.extra[new].append(v)


def _branch_sums(parent: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (one row per unit) over every unit's branch of the forest ``parent``.

    Depths by pointer jumping, then one scatter-add per level from the deepest up.

    Examples
    --------
    >>> _branch_sums(np.array([-1, 0, 1, 1]), np.ones((4, 1))).ravel().tolist()
    [4.0, 3.0, 1.0, 1.0]
    """
    depth = (parent >= 0).astype(np.int64)
    up = parent.copy()
    while (jump := up >= 0).any():
        depth_next = depth.copy()
        depth_next[jump] += depth[up[jump]]
        up_next = up.copy()
        up_next[jump] = up[up[jump]]
        depth, up = depth_next, up_next
    sums = np.array(values, dtype=float, copy=True)
    order = np.argsort(-depth, kind="stable")
    bounds = np.searchsorted(-depth[order], np.arange(-depth.max(), 0) if len(depth) else [])
    bounds = np.r_[bounds, np.searchsorted(-depth[order], 0)]
    for lo, hi in itertools.pairwise(bounds):
        level = order[lo:hi]
        np.add.at(sums, parent[level], sums[level])
    return sums


def _subtree(v: int, kids: _Children, limit: int) -> list[int] | None:
    out = [v]
    i = 0
    while i < len(out):
        out.extend(kids.of(out[i]))
        if len(out) > limit:
            return None
        i += 1
    return out


def _refine(
    g: _Graph,
    labels: np.ndarray,
    centres: np.ndarray,
    floor: float,
    cap: float,
    dist: np.ndarray,
    rounds: int = 10,
    max_piece: int = 400,
) -> np.ndarray:
    """Move boundary pieces between zones: repair the floor first, then lower the cost."""
    labels = labels.copy()
    k = len(centres)
    hours = np.bincount(labels, weights=g.w, minlength=k)
    for _ in range(rounds):
        parent = g.forest(labels, centres)
        kids = _Children(parent)
        cross = labels[g.rows] != labels[g.cols]
        vs, us = g.rows[cross], g.cols[cross]
        _, first = np.unique(np.column_stack([vs, labels[us]]), axis=0, return_index=True)
        deficit = hours < floor - 1e-9
        # Every branch's hours, size and hours-weighted time to every centre at once.
        each = np.column_stack([g.w_eps[:, None] * dist.T, g.w, np.ones(g.n)])
        sums = _branch_sums(parent, each)
        v, u = vs[first], us[first]
        v_, u_ = v[parent[v] >= 0], u[parent[v] >= 0]  # a centre stays
        a, b = labels[v_], labels[u_]
        weight, size = sums[v_, k], sums[v_, k + 1]
        gain = sums[v_, a] - sums[v_, b]
        if deficit.any():
            keep = deficit[b] & (weight > 0) & (size <= max_piece)
            # Repair first, the cheapest per hour first.
            gain = 1e12 + gain / np.where(weight > 0, weight, 1.0)
        else:
            keep = (gain > 1e-9) & (size <= max_piece)
        if not keep.any():
            break
        pick = np.flatnonzero(keep)
        pick = pick[np.lexsort((-u_[pick], -v_[pick], -gain[pick]))]
        moves = list(zip(gain[pick].tolist(), v_[pick].tolist(), u_[pick].tolist(), strict=True))
        done = 0
        for gain, v, u in moves:
            a, b = labels[v], labels[u]
            if a == b or parent[v] < 0:
                continue
            idx = np.array(_subtree(v, kids, max_piece) or [], dtype=np.intp)
            if len(idx) == 0:
                continue
            weight = g.w[idx].sum()
            if hours[a] - weight < floor - 1e-9 and weight > 0:
                continue
            if hours[b] + weight > cap + 1e-9:
                continue
            repair = gain >= 1e12
            if repair and not hours[b] < floor - 1e-9:
                continue
            if not repair and float(g.w_eps[idx] @ (dist[a, idx] - dist[b, idx])) <= 1e-9:
                continue
            labels[idx] = b
            hours[a] -= weight
            hours[b] += weight
            kids.move(v, int(parent[v]), u)
            parent[v] = u
            done += 1
        if done == 0:
            break
    return labels


def _cost(g: _Graph, labels: np.ndarray, dist: np.ndarray) -> float:
    return float(g.w @ dist[labels, np.arange(g.n)])


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
    rng = np.random.default_rng(random_state)
    g = graph if isinstance(graph, _Graph) else _Graph(graph, weights, xy)
    fixed_seeds = np.array([] if seeds is None else seeds, dtype=np.intp)
    fixed = np.zeros(k, dtype=bool)
    fixed[: len(fixed_seeds)] = True
    best: CoreResult | None = None
    for start in range(max(1, n_init)):
        seeding = _seed_kmeans if start % 2 == 0 else _seed
        start_centres = seeding(g, k, fixed_seeds, rng)
        res = _descend(g, start_centres, fixed, floor, cap, lloyd_steps, refine_steps)
        if best is None or (res.feasible, -res.cost) > (best.feasible, -best.cost):
            best = res
    assert best is not None
    if g.table is not None and k - len(fixed_seeds) >= 2 and best.feasible:
        best = _interchange(g, best, fixed, floor, cap, lloyd_steps, refine_steps, n_swaps)
        n_swaps = 0
    for _ in range(n_swaps if k - len(fixed_seeds) >= 2 and best.feasible else 0):
        moved = _swap(g, best, fixed, rng)
        trial = _descend(g, moved, fixed, floor, cap, lloyd_steps, refine_steps)
        if trial.feasible and trial.cost < best.cost - 1e-9:
            best = trial
    if best.feasible:
        best = _polish(g, best, fixed, floor, cap, polish_steps)
    return best


def _polish(
    g: _Graph,
    res: CoreResult,
    fixed: np.ndarray,
    floor: float,
    cap: float,
    steps: int,
    candidates: int = 24,
) -> CoreResult:
    """Wider medians (``candidates`` units without a table) and piece moves while they help.

    Each step can only lower the cost: the current centre is among the candidates, and
    piece moves keep the floor, the cap and one piece per zone.
    """
    k = len(res.centres)
    labels, centres = res.labels, res.centres.copy()
    dist = g.distances(centres)
    cost = _cost(g, labels, dist)
    for _ in range(steps):
        new = zone_medians(g, labels, centres, fixed=fixed, dist=dist, candidates=candidates)
        new_dist = g.distances(new) if not np.array_equal(new, centres) else dist
        new_labels = _refine(g, labels, new, floor, cap, new_dist)
        new_cost = _cost(g, new_labels, new_dist)
        if new_cost >= cost - 1e-9:
            break
        labels, centres, dist, cost = new_labels, new, new_dist, new_cost
    if labels is res.labels:
        return res
    hours = np.bincount(labels, weights=g.w, minlength=k)
    ok = bool((hours >= floor - 1e-9).all() and (hours <= cap + 1e-9).all())
    ok = ok and bool((pieces(g.csr, labels, k) == 1).all())
    if not ok:
        return res
    return CoreResult(labels, centres, hours, cost, ok)




def _lp_weights(g: _Graph, centres: np.ndarray, floor: float, cap: float) -> np.ndarray | None:
    """Voronoi weights (seconds) from the assignment LP of the units with hours to ``centres``.

    The transportation problem (each unit's hours to the centres, every zone at least
    ``floor`` and at most ``cap`` hours, least hours-weighted time) is solved exactly with
    HiGHS; its floor and cap prices are the additive weights under which each unit's
    nearest weighted centre is its optimal zone. ``None`` when the LP has no solution.
    """
    from scipy.optimize import linprog

    assert g.table is not None
    t = g.table[:, centres]
    w = g.w[g.have]
    n, k = t.shape
    unit, zone = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)
    cols = np.arange(n * k)
    one_each = sparse.csr_matrix((np.ones(n * k), (unit, cols)), shape=(n, n * k))
    per_zone = sparse.csr_matrix((w[unit], (zone, cols)), shape=(k, n * k))
    a_ub, b_ub = [-per_zone], [np.full(k, -floor)]
    if np.isfinite(cap):
        a_ub.append(per_zone)
        b_ub.append(np.full(k, cap))
    res = linprog(
        (w[:, None] * t).ravel(),
        A_ub=sparse.vstack(a_ub),
        b_ub=np.concatenate(b_ub),
        A_eq=one_each,
        b_eq=np.ones(n),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        return None
    price = res.ineqlin.marginals  # <= 0: what one more hour of floor (or less cap) costs
    return price[:k] - (price[k:] if np.isfinite(cap) else 0.0)


def _descend(
    g: _Graph,
    centres: np.ndarray,
    fixed: np.ndarray,
    floor: float,
    cap: float,
    lloyd_steps: int,
    refine_steps: int,
) -> CoreResult:
    """From given centres: Voronoi and median steps, then piece moves and median steps."""
    k = len(centres)
    offsets = np.zeros(k)
    dist = g.distances(centres)
    finite = dist[np.isfinite(dist)]
    scale = float(np.median(finite)) / 4 if len(finite) else 60.0
    labels = np.full(g.n, -1, dtype=np.intp)
    seen = (labels, centres.copy())  # zones unchanged since their last median need no new one

    def medians(labels: np.ndarray, candidates: int) -> np.ndarray:
        nonlocal seen
        was_labels, was_centres = seen
        changed = labels != was_labels
        moved = np.zeros(k, dtype=bool)
        moved[np.unique(labels[changed])] = True
        moved[np.unique(was_labels[changed][was_labels[changed] >= 0])] = True
        moved |= centres != was_centres
        seen = (labels.copy(), centres.copy())
        return zone_medians(
            g, labels, centres, fixed=fixed, dist=dist, skip=~moved, candidates=candidates
        )

    for _step in range(lloyd_steps):
        labels, _, offsets = _dual_ascent(g, centres, floor, cap, offsets, 60, scale)
        new = medians(labels, 4)
        if np.array_equal(new, centres):
            break
        centres = new
        dist = g.distances(centres)
    # The best weights for these centres: the assignment LP's prices when the table fits
    # (small steps then only settle ties on units the LP splits), else the dual ascent.
    lp = _lp_weights(g, centres, floor, cap) if g.table is not None else None
    if lp is not None:
        labels, _, lp = _dual_ascent(g, centres, floor, cap, lp, 60, scale / 50)
        hours = np.bincount(labels, weights=g.w, minlength=k)
        if (hours >= floor - 1e-9).all() and (hours <= cap + 1e-9).all():
            offsets = lp
        else:  # the LP's cells cannot be settled: the plain dual ascent
            lp = None
    if lp is None:
        labels, _, offsets = _dual_ascent(g, centres, floor, cap, offsets, 60, scale)
    for _step in range(refine_steps):
        labels = _refine(g, labels, centres, floor, cap, dist)
        new = medians(labels, 8)
        if np.array_equal(new, centres):
            break
        centres = new
        dist = g.distances(centres)
    hours = np.bincount(labels, weights=g.w, minlength=k)
    ok = bool((hours >= floor - 1e-9).all() and (hours <= cap + 1e-9).all())
    ok = ok and bool((pieces(g.csr, labels, k) == 1).all())
    return CoreResult(labels, centres, hours, _cost(g, labels, dist), ok, offsets)


def _interchange(
    g: _Graph,
    best: CoreResult,
    fixed: np.ndarray,
    floor: float,
    cap: float,
    lloyd_steps: int,
    refine_steps: int,
    tries: int,
) -> CoreResult:
    """Swap one centre for a unit with hours elsewhere, guided by the floor's prices.

    Fast interchange on the table of times: each unit with hours is charged its time to
    a centre plus that zone's Voronoi weight (the price of the floor), which predicts the
    cost of closing centre ``j`` and opening unit ``c`` for every pair at once. The most
    promising swaps are tried with a full descent and kept when the floored cost falls.
    """
    assert g.table is not None
    have, w = g.have, g.w[g.have]
    square = g.table[:, have]  # times between units with hours
    k = len(best.centres)
    rows = np.arange(len(have))
    tried: set[tuple[int, int]] = set()
    for _ in range(tries):
        off = best.offsets if best.offsets is not None else np.zeros(k)
        off = off - off.min()
        to_centre = g.table[:, best.centres] + off[None, :]
        order = np.argsort(to_centre, axis=1)
        first, d1, d2 = order[:, 0], to_centre[rows, order[:, 0]], to_centre[rows, order[:, 1]]
        cand_off = off[best.labels[have]]  # a new centre inherits the price of its zone
        opened = square + cand_off[None, :]
        base = np.minimum(d1[:, None], opened)
        total = w @ base
        which = sparse.csr_matrix((w, (first, rows)), shape=(k, len(have)))
        extra = np.asarray(which @ (np.minimum(d2[:, None], opened) - base))
        new_cost = total[None, :] + extra
        new_cost[fixed] = np.inf
        new_cost[:, np.isin(have, best.centres)] = np.inf
        for j, c in tried:
            new_cost[j, c] = np.inf
        j, c = np.unravel_index(int(np.argmin(new_cost)), new_cost.shape)
        if not new_cost[j, c] < w @ d1 - 1e-9:
            break
        tried.add((int(j), int(c)))
        centres = best.centres.copy()
        centres[j] = have[c]
        trial = _descend(g, centres, fixed, floor, cap, lloyd_steps, refine_steps)
        if trial.feasible and trial.cost < best.cost - 1e-9:
            best = trial
    return best


def _swap(g: _Graph, res: CoreResult, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Close one cheap zone's centre and open one in the costliest zone (split and merge)."""
    k = len(res.centres)
    dist = g.distances(res.centres)
    each = g.w * dist[res.labels, np.arange(g.n)]
    cost = np.bincount(res.labels, weights=each, minlength=k)
    free = np.flatnonzero(~fixed)
    cheap = free[np.argsort(cost[free])[:3]]
    drop = int(rng.choice(cheap))
    others = np.array([z for z in range(k) if z != drop])
    share = cost[others] / cost[others].sum() if cost[others].sum() > 0 else None
    split = int(rng.choice(others, p=share))
    members = np.flatnonzero((res.labels == split) & (g.w > 0))
    if len(members) == 0:
        return res.centres
    far = members[int(np.argmax(each[members]))]
    centres = res.centres.copy()
    centres[drop] = far
    return centres
