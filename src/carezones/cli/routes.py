"""The body of ``carezones routes``: files in, a route plan out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from carezones import maps
from carezones.demand import (
    expand_visits,
    read_carers,
    read_clients,
    read_csv_text,
    workforce_coverage,
)
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.network import load_network, osm_places
from carezones.outcomes import OutcomeParams, measure_outcomes
from carezones.routing import Budget, RoutePlan, RoutingParams, plan_routes, staff_zones
from carezones.tables import carers_with_days, data_file, with_zone_reasons, write_tables
from carezones.zoning import TO_TENDER, totals_line

logger = logging.getLogger("carezones.routing")

__all__ = ["read_zones", "route_files"]


def read_zones(folder: Path) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Zone polygons (``zones.gpkg``) and client assignments (``assignments.csv``) of a folder.

    Either may be missing, not both: that folder is what ``carezones zones`` writes.
    """
    if not folder.is_dir():
        raise ProblemCollector(str(folder)).error(
            "missing folder", "the output folder of 'carezones zones'", "none"
        )
    polygons = None
    assignments = None
    if (folder / "zones.gpkg").is_file():
        polygons = gpd.read_file(folder / "zones.gpkg", layer="zones")
    if data_file(folder, "assignments.csv").is_file():
        assignments = read_csv_text(data_file(folder, "assignments.csv"))
        missing = [c for c in ("client_id", "zone_id") if c not in assignments.columns]
        if missing:
            raise ValidationError(
                [
                    Problem(
                        str(data_file(folder, "assignments.csv")),
                        "missing column",
                        f"a column {c!r}",
                        "none",
                        column=c,
                    )
                    for c in missing
                ]
            )
    if polygons is None and assignments is None:
        raise ProblemCollector(str(folder)).error(
            "no zones", "zones.gpkg or assignments.csv", "neither"
        )
    return polygons, assignments


def route_files(
    network_file: Path,
    clients_file: Path,
    carers_file: Path,
    zones_dir: Path,
    out: Path,
    *,
    day: str = "monday",
    budget: Budget | None = None,
    jobs: int = 2,
    time_windows: str = "hard",
    seed: int = 0,
    write_map: bool = True,
    echo: Callable[[str], None] = print,
) -> Path:
    """Read the files, plan every zone's routes for ``day`` (or ``"week"``) and write them.

    Each zone-day stops on ``budget`` (default :class:`~carezones.routing.Budget` (): 300
    iterations, so the same files give the same routes, capped at 60 s). A warning with the
    figures says when the carers cannot cover the visits of the day(s) routed. With
    ``write_map``,
    ``routes.html`` shows the zones and the routes of the first day routed, by mode, offline,
    with demand aggregated (no client's home is drawn).
    """
    params = RoutingParams(time_windows=time_windows)  # type: ignore[arg-type]
    why_lost = pd.Series(dtype=object)
    budget = budget or Budget()
    days = None if day.lower() == "week" else day.lower()
    echo(f"[1/5] Reading clients from {clients_file} and carers from {carers_file}")
    clients = read_clients(clients_file)
    carers = read_carers(carers_file)
    polygons, assignments = read_zones(zones_dir)
    if assignments is not None:
        zone = (
            assignments.drop_duplicates("client_id")
            .set_index("client_id")["zone_id"]
            .replace("", None)
        )
        clients = clients.assign(zone_id=clients["client_id"].map(zone))
        if "reason" in assignments.columns:
            given = assignments.drop_duplicates("client_id").set_index("client_id")["reason"]
            why = clients["client_id"].map(given).fillna("not in the zones' assignments")
            why_lost = pd.Series(why.to_numpy(), index=clients["client_id"].astype(str))
    elif polygons is not None:
        hit = gpd.sjoin(
            clients[["geometry"]].to_crs(polygons.crs),
            polygons[["zone_id", "geometry"]],
            how="left",
            predicate="within",
        )
        clients = clients.assign(zone_id=hit[~hit.index.duplicated()]["zone_id"].to_numpy())
    if "zone_id" not in carers.columns:
        if polygons is None:
            raise ProblemCollector(str(carers_file)).error(
                "no zones",
                f"a zone_id column, or zones.gpkg in {zones_dir} to place homes",
                "neither",
                column="zone_id",
            )

    totals = zone_totals(clients, why_lost)
    echo(f"      Totals: {totals_line(totals, totals['why'])}")
    open_to = set(carers["mode"]) | {m for ms in carers["modes"] for m in str(ms).split(";")}
    modes = tuple(m for m in ("walk", "cycle", "drive") if m in open_to)
    echo(
        f"[2/5] Loading the {', '.join(modes)} networks of {network_file.name} "
        "(© OpenStreetMap contributors)"
    )
    net = load_network(network_file, modes=modes)
    echo(f"[3/5] Expanding visits for {day}")
    visits = expand_visits(clients, days=days)
    if "zone_id" not in carers.columns and polygons is not None:
        # carers go where the work is: home zone first, then zones short of carer-hours
        zone_of = clients.set_index("client_id")["zone_id"]
        zoned = visits.assign(zone_id=visits["client_id"].map(zone_of))
        staffing = staff_zones(carers, zoned, polygons)
        carers = carers.assign(zone_id=staffing.zone_of_carer.to_numpy())
        if len(staffing.moves) or len(staffing.short):
            echo("      " + staffing.message().replace("\n", "\n      "))
    cover = workforce_coverage(visits, carers)
    if len(cover.short):
        echo(
            f"warning: the carers cannot cover the demand: {cover.message()}. "
            "Expect unscheduled visits (each listed with its reason)."
        )
    n_zones = clients["zone_id"].nunique()
    echo(
        f"[4/5] Routing {len(visits):,} visits in {n_zones} zones with {len(carers)} carers "
        + f"({budget.describe().split(':')[0]}, {jobs} processes)"
    )
    plan = plan_routes(
        visits,
        carers,
        net,
        clients=clients,
        zones="zone_id",
        days=days,
        params=params,
        budget=budget,
        n_jobs=jobs,
        random_state=seed,
        progress=lambda done, total, z: echo(f"      zone {z} done ({done}/{total})"),
    )
    echo(str(plan))
    echo(f"[5/5] Writing the tables (readable, and exact in data/), outcomes and report.json to "
         f"{out}" + (" and the map routes.html" if write_map else ""))  # fmt: skip
    zones_report = _json(zones_dir / "report.json")
    floors = OutcomeParams(
        min_weekly_hours=_dig(zones_report, "summary", "min_weekly_hours"),
        min_provider_hours=_dig(zones_report, "provider_lots", "summary", "min_provider_hours"),
    )
    outcomes = measure_outcomes(plan, visits, clients=clients, carers=carers, zones=polygons,
                                providers=_providers(polygons), params=floors)  # fmt: skip
    shown = outcomes.table.set_index("outcome")["value"]
    echo(f"      {outcomes.basis}: {shown['scheduled_share']:.1%} of visits served, "
         f"{shown['unserved_hours_per_week']:,.0f} h/week unserved, travel "
         f"{shown['travel_to_care_ratio']:.2f} h per hour of care, "
         f"{shown['walk_cycle_share']:.0%} of visits walked or cycled (outcomes.csv)")  # fmt: skip
    totals["zones_summary"] = {"zone_plan": zones_report.get("summary"),
                               "provider_lots": zones_report.get("provider_lots")}
    written = _write_routes(out, plan, outcomes, carers, why_lost, polygons, zones_dir, totals)
    if write_map:
        route_map(out / "routes.html", plan, polygons, clients, carers, net, network_file,
                  zones_dir, title=f"carezones: {n_zones} zones"
                  + (" (a week planned)" if days is None else ""))
    return written


def zone_totals(clients: gpd.GeoDataFrame, why: pd.Series) -> dict[str, Any]:
    """The clients and hours in zones and in none, as ``carezones zones`` counts them."""
    zoned = clients["zone_id"].notna()
    hours = pd.to_numeric(clients["weekly_hours"], errors="coerce").fillna(0.0)
    lost = why.reindex(clients.loc[~zoned, "client_id"].astype(str)).fillna("in no zone")
    kinds = lost.astype(str).str.split(" (", regex=False).str[0].value_counts()
    return {
        "n_zones": int(clients.loc[zoned, "zone_id"].nunique()),
        "n_clients": int(zoned.sum()),
        "total_hours": float(hours[zoned].sum()),
        "n_unassigned": int((~zoned).sum()),
        "unassigned_hours": float(hours[~zoned].sum()),
        "why": "; ".join(f"{n} {kind}" for kind, n in kinds.items()),
    }


def _providers(zones: gpd.GeoDataFrame | None) -> pd.DataFrame | None:
    """Each zone's provider (its lot's id when the lot is still to tender), or None."""
    if zones is None or "lot_id" not in zones.columns:
        return None
    provider = zones["provider_id"] if "provider_id" in zones.columns else zones["lot_id"]
    tender = provider.isna() | (provider.astype(str) == TO_TENDER)
    who = provider.where(~tender, zones["lot_id"])
    out = pd.DataFrame({"zone_id": zones["zone_id"].astype(str), "provider_id": who})
    return out[out["provider_id"].notna()]


def _json(path: Path) -> dict[str, Any]:
    """A run's ``report.json`` (empty when absent or unreadable: the floors are then unknown)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _dig(data: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None  # type: ignore[assignment]
    return float(data) if isinstance(data, int | float) and not isinstance(data, bool) else None


def _write_routes(
    out: Path,
    plan: RoutePlan,
    outcomes: Any,
    carers: gpd.GeoDataFrame,
    why_lost: pd.Series,
    polygons: gpd.GeoDataFrame | None,
    zones_dir: Path,
    totals: dict[str, Any],
) -> Path:
    """The tables (exact in data/, readable beside), the zones routed, and report.json."""
    out.mkdir(parents=True, exist_ok=True)
    names = None
    if polygons is not None and "name" in polygons.columns:
        names = dict(zip(polygons["zone_id"].astype(str), polygons["name"].astype(str),
                         strict=True))  # fmt: skip
    if polygons is not None:  # the zones routed, so the folder is a run of its own
        gpkg = out / "zones.gpkg"
        gpkg.unlink(missing_ok=True)
        polygons.to_file(gpkg, layer="zones", driver="GPKG")
        source = zones_dir / "zones.gpkg"
        for layer in ("provider_lots", "boundary"):
            if layer in [str(n) for n, _ in pyogrio.list_layers(source)]:
                gpd.read_file(source, layer=layer).to_file(gpkg, layer=layer, driver="GPKG")
    keep = [c for c in ("carer_id", "mode", "modes", "contracted_hours", "zone_id",
                        "provider_id") if c in carers.columns]  # fmt: skip
    table = outcomes.table
    days = table.loc[table["outcome"] == "days_routed", "value"]
    write_tables(
        {
            "routes.csv": plan.routes,
            "shifts.csv": plan.shifts,
            "unscheduled.csv": with_zone_reasons(plan.unscheduled, why_lost),
            "continuity.csv": plan.continuity,
            "carers.csv": carers_with_days(pd.DataFrame(carers[keep]), plan.shifts),
            "outcomes.csv": table,
            "reconciliation.csv": outcomes.reconciliation,
            "zone_outcomes.csv": outcomes.zones,
            "provider_outcomes.csv": outcomes.providers,
        },
        out,
        zone_names=names,
        days_routed=int(days.iloc[0]) if len(days) and pd.notna(days.iloc[0]) else None,
    )
    report = plan.report()
    found = plan.validate()
    report["violations"] = len(found)
    report["violations_by_rule"] = found["rule"].value_counts().to_dict() if len(found) else {}
    report.update(totals.pop("zones_summary"))  # the floors the zones were drawn to
    report["totals"] = totals
    report["basis"] = outcomes.basis
    (out / "report.json").write_text(json.dumps(report, indent=1, default=str))
    return out


def route_map(
    path: Path,
    plan: RoutePlan,
    polygons: gpd.GeoDataFrame | None,
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    net: Any,
    network_file: Path,
    zones_dir: Path,
    *,
    title: str,
) -> Path:
    """``routes.html``: zones, demand, unserved visits per zone, routes per zone on demand."""
    boundary = None
    source = zones_dir / "zones.gpkg"
    if source.is_file() and "boundary" in [str(n) for n, _ in pyogrio.list_layers(source)]:
        boundary = gpd.read_file(source, layer="boundary")
    legs = plan.to_geodataframe()
    page = maps.routes_page(
        polygons, legs, unscheduled=plan.unscheduled, clients=clients, carers=carers,
        network=net, places=osm_places(network_file), boundary=boundary, title=title,
    )  # fmt: skip
    return maps.save_map(page, path, offline=True)
