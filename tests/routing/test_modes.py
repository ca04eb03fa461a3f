"""Each carer-day's travel mode as an outcome of the plan, and a planned week's continuity."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carezones import ValidationError
from carezones.routing import (
    Budget,
    ModeRule,
    RoutingModel,
    RoutingParams,
    choose_modes,
    plan_routes,
    planning_mode,
    solve,
)
from conftest import grid_network

X0, Y0 = 530_000.0, 180_000.0


def points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


@pytest.fixture(scope="module")
def town():
    """A 5 x 5 grid of 400 m blocks with walking, cycling and driving networks."""
    return grid_network(5, 400.0, modes=("walk", "cycle", "drive"))


def carers_table(modes: list[str], homes: list[tuple[float, float]], **extra) -> gpd.GeoDataFrame:
    table = {
        "carer_id": [f"k{i}" for i in range(len(modes))],
        "modes": modes,
        "mode": [planning_mode(m) for m in modes],
        "zone_id": "A",
        "shift_start": 420,
        "shift_end": 1200,
        "max_minutes": 600,
        "skills": "",
        **extra,
    }
    return gpd.GeoDataFrame(table, geometry=points(homes))


def test_a_short_walkable_day_is_walked_and_a_long_one_driven(town) -> None:
    """Neighbours 400 m away are walked when the rule allows the extra travel, not 1.6 km.

    A client 1.6 km away (20 minutes on foot) is driven to; by default both days drive:
    on this grid driving is 6 times faster than walking, over the factor of 3.
    """
    clients = gpd.GeoDataFrame(
        {"client_id": ["a", "b", "far"], "zone_id": "A"},
        geometry=points([(400, 0), (400, 400), (1600, 1600)]),
    )
    visits = pd.DataFrame(
        {"visit_id": ["va", "vb", "vfar"], "client_id": ["a", "b", "far"], "day": "monday",
         "window_start": [480, 540, 480], "window_end": [600, 660, 600], "duration": 30,
         "carers_needed": 1, "skills": ""}
    )  # fmt: skip
    carers = carers_table(["walk;drive", "walk;drive"], [(0, 0), (0, 1600)])
    options = {"clients": clients, "n_jobs": 1, "budget": Budget(max_iterations=60)}
    lax = plan_routes(visits, carers, town, mode_rule=ModeRule(walk_travel_factor=7), **options)
    mode = lax.routes.set_index("visit_id")["mode"]
    assert mode[["va", "vb"]].tolist() == ["walk", "walk"] and mode["vfar"] == "drive"
    assert lax.validate().empty and lax.unscheduled.empty
    plain = plan_routes(visits, carers, town, **options)
    assert set(plain.routes["mode"]) == {"drive"}
    assert next(iter(plain.results.values())).extra["mode_rule"] == ModeRule().to_dict()


def test_a_carer_without_a_car_never_drives(town) -> None:
    """Whatever the distances, carers whose modes hold no car walk or cycle, never drive."""
    rng = np.random.default_rng(3)
    xy = [(float(x), float(y)) for x, y in rng.uniform(0, 1600, size=(10, 2))]
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(10)], "zone_id": "A"}, geometry=points(xy)
    )
    visits = pd.DataFrame(
        {"visit_id": [f"v{i}" for i in range(10)], "client_id": [f"c{i}" for i in range(10)],
         "day": "monday", "window_start": 480 + 30 * np.arange(10), "window_end": 840,
         "duration": 30, "carers_needed": 1, "skills": ""}
    )  # fmt: skip
    modes = ["walk", "walk;cycle", "walk;cycle;drive", "walk;drive"]
    carers = carers_table(modes, [(0, 0), (1600, 0), (0, 1600), (800, 800)])
    plan = plan_routes(
        visits, carers, town, clients=clients, n_jobs=1, budget=Budget(max_iterations=80)
    )
    modes_of = dict(zip(carers["carer_id"], carers["modes"], strict=True))
    for row in plan.shifts[plan.shifts["n_visits"] > 0].itertuples():
        assert row.mode in modes_of[row.carer_id].split(";")
    no_car = {c for c, m in modes_of.items() if "drive" not in m}
    assert not (plan.routes["carer_id"].isin(no_car) & (plan.routes["mode"] == "drive")).any()
    assert plan.validate().empty


def test_a_double_handed_visit_keeps_its_time_when_one_carer_walks() -> None:
    """The carer who switches to walking meets the other at the planned start."""
    m = RoutingModel()
    home_a, home_b, client = (m.add_location(name=n) for n in ("ha", "hb", "c"))
    drive = m.add_profile(np.array([[0, 1, 120], [1, 0, 900], [120, 900, 0]]), name="drive")
    m.add_profile(np.array([[0, 1, 300], [1, 0, 3000], [300, 3000, 0]]), name="walk")
    a = m.add_carer(home_a, profile=drive, name="a", shift_start=7 * 3600, shift_end=12 * 3600)
    b = m.add_carer(home_b, profile=drive, name="b", shift_start=7 * 3600, shift_end=12 * 3600)
    assert a.name == "a" and b.name == "b"
    m.add_visit(client, window_start=8 * 3600, latest_start=9 * 3600, duration=1800,
                carers_needed=2, name="v")  # fmt: skip
    planned = solve(m.compile(RoutingParams()), budget=Budget(max_iterations=50), random_state=0)
    chosen = choose_modes(planned, {"a": "walk;drive", "b": "walk;drive"})
    modes = chosen.shifts.set_index("carer_id")["mode"]
    assert modes["a"] == "walk" and modes["b"] == "drive"  # b's walk is 50 minutes
    starts = chosen.routes.set_index("carer_id")["start"]
    assert starts["a"] == starts["b"] == planned.routes["start"].iloc[0]
    assert chosen.validate().empty


def test_the_rule_is_a_checked_parameter() -> None:
    """ModeRule refuses a leg limit of zero and a factor below 1, naming the field."""
    with pytest.raises(ValidationError, match="max_walk_leg_minutes"):
        ModeRule(max_walk_leg_minutes=0)
    with pytest.raises(ValidationError, match="cycle_travel_factor"):
        ModeRule(cycle_travel_factor=0.9)
    assert ModeRule().to_dict() == {
        "max_walk_leg_minutes": 15.0, "max_cycle_leg_minutes": 20.0,
        "walk_travel_factor": 3.0, "cycle_travel_factor": 1.5,
    }  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_chosen_modes_keep_every_rule(seed: int) -> None:
    """On random small days, the chosen modes pass the independent validator, same visits."""
    rng = np.random.default_rng(seed)
    n_loc = 9
    xy = rng.uniform(0, 3000, (n_loc, 2))
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    m = RoutingModel()
    locs = [m.add_location(name=f"l{i}") for i in range(n_loc)]
    speeds = {"walk": 1.33, "cycle": 4.2, "drive": 6.0}
    profiles = {
        mode: m.add_profile(np.rint(metres / v).astype(int) + 30 * (mode == "drive"), name=mode)
        for mode, v in speeds.items()
    }
    opens = {}
    for c in range(3):
        mode = str(rng.choice(["walk;cycle;drive", "walk;drive", "walk;cycle"]))
        opens[f"k{c}"] = mode
        m.add_carer(locs[c], profile=profiles[planning_mode(mode)], name=f"k{c}",
                    shift_start=7 * 3600, shift_end=14 * 3600, max_working=6 * 3600,
                    break_duration=1800 if c == 0 else 0, break_start=10 * 3600,
                    break_end=13 * 3600)  # fmt: skip
    for v in range(3, n_loc):
        start = int(rng.integers(7, 11)) * 3600
        m.add_visit(locs[v], window_start=start, latest_start=start + 5400, duration=1800,
                    carers_needed=2 if v == 3 else 1, name=f"v{v}")  # fmt: skip
    params = RoutingParams(time_windows="soft", start_step=60)
    planned = solve(m.compile(params), budget=Budget(max_iterations=40), random_state=seed)
    chosen = choose_modes(planned, opens)
    assert chosen.validate().empty
    assert list(chosen.routes["visit_id"]) == list(planned.routes["visit_id"])
    assert chosen.unscheduled.equals(planned.unscheduled)
    assert (chosen.routes["late"] <= planned.routes["late"] + 1e-9).all()
    for carer, mode in chosen.shifts.set_index("carer_id")["mode"].items():
        assert mode in opens[carer].split(";")


def test_a_week_prefers_the_carers_a_client_saw_earlier(town) -> None:
    """Monday only k0 works; on Tuesday k1 lives nearer, but the client keeps k0."""
    clients = gpd.GeoDataFrame({"client_id": ["c"], "zone_id": "A"}, geometry=points([(800, 0)]))
    visits = pd.DataFrame(
        {"visit_id": ["c-mon", "c-tue"], "client_id": "c", "day": ["monday", "tuesday"],
         "window_start": 480, "window_end": 600, "duration": 30, "carers_needed": 1,
         "skills": ""}
    )  # fmt: skip
    carers = carers_table(["walk", "walk"], [(0, 0), (400, 0)], days=["monday;tuesday", "tuesday"])
    plan = plan_routes(visits, carers, town, clients=clients, days=["monday", "tuesday"],
                       n_jobs=1, budget=Budget(max_iterations=40))  # fmt: skip
    assert plan.routes.set_index("visit_id")["carer_id"].to_dict() == {"c-mon": "k0", "c-tue": "k0"}
    fresh = plan_routes(visits[visits["day"] == "tuesday"], carers, town, clients=clients,
                        days=["tuesday"], n_jobs=1, budget=Budget(max_iterations=40))  # fmt: skip
    assert fresh.routes["carer_id"].tolist() == ["k1"]  # alone, Tuesday goes to the nearer
    continuity = plan.continuity.set_index("client_id")
    assert continuity.loc["c", "distinct_carers"] == 1
