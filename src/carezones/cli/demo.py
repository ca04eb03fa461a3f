"""The one-command demo: the whole pipeline on the embedded default (central Helsinki).

Network, a synthetic population on real buildings, neighbourhood zones with an hours
floor, provider lots, one day's care routes, outcomes and open-book costs, then an
offline map and report figures. Used by ``carezones demo``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carezones import datasets, maps
from carezones.demand import workforce_coverage
from carezones.network import osm_places
from carezones.scenario import Scenario, ScenarioResult, run_scenario
from carezones.tables import for_people

#: The demo's scenario: about 1,100 care hours a week on central Helsinki's streets.
DEMO_SCENARIO: dict[str, Any] = {
    "name": "demo",
    "kind": "now",
    "description": "Neighbourhood zones on central Helsinki (bundled OSM extract)",
    "seed": 0,
    "network": {"source": "default"},
    # 130 carers: the demand needs 106 borough-wide ("auto"), and five small zones need
    # slack for skills and days off (106 serve 92% of the week's visits, 130 serve 97%).
    "population": {"n_clients": 120, "n_carers": 130, "n_providers": 3, "seed": 0},
    "zones": {"min_weekly_hours": 300, "n_zones": "auto"},
    "providers": {"n_providers": 2, "min_provider_hours": 400},
    "routing": {"days": "week", "max_seconds": 20, "max_iterations": 150, "n_jobs": 2},
}

#: Outcomes printed by the demo (all are in ``outcomes.csv``).
HEADLINE = (
    "weekly_hours",
    "demanded_hours_per_week",
    "unserved_hours_per_week",
    "n_zones",
    "zones_below_floor",
    "providers_below_floor",
    "scheduled_share",
    "travel_to_care_ratio",
    "walk_cycle_share",
    "carers_local_share",
    "car_km_per_week",
    "co2e_kg_per_week",
    "punctuality_share",
    "distinct_carers_per_client",
    "main_carer_share",
    "hourly_rate_gbp",
    "cost_gbp_per_week",
)


def run_demo(out: Path, *, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Run the demo into ``out`` and return the main files written.

    Parameters
    ----------
    out
        Folder for every output (created).
    echo
        Where progress and the summary are written (the CLI passes ``typer.echo``).

    Returns
    -------
    dict
        ``"map"``, ``"outcomes"``, ``"zones"``, ``"report"``, ``"figures"`` paths.
    """
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    steps = iter(range(1, 100))

    def progress(step: str) -> None:
        echo(f"  [{time.perf_counter() - t0:5.1f} s] {step}")

    echo("carezones demo: central Helsinki (bundled OpenStreetMap extract)")
    echo("Map data © OpenStreetMap contributors, ODbL.")
    echo(f"[{next(steps)}] Running the pipeline: network, people, zones, lots, routes, costs")
    result: ScenarioResult = run_scenario(Scenario.from_dict(DEMO_SCENARIO), progress=progress)
    echo(f"[{next(steps)}] Writing tables to {out}")
    result.write(out)

    echo(f"[{next(steps)}] Drawing the map (offline: it opens with no internet)")
    network = datasets.load_default_network()
    legs = result.route_plan.to_geodataframe() if result.route_plan is not None else None
    plan = legs[legs["day"] == "monday"] if legs is not None else result.routes
    m = maps.plan_map(
        result.zones,
        lots=result.lots,
        routes=plan,
        clients=result.clients,
        carers=result.carers,
        network=network,
        places=osm_places(datasets.default_osm_path()),
        offline=True,
        title="carezones demo: zones, provider lots and Monday's routes (a week planned)",
    )
    map_path = maps.save_map(m, out / "plan.html", offline=True)

    echo(f"[{next(steps)}] Report figures")
    fig_paths = []
    floor = DEMO_SCENARIO["zones"]["min_weekly_hours"]
    for name, fig in (
        ("zones.png", maps.zones_figure(result.zones, lots=result.lots, network=network)),
        ("hours_per_zone.png", maps.hours_figure(result.zones, floor=floor, lots=result.lots)),
    ):
        fig.savefig(out / name, dpi=120, bbox_inches="tight")
        fig_paths.append(out / name)

    table = for_people(result.outcomes.table, days_routed=result.days_routed).set_index("outcome")
    echo("")
    echo(f"Headline outcomes ({result.outcomes.basis}; as in outcomes.csv):")
    for name in HEADLINE:
        if name in table.index:
            row = table.loc[name]
            echo(f"  {name:<28} {_fmt(row['value']):>10}  {row.get('unit', '')}")
    if len(result.unscheduled):
        reasons = result.unscheduled["reason"].value_counts()
        echo(f"Unscheduled visits in the week: {len(result.unscheduled)}, each with its reason:")
        for reason, count in reasons.head(5).items():
            echo(f"  {count:>4}  {reason}")
    cover = workforce_coverage(result.visits, result.carers)
    echo(f"Workforce: {cover.message()}")
    echo("Demand reconciled (a week; reconciliation.csv):")
    shown = for_people(result.outcomes.reconciliation, days_routed=result.days_routed)
    for line in shown.to_string(index=False).splitlines():
        echo(f"  {line}")
    echo("Assumptions (also in assumptions.csv):")
    for row in result.assumptions().itertuples(index=False):
        echo(f"  {row.assumption}: {row.value}")
    echo("")
    echo(f"Done in {time.perf_counter() - t0:.0f} s. Open the map in a browser:")
    echo(f"  {map_path.resolve()}")
    echo(f"Tables (outcomes.csv, routes.csv, unscheduled.csv, ...; exact ones in data/) and "
         f"figures: {out.resolve()}")
    return {
        "map": map_path,
        "outcomes": out / "outcomes.csv",
        "zones": out / "zones.gpkg",
        "report": out / "report.json",
        "figures": fig_paths[0].parent,
    }


def _fmt(value: Any) -> str:
    """A figure already rounded for people (:func:`carezones.tables.for_people`), with commas."""
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
