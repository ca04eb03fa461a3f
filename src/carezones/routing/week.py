"""A zone's days planned as providers plan a week: regular runs, a named relief, agreed times.

With continuity priced (``continuity_penalty > 0``) and several days, the first day a call
is planned fixes its **run** (the carer who made it) and its **agreed start**. On every
later day:

- each run is driven by its carer when they work that day, else by a relief; the reliefs
  of every run are chosen once, for the whole week, so that each client meets as few
  different carers as the working days allow (:mod:`carezones.routing.cover`: a carer
  free that day whose shift covers the run, or its morning or evening part, with room
  for their unpaid break and within their working minutes around its calls);
- the day starts from those runs (the calls of the day, in agreed order), so each client
  sees their main carer and their relief; new calls are inserted where they cost least
  and join the run of the carer who made them;
- every call with an agreed start starts no earlier than a third of ``spread_minutes``
  before it, minutes later than a third of it after are priced (``spread_penalty``), and
  each client's run team is known (no continuity price; carers met outside it cost a
  third); the local search then improves the day;
- a call that fits nowhere near its agreed time is planned again within its window alone.

Without continuity, or for one day, each day is solved on its own (the carers each client
met on earlier days still count as known); with ``spread_penalty`` above 0 each call still
keeps the start of the first day it is planned, as above (the same time each day does not
depend on the continuity price). Either way a carer works at most their contracted hours
plus :attr:`WorkRules.hours_tolerance`, spread over their working days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carezones.network import TravelNetwork
from carezones.routing.cover import Part, cover_runs
from carezones.routing.modes import ModeRule, choose_modes
from carezones.routing.problem import (
    RoutingParams,
    RoutingProblem,
    WorkRules,
    parse_half_skills,
    parse_skills,
    working_days,
    works_on,
)
from carezones.routing.result import RoutingResult
from carezones.routing.solver import Solver
from carezones.routing.tables import ZoneMatrices, problem_from_matrices

__all__ = ["capped_carers", "plan_days"]


def capped_carers(carers: pd.DataFrame, rules: WorkRules, horizon_days: int = 7) -> pd.DataFrame:
    """Carers whose ``max_minutes`` a day keeps their week within contracted hours (+ tolerance).

    A carer's day is at most ``contracted_hours x (1 + hours_tolerance)`` over the days
    they work in a week (seven without a ``days`` column); carers without
    ``contracted_hours`` keep their ``max_minutes``.
    """
    if "contracted_hours" not in carers.columns:
        return carers
    hours = pd.to_numeric(carers["contracted_hours"], errors="coerce")
    n = working_days(carers).map(lambda d: 7 if d is None else max(len(d), 1))
    cap = hours * 60.0 * (1.0 + rules.hours_tolerance) / n
    own = pd.to_numeric(carers.get("max_minutes", pd.Series(np.nan, index=carers.index)),
                        errors="coerce")  # fmt: skip
    new = np.where(hours.notna() & (hours > 0), np.fmin(own, np.floor(cap)), own)
    return carers.assign(max_minutes=new)


@dataclass
class _Memory:
    """What the week has fixed so far: runs, their carers day by day, agreed starts, carers met.

    A run is named after the carer who made its calls on the day it began (its main
    carer); ``cover`` holds who drives each run on each later day.
    """

    known: set[tuple[str, str]]
    agreed: dict[str, float] = field(default_factory=dict)  # call_id -> start (minutes)
    ends: dict[str, float] = field(default_factory=dict)  # call_id -> end (minutes)
    owner: dict[tuple[str, int], str] = field(default_factory=dict)  # (call, half) -> run
    # (run, part, day) -> the carer who drives that part of the run that day
    cover: dict[tuple[str, str, str], str] = field(default_factory=dict)
    met: set[tuple[str, str]] = field(default_factory=set)  # (client, carer) this week

    def runs(self) -> dict[str, list[tuple[str, int]]]:
        """Each run's calls (call, half), in agreed order."""
        out: dict[str, list[tuple[str, int]]] = {}
        for key, run in self.owner.items():
            out.setdefault(run, []).append(key)
        for calls in out.values():
            calls.sort(key=lambda k: (self.agreed.get(k[0], 0.0), k))
        return out

    def team(self, run: str) -> set[str]:
        """The run's main carer and every carer planned to drive it."""
        return {run} | {k for (r, _, _), k in self.cover.items() if r == run}


#: Runs that span this time of day (minutes) are covered in two parts, the morning part
#: and the evening part, by one relief when one can make both.
NOON = 14 * 60 + 30


def _segments(calls: list[tuple[str, int]], memory: _Memory) -> dict[str, list[tuple[str, int]]]:
    """A run's calls as one part ("all"), or its morning and evening parts when it spans both."""
    am = [k for k in calls if memory.agreed.get(k[0], 0.0) < NOON]
    pm = [k for k in calls if memory.agreed.get(k[0], 0.0) >= NOON]
    return {"am": am, "pm": pm} if am and pm else {"all": calls}


def _span(keys: list[tuple[str, int]], memory: _Memory) -> tuple[float, float] | None:
    starts = [memory.agreed[c] for c, _ in keys if c in memory.agreed]
    ends = [memory.ends[c] for c, _ in keys if c in memory.ends]
    return (min(starts), max(ends)) if starts and ends else None


def _plan_cover(
    memory: _Memory,
    days: tuple[str, ...],
    carers: pd.DataFrame,
    mats: ZoneMatrices,
    clients: dict[str, str],
    call_days: dict[str, set[str]],
    needs: dict[str, frozenset[str]],
    seed: int,
) -> None:
    """Who drives each run on its main's days off, chosen for the whole week at once.

    Each run's part (the whole run, or its morning and evening parts when it spans
    both), on each day it has calls and its main does not work, goes to a carer who
    works that day, is not driving a run of their own, whose shift covers the part and
    who can make its calls as agreed (:func:`_can_drive`: a split shift's break does not
    fall across them);
    :func:`carezones.routing.cover.cover_runs` chooses them so each client meets as
    few carers as it can (a relief without a skill a client's visit needs counts as one
    more carer for that client).
    """
    wd = dict(zip(carers["carer_id"].astype(str), working_days(carers), strict=True))
    info = carers.set_index(carers["carer_id"].astype(str))
    shift = {k: (float(r["shift_start"]), float(r["shift_end"])) for k, r in info.iterrows()}
    limits = _limits(info)
    mode = {k: str(r["mode"]) for k, r in info.iterrows()}
    has = {k: parse_skills(r["skills"]) if "skills" in info.columns else frozenset()
           for k, r in info.iterrows()}  # fmt: skip
    pos = {n: i for i, n in enumerate(mats.names)}
    runs = memory.runs()
    run_days = {r: set().union(*(call_days.get(c, set()) for c, _ in keys))
                for r, keys in runs.items()}  # fmt: skip
    busy = {d: {r for r in runs if works_on(wd.get(r), d) and d in run_days[r]} for d in days}
    mains: dict[str, set[str]] = {}
    for (call, _), run in memory.owner.items():
        if call in clients:
            mains.setdefault(clients[call], set()).add(run)
    parts: list[Part] = []
    for run, calls in runs.items():
        for seg, keys in _segments(calls, memory).items():
            span = _span(keys, memory)
            first = next((f"client:{clients[c]}" for c, _ in keys if c in clients), None)
            for d in days:
                if works_on(wd.get(run), d):
                    continue
                if not any(d in call_days.get(c, ()) for c, _ in keys):
                    continue
                today = [c for c, _ in keys if d in call_days.get(c, ())]
                calls = sorted((memory.agreed[c], memory.ends[c]) for c in today
                               if c in memory.agreed and c in memory.ends)  # fmt: skip
                who = []
                for k in shift:
                    if k == run or k in busy[d] or not works_on(wd[k], d):
                        continue
                    if span is not None and not (shift[k][0] <= span[0] and shift[k][1] >= span[1]):
                        continue
                    if not _can_drive(calls, *limits[k]):
                        continue
                    far = 0.0
                    if first in pos and f"carer:{k}" in pos:
                        far = float(mats.seconds[mode[k]][pos[f"carer:{k}"], pos[first]])
                    who.append((k, far))
                own = frozenset(clients[c] for c, _ in keys if c in clients)
                lacking = []
                for k, _ in who:
                    short = {clients.get(c, c) for c in today if needs.get(c, set()) - has[k]}
                    if short:
                        lacking.append((k, len(short)))
                parts.append(Part(run, seg, d, own, tuple(who), tuple(lacking)))
    memory.cover.update(cover_runs(parts, mains, random_state=seed))


def _limits(info: pd.DataFrame) -> dict[str, tuple[float | None, float, float, float | None]]:
    """Per carer: ``(break minutes or None, break window start, end, max working minutes)``."""
    out = {}
    for k, r in info.iterrows():
        b = pd.to_numeric(r.get("break_minutes"), errors="coerce")
        most = pd.to_numeric(r.get("max_minutes"), errors="coerce")
        brk = float(b) if pd.notna(b) and b > 0 else None
        bs = pd.to_numeric(r.get("break_start"), errors="coerce") if brk else np.nan
        be = pd.to_numeric(r.get("break_end"), errors="coerce") if brk else np.nan
        out[str(k)] = (
            brk,
            float(bs) if pd.notna(bs) else -np.inf,
            float(be) if pd.notna(be) else np.inf,
            float(most) if pd.notna(most) else None,
        )
    return out


def _can_drive(
    calls: list[tuple[float, float]],
    brk: float | None,
    brk_start: float,
    brk_end: float,
    most: float | None,
) -> bool:
    """Whether a carer can make these calls (agreed start and end, minutes) as agreed.

    Their unpaid break of ``brk`` minutes must fit inside ``[brk_start, brk_end]``
    before the first call, between two calls or after the last (travel aside), and the
    time from the first call's start to the last one's end, less a break taken between
    them, must be within their ``most`` working minutes.

    Examples
    --------
    A split shift's five-hour break inside 10:30-17:00 leaves no room for a 12:00 call
    in a run from 08:00 to 13:00; an early shift makes it:

    >>> run = [(480.0, 540.0), (720.0, 780.0)]
    >>> _can_drive(run, 300.0, 630.0, 1020.0, 480.0), _can_drive(run, None, 0.0, 0.0, 480.0)
    (False, True)
    >>> _can_drive([(480.0, 540.0), (1050.0, 1110.0)], 300.0, 630.0, 1020.0, 480.0)
    True

    A run from 07:00 to 15:00 is more than a seven-hour day:

    >>> _can_drive([(420.0, 480.0), (840.0, 900.0)], None, 0.0, 0.0, 420.0)
    False
    """
    if not calls:
        return True
    first, last = calls[0][0], max(e for _, e in calls)
    inside = 0.0
    if brk is not None:
        gaps = [(-np.inf, first, False)]
        reach = calls[0][1]
        for s, e in calls[1:]:
            if s > reach:
                gaps.append((reach, s, True))
            reach = max(reach, e)
        gaps.append((last, np.inf, False))
        fits = [between for a, b, between in gaps
                if min(b, brk_end) - max(a, brk_start) >= brk]  # fmt: skip
        if not fits:
            return False
        inside = 0.0 if not all(fits) else brk
    return most is None or last - first - inside <= most


def _needs(visits: pd.DataFrame) -> dict[str, frozenset[str]]:
    """``call -> skills`` every carer of the call needs (of a double-up, both carers)."""
    if "skills" not in visits.columns:
        return {}
    out: dict[str, frozenset[str]] = {}
    need = visits.get("carers_needed", pd.Series(1, index=visits.index))
    for call, skills, n in zip(visits["call_id"].astype(str), visits["skills"], need, strict=True):
        if call in out or not isinstance(skills, str) or not skills.strip():
            continue
        out[call] = frozenset.intersection(*parse_half_skills(skills, int(n)))
    return out


def _initial(
    vday: pd.DataFrame, cday: pd.DataFrame, memory: _Memory, day: str
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Today's starting routes from the runs (or their parts), and whose run each carer drives."""
    working = set(cday["carer_id"].astype(str))
    visit_of = dict(zip(vday["call_id"].astype(str), vday["visit_id"].astype(str), strict=True))
    drives: dict[str, str] = {}  # carer -> the run they drive (a part of) today
    routes: dict[str, list[str]] = {}
    for run, calls in memory.runs().items():
        for seg, keys in _segments(calls, memory).items():
            carer = run if run in working else memory.cover.get((run, seg, day))
            if carer is None or carer not in working or drives.get(carer, run) != run:
                continue
            drives[carer] = run
            routes.setdefault(carer, []).extend(visit_of[c] for c, _ in keys if c in visit_of)
    return routes, drives


def _prices(vday: pd.DataFrame, memory: _Memory, penalty: float) -> dict[tuple[str, str], float]:
    """Continuity prices of today: a client's run team is known (free), others met cost a third.

    Returns the pairs met this week outside the client's teams, at a third of ``penalty``.
    """
    runs_of: dict[str, set[str]] = {}
    for (call, _), run in memory.owner.items():
        client = call.split("#")[0]
        runs_of.setdefault(client, set()).add(run)
    out: dict[tuple[str, str], float] = {}
    for client, carer in memory.met:
        teams = set().union(*(memory.team(r) for r in runs_of.get(client, ())))
        if carer not in teams:
            out[(client, carer)] = penalty / 3.0
    return out


def _team_known(memory: _Memory, vday: pd.DataFrame) -> set[tuple[str, str]]:
    """Pairs that cost nothing today: known before the week, and each client's run teams."""
    out = set(memory.known)
    clients = dict(zip(vday["call_id"].astype(str), vday["client_id"].astype(str), strict=True))
    teams = {run: memory.team(run) for run in set(memory.owner.values())}
    for (call, _), run in memory.owner.items():
        client = clients.get(call, call.split("#")[0])
        out |= {(client, k) for k in teams[run]}
    return out


def _record(
    memory: _Memory, vday: pd.DataFrame, result: RoutingResult, drives: dict[str, str]
) -> None:
    """Fix the agreed starts and runs of the calls made today, and the carers met."""
    routes = result.routes
    if not len(routes):
        return
    _record_times(memory, vday, result)
    call_of = dict(zip(vday["visit_id"].astype(str), vday["call_id"].astype(str), strict=True))
    halves: dict[str, int] = {}
    for row in routes.sort_values(["visit_id", "carer_id"]).itertuples(index=False):
        vid, carer = str(row.visit_id), str(row.carer_id)
        call = call_of.get(vid)
        if call is None:
            continue
        half = halves.get(vid, 0)
        halves[vid] = half + 1
        key = (call, half)
        if key not in memory.owner:
            memory.owner[key] = drives.get(carer, carer)
        memory.met.add((str(row.client_id), carer))


#: What each carer-visit of a week of regular runs is to its client (``routes["regular"]``).
ROLES = {
    "main": "the main carer of the call's run",
    "relief": "the run's planned relief",
    "team": "a carer of another of the client's runs",
    "other": "none of the client's regular carers",
}


def _roles(
    memory: _Memory, vday: pd.DataFrame, result: RoutingResult, clients: dict[str, str]
) -> list[str]:
    """The role (:data:`ROLES`) of each carer-visit of the day, in ``result.routes``' order.

    ``clients`` maps every call of the week to its client.
    """
    routes = result.routes
    call_of = dict(zip(vday["visit_id"].astype(str), vday["call_id"].astype(str), strict=True))
    runs_of_call: dict[str, set[str]] = {}
    runs_of_client: dict[str, set[str]] = {}
    for (call, _), run in memory.owner.items():
        runs_of_call.setdefault(call, set()).add(run)
        runs_of_client.setdefault(clients.get(call, ""), set()).add(run)
    teams = {run: memory.team(run) for run in set(memory.owner.values())}
    out: list[str] = []
    for vid, client, carer in zip(routes["visit_id"].astype(str), routes["client_id"].astype(str),
                                  routes["carer_id"].astype(str), strict=True):  # fmt: skip
        runs = runs_of_call.get(call_of.get(vid, ""), set())
        if carer in runs:
            role = "main"
        elif any(carer in teams[r] for r in runs):
            role = "relief"
        elif any(carer in teams[r] for r in runs_of_client.get(client, ())):
            role = "team"
        else:
            role = "other"
        out.append(role)
    return out


def _record_times(memory: _Memory, vday: pd.DataFrame, result: RoutingResult) -> None:
    """Fix the agreed start and end of each call made today for the first time."""
    if not len(result.routes):
        return
    call_of = dict(zip(vday["visit_id"].astype(str), vday["call_id"].astype(str), strict=True))
    routes = result.routes.sort_values(["visit_id", "carer_id"])
    for vid, start, end in zip(routes["visit_id"].astype(str), routes["start"], routes["end"],
                               strict=True):  # fmt: skip
        call = call_of.get(vid)
        if call is not None:
            memory.agreed.setdefault(call, float(start))
            memory.ends.setdefault(call, float(end))


def _with_agreed(vday: pd.DataFrame, memory: _Memory) -> pd.DataFrame:
    agreed = vday["call_id"].astype(str).map(memory.agreed)
    return vday.assign(agreed_start=agreed.astype(float))


def plan_days(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    mats: ZoneMatrices,
    *,
    days: tuple[str, ...],
    known: frozenset[tuple[str, str]],
    params: RoutingParams,
    solver: Solver,
    mode_rule: ModeRule,
    open_modes: dict[str, str],
    network: TravelNetwork,
    max_snap_distance: float,
    seed: int,
) -> list[tuple[str, RoutingResult]]:
    """Solve a zone's days in order (see the module): regular runs when continuity is priced."""
    recurring = len(days) > 1 and "call_id" in visits.columns
    regular = params.continuity_penalty > 0 and recurring
    same_time = params.spread_penalty > 0 and recurring  # calls keep their first start
    memory = _Memory(known=set(known))
    wd = working_days(carers)
    clients = dict(zip(visits["call_id"].astype(str), visits["client_id"].astype(str),
                       strict=True)) if regular else {}  # fmt: skip
    call_days: dict[str, set[str]] = {}
    needs: dict[str, frozenset[str]] = {}  # call -> skills every carer of it needs
    if regular:
        for call, day in zip(visits["call_id"].astype(str), visits["day"].astype(str), strict=True):
            call_days.setdefault(call, set()).add(day)
        needs = _needs(visits)
    out = []
    for i, day in enumerate(days):
        vday = visits if day == "" else visits[visits["day"] == day]
        if len(vday) == 0:
            continue
        cday = carers[[works_on(d, day) for d in wd]]
        drives: dict[str, str] = {}
        initial = None
        prices: dict[tuple[str, str], float] = {}
        today_known = set(memory.known) | ({p for p in memory.met} if not regular else set())
        if regular or same_time:
            vday = _with_agreed(vday, memory)
        if regular and memory.owner:
            if not memory.cover:
                _plan_cover(memory, days[i:], carers, mats, clients, call_days, needs, seed)
            initial, drives = _initial(vday, cday, memory, day)
            today_known = _team_known(memory, vday)
            prices = _prices(vday, memory, params.continuity_penalty)

        def problem_of(
            v: pd.DataFrame,
            cday: pd.DataFrame = cday,
            known_now: set[tuple[str, str]] = today_known,
            prices: dict[tuple[str, str], float] = prices,
        ) -> RoutingProblem:
            return problem_from_matrices(
                v, cday, mats, known=known_now, params=params, network=network,
                max_snap_distance=max_snap_distance, pair_price=prices,
            )  # fmt: skip

        result = solver(problem_of(vday), seed=seed + i, initial=initial)
        if (regular or same_time) and _blocked(result, vday):
            result = _relax(result, vday, problem_of, solver, seed + i)
        result = choose_modes(result, {k: open_modes[k] for k in cday["carer_id"].astype(str)},
                              mode_rule)  # fmt: skip
        if regular:
            _record(memory, vday, result, drives)
            result.extra["regular"] = _roles(memory, vday, result, clients)
        else:
            memory.met |= set(
                zip(result.routes["client_id"], result.routes["carer_id"], strict=True)
            )
            if same_time:
                _record_times(memory, vday, result)
        out.append((day, result))
    return out


def _blocked(result: RoutingResult, vday: pd.DataFrame) -> bool:
    """Whether a visit left out today has an agreed start (it may fit without it)."""
    if not len(result.unscheduled):
        return False
    left = vday["visit_id"].astype(str).isin(set(result.unscheduled["visit_id"].astype(str)))
    return bool(vday.loc[left, "agreed_start"].notna().any())


def _relax(
    result: RoutingResult,
    vday: pd.DataFrame,
    problem_of: Callable[[pd.DataFrame], RoutingProblem],
    solver: Solver,
    seed: int,
) -> RoutingResult:
    """Plan again, from the day found, the unscheduled calls within their windows alone."""
    left = set(result.unscheduled["visit_id"].astype(str))
    relaxed = vday.assign(
        agreed_start=vday["agreed_start"].where(~vday["visit_id"].astype(str).isin(left))
    )
    routes = {
        str(k): g.sort_values("sequence")["visit_id"].astype(str).tolist()
        for k, g in result.routes.groupby("carer_id")
    }
    again = solver(problem_of(relaxed), seed=seed, initial=routes)
    return again if len(again.unscheduled) < len(result.unscheduled) else result
