"""Benchmark: "then" against "now" on Camden, one command, with the run time of each.

Run ``python benchmarks/bench_scenario.py`` (Camden, about 5-8 minutes on 2 cores; needs
the shared extract in ``../shared/data/osm``), or ``--quick`` for the small Helsinki pair
(seconds). It runs the scenario files of ``examples/`` (by default ``then.toml``,
``now.toml`` and ``now_zones_only.toml``), prints the headline outcomes side by side and
the full table, and with ``--out DIR`` writes ``DIR/comparison.csv`` and each scenario's
outputs (the same as ``carezones scenario compare ... --out DIR``).
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
    "weekly_hours",
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
    "distinct_carers_per_client",
    "hourly_rate_gbp",
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
    args = parser.parse_args()
    names = (
        ["quick_then.toml", "quick_now.toml"]
        if args.quick
        else ["then.toml", "now.toml", "now_zones_only.toml"]
    )
    files = args.files or [EXAMPLES / n for n in names]
    scenarios = [Scenario.from_toml(f) for f in files]
    print(f"before: {load()}")
    t0 = time.perf_counter()
    results = []
    for s in scenarios:
        print(f"running {s.name} ({s.kind}): {s.description}", flush=True)
        results.append(run_scenario(s))
        r = results[-1]
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
        print(f"  {r.runtime:.1f} s ({steps})", flush=True)
    total = time.perf_counter() - t0
    table = compare(results)
    with pd.option_context("display.width", 140, "display.max_rows", None):
        print("\nHeadline outcomes")
        print(table.loc[[h for h in HEADLINE if h in table.index]].round(3).to_string())
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
