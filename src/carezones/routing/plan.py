"""A whole plan: every zone's visits for a day or a week, zones solved in parallel.

Each zone is one job: its travel matrices are built once for all its days, then its days
are solved in order, the carers each client met on earlier days counting as known
(continuity across the week). Jobs run in a process pool (largest first), with progress
logged and reported to an optional callback.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones._files import write_csv
from carezones._options import make_rng
from carezones._parallel import pool_context, single_threaded
from carezones.exceptions import Problem, ValidationError
from carezones.network import TravelNetwork
from carezones.routing.modes import ModeRule, choose_modes
from carezones.routing.problem import MAX_SECONDS, RoutingParams
from carezones.routing.result import ROUTE_COLUMNS, RoutingResult
from carezones.routing.solver import check_options, solve
from carezones.routing.tables import (
    check_tables,
    known_pairs,
    problem_from_matrices,
    visit_points,
    zone_matrices,
)

__all__ = ["RoutePlan", "plan_routes"]

logger = logging.getLogger("carezones.routing")

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_NETWORK: TravelNetwork | None = None  # the network inside a worker process


def _init_worker(network: TravelNetwork) -> None:
    single_threaded()
    global _NETWORK
    _NETWORK = network


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """Routes for every zone and day of a plan.

    Attributes
    ----------
    routes, shifts, unscheduled
        The :class:`~carezones.routing.RoutingResult` tables of every zone-day, with
        ``zone_id`` and ``day`` in front. Visits of zones without carers, or of clients
        in no zone, are unscheduled with that reason.
    summary
        One row per zone and day with the :meth:`RoutingResult.summary` figures.
    continuity
        One row per client: ``zone_id``, ``n_visits`` scheduled, ``distinct_carers``
        across the plan's days.
    results
        ``(zone_id, day)`` to its result.
    runtime
        Seconds for the whole plan.
    """

    routes: pd.DataFrame
    shifts: pd.DataFrame
    unscheduled: pd.DataFrame
    summary: pd.DataFrame
    continuity: pd.DataFrame
    results: dict[tuple[str, str], RoutingResult]
    runtime: float
    network: TravelNetwork | None = field(default=None, repr=False)

    def report(self) -> dict[str, Any]:
        """JSON-ready figures: totals, per zone-day summaries, continuity (no personal data)."""
        s = self.summary
        care = float(s["care_minutes"].sum()) if len(s) else 0.0
        travel = float(s["travel_minutes"].sum()) if len(s) else 0.0
        n = (
            int(s["n_visits"].sum())
            + int((self.unscheduled["reason"] == "client in no zone").sum())
            if len(s)
            else len(self.unscheduled)
        )
        return {
            "visits": n,
            "scheduled": int(self.routes["visit_id"].nunique()) if len(self.routes) else 0,
            "unscheduled": len(self.unscheduled),
            "unscheduled_reasons": self.unscheduled["reason"].value_counts().to_dict()
            if len(self.unscheduled)
            else {},
            "care_minutes": care,
            "travel_minutes": travel,
            "travel_to_care": travel / care if care else None,
            "late_visits": int(s["late_visits"].sum()) if len(s) else 0,
            "late_minutes": float(s["late_minutes"].sum()) if len(s) else 0.0,
            "mean_distinct_carers_per_client": float(self.continuity["distinct_carers"].mean())
            if len(self.continuity)
            else None,
            "runtime_seconds": self.runtime,
            "zones": _records(s),
        }

    def write(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``routes.csv``, ``shifts.csv``, ``unscheduled.csv`` and ``report.json``.

        The report holds :meth:`report` and the validator's findings (counts per rule);
        no file holds a client's location.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(self.routes, out / "routes.csv", index=False)
        write_csv(self.shifts, out / "shifts.csv", index=False)
        write_csv(self.unscheduled, out / "unscheduled.csv", index=False)
        write_csv(self.continuity, out / "continuity.csv", index=False)
        report = self.report()
        found = self.validate()
        report["violations"] = len(found)
        report["violations_by_rule"] = found["rule"].value_counts().to_dict() if len(found) else {}
        (out / "report.json").write_text(json.dumps(report, indent=1, default=str))
        return out

    def validate(self) -> pd.DataFrame:
        """Every zone-day rechecked by the independent validator; one row per violation."""
        parts = []
        for (zone, day), result in self.results.items():
            found = result.validate()
            if len(found):
                parts.append(found.assign(zone_id=zone, day=day))
        if not parts:
            return pd.DataFrame(
                columns=["zone_id", "day", "rule", "carer_id", "visit_id", "client_id", "detail"]
            )
        out = pd.concat(parts, ignore_index=True)
        return out[["zone_id", "day", *[c for c in out.columns if c not in ("zone_id", "day")]]]

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Every leg of every route along the network, with ``zone_id`` and ``day``."""
        parts = []
        for (zone, day), result in self.results.items():
            ctx = result.problem.context
            if ctx is not None and ctx.network is None:
                ctx.network = self.network
            if len(result.routes):
                parts.append(result.to_geodataframe().assign(zone_id=zone, day=day))
        if not parts:
            return gpd.GeoDataFrame(
                {"zone_id": []}, geometry=[], crs=None if self.network is None else self.network.crs
            )
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)

    def __str__(self) -> str:
        r = self.report()
        lines = [
            "Route plan",
            "==========",
            f"  zone-days: {len(self.results)}   visits: {r['visits']}"
            f"   scheduled: {r['scheduled']}   unscheduled: {r['unscheduled']}",
            f"  care: {r['care_minutes']:.0f} min   travel: {r['travel_minutes']:.0f} min   "
            f"travel/care: {(r['travel_to_care'] or float('nan')):.2f}",
            f"  late visits: {r['late_visits']}   distinct carers per client: "
            f"{(r['mean_distinct_carers_per_client'] or float('nan')):.2f}"
            f"   run-time: {self.runtime:.1f} s",
        ]
        return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                k: (
                    None
                    if isinstance(v, float) and np.isnan(v)
                    else v.item()
                    if isinstance(v, np.generic)
                    else v
                )
                for k, v in row.items()
            }
        )
    return out


def carer_zones(carers: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """The zone each carer's home falls in, or the nearest zone for homes outside them all.

    Parameters
    ----------
    carers
        Carers with home Points.
    zones
        Zone polygons with ``zone_id``.
    """
    poly = zones[["zone_id", "geometry"]].reset_index(drop=True)
    homes = gpd.GeoDataFrame(geometry=carers.geometry.to_crs(zones.crs).to_numpy(), crs=zones.crs)
    inside = gpd.sjoin(homes, poly, how="left", predicate="within")
    inside = inside[~inside.index.duplicated()]["zone_id"]
    out = inside.to_numpy(dtype=object)
    missing = pd.isna(out)
    if missing.any() and len(poly):
        near = gpd.sjoin_nearest(homes[missing], poly, how="left")
        near = near[~near.index.duplicated()]["zone_id"]
        out[missing] = near.reindex(homes.index[missing]).to_numpy(dtype=object)
    return pd.Series(out, index=carers.index, dtype=object)


def _zone_of(
    visits: pd.DataFrame, carers: gpd.GeoDataFrame, clients: Any, zones: Any
) -> tuple[pd.Series, pd.Series]:
    """Zone id of every visit and every carer (NaN: in no zone)."""
    if isinstance(zones, gpd.GeoDataFrame):
        if "zone_id" not in zones.columns:
            raise ValidationError(
                [Problem("zones", "missing column", "a column 'zone_id'", "none", column="zone_id")]
            )
        pts = visit_points(visits, clients)
        poly = zones[["zone_id", "geometry"]]
        hit = gpd.sjoin(
            gpd.GeoDataFrame(geometry=pts.to_crs(zones.crs)), poly, how="left", predicate="within"
        )
        client_zone = hit[~hit.index.duplicated()]["zone_id"]
        return (
            visits["client_id"].map(client_zone).astype(object),
            carer_zones(carers, zones),
        )
    col = str(zones)
    if col in visits.columns:
        vz = visits[col]
    elif clients is not None and col in clients.columns:
        vz = visits["client_id"].map(
            clients.drop_duplicates("client_id").set_index("client_id")[col]
        )
    else:
        raise ValidationError(
            [
                Problem(
                    "visits",
                    "no zones",
                    f"a column {col!r} in visits or clients, or zone polygons (zones=GeoDataFrame)",
                    "none",
                    column=col,
                )
            ]
        )
    if col not in carers.columns:
        raise ValidationError(
            [
                Problem(
                    "carers", "no zones", f"a column {col!r} (or zone polygons)", "none", column=col
                )
            ]
        )
    return vz.astype(object), carers[col].astype(object)


def _open_modes(carers: pd.DataFrame) -> dict[str, str]:
    """``carer_id -> modes`` open to each carer (their ``modes``, else their ``mode``)."""
    ids = carers["carer_id"].astype(str)
    if "modes" in carers.columns:
        open_to = (
            carers["modes"]
            .fillna("")
            .astype(str)
            .where(carers["modes"].fillna("").astype(str) != "", carers["mode"].astype(str))
        )
    else:
        open_to = carers["mode"].astype(str)
    return dict(zip(ids, open_to, strict=True))


def _solve_zone(job: dict[str, Any]) -> tuple[str, list[tuple[str, RoutingResult]], float]:
    """Solve one zone's days in order (runs in a worker process or in-process)."""
    t0 = time.perf_counter()
    network = job.get("network") or _NETWORK
    assert network is not None
    visits, carers = job["visits"], job["carers"]
    mats = zone_matrices(network, carers, job["points"], max_snap_distance=job["max_snap_distance"])
    known = set(job["known"])
    out = []
    for i, day in enumerate(job["days"]):
        vday = visits if day == "" else visits[visits["day"].astype(str).str.lower() == day]
        cday = carers
        if day and "days" in carers.columns:
            works = carers["days"].fillna("").astype(str).str.lower().str.split(";")
            cday = carers[works.map(lambda d, day=day: day in [x.strip() for x in d])]
        if len(vday) == 0:
            continue
        problem = problem_from_matrices(
            vday,
            cday,
            mats,
            known=known,
            params=job["params"],
            network=network,
            max_snap_distance=job["max_snap_distance"],
        )
        result = solve(
            problem,
            max_seconds=job["max_seconds"],
            random_state=job["seed"] + i,
            max_iterations=job["max_iterations"],
        )
        result = choose_modes(result, _open_modes(cday), job["mode_rule"])
        known |= set(zip(result.routes["client_id"], result.routes["carer_id"], strict=True))
        out.append((day, result))
    return job["zone_id"], out, time.perf_counter() - t0


def plan_routes(
    visits: pd.DataFrame,
    carers: gpd.GeoDataFrame,
    network: TravelNetwork,
    *,
    clients: gpd.GeoDataFrame | None = None,
    zones: str | gpd.GeoDataFrame = "zone_id",
    days: str | list[str] | None = None,
    known_carers: Any = None,
    params: RoutingParams | None = None,
    max_seconds: float = MAX_SECONDS,
    max_iterations: int | None = None,
    n_jobs: int = 2,
    random_state: int | None = None,
    max_snap_distance: float = 500.0,
    mode_rule: ModeRule | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> RoutePlan:
    """Plan every zone's routes for a day or a week, zones in parallel.

    Parameters
    ----------
    visits, carers, clients
        As for :func:`carezones.routing.build_problem`.
    zones
        A column naming each visit's zone (in ``visits`` or ``clients``) and each carer's
        zone (in ``carers``); or zone polygons (a GeoDataFrame with ``zone_id``, e.g.
        ``NeighbourhoodZoner.zones_``) that clients' homes fall in (clients outside every
        zone are unscheduled with that reason) and carers' homes fall in (carers living
        outside every zone work in the nearest).
    days
        {"monday", ..., "sunday"}, several, or None: every day in ``visits["day"]``
        (in week order; the whole table as one day when there is no ``day`` column).
    known_carers
        Carers each client already knows; days planned earlier in the week add to it.
    params
        Rules and penalties; default ``RoutingParams(start_step=60)``.
    max_seconds
        Time budget of each zone-day.
    max_iterations
        See :func:`carezones.routing.solve`.
    n_jobs
        Worker processes (1: in this process).
    random_state
        Seed for every zone's solve.
    mode_rule
        How each carer-day's mode is chosen among the carer's ``modes`` (their days are
        planned with the least sustainable; see :mod:`carezones.routing.modes`); default
        :class:`~carezones.routing.ModeRule` (). Carers with one mode keep it.
    progress
        Called as ``progress(zones_done, zones_total, zone_id)`` after each zone.

    Returns
    -------
    RoutePlan

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> clients = gpd.GeoDataFrame({"client_id": ["c1", "c2"], "zone_id": ["A", "B"]},
    ...     geometry=gpd.points_from_xy([24.9384, 24.9450], [60.1699, 60.1650]), crs=4326)
    >>> visits = pd.DataFrame({"visit_id": ["v1", "v2"], "client_id": ["c1", "c2"],
    ...     "day": "monday", "window_start": 480, "window_end": 540, "duration": 30,
    ...     "carers_needed": 1, "skills": ""})
    >>> carers = gpd.GeoDataFrame({"carer_id": ["ann", "bob"], "mode": "walk",
    ...     "zone_id": ["A", "B"], "shift_start": 420, "shift_end": 720, "max_minutes": 300,
    ...     "skills": ""},
    ...     geometry=gpd.points_from_xy([24.9390, 24.9440], [60.1690, 60.1660]), crs=4326)
    >>> plan = plan_routes(visits, carers, net, clients=clients, n_jobs=1, max_iterations=50)
    >>> plan.routes[["zone_id", "carer_id", "visit_id"]].to_numpy().tolist()
    [['A', 'ann', 'v1'], ['B', 'bob', 'v2']]
    """
    t0 = time.perf_counter()
    check_options(max_seconds, max_iterations, random_state, n_jobs=n_jobs, where="plan_routes")
    check_tables(visits, carers, network)
    params = params or RoutingParams(start_step=60)
    visits = visits.copy()
    if "day" in visits.columns:
        visits["day"] = visits["day"].astype(str).str.lower()
    day_list = _days(visits, days)
    if day_list != [""]:
        visits = visits[visits["day"].isin(day_list)]
    vz, cz = _zone_of(visits, carers, clients, zones)
    budget = {
        "params": params,
        "days": day_list,
        "max_seconds": max_seconds,
        "max_iterations": max_iterations,
        "max_snap_distance": max_snap_distance,
        "mode_rule": mode_rule or ModeRule(),
    }
    jobs, extra_unscheduled = _zone_jobs(
        visits, carers, clients, vz, cz, known_pairs(known_carers), budget, random_state
    )
    results = _run_jobs(jobs, network, n_jobs, progress)
    return _assemble(results, day_list, extra_unscheduled, visits, vz, t0, network)


def _zone_jobs(
    visits: pd.DataFrame,
    carers: gpd.GeoDataFrame,
    clients: gpd.GeoDataFrame | None,
    vz: pd.Series,
    cz: pd.Series,
    known: set[tuple[str, str]],
    budget: dict[str, Any],
    random_state: int | None,
) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    """One job per zone with carers (largest first); the visits no zone can serve, with why."""
    pts_all = visit_points(visits, clients)
    rng = make_rng(random_state)
    extra_unscheduled = []
    jobs = []
    for zone in sorted(pd.unique(vz.dropna()), key=str):
        zv = visits[(vz == zone).to_numpy()]
        zc = carers[(cz == zone).to_numpy()]
        if len(zc) == 0:
            extra_unscheduled.append(zv.assign(zone_id=zone, reason="no carers in zone"))
            continue
        clients_here = set(zv["client_id"])
        jobs.append(
            {
                "zone_id": zone,
                "visits": zv,
                "carers": zc,
                "points": pts_all.loc[pd.unique(zv["client_id"])],
                "known": {k for k in known if k[0] in clients_here},
                "params": budget["params"],
                "days": budget["days"],
                "max_seconds": budget["max_seconds"],
                "max_iterations": budget["max_iterations"],
                "seed": int(rng.integers(0, 2**31 - 8)),
                "max_snap_distance": budget["max_snap_distance"],
                "mode_rule": budget["mode_rule"],
            }
        )
    outside = visits[vz.isna().to_numpy()]
    if len(outside):
        extra_unscheduled.append(outside.assign(zone_id=None, reason="client in no zone"))
    jobs.sort(key=lambda j: -len(j["visits"]))
    return jobs, extra_unscheduled


def _run_jobs(
    jobs: list[dict[str, Any]],
    network: TravelNetwork,
    n_jobs: int,
    progress: Callable[[int, int, str], None] | None,
) -> dict[tuple[str, str], RoutingResult]:
    """Solve every zone's days, in worker processes when there are several zones."""
    results: dict[tuple[str, str], RoutingResult] = {}
    done = 0

    def collect(zone: str, got: list[tuple[str, RoutingResult]], seconds: float) -> None:
        nonlocal done
        done += 1
        for day, result in got:
            results[(zone, day)] = result
        n = sum(r.problem.n_visits for _, r in got)
        u = sum(len(r.unscheduled) for _, r in got)
        logger.info(
            "zone %s: %d visits over %d day(s), %d unscheduled, %.1f s (%d/%d zones)",
            zone,
            n,
            len(got),
            u,
            seconds,
            done,
            len(jobs),
        )
        if progress is not None:
            progress(done, len(jobs), str(zone))

    if n_jobs <= 1 or len(jobs) <= 1:
        for job in jobs:
            collect(*_solve_zone({**job, "network": network}))
        return results
    with ProcessPoolExecutor(
        max_workers=n_jobs, mp_context=pool_context(), initializer=_init_worker,
        initargs=(network,),
    ) as pool:  # fmt: skip
        futures = [pool.submit(_solve_zone, job) for job in jobs]
        for fut in as_completed(futures):
            collect(*fut.result())
    for result in results.values():
        if result.problem.context is not None:
            result.problem.context.network = network
    return results


def _assemble(
    results: dict[tuple[str, str], RoutingResult],
    day_list: list[str],
    extra_unscheduled: list[pd.DataFrame],
    visits: pd.DataFrame,
    vz: pd.Series,
    t0: float,
    network: TravelNetwork,
) -> RoutePlan:
    """The plan's tables, zone by zone and day by day in week order."""
    order = {d: i for i, d in enumerate(day_list)}
    keys = sorted(results, key=lambda k: (str(k[0]), order.get(k[1], 0)))
    results = {k: results[k] for k in keys}
    routes = _stack(
        [r.routes.assign(zone_id=z, day=d) for (z, d), r in results.items()],
        ["zone_id", "day", *ROUTE_COLUMNS],
    )
    shifts = _stack(
        [r.shifts.assign(zone_id=z, day=d) for (z, d), r in results.items()], ["zone_id", "day"]
    )
    uns_cols = ["zone_id", "day", "visit_id", "client_id", "carers_needed", "reason"]
    extra = [
        e.assign(day=e["day"] if "day" in e.columns else "")[uns_cols] for e in extra_unscheduled
    ]
    unscheduled = _stack(
        [r.unscheduled.assign(zone_id=z, day=d) for (z, d), r in results.items()] + extra, uns_cols
    )
    summary = pd.DataFrame(
        [{"zone_id": z, "day": d, **r.summary()} for (z, d), r in results.items()]
    )
    continuity = _continuity(routes, visits, vz)
    runtime = time.perf_counter() - t0
    return RoutePlan(routes, shifts, unscheduled, summary, continuity, results, runtime, network)


def _days(visits: pd.DataFrame, days: str | list[str] | None) -> list[str]:
    if "day" not in visits.columns:
        return [""]
    present = set(visits["day"])
    if days is None:
        return [d for d in DAYS if d in present] + sorted(present - set(DAYS))
    wanted = [days] if isinstance(days, str) else list(days)
    wanted = [str(d).lower() for d in wanted]
    bad = [d for d in wanted if d not in DAYS]
    if bad:
        raise ValidationError(
            [Problem("days", "unknown day", "monday ... sunday", repr(d)) for d in bad]
        )
    return wanted


def _stack(parts: list[pd.DataFrame], front: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=front)
    out = pd.concat(parts, ignore_index=True)
    return out[[*front, *[c for c in out.columns if c not in front]]]


def _continuity(routes: pd.DataFrame, visits: pd.DataFrame, vz: pd.Series) -> pd.DataFrame:
    zone = pd.Series(vz.to_numpy(), index=visits["client_id"].to_numpy())
    zone = zone[~zone.index.duplicated()]
    if not len(routes):
        return pd.DataFrame(columns=["client_id", "zone_id", "n_visits", "distinct_carers"])
    g = routes.groupby("client_id")
    out = pd.DataFrame(
        {"n_visits": g["visit_id"].nunique(), "distinct_carers": g["carer_id"].nunique()}
    )
    out.index.name = "client_id"
    out = out.reset_index()
    out.insert(1, "zone_id", out["client_id"].map(zone))
    return out
