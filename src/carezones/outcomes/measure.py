"""Measuring a plan's outcomes: :func:`measure_outcomes` and its result, :class:`Outcomes`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.outcomes import calc
from carezones.outcomes import virtual as _virtual
from carezones.outcomes.costing import CostInputs
from carezones.outcomes.params import OutcomeParams
from carezones.outcomes.registry import outcome_table
from carezones.routing import RoutePlan
from carezones.zoning import ProviderLots

__all__ = ["Outcomes", "measure_outcomes"]


@dataclass(frozen=True, eq=False)
class Outcomes:
    """The outcomes of a plan.

    Attributes
    ----------
    table
        One row per outcome a plan reports (see :data:`carezones.outcomes.OUTCOMES`):
        ``outcome``, ``value``, ``unit``, ``description``.
    zones
        One row per zone: ``zone_id``, ``provider_id``, ``weekly_hours``, ``n_clients``,
        ``meets_floor``, the route figures of the table for the zone, ``carers_serving``,
        ``carers_living_in``, ``contracted_hours_living_in``, ``paid_hours_needed``,
        ``workforce_balance_hours``, ``workforce_short_hours`` (the zone's own carers
        against its own day-slots and skills), ``paid_hours_per_week`` and
        ``hourly_rate_gbp`` (the rate its provider needs for it, fixed costs spread at the
        provider's size).
    providers
        One row per provider: ``provider_id``, ``n_zones``, ``weekly_hours``,
        ``meets_floor``, the route figures, ``workforce_short_hours``,
        ``paid_hours_per_week``, ``variable_cost_gbp_per_hour``, ``hourly_rate_gbp`` (the
        rate it needs at its planned size, its surplus included),
        ``break_even_weekly_hours`` (at the offered rate) and ``below_break_even``.
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

    @property
    def estimate(self) -> bool:
        """True when fewer days than a week were routed: weekly figures are then scaled up."""
        return self.n_days < self.params.days_per_week

    @property
    def basis(self) -> str:
        """What the weekly figures rest on, in words (printed beside every result)."""
        if self.estimate:
            return (
                f"ESTIMATE: {self.n_days} day(s) routed, weekly figures x "
                f"{self.params.days_per_week / self.n_days:g}"
            )
        return f"a planned week: {self.n_days} days routed, weekly figures are their sums"

    @property
    def reconciliation(self) -> pd.DataFrame:
        """Demanded care = in person + virtual + unserved, in visits, clients' and carers' hours.

        The last row is the difference (zero: nothing lost or counted twice).

        Examples
        --------
        >>> routes = pd.DataFrame({"zone_id": "Z1", "day": "monday", "carer_id": "k1",
        ...     "sequence": [1], "visit_id": ["v1"], "client_id": ["c1"], "start": [480],
        ...     "end": [540], "late": [0.0], "travel_seconds": [600], "mode": "walk"})
        >>> shifts = pd.DataFrame({"zone_id": "Z1", "day": "monday", "carer_id": ["k1"],
        ...     "mode": "walk", "travel_seconds": [1200], "distance_m": [1600.0]})
        >>> visits = pd.DataFrame({"visit_id": ["v1", "v2"], "client_id": ["c1", "c1"],
        ...     "day": "monday", "duration": [60, 30], "carers_needed": [1, 2]})
        >>> clients = pd.DataFrame({"client_id": ["c1"], "weekly_hours": [10.5], "zone_id": "Z1"})
        >>> carers = pd.DataFrame({"carer_id": ["k1"], "mode": ["walk"], "home_zone_id": ["Z1"]})
        >>> out = measure_outcomes(routes, visits, clients=clients, carers=carers, shifts=shifts,
        ...                        params=OutcomeParams(days_per_week=1))
        >>> out.reconciliation[["line", "client_hours_per_week", "carer_hours_per_week"]]
        ... # doctest: +NORMALIZE_WHITESPACE
                      line  client_hours_per_week  carer_hours_per_week
        0         demanded                    1.5                   2.0
        1        in person                    1.0                   1.0
        2    virtual calls                    0.0                   0.0
        3         unserved                    0.5                   1.0
        4  difference (0)                    0.0                   0.0
        """
        v = self.to_series()
        scale = 1.0
        rows = [
            ("demanded", v["visits_per_week"], v["demanded_hours_per_week"]),
            ("in person", np.nan, v["in_person_hours_per_week"]),
            ("virtual calls", v["virtual_visits_per_week"], v["virtual_hours_per_week"]),
            ("unserved", v["unscheduled_visits_per_week"], v["unserved_hours_per_week"]),
        ]
        carer = [
            v["care_hours_per_week"] + v["unserved_carer_hours_per_week"],
            v["care_hours_per_week"] - v["virtual_carer_hours_per_week"],
            v["virtual_carer_hours_per_week"],
            v["unserved_carer_hours_per_week"],
        ]
        out = pd.DataFrame(
            {
                "line": [r[0] for r in rows],
                "visits_per_week": [r[1] * scale for r in rows],
                "client_hours_per_week": [r[2] for r in rows],
                "carer_hours_per_week": carer,
            }
        )
        out.loc[1, "visits_per_week"] = (
            v["visits_per_week"] - v["virtual_visits_per_week"] - v["unscheduled_visits_per_week"]
        )
        diff = out.iloc[0, 1:] - out.iloc[1:, 1:].sum()
        out.loc[len(out)] = ["difference (0)", *diff.round(9).tolist()]
        return out

    def __str__(self) -> str:
        width = max(len(n) for n in self.table["outcome"])
        lines = [f"Outcomes ({self.basis})"]
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
        raise ProblemCollector("shifts").error(
            "missing table", "a shifts table with a routes table", "None"
        )
    return routes, shifts, unscheduled, None


def _before_routing(
    virtual: Iterable[str], visits: pd.DataFrame, routes: pd.DataFrame
) -> set[str]:
    """The visits made virtual before routing, checked: known visits, none of them routed."""
    chosen = {str(v) for v in virtual}
    known = set(visits["visit_id"].astype(str))
    routed = chosen & set(routes["visit_id"].astype(str))
    problems = [
        Problem("virtual", "unknown visit", "a visit_id of the visits table", repr(v))
        for v in sorted(chosen - known)[:5]
    ] + [
        Problem("virtual", "routed", "virtual calls decided before routing (in no route)",
                repr(v)) for v in sorted(routed)[:5]
    ]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return chosen


def _attach(
    table: pd.DataFrame,
    key: str,
    priced: pd.DataFrame,
    short: pd.DataFrame | None,
    scale: float,
    columns: dict[str, str],
) -> None:
    """Priced columns and each group's workforce shortfall, by ``key``, into ``table``."""
    ids = table[key].astype(str)
    if len(priced) and key in priced.columns:
        by = priced.set_index(priced[key].astype(str))
        for source, name in columns.items():
            table[name] = ids.map(by[source]).astype(float)
    else:
        for name in columns.values():
            table[name] = np.nan
    if short is None:
        table["workforce_short_hours"] = np.nan
    else:
        hours = short.set_index(short["group"].astype(str))["short_hours"] * scale
        table["workforce_short_hours"] = ids.map(hours).fillna(0.0).astype(float)


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
    virtual: Iterable[str] | None = None,
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
        Without it, a missing leg is estimated (see :mod:`carezones.outcomes.virtual`).
    params
        Floors, emission factor, virtual share; default :class:`OutcomeParams`.
    cost_inputs
        The open-book costs of the hourly rate; default :class:`~carezones.CostInputs`.
    virtual
        The visits made virtual calls before routing (in ``visits``, in no route; see
        :func:`~carezones.outcomes.virtual.choose_virtual`): delivered by call, their
        carer time paid at ``params.virtual_call_pay_share``. None: ``params.virtual_share``
        of the routed ``virtual_ok`` visits are made virtual after routing (their legs
        taken out of the routes).

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
    if virtual is None:
        chosen = _virtual.choose_virtual(
            visits, params.virtual_share, params.random_state,
            scheduled=routes_t["visit_id"].astype(str),
        )  # fmt: skip
        saved = _virtual.travel_saved(routes_t, shifts_t, chosen, direct)
    else:
        chosen = _before_routing(virtual, visits, routes_t)
        saved = _virtual.travel_saved(routes_t, shifts_t, set(), direct)
    shifts_t = calc.shift_time_use(routes_t, shifts_t, clients, params.parking_minutes)
    visit_zone = calc.visit_zones(visits, routes_t, unscheduled_t, clients)
    zone_provider = calc.zone_to_provider(providers)

    def metrics(mask_routes: Any, mask_shifts: Any, mask_saved: Any, mask_visits: Any) -> dict:
        return calc.group_metrics(
            routes_t[mask_routes],
            shifts_t[mask_shifts],
            saved[mask_saved] if len(saved) else saved,
            visits[mask_visits],
            chosen,
            scale=scale,
            short_minutes=params.short_call_minutes,
            co2e_kg_per_km=params.co2e_kg_per_km,
            punctuality_minutes=params.punctuality_minutes,
            spread_minutes=params.spread_minutes,
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
    by_zone, by_provider, costs = calc.provider_costs(
        per_zone, per_provider, zone_provider, cost_inputs, params, overall=overall
    )
    short = calc.workforce_short(visits, carers, visit_zone, chosen)
    _attach(per_zone, "zone_id", by_zone, short, scale,
            {"paid_hours": "paid_hours_per_week", "hourly_rate_gbp": "hourly_rate_gbp"})
    if len(per_provider):
        by_provider_short = None
        if short is not None:
            prov = short["group"].astype(str).map(zone_provider)
            by_provider_short = (
                short.assign(group=prov).groupby("group", as_index=False)["short_hours"].sum()
            )
        _attach(per_provider, "provider_id", by_provider, by_provider_short, scale,
                {"paid_hours": "paid_hours_per_week",
                 "variable_cost_gbp_per_hour": "variable_cost_gbp_per_hour",
                 "hourly_rate_gbp": "hourly_rate_gbp",
                 "break_even_weekly_hours": "break_even_weekly_hours"})  # fmt: skip
        if "break_even_weekly_hours" in per_provider.columns:
            per_provider["below_break_even"] = (
                per_provider["care_hours_per_week"] < per_provider["break_even_weekly_hours"] - 1e-9
            )
    values = calc.overall_values(
        overall, clients, carers, zones, routes_t, per_zone, per_provider, params,
        shifts=shifts_t, n_days=n_days,
    )  # fmt: skip
    total_short = float(short["short_hours"].sum()) * scale if short is not None else np.nan
    values.update(calc.cost_values(values, n_days, costs, params, cost_inputs, total_short))
    table = outcome_table(values, "plan")
    return Outcomes(table, per_zone, per_provider, params, n_days)
