"""Repair and local search, priced by the full schedule evaluation of :mod:`.schedule`.

- :func:`initial_state` and :func:`insert_visits` (from :mod:`.insert`) build a feasible
  solution from PyVRP's routes and put visits back at their cheapest feasible places.
- :func:`improve` is a simulated annealing over several neighbourhoods until the
  deadline or the iterations: each iteration ruins part of the solution (related, string
  or random removals) and recreates it (cheapest reinsertion, trying first the carers of
  each task's nearest tasks), then makes small moves between carers (relocate a task or
  one half of a link, swap two tasks, 2-opt*: :mod:`~carezones.routing.search.moves`),
  every change kept or undone by one acceptance rule. The published methods on this class
  (home care routing with synchronised and ordered double visits, Mankowska, Meisel and
  Bierwirth 2014) are of this kind: adaptive variable neighbourhood search, iterated
  local search with random neighbourhood descent (Labadie, Prins and Yang 2014),
  multi-neighbourhood simulated annealing; the weights and the temperature here come
  from a tuning run (:class:`SearchParams`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from carezones.routing.search import moves as _moves
from carezones.routing.search.insert import Carers, initial_state, insert_visit, insert_visits
from carezones.routing.search.schedule import Instance
from carezones.routing.search.state import State

__all__ = [
    "SearchParams",
    "improve",
    "initial_state",
    "insert_visit",
    "insert_visits",
    "neighbours",
]

logger = logging.getLogger("carezones.routing")


def neighbours(inst: Instance, k: int = 30) -> list[list[int]]:
    """Visits related to each visit: near in travel time and in time of day."""
    servable = [v for v, ts in enumerate(inst.v_tasks) if ts]
    out: list[list[int]] = [[] for _ in inst.v_tasks]
    if len(servable) < 2:
        return out
    loc = np.array([inst.t_loc[inst.v_tasks[v][0]] for v in servable])
    ws = np.array([inst.t_ws[inst.v_tasks[v][0]] for v in servable], dtype=float)
    tables = {id(T): T for T in inst.c_T}
    dist = None
    for T in tables.values():
        sub = np.asarray(T, dtype=float)[np.ix_(loc, loc)]
        dist = sub if dist is None else np.minimum(dist, sub)
    assert dist is not None
    related = dist + dist.T + 0.5 * np.abs(ws[:, None] - ws[None, :])
    np.fill_diagonal(related, np.inf)
    kk = min(k, len(servable) - 1)
    nearest = np.argsort(related, axis=1)[:, :kk]
    for i, v in enumerate(servable):
        out[v] = [servable[j] for j in nearest[i]]
    return out


def _ruin(
    state: State,
    rng: np.random.Generator,
    near: list[list[int]],
    assigned: list[int],
    most: int = 16,
) -> list[int]:
    inst = state.inst
    n = len(assigned)
    q = int(rng.integers(2, max(3, min(most, n // 3 + 2))))
    kind = rng.random()
    chosen: list[int] = []
    if kind < 0.5:  # related: a seed and its nearest assigned neighbours
        seed = assigned[int(rng.integers(n))]
        chosen = [seed]
        for w in near[seed]:
            if len(chosen) >= q:
                break
            if all(state.where[t] >= 0 for t in inst.v_unit[w]):
                chosen.append(w)
    elif kind < 0.8:  # strings from the routes of a seed's neighbours
        seed = assigned[int(rng.integers(n))]
        routes = []
        for w in [seed, *near[seed]]:
            c = state.where[inst.v_tasks[w][0]] if inst.v_tasks[w] else -1
            if c >= 0 and c not in routes:
                routes.append(c)
            if len(routes) >= 3:
                break
        for c in routes:
            seq = state.routes[c]
            if not seq:
                continue
            length = int(rng.integers(1, min(len(seq), max(2, q // len(routes) + 1)) + 1))
            first = int(rng.integers(0, len(seq) - length + 1))
            chosen.extend(inst.t_visit[t] for t in seq[first : first + length])
    else:  # random
        chosen = [assigned[i] for i in rng.choice(n, size=min(q, n), replace=False)]
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class SearchParams:
    """How :func:`improve` searches: its neighbourhoods' weights and its temperature.

    The defaults come from the tuning run of ``benchmarks/bench_routing.py --tune`` on
    generated linked instances (:func:`~carezones.routing.instances.linked_instance`),
    the local search alone from one start per instance, every setting for the same CPU
    seconds (2026-12-06, a shared 2-core machine, load 5-8). Round 1, 8 CPU s, 7
    instances of 100-300 visits, one setting changed at a time from 40 moves, temperature
    0.1, insert_near 6: mean gap to the best setting per instance 0.92% with
    insert_near 0 (every eligible carer), 1.35% without moves, 1.40% relocate 0.7 / swap
    0.15, 1.77% the base, 1.79% temperature 0.3, 2.06% 20 moves, 2.25% max_ruin 8, 2.37%
    temperature 0.03, 2.65% 80 moves. Round 2, 15 CPU s, 3 instances each of 200 and 300
    visits, insert_near 0: temperature 0.3 with 40 moves 0.18% (200) and 1.08% (300);
    relocate 0.7 / swap 0.15 1.00% and 1.63%; temperature 0.3 without moves 1.70% and
    2.38%; 0.1 without moves 1.93% and 2.81%; 0.1 with 40 moves 1.98% and 2.24%. The
    defaults are round 2's best. Round 3 (2026-12-07, after moves that cannot beat the
    best place stopped being priced: about 1.45 times the iterations per CPU second; 15
    CPU s, 3 instances each of 200 and 300 visits, load 0.9-2.0): the defaults 1.62%
    (200) and 0.82% (300); 80 moves 0.19% and 1.45%; 60 moves with max_ruin 24 1.76%
    and 1.31%; 120 moves 1.97% and 1.76%; 80 moves with relocate_tries 5 1.60% and
    2.77%; 80 moves with ruin_share 0.5 2.38% and 2.58%: no setting better at both
    sizes, the defaults kept. Change them only with the figures of a new run.

    Parameters
    ----------
    moves
        Small moves (:mod:`~carezones.routing.search.moves`) after each ruin and
        recreate; 0: ruin and recreate alone (the search before issue 29).
    ruin_share
        Probability that an iteration starts with a ruin and recreate.
    relocate, swap
        Shares of the small moves that relocate one task and that swap two; the rest
        are 2-opt* moves.
    relocate_tries
        Near tasks a relocation tries (both sides of each), the best place kept.
    near
        Nearest visits (travel time and time of day) a move may pair a task with.
    temperature
        Starting temperature of the annealing, as a share of the cost per task of the
        first solution; it falls linearly to 0 over the iterations (or the time).
    max_ruin
        The most visits one ruin takes out.
    insert_near
        Recreate tries, for each task, the carers of its ``insert_near`` nearest tasks and
        those the ruin took tasks from (0: every eligible carer).
    """

    moves: int = 40
    ruin_share: float = 1.0
    relocate: float = 0.5
    swap: float = 0.25
    relocate_tries: int = 3
    near: int = 12
    temperature: float = 0.3
    max_ruin: int = 16
    insert_near: int = 0


def _small_moves(
    state: State,
    rng: np.random.Generator,
    params: SearchParams,
    near: list[list[int]],
    eligible: list[set[int]],
    temp: float,
) -> float:
    """``params.moves`` small moves under the annealing rule; return the cost after."""
    tasks = [t for t, c in enumerate(state.where) if c >= 0]
    if not tasks:
        return state.cost()
    linked = state.inst.t_linked
    n = len(tasks)
    draws = rng.random((params.moves, 3))
    for k in range(params.moves):
        t = tasks[int(draws[k, 0] * n)]
        kind = draws[k, 1]
        if kind < params.relocate:
            got = _moves.relocate(state, t, near[t], eligible, params.relocate_tries, rng)
        else:
            cands = near[t]
            if not cands:
                continue
            u = cands[int(draws[k, 2] * len(cands))]
            if state.where[u] < 0:
                continue
            if kind < params.relocate + params.swap:
                got = _moves.swap(state, t, u, eligible)
            else:
                got = _moves.two_opt_star(state, t, u, eligible)
        if got is None:
            continue
        delta, seqs, (_, new, starts) = got
        if delta < -1e-9 or (temp > 0 and rng.random() < math.exp(-max(delta, 0.0) / temp)):
            # A tied task starting earlier may let the tasks tied to it start earlier
            # too: the full evaluation finds the earliest schedule again.
            start = state.start
            earlier = any(linked[x] and s < start[x] for x, s in starts.items())
            snap = state.snapshot() if earlier else None
            state.commit(seqs, new, starts)
            if snap is not None and not state.full_evaluate():
                state.restore(snap)
    return state.cost()


def improve(
    state: State,
    rng: np.random.Generator,
    *,
    deadline: float,
    max_iterations: int | None = None,
    progress: Callable[[int], None] | None = None,
    params: SearchParams | None = None,
) -> int:
    """Search until the deadline (``time.perf_counter()``); return the iterations run.

    Each iteration ruins and recreates part of the solution, then makes
    ``params.moves`` small moves (relocate, swap, 2-opt*), every change accepted by one
    simulated-annealing rule. With ``max_iterations`` the cooling follows the iterations
    alone, so the same inputs give the same plan however loaded the machine; the
    deadline then only ends the search early, and says so (an INFO message on the
    ``carezones.routing`` logger; fewer iterations returned than asked for).
    """
    params = params or SearchParams()
    inst = state.inst
    near_visits = neighbours(inst)
    current = state.cost()
    best = current
    best_snap = state.snapshot()
    n_servable = sum(1 for ts in inst.v_tasks if ts)
    if n_servable < 2:
        return 0
    near = _moves.near_tasks(inst, near_visits, params.near)
    eligible = [set(e) for e in inst.t_eligible]
    served = max(1, sum(1 for c in state.where if c >= 0))
    scale = max(current - inst.unscheduled_penalty * len(state.unassigned()), 1.0) / served
    temp0 = params.temperature * scale
    start = time.perf_counter()
    span = max(deadline - start, 1e-9)
    it = 0
    while time.perf_counter() < deadline and (max_iterations is None or it < max_iterations):
        it += 1
        # With an iteration stop the cooling follows the iterations alone, so the same
        # inputs give the same answer however fast the machine is.
        done = (
            it / max_iterations
            if max_iterations is not None
            else (time.perf_counter() - start) / span
        )
        temp = temp0 * max(0.0, 1.0 - done)
        if rng.random() < params.ruin_share:
            current = _ruin_and_recreate(state, rng, near_visits, near, params, temp, current)
        if params.moves:
            current = _small_moves(state, rng, params, near, eligible, temp)
        if current < best - 1e-9:
            best = current
            best_snap = state.snapshot()
        if progress is not None and it % 50 == 0:
            progress(it)
    if max_iterations is not None and it < max_iterations:
        # The deadline cut an iteration-stopped search short: another run may differ.
        logger.info("local search stopped on time after %d of %d iterations", it, max_iterations)
    state.restore(best_snap)
    return it


def _near_carers(state: State, tasks: list[int], near: list[list[int]], k: int) -> Carers:
    """Per task, the carers to try first: of its ``k`` nearest tasks, of the tasks taken out.

    Carers with an empty day are tried too (no near task can name them).
    """
    if k <= 0:
        return None
    where = state.where
    inst = state.inst
    routes = state.routes
    out_of = {where[t] for t in tasks}
    got: dict[int, list[int]] = {}
    for t in tasks:
        mine = out_of | {where[u] for u in near[t][:k]}
        got[t] = [c for c in inst.t_eligible[t] if c in mine or not routes[c]]
    return got


def _ruin_and_recreate(
    state: State,
    rng: np.random.Generator,
    near: list[list[int]],
    near_tasks: list[list[int]],
    params: SearchParams,
    temp: float,
    current: float,
) -> float:
    """One ruin and recreate, kept under the annealing rule; return the cost after."""
    inst = state.inst
    assigned = [
        v for v, ts in enumerate(inst.v_unit) if ts and all(state.where[t] >= 0 for t in ts)
    ]
    if not assigned:
        return current
    snap = state.snapshot()
    removed = _ruin(state, rng, near, assigned, params.max_ruin)
    tasks = list(dict.fromkeys(t for v in removed for t in inst.v_unit[v]))
    carers = _near_carers(state, tasks, near_tasks, params.insert_near)
    state.remove(tasks)
    if not state.full_evaluate():
        state.restore(snap)
        return current
    insert_visits(state, state.unassigned(), rng, carers)
    cost = state.cost()
    if cost < current - 1e-9 or (temp > 0 and rng.random() < math.exp(-(cost - current) / temp)):
        return cost
    state.restore(snap)
    return current
