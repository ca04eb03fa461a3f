"""The one list of outcomes: each declared once with its unit, meaning and how it is computed.

Every table that shows an outcome (a plan's :class:`~carezones.outcomes.Outcomes`, a scored
rota's :meth:`~carezones.rota.RotaScore.table`, scenario comparisons, the report pack)
reads its unit and meaning here. An outcome a stage reports must be computed by it:
:func:`outcome_table` refuses a missing or an undeclared value, so a new outcome cannot
silently become NaN in a table. A value that cannot be measured is set to NaN on purpose,
by the code that knows why.

This is a leaf of :mod:`carezones.outcomes`: it imports none of the folder's modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["OUTCOMES", "Outcome", "outcome", "outcome_table", "outcomes_of"]


@dataclass(frozen=True)
class Outcome:
    """One outcome.

    Parameters
    ----------
    name
        Its one name, everywhere (snake_case).
    unit
        The unit its values are in ("h/week", "share", "GBP/h", ...).
    meaning
        What it means, in a reader's words.
    how
        How it is computed, from what.
    stages
        Who reports it: "plan" (:func:`~carezones.outcomes.measure_outcomes`, for routed
        plans, scored rotas as plans, and scenarios) and/or "rota"
        (:meth:`~carezones.rota.RotaScore.summary`, a rota's own record).
    """

    name: str
    unit: str
    meaning: str
    how: str
    stages: frozenset[str]


def _o(name: str, unit: str, meaning: str, how: str, *stages: str) -> Outcome:
    return Outcome(name, unit, meaning, how, frozenset(stages or ("plan",)))


P, R = "plan", "rota"

#: Every outcome, in the order tables show them.
OUTCOMES: tuple[Outcome, ...] = (
    # -- who and how much
    _o("n_clients", "clients", "clients in the plan", "rows of the clients table", P, R),
    _o("weekly_hours", "h/week", "clients' care hours a week", "sum of weekly_hours"),
    _o("n_zones", "zones", "neighbourhood zones (NaN: no zones)", "zones with clients"),
    _o("zones_below_floor", "zones", "zones under min_weekly_hours (NaN: no zone floor)",
       "zones whose weekly_hours < min_weekly_hours"),
    _o("smallest_zone_hours", "h/week", "hours of the smallest zone", "min of zone weekly_hours"),
    _o("n_providers", "providers", "providers", "providers holding zones or clients"),
    _o("providers_below_floor", "providers", "providers under min_provider_hours",
       "providers whose weekly_hours < min_provider_hours (NaN: no floor)"),
    _o("smallest_provider_hours", "h/week", "hours of the smallest provider",
       "min of provider weekly_hours"),
    _o("days_routed", "days", "days planned (fewer than 7: weekly figures are an estimate)",
       "distinct days (or dates) of the visits"),
    # -- visits and hours: demanded = in person + virtual + unserved
    _o("visits_per_week", "visits/week", "visits to make", "visits x 7 / days_routed"),
    _o("scheduled_share", "share", "visits served: in a route, or made a virtual call",
       "(visits routed + virtual calls decided before routing) / visits"),
    _o("unscheduled_visits_per_week", "visits/week", "visits no carer could make",
       "visits in no route, a week"),
    _o("demanded_hours_per_week", "h/week", "clients' hours of the visits to make",
       "sum of the visits' durations, a week"),
    _o("in_person_hours_per_week", "h/week", "clients' hours delivered in person",
       "durations of the routed visits not made virtual calls"),
    _o("virtual_hours_per_week", "h/week", "clients' hours delivered as virtual calls",
       "durations of the routed visits made virtual calls"),
    _o("unserved_hours_per_week", "h/week", "clients' hours of the visits no carer could make",
       "durations of the unscheduled visits"),
    _o("care_hours_per_week", "h/week", "carers' contact hours (double-handed counted twice)",
       "sum of end - start over carer-visits, a week (for a rota: actual times)", P, R),
    _o("carer_visits_per_week", "visits/week", "carer-visits (a double-up counts once per carer)",
       "route rows, a week"),
    _o("virtual_carer_hours_per_week", "h/week", "carers' hours of the visits made virtual calls",
       "end - start of the carer-visits made virtual calls"),
    _o("unserved_carer_hours_per_week", "h/week", "carers' hours the unserved visits need",
       "unserved durations x carers_needed"),
    # -- travel, modes, carbon
    _o("travel_hours_per_week", "h/week", "carers' travel hours, after virtual calls",
       "every leg of every carer-day (home and back), less the legs virtual calls save, "
       "plus parking_minutes per drive to a client in a dense area", P, R),
    _o("travel_to_care_ratio", "ratio", "travel time over contact time",
       "travel_hours_per_week / care_hours_per_week", P, R),
    _o("walk_cycle_share", "share", "in-person visits reached on foot or by bike",
       "visits whose carers all walked or cycled that day / visits made in person", P, R),
    _o("carers_local_share", "share", "working carers living in the zone they serve",
       "carers whose home zone is the zone of most of their visits / carers with visits"),
    _o("home_to_visit_km", "km", "straight-line km from a carer's home to each client visited",
       "mean over carer-visits of the distance home to client"),
    _o("car_km_per_week", "km/week", "km driven",
       "the fastest path of every leg driven, less the legs virtual calls save", P, R),
    _o("co2e_kg_per_week", "kg CO2e/week", "car km x co2e_kg_per_km",
       "car_km_per_week x co2e_kg_per_km"),
    _o("co2e_kg_per_care_hour", "kg CO2e/h", "CO2e per contact hour",
       "co2e_kg_per_week / care_hours_per_week"),
    # -- the client's view: on time, not rushed, a carer they know
    _o("punctuality_share", "share",
       "visits ending no later than punctuality_minutes after their window's end",
       "visits with late <= punctuality_minutes / visits routed (late: minutes a visit "
       "ends after its window's end)"),
    _o("late_visits_per_week", "visits/week", "visits ending after their window's end",
       "visits with late > 0, a week"),
    _o("late_minutes_per_week", "min/week", "minutes late, all visits", "sum of late, a week"),
    _o("mean_late_minutes", "min", "minutes late per late visit", "mean of late where late > 0"),
    _o("max_late_minutes", "min", "the latest visit's minutes late", "max of late", P),
    _o("distinct_carers_per_client", "carers", "carers each client saw in a week",
       "mean over clients and weeks of the distinct carers of their visits "
       "(both carers of a double-up count)", P, R),
    _o("main_carer_share", "share", "a client's carer-visits made by their most frequent carer",
       "mean over clients and weeks of (carer-visits by the most frequent carer / carer-visits)"),
    _o("distinct_carers_heavy_clients", "carers",
       "carers each client with 14 or more visits a week saw in the week",
       "distinct_carers_per_client over the clients with >= 14 visits in the week"),
    _o("staff_met_14_days", "carers",
       "different carers met in 14 days by clients with two or more visits a day (NaN: "
       "fewer than 14 days planned)",
       "mean over those clients of the distinct carers of their visits over the 14 days "
       "(Sweden's national indicator)"),
    _o("call_spread_share", "share",
       "recurring calls made at the same time each day (within spread_minutes)",
       "calls (a client's pattern entry) routed on 2+ days whose latest minus earliest "
       "start <= spread_minutes / such calls"),
    _o("mean_call_spread_minutes", "min", "how far a recurring call's start moves over the week",
       "mean over recurring calls of latest minus earliest start"),
    _o("carers_within_hours_share", "share",
       "working carers whose week is within their contracted hours (+/- hours_tolerance)",
       "carers with visits and contracted_hours whose weekly working hours are within "
       "contracted x (1 +/- hours_tolerance) / such carers (NaN: under a week planned)"),
    _o("carers_over_hours", "carers", "carers working more than their contracted hours allow",
       "carers whose weekly working hours exceed contracted x (1 + hours_tolerance)"),
    _o("short_call_share", "share", "visits shorter than short_call_minutes",
       "visits with duration < short_call_minutes / visits", P, R),
    _o("virtual_visits_per_week", "visits/week", "visits made as virtual calls",
       "virtual_ok visits chosen as virtual calls (before routing in a scenario), a week"),
    _o("virtual_travel_hours_saved", "h/week", "travel hours saved by virtual calls",
       "decided before routing: virtual calls x the plan's travel per in-person carer-visit "
       "(an estimate); after: the legs into and out of each call less the direct leg"),
    _o("carers_used", "carers", "carers with at least one visit", "distinct carer_id of routes"),
    _o("workforce_gap_hours", "h/week", "paid hours zones need beyond their local carers",
       "sum over zones of the negative workforce_balance_hours"),
    # -- costs
    _o("hourly_rate_gbp", "GBP/h", "open-book rate per contact hour providers need",
       "providers' costs (paid hours under the pay terms, on-costs, mileage, overheads, "
       "fixed costs at each provider's planned size, surplus) / contact hours"),
    _o("delivered_cost_gbp_per_week", "GBP/week", "what the care delivered costs providers",
       "sum over zones of their rate x their contact hours"),
    _o("cover_cost_gbp_per_week", "GBP/week", "unserved carer hours x cover_rate_gbp_per_hour",
       "unserved_carer_hours_per_week x cover_rate_gbp_per_hour"),
    _o("cost_gbp_per_week", "GBP/week", "delivered plus cover: the same demanded care priced",
       "delivered_cost_gbp_per_week + cover_cost_gbp_per_week"),
    # -- what providers pay, what it takes (issue 26): paid time, size, break-even, workforce
    _o("waiting_hours_per_week", "h/week", "paid time inside planned days that is neither "
       "care nor travel", "sum over carer-days of working_minutes - care - travel - parking "
       "(at least 0)"),
    _o("paid_hours_per_week", "h/week", "carers' hours paid under the pay terms",
       "salaried: care + travel + waiting; travel_paid: care + travel; zero_hours: care; "
       "virtual calls at virtual_call_pay_share"),
    _o("paid_hours_per_care_hour", "ratio", "paid hours per contact hour",
       "paid_hours_per_week / care_hours_per_week"),
    _o("fte_needed", "FTE", "full-time carers needed to serve all the care demanded",
       "paid hours per contact hour x demanded carer-hours x (1 + holiday rate + sickness "
       "share) / full_time_hours"),
    _o("carers_needed", "carers", "carers needed to serve all the care demanded",
       "as fte_needed, at the carers' average paid week (weekly_paid_hours)"),
    _o("own_rate_cost_gbp_per_week", "GBP/week", "the demanded care at the plan's own rate "
       "(no cover rate assumed)", "hourly_rate_gbp x (care + unserved carer hours)"),
    _o("variable_cost_gbp_per_hour", "GBP/h", "costs per contact hour that do not shrink "
       "with size", "careworker costs (pay, on-costs, mileage) + overheads per hour"),
    _o("fixed_cost_gbp_per_provider_week", "GBP/week", "one provider's fixed costs "
       "(registered manager, coordinators, office, registration)",
       "sum of fixed_costs_gbp_per_week"),
    _o("offered_rate_gbp", "GBP/h", "the rate the commissioner offers (an input)",
       "offered_rate_gbp_per_hour"),
    _o("break_even_weekly_hours", "h/week", "provider size at which the offered rate covers "
       "its costs", "fixed_cost_gbp_per_provider_week / (offered_rate_gbp - "
       "variable_cost_gbp_per_hour); inf: never"),
    _o("provider_floor_hours", "h/week", "the provider floor the commissioner chose (an "
       "input; NaN: none)", "min_provider_hours"),
    _o("providers_below_break_even", "providers", "providers whose planned hours are below "
       "their own break-even", "providers with care hours < fixed / (offered - their "
       "variable cost)"),
    _o("workforce_short_hours", "h/week", "day-slot hours the zones' (providers') own carers "
       "are short of their in-person demand", "sum over zones, days and slots of the larger "
       "shortfall, in care of any kind or in one skill (carezones.group_cover)"),
    # -- a rota's own record (call monitoring: planned against actual)
    _o("n_visits", "visits", "planned visits (a double-up is one visit)", "distinct visit ids", R),
    _o("n_carer_visits", "visits", "planned carer-visits (a double-up counts once per carer)",
       "rows of the rota", R),
    _o("n_carers", "carers", "carers in the rota", "distinct carer ids", R),
    _o("n_carer_days", "days", "carer-days with at least one visit made",
       "distinct (carer, date) with a visit made", R),
    _o("n_weeks", "weeks", "weeks the rota spans", "(last date - first date + 1) / 7", R),
    _o("n_missed_visits", "visits", "visits no carer logged (no actual times)",
       "visits with neither actual start nor end", R),
    _o("missed_visit_share", "share", "share of visits missed", "n_missed_visits / n_visits", R),
    _o("on_time_share", "share",
       "visits started within on_time_minutes of the planned start, either way",
       "visits started neither late nor early / visits with an actual start", R),
    _o("late_visit_share", "share", "visits started more than on_time_minutes late",
       "late starts / visits with an actual start", R),
    _o("early_visit_share", "share", "visits started more than on_time_minutes early",
       "early starts / visits with an actual start", R),
    _o("mean_lateness_minutes", "min", "mean minutes after the planned start (early = 0)",
       "mean of max(actual start - planned start, 0)", R),
    _o("max_lateness_minutes", "min", "most minutes after the planned start",
       "max of actual start - planned start", R),
    _o("n_short_visits", "visits", "visits shorter than short_visit_share of planned",
       "logged visits with actual < short_visit_share x planned minutes", R),
    _o("short_visit_share", "share", "share of fully logged visits that were short",
       "n_short_visits / visits with both actual times", R),
    _o("n_overrun_visits", "visits", "visits longer than their slot (+ overrun_minutes)",
       "logged visits with actual > planned + overrun_minutes", R),
    _o("overrun_visit_share", "share", "share of fully logged visits longer than their slot",
       "n_overrun_visits / visits with both actual times", R),
    _o("n_overlapping_visits", "visits", "carer-visits starting before the carer's last ended",
       "carer-visits whose start < the carer's previous end", R),
    _o("n_two_places_at_once", "visits", "carer-visits reached sooner than the network allows",
       "carer-visits whose gap from the last < the network's travel time", R),
    _o("n_double_up_problems", "visits", "double-ups with one carer, or carers not together",
       "double-handed visits with one carer or starts apart", R),
    _o("n_violations", "violations", "rows of the violations table", "rules broken", R),
    _o("planned_care_hours", "h", "planned carer time at visits", "sum of planned minutes", R),
    _o("care_hours", "h", "carer time at visits made (actual)", "sum of actual minutes", R),
    _o("delivered_hours_share", "share", "care_hours / planned_care_hours",
       "care_hours / planned_care_hours", R),
    _o("travel_hours", "h", "network travel: home to first visit, between visits, home",
       "sum of every leg's network travel time", R),
    _o("travel_between_visits_hours", "h", "network travel between visits only",
       "travel_hours less the legs from and to home", R),
)

_BY_NAME = {o.name: o for o in OUTCOMES}


def outcome(name: str) -> Outcome:
    """The declaration of ``name``.

    Examples
    --------
    >>> outcome("travel_to_care_ratio").unit
    'ratio'
    """
    return _BY_NAME[name]


def outcomes_of(stage: str) -> tuple[Outcome, ...]:
    """The outcomes ``stage`` ("plan" or "rota") reports, in table order."""
    return tuple(o for o in OUTCOMES if stage in o.stages)


def outcome_table(values: Mapping[str, float], stage: str) -> pd.DataFrame:
    """One row per outcome ``stage`` reports: ``outcome``, ``value``, ``unit``, ``description``.

    Raises
    ------
    KeyError
        When a declared outcome has no value, or a value has no declaration: a bug in the
        code that computes them (tests catch it), never a silent NaN.

    Examples
    --------
    >>> outcome_table({"n_clients": 3}, "plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    KeyError: 'plan outcomes declared but not computed: weekly_hours, n_zones, ...'
    """
    declared = outcomes_of(stage)
    names = {o.name for o in declared}
    missing = [o.name for o in declared if o.name not in values]
    extra = sorted(set(values) - names)
    if missing:
        raise KeyError(f"{stage} outcomes declared but not computed: {', '.join(missing)}")
    if extra:
        raise KeyError(f"{stage} outcomes computed but not declared: {', '.join(extra)}")
    value = [values[o.name] for o in declared]
    return pd.DataFrame(
        {
            "outcome": [o.name for o in declared],
            "value": [np.nan if v is None else float(v) for v in value],
            "unit": [o.unit for o in declared],
            "description": [o.meaning for o in declared],
        }
    )
