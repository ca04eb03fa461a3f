"""The outcomes' names and units (:data:`OUTCOMES`) and their parameters (:class:`OutcomeParams`).

See :mod:`carezones.outcomes` for what each outcome means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from carezones.exceptions import Problem, ValidationError
from carezones.outcomes.costing import MPH_HOURLY_RATE_GBP

__all__ = ["CO2E_KG_PER_KM_AVERAGE_CAR", "COVER_RATE_GBP_PER_HOUR", "OUTCOMES", "OutcomeParams"]


#: kg CO2e per km of an average car of unknown fuel, UK government conversion factors
#: 2025 (DESNZ) [1]_.
CO2E_KG_PER_KM_AVERAGE_CAR = 0.16725


#: Every outcome: name, unit and meaning, in the order of :attr:`Outcomes.table`.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("n_clients", "clients", "clients in the plan"),
    ("weekly_hours", "h/week", "clients' care hours a week"),
    ("n_zones", "zones", "neighbourhood zones (NaN: no zones)"),
    ("zones_below_floor", "zones", "zones under min_weekly_hours (NaN: no zone floor)"),
    ("smallest_zone_hours", "h/week", "hours of the smallest zone"),
    ("n_providers", "providers", "providers"),
    ("providers_below_floor", "providers", "providers under min_provider_hours"),
    ("smallest_provider_hours", "h/week", "hours of the smallest provider"),
    ("days_routed", "days", "days planned (fewer than 7: weekly figures are an estimate)"),
    ("visits_per_week", "visits/week", "visits to make"),
    ("scheduled_share", "share", "visits in a route"),
    ("unscheduled_visits_per_week", "visits/week", "visits no carer could make"),
    ("demanded_hours_per_week", "h/week", "clients' hours of the visits to make"),
    ("in_person_hours_per_week", "h/week", "clients' hours delivered in person"),
    ("virtual_hours_per_week", "h/week", "clients' hours delivered as virtual calls"),
    ("unserved_hours_per_week", "h/week", "clients' hours of the visits no carer could make"),
    ("care_hours_per_week", "h/week", "carers' contact hours (double-handed counted twice)"),
    ("virtual_carer_hours_per_week", "h/week", "carers' hours of the visits made virtual calls"),
    ("unserved_carer_hours_per_week", "h/week", "carers' hours the unserved visits need"),
    ("travel_hours_per_week", "h/week", "carers' travel hours, after virtual calls"),
    ("travel_to_care_ratio", "ratio", "travel time over contact time"),
    ("walk_cycle_share", "share", "in-person visits reached on foot or by bike"),
    ("carers_local_share", "share", "working carers living in the zone they serve"),
    ("home_to_visit_km", "km", "straight-line km from a carer's home to each client visited"),
    ("car_km_per_week", "km/week", "km driven"),
    ("co2e_kg_per_week", "kg CO2e/week", "car km x co2e_kg_per_km"),
    ("co2e_kg_per_care_hour", "kg CO2e/h", "CO2e per contact hour"),
    ("punctuality_share", "share", "visits started within punctuality_minutes of the window"),
    ("late_visits_per_week", "visits/week", "visits started after their window"),
    ("late_minutes_per_week", "min/week", "minutes late, all visits"),
    ("mean_late_minutes", "min", "minutes late per late visit"),
    ("max_late_minutes", "min", "the latest visit's minutes late"),
    ("distinct_carers_per_client", "carers", "carers each client saw in a week"),
    ("main_carer_share", "share", "a client's visits made by their most frequent carer"),
    ("short_call_share", "share", "visits shorter than short_call_minutes"),
    ("virtual_visits_per_week", "visits/week", "visits made as virtual calls"),
    ("virtual_travel_hours_saved", "h/week", "travel hours saved by virtual calls"),
    ("carers_used", "carers", "carers with at least one visit"),
    ("workforce_gap_hours", "h/week", "paid hours zones need beyond their local carers"),
    ("hourly_rate_gbp", "GBP/h", "open-book rate per contact hour"),
    ("delivered_cost_gbp_per_week", "GBP/week", "hourly rate x contact hours"),
    ("cover_cost_gbp_per_week", "GBP/week", "unserved carer hours x cover_rate_gbp_per_hour"),
    ("cost_gbp_per_week", "GBP/week", "delivered plus cover: the same demanded care priced"),
)

#: The rate unserved visits are priced at in comparisons (agency or overtime cover): an
#: assumption, 1.5 times the Homecare Association's Minimum Price for Homecare 2025/26
#: (£32.14/h), the premium councils commonly pay for agency cover.
COVER_RATE_GBP_PER_HOUR = round(1.5 * MPH_HOURLY_RATE_GBP, 2)


@dataclass(frozen=True)
class OutcomeParams:
    """Parameters of the outcomes.

    Parameters
    ----------
    co2e_kg_per_km
        Emission factor of the km driven, kg CO2e per km >= 0; default
        :data:`CO2E_KG_PER_KM_AVERAGE_CAR` (UK government, 2025, average car, unknown fuel).
    min_weekly_hours, min_provider_hours
        The floors (h/week) zones and providers are checked against (the zoner's
        ``min_weekly_hours`` and the lots' ``min_provider_hours``); None: not checked.
    virtual_share
        Share of the scheduled ``virtual_ok`` visits made virtual calls, in [0, 1].
    short_call_minutes
        Visits shorter than this are short calls (default 30, NICE NG21).
    days_per_week
        Days in a week of care, 1-7 (figures a week are per routed day times this).
    random_state
        Seed of the choice of virtual visits.
    zoned
        False for a plan without zones (the "then" baseline, routed per provider): the
        zone outcomes (``n_zones``, ``zones_below_floor``, ``smallest_zone_hours``,
        ``carers_local_share``, ``workforce_gap_hours``) are then NaN.
    punctuality_minutes
        A visit is punctual when it starts no more than this many minutes after its
        agreed window (default 15).
    cover_rate_gbp_per_hour
        The price of an hour of unserved care bought as agency or overtime cover, so that
        plans that serve different visits are compared on the same demanded care; default
        :data:`COVER_RATE_GBP_PER_HOUR` (an assumption).

    Examples
    --------
    >>> OutcomeParams().co2e_kg_per_km
    0.16725
    >>> OutcomeParams(virtual_share=1.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - OutcomeParams, column 'virtual_share': bad value: expected a number in [0, 1], found 1.5
    """

    co2e_kg_per_km: float = CO2E_KG_PER_KM_AVERAGE_CAR
    min_weekly_hours: float | None = None
    min_provider_hours: float | None = None
    virtual_share: float = 0.0
    short_call_minutes: float = 30.0
    days_per_week: int = 7
    random_state: int | None = 0
    zoned: bool = True
    punctuality_minutes: float = 15.0
    cover_rate_gbp_per_hour: float = COVER_RATE_GBP_PER_HOUR

    def __post_init__(self) -> None:
        problems = []

        def number(value: Any) -> bool:
            return (
                isinstance(value, int | float | np.number)
                and not isinstance(value, bool)
                and math.isfinite(float(value))
            )

        def bad(name: str, expected: str) -> None:
            problems.append(
                Problem(
                    "OutcomeParams", "bad value", expected, repr(getattr(self, name)), column=name
                )
            )

        for name in (
            "co2e_kg_per_km",
            "short_call_minutes",
            "punctuality_minutes",
            "cover_rate_gbp_per_hour",
        ):
            if not (number(getattr(self, name)) and getattr(self, name) >= 0):
                bad(name, "a number >= 0")
        for name in ("min_weekly_hours", "min_provider_hours"):
            value = getattr(self, name)
            if value is not None and not (number(value) and value > 0):
                bad(name, "None or a number > 0")
        if not (number(self.virtual_share) and 0 <= self.virtual_share <= 1):
            bad("virtual_share", "a number in [0, 1]")
        d = self.days_per_week
        if not (isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7):
            bad("days_per_week", "an integer from 1 to 7")
        r = self.random_state
        if r is not None and not (isinstance(r, int) and not isinstance(r, bool) and r >= 0):
            bad("random_state", "None or an integer >= 0")
        if not isinstance(self.zoned, bool):
            bad("zoned", "True or False")
        if problems:
            raise ValidationError(problems)
