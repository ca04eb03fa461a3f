"""A whole plan: every zone's visits for a day or a week (:func:`plan_routes`, :class:`RoutePlan`).

:func:`plan_routes` checks its options once, gives each visit and carer a zone, and hands
one :class:`~carezones.routing.runner.ZoneJob` per zone to the zone runner
(:mod:`carezones.routing.runner`); :class:`RoutePlan` holds the tables of every zone-day.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones._files import write_csv
from carezones._options import make_rng
from carezones.demand import FORTNIGHT
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork
from carezones.routing.budget import Budget
from carezones.routing.links import links_from_visits
from carezones.routing.modes import ModeRule
from carezones.routing.problem import RoutingParams, WorkRules
from carezones.routing.result import ROUTE_COLUMNS, RoutingResult
from carezones.routing.runner import JobSettings, ZoneJob, ZoneOutcome, attach_network, run_jobs
from carezones.routing.solver import Solver, _budget, check_options
from carezones.routing.staffing import Staffing, staff_zones
from carezones.routing.tables import check_tables, known_pairs, visit_points
from carezones.routing.validate import validate_week

__all__ = ["RoutePlan", "client_carers", "plan_routes"]

logger = logging.getLogger("carezones.routing")


@dataclass(frozen=True, eq=False)
class RoutePlan:
    """Routes for every zone and day of a plan.

    Attributes
    ----------
    routes, shifts, unscheduled
        The :class:`~carezones.routing.RoutingResult` tables of every zone-day, with
        ``zone_id`` and ``day`` in front. Visits of zones without carers, or of clients
        in no zone, are unscheduled with that reason. A week of regular runs (continuity
        priced) adds ``regular`` to ``routes``: what each carer-visit's carer is to the
        client (``main``: the main carer of the call's run; ``relief``: the run's planned
        relief; ``team``: a carer of another of the client's runs; ``other``: none of
        them, where the day's search moved the visit).
    summary
        One row per zone and day with the :meth:`RoutingResult.summary` figures.
    continuity
        One row per client across the plan's days: ``zone_id``, ``n_visits`` scheduled,
        ``distinct_carers``, ``main_carer``, ``main_carer_share`` and ``carers``
        (:func:`client_carers`).
    results
        ``(zone_id, day)`` to its result.
    runtime
        Seconds for the whole plan.
    staffing
        With zone polygons: each carer's zone, the moves from home zones, the zone-days
        still short of carer-hours (:class:`~carezones.routing.Staffing`).
    carers, work
        The carers planned and the rules of their weeks, for :meth:`validate`.
    """

    routes: pd.DataFrame
    shifts: pd.DataFrame
    unscheduled: pd.DataFrame
    summary: pd.DataFrame
    continuity: pd.DataFrame
    results: dict[tuple[str, str], RoutingResult]
    runtime: float
    network: TravelNetwork | None = field(default=None, repr=False)
    staffing: Staffing | None = field(default=None, repr=False)
    carers: pd.DataFrame | None = field(default=None, repr=False)
    work: WorkRules = field(default_factory=WorkRules, repr=False)

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
            "travel_to_care_ratio": travel / care if care else None,
            "late_visits": int(s["late_visits"].sum()) if len(s) else 0,
            "late_minutes": float(s["late_minutes"].sum()) if len(s) else 0.0,
            "mean_distinct_carers_per_client": float(self.continuity["distinct_carers"].mean())
            if len(self.continuity)
            else None,
            "runtime_seconds": self.runtime,
            "zone_days_at_time_cap": int(s["time_limited"].sum())
            if len(s) and "time_limited" in s
            else 0,
            "carers_moved": 0 if self.staffing is None else len(self.staffing.moves),
            "zone_days_short": [] if self.staffing is None else _records(self.staffing.short),
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
        """Every zone-day rechecked by the independent validator; one row per violation.

        A plan of several days also has each carer's week checked
        (:func:`~carezones.routing.validate_week`: hours against the contract, days in a
        row), with ``zone_id`` and ``day`` empty.
        """
        parts = []
        for (zone, day), result in self.results.items():
            found = result.validate()
            if len(found):
                parts.append(found.assign(zone_id=zone, day=day))
        days = list(dict.fromkeys(d for _, d in self.results))
        if self.carers is not None and len(days) > 1 and len(self.shifts):
            week = validate_week(self.shifts, self.carers, days=days, work=self.work)
            if len(week):
                parts.append(week.assign(zone_id="", day=""))
        if not parts:
            return pd.DataFrame(
                columns=["zone_id", "day", "rule", "carer_id", "visit_id", "client_id", "detail"]
            )
        out = pd.concat(parts, ignore_index=True)
        return out[["zone_id", "day", *[c for c in out.columns if c not in ("zone_id", "day")]]]

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Every leg of every route along the network, with ``zone_id`` and ``day``."""
        if self.network is not None:
            attach_network(self.results, self.network)
        parts = []
        for (zone, day), result in self.results.items():
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
            f"travel/care: {(r['travel_to_care_ratio'] or float('nan')):.2f}",
            f"  late visits: {r['late_visits']}   distinct carers per client: "
            f"{(r['mean_distinct_carers_per_client'] or float('nan')):.2f}"
            f"   run-time: {self.runtime:.1f} s",
        ]
        if r["zone_days_at_time_cap"]:
            lines.append(
                f"  {r['zone_days_at_time_cap']} zone-day(s) stopped at the time cap, not on "
                "iterations: another run may differ"
            )
        if self.staffing is not None and (len(self.staffing.moves) or len(self.staffing.short)):
            lines += ["  " + x for x in self.staffing.message().splitlines()]
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


def _zone_of(
    visits: pd.DataFrame, carers: gpd.GeoDataFrame, clients: Any, zones: Any, work: WorkRules
) -> tuple[pd.Series, pd.Series, Staffing | None]:
    """Zone id of every visit and every carer (NaN: in no zone), and the staffing made."""
    if isinstance(zones, gpd.GeoDataFrame):
        if "zone_id" not in zones.columns:
            raise ProblemCollector("zones").error(
                "missing column", "a column 'zone_id'", "none", column="zone_id"
            )
        pts = visit_points(visits, clients)
        poly = zones[["zone_id", "geometry"]]
        hit = gpd.sjoin(
            gpd.GeoDataFrame(geometry=pts.to_crs(zones.crs)), poly, how="left", predicate="within"
        )
        client_zone = hit[~hit.index.duplicated()]["zone_id"]
        vz = visits["client_id"].map(client_zone).astype(object)
        staffing = staff_zones(carers, visits.assign(zone_id=vz), zones, work=work)
        return vz, staffing.zone_of_carer, staffing
    col = str(zones)
    if col in visits.columns:
        vz = visits[col]
    elif clients is not None and col in clients.columns:
        vz = visits["client_id"].map(
            clients.drop_duplicates("client_id").set_index("client_id")[col]
        )
    else:
        raise ProblemCollector("visits").error(
            "no zones",
            f"a column {col!r} in visits or clients, or zone polygons (zones=GeoDataFrame)",
            "none",
            column=col,
        )
    if col not in carers.columns:
        raise ProblemCollector("carers").error(
            "no zones", f"a column {col!r} (or zone polygons)", "none", column=col
        )
    return vz.astype(object), carers[col].astype(object), None


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
    budget: Budget | None = None,
    n_jobs: int = 2,
    random_state: int | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    mode_rule: ModeRule | None = None,
    work: WorkRules | None = None,
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
        zone are unscheduled with that reason); carers are staffed to zones by
        :func:`~carezones.routing.staff_zones` (their home zone, then moved to zones short
        of carer-hours; :attr:`RoutePlan.staffing` holds the moves and any gaps).
    days
        {"monday", ..., "sunday"}, several, or None (or "week", "fortnight"): every day
        in ``visits["day"]`` (in order; a fortnight's second week is ``"monday-2"``
        ...; the whole table as one day when there is no ``day`` column).
    known_carers
        Carers each client already knows; days planned earlier in the week add to it.
    params
        Rules and penalties; default :class:`~carezones.routing.RoutingParams` ().
    budget
        When each zone-day's solve stops; default :class:`~carezones.routing.Budget` ()
        (300 iterations, capped at 60 s): the same inputs and seed give the same plan.
    n_jobs
        Worker processes (1: in this process).
    random_state
        Seed for every zone's solve.
    mode_rule
        How each carer-day's mode is chosen among the carer's ``modes`` (their days are
        planned with the least sustainable; see :mod:`carezones.routing.modes`); default
        :class:`~carezones.routing.ModeRule` (). Carers with one mode keep it.
    work
        The hours and days carers work; default :class:`~carezones.routing.WorkRules` ()
        (a week within contracted hours + 10%).
    progress
        Called as ``progress(zones_done, zones_total, zone_id)`` after each zone.

    Returns
    -------
    RoutePlan

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from carezones import datasets
    >>> from carezones.routing import Budget
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
    >>> plan = plan_routes(visits, carers, net, clients=clients, n_jobs=1,
    ...                    budget=Budget(max_iterations=50))
    >>> plan.routes[["zone_id", "carer_id", "visit_id"]].to_numpy().tolist()
    [['A', 'ann', 'v1'], ['B', 'bob', 'v2']]
    """
    t0 = time.perf_counter()
    budget = _budget(budget, "plan_routes")
    check_options(random_state, n_jobs=n_jobs, where="plan_routes")
    check_tables(visits, carers, network)
    if "link_id" in visits.columns:
        links_from_visits(visits)  # every link checked once, across the days too
    params = params or RoutingParams()
    visits = visits.copy()
    if "day" in visits.columns:
        visits["day"] = visits["day"].astype(str).str.lower()
    day_list = _days(visits, days)
    if day_list != [""]:
        visits = visits[visits["day"].isin(day_list)]
    work = work or WorkRules()
    vz, cz, staffing = _zone_of(visits, carers, clients, zones, work)
    settings = JobSettings(params, Solver(budget), mode_rule or ModeRule(), max_snap_distance, work)
    jobs, extra_unscheduled = _zone_jobs(
        visits, carers, clients, vz, cz, known_pairs(known_carers), settings, tuple(day_list),
        random_state,
    )  # fmt: skip
    results, failed = run_jobs(jobs, network, n_jobs, progress)
    extra_unscheduled += [_failed_visits(out, jobs) for out in failed]
    plan = _assemble(results, day_list, extra_unscheduled, visits, vz, t0, network, staffing)
    return dataclasses.replace(plan, carers=pd.DataFrame(carers.drop(columns="geometry")),
                               work=work)  # fmt: skip


def _failed_visits(out: ZoneOutcome, jobs: list[ZoneJob]) -> pd.DataFrame:
    """The visits of a zone whose every solve failed, with the reason."""
    job = next(j for j in jobs if j.zone_id == out.zone_id)
    return job.visits.assign(zone_id=out.zone_id, reason=f"routing failed: {out.error}")


def _zone_jobs(
    visits: pd.DataFrame,
    carers: gpd.GeoDataFrame,
    clients: gpd.GeoDataFrame | None,
    vz: pd.Series,
    cz: pd.Series,
    known: set[tuple[str, str]],
    settings: JobSettings,
    days: tuple[str, ...],
    random_state: int | None,
) -> tuple[list[ZoneJob], list[pd.DataFrame]]:
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
            ZoneJob(
                zone_id=zone,
                visits=zv,
                carers=zc,
                points=pts_all.loc[pd.unique(zv["client_id"])],
                days=days,
                known=frozenset(k for k in known if k[0] in clients_here),
                seed=int(rng.integers(0, 2**31 - 8)),
                settings=settings,
            )
        )
    outside = visits[vz.isna().to_numpy()]
    if len(outside):
        extra_unscheduled.append(outside.assign(zone_id=None, reason="client in no zone"))
    jobs.sort(key=lambda j: -len(j.visits))
    return jobs, extra_unscheduled


def _assemble(
    results: dict[tuple[str, str], RoutingResult],
    day_list: list[str],
    extra_unscheduled: list[pd.DataFrame],
    visits: pd.DataFrame,
    vz: pd.Series,
    t0: float,
    network: TravelNetwork,
    staffing: Staffing | None = None,
) -> RoutePlan:
    """The plan's tables, zone by zone and day by day in week order."""
    order = {d: i for i, d in enumerate(day_list)}
    keys = sorted(results, key=lambda k: (str(k[0]), order.get(k[1], 0)))
    results = {k: results[k] for k in keys}
    routes = _stack(
        [_with_roles(r).assign(zone_id=z, day=d) for (z, d), r in results.items()],
        ["zone_id", "day", *ROUTE_COLUMNS],
    )
    if "regular" in routes.columns:
        routes["regular"] = routes["regular"].fillna("")
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
    return RoutePlan(
        routes, shifts, unscheduled, summary, continuity, results, runtime, network, staffing
    )


def _days(visits: pd.DataFrame, days: str | list[str] | None) -> list[str]:
    if "day" not in visits.columns:
        return [""]
    present = set(visits["day"])
    if days is None or days in ("week", "fortnight"):
        return [d for d in FORTNIGHT if d in present] + sorted(present - set(FORTNIGHT))
    wanted = [days] if isinstance(days, str) else list(days)
    wanted = [str(d).lower() for d in wanted]
    bad = [d for d in wanted if d not in FORTNIGHT]
    if bad:
        raise ValidationError(
            [Problem("days", "unknown day", "monday ... sunday (monday-2 ... sunday-2 in a "
                     "fortnight), 'week' or 'fortnight'", repr(d)) for d in bad]
        )  # fmt: skip
    return wanted


def _with_roles(result: RoutingResult) -> pd.DataFrame:
    """The result's routes, with ``regular`` when the week planned regular runs.

    ``regular`` says what each carer-visit's carer is to the client
    (:data:`carezones.routing.week.ROLES`: ``main``, ``relief``, ``team``, ``other``).
    """
    roles = result.extra.get("regular")
    return result.routes if roles is None else result.routes.assign(regular=roles)


def _stack(parts: list[pd.DataFrame], front: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=front)
    out = pd.concat(parts, ignore_index=True)
    return out[[*front, *[c for c in out.columns if c not in front]]]


def client_carers(rows: pd.DataFrame, keys: Sequence[str] = ("client_id",)) -> pd.DataFrame:
    """Who each client saw: distinct carers, the main carer and their share, every carer met.

    ``rows`` has one row per carer per visit (``visit_id``, ``carer_id`` and ``keys``; both
    carers of a double-handed visit count). Per ``keys`` (a client, or a client-week):
    ``n_visits`` (distinct visits), ``distinct_carers``, ``main_carer`` (who made most of
    the carer-visits; on a tie the first id), ``main_carer_share`` (their share of the
    carer-visits: the figure ``main_carer_share`` of the outcomes averages) and
    ``carers`` (every carer met, most visits first, ``;`` between them).

    Examples
    --------
    Client ``a`` has two visits, the second double-handed:

    >>> rows = pd.DataFrame({"client_id": ["a", "a", "a", "b"], "visit_id": ["1", "2", "2", "3"],
    ...                      "carer_id": ["K2", "K1", "K2", "K1"]})
    >>> client_carers(rows).round(2)
      client_id  n_visits  distinct_carers main_carer  main_carer_share carers
    0         a         2                2         K2              0.67  K2;K1
    1         b         1                1         K1              1.00     K1
    """
    keys = list(keys)
    cols = [*keys, "n_visits", "distinct_carers", "main_carer", "main_carer_share", "carers"]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    r = rows.assign(carer_id=rows["carer_id"].astype(str))
    counts = r.groupby([*keys, "carer_id"], sort=True).size().rename("n").reset_index()
    up = [True] * len(keys)
    counts = counts.sort_values([*keys, "n", "carer_id"], ascending=[*up, False, True],
                                kind="stable")  # fmt: skip
    g = counts.groupby(keys, sort=True)
    out = pd.DataFrame({
        "n_visits": r.groupby(keys, sort=True)["visit_id"].nunique(),
        "distinct_carers": g["carer_id"].size(),
        "main_carer": g["carer_id"].first(),
        "main_carer_share": g["n"].first() / g["n"].sum(),
        "carers": g["carer_id"].agg(";".join),
    }).reset_index()  # fmt: skip
    return out[cols]


def _continuity(routes: pd.DataFrame, visits: pd.DataFrame, vz: pd.Series) -> pd.DataFrame:
    zone = pd.Series(vz.to_numpy(), index=visits["client_id"].to_numpy())
    zone = zone[~zone.index.duplicated()]
    out = client_carers(routes)
    out.insert(1, "zone_id", out["client_id"].map(zone))
    return out
