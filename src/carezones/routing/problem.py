"""The routing problem's types: rules, handles and the compiled :class:`RoutingProblem`.

:class:`RoutingParams` holds the rules and penalties; :class:`Location`, :class:`Profile`,
:class:`Carer` and :class:`Visit` are the handles :class:`~carezones.routing.RoutingModel`
returns.

This is the leaf of :mod:`carezones.routing`: every other module of the folder imports it,
it imports none of them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd

from carezones._files import read_toml
from carezones.exceptions import ProblemCollector, ValidationError, unknown_keys

__all__ = [
    "BIG_TIME",
    "CONTINUITY_PENALTY",
    "DAY",
    "Link",
    "Carer",
    "Location",
    "Profile",
    "SPREAD_MINUTES",
    "ROUTING_RULES",
    "Rule",
    "RoutingParams",
    "RoutingProblem",
    "Visit",
    "WorkRules",
    "rules_pyvrp_lacks",
    "working_days",
    "works_on",
    "parse_half_skills",
    "parse_skills",
]

logger = logging.getLogger(__name__)

DAY = 86_400  # seconds
BIG_TIME = 10**9  # seconds; larger times are "no path"
#: The price of a carer new to a client (in a day, or in the week planned with regular
#: runs), in seconds of travel: four hours. Measured on Camden's busiest "now" zone-week
#: (benchmarks/bench_week.py --tradeoff): 0 gives 11.7 distinct carers per client a
#: week, 3,600 5.5, 14,400 4.0 and 43,200 4.0, travel per care hour 0.063, 0.073, 0.071
#: and 0.077: beyond this price continuity gains nothing and travel grows.
CONTINUITY_PENALTY = 14_400.0
#: A recurring call keeps to the same time each day within this many minutes (the one
#: default of :attr:`RoutingParams.spread_minutes` and of the outcomes that measure it).
SPREAD_MINUTES = 30


@dataclass(frozen=True)
class RoutingParams:
    """Rules and penalties of a routing problem.

    Parameters
    ----------
    time_windows
        {"hard", "soft"} Hard: a visit starts at or after its window's start and ends by
        its end, or is unscheduled. Soft: it may end up to ``max_lateness_minutes`` after
        its window's end, each minute priced.
    lateness_penalty
        Cost of each minute late (soft windows), in seconds of travel.
    max_lateness_minutes
        The most a visit may end after its window's end with soft windows; None:
        unlimited (soft windows only).
    max_lateness_penalty
        Cost of each minute of the largest single lateness of the plan (soft windows),
        in seconds of travel, on top of ``lateness_penalty``: for commissioners who care
        about the worst case, not only the total. 0 (the default) turns it off.
    continuity_penalty
        Cost of each carer new to a client, in seconds of travel: a carer the client has
        not met in the day, or (a week planned with regular runs) in the week;
        default :data:`CONTINUITY_PENALTY` (four hours); 0 turns it off and plans each
        day on its own (recurring calls still keep the time first planned while
        ``spread_penalty`` is above 0).
    start_step
        Visits start on multiples of this many seconds: 60 (the default) on whole
        minutes, as a rota does; 1 for matrices in other units (published benchmarks).
    spread_minutes
        A visit with an agreed start (a recurring call planned on an earlier day) starts
        no earlier than a third of ``spread_minutes`` before it and, priced by
        ``spread_penalty``, no later than a third of it after: the call keeps to the same
        time each day within ``spread_minutes``, with room for a few late minutes.
    spread_penalty
        Cost of each minute a visit starts later than its agreed start plus a third of
        ``spread_minutes``, in seconds of travel (0 turns it off).
    pyvrp_share
        Share of the time budget PyVRP gets before the repair and local search, in
        (0, 1]; None chooses 0.95 for plain time-window problems and 0.65 otherwise
        (:data:`carezones.routing.solver.PLAIN_PYVRP_SHARE`, ``PYVRP_SHARE``).

    Examples
    --------
    >>> RoutingParams(time_windows="soft").lateness_penalty
    300.0
    >>> RoutingParams(time_windows="late")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - RoutingParams, column 'time_windows': bad option: expected 'hard' or 'soft', found 'late'
    """

    time_windows: Literal["hard", "soft"] = "hard"
    lateness_penalty: float = 300.0
    max_lateness_minutes: int | None = 60
    continuity_penalty: float = CONTINUITY_PENALTY
    start_step: int = 60
    pyvrp_share: float | None = None
    max_lateness_penalty: float = 0.0
    spread_minutes: int = SPREAD_MINUTES
    spread_penalty: float = 120.0

    def __post_init__(self) -> None:
        check = ProblemCollector("RoutingParams")

        def bad(name: str, expected: str) -> None:
            check.add("bad option", expected, repr(getattr(self, name)), column=name)

        if self.time_windows not in ("hard", "soft"):
            bad("time_windows", "'hard' or 'soft'")
        for name in (
            "lateness_penalty", "continuity_penalty", "max_lateness_penalty", "spread_penalty"
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                bad(name, "a number >= 0")
        late = self.max_lateness_minutes
        if late is None:
            if self.time_windows != "soft":
                bad("max_lateness_minutes", "an integer >= 0 (None only with soft windows)")
        elif not (isinstance(late, int) and not isinstance(late, bool) and late >= 0):
            bad("max_lateness_minutes", "None or an integer >= 0")
        if not (isinstance(self.start_step, int) and 1 <= self.start_step <= 3600):
            bad("start_step", "an integer number of seconds in [1, 3600]")
        spread = self.spread_minutes
        if not (isinstance(spread, int) and not isinstance(spread, bool) and 0 <= spread <= 720):
            bad("spread_minutes", "an integer number of minutes in [0, 720]")
        share = self.pyvrp_share
        if share is not None and not (isinstance(share, int | float) and 0 < share <= 1):
            bad("pyvrp_share", "None or a number in (0, 1]")
        check.raise_if_any()
        object.__setattr__(self, "lateness_penalty", float(self.lateness_penalty))
        object.__setattr__(self, "continuity_penalty", float(self.continuity_penalty))
        object.__setattr__(self, "max_lateness_penalty", float(self.max_lateness_penalty))
        object.__setattr__(self, "spread_penalty", float(self.spread_penalty))

    @property
    def lateness_allowed(self) -> int:
        """Seconds a visit may end after its window's end: 0 with hard windows.

        With soft windows and ``max_lateness_minutes=None``, a day (:data:`DAY`).
        """
        if self.time_windows != "soft":
            return 0
        return DAY if self.max_lateness_minutes is None else 60 * self.max_lateness_minutes

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RoutingParams:
        """Build from a mapping, naming any unknown key.

        Examples
        --------
        >>> RoutingParams.from_dict({"time_windows": "soft"}).time_windows
        'soft'
        """
        known = sorted(f.name for f in fields(cls))
        problems = unknown_keys(values, known, "RoutingParams", what="unknown option")
        if problems:
            raise ValidationError(problems)
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | PathLike[str], *, table: str = "routing") -> RoutingParams:
        """Read the ``[routing]`` table (or the whole file when it has none) of a TOML file."""
        data = read_toml(path, what="a TOML file with a [routing] table")
        return cls.from_dict(data.get(table, data))


@dataclass(frozen=True)
class WorkRules:
    """Working patterns a carer would accept: the hours and days the plan keeps to.

    Parameters
    ----------
    hours_tolerance
        A carer works at most their ``contracted_hours`` times ``1 + hours_tolerance``
        a week (spread evenly over their working days); the validator reports a week
        outside ``contracted_hours`` plus or minus this share.
    max_consecutive_days
        The most days in a row a carer works (the validator reports more).

    Examples
    --------
    >>> WorkRules().hours_tolerance
    0.1
    """

    hours_tolerance: float = 0.10
    max_consecutive_days: int = 6

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        tol = self.hours_tolerance
        if not (isinstance(tol, int | float) and not isinstance(tol, bool) and 0 <= tol <= 1):
            c.add("bad option", "a share in [0, 1]", repr(tol), column="hours_tolerance")
        n = self.max_consecutive_days
        if not (isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 14):
            c.add("bad option", "an integer from 1 to 14", repr(n), column="max_consecutive_days")
        c.raise_if_any()
        object.__setattr__(self, "hours_tolerance", float(tol))



def working_days(carers: pd.DataFrame) -> pd.Series:
    """Each carer's working days as a set of lower-case day names (None: every day)."""
    if "days" not in carers.columns:
        return pd.Series([None] * len(carers), index=carers.index, dtype=object)
    return carers["days"].map(
        lambda d: None
        if d is None or (isinstance(d, float) and math.isnan(d)) or not str(d).strip()
        else frozenset(x.strip().lower() for x in str(d).split(";") if x.strip())
    )


def works_on(days: frozenset[str] | None, day: str) -> bool:
    """Whether a carer with working ``days`` works ``day``.

    ``""`` is any day. A plain name (``"saturday"``) is every week; a name with a week
    (``"saturday-1"``, ``"saturday-2"``) is that week of a fortnight only, which is how
    alternate weekends are written. A fortnight's ``"monday-2"`` is its second Monday.

    Examples
    --------
    >>> works_on(frozenset({"monday", "saturday-2"}), "saturday-2")
    True
    >>> works_on(frozenset({"monday", "saturday-2"}), "saturday")
    False
    """
    if not day or days is None:
        return True
    name, _, week = day.partition("-")
    return name in days or f"{name}-{week or '1'}" in days



# ---------------------------------------------------------------------------- handles


@dataclass(frozen=True)
class Handle:
    """What an ``add_*`` method of :class:`~carezones.routing.RoutingModel` returns.

    Parameters
    ----------
    index
        Its position among the model's items of its kind (the order added).
    name
        Its name (ids in the result tables).
    _owner
        The model it belongs to: a handle from another model is refused.
    """

    index: int
    name: str
    _owner: object = field(repr=False, compare=False)


@dataclass(frozen=True)
class Location(Handle):
    """A place: a row and column of every travel-time matrix.

    Parameters
    ----------
    index, name, _owner
        See :class:`Handle`.
    """


@dataclass(frozen=True)
class Profile(Handle):
    """A routing profile: one travel mode's travel-time matrix.

    Parameters
    ----------
    index, name, _owner
        See :class:`Handle`.
    """


@dataclass(frozen=True)
class Carer(Handle):
    """A carer (a vehicle).

    Parameters
    ----------
    index, name, _owner
        See :class:`Handle`.
    """


@dataclass(frozen=True)
class Visit(Handle):
    """A visit (a client call).

    Parameters
    ----------
    index, name, _owner
        See :class:`Handle`.
    """


def parse_skills(value: str | Iterable[str] | None) -> frozenset[str]:
    """Skills as a set of lower-case names, from ``"dementia;hoist"`` or an iterable.

    For a double-handed visit whose carers need different skills (``"hoist | hoist;peg"``)
    this is every skill either carer needs; :func:`parse_half_skills` gives each carer's.
    A missing value (None, or NaN from an empty cell of a table) is no skills.

    Examples
    --------
    >>> sorted(parse_skills("Dementia; hoist"))
    ['dementia', 'hoist']
    >>> parse_skills(float("nan"))
    frozenset()
    """
    if value is None or (isinstance(value, float) and value != value):
        return frozenset()
    if isinstance(value, str):
        return frozenset(s.strip().lower() for s in value.replace("|", ";").split(";") if s.strip())
    return frozenset(str(s).strip().lower() for s in value if str(s).strip())


def parse_half_skills(
    value: str | Iterable[str] | None, carers_needed: int
) -> tuple[frozenset[str], ...]:
    """The skills each carer of a visit needs.

    ``"hoist | hoist;peg"`` is one carer with a hoist and one with a hoist and PEG feeding;
    without ``|`` every carer needs every skill.

    Examples
    --------
    >>> [sorted(s) for s in parse_half_skills("hoist | hoist;peg", 2)]
    [['hoist'], ['hoist', 'peg']]
    >>> [sorted(s) for s in parse_half_skills("hoist", 2)]
    [['hoist'], ['hoist']]
    """
    if isinstance(value, str) and "|" in value:
        parts = [parse_skills(part) for part in value.split("|")]
        if len(parts) == carers_needed:
            return tuple(parts)
        raise ProblemCollector("skills").error(
            "bad skills per carer",
            f"{carers_needed} groups of skills separated by '|'",
            repr(value),
            column="skills",
        )
    return (parse_skills(value),) * carers_needed


@dataclass(frozen=True)
class Link:
    """Two visits tied in time: ``second`` starts ``min_gap`` to ``max_gap`` s after ``first``.

    ``min_gap = max_gap = 0``: they start together.

    Parameters
    ----------
    first, second
        The visits' indices.
    min_gap, max_gap
        The gap between their starts, in seconds (``0 <= min_gap <= max_gap``).
    different_carers
        Whether the two visits must go to different carers (True for a double-up).
    """

    first: int
    second: int
    min_gap: int = 0
    max_gap: int = 0
    different_carers: bool = True


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A compiled routing problem (immutable). Build it with :class:`RoutingModel`.

    Arrays are indexed by location, profile, visit or carer; every time is an integer
    number of seconds (times of day since midnight).

    Parameters
    ----------
    location_names
        One name per location, in the order added (rows and columns of every matrix).
    location_xy
        Location coordinates (n_locations x 2), or None when not every location has them.
    profile_names
        One name per routing profile, e.g. a mode {"walk", "cycle", "drive"}.
    durations
        Per profile, the square matrix of travel seconds between locations
        (:data:`BIG_TIME` or more: no path).
    distances
        Per profile, the square matrix of metres, or None (then measured on the network
        when the problem has one).
    visit_ids
        One id per visit.
    visit_clients
        The client of each visit (continuity is per client).
    visit_location
        The location of each visit.
    window_start, window_end
        Each visit's window: it starts at or after ``window_start`` and ends by
        ``window_end`` (or ends late, with soft windows); :attr:`latest_start` is
        ``window_end - duration``.
    duration
        Each visit's length.
    carers_needed
        1 or 2 per visit (2: double-handed, both carers starting together).
    visit_skills
        The skills each visit asks of its carers.
    carer_ids
        One id per carer.
    carer_home
        The location each carer starts from and returns to.
    carer_profile
        The routing profile (travel mode) of each carer.
    shift_start, shift_end
        Each carer leaves home no earlier than ``shift_start`` and is back by ``shift_end``.
    max_working
        Each carer's most seconds from leaving home to getting back, less the break.
    break_duration, break_start, break_end
        Each carer's unpaid break (0: none) and the window it is taken in.
    carer_split
        Per carer, True for a split shift: the whole gap where the break is taken is
        unpaid (at least ``break_duration``); None: no carer works one.
    carer_skills
        The skills of each carer.
    known
        ``(client_id, carer_id)`` pairs that already know each other (no continuity
        penalty).
    pair_price
        ``(client_id, carer_id)`` pairs with their own continuity price (e.g. a carer the
        client met this week who is not one of their regular carers), instead of
        ``params.continuity_penalty``.
    params
        The rules and penalties.
    context
        What built the problem (the table adapter's network context, for legs along the
        network and distances); None for plain matrices.
    links
        The visits tied in time (:meth:`RoutingModel.add_link`).
    half_skills
        Per visit, the skills each of its ``carers_needed`` carers needs (a double-up
        whose halves differ); empty: every carer of a visit needs ``visit_skills``.
    agreed_start
        Per visit, the start agreed with the client (seconds; -1: none), kept within
        ``params.spread_minutes``; None: no visit has one.
    """

    location_names: tuple[str, ...]
    location_xy: np.ndarray | None
    profile_names: tuple[str, ...]
    durations: tuple[np.ndarray, ...]
    distances: tuple[np.ndarray | None, ...]
    visit_ids: tuple[str, ...]
    visit_clients: tuple[str, ...]
    visit_location: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    duration: np.ndarray
    carers_needed: np.ndarray
    visit_skills: tuple[frozenset[str], ...]
    carer_ids: tuple[str, ...]
    carer_home: np.ndarray
    carer_profile: np.ndarray
    shift_start: np.ndarray
    shift_end: np.ndarray
    max_working: np.ndarray
    break_duration: np.ndarray
    break_start: np.ndarray
    break_end: np.ndarray
    carer_skills: tuple[frozenset[str], ...]
    known: frozenset[tuple[str, str]]
    params: RoutingParams
    context: Any = field(default=None, repr=False)
    links: tuple[Link, ...] = ()
    half_skills: tuple[tuple[frozenset[str], ...], ...] = ()
    agreed_start: np.ndarray | None = None
    carer_split: np.ndarray | None = None
    pair_price: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def skills_of_half(self, v: int, k: int) -> frozenset[str]:
        """The skills the ``k``-th carer of visit ``v`` needs."""
        return self.half_skills[v][k] if self.half_skills else self.visit_skills[v]

    @property
    def n_visits(self) -> int:
        """Number of visits."""
        return len(self.visit_ids)

    @property
    def latest_start(self) -> np.ndarray:
        """Each visit's latest start that ends it by its window's end: ``window_end - duration``.

        Lateness is how far a visit starts after it, which is how far it ends after
        ``window_end``.
        """
        return self.window_end.astype(np.int64) - self.duration.astype(np.int64)

    @property
    def n_carers(self) -> int:
        """Number of carers."""
        return len(self.carer_ids)

    @property
    def n_locations(self) -> int:
        """Number of locations (rows of every matrix)."""
        return len(self.location_names)

    def with_params(self, params: RoutingParams) -> RoutingProblem:
        """The same problem under other rules and penalties."""
        return replace(self, params=params)

    def __repr__(self) -> str:
        return (
            f"RoutingProblem({self.n_visits} visits, {self.n_carers} carers, "
            f"{self.n_locations} locations, profiles {list(self.profile_names)})"
        )


# ---------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """A rule of the routing problem, and whether PyVRP solves it as posed.

    Parameters
    ----------
    name
        The rule.
    meaning
        What it asks of a plan.
    pyvrp
        True when PyVRP's model expresses it exactly (and how); False when PyVRP is given a
        relaxation and the repair and local search (:mod:`carezones.routing.search`), which
        price every rule exactly, enforce it.
    used
        Whether a problem uses the rule (a rule PyVRP lacks that no visit uses leaves the
        problem "plain": PyVRP gets nearly all the budget).
    """

    name: str
    meaning: str
    pyvrp: bool
    used: Callable[[RoutingProblem], bool] = field(repr=False, compare=False)


def _always(problem: RoutingProblem) -> bool:
    return problem.n_visits > 0


#: Every rule of the routing problem, next to whether PyVRP can express it. A new rule
#: goes here, in :class:`RoutingProblem` (its data), in ``search/schedule.py`` (its exact
#: evaluation) and in ``validate.py`` (its independent check); see docs/architecture.md.
ROUTING_RULES: tuple[Rule, ...] = (
    Rule("homes", "each carer starts and ends at home, with their own mode", True, _always),
    Rule("time windows", "a visit starts at or after its window's start and ends by its end",
         True, _always),
    Rule("shifts", "a carer leaves home after the shift starts and is back by its end", True,
         _always),
    Rule("working time", "a carer works at most their maximum minutes", True, _always),
    Rule("skills", "a visit goes to carers with its skills (PyVRP: prohibitive edges)", True,
         lambda p: any(p.visit_skills)),
    Rule("whole minutes", "visits start on multiples of start_step (PyVRP: rounded travel)",
         True, lambda p: p.params.start_step > 1),
    Rule("soft windows", "a visit may end late, each minute priced, up to a limit", False,
         lambda p: p.params.time_windows == "soft"),
    Rule("double-handed", "two different carers start a double-handed visit together", False,
         lambda p: bool((p.carers_needed == 2).any())),
    Rule("linked visits", "a link's visits keep their gap, on different carers if asked", False,
         lambda p: bool(p.links)),
    Rule("breaks", "an unpaid break inside the carer's break window", False,
         lambda p: bool((p.break_duration > 0).any())),
    Rule("continuity", "each carer new to a client is priced", False,
         lambda p: p.params.continuity_penalty > 0 and len(set(p.visit_clients)) < p.n_visits),
    Rule("agreed times", "a recurring call starts near its agreed time, later minutes priced",
         False, lambda p: p.agreed_start is not None and bool((p.agreed_start >= 0).any())),
)  # fmt: skip


def rules_pyvrp_lacks(problem: RoutingProblem) -> list[str]:
    """The rules ``problem`` uses that PyVRP cannot express (empty: a plain problem)."""
    return [r.name for r in ROUTING_RULES if not r.pyvrp and r.used(problem)]
