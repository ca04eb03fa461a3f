"""The result of a routing solve: routes, shifts, unscheduled visits and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.routing.links import problem_links
from carezones.routing.problem import RoutingProblem
from carezones.routing.search.schedule import Instance, pushed_starts
from carezones.routing.search.state import State
from carezones.routing.validate import problem_tables, validate_plan
from carezones.routing.vrp import Screen

__all__ = ["ACTIVE_MODES", "ROUTE_COLUMNS", "SHIFT_COLUMNS", "RoutingResult", "make_result"]

ACTIVE_MODES = ("walk", "cycle")

ROUTE_COLUMNS = [
    "carer_id", "sequence", "visit_id", "client_id", "arrival", "start", "end", "wait", "late",
    "travel_seconds", "mode", "distance_m", "carers_needed", "with_carer",
]  # fmt: skip
SHIFT_COLUMNS = [
    "carer_id", "mode", "n_visits", "depart", "back", "working_minutes", "travel_seconds",
    "return_travel_seconds", "distance_m", "break_start", "break_end",
]  # fmt: skip


def _clock(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


@dataclass(frozen=True, eq=False)
class RoutingResult:
    """Carers' routes for one problem, what could not be scheduled, and why.

    Attributes
    ----------
    problem
        The problem solved.
    routes
        One row per carer per visit, in order: ``carer_id``, ``sequence`` (1, 2, ...),
        ``visit_id``, ``client_id``, ``arrival``, ``start``, ``end`` (minutes since
        midnight), ``wait`` and ``late`` (minutes), ``travel_seconds`` (the leg into the
        visit), ``mode``, ``distance_m`` (the leg's metres, NaN when unknown),
        ``carers_needed`` and ``with_carer`` (the other carer of a double-handed visit).
    shifts
        One row per carer: ``depart`` and ``back`` (minutes since midnight, NaN when the
        carer has no visit), ``working_minutes``, ``travel_seconds`` (every leg, the way
        home included), ``return_travel_seconds``, ``distance_m``, and the unpaid break
        (``break_start``, ``break_end``; NaN when none is taken or needed).
    unscheduled
        ``visit_id``, ``client_id``, ``carers_needed`` and ``reason`` for every visit not
        in a route.
    runtime
        Seconds spent solving.
    iterations
        PyVRP's iterations.
    local_search_iterations
        Ruin-and-recreate iterations after PyVRP.
    pyvrp_cost
        Cost of PyVRP's own best solution before repair (travel seconds plus the
        continuity penalties it saw), for comparison; None when PyVRP was not run.
    """

    problem: RoutingProblem
    routes: pd.DataFrame
    shifts: pd.DataFrame
    unscheduled: pd.DataFrame
    travel_seconds: int
    late_seconds: int
    new_carer_pairs: int
    objective: float
    runtime: float
    iterations: int
    local_search_iterations: int
    pyvrp_cost: int | None = None
    feasible: bool = True
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def cost(self) -> float:
        """Objective: travel seconds plus the lateness and continuity penalties.

        Unscheduled visits are not priced here; see ``unscheduled`` and :meth:`summary`.
        """
        return self.objective

    def is_feasible(self) -> bool:
        """Whether every route keeps every hard rule (unscheduled visits are allowed)."""
        return self.feasible

    def summary(self) -> dict[str, Any]:
        """Key figures: care, travel, travel-to-care, active travel, lateness, continuity.

        ``active_leg_share`` is the share of legs (the way home included) travelled on foot
        or by bike; ``active_visit_share`` the share of visits reached that way.
        """
        routes, shifts = self.routes, self.shifts
        care = float((routes["end"] - routes["start"]).sum())
        travel = self.travel_seconds / 60.0
        used = shifts[shifts["n_visits"] > 0]
        n_legs = len(routes) + len(used)
        active_legs = int(
            routes["mode"].isin(ACTIVE_MODES).sum() + used["mode"].isin(ACTIVE_MODES).sum()
        )
        visits_done = routes.drop_duplicates("visit_id")
        per_client = routes.groupby("client_id")["carer_id"].nunique()
        late = routes.drop_duplicates("visit_id")["late"]
        return {
            "n_visits": int(self.problem.n_visits),
            "n_scheduled": int(routes["visit_id"].nunique()),
            "n_unscheduled": len(self.unscheduled),
            "n_carers": int(self.problem.n_carers),
            "n_carers_used": len(used),
            "care_minutes": care,
            "travel_minutes": travel,
            "travel_to_care_ratio": travel / care if care else float("nan"),
            "active_leg_share": active_legs / n_legs if n_legs else float("nan"),
            "active_visit_share": float(
                routes.groupby("visit_id")["mode"]
                .agg(lambda m: bool(m.isin(ACTIVE_MODES).all()))
                .mean()
            )
            if len(visits_done)
            else float("nan"),
            "working_minutes": float(used["working_minutes"].sum()),
            "late_visits": int((late > 0).sum()),
            "late_minutes": float(late.sum()),
            "max_late_minutes": float(late.max()) if len(late) else 0.0,
            "new_carer_pairs": int(self.new_carer_pairs),
            "carers_per_client": float(per_client.mean()) if len(per_client) else float("nan"),
            "distance_km": float(shifts["distance_m"].sum() / 1000.0),
            "cost": float(self.objective),
            "runtime_seconds": float(self.runtime),
            "time_limited": bool(self.extra.get("time_limited", False)),
        }

    def validate(self) -> pd.DataFrame:
        """Recheck this plan with the independent validator; one row per violation (none: empty).

        Examples
        --------
        >>> import numpy as np
        >>> from carezones.routing import Budget, RoutingModel, solve
        >>> m = RoutingModel()
        >>> h, a = m.add_location(), m.add_location()
        >>> p = m.add_profile(np.array([[0, 60], [60, 0]]))
        >>> _ = m.add_carer(h, profile=p)
        >>> _ = m.add_visit(a, window_start=0, window_end=600, duration=300)
        >>> solve(m.compile(), budget=Budget(max_iterations=20)).validate().empty
        True
        """
        visits, carers, travel = problem_tables(self.problem)
        return validate_plan(
            self.routes,
            visits,
            carers,
            travel=travel,
            unscheduled=self.unscheduled,
            time_windows=self.problem.params.time_windows,
            max_lateness_minutes=self.problem.params.max_lateness_minutes,
            links=problem_links(self.problem),
        )

    def to_geodataframe(self, *, privacy_trim_m: float = 0.0) -> gpd.GeoDataFrame:
        """Every leg as a line along the network (problems built with :func:`build_problem`).

        One row per leg: ``carer_id``, ``sequence`` (the leg into stop ``sequence``; the
        way home has ``sequence`` one past the last visit), ``from_id``, ``to_id``,
        ``mode``, ``travel_seconds``, ``distance_m``, geometry in the network's CRS.

        Parameters
        ----------
        privacy_trim_m
            Metres cut from both ends of every line, so that a shared map does not
            show where clients and carers live (lines shorter than twice this are kept
            whole). 0: exact lines, from door to door.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> from carezones import datasets
        >>> from carezones.routing import Budget, build_problem, solve
        >>> net = datasets.load_default_network(modes="walk")
        >>> clients = gpd.GeoDataFrame({"client_id": ["c1"]},
        ...     geometry=gpd.points_from_xy([24.9450], [60.1650]), crs=4326)
        >>> visits = pd.DataFrame({"visit_id": ["v1"], "client_id": ["c1"], "window_start": [480],
        ...     "window_end": [540], "duration": [30], "carers_needed": [1]})
        >>> carers = gpd.GeoDataFrame({"carer_id": ["ann"], "mode": ["walk"],
        ...     "shift_start": [420], "shift_end": [720]},
        ...     geometry=gpd.points_from_xy([24.9384], [60.1699]), crs=4326)
        >>> legs = solve(build_problem(visits, carers, net, clients=clients),
        ...              budget=Budget(max_iterations=20)).to_geodataframe()
        >>> legs[["carer_id", "from_id", "to_id", "mode"]].to_numpy().tolist()
        [['ann', 'ann', 'v1', 'walk'], ['ann', 'v1', 'ann', 'walk']]
        >>> bool((legs.length > 300).all())
        True
        """
        ctx = self.problem.context
        if ctx is None or not hasattr(ctx, "legs_geodataframe"):
            raise ProblemCollector("to_geodataframe").error(
                "no network",
                "a problem built with build_problem(...)",
                "a problem built from plain matrices",
            )
        return ctx.legs_geodataframe(self, privacy_trim_m=privacy_trim_m)

    def __str__(self) -> str:
        s = self.summary()
        lines = [
            "Routing result",
            "==============",
            f"  visits: {s['n_scheduled']} scheduled, {s['n_unscheduled']} unscheduled"
            f" of {s['n_visits']}",
            f"  carers: {s['n_carers_used']} used of {s['n_carers']}",
            f"  care: {s['care_minutes']:.0f} min   travel: {s['travel_minutes']:.0f} min"
            f"   travel/care: {s['travel_to_care_ratio']:.2f}",
            f"  legs on foot or by bike: {s['active_leg_share']:.0%}",
            f"  late visits: {s['late_visits']} ({s['late_minutes']:.0f} min)"
            f"   carers new to a client: {s['new_carer_pairs']}",
            f"  cost: {s['cost']:.0f}   feasible: {self.is_feasible()}"
            f"   run-time: {self.runtime:.1f} s",
            "",
            "Routes",
            "------",
        ]
        shown = 0
        for carer, group in self.routes.groupby("carer_id", sort=False):
            if shown == 20:
                lines.append(f"  ... and {self.routes['carer_id'].nunique() - 20} more carers")
                break
            stops = ", ".join(
                f"{v} {_clock(t)}" for v, t in zip(group["visit_id"], group["start"], strict=True)
            )
            lines.append(f"  {carer} ({group['mode'].iloc[0]}): {stops}")
            shown += 1
        if len(self.unscheduled):
            lines += ["", "Unscheduled", "-----------"]
            for row in self.unscheduled.head(20).itertuples():
                lines.append(f"  {row.visit_id}: {row.reason}")
            if len(self.unscheduled) > 20:
                lines.append(f"  ... and {len(self.unscheduled) - 20} more")
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"RoutingResult({s['n_scheduled']} scheduled, {s['n_unscheduled']} unscheduled, "
            f"cost={s['cost']:.0f}, feasible={self.is_feasible()})"
        )


def _minutes(seconds: np.ndarray | list[int], whole: bool) -> np.ndarray:
    arr = np.asarray(seconds, dtype=float) / 60.0
    return np.ceil(arr - 1e-9).astype(np.int64) if whole else arr


def _carer_rows(
    problem: RoutingProblem,
    inst: Instance,
    state: State,
    c: int,
    rows: list[dict[str, Any]],
    legs_missing: list[tuple[int, str, int, int]],
    n_shifts: int,
) -> dict[str, Any]:
    """Append carer ``c``'s visits to ``rows``; return their shift row.

    Legs without a known distance go to ``legs_missing`` as ``(row, profile, from, to)``
    (the way home as row ``-1 - shift``).
    """
    seq = state.routes[c]
    r = state.sched[c]
    prof = int(problem.carer_profile[c])
    mode = problem.profile_names[prof]
    dist = problem.distances[prof]
    home = int(problem.carer_home[c])
    prev = home
    total_d = 0.0
    starts = pushed_starts(inst, r) if seq else []
    moved = [a - b for a, b in zip(starts, r.starts, strict=True)]
    for k, t in enumerate(seq):
        v = inst.t_visit[t]
        loc = inst.t_loc[t]
        u = inst.t_partner[t]
        tt = inst.c_T[c][prev][loc]
        d = float(dist[prev, loc]) if dist is not None else np.nan
        if dist is None:
            legs_missing.append((len(rows), mode, prev, loc))
        rows.append(
            {
                "carer_id": problem.carer_ids[c],
                "sequence": k + 1,
                "visit_id": problem.visit_ids[v],
                "client_id": problem.visit_clients[v],
                "_ready": (r.dep + tt) if k == 0 else r.readys[k] + moved[k - 1],
                "_start": starts[k],
                "_end": starts[k] + inst.t_dur[t],
                "_due": inst.t_due[t],
                "travel_seconds": int(tt),
                "mode": mode,
                "distance_m": d,
                "carers_needed": int(problem.carers_needed[v]),
                "with_carer": problem.carer_ids[state.where[u]] if u >= 0 else "",
            }
        )
        total_d += 0.0 if np.isnan(d) else d
        prev = loc
    back = inst.c_T[c][prev][home] if seq else 0
    bd = float(dist[prev, home]) if (dist is not None and seq) else (0.0 if not seq else np.nan)
    if seq and dist is None:
        legs_missing.append((-1 - n_shifts, mode, prev, home))
    brk = r.brk if seq else None
    b = int(problem.break_duration[c])
    return {
        "carer_id": problem.carer_ids[c],
        "mode": mode,
        "n_visits": len(seq),
        "depart": r.dep / 60.0 if seq else np.nan,
        "back": r.ret / 60.0 if seq else np.nan,
        "working_minutes": r.work / 60.0 if seq else 0.0,
        "travel_seconds": int(r.travel),
        "return_travel_seconds": int(back),
        "distance_m": total_d + (0.0 if np.isnan(bd) else bd),
        "break_start": brk[0] / 60.0 if brk and b else np.nan,
        "break_end": (brk[0] + b) / 60.0 if brk and b else np.nan,
        "_return_d": bd,
    }


def _route_table(problem: RoutingProblem, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The routes table: times in minutes (whole minutes when starts are), wait and lateness."""
    routes = pd.DataFrame(rows)
    if len(routes):
        whole = problem.params.start_step % 60 == 0
        step = problem.params.start_step
        ready = np.ceil(routes["_ready"].to_numpy(float) / step) * step
        routes["arrival"] = _minutes(ready, whole)
        routes["start"] = _minutes(routes["_start"].to_numpy(), whole)
        routes["end"] = _minutes(routes["_end"].to_numpy(), whole)
        wait = (routes["_start"] - ready).clip(lower=0) / 60.0
        late = (routes["_start"] - routes["_due"]).clip(lower=0) / 60.0
        routes["wait"] = wait.to_numpy(float)
        routes["late"] = late.to_numpy(float)
    else:
        routes = pd.DataFrame(
            {
                col: pd.Series(dtype=float if col in ("wait", "late", "distance_m") else object)
                for col in ROUTE_COLUMNS
            }
        )
    return routes[ROUTE_COLUMNS].reset_index(drop=True)


def _fill_distances(
    problem: RoutingProblem,
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    legs_missing: list[tuple[int, str, int, int]],
) -> pd.DataFrame:
    """Measure the legs the profiles have no distances for on the network; the shifts table."""
    ctx = problem.context
    if legs_missing and getattr(ctx, "network", None) is not None and hasattr(ctx, "leg_distances"):
        got = ctx.leg_distances([(m, a, b) for _, m, a, b in legs_missing])
        for (row, _, _, _), d in zip(legs_missing, got, strict=True):
            if row >= 0:
                routes.loc[row, "distance_m"] = d
            else:
                shifts.loc[-1 - row, "_return_d"] = d
        shifts["distance_m"] = (
            routes.groupby("carer_id")["distance_m"]
            .sum()
            .reindex(shifts["carer_id"])
            .fillna(0.0)
            .to_numpy()
            + shifts["_return_d"].fillna(0.0).to_numpy()
        )
    return (
        shifts.drop(columns="_return_d")[SHIFT_COLUMNS]
        if len(shifts)
        else pd.DataFrame(columns=SHIFT_COLUMNS)
    )


def _unscheduled_table(
    problem: RoutingProblem, inst: Instance, state: State, scr: Screen
) -> pd.DataFrame:
    """Every visit in no route, with the reason: the screen's, or no carer's day had room."""
    unsched = []
    for v in range(problem.n_visits):
        ts = inst.v_tasks[v]
        if v in scr.reasons:
            reason = scr.reasons[v]
        elif any(state.where[t] < 0 for t in ts):
            if len(inst.v_unit[v]) > len(ts):
                reason = "no eligible carers free to keep its link with another visit"
            elif len(ts) == 2:
                reason = "no two eligible carers free at the same time"
            else:
                reason = "no free time in any eligible carer's day"
        else:
            continue
        unsched.append(
            {
                "visit_id": problem.visit_ids[v],
                "client_id": problem.visit_clients[v],
                "carers_needed": int(problem.carers_needed[v]),
                "reason": reason,
            }
        )
    return pd.DataFrame(unsched, columns=["visit_id", "client_id", "carers_needed", "reason"])


def make_result(
    problem: RoutingProblem,
    inst: Instance,
    state: State,
    scr: Screen,
    *,
    runtime: float,
    iterations: int,
    local_search_iterations: int,
    pyvrp_cost: int | None,
) -> RoutingResult:
    """Tables and figures of a solved state."""
    rows: list[dict[str, Any]] = []
    shift_rows: list[dict[str, Any]] = []
    legs_missing: list[tuple[int, str, int, int]] = []  # (row, profile, from, to)
    for c in range(len(state.routes)):
        shift_rows.append(_carer_rows(problem, inst, state, c, rows, legs_missing, len(shift_rows)))
    routes = _route_table(problem, rows)
    shifts = _fill_distances(problem, routes, pd.DataFrame(shift_rows), legs_missing)
    unscheduled = _unscheduled_table(problem, inst, state, scr)
    travel = int(sum(r.travel for r in state.sched))
    late_s = int(sum(r.late for r in state.sched))
    known = inst.known
    new_pairs = sum(1 for key in state.pairs if key not in known)
    objective = float(state.cost()) - inst.unscheduled_penalty * len(state.unassigned())
    return RoutingResult(
        problem=problem,
        routes=routes,
        shifts=shifts,
        unscheduled=unscheduled,
        travel_seconds=travel,
        late_seconds=late_s,
        new_carer_pairs=int(new_pairs),
        objective=objective,
        runtime=runtime,
        iterations=iterations,
        local_search_iterations=local_search_iterations,
        pyvrp_cost=pyvrp_cost,
        feasible=bool(state.feasible),
    )
