"""The additive weights of the network Voronoi: dual ascent, and the prices of the assignment LP.

Each zone's weight (its clock's head start) is a Lagrange multiplier of the floor and the
cap; :func:`dual_ascent` finds them by subgradient steps, :func:`lp_weights` reads them off
the exact transportation problem (units with hours to centres, floor and cap), solved by
HiGHS through :func:`scipy.optimize.linprog`.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from carezones.zoning.graph import UnitGraph

__all__ = ["dual_ascent", "lp_weights"]


def dual_ascent(
    g: UnitGraph,
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


def lp_weights(g: UnitGraph, centres: np.ndarray, floor: float, cap: float) -> np.ndarray | None:
    """Voronoi weights (seconds) from the assignment LP of the units with hours to ``centres``.

    The transportation problem (each unit's hours to the centres, every zone at least
    ``floor`` and at most ``cap`` hours, least hours-weighted time) is solved exactly with
    HiGHS; its floor and cap prices are the additive weights under which each unit's
    nearest weighted centre is its optimal zone. ``None`` when the LP has no solution.
    """
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
