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
  ``min_zone_hours`` / ``min_provider_hours``).
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
- ``virtual_travel_hours_saved``: a share, ``virtual_share``, of the scheduled visits
  marked ``virtual_ok`` become virtual calls: their care time stays, their trips go (see
  :mod:`carezones._virtual`: each route re-walked without them, in the same order). Every
  travel, km and CO2e figure is after this saving. Per week; times 52 for a year (Wigan
  2025: about 7,500 hours a year).
- ``workforce_balance_hours`` per zone: contracted hours of the carers living in the zone
  less the paid hours the zone needs (clients' hours times carers needed, plus the zone's
  measured travel at its travel-to-care ratio): negative where carers should be recruited
  locally; ``workforce_gap_hours`` adds up the shortfalls.
- ``hourly_rate_gbp``: the open-book rate of :func:`carezones.zone_rates` from the
  measured contact time, travel (all of it paid, the first leg from home and the last
  one back included) and car km as mileage (``cost_gbp_per_week`` = rate x care hours),
  of every route, in a zone or not (a real rota without zones is priced as a whole).

References
----------
.. [1] Department for Energy Security and Net Zero (DESNZ), "Greenhouse gas reporting:
   conversion factors 2025", condensed set, sheet "Business travel- land", Cars (by
   size), Average car, Unknown fuel: 0.16725 kg CO2e per km (direct emissions; the
   well-to-tank factors are a separate sheet). Published June 2025.
   https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import _outcome_calc as calc
from . import _virtual
from .costing import CostInputs
from .exceptions import Problem, ValidationError

if TYPE_CHECKING:
    from ._routing_plan import RoutePlan
    from .providers import ProviderLots

__all__ = [
    "CO2E_KG_PER_KM_AVERAGE_CAR",
    "OUTCOMES",
    "OutcomeParams",
    "Outcomes",
    "measure_outcomes",
]

#: kg CO2e per km of an average car of unknown fuel, UK government conversion factors
#: 2025 (DESNZ) [1]_.
CO2E_KG_PER_KM_AVERAGE_CAR = 0.16725

#: Every outcome: name, unit and meaning, in the order of :attr:`Outcomes.table`.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("n_clients", "clients", "clients in the plan"),
    ("weekly_hours", "h/week", "clients' care hours a week"),
    ("n_zones", "zones", "neighbourhood zones (NaN: no zones)"),
    ("zones_below_floor", "zones", "zones under min_zone_hours (NaN: no zone floor)"),
    ("min_zone_hours", "h/week", "hours of the smallest zone"),
    ("n_providers", "providers", "providers"),
    ("providers_below_floor", "providers", "providers under min_provider_hours"),
    ("min_provider_hours", "h/week", "hours of the smallest provider"),
    ("visits_per_week", "visits/week", "visits to make"),
    ("scheduled_share", "share", "visits in a route"),
    ("unscheduled_visits_per_week", "visits/week", "visits no carer could make"),
    ("care_hours_per_week", "h/week", "carers' contact hours (double-handed counted twice)"),
    ("travel_hours_per_week", "h/week", "carers' travel hours, after virtual calls"),
    ("travel_to_care_ratio", "ratio", "travel time over contact time"),
    ("walk_cycle_share", "share", "in-person visits reached on foot or by bike"),
    ("carers_local_share", "share", "working carers living in the zone they serve"),
    ("home_to_visit_km", "km", "straight-line km from a carer's home to each client visited"),
    ("car_km_per_week", "km/week", "km driven"),
    ("co2e_kg_per_week", "kg CO2e/week", "car km x co2e_kg_per_km"),
    ("co2e_kg_per_care_hour", "kg CO2e/h", "CO2e per contact hour"),
    ("punctuality_share", "share", "scheduled visits started inside their window"),
    ("late_minutes_per_week", "min/week", "minutes late, all visits"),
    ("mean_late_minutes", "min", "minutes late per late visit"),
    ("distinct_carers_per_client", "carers", "carers each client saw over the routed days"),
    ("short_call_share", "share", "visits shorter than short_call_minutes"),
    ("virtual_visits_per_week", "visits/week", "visits made as virtual calls"),
    ("virtual_travel_hours_saved", "h/week", "travel hours saved by virtual calls"),
    ("carers_used", "carers", "carers with at least one visit"),
    ("workforce_gap_hours", "h/week", "paid hours zones need beyond their local carers"),
    ("hourly_rate_gbp", "GBP/h", "open-book rate per contact hour"),
    ("cost_gbp_per_week", "GBP/week", "hourly rate x contact hours"),
)


@dataclass(frozen=True)
class OutcomeParams:
    """Parameters of the outcomes.

    Parameters
    ----------
    co2e_kg_per_km
        Emission factor of the km driven, kg CO2e per km >= 0; default
        :data:`CO2E_KG_PER_KM_AVERAGE_CAR` (UK government, 2025, average car, unknown fuel).
    min_zone_hours, min_provider_hours
        The floors (h/week) zones and providers are checked against; None: not checked.
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
        zone outcomes (``n_zones``, ``zones_below_floor``, ``min_zone_hours``,
        ``carers_local_share``, ``workforce_gap_hours``) are then NaN.

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
    min_zone_hours: float | None = None
    min_provider_hours: float | None = None
    virtual_share: float = 0.0
    short_call_minutes: float = 30.0
    days_per_week: int = 7
    random_state: int | None = 0
    zoned: bool = True

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

        for name in ("co2e_kg_per_km", "short_call_minutes"):
            if not (number(getattr(self, name)) and getattr(self, name) >= 0):
                bad(name, "a number >= 0")
        for name in ("min_zone_hours", "min_provider_hours"):
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


@dataclass(frozen=True, eq=False)
class Outcomes:
    """The outcomes of a plan.

    Attributes
    ----------
    table
        One row per outcome (see :data:`OUTCOMES`): ``outcome``, ``value``, ``unit``,
        ``description``.
    zones
        One row per zone: ``zone_id``, ``provider_id``, ``weekly_hours``, ``n_clients``,
        ``meets_floor``, the route figures of the table for the zone, ``carers_serving``,
        ``carers_living_in``, ``contracted_hours_living_in``, ``paid_hours_needed``,
        ``workforce_balance_hours`` and ``hourly_rate_gbp``.
    providers
        One row per provider: ``provider_id``, ``n_zones``, ``weekly_hours``,
        ``meets_floor``, the route figures and ``hourly_rate_gbp``.
    params
        The parameters used.
    n_days
        Days routed.
    """

    table: pd.DataFrame
    zones: pd.DataFrame
    providers: pd.DataFrame
    params: OutcomeParams
    n_days: int

    def __getitem__(self, name: str) -> float:
        """The value of outcome ``name``."""
        hit = self.table.loc[self.table["outcome"] == name, "value"]
        if not len(hit):
            raise KeyError(name)
        return float(hit.iloc[0])

    def to_dict(self) -> dict[str, float | None]:
        """Outcome name to value (None for NaN), JSON-ready."""
        return {
            str(k): (None if pd.isna(v) else float(v))
            for k, v in zip(self.table["outcome"], self.table["value"], strict=True)
        }

    def to_series(self) -> pd.Series:
        """The values as a Series indexed by outcome name."""
        return pd.Series(
            self.table["value"].to_numpy(float),
            index=self.table["outcome"].to_numpy(),
            name="value",
        )

    def __str__(self) -> str:
        width = max(len(n) for n in self.table["outcome"])
        lines = [f"Outcomes ({self.n_days} day(s) routed, figures a week)"]
        for row in self.table.itertuples(index=False):
            value = "n/a" if pd.isna(row.value) else f"{row.value:,.3f}".rstrip("0").rstrip(".")
            lines.append(f"  {row.outcome:<{width}}  {value:>14}  {row.unit}")
        return "\n".join(lines)


def _tables(
    routes: RoutePlan | pd.DataFrame,
    shifts: pd.DataFrame | None,
    unscheduled: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Any]:
    if hasattr(routes, "routes") and hasattr(routes, "results"):
        plan = routes
        return plan.routes, plan.shifts, plan.unscheduled, _virtual.plan_direct(plan)
    if shifts is None:
        raise ValidationError(
            [Problem("shifts", "missing table", "a shifts table with a routes table", "None")]
        )
    return routes, shifts, unscheduled, None


def measure_outcomes(
    routes: RoutePlan | pd.DataFrame,
    visits: pd.DataFrame,
    *,
    clients: pd.DataFrame,
    carers: pd.DataFrame,
    shifts: pd.DataFrame | None = None,
    unscheduled: pd.DataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    providers: ProviderLots | Mapping[str, str] | pd.DataFrame | None = None,
    travel: pd.DataFrame | None = None,
    params: OutcomeParams | None = None,
    cost_inputs: CostInputs | None = None,
) -> Outcomes:
    """Measure a plan's outcomes from its routes.

    Parameters
    ----------
    routes
        A :class:`~carezones.routing.RoutePlan`, or its ``routes`` table (``zone_id``,
        ``day``, ``carer_id``, ``sequence``, ``visit_id``, ``client_id``, ``start``,
        ``end``, ``late``, ``travel_seconds``, ``mode``, optional ``date``) with ``shifts``.
    visits
        The visits routed (``visit_id``, ``client_id``, ``duration``, optional ``day``,
        ``date`` and ``virtual_ok``); those in no route are unscheduled. With dates, days
        are counted by date (see the module's notes).
    clients
        ``client_id``, ``weekly_hours``, ``zone_id`` (None: in no zone), optional
        ``carers_needed`` and Point geometry.
    carers
        ``carer_id``, ``mode``, optional ``contracted_hours``, ``home_zone_id`` and home
        Point geometry.
    shifts
        With a routes table: one row per carer-day (``zone_id``, ``day``, ``carer_id``,
        ``mode``, ``travel_seconds`` (every leg, home and back), ``distance_m``, optional
        ``return_travel_seconds``).
    unscheduled
        With a routes table: the unscheduled visits (``visit_id``, ``zone_id``); optional.
    zones
        Zone polygons (``zone_id``) that place carers' homes, when carers have no
        ``home_zone_id``.
    providers
        Which provider holds each zone: a :class:`~carezones.ProviderLots`, a mapping or a
        DataFrame (``zone_id``, ``provider_id``); None: no provider figures.
    travel
        Direct legs for the virtual-call savings with a routes table: ``from_id``,
        ``to_id`` (client ids, or carer ids for homes), ``mode``, ``travel_seconds``.
        Without it, a missing leg is estimated (see :mod:`carezones._virtual`).
    params
        Floors, emission factor, virtual share; default :class:`OutcomeParams`.
    cost_inputs
        The open-book costs of the hourly rate; default :class:`~carezones.CostInputs`.

    Returns
    -------
    Outcomes

    Examples
    --------
    One carer drives 2 km to a 60-minute visit and 2 km home (10 minutes each way):

    >>> routes = pd.DataFrame({"zone_id": "Z1", "day": "monday", "carer_id": "k1",
    ...     "sequence": [1], "visit_id": ["v1"], "client_id": ["c1"], "start": [480],
    ...     "end": [540], "late": [0.0], "travel_seconds": [600], "mode": "drive"})
    >>> shifts = pd.DataFrame({"zone_id": "Z1", "day": "monday", "carer_id": ["k1"],
    ...     "mode": "drive", "travel_seconds": [1200], "distance_m": [4000.0]})
    >>> visits = pd.DataFrame({"visit_id": ["v1"], "client_id": ["c1"], "day": "monday",
    ...                        "duration": [60]})
    >>> clients = pd.DataFrame({"client_id": ["c1"], "weekly_hours": [7.0], "zone_id": "Z1"})
    >>> carers = pd.DataFrame({"carer_id": ["k1"], "mode": ["drive"], "home_zone_id": ["Z1"]})
    >>> out = measure_outcomes(routes, visits, clients=clients, carers=carers, shifts=shifts)
    >>> out["travel_to_care_ratio"], out["car_km_per_week"], out["carers_local_share"]
    (0.3333333333333333, 28.0, 1.0)
    >>> round(out["co2e_kg_per_week"], 3)
    4.683
    """
    params = params or OutcomeParams()
    routes_t, shifts_t, unscheduled_t, direct = _tables(routes, shifts, unscheduled)
    calc.check_columns(
        {
            "routes": (routes_t, calc.ROUTE_NEEDS),
            "shifts": (shifts_t, calc.SHIFT_NEEDS),
            "visits": (visits, calc.VISIT_NEEDS),
            "clients": (clients, calc.CLIENT_NEEDS),
            "carers": (carers, calc.CARER_NEEDS),
            "travel": (travel, ["from_id", "to_id", "mode", "travel_seconds"]),
        }
    )
    routes_t = routes_t.assign(zone_id=routes_t["zone_id"].astype(object))
    shifts_t = shifts_t.assign(zone_id=shifts_t["zone_id"].astype(object))
    if direct is None and travel is not None:
        modes = dict(zip(carers["carer_id"].astype(str), carers["mode"].astype(str), strict=True))
        direct = _virtual.table_direct(travel, routes_t, modes)
    n_days, week = calc.routed_days(visits, routes_t)
    if week is not None:
        routes_t = routes_t.assign(_week=week.to_numpy())
    scale = params.days_per_week / n_days
    virtual = _virtual.choose_virtual(
        visits, routes_t["visit_id"].astype(str), params.virtual_share, params.random_state
    )
    saved = _virtual.travel_saved(routes_t, shifts_t, virtual, direct)
    visit_zone = calc.visit_zones(visits, routes_t, unscheduled_t, clients)
    zone_provider = calc.zone_to_provider(providers)

    def metrics(mask_routes: Any, mask_shifts: Any, mask_saved: Any, mask_visits: Any) -> dict:
        return calc.group_metrics(
            routes_t[mask_routes],
            shifts_t[mask_shifts],
            saved[mask_saved] if len(saved) else saved,
            visits[mask_visits],
            virtual,
            scale=scale,
            short_minutes=params.short_call_minutes,
            co2e_kg_per_km=params.co2e_kg_per_km,
        )

    overall = metrics(
        np.ones(len(routes_t), bool),
        np.ones(len(shifts_t), bool),
        np.ones(len(saved), bool),
        np.ones(len(visits), bool),
    )
    tables = (routes_t, shifts_t, saved, visits, visit_zone)
    per_zone = calc.zone_table(clients, carers, zones, *tables, zone_provider, params, metrics)
    per_provider = calc.provider_table(per_zone, zone_provider, params, metrics, *tables)
    by_zone, by_provider, rate, cost = calc.hourly_rates(
        per_zone, zone_provider, cost_inputs, overall=overall
    )
    per_zone["hourly_rate_gbp"] = per_zone["zone_id"].astype(str).map(by_zone).astype(float)
    if len(per_provider):
        per_provider["hourly_rate_gbp"] = per_provider["provider_id"].map(by_provider).astype(float)
    values = calc.overall_values(
        overall, clients, carers, zones, routes_t, per_zone, per_provider, params
    )
    values.update({"hourly_rate_gbp": rate, "cost_gbp_per_week": cost})
    table = pd.DataFrame(
        [
            {"outcome": n, "value": float(values.get(n, np.nan)), "unit": u, "description": d}
            for n, u, d in OUTCOMES
        ]
    )
    return Outcomes(table, per_zone, per_provider, params, n_days)
