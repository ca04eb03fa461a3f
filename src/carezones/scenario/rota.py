"""The real "then" of :func:`carezones.scenario.run_scenario` (``kind = "rota"``).

Today's market as its call-monitoring export says it was: the rota is read against the
people of ``[data]``, each carer's days are rebuilt on the network and scored
(:func:`carezones.rota.score_rota`), and the visits made are measured and priced as a
plan (:func:`carezones.outcomes.measure_outcomes`), each client's provider standing for
its "zone" as in the modelled "then".
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.network import TravelNetwork
from carezones.outcomes import CO2E_KG_PER_KM_AVERAGE_CAR, OutcomeParams, measure_outcomes
from carezones.rota import read_rota, score_rota
from carezones.scenario import steps as pipe
from carezones.scenario import then as _then
from carezones.scenario.definition import Scenario
from carezones.scenario.result import ScenarioResult
from carezones.scenario.spec import RotaSpec
from carezones.scenario.steps import Clock

__all__ = ["rota_path", "run_rota", "with_providers"]


def rota_path(scenario: Scenario) -> Path:
    """The rota file ``[data] rota`` names (relative to the scenario file); it must exist."""
    assert scenario.data is not None and scenario.data.rota is not None
    path = Path(scenario.data.rota)
    if not path.is_absolute():
        path = Path(scenario.base_dir) / path
    if not path.is_file():
        raise ProblemCollector(f"{scenario.where} [data]").error(
            "missing file",
            "a rota export (.csv or .xlsx) relative to the scenario file",
            repr(scenario.data.rota),
            column="rota",
        )
    return path


def _ids(values: pd.Series) -> pd.Series:
    """Provider ids as text, None where blank."""
    text = values.astype(object).where(values.notna(), None)
    return text.map(lambda v: None if v is None or str(v).strip() == "" else str(v))


def with_providers(
    clients: gpd.GeoDataFrame, carers: gpd.GeoDataFrame, rota: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[str]]:
    """Clients and carers with ``provider_id`` and ``zone_id`` (= ``provider_id``).

    A client's provider is the clients table's ``provider_id``; where blank, the
    provider employing most of the carers who visit them in the rota; else None (in no
    "zone"). A carer's is the carers table's, or None.
    """
    clients, carers = clients.copy(), carers.copy()
    blank = pd.Series(None, dtype=object)
    given = _ids(clients.get("provider_id", blank.reindex(clients.index)))
    employer = _ids(carers.get("provider_id", blank.reindex(carers.index)))
    carers["provider_id"] = employer.to_numpy(dtype=object)
    by_carer = pd.Series(employer.to_numpy(dtype=object), index=carers["carer_id"].astype(str))
    visits = rota.drop_duplicates(["visit_id", "carer_id"])
    hired = visits["carer_id"].astype(str).map(by_carer[~by_carer.index.duplicated()])
    counts = (
        pd.DataFrame({"client_id": visits["client_id"].astype(str), "p": hired})
        .dropna()
        .groupby(["client_id", "p"])
        .size()
        .reset_index(name="n")
        .sort_values(["client_id", "n", "p"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("client_id")
        .set_index("client_id")["p"]
    )
    guess = clients["client_id"].astype(str).map(counts)
    provider = given.where(given.notna(), guess.to_numpy())
    clients["provider_id"] = provider.astype(object).where(provider.notna(), None).to_numpy()
    clients["zone_id"] = clients["provider_id"].to_numpy(dtype=object)
    carers["zone_id"] = carers["provider_id"].to_numpy(dtype=object)
    ids = sorted({str(p) for p in clients["provider_id"] if p is not None})
    return clients, carers, ids


def _areas(
    clients: pd.DataFrame,
    ids: list[str],
    network: TravelNetwork,
    boundary: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """One row per provider, each covering the whole area (as the modelled "then")."""
    if ids:
        return _then.provider_areas(clients, ids, network, boundary)
    return gpd.GeoDataFrame(
        {
            "zone_id": pd.Series(dtype=object),
            "provider_id": pd.Series(dtype=object),
            "weekly_hours": pd.Series(dtype=float),
            "n_clients": pd.Series(dtype=int),
        },
        geometry=gpd.GeoSeries([], crs=network.crs),
        crs=network.crs,
    )


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``date`` column from its ISO-date ``day`` (a rota's plan tables)."""
    return frame.assign(date=pd.to_datetime(frame["day"], format="ISO8601"))


def run_rota(scenario: Scenario, clock: Clock) -> ScenarioResult:
    """Read, score, measure and price the rota of a ``kind = "rota"`` scenario."""
    spec = scenario.rota if scenario.rota is not None else RotaSpec()
    path = rota_path(scenario)
    clock.step("network")
    network = pipe.network_of(scenario)
    clock.step("people")
    clients, carers, _ = pipe.load_tables(scenario, network)
    clock.step("rota")
    table = read_rota(path, columns=spec.columns, clients=clients, carers=carers, sheet=spec.sheet)
    clients, carers, ids = with_providers(clients, carers, table)
    clock.step("score")
    score = score_rota(table, network=network, clients=clients, carers=carers, rules=spec.rules)
    clock.step("outcomes")
    plan = score.plan_tables()
    routes, visits = _dated(plan["routes"]), _dated(plan["visits"])
    o = scenario.outcomes
    params = OutcomeParams(
        co2e_kg_per_km=CO2E_KG_PER_KM_AVERAGE_CAR if o.co2e_kg_per_km is None else o.co2e_kg_per_km,
        min_weekly_hours=None,
        min_provider_hours=scenario.providers.min_provider_hours,
        virtual_share=0.0,
        short_call_minutes=o.short_call_minutes,
        random_state=scenario.seed,
        zoned=False,
        punctuality_minutes=o.punctuality_minutes,
        cover_rate_gbp_per_hour=o.cover_rate_gbp_per_hour,
    )
    outcomes = measure_outcomes(
        routes,
        visits,
        clients=clients,
        carers=carers,
        shifts=plan["shifts"],
        unscheduled=plan["unscheduled"],
        providers={i: i for i in ids},
        params=params,
        cost_inputs=scenario.costing,
    )
    zones = _areas(clients, ids, network, pipe.boundary_of(scenario))
    clock.stop()
    return ScenarioResult(
        scenario=scenario,
        clients=clients,
        carers=carers,
        zones=zones,
        lots=None,
        zone_report=None,
        visits=visits,
        routes=routes,
        shifts=plan["shifts"],
        unscheduled=plan["unscheduled"],
        route_summary=score.carer_days,
        continuity=score.continuity,
        outcomes=outcomes,
        timings=dict(clock.timings),
        runtime=clock.total,
        route_plan=None,
        rota=score,
    )
