"""The arithmetic behind :func:`carezones.outcomes.measure_outcomes`: per group, zone, provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.demand import group_cover, short_hours
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.outcomes.costing import (
    CostInputs,
    break_even_hours,
    provider_rates,
    workforce_needed,
    zone_rates,
)
from carezones.outcomes.params import OutcomeParams
from carezones.routing import client_carers

__all__ = [
    "ACTIVE",
    "ZONE_OUTCOMES",
    "check_columns",
    "cost_values",
    "floor_flags",
    "group_metrics",
    "home_to_visit_km",
    "home_zones",
    "overall_values",
    "provider_costs",
    "provider_table",
    "routed_days",
    "served_zones",
    "shift_time_use",
    "visit_zones",
    "workforce_short",
    "zone_table",
    "zone_to_provider",
]

ACTIVE = ("walk", "cycle")

ROUTE_NEEDS = [
    "zone_id", "day", "carer_id", "sequence", "visit_id", "client_id", "start", "end", "late",
    "travel_seconds", "mode",
]  # fmt: skip
SHIFT_NEEDS = ["zone_id", "day", "carer_id", "mode", "travel_seconds", "distance_m"]
VISIT_NEEDS = ["visit_id", "client_id", "duration"]
CLIENT_NEEDS = ["client_id", "weekly_hours"]
CARER_NEEDS = ["carer_id", "mode"]


def check_columns(tables: dict[str, tuple[pd.DataFrame | None, list[str]]]) -> None:
    """Raise once, naming every missing table column."""
    problems = []
    for name, (frame, needs) in tables.items():
        if frame is None:
            continue
        if not isinstance(frame, pd.DataFrame):
            problems.append(
                Problem(name, "not a table", "a pandas DataFrame", type(frame).__name__)
            )
            continue
        problems += [
            Problem(name, "missing column", f"a column {c!r}", "none", column=c)
            for c in needs
            if c not in frame.columns
        ]
    if problems:
        raise ValidationError(problems)


def _dates(frame: pd.DataFrame) -> pd.Series | None:
    """The ``date`` column as day-precision datetimes, or None when there is none."""
    if "date" not in frame.columns or not len(frame):
        return None
    values = frame["date"]
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if not values.notna().any():
        return None
    return values.dt.normalize()


def routed_days(visits: pd.DataFrame, routes: pd.DataFrame) -> tuple[int, pd.Series | None]:
    """How many days the plan covers, and the week (its Monday) of each route row.

    With a ``date`` column in ``visits`` (else in ``routes``), the distinct dates of the
    visits and routes, and each route row's week from its own date or its visit's; else
    the distinct ``day`` values and no weeks (None).
    """
    v_dates, r_dates = _dates(visits), _dates(routes)
    if v_dates is None and r_dates is None:
        days = set(visits["day"]) if "day" in visits.columns else {""}
        days |= set(routes["day"]) if len(routes) else set()
        return max(len(days), 1), None
    known: set[Any] = set()
    dates = r_dates if r_dates is not None else pd.Series(pd.NaT, index=routes.index)
    if v_dates is not None:
        by_visit = pd.Series(v_dates.to_numpy(), index=visits["visit_id"].astype(str).to_numpy())
        by_visit = by_visit[~by_visit.index.duplicated()]
        known |= set(by_visit.dropna())
        if len(routes):
            from_visit = routes["visit_id"].astype(str).map(by_visit)
            dates = dates.where(dates.notna(), from_visit)
    dates = pd.to_datetime(dates)
    known |= set(dates.dropna())
    week = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return max(len(known), 1), week


def _safe(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def group_metrics(
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    saved: pd.DataFrame,
    visits: pd.DataFrame,
    virtual: set[str],
    *,
    scale: float,
    short_minutes: float,
    co2e_kg_per_km: float,
    punctuality_minutes: float = 0.0,
    spread_minutes: float = 30.0,
) -> dict[str, float]:
    """Every route-based figure of one group (a zone, a provider, or everything).

    ``routes``/``shifts``/``saved`` hold the group's rows for the routed days; ``scale``
    turns the routed days into a week. ``virtual`` are the visits made virtual calls:
    those in no route were decided before routing (their care counts as delivered, their
    travel saved is estimated at the group's travel per in-person carer-visit); those in
    routes were decided after it (their legs are taken out of the travel, ``saved``).
    ``shifts`` may carry ``_waiting`` and ``_parking`` minutes (:func:`shift_time_use`).
    """
    visit_rows = routes.drop_duplicates("visit_id")
    routed_ids = set(visit_rows["visit_id"].astype(str))
    ids = visits["visit_id"].astype(str)
    unrouted = visits[ids.isin(virtual) & ~ids.isin(routed_ids)]
    need = (
        unrouted["carers_needed"].astype(float)
        if "carers_needed" in unrouted.columns
        else pd.Series(1.0, index=unrouted.index)
    )
    unrouted_min = float((unrouted["duration"].astype(float) * need).sum())
    n_visits = len(visits)
    n_scheduled = len(visit_rows) + len(unrouted)
    is_virtual = visit_rows["visit_id"].isin(virtual)
    n_virtual = int(is_virtual.sum()) + len(unrouted)
    in_person = routes[~routes["visit_id"].isin(virtual)]
    active = (
        in_person["mode"].isin(ACTIVE).groupby(in_person["visit_id"]).all()
        if len(in_person)
        else pd.Series(dtype=bool)
    )
    care_min = float((routes["end"] - routes["start"]).sum()) + unrouted_min
    virtual_rows = routes["visit_id"].astype(str).isin(virtual)
    virtual_min = float((routes["end"] - routes["start"])[virtual_rows].sum()) + unrouted_min
    saved_s = float(saved["saved_seconds"].sum()) if len(saved) else 0.0
    parking_min = float(shifts["_parking"].sum()) if "_parking" in shifts.columns else 0.0
    travel_min = (float(shifts["travel_seconds"].sum()) - saved_s) / 60.0 + parking_min
    in_person_rows = int((~virtual_rows).sum())
    per_visit = travel_min / in_person_rows if in_person_rows else 0.0
    saved_s += len(unrouted) * per_visit * 60.0
    waiting_min = float(shifts["_waiting"].sum()) if "_waiting" in shifts.columns else 0.0
    drive = shifts["mode"] == "drive"
    saved_drive = float(saved.loc[saved["mode"] == "drive", "saved_m"].sum()) if len(saved) else 0.0
    car_km = (float(shifts.loc[drive, "distance_m"].fillna(0.0).sum()) - saved_drive) / 1000.0
    late = visit_rows["late"].astype(float).fillna(0.0)
    keys = ["client_id", "_week"] if "_week" in routes.columns else ["client_id"]
    seen = client_carers(routes, keys)  # who each client saw (a week at a time)
    per_client, main_share = seen["distinct_carers"], seen["main_carer_share"]
    durations = visits["duration"].astype(float)
    hours = _served_hours(visits, routed_ids | set(unrouted["visit_id"].astype(str)), virtual)
    spread = call_spreads(visit_rows, visits)
    heavy = per_client[(seen["n_visits"] >= HEAVY_CLIENT_VISITS).to_numpy()]
    return {
        "visits_per_week": n_visits * scale,
        "scheduled_share": _safe(n_scheduled, n_visits),
        "unscheduled_visits_per_week": (n_visits - n_scheduled) * scale,
        **{k: v * scale for k, v in hours.items()},
        "care_hours_per_week": care_min / 60.0 * scale,
        "virtual_carer_hours_per_week": virtual_min / 60.0 * scale,
        "carer_visits_per_week": (len(routes) + len(unrouted)) * scale,
        "travel_hours_per_week": travel_min / 60.0 * scale,
        "travel_to_care_ratio": _safe(travel_min, care_min),
        "waiting_hours_per_week": waiting_min / 60.0 * scale,
        "walk_cycle_share": float(active.mean()) if len(active) else float("nan"),
        "car_km_per_week": car_km * scale,
        "co2e_kg_per_week": car_km * co2e_kg_per_km * scale,
        "punctuality_share": float((late <= punctuality_minutes + 1e-9).mean())
        if len(late)
        else float("nan"),
        "late_visits_per_week": float((late > 0).sum()) * scale,
        "late_minutes_per_week": float(late.sum()) * scale,
        "mean_late_minutes": float(late[late > 0].mean()) if (late > 0).any() else 0.0,
        "max_late_minutes": float(late.max()) if len(late) else 0.0,
        "distinct_carers_per_client": float(per_client.mean()) if len(per_client) else float("nan"),
        "main_carer_share": float(main_share.mean()) if len(main_share) else float("nan"),
        "distinct_carers_heavy_clients": float(heavy.mean()) if len(heavy) else float("nan"),
        "call_spread_share": float((spread <= spread_minutes + 1e-9).mean())
        if len(spread)
        else float("nan"),
        "mean_call_spread_minutes": float(spread.mean()) if len(spread) else float("nan"),
        "short_call_share": float((durations < short_minutes).mean())
        if len(durations)
        else float("nan"),
        "virtual_visits_per_week": n_virtual * scale,
        "virtual_travel_hours_saved": saved_s / 3600.0 * scale,
        "carers_used": float(routes["carer_id"].nunique()),
    }


#: Clients with at least this many visits a week (two or more a day) are "heavy": their
#: distinct carers are reported on their own (``distinct_carers_heavy_clients``).
HEAVY_CLIENT_VISITS = 14


def call_spreads(visit_rows: pd.DataFrame, visits: pd.DataFrame) -> pd.Series:
    """Each recurring call's spread: latest minus earliest start (minutes) over its days.

    A recurring call is one ``call_id`` (a client's pattern entry) routed on two or more
    days; without ``call_id`` in ``visits`` there are none.
    """
    if "call_id" not in visits.columns or not len(visit_rows):
        return pd.Series(dtype=float)
    call = visits.drop_duplicates("visit_id").set_index("visit_id")["call_id"]
    rows = visit_rows.assign(_call=visit_rows["visit_id"].map(call))
    keys = ["_call", "_week"] if "_week" in rows.columns else ["_call"]
    g = rows.dropna(subset=["_call"]).groupby(keys)["start"]
    recurring = g.count() >= 2
    return (g.max() - g.min())[recurring].astype(float)


def _served_hours(visits: pd.DataFrame, scheduled: set[str], virtual: set[str]) -> dict[str, float]:
    """Clients' hours of the visits: demanded = in person + virtual + unserved (exactly).

    The unserved visits' carer-hours (double-handed twice) are what cover would cost.
    """
    ids = visits["visit_id"].astype(str)
    hours = visits["duration"].astype(float) / 60.0
    done = ids.isin(scheduled)
    made_virtual = done & ids.isin(virtual)
    need = visits["carers_needed"].astype(float) if "carers_needed" in visits else 1.0
    return {
        "demanded_hours_per_week": float(hours.sum()),
        "in_person_hours_per_week": float(hours[done & ~made_virtual].sum()),
        "virtual_hours_per_week": float(hours[made_virtual].sum()),
        "unserved_hours_per_week": float(hours[~done].sum()),
        "unserved_carer_hours_per_week": float((hours * need)[~done].sum()),
    }


def served_zones(routes: pd.DataFrame) -> pd.Series:
    """The zone each carer works in most (visits), indexed by ``carer_id``."""
    if not len(routes):
        return pd.Series(dtype=object)
    counts = routes.groupby(["carer_id", "zone_id"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["carer_id", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("carer_id").set_index("carer_id")["zone_id"]


def home_zones(carers: pd.DataFrame, zones: gpd.GeoDataFrame | None) -> pd.Series | None:
    """Each carer's home zone (None outside every zone), or None when it cannot be known.

    From a ``home_zone_id`` column, else from zone polygons and the carers' home points.
    """
    ids = carers["carer_id"].astype(str).to_numpy()
    if "home_zone_id" in carers.columns:
        return pd.Series(carers["home_zone_id"].to_numpy(dtype=object), index=ids)
    if zones is None or not isinstance(carers, gpd.GeoDataFrame) or "zone_id" not in zones:
        return None
    homes = gpd.GeoDataFrame({"carer_id": ids}, geometry=carers.geometry.to_crs(zones.crs).values)
    homes = homes.set_crs(zones.crs, allow_override=True)
    hit = gpd.sjoin(homes, zones[["zone_id", "geometry"]], how="left", predicate="within")
    hit = hit[~hit.index.duplicated()]
    out = hit["zone_id"].astype(object).where(hit["zone_id"].notna(), None)
    return pd.Series(out.to_numpy(dtype=object), index=ids)


def home_to_visit_km(routes: pd.DataFrame, clients: pd.DataFrame, carers: pd.DataFrame) -> float:
    """Mean straight-line km from a carer's home to the client of each visit they make."""
    if not (
        len(routes)
        and isinstance(clients, gpd.GeoDataFrame)
        and isinstance(carers, gpd.GeoDataFrame)
        and clients.crs is not None
        and carers.crs is not None
    ):
        return float("nan")
    crs: Any = carers.crs
    if crs.is_geographic:
        crs = carers.estimate_utm_crs()
    first = clients.drop_duplicates("client_id")
    c_geo = gpd.GeoSeries(
        first.geometry.to_crs(crs).to_numpy(), index=first["client_id"].astype(str).to_numpy()
    )
    k_geo = gpd.GeoSeries(
        carers.geometry.to_crs(crs).to_numpy(), index=carers["carer_id"].astype(str).to_numpy()
    )
    cx = c_geo.reindex(routes["client_id"].astype(str).to_numpy())
    kx = k_geo.reindex(routes["carer_id"].astype(str).to_numpy())
    ok = cx.notna().to_numpy() & kx.notna().to_numpy()
    if not ok.any():
        return float("nan")
    d = np.hypot(
        cx.x.to_numpy()[ok] - kx.x.to_numpy()[ok], cx.y.to_numpy()[ok] - kx.y.to_numpy()[ok]
    )
    return float(d.mean() / 1000.0)


#: Outcomes that only mean something with zones (NaN for the "then" baseline).
ZONE_OUTCOMES = (
    "n_zones",
    "zones_below_floor",
    "smallest_zone_hours",
    "carers_local_share",
    "workforce_gap_hours",
)


def zone_to_provider(providers: Any) -> dict[str, str]:
    """``zone_id -> provider_id`` from lots (their lot ids when unmatched), a mapping or a table."""
    if providers is None:
        return {}
    if hasattr(providers, "zones") and isinstance(providers.zones, pd.DataFrame):
        frame = providers.zones
        key = "provider_id" if frame["provider_id"].notna().all() else "lot_id"
        return dict(zip(frame["zone_id"].astype(str), frame[key].astype(str), strict=True))
    if isinstance(providers, pd.DataFrame):
        check_columns({"providers": (providers, ["zone_id", "provider_id"])})
        return dict(
            zip(providers["zone_id"].astype(str), providers["provider_id"].astype(str), strict=True)
        )
    if isinstance(providers, Mapping | pd.Series):
        return {str(k): str(v) for k, v in providers.items()}
    raise ProblemCollector("providers").error(
        "bad value",
        "ProviderLots, a mapping zone_id -> provider_id or a DataFrame with both",
        type(providers).__name__,
    )


def visit_zones(
    visits: pd.DataFrame,
    routes: pd.DataFrame,
    unscheduled: pd.DataFrame | None,
    clients: pd.DataFrame,
) -> pd.Series:
    """Zone of every visit: its route's, its unscheduled row's, else its client's."""
    zone = pd.Series(None, index=visits.index, dtype=object)
    if "zone_id" in clients.columns:
        by_client = clients.drop_duplicates("client_id").set_index("client_id")["zone_id"]
        zone = visits["client_id"].map(by_client).astype(object)
    for frame in (unscheduled, routes):
        if frame is not None and len(frame) and "zone_id" in frame.columns:
            known = frame.drop_duplicates("visit_id").set_index("visit_id")["zone_id"]
            got = visits["visit_id"].map(known)
            zone = got.where(got.notna(), zone).astype(object)
    return zone


def floor_flags(hours: pd.Series, floor: float | None) -> pd.Series:
    """True/False per row for hours at or above ``floor``; NaN when there is no floor."""
    if floor is None:
        return pd.Series(np.nan, index=hours.index, dtype=object)
    return (hours >= floor - 1e-9).astype(object)


def shift_time_use(
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    clients: pd.DataFrame,
    parking_minutes: float,
) -> pd.DataFrame:
    """The shifts with the minutes of each carer-day that are paid but neither care nor travel.

    Adds ``_parking`` (``parking_minutes`` for each visit reached by car at a client in a
    dense area: ``clients["dense_area"]``, every client without that column) and
    ``_waiting``: the planned working day (``working_minutes``: leaving home to getting
    back, less an unpaid break; care plus travel when the table has no such column) less
    care, travel and parking, at least 0. Parking that does not fit in the waiting
    lengthens the day.
    """
    out = shifts.copy()
    keys = ["zone_id", "day", "carer_id"]
    if not len(out):
        return out.assign(_parking=pd.Series(dtype=float), _waiting=pd.Series(dtype=float))
    contact = (routes["end"] - routes["start"]).astype(float)
    parking = pd.Series(0.0, index=routes.index)
    if parking_minutes > 0 and len(routes):
        dense = pd.Series(True, index=routes.index)
        if "dense_area" in clients.columns:
            by_client = clients.drop_duplicates("client_id").set_index("client_id")["dense_area"]
            dense = routes["client_id"].map(by_client).fillna(False).astype(bool)
        parking = (routes["mode"] == "drive").astype(float) * dense.astype(float) * parking_minutes
    per_day = (
        pd.DataFrame({k: routes[k] for k in keys}).assign(_c=contact, _p=parking)
        .groupby(keys, dropna=False, sort=False)[["_c", "_p"]].sum()
    )  # fmt: skip
    index = pd.MultiIndex.from_frame(out[keys])
    care = per_day["_c"].reindex(index).fillna(0.0).to_numpy()
    park = per_day["_p"].reindex(index).fillna(0.0).to_numpy()
    travel = out["travel_seconds"].astype(float).fillna(0.0).to_numpy() / 60.0
    if "working_minutes" in out.columns:
        working = out["working_minutes"].astype(float).fillna(0.0).to_numpy()
    else:
        working = care + travel
    out["_parking"] = park
    out["_waiting"] = np.maximum(working - care - travel - park, 0.0)
    return out


def _price_table(
    frame: pd.DataFrame, params: OutcomeParams, size: pd.Series | None
) -> pd.DataFrame:
    """The :func:`~carezones.zone_rates` summary of rows of route figures, those with care.

    ``frame`` holds a group per row (``zone_id``, the week's route figures); ``size``
    the weekly contact hours of each row's provider (None: the inputs' reference).
    """
    care = frame["care_hours_per_week"].astype(float) * 60.0
    virtual = frame["virtual_carer_hours_per_week"].astype(float) * 60.0
    summary = pd.DataFrame(
        {
            "zone_id": frame["zone_id"].astype(str),
            "care_minutes": care,
            "travel_minutes": frame["travel_hours_per_week"].astype(float).clip(lower=0) * 60.0,
            "n_visits": frame["carer_visits_per_week"].astype(float),
            "car_km": frame["car_km_per_week"].astype(float).clip(lower=0),
            "waiting_minutes": frame["waiting_hours_per_week"].astype(float) * 60.0,
            "paid_contact_minutes": care - virtual * (1.0 - params.virtual_call_pay_share),
        }
    )
    if size is not None:
        summary["provider_weekly_hours"] = size.to_numpy(dtype=float)
    ok = (summary["care_minutes"] > 0) & (summary["n_visits"] > 0)
    if size is not None:
        ok &= summary["provider_weekly_hours"] > 0
    return summary[ok.to_numpy()]


def provider_costs(
    per_zone: pd.DataFrame,
    per_provider: pd.DataFrame,
    zone_provider: dict[str, str],
    inputs: CostInputs | None,
    params: OutcomeParams,
    *,
    overall: Mapping[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """What the care costs providers: per zone, per provider, and the plan's cost outcomes.

    Each zone is priced at its own paid time, mileage and visits with its provider's fixed
    costs spread over the provider's weekly contact hours (its planned size); a provider's
    rate is its zones' rates weighted by their care hours (the same as pricing its pooled
    figures). The plan's rate is the providers' costs over their care hours; without
    providers for every zone, the whole plan is priced as one provider of the inputs'
    reference size.

    Returns
    -------
    tuple
        Zone rates and provider rates (the :func:`~carezones.zone_rates` and
        :func:`~carezones.provider_rates` tables, ``zone_id`` / ``provider_id`` first),
        and the plan's figures: ``hourly_rate_gbp``, ``delivered_cost_gbp_per_week``,
        ``paid_hours_per_week``, ``variable_cost_gbp_per_hour``,
        ``fixed_cost_gbp_per_provider_week``, ``break_even_weekly_hours`` and
        ``providers_below_break_even``.
    """
    inputs = CostInputs() if inputs is None else inputs
    nan = float("nan")
    empty = pd.DataFrame(columns=["zone_id"])
    by_zone, by_provider = empty, pd.DataFrame(columns=["provider_id"])
    size = None
    if len(per_provider) and "care_hours_per_week" in per_provider.columns:
        hours = dict(
            zip(
                per_provider["provider_id"].astype(str),
                per_provider["care_hours_per_week"].astype(float),
                strict=True,
            )
        )
        size = per_zone["zone_id"].astype(str).map(zone_provider).map(hours)
    if len(per_zone) and "travel_hours_per_week" in per_zone.columns:
        mapped = size is not None and bool(size.notna().all())
        summary = _price_table(per_zone, params, size if mapped else None)
        if len(summary):
            by_zone = zone_rates(summary, inputs=inputs)
            if mapped:
                by_provider = provider_rates(
                    by_zone, {z: zone_provider[z] for z in by_zone["zone_id"]}
                )
    if len(by_provider):
        care = float(by_provider["care_hours"].sum())
        cost = float(by_provider["cost_gbp"].sum())
        paid = float(by_provider["paid_hours"].sum())
        variable = float((by_provider["variable_cost_gbp_per_hour"] * by_provider["care_hours"])
                         .sum() / care) if care else nan  # fmt: skip
        own = [
            break_even_hours(v, inputs.fixed_costs_per_week, params.offered_rate_gbp_per_hour)
            for v in by_provider["variable_cost_gbp_per_hour"]
        ]
        by_provider["break_even_weekly_hours"] = own
        below = float((by_provider["care_hours"] < np.asarray(own) - 1e-9).sum())
    else:
        pooled = _price_table(pd.DataFrame([{**overall, "zone_id": "all"}]), params, None)
        if not len(pooled):
            return by_zone, by_provider, {
                "hourly_rate_gbp": nan, "delivered_cost_gbp_per_week": nan,
                "paid_hours_per_week": nan, "variable_cost_gbp_per_hour": nan,
                "fixed_cost_gbp_per_provider_week": inputs.fixed_costs_per_week,
                "break_even_weekly_hours": nan, "providers_below_break_even": nan,
            }  # fmt: skip
        whole = zone_rates(pooled, inputs=inputs).iloc[0]
        care, cost, paid = float(whole["care_hours"]), float(whole["cost_gbp"]), nan
        paid = float(whole["paid_hours"])
        variable, below = float(whole["variable_cost_gbp_per_hour"]), nan
    return by_zone, by_provider, {
        "hourly_rate_gbp": cost / care if care else nan,
        "delivered_cost_gbp_per_week": cost,
        "paid_hours_per_week": paid,
        "variable_cost_gbp_per_hour": variable,
        "fixed_cost_gbp_per_provider_week": inputs.fixed_costs_per_week,
        "break_even_weekly_hours": break_even_hours(
            variable, inputs.fixed_costs_per_week, params.offered_rate_gbp_per_hour
        ) if np.isfinite(variable) else nan,
        "providers_below_break_even": below,
    }  # fmt: skip


def workforce_short(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    visit_zone: pd.Series,
    virtual: set[str],
) -> pd.DataFrame | None:
    """Each zone's carers against its own in-person visits (:func:`carezones.group_cover`).

    One row per zone (``group``) with its ``short_hours`` (per routed day, a week's worth
    only when a week is routed); None when the tables lack the columns it needs (a rota's
    visits have no windows, carers without shifts).
    """
    need_v = ["day", "window_start", "duration"]
    need_c = ["zone_id", "days", "shift_start", "shift_end"]
    if not (all(c in visits.columns for c in need_v) and all(c in carers.columns for c in need_c)):
        return None
    keep = ~visits["visit_id"].astype(str).isin(virtual).to_numpy()
    cover = group_cover(visits[keep], carers, visit_zone[keep].to_numpy(dtype=object),
                        carers["zone_id"].to_numpy(dtype=object))  # fmt: skip
    return short_hours(cover)


def zone_table(
    clients: pd.DataFrame,
    carers: pd.DataFrame,
    zones: gpd.GeoDataFrame | None,
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    saved: pd.DataFrame,
    visits: pd.DataFrame,
    visit_zone: pd.Series,
    zone_provider: dict[str, str],
    params: OutcomeParams,
    metrics: Any,
) -> pd.DataFrame:
    """One row per zone: hours, floor, route figures, carers living in and serving it."""
    client_zone = (
        clients["zone_id"] if "zone_id" in clients.columns else pd.Series(None, index=clients.index)
    )
    ids: list[Any] = []
    for source in (
        zones["zone_id"] if zones is not None and "zone_id" in zones else [],
        client_zone.dropna(),
        routes["zone_id"].dropna(),
    ):
        ids += [z for z in pd.unique(pd.Series(source, dtype=object)) if z not in ids]
    need = clients["weekly_hours"].astype(float)
    if "carers_needed" in clients.columns:
        carer_need = need * clients["carers_needed"].astype(float)
    else:
        carer_need = need
    homes = home_zones(carers, zones)
    served = served_zones(routes)
    contracted = (
        pd.Series(carers["contracted_hours"].astype(float).to_numpy(), index=homes.index)
        if homes is not None and "contracted_hours" in carers.columns
        else None
    )
    rows = []
    for z in ids:
        row: dict[str, Any] = {"zone_id": z, "provider_id": zone_provider.get(str(z))}
        in_zone = (client_zone == z).to_numpy()
        row["weekly_hours"] = float(need[in_zone].sum())
        row["n_clients"] = int(in_zone.sum())
        row.update(
            metrics(
                (routes["zone_id"] == z).to_numpy(),
                (shifts["zone_id"] == z).to_numpy(),
                (saved["zone_id"] == z).to_numpy() if len(saved) else None,
                (visit_zone == z).to_numpy(),
            )
        )
        serving = served[served == z].index
        row["carers_serving"] = len(serving)
        if homes is not None:
            local = homes.reindex(serving) == z
            row["carers_local_share"] = float(local.mean()) if len(serving) else np.nan
            row["carers_living_in"] = int((homes == z).sum())
        else:
            row["carers_local_share"] = np.nan
            row["carers_living_in"] = np.nan
        ratio = row["travel_to_care_ratio"]
        paid = float(carer_need[in_zone].sum()) * (1.0 + (0.0 if pd.isna(ratio) else ratio))
        row["paid_hours_needed"] = paid
        if contracted is not None and homes is not None:
            row["contracted_hours_living_in"] = float(contracted[(homes == z).to_numpy()].sum())
            row["workforce_balance_hours"] = row["contracted_hours_living_in"] - paid
        else:
            row["contracted_hours_living_in"] = np.nan
            row["workforce_balance_hours"] = np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if not len(out):
        out = pd.DataFrame(columns=["zone_id", "provider_id", "weekly_hours", "n_clients"])
        out["care_hours_per_week"] = []
    out.insert(4, "meets_floor", floor_flags(out["weekly_hours"], params.min_weekly_hours))
    return out


def provider_table(
    per_zone: pd.DataFrame,
    zone_provider: dict[str, str],
    params: OutcomeParams,
    metrics: Any,
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    saved: pd.DataFrame,
    visits: pd.DataFrame,
    visit_zone: pd.Series,
) -> pd.DataFrame:
    """One row per provider: its zones' hours, floor and route figures."""
    if not zone_provider or not len(per_zone):
        return pd.DataFrame(columns=["provider_id", "n_zones", "weekly_hours", "meets_floor"])
    rows = []
    prov_of = per_zone["zone_id"].astype(str).map(zone_provider)
    for p in pd.unique(prov_of.dropna()):
        mine = set(per_zone.loc[(prov_of == p).to_numpy(), "zone_id"])
        row: dict[str, Any] = {
            "provider_id": p,
            "n_zones": len(mine),
            "weekly_hours": float(per_zone.loc[(prov_of == p).to_numpy(), "weekly_hours"].sum()),
        }
        row.update(
            metrics(
                routes["zone_id"].isin(mine).to_numpy(),
                shifts["zone_id"].isin(mine).to_numpy(),
                saved["zone_id"].isin(mine).to_numpy() if len(saved) else None,
                visit_zone.isin(mine).to_numpy(),
            )
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(3, "meets_floor", floor_flags(out["weekly_hours"], params.min_provider_hours))
    return out


def overall_values(
    overall: dict[str, float],
    clients: pd.DataFrame,
    carers: pd.DataFrame,
    zones: gpd.GeoDataFrame | None,
    routes: pd.DataFrame,
    per_zone: pd.DataFrame,
    per_provider: pd.DataFrame,
    params: OutcomeParams,
    shifts: pd.DataFrame | None = None,
    n_days: int = 7,
) -> dict[str, float]:
    """Every outcome's value: the overall route figures plus hours, floors, carers, CO2e."""
    values = dict(overall)
    values["n_clients"] = float(len(clients))
    values["weekly_hours"] = float(clients["weekly_hours"].astype(float).sum())
    values["n_zones"] = float(len(per_zone))
    hours = per_zone["weekly_hours"].astype(float)
    values["smallest_zone_hours"] = float(hours.min()) if len(hours) else np.nan
    values["zones_below_floor"] = (
        float((hours < params.min_weekly_hours - 1e-9).sum())
        if params.min_weekly_hours is not None
        else np.nan
    )
    values["n_providers"] = float(len(per_provider)) if len(per_provider) else np.nan
    p_hours = per_provider["weekly_hours"].astype(float) if len(per_provider) else None
    values["smallest_provider_hours"] = float(p_hours.min()) if p_hours is not None else np.nan
    values["providers_below_floor"] = (
        float((p_hours < params.min_provider_hours - 1e-9).sum())
        if p_hours is not None and params.min_provider_hours is not None
        else np.nan
    )
    homes = home_zones(carers, zones)
    served = served_zones(routes)
    values["carers_local_share"] = (
        float((homes.reindex(served.index).to_numpy(dtype=object) == served.to_numpy()).mean())
        if homes is not None and len(served)
        else np.nan
    )
    values["home_to_visit_km"] = home_to_visit_km(routes, clients, carers)
    care = values.get("care_hours_per_week", 0.0)
    values["co2e_kg_per_care_hour"] = values["co2e_kg_per_week"] / care if care else np.nan
    balance = per_zone.get("workforce_balance_hours")
    values["workforce_gap_hours"] = (
        float((-balance.clip(upper=0)).sum())
        if balance is not None and balance.notna().any()
        else np.nan
    )
    values.update(hours_values(carers, shifts if shifts is not None else pd.DataFrame(), n_days,
                               params))  # fmt: skip
    values["staff_met_14_days"] = staff_met_14_days(routes, n_days)
    if not params.zoned:
        for name in ZONE_OUTCOMES:
            values[name] = np.nan
    return values


def hours_values(
    carers: pd.DataFrame, shifts: pd.DataFrame, n_days: int, params: OutcomeParams
) -> dict[str, float]:
    """Carers within their contracted hours, from a week (or more) of planned working time."""
    nan = {"carers_within_hours_share": np.nan, "carers_over_hours": np.nan}
    if n_days < 7 or "contracted_hours" not in carers.columns or "working_minutes" not in shifts:
        return nan
    worked = shifts.groupby(shifts["carer_id"].astype(str))["working_minutes"].sum()
    worked = worked[worked > 0] / 60.0 * 7.0 / n_days
    contract = pd.to_numeric(
        carers.set_index(carers["carer_id"].astype(str))["contracted_hours"], errors="coerce"
    ).reindex(worked.index)
    ok = contract.notna() & (contract > 0)
    if not ok.any():
        return nan
    tol = params.hours_tolerance
    w, c = worked[ok], contract[ok]
    over = w > c * (1 + tol) + 1e-6
    within = ~over & (w >= c * (1 - tol) - 1e-6)
    return {
        "carers_within_hours_share": float(within.mean()),
        "carers_over_hours": float(over.sum()),
    }


def staff_met_14_days(routes: pd.DataFrame, n_days: int) -> float:
    """Distinct carers over 14 days of clients with two or more visits a day (NaN under 14)."""
    if n_days < 14 or not len(routes):
        return np.nan
    per = routes.groupby("client_id")
    busy = per["visit_id"].nunique() >= 2 * n_days
    carers = per["carer_id"].nunique()[busy]
    return float(carers.mean()) if len(carers) else np.nan


def cost_values(
    values: Mapping[str, float],
    n_days: int,
    costs: Mapping[str, float],
    params: OutcomeParams,
    inputs: CostInputs | None,
    short: float,
) -> dict[str, float]:
    """The days routed and every cost outcome: what providers pay, what it takes, the cover.

    ``costs`` are :func:`provider_costs`' plan figures; ``short`` the hours a week the
    zones' (providers') own workforces are short of their demand.
    """
    inputs = CostInputs() if inputs is None else inputs
    cover = values["unserved_carer_hours_per_week"] * params.cover_rate_gbp_per_hour
    delivered = costs["delivered_cost_gbp_per_week"]
    care = values["care_hours_per_week"]
    demanded = care + values["unserved_carer_hours_per_week"]
    paid = costs["paid_hours_per_week"]
    staff = workforce_needed(
        paid if np.isfinite(paid) else 0.0, care, demanded, inputs=inputs,
        full_time_hours=params.full_time_hours,
    )  # fmt: skip
    rate = costs["hourly_rate_gbp"]
    return {
        "days_routed": float(n_days),
        "hourly_rate_gbp": rate,
        "delivered_cost_gbp_per_week": delivered,
        "cover_cost_gbp_per_week": cover,
        "cost_gbp_per_week": delivered + cover if np.isfinite(delivered) else cover,
        "paid_hours_per_week": paid,
        "paid_hours_per_care_hour": paid / care if care and np.isfinite(paid) else np.nan,
        "fte_needed": staff["fte_needed"] if np.isfinite(paid) else np.nan,
        "carers_needed": staff["carers_needed"] if np.isfinite(paid) else np.nan,
        "own_rate_cost_gbp_per_week": rate * demanded if np.isfinite(rate) else np.nan,
        "variable_cost_gbp_per_hour": costs["variable_cost_gbp_per_hour"],
        "fixed_cost_gbp_per_provider_week": costs["fixed_cost_gbp_per_provider_week"],
        "offered_rate_gbp": params.offered_rate_gbp_per_hour,
        "break_even_weekly_hours": costs["break_even_weekly_hours"],
        "provider_floor_hours": np.nan
        if params.min_provider_hours is None
        else float(params.min_provider_hours),
        "providers_below_break_even": costs["providers_below_break_even"],
        "workforce_short_hours": short,
    }
