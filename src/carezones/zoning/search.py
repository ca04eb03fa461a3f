"""Local search of the zoner: boundary pieces moved, centres swapped, a final polish.

Every move keeps the floor, the cap and contiguity: a piece is a unit and everything behind
it in its zone's shortest-path tree, so removing it leaves a tree and it joins the other
zone through a street.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
from scipy import sparse

from carezones.zoning.graph import CoreResult, UnitGraph, pieces, zone_medians
from carezones.zoning.weights import dual_ascent, lp_weights

__all__ = ["descend", "interchange", "polish", "swap", "total_cost"]


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
    g: UnitGraph,
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


def total_cost(g: UnitGraph, labels: np.ndarray, dist: np.ndarray) -> float:
    """Hours-weighted travel seconds from every unit to its zone's centre."""
    return float(g.w @ dist[labels, np.arange(g.n)])


def polish(
    g: UnitGraph,
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
    cost = total_cost(g, labels, dist)
    for _ in range(steps):
        new = zone_medians(g, labels, centres, fixed=fixed, dist=dist, candidates=candidates)
        new_dist = g.distances(new) if not np.array_equal(new, centres) else dist
        new_labels = _refine(g, labels, new, floor, cap, new_dist)
        new_cost = total_cost(g, new_labels, new_dist)
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


def descend(
    g: UnitGraph,
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
        labels, _, offsets = dual_ascent(g, centres, floor, cap, offsets, 60, scale)
        new = medians(labels, 4)
        if np.array_equal(new, centres):
            break
        centres = new
        dist = g.distances(centres)
    # The best weights for these centres: the assignment LP's prices when the table fits
    # (small steps then only settle ties on units the LP splits), else the dual ascent.
    lp = lp_weights(g, centres, floor, cap) if g.table is not None else None
    if lp is not None:
        labels, _, lp = dual_ascent(g, centres, floor, cap, lp, 60, scale / 50)
        hours = np.bincount(labels, weights=g.w, minlength=k)
        if (hours >= floor - 1e-9).all() and (hours <= cap + 1e-9).all():
            offsets = lp
        else:  # the LP's cells cannot be settled: the plain dual ascent
            lp = None
    if lp is None:
        labels, _, offsets = dual_ascent(g, centres, floor, cap, offsets, 60, scale)
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
    return CoreResult(labels, centres, hours, total_cost(g, labels, dist), ok, offsets)


def interchange(
    g: UnitGraph,
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
        trial = descend(g, centres, fixed, floor, cap, lloyd_steps, refine_steps)
        if trial.feasible and trial.cost < best.cost - 1e-9:
            best = trial
    return best


def swap(g: UnitGraph, res: CoreResult, fixed: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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
