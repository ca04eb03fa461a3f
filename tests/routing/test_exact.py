"""The solver against an exact MIP (HiGHS) on small generated instances with linked visits."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from carezones import ValidationError
from carezones.routing import Budget, RoutingModel, RoutingParams, solve
from carezones.routing.exact import _optimum, exact_optimum
from carezones.routing.instances import linked_instance
from carezones.routing.vrp import instance, screen

CASES = [(8, False, 0), (10, False, 1), (10, True, 2), (12, False, 3), (12, True, 4), (9, True, 5)]


def test_solve_matches_the_exact_optimum_on_most_small_instances() -> None:
    """On six instances of 8-12 visits with links, the gap to the MIP optimum is 0 on most."""
    gaps = []
    for n, homes, seed in CASES:
        problem = linked_instance(n, n_carers=3, homes=homes, random_state=seed)
        problem = problem.with_params(replace(problem.params, max_lateness_penalty=0.0))
        exact = exact_optimum(problem, time_limit=60)
        assert exact.status == "optimal"
        result = solve(problem, budget=Budget(max_iterations=300, max_seconds=10), random_state=0)
        assert result.unscheduled.empty and result.validate().empty
        assert result.objective >= exact.objective - 1e-6 * max(1.0, exact.objective)
        gaps.append((result.objective - exact.objective) / exact.objective)
    assert sum(g <= 1e-6 for g in gaps) >= len(gaps) - 1, gaps
    assert max(gaps) < 0.05, gaps


def test_the_exact_routes_are_those_it_prices() -> None:
    """Two visits, one carer: the MIP visits both and prices the round trip."""
    m = RoutingModel()
    home, a, b = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 300, 600], [300, 0, 300], [600, 300, 0]]))
    m.add_carer(home, profile=p, shift_start=0, shift_end=7200, name="ann")
    m.add_visit(a, window_start=0, latest_start=3600, duration=600, name="a")
    m.add_visit(b, window_start=0, latest_start=3600, duration=600, name="b")
    got = exact_optimum(m.compile(RoutingParams(start_step=1)))
    assert got.status == "optimal" and got.objective == pytest.approx(1200)
    assert sorted(got.routes[0]) == ["a", "b"]


def test_exact_refuses_rules_it_does_not_model() -> None:
    """Breaks are not in the MIP: asking for them is an error, not a wrong optimum."""
    m = RoutingModel()
    home = m.add_location()
    p = m.add_profile(np.zeros((1, 1)))
    m.add_carer(home, profile=p, break_duration=1800, break_start=0, break_end=7200)
    m.add_visit(home, duration=60)
    with pytest.raises(ValidationError):
        exact_optimum(m.compile())


def test_the_exact_optimum_prices_preferred_starts() -> None:
    """With starts after 08:00 priced, the MIP splits two 08:00 calls between two carers."""
    m = RoutingModel()
    home, a, b = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 300, 300], [300, 0, 300], [300, 300, 0]]))
    for name in ("ann", "bob"):
        m.add_carer(home, profile=p, shift_start=0, shift_end=86_000, name=name)
    for place, name in ((a, "a"), (b, "b")):
        m.add_visit(place, window_start=8 * 3600, window_end=12 * 3600, duration=1800, name=name)
    problem = m.compile()
    inst = instance(problem, screen(problem))
    plain = _optimum(problem, inst, 60)
    assert plain.status == "optimal" and plain.objective == pytest.approx(900)  # one carer
    pref = replace(inst, t_pref=[8 * 3600, 8 * 3600], pref_weight=1.0)
    got = _optimum(problem, pref, 60)
    assert got.status == "optimal" and got.objective == pytest.approx(1200)  # two carers
    assert all(len(r) == 1 for r in got.routes)
