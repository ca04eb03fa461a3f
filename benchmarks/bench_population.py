"""Benchmark: a synthetic population of 5,000 clients on Camden, and `carezones population`.

Run from the repository root (needs ../shared/data/osm)::

    python benchmarks/bench_population.py              # 5,000 clients on Camden
    python benchmarks/bench_population.py --n 8000     # more

It prints, measured in this one run:

1. the time to load Camden's networks (first time, then from the cache), to generate
   5,000 clients (21,000 hours a week, as a metropolitan borough), 900 carers and 8
   providers (target: under 30 s), to check them with the readers, to expand a week of
   visits and to snap everyone to every mode's network;
2. the wall-clock time of ``carezones population --network rutland-latest.osm.pbf
   --clients 800 --carers 150`` as a subprocess (interpreter start-up, a fresh network
   cache, writing GeoPackages), again with the networks cached, and of reading its files
   back.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import carezones as cz
from carezones import datasets
from carezones.exceptions import ValidationError


def timed(label: str, func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"  {label:<52s} {time.perf_counter() - t0:7.2f} s")
    return out


def camden(n: int, cache: str) -> None:
    path = datasets.shared_osm_path("camden")
    print(f"Camden ({path.name}), {n:,} clients, 21,000 h/week, 900 carers, 8 providers")
    timed("load networks (walk, cycle, drive), empty cache", cz.load_network, path, cache_dir=cache)
    net = timed("load networks again (cached)", cz.load_network, path, cache_dir=cache)
    clients, carers, providers = timed(
        f"synthetic_population: {n:,} clients (target < 30 s)",
        datasets.synthetic_population,
        net, n_clients=n, n_carers=900, n_providers=8, total_weekly_hours=21_000, random_state=0,
    )  # fmt: skip
    timed(
        "same again (buildings read once per process)",
        datasets.synthetic_population,
        net,
        n_clients=n,
        n_carers=900,
        n_providers=8,
        total_weekly_hours=21_000,
        random_state=1,
    )
    timed("read_clients (all checks, network area)", cz.read_clients, clients, network=net)
    visits = timed("expand_visits (a week)", cz.expand_visits, clients)
    snapped = timed(
        "snap_population (clients x 3 modes, carers)", cz.snap_population, net, clients, carers
    )
    walk = snapped[(snapped["table"] == "clients") & (snapped["mode"] == "walk")]
    print(
        f"  -> {clients['weekly_hours'].sum():,.0f} h/week, {len(visits):,} visits, "
        f"{(visits['carers_needed'] == 2).mean():.1%} double-handed, "
        f"median client {clients['weekly_hours'].median():.1f} h; walk snap max "
        f"{walk['snap_distance_m'].max():.0f} m, {int(snapped['far'].sum())} far points; "
        f"carers {carers['mode'].value_counts().to_dict()}; {len(providers)} providers"
    )


def rutland_cli(cache: str) -> None:
    print("carezones population --network rutland-latest.osm.pbf --clients 800 --carers 150")
    with tempfile.TemporaryDirectory() as out:
        cli = "from carezones.cli import main; main()"
        args = ["population", "--network", "rutland-latest.osm.pbf", "--clients", "800"]
        cmd = [sys.executable, "-c", cli, *args, "--carers", "150", "--out", out]
        env = os.environ | {"CAREZONES_CACHE_DIR": cache}
        for label in (
            "the command (subprocess, fresh cache)",
            "the command again (cached networks)",
        ):
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            print(f"  {label:<52s} {time.perf_counter() - t0:7.2f} s")
            if done.returncode != 0:
                print(done.stdout, done.stderr)
                raise SystemExit(done.returncode)
        print("  " + done.stdout.strip().splitlines()[-4])
        t0 = time.perf_counter()
        providers = cz.read_providers(Path(out) / "providers.gpkg")
        clients = cz.read_clients(Path(out) / "clients.gpkg", providers=providers)
        carers = cz.read_carers(Path(out) / "carers.gpkg", providers=providers)
        print(
            f"  {'read the three files back (all checks)':<52s} {time.perf_counter() - t0:7.2f} s"
        )
        print(f"  -> {len(clients)} clients, {len(carers)} carers, {len(providers)} providers read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="clients on Camden")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory() as cache:
            camden(args.n, cache)
        with tempfile.TemporaryDirectory() as cache:
            rutland_cli(cache)
    except ValidationError as exc:
        raise SystemExit(f"shared data needed: {exc}") from None


if __name__ == "__main__":
    main()
