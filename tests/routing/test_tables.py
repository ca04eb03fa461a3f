"""Routing from tables and a travel network: the adapter, legs on the map, whole plans."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carezones import ValidationError
from carezones.routing import Budget, RoutingModel, build_problem, plan_routes, solve, validate_plan
from conftest import grid_network

X0, Y0 = 530_000.0, 180_000.0


def points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


@pytest.fixture(scope="module")
def town():
    """A 5 x 5 grid of 400 m blocks: corner to corner is 40 minutes on foot, 13 by bike."""
    return grid_network(5, 400.0, modes=("walk", "cycle", "drive"))


def people(modes: tuple[str, ...] = ("walk", "cycle")):
    clients = gpd.GeoDataFrame(
        {"client_id": ["near", "far"], "zone_id": "A"}, geometry=points([(400, 0), (1600, 1600)])
    )
    carers = gpd.GeoDataFrame(
        {
            "carer_id": [f"k{i}" for i in range(len(modes))],
            "mode": list(modes),
            "zone_id": "A",
            "shift_start": 420,
            "shift_end": 840,
            "max_minutes": 420,
            "skills": "",
        },
        geometry=points([(0, 0)] * len(modes)),
    )
    visits = pd.DataFrame(
        {
            "visit_id": ["v-near", "v-far"],
            "client_id": ["near", "far"],
            "day": "monday",
            "window_start": 480,
            "window_end": 510,
            "duration": 30,
            "carers_needed": 1,
            "skills": "",
        }
    )
    return clients, carers, visits


def test_a_walker_is_not_sent_forty_minutes_away_when_a_cyclist_is_free(town) -> None:
    """On real network times the far client gets the cyclist and the near one the walker."""
    clients, carers, visits = people()
    result = solve(
        build_problem(visits, carers, town, clients=clients), budget=Budget(max_iterations=200)
    )
    assign = result.routes.set_index("visit_id")["carer_id"].to_dict()
    assert assign == {"v-near": "k0", "v-far": "k1"}
    far = result.routes.set_index("visit_id").loc["v-far"]
    assert far["travel_seconds"] == pytest.approx(3200 / (15 / 3.6), abs=1)
    assert far["distance_m"] == pytest.approx(3200, abs=1)
    assert result.routes["start"].tolist() == [480, 480]
    found = validate_plan(
        result.routes, visits, carers, travel=town, clients=clients, unscheduled=result.unscheduled
    )
    assert found.empty, found


def test_legs_are_drawn_along_the_network(town) -> None:
    """Each leg, the way home included, is a line along the streets from stop to stop."""
    clients, carers, visits = people()
    result = solve(
        build_problem(visits, carers, town, clients=clients), budget=Budget(max_iterations=100)
    )
    legs = result.to_geodataframe()
    assert len(legs) == 4 and legs.crs == town.crs
    far_leg = legs[(legs["to_id"] == "v-far")].iloc[0]
    assert far_leg.geometry.length == pytest.approx(3200, abs=1)
    assert far_leg["distance_m"] == pytest.approx(3200, abs=1)
    home = legs[legs["to_id"] == legs["carer_id"]]
    assert len(home) == 2 and (home["travel_seconds"] > 0).all()
    trimmed = result.to_geodataframe(privacy_trim_m=50)
    assert trimmed.geometry.length.max() == pytest.approx(3100, abs=1)


def test_driving_distances_are_measured_along_the_route(town) -> None:
    """Drivers' leg metres come from the fastest path, not from a constant speed."""
    clients, carers, visits = people(("drive",))
    result = solve(
        build_problem(visits.iloc[[1]], carers, town, clients=clients),
        budget=Budget(max_iterations=50),
    )
    assert result.routes["distance_m"].tolist() == pytest.approx([3200.0], abs=1)
    assert result.shifts["distance_m"].iloc[0] == pytest.approx(6400, abs=1)


def test_day_keeps_that_days_visits_and_carers(town) -> None:
    """Only the day's visits are routed, by carers who work that day."""
    clients, carers, visits = people()
    carers["days"] = ["monday", "tuesday"]
    visits = pd.concat(
        [visits, visits.assign(day="tuesday", visit_id=["t-near", "t-far"])], ignore_index=True
    )
    problem = build_problem(visits, carers, town, clients=clients, day="tuesday")
    assert problem.visit_ids == ("t-near", "t-far") and problem.carer_ids == ("k1",)


def test_bad_tables_are_named(town) -> None:
    """Missing columns, duplicate ids, unknown modes and clients are listed."""
    clients, carers, visits = people()
    with pytest.raises(ValidationError, match="missing column"):
        build_problem(visits.drop(columns="duration"), carers, town, clients=clients)
    bad = carers.assign(mode=["walk", "boat"], carer_id=["k0", "k0"])
    with pytest.raises(ValidationError) as err:
        build_problem(visits, bad, town, clients=clients)
    assert "duplicate id" in str(err.value) and "unknown mode" in str(err.value)
    with pytest.raises(ValidationError, match="unknown client"):
        build_problem(visits.assign(client_id="nobody"), carers, town, clients=clients)
    with pytest.raises(ValidationError, match="no client locations"):
        build_problem(visits, carers, town)


def week(town):
    """Two zones, two days, a double-handed client."""
    rng = np.random.default_rng(1)
    xy = [(float(x), float(y)) for x, y in rng.uniform(0, 1600, size=(8, 2))]
    clients = gpd.GeoDataFrame(
        {
            "client_id": [f"c{i}" for i in range(8)],
            "zone_id": ["A" if x < 800 else "B" for x, _ in xy],
        },
        geometry=points(xy),
    )
    carers = gpd.GeoDataFrame(
        {
            "carer_id": [f"k{i}" for i in range(6)],
            "mode": ["walk", "cycle", "drive"] * 2,
            "zone_id": ["A", "A", "A", "B", "B", "B"],
            "shift_start": 420,
            "shift_end": 1320,
            "max_minutes": 900,
            "skills": "hoist",
        },
        geometry=points([(200, 200)] * 3 + [(1400, 1400)] * 3),
    )
    rows = []
    for day in ("monday", "tuesday"):
        for i in range(8):
            for start in (480, 1080):
                rows.append(
                    {
                        "visit_id": f"c{i}-{day[:3]}-{start}",
                        "client_id": f"c{i}",
                        "day": day,
                        "window_start": start,
                        "window_end": start + 90,
                        "duration": 30,
                        "carers_needed": 2 if i == 0 else 1,
                        "skills": "hoist" if i == 0 else "",
                    }
                )
    return clients, carers, pd.DataFrame(rows)


def test_a_whole_plan_solves_zones_in_parallel_and_reports_progress(town) -> None:
    """Every visit of every zone and day is routed or unscheduled; progress is reported."""
    clients, carers, visits = week(town)
    seen = []
    plan = plan_routes(
        visits,
        carers,
        town,
        clients=clients,
        n_jobs=2,
        budget=Budget(max_iterations=60, max_seconds=3),
        random_state=0,
        progress=lambda done, total, zone: seen.append((done, total)),
    )
    assert seen[-1] == (2, 2)
    routed = set(plan.routes["visit_id"]) | set(plan.unscheduled["visit_id"])
    assert routed == set(visits["visit_id"])
    assert set(plan.results) == {
        ("A", "monday"),
        ("A", "tuesday"),
        ("B", "monday"),
        ("B", "tuesday"),
    }
    assert plan.validate().empty
    assert set(plan.continuity.columns) >= {"client_id", "zone_id", "distinct_carers"}
    report = plan.report()
    assert report["visits"] == len(visits) and len(report["zones"]) == 4
    legs = plan.to_geodataframe()
    assert len(legs) == len(plan.routes) + int((plan.shifts["n_visits"] > 0).sum())
    assert "Route plan" in str(plan)


def test_plan_options_are_checked_where_the_plan_starts(town) -> None:
    """A bad budget, seed or worker count is refused at once, all listed, before any solve."""
    clients, carers, visits = week(town)
    with pytest.raises(ValidationError) as err:
        Budget(max_iterations=0, max_seconds=-5)
    assert {p.column for p in err.value.problems} == {"max_seconds", "max_iterations"}
    with pytest.raises(ValidationError) as err:
        plan_routes(visits, carers, town, clients=clients, random_state="x", n_jobs=0)
    columns = {p.column for p in err.value.problems}
    assert columns == {"random_state", "n_jobs"}
    assert all(p.where == "plan_routes" for p in err.value.problems)


def test_one_routing_budget_default() -> None:
    """solve, plan_routes, the CLI and scenario files share one Budget: 300 iterations, a cap."""
    import inspect

    from carezones.cli.app import routes as routes_command
    from carezones.scenario.spec import RoutingSpec

    for fn in (solve, plan_routes):
        assert inspect.signature(fn).parameters["budget"].default is None  # Budget()
    cli = inspect.signature(routes_command).parameters
    assert (cli["max_iterations"].default, cli["max_seconds"].default) == (
        Budget().max_iterations,
        Budget().max_seconds,
    )
    assert RoutingSpec().budget == Budget() == Budget(max_iterations=300, max_seconds=60.0)
    assert RoutingSpec.from_dict({"max_iterations": 50}).budget == Budget(max_iterations=50)


def test_zone_polygons_place_clients_and_carers(town) -> None:
    """Zones given as polygons: clients outside them are unscheduled, carers join the nearest."""
    import shapely

    clients, carers, visits = week(town)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["west"]},
        geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 800, Y0 + 1700)],
        crs=27700,
    )
    plan = plan_routes(
        visits[visits["day"] == "monday"],
        carers,
        town,
        clients=clients,
        zones=zones,
        n_jobs=1,
        budget=Budget(max_iterations=40),
    )
    out = plan.unscheduled[plan.unscheduled["reason"] == "client in no zone"]
    east = set(clients.loc[clients["zone_id"] == "B", "client_id"])
    assert set(out["client_id"]) == east
    assert set(plan.results) == {("west", "monday")}  # carers living east work in the nearest zone
    assert plan.results[("west", "monday")].problem.n_carers == 6


def test_continuity_across_the_week(town) -> None:
    """Carers met on Monday count as known on Tuesday: few distinct carers per client."""
    clients, carers, visits = week(town)
    plan = plan_routes(
        visits,
        carers,
        town,
        clients=clients,
        n_jobs=1,
        budget=Budget(max_iterations=60),
        random_state=0,
    )
    single = plan.continuity[plan.continuity["client_id"] != "c0"]
    assert single["distinct_carers"].max() <= 2
    assert plan.continuity.set_index("client_id").loc["c0", "distinct_carers"] >= 2
    # each client's carers named, the main carer first, from the plan's routes
    for row in plan.continuity.itertuples():
        mine = plan.routes[plan.routes["client_id"] == row.client_id]["carer_id"]
        assert row.carers.split(";")[0] == row.main_carer
        assert set(row.carers.split(";")) == set(mine)
        assert row.main_carer_share == pytest.approx((mine == row.main_carer).mean())


@st.composite
def instances(draw):
    n_visits = draw(st.integers(1, 9))
    n_carers = draw(st.integers(1, 3))
    n = n_carers + n_visits
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    xy = rng.uniform(0, 3000, size=(n, 2))
    m = RoutingModel()
    locs = [m.add_location() for _ in range(n)]
    p = m.add_profile(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)) / 1.3, name="walk")
    for i in range(n_carers):
        start = draw(st.sampled_from([7, 8, 12]))
        brk = draw(st.booleans())
        m.add_carer(
            locs[i],
            profile=p,
            shift_start=start * 3600,
            shift_end=(start + 6) * 3600,
            max_working=draw(st.sampled_from([3, 5, 8])) * 3600,
            break_duration=1800 if brk else 0,
            break_start=11 * 3600,
            break_end=13 * 3600,
            skills=draw(st.sampled_from(["", "hoist"])),
            name=f"k{i}",
        )
    for j in range(n_visits):
        ws = draw(st.integers(6 * 12, 17 * 12)) * 300
        m.add_visit(
            locs[n_carers + j],
            window_start=ws,
            latest_start=ws + draw(st.sampled_from([0, 1800, 7200])),
            duration=draw(st.sampled_from([1800, 2700, 3600])),
            carers_needed=draw(st.sampled_from([1, 1, 2])),
            skills=draw(st.sampled_from(["", "", "hoist"])),
            client=f"c{j % 4}",
            name=f"v{j}",
        )
    soft = draw(st.booleans())
    from carezones.routing import RoutingParams

    return m.compile(RoutingParams(time_windows="soft" if soft else "hard", start_step=60))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_visit_is_in_exactly_one_route_or_unscheduled(problem) -> None:
    """Property: each visit is routed (with the carers it needs) or unscheduled, never both."""
    result = solve(problem, budget=Budget(max_iterations=30), random_state=0)
    routed = result.routes.groupby("visit_id")["carer_id"].agg(list)
    unscheduled = set(result.unscheduled["visit_id"])
    for v, need in zip(problem.visit_ids, problem.carers_needed, strict=True):
        if v in unscheduled:
            assert v not in routed.index
            assert result.unscheduled.set_index("visit_id").loc[v, "reason"]
        else:
            assert len(routed[v]) == need == len(set(routed[v]))
    found = result.validate()
    assert found.empty, found.to_string()


def test_client_carers_names_the_main_carer_and_everyone_met() -> None:
    """Both carers of a double-up count; the main carer is who made most carer-visits."""
    from carezones.routing import client_carers

    rows = pd.DataFrame({
        "client_id": ["a", "a", "a", "a", "b", "b"],
        "visit_id": ["1", "2", "2", "3", "4", "5"],
        "carer_id": ["K3", "K1", "K3", "K1", "K2", "K1"],
    })  # fmt: skip
    out = client_carers(rows).set_index("client_id")
    assert out.loc["a", "n_visits"] == 3  # the double-up is one visit
    assert out.loc["a", "distinct_carers"] == 2
    assert out.loc["a", "main_carer"] == "K1"  # a tie (2 and 2): the first id
    assert out.loc["a", "main_carer_share"] == 0.5
    assert out.loc["a", "carers"] == "K1;K3"
    assert out.loc["b", "carers"] == "K1;K2"  # one visit each: by id
    assert out.loc["b", "main_carer_share"] == 0.5
    # the mean of main_carer_share is the outcomes' figure
    assert out["main_carer_share"].mean() == 0.5
    empty = client_carers(rows.iloc[:0])
    assert list(empty.columns) == ["client_id", "n_visits", "distinct_carers", "main_carer",
                                   "main_carer_share", "carers"]  # fmt: skip
