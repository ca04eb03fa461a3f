"""Tests for carezones.costing: the open-book hourly rate per visit pattern, zone and provider."""

from __future__ import annotations

import dataclasses
import math
import pickle
from dataclasses import fields
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carezones import ValidationError
from carezones.outcomes.costing import break_even_hours, workforce_needed
from carezones.outcomes.costing.inputs import (
    FIXED_COSTS_GBP_PER_WEEK,
    KM_PER_MILE,
    MPH_HOURLY_RATE_GBP,
    MPH_MILES_PER_VISIT,
    MPH_TRAVEL_MINUTES_PER_VISIT,
    MPH_VISIT_MINUTES,
    WAGES,
    CostInputs,
)
from carezones.outcomes.costing.rates import CostBreakdown, hourly_rate, provider_rates, zone_rates

MPH_VISIT = {
    "travel_minutes_per_visit": MPH_TRAVEL_MINUTES_PER_VISIT,
    "visit_minutes": MPH_VISIT_MINUTES,
}


def rate(travel: float, visit: float, miles: float | None = None, **inputs: object) -> float:
    return hourly_rate(
        travel_minutes_per_visit=travel,
        visit_minutes=visit,
        miles_per_visit=miles,
        inputs=CostInputs(**inputs) if inputs else None,
    ).total


# ------------------------------------------------------------------ published figures


def test_defaults_reproduce_the_mph_headline_to_the_penny():
    """The 2025/26 defaults at the reference visit give the MPH's £32.14 an hour."""
    b = hourly_rate(**MPH_VISIT)
    assert MPH_HOURLY_RATE_GBP == 32.14
    assert round(b.total, 2) == 32.14
    # The residual is below a tenth of a penny (the overhead line is a whole penny).
    assert abs(b.total - 32.14) < 0.001
    assert b.miles_per_visit == pytest.approx(MPH_MILES_PER_VISIT)


def test_defaults_match_the_published_careworker_costs_and_surplus_share():
    """Careworker costs give the published £22.71; the surplus is 3% of the price."""
    b = hourly_rate(**MPH_VISIT)
    assert round(b.careworker_costs, 2) == 22.71
    assert b.surplus / b.total == pytest.approx(0.03)
    assert b.contact_pay == 12.21


def test_default_statutory_rates():
    """Holiday 5.6 weeks = 12.07%, NI 15% over £5,000, pension 3% over £6,240."""
    inputs = CostInputs()
    assert round(inputs.holiday_rate, 4) == 0.1207
    earnings = 12.21 * 30 * 52
    assert inputs.annual_earnings_gbp == pytest.approx(earnings)
    assert inputs.ni_share == pytest.approx(0.15 * (earnings - 5000) / earnings)
    assert inputs.pension_share == pytest.approx(0.03 * (earnings - 6240) / earnings)


# ------------------------------------------------------------------ worked example


def test_worked_example_computed_by_hand():
    """Every component matches a hand computation from non-default inputs."""
    inputs = CostInputs(
        wage_gbp_per_hour=12.60,
        holiday_weeks=5.6,
        training_share=0.05,
        sickness_share=0.02,
        employer_ni_rate=0.15,
        ni_threshold_gbp_per_year=5000,
        employer_pension_rate=0.03,
        pension_lower_gbp_per_year=6240,
        pension_upper_gbp_per_year=50270,
        weekly_paid_hours=25,
        mileage_gbp_per_mile=0.30,
        overheads_gbp_per_hour={"office_staff": 5.00, "premises": 1.00},
        surplus_share=0.05,
    )
    b = hourly_rate(travel_minutes_per_visit=12, visit_minutes=45, miles_per_visit=4, inputs=inputs)

    # By hand, per contact hour (45-minute visits, 12 minutes and 4 miles between them):
    contact = 12.60
    travel = 12.60 * 12 / 45  # = 3.36
    training = (12.60 + 3.36) * 0.05  # = 0.798
    worked = 12.60 + 3.36 + 0.798  # = 16.758
    holiday = 16.758 * 5.6 / (52 - 5.6)  # = 2.0225172...
    sick = 16.758 * 0.02  # = 0.33516
    gross = 16.758 + 2.0225172413793 + 0.33516  # = 19.1156772...
    earnings = 12.60 * 25 * 52  # = 16,380 a year
    ni = 19.1156772413793 * 0.15 * (16380 - 5000) / 16380  # = 1.9920916...
    pension = 19.1156772413793 * 0.03 * (16380 - 6240) / 16380  # = 0.3550054...
    mileage = 4 * (60 / 45) * 0.30  # = 1.60
    overheads = 5.00 + 1.00
    costs = 19.1156772413793 + 1.9920916392573 + 0.3550054344828 + 1.60 + 6.00  # = 29.0627743
    total = 29.0627743151194 / (1 - 0.05)  # = 30.5923940
    surplus = 30.5923940159151 - 29.0627743151194  # = 1.5296197

    assert (b.contact_pay, b.travel_pay, b.training_pay) == pytest.approx(
        (contact, travel, training)
    )
    assert worked == pytest.approx(16.758)
    assert (b.holiday_pay, b.sick_pay) == pytest.approx((holiday, sick))
    assert b.holiday_pay + b.sick_pay + worked == pytest.approx(gross)
    assert earnings == inputs.annual_earnings_gbp == 16380
    assert (b.employer_ni, b.employer_pension) == pytest.approx((ni, pension))
    assert b.mileage == pytest.approx(mileage)
    assert dict(b.overheads) == {"office_staff": 5.00, "premises": 1.00}
    assert b.business_costs == overheads
    assert b.careworker_costs + b.business_costs == pytest.approx(costs)
    assert b.surplus == pytest.approx(surplus)
    assert b.total == pytest.approx(total)
    assert round(b.total, 2) == 30.59
    assert b.cost_per_visit == pytest.approx(30.5923940159151 * 45 / 60)


def test_pension_band_caps_qualifying_earnings_and_thresholds_can_zero_on_costs():
    """Earnings above the band's top pay pension on the band only; low earnings pay none."""
    high = CostInputs(wage_gbp_per_hour=40.0, weekly_paid_hours=40)  # 83,200 a year
    assert high.pension_share == pytest.approx(0.03 * (50270 - 6240) / 83200)
    low = CostInputs(weekly_paid_hours=5)  # 12.21 * 5 * 52 = 3,174.60 a year
    assert low.ni_share == 0 and low.pension_share == 0


# ------------------------------------------------------------------ monotonicity


def test_shorter_visits_cost_more_per_hour():
    """With the same trip between visits, shorter visits give a higher hourly rate."""
    rates = [rate(7.5, visit) for visit in (15, 20, 30, 45, 60, 90)]
    assert all(a > b for a, b in pairwise(rates))


def test_more_travel_costs_more_per_hour():
    """Longer trips between visits (time and, by default, miles) raise the rate."""
    rates = [rate(travel, 30) for travel in (0, 2, 5, 7.5, 10, 20)]
    assert all(a < b for a, b in pairwise(rates))
    # Travel time alone (no mileage) raises it too, and so do miles alone.
    assert rate(5, 30, miles=0) < rate(10, 30, miles=0)
    assert rate(5, 30, miles=1) < rate(5, 30, miles=3)


@settings(max_examples=200, deadline=None)
@given(
    travel=st.floats(0, 60),
    extra_travel=st.floats(0.5, 60),
    visit=st.floats(5, 180),
    shorter_by=st.floats(0.5, 0.9),
)
def test_monotone_in_travel_and_visit_length(travel, extra_travel, visit, shorter_by):
    """For any visit pattern: more travel per visit or a shorter visit never lowers the rate."""
    base = rate(travel, visit)
    assert rate(travel + extra_travel, visit) > base
    assert rate(travel, visit * shorter_by) >= base
    if travel >= 0.01:  # strictly higher once travel is more than rounding noise
        assert rate(travel, visit * shorter_by) > base


def test_walking_zone_is_cheaper_than_driving_the_same_minutes():
    """Carers who walk (no miles) cost less than carers who drive for the same minutes."""
    assert rate(7.5, 30, miles=0) < rate(7.5, 30, miles=2.5)
    assert round(rate(7.5, 30, miles=0), 2) == 29.82


# ------------------------------------------------------------------ overriding inputs

# A value for every CostInputs field that changes the reference rate.
OVERRIDES = {
    "wage_gbp_per_hour": 12.60,
    "holiday_weeks": 6.0,
    "training_share": 0.05,
    "sickness_share": 0.02,
    "employer_ni_rate": 0.138,
    "ni_threshold_gbp_per_year": 9100.0,
    "employer_pension_rate": 0.05,
    "pension_lower_gbp_per_year": 0.0,
    "pension_upper_gbp_per_year": 10000.0,
    "weekly_paid_hours": 37.5,
    "mileage_gbp_per_mile": 0.30,
    "travel_mph": 15.0,
    "overheads_gbp_per_hour": {"office_staff": 5.5, "premises": 1.2, "regulation": 0.6},
    "surplus_share": 0.05,
    "pay_terms": "zero_hours",
    "fixed_costs_gbp_per_week": {"registered_manager": 900.0, "office": 500.0},
    "reference_provider_hours": 500.0,
}


def test_every_input_is_covered_by_the_override_test():
    """The override table names every CostInputs field."""
    assert set(OVERRIDES) == {f.name for f in fields(CostInputs)}


@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_every_input_is_overridable(name):
    """Each input can be set, from Python or from a dict, and moves the rate."""
    value = OVERRIDES[name]
    inputs = CostInputs(**{name: value})
    assert inputs == CostInputs.from_dict({name: value})
    stored = getattr(inputs, name)
    lines = ("overheads_gbp_per_hour", "fixed_costs_gbp_per_week")
    assert (dict(stored) if name in lines else stored) == value
    base = hourly_rate(**MPH_VISIT)  # miles estimated from travel time at travel_mph
    changed = hourly_rate(**MPH_VISIT, inputs=inputs)
    assert not math.isclose(changed.total, base.total, rel_tol=1e-9)


def test_user_overhead_lines_appear_in_the_table():
    """Open-book overhead lines are priced and shown one by one."""
    lines = {"office_staff": 5.5, "premises": 1.2, "regulation": 0.6}
    b = hourly_rate(**MPH_VISIT, inputs=CostInputs(overheads_gbp_per_hour=lines))
    frame = b.to_frame()
    assert frame.loc[list(lines), "gbp_per_hour"].tolist() == list(lines.values())
    assert set(frame.loc[list(lines), "group"]) == {"business costs"}
    assert frame["gbp_per_hour"].sum() == pytest.approx(b.total)
    assert frame["share"].sum() == pytest.approx(1.0)
    text = str(b)
    assert "office_staff" in text and f"{b.total:.2f}" in text


def test_inputs_and_breakdown_are_frozen():
    """Inputs and results cannot be changed after the fact, overhead lines included."""
    inputs = CostInputs()
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.wage_gbp_per_hour = 13.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        inputs.overheads_gbp_per_hour["extra"] = 1.0  # type: ignore[index]
    b = hourly_rate(**MPH_VISIT)
    assert isinstance(b, CostBreakdown)
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.surplus = 0.0  # type: ignore[misc]


def test_inputs_and_breakdown_pickle_and_hash():
    """Inputs and results survive pickling (process pools, Dask) and can be dict keys."""
    inputs = CostInputs(overheads_gbp_per_hour={"office_staff": 5.5, "premises": 1.2})
    again = pickle.loads(pickle.dumps(inputs))
    assert again == inputs and hash(again) == hash(inputs)
    assert {inputs: "now"}[again] == "now"
    b = hourly_rate(**MPH_VISIT, inputs=inputs)
    assert pickle.loads(pickle.dumps(b)) == b
    assert repr(b.overheads) == "{'office_staff': 5.5, 'premises': 1.2}"


def test_dict_and_toml_round_trip(tmp_path):
    """Inputs written to a TOML [costing] table read back equal."""
    inputs = CostInputs(**{k: v for k, v in OVERRIDES.items() if k != "pension_upper_gbp_per_year"})
    assert CostInputs.from_dict(inputs.to_dict()) == inputs
    path = tmp_path / "scenario.toml"
    path.write_text(
        "[costing]\n"
        "wage_gbp_per_hour = 12.60\n"
        "surplus_share = 0.05\n"
        "[costing.overheads_gbp_per_hour]\n"
        "office_staff = 5.5\n"
        "premises = 1.2\n",
        encoding="utf-8",
    )
    read = CostInputs.from_toml(path)
    assert read.wage_gbp_per_hour == 12.60 and read.surplus_share == 0.05
    assert dict(read.overheads_gbp_per_hour) == {"office_staff": 5.5, "premises": 1.2}


# ------------------------------------------------------------------ bad input


BAD_VALUES = {
    "wage_gbp_per_hour": 0,
    "holiday_weeks": 52,
    "training_share": -0.1,
    "sickness_share": 1.0,
    "employer_ni_rate": "15%",
    "ni_threshold_gbp_per_year": -1,
    "employer_pension_rate": float("nan"),
    "pension_lower_gbp_per_year": None,
    "pension_upper_gbp_per_year": 100.0,  # below the lower limit
    "weekly_paid_hours": 200,
    "mileage_gbp_per_mile": True,
    "travel_mph": 0,
    "overheads_gbp_per_hour": {"office_staff": -2.0},
    "surplus_share": 1.5,
    "pay_terms": "salary",
    "fixed_costs_gbp_per_week": {"office": "a lot"},
    "reference_provider_hours": 0,
}


def test_every_input_has_a_bad_value_test():
    """The bad-value table names every CostInputs field."""
    assert set(BAD_VALUES) == {f.name for f in fields(CostInputs)}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_bad_input_names_the_field(name):
    """A bad value raises ValidationError (a ValueError) naming the field."""
    with pytest.raises(ValidationError) as info:
        CostInputs(**{name: BAD_VALUES[name]})
    assert isinstance(info.value, ValueError)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].column.startswith(name)
    assert repr(name)[1:-1] in str(info.value)


def test_all_bad_inputs_are_listed_at_once():
    """Several bad inputs are reported together in one error."""
    with pytest.raises(ValidationError) as info:
        CostInputs(wage_gbp_per_hour=-1, surplus_share=2, overheads_gbp_per_hour={"total": 1})
    columns = {p.column for p in info.value.problems}
    assert columns == {"wage_gbp_per_hour", "surplus_share", "overheads_gbp_per_hour"}
    assert "3 problems found" in str(info.value)


def test_overheads_must_be_a_mapping_of_named_lines():
    """Overheads that are not a mapping, or lines with bad names, are errors."""
    with pytest.raises(ValidationError, match="overheads_gbp_per_hour"):
        CostInputs(overheads_gbp_per_hour=8.47)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="non-empty text name"):
        CostInputs(overheads_gbp_per_hour={"": 1.0})
    with pytest.raises(ValidationError, match="'mileage'"):
        CostInputs(overheads_gbp_per_hour={"mileage": 1.0})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"travel_minutes_per_visit": -1, "visit_minutes": 30}, "travel_minutes_per_visit"),
        ({"travel_minutes_per_visit": 5, "visit_minutes": 0}, "visit_minutes"),
        ({"travel_minutes_per_visit": 5, "visit_minutes": "30"}, "visit_minutes"),
        (
            {"travel_minutes_per_visit": 5, "visit_minutes": 30, "miles_per_visit": -2},
            "miles_per_visit",
        ),
        ({"travel_minutes_per_visit": math.inf, "visit_minutes": 30}, "travel_minutes_per_visit"),
    ],
)
def test_bad_visit_pattern_names_the_argument(kwargs, name):
    """A bad visit pattern raises ValidationError naming the argument."""
    with pytest.raises(ValidationError, match=f"column '{name}'"):
        hourly_rate(**kwargs)


def test_inputs_must_be_cost_inputs():
    """Passing something other than CostInputs as inputs is a clear error."""
    with pytest.raises(ValidationError, match="a CostInputs or None"):
        hourly_rate(**MPH_VISIT, inputs={"wage_gbp_per_hour": 12.6})  # type: ignore[arg-type]


def test_unknown_key_names_the_key_and_suggests_the_field():
    """An unknown key is an error naming it, with the closest field as a hint."""
    with pytest.raises(ValidationError) as info:
        CostInputs.from_dict({"wage": 12.6, "surplus_share": 0.04, "colour": "red"})
    problems = {p.column: p for p in info.value.problems}
    assert set(problems) == {"wage", "colour"}
    assert "did you mean 'wage_gbp_per_hour'" in problems["wage"].expected
    assert problems["colour"].what == "unknown key"


def test_unknown_key_in_toml_names_the_file_and_key(tmp_path):
    """A TOML [costing] table with an unknown key names the file, table and key."""
    path = tmp_path / "now.toml"
    path.write_text("[costing]\nmilage_gbp_per_mile = 0.4\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        CostInputs.from_toml(path)
    message = str(info.value)
    assert "now.toml [costing]" in message
    assert "'milage_gbp_per_mile'" in message and "mileage_gbp_per_mile" in message


def test_bad_value_in_toml_names_the_file_and_field(tmp_path):
    """A bad value read from TOML names the file, table and field."""
    path = tmp_path / "then.toml"
    path.write_text("[costing]\nsurplus_share = 3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"then.toml \[costing\], column 'surplus_share'"):
        CostInputs.from_toml(path)


# ------------------------------------------------------------------ zones and providers


def summary_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone_id": ["z1", "z2", "z3"],
            "care_minutes": [30_000.0, 60_000.0, 30_000.0],
            "travel_minutes": [5_000.0, 5_000.0, 10_000.0],
            "n_visits": [1_000, 1_500, 1_000],
            "car_km": [0.0, 4_000.0, 8_000.0],
        }
    )


def test_zone_rate_equals_hourly_rate_of_its_average_visit():
    """Each zone is priced at its average visit length, travel and measured miles."""
    rates = zone_rates(summary_frame())
    assert rates["zone_id"].tolist() == ["z1", "z2", "z3"]
    z2 = rates.set_index("zone_id").loc["z2"]
    expected = hourly_rate(
        travel_minutes_per_visit=5_000 / 1_500,
        visit_minutes=40,
        miles_per_visit=4_000 / KM_PER_MILE / 1_500,
    )
    assert z2["hourly_rate_gbp"] == pytest.approx(expected.total)
    assert z2["mileage"] == pytest.approx(expected.mileage)
    assert z2["care_hours"] == 1_000 and z2["travel_hours"] == pytest.approx(5_000 / 60)
    assert z2["cost_gbp"] == pytest.approx(expected.total * 1_000)
    assert bool(z2["miles_measured"])
    components = [
        "contact_pay",
        "travel_pay",
        "training_pay",
        "holiday_pay",
        "sick_pay",
        "employer_ni",
        "employer_pension",
        "mileage",
        "overheads",
        "surplus",
    ]
    assert rates[components].sum(axis=1).to_numpy() == pytest.approx(
        rates["hourly_rate_gbp"].to_numpy()
    )


def test_zone_rows_are_added_up_per_zone():
    """Several rows of one zone (routes or visits) are pooled before pricing."""
    per_route = pd.DataFrame(
        {
            "zone_id": ["a", "b", "a"],
            "care_minutes": [300, 600, 900],
            "travel_minutes": [60, 100, 40],
            "n_visits": [10, 15, 30],
        }
    )
    rates = zone_rates(per_route).set_index("zone_id")
    assert rates.loc["a", "n_visits"] == 40
    assert rates.loc["a", "visit_minutes"] == 30
    assert rates.loc["a", "travel_minutes_per_visit"] == 2.5
    # Without car_km, miles come from travel time at 20 mph.
    assert rates.loc["a", "miles_per_visit"] == pytest.approx(2.5 / 60 * 20)
    assert not rates["miles_measured"].any()
    assert rates.loc["a", "hourly_rate_gbp"] == pytest.approx(rate(2.5, 30))


def test_zone_with_longer_trips_costs_more():
    """Of two zones with the same visits, the one with longer trips has the higher rate."""
    rates = zone_rates(summary_frame()).set_index("zone_id")
    assert rates.loc["z3", "hourly_rate_gbp"] > rates.loc["z1", "hourly_rate_gbp"]


def test_provider_rate_is_hours_weighted_and_equals_pooled_pricing():
    """A provider's rate is its zones' rates weighted by care hours, equal to pooling them."""
    rates = zone_rates(summary_frame())
    table = provider_rates(rates, {"z1": "A", "z2": "A", "z3": "B", "z9": "C"})
    assert table["provider_id"].tolist() == ["A", "B"]
    a = table.set_index("provider_id").loc["A"]
    by_zone = rates.set_index("zone_id")
    weighted = (
        by_zone.loc["z1", "hourly_rate_gbp"] * 500 + by_zone.loc["z2", "hourly_rate_gbp"] * 1_000
    ) / 1_500
    assert a["hourly_rate_gbp"] == pytest.approx(weighted)
    assert a["n_zones"] == 2 and a["care_hours"] == 1_500 and a["n_visits"] == 2_500
    pooled = zone_rates(summary_frame().replace({"zone_id": {"z1": "A", "z2": "A"}}))
    pooled_a = pooled.set_index("zone_id").loc["A"]
    for col in (
        "hourly_rate_gbp",
        "mileage",
        "travel_pay",
        "employer_ni",
        "surplus",
        "visit_minutes",
        "travel_minutes_per_visit",
        "miles_per_visit",
    ):
        assert a[col] == pytest.approx(pooled_a[col]), col
    assert table["cost_gbp"].sum() == pytest.approx(rates["cost_gbp"].sum())


def test_provider_mapping_as_frame_or_series():
    """The zone-to-provider mapping may be a DataFrame or a Series."""
    rates = zone_rates(summary_frame())
    frame = pd.DataFrame({"zone_id": ["z1", "z2", "z3"], "provider_id": ["A", "A", "B"]})
    series = pd.Series({"z1": "A", "z2": "A", "z3": "B"})
    expected = provider_rates(rates, {"z1": "A", "z2": "A", "z3": "B"})
    pd.testing.assert_frame_equal(provider_rates(rates, frame), expected)
    pd.testing.assert_frame_equal(provider_rates(rates, series), expected)


def test_unmapped_or_doubly_mapped_zone_is_named():
    """A zone no provider holds, or two providers hold, is an error naming the zone."""
    rates = zone_rates(summary_frame())
    twice = pd.DataFrame({"zone_id": ["z1", "z2", "z3", "z1"], "provider_id": list("AABB")})
    with pytest.raises(ValidationError, match="zone_id 'z1'"):
        provider_rates(rates, twice)
    with pytest.raises(ValidationError, match="zone_id 'z3'"):
        provider_rates(rates, {"z1": "A", "z2": "A"})
    with pytest.raises(ValidationError, match="provider_id"):
        provider_rates(rates, pd.DataFrame({"zone_id": ["z1"]}))


def test_bad_summary_lists_every_problem():
    """Missing columns, bad values and zones without care are named by column and row."""
    with pytest.raises(ValidationError) as info:
        zone_rates(pd.DataFrame({"zone_id": ["a"], "care_minutes": [30]}))
    assert {p.column for p in info.value.problems} == {"travel_minutes", "n_visits"}

    bad = summary_frame()
    bad.loc[1, "care_minutes"] = -5.0
    bad["n_visits"] = bad["n_visits"].astype(object)
    bad.loc[2, "n_visits"] = "many"
    bad.loc[0, "zone_id"] = None
    with pytest.raises(ValidationError) as info:
        zone_rates(bad)
    found = {(p.column, p.row) for p in info.value.problems}
    assert found == {
        ("zone_id", "row 1"),
        ("care_minutes", "row 2 (zone_id 'z2')"),
        ("n_visits", "row 3 (zone_id 'z3')"),
    }

    empty = summary_frame()
    empty.loc[0, ["n_visits", "care_minutes"]] = 0
    with pytest.raises(ValidationError, match="zone_id 'z1'"):
        zone_rates(empty)
    with pytest.raises(ValidationError, match="DataFrame"):
        zone_rates([1, 2, 3])  # type: ignore[arg-type]


def test_zone_rates_take_custom_inputs():
    """Zone rates use the inputs given, like hourly_rate does."""
    inputs = CostInputs(wage_gbp_per_hour=12.60, mileage_gbp_per_mile=0.30)
    rates = zone_rates(summary_frame(), inputs=inputs).set_index("zone_id")
    expected = hourly_rate(
        travel_minutes_per_visit=10,
        visit_minutes=30,
        miles_per_visit=8_000 / KM_PER_MILE / 1_000,
        inputs=inputs,
    )
    assert rates.loc["z3", "hourly_rate_gbp"] == pytest.approx(expected.total)
    assert np.all(rates["contact_pay"] == 12.60)


# ------------------------------------------------------------------ what providers pay (issue 26)


def test_zero_hours_terms_cost_contact_only_and_salaried_the_whole_shift():
    """Zero-hours terms pay the care alone, salaried ones the whole planned day."""
    # One carer-day of 5 paid hours: 2 h of care, 1 h of travel, 2 h waiting between calls:
    # salaried terms pay all 5 hours, travel-paid 3, zero-hours only the 2 hours of care; the
    # rate's pay lines follow (per contact hour: wage x paid hours / contact hours).
    day = pd.DataFrame({"zone_id": ["z"], "care_minutes": [120.0], "travel_minutes": [60.0],
                        "waiting_minutes": [120.0], "n_visits": [4], "car_km": [0.0]})  # fmt: skip
    paid = {}
    for terms in ("salaried", "travel_paid", "zero_hours"):
        inputs = CostInputs(pay_terms=terms)
        row = zone_rates(day, inputs=inputs).iloc[0]
        paid[terms] = row["paid_hours"]
        pay = row["contact_pay"] + row["travel_pay"] + row["waiting_pay"]
        assert pay == pytest.approx(12.21 * row["paid_hours"] / 2.0)
    assert paid == {"salaried": 5.0, "travel_paid": 3.0, "zero_hours": 2.0}
    zero = zone_rates(day, inputs=CostInputs(pay_terms="zero_hours")).iloc[0]
    assert zero["travel_pay"] == 0.0 and zero["waiting_pay"] == 0.0
    assert zero["contact_pay"] == pytest.approx(12.21)


def test_break_even_hours_of_a_toy_provider_are_fixed_costs_over_the_margin():
    """A toy provider breaks even at its fixed costs over its margin per contact hour."""
    # £3,000 a week of fixed costs, £26 of variable costs per contact hour, offered £32: it
    # breaks even at 3,000 / (32 - 26) = 500 hours a week; no size does when the offer is
    # below its variable costs.
    assert break_even_hours(26.0, 3000.0, 32.0) == pytest.approx(500.0)
    assert break_even_hours(32.0, 3000.0, 32.0) == math.inf
    assert break_even_hours(26.0, 0.0, 32.0) == 0.0
    # the same from the costing: a provider's costs at its break-even size equal the offer
    inputs = CostInputs(fixed_costs_gbp_per_week={"manager": 1000.0, "office": 2000.0},
                        surplus_share=0.0)  # fmt: skip
    pattern = {"travel_minutes_per_visit": 7.5, "visit_minutes": 30.0, "miles_per_visit": 0.0}
    big = hourly_rate(**pattern, inputs=inputs, provider_weekly_hours=1e12)
    hours = break_even_hours(big.variable_costs, inputs.fixed_costs_per_week, 32.14)
    at = hourly_rate(**pattern, inputs=inputs, provider_weekly_hours=hours)
    assert at.total == pytest.approx(32.14)
    assert hours == pytest.approx(3000.0 / (32.14 - big.variable_costs))


def test_fixed_costs_spread_over_the_providers_size():
    """Fixed costs per contact hour fall with size; the defaults give the MPH at 1,000 h/week."""
    small = hourly_rate(**MPH_VISIT, provider_weekly_hours=250.0)
    reference = hourly_rate(**MPH_VISIT)
    large = hourly_rate(**MPH_VISIT, provider_weekly_hours=4000.0)
    assert small.total > reference.total > large.total
    assert round(reference.total, 2) == 32.14
    fixed = sum(FIXED_COSTS_GBP_PER_WEEK.values())
    assert sum(small.fixed_costs.values()) == pytest.approx(fixed / 250.0)
    assert small.variable_costs == pytest.approx(reference.variable_costs)


def test_named_wages_and_their_figures():
    """The National and Real Living Wages may be named; a bad name lists the names."""
    assert CostInputs(wage_gbp_per_hour="national_living_wage").wage_gbp_per_hour == 12.21
    assert CostInputs(wage_gbp_per_hour="real_living_wage").wage_gbp_per_hour == 12.60
    assert CostInputs(wage_gbp_per_hour="real_living_wage_london").wage_gbp_per_hour == 13.85
    assert "real living wage" in CostInputs(wage_gbp_per_hour=12.6).wage_name
    with pytest.raises(ValidationError, match="real_living_wage"):
        CostInputs(wage_gbp_per_hour="living_wage")


def test_workforce_needed_from_paid_hours():
    """Equal care needs the paid hours per contact hour x the demanded care, plus cover."""
    out = workforce_needed(1500.0, 1000.0, 1200.0, full_time_hours=37.5)
    assert out["paid_hours_equal_care"] == pytest.approx(1800.0)
    cover = 1 + 5.6 / 46.4 + 0.03
    assert out["fte_needed"] == pytest.approx(1800.0 * cover / 37.5)
    assert out["carers_needed"] == pytest.approx(1800.0 * cover / 30.0)


def test_every_cost_default_is_cited_in_the_docs():
    """docs/costs.md names every CostInputs field and every fixed cost line with its source."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "costs.md").read_text()
    missing = [f.name for f in fields(CostInputs) if f"`{f.name}`" not in text]
    missing += [name for name in FIXED_COSTS_GBP_PER_WEEK if f"`{name}`" not in text]
    missing += [name for name in WAGES if f"`{name}`" not in text]
    assert not missing, missing
