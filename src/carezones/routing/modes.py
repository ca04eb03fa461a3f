"""Each carer-day's travel mode, chosen from the plan: the most sustainable that keeps the day.

Carers are described by what they can use (``modes``: ``"walk;cycle;drive"`` for a carer
with a car and a bike); the mode of a day is an outcome, not an input. The router plans
each carer's day with the least sustainable mode open to them (drive, else cycle, else
walk: the most they can reach, so no visit is lost to the choice of mode). Then
:func:`choose_modes` takes, for each carer-day, the most sustainable mode open to the
carer (walk before cycle before drive) for which the same visits in the same order still
make a day that keeps every rule, by the rule of :class:`ModeRule`:

- the day stays feasible: every visit starts inside its window (or no later than it did,
  with soft windows), a double-handed or linked visit at exactly its planned time (so the
  other carer's day is untouched), the carer leaves home no earlier than the shift start
  and is back by its end, the working time and the unpaid break fit;
- no single leg is longer than ``max_walk_leg_minutes`` on foot (``max_cycle_leg_minutes``
  by bike);
- the day's travel is at most ``walk_travel_factor`` (``cycle_travel_factor``) times the
  travel with the planned mode: the extra paid travel a commissioner accepts for a day
  on foot or by bike.

So the walking and cycling in a plan come from where its visits are, not from an assumed
mix of modes; the rule is reported with every result (:meth:`ModeRule.to_dict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.routing.daycheck import break_slot
from carezones.routing.problem import BIG_TIME
from carezones.routing.result import RoutingResult
from carezones.routing.vrp import hard_latest

__all__ = ["MODE_ORDER", "ModeRule", "choose_modes", "planning_mode"]

#: Modes from the most to the least sustainable.
MODE_ORDER = ("walk", "cycle", "drive")


@dataclass(frozen=True)
class ModeRule:
    """The rule that chooses each carer-day's mode (see :mod:`carezones.routing.modes`).

    Parameters
    ----------
    max_walk_leg_minutes
        The longest single leg a carer walks, minutes.
    max_cycle_leg_minutes
        The longest single leg a carer cycles, minutes.
    walk_travel_factor
        A day is walked only if its travel on foot is at most this many times its travel
        with the planned mode.
    cycle_travel_factor
        The same for a day by bike.

    Examples
    --------
    >>> ModeRule().to_dict()["max_walk_leg_minutes"]
    15.0
    >>> ModeRule(walk_travel_factor=0.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - ModeRule, column 'walk_travel_factor': bad value: expected a number >= 1, found 0.5
    """

    max_walk_leg_minutes: float = 15.0
    max_cycle_leg_minutes: float = 20.0
    walk_travel_factor: float = 3.0
    cycle_travel_factor: float = 1.5

    def __post_init__(self) -> None:
        check = ProblemCollector("ModeRule")
        for name in ("max_walk_leg_minutes", "max_cycle_leg_minutes"):
            value = getattr(self, name)
            if not (_number(value) and value > 0):
                check.add("bad value", "a number > 0", repr(value), column=name)
        for name in ("walk_travel_factor", "cycle_travel_factor"):
            value = getattr(self, name)
            if not (_number(value) and value >= 1):
                check.add("bad value", "a number >= 1", repr(value), column=name)
        check.raise_if_any()
        for name in ("max_walk_leg_minutes", "max_cycle_leg_minutes"):
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in ("walk_travel_factor", "cycle_travel_factor"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def leg_limit(self, mode: str) -> float:
        """The longest leg allowed in ``mode``, seconds (no limit when driving)."""
        limits = {"walk": self.max_walk_leg_minutes, "cycle": self.max_cycle_leg_minutes}
        return limits[mode] * 60.0 if mode in limits else math.inf

    def factor(self, mode: str) -> float:
        """The most a day's travel in ``mode`` may be, as a multiple of the planned mode's."""
        factors = {"walk": self.walk_travel_factor, "cycle": self.cycle_travel_factor}
        return factors.get(mode, math.inf)

    def to_dict(self) -> dict[str, float]:
        """The rule's parameters, for reports."""
        return asdict(self)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def planning_mode(modes: str) -> str:
    """The mode a carer's day is planned with: the least sustainable of ``modes``.

    Parameters
    ----------
    modes
        The modes open to the carer, ``;``-separated (``"walk;cycle"``).

    Examples
    --------
    >>> planning_mode("walk;cycle"), planning_mode("drive;walk"), planning_mode("walk")
    ('cycle', 'drive', 'walk')
    """
    have = {m.strip() for m in str(modes).split(";")}
    return next((m for m in reversed(MODE_ORDER) if m in have), "walk")


@dataclass
class _Day:
    """A carer's day re-timed in one mode (seconds)."""

    starts: list[int]
    readys: list[int]
    depart: int
    back: int
    work: int
    legs: list[int]
    late: list[int]
    break_start: int | None


def _retime(
    result: RoutingResult, c: int, rows: pd.DataFrame, profile: int, latest: np.ndarray
) -> _Day | None:
    """Carer ``c``'s visits (``rows``, in order) with profile ``profile``; None if a rule breaks.

    Starts are the earliest the travel allows, then delayed where that only shortens the
    waiting (the way home unchanged, no visit later than its window or its planned
    lateness), as the router leaves carers at home as long as their visits allow.
    """
    p = result.problem
    T = p.durations[profile]
    step = p.params.start_step
    due = p.latest_start
    vid = {name: i for i, name in enumerate(p.visit_ids)}
    visits = [vid[v] for v in rows["visit_id"]]
    linked = {x for link in p.links for x in (link.first, link.second)}
    pinned = rows["with_carer"].astype(str).ne("").to_numpy() | np.array(
        [v in linked for v in visits], dtype=bool
    )
    planned = np.rint(rows["start"].to_numpy(float) * 60).astype(np.int64)
    planned_late = np.rint(rows["late"].to_numpy(float) * 60).astype(np.int64)
    home = int(p.carer_home[c])
    locs = [home] + [int(p.visit_location[v]) for v in visits] + [home]
    legs = [int(T[a, b]) for a, b in pairwise(locs)]
    if max(legs) >= BIG_TIME:
        return None
    prev_end = int(p.shift_start[c])
    starts, cap = [], []
    for k, v in enumerate(visits):
        ready = prev_end + legs[k]
        earliest = -(-ready // step) * step if step > 1 else ready
        start = max(earliest, int(p.window_start[v]))
        # the latest start that adds no lateness (ends by the window's end), or the planned
        own = min(int(latest[v]), int(due[v]) + int(planned_late[k]))
        top = int(planned[k]) if pinned[k] else own
        if pinned[k]:
            if ready > planned[k]:
                return None
            start = int(planned[k])
        if start > top:
            return None
        starts.append(start)
        cap.append(top)
        prev_end = start + int(p.duration[v])
    for k in range(len(visits) - 2, -1, -1):  # delay where it only shortens waiting
        room = starts[k + 1] - legs[k + 1] - int(p.duration[visits[k]])
        later = min(cap[k], room - room % step if step > 1 else room)
        if later > starts[k]:
            starts[k] = later
    late = [max(0, s - int(due[v])) for s, v in zip(starts, visits, strict=True)]
    depart = starts[0] - legs[0]
    back = starts[-1] + int(p.duration[visits[-1]]) + legs[-1]
    if back > int(p.shift_end[c]) or depart < int(p.shift_start[c]):
        return None
    brk, inside = _break(result, c, starts, legs, visits)
    if brk == -1:
        return None
    work = back - depart - (int(p.break_duration[c]) if inside else 0)
    if work > int(p.max_working[c]):
        return None
    readys = [starts[0]] + [  # leaving home as late as the first visit allows
        starts[k - 1] + int(p.duration[visits[k - 1]]) + legs[k] for k in range(1, len(visits))
    ]
    return _Day(starts, readys, depart, back, work, legs, late, brk)


def _break(
    result: RoutingResult, c: int, starts: list[int], legs: list[int], visits: list[int]
) -> tuple[int | None, bool]:
    """The break's start (None: none needed; -1: it does not fit) and whether it is between visits.

    Placed as the independent validator checks it: before the first visit, between two
    visits, or after the last, around the travel in that gap.
    """
    p = result.problem
    b = int(p.break_duration[c])
    ss, se = int(p.shift_start[c]), int(p.shift_end[c])
    bs, be = int(p.break_start[c]), int(p.break_end[c])
    if b <= 0 or max(ss, bs) + b > min(se, be):
        return None, False
    ends = [s + int(p.duration[v]) for s, v in zip(starts, visits, strict=True)]
    gaps = [(ends[k - 1], starts[k], legs[k]) for k in range(1, len(starts))]
    for a, z, t in gaps:
        at = break_slot(a, z, t, bs, be, b)
        if at is not None:
            return int(at), True
    for a, z, t in ((ss, starts[0], legs[0]), (ends[-1], se, legs[-1])):
        at = break_slot(a, z, t, bs, be, b)
        if at is not None:
            return int(at), False
    return -1, False


def choose_modes(
    result: RoutingResult, modes: Mapping[str, str], rule: ModeRule | None = None
) -> RoutingResult:
    """Each carer-day in the most sustainable mode open to the carer that keeps the day.

    Parameters
    ----------
    result
        A solved plan (its problem must hold a profile for every mode to consider, named
        after the mode, as :func:`~carezones.routing.build_problem` makes them).
    modes
        ``carer_id -> "walk;cycle;drive"``: the modes open to each carer (a carer not
        listed keeps the planned mode).
    rule
        The rule; default :class:`ModeRule` ().

    Returns
    -------
    RoutingResult
        The same visits, carers and order; a carer whose day is walked or cycled has that
        mode in ``routes`` and ``shifts``, their times re-worked, and the problem's
        profile for them changed, so :meth:`~carezones.routing.RoutingResult.validate`
        checks the day as travelled. ``extra["modes"]`` counts the carer-days per mode
        chosen, ``extra["mode_rule"]`` is the rule.

    Examples
    --------
    A carer with a car and a bike, two visits 300 m apart: 2 minutes by car, 3 by bike:
    the day is cycled.

    >>> import numpy as np
    >>> from carezones.routing import Budget, RoutingModel, solve
    >>> m = RoutingModel()
    >>> home, a, b = (m.add_location(name=n) for n in "hab")
    >>> car = m.add_profile(np.array([[0, 120, 120], [120, 0, 120], [120, 120, 0]]), name="drive")
    >>> bike = m.add_profile(np.array([[0, 180, 180], [180, 0, 180], [180, 180, 0]]), name="cycle")
    >>> _ = m.add_carer(home, profile=car, name="k1", shift_start=7 * 3600, shift_end=12 * 3600)
    >>> for loc in (a, b):
    ...     _ = m.add_visit(loc, window_start=8 * 3600, window_end=10 * 3600, duration=1800)
    >>> planned = solve(m.compile(), budget=Budget(max_iterations=50), random_state=0)
    >>> chosen = choose_modes(planned, {"k1": "walk;cycle;drive"})
    >>> chosen.shifts["mode"].tolist(), chosen.extra["modes"]
    (['cycle'], {'cycle': 1})
    >>> chosen.validate().empty
    True
    """
    rule = rule or ModeRule()
    p = result.problem
    profile_of = {name: i for i, name in enumerate(p.profile_names)}
    latest = hard_latest(p)
    routes, shifts = result.routes.copy(), result.shifts.copy()
    new_profiles = p.carer_profile.copy()
    counts: dict[str, int] = {}
    for c, cid in enumerate(p.carer_ids):
        rows = routes[routes["carer_id"] == cid].sort_values("sequence")
        if not len(rows):
            continue
        planned = p.profile_names[int(p.carer_profile[c])]
        chosen = _choose(result, c, rows, modes.get(cid), planned, rule, profile_of, latest)
        if chosen is not None:
            mode, day = chosen
            new_profiles[c] = profile_of[mode]
            _write_day(p, c, mode, day, rows.index, routes, shifts, profile_of[mode])
        final = p.profile_names[int(new_profiles[c])]
        counts[final] = counts.get(final, 0) + 1
    new_profiles.setflags(write=False)
    problem = replace(p, carer_profile=new_profiles)
    travel = int(shifts["travel_seconds"].sum())
    late = int(np.rint(routes.drop_duplicates("visit_id")["late"].sum() * 60)) if len(routes) else 0
    return replace(
        result,
        problem=problem,
        routes=routes,
        shifts=shifts,
        travel_seconds=travel,
        late_seconds=late,
        objective=result.objective + (travel - result.travel_seconds),
        extra={**result.extra, "modes": dict(sorted(counts.items())), "mode_rule": rule.to_dict()},
    )


def _choose(
    result: RoutingResult,
    c: int,
    rows: pd.DataFrame,
    open_to: str | None,
    planned: str,
    rule: ModeRule,
    profile_of: dict[str, int],
    latest: np.ndarray,
) -> tuple[str, _Day] | None:
    """The most sustainable mode (and its day) better than ``planned`` that passes the rule."""
    if open_to is None or planned not in MODE_ORDER:
        return None
    have = {m.strip() for m in str(open_to).split(";")}
    base = _retime(result, c, rows, profile_of[planned], latest)
    if base is None:  # pragma: no cover - the planned day always re-times as it was planned
        return None
    planned_travel = sum(base.legs)
    for mode in MODE_ORDER[: MODE_ORDER.index(planned)]:
        if mode not in have or mode not in profile_of:
            continue
        day = _retime(result, c, rows, profile_of[mode], latest)
        if day is None or max(day.legs) > rule.leg_limit(mode):
            continue
        if sum(day.legs) > rule.factor(mode) * max(planned_travel, 1):
            continue
        return mode, day
    return None


def _write_day(
    p: Any,
    c: int,
    mode: str,
    day: _Day,
    index: pd.Index,
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    profile: int,
) -> None:
    """Put carer ``c``'s re-timed day into the routes and shifts tables (minutes)."""
    whole = p.params.start_step % 60 == 0
    step = p.params.start_step

    def minutes(seconds: Any) -> Any:
        m = np.asarray(seconds, dtype=float) / 60.0
        return np.rint(m) if whole else m

    dist = p.distances[profile]
    starts = np.array(day.starts)
    ready = np.ceil(np.array(day.readys, dtype=float) / step) * step
    durations = np.array([int(p.duration[i]) for i in _visit_indices(p, routes.loc[index])])
    routes.loc[index, "arrival"] = minutes(ready)
    routes.loc[index, "start"] = minutes(starts)
    routes.loc[index, "end"] = minutes(starts + durations)
    routes.loc[index, "wait"] = np.clip(starts - ready, 0, None) / 60.0
    routes.loc[index, "late"] = np.array(day.late, dtype=float) / 60.0
    routes.loc[index, "travel_seconds"] = day.legs[:-1]
    routes.loc[index, "mode"] = mode
    if dist is not None:
        locs = [int(p.carer_home[c])] + [
            int(p.visit_location[i]) for i in _visit_indices(p, routes.loc[index])
        ]
        legs_m = [float(dist[a, b]) for a, b in pairwise(locs)]
        back_m = float(dist[locs[-1], locs[0]])
        routes.loc[index, "distance_m"] = legs_m
    else:
        legs_m, back_m = [float("nan")] * len(index), float("nan")
    row = shifts.index[shifts["carer_id"] == p.carer_ids[c]][0]
    b = int(p.break_duration[c])
    shifts.loc[row, "mode"] = mode
    shifts.loc[row, "depart"] = day.depart / 60.0
    shifts.loc[row, "back"] = day.back / 60.0
    shifts.loc[row, "working_minutes"] = day.work / 60.0
    shifts.loc[row, "travel_seconds"] = int(sum(day.legs))
    shifts.loc[row, "return_travel_seconds"] = int(day.legs[-1])
    shifts.loc[row, "distance_m"] = float(np.nansum([*legs_m, back_m]))
    has_break = day.break_start is not None and b
    shifts.loc[row, "break_start"] = day.break_start / 60.0 if has_break else np.nan
    shifts.loc[row, "break_end"] = (day.break_start + b) / 60.0 if has_break else np.nan


def _visit_indices(p: Any, rows: pd.DataFrame) -> list[int]:
    vid = {name: i for i, name in enumerate(p.visit_ids)}
    return [vid[v] for v in rows["visit_id"]]
