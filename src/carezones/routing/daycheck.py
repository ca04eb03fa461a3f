"""The validator's check of one carer's day: legs, shift, break and working time.

Used by :func:`carezones.routing.validate_plan`; every broken rule is reported through its
``add(rule, carer, visit, client, detail)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Lookup", "Matrix", "break_slot", "check_day", "clock"]


def clock(seconds: float) -> str:
    """Seconds since midnight as ``HH:MM``."""
    m = round(seconds / 60.0)
    return f"{m // 60:02d}:{m % 60:02d}"


class Matrix:
    """Fast label lookups in a square DataFrame of travel seconds."""

    def __init__(self, matrix: pd.DataFrame) -> None:
        self.rows = {k: i for i, k in enumerate(matrix.index)}
        self.cols = {k: i for i, k in enumerate(matrix.columns)}
        self.values = matrix.to_numpy(dtype=float)

    def seconds(self, a: str, b: str) -> float:
        """Travel seconds from place ``a`` to place ``b`` (0 for the same place)."""
        if a == b:
            return 0.0
        i, j = self.rows.get(a), self.cols.get(b)
        if i is None or j is None:
            return float("inf")
        value = float(self.values[i, j])
        return value if np.isfinite(value) else float("inf")


class Lookup:
    """Each visit's place and client, and each mode's travel matrix."""

    def __init__(
        self, place: dict[Any, str], client: dict[Any, Any], matrices: dict[str, Matrix]
    ) -> None:
        self.place, self.client, self.matrices = place, client, matrices


def check_day(
    carer: Any,
    home: str,
    info: pd.Series,
    matrix: Matrix,
    rows: pd.DataFrame,
    lookup: Lookup,
    tol: float,
    add: Any,
) -> None:
    """One carer's day: the legs between visits, then the shift, the break and the hours."""
    starts, ends = rows["sec_start"].to_numpy(float), rows["sec_end"].to_numpy(float)
    ids = rows["visit_id"].tolist()
    where = [lookup.place[v] for v in ids]
    clients = [lookup.client[v] for v in ids]
    gaps = _check_legs(carer, matrix, starts, ends, ids, where, clients, tol, add)
    out_t = matrix.seconds(home, where[0])
    back_t = matrix.seconds(where[-1], home)
    if not np.isfinite(out_t):
        add("unreachable", carer, ids[0], clients[0], "no path from home")
        out_t = 0.0
    if not np.isfinite(back_t):
        add("unreachable", carer, ids[-1], clients[-1], "no path home")
        back_t = 0.0
    depart, back = starts[0] - out_t, ends[-1] + back_t
    ss, se = float(info["shift_start"]) * 60, float(info["shift_end"]) * 60
    if depart < ss - tol:
        add(
            "shift start",
            carer,
            ids[0],
            clients[0],
            f"leaves home {clock(depart)}, shift starts {clock(ss)}",
        )
    if back > se + tol:
        add(
            "shift end",
            carer,
            ids[-1],
            clients[-1],
            f"home {clock(back)}, shift ends {clock(se)}",
        )
    b = (
        float(info["break_minutes"]) * 60
        if "break_minutes" in info.index and pd.notna(info["break_minutes"])
        else 0.0
    )
    # the way out can come after a break taken at home, the way back before one
    free = [(ss, starts[0], out_t), *gaps, (ends[-1], se, back_t)]
    inside = b > 0 and _check_break(carer, info, ss, se, b, free, add)
    if "max_minutes" in info.index and pd.notna(info["max_minutes"]):
        unpaid = b if inside else 0.0
        if inside and str(info.get("shift_type", "")).lower() == "split":
            # a split shift: the gap holding the break is unpaid (the carer goes home)
            bs = float(info.get("break_start", 0)) * 60
            be = float(info.get("break_end", 24 * 60)) * 60
            idle = [z - a - t for a, z, t in gaps if _fits(a, z, t, bs, be, b)]
            unpaid = max([unpaid, *idle])
        work = back - depart - unpaid
        if work > float(info["max_minutes"]) * 60 + tol:
            add(
                "max minutes",
                carer,
                "",
                "",
                f"works {work / 60:.0f} min, at most {float(info['max_minutes']):.0f}",
            )


def _check_legs(
    carer: Any,
    matrix: Matrix,
    starts: np.ndarray,
    ends: np.ndarray,
    ids: list[str],
    where: list[str],
    clients: list[str],
    tol: float,
    add: Any,
) -> list[tuple[float, float, float]]:
    """Overlaps, unreachable visits and too little travel time between consecutive visits.

    Returns the gaps between visits as ``(from, to, travel inside)``.
    """
    gaps: list[tuple[float, float, float]] = []
    for k in range(1, len(ids)):
        t = matrix.seconds(where[k - 1], where[k])
        if starts[k] < ends[k - 1] - tol:
            add(
                "overlap",
                carer,
                ids[k],
                clients[k],
                f"starts {clock(starts[k])} before {ids[k - 1]} ends",
            )
        elif not np.isfinite(t):
            add("unreachable", carer, ids[k], clients[k], f"no path from {ids[k - 1]}")
        elif starts[k] < ends[k - 1] + t - tol:
            add(
                "travel",
                carer,
                ids[k],
                clients[k],
                f"{(starts[k] - ends[k - 1]) / 60:.1f} min after {ids[k - 1]}, needs {t / 60:.1f}",
            )
        gaps.append((ends[k - 1], starts[k], t if np.isfinite(t) else 0.0))
    return gaps


def _check_break(
    carer: Any,
    info: pd.Series,
    ss: float,
    se: float,
    b: float,
    free: list[tuple[float, float, float]],
    add: Any,
) -> bool:
    """A ``b``-second break fits in the break window; True if it is taken between visits.

    ``free`` is the time from shift start to the first visit, each gap between visits and
    the time from the last visit to shift end, each with the travel inside it.
    """
    bs = float(info.get("break_start", 0)) * 60
    be = float(info.get("break_end", 24 * 60)) * 60
    need = max(ss, bs) + b <= min(se, be)
    outside = _fits(*free[0], bs, be, b) or _fits(*free[-1], bs, be, b)
    inside = any(_fits(a, z, t, bs, be, b) for a, z, t in free[1:-1])
    if need and not outside and not inside:
        add(
            "break",
            carer,
            "",
            "",
            f"no {b / 60:.0f}-minute break between {clock(bs)} and {clock(be)}",
        )
    return inside


def break_slot(a: float, z: float, travel: float, bs: float, be: float, b: float) -> float | None:
    """When a break of ``b`` starts in a gap ``[a, z]`` that also holds ``travel``; None if never.

    The break window is ``[bs, be]``; travel comes first when it can, else after the break.
    """
    lo, hi = max(a + travel, bs), min(z, be)  # travel first, then the break
    if hi - lo >= b:
        return lo
    lo, hi = max(a, bs), min(z - travel, be)  # the break, then travel
    return lo if hi - lo >= b else None


def _fits(a: float, z: float, travel: float, bs: float, be: float, b: float) -> bool:
    """Whether a break of ``b`` fits in a gap ``[a, z]`` that also holds ``travel``."""
    return break_slot(a, z, travel, bs, be, b) is not None
