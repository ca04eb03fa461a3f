"""An independent check of any care plan (ours or a rota a user brings) against every rule.

:func:`validate_plan` shares no code with the solver: it reads the plan's own times and
rechecks them against the visits, the carers and the travel times, listing each violation.
This is also how a commissioner scores an existing rota.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.exceptions import Problem, ValidationError
from carezones.network import TravelNetwork, travel_time_matrix
from carezones.routing.daycheck import Lookup, Matrix, check_day, clock
from carezones.routing.links import links_from_visits
from carezones.routing.problem import BIG_TIME, RoutingProblem, WorkRules, works_on

__all__ = ["RULES", "WEEK_RULES", "problem_tables", "validate_plan", "validate_week"]

#: Every rule the validator checks, with what breaking it means.
RULES: dict[str, str] = {
    "unknown visit": "a route row names a visit that is not in the visits table",
    "unknown carer": "a route row names a carer who is not in the carers table",
    "duplicate": "the same carer has the same single-handed visit twice",
    "missing visit": "a visit is in no route and not listed as unscheduled",
    "routed and unscheduled": "a visit is both in a route and listed as unscheduled",
    "carers": "a visit has a different number of carers than it needs",
    "same carer twice": "both halves of a double-handed visit go to one carer",
    "not together": "the two carers of a double-handed visit do not start and end together",
    "early": "a visit starts before its window",
    "late": "a visit ends after its window (soft windows: after the allowed lateness)",
    "too short": "a visit is shorter than its duration",
    "skill": "a carer lacks a skill the visit needs (for a double-up, the skills of its half)",
    "link incomplete": "one visit of a link is in a route and the other is not",
    "link gap": "the second visit of a link does not start min_gap to max_gap after the first",
    "link same carer": "one carer has both visits of a link that needs different carers",
    "overlap": "a carer's visits overlap",
    "travel": "not enough time to travel from one visit to the next",
    "unreachable": "no path between two stops in the carer's mode",
    "shift start": "the carer must leave home before the shift starts",
    "shift end": "the carer gets home after the shift ends",
    "max minutes": "the carer works more than their maximum minutes",
    "break": "no unpaid break of the carer's length fits in their break window",
    "day off": "the carer does not work on the visit's day",
}

#: The rules a plan of several days is checked against, carer by carer.
WEEK_RULES: dict[str, str] = {
    "weekly hours": "a carer works more hours a week than their contract (+ hours_tolerance)",
    "consecutive days": "a carer works more days in a row than max_consecutive_days",
}

_COLUMNS = ["rule", "carer_id", "visit_id", "client_id", "detail"]


def _require(frame: pd.DataFrame, name: str, columns: list[str]) -> list[Problem]:
    return [
        Problem(name, "missing column", f"a column {c!r}", "none", column=c)
        for c in columns
        if c not in frame.columns
    ]


def _skill_set(value: Any) -> frozenset[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(s.strip().lower() for s in str(value).split(";") if s.strip())


def _travel_lookup(
    travel: Mapping[str, pd.DataFrame] | TravelNetwork | None,
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    clients: Any,
) -> dict[str, pd.DataFrame]:
    """Seconds between places per mode: the given tables, or computed on the network."""
    if isinstance(travel, TravelNetwork):
        if clients is None:
            raise ValidationError(
                [
                    Problem(
                        "validate_plan",
                        "no client locations",
                        "clients=... (a GeoDataFrame with client_id) with a network",
                        "none",
                    )
                ]
            )
        cl = clients.drop_duplicates("client_id").set_index("client_id")
        if not isinstance(carers, gpd.GeoDataFrame):
            raise ValidationError(
                [Problem("carers", "no home locations", "a GeoDataFrame of homes", "a DataFrame")]
            )
        homes = carers.set_index("carer_id").geometry
        need = pd.unique(visits["client_id"])
        missing = [c for c in need if c not in cl.index]
        if missing:
            raise ValidationError(
                [
                    Problem(
                        "clients",
                        "unknown client",
                        "a row per client of the visits",
                        repr(c),
                        column="client_id",
                    )
                    for c in missing[:20]
                ]
            )
        pts = pd.concat([gpd.GeoSeries(homes).to_crs(cl.crs), cl.geometry.loc[need]])
        out = {}
        for mode in pd.unique(carers["mode"]):
            m = travel_time_matrix(
                travel, gpd.GeoSeries(pts.to_numpy(), crs=cl.crs), mode=mode, far="inf"
            )
            out[mode] = pd.DataFrame(np.rint(m), index=list(pts.index), columns=list(pts.index))
        return out
    if travel is None:
        raise ValidationError(
            [
                Problem(
                    "validate_plan",
                    "no travel times",
                    "travel=a dict mode -> DataFrame of seconds, or a TravelNetwork",
                    "none",
                )
            ]
        )
    return {str(k): v for k, v in dict(travel).items()}


def validate_plan(
    routes: pd.DataFrame,
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    *,
    travel: Mapping[str, pd.DataFrame] | TravelNetwork | None = None,
    clients: Any = None,
    unscheduled: pd.DataFrame | None = None,
    time_windows: str = "hard",
    max_lateness_minutes: int | None = 60,
    tolerance_seconds: float = 1.0,
    links: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Recheck a plan against every rule; one row per violation (an empty table when none).

    Parameters
    ----------
    routes
        One row per carer per visit: ``carer_id``, ``visit_id``, ``start``, ``end``
        (minutes since midnight); ``sequence`` is optional (visits are ordered by start).
    visits
        The visits table (``visit_id``, ``client_id``, ``window_start``, ``window_end``,
        ``duration``, ``carers_needed``, ``skills``; optional ``day`` and ``place``, the
        label of the visit's place in ``travel``; default its ``client_id``; optional
        ``link_id``, ``link_role``, ``min_gap``, ``max_gap``, ``different_carers``: linked
        visits, see :mod:`carezones.routing.links`). A double-up's ``skills`` may name each
        carer's (``"hoist | hoist;peg"``).
    carers
        The carers table (``carer_id``, ``mode``, ``shift_start``, ``shift_end``,
        ``max_minutes``, ``skills``; optional ``break_minutes``, ``break_start``,
        ``break_end``, ``days`` and ``home``, the label of the home in ``travel``;
        default the ``carer_id``). A GeoDataFrame when ``travel`` is a network.
    travel
        Mode to a square DataFrame of travel seconds labelled by place, or a
        :class:`~carezones.TravelNetwork` (then ``clients`` locates the clients).
    clients
        The clients GeoDataFrame (``client_id`` and Point geometry), with a network.
    unscheduled
        Visits listed as unscheduled (``visit_id``); they must be in no route.
    time_windows
        {"hard", "soft"} Soft windows allow a start up to ``max_lateness_minutes`` late.
    max_lateness_minutes
        See ``time_windows``; None: no limit.
    tolerance_seconds
        Slack allowed in every time comparison (rounding).
    links
        The linked visits (``first``, ``second``, ``min_gap``, ``max_gap`` in minutes,
        optional ``different_carers``, default True); None: those the visits table
        declares.

    Returns
    -------
    pandas.DataFrame
        ``rule`` (a key of :data:`RULES`), ``carer_id``, ``visit_id``, ``client_id``,
        ``detail``.

    Examples
    --------
    >>> import pandas as pd
    >>> visits = pd.DataFrame({"visit_id": ["v1"], "client_id": ["c1"], "window_start": [480],
    ...     "window_end": [540], "duration": [30], "carers_needed": [1], "skills": ["hoist"]})
    >>> carers = pd.DataFrame({"carer_id": ["ann"], "mode": ["walk"], "shift_start": [420],
    ...     "shift_end": [720], "max_minutes": [300], "skills": [""]})
    >>> walk = pd.DataFrame([[0, 600], [600, 0]], index=["ann", "c1"], columns=["ann", "c1"])
    >>> routes = pd.DataFrame({"carer_id": ["ann"], "visit_id": ["v1"], "start": [550],
    ...     "end": [570]})
    >>> validate_plan(routes, visits, carers, travel={"walk": walk})["rule"].tolist()
    ['late', 'too short', 'skill']
    """
    problems = _require(routes, "routes", ["carer_id", "visit_id", "start", "end"])
    problems += _require(
        visits,
        "visits",
        ["visit_id", "client_id", "window_start", "window_end", "duration", "carers_needed"],
    )
    problems += _require(carers, "carers", ["carer_id", "mode", "shift_start", "shift_end"])
    if time_windows not in ("hard", "soft"):
        problems.append(
            Problem(
                "validate_plan",
                "bad option",
                "'hard' or 'soft'",
                repr(time_windows),
                column="time_windows",
            )
        )
    if problems:
        raise ValidationError(problems)
    table = _travel_lookup(travel, visits, carers, clients)
    tol = float(tolerance_seconds)
    out: list[dict[str, Any]] = []

    def add(
        rule: str, carer: Any = "", visit: Any = "", client: Any = "", detail: str = ""
    ) -> None:
        out.append(
            {
                "rule": rule,
                "carer_id": carer,
                "visit_id": visit,
                "client_id": client,
                "detail": detail,
            }
        )

    vis = visits.set_index("visit_id", drop=False)
    car = carers.set_index("carer_id", drop=False)
    plan = routes.copy()
    plan["sec_start"] = plan["start"].astype(float) * 60.0
    plan["sec_end"] = plan["end"].astype(float) * 60.0
    known_v = plan["visit_id"].isin(vis.index)
    known_c = plan["carer_id"].isin(car.index)
    for row in plan[~known_v].itertuples():
        add("unknown visit", row.carer_id, row.visit_id, detail="not in the visits table")
    for row in plan[known_v & ~known_c].itertuples():
        add(
            "unknown carer",
            row.carer_id,
            row.visit_id,
            vis.at[row.visit_id, "client_id"],
            detail="not in the carers table",
        )
    plan = plan[known_v & known_c]
    dup = plan.duplicated(["carer_id", "visit_id"], keep="first")
    for row in plan[dup].itertuples():
        two = int(vis.at[row.visit_id, "carers_needed"]) == 2
        add(
            "same carer twice" if two else "duplicate",
            row.carer_id,
            row.visit_id,
            vis.at[row.visit_id, "client_id"],
            "both halves to one carer" if two else "listed twice",
        )
    plan = plan[~dup]
    _check_coverage(plan, vis, unscheduled, add)
    _check_visits(plan, vis, car, time_windows, max_lateness_minutes, tol, add)
    _check_days(plan, vis, car, table, tol, add)
    _check_links(plan, vis, links_from_visits(visits) if links is None else links, tol, add)
    result = pd.DataFrame(out, columns=_COLUMNS)
    order = {rule: i for i, rule in enumerate(RULES)}
    result["_o"] = result["rule"].map(order)
    return (
        result.sort_values(["_o", "carer_id", "visit_id"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _check_coverage(
    plan: pd.DataFrame, vis: pd.DataFrame, unscheduled: pd.DataFrame | None, add: Any
) -> None:
    listed = set() if unscheduled is None or len(unscheduled) == 0 else set(unscheduled["visit_id"])
    routed = set(plan["visit_id"])
    for v, client in zip(vis.index, vis["client_id"], strict=True):
        if v not in routed and v not in listed:
            add("missing visit", "", v, client, "in no route and not unscheduled")
        elif v in routed and v in listed:
            add("routed and unscheduled", "", v, client, "in a route and in the unscheduled list")


def _check_visits(
    plan: pd.DataFrame,
    vis: pd.DataFrame,
    car: pd.DataFrame,
    time_windows: str,
    max_late: int | None,
    tol: float,
    add: Any,
) -> None:
    if plan.empty:
        return
    extra = 0.0
    if time_windows == "soft":
        extra = np.inf if max_late is None else max_late * 60.0
    vids = plan["visit_id"].to_numpy()
    info = vis.loc[vids]
    client = info["client_id"].to_numpy()
    carer = plan["carer_id"].to_numpy()
    s, e = plan["sec_start"].to_numpy(float), plan["sec_end"].to_numpy(float)
    # visit-level rules, only where the carers can be wrong (a count off, a double-handed visit)
    codes, uniques = pd.factorize(vids)
    count = np.bincount(codes)
    _, first = np.unique(codes, return_index=True)
    need = info["carers_needed"].to_numpy()[first].astype(int)
    rows_of = np.argsort(codes, kind="stable")
    begin = np.concatenate([[0], np.cumsum(count)[:-1]])
    for j in np.flatnonzero((count != need) | (need == 2)):
        idx = rows_of[begin[j] : begin[j] + count[j]]
        v, who, carers = uniques[j], client[idx[0]], list(carer[idx])
        if len(set(carers)) != len(carers):
            add("same carer twice", carers[0], v, who, "both halves to one carer")
        if len(carers) != need[j]:
            add("carers", ";".join(map(str, carers)), v, who, f"needs {need[j]}, has {len(carers)}")
        if need[j] == 2 and len(idx) == 2:
            ss, ee = s[idx], e[idx]
            if abs(ss[0] - ss[1]) > tol or abs(ee[0] - ee[1]) > tol:
                add(
                    "not together",
                    ";".join(map(str, carers)),
                    v,
                    who,
                    f"starts {clock(ss[0])} and {clock(ss[1])}",
                )
    # row-level rules, vectorised
    ws = info["window_start"].to_numpy(float) * 60
    we = info["window_end"].to_numpy(float) * 60
    dur = info["duration"].to_numpy(float) * 60
    for i in np.flatnonzero(s < ws - tol):
        add("early", carer[i], vids[i], client[i],
            f"starts {clock(s[i])}, window opens {clock(ws[i])}")  # fmt: skip
    for i in np.flatnonzero(s + dur > we + extra + tol):
        add("late", carer[i], vids[i], client[i],
            f"ends {clock(s[i] + dur[i])}, window closes {clock(we[i])}")  # fmt: skip
    for i in np.flatnonzero(e - s < dur - tol):
        add("too short", carer[i], vids[i], client[i],
            f"{(e[i] - s[i]) / 60:.0f} min of {dur[i] / 60:.0f}")  # fmt: skip
    if "skills" not in vis.columns:
        return
    has: dict[Any, frozenset[str]] = {}
    if "skills" in car.columns:
        has = {c: _skill_set(x) for c, x in zip(car.index, car["skills"], strict=True)}
    _check_half_skills(carer, vids, client, info, has, add)
    parsed: dict[Any, frozenset[str]] = {}
    for k, value in enumerate(info["skills"].to_numpy()):
        if isinstance(value, str) and "|" in value:
            continue  # skills per carer of a double-up: checked above
        try:
            needs = parsed[value]
        except KeyError:
            needs = parsed[value] = _skill_set(value)
        except TypeError:  # unhashable
            needs = _skill_set(value)
        if needs:
            lacking = needs - has.get(carer[k], frozenset())
            if lacking:
                add("skill", carer[k], vids[k], client[k], "lacks " + ", ".join(sorted(lacking)))


def _check_half_skills(
    carer: np.ndarray,
    vids: np.ndarray,
    client: np.ndarray,
    info: pd.DataFrame,
    has: dict[Any, frozenset[str]],
    add: Any,
) -> None:
    """Double-ups naming each carer's skills (``"hoist | hoist;peg"``): the carers match."""
    values = info["skills"].to_numpy()
    halves = [k for k, x in enumerate(values) if isinstance(x, str) and "|" in x]
    rows: dict[Any, list[int]] = {}
    for k in halves:
        rows.setdefault(vids[k], []).append(k)
    for v, ks in rows.items():
        needs = [_skill_set(part) for part in str(values[ks[0]]).split("|")]
        who = [carer[k] for k in ks]
        skills = [has.get(c, frozenset()) for c in who]
        n = min(len(needs), len(who))
        if n == 0:
            continue
        best: list[frozenset[str]] | None = None
        for order in itertools.permutations(range(len(needs)), n):
            lacking = [needs[order[i]] - skills[i] for i in range(n)]
            if best is None or sum(map(len, lacking)) < sum(map(len, best)):
                best = lacking
        assert best is not None
        for i in range(n):
            if best[i]:
                add("skill", who[i], v, client[ks[i]], "lacks " + ", ".join(sorted(best[i])))


def _check_links(
    plan: pd.DataFrame, vis: pd.DataFrame, links: pd.DataFrame, tol: float, add: Any
) -> None:
    """Every link: both visits routed (or neither), the gap between starts, the carers."""
    if links is None or len(links) == 0:
        return
    starts = plan.groupby("visit_id")["sec_start"].min().to_dict()
    carers = plan.groupby("visit_id")["carer_id"].agg(lambda x: set(x)).to_dict()
    client = vis["client_id"].to_dict()
    apart = links["different_carers"] if "different_carers" in links.columns else None
    for k, (a, b, lo, hi) in enumerate(
        zip(links["first"], links["second"], links["min_gap"], links["max_gap"], strict=True)
    ):
        pair = f"{a} then {b}"
        if (a in starts) != (b in starts):
            add("link incomplete", "", b if a in starts else a, client.get(b if a in starts
                else a, ""), f"{pair}: only one of them is in a route")  # fmt: skip
            continue
        if a not in starts:
            continue
        gap = starts[b] - starts[a]
        lo_s, hi_s = float(lo) * 60.0, float(hi) * 60.0
        if gap < lo_s - tol or gap > hi_s + tol:
            add(
                "link gap",
                ";".join(sorted(map(str, carers[a] | carers[b]))),
                b,
                client.get(b, ""),
                f"{pair}: starts {gap / 60:.0f} min apart, expected {float(lo):g} to {float(hi):g}",
            )
        different = True if apart is None else bool(apart.iloc[k])
        both = carers[a] & carers[b]
        if different and both:
            add("link same carer", ";".join(sorted(map(str, both))), b, client.get(b, ""),
                f"{pair}: needs different carers")  # fmt: skip


def _check_days(
    plan: pd.DataFrame,
    vis: pd.DataFrame,
    car: pd.DataFrame,
    table: dict[str, pd.DataFrame],
    tol: float,
    add: Any,
) -> None:
    order = ["sec_start", "sequence"] if "sequence" in plan.columns else ["sec_start"]
    keys = ["day", *order] if "day" in vis.columns else order
    plan = plan.copy()
    if "day" in vis.columns:
        plan["day"] = vis.loc[plan["visit_id"], "day"].to_numpy()
    place = (vis["place"] if "place" in vis.columns else vis["client_id"]).astype(str)
    lookup = Lookup(
        dict(zip(vis.index, place, strict=True)),
        dict(zip(vis.index, vis["client_id"], strict=True)),
        {mode: Matrix(m) for mode, m in table.items()},
    )
    for carer, rows in plan.sort_values(keys, kind="stable").groupby("carer_id", sort=False):
        info = car.loc[carer]
        home = (
            str(info["home"]) if "home" in car.index.names or "home" in car.columns else str(carer)
        )
        mode = str(info["mode"])
        if mode not in table:
            add("unreachable", carer, "", "", f"no travel times for mode {mode!r}")
            continue
        works = _skill_set(info["days"]) if "days" in car.columns else None
        for day, day_rows in _by_day(rows):
            if works is not None and day is not None and not works_on(works, str(day).lower()):
                for v in day_rows["visit_id"]:
                    add("day off", carer, v, lookup.client[v], f"does not work {day}")
            check_day(carer, home, info, lookup.matrices[mode], day_rows, lookup, tol, add)


def _by_day(rows: pd.DataFrame) -> list[tuple[Any, pd.DataFrame]]:
    """A carer's rows per day, days in order of appearance (rows without a day left out)."""
    if "day" not in rows.columns:
        return [(None, rows)]
    days = rows["day"].to_numpy(dtype=object)
    known = ~pd.isna(days)
    values = pd.unique(days[known])
    if len(values) == 1 and known.all():
        return [(values[0], rows)]
    return [(d, rows[known & (days == d)]) for d in values]


def _skills_text(problem: RoutingProblem, v: int) -> str:
    """A visit's skills as a table writes them; ``"a | b"`` when its carers' differ."""
    if problem.half_skills and len(set(problem.half_skills[v])) > 1:
        return " | ".join(";".join(sorted(s)) for s in problem.half_skills[v])
    return ";".join(sorted(problem.visit_skills[v]))


def problem_tables(
    problem: RoutingProblem,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Visits, carers and travel tables (minutes; seconds of travel) of a core problem."""
    names = list(problem.location_names)
    visits = pd.DataFrame(
        {
            "visit_id": list(problem.visit_ids),
            "client_id": list(problem.visit_clients),
            "place": [names[i] for i in problem.visit_location],
            "window_start": problem.window_start / 60.0,
            "window_end": problem.window_end / 60.0,
            "duration": problem.duration / 60.0,
            "carers_needed": problem.carers_needed.astype(int),
            "skills": [_skills_text(problem, v) for v in range(problem.n_visits)],
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": list(problem.carer_ids),
            "mode": [problem.profile_names[p] for p in problem.carer_profile],
            "home": [names[i] for i in problem.carer_home],
            "shift_start": problem.shift_start / 60.0,
            "shift_end": problem.shift_end / 60.0,
            "max_minutes": problem.max_working / 60.0,
            "skills": [";".join(sorted(s)) for s in problem.carer_skills],
            "break_minutes": problem.break_duration / 60.0,
            "break_start": problem.break_start / 60.0,
            "break_end": problem.break_end / 60.0,
            "shift_type": [
                "split" if problem.carer_split is not None and problem.carer_split[c] else ""
                for c in range(problem.n_carers)
            ],
        }
    )
    travel = {}
    for name, d in zip(problem.profile_names, problem.durations, strict=True):
        m = d.astype(float)
        m[d >= BIG_TIME] = np.inf
        travel[name] = pd.DataFrame(m, index=names, columns=names)
    return visits, carers, travel


def validate_week(
    shifts: pd.DataFrame,
    carers: pd.DataFrame,
    *,
    days: list[str],
    work: WorkRules | None = None,
) -> pd.DataFrame:
    """Each carer's plan over its days: weekly hours against the contract, days in a row.

    Parameters
    ----------
    shifts
        One row per carer-day: ``carer_id``, ``day``, ``working_minutes`` (rows without
        visits, ``n_visits == 0``, are days off).
    carers
        ``carer_id`` and optionally ``contracted_hours``.
    days
        The days planned, in order (a week repeats: Sunday runs into Monday).
    work
        The rules (default :class:`WorkRules` ()).

    Returns
    -------
    pandas.DataFrame
        One row per violation: ``rule`` (a key of :data:`WEEK_RULES`), ``carer_id``,
        ``visit_id`` (empty), ``client_id`` (empty), ``detail``.

    Examples
    --------
    >>> shifts = pd.DataFrame({"carer_id": "ann", "day": ["monday", "tuesday"],
    ...                        "working_minutes": [600, 600], "n_visits": 1})
    >>> carers = pd.DataFrame({"carer_id": ["ann"], "contracted_hours": [16.0]})
    >>> found = validate_week(shifts, carers, days=["monday", "tuesday"])
    >>> found[["rule", "detail"]].values.tolist()
    [['weekly hours', '20.0 h against 16 h contracted (at most 17.6 h)']]
    """
    work = work or WorkRules()
    found = []
    if not len(shifts) or not days:
        return pd.DataFrame(columns=_COLUMNS)
    busy = shifts if "n_visits" not in shifts.columns else shifts[shifts["n_visits"] > 0]
    # under a week: the hours so far; over a week (a fortnight): the mean week
    per_week = 7.0 / len(days) if len(days) > 7 else 1.0
    if "contracted_hours" in carers.columns and "working_minutes" in busy.columns:
        contract = pd.to_numeric(
            carers.set_index(carers["carer_id"].astype(str))["contracted_hours"], errors="coerce"
        )
        worked = busy.groupby(busy["carer_id"].astype(str))["working_minutes"].sum() / 60.0
        for carer, hours in worked.items():
            c = contract.get(carer, np.nan)
            week = hours * per_week
            if pd.notna(c) and c > 0 and week > c * (1 + work.hours_tolerance) + 1e-6:
                found.append(("weekly hours", carer, f"{week:.1f} h against {c:g} h contracted "
                              f"(at most {c * (1 + work.hours_tolerance):.1f} h)"))  # fmt: skip
    order = {d: i for i, d in enumerate(days)}
    n = len(days)
    for carer, rows in busy.groupby(busy["carer_id"].astype(str)):
        on = np.zeros(n, dtype=bool)
        on[[order[d] for d in rows["day"] if d in order]] = True
        if on.all():
            run = n
        else:  # the longest run of working days, around the end of the week too
            twice = np.concatenate([on, on])
            run, best = 0, 0
            for x in twice:
                run = run + 1 if x else 0
                best = max(best, run)
            run = min(best, n)
        if run > work.max_consecutive_days:
            found.append(("consecutive days", carer,
                          f"{run} days in a row, at most {work.max_consecutive_days}"))  # fmt: skip
    return pd.DataFrame(
        [{"rule": r, "carer_id": k, "visit_id": "", "client_id": "", "detail": d}
         for r, k, d in found],
        columns=_COLUMNS,
    )  # fmt: skip
