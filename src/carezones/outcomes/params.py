"""The parameters of the outcomes (:class:`OutcomeParams`): floors, factors, tolerances.

The outcomes themselves are declared in :mod:`carezones.outcomes.registry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from carezones.exceptions import ProblemCollector
from carezones.outcomes.costing import MPH_HOURLY_RATE_GBP
from carezones.routing import SPREAD_MINUTES, WorkRules

__all__ = ["CO2E_KG_PER_KM_AVERAGE_CAR", "COVER_RATE_GBP_PER_HOUR", "OutcomeParams"]


#: kg CO2e per km of an average car of unknown fuel, UK government conversion factors
#: 2025 (DESNZ) [1]_.
CO2E_KG_PER_KM_AVERAGE_CAR = 0.16725


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
        A visit is punctual when it ends no more than this many minutes after its
        window's end (default 15).
    spread_minutes
        A recurring call keeps to its time when its starts over the days lie within this
        many minutes (default :data:`carezones.routing.SPREAD_MINUTES`, the routing's).
    hours_tolerance
        A carer's week is within their contract when its working hours are within this
        share of their contracted hours (default the routing's
        :class:`~carezones.routing.WorkRules`).
    cover_rate_gbp_per_hour
        The price of an hour of unserved care bought as agency or overtime cover, so that
        plans that serve different visits are compared on the same demanded care; default
        :data:`COVER_RATE_GBP_PER_HOUR` (an assumption).
    offered_rate_gbp_per_hour
        The rate the commissioner offers providers per contact hour, £ > 0; default the
        Minimum Price for Homecare 2025/26 (£32.14). Break-even hours are measured
        against it.
    full_time_hours
        Hours a week of one full-time equivalent, in (0, 168]; default 37.5 (assumed).
    virtual_call_pay_share
        Carer time paid per minute of a virtual call, in [0, 2]; default 1 (paid as
        contact time).
    parking_minutes
        Minutes a carer who drives spends parking at each client in a dense area
        (``clients["dense_area"]``; every client when there is no such column), >= 0;
        added to the plan's travel when it is measured (the plan is not re-made).

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
    spread_minutes: float = SPREAD_MINUTES
    hours_tolerance: float = WorkRules.hours_tolerance
    cover_rate_gbp_per_hour: float = COVER_RATE_GBP_PER_HOUR
    offered_rate_gbp_per_hour: float = MPH_HOURLY_RATE_GBP
    full_time_hours: float = 37.5
    virtual_call_pay_share: float = 1.0
    parking_minutes: float = 0.0

    def __post_init__(self) -> None:
        check = ProblemCollector("OutcomeParams")

        def number(value: Any) -> bool:
            return (
                isinstance(value, int | float | np.number)
                and not isinstance(value, bool)
                and math.isfinite(float(value))
            )

        def bad(name: str, expected: str) -> None:
            check.add("bad value", expected, repr(getattr(self, name)), column=name)

        for name in (
            "co2e_kg_per_km",
            "short_call_minutes",
            "punctuality_minutes",
            "spread_minutes",
            "hours_tolerance",
            "cover_rate_gbp_per_hour",
            "parking_minutes",
        ):
            if not (number(getattr(self, name)) and getattr(self, name) >= 0):
                bad(name, "a number >= 0")
        for name, most in (("offered_rate_gbp_per_hour", 1000.0), ("full_time_hours", 168.0)):
            value = getattr(self, name)
            if not (number(value) and 0 < value <= most):
                bad(name, f"a number > 0 and <= {most:g}")
        if not (number(self.virtual_call_pay_share) and 0 <= self.virtual_call_pay_share <= 2):
            bad("virtual_call_pay_share", "a number in [0, 2]")
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
        check.raise_if_any()
