"""Expanding checked clients into dated visits, and snapping clients and carers to networks.

The public wrappers, with the documentation, are :func:`carezones.demand.expand_visits`
and :func:`carezones.demand.snap_population`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _patterns as pat
from . import _validate as val
from .exceptions import Problem, ValidationError

if TYPE_CHECKING:
    from .network import TravelNetwork

__all__ = ["expand", "snap_tables"]

DAYS = pat.DAYS


def _days(days: str | Iterable[str] | None) -> list[int]:
    if days is None:
        return list(range(7))
    text = days if isinstance(days, str) else ",".join(str(d) for d in days)
    try:
        return list(pat.parse_days(text))
    except pat.PatternError as exc:
        raise ValidationError(
            [Problem("days", "unknown day", "day names such as monday or mon-fri", str(exc))]
        ) from exc


def expand(
    checked: val.Checked,
    *,
    days: str | Iterable[str] | None,
    week_start: Any,
) -> pd.DataFrame:
    """One row per visit of the checked clients (see :func:`carezones.demand.expand_visits`)."""
    frame = checked.frame
    wanted = set(_days(days))
    first = 0
    start_date = None
    if week_start is not None:
        try:
            start_date = pd.Timestamp(week_start).normalize()
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                [
                    Problem(
                        "week_start", "not a date", "a date such as '2025-07-07'", repr(week_start)
                    )
                ]
            ) from exc
        first = start_date.weekday()
    order = [(first + k) % 7 for k in range(7)]
    rank = {d: k for k, d in enumerate(order)}
    rows: list[
        tuple[int, int, int, int, int, int]
    ] = []  # (day rank, client, start, end, duration, day)
    for i, calls in enumerate(checked.calls):
        for call in calls:
            for d in call.days:
                if d in wanted:
                    rows.append((rank[d], i, call.start, call.end, call.duration, d))
    rows.sort()
    arr = np.array(rows, dtype=np.int64).reshape(-1, 6)
    who = arr[:, 1]
    day_names = np.array(DAYS, dtype=object)[arr[:, 5]]
    ids = frame["client_id"].to_numpy(dtype=object)[who]
    visit_ids = [
        f"{c}-{d[:3]}-{pat.format_time(s).replace(':', '')}"
        for c, d, s in zip(ids, day_names, arr[:, 2], strict=True)
    ]
    out = pd.DataFrame(
        {
            "visit_id": pd.Series(visit_ids, dtype=str),
            "client_id": pd.Series(ids, dtype=str),
            "day": pd.Series(day_names, dtype=str),
        }
    )
    if start_date is not None:
        out["date"] = start_date + pd.to_timedelta(arr[:, 0], unit="D")
    out["window_start"], out["window_end"], out["duration"] = arr[:, 2], arr[:, 3], arr[:, 4]
    for col in ("carers_needed", "skills", "virtual_ok"):
        out[col] = frame[col].to_numpy()[who]
    out["skills"] = out["skills"].astype(str)
    return out


def snap_tables(
    network: TravelNetwork,
    clients: pd.DataFrame | None,
    carers: pd.DataFrame | None,
    *,
    modes: Iterable[str] | None,
    max_snap_distance: float,
) -> pd.DataFrame:
    """The snapping table of :func:`carezones.demand.snap_population` (no warning given)."""
    from .travel import snap_points

    parts = []
    problems: list[Problem] = []
    if clients is not None:
        for mode in network.modes if modes is None else tuple(modes):
            s = snap_points(
                network,
                clients.geometry,
                mode=mode,
                max_snap_distance=max_snap_distance,
                where="clients",
            )
            parts.append(_snap_frame("clients", clients["client_id"], mode, s))
    if carers is not None:
        for mode, group in carers.groupby("mode", sort=False):
            if mode not in network.modes:
                problems += [
                    Problem(
                        "carers",
                        "mode not loaded",
                        "one of " + ", ".join(network.modes),
                        repr(mode),
                        row=f"carer_id {c!r}",
                        column="mode",
                    )
                    for c in group["carer_id"]
                ]
                continue
            s = snap_points(
                network,
                group.geometry,
                mode=str(mode),
                max_snap_distance=max_snap_distance,
                where="carers",
            )
            parts.append(_snap_frame("carers", group["carer_id"], str(mode), s))
    if problems:
        raise ValidationError(problems)
    cols = ["table", "id", "mode", "node", "snap_distance_m", "far"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return out


def _snap_frame(table: str, ids: pd.Series, mode: str, snapped: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": table,
            "id": ids.astype(str).to_numpy(),
            "mode": mode,
            "node": snapped.node,
            "snap_distance_m": snapped.distance,
            "far": snapped.far,
        }
    )
