"""What if? Run scenario files and print their outcomes side by side.

By default the two small scenarios beside this script, ``quick_then.toml`` (4 providers
across the whole area, no zones) and ``quick_now.toml`` (2 providers in 4 neighbourhood
zones), on the bundled central-Helsinki extract, plus "now" with demand +15% made from
``quick_now.toml`` in code. About 20 seconds on 2 cores.

    python examples/what_if.py --out what-if
    python examples/what_if.py then.toml now.toml --growth 0 --out camden   # Camden: minutes

Writes ``comparison.csv``, ``travel_to_care.png`` and each scenario's outputs
(``NAME/zones.gpkg``, ``routes.csv``, ``outcomes.csv``, ...) to ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import carezones as cz
from carezones.maps.figures import travel_to_care_figure
from carezones.scenario import compare

HERE = Path(__file__).resolve().parent
HEADLINE = [
    "n_providers",
    "n_zones",
    "weekly_hours",
    "scheduled_share",
    "travel_to_care_ratio",
    "travel_hours_per_week",
    "walk_cycle_share",
    "car_km_per_week",
    "co2e_kg_per_week",
    "virtual_travel_hours_saved",
    "hourly_rate_gbp",
    "cost_gbp_per_week",
    "run_time_seconds",
]


def main(argv: list[str] | None = None) -> None:
    """Run the scenarios, print the comparison and write the outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        default=[HERE / "quick_then.toml", HERE / "quick_now.toml"],
        help="Scenario files (.toml); default quick_then.toml and quick_now.toml.",
    )
    parser.add_argument("--out", type=Path, default=Path("what-if"), help="Output folder.")
    parser.add_argument(
        "--growth",
        type=float,
        default=0.15,
        help="Also run the last scenario with this demand growth (0.15: +15%%; 0: don't).",
    )
    parser.add_argument("--jobs", type=int, default=2, help="Routing processes per scenario.")
    args = parser.parse_args(argv)

    scenarios = [cz.load_scenario(path) for path in args.scenarios]
    if args.growth:
        last = scenarios[-1]
        scenarios.append(
            last.with_options(
                {"demand.growth": args.growth},
                name=f"{last.name}_demand_{100 * args.growth:+.0f}pct",
            )
        )
    results = []
    for i, scenario in enumerate(scenarios, 1):
        print(f"[{i}/{len(scenarios)}] {scenario.name}: {scenario.description}", flush=True)
        result = cz.run_scenario(scenario, n_jobs=args.jobs)
        result.write(args.out / scenario.name)
        results.append(result)

    table = compare(results)
    print()
    print(table.loc[[row for row in HEADLINE if row in table.index]].round(3).to_string())
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "comparison.csv")
    travel_to_care_figure(table).savefig(args.out / "travel_to_care.png", dpi=150)
    print(f"\nWritten to {args.out.resolve()}: comparison.csv, travel_to_care.png,")
    print("one folder a scenario (zones.gpkg, routes.csv, outcomes.csv, ...)")


if __name__ == "__main__":
    main()
