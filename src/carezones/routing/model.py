"""The builder of a routing problem from plain travel-time matrices: :class:`RoutingModel`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from carezones.exceptions import ProblemCollector
from carezones.routing.compile import ModelData, compile_model
from carezones.routing.problem import (
    DAY,
    Carer,
    Handle,
    Link,
    Location,
    Profile,
    RoutingParams,
    RoutingProblem,
    Visit,
    parse_skills,
)

__all__ = ["RoutingModel"]


class RoutingModel:
    """Builder of a :class:`RoutingProblem` from plain travel-time matrices.

    Each ``add_*`` method returns a handle; handles from another model are refused.
    :meth:`compile` checks everything at once and returns the immutable problem.
    Every time is an integer number of seconds.

    A visit's window is ``[window_start, window_end]``: it starts at or after
    ``window_start`` and **ends by** ``window_end`` (as the visits tables and every
    outcome of carezones mean it). Published benchmarks whose windows bound the start
    give ``latest_start`` instead of ``window_end``.

    Examples
    --------
    Two carers on a line of four places, 10 minutes apart on foot, 2 minutes by bike, and
    two half-hour visits at 08:00 sharp: the walker takes the near one, the cyclist the
    far one.

    >>> import numpy as np
    >>> walk = np.abs(np.subtract.outer(range(4), range(4))) * 600
    >>> m = RoutingModel()
    >>> places = [m.add_location(name=f"p{i}") for i in range(4)]
    >>> on_foot = m.add_profile(walk, name="walk")
    >>> by_bike = m.add_profile(walk // 5, name="cycle")
    >>> day = dict(shift_start=7 * 3600, shift_end=14 * 3600)
    >>> ann = m.add_carer(places[0], profile=on_foot, name="ann", **day)
    >>> bob = m.add_carer(places[0], profile=by_bike, name="bob", **day)
    >>> at8 = dict(window_start=8 * 3600, window_end=8 * 3600 + 1800, duration=1800)
    >>> _ = m.add_visit(places[1], name="v1", **at8)
    >>> _ = m.add_visit(places[3], name="v2", **at8)
    >>> from carezones.routing import Budget, solve
    >>> result = solve(m.compile(), budget=Budget(max_iterations=200), random_state=1)
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
        self._prices: dict[tuple[str, int], float] = {}
        self._links: list[dict[str, Any]] = []

    def _check(self, handle: object, kind: type[Handle], what: str) -> int:
        if not isinstance(handle, kind) or handle._owner is not self._owner:
            raise ProblemCollector("RoutingModel").error(
                "bad handle", f"a {kind.__name__} from this model", f"{handle!r}", column=what
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
        split: bool = False,
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
        split
            A split shift: the break is the gap between a morning and an evening run, all
            of it unpaid (at least ``break_duration``), so ``max_working`` counts the two
            runs alone.
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
                "skills": parse_skills(skills),
                "split": bool(split),
            }
        )  # fmt: skip
        return Carer(index, self._carers[-1]["name"], self._owner)

    def add_visit(
        self,
        location: Location,
        *,
        window_start: int = 0,
        window_end: int | None = None,
        duration: int = 0,
        carers_needed: int = 1,
        skills: str | Iterable[str] | None = None,
        client: str | None = None,
        name: str = "",
        latest_start: int | None = None,
        agreed_start: int | None = None,
    ) -> Visit:
        """Add a visit: it starts at or after ``window_start`` and ends by ``window_end``.

        Parameters
        ----------
        window_start, window_end
            The visit's window (seconds since midnight): it starts no earlier than
            ``window_start`` and ends no later than ``window_end`` (default: the end of
            the day).
        latest_start
            Instead of ``window_end``: the latest start (the windows of published
            benchmarks, which bound the start); ``window_end`` is then
            ``latest_start + duration``.
        agreed_start
            The start agreed with the client (seconds since midnight), e.g. the time this
            recurring call was planned on an earlier day: the visit then starts no
            earlier than a third of ``spread_minutes`` before it, and later than a third
            of it after is priced (:class:`RoutingParams`).
        carers_needed
            {1, 2} Two: a double-handed visit, a shorthand for two visits of the same
            client tied by :meth:`add_link` with no gap.
        skills
            ``"dementia;hoist"`` or an iterable of names: every carer of the visit needs
            them all; for a double-handed visit ``"hoist | hoist;peg"`` names what each
            of the two carers needs.
        client
            The client's id (continuity is per client); default the visit's name.
        """
        loc = self._check(location, Location, "location")
        index = len(self._visits)
        vname = name or f"visit{index}"
        if latest_start is not None:
            if window_end is not None:
                c = ProblemCollector(f"visit {vname!r}")
                c.add("two window ends", "window_end or latest_start", "both",
                      column="latest_start")  # fmt: skip
                c.raise_if_any()
            window_end = latest_start + duration if isinstance(latest_start, int) else latest_start
        elif window_end is None:
            window_end = DAY + max(duration, 0) if isinstance(duration, int) else DAY
        self._visits.append(
            {
                "name": vname,
                "location": loc,
                "window_start": window_start,
                "window_end": window_end,
                "duration": duration,
                "carers_needed": carers_needed,
                "skills": parse_skills(skills),
                "raw_skills": skills,
                "client": vname if client is None else str(client),
                "agreed_start": -1 if agreed_start is None else agreed_start,
            }
        )  # fmt: skip
        return Visit(index, vname, self._owner)

    def add_link(
        self,
        first: Visit,
        second: Visit,
        *,
        min_gap: int = 0,
        max_gap: int = 0,
        different_carers: bool = True,
    ) -> Link:
        """Tie two visits in time: ``second`` starts ``min_gap`` to ``max_gap`` s after ``first``.

        ``min_gap = max_gap = 0`` with different carers is a simultaneous pair whose halves
        may need different skills (a double-up of two carers of different kinds); a gap
        makes an ordered pair (medication four to five hours apart; a nurse, then a
        carer). The visits may be of the same client or of different clients. A link no
        pair of carers can keep leaves both visits unscheduled, with the reason.

        Parameters
        ----------
        first, second
            Visits of this model (single-handed or double-handed).
        min_gap, max_gap
            Seconds between the two starts, ``0 <= min_gap <= max_gap``.
        different_carers
            Whether the two visits must go to different carers; False: the same carer
            may do both.

        Returns
        -------
        Link
            The link (visit indices and gaps).

        Examples
        --------
        >>> import numpy as np
        >>> m = RoutingModel()
        >>> home, a = m.add_location(), m.add_location()
        >>> p = m.add_profile(np.array([[0, 300], [300, 0]]))
        >>> _ = m.add_carer(home, profile=p, shift_start=0, shift_end=86_000)
        >>> first = m.add_visit(a, window_start=8 * 3600, latest_start=9 * 3600, duration=900)
        >>> second = m.add_visit(a, window_start=8 * 3600, latest_start=20 * 3600, duration=900)
        >>> m.add_link(first, second, min_gap=4 * 3600, max_gap=5 * 3600, different_carers=False)
        Link(first=0, second=1, min_gap=14400, max_gap=18000, different_carers=False)
        """
        a = self._check(first, Visit, "first")
        b = self._check(second, Visit, "second")
        link = {"first": a, "second": b, "min_gap": min_gap, "max_gap": max_gap,
                "different_carers": bool(different_carers)}  # fmt: skip
        self._links.append(link)
        return Link(a, b, min_gap, max_gap, bool(different_carers))

    def add_known_carer(self, client: str, carer: Carer, *, price: float = 0.0) -> None:
        """Record that ``carer`` already visits ``client``: their pair costs ``price``.

        0 (the default): no continuity penalty for them; a price between 0 and the
        continuity penalty marks a carer the client has met who is not one of their
        regular carers.
        """
        c = self._check(carer, Carer, "carer")
        if price == 0:
            self._known.add((str(client), c))
        else:
            self._prices[(str(client), c)] = float(price)

    def compile(
        self, params: RoutingParams | None = None, *, context: Any = None
    ) -> RoutingProblem:
        """Check everything and return the immutable :class:`RoutingProblem`.

        Raises
        ------
        ValidationError
            Listing every problem: matrix shapes, negative times, windows that end
            before they start, shifts, duplicate names, bad ``carers_needed``, links
            with bad gaps or tying a visit to itself.
        """
        data = ModelData(
            self._locations, self._profiles, self._carers, self._visits, self._known, self._links,
            self._prices,
        )  # fmt: skip
        return compile_model(data, params or RoutingParams(), context)
