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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp
from pyvrp import Client, Depot, ProblemData, Route, Solution, VehicleType
from pyvrp.exceptions import PenaltyBoundWarning

from carezones.routing.problem import BIG_TIME, RoutingProblem
from carezones.routing.search.schedule import Instance

__all__ = [
    "Screen",
    "VrpData",
    "hard_latest",
    "instance",
    "pyvrp_data",
    "pyvrp_routes",
    "run_pyvrp",
    "screen",
    "warm_start",
]

logger = logging.getLogger("carezones.routing")

_PYVRP_BIG = 10**8  # prohibitive edge (distance and duration)
_SAFE_MAX = 2**31  # "no limit" for PyVRP's int fields


@dataclass
class Screen:
    """Which visits can be served, by whom, and why not."""

    eligible: list[list[int]]
    reasons: dict[int, str]


def _fmt(skills: frozenset[str]) -> str:
    return ", ".join(sorted(skills))


def hard_latest(problem: RoutingProblem) -> np.ndarray:
    """Latest start of every visit: window end, plus the allowed lateness if soft."""
    extra = problem.params.max_lateness_minutes * 60 if problem.params.time_windows == "soft" else 0
    return problem.window_end.astype(np.int64) + extra


def screen(problem: RoutingProblem) -> Screen:
    """Eligible carers of every visit, and the reason for each visit nobody can serve."""
    nv, nc = problem.n_visits, problem.n_carers
    step = problem.params.start_step
    we = hard_latest(problem)
    all_skills = frozenset().union(*problem.carer_skills) if nc else frozenset()
    eligible: list[list[int]] = []
    reasons: dict[int, str] = {}
    ss, se, maxw = problem.shift_start, problem.shift_end, problem.max_working
    home, prof = problem.carer_home, problem.carer_profile
    for v in range(nv):
        need = problem.visit_skills[v]
        ws, dur, loc = (
            int(problem.window_start[v]),
            int(problem.duration[v]),
            int(problem.visit_location[v]),
        )
        dh = int(problem.carers_needed[v]) == 2
        skilled = [c for c in range(nc) if need <= problem.carer_skills[c]]
        ok: list[int] = []
        if nc == 0:
            reasons[v] = "no carers"
        elif not skilled:
            missing = need - all_skills
            reasons[v] = (
                f"no carer with skill {_fmt(missing)}"
                if missing
                else f"no carer with all of the skills {_fmt(need)}"
            )
        elif dh and len(skilled) < 2:
            reasons[v] = (
                "only one carer for a double-handed visit"
                if not need
                else f"only one carer with skill {_fmt(need)} for a double-handed visit"
            )
        else:
            fits = []
            for c in skilled:
                s0 = max(ws, int(ss[c]))
                if s0 <= we[v] and s0 + dur <= se[c] and dur <= maxw[c]:
                    fits.append(c)
            if len(fits) < (2 if dh else 1):
                reasons[v] = "window too tight for any carer's shift"
            else:
                any_path = False
                for c in fits:
                    T = problem.durations[prof[c]]
                    out, back = int(T[home[c], loc]), int(T[loc, home[c]])
                    if out >= BIG_TIME or back >= BIG_TIME:
                        continue
                    any_path = True
                    s0 = max(ws, -(-(int(ss[c]) + out) // step) * step)
                    if s0 <= we[v] and s0 + dur + back <= se[c] and out + dur + back <= maxw[c]:
                        ok.append(c)
                if len(ok) < (2 if dh else 1):
                    if not any_path:
                        reasons[v] = "not reachable from any carer's home"
                    elif dh and ok:
                        reasons[v] = "not reachable in time by two carers for a double-handed visit"
                    else:
                        reasons[v] = "not reachable in time"
                    ok = []
        eligible.append(ok)
    return Screen(eligible, reasons)


def instance(problem: RoutingProblem, scr: Screen) -> Instance:
    """The schedule engine's instance: tasks for every servable visit."""
    params = problem.params
    we = hard_latest(problem)
    clients = {name: i for i, name in enumerate(dict.fromkeys(problem.visit_clients))}
    t_visit: list[int] = []
    t_partner: list[int] = []
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
    late_weight = params.lateness_penalty / 60.0 if params.time_windows == "soft" else 0.0
    unscheduled = (
        1e6
        + 4.0 * max_travel
        + 2.0 * params.continuity_penalty
        + late_weight * params.max_lateness_minutes * 120
    )
    carer_index = {name: i for i, name in enumerate(problem.carer_ids)}
    known = {
        (clients[cl], carer_index[ca])
        for cl, ca in problem.known
        if cl in clients and ca in carer_index
    }
    return Instance(
        t_visit=t_visit,
        t_loc=problem.visit_location[tv].tolist() if len(tv) else [],
        t_ws=problem.window_start[tv].tolist() if len(tv) else [],
        t_we=we[tv].tolist() if len(tv) else [],
        t_due=problem.window_end[tv].tolist() if len(tv) else [],
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
        c_T=[tables[p] for p in problem.carer_profile.tolist()],
        step=params.start_step,
        late_weight=late_weight,
        continuity_penalty=params.continuity_penalty,
        unscheduled_penalty=unscheduled,
        known=known,
    )


@dataclass
class VrpData:
    """PyVRP's data and the maps back to carers and tasks."""

    data: pyvrp.ProblemData
    task_of_client: list[int]
    carers_of_type: list[list[int]]


def _carer_extras(inst: Instance, tasks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each carer's eligible tasks (a mask) and continuity extra per task (seconds)."""
    nc = inst.n_carers
    elig = np.zeros((nc, len(tasks)), dtype=bool)
    for v, ts in enumerate(inst.v_tasks):
        for c in inst.v_eligible[v]:
            for t in ts:
                elig[c, t] = True
    extra = np.zeros((nc, len(tasks)), dtype=np.int64)
    if inst.continuity_penalty > 0:
        per_client = np.bincount(
            [inst.v_client[inst.t_visit[t]] for t in tasks],
            minlength=max(inst.v_client, default=0) + 1,
        )
        for t in tasks:
            cl = inst.v_client[inst.t_visit[t]]
            share = round(inst.continuity_penalty / per_client[cl])
            for c in range(nc):
                if (cl, c) not in inst.known:
                    extra[c, t] = share
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
    prize = int(min(_PYVRP_BIG // 10, 10 * max_cost + 10 * inst.continuity_penalty + 10**5))
    depots = [Depot(location=i) for i in range(nd)]
    clients = [
        Client(
            location=nd + i,
            service_duration=inst.t_dur[t],
            tw_early=pinned.get(t, inst.t_ws[t]),
            tw_late=pinned.get(t, inst.t_due[t]),
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
    """PyVRP's solver on ``vrp``, quietly.

    PyVRP warns when its infeasibility penalty hits its ceiling, which happens when not
    every required visit fits; the repair that follows sorts that out, so the warning is
    logged instead.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PenaltyBoundWarning)
        result = pyvrp.solve(vrp.data, stop, seed=seed, collect_stats=False, display=False,
                             initial_solution=initial)  # fmt: skip
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
