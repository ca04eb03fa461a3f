"""An exact optimum of a small routing problem: a MIP solved by HiGHS (``scipy.optimize.milp``).

Used to check :func:`~carezones.routing.solve` on instances of about a dozen visits:
:func:`exact_optimum` minimises the same objective (travel seconds plus priced lateness,
and priced starts after preferred ones when the solver-side instance has them)
under the same rules (windows, soft lateness and the price of the largest lateness, shifts,
skills, double-ups, links with gaps and different carers), with every visit served. It does
not model breaks, whole-minute starts or continuity, and refuses problems that use them;
nor maximum working time (give carers none).

The model has, per carer ``c``, binary arcs ``x[c, i, j]`` between its home and the tasks
(a double-handed visit is two tasks), a start ``s[t]`` and a lateness ``l[t]`` per task
and a return time per carer; travel and service chain the starts along each route
(big-M), and links are difference constraints on the starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from carezones.exceptions import ProblemCollector
from carezones.routing.problem import RoutingProblem
from carezones.routing.search.schedule import Instance
from carezones.routing.vrp import instance, screen

__all__ = ["ExactResult", "exact_optimum"]


@dataclass(frozen=True)
class ExactResult:
    """The outcome of :func:`exact_optimum`.

    Parameters
    ----------
    status
        {"optimal", "infeasible", "time limit", "other"} HiGHS's verdict.
    objective
        Travel seconds plus priced lateness of the best plan found (NaN when none).
    bound
        HiGHS's lower bound on the optimum (equal to ``objective`` when optimal).
    routes
        Each carer's visits (ids, in order) in the best plan found.
    """

    status: str
    objective: float
    bound: float
    routes: tuple[tuple[str, ...], ...]


def _refuse(problem: RoutingProblem) -> None:
    what = []
    if (problem.break_duration > 0).any():
        what.append("breaks")
    if problem.params.start_step != 1:
        what.append("start_step other than 1")
    if problem.params.continuity_penalty > 0 and len(set(problem.visit_clients)) < problem.n_visits:
        what.append("continuity_penalty")
    if what:
        raise ProblemCollector("exact_optimum").error(
            "rule not modelled", "none of them", ", ".join(what)
        )


def exact_optimum(problem: RoutingProblem, *, time_limit: float = 60.0) -> ExactResult:
    """The optimum of a small problem with every visit served, or HiGHS's verdict.

    Parameters
    ----------
    problem
        A problem of about a dozen visits (the MIP grows with the square of the tasks).
    time_limit
        Seconds HiGHS may take.

    Returns
    -------
    ExactResult
        Status, objective (travel seconds plus priced lateness), bound and routes.

    Examples
    --------
    >>> import numpy as np
    >>> from carezones.routing import RoutingModel, RoutingParams
    >>> m = RoutingModel()
    >>> home, a, b = m.add_location(), m.add_location(), m.add_location()
    >>> p = m.add_profile(np.array([[0, 300, 600], [300, 0, 300], [600, 300, 0]]))
    >>> _ = m.add_carer(home, profile=p, shift_start=0, shift_end=7200)
    >>> _ = m.add_visit(a, window_start=0, window_end=3600, duration=600)
    >>> _ = m.add_visit(b, window_start=0, window_end=3600, duration=600)
    >>> got = exact_optimum(m.compile(RoutingParams(start_step=1)))
    >>> got.status, got.objective
    ('optimal', 1200.0)
    """
    _refuse(problem)
    scr = screen(problem)
    if scr.reasons:
        return ExactResult("infeasible", float("nan"), float("nan"), ())
    return _optimum(problem, instance(problem, scr), time_limit)


def _optimum(problem: RoutingProblem, inst: Instance, time_limit: float) -> ExactResult:
    """The MIP of the solver-side instance ``inst`` of ``problem``."""
    nt, nc = inst.n_tasks, inst.n_carers
    # arcs per carer: i in {0 = home, 1..nt}, j in {1..nt, nt + 1 = home}
    arcs = [
        (i, j) for i in range(nt + 1) for j in range(1, nt + 2) if i != j and (i, j) != (0, nt + 1)
    ]
    arcs.append((0, nt + 1))  # an idle carer
    na = len(arcs)
    nx = nc * na
    s0, l0, r0 = nx, nx + nt, nx + 2 * nt
    worst = r0 + nc  # the largest lateness
    p0 = worst + 1  # seconds after each task's preferred start (only when priced)
    n_pref = nt if inst.pref_weight else 0
    nvar = p0 + n_pref
    cost = np.zeros(nvar)
    lower = np.zeros(nvar)
    upper = np.ones(nvar)
    integrality = np.zeros(nvar)
    integrality[:nx] = 1

    def loc(i: int, c: int) -> int:
        return inst.c_home[c] if i in (0, nt + 1) else inst.t_loc[i - 1]

    for c in range(nc):
        T = inst.c_T[c]
        for k, (i, j) in enumerate(arcs):
            cost[c * na + k] = T[loc(i, c)][loc(j, c)]
            if j <= nt and c not in inst.t_eligible[j - 1]:
                upper[c * na + k] = 0
            if 1 <= i <= nt and c not in inst.t_eligible[i - 1]:
                upper[c * na + k] = 0
    cost[l0 : l0 + nt] = inst.late_weight
    lower[s0 : s0 + nt] = inst.t_ws
    upper[s0 : s0 + nt] = inst.t_we
    upper[l0 : l0 + nt] = np.inf
    lower[r0:] = 0
    upper[r0 : r0 + nc] = inst.c_se
    upper[worst] = np.inf
    cost[worst] = inst.max_late_weight
    upper[p0 : p0 + n_pref] = np.inf
    cost[p0 : p0 + n_pref] = inst.pref_weight
    big = float(max(inst.c_se) + max(max(inst.t_dur, default=0), 0) + 2 * 86_400)
    rows: list[tuple[dict[int, float], float, float]] = []
    out_of: dict[tuple[int, int], list[int]] = {}
    into: dict[tuple[int, int], list[int]] = {}
    for c in range(nc):
        for k, (i, j) in enumerate(arcs):
            out_of.setdefault((c, i), []).append(c * na + k)
            into.setdefault((c, j), []).append(c * na + k)
    for t in range(1, nt + 1):  # every task served once
        rows.append(({v: 1.0 for c in range(nc) for v in into[(c, t)]}, 1.0, 1.0))
    for c in range(nc):
        rows.append(({v: 1.0 for v in out_of[(c, 0)]}, 1.0, 1.0))  # leaves home once
        rows.append(({v: 1.0 for v in into[(c, nt + 1)]}, 1.0, 1.0))  # comes back once
        for t in range(1, nt + 1):  # flow
            row = {v: 1.0 for v in into[(c, t)]}
            for v in out_of[(c, t)]:
                row[v] = row.get(v, 0.0) - 1.0
            rows.append((row, 0.0, 0.0))
        T = inst.c_T[c]
        for k, (i, j) in enumerate(arcs):
            v = c * na + k
            if upper[v] == 0:
                continue
            travel = T[loc(i, c)][loc(j, c)]
            if i == 0 and j <= nt:  # s_j >= ss + travel - M (1 - x)
                rows.append(({s0 + j - 1: 1.0, v: -big}, inst.c_ss[c] + travel - big, np.inf))
            elif 1 <= i <= nt and j <= nt:
                d = inst.t_dur[i - 1] + travel
                rows.append(({s0 + j - 1: 1.0, s0 + i - 1: -1.0, v: -big}, d - big, np.inf))
            elif 1 <= i <= nt and j == nt + 1:
                d = inst.t_dur[i - 1] + travel
                rows.append(({r0 + c: 1.0, s0 + i - 1: -1.0, v: -big}, d - big, np.inf))
    for t in range(nt):  # lateness
        rows.append(({l0 + t: 1.0, s0 + t: -1.0}, -float(inst.t_due[t]), np.inf))
        if n_pref:  # past the preferred start
            rows.append(({p0 + t: 1.0, s0 + t: -1.0}, -float(inst.t_pref[t]), np.inf))
        rows.append(({worst: 1.0, l0 + t: -1.0}, 0.0, np.inf))
        for u, w in inst.t_in[t]:  # ties in time: s_t - s_u >= w
            rows.append(({s0 + t: 1.0, s0 + u: -1.0}, float(w), np.inf))
        for u in inst.t_apart[t]:  # different carers
            if u > t:
                for c in range(nc):
                    row = {v: 1.0 for v in into[(c, t + 1)]}
                    for v in into[(c, u + 1)]:
                        row[v] = row.get(v, 0.0) + 1.0
                    rows.append((row, -np.inf, 1.0))
    A = lil_matrix((len(rows), nvar))
    lo = np.empty(len(rows))
    hi = np.empty(len(rows))
    for r, (row, a, b) in enumerate(rows):
        for v, coef in row.items():
            A[r, v] = coef
        lo[r], hi[r] = a, b
    res = milp(
        cost,
        constraints=LinearConstraint(A.tocsr(), lo, hi),
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"time_limit": float(time_limit), "disp": False},
    )
    status = {0: "optimal", 1: "time limit", 2: "infeasible"}.get(res.status, "other")
    if res.x is None:
        return ExactResult(status, float("nan"), float("nan"), ())
    x = np.rint(res.x[:nx]).astype(int)
    routes = []
    for c in range(nc):
        nxt = {i: j for k, (i, j) in enumerate(arcs) if x[c * na + k]}
        seq, i = [], nxt.get(0, nt + 1)
        while 1 <= i <= nt and len(seq) <= nt:
            seq.append(problem.visit_ids[inst.t_visit[i - 1]])
            i = nxt.get(i, nt + 1)
        routes.append(tuple(seq))
    bound = getattr(res, "mip_dual_bound", None)
    bound = float("nan") if bound is None else float(bound)
    return ExactResult(status, float(res.fun), bound, tuple(routes))
