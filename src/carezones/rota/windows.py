"""The care plan's windows of a rota's visits: a visit is judged by the window the client agreed.

A rota says when each visit was planned; a client's care plan (the ``pattern`` of the
clients table, :mod:`carezones.demand`) says the window each call must start and end in.
:func:`plan_windows` finds, for every rota row, the client's call on that weekday whose
window holds the planned start (else the nearest that starts before it, within two
hours); the visit is then late when it ends after that window's end, as every plan of
carezones is judged. Rows with no such call (no clients table, no pattern, an unplanned
visit) keep the rota's own rule: late when started more than ``on_time_minutes`` after the
planned start.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carezones.demand import expand_visits

__all__ = ["plan_windows"]

#: How far before a visit's planned start the window of its call may have opened and
#: still be taken as its window (minutes).
NEAREST_MINUTES = 120


def plan_windows(rows: pd.DataFrame, clients: pd.DataFrame | None) -> pd.DataFrame:
    """``plan_window_start`` and ``plan_window_end`` (minutes; NaN: none) of each rota row.

    Parameters
    ----------
    rows
        The rebuilt rota: ``client_id``, ``day`` (weekday) and ``planned_start_minutes``.
    clients
        The clients, with ``pattern`` (and ``weekly_hours``) as :func:`expand_visits`
        reads them; only clients with a pattern of their own have agreed windows (weekly
        hours alone agree none); None or without a ``pattern``: no windows.

    Examples
    --------
    >>> rows = pd.DataFrame({"client_id": ["c1", "c1"], "day": "monday",
    ...                      "planned_start_minutes": [450.0, 1000.0]})
    >>> clients = pd.DataFrame({"client_id": ["c1"], "weekly_hours": [None],
    ...                         "pattern": ["mon-sun 07:00-09:00 45"]})
    >>> plan_windows(rows, clients).values.tolist()
    [[420.0, 540.0], [nan, nan]]
    """
    out = pd.DataFrame(
        {"plan_window_start": np.nan, "plan_window_end": np.nan}, index=rows.index
    )
    if clients is None or "pattern" not in clients.columns or not len(rows):
        return out
    explicit = clients["pattern"].fillna("").astype(str).str.strip() != ""  # agreed windows
    rota_clients = clients["client_id"].astype(str).isin(set(rows["client_id"].astype(str)))
    wanted = clients[explicit & rota_clients]
    if not len(wanted):
        return out
    calls = expand_visits(pd.DataFrame(wanted.drop(columns="geometry", errors="ignore")))
    calls = calls.assign(client_id=calls["client_id"].astype(str))
    by_key = {
        key: g[["window_start", "window_end"]].to_numpy(float)
        for key, g in calls.groupby(["client_id", "day"])
    }
    ws = np.full(len(rows), np.nan)
    we = np.full(len(rows), np.nan)
    keys = zip(rows["client_id"].astype(str), rows["day"].astype(str).str.lower(), strict=True)
    for k, (key, start) in enumerate(zip(keys, rows["planned_start_minutes"], strict=True)):
        windows = by_key.get(key)
        if windows is None or pd.isna(start):
            continue
        inside = (windows[:, 0] <= start) & (start <= windows[:, 1])
        before = (windows[:, 0] <= start) & (start - windows[:, 0] <= NEAREST_MINUTES)
        pick = np.flatnonzero(inside) if inside.any() else np.flatnonzero(before)
        if len(pick):
            j = pick[np.argmax(windows[pick, 0])]
            ws[k], we[k] = windows[j]
    return pd.DataFrame({"plan_window_start": ws, "plan_window_end": we}, index=rows.index)
