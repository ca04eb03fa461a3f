"""One solve: screen, PyVRP, repair, local search, result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _repair, _vrp
from ._routing_result import make_result

if TYPE_CHECKING:
    from ._routing_result import RoutingResult
    from .routing import RoutingProblem

logger = logging.getLogger("carezones.routing")


def _plain(problem: RoutingProblem) -> bool:
    """No rule PyVRP lacks: no double-handed visit, break, soft window or continuity."""
    p = problem.params
    return (
        not (problem.carers_needed == 2).any()
        and not (problem.break_duration > 0).any()
        and p.time_windows == "hard"
        and (p.continuity_penalty == 0 or len(set(problem.visit_clients)) == problem.n_visits)
    )


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
) -> tuple[Any, int, int]:
    """PyVRP again from our solution, double-handed starts pinned; keep the better state.

    With both halves of every scheduled double-handed visit pinned to their start, any
    PyVRP-feasible solution keeps them together, so PyVRP can re-optimise everything else
    around them (it does not know breaks or whole-minute starts: those are mended after).
    """
    partner = inst.t_partner
    pinned = {
        t: state.start[t] for t in range(inst.n_tasks) if partner[t] >= 0 and state.where[t] >= 0
    }
    vrp = _vrp.pyvrp_data(problem, inst, pinned=pinned)
    if vrp is None:  # pragma: no cover - the first round had data
        return state, 0, 0
    cost = state.cost()
    res = _vrp.run_pyvrp(vrp, stop, seed + 1, _vrp.warm_start(vrp, state.routes))
    other = _repair.initial_state(inst, _vrp.pyvrp_routes(vrp, res.best, problem.n_carers),
                                  keep_pairs=True)  # fmt: skip
    _repair.insert_visits(other, other.unassigned())
    extra = _repair.improve(other, rng, deadline=deadline, max_iterations=ls_cap)
    logger.debug("second round: cost %.0f -> %.0f", cost, other.cost())
    return (other if other.cost() < cost else state), res.num_iterations, extra


def run(
    problem: RoutingProblem,
    *,
    max_seconds: float,
    max_iterations: int | None,
    seed: int,
    progress: Callable[[str, float], None] | None,
) -> RoutingResult:
    """Solve ``problem`` within ``max_seconds``; see :func:`carezones.routing.solve`."""
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    t0 = time.perf_counter()
    deadline = t0 + max_seconds

    def report(stage: str, share: float) -> None:
        if progress is not None:
            progress(stage, share)

    report("screening", 0.0)
    scr = _vrp.screen(problem)
    inst = _vrp.instance(problem, scr)
    rng = np.random.default_rng(seed)
    plain = _plain(problem)
    share = problem.params.pyvrp_share or (0.95 if plain else 0.65)
    first = share if plain else share * 0.55
    ls_cap = None if max_iterations is None else max(1, max_iterations // (10 if plain else 20))

    def stop_after(seconds: float) -> Any:
        stop: Any = MaxRuntime(max(0.05, seconds))
        if max_iterations is not None:
            stop = MultipleCriteria([MaxIterations(max_iterations), stop])
        return stop

    vrp = _vrp.pyvrp_data(problem, inst, required=plain)
    iterations = 0
    pyvrp_cost = None
    routes: list[list[int]] = [[] for _ in range(problem.n_carers)]
    if vrp is not None:
        report("pyvrp", 0.05)
        budget = t0 + max_seconds * first - time.perf_counter()
        res = _vrp.run_pyvrp(vrp, stop_after(budget), seed)
        iterations = res.num_iterations
        pyvrp_cost = int(res.best.distance_cost())
        routes = _vrp.pyvrp_routes(vrp, res.best, problem.n_carers)
        logger.debug("PyVRP: %d iterations, cost %s", res.num_iterations, pyvrp_cost)
    report("repair", 0.35)
    state = _repair.initial_state(inst, routes)
    _repair.insert_visits(state, state.unassigned())
    ls_iterations = 0
    if not plain or state.unassigned():
        report("local search", 0.4)
        end = deadline - 0.02 * max_seconds
        if not plain and vrp is not None:
            end = t0 + max_seconds * (first + 0.2)
        ls_iterations = _repair.improve(state, rng, deadline=end, max_iterations=ls_cap)
    if not plain and vrp is not None:
        report("pyvrp again", 0.55)
        left = deadline - time.perf_counter()
        budget = min(max_seconds * (share - first), left - 0.15 * max_seconds)
        state, more, extra = _second_round(
            problem, inst, state, rng, seed=seed, stop=stop_after(budget),
            deadline=deadline - 0.02 * max_seconds, ls_cap=ls_cap,
        )  # fmt: skip
        iterations += more
        ls_iterations += extra
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
    report("done", 1.0)
    return result
