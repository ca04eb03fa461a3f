"""Daily care routes inside each zone: a vehicle-routing problem solved with PyVRP.

Two ways in:

- the numeric core, for users who bring their own travel times and for published
  benchmarks: a builder, :class:`RoutingModel`, whose ``add_*`` methods return handles,
  compiled into an immutable :class:`RoutingProblem` and solved by :func:`solve`;
- the table adapter, :func:`build_problem`, which takes visits and carers tables (see
  ``docs/conventions.md``) and a :class:`~carezones.TravelNetwork`, builds one travel-time
  matrix per travel mode with :func:`carezones.travel_time_matrix` and calls the core.
  :func:`plan_routes` does it for every zone and day of a plan, zones in parallel.

In the core every time is an **integer number of seconds** (times of day since
midnight); in tables, times of day are minutes since midnight as everywhere in carezones.

Rules
-----
- Each carer starts and ends at their own home and travels with their own mode (one
  travel-time matrix per mode: a routing profile).
- A visit's window is the agreed arrival window: the visit starts inside it (hard by
  default; with ``time_windows="soft"`` it may start up to ``max_lateness_minutes``
  late, each minute priced by ``lateness_penalty``) and lasts its full duration.
- A carer leaves home no earlier than the shift start and is back by the shift end;
  working time (leaving home to getting back, waiting between visits included, less an
  unpaid break taken on the way) is at most the carer's maximum; carers leave home as
  late as their first visits allow. An optional unpaid break of ``break_duration`` is
  taken inside the carer's break window whenever their day spans it.
- A visit needing skills goes only to carers who have all of them.
- A double-handed visit gets two different carers who start it together.
- Continuity: each carer new to a client costs ``continuity_penalty``.
- A visit that cannot be served is returned as unscheduled with the reason, never
  dropped: "no carer with skill X", "only one carer with skill X for a double-handed
  visit", "window too tight for any carer's shift", "not reachable from any carer's
  home", "not reachable in time", or, when the carers who could do it are all busy,
  "no free time in any eligible carer's day" / "no two eligible carers free at the
  same time".

The objective is the carers' travel time in seconds plus those penalties.

How it is solved
----------------
PyVRP (state of the art, MIT) routes every visit with a carer's home as its depot, the
carer's mode as its routing profile, skills as prohibitive edges in a per-carer profile and
the continuity penalty spread over the edges into a client's visits. PyVRP cannot
synchronise two carers, nor take breaks; so its routes are then repaired (both halves of
each double-handed visit reinserted together) and improved by a ruin-and-recreate local
search that prices every move with a full schedule evaluation (windows, shifts, breaks,
skills, synchrony). PyVRP then runs again from that solution with the start of every
scheduled double-handed visit pinned, so both halves stay together in anything it finds
while it re-optimises the rest; its answer is mended and searched again, and the better
of the two solutions is kept. On a plain time-window instance (no double-handed visits,
breaks, soft windows or continuity) PyVRP gets almost all of the time budget.
"""

from __future__ import annotations

import logging
import math
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from os import PathLike
from typing import Any, Literal

import numpy as np

from ._routing_result import RoutingResult
from .exceptions import Problem, ValidationError, unknown_keys

__all__ = [
    "Carer",
    "Location",
    "Profile",
    "RoutingModel",
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "Visit",
    "build_problem",
    "plan_routes",
    "RoutePlan",
    "solve",
    "validate_plan",
]

logger = logging.getLogger(__name__)

DAY = 86_400  # seconds


@dataclass(frozen=True)
class RoutingParams:
    """Rules and penalties of a routing problem.

    Parameters
    ----------
    time_windows
        {"hard", "soft"} Hard: a visit starts inside its window or is unscheduled.
        Soft: it may start up to ``max_lateness_minutes`` late, at a price.
    lateness_penalty
        Cost of each minute late (soft windows), in seconds of travel.
    max_lateness_minutes
        The most a visit may start late with soft windows.
    continuity_penalty
        Cost of each carer new to a client, in seconds of travel (0 turns it off).
    start_step
        Visits start on multiples of this many seconds (60: on whole minutes, as a
        rota does; :func:`build_problem` uses 60).
    pyvrp_share
        Share of the time budget PyVRP gets before the repair and local search, in
        (0, 1]; None chooses 0.95 for plain time-window problems and 0.5 otherwise.

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
    max_lateness_minutes: int = 60
    continuity_penalty: float = 900.0
    start_step: int = 1
    pyvrp_share: float | None = None

    def __post_init__(self) -> None:
        problems = []

        def bad(name: str, expected: str) -> None:
            problems.append(
                Problem(
                    "RoutingParams", "bad option", expected, repr(getattr(self, name)), column=name
                )
            )

        if self.time_windows not in ("hard", "soft"):
            bad("time_windows", "'hard' or 'soft'")
        for name in ("lateness_penalty", "continuity_penalty"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                bad(name, "a number >= 0")
        if not (isinstance(self.max_lateness_minutes, int) and self.max_lateness_minutes >= 0):
            bad("max_lateness_minutes", "an integer >= 0")
        if not (isinstance(self.start_step, int) and 1 <= self.start_step <= 3600):
            bad("start_step", "an integer number of seconds in [1, 3600]")
        share = self.pyvrp_share
        if share is not None and not (isinstance(share, int | float) and 0 < share <= 1):
            bad("pyvrp_share", "None or a number in (0, 1]")
        if problems:
            raise ValidationError(problems)
        object.__setattr__(self, "lateness_penalty", float(self.lateness_penalty))
        object.__setattr__(self, "continuity_penalty", float(self.continuity_penalty))

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
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        return cls.from_dict(data.get(table, data))


# ---------------------------------------------------------------------------- handles


@dataclass(frozen=True)
class _Handle:
    index: int
    name: str
    _owner: object = field(repr=False, compare=False)


@dataclass(frozen=True)
class Location(_Handle):
    """A place: a row and column of every travel-time matrix."""


@dataclass(frozen=True)
class Profile(_Handle):
    """A routing profile: one travel mode's travel-time matrix."""


@dataclass(frozen=True)
class Carer(_Handle):
    """A carer (a vehicle)."""


@dataclass(frozen=True)
class Visit(_Handle):
    """A visit (a client call)."""


def _skills(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(s.strip().lower() for s in value.split(";") if s.strip())
    return frozenset(str(s).strip().lower() for s in value if str(s).strip())


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A compiled routing problem (immutable). Build it with :class:`RoutingModel`.

    Arrays are indexed by location, profile, visit or carer; every time is in seconds.
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

    @property
    def n_visits(self) -> int:
        """Number of visits."""
        return len(self.visit_ids)

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
        from dataclasses import replace

        return replace(self, params=params)

    def __repr__(self) -> str:
        return (
            f"RoutingProblem({self.n_visits} visits, {self.n_carers} carers, "
            f"{self.n_locations} locations, profiles {list(self.profile_names)})"
        )


class RoutingModel:
    """Builder of a :class:`RoutingProblem` from plain travel-time matrices.

    Each ``add_*`` method returns a handle; handles from another model are refused.
    :meth:`compile` checks everything at once and returns the immutable problem.
    Every time is an integer number of seconds.

    Examples
    --------
    Two carers on a line of four places, 10 minutes apart on foot, 2 minutes by bike, and
    two visits at 08:00 sharp: the walker takes the near one, the cyclist the far one.

    >>> import numpy as np
    >>> walk = np.abs(np.subtract.outer(range(4), range(4))) * 600
    >>> m = RoutingModel()
    >>> places = [m.add_location(name=f"p{i}") for i in range(4)]
    >>> on_foot = m.add_profile(walk, name="walk")
    >>> by_bike = m.add_profile(walk // 5, name="cycle")
    >>> day = dict(shift_start=7 * 3600, shift_end=14 * 3600)
    >>> ann = m.add_carer(places[0], profile=on_foot, name="ann", **day)
    >>> bob = m.add_carer(places[0], profile=by_bike, name="bob", **day)
    >>> at8 = dict(window_start=8 * 3600, window_end=8 * 3600, duration=1800)
    >>> _ = m.add_visit(places[1], name="v1", **at8)
    >>> _ = m.add_visit(places[3], name="v2", **at8)
    >>> result = solve(m.compile(), max_iterations=200, random_state=1)
    >>> result.routes[["carer_id", "visit_id"]].sort_values("visit_id").to_numpy().tolist()
    [['ann', 'v1'], ['bob', 'v2']]
    """

    def __init__(self) -> None:
        self._owner = object()
        self._locations: list[dict[str, Any]] = []
        self._profiles: list[dict[str, Any]] = []
        self._carers: list[dict[str, Any]] = []
        self._visits: list[dict[str, Any]] = []
        self._known: set[tuple[str, int]] = set()

    def _check(self, handle: object, kind: type[_Handle], what: str) -> int:
        if not isinstance(handle, kind) or handle._owner is not self._owner:
            raise ValidationError(
                [
                    Problem(
                        "RoutingModel",
                        "bad handle",
                        f"a {kind.__name__} from this model",
                        f"{handle!r}",
                        column=what,
                    )
                ]
            )
        return handle.index

    def add_location(
        self, *, name: str = "", x: float | None = None, y: float | None = None
    ) -> Location:
        """Add a place (the next row of every matrix); ``x``, ``y`` are optional coordinates."""
        index = len(self._locations)
        self._locations.append({"name": name or f"loc{index}", "x": x, "y": y})
        return Location(index, self._locations[-1]["name"], self._owner)

    def add_profile(self, durations: Any, *, distances: Any = None, name: str = "") -> Profile:
        """Add a routing profile: travel seconds (and optional metres) between every location.

        Parameters
        ----------
        durations
            A square array, one row and column per location (in the order added);
            ``inf``/NaN for no path.
        distances
            Optional square array of metres, reported in the routes table.
        name
            The profile's name, e.g. a mode {"walk", "cycle", "drive"}.
        """
        index = len(self._profiles)
        self._profiles.append(
            {"name": name or f"profile{index}", "durations": durations, "distances": distances}
        )
        return Profile(index, self._profiles[-1]["name"], self._owner)

    def add_carer(
        self,
        home: Location,
        *,
        profile: Profile,
        shift_start: int = 0,
        shift_end: int = DAY,
        max_working: int | None = None,
        break_duration: int = 0,
        break_start: int = 0,
        break_end: int = DAY,
        skills: str | Iterable[str] | None = None,
        name: str = "",
    ) -> Carer:
        """Add a carer who starts and ends at ``home`` and travels by ``profile``.

        Parameters
        ----------
        max_working
            Most seconds from leaving home to getting back, less the break; None: no limit.
        break_duration
            An unpaid break (seconds) to take inside ``[break_start, break_end]``; 0: none.
        skills
            ``"dementia;hoist"`` or an iterable of names.
        """
        h = self._check(home, Location, "home")
        p = self._check(profile, Profile, "profile")
        index = len(self._carers)
        self._carers.append(
            {
                "name": name or f"carer{index}",
                "home": h,
                "profile": p,
                "shift_start": shift_start,
                "shift_end": shift_end,
                "max_working": DAY * 2 if max_working is None else max_working,
                "break_duration": break_duration,
                "break_start": break_start,
                "break_end": break_end,
                "skills": _skills(skills),
            }
        )  # fmt: skip
        return Carer(index, self._carers[-1]["name"], self._owner)

    def add_visit(
        self,
        location: Location,
        *,
        window_start: int = 0,
        window_end: int = DAY,
        duration: int = 0,
        carers_needed: int = 1,
        skills: str | Iterable[str] | None = None,
        client: str | None = None,
        name: str = "",
    ) -> Visit:
        """Add a visit that starts inside ``[window_start, window_end]`` and lasts ``duration``.

        Parameters
        ----------
        carers_needed
            {1, 2} Two: a double-handed visit.
        client
            The client's id (continuity is per client); default the visit's name.
        """
        loc = self._check(location, Location, "location")
        index = len(self._visits)
        vname = name or f"visit{index}"
        self._visits.append(
            {
                "name": vname,
                "location": loc,
                "window_start": window_start,
                "window_end": window_end,
                "duration": duration,
                "carers_needed": carers_needed,
                "skills": _skills(skills),
                "client": vname if client is None else str(client),
            }
        )  # fmt: skip
        return Visit(index, vname, self._owner)

    def add_known_carer(self, client: str, carer: Carer) -> None:
        """Record that ``carer`` already visits ``client`` (no continuity penalty for them)."""
        self._known.add((str(client), self._check(carer, Carer, "carer")))

    def compile(
        self, params: RoutingParams | None = None, *, context: Any = None
    ) -> RoutingProblem:
        """Check everything and return the immutable :class:`RoutingProblem`.

        Raises
        ------
        ValidationError
            Listing every problem: matrix shapes, negative times, windows that end
            before they start, shifts, duplicate names, bad ``carers_needed``.
        """
        from ._routing_compile import compile_model

        return compile_model(self, params or RoutingParams(), context)


def solve(
    problem: RoutingProblem,
    *,
    max_seconds: float = 10.0,
    max_iterations: int | None = None,
    random_state: int | np.random.Generator | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> RoutingResult:
    """Solve a routing problem: PyVRP, then repair and local search.

    Parameters
    ----------
    problem
        The problem (from :meth:`RoutingModel.compile` or :func:`build_problem`).
    max_seconds
        Time budget in seconds for the whole solve.
    max_iterations
        Also stop PyVRP after this many iterations and the local search after a tenth
        as many (runs that stop on iterations, not time, are reproducible).
    random_state
        Seed (or generator) for every random choice.
    progress
        Called as ``progress(stage, share_done)`` on the way.

    Returns
    -------
    RoutingResult
        Routes, unscheduled visits with reasons, and the summary.

    Examples
    --------
    >>> import numpy as np
    >>> m = RoutingModel()
    >>> home, a = m.add_location(), m.add_location()
    >>> p = m.add_profile(np.array([[0, 300], [300, 0]]))
    >>> _ = m.add_carer(home, profile=p, shift_start=0, shift_end=3600)
    >>> _ = m.add_visit(a, window_start=0, window_end=600, duration=900)
    >>> _ = m.add_visit(a, window_start=7200, window_end=7300, duration=900, name="too-late")
    >>> r = solve(m.compile(), max_iterations=50, random_state=0)
    >>> r.cost() >= 600, r.unscheduled["reason"].tolist()
    (True, ["window too tight for any carer's shift"])
    """
    from ._solver import run

    if not isinstance(problem, RoutingProblem):
        raise ValidationError(
            [
                Problem(
                    "solve",
                    "not a problem",
                    "a RoutingProblem",
                    type(problem).__name__,
                    column="problem",
                )
            ]
        )
    if not (isinstance(max_seconds, int | float) and max_seconds > 0):
        raise ValidationError(
            [
                Problem(
                    "solve", "bad option", "a number > 0", repr(max_seconds), column="max_seconds"
                )
            ]
        )
    if max_iterations is not None and not (isinstance(max_iterations, int) and max_iterations > 0):
        raise ValidationError(
            [
                Problem(
                    "solve",
                    "bad option",
                    "None or an integer > 0",
                    repr(max_iterations),
                    column="max_iterations",
                )
            ]
        )
    seed = _seed(random_state)
    t0 = time.perf_counter()
    result = run(
        problem,
        max_seconds=float(max_seconds),
        max_iterations=max_iterations,
        seed=seed,
        progress=progress,
    )
    logger.debug("solved %d visits in %.1f s", problem.n_visits, time.perf_counter() - t0)
    return result


def _seed(random_state: int | np.random.Generator | None) -> int:
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if isinstance(random_state, int | np.integer) and random_state >= 0:
        return int(random_state)
    raise ValidationError(
        [
            Problem(
                "solve",
                "bad option",
                "None, an integer >= 0 or a numpy Generator",
                repr(random_state),
                column="random_state",
            )
        ]
    )


from ._routing_network import build_problem  # noqa: E402
from ._routing_plan import RoutePlan, plan_routes  # noqa: E402
from .routing_validate import validate_plan  # noqa: E402
