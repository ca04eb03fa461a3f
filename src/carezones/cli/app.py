"""The ``carezones`` command line.

Each command is a thin layer over the Python API; logging goes to stderr, results to
files and a short summary to stdout.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer

from carezones import datasets
from carezones._files import write_csv
from carezones.cli.demo import run_demo
from carezones.cli.geography import (
    boundary_for,
    places_for,
    say_unassigned,
    units_for,
    write_zone_map,
    write_zones,
    zones_from_units,
)
from carezones.cli.inputs import check_jobs, check_out_file, check_out_folder, read_input_table
from carezones.cli.report import report_command, version_callback
from carezones.cli.routes import route_files
from carezones.cli.scenarios import scenario_app
from carezones.cli.setup import setup_logging
from carezones.cli.workshop import workshop_command
from carezones.demand import (
    expand_visits,
    read_carers,
    read_clients,
    snap_population,
    workforce_coverage,
    write_carers,
    write_clients,
    write_providers,
)
from carezones.exceptions import (
    CarezonesError,
    FarFromNetworkWarning,
    ProblemCollector,
)
from carezones.geocode import Geocoder
from carezones.network import MODES, load_network
from carezones.rota import RotaColumns, RotaRules, read_rota, score_rota
from carezones.routing import MAX_ITERATIONS, MAX_SECONDS, Budget
from carezones.zoning import (
    MIN_PROVIDER_HOURS,
    MIN_WEEKLY_HOURS,
    NeighbourhoodZoner,
    check_plan,
    provider_lots,
    read_zones,
)

app = typer.Typer(
    help="Home-care neighbourhood zones around the routes carers can walk or cycle.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Home-care neighbourhood zones around the routes carers can walk or cycle."""


def _echo_frame(frame: object) -> None:
    typer.echo(str(frame))


@app.command()
def network(
    file: Annotated[
        Path,
        typer.Argument(
            help="An OSM extract (.osm.pbf, .osm, .osm.bz2, .osm.gz), a shared extract's "
            "name (camden, camden.osm.pbf) or 'default'."
        ),
    ],
    mode: Annotated[
        list[str] | None, typer.Option("--mode", "-m", help="walk, cycle or drive (repeatable).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Print a summary of each mode's network: nodes, edges, km, area and CRS."""
    setup_logging(verbose)
    net = load_network(_osm_file(file), modes=tuple(mode) if mode else MODES)
    typer.echo(f"{net.source}")
    _echo_frame(net.summary().round(2))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-demo"
    ),
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the whole pipeline on the bundled central-Helsinki map: zones, routes, costs, map."""
    setup_logging(verbose)
    check_out_folder(out)
    run_demo(out, echo=typer.echo)


def main() -> None:  # pragma: no cover - console entry point
    """Run the command line; carezones' own errors end with their message and exit code 2."""
    try:
        app()
    except CarezonesError as exc:
        typer.echo(f"carezones: error: {exc}", err=True)
        raise SystemExit(2) from None


def _osm_file(path: Path) -> Path:
    """The extract a network argument names: a file, a shared extract's name, or 'default'."""
    return datasets.osm_source(path)


@app.command()
def population(
    network_file: Annotated[
        Path,
        typer.Option(
            "--network",
            "-n",
            help="An OSM extract, a shared extract's name (camden) or 'default'.",
        ),
    ],
    boundary: Annotated[
        str | None,
        typer.Option(
            "--boundary",
            help="Where the people live: polygons (a file); 'extract' (the default): the "
            "extract's own administrative boundary, as 'zones' clips to; 'none': anywhere.",
        ),
    ] = "extract",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the three tables.")] = Path(
        "carezones-population"
    ),
    clients: Annotated[int, typer.Option("--clients", help="Number of clients.")] = 800,
    carers: Annotated[
        str,
        typer.Option("--carers", help="Number of carers, or 'auto': sized to cover the demand."),
    ] = "auto",
    providers: Annotated[int, typer.Option("--providers", help="Number of providers.")] = 8,
    total_hours: Annotated[
        float | None, typer.Option("--total-hours", help="Rescale clients' hours to this total.")
    ] = None,
    file_format: Annotated[
        str, typer.Option("--format", "-f", help="gpkg, csv, parquet or geojson.")
    ] = "gpkg",
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same tables).")] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Write a realistic synthetic population (clients, carers, providers) on an OSM extract.

    The people live inside --boundary (by default the extract's own administrative area,
    the one 'zones' clips to), so every client is where the zones will be.
    """
    setup_logging(verbose)
    check_out_folder(out)
    fmt = file_format.lower().lstrip(".")
    source = _osm_file(network_file)
    typer.echo(f"[1/3] Loading the networks of {source.name} (© OpenStreetMap contributors)")
    net = load_network(source)
    area = boundary_for(boundary, source, net, people=True)
    n_carers = _count_or_auto(carers, "--carers")
    typer.echo(f"[2/3] Generating {clients} clients, {carers} carers, {providers} providers")
    tables = datasets.synthetic_population(
        net,
        n_clients=clients,
        n_carers=n_carers,
        n_providers=providers,
        total_weekly_hours=total_hours,
        random_state=seed,
        area=area,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FarFromNetworkWarning)
        snapped = snap_population(net, tables[0], tables[1])
    for w in caught:
        typer.echo(f"  note: {w.message}")
    visits = expand_visits(tables[0])
    typer.echo(f"[3/3] Writing {fmt} files to {out}")
    paths = [
        write(table, out / f"{name}.{fmt}", format=fmt)
        for write, table, name in zip(
            (write_clients, write_carers, write_providers),
            tables,
            ("clients", "carers", "providers"),
            strict=True,
        )
    ]
    modes = tables[1]["modes"].value_counts().to_dict()
    double = (visits["carers_needed"] == 2).mean()
    typer.echo(
        f"{len(tables[0])} clients, {tables[0]['weekly_hours'].sum():,.0f} hours a week, "
        f"{len(visits):,} visits a week ({double:.0%} double-handed); "
        f"{len(tables[1])} carers (can use: {', '.join(f'{m} {n}' for m, n in modes.items())}); "
        f"{len(tables[2])} providers; {int(snapped['far'].sum())} points far from the network"
    )
    _workforce_note(visits, tables[1])
    for path in paths:
        typer.echo(f"  {path}")


def _count_or_auto(text: str, option: str) -> int | str:
    """An integer >= 1 or 'auto' from the command line; exit code 2 otherwise."""
    if text.strip().lower() == "auto":
        return "auto"
    if text.strip().isdigit() and int(text) >= 1:
        return int(text)
    raise ProblemCollector(option).error("bad value", "an integer >= 1 or 'auto'", repr(text))


def _workforce_note(visits: object, carers: object, days: list[str] | None = None) -> None:
    """Say whether the carers can cover the visits; a warning with the figures when not."""
    cover = workforce_coverage(visits, carers, days=days)  # type: ignore[arg-type]
    line = f"Workforce: {cover.message()}"
    if len(cover.short):
        typer.echo(
            f"warning: the carers cannot cover the demand. {line}. Expect unscheduled visits; "
            "add carers (or --carers auto).",
            err=True,
        )
    else:
        typer.echo(f"{line}; every day-slot covered")


def _read_table(path: Path) -> object:
    """A clients or carers table from CSV (all text), Excel, Parquet, GeoPackage or GeoJSON."""
    return read_input_table(path)


def _write_points(frame: object, path: Path) -> None:

    assert isinstance(frame, gpd.GeoDataFrame)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gpkg":
        frame.to_file(path, layer="geocoded", driver="GPKG")
    elif suffix in (".geojson", ".json"):
        path.unlink(missing_ok=True)
        frame.to_crs(4326).to_file(path, driver="GeoJSON")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".csv":
        points = frame.geometry.to_crs(4326)
        plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        found = points.notna() & ~points.is_empty
        plain["lon"] = points.x.where(found)
        plain["lat"] = points.y.where(found)
        write_csv(plain, path, index=False)
    else:
        raise ProblemCollector(str(path)).error(
            "unknown format", ".gpkg, .geojson, .parquet or .csv", repr(suffix or "none")
        )


@app.command("geocode")
def geocode_table(
    osm_file: Annotated[
        Path, typer.Option("--osm", help="The OSM extract whose addresses are matched.")
    ],
    input_file: Annotated[
        Path, typer.Option("--input", "-i", help="Clients or carers: .csv, .xlsx, .parquet, .gpkg.")
    ],
    id_column: Annotated[str, typer.Option("--id-column", help="The id column.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output: .gpkg, .geojson, .parquet or .csv.")
    ] = Path("geocoded.gpkg"),
    postcodes: Annotated[
        Path | None,
        typer.Option("--postcodes", help="ONSPD or Code-Point Open CSV file (or folder)."),
    ] = None,
    address_column: Annotated[str | None, typer.Option("--address-column")] = None,
    postcode_column: Annotated[str | None, typer.Option("--postcode-column")] = None,
    house_number_column: Annotated[str | None, typer.Option("--house-number-column")] = None,
    street_column: Annotated[str | None, typer.Option("--street-column")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Geocode clients or carers offline, by OSM address, then postcode, then sector.

    Without any --*-column option, columns named address, postcode, house_number and
    street are used. Prints the counts per match quality; unmatched rows are kept in the
    output with the reason. No address or coordinate is printed.
    """
    setup_logging(verbose)
    check_out_file(out)
    source = _osm_file(osm_file)
    table = _read_table(input_file)
    geocoder = Geocoder.from_osm(source, postcodes=postcodes)
    result = geocoder.geocode(
        table,  # type: ignore[arg-type]
        id_column=id_column,
        address_column=address_column,
        postcode_column=postcode_column,
        house_number_column=house_number_column,
        street_column=street_column,
        source=input_file.name,
    )
    _write_points(result.frame, out)
    typer.echo(str(result))
    _echo_frame(result.summary().round(3))
    for problem in result.problems[:20]:
        typer.echo(f"  problem: {problem}")
    if len(result.problems) > 20:
        typer.echo(f"  ... and {len(result.problems) - 20} more problems")
    unmatched = result.unmatched()
    for row_id, reason in unmatched.head(20).itertuples(index=False):
        typer.echo(f"  unmatched: {id_column} {row_id!r}: {reason}")
    if len(unmatched) > 20:
        typer.echo(f"  ... and {len(unmatched) - 20} more unmatched rows (see {out.name})")
    typer.echo(f"Written to {out}")


@app.command()
def zones(
    network_file: Annotated[
        Path,
        typer.Option("--network", "-n", help="An OSM extract (or a shared extract's name)."),
    ],
    clients_file: Annotated[
        Path, typer.Option("--clients", "-c", help="Clients: CSV (lon, lat), GeoPackage, ...")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-zones"
    ),
    min_weekly_hours: Annotated[
        float,
        typer.Option("--min-weekly-hours", "--min-hours", help="Floor of weekly hours per zone."),
    ] = MIN_WEEKLY_HOURS,
    max_weekly_hours: Annotated[
        float | None,
        typer.Option(
            "--max-weekly-hours", "--max-hours", help="Optional cap of weekly hours per zone."
        ),
    ] = None,
    n_zones: Annotated[
        str,
        typer.Option("--zones", help="Number of zones, or 'auto' (as many as the floor allows)."),
    ] = "auto",
    locked_file: Annotated[
        Path | None,
        typer.Option("--locked", help="Polygons (zone_id) of zones to keep as they are."),
    ] = None,
    check_file: Annotated[
        Path | None,
        typer.Option("--check", help="Check these polygons (zone_id) instead of drawing zones."),
    ] = None,
    providers: Annotated[
        str | None, typer.Option("--providers", help="Provider lots: a number, or 'auto'.")
    ] = None,
    min_provider_hours: Annotated[
        float, typer.Option("--min-provider-hours", help="Minimum weekly hours per provider lot.")
    ] = MIN_PROVIDER_HOURS,
    carers_file: Annotated[
        Path | None,
        typer.Option("--carers", help="Carers (provider_id, home) to match lots to providers."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    zone_id_column: Annotated[
        str | None,
        typer.Option(
            "--zone-id-column",
            help="The column naming each --check/--locked polygon's zone (e.g. WD24CD; "
            "units sharing a value in it, such as wards carrying their zone, are one zone); "
            "default zone_id, whose values must be unique.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    boundary: Annotated[
        str | None,
        typer.Option(
            "--boundary",
            help="Clip zones to polygons (a file); 'extract' (the default): the extract's "
            "own administrative boundary when it has one; 'none': no clipping.",
        ),
    ] = "extract",
    units_file: Annotated[
        Path | None,
        typer.Option("--units", help="Units (wards, LSOAs, PCN areas): zones are unions of them."),
    ] = None,
    unit_id: Annotated[
        str, typer.Option("--unit-id", help="The units' id column (e.g. WD24CD).")
    ] = "unit_id",
    no_map: Annotated[bool, typer.Option("--no-map", help="Do not write zones.html.")] = False,
) -> None:
    """Draw (or check) neighbourhood zones with an hours floor, and optional provider lots.

    Writes zones.gpkg, assignments.csv (client_id, zone_id, and the reason of a client in
    no zone), report.json and, with --providers, providers.csv (zone, lot, provider and
    their hours). Clients left in no zone (outside --boundary or --units, far from the
    network) are counted on the console with their reasons.
    """
    setup_logging(verbose)
    if n_zones != "auto" and not n_zones.isdigit():
        raise ProblemCollector("--zones").error("bad value", "a whole number or 'auto'", n_zones)
    if providers is not None and providers != "auto" and not providers.isdigit():
        raise ProblemCollector("--providers").error(
            "bad value", "a whole number or 'auto'", providers
        )
    check_out_folder(out)
    checked = locked = None
    if check_file is not None:
        checked = read_zones(
            check_file, id_column=zone_id_column, where=f"--check {check_file}",
            dissolve=zone_id_column is not None,
        )
    if locked_file is not None:
        locked = read_zones(
            locked_file, id_column=zone_id_column, where=f"--locked {locked_file}",
            dissolve=zone_id_column is not None,
        )
    units = units_for(units_file, unit_id)
    source = _osm_file(network_file)
    typer.echo(f"[1/4] Loading the walking network of {source.name} (© OpenStreetMap contributors)")
    net = load_network(source, modes=("walk",))
    typer.echo(f"[2/4] Reading clients from {clients_file}")
    clients = read_clients(clients_file)
    out.mkdir(parents=True, exist_ok=True)
    if checked is not None:
        typer.echo(f"[3/4] Checking the plan in {check_file}")
        report = check_plan(
            checked, clients, net,
            min_weekly_hours=min_weekly_hours, max_weekly_hours=max_weekly_hours,
        )  # fmt: skip
        (out / "report.json").write_text(json.dumps(report.to_dict(), indent=1))
        typer.echo(str(report))
        typer.echo(f"[4/4] Report written to {out / 'report.json'}")
        return
    typer.echo(f"[3/4] Drawing zones of at least {min_weekly_hours:g} h/week (n_zones={n_zones})")
    area = boundary_for(boundary, source, net)
    places = places_for(source)
    zoner = NeighbourhoodZoner(
        min_weekly_hours,
        max_weekly_hours=max_weekly_hours,
        n_zones="auto" if n_zones == "auto" else int(n_zones),
        locked=locked,
        random_state=seed,
        boundary=area,
        places=places,
    ).fit(clients, network=net)
    plan = zoner.plan_
    if units is not None:
        plan = zones_from_units(zoner, clients, net, units, out, where=f"--units {units_file}")
    say_unassigned(plan, clients_file, out / "assignments.csv")
    lots = None
    if providers is not None:
        carers = read_carers(carers_file) if carers_file is not None else None
        lots = provider_lots(
            plan,
            n_providers="auto" if providers == "auto" else int(providers),
            min_provider_hours=min_provider_hours,
            carers=carers,
            random_state=seed,
        )
        typer.echo(str(lots))
    write_zones(out, plan, lots, area)
    if not no_map:
        page = write_zone_map(
            plan, lots, net, out / "zones.html",
            title=f"carezones: {len(plan.zones)} zones of {source.name}",
            places=places, boundary=area,
        )  # fmt: skip
        typer.echo(f"      map: {page}")
    typer.echo(f"[4/4] Zones, assignments and report written to {out}")


# ---------------------------------------------------------------------- routes


@app.command()
def routes(
    network_file: Annotated[
        Path, typer.Option("--network", "-n", help="An OSM extract (or a shared extract's name).")
    ],
    clients_file: Annotated[Path, typer.Option("--clients", "-c", help="Clients table.")],
    carers_file: Annotated[Path, typer.Option("--carers", help="Carers table (homes, modes).")],
    zones_dir: Annotated[
        Path, typer.Option("--zones", "-z", help="Folder written by 'carezones zones'.")
    ],
    day: Annotated[
        str, typer.Option("--day", "-d", help="monday ... sunday, or 'week'.")
    ] = "monday",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-routes"
    ),
    max_iterations: Annotated[
        int,
        typer.Option(
            "--max-iterations",
            help="Stop each zone-day after this many iterations: the same files give the same "
            "routes.",
        ),
    ] = MAX_ITERATIONS,
    max_seconds: Annotated[
        float,
        typer.Option(
            "--max-seconds", "--seconds", help="Time cap of each zone-day (s), a safety net."
        ),
    ] = MAX_SECONDS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes (zones in parallel).")] = 2,
    time_windows: Annotated[
        str, typer.Option("--time-windows", help="hard, or soft (late starts priced).")
    ] = "hard",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    no_map: Annotated[bool, typer.Option("--no-map", help="Do not write routes.html.")] = False,
) -> None:
    """Plan each zone's daily care routes; write routes.csv, unscheduled.csv and report.json."""
    setup_logging(verbose)
    check_jobs(jobs)
    check_out_folder(out)
    route_files(
        _osm_file(network_file), clients_file, carers_file, zones_dir, out, day=day,
        budget=Budget(max_iterations=max_iterations, max_seconds=max_seconds), jobs=jobs,
        time_windows=time_windows, seed=seed, write_map=not no_map, echo=typer.echo,
    )  # fmt: skip


# ------------------------------------------------------------------------ rota

rota_app = typer.Typer(
    help="Today's real rotas (call-monitoring exports): import and score.", no_args_is_help=True
)
app.add_typer(rota_app, name="rota")
app.add_typer(scenario_app, name="scenario")
app.command("workshop")(workshop_command)


@rota_app.command("score")
def rota_score(
    rota_file: Annotated[
        Path, typer.Option("--rota", "-r", help="Rota export: .csv, .xlsx, .xlsm or .xls.")
    ],
    clients_file: Annotated[Path, typer.Option("--clients", "-c", help="Clients table.")],
    carers_file: Annotated[Path, typer.Option("--carers", help="Carers table (homes, modes).")],
    network_file: Annotated[
        Path, typer.Option("--network", "-n", help="An OSM extract (or a shared extract's name).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-rota"
    ),
    columns_file: Annotated[
        Path | None,
        typer.Option("--columns", help="TOML file with a [rota_columns] table (the headers)."),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet name.")] = None,
    on_time: Annotated[
        float, typer.Option("--on-time-minutes", help="On time within this many minutes.")
    ] = 15.0,
    short_share: Annotated[
        float, typer.Option("--short-share", help="Short: under this share of planned.")
    ] = 0.85,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Rebuild each carer's day from a rota and score it; write tables and summary.json.

    Writes visits.csv (every carer-visit with its flags), carer_days.csv, continuity.csv,
    violations.csv, routes.csv, unscheduled.csv, outcomes.csv and summary.json. Ids only:
    no coordinate or address.
    """
    setup_logging(verbose)
    check_out_folder(out)
    columns = RotaColumns.from_toml(columns_file) if columns_file is not None else None
    rules = RotaRules(on_time_minutes=on_time, short_visit_share=short_share)
    typer.echo(f"[1/4] Reading clients and carers from {clients_file} and {carers_file}")
    clients = read_clients(clients_file)
    carers = read_carers(carers_file)
    typer.echo(f"[2/4] Reading the rota {rota_file}")
    rota = read_rota(rota_file, columns=columns, clients=clients, carers=carers, sheet=sheet)
    source = _osm_file(network_file)
    modes = tuple(sorted(set(carers["mode"])))
    typer.echo(f"[3/4] Loading the {', '.join(modes)} networks of {source.name}")
    net = load_network(source, modes=modes)
    typer.echo(f"[4/4] Scoring {len(rota):,} carer-visits")
    score = score_rota(rota, network=net, clients=clients, carers=carers, rules=rules)
    score.write(out)
    typer.echo(str(score))
    typer.echo(f"Written to {out} ({score.runtime:.1f} s to score)")


app.command("report")(report_command)
