"""``carezones workshop``: the co-production workshop in the browser (a thin layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carezones import datasets
from carezones._files import check_out_folder
from carezones.cli.setup import setup_logging
from carezones.exceptions import ProblemCollector
from carezones.workshop import SHARING_NOTE, workshop
from carezones.zoning import MIN_PROVIDER_HOURS, MIN_WEEKLY_HOURS


def _count(text: str, option: str) -> int | str:
    if text == "auto":
        return text
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ProblemCollector(option).error("bad value", "a whole number or 'auto'", text)


def workshop_command(
    network_file: Annotated[
        Path,
        typer.Option(
            "--network", "-n", help="An OSM extract, a shared extract's name (camden) or 'default'."
        ),
    ],
    clients_file: Annotated[
        Path, typer.Option("--clients", "-c", help="Clients: CSV (lon, lat), GeoPackage, ...")
    ],
    carers_file: Annotated[
        Path | None,
        typer.Option("--carers", help="Carers (provider_id, home) to match lots to providers."),
    ] = None,
    zones_dir: Annotated[
        Path | None,
        typer.Option("--zones", "-z", help="Continue from a folder written by 'zones' or here."),
    ] = None,
    min_weekly_hours: Annotated[
        float,
        typer.Option("--min-weekly-hours", "--min-hours", help="Floor of weekly hours per zone."),
    ] = MIN_WEEKLY_HOURS,
    max_weekly_hours: Annotated[
        float | None,
        typer.Option("--max-weekly-hours", "--max-hours", help="Optional cap per zone."),
    ] = None,
    n_zones: Annotated[
        str, typer.Option("--n-zones", help="Zones drawn at the start (a number or 'auto').")
    ] = "auto",
    providers: Annotated[
        str, typer.Option("--providers", help="Provider lots: a number, or 'auto'.")
    ] = "auto",
    min_provider_hours: Annotated[
        float, typer.Option("--min-provider-hours", help="Minimum weekly hours per lot.")
    ] = MIN_PROVIDER_HOURS,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o",
            help="The folder Save and Load work in (the page names folders inside it).",
        ),
    ] = Path("carezones-workshop"),
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port (0, the default: any free port; printed).")
    ] = 0,
    boundary: Annotated[
        str | None,
        typer.Option(
            "--boundary",
            help="Clip zones to polygons (a file); 'extract' (the default): the boundary "
            "saved with --zones, else the extract's own, as 'zones' does; 'none': no clipping.",
        ),
    ] = "extract",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Redraw zones live with providers: a local web app on 127.0.0.1 (works offline).

    Click or lasso street units to move them between zones, lock zones, redraw the
    unlocked rest, undo and redo, split and merge; the hours, pieces, walks, lots,
    estimated travel and rates, and every rule broken update after each move. Save writes
    zones.gpkg, assignments.csv, report.json and a scenario TOML in a folder inside --out
    (never over a saved plan unless you say so). No client's location is sent to the
    browser; only the page the workshop serves (with its session token) can use it.
    """
    setup_logging(verbose)
    check_out_folder(out)
    source = datasets.osm_source(network_file)
    typer.echo(f"Loading {source.name} (© OpenStreetMap contributors) and {clients_file}")
    ws = workshop(
        source, clients_file, zones=zones_dir, carers=carers_file,
        min_weekly_hours=min_weekly_hours, max_weekly_hours=max_weekly_hours,
        n_zones=_count(n_zones, "--n-zones"), min_provider_hours=min_provider_hours,
        n_providers=_count(providers, "--providers"), out=out, host=host, port=port,
        random_state=seed, start=False,
        boundary=None if boundary is None or boundary.lower() == "none" else boundary,
    )  # fmt: skip
    typer.echo(f"The workshop is at {ws.url} (Ctrl+C to stop)")
    typer.echo(SHARING_NOTE)
    ws.serve()
