"""Benchmark: "then" against "now" on Camden, a whole planned week each, one command.

Run ``python benchmarks/bench_scenario.py`` (Camden: 2,000 clients, 21,000 h/week, a
workforce sized to the demand; about 15 minutes on 2 cores; needs the shared extract in
``../shared/data/osm``), ``--quick`` for the small Helsinki pair (seconds), or
``--rutland`` for the same hours on Rutland (a rural county the size of a metropolitan
borough). It runs the scenario files of ``examples/`` (by default ``then.toml``,
``now.toml`` and ``now_zones_only.toml``), prints each run's time and its routing time
(the borough week), the headline outcomes side by side with differences and percentage
changes, each scenario's reconciliation (demanded = in person + virtual + unserved) and
the full table; ``--seeds N`` reruns each over N seeds and reports means and ranges;
``--out DIR`` writes ``DIR/comparison.csv`` and each scenario's outputs (the same as
``carezones scenario compare ... --out DIR``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from carezones.scenario import Scenario, compare, run_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADLINE = [
    "days_routed",
    "weekly_hours",
    "demanded_hours_per_week",
    "unserved_hours_per_week",
    "n_providers",
    "providers_below_floor",
    "n_zones",
    "scheduled_share",
    "travel_to_care_ratio",
    "travel_hours_per_week",
    "walk_cycle_share",
    "carers_local_share",
    "car_km_per_week",
    "co2e_kg_per_week",
    "virtual_travel_hours_saved",
    "punctuality_share",
    "late_minutes_per_week",
    "distinct_carers_per_client",
    "main_carer_share",
    "hourly_rate_gbp",
    "cost_gbp_per_week",
    "run_time_seconds",
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="scenario files (default: Camden)")
    parser.add_argument("--quick", action="store_true", help="the small Helsinki pair")
    parser.add_argument("--out", type=Path, default=None, help="write the outputs here")
    parser.add_argument("--rutland", action="store_true", help="the same hours on Rutland")
    parser.add_argument("--seeds", type=int, default=1, help="runs of each scenario")
    args = parser.parse_args()
    names = (
        ["quick_then.toml", "quick_now.toml"]
        if args.quick
        else ["then.toml", "now.toml", "now_zones_only.toml"]
    )
    files = args.files or [EXAMPLES / n for n in names]
    scenarios = [Scenario.from_toml(f) for f in files]
    if args.rutland:
        scenarios = [
            s.with_options({"network.source": "rutland"}, name=f"{s.name} (Rutland)")
            for s in scenarios
        ]
    print(f"before: {load()}")
    t0 = time.perf_counter()
    results = []
    for s in scenarios:
        for k in range(args.seeds):
            run = s if k == 0 else s.with_options({"seed": s.seed + k,
                                                   "population.seed": s.population.seed + k},
                                                  name=s.name)  # fmt: skip
            print(f"running {s.name} ({s.kind}, seed {run.seed}): {s.description}", flush=True)
            results.append(run_scenario(run))
            r = results[-1]
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
            visits = len(r.visits)
            print(f"  {r.runtime:.1f} s ({steps}); {visits:,} visits routed in "
                  f"{r.timings.get('routes', float('nan')):.1f} s; {r.outcomes.basis}",
                  flush=True)  # fmt: skip
    total = time.perf_counter() - t0
    table = compare(results)
    with pd.option_context("display.width", 140, "display.max_rows", None):
        print("\nHeadline outcomes")
        print(table.loc[[h for h in HEADLINE if h in table.index]].round(3).to_string())
        for r in results[:: args.seeds]:
            print(f"\nDemand reconciled, {r.name} (a week):")
            print(r.outcomes.reconciliation.round(1).to_string(index=False))
        print(f"\nAssumptions ({results[0].name}):")
        print(results[0].assumptions().to_string(index=False))
        print("\nEvery outcome")
        print(table.round(3).to_string())
    print(f"\nall scenarios: {total:.1f} s; after: {load()}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "comparison.csv")
        for r in results:
            r.write(args.out / r.name)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
