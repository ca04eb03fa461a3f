"""Small moves between carers' routes, priced by the exact schedule (granular neighbourhoods).

Each move changes one or two routes and is priced by :meth:`State.try_change`, which
resumes each changed route where it changed, reuses its old tail as soon as the state
matches again, and follows the ties in time (double-handed halves, linked visits) to
the other routes they push. A move is drawn near a task: its partners come from the
task's nearest tasks in travel time and time of day (a granular neighbourhood, Toth and
Vigo), so a move is never priced between tasks far apart.

- :func:`relocate`: one task to just before or after one of its near tasks, in any
  route (its own too). A task of a double-handed visit or of a link moves alone: the
  other half stays, the ties follow (an exchange of a link's half between carers).
- :func:`swap`: two near tasks on two carers trade places.
- :func:`two_opt_star`: two carers trade the ends of their days (2-opt*), cut after
  a task and before a near task of the other carer.

A move that only makes a tied task start earlier keeps the old lower bound of the tasks
tied to it (still a valid schedule, perhaps not the earliest): the next full evaluation
(:meth:`State.full_evaluate`, after each ruin) lowers them again, so a cost is never
under-estimated.
"""

from __future__ import annotations

import numpy as np

from carezones.routing.search.schedule import Instance, RouteSched
from carezones.routing.search.state import State

__all__ = ["Move", "near_tasks", "relocate", "swap", "two_opt_star"]

#: A priced move: (cost change, new sequences by carer, try_change's answer).
Move = tuple[float, dict[int, list[int]], tuple[float, dict[int, RouteSched], dict[int, int]]]

_NO_SPLICE = 1 << 30  # a splice_min past any route: the old tail is never reused


def near_tasks(inst: Instance, near_visits: list[list[int]], k: int) -> list[list[int]]:
    """Per task, the tasks of its visit's ``k`` nearest visits (and its own visit's others)."""
    out: list[list[int]] = []
    for t in range(inst.n_tasks):
        v = inst.t_visit[t]
        own = [u for u in inst.v_tasks[v] if u != t]
        out.append(own + [u for w in near_visits[v][:k] for u in inst.v_tasks[w]])
    return out


def _continuity(state: State, moved: list[tuple[int, int, int]]) -> float:
    """The change in continuity cost when tasks ``(t, from, to)`` change carers."""
    inst = state.inst
    if not inst.continuity_penalty and not inst.pair_cost:
        return 0.0
    count: dict[tuple[int, int], int] = {}
    for t, a, b in moved:
        if a == b:
            continue
        cl = inst.v_client[inst.t_visit[t]]
        count[(cl, a)] = count.get((cl, a), 0) - 1
        count[(cl, b)] = count.get((cl, b), 0) + 1
    delta = 0.0
    pairs = state.pairs
    for (cl, c), d in count.items():
        before = pairs.get((cl, c), 0)
        after = before + d
        if before == 0 and after > 0:
            delta += inst.pair_price(cl, c)
        elif before > 0 and after == 0:
            delta -= inst.pair_price(cl, c)
    return delta


def _price(
    state: State,
    changes: dict[int, tuple],
    moved: list[tuple[int, int, int]],
    known: dict[int, RouteSched] | None = None,
    best: Move | None = None,
) -> Move | None:
    cont = _continuity(state, moved)
    got = state.try_change(changes, known, best[0] if best is not None else None, cont)
    if got is None:
        return None
    return got[0] + cont, {c: ch[0] for c, ch in changes.items()}, got


def relocate(
    state: State, t: int, near: list[int], eligible: list[set[int]], tries: int,
    rng: np.random.Generator,
) -> Move | None:  # fmt: skip
    """The best of up to ``tries`` places next to near tasks for task ``t``.

    A carer with an empty day (one drawn at random among those who may do ``t``) is
    tried too. The route ``t`` leaves is scheduled once for every place on another
    carer (:meth:`State.schedule_without`).
    """
    where = state.where
    c1 = where[t]
    seq1 = state.routes[c1]
    i = seq1.index(t)
    rest1 = seq1[:i] + seq1[i + 1 :]
    best: Move | None = None
    cands = [u for u in near if where[u] >= 0 and where[u] in eligible[t]]
    routes = state.routes
    idle = [c for c in state.inst.t_eligible[t] if not routes[c]]
    left: dict[int, RouteSched] | None = None  # c1 without t, priced once

    def without() -> dict[int, RouteSched] | None:
        nonlocal left
        if left is None:
            r1 = state.schedule_without(c1, rest1, i)
            left = {c1: r1} if r1 is not None else {}
        return left or None

    if idle:  # a carer with an empty day: the task alone
        c2 = idle[int(rng.integers(len(idle)))]
        if without() is not None:
            best = _price(state, {c1: (rest1, i, -1), c2: ([t], 0, 1)}, [(t, c1, c2)], left)
    if not cands:
        return best
    picks = rng.choice(len(cands), size=min(tries, len(cands)), replace=False)
    for x in picks.tolist():
        u = cands[x]
        c2 = where[u]
        if c2 == c1:
            j = rest1.index(u)
            for pos in (j, j + 1):
                if pos == i:
                    continue
                seq = [*rest1[:pos], t, *rest1[pos:]]
                lo, hi = (pos, i) if pos < i else (i, pos)
                got = _price(state, {c1: (seq, lo, 0, hi + 2)}, [], None, best)
                if got is not None and (best is None or got[0] < best[0]):
                    best = got
            continue
        if without() is None:
            continue  # the day t leaves breaks a rule: no place elsewhere is allowed
        seq2 = state.routes[c2]
        j = seq2.index(u)
        for pos in (j, j + 1):
            changes = {c1: (rest1, i, -1), c2: ([*seq2[:pos], t, *seq2[pos:]], pos, 1)}
            got = _price(state, changes, [(t, c1, c2)], left, best)
            if got is not None and (best is None or got[0] < best[0]):
                best = got
    return best


def swap(state: State, t: int, u: int, eligible: list[set[int]]) -> Move | None:
    """Tasks ``t`` and ``u`` (on two carers) trade places."""
    where = state.where
    c1, c2 = where[t], where[u]
    if c1 == c2 or c1 < 0 or c2 < 0 or c2 not in eligible[t] or c1 not in eligible[u]:
        return None
    seq1, seq2 = state.routes[c1], state.routes[c2]
    i, j = seq1.index(t), seq2.index(u)
    new1 = [*seq1[:i], u, *seq1[i + 1 :]]
    new2 = [*seq2[:j], t, *seq2[j + 1 :]]
    changes = {c1: (new1, i, 0, i + 2), c2: (new2, j, 0, j + 2)}
    return _price(state, changes, [(t, c1, c2), (u, c2, c1)])


def two_opt_star(state: State, t: int, u: int, eligible: list[set[int]]) -> Move | None:
    """Carer of ``t`` keeps its day up to ``t`` then does ``u`` and what followed it; and back."""
    where = state.where
    c1, c2 = where[t], where[u]
    if c1 == c2 or c1 < 0 or c2 < 0:
        return None
    seq1, seq2 = state.routes[c1], state.routes[c2]
    i, j = seq1.index(t) + 1, seq2.index(u)
    tail1, tail2 = seq1[i:], seq2[j:]
    if not tail1 and not tail2:
        return None
    if any(c1 not in eligible[x] for x in tail2) or any(c2 not in eligible[x] for x in tail1):
        return None
    new1, new2 = seq1[:i] + tail2, seq2[:j] + tail1
    moved = [(x, c2, c1) for x in tail2] + [(x, c1, c2) for x in tail1]
    changes = {c1: (new1, i, 0, _NO_SPLICE), c2: (new2, j, 0, _NO_SPLICE)}
    return _price(state, changes, moved)
