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

For the README's ranges: ``--seeds 5 --workers 2 --save DIR`` runs the 15 runs in a process
pool of 2 (one routing process each), pickles each result to ``DIR`` as it is gathered and,
run again, reuses what ``DIR`` holds, so an interrupted sweep resumes; ``--cap SECONDS``
raises the routing's time cap per zone-day so that a loaded machine still stops every
zone-day on its iterations (the plan is then the one an unloaded machine makes; the
assumptions table says how many zone-days hit the cap).
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path

import pandas as pd

from carezones.scenario import Scenario, ScenarioResult, compare, run_scenario
from carezones.scenario.sweeps import run_all, with_seeds

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
    parser.add_argument("--workers", type=int, default=0, help="runs in parallel (0: serial)")
    parser.add_argument("--save", type=Path, default=None, help="pickle each run here; resume")
    parser.add_argument("--cap", type=float, default=None, help="routing.max_seconds per zone-day")
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
    if args.cap is not None:
        scenarios = [
            s.with_options({"routing.max_seconds": args.cap}, name=s.name) for s in scenarios
        ]
    print(f"before: {load()}")
    t0 = time.perf_counter()
    if args.workers:
        results = in_pool(scenarios, args.seeds, args.workers, args.save)
    else:
        results = serial(scenarios, args.seeds)
    total = time.perf_counter() - t0
    report(results, args.seeds, total, args.out)


def in_pool(
    scenarios: list[Scenario], seeds: int, workers: int, save: Path | None
) -> list[ScenarioResult]:
    """Every scenario on every seed in a process pool; each result pickled to ``save``."""
    runs = with_seeds(scenarios, seeds)
    paths = [
        None if save is None else save / f"{i:02d}_{r.name}_seed{r.seed}.pkl".replace(" ", "_")
        for i, r in enumerate(runs)
    ]
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
    done = {i: pickle.loads(p.read_bytes()) for i, p in enumerate(paths) if p and p.exists()}
    todo = [i for i in range(len(runs)) if i not in done]
    print(f"{len(done)} run(s) reused from {save}, {len(todo)} to run on {workers} workers")

    def gathered(n: int, total: int, r: ScenarioResult) -> None:
        i = todo[n - 1]
        done[i] = r
        if paths[i] is not None:
            paths[i].write_bytes(pickle.dumps(r))
        print(f"  [{n}/{total}] {r.name} seed {r.scenario.seed}: {r.runtime:.1f} s; "
              f"{r.outcomes.basis}; {load()}", flush=True)  # fmt: skip

    if todo:
        run_all([runs[i] for i in todo], executor=None, n_workers=workers, n_jobs=1,
                progress=gathered)  # fmt: skip
    return [done[i] for i in range(len(runs))]


def serial(scenarios: list[Scenario], seeds: int) -> list[ScenarioResult]:
    """Every scenario on every seed, one after another, each timed."""
    results = []
    for run in with_seeds(scenarios, seeds):
        print(f"running {run.name} ({run.kind}, seed {run.seed}): {run.description}", flush=True)
        results.append(run_scenario(run))
        r = results[-1]
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
        print(f"  {r.runtime:.1f} s ({steps}); {len(r.visits):,} visits routed in "
              f"{r.timings.get('routes', float('nan')):.1f} s; {r.outcomes.basis}",
              flush=True)  # fmt: skip
    return results


# The README's rows: (label, outcome, how to show it).
README_ROWS = [
    ("visits served", "scheduled_share", "pct"),
    ("unserved care, h/week", "unserved_hours_per_week", "int"),
    ("travel per hour of care", "travel_to_care_ratio", "3"),
    ("visits walked or cycled (the plan's choice of mode)", "walk_cycle_share", "pct"),
    ("car km a week", "car_km_per_week", "int"),
    ("CO2e a week, kg", "co2e_kg_per_week", "int"),
    ("visits starting within 15 min of their window", "punctuality_share", "pct"),
    ("distinct carers per client in the week", "distinct_carers_per_client", "2"),
    ("main carer's share of a client's visits", "main_carer_share", "pct"),
    ("hourly rate (open book), GBP", "hourly_rate_gbp", "2"),
    ("cost a week, equal care (delivered + unserved at the cover rate), GBP", "cost_gbp_per_week",
     "int"),
    ("providers below the provider minimum", "providers_below_floor", "int"),
]  # fmt: skip


def _show(value: float, how: str) -> str:
    if pd.isna(value):
        return ""
    if how == "pct":
        return f"{100 * value:.1f}%"
    if how == "int":
        return f"{value:,.0f}"
    return f"{value:.{int(how)}f}"


def readme_table(table: pd.DataFrame) -> str:
    """The README's then-vs-now table: each scenario's mean and, over seeds, its range."""
    names = [c for c in table.columns if c != "unit" and not c.endswith((" min", " max"))
             and " - " not in c and not c.endswith(" %")]  # fmt: skip
    lines = ["| outcome | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label, key, how in README_ROWS:
        if key not in table.index:
            continue
        cells = []
        for n in names:
            text = _show(table.at[key, n], how)
            if f"{n} min" in table.columns:
                low, high = (
                    _show(table.at[key, f"{n} min"], how),
                    _show(table.at[key, f"{n} max"], how),
                )
                if low != high:
                    text += f" ({low}-{high})"
            cells.append(text)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(results: list[ScenarioResult], seeds: int, total: float, out: Path | None) -> None:
    """Print the comparison, the reconciliations and the assumptions; write ``out``."""
    table = compare(results)
    with pd.option_context("display.width", 140, "display.max_rows", None):
        print("\nHeadline outcomes")
        print(table.loc[[h for h in HEADLINE if h in table.index]].round(3).to_string())
        for r in results[::seeds]:
            print(f"\nDemand reconciled, {r.name} (a week):")
            print(r.outcomes.reconciliation.round(1).to_string(index=False))
        print(f"\nAssumptions ({results[0].name}):")
        print(results[0].assumptions().to_string(index=False))
        print("\nEvery outcome")
        print(table.round(3).to_string())
        print("\nFor the README (mean, and the range over seeds in brackets)")
        print(readme_table(table))
    print(f"\nall scenarios: {total:.1f} s; after: {load()}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "comparison.csv")
        for r in results[::seeds]:
            r.write(out / r.name)
        print(f"written to {out}")


if __name__ == "__main__":
    main()
