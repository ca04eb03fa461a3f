"""The zoner's defaults and their checks, written once, for the API, the CLI and scenarios."""

from __future__ import annotations

from typing import Any

import numpy as np

from carezones.exceptions import ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE

__all__ = [
    "MIN_PROVIDER_HOURS",
    "MIN_WEEKLY_HOURS",
    "N_INIT",
    "TO_TENDER",
    "check_zoner_options",
]

#: The zone floor, h/week: Wigan's sustainable minimum per provider (DESIGN.md).
MIN_WEEKLY_HOURS = 1000.0
#: The provider minimum, h/week.
MIN_PROVIDER_HOURS = 1000.0
#: Independent starts of the zoner (then centre swaps on the best).
N_INIT = 4
#: The provider of a lot no carer's employer was matched to: the lot is to be tendered.
TO_TENDER = "to tender"


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.number)
        and not isinstance(value, bool)
        and bool(np.isfinite(value))
    )


def check_zoner_options(
    c: ProblemCollector,
    *,
    min_weekly_hours: Any,
    max_weekly_hours: Any = None,
    n_zones: Any = "auto",
    n_init: Any = N_INIT,
    resolution: Any = 100.0,
    max_snap_distance: Any = MAX_SNAP_DISTANCE,
) -> None:
    """Add a problem to ``c`` for every bad zoner option (the one check of each).

    Used by :class:`~carezones.zoning.NeighbourhoodZoner` and a scenario's ``[zones]``.

    Examples
    --------
    >>> c = ProblemCollector("zones")
    >>> check_zoner_options(c, min_weekly_hours=10, max_weekly_hours=5, n_zones=0, n_init=0)
    >>> [p.column for p in c]
    ['max_weekly_hours', 'n_zones', 'n_init']
    """
    floor, cap = min_weekly_hours, max_weekly_hours
    if not (_number(floor) and floor > 0):
        c.add("bad floor", "a number of hours > 0", repr(floor), column="min_weekly_hours")
    if cap is not None and not (_number(cap) and cap > 0 and (not _number(floor) or cap >= floor)):
        expected = "None or a number >= min_weekly_hours"
        c.add("bad cap", expected, repr(cap), column="max_weekly_hours")
    whole = isinstance(n_zones, int | np.integer) and not isinstance(n_zones, bool)
    if not (n_zones == "auto" or (whole and n_zones >= 1)):
        c.add("bad n_zones", "an integer >= 1 or 'auto'", repr(n_zones), column="n_zones")
    if not (isinstance(n_init, int | np.integer) and not isinstance(n_init, bool) and n_init >= 1):
        c.add("bad n_init", "an integer >= 1", repr(n_init), column="n_init")
    for name, value in (("resolution", resolution), ("max_snap_distance", max_snap_distance)):
        if not (_number(value) and value > 0):
            c.add(f"bad {name}", "a number > 0", repr(value), column=name)
