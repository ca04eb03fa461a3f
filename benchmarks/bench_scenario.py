"""Benchmark: two "then" markets against "now" on Camden, a whole planned week each, one command.

Run ``python benchmarks/bench_scenario.py`` (Camden: 2,000 clients, 21,000 h/week, a
workforce sized to the demand; needs the shared extract in ``../shared/data/osm``):
the four scenario files of ``examples/``, ``then.toml`` (a market without geography: the
upper bound of what zones save), ``then_brokered.toml`` (each package with the nearest
provider with room, carers recruited near their clients: the lower bound), ``now.toml``
and ``now_zones_only.toml`` (zones and providers alone). It prints what differs between
them (generated from the files), each run's time, the headline outcomes side by side,
each scenario's reconciliation (demanded = in person + virtual + unserved), the zones'
saving against each baseline (the range a provider cannot call a straw man), and the
README's table.

- ``--seeds N`` reruns each over N seeds (means and ranges); ``--workers 2 --save DIR``
  runs them in a process pool of 2 (one routing process each), pickles each result to
  ``DIR`` as it is gathered and, run again, reuses what ``DIR`` holds, so a long run can be
  split across sessions; ``--cap SECONDS`` raises the routing's time cap per zone-day so a
  loaded machine still stops every zone-day on its iterations.
- ``--rutland``: the same four with the same demand on Rutland (a rural county carrying a
  metropolitan borough's care: a stress test, not a real case).
- ``--sensitivity``: ``carezones scenario sensitivity`` on the pair (then.toml, now.toml):
  each assumption at its low and high end, one seed per point, the base pair over
  ``--band-seeds`` seeds for the noise band, every run at ``--iterations`` per zone-day;
  with ``--save DIR`` it resumes; ``--headline DIR`` (the ``--save`` folder of a headline
  run) says whether the base saving at that budget lies inside the headline's seed band.
- ``--quick``: the same on the small bundled Helsinki pair (seconds): the code paths.
- ``--out DIR`` writes ``comparison.csv``, ``differences.csv`` and each scenario's outputs
  (or the sensitivity's files and tornado chart) and the report pack.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd

from carezones.maps import tornado_figure
from carezones.report import build_report
from carezones.scenario import (
    Scenario,
    ScenarioResult,
    compare,
    differences,
    run_scenario,
    sensitivity,
)
from carezones.scenario.sweeps import run_all, with_seeds

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CAMDEN = ["then.toml", "then_brokered.toml", "now.toml", "now_zones_only.toml"]
QUICK = ["quick_then.toml", "quick_then_brokered.toml", "quick_now.toml"]
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
    "waiting_hours_per_week",
    "paid_hours_per_week",
    "paid_hours_per_care_hour",
    "carers_needed",
    "fte_needed",
    "walk_cycle_share",
    "carers_local_share",
    "home_to_visit_km",
    "car_km_per_week",
    "co2e_kg_per_week",
    "virtual_travel_hours_saved",
    "punctuality_share",
    "distinct_carers_per_client",
    "workforce_short_hours",
    "variable_cost_gbp_per_hour",
    "hourly_rate_gbp",
    "break_even_weekly_hours",
    "provider_floor_hours",
    "providers_below_break_even",
    "cost_gbp_per_week",
    "own_rate_cost_gbp_per_week",
    "run_time_seconds",
]

# The README's rows: (label, outcome, how to show it).
README_ROWS = [
    ("visits served (in a route or a virtual call)", "scheduled_share", "pct"),
    ("unserved care, h/week", "unserved_hours_per_week", "int"),
    ("travel per hour of care", "travel_to_care_ratio", "3"),
    ("visits walked or cycled (the plan's choice of mode)", "walk_cycle_share", "pct"),
    ("car km a week", "car_km_per_week", "int"),
    ("CO2e a week, kg", "co2e_kg_per_week", "int"),
    ("paid hours a week (salaried: care, travel and waiting)", "paid_hours_per_week", "int"),
    ("of which waiting between calls, h/week", "waiting_hours_per_week", "int"),
    ("carers needed for equal care (30 h/week each)", "carers_needed", "int"),
    ("FTE needed for equal care (37.5 h)", "fte_needed", "int"),
    ("workforce short of its own provider's or zone's demand, h/week", "workforce_short_hours",
     "int"),
    ("rate providers need (open book, at their planned sizes), GBP/h", "hourly_rate_gbp", "2"),
    ("variable cost per contact hour, GBP", "variable_cost_gbp_per_hour", "2"),
    ("break-even provider size at the offered GBP 32.14/h, h/week", "break_even_weekly_hours",
     "int"),
    ("the provider floor chosen, h/week", "provider_floor_hours", "int"),
    ("providers below their own break-even", "providers_below_break_even", "int"),
    ("providers below the floor", "providers_below_floor", "int"),
    ("cost a week for equal care (unserved at the cover rate), GBP", "cost_gbp_per_week", "int"),
    ("cost a week for equal care (unserved at the plan's own rate), GBP",
     "own_rate_cost_gbp_per_week", "int"),
    ("visits ending within 15 min of their window's end", "punctuality_share", "pct"),
    ("distinct carers per client in the week", "distinct_carers_per_client", "2"),
    ("the same, clients with 14+ visits a week", "distinct_carers_heavy_clients", "2"),
    ("a client's visits made by their most frequent carer", "main_carer_share", "pct"),
    ("recurring calls within 30 minutes of the same time each day", "call_spread_share", "pct"),
]  # fmt: skip

# The saving rows: what zones save against each baseline, then minus now.
SAVING_ROWS = [
    ("travel per hour of care", "travel_to_care_ratio", "3"),
    ("car km a week", "car_km_per_week", "int"),
    ("paid hours a week", "paid_hours_per_week", "int"),
    ("FTE needed for equal care", "fte_needed", "int"),
    ("rate providers need, GBP/h", "hourly_rate_gbp", "2"),
    ("cost for equal care (cover rate), GBP/week", "cost_gbp_per_week", "int"),
    ("cost for equal care (own rate), GBP/week", "own_rate_cost_gbp_per_week", "int"),
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def scenarios_for(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios to compare: the files given, Camden's four, or the quick ones."""
    if args.files:
        scenarios = [Scenario.from_toml(f) for f in args.files]
    elif args.quick:
        scenarios = [Scenario.from_toml(EXAMPLES / n) for n in QUICK]
        now = scenarios[-1]
        scenarios.append(now.with_options({"demand.virtual_share": 0.0,
                                           "providers.recruitment": "anywhere"},
                                          name="quick_now_zones_only"))  # fmt: skip
    else:
        scenarios = [Scenario.from_toml(EXAMPLES / n) for n in CAMDEN]
    if args.rutland:
        scenarios = [
            s.with_options({"network.source": "rutland"}, name=f"{s.name} (Rutland)")
            for s in scenarios
        ]
    if args.cap is not None:
        scenarios = [
            s.with_options({"routing.max_seconds": args.cap}, name=s.name) for s in scenarios
        ]
    return scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="scenario files (default: Camden)")
    parser.add_argument("--quick", action="store_true", help="the small Helsinki scenarios")
    parser.add_argument("--out", type=Path, default=None, help="write the outputs here")
    parser.add_argument("--rutland", action="store_true", help="the same hours on Rutland")
    parser.add_argument("--seeds", type=int, default=1, help="runs of each scenario")
    parser.add_argument("--workers", type=int, default=0, help="runs in parallel (0: serial)")
    parser.add_argument("--save", type=Path, default=None, help="save each run here; resume")
    parser.add_argument("--cap", type=float, default=None, help="routing.max_seconds per zone-day")
    parser.add_argument("--sensitivity", action="store_true", help="the sensitivity run")
    parser.add_argument("--iterations", type=int, default=100,
                        help="sensitivity: routing iterations per zone-day, every run")
    parser.add_argument("--band-seeds", type=int, default=3,
                        help="sensitivity: runs of the base pair (the noise band)")
    parser.add_argument("--headline", type=Path, default=None,
                        help="sensitivity: the --save folder of a headline run (its seed band)")
    args = parser.parse_args()  # fmt: skip
    scenarios = scenarios_for(args)
    print(f"before: {load()}")
    if args.sensitivity:
        run_sensitivity(scenarios, args)
        return
    print("\nWhat differs between the scenarios (generated from the files)")
    with pd.option_context("display.width", 160, "display.max_rows", None):
        print(differences(scenarios).to_string())
    t0 = time.perf_counter()
    if args.workers:
        results = in_pool(scenarios, args.seeds, args.workers, args.save)
    else:
        results = serial(scenarios, args.seeds, args.save)
    total = time.perf_counter() - t0
    report(results, scenarios, args.seeds, total, args.out)


def _path(save: Path | None, i: int, r: Scenario) -> Path | None:
    if save is None:
        return None
    return save / f"{i:02d}_{r.name}_seed{r.seed}.pkl".replace(" ", "_")


def in_pool(
    scenarios: list[Scenario], seeds: int, workers: int, save: Path | None
) -> list[ScenarioResult]:
    """Every scenario on every seed in a process pool; each result pickled to ``save``."""
    runs = with_seeds(scenarios, seeds)
    paths = [_path(save, i, r) for i, r in enumerate(runs)]
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


def serial(scenarios: list[Scenario], seeds: int, save: Path | None) -> list[ScenarioResult]:
    """Every scenario on every seed, one after another, each timed (and saved with --save)."""
    results = []
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
    for i, run in enumerate(with_seeds(scenarios, seeds)):
        path = _path(save, i, run)
        if path is not None and path.exists():
            results.append(pickle.loads(path.read_bytes()))
            print(f"reused {run.name} seed {run.seed} from {path}")
            continue
        print(f"running {run.name} ({run.kind}, seed {run.seed}): {run.description}", flush=True)
        r = run_scenario(run).slim()
        results.append(r)
        if path is not None:
            path.write_bytes(pickle.dumps(r))
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
        print(f"  {r.runtime:.1f} s ({steps}); {len(r.visits):,} visits, routed in "
              f"{r.timings.get('routes', float('nan')):.1f} s; {r.outcomes.basis}",
              flush=True)  # fmt: skip
    return results


def _show(value: float, how: str) -> str:
    if pd.isna(value):
        return ""
    if math.isinf(value):
        return "never" if value > 0 else "-inf"
    if how == "pct":
        return f"{100 * value:.1f}%"
    if how == "int":
        return f"{value:,.0f}"
    return f"{value:.{int(how)}f}"


def _names(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c != "unit" and not c.endswith((" min", " max"))
            and " - " not in c and not c.endswith(" %")]  # fmt: skip


def readme_table(table: pd.DataFrame) -> str:
    """The README's table: each scenario's mean and, over seeds, its range."""
    names = _names(table)
    lines = ["| outcome | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label, key, how in README_ROWS:
        if key not in table.index:
            continue
        cells = []
        for n in names:
            text = _show(table.at[key, n], how)
            if f"{n} min" in table.columns:
                low = _show(table.at[key, f"{n} min"], how)
                high = _show(table.at[key, f"{n} max"], how)
                if low != high:
                    text += f" ({low}-{high})"
            cells.append(text)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def savings(results: list[ScenarioResult], names: list[str]) -> str:
    """The zones' saving (baseline minus "now"), seed by seed, against each "then" baseline.

    The first "now" scenario (kind now) is the zoned plan; every "then" scenario is a
    baseline. Each cell: the mean over seeds with its range; the last column the range
    of the saving between the baselines.
    """
    by: dict[tuple[str, int], pd.Series] = {}
    for r in results:
        by[(r.name, r.scenario.seed - _first_seed(results, r.name))] = r.outcomes.to_series()
    kinds = {r.name: r.scenario.kind for r in results}
    nows = [n for n in names if kinds.get(n) == "now"]
    thens = [n for n in names if kinds.get(n) == "then"]
    if not nows or not thens:
        return "(no then/now pair)"
    now = nows[0]
    seeds = sorted({k for (_, k) in by})
    head = [f"saving vs {t}" for t in thens] + ["range between the baselines"]
    lines = [f"| zones' saving ({now}) | " + " | ".join(head) + " |",
             "|---" * (len(head) + 1) + "|"]  # fmt: skip
    for label, key, how in SAVING_ROWS:
        cells, means = [], []
        for t in thens:
            values = np.array([by[(t, k)][key] - by[(now, k)][key] for k in seeds
                               if (t, k) in by and (now, k) in by], dtype=float)  # fmt: skip
            mean = float(np.mean(values)) if len(values) else float("nan")
            means.append(mean)
            text = _show(mean, how)
            if len(values) > 1 and _show(values.min(), how) != _show(values.max(), how):
                text += f" ({_show(values.min(), how)} to {_show(values.max(), how)})"
            cells.append(text)
        finite = [m for m in means if np.isfinite(m)]
        cells.append(f"{_show(min(finite), how)} to {_show(max(finite), how)}" if finite else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _first_seed(results: list[ScenarioResult], name: str) -> int:
    return min(r.scenario.seed for r in results if r.name == name)


def report(
    results: list[ScenarioResult],
    scenarios: list[Scenario],
    seeds: int,
    total: float,
    out: Path | None,
) -> None:
    """Print the comparison, the reconciliations, the savings and the assumptions; write ``out``."""
    table = compare(results)
    names = _names(table)
    with pd.option_context("display.width", 160, "display.max_rows", None):
        print("\nHeadline outcomes")
        print(table.loc[[h for h in HEADLINE if h in table.index], ["unit", *names]].round(3)
              .to_string())  # fmt: skip
        for r in results[::seeds]:
            print(f"\nDemand reconciled, {r.name} (a week):")
            print(r.outcomes.reconciliation.round(1).to_string(index=False))
            short = r.outcomes.providers
            if "workforce_short_hours" in short.columns and len(short):
                worst = short.sort_values("workforce_short_hours", ascending=False).head(3)
                print(f"  providers' own workforce short of their demand: "
                      f"{short['workforce_short_hours'].sum():,.0f} h/week in all; most: "
                      + ", ".join(f"{p} {h:,.0f} h" for p, h in zip(
                          worst["provider_id"], worst["workforce_short_hours"], strict=True)))
        print(f"\nAssumptions ({results[0].name}):")
        print(results[0].assumptions().to_string(index=False))
        print("\nEvery outcome")
        print(table.round(3).to_string())
    print("\nFor the README (mean, and the range over seeds in brackets)")
    print(readme_table(table))
    print("\nThe zones' saving against each baseline (then minus now; mean, range over seeds)")
    print(savings(results, names))
    print(f"\nall scenarios: {total:.1f} s; after: {load()}")
    for r in results[::seeds]:
        print(f"  {r.name}: {r.runtime:.0f} s, routing {r.timings.get('routes', 0):.0f} s")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "comparison.csv")
        differences(scenarios).to_csv(out / "differences.csv")
        for r in results[::seeds]:
            r.write(out / r.name)
        page, _ = build_report(out)
        print(f"written to {out} (report {page})")


def run_sensitivity(scenarios: list[Scenario], args: argparse.Namespace) -> None:
    """The sensitivity run on the first "then" and the first "now" scenario, timed."""
    then = next(s for s in scenarios if s.kind == "then")
    now = next(s for s in scenarios if s.kind == "now")
    print(f"sensitivity of {then.name} minus {now.name}: {args.iterations} iterations per "
          f"zone-day, base over {args.band_seeds} seeds, {args.workers or 2} workers")  # fmt: skip
    t0 = time.perf_counter()

    def said(done: int, total: int, key: str) -> None:
        print(f"  [{done}/{total}] {key} after {time.perf_counter() - t0:.0f} s; {load()}",
              flush=True)  # fmt: skip

    result = sensitivity(
        then, now, seeds=args.band_seeds, max_iterations=args.iterations,
        max_seconds=args.cap, n_workers=args.workers or 2, n_jobs=1, save=args.save,
        progress=said,
    )  # fmt: skip
    total = time.perf_counter() - t0
    with pd.option_context("display.width", 220, "display.max_rows", None):
        print("\nChange in the zones' saving (then minus now) from the base, per assumption")
        print(result.summary().round(3).to_string())
        print("\nThe seed band (the saving's spread over seeds, around the base)")
        print(result.band().round(3).to_string())
        base = result.table[result.table["level"] == "base"].set_index("figure")
        print(f"\nThe base at {args.iterations} iterations per zone-day")
        print(base[["then", "now", "saving"]].round(3).to_string())
    if args.headline is not None:
        inside_headline_band(result, args.headline, then.name, now.name)
    runtimes = sorted(result.runtimes.values())
    failed = sorted(set(result.table.loc[result.table["note"] != "", "note"]))
    for note in failed:
        print(f"  not run: {note}")
    print(f"\nsensitivity: {total / 60:.1f} min for {len(runtimes)} runs "
          f"(median run {np.nanmedian(runtimes):.0f} s); after: {load()}")  # fmt: skip
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        result.write(args.out)
        result.comparison().to_csv(args.out / "comparison.csv")
        tornado_figure(result.table).savefig(args.out / "tornado.png", dpi=130)
        page, _ = build_report(args.out)
        print(f"written to {args.out} (tornado.png, report {page})")


def inside_headline_band(result: object, folder: Path, then: str, now: str) -> None:
    """Whether the sensitivity's base saving lies inside the headline run's seed band."""
    runs = [pickle.loads(p.read_bytes()) for p in sorted(folder.glob("*.pkl"))]
    by: dict[tuple[str, int], pd.Series] = {}
    for r in runs:
        by[(r.name, r.scenario.seed)] = r.outcomes.to_series()
    seeds = sorted({k for (n, k) in by if n == then} & {k for (n, k) in by if n == now})
    if not seeds:
        print(f"\n{folder}: no headline runs of {then} and {now}")
        return
    table = result.table  # type: ignore[attr-defined]
    base = table[table["level"] == "base"].set_index("figure")["saving"]
    print(f"\nThe base saving at the sensitivity's budget against the headline's {len(seeds)} "
          "seeds")  # fmt: skip
    for figure, value in base.items():
        saved = [by[(then, k)][figure] - by[(now, k)][figure] for k in seeds]
        low, high = min(saved), max(saved)
        inside = "inside" if low - 1e-9 <= value <= high + 1e-9 else "OUTSIDE"
        print(f"  {figure}: {value:,.3f} {inside} the headline band {low:,.3f} to {high:,.3f}")


if __name__ == "__main__":
    main()
