"""Which clients the zoner's free zones serve, and a clear refusal when there are none.

A client is served when it lies near the walking network, inside the boundary (when there
is one) and outside the locked zones. When no client is left (every one outside the
boundary, or far from the network), the zoner says so with the counts and reasons, not
"0 weekly hours support at most 0 zones".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from carezones.exceptions import ProblemCollector
from carezones.zoning.geo import Demand

__all__ = ["served_clients"]


def served_clients(
    demand: Demand, area: Any, pinned: np.ndarray | None, *, locked: int
) -> np.ndarray:
    """A mask of the clients the free zones serve (far, outside or locked ones excluded).

    Parameters
    ----------
    demand
        The clients on the street units.
    area
        The boundary's polygon (None: no boundary).
    pinned
        Each client's locked zone (-1: free), or None.
    locked
        How many zones are locked (with none, a plan without any served client is refused).

    Raises
    ------
    ValidationError
        When there are clients, no zone is locked, and none of them is served.
    """
    near = ~demand.far
    ok = near if pinned is None else near & (pinned < 0)
    inside = np.ones(len(ok), dtype=bool)
    if area is not None:
        inside = shapely.contains_xy(area, demand.xy[:, 0], demand.xy[:, 1])
        ok = ok & inside
    if len(ok) and not ok.any() and not locked:
        why = {"far from the walking network": int((~near).sum()),
               "outside the boundary": int((near & ~inside).sum())}  # fmt: skip
        found = "; ".join(f"{n} {reason}" for reason, n in why.items() if n)
        raise ProblemCollector("clients").error(
            "no client in any zone",
            "clients the zones can serve (near the network, inside the boundary)",
            f"all {len(ok)} clients left out: {found}",
        )
    return ok
