"""Tests of the outcomes: every figure on a hand-made plan whose values are known."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from carezones import CostInputs, ValidationError, hourly_rate
from carezones.outcomes import (
    CO2E_KG_PER_KM_AVERAGE_CAR,
    COVER_RATE_GBP_PER_HOUR,
    OutcomeParams,
    measure_outcomes,
    outcomes_of,
)
from carezones.outcomes.costing.inputs import KM_PER_MILE
from carezones.routing import Budget

# The plan, one Monday (so every weekly figure is 7 times the day's):
#
# zone A (provider P1): clients c1 (7 h/week) and c2 (3.5 h/week)
#   k1 walks: home -10 min-> v1 (c1, 60 min) -5-> v2 (c2, 30 min) -5-> v5 (c1, 20 min) -10-> home
# zone B (provider P2): c3 (10.5 h/week, double-handed) and c4 (2 h/week)
#   v3 (c3, 90 min, both k3 and k4, 5 min late): k3 drives 15 min each way (15 km in all),
#   k4 cycles 20 min each way (10 km in all); v4 (c4, 15 min) is unscheduled.
# Carers' homes: k1 and k2 (unused) in A, k3 in B, k4 outside every zone.

DAY = "monday"


def _routes() -> pd.DataFrame:
    rows = [
        ("A", "k1", 1, "v1", "c1", 480, 540, 0.0, 600, "walk", 800.0, 1),
        ("A", "k1", 2, "v2", "c2", 560, 590, 0.0, 300, "walk", 400.0, 1),
        ("A", "k1", 3, "v5", "c1", 600, 620, 0.0, 300, "walk", 400.0, 1),
        ("B", "k3", 1, "v3", "c3", 600, 690, 5.0, 900, "drive", 7500.0, 2),
        ("B", "k4", 1, "v3", "c3", 600, 690, 5.0, 1200, "cycle", 5000.0, 2),
    ]
    cols = ["zone_id", "carer_id", "sequence", "visit_id", "client_id", "start", "end", "late",
            "travel_seconds", "mode", "distance_m", "carers_needed"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).assign(day=DAY)


def _shifts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone_id": ["A", "A", "B", "B"],
            "day": DAY,
            "carer_id": ["k1", "k2", "k3", "k4"],
            "mode": ["walk", "drive", "drive", "cycle"],
            "n_visits": [3, 0, 1, 1],
            "travel_seconds": [1800, 0, 1800, 2400],
            "return_travel_seconds": [600, 0, 900, 1200],
            "distance_m": [2400.0, 0.0, 15000.0, 10000.0],
        }
    )


def _visits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "visit_id": ["v1", "v2", "v3", "v4", "v5"],
            "client_id": ["c1", "c2", "c3", "c4", "c1"],
            "day": DAY,
            "duration": [60, 30, 90, 15, 20],
            "carers_needed": [1, 1, 2, 1, 1],
            "virtual_ok": [False, True, False, False, True],
        }
    )


def _clients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3", "c4"],
            "weekly_hours": [7.0, 3.5, 10.5, 2.0],
            "carers_needed": [1, 1, 2, 1],
            "zone_id": ["A", "A", "B", "B"],
        }
    )


def _carers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "carer_id": ["k1", "k2", "k3", "k4"],
            "mode": ["walk", "drive", "drive", "cycle"],
            "contracted_hours": [20.0, 30.0, 10.0, 16.0],
            "home_zone_id": ["A", "A", "B", None],
        }
    )


def _unscheduled() -> pd.DataFrame:
    return pd.DataFrame(
        {"zone_id": ["B"], "day": [DAY], "visit_id": ["v4"], "client_id": ["c4"],
         "carers_needed": [1], "reason": ["no free time in any eligible carer's day"]}
    )  # fmt: skip


def _measure(**kwargs: object):  # type: ignore[no-untyped-def]
    options = {
        "clients": _clients(),
        "carers": _carers(),
        "shifts": _shifts(),
        "unscheduled": _unscheduled(),
        "providers": {"A": "P1", "B": "P2"},
        "params": OutcomeParams(min_weekly_hours=11, min_provider_hours=12),
    }
    options.update(kwargs)
    return measure_outcomes(_routes(), _visits(), **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def out():  # type: ignore[no-untyped-def]
    return _measure()


def test_table_has_every_outcome_in_order(out) -> None:  # type: ignore[no-untyped-def]
    """The table has one row per plan outcome, with the stable names of OUTCOMES, in order."""
    assert out.table["outcome"].tolist() == [o.name for o in outcomes_of("plan")]
    assert list(out.table.columns) == ["outcome", "value", "unit", "description"]
    for name in ("travel_to_care_ratio", "walk_cycle_share", "carers_local_share",
                 "co2e_kg_per_week", "car_km_per_week", "hourly_rate_gbp",
                 "travel_hours_per_week", "punctuality_share", "distinct_carers_per_client",
                 "short_call_share", "virtual_travel_hours_saved", "zones_below_floor",
                 "providers_below_floor"):  # fmt: skip
        assert name in out.to_dict()


def test_hours_per_zone_and_provider_and_floors(out) -> None:  # type: ignore[no-untyped-def]
    """Zone and provider hours are the clients' hours; floors flag A (10.5 < 11) and P1."""
    zones = out.zones.set_index("zone_id")
    assert zones.loc["A", "weekly_hours"] == 10.5
    assert zones.loc["B", "weekly_hours"] == 12.5
    assert zones["meets_floor"].tolist() == [False, True]
    providers = out.providers.set_index("provider_id")
    assert providers.loc["P1", "weekly_hours"] == 10.5
    assert providers["meets_floor"].tolist() == [False, True]
    assert out["zones_below_floor"] == 1
    assert out["providers_below_floor"] == 1
    assert out["smallest_zone_hours"] == 10.5
    assert out["weekly_hours"] == 23.0


def test_travel_to_care_and_travel_hours(out) -> None:  # type: ignore[no-untyped-def]
    """Travel (100 min, the way home included) over contact time (110 + 90 + 90 min)."""
    assert out["travel_to_care_ratio"] == pytest.approx(100 / 290)
    assert out["travel_hours_per_week"] == pytest.approx(100 / 60 * 7)
    assert out["care_hours_per_week"] == pytest.approx(290 / 60 * 7)
    zones = out.zones.set_index("zone_id")
    assert zones.loc["A", "travel_to_care_ratio"] == pytest.approx(30 / 110)
    assert zones.loc["B", "travel_to_care_ratio"] == pytest.approx(70 / 180)


def test_walk_cycle_share(out) -> None:  # type: ignore[no-untyped-def]
    """v1, v2, v5 are walked to; v3 is double-handed with a driver, so not on foot or bike."""
    assert out["walk_cycle_share"] == pytest.approx(3 / 4)


def test_carers_local_share(out) -> None:  # type: ignore[no-untyped-def]
    """k1 (A) and k3 (B) live where they work; k4 lives outside every zone; k2 made no visit."""
    assert out["carers_local_share"] == pytest.approx(2 / 3)
    zones = out.zones.set_index("zone_id")
    assert zones.loc["A", "carers_local_share"] == 1.0
    assert zones.loc["B", "carers_local_share"] == 0.5


def test_car_km_and_co2e(out) -> None:  # type: ignore[no-untyped-def]
    """Only k3 drives: 15 km a day, 105 km a week, at the UK 2025 average-car factor."""
    assert CO2E_KG_PER_KM_AVERAGE_CAR == 0.16725
    assert out["car_km_per_week"] == pytest.approx(105.0)
    assert out["co2e_kg_per_week"] == pytest.approx(105.0 * 0.16725)
    other = _measure(params=OutcomeParams(co2e_kg_per_km=0.1))
    assert other["co2e_kg_per_week"] == pytest.approx(10.5)


def test_punctuality(out) -> None:  # type: ignore[no-untyped-def]
    """v3 starts 5 minutes late (once, though two carers do it): punctual within 15 minutes.

    With no tolerance, 3 of 4 on time.
    """
    assert out["punctuality_share"] == pytest.approx(1.0)
    strict = _measure(params=OutcomeParams(punctuality_minutes=0))
    assert strict["punctuality_share"] == pytest.approx(0.75)
    assert out["late_minutes_per_week"] == pytest.approx(35.0)
    assert out["late_visits_per_week"] == pytest.approx(7.0)
    assert out["mean_late_minutes"] == pytest.approx(5.0)
    assert out["max_late_minutes"] == pytest.approx(5.0)


def test_continuity(out) -> None:  # type: ignore[no-untyped-def]
    """c1 and c2 see one carer, c3 two: 4/3 carers per client."""
    assert out["distinct_carers_per_client"] == pytest.approx(4 / 3)


def test_short_calls_and_scheduled_share(out) -> None:  # type: ignore[no-untyped-def]
    """Two of five visits are under 30 minutes; four of five are scheduled."""
    assert out["short_call_share"] == pytest.approx(0.4)
    assert out["scheduled_share"] == pytest.approx(0.8)
    assert out["visits_per_week"] == 35
    assert out["unscheduled_visits_per_week"] == 7


def test_workforce_balance(out) -> None:  # type: ignore[no-untyped-def]
    """Contracted hours living in a zone less its carer hours plus its measured travel."""
    zones = out.zones.set_index("zone_id")
    paid_a = 10.5 * (1 + 30 / 110)
    paid_b = (10.5 * 2 + 2.0) * (1 + 70 / 180)
    assert zones.loc["A", "paid_hours_needed"] == pytest.approx(paid_a)
    assert zones.loc["A", "contracted_hours_living_in"] == 50.0
    assert zones.loc["A", "workforce_balance_hours"] == pytest.approx(50.0 - paid_a)
    assert zones.loc["B", "workforce_balance_hours"] == pytest.approx(10.0 - paid_b)
    assert out["workforce_gap_hours"] == pytest.approx(paid_b - 10.0)


def test_hourly_rate_is_the_costing_of_the_measured_visits(out) -> None:  # type: ignore[no-untyped-def]
    """The rate is the costing of the measured visits, each provider's fixed costs at its size.

    Without fixed costs: costing.hourly_rate of 5 carer-visits of 58 min, 20 min travel, 15 km.
    """
    no_fixed = CostInputs(fixed_costs_gbp_per_week={})
    flat = _measure(cost_inputs=no_fixed)
    expected = hourly_rate(
        travel_minutes_per_visit=100 / 5, visit_minutes=290 / 5,
        miles_per_visit=15 / KM_PER_MILE / 5, inputs=no_fixed,
    ).total  # fmt: skip
    assert flat["hourly_rate_gbp"] == pytest.approx(expected)
    assert flat["delivered_cost_gbp_per_week"] == pytest.approx(expected * 290 / 60 * 7)
    # like for like: v4 (unserved) is priced at the cover rate
    unserved = _visits().set_index("visit_id").loc["v4", "duration"] / 60 * 7
    assert out["unserved_carer_hours_per_week"] == pytest.approx(unserved)
    assert out["cover_cost_gbp_per_week"] == pytest.approx(unserved * COVER_RATE_GBP_PER_HOUR)
    assert out["cost_gbp_per_week"] == pytest.approx(
        out["delivered_cost_gbp_per_week"] + out["cover_cost_gbp_per_week"]
    )
    # zone A is provider P1's only zone: 110 min of care a day, 12.83 h a week
    zones = out.zones.set_index("zone_id")
    size = 110 / 60 * 7
    walk_only = hourly_rate(travel_minutes_per_visit=30 / 3, visit_minutes=110 / 3,
                            miles_per_visit=0, provider_weekly_hours=size).total  # fmt: skip
    assert zones.loc["A", "hourly_rate_gbp"] == pytest.approx(walk_only)
    providers = out.providers.set_index("provider_id")
    assert providers.loc["P1", "hourly_rate_gbp"] == pytest.approx(walk_only)
    costs = (providers["hourly_rate_gbp"] * providers["care_hours_per_week"]).sum()
    assert out["delivered_cost_gbp_per_week"] == pytest.approx(costs)
    assert out["hourly_rate_gbp"] == pytest.approx(costs / (290 / 60 * 7))


def test_virtual_calls_save_the_detour_exactly_with_travel_times() -> None:
    """v2 and v5 virtual: k1 goes home -> c1 -> home (600 + 500 s) instead of 1,800 s."""
    travel = pd.DataFrame(
        {"from_id": ["c1"], "to_id": ["k1"], "mode": ["walk"], "travel_seconds": [500]}
    )
    out = _measure(params=OutcomeParams(virtual_share=1.0), travel=travel)
    assert out["virtual_visits_per_week"] == 14
    assert out["virtual_travel_hours_saved"] == pytest.approx(700 / 3600 * 7)
    assert out["travel_hours_per_week"] == pytest.approx((6000 - 700) / 3600 * 7)
    assert out["care_hours_per_week"] == pytest.approx(290 / 60 * 7)  # care still given
    assert out["car_km_per_week"] == pytest.approx(105.0)  # k1 walks
    assert out["walk_cycle_share"] == pytest.approx(1 / 2)  # in-person: v1 walked, v3 not


def test_virtual_calls_estimated_without_travel_times() -> None:
    """Without the leg c1 -> home, it is estimated as the longer end of the chain (600 s)."""
    out = _measure(params=OutcomeParams(virtual_share=1.0))
    assert out["virtual_travel_hours_saved"] == pytest.approx(600 / 3600 * 7)


def test_virtual_share_picks_that_share_of_virtual_ok_visits() -> None:
    """A share of 0.5 makes one of the two virtual_ok visits virtual, the same one each time."""
    a = _measure(params=OutcomeParams(virtual_share=0.5, random_state=3))
    b = _measure(params=OutcomeParams(virtual_share=0.5, random_state=3))
    assert a["virtual_visits_per_week"] == 7
    assert a["virtual_travel_hours_saved"] == b["virtual_travel_hours_saved"]


def test_a_week_of_routes_is_not_scaled() -> None:
    """Routes over seven days give weekly figures as they are."""
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    routes = pd.concat([_routes().assign(day=d) for d in days], ignore_index=True)
    shifts = pd.concat([_shifts().assign(day=d) for d in days], ignore_index=True)
    visits = pd.concat([_visits().assign(day=d) for d in days], ignore_index=True)
    visits["visit_id"] = visits["visit_id"] + "-" + visits["day"].str[:3]
    routes["visit_id"] = routes["visit_id"] + "-" + routes["day"].str[:3]
    out = measure_outcomes(routes, visits, clients=_clients(), carers=_carers(), shifts=shifts)
    assert out.n_days == 7
    assert out["car_km_per_week"] == pytest.approx(105.0)
    assert out["distinct_carers_per_client"] == pytest.approx(4 / 3)


def test_home_zones_from_polygons_and_home_to_visit_distance() -> None:
    """Homes placed in zone polygons; straight-line km from each home to the client visited."""
    zones = gpd.GeoDataFrame(
        {"zone_id": ["A", "B"]},
        geometry=[shapely.box(0, 0, 10_000, 10_000), shapely.box(10_000, 0, 20_000, 10_000)],
        crs=27700,
    )
    clients = gpd.GeoDataFrame(
        _clients(), geometry=gpd.points_from_xy([3000, 3000, 15000, 15000], [4000] * 4), crs=27700
    )
    carers = gpd.GeoDataFrame(
        _carers().drop(columns="home_zone_id"),
        geometry=gpd.points_from_xy([1, 2, 16000, 30000], [1, 2, 4000, 0]),
        crs=27700,
    )
    routes = _routes()
    routes = routes[routes["carer_id"] != "k1"]  # k3 (1 km away) and k4 (15.5 km away)
    out = measure_outcomes(
        routes, _visits(), clients=clients, carers=carers, shifts=_shifts(), zones=zones
    )
    assert out["carers_local_share"] == pytest.approx(1 / 2)  # k3 in B, k4 outside
    assert out["home_to_visit_km"] == pytest.approx((1.0 + np.hypot(15000, 4000) / 1000) / 2)
    assert out.zones.set_index("zone_id").loc["A", "carers_living_in"] == 2


def test_without_zones_the_zone_outcomes_are_missing() -> None:
    """A plan without zones ("then") reports no zone figures; homes cannot be placed."""
    carers = _carers().drop(columns="home_zone_id")
    out = _measure(carers=carers, params=OutcomeParams(zoned=False, min_provider_hours=12))
    for name in ("n_zones", "zones_below_floor", "carers_local_share", "workforce_gap_hours"):
        assert np.isnan(out[name])
    assert out["providers_below_floor"] == 1


def test_missing_columns_are_named() -> None:
    """A routes table without 'late' and a carers table without 'mode' are both named."""
    with pytest.raises(ValidationError) as err:
        measure_outcomes(
            _routes().drop(columns="late"),
            _visits(),
            clients=_clients(),
            carers=_carers().drop(columns="mode"),
            shifts=_shifts(),
        )
    text = str(err.value)
    assert "routes, column 'late'" in text and "carers, column 'mode'" in text


def test_bad_params_name_the_field() -> None:
    """A bad emission factor or floor is refused, naming the field."""
    with pytest.raises(ValidationError, match="co2e_kg_per_km"):
        OutcomeParams(co2e_kg_per_km=-1)
    with pytest.raises(ValidationError, match="min_weekly_hours"):
        OutcomeParams(min_weekly_hours=0)


def test_outcomes_of_a_route_plan(helsinki) -> None:  # type: ignore[no-untyped-def]
    """A RoutePlan from plan_routes is measured, virtual savings read from its matrices."""
    from carezones.routing import plan_routes

    clients = gpd.GeoDataFrame(
        {"client_id": ["c1", "c2"], "zone_id": ["A", "A"], "weekly_hours": [3.5, 3.5]},
        geometry=gpd.points_from_xy([24.9384, 24.9450], [60.1699, 60.1650]),
        crs=4326,
    )
    visits = pd.DataFrame(
        {"visit_id": ["v1", "v2"], "client_id": ["c1", "c2"], "day": "monday",
         "window_start": [480, 540], "window_end": [540, 600], "duration": 30,
         "carers_needed": 1, "skills": "", "virtual_ok": [False, True]}
    )  # fmt: skip
    carers = gpd.GeoDataFrame(
        {"carer_id": ["ann"], "mode": "walk", "zone_id": "A", "shift_start": 420,
         "shift_end": 720, "max_minutes": 300, "skills": "", "contracted_hours": 20.0},
        geometry=gpd.points_from_xy([24.9390], [60.1690]),
        crs=4326,
    )  # fmt: skip
    plan = plan_routes(
        visits, carers, helsinki, clients=clients, n_jobs=1, budget=Budget(max_iterations=30)
    )
    base = measure_outcomes(plan, visits, clients=clients, carers=carers)
    virtual = measure_outcomes(
        plan, visits, clients=clients, carers=carers, params=OutcomeParams(virtual_share=1.0)
    )
    assert base["scheduled_share"] == 1.0
    assert base["walk_cycle_share"] == 1.0
    saved = virtual["virtual_travel_hours_saved"]
    assert saved > 0
    assert virtual["travel_hours_per_week"] == pytest.approx(base["travel_hours_per_week"] - saved)


def test_a_plan_without_any_zone_is_priced_as_a_whole() -> None:
    """Every zone_id None (a real rota without zones): no crash, one rate for every route."""
    routes, shifts = _routes().assign(zone_id=None), _shifts().assign(zone_id=None)
    out = measure_outcomes(
        routes, _visits(), clients=_clients().assign(zone_id=None), carers=_carers(),
        shifts=shifts, unscheduled=_unscheduled().assign(zone_id=None),
        params=OutcomeParams(zoned=False),
    )  # fmt: skip
    assert len(out.zones) == 0 and len(out.providers) == 0
    # priced as one provider of the reference size (1,000 h/week)
    expected = hourly_rate(travel_minutes_per_visit=100 / 5, visit_minutes=290 / 5,
                           miles_per_visit=15 / KM_PER_MILE / 5).total  # fmt: skip
    assert out["hourly_rate_gbp"] == pytest.approx(expected)
    # without fixed costs, the same as the zoned plan priced zone by zone
    no_fixed = CostInputs(fixed_costs_gbp_per_week={})
    flat = measure_outcomes(
        routes, _visits(), clients=_clients().assign(zone_id=None), carers=_carers(),
        shifts=shifts, unscheduled=_unscheduled().assign(zone_id=None),
        params=OutcomeParams(zoned=False), cost_inputs=no_fixed,
    )  # fmt: skip
    zoned = _measure(cost_inputs=no_fixed)
    assert flat["hourly_rate_gbp"] == pytest.approx(zoned["hourly_rate_gbp"])
    assert flat["cost_gbp_per_week"] == pytest.approx(zoned["cost_gbp_per_week"])
    assert out["care_hours_per_week"] == pytest.approx(290 / 60 * 7)
    assert np.isnan(out["n_zones"])


def _two_mondays(carer_week_2: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The plan on Monday 7 and Monday 14 July 2025; k1's visits made by another carer in week 2."""
    dates = {"w1": pd.Timestamp("2025-07-07"), "w2": pd.Timestamp("2025-07-14")}
    routes, shifts, visits = [], [], []
    for week, date in dates.items():
        r, s, v = _routes(), _shifts(), _visits()
        if week == "w2":
            r["carer_id"] = r["carer_id"].replace("k1", carer_week_2)
        r["visit_id"] = r["visit_id"] + "-" + week
        v["visit_id"] = v["visit_id"] + "-" + week
        routes.append(r)
        shifts.append(s)
        visits.append(v.assign(date=date))
    return (
        pd.concat(routes, ignore_index=True),
        pd.concat(shifts, ignore_index=True),
        pd.concat(visits, ignore_index=True),
    )


def test_weeks_are_counted_by_date_not_by_day_name() -> None:
    """Two Mondays (day 'monday' twice, two dates) are two days: figures a week are halved."""
    routes, shifts, visits = _two_mondays("k1")
    out = measure_outcomes(routes, visits, clients=_clients(), carers=_carers(), shifts=shifts)
    assert out.n_days == 2
    assert out["car_km_per_week"] == pytest.approx(105.0)  # not 210: two days, scaled by 7/2
    assert out["care_hours_per_week"] == pytest.approx(290 / 60 * 7)
    no_dates = measure_outcomes(
        routes, visits.drop(columns="date"), clients=_clients(), carers=_carers(), shifts=shifts
    )
    assert no_dates.n_days == 1  # by day name, as before


def test_distinct_carers_per_client_is_per_week_with_dates() -> None:
    """k1's clients see k2 in the second week: one carer a week each, not two."""
    routes, shifts, visits = _two_mondays("k2")
    out = measure_outcomes(routes, visits, clients=_clients(), carers=_carers(), shifts=shifts)
    assert out["distinct_carers_per_client"] == pytest.approx(4 / 3)  # (1 + 1 + 2) / 3
    routes_dated = routes.assign(date=routes["visit_id"].str.endswith("w2").map(
        {False: pd.Timestamp("2025-07-07"), True: pd.Timestamp("2025-07-14")}))  # fmt: skip
    only_routes = measure_outcomes(
        routes_dated, visits.drop(columns="date"), clients=_clients(), carers=_carers(),
        shifts=shifts,
    )  # fmt: skip
    assert only_routes.n_days == 2
    assert only_routes["distinct_carers_per_client"] == pytest.approx(4 / 3)
