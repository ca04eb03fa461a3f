"""Make the reference of the routing benchmark's part (e): ``routing_reference.csv``.

Issue 29 measures carezones' route search on generated instances of the published
home-health-care class (:func:`carezones.routing.instances.linked_instance`; 5 instances
at each of 10, 25, 50, 100, 200 and 300 visits) against a reference per instance: the
exact optimum where the MIP (:mod:`carezones.routing.exact`) proves one, else the best of
the search before issue 29 ("old") and after it ("new") at 10 minutes, one seed each.
The 60-second runs of the old search are kept too (the new one must beat them at 200
and 300 visits).

Each run is one row appended to the CSV as soon as it ends, so the script can be
stopped and started again: it skips every (version, seconds, n, seed) already there.
Runs go one at a time (the machine has 2 cores; the load average is recorded with
every row). The old search is run from another source tree through ``PYTHONPATH``::

    python benchmarks/routing_reference.py --version exact --sizes 10 25
    python benchmarks/routing_reference.py --version old --src ../base/src --seconds 60
    python benchmarks/routing_reference.py --version old --src ../base/src --seconds 600
    python benchmarks/routing_reference.py --version new --seconds 600
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "routing_reference.csv")
FIELDS = ["version", "seconds", "n", "seed", "objective", "status", "valid", "ls_iterations",
          "pyvrp_iterations", "wall", "load", "date"]  # fmt: skip


def done(path: str) -> set[tuple[str, float, int, int]]:
    """The runs already in the CSV."""
    if not os.path.exists(path):
        return set()
    with open(path, newline="") as f:
        return {(r["version"], float(r["seconds"]), int(r["n"]), int(r["seed"]))
                for r in csv.DictReader(f)}  # fmt: skip


def append(path: str, row: dict) -> None:
    """One row, written at once (with the header if the file is new)."""
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerow({k: row.get(k, "") for k in FIELDS})


def run_search(src: str | None, n: int, seed: int, seconds: float) -> dict:
    """One solve in a fresh process, with ``src`` first on the path (the old code)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.path.abspath(src)
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "bench_routing.py"), "--one", str(n), str(seed),
         str(seconds)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_exact(n: int, seed: int, seconds: float) -> dict:
    """The MIP's verdict on one instance (objective in minutes when it has a plan)."""
    sys.path.insert(0, HERE)
    from bench_routing import instance_29
    from carezones.routing.exact import exact_optimum

    t0 = time.perf_counter()
    got = exact_optimum(instance_29(n, seed), time_limit=seconds)
    wall = round(time.perf_counter() - t0, 1)
    return {"objective": round(got.objective / 60, 3), "status": got.status, "wall": wall,
            "load": round(os.getloadavg()[0], 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", choices=["old", "new", "exact"], required=True)
    parser.add_argument("--src", default=None, help="source tree of that version (PYTHONPATH)")
    parser.add_argument("--seconds", type=float, default=600.0, help="per run (exact: limit)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 100, 200, 300])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--csv", default=CSV)
    args = parser.parse_args()
    have = done(args.csv)
    for n in args.sizes:
        for seed in args.seeds:
            key = (args.version, float(args.seconds), n, seed)
            if key in have:
                continue
            if args.version == "exact":
                row = run_exact(n, seed, args.seconds)
            else:
                row = run_search(args.src, n, seed, args.seconds)
                row["status"] = "valid" if row["valid"] else "INVALID"
            row.update(version=args.version, seconds=args.seconds, n=n, seed=seed,
                       date=dt.date.today().isoformat())  # fmt: skip
            append(args.csv, row)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
