"""The CLI's own geography options: ``--boundary`` and the zone names from the extract."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import typer

from carezones.network import TravelNetwork, admin_boundary, osm_places, read_boundary

__all__ = ["boundary_for", "places_for", "with_lots"]


def boundary_for(option: str | None, source: Path, net: TravelNetwork) -> gpd.GeoDataFrame | None:
    """The boundary asked for: a file, ``extract`` (the extract's own area) or none."""
    if option is None or option.lower() == "none":
        return None
    if option.lower() == "extract":
        nodes = net.nodes["walk"].geometry
        found = admin_boundary(source, points=nodes.iloc[:: max(len(nodes) // 2000, 1)])
        if found is None:
            typer.echo("      the extract has no administrative boundary: zones are not clipped")
            return None
        typer.echo(
            f"      clipped to {found['name'].iloc[0]} (admin_level {found['admin_level'].iloc[0]})"
        )
        return found
    return read_boundary(Path(option))


def places_for(source: Path) -> gpd.GeoDataFrame:
    """The named places of the extract (names for the zones; empty when it has none)."""
    return osm_places(source)


def with_lots(zones: gpd.GeoDataFrame, lot_zones: object) -> gpd.GeoDataFrame:
    """The zone table with each zone's ``lot_id`` and ``provider_id`` (from provider_lots)."""
    extra = lot_zones[["zone_id", "lot_id", "provider_id"]]  # type: ignore[index]
    out = zones.drop(columns=["lot_id", "provider_id"], errors="ignore").merge(
        extra, on="zone_id", how="left"
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=zones.crs)
