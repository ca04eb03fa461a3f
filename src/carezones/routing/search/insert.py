"""Putting visits into carers' routes at their cheapest feasible places (the recreate).

- :func:`initial_state` keeps PyVRP's single-handed routes (dropping, in order, any stop
  that breaks a rule PyVRP does not know: breaks, whole-minute starts) and takes every
  task tied to another in time (double-handed halves, linked visits) out.
- :func:`insert_visits` puts visits back one unit at a time at their cheapest feasible
  place: a single-handed visit into one route; the tasks of a unit (both halves of a
  double-handed visit, both visits of a link, a chain of links) together, each on a carer
  who may do it, on different carers where the link says so, with every gap kept by the
  exact schedule (pairs are tried from the best places for each task alone, cheapest lower
  bound first; longer chains by a small beam search, task by task).

Every place is priced by :meth:`State.try_change` (the exact schedule).
"""

from __future__ import annotations

import math

import numpy as np

from carezones.routing.search.schedule import Instance, RouteSched, forward
from carezones.routing.search.state import State

__all__ = ["Carers", "initial_state", "insert_visit", "insert_visits"]

# Best single places kept when pairing the tasks of a double-handed visit (half as many
# per task of a link), and the most kept per carer. Fewer places price faster and leave
# more ruin-and-recreate iterations: the local search alone, 15 CPU s, linked instances
# of 300 (seeds 0, 2) and 200 visits (seed 1), mean gap to the best per instance
# (2026-12-06): 24 and 3 (before) 2.5%, 12 and 2 2.2%, 12 and 1 1.4%, 6 and 2 1.2%, 4 and
# 1 1.0%, 8 and 2 0.5%.
_PAIR_CANDIDATES = 8
_PER_CARER = 2
_BEAM = 3  # partial placements kept per task of a chain of links


def initial_state(inst: Instance, routes: list[list[int]], *, keep_pairs: bool = False) -> State:
    """A feasible state from PyVRP's routes.

    Double-handed visits are taken out, unless ``keep_pairs`` (PyVRP's routes with pinned
    starts): then pairs split between two carers are kept where the full schedule allows.
    """
    if keep_pairs:
        got = _with_pairs(inst, routes)
        if got is not None:
            return got
    zeros = [0] * inst.n_tasks
    kept: list[list[int]] = []
    for c, seq in enumerate(routes):
        singles = [t for t in seq if not inst.t_linked[t]]
        if forward(inst, c, singles, zeros) is not None:
            kept.append(singles)
            continue
        keep: list[int] = []
        for t in singles:
            if forward(inst, c, [*keep, t], zeros) is not None:
                keep.append(t)
        kept.append(keep)
    return State(inst, kept)


def _greedy(inst: Instance, c: int, seq: list[int]) -> list[int]:
    """The stops of a route without double-handed visits kept in order while it stays feasible."""
    zeros = [0] * inst.n_tasks
    keep: list[int] = []
    for t in seq:
        if forward(inst, c, [*keep, t], zeros) is not None:
            keep.append(t)
    return keep


def _with_pairs(inst: Instance, routes: list[list[int]]) -> State | None:
    """PyVRP's routes with the tied tasks kept where they can be; routes breaking a rule mended.

    Units left incomplete, or with two tasks on one carer that must not be, are dropped.
    """
    linked = inst.t_linked
    where = {t: c for c, seq in enumerate(routes) for t in seq}

    def whole(t: int) -> bool:
        unit = inst.v_unit[inst.t_visit[t]]
        return all(u in where for u in unit) and all(
            where[u] != where[x] for x in unit for u in inst.t_apart[x]
        )

    routes = [[t for t in seq if not linked[t] or whole(t)] for seq in routes]
    for _ in range(8):
        state = State(inst, routes)
        if state.feasible:
            return state
        if not state.bad:
            return None
        drop = {t for c in state.bad for t in routes[c] if linked[t]}
        drop |= {u for t in drop for u in inst.v_unit[inst.t_visit[t]]}
        routes = [[t for t in seq if t not in drop] for seq in routes]
        for c in state.bad:
            if not any(linked[t] for t in routes[c]):
                routes[c] = _greedy(inst, c, routes[c])
    return None


def _positions(state: State, c: int, t: int) -> list[tuple[float, int]]:
    """Places in carer ``c``'s route where task ``t`` might fit, cheapest first.

    Each place comes with a lower bound on what inserting there costs: the detour, plus
    with soft windows the lateness of the task itself and of the stop after it at their
    earliest starts (no start moves earlier when a task is inserted).
    """
    inst = state.inst
    weight = inst.late_weight
    due_ = inst.t_due
    seq = state.routes[c]
    r = state.sched[c]
    T = inst.c_T[c]
    home = inst.c_home[c]
    loc = inst.t_loc[t]
    ws, we, dur = inst.t_ws[t], inst.t_we[t], inst.t_dur[t]
    out = []
    prev = home
    n = len(seq)
    row_loc = T[loc]
    for pos in range(n + 1):
        if pos < n:
            nt = seq[pos]
            nxt = inst.t_loc[nt]
        else:
            nt = -1
            nxt = home
        a = r.pre_end[pos] + T[prev][loc]
        if a <= we:
            s = a if a > ws else ws
            if nt < 0 or s + dur + row_loc[nxt] <= inst.t_we[nt]:
                bound: float = T[prev][loc] + row_loc[nxt] - T[prev][nxt]
                if weight:
                    late = s - due_[t] if s > due_[t] else 0
                    if nt >= 0:  # the next stop starts no earlier than after this one
                        old = r.starts[pos] - due_[nt]
                        new = s + dur + row_loc[nxt] - due_[nt]
                        if new > 0 and new > old:
                            late += new - (old if old > 0 else 0)
                    bound += weight * late
                out.append((bound, pos))
        elif pos > 0 and r.pre_end[pos] > we:
            break  # later places only start later
        prev = nxt
    out.sort()
    return out


Found = tuple[float, dict[int, list[int]], tuple[float, dict[int, RouteSched], dict[int, int]]]


Carers = dict[int, list[int]] | None  # per task, the carers to try (None: every eligible one)


def _carers(state: State, t: int, carers: Carers) -> list[int]:
    if carers is not None:
        got = carers.get(t)
        if got is not None:
            return got
    return state.inst.t_eligible[t]


def _best_single(state: State, v: int, t: int, limit: float, carers: Carers = None) -> Found | None:
    """Cheapest feasible place of task ``t`` (of visit ``v``), if cheaper than ``limit``."""
    best = None
    best_cost = limit
    for c in _carers(state, t, carers):
        cont = state.continuity_delta(v, c)
        if cont >= best_cost:
            continue
        seq = state.routes[c]
        for detour, pos in _positions(state, c, t):
            if detour + cont >= best_cost:
                break
            change = {c: ([*seq[:pos], t, *seq[pos:]], pos, 1)}
            got = state.try_change(change, limit=best_cost, extra=cont)
            if got is None:
                continue
            cost = got[0] + cont
            if cost < best_cost:
                best_cost = cost
                best = (cost, {c: change[c][0]}, got)
    return best


def _single_places(
    state: State, v: int, t: int, limit: int = _PAIR_CANDIDATES, carers: Carers = None
) -> list[tuple[float, int, int]]:
    """Feasible places for one task alone: (cost, carer, position), best first.

    At most ``_PER_CARER`` per carer and ``limit`` in all; a place whose lower bound
    cannot beat the ``limit``-th best found so far is not priced.
    """
    found: list[tuple[float, int, int]] = []
    cands = []
    for c in _carers(state, t, carers):
        places = _positions(state, c, t)
        if places:
            cont = state.continuity_delta(v, c)
            cands.append((places[0][0] + cont, c, cont, places))
    cands.sort(key=lambda x: x[0])
    for first, c, cont, places in cands:
        if len(found) >= limit and first >= found[limit - 1][0]:
            break  # carers come in order of their cheapest bound
        seq = state.routes[c]
        mine: list[tuple[float, int, int]] = []
        for detour, pos in places:
            if len(mine) >= _PER_CARER and detour + cont >= mine[-1][0]:
                break
            # a place dearer than the limit-th best so far is never kept
            worst = found[limit - 1][0] if len(found) >= limit else None
            if worst is not None and detour + cont >= worst:
                break
            got = state.try_change(
                {c: ([*seq[:pos], t, *seq[pos:]], pos, 1)},
                limit=None if worst is None else math.nextafter(worst, math.inf),
                extra=cont,
            )
            if got is not None:
                mine.append((got[0] + cont, c, pos))
                mine.sort()
                mine = mine[:_PER_CARER]
        found.extend(mine)
        found.sort()
        del found[limit:]
    return found


def _best_pair(state: State, v: int, limit: float, carers: Carers = None) -> Found | None:
    """Cheapest feasible places of both halves of a double-handed visit, together."""
    t1, t2 = state.inst.v_tasks[v]
    singles = _single_places(state, v, t1, carers=carers)
    pairs = []
    for i, (ci_cost, ci, pi) in enumerate(singles):
        for cj_cost, cj, pj in singles[i + 1 :]:
            if ci != cj:
                pairs.append((ci_cost + cj_cost, ci, pi, cj, pj))
    pairs.sort()
    best = None
    best_cost = limit
    for lb, ci, pi, cj, pj in pairs:
        if lb >= best_cost:
            break
        si, sj = state.routes[ci], state.routes[cj]
        change = {ci: ([*si[:pi], t1, *si[pi:]], pi, 1), cj: ([*sj[:pj], t2, *sj[pj:]], pj, 1)}
        cont = state.continuity_delta(v, ci) + state.continuity_delta(v, cj)
        got = state.try_change(change, limit=best_cost, extra=cont)
        if got is None:
            continue
        cost = got[0] + cont
        if cost < best_cost:
            best_cost = cost
            best = (cost, {ci: change[ci][0], cj: change[cj][0]}, got)
    return best


def _insert_many(seq: list[int], adds: list[tuple[int, int]]) -> tuple:
    """``seq`` with tasks inserted before old positions (``adds``: ``(position, task)``).

    Returned as a change ``(seq, diff_at, shift, splice_min)`` of :meth:`State.try_change`.
    """
    out: list[int] = []
    ordered = sorted(adds, key=lambda a: a[0])
    i = 0
    for pos in range(len(seq) + 1):
        while i < len(ordered) and ordered[i][0] == pos:
            out.append(ordered[i][1])
            i += 1
        if pos < len(seq):
            out.append(seq[pos])
    first = ordered[0][0]
    last = ordered[-1][0] + len(ordered)
    return (out, first, len(ordered), last + 1)


def _continuity(state: State, adds: dict[int, list[tuple[int, int]]]) -> float:
    """Continuity cost of giving the tasks in ``adds`` (carer -> places) to their carers."""
    inst = state.inst
    keys = {(inst.v_client[inst.t_visit[t]], c) for c, xs in adds.items() for _, t in xs}
    return sum(inst.pair_price(cl, c) for cl, c in keys if (cl, c) not in state.pairs)


def _try_adds(state: State, adds: dict[int, list[tuple[int, int]]], limit: float) -> Found | None:
    cont = _continuity(state, adds)
    if cont >= limit:
        return None
    change = {c: _insert_many(state.routes[c], xs) for c, xs in adds.items()}
    got = state.try_change(change, limit=limit, extra=cont)
    if got is None or got[0] + cont >= limit:
        return None
    return (got[0] + cont, {c: ch[0] for c, ch in change.items()}, got)


def _best_linked_pair(
    state: State, t1: int, t2: int, limit: float, carers: Carers = None
) -> Found | None:
    """Cheapest feasible places of two tied tasks that are not identical halves."""
    inst = state.inst
    s1 = _single_places(state, inst.t_visit[t1], t1, _PAIR_CANDIDATES // 2, carers)
    s2 = _single_places(state, inst.t_visit[t2], t2, _PAIR_CANDIDATES // 2, carers)
    apart = t2 in inst.t_apart[t1]
    pairs = sorted(
        (a + b, ci, pi, cj, pj) for a, ci, pi in s1 for b, cj, pj in s2 if ci != cj or not apart
    )
    best = None
    best_cost = limit
    for lb, ci, pi, cj, pj in pairs:
        if lb >= best_cost:
            break
        adds = {ci: [(pi, t1)]} if ci != cj else {ci: [(pi, t1), (pj, t2)]}
        if ci != cj:
            adds[cj] = [(pj, t2)]
        got = _try_adds(state, adds, best_cost)
        if got is not None:
            best_cost, best = got[0], got
    return best


def _best_chain(
    state: State, tasks: tuple[int, ...], limit: float, carers: Carers = None
) -> Found | None:
    """Places for three or more tied tasks: a beam search, one task at a time."""
    inst = state.inst
    order = sorted(tasks, key=lambda t: (inst.t_ws[t], t))
    beam: list[tuple[float, dict[int, list[tuple[int, int]]]]] = [(0.0, {})]
    found: Found | None = None
    for k, t in enumerate(order):
        nxt: list[tuple[float, dict[int, list[tuple[int, int]]], Found]] = []
        for _, adds in beam:
            for c in _carers(state, t, carers):
                if any(c in adds and u in [x for _, x in adds[c]] for u in inst.t_apart[t]):
                    continue
                for _, pos in _positions(state, c, t)[:_PER_CARER]:
                    trial = {cc: list(xs) for cc, xs in adds.items()}
                    trial.setdefault(c, []).append((pos, t))
                    got = _try_adds(state, trial, limit)
                    if got is not None:
                        nxt.append((got[0], trial, got))
        if not nxt:
            return None
        nxt.sort(key=lambda x: x[0])
        beam = [(cost, adds) for cost, adds, _ in nxt[:_BEAM]]
        if k == len(order) - 1:
            found = nxt[0][2]
    return found


def insert_visit(state: State, v: int, limit: float = math.inf, carers: Carers = None) -> bool:
    """Insert visit ``v`` and every task tied to it at the cheapest place; False if none."""
    inst = state.inst
    tasks = inst.v_unit[v]
    if not tasks:
        return False
    if len(tasks) == 1:
        got = _best_single(state, inst.t_visit[tasks[0]], tasks[0], limit, carers)
    elif (
        len(tasks) == 2
        and inst.t_partner[tasks[0]] == tasks[1]
        and (inst.t_eligible[tasks[0]] == inst.t_eligible[tasks[1]])
    ):
        got = _best_pair(state, v, limit, carers)
    elif len(tasks) == 2:
        got = _best_linked_pair(state, tasks[0], tasks[1], limit, carers)
    else:
        got = _best_chain(state, tasks, limit, carers)
    if got is None:
        return False
    _, seqs, (_, new, starts) = got
    state.commit(seqs, new, starts)
    return True


def insert_visits(
    state: State,
    visits: list[int],
    rng: np.random.Generator | None = None,
    carers: Carers = None,
) -> list[int]:
    """Insert visits (tied units first, then narrow windows first); return those left out.

    ``carers`` may name, per task, the carers to try first (a granular neighbourhood);
    a visit that fits none of them is tried with every eligible carer.
    """
    inst = state.inst
    units: dict[tuple[int, ...], int] = {}
    for v in visits:
        units.setdefault(inst.v_unit[v], v)
    order = list(units.values())

    def width(v: int) -> int:
        ts = inst.v_unit[v]
        return inst.t_we[ts[0]] - inst.t_ws[ts[0]] if ts else 0

    if rng is not None:
        rng.shuffle(order)
        if rng.random() < 0.5:
            order.sort(key=lambda v: -len(inst.v_unit[v]))
        else:
            order.sort(key=lambda v: (-len(inst.v_unit[v]), width(v)))
    else:
        order.sort(key=lambda v: (-len(inst.v_unit[v]), width(v)))
    left = []
    for v in order:
        if not insert_visit(state, v, carers=carers) and (
            carers is None or not insert_visit(state, v)
        ):
            left.extend(w for w in visits if inst.v_unit[w] == inst.v_unit[v])
    return left
