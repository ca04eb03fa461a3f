"""The zone runner: every zone's days solved as one job, zones in a pool of worker processes.

A :class:`ZoneJob` is one zone's visits and carers over the days planned (a day or a whole
week): its travel matrices are built once, then its days are solved in order, the carers
each client met on earlier days counting as known (continuity across the week). Jobs run
largest first in one process pool (or in this process); a job whose solve fails the
solver's own final check is solved again with other seeds, and its visits are listed as
unscheduled with the reason if every attempt fails. The network goes to each worker once,
and is attached again to every result here, in one place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from carezones._parallel import pool_context, single_threaded
from carezones.exceptions import SolverError
from carezones.network import TravelNetwork
from carezones.routing.modes import ModeRule
from carezones.routing.problem import RoutingParams, WorkRules
from carezones.routing.result import RoutingResult
from carezones.routing.solver import Solver
from carezones.routing.tables import zone_matrices
from carezones.routing.week import capped_carers, plan_days

__all__ = ["ATTEMPTS", "JobSettings", "ZoneJob", "ZoneOutcome", "attach_network", "run_jobs"]

logger = logging.getLogger("carezones.routing")

#: Solves of a zone before its visits are listed as unscheduled ("routing failed: ...").
ATTEMPTS = 3
#: The seed of attempt ``k`` is the zone's seed plus ``k`` times this (a prime).
RETRY_SEED_STEP = 7919

_NETWORK: TravelNetwork | None = None  # the network inside a worker process


def _init_worker(network: TravelNetwork) -> None:
    single_threaded()
    global _NETWORK
    _NETWORK = network


@dataclass(frozen=True)
class JobSettings:
    """What every zone of a plan is solved with (checked once, by :func:`plan_routes`).

    Parameters
    ----------
    params
        The rules and penalties.
    solver
        Each zone-day's solve, its budget fixed (:class:`~carezones.routing.solver.Solver`).
    mode_rule
        How each carer-day's mode is chosen.
    max_snap_distance
        Metres from the network beyond which a home is not reachable.
    work
        The hours and days carers work (:class:`~carezones.routing.WorkRules`).
    """

    params: RoutingParams
    solver: Solver
    mode_rule: ModeRule
    max_snap_distance: float
    work: WorkRules = field(default_factory=WorkRules)


@dataclass(frozen=True, eq=False)
class ZoneJob:
    """One zone's visits and carers over the days planned.

    Parameters
    ----------
    zone_id
        The zone.
    visits, carers
        Its visits (every day planned) and its carers.
    points
        One home point per client of the visits, indexed by ``client_id``.
    days
        The days to solve, in order ("" : the whole table as one day).
    known
        ``(client_id, carer_id)`` pairs that know each other before the first day.
    seed
        The zone's seed; day ``i`` is solved with ``seed + i``.
    settings
        Rules, solver, mode rule and snap distance.
    """

    zone_id: str
    visits: pd.DataFrame
    carers: gpd.GeoDataFrame
    points: gpd.GeoSeries
    days: tuple[str, ...]
    known: frozenset[tuple[str, str]]
    seed: int
    settings: JobSettings


@dataclass(eq=False)
class ZoneOutcome:
    """What a job gives back: each day's result, or the reason every attempt failed."""

    zone_id: str
    results: list[tuple[str, RoutingResult]] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


def _open_modes(carers: pd.DataFrame) -> dict[str, str]:
    """``carer_id -> modes`` open to each carer (their ``modes``, else their ``mode``)."""
    ids = carers["carer_id"].astype(str)
    if "modes" in carers.columns:
        modes = carers["modes"].fillna("").astype(str)
        open_to = modes.where(modes != "", carers["mode"].astype(str))
    else:
        open_to = carers["mode"].astype(str)
    return dict(zip(ids, open_to, strict=True))


def _solve_days(job: ZoneJob, network: TravelNetwork, seed: int) -> list[tuple[str, RoutingResult]]:
    """Solve the job's days in order (:func:`~carezones.routing.week.plan_days`)."""
    s = job.settings
    mats = zone_matrices(network, job.carers, job.points, max_snap_distance=s.max_snap_distance)
    return plan_days(
        job.visits, capped_carers(job.carers, s.work), mats, days=job.days, known=job.known,
        params=s.params, solver=s.solver, mode_rule=s.mode_rule,
        open_modes=_open_modes(job.carers), network=network,
        max_snap_distance=s.max_snap_distance, seed=seed,
    )  # fmt: skip


def solve_zone(job: ZoneJob, network: TravelNetwork | None = None) -> ZoneOutcome:
    """Solve one job, with other seeds if the solver's final check fails (in any process)."""
    t0 = time.perf_counter()
    net = network or _NETWORK
    assert net is not None
    error = ""
    for attempt in range(ATTEMPTS):
        try:
            got = _solve_days(job, net, job.seed + RETRY_SEED_STEP * attempt)
            return ZoneOutcome(job.zone_id, got, time.perf_counter() - t0)
        except SolverError as exc:  # the solver's own final check failed
            error = str(exc)
            logger.warning("zone %s: routing failed (%s); attempt %d", job.zone_id, exc,
                           attempt + 1)  # fmt: skip
    return ZoneOutcome(job.zone_id, [], time.perf_counter() - t0, error)


def attach_network(results: dict[tuple[str, str], RoutingResult], network: TravelNetwork) -> None:
    """Give every result its network back (worker processes and pickles leave it out)."""
    for result in results.values():
        if result.problem.context is not None:
            result.problem.context.network = network


def run_jobs(
    jobs: list[ZoneJob],
    network: TravelNetwork,
    n_jobs: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[dict[tuple[str, str], RoutingResult], list[ZoneOutcome]]:
    """Solve every job, in worker processes when there are several; results and failures.

    Returns ``(zone_id, day) -> result`` and the jobs that failed every attempt.
    """
    results: dict[tuple[str, str], RoutingResult] = {}
    failed: list[ZoneOutcome] = []
    done = 0

    def collect(out: ZoneOutcome) -> None:
        nonlocal done
        done += 1
        if out.error:
            failed.append(out)
        for day, result in out.results:
            results[(out.zone_id, day)] = result
        n = sum(r.problem.n_visits for _, r in out.results)
        u = sum(len(r.unscheduled) for _, r in out.results)
        logger.info(
            "zone %s: %d visits over %d day(s), %d unscheduled, %.1f s (%d/%d zones)",
            out.zone_id, n, len(out.results), u, out.seconds, done, len(jobs),
        )  # fmt: skip
        if progress is not None:
            progress(done, len(jobs), str(out.zone_id))

    if n_jobs <= 1 or len(jobs) <= 1:
        for job in jobs:
            collect(solve_zone(job, network))
    else:
        with ProcessPoolExecutor(
            max_workers=min(n_jobs, len(jobs)), mp_context=pool_context(),
            initializer=_init_worker, initargs=(network,),
        ) as pool:  # fmt: skip
            futures = [pool.submit(solve_zone, job) for job in jobs]
            for fut in as_completed(futures):
                collect(fut.result())
    attach_network(results, network)
    return results, failed
