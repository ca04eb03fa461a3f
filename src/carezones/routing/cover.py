"""Who covers each regular run on its main carer's days off: one assignment for the week.

A zone's week (:mod:`carezones.routing.week`) fixes its **runs** on the first day: the
calls each carer made, in agreed order. On the days a run's main carer does not work,
someone else drives it. Choosing those carers run by run leaves a client who is on
three runs with three reliefs; this module chooses them all at once, so that each client
meets as few different carers as the working days allow:

- every part of a run (the whole run, or its morning and evening parts when it spans
  both) on every day it has calls and its main is off is driven by one carer who works
  that day, is not driving their own run, whose shift covers that part and who can
  make its calls as agreed (their unpaid break and working minutes fit around them:
  :func:`carezones.routing.week._can_drive`);
- a carer drives (parts of) one run a day;
- the objective counts, for each client, the carers they meet beyond the mains of
  their runs (a client's morning main who covers their evening run is no one new),
  and each client of a part-day whose visits need a skill its relief lacks (someone
  else makes that visit), then each run's reliefs, then how far each relief lives
  from the run.

:func:`cover_runs` searches it by simulated annealing (about a second on a Camden
zone-week); :func:`cover_exact` solves it exactly (HiGHS through
:func:`scipy.optimize.milp`; about a minute on a Camden zone-week), which the tests use
to check the search on small weeks. A part no one can drive is left to the day's search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Part", "cover_cost", "cover_exact", "cover_runs"]

#: Price of a part-day left without a relief, in the objective's units (a client
#: meeting one more carer costs 1).
UNCOVERED = 50.0
#: Price of each client of a part-day whose visits need a skill its relief lacks.
LACKING = 1.0
#: Price of each run's relief, beside the clients' carers.
PER_RELIEF = 0.2
#: Price of an hour's travel from a relief's home to the run's first client, per day.
PER_HOUR_AWAY = 0.5
#: Changes :func:`cover_runs` tries (a Camden zone-week of ~100 part-days: ~1 s).
MOVES = 50_000
#: Simulated annealing: the temperature at the start and at the end (objective units);
#: 0.6 to 0.02 found the best covers of the Camden zone-weeks tried against 2-5 and
#: 0.2-0.3.
HOT, COLD = 0.6, 0.02


@dataclass(frozen=True)
class Part:
    """A part of a run on one day that needs a relief.

    ``run`` is the run's main carer, ``part`` ``"all"``, ``"am"`` or ``"pm"``;
    ``clients`` are the clients it visits and ``carers`` who may drive it that day with
    the seconds from each one's home to its first client; ``lacking`` holds, for a
    carer who lacks a skill some of its visits need, how many of its clients have
    such a visit (each counts as a client meeting one more carer).
    """

    run: str
    part: str
    day: str
    clients: frozenset[str]
    carers: tuple[tuple[str, float], ...]
    lacking: tuple[tuple[str, int], ...] = ()

    def price(self, carer: str, far: float) -> float:
        """The part-day's price when ``carer`` (``far`` seconds away) drives it."""
        return _price(far) + LACKING * dict(self.lacking).get(carer, 0)


def cover_exact(parts: list[Part], mains: dict[str, set[str]]) -> dict[tuple[str, str, str], str]:
    """The cover of :func:`cover_runs` that is best by the module's objective, exactly.

    ``mains`` holds, per client, the main carers of the client's runs (free to meet
    again). Part-days no one can drive are left out of the answer.

    Examples
    --------
    Two runs of one client, each with a day off; one carer free on both days covers
    both, although a nearer carer is free on one of them:

    >>> parts = [
    ...     Part("A", "all", "tuesday", frozenset({"c1"}), (("R", 900.0), ("N", 60.0))),
    ...     Part("B", "all", "wednesday", frozenset({"c1"}), (("R", 900.0),)),
    ... ]
    >>> sorted(cover_exact(parts, {"c1": {"A", "B"}}).items())
    [(('A', 'all', 'tuesday'), 'R'), (('B', 'all', 'wednesday'), 'R')]
    """
    parts = [p for p in parts if p.carers]
    if not parts:
        return {}
    names: list[tuple] = []
    index: dict[tuple, int] = {}
    cost: list[float] = []

    def var(key: tuple, price: float) -> int:
        if key not in index:
            index[key] = len(names)
            names.append(key)
            cost.append(price)
        return index[key]

    rows: list[tuple[dict[int, float], float, float]] = []  # (coefficients, low, high)
    for p in parts:  # every part-day driven by one carer
        coef = {var(("y", p.run, p.part, p.day, k), p.price(k, far)): 1.0 for k, far in p.carers}
        rows.append((coef, 1.0, 1.0))
    for p in parts:
        for k, _ in p.carers:
            y = index[("y", p.run, p.part, p.day, k)]
            w = var(("w", p.run, p.day, k), 0.0)
            x = var(("x", p.run, k), PER_RELIEF)
            rows.append(({y: 1.0, w: -1.0}, -np.inf, 0.0))  # y <= w
            rows.append(({w: 1.0, x: -1.0}, -np.inf, 0.0))  # w <= x
    day_load: dict[tuple[str, str], dict[int, float]] = {}
    for key, i in index.items():
        if key[0] == "w":
            day_load.setdefault((key[3], key[2]), {})[i] = 1.0
    rows += [(coef, -np.inf, 1.0) for coef in day_load.values()]  # one run a carer-day
    run_clients: dict[str, set[str]] = {}
    for p in parts:
        run_clients.setdefault(p.run, set()).update(p.clients)
    for key, i in list(index.items()):
        if key[0] != "x":
            continue
        _, run, k = key
        for c in sorted(run_clients[run]):
            if k in mains.get(c, set()):
                continue
            z = var(("z", c, k), 1.0)
            rows.append(({i: 1.0, z: -1.0}, -np.inf, 0.0))  # x <= z
    slack = [var(("u", p.run, p.part, p.day), UNCOVERED) for p in parts]
    for r, s in zip(range(len(parts)), slack, strict=True):
        rows[r][0][s] = 1.0
    a = sparse.lil_matrix((len(rows), len(names)))
    for r, (coef, _, _) in enumerate(rows):
        for j, v in coef.items():
            a[r, j] = v
    found = milp(
        np.asarray(cost),
        constraints=LinearConstraint(
            a.tocsr(), [lo for _, lo, _ in rows], [hi for _, _, hi in rows]
        ),
        integrality=np.ones(len(names)),
        bounds=Bounds(0, 1),
        options={"disp": False},
    )
    if found.x is None:
        return {}
    out: dict[tuple[str, str, str], str] = {}
    for key, i in index.items():
        if key[0] == "y" and found.x[i] > 0.5:
            out[(key[1], key[2], key[3])] = key[4]
    return out


def _price(far: float) -> float:
    """A part-day's price for a relief ``far`` seconds from its first client."""
    return 0.01 + PER_HOUR_AWAY * far / 3600.0


def cover_cost(
    parts: list[Part], mains: dict[str, set[str]], cover: dict[tuple[str, str, str], str]
) -> float:
    """The objective of a cover (see the module): lower is better.

    Examples
    --------
    >>> parts = [Part("A", "all", "tuesday", frozenset({"c1"}), (("R", 0.0),))]
    >>> round(cover_cost(parts, {"c1": {"A"}}, {("A", "all", "tuesday"): "R"}), 2)
    1.21
    >>> cover_cost(parts, {"c1": {"A"}}, {})
    50.0
    """
    total, teams, met = 0.0, set(), set()
    for p in parts:
        k = cover.get((p.run, p.part, p.day))
        if k is None:
            total += UNCOVERED if p.carers else 0.0
            continue
        total += p.price(k, dict(p.carers)[k])
        teams.add((p.run, k))
        met |= {(c, k) for c in p.clients if k not in mains.get(c, ())}
    return total + PER_RELIEF * len(teams) + len(met)


def cover_runs(
    parts: list[Part],
    mains: dict[str, set[str]],
    *,
    moves: int = MOVES,
    random_state: int = 0,
) -> dict[tuple[str, str, str], str]:
    """Choose who drives each part-day (see the module): ``(run, part, day) -> carer``.

    The objective of :func:`cover_exact`, searched by simulated annealing: start from
    the cheapest carer for each part-day in turn (fewest candidates first), then try
    ``moves`` changes of one part-day's carer, or of every day of its run, to a carer
    free that day or swapping with the part-day that carer drives, each priced by its
    change to the objective; the best cover seen is kept. Same inputs and
    ``random_state``, same answer. Part-days no one can drive are left out of the answer.

    Examples
    --------
    >>> parts = [
    ...     Part("A", "all", "tuesday", frozenset({"c1"}), (("R", 900.0), ("N", 60.0))),
    ...     Part("B", "all", "wednesday", frozenset({"c1"}), (("R", 900.0),)),
    ... ]
    >>> sorted(cover_runs(parts, {"c1": {"A", "B"}}).items())
    [(('A', 'all', 'tuesday'), 'R'), (('B', 'all', 'wednesday'), 'R')]
    """
    parts = [p for p in parts if p.carers]
    if not parts:
        return {}
    rng = np.random.default_rng(random_state)
    n = len(parts)
    who: list[str | None] = [None] * n
    # counts behind the objective
    met: dict[tuple[str, str], int] = {}  # (client, carer) -> part-days
    team: dict[tuple[str, str], int] = {}  # (run, carer) -> part-days
    drives: dict[tuple[str, str], dict[str, int]] = {}  # (carer, day) -> run -> parts
    far = [dict(p.carers) for p in parts]
    price = [{k: p.price(k, f) for k, f in p.carers} for p in parts]

    def delta(i: int, old: str | None, new: str | None) -> float:
        p = parts[i]
        d = 0.0
        if old is not None:
            d -= price[i][old]
            if team[(p.run, old)] == 1:
                d -= PER_RELIEF
            for c in p.clients:
                if old not in mains.get(c, ()) and met[(c, old)] == 1:
                    d -= 1.0
        else:
            d -= UNCOVERED
        if new is not None:
            d += price[i][new]
            if team.get((p.run, new), 0) == (1 if new == old else 0):
                d += PER_RELIEF
            for c in p.clients:
                if new not in mains.get(c, ()) and met.get((c, new), 0) == (1 if new == old else 0):
                    d += 1.0
        else:
            d += UNCOVERED
        return d

    def put(i: int, k: str | None, sign: int) -> None:
        if k is None:
            return
        p = parts[i]
        team[(p.run, k)] = team.get((p.run, k), 0) + sign
        for c in p.clients:
            met[(c, k)] = met.get((c, k), 0) + sign
        load = drives.setdefault((k, p.day), {})
        load[p.run] = load.get(p.run, 0) + sign
        if not load[p.run]:
            del load[p.run]

    def can(i: int, k: str) -> bool:
        load = drives.get((k, parts[i].day), {})
        return not load or set(load) == {parts[i].run}

    order = sorted(range(n), key=lambda i: (len(parts[i].carers), parts[i].run, parts[i].day))
    for i in order:
        best, pick = UNCOVERED, None
        for k, _ in parts[i].carers:
            if can(i, k):
                d = delta(i, None, k) + UNCOVERED
                if d < best:
                    best, pick = d, k
        who[i] = pick
        put(i, pick, +1)
    by_day: dict[tuple[str, str], list[int]] = {}  # (day, run) -> its part-days
    of_run: dict[str, list[int]] = {}  # run -> its part-days
    for i, p in enumerate(parts):
        by_day.setdefault((p.day, p.run), []).append(i)
        of_run.setdefault(p.run, []).append(i)

    def move(i: int, k: str, undo: list[tuple[int, str | None]]) -> float | None:
        """Give part-day ``i`` (and the run's other parts its carer drives that day) to ``k``."""
        p, old = parts[i], who[i]
        if k == old:
            return None
        group = [j for j in by_day[(p.day, p.run)] if who[j] == old and old is not None] or [i]
        if any(k not in far[j] for j in group):
            group = [i]
        load = drives.get((k, p.day), {})
        other = [r for r in load if r != p.run]
        theirs: list[int] = []
        if other:  # swap with the run k drives that day (left uncovered if old is no one)
            theirs = [j for r in other for j in by_day[(p.day, r)] if who[j] == k]
            if old is not None and any(old not in far[j] for j in theirs):
                return None
            if old is not None and drives.get((old, p.day), {}).get(p.run, 0) != len(group):
                return None  # old would still drive a part of this run beside theirs
            if old is not None and [r for r in drives.get((old, p.day), {}) if r != p.run]:
                return None
        d = 0.0
        for j, to in [(j, k) for j in group] + [(j, old) for j in theirs]:
            d += delta(j, who[j], to)
            undo.append((j, who[j]))
            put(j, who[j], -1)
            put(j, to, +1)
            who[j] = to
        return d

    def back(undo: list[tuple[int, str | None]]) -> None:
        for j, was in reversed(undo):
            put(j, who[j], -1)
            put(j, was, +1)
            who[j] = was

    now = 0.0  # the objective, against the first cover
    best, kept = 0.0, list(who)
    for step in range(moves):
        t = HOT * (COLD / HOT) ** (step / moves)
        i = int(rng.integers(n))
        p = parts[i]
        k = p.carers[int(rng.integers(len(p.carers)))][0]
        undo: list[tuple[int, str | None]] = []
        d = 0.0
        for j in [i] if rng.random() < 0.5 else [i, *of_run[p.run]]:  # one day, or the run
            if j != i and (who[j] == k or k not in far[j]):
                continue
            got = move(j, k, undo)
            d += got or 0.0
        if undo and (d <= 0 or rng.random() < math.exp(-d / t)):
            now += d
            if now < best - 1e-9:
                best, kept = now, list(who)
            continue
        back(undo)
    who = kept
    return {(p.run, p.part, p.day): who[i] for i, p in enumerate(parts) if who[i] is not None}
