"""Benchmark carezones' care routing.

Run ``python benchmarks/bench_routing.py`` (about 8 minutes) or ``--quick`` (about 3
minutes: fewer plain instances, shorter budgets). Needs the shared extracts in
``../shared/data/osm`` for (b) and (c). The machine's 2 cores may be shared with other
work: the load average is printed with every timing.

(a) Quality on plain time-window instances against PyVRP used directly, same instance,
    same time budget, same seed: Solomon-like instances (a central depot, 100 or 200
    clients uniform on a 100 x 100 square, Euclidean distances x 10 rounded, service 100,
    windows of 300 to 1,200 around a feasible time, 25 vehicles, no capacity). Target: gap
    under 1%.
(b) A Camden zone-day: synthetic clients and carers on the real Camden networks
    (:func:`carezones.datasets.synthetic_population`, 2,000 clients totalling 21,000 h/week,
    18 zones of at least 1,000 h/week drawn by :class:`carezones.zoning.NeighbourhoodZoner`),
    Monday in a zone with 150-250 visits, 25 of its carers working that day, 10-15% of the
    visits double-handed. Targets: under 30 s from tables to routes (matrices included)
    and no validator violation. Side by side: PyVRP alone on the same data (both halves of
    a double-handed visit as two independent visits) and how many pairs it leaves apart;
    and (full run) the same zone-day with every visit single-handed, where PyVRP alone's
    plan is valid: visits served and travel minutes, like for like.
(c) A whole borough day: all 18 zones' Monday visits (about 4,000) with every carer
    working that day (by home), zones in parallel on 2 processes. Target: under 5 minutes.
(d) Linked visits (issue 16): generated instances of the published home-health-care class
    with interdependent services (:func:`carezones.routing.instances.linked_instance`: 10 to
    300 visits on a 100 x 100 square, one depot or carers' homes, a third of the clients
    with a linked pair, half simultaneous with each half's own qualification, half ordered
    with a minimum and a maximum gap, soft windows; objective = travel + total lateness +
    largest lateness, minutes). carezones at ``--seconds`` (60) each against PyVRP with the
    links ignored (its plan on time windows alone: visits it serves, links it breaks) and
    against the exact optimum (a MIP with HiGHS, ``carezones.routing.exact``) where it is
    proven within two minutes; every plan of ours through the validator. Run it alone with
    ``--only d`` (``--sizes 10 25 50``, ``--seeds 2``).
(e) Issue 29, the search at 200-300 visits: the same class, ``--instances`` (5) instances
    at each of ``--sizes`` (10 to 300 visits; even seeds at one depot, odd ones from
    carers' homes), ``--seconds`` (60) each; the mean gap per size to the reference in
    ``routing_reference.csv`` (per instance: the exact optimum where the MIP proves one,
    else the best of the search before issue 29 and after it at 10 minutes, one seed each).
    Targets: mean gap <= 0.5% at 10-50 visits and <= 2% at 100-300; at 200-300 visits
    better than the search before issue 29 at the same seconds on every instance. Every
    plan through the validator. ``--speed SECONDS`` first times the local search alone
    (iterations per CPU second) from one start per size. The reference is made, and
    resumed, run by run: ``--make-reference exact --seconds 600 --sizes 10 25``,
    ``--make-reference old --src ../base/src --seconds 60``, then ``old`` and ``new`` at
    ``--seconds 600``. Run it alone with ``--only e``; ``--searches 2`` gives each solve
    two searches side by side, one a core (``solve(searches=2)``: the better plan kept),
    against the old search's one (then run nothing else beside it).

(f) Issue 29, a Camden zone-day: the busiest zone of the README's "now" (the scenario
    ``examples/now.toml``: its zones, carers and visits, its routing rules and prices) on
    Monday, the whole day, solved at 60 s and at 10 s (``--seconds-f``) by the search of
    issue 29 (small moves under annealing, on a time budget) and by the search before it
    (ruin and recreate alone, ``SearchParams(moves=0)``, on today's schedule engine: the
    code before issue 29 read windows otherwise, so it cannot plan the same day): travel
    and lateness minutes, carers per client, the objective (which prices each carer new
    to a client at the scenario's continuity price), visits left and validator findings.
    Run it alone with ``--only f`` (about 4 minutes: the scenario's zones and staffing,
    then four solves).

``--tune CPU_SECONDS`` is the tuning run of the search's settings
(:class:`carezones.routing.search.repair.SearchParams`): the local search alone from one
start per instance, every setting of ``--grid`` (JSON) for the same CPU seconds.
``--tune-pyvrp SECONDS`` is the tuning run of PyVRP's settings
(:data:`carezones.routing.vrp.PYVRP_PARAMS`): the whole solve at SECONDS on the
``--instances`` instances of each of ``--sizes``, every setting of ``--grid`` (JSON: objects
with the sections ``ils``, ``penalty``, ``neighbourhood``, ``perturbation`` of PyVRP's
``SolveParams``), two runs at a time in fresh processes; the mean gap of each setting to the
reference of (e).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time
import types
from itertools import pairwise
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

try:
    from carezones.routing import Budget
except ImportError:  # the code before issue 24, run by --make-reference old through --src
    Budget = None

TARGET_GAP = 1.0
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TARGET_ZONE_SECONDS = 30.0
TARGET_BOROUGH_SECONDS = 300.0
#: The settings of ``--tune`` (fields of ``carezones.routing.search.repair.SearchParams``).
TUNING_GRID: list[dict[str, Any]] = [
    {"moves": moves, "temperature": temp} for moves in (0, 15, 40) for temp in (0.02, 0.1, 0.4)
]

#: The settings of ``--tune-pyvrp`` (sections of PyVRP's ``SolveParams``; {} its defaults).
PYVRP_GRID: list[dict[str, Any]] = [
    {},
    {"neighbourhood": {"num_neighbours": 25}},
    {"perturbation": {"max_perturbations": 10}},
    {"neighbourhood": {"num_neighbours": 25}, "perturbation": {"max_perturbations": 10}},
    {"perturbation": {"max_perturbations": 40}},
    {"ils": {"history_length": 1000}},
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


# ---------------------------------------------------------------------------- (a)


def solomon_like(n: int, seed: int) -> dict[str, Any]:
    """A plain VRPTW instance: coordinates, integer distances, windows, horizon."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[50.0, 50.0], rng.uniform(0, 100, size=(n, 2))])
    d = np.rint(10 * np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(
        np.int64
    )
    horizon = 10_000
    service = 100
    centre = rng.uniform(d[0, 1:], horizon - d[1:, 0] - service)
    half = rng.choice([150, 300, 600], size=n)
    ws = np.maximum(0, centre - half).astype(np.int64)
    we = np.minimum(horizon - d[1:, 0] - service, centre + half).astype(np.int64)
    return {
        "xy": xy,
        "d": d,
        "ws": ws,
        "we": we,
        "horizon": horizon,
        "service": service,
        "fleet": 25,
    }


def pyvrp_direct(inst: dict[str, Any], seconds: float, seed: int) -> tuple[float, bool]:
    """PyVRP's own modelling interface on the instance."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    xy, d = inst["xy"], inst["d"]
    locs = [m.add_location(x=float(x), y=float(y)) for x, y in xy]
    m.add_depot(locs[0], tw_early=0, tw_late=inst["horizon"])
    m.add_vehicle_type(num_available=inst["fleet"], tw_early=0, tw_late=inst["horizon"])
    for i in range(1, len(xy)):
        m.add_client(
            locs[i],
            service_duration=inst["service"],
            tw_early=int(inst["ws"][i - 1]),
            tw_late=int(inst["we"][i - 1]),
        )
    for i in range(len(xy)):
        for j in range(len(xy)):
            if i != j:
                m.add_edge(locs[i], locs[j], distance=int(d[i, j]), duration=int(d[i, j]))
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    return result.cost(), result.is_feasible()


def ours(inst: dict[str, Any], seconds: float, seed: int) -> tuple[float, int]:
    """The carezones core on the same instance (one carer per vehicle, all at the depot)."""
    from carezones.routing import RoutingModel, RoutingParams, solve

    m = RoutingModel()
    locs = [m.add_location(x=float(x), y=float(y)) for x, y in inst["xy"]]
    p = m.add_profile(inst["d"])
    for _ in range(inst["fleet"]):
        m.add_carer(locs[0], profile=p, shift_start=0, shift_end=inst["horizon"])
    for i in range(1, len(locs)):
        m.add_visit(
            locs[i],
            window_start=int(inst["ws"][i - 1]),
            window_end=int(inst["we"][i - 1]),
            duration=inst["service"],
        )
    result = solve(
        m.compile(RoutingParams(continuity_penalty=0, start_step=1)),
        budget=Budget(max_iterations=None, max_seconds=seconds),
        random_state=seed,
    )
    return float(result.travel_seconds), len(result.unscheduled)


def bench_plain(quick: bool) -> bool:
    sizes = [100] if quick else [100, 200]
    seeds = [0, 1] if quick else [0, 1, 2]
    seconds = 5.0 if quick else 10.0
    print(
        f"\n(a) Plain time-window instances, PyVRP directly vs carezones, {seconds:.0f} s each "
        f"({load()})"
    )
    rows = []
    for n in sizes:
        for seed in seeds:
            inst = solomon_like(n, seed)
            base, feasible = pyvrp_direct(inst, seconds, seed)
            mine, unscheduled = ours(inst, seconds, seed)
            gap = 100 * (mine - base) / base
            rows.append(
                {
                    "instance": f"R{n}-{seed}",
                    "pyvrp": base,
                    "pyvrp_feasible": feasible,
                    "carezones": mine,
                    "unscheduled": unscheduled,
                    "gap_%": round(gap, 2),
                }
            )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    ok = bool((table["gap_%"] < TARGET_GAP).all() and (table["unscheduled"] == 0).all())
    print(
        f"   mean gap {table['gap_%'].mean():.2f}%, worst {table['gap_%'].max():.2f}% "
        f"-> {'PASS' if ok else 'FAIL'} (every gap < {TARGET_GAP}%)"
    )
    return ok


# ---------------------------------------------------------------------------- Camden data


def camden(seed: int = 0) -> dict[str, Any]:
    """Camden networks, a synthetic population, 18 zones and Monday's visits."""
    from carezones import datasets, load_network
    from carezones.demand import expand_visits
    from carezones.zoning import NeighbourhoodZoner

    t0 = time.perf_counter()
    net = load_network(datasets.shared_osm_path("camden"))
    clients, carers, _ = datasets.synthetic_population(
        net,
        n_clients=2000,
        n_carers=800,
        n_providers=8,
        total_weekly_hours=21_000,
        random_state=seed,
    )
    zoner = NeighbourhoodZoner(1000, n_zones=18, n_init=1, random_state=seed)
    zoner.fit(clients, network=net)
    clients = clients.assign(zone_id=clients["client_id"].map(zoner.labels_))
    visits = expand_visits(clients, days="monday")
    visits["zone_id"] = visits["client_id"].map(clients.set_index("client_id")["zone_id"])
    working = staff(carers[carers["days"].str.contains("monday")], visits, zoner.zones_)
    print(
        f"   Camden: networks, 2,000 clients ({clients['weekly_hours'].sum():,.0f} h/week), "
        f"800 carers and 18 zones in {time.perf_counter() - t0:.1f} s; "
        f"Monday: {len(visits):,} visits, "
        f"{(visits['carers_needed'] == 2).mean():.1%} double-handed, {len(working)} carers working"
    )
    return {
        "net": net,
        "clients": clients,
        "carers": working,
        "visits": visits,
        "zones": zoner.zones_,
    }


def staff(
    carers: gpd.GeoDataFrame, visits: pd.DataFrame, zones: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Give each zone the nearest working carers until their hours cover its demand.

    A zone needs its visits' carer-hours (double-handed counted twice) plus a quarter for
    travel; a carer brings 90% of their maximum minutes; carers go to the nearest zone
    still short (by home to zone polygon), the rest to their nearest zone.
    """
    need = (
        (visits["duration"] * visits["carers_needed"]).groupby(visits["zone_id"]).sum() / 60 * 1.25
    )
    zones = zones.set_index("zone_id").loc[need.index]
    dist = np.column_stack([carers.geometry.distance(g).to_numpy() for g in zones.geometry])
    order = np.dstack(np.unravel_index(np.argsort(dist, axis=None), dist.shape))[0]
    left = need.to_numpy(float).copy()
    zone = np.full(len(carers), -1)
    hours = carers["max_minutes"].to_numpy(float) / 60 * 0.9
    for i, j in order:
        if zone[i] < 0 and left[j] > 0:
            zone[i] = j
            left[j] -= hours[i]
    zone[zone < 0] = dist[zone < 0].argmin(axis=1)
    return carers.assign(zone_id=np.asarray(need.index)[zone])


# ---------------------------------------------------------------------------- (b)


def pyvrp_alone(problem: Any, seconds: float, seed: int) -> dict[str, Any]:
    """PyVRP on the same data, double-handed halves independent: how many pairs break."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from carezones.routing import vrp as _vrp

    inst = _vrp.instance(problem, _vrp.screen(problem))
    vrp = _vrp.pyvrp_data(problem, inst)
    res = pyvrp.solve(vrp.data, MaxRuntime(seconds), seed=seed, display=False, collect_stats=False)
    start = {}
    travel = 0
    routes = _vrp.pyvrp_routes(vrp, res.best, problem.n_carers)
    for route in res.best.routes():
        for a in route.schedule():
            if a.is_client():
                start[vrp.task_of_client[a.idx]] = a.start_time
    for c, seq in enumerate(routes):  # travel seconds (PyVRP's distances hold continuity too)
        home = int(problem.carer_home[c])
        stops = [home, *(inst.t_loc[t] for t in seq), home]
        if seq:
            table = problem.durations[int(problem.carer_profile[c])]
            travel += sum(int(table[a, b]) for a, b in pairwise(stops))
    dh = [ts for ts in inst.v_tasks if len(ts) == 2]
    both = [ts for ts in dh if ts[0] in start and ts[1] in start]
    apart = sum(1 for a, b in both if start[a] != start[b])
    return {
        "served_tasks": len(start),
        "tasks": inst.n_tasks,
        "double": len(dh),
        "double_served": len(both),
        "double_apart": apart,
        "travel_min": travel / 60,
    }


def bench_zone(data: dict[str, Any], quick: bool) -> bool:
    from carezones.routing import build_problem, solve

    visits, carers = data["visits"], data["carers"]
    counts = visits.groupby("zone_id").size()
    double = visits.groupby("zone_id")["carers_needed"].apply(lambda c: (c == 2).mean())
    staffed = carers.groupby("zone_id").size().reindex(counts.index).fillna(0)
    fits = (counts >= 150) & (counts <= 250) & (double >= 0.10) & (double <= 0.15) & (staffed >= 15)
    pool = counts[fits] if fits.any() else counts[(counts >= 150) & (counts <= 250)]
    zone = pool.index[np.argmin(pool.to_numpy())]  # the best staffed by 25 carers
    zv = visits[visits["zone_id"] == zone]
    zc = carers[carers["zone_id"] == zone]
    zc = zc.sample(25, random_state=0) if len(zc) > 25 else zc
    seconds = 15.0 if quick else 20.0
    print(
        f"\n(b) Camden zone-day: zone {zone}, Monday, {len(zv)} visits "
        f"({(zv['carers_needed'] == 2).mean():.1%} double-handed), {len(zc)} carers "
        f"({', '.join(f'{k} {v}' for k, v in zc['mode'].value_counts().items())}); "
        f"budget {seconds:.0f} s ({load()})"
    )
    t0 = time.perf_counter()
    problem = build_problem(zv, zc, data["net"], clients=data["clients"])
    t_build = time.perf_counter() - t0
    result = solve(problem, budget=Budget(max_iterations=None, max_seconds=seconds), random_state=0)
    total = time.perf_counter() - t0
    t1 = time.perf_counter()
    violations = result.validate()
    t_val = time.perf_counter() - t1
    alone = pyvrp_alone(problem, result.runtime, 0)
    s = result.summary()
    dh_done = result.routes[result.routes["carers_needed"] == 2]["visit_id"].nunique()
    print(
        f"   matrices {t_build:.1f} s + solve {result.runtime:.1f} s = {total:.1f} s "
        f"(PyVRP {result.iterations} iterations, then {result.local_search_iterations} "
        f"ruin-and-recreate); validator {t_val:.1f} s"
    )
    side = pd.DataFrame(
        {
            "carezones": [
                f"{s['n_scheduled']}/{s['n_visits']}",
                f"{dh_done}/{alone['double']}",
                "0",
                f"{s['travel_minutes']:.0f}",
                f"{len(violations)}",
            ],
            "PyVRP alone": [
                f"{alone['served_tasks']}/{alone['tasks']} halves",
                f"{alone['double_served']}/{alone['double']}",
                f"{alone['double_apart']}",
                f"{alone['travel_min']:.0f}",
                "-",
            ],
        },
        index=[
            "visits scheduled",
            "double-handed scheduled",
            "double-handed pairs apart",
            "travel minutes",
            "validator violations",
        ],
    )
    print(side.to_string())
    print(
        f"   care {s['care_minutes']:.0f} min, travel {s['travel_minutes']:.0f} min, travel/care "
        f"{s['travel_to_care_ratio']:.2f}, legs on foot or bike {s['active_leg_share']:.0%}, "
        f"late {s['late_visits']}, carers per client {s['carers_per_client']:.2f}, "
        f"carers used {s['n_carers_used']}/{s['n_carers']}"
    )
    if len(result.unscheduled):
        print("   unscheduled:", result.unscheduled["reason"].value_counts().to_dict())
    if len(violations):
        print(violations.head(10).to_string())
    if not quick:
        single_handed(problem, seconds)
    ok = total < TARGET_ZONE_SECONDS and violations.empty
    print(
        f"   -> {'PASS' if ok else 'FAIL'} (under {TARGET_ZONE_SECONDS:.0f} s: {total:.1f} s; "
        f"no violations: {len(violations)})"
    )
    return ok


def single_handed(problem: Any, seconds: float) -> None:
    """The same zone-day with every visit single-handed: carezones vs PyVRP alone.

    Without double-handed visits nothing needs synchronising, so PyVRP alone gives a valid
    plan: the like-for-like check of travel and visits served.
    """
    import dataclasses

    from carezones.routing import solve

    one = np.ones_like(problem.carers_needed)
    one.setflags(write=False)
    plain = dataclasses.replace(problem, carers_needed=one)
    result = solve(plain, budget=Budget(max_iterations=None, max_seconds=seconds), random_state=0)
    alone = pyvrp_alone(plain, seconds, 0)
    s = result.summary()
    print(
        f"   same zone-day, every visit single-handed: carezones {s['n_scheduled']} visits, "
        f"{s['travel_minutes']:.0f} travel minutes; PyVRP alone {alone['served_tasks']} visits, "
        f"{alone['travel_min']:.0f} travel minutes ({seconds:.0f} s each)"
    )


# ---------------------------------------------------------------------------- (c)


def bench_borough(data: dict[str, Any], quick: bool) -> bool:
    from carezones.routing import plan_routes

    seconds = 8.0 if quick else 12.0
    visits = data["visits"].drop(columns="zone_id")
    print(
        f"\n(c) Borough day: {len(visits):,} Monday visits in 18 zones, "
        f"{len(data['carers'])} carers, {seconds:.0f} s per zone, 2 processes ({load()})"
    )
    t0 = time.perf_counter()
    plan = plan_routes(
        visits,
        data["carers"],
        data["net"],
        clients=data["clients"],
        zones="zone_id",
        days="monday",
        budget=Budget(max_iterations=None, max_seconds=seconds),
        n_jobs=2,
        random_state=0,
    )
    total = time.perf_counter() - t0
    t1 = time.perf_counter()
    violations = plan.validate()
    t_val = time.perf_counter() - t1
    r = plan.report()
    print(f"   {total:.1f} s for the plan ({load()}); validator {t_val:.1f} s")
    print(
        f"   scheduled {r['scheduled']:,} of {r['visits']:,}; unscheduled {r['unscheduled']:,}: "
        f"{r['unscheduled_reasons']}"
    )
    print(
        f"   care {r['care_minutes'] / 60:,.0f} h, travel {r['travel_minutes'] / 60:,.0f} h, "
        f"travel/care {r['travel_to_care_ratio']:.2f}, late visits {r['late_visits']}, "
        f"validator violations {len(violations)}"
    )
    cols = [
        "zone_id",
        "n_visits",
        "n_unscheduled",
        "n_carers_used",
        "n_carers",
        "travel_to_care_ratio",
        "active_leg_share",
        "runtime_seconds",
    ]
    print(plan.summary[cols].round(2).to_string(index=False))
    ok = total < TARGET_BOROUGH_SECONDS and violations.empty
    print(
        f"   -> {'PASS' if ok else 'FAIL'} (under {TARGET_BOROUGH_SECONDS:.0f} s: {total:.1f} s; "
        f"no violations: {len(violations)})"
    )
    return ok


# ---------------------------------------------------------------------------- (d)


def pyvrp_links_ignored(problem: Any, seconds: float, seed: int) -> dict[str, Any]:
    """PyVRP on the tasks with every link dropped: visits served, links broken, its cost."""
    from dataclasses import replace

    import pyvrp
    from pyvrp.stop import MaxRuntime

    from carezones.routing import vrp as _vrp
    from carezones.routing.search.state import State

    free = replace(problem, links=())
    inst = _vrp.instance(free, _vrp.screen(free))
    data = _vrp.pyvrp_data(free, inst)
    t0 = time.perf_counter()
    res = pyvrp.solve(data.data, MaxRuntime(seconds), seed=seed, display=False,
                      collect_stats=False)  # fmt: skip
    runtime = time.perf_counter() - t0
    routes = _vrp.pyvrp_routes(data, res.best, problem.n_carers)
    state = State(inst, routes)  # our exact schedule of PyVRP's routes (no ties to keep)
    served = {t for seq in routes for t in seq}
    broken = 0
    for link in problem.links:
        a, b = inst.v_tasks[link.first], inst.v_tasks[link.second]
        if not all(t in served for t in (*a, *b)):
            broken += 1
            continue
        gap = state.start[b[0]] - state.start[a[0]]
        same = state.where[a[0]] == state.where[b[0]]
        if not (link.min_gap <= gap <= link.max_gap) or (link.different_carers and same):
            broken += 1
    late = [max(0, state.start[t] - inst.t_due[t]) for t in served]
    return {
        "served": sum(1 for ts in inst.v_tasks if ts and all(t in served for t in ts)),
        "links_broken": broken,
        "objective": (state.cost() - inst.unscheduled_penalty * len(state.unassigned())) / 60,
        "late_min": sum(late) / 60,
        "runtime": runtime,
    }


def bench_linked(sizes: list[int], seeds: int, seconds: float) -> bool:
    """(d) Linked visits: carezones against PyVRP with links ignored and the exact optimum."""
    from carezones.routing import solve
    from carezones.routing.exact import exact_optimum
    from carezones.routing.instances import linked_instance

    print(f"\n(d) linked visits: carezones {seconds:.0f} s each; {load()}")
    print("  n  homes  links | carezones: objective  late   worst  served  valid  s     "
          "| PyVRP links ignored: served  broken  objective "
          "| exact: status   optimum  gap%")  # fmt: skip
    ok = True
    gaps: dict[int, list[float]] = {}
    extra: dict[int, list[float]] = {}  # our objective over PyVRP's with the links ignored
    for n in sizes:
        for seed in range(seeds):
            homes = seed % 2 == 1
            problem = linked_instance(n, homes=homes, random_state=seed)
            r = solve(
                problem, budget=Budget(max_iterations=None, max_seconds=seconds), random_state=0
            )
            valid = r.validate().empty
            ok &= valid and r.unscheduled.empty
            late = r.routes["late"].to_numpy(float) if len(r.routes) else np.zeros(1)
            base = pyvrp_links_ignored(problem, seconds, seed)
            extra.setdefault(n, []).append(100 * (r.objective / 60 / base["objective"] - 1))
            exact = "-"
            gap = np.nan
            if n <= 25:
                ex = exact_optimum(problem, time_limit=120)
                if ex.status == "optimal":
                    gap = max(0.0, 100 * (r.objective - ex.objective) / ex.objective)
                    gaps.setdefault(n, []).append(gap)
                    exact = f"optimal {ex.objective / 60:9.1f} {gap:5.2f}"
                else:
                    exact = f"{ex.status} (bound {ex.bound / 60:.1f})"
            print(
                f"{n:4d}  {'homes' if homes else 'depot'}  {len(problem.links):4d} | "
                f"{r.objective / 60:19.1f} {late.sum():6.0f} {late.max():6.0f} "
                f"{problem.n_visits - len(r.unscheduled):5d}/{problem.n_visits:<4d}"
                f"{'yes' if valid else 'NO':>4s} {r.runtime:5.1f} | "
                f"{base['served']:20d}/{problem.n_visits:<4d} {base['links_broken']:5d} "
                f"{base['objective']:10.1f} | {exact}",
                flush=True,
            )
    for n, values in extra.items():
        print(f"  {n} visits: carezones keeps every link at {np.mean(values):+.1f}% on average "
              "over PyVRP's objective with the links ignored (and broken)")  # fmt: skip
    for n, values in gaps.items():
        print(f"  mean gap to the exact optimum at {n} visits: {np.mean(values):.2f}% "
              f"({sum(g <= 1e-6 for g in values)} of {len(values)} at 0)")  # fmt: skip
    print(f"  every plan served every visit and passed the validator: {'yes' if ok else 'NO'}")
    return ok


# ---------------------------------------------------------------------------- (e)

#: Issue 29: the reference objectives (minutes) of the generated instances, one row per
#: instance and run; made by ``benchmarks/routing_reference.py``.
REFERENCE_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "routing_reference.csv")
TARGET_SMALL_GAP, TARGET_LARGE_GAP = 0.5, 2.0  # mean % at 10-50 visits, at 100-300
REFERENCE_FIELDS = ["version", "seconds", "n", "seed", "objective", "status", "valid",
                    "ls_iterations", "pyvrp_iterations", "wall", "load", "date"]  # fmt: skip


def instance_29(n: int, seed: int) -> Any:
    """Instance ``seed`` (0-4) of ``n`` visits: even seeds at one depot, odd ones from homes."""
    from carezones.routing.instances import linked_instance

    return linked_instance(n, homes=seed % 2 == 1, random_state=seed)


def solve_one(n: int, seed: int, seconds: float, searches: int = 1) -> dict[str, Any]:
    """Solve one instance of (e) with the carezones found on the path (old or new).

    ``searches`` above 1: that many side by side (``solve(searches=...)``, new only).
    """
    from carezones.routing import solve

    problem = instance_29(n, seed)
    before = os.getloadavg()[0]
    t0 = time.perf_counter()
    # the search before issue 24 took the seconds alone (no Budget)
    stop: dict[str, Any] = {"max_seconds": seconds} if Budget is None else {
        "budget": Budget(max_iterations=None, max_seconds=seconds)}
    if searches > 1:
        stop["searches"] = searches
    r = solve(problem, random_state=0, **stop)
    valid = bool(r.validate().empty and r.unscheduled.empty)
    return {"n": n, "seed": seed, "seconds": seconds, "objective": round(r.objective / 60, 3),
            "valid": valid, "ls_iterations": r.local_search_iterations,
            "pyvrp_iterations": r.iterations, "wall": round(time.perf_counter() - t0, 1),
            "load": round(max(before, os.getloadavg()[0]), 2)}  # fmt: skip


def ls_speed(n: int, seconds: float, moves: int | None) -> dict[str, Any]:
    """Local-search iterations per CPU second from one start (instance ``n``, seed 0).

    ``moves`` None: the default search (old or new, whichever is on the path); 0: ruin and
    recreate alone (the new engine under the old search).
    """
    from carezones._options import make_rng
    from carezones.routing.search import repair as _repair

    _, state = _ls_start(n, 0)
    kw = {} if moves is None else {"params": _repair.SearchParams(moves=moves)}
    t0, c0 = time.perf_counter(), time.process_time()
    its = _repair.improve(state, make_rng(0), deadline=t0 + seconds, max_iterations=None, **kw)
    cpu = time.process_time() - c0
    return {"n": n, "iterations": its, "cpu": round(cpu, 2), "per_cpu_second": its / cpu,
            "objective": state.cost() / 60, "load": os.getloadavg()[0]}  # fmt: skip


def _ls_speed_of(src: str, n: int, seconds: float) -> dict[str, Any]:
    """:func:`ls_speed` of the default search of the source tree ``src`` (a fresh process)."""
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src))
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--speed-one", str(n), str(seconds)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_29(
    sizes: list[int], seeds: int, seconds: float, reference: str, *, recorded: bool = False,
    searches: int = 1,
) -> bool:  # fmt: skip
    """(e) Issue 29: gap per size to the reference, and the new 60 s against the old 60 s.

    ``recorded``: take this version's runs from the reference CSV (rows ``new`` at
    ``seconds``, made by ``--make-reference new``) instead of solving again. ``searches``:
    side by side per solve (``solve(searches=...)``; the old runs had one).
    """
    ref = _read_reference(reference)
    side = f", {searches} searches side by side (one a core)" if searches > 1 else ", one search"
    print(f"\n(e) issue 29: {seeds} instances per size at {seconds:.0f} s each{side} against "
          f"{os.path.basename(reference)} ({len(ref)} rows); {load()}")  # fmt: skip
    rows = []
    for n in sizes:
        for seed in range(seeds):
            mine = _instance_rows(ref, n, seed)
            if recorded:
                hit = mine[(mine["version"] == "new") & (mine["seconds"] == seconds)]
                if hit.empty:
                    continue
                got = hit.iloc[0].to_dict()
                got["valid"] = str(got["valid"]) == "True"
            else:
                got = solve_one(n, seed, seconds, searches)
            best_ref = _reference_value(mine, got["objective"])
            old60 = _value(mine, "old", seconds)
            rows.append({**got, "old_60": old60, "reference": best_ref,
                         "gap_%": 100 * (got["objective"] / best_ref - 1)})  # fmt: skip
            print(f"  n={n:3d} seed={seed}: {got['objective']:9.1f} (old {old60:9.1f}, "
                  f"reference {best_ref:9.1f}, gap {rows[-1]['gap_%']:+.2f}%) valid "
                  f"{got['valid']} ls {got['ls_iterations']} load {got['load']}",
                  flush=True)  # fmt: skip
    table = pd.DataFrame(rows)
    ok = bool(table["valid"].all())
    for n, part in table.groupby("n"):
        target = TARGET_SMALL_GAP if n <= 50 else TARGET_LARGE_GAP
        gap = part["gap_%"].mean()
        line = f"  {n:3d} visits: mean gap {gap:+.2f}% (target <= {target}%)"
        ok &= gap <= target
        if n >= 200:
            beat = int((part["objective"] < part["old_60"]).sum())
            line += f"; better than the old {seconds:.0f} s on {beat} of {len(part)}"
            ok &= beat == len(part)
        print(line)
    print(f"  -> {'PASS' if ok else 'FAIL'}")
    return ok


def now_zone_day(day: str = "monday") -> dict[str, Any]:
    """The README's "now" up to its routing, and the busiest zone's visits that day.

    Runs ``examples/now.toml`` (zones, carers staffed to them, visits) and stops where it
    would plan routes, keeping what it would have planned them with.
    """
    from carezones.scenario import Scenario, run_scenario
    from carezones.scenario import run as _run

    class _Stop(Exception):
        pass

    kept: dict[str, Any] = {}

    def keep(visits: pd.DataFrame, carers: Any, network: Any, **kw: Any) -> None:
        kept.update(visits=visits, carers=carers, network=network, **kw)
        raise _Stop

    scenario = Scenario.from_toml(EXAMPLES / "now.toml")
    real = _run.plan_routes
    _run.plan_routes = keep
    try:
        run_scenario(scenario, n_jobs=1)
    except _Stop:
        pass
    finally:
        _run.plan_routes = real
    visits, carers, clients = kept["visits"], kept["carers"], kept["clients"]
    zone_of = clients.set_index("client_id")["zone_id"]
    today = visits[visits["day"] == day]
    counts = today["client_id"].map(zone_of).value_counts()
    zone = str(counts.index[0])
    return {**kept, "zone": zone, "day": day,
            "visits": today[today["client_id"].map(zone_of) == zone],
            "carers": carers[carers["zone_id"].astype(str) == zone]}  # fmt: skip


def bench_zone_day_29(seconds: list[float], data: dict[str, Any] | None = None) -> bool:
    """(f) The busiest "now" zone-day at each of ``seconds``: the search before and after."""
    from carezones.routing import Budget as _Budget
    from carezones.routing import plan_routes, solver
    from carezones.routing.search.repair import SearchParams

    data = data or now_zone_day()
    v, c = data["visits"], data["carers"]
    print(f"\n(f) issue 29: the busiest zone of the README's \"now\", {data['zone']} on "
          f"{data['day']}: {len(v)} visits ({(v['carers_needed'] == 2).mean():.0%} "
          f"double-handed), {len(c)} carers; {load()}")  # fmt: skip
    ok = True
    real = solver.search_params
    for secs in seconds:
        for label, params in (("before (ruin and recreate alone)", SearchParams(moves=0)),
                              ("after (issue 29's moves)", None)):  # fmt: skip
            if params is not None:
                solver.search_params = lambda _cap, _alone=False, p=params: p
            try:
                t0 = time.perf_counter()
                plan = plan_routes(
                    v, c, data["network"], clients=data["clients"], zones="zone_id",
                    days=[data["day"]], params=data["params"],
                    budget=_Budget(max_iterations=None, max_seconds=secs), work=data["work"],
                    mode_rule=data["mode_rule"], n_jobs=1, random_state=0,
                )  # fmt: skip
            finally:
                solver.search_params = real
            r = plan.routes
            bad = plan.validate()
            ok &= bad.empty
            late = r.drop_duplicates("visit_id")["late"].sum()  # minutes, as the summary
            objective = sum(x.objective for x in plan.results.values()) / 60
            carers = r.groupby("client_id")["carer_id"].nunique().mean()
            print(f"  {secs:4.0f} s, {label:33s}: travel {r['travel_seconds'].sum() / 60:7.1f} "
                  f"min, lateness {late:6.1f} min, carers per client {carers:.3f}, objective "
                  f"{objective:,.0f} min (continuity priced), {len(plan.unscheduled)} visits "
                  f"left, {len(bad)} validator findings ({time.perf_counter() - t0:.0f} s; "
                  f"{load()})", flush=True)  # fmt: skip
    return ok


def _read_reference(path: str) -> pd.DataFrame:
    """The reference CSV of (e), empty when it is not there yet."""
    return pd.read_csv(path) if os.path.exists(path) else pd.DataFrame()


def _instance_rows(ref: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """The reference's rows of one instance (none of an empty reference)."""
    return ref[(ref["n"] == n) & (ref["seed"] == seed)] if len(ref) else ref


def _done(path: str) -> set[tuple[str, float, int, int]]:
    """The runs already in the CSV."""
    if not os.path.exists(path):
        return set()
    with open(path, newline="") as f:
        return {(r["version"], float(r["seconds"]), int(r["n"]), int(r["seed"]))
                for r in csv.DictReader(f)}  # fmt: skip


def _append(path: str, row: dict) -> None:
    """One row, written at once (with the header if the file is new)."""
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=REFERENCE_FIELDS)
        if new:
            w.writeheader()
        w.writerow({k: row.get(k, "") for k in REFERENCE_FIELDS})


def run_search(src: str | None, n: int, seed: int, seconds: float,
               pyvrp_setting: dict[str, Any] | None = None) -> dict:  # fmt: skip
    """One solve in a fresh process, with ``src`` first on the path (the old code).

    ``pyvrp_setting``: PyVRP's settings for the solve (see :func:`pyvrp_params`).
    """
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.path.abspath(src)
    cmd = [sys.executable, os.path.abspath(__file__), "--one", str(n), str(seed), str(seconds)]
    if pyvrp_setting is not None:
        cmd += ["--pyvrp", json.dumps(pyvrp_setting)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pyvrp_params(setting: dict[str, Any]) -> Any:
    """PyVRP's ``SolveParams`` from a setting of :data:`PYVRP_GRID` (defaults elsewhere)."""
    import pyvrp
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
    from pyvrp.PenaltyManager import PenaltyParams
    from pyvrp.search import NeighbourhoodParams, PerturbationParams

    unknown = set(setting) - {"ils", "penalty", "neighbourhood", "perturbation"}
    if unknown:
        raise SystemExit(f"--grid: unknown section(s) {sorted(unknown)}; expected ils, "
                         "penalty, neighbourhood, perturbation")  # fmt: skip
    return pyvrp.SolveParams(
        ils=IteratedLocalSearchParams(**setting.get("ils", {})),
        penalty=PenaltyParams(**setting.get("penalty", {})),
        neighbourhood=NeighbourhoodParams(**setting.get("neighbourhood", {})),
        perturbation=PerturbationParams(**setting.get("perturbation", {})),
    )


def tune_pyvrp(sizes: list[int], instances: int, seconds: float, grid: list[dict[str, Any]],
               reference: str) -> None:  # fmt: skip
    """The whole solve at ``seconds`` for every PyVRP setting, two runs at a time.

    Prints each run, then per setting and size the mean gap to the reference of (e) and
    PyVRP's mean iterations. Runs share the machine's two cores with each other (as the
    reference's 60 s runs did), so their seconds are wall-clock seconds under load 2.
    """
    from concurrent.futures import ThreadPoolExecutor

    for k, setting in enumerate(grid):  # every setting checked before any run
        try:
            pyvrp_params(setting)
        except (TypeError, AttributeError) as e:
            raise SystemExit(f"--grid: setting {k} {json.dumps(setting)}: {e}") from None
    ref = _read_reference(reference)
    jobs = [(k, n, seed) for k in range(len(grid)) for n in sizes for seed in range(instances)]
    print(f"\ntuning PyVRP: the whole solve at {seconds:.0f} s, {len(grid)} settings x "
          f"{len(jobs) // len(grid)} instances, two at a time; {load()}")  # fmt: skip

    def one(job: tuple[int, int, int]) -> dict[str, Any]:
        k, n, seed = job
        got = run_search(None, n, seed, seconds, grid[k])
        mine = _instance_rows(ref, n, seed)
        got.update(setting=k, gap=100 * (got["objective"] / _reference_value(
            mine, got["objective"]) - 1))  # fmt: skip
        print(f"  setting {k} n={n} seed={seed}: {got['objective']:.1f} (gap "
              f"{got['gap']:+.2f}%, PyVRP {got['pyvrp_iterations']} iterations, valid "
              f"{got['valid']}, load {got['load']})", flush=True)  # fmt: skip
        return got

    with ThreadPoolExecutor(max_workers=2) as pool:
        table = pd.DataFrame(list(pool.map(one, jobs)))
    summary = table.groupby(["n", "setting"]).agg(
        gap=("gap", "mean"), pyvrp_iterations=("pyvrp_iterations", "mean"),
        valid=("valid", "all"))  # fmt: skip
    summary["params"] = [json.dumps(grid[k]) for _, k in summary.index]
    print(summary.round(2).to_string())


def run_exact(n: int, seed: int, seconds: float) -> dict:
    """The MIP's verdict on one instance (objective in minutes when it has a plan)."""
    from carezones.routing.exact import exact_optimum

    t0 = time.perf_counter()
    got = exact_optimum(instance_29(n, seed), time_limit=seconds)
    wall = round(time.perf_counter() - t0, 1)
    return {"objective": round(got.objective / 60, 3), "status": got.status, "wall": wall,
            "load": round(os.getloadavg()[0], 2)}  # fmt: skip


def make_reference(version: str, src: str | None, seconds: float, sizes: list[int],
                   seeds: list[int], path: str) -> None:  # fmt: skip
    """Append the runs of ``version`` missing from the reference CSV, one row per run.

    The reference of part (e) is, per instance, the exact optimum where the MIP proves
    one, else the best of the search before issue 29 ("old", run from its source tree
    ``src`` through ``PYTHONPATH``) and after it ("new") at 10 minutes, one seed each;
    the old search's 60-second runs are kept too. Each row is written as soon as its run
    ends, so the runs can be stopped and resumed (every version, seconds, size and seed
    already in the file is skipped) and split across sessions; one run at a time, with
    the load average recorded.
    """
    have = _done(path)
    for n in sizes:
        for seed in seeds:
            if (version, float(seconds), n, seed) in have:
                continue
            if version == "exact":
                row = run_exact(n, seed, seconds)
            else:
                row = run_search(src, n, seed, seconds)
                row["status"] = "valid" if row["valid"] else "INVALID"
            row.update(version=version, seconds=seconds, n=n, seed=seed,
                       date=dt.date.today().isoformat())  # fmt: skip
            _append(path, row)
            print(json.dumps(row), flush=True)


def _value(rows: pd.DataFrame, version: str, seconds: float) -> float:
    if rows.empty:
        return float("nan")
    hit = rows[(rows["version"] == version) & (rows["seconds"] == seconds)]
    return float(hit["objective"].min()) if len(hit) else float("nan")


def _reference_value(rows: pd.DataFrame, fallback: float) -> float:
    """The reference of one instance: the proven optimum, else the best 10-minute run.

    Until the 10-minute runs are made, the best of what the CSV has (and this run).
    """
    if rows.empty:
        return fallback
    exact = rows[(rows["version"] == "exact") & (rows["status"] == "optimal")]
    if len(exact):
        return float(exact["objective"].min())
    long = rows[(rows["seconds"] >= 600) & rows["version"].isin(["old", "new"])]
    pool = long if len(long) else rows[rows["version"].isin(["old", "new"])]
    return min(float(pool["objective"].min()), fallback) if len(pool) else fallback


# ---------------------------------------------------------------------------- tuning


def _ls_start(n: int, seed: int) -> tuple[Any, Any]:
    """A 300-iteration PyVRP solution repaired: the local search's start (reproducible)."""
    from pyvrp.stop import MaxIterations

    from carezones.routing import vrp as _vrp
    from carezones.routing.instances import linked_instance
    from carezones.routing.search import repair as _repair

    problem = linked_instance(n, homes=seed % 2 == 1, random_state=seed)
    inst = _vrp.instance(problem, _vrp.screen(problem))
    vrp = _vrp.pyvrp_data(problem, inst)
    res = _vrp.run_pyvrp(vrp, MaxIterations(300), 0)
    state = _repair.initial_state(inst, _vrp.pyvrp_routes(vrp, res.best, problem.n_carers))
    _repair.insert_visits(state, state.unassigned())
    return inst, state


@contextlib.contextmanager
def _cpu_clock(module: Any) -> Any:
    """The search's clock in ``module`` reads this process's CPU seconds while inside.

    Tuning runs share a 2-core machine with other work: a deadline in CPU seconds gives
    every setting the same work, whatever the load while it runs.
    """
    real = module.time
    module.time = types.SimpleNamespace(perf_counter=time.process_time)
    try:
        yield
    finally:
        module.time = real


def tune(sizes: list[int], seeds: int, seconds: float, grid: list[dict[str, Any]]) -> None:
    """The local search alone from one start per instance, for each setting, same CPU seconds.

    Prints the objective (minutes) per instance and setting, the mean gap of each setting
    to the best per instance, and the iterations per CPU second.
    """
    from carezones._options import make_rng
    from carezones.routing.search import repair as _repair

    print(f"\ntuning: local search alone, {seconds:.0f} CPU s per run; {load()}")
    rows = []
    for n in sizes:
        for seed in range(seeds):
            for k, setting in enumerate(grid):
                _, state = _ls_start(n, seed)
                t0 = time.process_time()
                with _cpu_clock(_repair):
                    its = _repair.improve(state, make_rng(0), deadline=t0 + seconds,
                                          params=_repair.SearchParams(**setting))  # fmt: skip
                rows.append({"n": n, "seed": seed, "setting": k, "objective": state.cost() / 60,
                             "it_per_s": its / (time.process_time() - t0)})  # fmt: skip
                print(f"  n={n} seed={seed} setting {k} {setting}: "
                      f"{rows[-1]['objective']:.1f} ({rows[-1]['it_per_s']:.1f} it/s; "
                      f"{load()})", flush=True)  # fmt: skip
    table = pd.DataFrame(rows)
    best = table.groupby(["n", "seed"])["objective"].transform("min")
    table["gap_%"] = 100 * (table["objective"] / best - 1)
    summary = table.groupby("setting").agg(gap=("gap_%", "mean"), it_per_s=("it_per_s", "mean"))
    summary["params"] = [str(grid[k]) for k in summary.index]
    print(summary.sort_values("gap").round(3).to_string())


def _grid(text: str) -> list[dict[str, Any]]:
    """``--grid``: a JSON list of objects, or a message saying what was found."""
    try:
        grid = json.loads(text)
    except json.JSONDecodeError as e:
        raise SystemExit(f"--grid: not JSON ({e}); expected a list of objects") from None
    if not isinstance(grid, list) or not all(isinstance(g, dict) for g in grid):
        raise SystemExit(f"--grid: expected a JSON list of objects, found {text[:80]!r}")
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer instances and shorter budgets")
    parser.add_argument(
        "--only",
        choices=["a", "b", "c", "d", "e", "f"],
        action="append",
        help="run only these parts",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 100, 200, 300],
                        help="(d): numbers of visits")  # fmt: skip
    parser.add_argument("--seeds", type=int, default=2, help="(d): instances per size")
    parser.add_argument("--seconds", type=float, default=60.0, help="(d): budget per solve")
    parser.add_argument("--instances", type=int, default=5, help="(e): instances per size")
    parser.add_argument("--searches", type=int, default=1,
                        help="(e), --one: searches side by side, one a core")  # fmt: skip
    parser.add_argument("--seconds-f", type=float, nargs="+", default=[60.0, 10.0],
                        help="(f): budgets of the zone-day's solves")  # fmt: skip
    parser.add_argument("--reference", default=REFERENCE_CSV, help="(e): the reference CSV")
    parser.add_argument(
        "--speed",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="(e): first time the local search alone for SECONDS per size",
    )
    parser.add_argument(
        "--one",
        type=float,
        nargs=3,
        metavar=("N", "SEED", "SECONDS"),
        help="solve one instance of (e) and print it as JSON (for the reference)",
    )
    parser.add_argument("--speed-one", type=float, nargs=2, metavar=("N", "SECONDS"),
                        help="time the local search alone on one size, print JSON")  # fmt: skip
    parser.add_argument(
        "--make-reference",
        choices=["old", "new", "exact"],
        default=None,
        help="(e): append that version's missing runs (--seconds each) to --reference",
    )
    parser.add_argument("--src", default=None,
                        help="--make-reference, --speed: src/ of the search before")  # fmt: skip
    parser.add_argument("--recorded", action="store_true",
                        help="(e): report the runs of new recorded in --reference")  # fmt: skip
    parser.add_argument(
        "--tune",
        type=float,
        metavar="SECONDS",
        default=None,
        help="tune the local search: SECONDS per run on --sizes x --seeds",
    )
    parser.add_argument(
        "--grid",
        default=None,
        help="--tune: settings as a JSON list of objects of SearchParams fields; "
        "--tune-pyvrp: of sections of PyVRP's SolveParams",
    )
    parser.add_argument(
        "--tune-pyvrp",
        type=float,
        metavar="SECONDS",
        default=None,
        help="tune PyVRP's settings: the whole solve at SECONDS on --sizes x --instances",
    )
    parser.add_argument("--pyvrp", default=None,
                        help="--one: PyVRP's settings, JSON (see --tune-pyvrp)")  # fmt: skip
    args = parser.parse_args()
    if args.make_reference:
        seeds = list(range(args.instances))
        make_reference(args.make_reference, args.src, args.seconds, args.sizes, seeds,
                       args.reference)  # fmt: skip
        return
    if args.speed_one:
        n, seconds = args.speed_one
        print(json.dumps(ls_speed(int(n), seconds, None)))
        return
    if args.one:
        n, seed, seconds = args.one
        if args.pyvrp is not None:
            from carezones.routing import vrp as _vrp

            _vrp.PYVRP_PARAMS = pyvrp_params(json.loads(args.pyvrp))
        print(json.dumps(solve_one(int(n), int(seed), seconds, args.searches)))
        return
    if args.tune_pyvrp is not None:
        grid = _grid(args.grid) if args.grid else PYVRP_GRID
        tune_pyvrp(args.sizes, args.instances, args.tune_pyvrp, grid, args.reference)
        return
    if args.tune is not None:
        grid = _grid(args.grid) if args.grid else TUNING_GRID
        tune(args.sizes, args.seeds, args.tune, grid)
        return
    parts = args.only or ["a", "b", "c", "d", "e"]
    print(f"carezones routing benchmark ({'quick' if args.quick else 'full'}); {load()}")
    results = {}
    if "a" in parts:
        results["a"] = bench_plain(args.quick)
    if "b" in parts or "c" in parts:
        from carezones import datasets

        if datasets.shared_data_dir() is None:
            print("\nshared OSM data absent (../shared/data/osm): skipping (b) and (c)")
        else:
            data = camden()
            if "b" in parts:
                results["b"] = bench_zone(data, args.quick)
            if "c" in parts:
                results["c"] = bench_borough(data, args.quick)
    if "d" in parts:
        results["d"] = bench_linked(args.sizes, args.seeds, args.seconds)
    if "e" in parts:
        if args.speed:
            for n in args.sizes:
                if args.src:  # the search before issue 29, from its source tree
                    got = _ls_speed_of(args.src, n, args.speed)
                    print(f"  before: local search alone, {n} visits: "
                          f"{got['per_cpu_second']:.1f} iterations per CPU second "
                          f"({got['iterations']} in {got['cpu']} s; objective "
                          f"{got['objective']:.1f}; load {got['load']:.2f})",
                          flush=True)  # fmt: skip
                for moves in (None, 0):
                    got = ls_speed(n, args.speed, moves)
                    print(f"  local search alone, {n} visits, moves={moves}: "
                          f"{got['per_cpu_second']:.1f} iterations per CPU second "
                          f"({got['iterations']} in {got['cpu']} s; objective "
                          f"{got['objective']:.1f}; load {got['load']:.2f})",
                          flush=True)  # fmt: skip
        results["e"] = bench_29(args.sizes, args.instances, args.seconds, args.reference,
                                recorded=args.recorded, searches=args.searches)  # fmt: skip
    if "f" in parts:
        from carezones import datasets

        if datasets.shared_data_dir() is None:
            print("\nshared OSM data absent (../shared/data/osm): skipping (f)")
        else:
            results["f"] = bench_zone_day_29(args.seconds_f)
    print("\nsummary: " + ", ".join(f"({k}) {'PASS' if v else 'FAIL'}" for k, v in results.items()))


if __name__ == "__main__":
    main()
