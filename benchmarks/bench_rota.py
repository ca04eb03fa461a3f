"""Benchmark: a 4-week rota of 2,000 Camden clients imported and scored.

Run from the repository root (needs ../shared/data/osm)::

    python benchmarks/bench_rota.py                     # 2,000 clients, 4 weeks
    python benchmarks/bench_rota.py --clients 500 --weeks 1

A synthetic population (:func:`carezones.datasets.synthetic_population`: 2,000 clients,
21,000 care hours a week, 1,000 carers of 30 providers, the "then" market of the Wigan
case) is put on Camden's real streets; :func:`carezones.rota.synthetic_rota` plans the
clients' weekly patterns onto carers of their provider and replays each carer's day with
noise on the actual times (drifting starts that carry on through the day, visits cut
short or overrunning, a few missed or not logged out). The rota is written as a
call-monitoring CSV export (UK dates, ``dd/mm/yyyy HH:MM``), then read back with
:func:`carezones.rota.read_rota` (every row checked against the clients and carers) and
scored with :func:`carezones.rota.score_rota` (network travel per carer mode, the
independent validator on every date, outcomes).

It prints the time of each step, measured in this one run (the machine's 2 cores may be
shared), the target (import + score under 60 s) and the score's summary.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from carezones import datasets, load_network
from carezones.rota import read_rota, score_rota, synthetic_rota

TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--carers", type=int, default=1000)
    parser.add_argument("--providers", type=int, default=30)
    parser.add_argument("--hours", type=float, default=21000.0, help="care hours a week")
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        path = datasets.shared_osm_path("camden")
    except Exception as exc:  # the shared folder is absent
        print(f"skipped: {exc}")
        return 0
    t = time.perf_counter()
    net = load_network(path)
    t_net = time.perf_counter() - t
    t = time.perf_counter()
    scale = args.clients / 2000.0
    clients, carers, _ = datasets.synthetic_population(
        net,
        n_clients=args.clients,
        n_carers=args.carers,
        n_providers=args.providers,
        total_weekly_hours=args.hours * scale,
        random_state=args.seed,
    )
    t_pop = time.perf_counter() - t
    t = time.perf_counter()
    rota = synthetic_rota(clients, carers, weeks=args.weeks, random_state=args.seed)
    t_gen = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "ecm_export.csv"
        t = time.perf_counter()
        rota.to_csv(csv, index=False, date_format="%d/%m/%Y %H:%M")
        t_write = time.perf_counter() - t
        size_mb = csv.stat().st_size / 1e6
        t = time.perf_counter()
        table = read_rota(csv, clients=clients, carers=carers)
        t_read = time.perf_counter() - t
    t = time.perf_counter()
    score = score_rota(table, network=net, clients=clients, carers=carers)
    t_score = time.perf_counter() - t
    total = t_read + t_score
    modes = carers["mode"].value_counts().to_dict()
    print(f"Camden ({path.name}), seed {args.seed}")
    print(
        f"  population: {len(clients):,} clients, {clients['weekly_hours'].sum():,.0f} h/week, "
        f"{len(carers):,} carers ({', '.join(f'{m} {n}' for m, n in modes.items())}), "
        f"{args.providers} providers"
    )
    print(
        f"  rota: {len(rota):,} rows ({table['visit_id'].nunique():,} visits) over "
        f"{args.weeks} week(s), CSV {size_mb:.1f} MB"
    )
    print("Times (s)")
    print(f"  load network (all modes):   {t_net:6.1f}")
    print(f"  synthetic population:       {t_pop:6.1f}")
    print(f"  synthetic rota:             {t_gen:6.1f}")
    print(f"  write CSV:                  {t_write:6.1f}")
    print(f"  import (read_rota):         {t_read:6.1f}")
    print(
        f"  score (score_rota):         {t_score:6.1f}   of which rebuild + travel "
        f"{score.extra['rebuild_seconds']:.1f}, validator {score.extra['validate_seconds']:.1f}"
    )
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(
        f"  import + score:             {total:6.1f}   target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print()
    print(score)
    print()
    print(score.table()[["value", "unit"]].to_string(float_format=lambda x: f"{x:,.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
