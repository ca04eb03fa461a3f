"""The PyVRP side: screening visits, the solver-side instance, PyVRP's data and its routes.

- :func:`screen` finds the visits no carer can serve, with the reason, and the carers
  eligible for every other visit (skills, shift, reachable in time).
- :func:`instance` turns a problem into the plain lists the schedule engine uses.
- :func:`pyvrp_data` builds PyVRP's ``ProblemData``: carers' homes are depots, every task
  (a visit, or one half of a double-handed visit) a client with its own location; one
  routing profile per group of carers alike in mode, eligibility and continuity, where
  the edges into a task a carer may not do are prohibitive and a client's continuity
  penalty is spread over the edges into its visits. Visits are optional with a large
  prize, so PyVRP leaves out what does not fit instead of returning nothing feasible.
- :func:`pyvrp_routes` maps PyVRP's routes back to carers and tasks.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvrp
from pyvrp import Client, Depot, ProblemData, Route, Solution, VehicleType
from pyvrp.exceptions import PenaltyBoundWarning

from carezones.routing.problem import BIG_TIME, RoutingProblem
from carezones.routing.search.schedule import NO_PREFERENCE, Instance

__all__ = [
    "Screen",
    "VrpData",
    "hard_latest",
    "instance",
    "link_groups",
    "pyvrp_data",
    "pyvrp_routes",
    "run_pyvrp",
    "screen",
    "warm_start",
]

logger = logging.getLogger("carezones.routing")

_PYVRP_BIG = 10**8  # prohibitive edge (distance and duration)
_SAFE_MAX = 2**31  # "no limit" for PyVRP's int fields

#: PyVRP's search settings (its iterated local search, penalties, granular neighbourhood
#: and perturbation): PyVRP's own defaults, kept after a tuning run
#: (``benchmarks/bench_routing.py --tune-pyvrp 60 --sizes 300``, the whole solve at 60 s on
#: the five 300-visit instances of issue 29, two at a time, 2026-12-07): mean gap to the
#: reference +1.51% with the defaults (50 neighbours, 1-25 perturbations, history 300)
#: against +1.83% with at most 10 perturbations, +2.35% with 25 neighbours, +2.58% with
#: both, +3.45% with up to 40 perturbations and +3.62% with a history of 1,000. Fewer
#: neighbours or perturbations run two to four times PyVRP's iterations and still end
#: worse. One run per instance at 60 s varies by up to 3%, so only the larger of these
#: differences are clear.
PYVRP_PARAMS = pyvrp.SolveParams()


@dataclass
class Screen:
    """Which visits can be served, by whom, and why not.

    Parameters
    ----------
    eligible
        Per visit, the carers who may do it (any of its halves).
    reasons
        Why each visit nobody can serve is left out.
    half_eligible
        Per double-handed visit whose carers need different skills, the carers of each half.
    window_start, latest
        Each visit's earliest and latest start, tightened by its links' gaps.
    """

    eligible: list[list[int]]
    reasons: dict[int, str]
    half_eligible: dict[int, list[list[int]]] = field(default_factory=dict)
    window_start: np.ndarray | None = None
    latest: np.ndarray | None = None


def _fmt(skills: frozenset[str]) -> str:
    return ", ".join(sorted(skills))


def hard_latest(problem: RoutingProblem) -> np.ndarray:
    """Latest start of every visit: its latest on-time start, plus the allowed lateness if soft.

    A visit ends by its window's end when it starts by ``window_end - duration``
    (:attr:`~carezones.routing.RoutingProblem.latest_start`).
    """
    return problem.latest_start + problem.params.lateness_allowed


def _screen_visit(
    problem: RoutingProblem, v: int, need: frozenset[str], dh: bool, ws: int, we: int
) -> tuple[list[int], str | None]:
    """The carers who can do visit ``v`` (needing ``need``, starting in ``[ws, we]``).

    With the reason when there are too few (two for a double-handed visit).
    """
    nc = problem.n_carers
    step = problem.params.start_step
    dur, loc = int(problem.duration[v]), int(problem.visit_location[v])
    ss, se, maxw = problem.shift_start, problem.shift_end, problem.max_working
    home, prof = problem.carer_home, problem.carer_profile
    skilled = [c for c in range(nc) if need <= problem.carer_skills[c]]
    if nc == 0:
        return [], "no carers"
    if not skilled:
        all_skills = frozenset().union(*problem.carer_skills)
        missing = need - all_skills
        return [], (
            f"no carer with skill {_fmt(missing)}"
            if missing
            else f"no carer with all of the skills {_fmt(need)}"
        )
    if dh and len(skilled) < 2:
        return [], (
            "only one carer for a double-handed visit"
            if not need
            else f"only one carer with skill {_fmt(need)} for a double-handed visit"
        )
    fits = []
    for c in skilled:
        s0 = max(ws, int(ss[c]))
        if s0 <= we and s0 + dur <= se[c] and dur <= maxw[c]:
            fits.append(c)
    if len(fits) < (2 if dh else 1):
        return [], "window too tight for any carer's shift"
    ok: list[int] = []
    any_path = False
    for c in fits:
        T = problem.durations[prof[c]]
        out, back = int(T[home[c], loc]), int(T[loc, home[c]])
        if out >= BIG_TIME or back >= BIG_TIME:
            continue
        any_path = True
        s0 = max(ws, -(-(int(ss[c]) + out) // step) * step)
        if s0 <= we and s0 + dur + back <= se[c] and out + dur + back <= maxw[c]:
            ok.append(c)
    if len(ok) < (2 if dh else 1):
        if not any_path:
            return [], "not reachable from any carer's home"
        if dh and ok:
            return [], "not reachable in time by two carers for a double-handed visit"
        return [], "not reachable in time"
    return ok, None


def _tightened(problem: RoutingProblem) -> tuple[np.ndarray, np.ndarray, set[int]]:
    """Earliest and latest starts narrowed by the links' gaps (to a fixed point).

    Also returns the visits whose linked windows cannot keep their gaps.
    """
    ws = problem.window_start.astype(np.int64).copy()
    we = hard_latest(problem).copy()
    broken: set[int] = set()
    for _ in range(2 * len(problem.links) + 1):
        changed = False
        for link in problem.links:
            a, b, lo, hi = link.first, link.second, link.min_gap, link.max_gap
            for x, value in ((b, ws[a] + lo), (a, ws[b] - hi)):
                if value > ws[x]:
                    ws[x], changed = value, True
            for x, value in ((b, we[a] + hi), (a, we[b] - lo)):
                if value < we[x]:
                    we[x], changed = value, True
        if not changed:
            break
    for link in problem.links:
        for x in (link.first, link.second):
            if ws[x] > we[x]:
                broken.add(x)
    return ws, we, broken


def link_groups(problem: RoutingProblem) -> list[list[int]]:
    """The visits tied together by links (connected parts), one list per visit."""
    parent = list(range(problem.n_visits))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in problem.links:
        parent[find(link.first)] = find(link.second)
    members: dict[int, list[int]] = {}
    for v in range(problem.n_visits):
        members.setdefault(find(v), []).append(v)
    return [members[find(v)] for v in range(problem.n_visits)]


def screen(problem: RoutingProblem) -> Screen:
    """Eligible carers of every visit, and the reason for each visit nobody can serve.

    A link no pair of carers can keep (a visit of it that nobody can serve, windows that
    cannot keep the gap, no two different carers) leaves every visit it ties unscheduled,
    each with the reason.
    """
    ws, we, broken = _tightened(problem)
    eligible: list[list[int]] = []
    reasons: dict[int, str] = {}
    halves: dict[int, list[list[int]]] = {}
    for v in range(problem.n_visits):
        dh = int(problem.carers_needed[v]) == 2
        if v in broken:
            reasons[v] = "its linked visits' windows cannot keep the gap between them"
            eligible.append([])
            continue
        if dh and problem.half_skills and len(set(problem.half_skills[v])) > 1:
            each = [
                _screen_visit(problem, v, need, False, int(ws[v]), int(we[v]))
                for need in problem.half_skills[v]
            ]
            bad = [(k, why) for k, (_, why) in enumerate(each) if why is not None]
            ok = sorted(set(each[0][0]) | set(each[1][0]))
            if bad:
                k, why = bad[0]
                reasons[v] = f"carer {k + 1} of a double-handed visit: {why}"
                ok = []
            elif not any(a != b for a in each[0][0] for b in each[1][0]):
                reasons[v] = "no two different carers with the skills of a double-handed visit"
                ok = []
            else:
                halves[v] = [each[0][0], each[1][0]]
            eligible.append(ok)
            continue
        ok, why = _screen_visit(problem, v, problem.visit_skills[v], dh, int(ws[v]), int(we[v]))
        if why is not None:
            reasons[v] = why
        eligible.append(ok)
    for link in problem.links:
        a, b = link.first, link.second
        if a in reasons or b in reasons or not link.different_carers:
            continue
        if not any(x != y for x in eligible[a] for y in eligible[b]):
            why = "no two different carers for its linked visits"
            reasons[a] = reasons[b] = why
    names = problem.visit_ids
    for group in link_groups(problem):
        out = [v for v in group if v in reasons]
        if out and len(group) > 1:
            first = out[0]
            for v in group:
                if v not in reasons:
                    reasons[v] = f"linked to visit {names[first]}: {reasons[first]}"
                    eligible[v] = []
    return Screen(eligible, reasons, halves, ws, we)


def _ties(
    problem: RoutingProblem, scr: Screen, v_tasks: list[tuple[int, ...]], n_tasks: int
) -> tuple[list[list[tuple[int, int]]], list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Per task, the ties in time ``(u, w)``: it starts no earlier than ``u`` plus ``w``.

    Also the tasks that must be on other carers, and per visit the tasks moved together.
    """
    t_in: list[list[tuple[int, int]]] = [[] for _ in range(n_tasks)]
    apart: list[set[int]] = [set() for _ in range(n_tasks)]
    for ts in v_tasks:
        if len(ts) == 2:
            a, b = ts
            t_in[a].append((b, 0))
            t_in[b].append((a, 0))
            apart[a].add(b)
            apart[b].add(a)
    for link in problem.links:
        for ta in v_tasks[link.first]:
            for tb in v_tasks[link.second]:
                t_in[tb].append((ta, link.min_gap))
                t_in[ta].append((tb, -link.max_gap))
                if link.different_carers:
                    apart[ta].add(tb)
                    apart[tb].add(ta)
    units = [
        tuple(t for w in group for t in v_tasks[w]) if len(group) > 1 else v_tasks[v]
        for v, group in enumerate(link_groups(problem))
    ]
    return t_in, [tuple(sorted(a)) for a in apart], units


def instance(problem: RoutingProblem, scr: Screen) -> Instance:
    """The schedule engine's instance: tasks for every servable visit."""
    params = problem.params
    we = hard_latest(problem) if scr.latest is None else scr.latest
    ws_all = problem.window_start if scr.window_start is None else scr.window_start
    clients = {name: i for i, name in enumerate(dict.fromkeys(problem.visit_clients))}
    t_visit: list[int] = []
    t_partner: list[int] = []
    t_eligible: list[list[int]] = []
    v_tasks: list[tuple[int, ...]] = []
    for v in range(problem.n_visits):
        if v in scr.reasons:
            v_tasks.append(())
            continue
        k = int(problem.carers_needed[v])
        first = len(t_visit)
        ids = tuple(range(first, first + k))
        v_tasks.append(ids)
        for i in ids:
            t_visit.append(v)
            t_partner.append(ids[1 - (i - first)] if k == 2 else -1)
            half = scr.half_eligible.get(v)
            t_eligible.append(half[i - first] if half else scr.eligible[v])
    t_in, t_apart, units = _ties(problem, scr, v_tasks, len(t_visit))
    tv = np.array(t_visit, dtype=np.int64)
    tables = [d.tolist() for d in problem.durations]
    nc = problem.n_carers
    need_break = []
    for c in range(nc):
        b = int(problem.break_duration[c])
        lo = max(int(problem.shift_start[c]), int(problem.break_start[c]))
        hi = min(int(problem.shift_end[c]), int(problem.break_end[c]))
        need_break.append(b > 0 and lo + b <= hi)
    max_travel = max((int(d[d < BIG_TIME].max(initial=0)) for d in problem.durations), default=0)
    soft = params.time_windows == "soft"
    late_weight = params.lateness_penalty / 60.0 if soft else 0.0
    max_late_weight = params.max_lateness_penalty / 60.0 if soft else 0.0
    unscheduled = (
        1e6
        + 4.0 * max_travel
        + 2.0 * params.continuity_penalty
        + (late_weight * 2 + max_late_weight) * params.lateness_allowed
    )
    carer_index = {name: i for i, name in enumerate(problem.carer_ids)}
    known = {
        (clients[cl], carer_index[ca])
        for cl, ca in problem.known
        if cl in clients and ca in carer_index
    }
    pair_cost = {
        (clients[cl], carer_index[ca]): float(price)
        for (cl, ca), price in problem.pair_price.items()
        if cl in clients and ca in carer_index
    }
    t_ws = ws_all[tv].tolist() if len(tv) else []
    t_pref: list[int] = []
    if problem.agreed_start is not None and len(tv):
        # an agreed start: no earlier than a third of the spread before it; later than a
        # third after it priced, so a few late minutes still keep within the spread
        half = 20 * params.spread_minutes  # a third of it either way: room to run late
        agreed = problem.agreed_start[tv].tolist()
        latest = we[tv].tolist()
        t_pref = [a + half if a >= 0 else NO_PREFERENCE for a in agreed]
        t_ws = [
            min(max(w, a - half), top) if a >= 0 else w
            for w, a, top in zip(t_ws, agreed, latest, strict=True)
        ]
    return Instance(
        t_visit=t_visit,
        t_loc=problem.visit_location[tv].tolist() if len(tv) else [],
        t_ws=t_ws,
        t_pref=t_pref,
        pref_weight=params.spread_penalty / 60.0 if t_pref else 0.0,
        t_we=we[tv].tolist() if len(tv) else [],
        t_due=problem.latest_start[tv].tolist() if len(tv) else [],
        t_dur=problem.duration[tv].tolist() if len(tv) else [],
        t_partner=t_partner,
        v_tasks=v_tasks,
        v_client=[clients[name] for name in problem.visit_clients],
        v_eligible=scr.eligible,
        c_home=problem.carer_home.tolist(),
        c_ss=problem.shift_start.tolist(),
        c_se=problem.shift_end.tolist(),
        c_maxw=problem.max_working.tolist(),
        c_break=problem.break_duration.tolist(),
        c_bs=problem.break_start.tolist(),
        c_be=problem.break_end.tolist(),
        c_need_break=need_break,
        c_split=[] if problem.carer_split is None else problem.carer_split.tolist(),
        c_T=[tables[p] for p in problem.carer_profile.tolist()],
        step=params.start_step,
        late_weight=late_weight,
        continuity_penalty=params.continuity_penalty,
        unscheduled_penalty=unscheduled,
        known=known,
        pair_cost=pair_cost,
        max_late_weight=max_late_weight,
        t_in=t_in,
        t_apart=t_apart,
        t_eligible=t_eligible,
        v_unit=units,
    )


@dataclass
class VrpData:
    """PyVRP's data and the maps back to carers and tasks."""

    data: pyvrp.ProblemData
    task_of_client: list[int]
    carers_of_type: list[list[int]]


def _carer_extras(inst: Instance, tasks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each carer's eligible tasks (a mask) and continuity extra per task (seconds).

    A client's price for a carer (:meth:`Instance.pair_price`) is spread over the edges
    into the client's tasks (negative prices count as 0 for PyVRP).
    """
    nc = inst.n_carers
    elig = np.zeros((nc, len(tasks)), dtype=bool)
    for t in tasks:
        for c in inst.t_eligible[t]:
            elig[c, t] = True
    extra = np.zeros((nc, len(tasks)), dtype=np.int64)
    if inst.continuity_penalty > 0 or inst.pair_cost:
        per_client = np.bincount(
            [inst.v_client[inst.t_visit[t]] for t in tasks],
            minlength=max(inst.v_client, default=0) + 1,
        )
        price = inst.pair_price
        for t in tasks:
            cl = inst.v_client[inst.t_visit[t]]
            for c in range(nc):
                share = price(cl, c) / per_client[cl]
                if share > 0:  # PyVRP's edge costs are whole numbers >= 0
                    extra[c, t] = round(share)
    return elig, extra


def _profiles(
    problem: RoutingProblem,
    inst: Instance,
    idx: np.ndarray,
    nd: int,
    depot_of: dict[int, int],
    elig: np.ndarray,
    extra: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray], dict[tuple, list[int]]]:
    """One PyVRP profile per (mode, eligibility, continuity) and the carers of each type.

    Ineligible tasks and missing paths get a prohibitive edge; durations round up to the
    start step, so PyVRP's schedules keep whole-step starts.
    """
    base_cost: dict[int, np.ndarray] = {}
    profiles: dict[tuple, int] = {}
    distance_mats: list[np.ndarray] = []
    duration_mats: list[np.ndarray] = []
    carer_profile = problem.carer_profile.tolist()
    vt_key: dict[tuple, list[int]] = {}
    for c in range(inst.n_carers):
        p = carer_profile[c]
        key = (p, elig[c].tobytes(), extra[c].tobytes())
        if key not in profiles:
            if p not in base_cost:
                base_cost[p] = problem.durations[p][np.ix_(idx, idx)].astype(np.int64)
            dist = base_cost[p].copy()
            dist[:, nd:] += extra[c][None, :]
            dur = base_cost[p].copy()
            if inst.step > 1:
                dur = -(-dur // inst.step) * inst.step
            blocked = np.flatnonzero(~elig[c]) + nd
            dist[:, blocked] = _PYVRP_BIG
            dur[:, blocked] = _PYVRP_BIG
            big = base_cost[p] >= BIG_TIME
            dist[big] = _PYVRP_BIG
            dur[big] = _PYVRP_BIG
            np.fill_diagonal(dist, 0)
            np.fill_diagonal(dur, 0)
            profiles[key] = len(distance_mats)
            distance_mats.append(dist)
            duration_mats.append(dur)
        vkey = (depot_of[inst.c_home[c]], profiles[key], inst.c_ss[c], inst.c_se[c], inst.c_maxw[c])
        vt_key.setdefault(vkey, []).append(c)
    return distance_mats, duration_mats, vt_key


def pyvrp_data(
    problem: RoutingProblem,
    inst: Instance,
    *,
    required: bool = False,
    pinned: dict[int, int] | None = None,
) -> VrpData | None:
    """PyVRP's ``ProblemData`` for the instance's tasks; None when there is nothing to route.

    Tasks are optional with a large prize, unless ``required`` (plain problems, where
    PyVRP searches best with required clients; an infeasible answer is repaired).
    ``pinned`` maps tasks to a fixed start (halves of double-handed visits already
    synchronised): both halves then start together in any PyVRP-feasible solution.
    """
    pinned = pinned or {}
    tasks = list(range(inst.n_tasks))
    if not tasks or inst.n_carers == 0:
        return None
    homes = list(dict.fromkeys(inst.c_home))
    depot_of = {h: i for i, h in enumerate(homes)}
    idx = np.array(homes + [inst.t_loc[t] for t in tasks], dtype=np.int64)
    xy = problem.location_xy
    locations = [
        pyvrp.Location(x=float(xy[i, 0]), y=float(xy[i, 1]))
        if xy is not None
        else pyvrp.Location(x=0.0, y=0.0)
        for i in idx
    ]
    nd = len(homes)
    elig, extra = _carer_extras(inst, tasks)
    distance_mats, duration_mats, vt_key = _profiles(problem, inst, idx, nd, depot_of, elig, extra)
    finite = [d[d < _PYVRP_BIG] for d in distance_mats]
    max_cost = max((int(f.max(initial=0)) for f in finite), default=0)
    pair_top = max([inst.continuity_penalty, *inst.pair_cost.values()])
    prize = int(min(_PYVRP_BIG // 10, 10 * max_cost + 10 * pair_top + 10**5))
    depots = [Depot(location=i) for i in range(nd)]
    clients = [
        Client(
            location=nd + i,
            service_duration=inst.t_dur[t],
            tw_early=pinned.get(t, inst.t_ws[t]),
            tw_late=pinned.get(t, max(inst.t_due[t], inst.t_ws[t])),
            prize=0 if required else prize,
            required=required,
        )
        for i, t in enumerate(tasks)
    ]
    vehicle_types = []
    carers_of_type = []
    for (depot, prof, ss, se, maxw), members in vt_key.items():
        vehicle_types.append(
            VehicleType(
                num_available=len(members),
                start_depot=depot,
                end_depot=depot,
                tw_early=ss,
                tw_late=se,
                shift_duration=min(maxw, _SAFE_MAX),
                profile=prof,
            )
        )
        carers_of_type.append(members)
    mats: Any = (distance_mats, duration_mats)  # int64 arrays (PyVRP's stub says ndarray[int])
    data = ProblemData(locations, clients, depots, vehicle_types, mats[0], mats[1])
    return VrpData(data, tasks, carers_of_type)


def run_pyvrp(
    vrp: VrpData, stop: Any, seed: int, initial: pyvrp.Solution | None = None
) -> pyvrp.Result:
    """PyVRP's solver on ``vrp`` with :data:`PYVRP_PARAMS`, quietly.

    PyVRP warns when its infeasibility penalty hits its ceiling, which happens when not
    every required visit fits; the repair that follows sorts that out, so the warning is
    logged instead.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PenaltyBoundWarning)
        result = pyvrp.solve(vrp.data, stop, seed=seed, collect_stats=False, display=False,
                             params=PYVRP_PARAMS, initial_solution=initial)  # fmt: skip
    for w in caught:
        if issubclass(w.category, PenaltyBoundWarning):
            logger.debug("PyVRP: %s", str(w.message).split(".")[0])
        else:  # pragma: no cover - passed on untouched
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def warm_start(vrp: VrpData, routes: list[list[int]]) -> pyvrp.Solution:
    """Our carers' routes as a PyVRP solution of ``vrp`` (to start its search from)."""
    client_of = {t: i for i, t in enumerate(vrp.task_of_client)}
    type_of = {c: k for k, members in enumerate(vrp.carers_of_type) for c in members}
    out = [
        Route(vrp.data, [client_of[t] for t in seq], type_of[c])
        for c, seq in enumerate(routes)
        if seq
    ]
    return Solution(vrp.data, out)


def pyvrp_routes(vrp: VrpData, solution: pyvrp.Solution, n_carers: int) -> list[list[int]]:
    """Each carer's sequence of tasks in PyVRP's solution."""
    routes: list[list[int]] = [[] for _ in range(n_carers)]
    used = [0] * len(vrp.carers_of_type)
    for route in solution.routes():
        vt = route.vehicle_type()
        c = vrp.carers_of_type[vt][used[vt]]
        used[vt] += 1
        routes[c] = [vrp.task_of_client[a.idx] for a in route.schedule() if a.is_client()]
    return routes
