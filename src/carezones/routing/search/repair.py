"""Repair and local search, priced by the full schedule evaluation of :mod:`._schedule`.

- :func:`initial_state` keeps PyVRP's single-handed routes (dropping, in order, any stop
  that breaks a rule PyVRP does not know: breaks, whole-minute starts) and takes every
  double-handed visit out.
- :func:`insert_visits` puts visits back one at a time at their cheapest feasible place:
  a single-handed visit into one route; both halves of a double-handed visit together into
  two different carers' routes, starting at the same time (the pairs tried are those made
  of the best places for one half alone, cheapest lower bound first).
- :func:`improve` is a ruin-and-recreate local search (related, string and random
  removals; cheapest reinsertion; simulated-annealing acceptance) until the deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from carezones.routing.search.schedule import Instance, RouteSched, forward
from carezones.routing.search.state import State

__all__ = ["improve", "initial_state", "insert_visits"]

_PAIR_CANDIDATES = 24  # best single places kept when pairing the halves of a visit
_PER_CARER = 3


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
        singles = [t for t in seq if inst.t_partner[t] < 0]
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
    """PyVRP's routes with the pairs on two carers kept; routes breaking a rule are mended."""
    partner = inst.t_partner
    where = {t: c for c, seq in enumerate(routes) for t in seq}
    routes = [
        [t for t in seq if partner[t] < 0 or where.get(partner[t], c) != c]
        for c, seq in enumerate(routes)
    ]
    for _ in range(8):
        state = State(inst, routes)
        if state.feasible:
            return state
        if not state.bad:
            return None
        drop = {t for c in state.bad for t in routes[c] if partner[t] >= 0}
        drop |= {partner[t] for t in drop}
        routes = [[t for t in seq if t not in drop] for seq in routes]
        for c in state.bad:
            if not any(partner[t] >= 0 for t in routes[c]):
                routes[c] = _greedy(inst, c, routes[c])
    return None


def _positions(state: State, c: int, t: int) -> list[tuple[int, int]]:
    """Places in carer ``c``'s route where task ``t`` might fit, cheapest detour first."""
    inst = state.inst
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
                out.append((T[prev][loc] + row_loc[nxt] - T[prev][nxt], pos))
        elif pos > 0 and r.pre_end[pos] > we:
            break  # later places only start later
        prev = nxt
    out.sort()
    return out


Found = tuple[float, dict[int, list[int]], tuple[float, dict[int, RouteSched], dict[int, int]]]


def _best_single(state: State, v: int, t: int, limit: float) -> Found | None:
    """Cheapest feasible place of task ``t`` (of visit ``v``), if cheaper than ``limit``."""
    best = None
    best_cost = limit
    for c in state.inst.v_eligible[v]:
        cont = state.continuity_delta(v, c)
        if cont >= best_cost:
            continue
        seq = state.routes[c]
        for detour, pos in _positions(state, c, t):
            if detour + cont >= best_cost:
                break
            change = {c: ([*seq[:pos], t, *seq[pos:]], pos, 1)}
            got = state.try_change(change)
            if got is None:
                continue
            cost = got[0] + cont
            if cost < best_cost:
                best_cost = cost
                best = (cost, {c: change[c][0]}, got)
    return best


def _single_places(state: State, v: int, t: int) -> list[tuple[float, int, int]]:
    """Feasible places for one half alone: (cost, carer, position), best first."""
    found = []
    for c in state.inst.v_eligible[v]:
        cont = state.continuity_delta(v, c)
        seq = state.routes[c]
        mine: list[tuple[float, int, int]] = []
        for detour, pos in _positions(state, c, t):
            if len(mine) >= _PER_CARER and detour + cont >= mine[-1][0]:
                break
            got = state.try_change({c: ([*seq[:pos], t, *seq[pos:]], pos, 1)})
            if got is not None:
                mine.append((got[0] + cont, c, pos))
                mine.sort()
                mine = mine[:_PER_CARER]
        found.extend(mine)
    found.sort()
    return found[:_PAIR_CANDIDATES]


def _best_pair(state: State, v: int, limit: float) -> Found | None:
    """Cheapest feasible places of both halves of a double-handed visit, together."""
    t1, t2 = state.inst.v_tasks[v]
    singles = _single_places(state, v, t1)
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
        got = state.try_change(change)
        if got is None:
            continue
        cost = got[0] + state.continuity_delta(v, ci) + state.continuity_delta(v, cj)
        if cost < best_cost:
            best_cost = cost
            best = (cost, {ci: change[ci][0], cj: change[cj][0]}, got)
    return best


def insert_visit(state: State, v: int, limit: float = math.inf) -> bool:
    """Insert visit ``v`` at its cheapest feasible place; False when there is none."""
    tasks = state.inst.v_tasks[v]
    if not tasks:
        return False
    got = (
        _best_single(state, v, tasks[0], limit) if len(tasks) == 1 else _best_pair(state, v, limit)
    )
    if got is None:
        return False
    _, seqs, (_, new, starts) = got
    state.commit(seqs, new, starts)
    return True


def insert_visits(
    state: State, visits: list[int], rng: np.random.Generator | None = None
) -> list[int]:
    """Insert visits (double-handed first, then narrow windows first); return those left out."""
    inst = state.inst
    order = list(visits)
    if rng is not None:
        rng.shuffle(order)
        if rng.random() < 0.5:
            order.sort(key=lambda v: -len(inst.v_tasks[v]))
        else:
            order.sort(
                key=lambda v: (
                    -len(inst.v_tasks[v]),
                    inst.t_we[inst.v_tasks[v][0]] - inst.t_ws[inst.v_tasks[v][0]]
                    if inst.v_tasks[v]
                    else 0,
                )
            )
    else:
        order.sort(
            key=lambda v: (
                -len(inst.v_tasks[v]),
                inst.t_we[inst.v_tasks[v][0]] - inst.t_ws[inst.v_tasks[v][0]]
                if inst.v_tasks[v]
                else 0,
            )
        )
    left = []
    for v in order:
        if not insert_visit(state, v):
            left.append(v)
    return left


def neighbours(inst: Instance, k: int = 30) -> list[list[int]]:
    """Visits related to each visit: near in travel time and in time of day."""
    servable = [v for v, ts in enumerate(inst.v_tasks) if ts]
    out: list[list[int]] = [[] for _ in inst.v_tasks]
    if len(servable) < 2:
        return out
    loc = np.array([inst.t_loc[inst.v_tasks[v][0]] for v in servable])
    ws = np.array([inst.t_ws[inst.v_tasks[v][0]] for v in servable], dtype=float)
    tables = {id(T): T for T in inst.c_T}
    dist = None
    for T in tables.values():
        sub = np.asarray(T, dtype=float)[np.ix_(loc, loc)]
        dist = sub if dist is None else np.minimum(dist, sub)
    assert dist is not None
    related = dist + dist.T + 0.5 * np.abs(ws[:, None] - ws[None, :])
    np.fill_diagonal(related, np.inf)
    kk = min(k, len(servable) - 1)
    nearest = np.argsort(related, axis=1)[:, :kk]
    for i, v in enumerate(servable):
        out[v] = [servable[j] for j in nearest[i]]
    return out


def _ruin(
    state: State, rng: np.random.Generator, near: list[list[int]], assigned: list[int]
) -> list[int]:
    inst = state.inst
    n = len(assigned)
    q = int(rng.integers(2, max(3, min(16, n // 3 + 2))))
    kind = rng.random()
    chosen: list[int] = []
    if kind < 0.5:  # related: a seed and its nearest assigned neighbours
        seed = assigned[int(rng.integers(n))]
        chosen = [seed]
        for w in near[seed]:
            if len(chosen) >= q:
                break
            if all(state.where[t] >= 0 for t in inst.v_tasks[w]):
                chosen.append(w)
    elif kind < 0.8:  # strings from the routes of a seed's neighbours
        seed = assigned[int(rng.integers(n))]
        routes = []
        for w in [seed, *near[seed]]:
            c = state.where[inst.v_tasks[w][0]] if inst.v_tasks[w] else -1
            if c >= 0 and c not in routes:
                routes.append(c)
            if len(routes) >= 3:
                break
        for c in routes:
            seq = state.routes[c]
            if not seq:
                continue
            length = int(rng.integers(1, min(len(seq), max(2, q // len(routes) + 1)) + 1))
            first = int(rng.integers(0, len(seq) - length + 1))
            chosen.extend(inst.t_visit[t] for t in seq[first : first + length])
    else:  # random
        chosen = [assigned[i] for i in rng.choice(n, size=min(q, n), replace=False)]
    return list(dict.fromkeys(chosen))


def improve(
    state: State,
    rng: np.random.Generator,
    *,
    deadline: float,
    max_iterations: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Ruin and recreate until the deadline (``time.perf_counter()``); return iterations run."""
    inst = state.inst
    near = neighbours(inst)
    current = state.cost()
    best = current
    best_snap = state.snapshot()
    n_servable = sum(1 for ts in inst.v_tasks if ts)
    if n_servable < 2:
        return 0
    temp0 = 0.002 * max(current - inst.unscheduled_penalty * len(state.unassigned()), 1.0)
    start = time.perf_counter()
    span = max(deadline - start, 1e-9)
    it = 0
    while time.perf_counter() < deadline and (max_iterations is None or it < max_iterations):
        it += 1
        assigned = [
            v for v, ts in enumerate(inst.v_tasks) if ts and all(state.where[t] >= 0 for t in ts)
        ]
        if not assigned:
            break
        snap = state.snapshot()
        removed = _ruin(state, rng, near, assigned)
        state.remove([t for v in removed for t in inst.v_tasks[v]])
        if not state.full_evaluate():
            state.restore(snap)
            continue
        insert_visits(state, state.unassigned(), rng)
        cost = state.cost()
        done = (time.perf_counter() - start) / span
        if max_iterations is not None:
            done = max(done, it / max_iterations)
        temp = temp0 * max(0.0, 1.0 - done)
        if cost < current - 1e-9 or (
            temp > 0 and rng.random() < math.exp(-(cost - current) / temp)
        ):
            current = cost
            if cost < best - 1e-9:
                best = cost
                best_snap = state.snapshot()
        else:
            state.restore(snap)
        if progress is not None and it % 50 == 0:
            progress(it)
    state.restore(best_snap)
    return it
