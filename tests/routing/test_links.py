"""Linked visits: simultaneous pairs with different skills, ordered pairs with gaps, chains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carezones import ValidationError
from carezones.routing import (
    Budget,
    RoutingModel,
    RoutingParams,
    RoutingProblem,
    solve,
    validate_plan,
)
from carezones.routing.instances import linked_instance
from carezones.routing.search.state import State
from carezones.routing.vrp import instance, screen

H = 3600
M = 60


def line(n: int, seconds: int) -> np.ndarray:
    """Travel seconds between n places on a line, ``seconds`` apart."""
    return np.abs(np.subtract.outer(np.arange(n), np.arange(n))) * seconds


def quick(problem: RoutingProblem, **kwargs: object):
    kwargs.setdefault("budget", Budget(max_iterations=200, max_seconds=5.0))
    kwargs.setdefault("random_state", 0)
    return solve(problem, **kwargs)


def starts(result) -> dict[str, float]:
    return result.routes.groupby("visit_id")["start"].min().to_dict()


def carers_of(result, visit: str) -> list[str]:
    return sorted(result.routes.loc[result.routes["visit_id"] == visit, "carer_id"])


def test_simultaneous_pair_with_different_skills_goes_to_one_carer_of_each_kind() -> None:
    """A nurse's half and a carer's half start together, one with the nurse, one with a carer."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 600], [600, 0]]))
    day = dict(shift_start=7 * H, shift_end=14 * H)
    m.add_carer(home, profile=p, skills="nurse", name="nina", **day)
    m.add_carer(home, profile=p, skills="hoist", name="ann", **day)
    m.add_carer(home, profile=p, skills="hoist", name="bob", **day)
    at8 = dict(window_start=8 * H, latest_start=9 * H, duration=30 * M, client="c1")
    dressing = m.add_visit(client, skills="nurse", name="dressing", **at8)
    transfer = m.add_visit(client, skills="hoist", name="transfer", **at8)
    m.add_link(dressing, transfer)
    result = quick(m.compile())
    assert carers_of(result, "dressing") == ["nina"]
    assert carers_of(result, "transfer")[0] in ("ann", "bob")
    s = starts(result)
    assert s["dressing"] == s["transfer"]
    assert result.validate().empty


def test_double_up_names_each_carers_skills() -> None:
    """``carers_needed=2`` with ``"hoist | hoist;peg"``: one of the two carers has PEG."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 600], [600, 0]]))
    day = dict(shift_start=7 * H, shift_end=14 * H)
    m.add_carer(home, profile=p, skills="hoist", name="ann", **day)
    m.add_carer(home, profile=p, skills="hoist", name="bob", **day)
    m.add_carer(home, profile=p, skills="hoist;peg", name="pat", **day)
    m.add_visit(client, window_start=8 * H, latest_start=9 * H, duration=30 * M, carers_needed=2,
                skills="hoist | hoist;peg", name="v")  # fmt: skip
    problem = m.compile()
    result = quick(problem)
    got = carers_of(result, "v")
    assert len(got) == 2 and "pat" in got
    assert result.validate().empty
    # with PEG asked of both carers, nobody but pat qualifies: unscheduled, with the reason
    m2 = RoutingModel()
    home, client = m2.add_location(), m2.add_location()
    p = m2.add_profile(np.array([[0, 600], [600, 0]]))
    for name, skills in (("ann", "hoist"), ("pat", "hoist;peg")):
        m2.add_carer(home, profile=p, skills=skills, name=name, **day)
    m2.add_visit(client, window_start=8 * H, latest_start=9 * H, duration=30 * M, carers_needed=2,
                 skills="hoist;peg | peg", name="v")  # fmt: skip
    result = quick(m2.compile())
    assert result.routes.empty
    assert "double-handed" in result.unscheduled["reason"].iloc[0]


def test_ordered_pair_keeps_its_gap_when_the_first_visit_is_late() -> None:
    """Soft windows: the breakfast call starts late, the second call still keeps 4-5 hours."""
    m = RoutingModel()
    home, far = m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 3600], [3600, 0]]))
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=20 * H, name="ann")
    first = m.add_visit(far, window_start=7 * H, latest_start=7 * H + 15 * M, duration=20 * M,
                        client="c1", name="breakfast")  # fmt: skip
    second = m.add_visit(far, window_start=7 * H, latest_start=11 * H + 30 * M, duration=15 * M,
                         client="c1", name="pills")  # fmt: skip
    m.add_link(first, second, min_gap=4 * H, max_gap=5 * H, different_carers=False)
    result = quick(m.compile(RoutingParams(time_windows="soft")))
    s = starts(result)
    assert s["breakfast"] == pytest.approx(8 * 60)  # an hour's walk: 45 minutes late
    assert 240 <= s["pills"] - s["breakfast"] <= 300
    assert s["pills"] == pytest.approx(12 * 60)  # 30 min late: the earliest the gap allows
    assert result.validate().empty


def test_chain_of_links_across_three_carers() -> None:
    """Nurse, then carer 30-45 min later, then a second carer with them: three carers, in step."""
    m = RoutingModel()
    locs = [m.add_location() for _ in range(4)]
    p = m.add_profile(line(4, 600))
    day = dict(shift_start=7 * H, shift_end=15 * H)
    m.add_carer(locs[0], profile=p, skills="nurse", name="nina", **day)
    m.add_carer(locs[0], profile=p, skills="care", name="cara", **day)
    m.add_carer(locs[3], profile=p, skills="hoist", name="hal", **day)
    w = dict(window_start=8 * H, latest_start=11 * H, client="c1")
    dressing = m.add_visit(locs[2], skills="nurse", duration=20 * M, name="dressing", **w)
    care = m.add_visit(locs[2], skills="care", duration=30 * M, name="care", **w)
    lift = m.add_visit(locs[2], skills="hoist", duration=30 * M, name="lift", **w)
    m.add_link(dressing, care, min_gap=30 * M, max_gap=45 * M)
    m.add_link(care, lift)
    # hal is busy at his home until 09:40, which pushes lift, care and the dressing
    m.add_visit(locs[3], window_start=9 * H, latest_start=9 * H, duration=30 * M, skills="hoist",
                client="c2", name="early")  # fmt: skip
    result = quick(m.compile())
    s = starts(result)
    assert result.unscheduled.empty
    assert carers_of(result, "lift") == ["hal"] and carers_of(result, "care") == ["cara"]
    assert s["care"] == s["lift"] >= 9 * 60 + 40
    assert 30 <= s["care"] - s["dressing"] <= 45
    assert result.validate().empty


def _deadlock_model() -> RoutingModel:
    """Two carers and two simultaneous pairs at x (08:00-10:00) and y (08:00-10:00)."""
    m = RoutingModel()
    home, x, y = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 600, 600], [600, 0, 600], [600, 600, 0]]))
    for name in ("ann", "bob"):
        m.add_carer(home, profile=p, shift_start=7 * H, shift_end=13 * H, name=name)
    for place, name in ((x, "x"), (y, "y")):
        a = m.add_visit(place, window_start=8 * H, latest_start=10 * H, duration=60 * M,
                        client=name, name=f"{name}1")  # fmt: skip
        b = m.add_visit(place, window_start=8 * H, latest_start=10 * H, duration=60 * M,
                        client=name, name=f"{name}2")  # fmt: skip
        m.add_link(a, b)
    return m


def test_a_deadlock_is_detected_and_avoided() -> None:
    """Ann x then y, Bob y then x: each waits for the other; the schedule is infeasible."""
    problem = _deadlock_model().compile()
    inst = instance(problem, screen(problem))
    x1, x2, y1, y2 = (inst.v_tasks[v][0] for v in range(4))
    deadlocked = State(inst, [[x1, y1], [y2, x2]])
    assert not deadlocked.feasible
    fine = State(inst, [[x1, y1], [x2, y2]])
    assert fine.feasible and fine.start[x1] == fine.start[x2] < fine.start[y1]
    result = quick(problem)
    assert result.unscheduled.empty and result.is_feasible()
    s = starts(result)
    assert s["x1"] == s["x2"] and s["y1"] == s["y2"] and s["x1"] != s["y1"]
    assert result.validate().empty


def test_an_unsatisfiable_link_leaves_both_visits_unscheduled_with_the_reason() -> None:
    """Windows too far apart for the gap, or one carer for a pair needing two: both left out."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 600], [600, 0]]))
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=20 * H, name="ann")
    a = m.add_visit(client, window_start=8 * H, latest_start=9 * H, duration=900, name="a")
    b = m.add_visit(client, window_start=10 * H, latest_start=11 * H, duration=900, name="b")
    m.add_link(a, b, min_gap=4 * H, max_gap=5 * H, different_carers=False)
    c = m.add_visit(client, window_start=8 * H, latest_start=18 * H, duration=900, name="c")
    d = m.add_visit(client, window_start=8 * H, latest_start=18 * H, duration=900, name="d")
    m.add_link(c, d)  # together, two carers: only ann works
    result = quick(m.compile())
    reasons = dict(zip(result.unscheduled["visit_id"], result.unscheduled["reason"], strict=True))
    assert set(reasons) == {"a", "b", "c", "d"}
    assert "gap" in reasons["a"] and "gap" in reasons["b"]
    assert "different carers" in reasons["c"] and "different carers" in reasons["d"]
    assert result.routes.empty
    assert result.validate().empty


def test_bad_links_are_listed_at_once() -> None:
    """A negative gap, min above max and a visit linked to itself are all reported."""
    m = RoutingModel()
    home = m.add_location()
    p = m.add_profile(np.zeros((1, 1)))
    m.add_carer(home, profile=p)
    a, b = m.add_visit(home), m.add_visit(home)
    m.add_link(a, b, min_gap=-5, max_gap=10)
    m.add_link(a, b, min_gap=20, max_gap=10)
    m.add_link(a, a)
    with pytest.raises(ValidationError) as err:
        m.compile()
    assert len(err.value.problems) == 3


def test_max_lateness_penalty_trades_total_lateness_for_the_worst_case() -> None:
    """Pricing the worst lateness: 80 late minutes in all, none over 50 (not 60 and 60)."""
    m = RoutingModel()
    home, door = m.add_location(), m.add_location()
    p = m.add_profile(np.zeros((2, 2)))
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=14 * H, name="ann")
    for name, dur, due in (("a", 30, 40), ("b", 60, 0), ("c", 30, 20)):
        m.add_visit(door, window_start=8 * H, latest_start=8 * H + due * M, duration=dur * M,
                    client="c1", name=name)  # fmt: skip
    soft = dict(time_windows="soft", max_lateness_minutes=None, continuity_penalty=0.0)
    total = quick(m.compile(RoutingParams(**soft)))
    worst = quick(m.compile(RoutingParams(**soft, max_lateness_penalty=1000.0)))
    assert total.routes["late"].sum() == pytest.approx(60)
    assert total.routes["late"].max() == pytest.approx(60)
    assert worst.routes["late"].sum() == pytest.approx(80)
    assert worst.routes["late"].max() == pytest.approx(50)
    assert worst.objective == pytest.approx(80 * 300 + 50 * 1000)
    assert worst.validate().empty


def test_max_lateness_minutes_none_needs_soft_windows() -> None:
    """Unlimited lateness only makes sense with soft windows."""
    with pytest.raises(ValidationError):
        RoutingParams(max_lateness_minutes=None)
    assert RoutingParams(time_windows="soft", max_lateness_minutes=None).lateness_allowed == 86400


def test_validator_catches_link_violations_in_a_users_rota() -> None:
    """A rota that breaks each link rule, and one half-skill mismatch, is caught rule by rule."""
    visits = pd.DataFrame(
        {
            "visit_id": ["am", "pm", "lift"],
            "client_id": ["c1", "c1", "c1"],
            "window_start": [480, 480, 600],
            "window_end": [540, 1200, 660],
            "duration": [30, 30, 30],
            "carers_needed": [1, 1, 2],
            "skills": ["", "", "hoist | hoist;peg"],
            "link_id": ["m", "m", None],
            "link_role": ["first", "second", None],
            "min_gap": [None, 240, None],
            "max_gap": [None, 300, None],
            "different_carers": [None, True, None],
        }
    )
    carers = pd.DataFrame({"carer_id": ["ann", "bob"], "mode": "walk", "shift_start": 420,
                           "shift_end": 1320, "skills": ["hoist", "hoist"]})  # fmt: skip
    places = ["ann", "bob", "c1"]
    walk = pd.DataFrame(0.0, index=places, columns=places)
    routes = pd.DataFrame({"carer_id": ["ann", "ann", "ann", "bob"],
                           "visit_id": ["am", "pm", "lift", "lift"],
                           "start": [480, 700, 600, 600], "end": [510, 730, 630, 630]})  # fmt: skip
    found = validate_plan(routes, visits, carers, travel={"walk": walk})
    rules = set(found["rule"])
    assert {"link gap", "link same carer", "skill"} <= rules
    assert found.loc[found["rule"] == "skill", "detail"].tolist() == ["lacks peg"]


def test_a_pattern_with_a_follow_up_is_routed_with_its_gap_from_tables() -> None:
    """``"..., then 240-300 minutes later 15"`` expands to a linked pair the router keeps."""
    import geopandas as gpd

    from carezones.demand import expand_visits
    from carezones.routing import build_problem
    from conftest import grid_network

    town = grid_network(4, 400.0, modes=("walk",))
    x0, y0 = 530_000.0, 180_000.0
    clients = gpd.GeoDataFrame(
        {"client_id": ["c1", "c2"], "weekly_hours": [None, None],
         "pattern": ["mon 07:00-08:00 30, then 240-300 minutes later 15", "mon 12:00-13:00 30"],
         "carers_needed": [1, 2], "skills": ["", "hoist | hoist;peg"], "virtual_ok": False},
        geometry=gpd.points_from_xy([x0 + 400, x0 + 800], [y0, y0 + 400]), crs=27700,
    )  # fmt: skip
    visits = expand_visits(clients, days="monday")
    assert visits.set_index("visit_id").loc["c1-mon-0700-then", "link_role"] == "second"
    carers = gpd.GeoDataFrame(
        {"carer_id": ["ann", "bob", "pat"], "mode": "walk", "shift_start": 420,
         "shift_end": 1200, "max_minutes": 780, "skills": ["hoist", "hoist", "hoist;peg"]},
        geometry=gpd.points_from_xy([x0] * 3, [y0] * 3), crs=27700,
    )  # fmt: skip
    problem = build_problem(visits, carers, town, clients=clients)
    assert len(problem.links) == 1 and problem.links[0].min_gap == 240 * 60
    result = solve(problem, budget=Budget(max_iterations=200), random_state=0)
    s = starts(result)
    assert 240 <= s["c1-mon-0700-then"] - s["c1-mon-0700"] <= 300
    assert "pat" in carers_of(result, "c2-mon-1200")
    found = validate_plan(result.routes, visits, carers, travel=town, clients=clients,
                          unscheduled=result.unscheduled)  # fmt: skip
    assert found.empty, found


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 14), seed=st.integers(0, 10_000), homes=st.booleans())
def test_every_plan_of_a_random_linked_instance_keeps_every_rule(
    n: int, seed: int, homes: bool
) -> None:
    """Random instances with links: each visit routed or unscheduled, no rule broken."""
    problem = linked_instance(n, n_carers=3, homes=homes, linked_share=0.5, random_state=seed)
    result = solve(problem, budget=Budget(max_iterations=60, max_seconds=5), random_state=0)
    assert result.validate().empty
    routed = set(result.routes["visit_id"]) | set(result.unscheduled["visit_id"])
    assert routed == set(problem.visit_ids)


def test_a_link_across_two_days_and_a_huge_gap_are_refused_by_name() -> None:
    """A link whose visits fall on two days, or whose gap is beyond a day, is named."""
    import pandas as pd

    from carezones import ValidationError
    from carezones.routing import links_from_visits

    visits = pd.DataFrame({
        "visit_id": ["a", "b"], "client_id": "c1", "day": ["monday", "tuesday"],
        "link_id": "L1", "link_role": ["first", "second"], "min_gap": [None, 0],
        "max_gap": [None, 30],
    })  # fmt: skip
    with pytest.raises(ValidationError, match=r"link across days.*monday and tuesday"):
        links_from_visits(visits)
    visits["day"] = "monday"
    visits["max_gap"] = [None, 1e300]
    with pytest.raises(ValidationError, match=r"max_gap.*from 0 to 1440"):
        links_from_visits(visits)
