"""The search engine: per-pair continuity prices, preferred starts, small moves, reproducibility."""

from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np
import pytest
import pyvrp
from pyvrp.search import NeighbourhoodParams

from carezones.exceptions import ValidationError
from carezones.routing import Budget, RoutingModel, RoutingParams, solve, solver
from carezones.routing import vrp as _vrp
from carezones.routing.instances import linked_instance
from carezones.routing.search import insert as _insert
from carezones.routing.search import moves as _moves
from carezones.routing.search import repair as _repair
from carezones.routing.search.schedule import NO_PREFERENCE, forward
from carezones.routing.search.state import State
from carezones.routing.vrp import _carer_extras, instance, screen

H = 3600
M = 60


def _two_carers_three_clients(continuity: float = 900.0):
    """Ann and Bob at one home; clients c0, c1, c2 next door; Ann knows c0."""
    m = RoutingModel()
    home = m.add_location()
    places = [m.add_location() for _ in range(3)]
    n = 4
    travel = np.full((n, n), 300)
    np.fill_diagonal(travel, 0)
    p = m.add_profile(travel)
    ann, _ = (
        m.add_carer(home, profile=p, shift_start=7 * H, shift_end=15 * H, name=name)
        for name in ("ann", "bob")
    )
    for i, place in enumerate(places):
        m.add_visit(place, window_start=8 * H, window_end=12 * H, duration=30 * M,
                    client=f"c{i}", name=f"v{i}")  # fmt: skip
    m.add_known_carer("c0", ann)
    return m.compile(RoutingParams(continuity_penalty=continuity))


def _valid(state: State) -> None:
    """Every route re-schedules to its stored starts and every tie in time holds."""
    inst = state.inst
    for c, seq in enumerate(state.routes):
        r = forward(inst, c, seq, state.start)
        assert r is not None and r.starts == state.sched[c].starts
    for t, u, w in inst.constraints:
        if state.where[t] >= 0 and state.where[u] >= 0:
            assert state.start[t] >= state.start[u] + w
    for t, apart in enumerate(inst.t_apart):
        assert state.where[t] < 0 or all(state.where[u] != state.where[t] for u in apart)


def test_pair_cost_prices_continuity_everywhere() -> None:
    """A (client, carer) price replaces the default penalty in the state, the repair and PyVRP."""
    problem = _two_carers_three_clients()
    base = instance(problem, screen(problem))
    inst = replace(base, pair_cost={(0, 1): 5000.0, (1, 0): 0.0})
    assert inst.pair_price(0, 1) == 5000.0 and inst.pair_price(1, 0) == 0.0
    assert inst.pair_price(2, 0) == 900.0  # absent: the continuity penalty
    v0, v1, v2 = (inst.v_tasks[v][0] for v in range(3))
    state = State(inst, [[v1, v2], [v0]])
    assert state.continuity_cost() == pytest.approx(0.0 + 900.0 + 5000.0)
    assert state.continuity_delta(0, 0) == 0.0  # ann knows c0
    assert state.continuity_delta(0, 1) == 0.0  # bob already serves c0
    fresh = State(inst)
    assert fresh.continuity_delta(0, 1) == 5000.0 and fresh.continuity_delta(1, 0) == 0.0
    assert _insert._continuity(fresh, {1: [(0, v0)], 0: [(0, v1)]}) == 5000.0
    _, extra = _carer_extras(inst, list(range(inst.n_tasks)))
    assert extra[1, v0] == 5000 and extra[0, v1] == 0 and extra[0, v2] == 900


def test_pair_cost_steers_the_search() -> None:
    """With Bob priced out of client c0, the search gives c0 to Ann."""
    problem = _two_carers_three_clients(continuity=0.0)
    inst = replace(instance(problem, screen(problem)), pair_cost={(0, 1): 10_000.0})
    v0, v1, v2 = (inst.v_tasks[v][0] for v in range(3))
    state = State(inst, [[v1, v2], [v0]])
    _repair.improve(state, np.random.default_rng(0), deadline=math.inf, max_iterations=30)
    assert state.where[v0] == 0
    assert state.continuity_cost() == 0.0


def test_preferred_start_is_priced_like_lateness() -> None:
    """A start after the preferred one costs ``pref_weight`` a second, in its own account."""
    problem = _two_carers_three_clients(continuity=0.0)
    base = instance(problem, screen(problem))
    assert base.t_pref == [NO_PREFERENCE] * base.n_tasks and base.pref_weight == 0.0
    v0, v1, v2 = (base.v_tasks[v][0] for v in range(3))
    pref = [8 * H, 8 * H, 8 * H]
    inst = replace(base, t_pref=pref, pref_weight=2.0)
    state = State(inst, [[v0, v1, v2], []])
    r = state.sched[0]
    # 08:00, then 08:35, then 09:10: 35 and 70 minutes after the preferred start
    assert r.starts == [8 * H, 8 * H + 35 * M, 8 * H + 70 * M]
    assert r.pref == 105 * M and r.late == 0
    assert state.route_cost(r) == pytest.approx(r.travel + 2.0 * 105 * M)
    # the search splits the visits between the two carers to start each nearer 08:00
    _repair.improve(state, np.random.default_rng(0), deadline=math.inf, max_iterations=30)
    assert sum(x.pref for x in state.sched) < 105 * M
    _valid(state)


def test_try_change_prices_a_preferred_start_exactly() -> None:
    """An insertion's price equals the change of the full evaluation's cost."""
    problem = linked_instance(30, random_state=3)
    base = instance(problem, screen(problem))
    rng = np.random.default_rng(1)
    pref = [ws + int(rng.integers(0, 3600)) for ws in base.t_ws]
    inst = replace(base, t_pref=pref, pref_weight=0.5)
    state = State(inst)
    _repair.insert_visits(state, state.unassigned())
    before = state.cost()
    t = state.routes[0][0] if state.routes[0] else next(x for x in state.routes if x)[0]
    v = inst.t_visit[t]
    unit = inst.v_unit[v]
    state.remove(list(unit))
    assert state.full_evaluate()
    removed = state.cost()
    assert _repair.insert_visit(state, v)
    inserted = state.cost()
    assert state.full_evaluate()
    assert state.cost() == pytest.approx(inserted)
    assert inserted <= before + 1e-6 or removed < before  # sanity: a real change was priced


def test_small_moves_keep_every_tie_and_are_priced_exactly() -> None:
    """Relocate, swap and 2-opt* on a linked instance: ties hold, prices add up to the cost."""
    problem = linked_instance(40, homes=True, random_state=2)
    inst = instance(problem, screen(problem))
    state = State(inst)
    _repair.insert_visits(state, state.unassigned())
    near = _moves.near_tasks(inst, _repair.neighbours(inst), 8)
    eligible = [set(e) for e in inst.t_eligible]
    rng = np.random.default_rng(0)
    cost = state.cost()
    accepted = 0
    for _ in range(400):
        tasks = [t for t, c in enumerate(state.where) if c >= 0]
        t = tasks[int(rng.integers(len(tasks)))]
        u = near[t][int(rng.integers(len(near[t])))]
        kind = int(rng.integers(3))
        if kind == 0:
            got = _moves.relocate(state, t, near[t], eligible, 3, rng)
        elif kind == 1:
            got = _moves.swap(state, t, u, eligible)
        else:
            got = _moves.two_opt_star(state, t, u, eligible)
        if got is None or got[0] > 1800:
            continue
        delta, seqs, (_, new, starts) = got
        state.commit(seqs, new, starts)
        cost += delta
        accepted += 1
        _valid(state)
        assert state.cost() == pytest.approx(cost)
    assert accepted > 10
    priced = state.cost()
    assert state.full_evaluate() and state.cost() <= priced + 1e-6


def test_a_limit_stops_pricing_only_changes_that_cannot_come_under_it() -> None:
    """``try_change`` with a limit: the same answer under it, None only at or above it.

    And a route priced once without the task it loses (``schedule_without``, as relocate
    does for every place on another carer) gives the same answer as pricing it each time.
    """
    problem = linked_instance(60, homes=True, random_state=7)
    inst = instance(problem, screen(problem))
    state = State(inst)
    _repair.insert_visits(state, state.unassigned())
    rng = np.random.default_rng(0)
    cut = kept = 0
    for _ in range(800):
        tasks = [t for t, c in enumerate(state.where) if c >= 0]
        t = tasks[int(rng.integers(len(tasks)))]
        c1, c2 = state.where[t], int(rng.choice(inst.t_eligible[t]))
        if c2 == c1:
            continue
        seq1, seq2 = state.routes[c1], state.routes[c2]
        i, pos = seq1.index(t), int(rng.integers(len(seq2) + 1))
        rest1 = seq1[:i] + seq1[i + 1 :]
        changes = {c1: (rest1, i, -1), c2: ([*seq2[:pos], t, *seq2[pos:]], pos, 1)}
        full = state.try_change(changes)
        if full is None:
            continue
        extra = float(rng.uniform(0, 600))
        limit = full[0] + extra + float(rng.uniform(-900, 900))
        got = state.try_change(changes, limit=limit, extra=extra)
        if full[0] + extra < limit:
            assert got is not None and (got[0], got[2]) == (full[0], full[2])
            kept += 1
        elif got is None:
            cut += 1
        else:
            assert (got[0], got[2]) == (full[0], full[2])
        left = state.schedule_without(c1, rest1, i)
        assert left is not None
        again = state.try_change(changes, {c1: left})
        assert again is not None and (again[0], again[2]) == (full[0], full[2])
    assert cut > 20 and kept > 20


def test_iteration_stop_gives_the_same_plan_twice() -> None:
    """Same seed and iterations: the same routes, starts and objective, to the byte."""
    problem = linked_instance(40, homes=True, random_state=4)
    one = solve(problem, budget=Budget(max_iterations=60, max_seconds=600), random_state=3)
    two = solve(problem, budget=Budget(max_iterations=60, max_seconds=600), random_state=3)
    assert one.routes.to_csv() == two.routes.to_csv()
    assert one.objective == two.objective
    assert one.validate().empty


two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores (searches=2)")


@two_cores
def test_searches_side_by_side_keep_the_best_of_their_seeds() -> None:
    """``searches=2``: search 0 from the seed, search 1 from the seed + 1, the better kept.

    On iterations each search is the one-process solve from its own seed, so the plan is
    the better of those two plans (fewest left out, then cost), the same every run.
    """
    problem = linked_instance(40, homes=True, random_state=2)
    budget = Budget(max_iterations=40, max_seconds=600)
    both = solve(problem, budget=budget, random_state=5, searches=2)
    again = solve(problem, budget=budget, random_state=5, searches=2)
    alone = [solve(problem, budget=budget, random_state=s) for s in (5, 6)]
    assert both.routes.to_csv() == again.routes.to_csv()
    best = min(alone, key=lambda r: (len(r.unscheduled), r.objective))
    assert both.objective == best.objective
    assert both.routes.to_csv() == best.routes.to_csv()
    searches = both.extra["searches"]
    assert [s["seed"] for s in searches] == [5, 6]
    assert [s["objective"] for s in searches] == [r.objective for r in alone]
    assert [s["kept"] for s in searches].count(True) == 1
    assert not any(s["moves"] for s in searches)  # iterations: ruin and recreate alone
    assert both.validate().empty


@two_cores
def test_on_a_time_budget_every_second_search_is_ruin_and_recreate_alone() -> None:
    """The searches differ in kind on a time budget: the small moves, then none."""
    problem = linked_instance(20, random_state=1)
    got = solve(problem, budget=Budget(max_iterations=None, max_seconds=1.5), random_state=0,
                searches=2)  # fmt: skip
    assert [s["moves"] for s in got.extra["searches"]] == [True, False]
    assert solver.search_params(None, alone=True).moves == 0 < solver.search_params(None).moves
    kept = next(s for s in got.extra["searches"] if s["kept"])
    assert kept["objective"] == min(s["objective"] for s in got.extra["searches"])
    assert got.validate().empty


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_solve_refuses_bad_searches_by_name(bad) -> None:
    with pytest.raises(ValidationError, match="searches"):
        solve(linked_instance(5, random_state=0), budget=Budget(max_iterations=5), searches=bad)


def test_search_params_zero_moves_is_ruin_and_recreate_alone() -> None:
    """``moves=0`` turns the small moves off; the search still improves and keeps the rules."""
    problem = linked_instance(30, random_state=5)
    inst = instance(problem, screen(problem))
    state = State(inst)
    _repair.insert_visits(state, state.unassigned())
    before = state.cost()
    params = _repair.SearchParams(moves=0)
    _repair.improve(state, np.random.default_rng(0), deadline=math.inf, max_iterations=40,
                    params=params)  # fmt: skip
    assert state.cost() <= before
    _valid(state)


def test_a_deadline_ends_an_iteration_stopped_search_early_and_says_so(caplog) -> None:
    """The time cap only cuts the search short: fewer iterations, and an INFO message."""
    problem = linked_instance(20, random_state=6)
    inst = instance(problem, screen(problem))
    state = State(inst)
    _repair.insert_visits(state, state.unassigned())
    with caplog.at_level("INFO", logger="carezones.routing"):
        its = _repair.improve(state, np.random.default_rng(0), deadline=0.0, max_iterations=50)
    assert its < 50
    assert "stopped on time" in caplog.text
    _valid(state)


def test_pyvrp_runs_with_the_settings_in_pyvrp_params(monkeypatch):
    """Both PyVRP runs of a solve take :data:`vrp.PYVRP_PARAMS` (the tuned settings' one home)."""
    seen = []
    real = pyvrp.solve

    def spy(*args, **kwargs):
        seen.append(kwargs.get("params"))
        return real(*args, **kwargs)

    mine = pyvrp.SolveParams(neighbourhood=NeighbourhoodParams(num_neighbours=7))
    monkeypatch.setattr(_vrp, "PYVRP_PARAMS", mine)
    monkeypatch.setattr(_vrp.pyvrp, "solve", spy)
    result = solve(linked_instance(20, random_state=1), budget=Budget(max_iterations=30),
                   random_state=0)  # fmt: skip
    assert result.unscheduled.empty
    assert len(seen) == 2 and all(p is mine for p in seen)  # first run and second round


def test_pyvrp_keeps_its_own_defaults():
    """The tuning run (bench_routing.py --tune-pyvrp) kept PyVRP's defaults: pinned here."""
    assert _vrp.PYVRP_PARAMS == pyvrp.SolveParams()
