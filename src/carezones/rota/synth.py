"""A plausible synthetic rota (a call-monitoring export): see :func:`carezones.rota.synthetic_rota`.

Planning: each day's visits (the clients' weekly patterns, :func:`carezones.expand_visits`)
are given, earliest window first, to a carer of the client's provider who works that
day, has the skills, can reach the client inside the window by the planner's estimate
of travel (straight line x 1.3 at the mode's speed, underestimated by a quarter as
planners do) and stays within their shift and daily minutes; carers who already know
the client are preferred. A visit nobody fits goes to the provider's carer who can
start it earliest, breaking a rule, as real rotas sometimes do.

Actual times: each carer's day is replayed in order: a start drifts from the plan
(normal, mean ``delay_minutes``, sd ``delay_sd_minutes``) and cannot come before the
previous visit's end plus the carer's real travel (at least the estimate); lengths vary
around the plan, some visits are cut short, some overrun; a few are missed or not
logged out; the second carer of a double-up arrives within a few minutes of the first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones._options import make_rng
from carezones.demand import expand_visits
from carezones.exceptions import ProblemCollector

__all__ = ["make_rota", "synthetic_rota"]

_KMH = {"walk": 4.8, "cycle": 15.0, "drive": 22.0}  # door-to-door urban speeds
_DETOUR = 1.3


def _xy(table: pd.DataFrame) -> np.ndarray:
    if not isinstance(table, gpd.GeoDataFrame) or table.crs is None:
        raise ProblemCollector("synthetic_rota").error(
            "no locations", "GeoDataFrames with a CRS", type(table).__name__
        )
    geom = table.geometry
    if geom.crs.is_geographic:
        geom = geom.to_crs(geom.estimate_utm_crs())
    return np.column_stack([geom.x.to_numpy(float), geom.y.to_numpy(float)])


def _masks(values: pd.Series, names: dict[str, int]) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.int64)
    for i, text in enumerate(values.fillna("").astype(str)):
        for s in text.split(";"):
            s = s.strip()
            if s:
                out[i] |= 1 << names.setdefault(s, len(names))
    return out


def make_rota(
    clients: pd.DataFrame,
    carers: pd.DataFrame,
    *,
    start_date: str | dt.date,
    weeks: int,
    rng: np.random.Generator,
    missed_share: float,
    delay_minutes: float,
    delay_sd_minutes: float,
) -> pd.DataFrame:
    """The rota rows (ECM headers); see :func:`carezones.rota.synthetic_rota`."""
    start = pd.Timestamp(start_date).normalize()
    week = expand_visits(clients, week_start=start)
    cxy, kxy = _xy(clients), _xy(carers)
    client_pos = pd.Index(clients["client_id"].astype(str))
    k_ids = carers["carer_id"].astype(str).to_numpy()
    k_mode = carers["mode"].astype(str).to_numpy()
    k_speed = np.array([_KMH.get(m, 4.8) * 1000 / 60 for m in k_mode])  # metres a minute
    k_ss = carers["shift_start"].to_numpy(float)
    k_se = carers["shift_end"].to_numpy(float)
    k_max = carers["max_minutes"].to_numpy(float)
    names: dict[str, int] = {}
    k_skill = _masks(carers["skills"], names)
    c_skill = _masks(clients["skills"], names)
    k_prov = (
        carers["provider_id"].astype(str).to_numpy()
        if "provider_id" in carers.columns
        else np.full(len(carers), "")
    )
    c_prov = (
        clients["provider_id"].astype(str).to_numpy()
        if "provider_id" in clients.columns
        else np.full(len(clients), "")
    )
    works = [set(str(d).split(";")) for d in carers.get("days", pd.Series("", index=carers.index))]
    everyday = "days" not in carers.columns
    by_prov = {p: np.flatnonzero(k_prov == p) for p in pd.unique(k_prov)}
    known: dict[int, dict[int, int]] = {}
    rows: list[tuple[Any, ...]] = []
    for w in range(weeks):
        for date, day in week.groupby("date", sort=True):
            date = pd.Timestamp(date) + pd.Timedelta(days=7 * w)
            weekday = date.day_name().lower()
            on = np.array([everyday or weekday in d for d in works], dtype=bool)
            state = _Day(kxy, k_ss)
            order = day.sort_values(["window_start", "duration"], ascending=[True, False])
            for v in order.itertuples(index=False):
                c = int(client_pos.get_loc(str(v.client_id)))
                own = by_prov.get(c_prov[c], np.arange(len(k_ids)))
                own = own[on[own]]
                args = (state, cxy[c], int(v.carers_needed), v, k_speed, k_ss, k_se, k_max)
                kn = known.setdefault(c, {})
                # the provider's carers; else any provider's (the package is passed on);
                # else the provider's carer who can start soonest, breaking rules
                got = _choose(*args, own, (c_skill[c] & ~k_skill[own]) == 0, kn, rng, False)
                if got is None:
                    every = np.flatnonzero(on)
                    got = _choose(*args, every, (c_skill[c] & ~k_skill[every]) == 0, kn, rng, False)
                if got is None:
                    pool = own if len(own) >= int(v.carers_needed) else np.flatnonzero(on)
                    if len(pool) < int(v.carers_needed):  # too few at work: anyone, day off
                        pool = np.arange(len(k_ids))
                        args = (*args[:2], min(int(v.carers_needed), len(pool)), *args[3:])
                    got = _choose(*args, pool, (c_skill[c] & ~k_skill[pool]) == 0, kn, rng, True)
                assert got is not None
                chosen, begin = got
                for k in chosen:
                    state.visit(k, cxy[c], begin, begin + int(v.duration))
                    known[c][k] = known[c].get(k, 0) + 1
                    rows.append((k, c, date, begin, int(v.duration), len(chosen) > 1))
    return _actuals(
        rows,
        k_ids,
        client_pos,
        cxy,
        kxy,
        k_speed,
        rng,
        missed_share,
        delay_minutes,
        delay_sd_minutes,
    )


class _Day:
    """Each carer's position, free time and first start on one day."""

    def __init__(self, homes: np.ndarray, shift_start: np.ndarray) -> None:
        self.xy = homes.copy()
        self.free = shift_start.astype(float).copy()
        self.first = np.full(len(homes), np.nan)

    def visit(self, k: int, xy: np.ndarray, begin: float, end: float) -> None:
        self.xy[k] = xy
        self.free[k] = end
        if np.isnan(self.first[k]):
            self.first[k] = begin


def _choose(
    state: _Day,
    xy: np.ndarray,
    need: int,
    v: Any,
    speed: np.ndarray,
    ss: np.ndarray,
    se: np.ndarray,
    cap: np.ndarray,
    pool: np.ndarray,
    skilled: np.ndarray,
    known: dict[int, int],
    rng: np.random.Generator,
    force: bool,
) -> tuple[list[int], int] | None:
    """The carers (one or two) and the planned start (whole 5 minutes) of one visit.

    None when too few carers fit, unless ``force``: then the soonest, with the start
    kept inside the window (so the plan itself overlaps, as overloaded rotas do).
    """
    if len(pool) < need:
        return None
    dist = np.hypot(*(state.xy[pool] - xy).T) * _DETOUR
    travel = 0.75 * dist / speed[pool]  # the planner's optimistic estimate
    arrive = np.maximum(state.free[pool] + travel, np.maximum(ss[pool], v.window_start))
    arrive = np.ceil(arrive / 5.0) * 5.0
    end = arrive + v.duration
    first = np.where(np.isnan(state.first[pool]), arrive, state.first[pool])
    latest = v.window_end - v.duration  # a visit ends by its window's end
    fits = (arrive <= latest) & (end <= se[pool]) & (end - first <= cap[pool]) & skilled
    bonus = np.zeros(len(pool))
    if known:  # carers who know the client: 25 minutes' worth per earlier visit, up to 4
        keys = np.fromiter(known.keys(), dtype=np.int64, count=len(known))
        at = np.minimum(np.searchsorted(pool, keys), len(pool) - 1)  # pools are sorted
        hit = pool[at] == keys
        counts = np.fromiter(known.values(), dtype=float, count=len(known))
        bonus[at[hit]] = 25.0 * np.minimum(counts[hit], 4)
    score = arrive - v.window_start + travel - bonus + rng.uniform(0, 5, len(pool))
    if fits.sum() >= need:
        idx = np.flatnonzero(fits)[np.argsort(score[fits])[:need]]
        begin = int(arrive[idx].max())
    elif force:
        idx = np.argsort(arrive + 1000.0 * ~skilled)[:need]
        begin = int(min(arrive[idx].max(), max(np.floor(latest / 5.0) * 5.0, v.window_start)))
    else:
        return None
    return [int(k) for k in pool[idx]], begin


def _actuals(
    rows: list[tuple[Any, ...]],
    k_ids: np.ndarray,
    client_pos: pd.Index,
    cxy: np.ndarray,
    kxy: np.ndarray,
    speed: np.ndarray,
    rng: np.random.Generator,
    missed_share: float,
    delay: float,
    delay_sd: float,
) -> pd.DataFrame:
    """Replay each carer's day with noise; one output row per carer-visit."""
    plan = pd.DataFrame(rows, columns=["k", "c", "date", "begin", "dur", "double"])
    plan = plan.sort_values(["k", "date", "begin"], kind="stable").reset_index(drop=True)
    n = len(plan)
    plan["visit"] = -1
    key = plan["c"].astype(str) + "|" + plan["date"].astype(str) + "|" + plan["begin"].astype(str)
    plan["visit"] = pd.factorize(key)[0]
    k, c = plan["k"].to_numpy(), plan["c"].to_numpy()
    begin, dur = plan["begin"].to_numpy(float), plan["dur"].to_numpy(float)
    new_day = np.r_[
        True, (k[1:] != k[:-1]) | (plan["date"].to_numpy()[1:] != plan["date"].to_numpy()[:-1])
    ]
    prev_xy = np.where(new_day[:, None], kxy[k], np.roll(cxy[c], 1, axis=0))
    real = np.hypot(*(prev_xy - cxy[c]).T) * _DETOUR / speed[k] * rng.uniform(0.9, 1.3, n)
    drift = rng.normal(delay, delay_sd, n)
    u = rng.random(n)
    length = np.where(
        u < 0.10,
        dur * rng.uniform(0.45, 0.84, n),  # cut short
        np.where(u < 0.14, dur + rng.uniform(16, 40, n), dur * rng.normal(0.97, 0.05, n)),
    )
    length = np.maximum(np.rint(length), 1.0)
    a_start = np.empty(n)
    a_end = np.empty(n)
    for i in range(n):
        s = begin[i] + drift[i]
        if not new_day[i]:
            s = max(s, a_end[i - 1] + real[i])
        a_start[i] = np.rint(s)
        a_end[i] = a_start[i] + length[i]
    partner = plan.groupby("visit")["k"].transform("size").to_numpy() > 1
    lead = plan.groupby("visit").cumcount().to_numpy() == 0
    lead_start = pd.Series(a_start).groupby(plan["visit"]).transform("first").to_numpy()
    lead_end = pd.Series(a_end).groupby(plan["visit"]).transform("first").to_numpy()
    follow = partner & ~lead
    a_start[follow] = lead_start[follow] + np.rint(rng.normal(0, 2.5, follow.sum()))
    a_end[follow] = lead_end[follow] + np.rint(rng.normal(0, 2.5, follow.sum()))
    a_end = np.maximum(a_end, a_start)
    missed = rng.random(n) < missed_share
    no_end = ~missed & (rng.random(n) < missed_share / 2)
    base = plan["date"].to_numpy("datetime64[ns]")

    def at(minutes: np.ndarray) -> np.ndarray:
        return base + (minutes * 60).astype("timedelta64[s]").astype("timedelta64[ns]")

    a_s, a_e = at(a_start), at(a_end)
    a_s[missed] = np.datetime64("NaT")
    a_e[missed | no_end] = np.datetime64("NaT")
    out = pd.DataFrame(
        {
            "Visit ID": [f"V{x:07d}" for x in plan["visit"].to_numpy() + 1],
            "Carer ID": k_ids[k],
            "Client ID": client_pos.to_numpy()[c],
            "Planned Start": at(begin),
            "Planned End": at(begin + dur),
            "Actual Start": a_s,
            "Actual End": a_e,
            "Double Up": np.where(plan["double"].to_numpy(bool), "Yes", "No"),
        }
    )
    return out.sort_values(["Planned Start", "Visit ID", "Carer ID"], kind="stable").reset_index(
        drop=True
    )


def synthetic_rota(
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    *,
    start_date: str = "2025-07-07",
    weeks: int = 4,
    random_state: int | np.random.Generator | None,
    missed_share: float = 0.01,
    delay_minutes: float = 4.0,
    delay_sd_minutes: float = 9.0,
) -> pd.DataFrame:
    """A plausible call-monitoring export for synthetic clients and carers (no real person).

    For demos, tests and benchmarks: the clients' weekly patterns are planned onto
    carers of the client's provider who work that day, have the skills and can reach the
    client inside the window by a planner's (optimistic, straight-line) travel estimate,
    preferring carers who know the client; then each carer's day is replayed with noise:
    starts drift (mean ``delay_minutes``, sd ``delay_sd_minutes``) and lateness carries
    on through the day, about 10% of visits are cut short and 4% overrun, a share
    ``missed_share`` has no actual times and half as many no actual end. So the rota
    breaks rules the way real ones do.

    Parameters
    ----------
    clients, carers
        Tables as :func:`carezones.datasets.synthetic_population` returns (clients with
        a ``pattern`` or ``weekly_hours``; carers with ``mode``, shifts, ``days``,
        ``skills``, optional ``provider_id``), with Point geometry.
    start_date
        The first day (a Monday for whole weeks).
    weeks
        How many weeks.
    random_state
        Seed or Generator; the same seed gives the same rota.
    missed_share, delay_minutes, delay_sd_minutes
        See above.

    Returns
    -------
    pandas.DataFrame
        The default :class:`RotaColumns` headers (``Visit ID``, ``Carer ID``,
        ``Client ID``, ``Planned Start``, ``Planned End``, ``Actual Start``,
        ``Actual End``, ``Double Up``), datetimes as datetime64, ``Double Up``
        ``"Yes"``/``"No"``, ordered by planned start.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network()
    >>> clients, carers, _ = datasets.synthetic_population(
    ...     net, n_clients=20, n_carers=8, n_providers=2, random_state=0)
    >>> rota = synthetic_rota(clients, carers, weeks=1, random_state=0)
    >>> list(rota.columns[:3])
    ['Visit ID', 'Carer ID', 'Client ID']
    >>> from carezones.rota import read_rota
    >>> bool(read_rota(rota, clients=clients, carers=carers)["visit_id"].nunique() > 0)
    True
    """
    check = ProblemCollector("synthetic_rota")
    if not (isinstance(weeks, int) and weeks >= 1):
        check.add("bad option", "an integer >= 1", repr(weeks), column="weeks")
    if not (isinstance(missed_share, int | float) and 0 <= missed_share < 1):
        check.add("bad option", "a number in [0, 1)", repr(missed_share), column="missed_share")
    check.raise_if_any()
    rng = random_state if isinstance(random_state, np.random.Generator) else make_rng(random_state)
    return make_rota(
        clients,
        carers,
        start_date=start_date,
        weeks=weeks,
        rng=rng,
        missed_share=float(missed_share),
        delay_minutes=float(delay_minutes),
        delay_sd_minutes=float(delay_sd_minutes),
    )
