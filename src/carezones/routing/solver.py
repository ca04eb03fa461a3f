"""Solving a routing problem: screen, PyVRP, repair, local search, result (:func:`solve`).

With ``searches`` above 1, :func:`solve` runs that many searches of one problem at once,
one a process, and keeps the best plan: the same minute searched on every core.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from carezones._options import make_rng
from carezones._parallel import pool_context, single_threaded, worker_count
from carezones.exceptions import ProblemCollector
from carezones.routing import vrp as _vrp
from carezones.routing.budget import Budget
from carezones.routing.problem import RoutingProblem, rules_pyvrp_lacks
from carezones.routing.result import RoutingResult, make_result
from carezones.routing.search import repair as _repair
from carezones.routing.search.clients import consolidate

__all__ = ["Solver", "check_options", "initial_routes", "run", "run_from", "solve"]

logger = logging.getLogger("carezones.routing")

# How :func:`run` shares its time budget (fractions of ``max_seconds``). Measured on the
# routing benchmarks (``benchmarks/bench_routing.py``); change them only with its figures.
#: PyVRP's share on a plain time-window problem: PyVRP solves it exactly as posed, so it
#: gets nearly everything (the repair has little to do).
PLAIN_PYVRP_SHARE = 0.95
#: PyVRP's share when it lacks a rule (double-ups, breaks, soft windows, continuity): the
#: rest goes to the repair and to the local search that prices those rules exactly.
PYVRP_SHARE = 0.65
#: Of PyVRP's share, the part of its first run; the rest is its second run from our
#: repaired solution with the double-ups pinned.
FIRST_RUN_PART = 0.55
#: The local search between PyVRP's two runs.
MIDDLE_SEARCH_SHARE = 0.2
#: Kept back for the local search after PyVRP's second run.
FINAL_SEARCH_RESERVE = 0.15
#: Kept back before the deadline for building the result.
RESULT_RESERVE = 0.02
#: With ``max_iterations``, the local search stops after PyVRP's iterations divided by
#: this (plain problems, others): a move of ours costs about as much as ten of PyVRP's.
PLAIN_SEARCH_DIVISOR, SEARCH_DIVISOR = 10, 2


def _second_round(
    problem: RoutingProblem,
    inst: Any,
    state: Any,
    rng: np.random.Generator,
    *,
    seed: int,
    stop: Any,
    deadline: float,
    ls_cap: int | None,
    params: _repair.SearchParams,
) -> tuple[Any, int, int]:
    """PyVRP again from our solution, double-handed starts pinned; keep the better state.

    With both halves of every scheduled double-handed visit pinned to their start, any
    PyVRP-feasible solution keeps them together, so PyVRP can re-optimise everything else
    around them (it does not know breaks or whole-minute starts: those are mended after).
    """
    linked = inst.t_linked
    pinned = {t: state.start[t] for t in range(inst.n_tasks) if linked[t] and state.where[t] >= 0}
    vrp = _vrp.pyvrp_data(problem, inst, pinned=pinned)
    if vrp is None:  # pragma: no cover - the first round had data
        return state, 0, 0
    cost = state.cost()
    res = _vrp.run_pyvrp(vrp, stop, seed + 1, _vrp.warm_start(vrp, state.routes))
    other = _repair.initial_state(inst, _vrp.pyvrp_routes(vrp, res.best, problem.n_carers),
                                  keep_pairs=True)  # fmt: skip
    _repair.insert_visits(other, other.unassigned())
    extra = _repair.improve(other, rng, deadline=deadline, max_iterations=ls_cap, params=params)
    logger.debug("second round: cost %.0f -> %.0f", cost, other.cost())
    return (other if other.cost() < cost else state), res.num_iterations, extra


def search_params(ls_cap: int | None, alone: bool = False) -> _repair.SearchParams:
    """The local search's settings: tuned moves on a time budget, ruin and recreate otherwise.

    The tuned small moves (:class:`~carezones.routing.search.repair.SearchParams`) pay on
    a time budget (the published benchmarks, a minute per instance); with an iteration
    budget (plans and scenarios, which must give the same plan every run) an iteration is
    a ruin and recreate, as when :data:`~carezones.routing.MAX_ITERATIONS` was set: on
    Camden's zone-weeks the small moves added a fifth to a third of the time and travel.
    ``alone``: ruin and recreate alone on a time budget too (every second search of
    :func:`solve` with ``searches``).
    """
    if ls_cap is None and not alone:
        return _repair.SearchParams()
    return _repair.SearchParams(moves=0)


class _Phases:
    """How :func:`run` shares its budget between PyVRP's runs and the local search.

    With ``max_iterations`` every phase runs its share of iterations (PyVRP ``n`` per run,
    the local search ``n // divisor``) and the clock only ends the solve at the cap,
    which the result then reports (``time_limited``). Without, the phases share the
    clock (the fractions above).
    """

    def __init__(self, budget: Budget, plain: bool, share: float, t0: float) -> None:
        self.budget = budget
        self.t0 = t0
        self.seconds = budget.max_seconds
        self.deadline = t0 + self.seconds
        self.share = share
        self.first = share if plain else share * FIRST_RUN_PART
        n = budget.max_iterations
        self.ls_cap = None if n is None else max(1, n // (PLAIN_SEARCH_DIVISOR if plain else
                                                          SEARCH_DIVISOR))  # fmt: skip
        self.cut = False  # a phase ended on the clock before its iterations

    @property
    def end(self) -> float:
        """The clock's last moment for searching (the result is built after it)."""
        return self.deadline - RESULT_RESERVE * self.seconds

    def pyvrp_stop(self, until: float) -> Any:
        """PyVRP's stopping criterion: its iterations and the clock (``until``, or the cap)."""
        n = self.budget.max_iterations
        if n is None:
            return MaxRuntime(max(0.05, until - time.perf_counter()))
        left = max(0.05, self.end - time.perf_counter())
        return MultipleCriteria([MaxIterations(n), MaxRuntime(left)])

    def after_pyvrp(self, iterations: int) -> None:
        """Note whether PyVRP stopped on the clock before its iterations."""
        n = self.budget.max_iterations
        if n is not None and iterations < n:
            self.cut = True

    def after_search(self, iterations: int) -> None:
        """Note whether the local search stopped on the clock before its iterations."""
        if self.ls_cap is not None and iterations < self.ls_cap:
            self.cut = self.cut or time.perf_counter() >= self.end

    @property
    def time_limited(self) -> bool:
        """Whether the clock, not the iterations, ended the solve."""
        return self.budget.stops_on_time or self.cut


def initial_routes(
    problem: RoutingProblem, inst: Any, initial: Mapping[str, Sequence[str]]
) -> list[list[int]]:
    """Carers' routes given by visit ids, as task lists of the instance.

    A double-handed visit in two carers' lists gives each its own half (the half whose
    skills the carer has first); visits nobody can serve, unknown ids, carers not in the
    problem and repeats are left out (the repair inserts what is left).
    """
    carer = {name: c for c, name in enumerate(problem.carer_ids)}
    visit = {name: v for v, name in enumerate(problem.visit_ids)}
    routes: list[list[int]] = [[] for _ in range(problem.n_carers)]
    taken: set[int] = set()
    for name, seq in initial.items():
        c = carer.get(str(name))
        if c is None:
            continue
        for vid in seq:
            v = visit.get(str(vid))
            if v is None:
                continue
            tasks = [t for t in inst.v_tasks[v] if t not in taken]
            fit = [t for t in tasks if c in inst.t_eligible[t]]
            if fit and not any(inst.t_visit[t] == v for t in routes[c]):
                routes[c].append(fit[0])
                taken.add(fit[0])
    return routes


def run_from(
    problem: RoutingProblem,
    initial: Mapping[str, Sequence[str]],
    *,
    budget: Budget,
    seed: int,
) -> RoutingResult:
    """Solve ``problem`` from carers' routes (a day planned before): repair, then search.

    PyVRP does not run: the routes are mended (stops that break a rule dropped, ties kept
    where they hold), every other visit inserted at its cheapest place, then the local
    search runs its share of the budget's iterations from there.
    """
    t0 = time.perf_counter()
    scr = _vrp.screen(problem)
    inst = _vrp.instance(problem, scr)
    rng = make_rng(seed)
    ph = _Phases(budget, False, PYVRP_SHARE, t0)
    state = _repair.initial_state(inst, initial_routes(problem, inst, initial), keep_pairs=True)
    _repair.insert_visits(state, state.unassigned())
    consolidate(state, rng)
    ls_iterations = _repair.improve(state, rng, deadline=ph.end, max_iterations=ph.ls_cap,
                                    params=search_params(ph.ls_cap))  # fmt: skip
    ph.after_search(ls_iterations)
    consolidate(state, rng)
    state.settle()
    result = make_result(
        problem, inst, state, scr, runtime=time.perf_counter() - t0, iterations=0,
        local_search_iterations=ls_iterations, pyvrp_cost=None,
    )  # fmt: skip
    result.extra["time_limited"] = ph.time_limited
    return result


def run(
    problem: RoutingProblem,
    *,
    budget: Budget,
    seed: int,
    progress: Callable[[str, float], None] | None,
    alone: bool = False,
) -> RoutingResult:
    """Solve ``problem`` within ``budget``; see :func:`solve` (``alone``: :func:`search_params`)."""
    t0 = time.perf_counter()

    def report(stage: str, share: float) -> None:
        if progress is not None:
            progress(stage, share)

    report("screening", 0.0)
    scr = _vrp.screen(problem)
    inst = _vrp.instance(problem, scr)
    rng = make_rng(seed)
    plain = not rules_pyvrp_lacks(problem)
    share = problem.params.pyvrp_share or (PLAIN_PYVRP_SHARE if plain else PYVRP_SHARE)
    ph = _Phases(budget, plain, share, t0)
    params = search_params(ph.ls_cap, alone)
    vrp = _vrp.pyvrp_data(problem, inst, required=plain)
    iterations = 0
    pyvrp_cost = None
    routes: list[list[int]] = [[] for _ in range(problem.n_carers)]
    if vrp is not None:
        report("pyvrp", 0.05)
        res = _vrp.run_pyvrp(vrp, ph.pyvrp_stop(t0 + ph.seconds * ph.first), seed)
        iterations = res.num_iterations
        ph.after_pyvrp(iterations)
        pyvrp_cost = int(res.best.distance_cost())
        routes = _vrp.pyvrp_routes(vrp, res.best, problem.n_carers)
        logger.debug("PyVRP: %d iterations, cost %s", res.num_iterations, pyvrp_cost)
    report("repair", 0.35)
    state = _repair.initial_state(inst, routes)
    _repair.insert_visits(state, state.unassigned())
    ls_iterations = 0
    if not plain or state.unassigned():
        report("local search", 0.4)
        end = ph.end
        if not plain and vrp is not None and budget.stops_on_time:
            end = t0 + ph.seconds * (ph.first + MIDDLE_SEARCH_SHARE)
        ls_iterations = _repair.improve(state, rng, deadline=end, max_iterations=ph.ls_cap,
                                        params=params)  # fmt: skip
        ph.after_search(ls_iterations)
        consolidate(state, rng)
    if not plain and vrp is not None:
        report("pyvrp again", 0.55)
        left = ph.deadline - time.perf_counter() - FINAL_SEARCH_RESERVE * ph.seconds
        until = time.perf_counter() + min(ph.seconds * (share - ph.first), left)
        state, more, extra = _second_round(
            problem, inst, state, rng, seed=seed, stop=ph.pyvrp_stop(until), deadline=ph.end,
            ls_cap=ph.ls_cap, params=params,
        )  # fmt: skip
        ph.after_pyvrp(more)
        ph.after_search(extra)
        iterations += more
        ls_iterations += extra
        consolidate(state, rng)
    report("result", 0.95)
    state.settle()
    result = make_result(
        problem,
        inst,
        state,
        scr,
        runtime=time.perf_counter() - t0,
        iterations=iterations,
        local_search_iterations=ls_iterations,
        pyvrp_cost=pyvrp_cost,
    )
    # A solve the clock ended (or one with no iteration stop) may differ on another run:
    # plans and scenarios count these zone-days.
    result.extra["time_limited"] = ph.time_limited
    report("done", 1.0)
    return result


def _alone(k: int) -> bool:
    """Whether search ``k`` of :func:`solve` is ruin and recreate alone (every second one)."""
    return k % 2 == 1


def _search(
    problem: RoutingProblem, budget: Budget, seed: int, k: int, until: float
) -> RoutingResult:
    """Search ``k`` of a solve with ``searches`` (a worker process): seed ``seed + k``.

    The clock is the solve's (``until``, wall time): a worker that started late stops
    with the others.
    """
    single_threaded()
    left = max(until - time.time(), 0.05)
    mine = Budget(max_iterations=budget.max_iterations, max_seconds=min(budget.max_seconds, left))
    return run(problem, budget=mine, seed=seed + k, progress=None, alone=_alone(k))


def _rank(result: RoutingResult) -> tuple[int, float]:
    """Which of several searches' plans is best: fewest visits left out, then cost."""
    return len(result.unscheduled), float(result.objective)


def _side_by_side(
    problem: RoutingProblem,
    budget: Budget,
    seed: int,
    n: int,
    progress: Callable[[str, float], None] | None,
) -> RoutingResult:
    """``n`` searches at once, one a process (this one runs the first); the best kept."""
    until = time.time() + budget.max_seconds
    with ProcessPoolExecutor(max_workers=n - 1, mp_context=pool_context()) as pool:
        futures = [pool.submit(_search, problem, budget, seed, k, until) for k in range(1, n)]
        results = [run(problem, budget=budget, seed=seed, progress=progress)]
        results += [fut.result() for fut in futures]  # a worker's error is raised here
    best = min(range(n), key=lambda k: (_rank(results[k]), k))
    result = results[best]
    result.extra["searches"] = [
        {"search": k, "seed": seed + k, "moves": budget.stops_on_time and not _alone(k),
         "objective": float(r.objective), "unscheduled": len(r.unscheduled),
         "local_search_iterations": r.local_search_iterations, "kept": k == best}
        for k, r in enumerate(results)
    ]  # fmt: skip
    result.extra["time_limited"] = any(bool(r.extra.get("time_limited")) for r in results)
    return result


def solve(
    problem: RoutingProblem,
    *,
    budget: Budget | None = None,
    random_state: int | np.random.Generator | None = None,
    progress: Callable[[str, float], None] | None = None,
    initial: Mapping[str, Sequence[str]] | None = None,
    searches: int = 1,
) -> RoutingResult:
    """Solve a routing problem: PyVRP, then repair and local search.

    Parameters
    ----------
    problem
        The problem (from :meth:`RoutingModel.compile` or :func:`build_problem`).
    budget
        When the solve stops; default :class:`Budget` () (300 iterations, capped at 60 s):
        stopping on iterations, the same problem and seed give the same plan.
    random_state
        Seed (or generator) for every random choice.
    progress
        Called as ``progress(stage, share_done)`` on the way.
    initial
        Carers' routes to start from, as ``carer_id -> visit ids in order`` (a
        double-handed visit in both carers' lists), e.g. the same carers' day planned
        before: PyVRP is then not run; the routes are mended, the other visits inserted
        and the local search improves the whole.
    searches
        Searches run side by side, one a process (at most this computer's cores), each
        from its own seed (``random_state + k`` for search ``k``), the best plan kept
        (fewest visits left out, then the lowest cost; the first on a tie). Unlike
        ``n_jobs`` elsewhere this changes the answer: more of the problem is searched in
        the same time. On a time budget every second search is ruin and recreate alone
        and the others add the small moves, since neither wins on every problem
        (``benchmarks/bench_routing.py`` parts (e) and (f)). On iterations the same
        inputs give the same plan. ``result.extra["searches"]`` lists each search's
        cost. 1 (the default): one search, in this process; ignored with ``initial``.

    Returns
    -------
    RoutingResult
        Routes, unscheduled visits with reasons, and the summary.

    Examples
    --------
    >>> import numpy as np
    >>> from carezones.routing import Budget, RoutingModel
    >>> m = RoutingModel()
    >>> home, a = m.add_location(), m.add_location()
    >>> p = m.add_profile(np.array([[0, 300], [300, 0]]))
    >>> _ = m.add_carer(home, profile=p, shift_start=0, shift_end=3600)
    >>> _ = m.add_visit(a, window_start=0, window_end=1500, duration=900)
    >>> _ = m.add_visit(a, window_start=7200, window_end=8200, duration=900, name="too-late")
    >>> r = solve(m.compile(), budget=Budget(max_iterations=50), random_state=0)
    >>> r.cost() >= 600, r.unscheduled["reason"].tolist()
    (True, ["window too tight for any carer's shift"])
    """
    if not isinstance(problem, RoutingProblem):
        raise ProblemCollector("solve").error(
            "not a problem", "a RoutingProblem", type(problem).__name__, column="problem"
        )
    budget = _budget(budget, "solve")
    check_options(random_state)
    _check_searches(searches)
    seed = _seed(random_state)
    t0 = time.perf_counter()
    n = worker_count(searches, option="searches")
    if initial is not None:
        result = run_from(problem, initial, budget=budget, seed=seed)
    elif n > 1:
        result = _side_by_side(problem, budget, seed, n, progress)
    else:
        result = run(problem, budget=budget, seed=seed, progress=progress)
    logger.debug("solved %d visits in %.1f s", problem.n_visits, time.perf_counter() - t0)
    return result


@dataclass(frozen=True)
class Solver:
    """A zone-day's solve with its :class:`Budget` fixed once, where a plan is entered.

    :func:`~carezones.routing.plan_routes` makes one from the budget it was given; the
    zone runner and the week planner are handed it and call it on each day's problem, so
    the budget goes from the public entry to PyVRP's stopping criteria without passing
    through them (and no other module re-checks it).

    Parameters
    ----------
    budget
        When each solve stops.

    Examples
    --------
    ``Solver(budget)(problem, seed=0)`` is ``solve(problem, budget=budget, random_state=0)``
    (see :func:`solve` for a whole problem):

    >>> Solver(Budget(max_iterations=50))
    Solver(budget=Budget(max_iterations=50, max_seconds=60.0))
    """

    budget: Budget = field(default_factory=Budget)

    def __call__(
        self,
        problem: RoutingProblem,
        *,
        seed: int,
        initial: Mapping[str, Sequence[str]] | None = None,
    ) -> RoutingResult:
        """Solve ``problem`` with ``seed`` (from ``initial`` routes if given): :func:`solve`."""
        return solve(problem, budget=self.budget, random_state=seed, initial=initial)


def check_options(random_state: Any, *, n_jobs: Any = 1, where: str = "solve") -> None:
    """Check the seed and the workers once, where a solve or a plan is entered.

    Raises
    ------
    ValidationError
        Listing every bad option: ``random_state`` not None, an integer >= 0 or a numpy
        Generator, ``n_jobs`` not an integer >= 1.

    Examples
    --------
    >>> check_options(0)
    >>> check_options("x", n_jobs=0)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 2 problems found:
    ...
    """
    c = ProblemCollector(where)
    if not (
        random_state is None
        or isinstance(random_state, np.random.Generator)
        or (_whole(random_state) and random_state >= 0)
    ):
        c.add(
            "bad option",
            "None, an integer >= 0 or a numpy Generator",
            repr(random_state),
            column="random_state",
        )
    if not (_whole(n_jobs) and n_jobs >= 1):
        c.add(
            "bad option", "an integer >= 1 (1: no worker processes)", repr(n_jobs), column="n_jobs"
        )
    c.raise_if_any()


def _whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_searches(searches: Any) -> None:
    """``searches`` must be a whole number >= 1; anything else is refused by name."""
    if not (_whole(searches) and searches >= 1):
        c = ProblemCollector("solve")
        c.add("bad option", "an integer >= 1 (1: one search)", repr(searches), column="searches")
        c.raise_if_any()


def _budget(budget: Any, where: str) -> Budget:
    """``budget``, or the default :class:`Budget`; anything else is refused by name."""
    if budget is None:
        return Budget()
    if not isinstance(budget, Budget):
        c = ProblemCollector(where)
        c.add("bad option", "a routing Budget", type(budget).__name__, column="budget")
        c.raise_if_any()
    return budget


def _seed(random_state: int | np.random.Generator | None) -> int:
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if isinstance(random_state, int | np.integer) and random_state >= 0:
        return int(random_state)
    raise ProblemCollector("solve").error(
        "bad option",
        "None, an integer >= 0 or a numpy Generator",
        repr(random_state),
        column="random_state",
    )
