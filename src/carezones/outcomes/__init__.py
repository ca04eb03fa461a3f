"""Outcomes of a zone plan and its routes: the figures commissioners compare plans by.

:func:`measure_outcomes` takes a plan's routes (a :class:`~carezones.routing.RoutePlan`,
or plain ``routes`` and ``shifts`` tables in its layout), the visits that were routed,
the clients (with their ``zone_id``), the carers, and optionally the zone polygons and
the provider lots, and returns an :class:`Outcomes`: one row per outcome with a stable
snake_case name, and the same figures per zone and per provider.

What each outcome means
-----------------------
Figures "a week" are the routed days' totals times ``days_per_week / n_days`` (the
number of distinct days routed): a representative day times 7, or a whole week of routes
as it is. Days are counted by date when the visits (or, failing that, the routes) have a
``date`` column: ``n_days`` is then the number of distinct dates with a visit, so a rota
of four weeks (28 dates, weekday names repeating) gives a quarter of its totals, not 4
times a week; without dates, by distinct ``day`` values. A date with no visit at all is
not counted: for a service that runs on weekdays only, set ``days_per_week=5``. Hours
are carers' hours: a double-handed visit counts twice, as it is paid twice.

- ``weekly_hours`` (h/week): the clients' care hours (their ``weekly_hours``), per zone and
  per provider, with ``zones_below_floor`` and ``providers_below_floor`` (hours under
  ``min_weekly_hours`` / ``min_provider_hours``).
- ``travel_to_care_ratio``: carers' travel time (home to the first visit, between visits,
  back home) over their contact time. ``travel_hours_per_week`` the travel itself.
- ``walk_cycle_share``: share of the in-person visits reached on foot or by bike (every
  carer of the visit walked or cycled to it).
- ``carers_local_share``: share of the carers who made a visit whose home is in the zone
  they serve (the zone of most of their visits); NaN when homes cannot be placed in zones
  (no polygons, no ``home_zone_id``). ``home_to_visit_km``: mean straight-line km from a
  carer's home to each client visited, comparable with or without zones.
- ``car_km_per_week`` and ``co2e_kg_per_week``: km driven (the measured route of each leg)
  times the emission factor, ``co2e_kg_per_km``, by default :data:`CO2E_KG_PER_KM_AVERAGE_CAR`.
- ``punctuality_share``: share of scheduled visits started inside their window;
  ``late_minutes_per_week`` and ``mean_late_minutes`` (per late visit) with soft windows.
- ``distinct_carers_per_client``: carers each client saw over the routed days (a week of
  routes gives the weekly figure; one representative day, the daily one). With dates,
  the mean over client-weeks (weeks from Monday), so several weeks give the weekly figure.
- ``short_call_share``: share of the visits shorter than ``short_call_minutes`` (30: NICE
  NG21).
- ``virtual_travel_hours_saved``: virtual calls decided before routing (``virtual=``, as
  scenarios do) are not routed, so the carer time they free is planned; their saving is
  estimated at the plan's travel per in-person carer-visit. Without ``virtual=``, a share,
  ``virtual_share``, of the routed ``virtual_ok`` visits become virtual calls after routing:
  their care time stays, their trips go (see :mod:`carezones.outcomes.virtual`: each route
  re-walked without them, in the same order). Per week; times 52 for a year (Wigan 2025:
  about 7,500 hours a year).
- ``workforce_balance_hours`` per zone: contracted hours of the carers living in the zone
  less the paid hours the zone needs (clients' hours times carers needed, plus the zone's
  measured travel at its travel-to-care ratio): negative where carers should be recruited
  locally; ``workforce_gap_hours`` adds up the shortfalls.
- ``hourly_rate_gbp``: the open-book rate providers need, from :func:`carezones.zone_rates`
  of each zone's measured contact time, travel (the first leg from home and the last one
  back included), waiting inside planned days (``waiting_hours_per_week``), paid as the
  cost inputs' ``pay_terms`` say (``paid_hours_per_week``), and car km as mileage, with
  each provider's fixed costs spread over its planned weekly hours; a plan without
  providers is priced as one provider of the reference size. From the same costs:
  ``break_even_weekly_hours`` at ``offered_rate_gbp_per_hour`` beside
  ``provider_floor_hours``, ``providers_below_break_even``, ``fte_needed`` and
  ``carers_needed`` for equal care, ``own_rate_cost_gbp_per_week``. The model and every
  default's source: ``docs/costs.md``.
- ``workforce_short_hours``: each zone's carers (in "then", each provider's) against its
  own in-person visits, day-slot by day-slot and skill by skill
  (:func:`carezones.group_cover`): the hours a week it is short.

References
----------
.. [1] Department for Energy Security and Net Zero (DESNZ), "Greenhouse gas reporting:
   conversion factors 2025", condensed set, sheet "Business travel- land", Cars (by
   size), Average car, Unknown fuel: 0.16725 kg CO2e per km (direct emissions; the
   well-to-tank factors are a separate sheet). Published June 2025.
   https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025
"""

from carezones.outcomes import costing
from carezones.outcomes.calc import HEAVY_CLIENT_VISITS
from carezones.outcomes.costing import (
    MPH_HOURLY_RATE_GBP,
    PAY_TERMS,
    WAGES,
    CostBreakdown,
    CostInputs,
    break_even_hours,
    hourly_rate,
    needed_rate,
    provider_rates,
    rate_curve,
    workforce_needed,
    zone_rates,
)
from carezones.outcomes.measure import Outcomes, measure_outcomes
from carezones.outcomes.params import (
    CO2E_KG_PER_KM_AVERAGE_CAR,
    COVER_RATE_GBP_PER_HOUR,
    OutcomeParams,
)
from carezones.outcomes.registry import OUTCOMES, Outcome, outcome, outcome_table, outcomes_of
from carezones.outcomes.virtual import choose_virtual

__all__ = [
    "CO2E_KG_PER_KM_AVERAGE_CAR",
    "COVER_RATE_GBP_PER_HOUR",
    "HEAVY_CLIENT_VISITS",
    "MPH_HOURLY_RATE_GBP",
    "OUTCOMES",
    "PAY_TERMS",
    "WAGES",
    "CostBreakdown",
    "CostInputs",
    "Outcome",
    "OutcomeParams",
    "Outcomes",
    "break_even_hours",
    "choose_virtual",
    "costing",
    "hourly_rate",
    "measure_outcomes",
    "needed_rate",
    "outcome",
    "outcome_table",
    "outcomes_of",
    "provider_rates",
    "rate_curve",
    "workforce_needed",
    "zone_rates",
]
