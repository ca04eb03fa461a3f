"""Weekly visits and snapping: clients' patterns expanded to dated visits; people on networks.

:func:`expand_visits` and :func:`snap_population` are the public functions; :func:`expand`
and :func:`snap_tables` do the work on tables already checked.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from carezones.demand import patterns as pat
from carezones.demand.checks import check_table
from carezones.demand.schema import Checked
from carezones.exceptions import FarFromNetworkWarning, Problem, ProblemCollector, ValidationError
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork, snap_points

__all__ = ["DAYS", "expand", "expand_visits", "snap_population", "snap_tables"]

DAYS = pat.DAYS


def _days(days: str | Iterable[str] | None) -> list[int]:
    if days is None or (isinstance(days, str) and days.strip().lower() in ("week", "fortnight")):
        return list(range(7))  # "week", as the CLI's --day takes it; a fortnight: two of them
    text = days if isinstance(days, str) else ",".join(str(d) for d in days)
    try:
        return list(pat.parse_days(text))
    except pat.PatternError as exc:
        raise ProblemCollector("days").error(
            "unknown day", "day names such as monday or mon-fri", str(exc)
        ) from exc


def expand(
    checked: Checked,
    *,
    days: str | Iterable[str] | None,
    week_start: Any,
) -> pd.DataFrame:
    """One row per visit of the checked clients (see :func:`carezones.demand.expand_visits`)."""
    frame = checked.frame
    wanted = set(_days(days))
    weeks = 2 if isinstance(days, str) and days.strip().lower() == "fortnight" else 1
    first = 0
    start_date = None
    if week_start is not None:
        try:
            start_date = pd.Timestamp(week_start).normalize()
        except (TypeError, ValueError) as exc:
            raise ProblemCollector("week_start").error(
                "not a date", "a date such as '2025-07-07'", repr(week_start)
            ) from exc
        first = start_date.weekday()
    order = [(first + k) % 7 for k in range(7)]
    rank = {d: k for k, d in enumerate(order)}
    # (day rank, client, start, end, duration, day, role, min gap, max gap, first's start,
    # the call's number in the client's pattern); role 0: a visit on its own, 1: the first
    # of a linked pair, 2: its second
    rows: list[tuple[int, ...]] = []
    for w in range(weeks):
        for i, calls in enumerate(checked.calls):
            for k, call in enumerate(calls, start=1):
                for d in call.days:
                    if d not in wanted:
                        continue
                    s0, e0, at = call.start, call.end, 7 * w + rank[d]
                    if call.then is None:
                        rows.append((at, i, s0, e0, call.duration, d, 0, 0, 0, s0, k, w))
                        continue
                    lo, hi, dur = call.then
                    rows.append((at, i, s0, e0, call.duration, d, 1, 0, 0, s0, k, w))
                    end = min(e0 + hi, 24 * 60)
                    rows.append((at, i, s0 + lo, end, dur, d, 2, lo, hi, s0, k, w))
    rows.sort()
    arr = np.array(rows, dtype=np.int64).reshape(-1, 12)
    who = arr[:, 1]
    second = arr[:, 11] == 1
    day_names = np.array(DAYS, dtype=object)[arr[:, 5]]
    day_names = np.where(second, day_names + "-2", day_names)  # a fortnight's second week
    ids = frame["client_id"].to_numpy(dtype=object)[who]
    parts = zip(ids, day_names, arr[:, 9], arr[:, 6], arr[:, 11], strict=True)
    visit_ids = [
        f"{c}-{d[:3]}{'2' if w else ''}-{pat.format_time(s).replace(':', '')}"
        + ("-then" if role == 2 else "")
        for c, d, s, role, w in parts
    ]
    call_ids = [
        f"{c}#{k}" + ("-then" if role == 2 else "")
        for c, k, role in zip(ids, arr[:, 10], arr[:, 6], strict=True)
    ]
    out = pd.DataFrame(
        {
            "visit_id": pd.Series(visit_ids, dtype=str),
            "client_id": pd.Series(ids, dtype=str),
            "call_id": pd.Series(call_ids, dtype=str),
            "day": pd.Series(day_names, dtype=str),
        }
    )
    if start_date is not None:
        out["date"] = start_date + pd.to_timedelta(arr[:, 0], unit="D")
    out["window_start"], out["window_end"], out["duration"] = arr[:, 2], arr[:, 3], arr[:, 4]
    for col in ("carers_needed", "skills", "virtual_ok"):
        out[col] = frame[col].to_numpy()[who]
    out["skills"] = out["skills"].astype(str)
    role = arr[:, 6]
    if (role > 0).any():  # linked visits ("..., then 240-300 minutes later 15")
        anchor = [
            f"{c}-{d[:3]}{'2' if w else ''}-{pat.format_time(s).replace(':', '')}"
            for c, d, s, w in zip(ids, day_names, arr[:, 9], arr[:, 11], strict=True)
        ]
        linked = role > 0
        out["link_id"] = pd.Series(np.where(linked, anchor, None), dtype=object)
        out["link_role"] = pd.Series(
            np.where(role == 1, "first", np.where(role == 2, "second", None)), dtype=object
        )
        out["min_gap"] = np.where(role == 2, arr[:, 7], np.nan)
        out["max_gap"] = np.where(role == 2, arr[:, 8], np.nan)
        second = role == 2
        out.loc[second, "carers_needed"] = 1  # the follow-up is one carer's call
        out.loc[second, "skills"] = ""
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


def expand_visits(
    clients: pd.DataFrame,
    *,
    days: str | Iterable[str] | None = None,
    week_start: str | dt.date | None = None,
) -> pd.DataFrame:
    """Expand the clients' weekly patterns into one row per visit.

    Parameters
    ----------
    clients
        A clients table (checked as by :func:`read_clients`, locations aside).
    days
        The days to expand: a day (``"monday"``, ``"mon"``), days (``["mon", "thu"]``,
        ``"mon-fri"``); None or ``"week"`` for the whole week (as ``carezones routes
        --day week`` takes it); ``"fortnight"`` for two weeks (the second week's days are
        ``"monday-2"`` ... ``"sunday-2"``, its visit ids ``"c1-mon2-0700"``; each call
        keeps its ``call_id``).
    week_start
        The first date of the week (any weekday); when given, a ``date`` column holds each
        visit's date within the seven days from it.

    Returns
    -------
    pandas.DataFrame
        ``visit_id``, ``client_id``, ``call_id``, ``day``, (``date``), ``window_start``,
        ``window_end``, ``duration`` (minutes), ``carers_needed``, ``skills``,
        ``virtual_ok``; ordered by day (from ``week_start``'s weekday, else Monday),
        client and window start. ``visit_id`` is ``"{client_id}-{day[:3]}-{HHMM}"`` of
        the window start (``"c1-mon-0700"``): unique in a week and the same for the same
        call every week. ``call_id`` is ``"{client_id}#{k}"`` for the ``k``-th entry of
        the client's pattern (``"-then"`` added for its follow-up): the same recurring
        call on every day it happens, so it can be planned at about the same time. A
        visit starts at or after ``window_start`` and ends by ``window_end``. Its
        ``duration`` adds up to each client's weekly minutes (``round(weekly_hours *
        60)``, see the rounding rule in :mod:`carezones.demand`).

    Examples
    --------
    >>> clients = pd.DataFrame({"client_id": ["c1", "c2"], "weekly_hours": [7.0, None],
    ...                         "pattern": ["", "mon,thu 12:00-14:00 45"]})
    >>> visits = expand_visits(clients, days="monday", week_start="2025-07-07")
    >>> visits[["visit_id", "call_id", "date", "window_start", "window_end", "duration"]]
          visit_id call_id       date  window_start  window_end  duration
    0  c1-mon-0700    c1#1 2025-07-07           420         600        30
    1  c1-mon-1930    c1#2 2025-07-07          1170        1320        30
    2  c2-mon-1200    c2#1 2025-07-07           720         840        45
    >>> int(expand_visits(clients)["duration"].sum()) == 7 * 60 + 2 * 45
    True
    >>> expand_visits(clients, days="week").equals(expand_visits(clients))
    True
    """
    checked = check_table(clients, "clients", "clients", locations=False)
    if checked.problems:
        raise ValidationError(checked.problems)
    return expand(checked, days=days, week_start=week_start)


def snap_population(
    network: TravelNetwork,
    clients: pd.DataFrame | None = None,
    carers: pd.DataFrame | None = None,
    *,
    modes: Iterable[str] | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> pd.DataFrame:
    """Snap clients to every mode's network and carers to their own mode's.

    Uses :func:`carezones.snap_points`; points far from the network are reported, never
    dropped.

    Parameters
    ----------
    network
        The networks.
    clients, carers
        Checked tables (from the readers or :func:`carezones.datasets.synthetic_population`).
    modes
        The modes to snap clients to; default every mode of ``network``.
    max_snap_distance
        Metres; farther points are flagged ``far`` (and reported, never dropped).

    Returns
    -------
    pandas.DataFrame
        One row per client and mode and per carer: ``table`` ("clients" or "carers"),
        ``id``, ``mode``, ``node`` (OSM id), ``snap_distance_m``, ``far``.

    Warns
    -----
    FarFromNetworkWarning
        Naming (by id) the points farther than ``max_snap_distance``.

    Examples
    --------
    >>> from carezones import datasets, read_clients
    >>> net = datasets.load_default_network(modes="walk")
    >>> clients = read_clients(pd.DataFrame({"client_id": ["c1"], "lon": [24.9384],
    ...                                      "lat": [60.1699], "weekly_hours": [7]}))
    >>> snap_population(net, clients)[["table", "id", "mode", "far"]]
         table  id  mode    far
    0  clients  c1  walk  False
    """
    out = snap_tables(network, clients, carers, modes=modes, max_snap_distance=max_snap_distance)
    far = out[out["far"].astype(bool)]
    if len(far):
        shown = ", ".join(
            f"{t} {i!r} ({m})"
            for t, i, m in far[["table", "id", "mode"]].head(10).itertuples(index=False)
        )
        warnings.warn(
            FarFromNetworkWarning(
                f"{len(far)} point(s) farther than {max_snap_distance:.0f} m from the network: "
                + shown
                + (" ..." if len(far) > 10 else "")
            ),
            stacklevel=2,
        )
    return out
