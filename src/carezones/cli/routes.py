"""The body of ``carezones routes``: files in, a route plan out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from carezones import maps
from carezones.demand import (
    expand_visits,
    read_carers,
    read_clients,
    read_csv_text,
    workforce_coverage,
)
from carezones.exceptions import Problem, ValidationError
from carezones.network import load_network, osm_places
from carezones.routing import Budget, RoutingParams, plan_routes, staff_zones

logger = logging.getLogger("carezones.routing")

__all__ = ["read_zones", "route_files"]


def read_zones(folder: Path) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Zone polygons (``zones.gpkg``) and client assignments (``assignments.csv``) of a folder.

    Either may be missing, not both: that folder is what ``carezones zones`` writes.
    """
    if not folder.is_dir():
        raise ValidationError(
            [
                Problem(
                    str(folder), "missing folder", "the output folder of 'carezones zones'", "none"
                )
            ]
        )
    polygons = None
    assignments = None
    if (folder / "zones.gpkg").is_file():
        polygons = gpd.read_file(folder / "zones.gpkg", layer="zones")
    if (folder / "assignments.csv").is_file():
        assignments = read_csv_text(folder / "assignments.csv")
        missing = [c for c in ("client_id", "zone_id") if c not in assignments.columns]
        if missing:
            raise ValidationError(
                [
                    Problem(
                        str(folder / "assignments.csv"),
                        "missing column",
                        f"a column {c!r}",
                        "none",
                        column=c,
                    )
                    for c in missing
                ]
            )
    if polygons is None and assignments is None:
        raise ValidationError(
            [Problem(str(folder), "no zones", "zones.gpkg or assignments.csv", "neither")]
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
            raise ValidationError(
                [
                    Problem(
                        str(carers_file),
                        "no zones",
                        f"a zone_id column, or zones.gpkg in {zones_dir} to place homes",
                        "neither",
                        column="zone_id",
                    )
                ]
            )

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
    echo(
        f"[5/5] Writing routes.csv, shifts.csv, unscheduled.csv, continuity.csv and report.json "
        f"to {out}" + (" and the map routes.html" if write_map else "")
    )
    written = plan.write(out)
    if write_map:
        legs = plan.to_geodataframe()
        shown, label = legs, "routes"
        if len(legs) and "day" in legs.columns:
            first = str(legs["day"].iloc[0])
            shown, label = legs[legs["day"] == first], f"routes on {first.capitalize()}"
        week = " (a week planned)" if days is None else ""
        boundary = None
        if (zones_dir / "zones.gpkg").is_file() and "boundary" in gpd.list_layers(
            zones_dir / "zones.gpkg"
        )["name"].to_list():
            boundary = gpd.read_file(zones_dir / "zones.gpkg", layer="boundary")
        page = maps.plan_map(
            polygons, routes=shown, clients=clients, carers=carers, network=net, offline=True,
            title=f"carezones: {n_zones} zones, {label}{week}", places=osm_places(network_file),
            boundary=boundary,
        )  # fmt: skip
        maps.save_map(page, out / "routes.html", offline=True)
    return written
