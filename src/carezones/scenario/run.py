"""The body of :func:`carezones.scenario.run_scenario`, step by step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.demand import DAYS, expand_visits, group_cover
from carezones.exceptions import ProblemCollector
from carezones.outcomes import (
    CO2E_KG_PER_KM_AVERAGE_CAR,
    OutcomeParams,
    choose_virtual,
    measure_outcomes,
)
from carezones.routing import capped_carers, plan_routes
from carezones.scenario import steps as pipe
from carezones.scenario import then as _then
from carezones.scenario.definition import Scenario
from carezones.scenario.result import ScenarioResult
from carezones.scenario.rota import run_rota
from carezones.scenario.steps import Clock
from carezones.zoning import NeighbourhoodZoner, provider_lots, read_zones

__all__ = ["outcome_params", "reprice", "run", "run_scenario"]

logger = logging.getLogger("carezones.scenario")


def _locked_zones(scenario: Scenario) -> gpd.GeoDataFrame | None:
    """The ``[zones] locked`` file's polygons (its "zones" layer in a GeoPackage), or None."""
    name = scenario.zones.locked
    if name is None:
        return None
    path = Path(name) if Path(name).is_absolute() else Path(scenario.base_dir) / name
    if not path.is_file():
        raise ProblemCollector(scenario.where).error(
            "missing file", "a zones file", str(path), column="locked"
        )
    # checked as `carezones zones --locked` checks it: polygons, a CRS, unique zone ids
    return read_zones(path, where=f"{scenario.where} [zones] locked {path}")


def _now(
    scenario: Scenario,
    network: Any,
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    clock: Clock,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, Any, Any, dict[str, str]]:
    """Zones, provider lots, each client's zone and provider, each carer's home zone."""
    z, p = scenario.zones, scenario.providers
    clock.step("zones")
    zoner = NeighbourhoodZoner(
        z.min_weekly_hours,
        max_weekly_hours=z.max_weekly_hours,
        n_zones=z.n_zones,  # type: ignore[arg-type]
        n_init=z.n_init,
        resolution=z.resolution,
        max_snap_distance=z.max_snap_distance,
        locked=_locked_zones(scenario),
        random_state=scenario.seed,
        places=pipe.places_of(scenario),
        boundary=pipe.boundary_of(scenario),
    ).fit(clients, network=network)
    clock.step("provider lots")
    has_employer = (
        "provider_id" in carers.columns and carers["provider_id"].astype(str).ne("").any()
    )
    lots = provider_lots(
        zoner.plan_,
        n_providers=p.n_providers,  # type: ignore[arg-type]
        min_provider_hours=p.min_provider_hours,
        carers=carers[carers["provider_id"].astype(str).ne("")] if has_employer else None,
        random_state=scenario.seed,
    )
    per_zone = lots.zones.set_index("zone_id")
    holder = per_zone["provider_id"].where(per_zone["provider_id"].notna(), per_zone["lot_id"])
    zone_provider = {str(k): str(v) for k, v in holder.items()}
    zones = zoner.zones_.merge(lots.zones[["zone_id", "lot_id"]], on="zone_id", how="left").assign(
        provider_id=lambda f: f["zone_id"].map(zone_provider)
    )
    clients = clients.copy()
    clients["zone_id"] = clients["client_id"].map(zoner.labels_).astype(object)
    clients["provider_id"] = clients["zone_id"].map(zone_provider).astype(object)
    carers = carers.copy()
    carers["home_zone_id"] = zoner.predict(carers).to_numpy(dtype=object)
    return clients, carers, zones, lots, zoner.report_, zone_provider


def _then_providers(
    scenario: Scenario,
    network: Any,
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    providers: Any,
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, str]]:
    """The "then" baseline: clients given to providers across the whole area."""
    clients, carers, ids = _then.allocate(
        clients,
        carers,
        providers,
        n_providers=int(scenario.providers.n_providers),
        allocation=scenario.providers.allocation,
        rng=rng,
        where=f"{scenario.where} [providers]",
    )
    areas = _then.provider_areas(clients, ids, network, pipe.boundary_of(scenario))
    return clients, carers, areas, {i: i for i in ids}


def _visits(clients: gpd.GeoDataFrame, days: tuple[str, ...]) -> Any:
    """The visits of the days routed (a fortnight when a second week's day is among them)."""
    if any(d.endswith("-2") for d in days):
        visits = expand_visits(clients, days="fortnight")
        return visits[visits["day"].isin(days)].reset_index(drop=True)
    return expand_visits(clients, days=list(days))


def outcome_params(scenario: Scenario, min_weekly_hours: float | None) -> OutcomeParams:
    """The outcome parameters a scenario file sets."""
    o, d = scenario.outcomes, scenario.demand
    return OutcomeParams(
        co2e_kg_per_km=CO2E_KG_PER_KM_AVERAGE_CAR if o.co2e_kg_per_km is None else o.co2e_kg_per_km,
        min_weekly_hours=min_weekly_hours,
        min_provider_hours=scenario.providers.min_provider_hours,
        virtual_share=d.virtual_share,
        short_call_minutes=o.short_call_minutes,
        random_state=scenario.seed,
        zoned=scenario.kind == "now",
        punctuality_minutes=o.punctuality_minutes,
        cover_rate_gbp_per_hour=o.cover_rate_gbp_per_hour,
        offered_rate_gbp_per_hour=o.offered_rate_gbp_per_hour,
        full_time_hours=o.full_time_hours,
        virtual_call_pay_share=d.virtual_call_pay_share,
        parking_minutes=o.parking_minutes,
        spread_minutes=scenario.routing.params.spread_minutes,
        hours_tolerance=scenario.routing.work.hours_tolerance,
    )


def _staff(
    scenario: Scenario,
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    week: pd.DataFrame,
    virtual: set[str],
    groups: list[str],
    zone_provider: dict[str, str],
    rng: np.random.Generator,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Carers dealt to the zones (providers in "then") by the one staffing rule.

    Each group against the in-person visits of its week, each carer bringing what the
    routing's working rules let them work (a day at most their contracted hours, with
    ``[routing] hours_tolerance``, over their working days, as the router caps them).
    With ``allocation = "given"`` in "then" the tables' providers stand; each group's cover
    is measured all the same.
    """
    in_person = week[~week["visit_id"].astype(str).isin(virtual)]
    carers = carers.copy()
    capped = capped_carers(carers, scenario.routing.work)
    given = scenario.kind == "then" and scenario.providers.allocation == "given"
    if given:
        zone_of = clients.drop_duplicates("client_id").set_index("client_id")["zone_id"]
        cover = group_cover(in_person, capped, in_person["client_id"].map(zone_of).to_numpy(),
                            carers["zone_id"].to_numpy(dtype=object))  # fmt: skip
        return carers, cover
    staffing = pipe.staff_carers(
        capped, clients, in_person, groups,
        recruitment=scenario.providers.recruits(scenario.kind), rng=rng,
    )  # fmt: skip
    carers["zone_id"] = staffing.group
    carers["provider_id"] = carers["zone_id"].map(zone_provider).astype(object)
    return carers, staffing.cover


def run(
    scenario: Scenario, *, n_jobs: int | None, progress: Callable[[str], None] | None
) -> ScenarioResult:
    """Run ``scenario`` (see :func:`carezones.scenario.run_scenario`)."""
    clock = Clock(scenario.name, progress)
    if scenario.kind == "rota":
        result = run_rota(scenario, clock)
        logger.info("scenario %s done in %.1f s", scenario.name, clock.total)
        return result
    seeds = np.random.SeedSequence(scenario.seed).spawn(4)
    rng_growth, rng_modes, rng_then, rng_staff = (np.random.default_rng(s) for s in seeds)
    clock.step("network")
    network = pipe.network_of(scenario)
    clock.step("people")
    clients, carers, providers = pipe.load_tables(scenario, network)
    d = scenario.demand
    if d.growth:
        clients = pipe.grow_demand(clients, d.growth, rng_growth)
    if d.carer_mode_mix:
        carers = pipe.mix_modes(carers, dict(d.carer_mode_mix), rng_modes)
    lots = report = None
    if scenario.kind == "now":
        clients, carers, zones, lots, report, zone_provider = _now(
            scenario, network, clients, carers, clock
        )
        min_weekly_hours: float | None = scenario.zones.min_weekly_hours
        polygons: gpd.GeoDataFrame | None = zones
    else:
        clock.step("providers")
        clients, carers, zones, zone_provider = _then_providers(
            scenario, network, clients, carers, providers, rng_then
        )
        min_weekly_hours, polygons = None, None
    clock.step("visits and virtual calls")
    r = scenario.routing
    visits = _visits(clients, r.days)
    virtual = choose_virtual(visits, d.virtual_share, scenario.seed)
    visits["virtual"] = visits["visit_id"].astype(str).isin(virtual)
    clock.step("carers to " + ("zones" if scenario.kind == "now" else "providers"))
    week = expand_visits(clients, days=list(DAYS))
    groups = [str(z) for z in zones["zone_id"]]
    carers, cover = _staff(
        scenario, clients, carers, week, virtual, groups, zone_provider, rng_staff
    )
    clients = clients.copy()
    clients["dense_area"] = pipe.dense_areas(
        network, clients.geometry, scenario.outcomes.dense_km_per_km2
    )
    clock.step("routes")
    plan = plan_routes(
        visits[~visits["virtual"]],
        carers,
        network,
        clients=clients,
        zones="zone_id",
        days=list(r.days),
        params=r.params,
        budget=r.budget,
        work=r.work,
        mode_rule=scenario.modes.rule,
        n_jobs=r.n_jobs if n_jobs is None else n_jobs,
        random_state=scenario.seed,
    )
    clock.step("outcomes")
    outcomes = measure_outcomes(
        plan,
        visits,
        clients=clients,
        carers=carers,
        zones=polygons,
        providers=zone_provider,
        params=outcome_params(scenario, min_weekly_hours),
        cost_inputs=scenario.costing,
        virtual=set(visits.loc[visits["virtual"], "visit_id"].astype(str)),
    )
    clock.stop()
    logger.info("scenario %s done in %.1f s", scenario.name, clock.total)
    return ScenarioResult(
        scenario=scenario,
        clients=clients,
        carers=carers,
        zones=zones,
        lots=lots,
        zone_report=report,
        visits=visits,
        routes=plan.routes,
        shifts=plan.shifts,
        unscheduled=plan.unscheduled,
        route_summary=plan.summary,
        continuity=plan.continuity,
        outcomes=outcomes,
        timings=dict(clock.timings),
        runtime=clock.total,
        route_plan=plan,
        staffing=cover,
    )


def reprice(result: ScenarioResult, options: dict[str, Any], *, name: str | None = None) -> Any:
    """A finished plan measured again under other prices: the plan kept, the scenario changed.

    For assumptions that change what the plan costs but not the plan (the cover rate,
    pay and its terms, the offered rate, parking minutes, any ``[costing]`` or
    ``[outcomes]`` option): ``options`` are dotted keys as for
    :meth:`Scenario.with_options`.

    Returns
    -------
    Outcomes
        The plan's outcomes under the changed scenario.

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "tiny", "population": {"n_clients": 20,
    ...     "n_carers": 10, "n_providers": 1}, "zones": {"min_weekly_hours": 50,
    ...     "n_zones": 1}, "providers": {"n_providers": 1, "min_provider_hours": 50},
    ...     "routing": {"days": "monday", "max_iterations": 20, "n_jobs": 1}})
    >>> result = run_scenario(s)
    >>> zero = reprice(result, {"costing.pay_terms": "zero_hours"})
    >>> zero["paid_hours_per_week"] == result.outcomes["care_hours_per_week"]
    True
    >>> zero["travel_to_care_ratio"] == result.outcomes["travel_to_care_ratio"]
    True
    """
    scenario = result.scenario.with_options(options, name=name)
    zoned = scenario.kind == "now"
    zones = result.zones if zoned else None
    zone_provider = None
    if result.zones is not None and "provider_id" in result.zones.columns:
        pairs = zip(result.zones["zone_id"], result.zones["provider_id"], strict=True)
        zone_provider = {str(z): str(p) for z, p in pairs}
    visits = result.visits
    virtual = (
        set(visits.loc[visits["virtual"].astype(bool), "visit_id"].astype(str))
        if "virtual" in visits.columns
        else None
    )
    return measure_outcomes(
        result.routes,
        visits,
        clients=result.clients,
        carers=result.carers,
        shifts=result.shifts,
        unscheduled=result.unscheduled,
        zones=zones,
        providers=zone_provider,
        params=outcome_params(scenario, scenario.zones.min_weekly_hours if zoned else None),
        cost_inputs=scenario.costing,
        virtual=virtual,
    )


def run_scenario(
    scenario: Scenario | str | PathLike[str],
    *,
    n_jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run a scenario's pipeline: network, people, zones, lots, routes, outcomes, costs.

    With ``kind = "rota"``: network, people, the rota read and scored, its outcomes and
    costs (nothing routed; see :mod:`carezones.scenario`).

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the path of a scenario file.
    n_jobs
        Routing worker processes; default the scenario's ``[routing] n_jobs`` (unused
        with ``kind = "rota"``).
    progress
        Called with the name of each step as it starts.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "tiny", "population": {"n_clients": 30,
    ...     "n_carers": 14, "n_providers": 2}, "zones": {"min_weekly_hours": 100,
    ...     "n_zones": 2}, "providers": {"n_providers": 1, "min_provider_hours": 100},
    ...     "routing": {"max_seconds": 2, "max_iterations": 30, "n_jobs": 1}})
    >>> result = run_scenario(s)
    >>> sorted(result.zones["zone_id"]), round(result.outcomes["n_zones"])
    (['Z01', 'Z02'], 2)
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    return run(scenario, n_jobs=n_jobs, progress=progress)
