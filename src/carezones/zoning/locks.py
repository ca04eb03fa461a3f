"""Clients and streets around locked zones: who a locked polygon holds, streets it cuts off."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from carezones.exceptions import Problem, ValidationError
from carezones.zoning.geo import Demand, Units

__all__ = ["check_locked", "join_stranded", "pin_clients"]


def check_locked(ids: list[str], unit_zone: np.ndarray) -> None:
    """Refuse locked zones sharing an id, or holding no street point of the network.

    Two polygons with one id would be merged into one zone; a polygon off the network
    (another area, another CRS, too small) would be a locked zone of nothing.
    """
    problems = [
        Problem("locked", "duplicate id", "one polygon per locked zone", f"{z!r} {n} times",
                column="zone_id")
        for z, n in pd.Series(ids, dtype=object).value_counts().items() if n > 1
    ]  # fmt: skip
    held = np.bincount(unit_zone[unit_zone >= 0], minlength=len(ids))
    problems += [
        Problem("locked", "no street", "a locked zone over the walking network (holding at "
                "least one of its street points)", "none inside it (another area, another "
                "CRS, or too small)", row=f"zone {ids[z]!r}", column="geometry")
        for z in np.flatnonzero(held[: len(ids)] == 0)
    ]  # fmt: skip
    if problems:
        raise ValidationError(problems)


def join_stranded(
    units: Units, demand: Demand, labels: np.ndarray, n_locked: int = 0
) -> dict[int, str]:
    """Streets cut off by locked zones, with too few hours for a zone, join a neighbour.

    The neighbour is the nearest free zone (the first ``n_locked`` labels are locked
    zones, which keep exactly the streets inside their polygons), or a locked zone when
    no zone is free. Their clients are unassigned (returned: client position to reason);
    ``labels`` is filled in place.
    """
    stranded = labels < 0
    if not stranded.any():
        return {}
    hit = stranded[demand.unit] & ~demand.far & (demand.hours > 0)
    reason = "cut off from the other zones by locked zones, with too few hours for a zone"
    free = ~stranded & (labels >= n_locked)
    labelled = np.flatnonzero(free if free.any() else ~stranded)
    _, _, src = dijkstra(units.graph, indices=labelled, min_only=True, return_predecessors=True)
    labels[stranded] = labels[src[stranded]]
    return {int(i): reason for i in np.flatnonzero(hit)}


def pin_clients(
    units: Units,
    demand: Demand,
    labels: np.ndarray,
    pinned: np.ndarray,
    n_locked: int,
    extra: dict[int, str],
) -> np.ndarray:
    """Clients by locked polygon: inside one they are its; outside all, never a locked zone's.

    A client outside every locked polygon whose street lies in one joins the free zone
    nearest on the network (or, with no free zone, is unassigned, as ``check_plan``
    would leave it in a gap).
    """
    out = pinned.copy()
    street = labels[demand.unit]
    stray = (pinned < 0) & (street >= 0) & (street < n_locked)
    if not stray.any():
        return out
    free = np.flatnonzero(labels >= n_locked)
    if len(free) == 0:
        for i in np.flatnonzero(stray & ~demand.far):
            extra.setdefault(int(i), "outside every locked zone (a gap in the plan)")
        return out
    _, _, src = dijkstra(units.graph, indices=free, min_only=True, return_predecessors=True)
    near = src[demand.unit[stray]]
    out[stray] = np.where(near >= 0, labels[np.maximum(near, 0)], -1)
    return out
