"""Routing core: every rule on small hand-made instances whose right answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carezones import ValidationError
from carezones.routing import Budget, RoutingModel, RoutingParams, RoutingProblem, solve
from carezones.routing.problem import CONTINUITY_PENALTY

H = 3600
M = 60


def line(n: int, seconds: int) -> np.ndarray:
    """Travel seconds between n places on a line, ``seconds`` apart."""
    return np.abs(np.subtract.outer(np.arange(n), np.arange(n))) * seconds


def quick(problem: RoutingProblem, **kwargs: object):
    kwargs.setdefault("budget", Budget(max_iterations=200, max_seconds=5.0))
    kwargs.setdefault("random_state", 0)
    return solve(problem, **kwargs)


def test_double_handed_visit_gets_two_carers_who_arrive_together() -> None:
    """Both halves go to different carers and start at the same minute (the later arrival)."""
    m = RoutingModel()
    near, far, client = m.add_location(name="near"), m.add_location(name="far"), m.add_location()
    travel = np.array([[0, 2400, 600], [2400, 0, 1800], [600, 1800, 0]])
    p = m.add_profile(travel)
    m.add_carer(near, profile=p, shift_start=7 * H, shift_end=12 * H, name="ann")
    m.add_carer(far, profile=p, shift_start=7 * H, shift_end=12 * H, name="bob")
    m.add_visit(
        client, window_start=7 * H, latest_start=9 * H, duration=45 * M, carers_needed=2, name="v"
    )
    result = quick(m.compile())
    rows = result.routes[result.routes["visit_id"] == "v"]
    assert sorted(rows["carer_id"]) == ["ann", "bob"]
    assert rows["start"].nunique() == 1 and rows["end"].nunique() == 1
    # bob needs 30 minutes to get there: the visit starts when he arrives, at 07:30
    assert rows["start"].iloc[0] == pytest.approx(7.5 * 60)
    assert set(rows["with_carer"]) == {"ann", "bob"}
    assert result.validate().empty


def test_double_handed_visits_stay_together_when_carers_are_busy() -> None:
    """Three carers and interleaved single and double visits: every pair starts together."""
    m = RoutingModel()
    locs = [m.add_location() for _ in range(8)]
    p = m.add_profile(line(8, 300))
    for i in range(3):
        m.add_carer(locs[0], profile=p, shift_start=7 * H, shift_end=14 * H, name=f"c{i}")
    for i in range(1, 8):
        need = 2 if i % 3 == 0 else 1
        start = 7 * H + (i % 4) * 45 * M
        m.add_visit(
            locs[i],
            window_start=start,
            latest_start=start + H,
            duration=30 * M,
            carers_needed=need,
            name=f"v{i}",
        )
    result = quick(m.compile())
    assert result.unscheduled.empty
    for _, rows in result.routes.groupby("visit_id"):
        if rows["carers_needed"].iloc[0] == 2:
            assert rows["carer_id"].nunique() == 2
            assert rows["start"].nunique() == 1
    assert result.validate().empty


def test_a_skill_rules_a_carer_out() -> None:
    """The nearer carer lacks the hoist skill, so the farther one gets the visit."""
    m = RoutingModel()
    a, b, client = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, 900, 60], [900, 0, 840], [60, 840, 0]]))
    m.add_carer(a, profile=p, skills="dementia", name="near")
    m.add_carer(b, profile=p, skills="dementia;hoist", name="far")
    m.add_visit(
        client, window_start=8 * H, latest_start=9 * H, duration=30 * M, skills="hoist", name="v"
    )
    result = quick(m.compile())
    assert result.routes["carer_id"].tolist() == ["far"]


def test_no_carer_with_the_skill_gives_the_reason() -> None:
    """A visit needing a skill nobody has is unscheduled with that reason."""
    m = RoutingModel()
    a, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 60))
    m.add_carer(a, profile=p, skills="dementia")
    m.add_visit(client, duration=30 * M, skills="hoist;dementia", name="v")
    result = quick(m.compile())
    assert result.routes.empty
    assert result.unscheduled["reason"].tolist() == ["no carer with skill hoist"]


def test_a_window_too_tight_for_every_shift_is_unscheduled_with_its_reason() -> None:
    """A window that closes before every shift opens gives its reason; the rest is routed."""
    m = RoutingModel()
    a, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 300))
    m.add_carer(a, profile=p, shift_start=8 * H, shift_end=14 * H)
    m.add_visit(client, window_start=6 * H, latest_start=7 * H, duration=30 * M, name="dawn")
    m.add_visit(client, window_start=9 * H, latest_start=10 * H, duration=30 * M, name="ok")
    result = quick(m.compile())
    assert result.routes["visit_id"].tolist() == ["ok"]
    assert result.unscheduled.set_index("visit_id")["reason"].to_dict() == {
        "dawn": "window too tight for any carer's shift"
    }


def test_a_visit_too_far_to_reach_in_time_gives_its_reason() -> None:
    """A visit two hours away whose window closes soon after the shift starts is unreachable."""
    m = RoutingModel()
    a, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 2 * H))
    m.add_carer(a, profile=p, shift_start=7 * H, shift_end=14 * H)
    m.add_visit(client, window_start=7 * H, latest_start=7 * H + 10 * M, duration=30 * M, name="v")
    result = quick(m.compile())
    assert result.unscheduled["reason"].tolist() == ["not reachable in time"]


def test_no_path_is_unreachable() -> None:
    """Infinite travel time: the visit is unreachable from any home."""
    m = RoutingModel()
    a, client = m.add_location(), m.add_location()
    p = m.add_profile(np.array([[0, np.inf], [np.inf, 0]]))
    m.add_carer(a, profile=p)
    m.add_visit(client, duration=30 * M)
    result = quick(m.compile())
    assert result.unscheduled["reason"].tolist() == ["not reachable from any carer's home"]


def test_a_walker_is_not_sent_forty_minutes_away_when_a_cyclist_is_free() -> None:
    """The far visit goes to the cyclist; the walker keeps the one near home."""
    m = RoutingModel()
    home, near, far = m.add_location(), m.add_location(), m.add_location()
    walk = m.add_profile(np.array([[0, 300, 2400], [300, 0, 2100], [2400, 2100, 0]]), name="walk")
    cycle = m.add_profile(np.array([[0, 90, 750], [90, 0, 660], [750, 660, 0]]), name="cycle")
    m.add_carer(home, profile=walk, shift_start=7 * H, shift_end=14 * H, name="walker")
    m.add_carer(home, profile=cycle, shift_start=7 * H, shift_end=14 * H, name="cyclist")
    m.add_visit(near, window_start=8 * H, latest_start=8 * H, duration=30 * M, name="near")
    m.add_visit(far, window_start=8 * H, latest_start=8 * H, duration=30 * M, name="far")
    result = quick(m.compile())
    assert result.routes.set_index("visit_id")["carer_id"].to_dict() == {
        "near": "walker",
        "far": "cyclist",
    }
    assert result.summary()["active_leg_share"] == 1.0


def test_hard_windows_leave_out_what_soft_windows_schedule_late() -> None:
    """Two visits one carer cannot both reach on time: hard leaves one out, soft is late."""
    m = RoutingModel()
    home, a, b = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(line(3, 600))
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=14 * H)
    m.add_visit(a, window_start=8 * H, latest_start=8 * H, duration=60 * M, name="a")
    m.add_visit(b, window_start=8 * H, latest_start=8 * H + 30 * M, duration=30 * M, name="b")
    hard = quick(m.compile())
    assert len(hard.unscheduled) == 1 and len(hard.routes) == 1
    soft = quick(m.compile(RoutingParams(time_windows="soft", max_lateness_minutes=60)))
    assert soft.unscheduled.empty
    late = soft.routes["late"]
    assert late.max() == pytest.approx(40.0)  # b starts at 09:10, 40 minutes after 08:30
    assert soft.summary()["late_minutes"] == pytest.approx(40.0)
    assert soft.late_seconds == 40 * 60
    assert soft.validate().empty


def test_shift_and_maximum_working_minutes_are_kept() -> None:
    """A carer limited to two hours' work does two one-hour visits at most."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 0))
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=20 * H, max_working=2 * H)
    for i in range(3):
        m.add_visit(
            client,
            window_start=(8 + 2 * i) * H,
            latest_start=(8 + 2 * i) * H + 30 * M,
            duration=H,
            name=f"v{i}",
        )
    result = quick(m.compile())
    # two visits whose span is at most two hours: 08:00 and 10:00 are 3 hours apart,
    # so only one visit fits with the waiting counted as work
    assert len(result.routes) == 1
    assert result.shifts["working_minutes"].max() <= 120
    assert set(result.unscheduled["reason"]) == {"no free time in any eligible carer's day"}
    assert result.validate().empty


def test_carers_leave_home_as_late_as_they_can() -> None:
    """Waiting before a visit late in its window is not work: the carer leaves later."""
    m = RoutingModel()
    home, a, b = m.add_location(), m.add_location(), m.add_location()
    p = m.add_profile(line(3, 600))
    m.add_carer(
        home, profile=p, shift_start=7 * H, shift_end=12 * H, max_working=100 * M, name="ann"
    )
    m.add_visit(a, window_start=7 * H, latest_start=9 * H, duration=30 * M, name="a")
    m.add_visit(b, window_start=9 * H, latest_start=9 * H, duration=30 * M, name="b")
    result = quick(m.compile())
    assert result.unscheduled.empty
    assert result.shifts["working_minutes"].iloc[0] == 100  # leaves 08:10, home 09:50
    assert result.validate().empty


def test_an_unpaid_break_is_taken_inside_its_window() -> None:
    """A carer working through lunch takes the break in the window, unpaid."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 300))
    m.add_carer(
        home,
        profile=p,
        shift_start=8 * H,
        shift_end=16 * H,
        break_duration=30 * M,
        break_start=12 * H,
        break_end=13 * H,
        name="ann",
    )
    m.add_visit(
        client, window_start=11 * H, latest_start=11 * H + 30 * M, duration=45 * M, name="a"
    )
    m.add_visit(client, window_start=12 * H, latest_start=13 * H, duration=45 * M, name="b")
    result = quick(m.compile())
    assert result.unscheduled.empty
    shift = result.shifts.iloc[0]
    assert 12 * 60 <= shift["break_start"] and shift["break_end"] <= 13 * 60
    starts = result.routes.set_index("visit_id")["start"]
    assert starts["b"] >= shift["break_end"] or starts["a"] + 45 <= shift["break_start"]
    assert result.validate().empty


def test_a_break_that_cannot_fit_leaves_a_visit_out() -> None:
    """Visits filling the whole break window cannot all be done by a carer who needs a break."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 0))
    m.add_carer(
        home,
        profile=p,
        shift_start=11 * H,
        shift_end=15 * H,
        break_duration=30 * M,
        break_start=12 * H,
        break_end=13 * H,
    )
    m.add_visit(
        client, window_start=11 * H + 30 * M, latest_start=11 * H + 30 * M, duration=H, name="a"
    )
    m.add_visit(
        client, window_start=12 * H + 30 * M, latest_start=12 * H + 30 * M, duration=H, name="b"
    )
    result = quick(m.compile())
    assert len(result.routes) == 1
    assert result.validate().empty


def test_continuity_prefers_a_carer_the_client_knows() -> None:
    """Two equally placed carers: the one the client already knows gets the visit."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 300))
    m.add_carer(home, profile=p, name="ann")
    bob = m.add_carer(home, profile=p, name="bob")
    m.add_visit(
        client, window_start=8 * H, latest_start=9 * H, duration=30 * M, client="k1", name="v1"
    )
    m.add_visit(
        client, window_start=8 * H, latest_start=9 * H, duration=30 * M, client="k2", name="v2"
    )
    m.add_known_carer("k1", bob)
    m.add_known_carer("k2", bob)
    result = quick(m.compile(RoutingParams(continuity_penalty=5000)))
    assert set(result.routes["carer_id"]) == {"bob"}
    assert result.new_carer_pairs == 0


def test_continuity_keeps_one_carer_for_a_clients_visits() -> None:
    """A client's two visits go to one carer rather than two when travel is equal."""
    m = RoutingModel()
    home, client = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 300))
    m.add_carer(home, profile=p, name="ann")
    m.add_carer(home, profile=p, name="bob")
    m.add_visit(
        client, window_start=8 * H, latest_start=8 * H, duration=30 * M, client="k", name="am"
    )
    m.add_visit(
        client, window_start=12 * H, latest_start=12 * H, duration=30 * M, client="k", name="pm"
    )
    result = quick(m.compile(RoutingParams(continuity_penalty=5000)))
    assert result.routes["carer_id"].nunique() == 1
    assert result.summary()["carers_per_client"] == 1.0


def test_builder_refuses_foreign_handles_and_lists_every_problem() -> None:
    """Handles from another model are refused; compile lists every bad input at once."""
    other = RoutingModel()
    foreign = other.add_location()
    m = RoutingModel()
    with pytest.raises(ValidationError, match="bad handle"):
        m.add_carer(foreign, profile=other.add_profile(np.zeros((1, 1))))
    loc = m.add_location()
    m.add_profile(np.zeros((2, 2)))
    m.add_visit(loc, window_start=10, latest_start=5, carers_needed=3)
    with pytest.raises(ValidationError) as err:
        m.compile()
    text = str(err.value)
    assert (
        "wrong shape" in text
        and "window ends before it starts" in text
        and "bad carers_needed" in text
    )


def test_negative_travel_times_are_refused() -> None:
    """A negative travel time is named with its position."""
    m = RoutingModel()
    m.add_location()
    m.add_location()
    m.add_profile(np.array([[0, -1], [1, 0]]))
    with pytest.raises(ValidationError, match="negative time"):
        m.compile()


def test_params_are_checked_and_read_from_toml(tmp_path) -> None:
    """Unknown keys and bad values are named; a [routing] table is read from TOML."""
    path = tmp_path / "s.toml"
    path.write_text('[routing]\ntime_windows = "soft"\nlateness_penalty = 10\n')
    assert RoutingParams.from_toml(path).lateness_penalty == 10.0
    with pytest.raises(ValidationError, match="unknown option"):
        RoutingParams.from_dict({"windows": "soft"})
    with pytest.raises(ValidationError, match="start_step"):
        RoutingParams(start_step=0)


def test_solve_checks_its_options() -> None:
    """Bad budgets and seeds are refused with the option named."""
    m = RoutingModel()
    m.add_location()
    m.add_profile(np.zeros((1, 1)))
    problem = m.compile()
    with pytest.raises(ValidationError, match="max_seconds"):
        solve(problem, budget=Budget(max_seconds=0))
    with pytest.raises(ValidationError, match="budget"):
        solve(problem, budget=10)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="random_state"):
        solve(problem, random_state=-1)
    with pytest.raises(ValidationError, match="problem"):
        solve("not a problem")  # type: ignore[arg-type]


def test_same_seed_same_routes() -> None:
    """Runs stopped by iterations are reproducible."""
    m = RoutingModel()
    locs = [m.add_location() for _ in range(10)]
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 2000, size=(10, 2))
    p = m.add_profile(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)))
    for i in range(3):
        m.add_carer(locs[i], profile=p, shift_start=7 * H, shift_end=15 * H)
    for i in range(3, 10):
        m.add_visit(
            locs[i],
            window_start=8 * H,
            latest_start=12 * H,
            duration=30 * M,
            carers_needed=2 if i == 5 else 1,
        )
    problem = m.compile()
    a = solve(problem, budget=Budget(max_iterations=100), random_state=7)
    b = solve(problem, budget=Budget(max_iterations=100), random_state=7)
    pd.testing.assert_frame_equal(a.routes, b.routes)


def test_result_reads_well() -> None:
    """The result prints a summary, routes and unscheduled visits; summary has the figures."""
    m = RoutingModel()
    home, a = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 600), distances=line(2, 800), name="walk")
    m.add_carer(home, profile=p, shift_start=7 * H, shift_end=12 * H, name="ann")
    m.add_visit(a, window_start=8 * H, latest_start=9 * H, duration=30 * M, name="v1")
    m.add_visit(a, window_start=20 * H, latest_start=21 * H, duration=30 * M, name="v2")
    result = quick(m.compile())
    text = str(result)
    assert "1 scheduled, 1 unscheduled" in text and "ann (walk): v1 08:00" in text and "v2:" in text
    s = result.summary()
    assert s["care_minutes"] == 30 and s["travel_minutes"] == 20
    assert s["travel_to_care_ratio"] == pytest.approx(20 / 30)
    assert s["distance_km"] == pytest.approx(1.6)
    assert result.routes["distance_m"].tolist() == [800.0]
    assert result.is_feasible() and result.cost() == 1200 + CONTINUITY_PENALTY  # + a new carer
    assert "RoutingResult(1 scheduled" in repr(result)
    with pytest.raises(ValidationError, match="no network"):
        result.to_geodataframe()


def test_plain_problem_matches_pyvrp_alone() -> None:
    """Without rules PyVRP lacks, the result is PyVRP's own solution."""
    m = RoutingModel()
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, size=(21, 2))
    d = np.rint(10 * np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)))
    locs = [m.add_location(x=float(x), y=float(y)) for x, y in xy]
    p = m.add_profile(d)
    for _ in range(4):
        m.add_carer(locs[0], profile=p, shift_start=0, shift_end=5000)
    for i in range(1, 21):
        m.add_visit(locs[i], window_start=0, latest_start=4000, duration=100)
    result = solve(
        m.compile(RoutingParams(continuity_penalty=0)), budget=Budget(max_iterations=300)
    )
    assert result.unscheduled.empty
    assert result.cost() == result.pyvrp_cost == result.travel_seconds


def test_more_visits_than_fit_are_unscheduled_quietly() -> None:
    """Ten visits at 08:00 sharp for one carer: one is done, nine wait with a reason, no warning."""
    m = RoutingModel()
    locs = [m.add_location() for _ in range(11)]
    p = m.add_profile(line(11, 300))
    m.add_carer(locs[0], profile=p, shift_start=7 * H, shift_end=12 * H)
    for i in range(1, 11):
        m.add_visit(locs[i], window_start=8 * H, latest_start=8 * H, duration=30 * M)
    result = solve(
        m.compile(RoutingParams(continuity_penalty=0)),
        budget=Budget(max_iterations=None, max_seconds=1.0),
        random_state=0,
    )
    assert len(result.routes) == 1 and len(result.unscheduled) == 9
    assert result.routes["visit_id"].tolist() == ["visit0"]  # the nearest


def test_the_rules_pyvrp_lacks_are_declared_with_each_rule() -> None:
    """A plain problem uses no rule PyVRP lacks; a double-up and soft windows are named."""
    from carezones.routing import ROUTING_RULES, rules_pyvrp_lacks

    assert {r.name for r in ROUTING_RULES if not r.pyvrp} >= {
        "soft windows", "double-handed", "linked visits", "breaks", "continuity"
    }  # fmt: skip
    m = RoutingModel()
    home, a = m.add_location(), m.add_location()
    p = m.add_profile(line(2, 300))
    for _ in range(2):
        m.add_carer(home, profile=p, shift_start=0, shift_end=7200)
    m.add_visit(a, window_start=0, latest_start=3600, duration=600)
    assert rules_pyvrp_lacks(m.compile()) == []
    m.add_visit(a, window_start=0, latest_start=3600, duration=600, carers_needed=2)
    soft = m.compile(RoutingParams(time_windows="soft"))
    assert rules_pyvrp_lacks(soft) == ["soft windows", "double-handed"]


def test_a_visit_ends_by_its_window_end_or_is_late_by_its_overrun() -> None:
    """Window 08:00-09:00, 45 min: hard, it starts by 08:15; soft, it is late by its overrun."""
    H, M = 3600, 60
    for arrive, hard_start in ((8 * H, 8 * H), (8 * H + 15 * M, 8 * H + 15 * M)):
        m = RoutingModel()
        home, a = m.add_location(), m.add_location()
        p = m.add_profile(np.array([[0, 1800], [1800, 0]]))
        m.add_carer(home, profile=p, shift_start=arrive - 1800, shift_end=12 * H)
        m.add_visit(a, window_start=8 * H, window_end=9 * H, duration=45 * M, name="v")
        hard = quick(m.compile())
        assert hard.routes["start"].tolist() == [hard_start / 60]
        assert hard.routes["late"].tolist() == [0.0] and hard.validate().empty
    for minutes_late in (1, 20):
        m = RoutingModel()
        home, a = m.add_location(), m.add_location()
        p = m.add_profile(np.array([[0, 1800], [1800, 0]]))
        arrive = 8 * H + (15 + minutes_late) * M
        m.add_carer(home, profile=p, shift_start=arrive - 1800, shift_end=12 * H)
        m.add_visit(a, window_start=8 * H, window_end=9 * H, duration=45 * M, name="v")
        hard = quick(m.compile())
        assert hard.routes.empty and hard.unscheduled["visit_id"].tolist() == ["v"]
        soft = quick(m.compile(RoutingParams(time_windows="soft")))
        assert soft.routes["end"].tolist() == [9 * 60 + minutes_late]
        assert soft.routes["late"].tolist() == [float(minutes_late)]
        assert soft.validate().empty
