"""Weeks as providers plan them: regular carers, the same time each day, hours and days kept."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from carezones import expand_visits
from carezones.routing import (
    Budget,
    RoutingParams,
    WorkRules,
    plan_routes,
    staff_zones,
    validate_plan,
)
from carezones.routing.validate import validate_week
from conftest import grid_network

X0, Y0 = 530_000.0, 180_000.0


@pytest.fixture(scope="module")
def town():
    """A 5 x 5 grid of 200 m blocks."""
    return grid_network(5, 200.0, modes=("walk",))


def points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


def people(pattern: str, n_clients: int = 2, n_carers: int = 3, days: str | None = None):
    """Clients with one pattern each, near each other; carers alike, living around them."""
    clients = gpd.GeoDataFrame(
        {
            "client_id": [f"c{i}" for i in range(n_clients)],
            "weekly_hours": None,
            "pattern": pattern,
            "carers_needed": 1,
            "skills": "",
            "virtual_ok": False,
            "zone_id": "A",
        },
        geometry=points([(200 * (i % 3), 200) for i in range(n_clients)]),
    )
    carers = gpd.GeoDataFrame(
        {
            "carer_id": [f"k{i}" for i in range(n_carers)],
            "mode": "walk",
            "zone_id": "A",
            "shift_start": 420,
            "shift_end": 1320,
            "max_minutes": 480,
            "contracted_hours": 37.5,
            "skills": "",
            "days": days or "monday;tuesday;wednesday;thursday;friday;saturday;sunday",
        },
        geometry=points([(0, 0), (800, 0), (0, 800), (800, 800)][:n_carers]),
    )
    return clients, carers


def test_two_clients_who_can_share_a_carer_get_one_carer_each_all_week(town) -> None:
    """Priced continuity: each client sees one carer all week, not several; at the same time."""
    clients, carers = people("mon-sun 08:00-10:00 30")
    visits = expand_visits(clients)
    plan = plan_routes(visits, carers, town, clients=clients, n_jobs=1,
                       params=RoutingParams(continuity_penalty=900),
                       budget=Budget(max_iterations=60), work=WorkRules(max_consecutive_days=7),
                       random_state=0)  # fmt: skip
    assert plan.unscheduled.empty and plan.validate().empty
    assert plan.routes.groupby("client_id")["carer_id"].nunique().tolist() == [1, 1]
    spread = plan.routes.groupby("visit_id")["start"].first().groupby(
        plan.routes.drop_duplicates("visit_id").set_index("visit_id")["client_id"]
    ).agg(lambda s: s.max() - s.min())
    assert (spread <= 30).all()


def test_days_off_and_hours_hold_and_the_week_is_checked(town) -> None:
    """Carers work only their days, within contracted hours; too many days in a row is caught."""
    clients, carers = people("mon-sun 08:00-10:00 30", n_carers=2)
    carers["days"] = ["monday;tuesday;wednesday;thursday", "thursday;friday;saturday;sunday"]
    carers["contracted_hours"] = [4.0, 4.0]
    visits = expand_visits(clients)
    plan = plan_routes(visits, carers, town, clients=clients, n_jobs=1,
                       budget=Budget(max_iterations=60), random_state=0)  # fmt: skip
    assert plan.validate().empty
    works = {k: set(d.split(";")) for k, d in zip(carers["carer_id"], carers["days"], strict=True)}
    assert all(r.day in works[r.carer_id] for r in plan.routes.itertuples())
    weekly = plan.shifts.groupby("carer_id")["working_minutes"].sum() / 60
    assert (weekly <= 4.0 * 1.1 + 1e-6).all()
    # a carer planned seven days in a row breaks a six-day limit
    shifts = pd.DataFrame({"carer_id": "k0", "day": list(plan.routes["day"].unique()),
                           "working_minutes": 30.0, "n_visits": 1})  # fmt: skip
    found = validate_week(shifts, carers, days=list(shifts["day"]), work=WorkRules())
    assert found["rule"].tolist() == ["consecutive days"]


def test_a_short_zone_pulls_carers_from_a_neighbour_and_says_so() -> None:
    """Zone B has the work and A the carers: one moves, and the move is reported."""
    import shapely

    zones = gpd.GeoDataFrame({"zone_id": ["A", "B"]},
                             geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                             crs=27700)  # fmt: skip
    carers = gpd.GeoDataFrame({"carer_id": ["k1", "k2", "k3"], "shift_start": 420,
                               "shift_end": 840, "max_minutes": 420},
                              geometry=gpd.points_from_xy([10, 20, 90], [10, 10, 10]),
                              crs=27700)  # fmt: skip
    visits = pd.DataFrame({"zone_id": ["A"] * 2 + ["B"] * 6, "day": "monday", "duration": 60,
                           "window_start": 420, "carers_needed": 1})  # fmt: skip
    staffing = staff_zones(carers, visits, zones)
    assert staffing.home_zone.tolist() == ["A", "A", "A"]
    assert staffing.moves["to_zone"].tolist() == ["B", "B"]
    assert "moved from their home zone" in staffing.message()
    assert set(staffing.moves["carer_id"]) == {"k3", "k2"}  # the nearest to B first


def test_a_fortnight_gives_the_fourteen_day_indicator(town) -> None:
    """Two weeks plan fourteen days with one call_id per call; the 14-day figure is measured."""
    from carezones.outcomes import measure_outcomes

    clients, carers = people("mon-sun 08:00-10:00 30; mon-sun 17:00-19:00 30", n_carers=3)
    visits = expand_visits(clients, days="fortnight")
    assert visits["day"].nunique() == 14 and visits["visit_id"].is_unique
    plan = plan_routes(visits, carers, town, clients=clients, n_jobs=1, days="fortnight",
                       budget=Budget(max_iterations=40), work=WorkRules(max_consecutive_days=14),
                       random_state=0)  # fmt: skip
    assert plan.unscheduled.empty
    assert validate_plan is not None and plan.validate().empty
    out = measure_outcomes(plan, visits, clients=clients, carers=carers)
    assert out["days_routed"] == 14
    met = plan.routes.groupby("client_id")["carer_id"].nunique().mean()
    assert out["staff_met_14_days"] == pytest.approx(met)
    assert np.isfinite(out["call_spread_share"])


def _weekdays_k0_weekends_k2(clients, carers, town):
    """The week planned with k0 working Monday to Friday, k1 and k2 the weekend.

    Checks that every visit is served within the rules, that k0 alone drives Monday and
    k2 alone each weekend day (the relief of k0's run); returns the plan.
    """
    carers = carers.assign(days=["monday;tuesday;wednesday;thursday;friday",
                                 "saturday;sunday", "saturday;sunday"])  # fmt: skip
    plan = plan_routes(expand_visits(clients), carers, town, clients=clients, n_jobs=1,
                       params=RoutingParams(continuity_penalty=900),
                       budget=Budget(max_iterations=60), random_state=0)  # fmt: skip
    assert plan.unscheduled.empty and plan.validate().empty
    by_day = plan.routes.groupby("day")["carer_id"].agg(lambda s: sorted(set(s)))
    assert by_day["monday"] == ["k0"]
    assert by_day["saturday"] == ["k2"] and by_day["sunday"] == ["k2"]
    return plan


def test_a_relief_with_the_skills_drives_the_whole_run_on_the_mains_days_off(town) -> None:
    """The weekend relief of a run with a medication visit has the skill, so the run stays one.

    k0 drives both clients Monday to Friday; at the weekend k1 lives nearer but lacks
    the skill c0's visit needs, so with k1 as relief c0's visit would go to someone
    else and the run would split; k2 has it and drives the whole run.
    """
    clients, carers = people("mon-sun 08:00-10:00 30")
    clients["skills"] = ["medication", ""]
    carers["skills"] = ["medication", np.nan, "medication"]  # an empty cell: no skills
    carers["geometry"] = points([(0, 0), (200, 0), (800, 800)]).values
    plan = _weekdays_k0_weekends_k2(clients, carers, town)
    # each carer-visit says what its carer is to the client: k0 the main, k2 the relief
    role = plan.routes.groupby("carer_id")["regular"].agg(lambda s: sorted(set(s)))
    assert role.to_dict() == {"k0": ["main"], "k2": ["relief"]}


def test_a_relief_on_a_split_shift_does_not_cover_a_run_through_its_break(town) -> None:
    """A run with a midday call is covered by someone who can make it, not the nearest carer.

    k0 (early shift, Monday to Friday) drives both clients' breakfast and lunch calls. At
    the weekend k1 lives next door but works a split shift, five unpaid hours inside
    10:30-17:00, so it could make the breakfast call and not lunch: lunch would go to
    someone else, a third carer for each client. k2 lives further away on an early
    shift and drives the whole run.
    """
    clients, carers = people("mon-sun 08:00-10:00 30; mon-sun 12:00-14:00 30")
    carers["shift_end"] = [900, 1320, 900]
    carers["break_minutes"] = [np.nan, 300.0, np.nan]
    carers["break_start"] = [np.nan, 630.0, np.nan]
    carers["break_end"] = [np.nan, 1020.0, np.nan]
    carers["geometry"] = points([(0, 0), (200, 200), (800, 800)]).values
    plan = _weekdays_k0_weekends_k2(clients, carers, town)
    met = plan.routes.groupby("client_id")["carer_id"].nunique()
    assert met.to_dict() == {"c0": 2, "c1": 2}


def test_a_week_planned_without_regular_runs_names_no_roles(town) -> None:
    """With continuity unpriced there are no runs, so no visit is said to be a main's."""
    clients, carers = people("mon-sun 08:00-10:00 30")
    plan = plan_routes(expand_visits(clients), carers, town, clients=clients, n_jobs=1,
                       params=RoutingParams(continuity_penalty=0),
                       budget=Budget(max_iterations=30), random_state=0)  # fmt: skip
    assert len(plan.routes) and "regular" not in plan.routes.columns


def test_the_same_time_each_day_holds_without_a_continuity_price(town) -> None:
    """A call keeps Monday's start when continuity costs nothing, because its spread is priced.

    On Tuesday only, c1 must be seen by 08:15 at the far end of town. Chaining both calls
    with k0 saves travel but moves c0's call about 40 minutes; with the spread priced and
    continuity free, k1 takes c1 and c0 keeps its time; with the spread unpriced too, the
    day is planned on its own and the call moves.
    """
    clients, carers = people("mon-sun 08:00-12:00 30", n_clients=2, n_carers=2)
    clients["pattern"] = ["mon-sun 08:00-12:00 30", "tue 08:00-08:45 30"]
    clients["geometry"] = points([(0, 200), (0, 800)]).values
    carers["geometry"] = points([(0, 0), (800, 0)]).values
    visits = expand_visits(clients, days=["monday", "tuesday"])

    def c0_starts(spread_penalty: float) -> list[float]:
        plan = plan_routes(visits, carers, town, clients=clients, n_jobs=1,
                           days=["monday", "tuesday"],
                           params=RoutingParams(continuity_penalty=0,
                                                spread_penalty=spread_penalty),
                           budget=Budget(max_iterations=60), random_state=0)  # fmt: skip
        assert plan.unscheduled.empty and plan.validate().empty
        c0 = plan.routes[plan.routes["client_id"] == "c0"].sort_values("day")
        return c0["start"].tolist()

    monday, tuesday = c0_starts(spread_penalty=120.0)
    assert abs(tuesday - monday) <= 10
    monday, tuesday = c0_starts(spread_penalty=0.0)
    assert tuesday - monday > 30


def test_each_carer_visit_is_named_main_relief_team_or_other() -> None:
    """The four roles, from the week's runs: whose run the call is on, and who relieves it."""
    from types import SimpleNamespace

    from carezones.routing.week import ROLES, _Memory, _roles

    memory = _Memory(known=set())
    memory.owner = {("c0#1", 0): "k0", ("c0#2", 0): "k1", ("c1#1", 0): "k3"}
    memory.cover = {("k0", "all", "saturday"): "k2", ("k3", "all", "saturday"): "k4"}
    vday = pd.DataFrame({"visit_id": ["v1", "v2", "v3", "v4", "v5"],
                         "call_id": ["c0#1"] * 4 + ["c1#1"]})  # fmt: skip
    routes = pd.DataFrame({"visit_id": ["v1", "v2", "v3", "v4", "v5"],
                           "client_id": ["c0"] * 4 + ["c1"],
                           "carer_id": ["k0", "k2", "k1", "k4", "k0"]})  # fmt: skip
    clients = {"c0#1": "c0", "c0#2": "c0", "c1#1": "c1"}
    got = _roles(memory, vday, SimpleNamespace(routes=routes), clients)
    assert got == ["main", "relief", "team",
                   "other",  # k4 relieves another client's run
                   "other"]  # fmt: skip
    assert set(got) == set(ROLES)
