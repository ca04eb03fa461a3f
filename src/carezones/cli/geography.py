"""The CLI's own geography options: ``--boundary``, ``--units``, ``--zone-id-column``, names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import typer

from carezones.exceptions import ProblemCollector
from carezones.maps import plan_map, save_map
from carezones.network import TravelNetwork, extract_boundary, osm_places, read_boundary
from carezones.tables import write_tables
from carezones.zoning import (
    TO_TENDER,
    NeighbourhoodZoner,
    ProviderLots,
    ZonePlan,
    align_to_units,
    read_units,
    unit_zones,
)

__all__ = [
    "boundary_for",
    "places_for",
    "say_unassigned",
    "units_for",
    "with_lots",
    "write_zone_map",
    "write_zones",
    "zones_from_units",
]


def boundary_for(
    option: str | None, source: Path, net: TravelNetwork, *, people: bool = False
) -> gpd.GeoDataFrame | None:
    """The boundary asked for: a file, ``extract`` (the extract's own area) or none.

    ``people``: the boundary says where synthetic people live (``population``), not
    where zones are clipped; only the line printed differs.
    """
    if option is None or option.lower() == "none":
        return None
    if option.lower() == "extract":
        found = extract_boundary(source, net.nodes["walk"].geometry)
        done, undone = (("people placed in", "people anywhere in it") if people
                        else ("clipped to", "zones are not clipped"))  # fmt: skip
        if found is None:
            typer.echo(f"      the extract has no administrative boundary: {undone}")
            return None
        anywhere = "anywhere in the extract" if people else "not clipped"
        typer.echo(
            f"      {done} {found['name'].iloc[0]} (admin_level {found['admin_level'].iloc[0]}"
            f", the extract's own boundary; --boundary none: {anywhere})"
        )
        return found
    return read_boundary(Path(option))


def places_for(source: Path) -> gpd.GeoDataFrame:
    """The named places of the extract (names for the zones; empty when it has none)."""
    return osm_places(source)


def say_unassigned(plan: ZonePlan, clients_file: Path, assignments: Path) -> None:
    """Print the plan's report, saying how many clients are in no zone and why.

    A plan whose zones hold no client at all is refused (exit code 2) before anything is
    written: every client outside the boundary or the units, say.
    """
    report = plan.report
    if report.summary["n_clients"] == 0:
        raise ProblemCollector(str(clients_file)).error(
            "no client in any zone",
            "zones holding the clients",
            f"all {len(report.unassigned)} clients in no zone ({report.why_unassigned()})",
        )
    typer.echo(str(report))
    typer.echo(f"Totals: {report.totals()}")
    if len(report.unassigned):
        total = report.summary["n_clients"] + len(report.unassigned)
        typer.echo(f"warning: {len(report.unassigned)} of {total} clients are in no zone "
                   f"({report.why_unassigned()}); each with its reason in {assignments}",
                   err=True)  # fmt: skip


def with_lots(zones: gpd.GeoDataFrame, lot_zones: object) -> gpd.GeoDataFrame:
    """The zone table with each zone's ``lot_id`` and ``provider_id`` (from provider_lots)."""
    extra = lot_zones[["zone_id", "lot_id", "provider_id"]]  # type: ignore[index]
    out = zones.drop(columns=["lot_id", "provider_id"], errors="ignore").merge(
        extra, on="zone_id", how="left"
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=zones.crs)


def zone_names(zones: gpd.GeoDataFrame) -> dict[str, str] | None:
    """``{zone_id: name}`` of a zones table (None without names)."""
    if "name" not in zones.columns:
        return None
    return dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str), strict=True))


def write_zones(
    out: Path, plan: ZonePlan, lots: ProviderLots | None, area: gpd.GeoDataFrame | None
) -> None:
    """Write ``zones.gpkg``, ``assignments.csv``, ``providers.csv`` and ``report.json``.

    The tables go through :func:`carezones.tables.write_tables` (exact in ``data/``,
    readable beside them, zone names beside ids). A lot no provider was matched to (no
    ``--carers``) has the provider "to tender".
    """
    data: dict[str, Any] = plan.report.to_dict()
    zones = plan.zones
    tables = {"assignments.csv": plan.assignments()}
    if lots is not None:
        lot_zones = lots.zones.copy()
        lot_zones["provider_id"] = lot_zones["provider_id"].fillna(TO_TENDER)
        zones = with_lots(plan.zones, lot_zones)
        tables["providers.csv"] = lot_zones
        summary = lots.lots.drop(columns="geometry").assign(
            provider_id=lambda t: t["provider_id"].fillna(TO_TENDER)
        )
        data["provider_lots"] = json.loads(
            json.dumps({"summary": lots.summary, "lots": summary.to_dict("records")}, default=str)
        )
    zones.to_file(out / "zones.gpkg", layer="zones", driver="GPKG")
    if lots is not None:
        lots.lots.assign(provider_id=lots.lots["provider_id"].fillna(TO_TENDER)).to_file(
            out / "zones.gpkg", layer="provider_lots", driver="GPKG"
        )
    if area is not None:
        area.to_file(out / "zones.gpkg", layer="boundary", driver="GPKG")
    write_tables(tables, out, zone_names=zone_names(plan.zones))
    (out / "report.json").write_text(json.dumps(data, indent=1))


def units_for(units_file: Path | None, unit_id: str) -> gpd.GeoDataFrame | None:
    """The ``--units`` polygons, checked before any long step (None without the option)."""
    if units_file is None:
        return None
    return read_units(units_file, unit_id, where=f"--units {units_file}")


def zones_from_units(
    zoner: NeighbourhoodZoner,
    clients: gpd.GeoDataFrame,
    net: TravelNetwork,
    units: gpd.GeoDataFrame,
    out: Path,
    *,
    where: str = "--units",
) -> ZonePlan:
    """Zones as unions of whole units; how the street-drawn plan split them (alignment.csv)."""
    split = align_to_units(zoner.plan_, clients, units)
    n_split = int(split["units_split"].sum())
    hours = float(split["split_hours"].sum())
    typer.echo(
        f"      the street-drawn zones split {n_split} units ({hours:,.0f} h/week in them); "
        "zones rebuilt from whole units (alignment.csv)"
    )
    built = unit_zones(
        zoner.plan_, clients, units, net,
        min_weekly_hours=zoner.min_weekly_hours, max_weekly_hours=zoner.max_weekly_hours,
        resolution=zoner.resolution, where=where,
    )  # fmt: skip
    name_plan_from(built, zoner)
    write_tables({"alignment.csv": split}, out)
    return built


def name_plan_from(plan: ZonePlan, zoner: NeighbourhoodZoner) -> None:
    """Carry the zoner's zone names over to a plan with the same zone ids."""
    names = zoner.zones_.set_index("zone_id")["name"]
    mapped = plan.zones["zone_id"].map(names).fillna(plan.zones["zone_id"]).to_numpy()
    plan.zones["name"] = mapped
    plan.report.zones["name"] = mapped


def write_zone_map(
    plan: ZonePlan,
    lots: object,
    net: TravelNetwork,
    path: Path,
    *,
    title: str,
    places: gpd.GeoDataFrame | None = None,
    boundary: gpd.GeoDataFrame | None = None,
) -> Path:
    """The zones (and lots) on an offline map over the walking network, saved as one page."""
    m = plan_map(
        plan.zones, lots=lots, network=net, offline=True, title=title, places=places,
        boundary=boundary,
    )  # fmt: skip
    return save_map(m, path, offline=True)
