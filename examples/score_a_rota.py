r"""Score a rota: today's visits, rebuilt as routes on the network and checked.

A provider's call-monitoring export (one row per carer per visit: planned and actual start
and end) is read, each carer's day rebuilt as a route on the travel network, and every
rule checked: late or short visits, missed calls, a carer in two places at once, double-ups
not together, shifts and skills. By default the rota is a synthetic one (a week, 60
clients, 30 carers on the bundled central-Helsinki extract; no real person), first written
as a CSV export with UK dates as a provider's system would; a few seconds.

    python examples/score_a_rota.py --out rota
    python examples/score_a_rota.py --rota export.xlsx --clients clients.csv \\
        --carers carers.csv --osm borough.osm.pbf --out rota

Writes to ``--out``: ``summary.json`` (the outcomes), ``violations.csv`` (one row per rule
broken: date, rule, carer, visit, client, detail), ``carer_days.csv``, ``continuity.csv``
(distinct carers per client per week) and, for the synthetic rota, ``rota_export.csv``.
No file holds a location.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import carezones as cz
from carezones import datasets
from carezones.rota import synthetic_rota


def main(argv: list[str] | None = None) -> None:
    """Read (or make) a rota, score it and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("rota"), help="Output folder.")
    parser.add_argument("--rota", type=Path, help="A rota export (CSV or Excel).")
    parser.add_argument("--clients", type=Path, help="Clients file (with --rota).")
    parser.add_argument("--carers", type=Path, help="Carers file (with --rota).")
    parser.add_argument("--osm", type=Path, help="OSM extract; default the bundled Helsinki.")
    parser.add_argument("--weeks", type=int, default=1, help="Weeks of synthetic rota.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed.")
    args = parser.parse_args(argv)
    if args.rota is not None and (args.clients is None or args.carers is None):
        parser.error("--rota needs --clients and --carers")

    source = args.osm or datasets.default_osm_path()
    print(f"[1/3] Networks of {source.name} (© OpenStreetMap contributors)", flush=True)
    net = cz.load_network(source)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.rota is not None:
        clients = cz.read_clients(args.clients, network=net)
        carers = cz.read_carers(args.carers, network=net)
        export = args.rota
    else:
        clients, carers, _ = datasets.synthetic_population(
            net, n_clients=60, n_carers=30, n_providers=2, random_state=args.seed
        )
        export = args.out / "rota_export.csv"
        rota = synthetic_rota(clients, carers, weeks=args.weeks, random_state=args.seed)
        rota.to_csv(export, index=False, date_format="%d/%m/%Y %H:%M")

    print(f"[2/3] Reading {export.name}", flush=True)
    table = cz.read_rota(export, clients=clients, carers=carers)
    print(f"      {table['visit_id'].nunique():,} visits, {table['carer_id'].nunique()} carers, "
          f"{table['date'].min():%d %b %Y} to {table['date'].max():%d %b %Y}")  # fmt: skip

    print("[3/3] Rebuilding each carer's day and checking it", flush=True)
    score = cz.score_rota(table, network=net, clients=clients, carers=carers)
    print(score)
    summary = {k: (None if isinstance(v, float) and math.isnan(v) else v)
               for k, v in score.summary().items()}  # fmt: skip
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1, default=float))
    score.violations.to_csv(args.out / "violations.csv", index=False)
    score.carer_days.to_csv(args.out / "carer_days.csv", index=False)
    score.continuity.to_csv(args.out / "continuity.csv", index=False)
    print(f"\nWritten to {args.out.resolve()}: summary.json, violations.csv, carer_days.csv, "
          "continuity.csv")  # fmt: skip


if __name__ == "__main__":
    main()
