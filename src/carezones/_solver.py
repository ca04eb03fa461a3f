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
        and p.start_step == 1
    )


def run(
    problem: RoutingProblem,
    *,
    max_seconds: float,
    max_iterations: int | None,
    seed: int,
    progress: Callable[[str, float], None] | None,
) -> RoutingResult:
    """Solve ``problem`` within ``max_seconds``; see :func:`carezones.routing.solve`."""
    import pyvrp
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
    vrp = _vrp.pyvrp_data(problem, inst, required=plain)
    share = problem.params.pyvrp_share or (0.95 if plain else 0.5)
    iterations = 0
    pyvrp_cost = None
    if vrp is not None:
        budget = max(0.05, (deadline - time.perf_counter()) * share)
        stop: Any = MaxRuntime(budget)
        if max_iterations is not None:
            stop = MultipleCriteria([MaxIterations(max_iterations), stop])
        report("pyvrp", 0.05)
        res = pyvrp.solve(vrp.data, stop, seed=seed, collect_stats=False, display=False)
        iterations = res.num_iterations
        pyvrp_cost = int(res.best.distance_cost())
        routes = _vrp.pyvrp_routes(vrp, res.best, problem.n_carers)
        logger.debug(
            "PyVRP: %d iterations, cost %s, %d unplanned",
            res.num_iterations,
            pyvrp_cost,
            res.best.num_missing_clients() if hasattr(res.best, "num_missing_clients") else -1,
        )
    else:
        routes = [[] for _ in range(problem.n_carers)]
    report("repair", 0.5)
    state = _repair.initial_state(inst, routes)
    _repair.insert_visits(state, state.unassigned())
    ls_iterations = 0
    if not plain or state.unassigned():
        report("local search", 0.6)
        ls_iterations = _repair.improve(
            state,
            rng,
            deadline=deadline - 0.02 * max_seconds,
            max_iterations=None if max_iterations is None else max(1, max_iterations // 10),
        )
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
