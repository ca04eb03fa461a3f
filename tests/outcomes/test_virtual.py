"""Virtual calls decided before routing: not routed, and the carer time they free is planned."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from carezones import ValidationError
from carezones.outcomes import OutcomeParams, choose_virtual, measure_outcomes
from carezones.routing import Budget, RoutingParams, plan_routes
from conftest import grid_network

X0, Y0 = 530_000.0, 180_000.0


def _points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        gpd.points_from_xy([X0 + x for x, _ in xy], [Y0 + y for _, y in xy]), crs=27700
    )


def _one_carer_two_visits() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """One carer with an hour; two 45-minute visits in the same hour: only one fits in person."""
    clients = gpd.GeoDataFrame(
        {"client_id": ["a", "b"], "zone_id": "Z", "weekly_hours": [5.25, 5.25],
         "carers_needed": 1},
        geometry=_points([(100, 0), (200, 0)]),
    )  # fmt: skip
    carers = gpd.GeoDataFrame(
        {"carer_id": ["k1"], "mode": ["walk"], "zone_id": "Z", "shift_start": 420,
         "shift_end": 480, "max_minutes": 60, "skills": "", "contracted_hours": 7.0},
        geometry=_points([(0, 0)]),
    )  # fmt: skip
    visits = pd.DataFrame(
        {"visit_id": ["va", "vb"], "client_id": ["a", "b"], "day": "monday",
         "window_start": 420, "window_end": 480, "duration": 45, "carers_needed": 1,
         "skills": "", "virtual_ok": [True, False]}
    )  # fmt: skip
    return clients, carers, visits


def _plan(visits: pd.DataFrame, clients: gpd.GeoDataFrame, carers: gpd.GeoDataFrame):  # type: ignore[no-untyped-def]
    return plan_routes(
        visits, carers, grid_network(), clients=clients, zones="zone_id", days="monday",
        params=RoutingParams(time_windows="hard"), budget=Budget(max_iterations=50), n_jobs=1,
        random_state=0,
    )  # fmt: skip


def test_a_virtual_calls_freed_time_is_used_by_another_visit_that_day() -> None:
    """A virtual call decided before routing frees the carer for another visit that day."""
    # In person only one visit fits the carer's hour; with the other made a virtual call
    # before routing, the carer makes the second visit and nothing is left unserved.
    clients, carers, visits = _one_carer_two_visits()
    in_person = _plan(visits, clients, carers)
    assert len(in_person.unscheduled) == 1  # one of the two cannot be made
    assert len(in_person.routes) == 1

    virtual = choose_virtual(visits, 1.0, 0)
    assert virtual == {"va"}  # the only visit that could be a virtual call
    plan = _plan(visits[~visits["visit_id"].isin(virtual)], clients, carers)
    assert plan.routes["visit_id"].tolist() == ["vb"]  # the time va freed goes to vb
    assert plan.unscheduled.empty

    params = OutcomeParams(days_per_week=1, virtual_call_pay_share=0.5)
    out = measure_outcomes(plan, visits, clients=clients, carers=carers, params=params,
                           virtual=virtual)  # fmt: skip
    assert out["scheduled_share"] == 1.0 and out["unserved_hours_per_week"] == 0.0
    assert out["virtual_visits_per_week"] == 1.0
    assert out["virtual_hours_per_week"] == pytest.approx(0.75)
    assert out["in_person_hours_per_week"] == pytest.approx(0.75)
    # both visits are care: 90 minutes of contact, the call paid at half its length
    assert out["care_hours_per_week"] == pytest.approx(1.5)
    travel = out["travel_hours_per_week"]
    waiting = out["waiting_hours_per_week"]
    assert out["paid_hours_per_week"] == pytest.approx(0.75 + travel + waiting + 0.375)
    # the travel saved is estimated at the plan's travel per in-person visit
    assert out["virtual_travel_hours_saved"] == pytest.approx(travel)
    rec = out.reconciliation.set_index("line")
    assert rec.loc["difference (0)"].abs().max() < 1e-9


def test_a_virtual_call_decided_before_routing_must_not_be_routed() -> None:
    """A visit passed as a virtual call but found in a route is refused by name."""
    clients, carers, visits = _one_carer_two_visits()
    plan = _plan(visits, clients, carers)
    routed = set(plan.routes["visit_id"])
    with pytest.raises(ValidationError, match="routed"):
        measure_outcomes(plan, visits, clients=clients, carers=carers, virtual=routed)
    with pytest.raises(ValidationError, match="unknown visit"):
        measure_outcomes(plan, visits, clients=clients, carers=carers, virtual={"nope"})


def test_virtual_calls_are_chosen_with_the_seed_from_single_handed_calls() -> None:
    """The same seed gives the same calls in any row order; double-ups never qualify."""
    visits = pd.DataFrame({"visit_id": [f"v{i}" for i in range(20)], "virtual_ok": True,
                           "carers_needed": [1] * 15 + [2] * 5})  # fmt: skip
    first = choose_virtual(visits, 0.4, 3)
    assert len(first) == 6 and first == choose_virtual(visits.sample(frac=1, random_state=1),
                                                       0.4, 3)  # fmt: skip
    assert not first & {f"v{i}" for i in range(15, 20)}
    assert choose_virtual(visits, 0.4, 4) != first
    assert choose_virtual(visits, 0.0, 3) == set()
