"""``carezones scenario run``, ``compare`` and ``sensitivity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from carezones import maps
from carezones._files import write_csv
from carezones.cli.inputs import check_jobs, check_out_folder
from carezones.cli.setup import setup_logging
from carezones.exceptions import Problem, ValidationError
from carezones.report import build_report
from carezones.scenario import (
    Scenario,
    ScenarioResult,
    boundary_of,
    compare,
    default_assumptions,
    differences,
    network_of,
    places_of,
    run_scenario,
    sensitivity,
    sweep,
)
from carezones.tables import for_people, write_tables

__all__ = ["scenario_app"]


scenario_app = typer.Typer(
    help="What-if scenarios: run one scenario file, compare several side by side, or see how "
    "sensitive the zones' saving is to each assumption.",
    no_args_is_help=True,
)


@scenario_app.command("run")
def scenario_run(
    file: Annotated[Path, typer.Argument(help="A scenario file (.toml).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-scenario"
    ),
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Routing processes (default: the file's).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and report.xlsx.")
    ] = True,
    no_map: Annotated[bool, typer.Option("--no-map", help="Do not write the map.")] = False,
) -> None:
    """Run a scenario (network, people, zones, lots, routes, outcomes) and write every output."""
    setup_logging(verbose)
    check_jobs(jobs)
    check_out_folder(out)
    result = run_scenario(file, n_jobs=jobs, progress=lambda step: typer.echo(f"  {step} ..."))
    typer.echo(str(result))
    written = result.write(out)
    typer.echo(f"{len(written)} files written to {out}")
    if not no_map:
        page = maps.save_map(
            maps.plan_map(offline=True, title=f"carezones: {result.name}", **_layers(result)),
            out / "plan.html",
            offline=True,
        )
        typer.echo(f"Map: {page}")
    if report:
        page, _ = build_report(out)
        typer.echo(f"Report pack: {page} and {page.with_suffix('.xlsx')}")


@scenario_app.command("compare")
def scenario_compare(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.toml).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for comparison.csv.")] = Path(
        "carezones-compare"
    ),
    workers: Annotated[
        int, typer.Option("--workers", "-w", help="Scenarios run at once (1: one after another).")
    ] = 1,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Routing processes per scenario.")
    ] = None,
    seeds: Annotated[
        int,
        typer.Option(
            "--seeds", help="Runs of each scenario with other seeds: outcomes as mean and range."
        ),
    ] = 1,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and report.xlsx.")
    ] = True,
    no_map: Annotated[bool, typer.Option("--no-map", help="Do not write the map.")] = False,
) -> None:
    """Run scenarios and print their outcomes side by side; write DIR/comparison.csv.

    The table has each outcome's unit, every scenario's value, and the difference and the
    percentage change from the first scenario; with --seeds N, each scenario's mean over N
    runs with its min and max. DIR/differences.csv lists every parameter whose value
    differs between the scenarios, generated from the files.
    """
    setup_logging(verbose)
    check_jobs(jobs)
    check_out_folder(out)
    scenarios = [Scenario.from_toml(f) for f in files]  # every file checked before any run
    if workers > 1 or seeds > 1:
        typer.echo(
            f"{len(scenarios) * seeds} runs ({len(scenarios)} scenarios x {seeds} seeds), "
            f"{max(workers, 1)} at once"
        )
        results = sweep(
            scenarios,
            n_workers=max(workers, 1),
            n_jobs=jobs or 1,
            seeds=seeds,
            progress=_said,
        )
    else:
        results = []
        for s in scenarios:
            typer.echo(f"[{len(results) + 1}/{len(scenarios)}] {s.name}")
            results.append(
                run_scenario(s, n_jobs=jobs, progress=lambda step: typer.echo(f"  {step} ..."))
            )
    table = compare(results)
    out.mkdir(parents=True, exist_ok=True)
    write_tables({"comparison.csv": table.reset_index()}, out)
    changed = differences(scenarios)
    write_csv(changed, out / "differences.csv")  # text already: one file, read as it is
    runs: dict[str, int] = {}
    for r in results:
        k = runs[r.name] = runs.get(r.name, -1) + 1
        r.write(out / (r.name if k == 0 else f"{r.name}-seed{k}"))
    with pd.option_context("display.max_rows", None, "display.width", 160):
        typer.echo(for_people(table.reset_index()).to_string(index=False))
    for r in results[:: max(seeds, 1)]:
        typer.echo(f"{r.name}: {r.outcomes.basis}")
    with pd.option_context("display.max_rows", None, "display.width", 160):
        typer.echo("What differs between the scenarios (differences.csv):")
        typer.echo(changed.to_string() if len(changed) else "  nothing but their names")
    typer.echo(f"Written to {out / 'comparison.csv'} (and each scenario's outputs in {out}/NAME)")
    if not no_map and len(results) >= 2:
        first, last = results[0], results[-1]
        dual = maps.then_now_map(
            _layers(first), _layers(last), titles=(first.name, last.name), offline=True
        )
        page = maps.save_map(dual, out / "then_now.html", offline=True)
        typer.echo(f"Map, side by side: {page}")
    if report:
        page, _ = build_report(out)
        typer.echo(f"Report pack: {page} and {page.with_suffix('.xlsx')}")


@scenario_app.command("sensitivity")
def scenario_sensitivity(
    then: Annotated[Path, typer.Argument(help="The 'then' scenario file (.toml).")],
    now: Annotated[Path, typer.Argument(help="The 'now' scenario file (.toml).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")] = Path(
        "carezones-sensitivity"
    ),
    seeds: Annotated[
        int, typer.Option("--seeds", help="Runs of the base pair: the seed noise band.")
    ] = 3,
    iterations: Annotated[
        int, typer.Option("--iterations", help="Routing iterations per zone-day, every run.")
    ] = 100,
    cap: Annotated[
        float | None,
        typer.Option("--cap", help="Routing time cap per zone-day, seconds (default the files')."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Runs at once.")] = 2,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Routing processes per run.")] = 1,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Comma-separated assumptions to vary (default: all)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Also write report.html and report.xlsx.")
    ] = True,
) -> None:
    """Vary each assumption over its range and chart the change in the zones' saving.

    Every run stops on --iterations per zone-day (the base too); runs that change the
    plan are re-planned for the whole week, the others re-priced. Each run is saved in
    OUT/runs as it finishes: run the command again to resume. Writes sensitivity.csv,
    sensitivity_band.csv, tornado.png, comparison.csv (the base pair over the seeds) and
    the report pack.
    """
    setup_logging(verbose)
    check_jobs(jobs)
    pair = [Scenario.from_toml(f) for f in (then, now)]  # both checked before any run
    chosen = None
    if only:
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        every = default_assumptions(*pair)
        names = {a.name: a for a in every} | {a.key: a for a in every}
        unknown = [w for w in wanted if w not in names]
        if unknown:
            expected = "some of " + ", ".join(repr(a.name) for a in every)
            raise ValidationError([Problem("--only", "unknown assumption", expected, repr(w))
                                   for w in unknown])  # fmt: skip
        chosen = [names[w] for w in wanted]
    out.mkdir(parents=True, exist_ok=True)
    result = sensitivity(
        pair[0], pair[1], assumptions=chosen, seeds=seeds, max_iterations=iterations,
        max_seconds=cap, n_workers=workers, n_jobs=jobs, save=out / "runs",
        progress=lambda done, total, key: typer.echo(f"[{done}/{total}] {key}"),
    )  # fmt: skip
    result.write(out)
    write_csv(result.comparison(), out / "comparison.csv")
    fig = maps.tornado_figure(result.table)
    fig.savefig(out / "tornado.png", dpi=130)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        typer.echo(result.summary().round(3).to_string())
    typer.echo(f"Written to {out} (sensitivity.csv, tornado.png)")
    if report:
        page, _ = build_report(out)
        typer.echo(f"Report pack: {page} and {page.with_suffix('.xlsx')}")


def _layers(result: ScenarioResult) -> dict[str, object]:
    """What a scenario's map shows: its zones and lots, Monday's routes, street names."""
    layers: dict[str, object] = {"places": places_of(result.scenario)}
    if "walk" in (network := network_of(result.scenario)).modes:
        layers["network"] = network  # the background, and the streets' names
    if (boundary := boundary_of(result.scenario)) is not None:
        layers["boundary"] = boundary
    if result.zones is not None and len(result.zones):
        layers["zones"] = (
            maps.whole_area(result.zones) if result.scenario.kind == "then" else result.zones
        )
    if result.lots is not None and result.scenario.kind != "then" and "zones" in layers:
        layers["lots"] = result.lots
    legs = result.route_plan.to_geodataframe() if result.route_plan is not None else None
    if legs is not None and len(legs) and "day" in legs:
        day = "monday" if (legs["day"] == "monday").any() else legs["day"].iloc[0]
        layers["routes"] = legs[legs["day"] == day]
    return layers


def _said(done: int, total: int, result: ScenarioResult) -> None:
    """One line as each run of a sweep is gathered."""
    typer.echo(
        f"[{done}/{total}] {result.name} (seed {result.scenario.seed}) done in "
        f"{result.runtime:.0f} s"
    )
