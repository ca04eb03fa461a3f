"""Benchmark: network loading per mode and travel-time matrices against networkx.

Run from the repository root (needs ../shared/data/osm)::

    python benchmarks/bench_network.py                 # Rutland and Camden, 500/2,000/5,000 points
    python benchmarks/bench_network.py --quick         # Camden only, 500 and 2,000 points

For each extract it prints, measured in this one run on this machine:

- load time per mode, first (empty cache) and cached, and all three modes together;
- node and edge counts per mode;
- walking matrix time for N random points x the same N points, without a cutoff and with a
  30-minute cutoff, beside networkx (one single-source Dijkstra per distinct origin node) on
  the same points, and the largest difference between the two (seconds).

networkx is run on every source up to ``--networkx-max-sources``; above that it is timed on a
random sample of that many sources and scaled up, and the table says so ("est.").
Results are also written as JSON to ``benchmarks/results/network.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np

import carezones as cz
from carezones import datasets
from carezones.network import MODES

CUTOFF_S = 30 * 60


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Return (result, seconds)."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def bench_loading(path: Path, repeats: int) -> tuple[dict, cz.TravelNetwork]:
    rows: dict = {"per_mode": {}}
    for mode in MODES:
        first, cached = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as cache:
                net, t = timed(cz.load_network, path, modes=mode, cache_dir=cache)
                first.append(t)
                _, t = timed(cz.load_network, path, modes=mode, cache_dir=cache)
                cached.append(t)
        rows["per_mode"][mode] = {
            "first_s": statistics.median(first),
            "cached_s": statistics.median(cached),
            "nodes": len(net.nodes[mode]),
            "edges": len(net.edges[mode]),
            "km": float(net.edges[mode]["length"].sum() / 1000),
        }
    first, cached = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            net, t = timed(cz.load_network, path, cache_dir=cache)
            first.append(t)
            again, t = timed(cz.load_network, path, cache_dir=cache)
            cached.append(t)
            _, t_graphs = timed(lambda n=again: n.graphs)
    rows["all_modes"] = {
        "first_s": statistics.median(first),
        "cached_s": statistics.median(cached),
        "cached_plus_networkx_graphs_s": statistics.median(cached) + t_graphs,
    }
    return rows, net


def random_points(net: cz.TravelNetwork, n: int, rng: np.random.Generator) -> gpd.GeoSeries:
    """``n`` points scattered up to ~30 m around random walking-network nodes."""
    nodes = net.nodes["walk"]
    pick = rng.choice(len(nodes), size=n)
    x = nodes["x"].to_numpy()[pick] + rng.normal(0, 15, n)
    y = nodes["y"].to_numpy()[pick] + rng.normal(0, 15, n)
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs=net.crs)


def networkx_matrix(
    graph: nx.MultiDiGraph, snapped: cz.Snapped, sources: np.ndarray, cutoff: float | None
) -> tuple[np.ndarray, float]:
    """Network times by networkx from ``sources`` (row positions) to every point, and the time."""
    out = np.full((len(sources), len(snapped)), np.inf)
    t0 = time.perf_counter()
    cache: dict[int, dict] = {}
    for row, i in enumerate(sources):
        src = int(snapped.node[i])
        if src not in cache:
            cache[src] = nx.single_source_dijkstra_path_length(
                graph, src, cutoff=cutoff, weight="travel_time"
            )
        lengths = cache[src]
        out[row] = [lengths.get(int(v), np.inf) for v in snapped.node]
    return out, time.perf_counter() - t0


def bench_matrices(
    net: cz.TravelNetwork, sizes: list[int], nx_max: int, rng: np.random.Generator
) -> list[dict]:
    graph = net.graphs["walk"]
    rows = []
    for n in sizes:
        pts = random_points(net, n, rng)
        snapped, t_snap = timed(cz.snap_points, net, pts, mode="walk")
        ours, t_full = timed(cz.travel_time_matrix, net, snapped, far="keep")
        cut, t_cut = timed(cz.travel_time_matrix, net, snapped, cutoff=CUTOFF_S, far="keep")
        sample = n <= nx_max
        sources = np.arange(n) if sample else rng.choice(n, size=nx_max, replace=False)
        scale = n / len(sources)
        ref, t_nx = networkx_matrix(graph, snapped, sources, None)
        ref_cut, t_nx_cut = networkx_matrix(graph, snapped, sources, CUTOFF_S)
        # Compare network parts: ours minus the snap seconds at both ends.
        extra = snapped.seconds[sources][:, None] + snapped.seconds[None, :]
        mine = ours[sources] - extra
        off_diag = sources[:, None] != np.arange(n)[None, :]
        diff = float(np.max(np.abs(mine - ref)[off_diag]))
        cut_net = cut[sources] - extra
        finite = np.isfinite(ref_cut) & off_diag & (ref_cut + extra <= CUTOFF_S)
        with np.errstate(invalid="ignore"):
            gap = np.abs(cut_net - ref_cut)
        diff_cut = float(np.max(gap[finite])) if finite.any() else 0.0
        rows.append(
            {
                "points": n,
                "snap_s": t_snap,
                "matrix_s": t_full,
                "matrix_cutoff_s": t_cut,
                "networkx_s": t_nx * scale,
                "networkx_cutoff_s": t_nx_cut * scale,
                "networkx_estimated": not sample,
                "networkx_sources_run": len(sources),
                "speedup": t_nx * scale / t_full,
                "speedup_cutoff": t_nx_cut * scale / t_cut,
                "max_abs_diff_s": diff,
                "max_abs_diff_cutoff_s": diff_cut,
                "finite_share_cutoff": float(np.isfinite(cut).mean()),
            }
        )
        r = rows[-1]
        est = " (est.)" if not sample else ""
        print(
            f"  {n:>5} x {n:<5} ours {t_full:6.2f} s | cutoff {t_cut:6.2f} s | "
            f"networkx {r['networkx_s']:7.1f} s{est} | "
            f"cutoff {r['networkx_cutoff_s']:7.1f} s{est} | "
            f"speed-up {r['speedup']:5.1f}x / {r['speedup_cutoff']:5.1f}x | "
            f"max diff {diff:.1e} s",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extracts", nargs="+", default=["rutland", "camden"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 2000, 5000])
    parser.add_argument("--networkx-max-sources", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3, help="load timings: median of this many")
    parser.add_argument("--quick", action="store_true", help="Camden only, 500 and 2,000 points")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/network.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.extracts, args.sizes, args.repeats = ["camden"], [500, 2000], 1
    rng = np.random.default_rng(args.seed)
    results = {}
    for name in args.extracts:
        try:
            path = datasets.shared_osm_path(name)
        except cz.ValidationError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        print(f"\n== {name} ({path.name}) ==", flush=True)
        loading, net = bench_loading(path, args.repeats)
        print(f"  {'mode':<6} {'nodes':>7} {'edges':>7} {'km':>8} {'first s':>8} {'cached s':>9}")
        for mode, r in loading["per_mode"].items():
            print(
                f"  {mode:<6} {r['nodes']:>7} {r['edges']:>7} {r['km']:>8.1f} "
                f"{r['first_s']:>8.2f} {r['cached_s']:>9.2f}"
            )
        a = loading["all_modes"]
        print(
            f"  all three modes: first {a['first_s']:.2f} s, cached {a['cached_s']:.2f} s "
            f"(+ networkx graphs: {a['cached_plus_networkx_graphs_s']:.2f} s)"
        )
        print("  walking travel-time matrices (N random points x the same N):")
        matrices = bench_matrices(net, args.sizes, args.networkx_max_sources, rng)
        results[name] = {"loading": loading, "matrices": matrices}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
