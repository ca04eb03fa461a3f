"""A solution being searched: routes, schedules and their incremental evaluation.

Changes that only delay things (insertions) are priced by :meth:`State.try_change`,
which resumes each changed route where it changed and propagates a later start of a task
tied to others (a double-handed half, a linked visit) to their routes until every
constraint holds, each pushed route scheduled again once per round from its first task
that starts too early; a caller that only wants a change cheaper than a limit stops the
propagation as soon as the cost reaches it. Removals are followed by
:meth:`State.full_evaluate`, the least fixed point computed from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence

from carezones.exceptions import SolverError
from carezones.routing.search.schedule import (
    MAX_ROUNDS,
    Instance,
    RouteSched,
    empty,
    forward,
    overworked,
)

__all__ = ["State"]


class _Lower:
    """Lower bounds on starts: an overlay of changed bounds over the current ones."""

    __slots__ = ("base", "overlay")

    def __init__(self, overlay: dict[int, int], base: list[int]) -> None:
        self.overlay = overlay
        self.base = base

    def __getitem__(self, t: int) -> int:
        got = self.overlay.get(t)
        return self.base[t] if got is None else got


class State:
    """A solution: every carer's route and schedule, with incremental evaluation.

    ``start[t]`` is task ``t``'s start (or -1 when unassigned), ``lower[t]`` the bound
    the tasks tied to it set (its own route honours it), ``where[t]`` its carer.
    """

    def __init__(self, inst: Instance, routes: list[list[int]] | None = None) -> None:
        self.inst = inst
        nt, nc = inst.n_tasks, inst.n_carers
        self.routes: list[list[int]] = (
            [list(r) for r in routes] if routes else [[] for _ in range(nc)]
        )
        self.sched: list[RouteSched] = [empty(inst, c) for c in range(nc)]
        self.start = [-1] * nt
        self.lower = [0] * nt
        self.where = [-1] * nt
        self.pairs: dict[tuple[int, int], int] = {}  # (client, carer) -> tasks
        self.bad: list[int] = []  # routes the last full evaluation found breaking a rule
        self.feasible = True
        self._late_top: list[tuple[int, int]] | None = None  # the largest latenesses
        for c, seq in enumerate(self.routes):
            for t in seq:
                self.where[t] = c
                self._count(t, c, +1)
        self.full_evaluate()

    # ------------------------------------------------------------------ bookkeeping

    def _count(self, t: int, c: int, sign: int) -> None:
        key = (self.inst.v_client[self.inst.t_visit[t]], c)
        value = self.pairs.get(key, 0) + sign
        if value:
            self.pairs[key] = value
        else:
            self.pairs.pop(key, None)

    def route_cost(self, r: RouteSched) -> float:
        """Travel seconds plus priced lateness and priced starts after the preferred ones."""
        inst = self.inst
        return r.travel + inst.late_weight * r.late + inst.pref_weight * r.pref

    def continuity_cost(self) -> float:
        """The price of every (client, carer) pair served (:meth:`Instance.pair_price`)."""
        price = self.inst.pair_price
        return sum(price(cl, c) for cl, c in self.pairs)

    def continuity_delta(self, v: int, c: int) -> float:
        """Extra continuity cost of giving visit ``v`` (a part of it) to carer ``c``."""
        cl = self.inst.v_client[v]
        if (cl, c) in self.pairs:
            return 0.0
        return self.inst.pair_price(cl, c)

    def unassigned(self) -> list[int]:
        """Visits not (fully) in any route."""
        return [v for v, ts in enumerate(self.inst.v_tasks) if any(self.where[t] < 0 for t in ts)]

    def max_late_cost(self, sched: Sequence[RouteSched] | None = None) -> float:
        """The price of the largest single lateness (0 without ``max_lateness_penalty``)."""
        weight = self.inst.max_late_weight
        if not weight:
            return 0.0
        return weight * max((r.maxlate for r in (sched or self.sched)), default=0)

    def cost(self) -> float:
        """Total cost: travel, lateness, continuity and unscheduled visits."""
        total = sum(self.route_cost(r) for r in self.sched) + self.max_late_cost()
        total += self.continuity_cost()
        total += self.inst.unscheduled_penalty * len(self.unassigned())
        return total

    def snapshot(self) -> tuple:
        """Everything needed to come back to this solution."""
        return (
            [list(r) for r in self.routes],
            list(self.sched),
            list(self.start),
            list(self.lower),
            list(self.where),
            dict(self.pairs),
            self.feasible,
        )

    def restore(self, snap: tuple) -> None:
        """Come back to a :meth:`snapshot`."""
        routes, sched, start, lower, where, pairs, feasible = snap
        self.routes = [list(r) for r in routes]
        self.sched = list(sched)
        self.start = list(start)
        self.lower = list(lower)
        self.where = list(where)
        self.pairs = dict(pairs)
        self.feasible = feasible
        self._late_top = None

    # ------------------------------------------------------------------ evaluation

    def consistent(self) -> bool:
        """Whether the stored schedules keep every rule, with every tie in time kept."""
        inst = self.inst
        for c, seq in enumerate(self.routes):
            r = forward(inst, c, seq, self.lower)
            if r is None or r.starts != self.sched[c].starts:
                return False
        where, start = self.where, self.start
        for t, u, w in inst.constraints:
            if (where[t] >= 0) != (where[u] >= 0):
                return False
            if where[t] >= 0 and start[t] < start[u] + w:
                return False
        for t, apart in enumerate(inst.t_apart):
            if where[t] >= 0 and any(where[u] == where[t] for u in apart):
                return False
        return True

    def settle(self) -> None:
        """Make the stored schedules exact, shedding visits if no consistent schedule is found."""
        snap = self.snapshot()
        if self.full_evaluate():
            return
        self.restore(snap)
        if self.consistent():
            return
        while not self.full_evaluate():  # pragma: no cover - a safety net, not seen in tests
            bad = next(
                (
                    c
                    for c, seq in enumerate(self.routes)
                    if seq and forward(self.inst, c, seq, self.lower) is None
                ),
                None,
            )
            if bad is None:
                raise SolverError("no consistent schedule, and no carer's day to shed a visit from")
            t = self.routes[bad][-1]
            self.remove(self.inst.v_unit[self.inst.t_visit[t]])

    def full_evaluate(self) -> bool:
        """Recompute every schedule from scratch (least fixed point); False if infeasible."""
        inst = self.inst
        constraints = inst.constraints
        lower = [0] * inst.n_tasks
        sched: list[RouteSched] = []
        ok = True
        bad: set[int] = set()
        where = self.where
        for c, seq in enumerate(self.routes):
            r = forward(inst, c, seq, lower, strict=False)
            if r is None:
                ok = False
                bad.add(c)
                r = empty(inst, c)
            sched.append(r)
        for t, apart in enumerate(inst.t_apart):
            if where[t] >= 0 and any(where[u] == where[t] for u in apart):
                ok = False
                bad.add(where[t])
        start = [-1] * inst.n_tasks
        for c, r in enumerate(sched):
            for t, s in zip(self.routes[c], r.starts, strict=False):
                start[t] = s
        raise_at: dict[int, tuple[int, int]] = {}
        for _ in range(MAX_ROUNDS * 4):
            if not ok:
                break
            raise_at = {}
            for t, u, w in constraints:
                if start[t] >= 0 and start[u] >= 0 and start[u] + w > start[t]:
                    lower[t] = max(lower[t], start[u] + w)
                    c = where[t]
                    pos = self.routes[c].index(t)
                    lo, hi = raise_at.get(c, (pos, pos))
                    raise_at[c] = (min(lo, pos), max(hi, pos))
            if not raise_at:
                break
            for c, (lo, hi) in raise_at.items():
                r = forward(inst, c, self.routes[c], lower, sched[c], lo, 0, hi + 1, strict=False)
                if r is None:
                    ok = False
                    bad.add(c)
                    break
                sched[c] = r
                for t, s in zip(self.routes[c], r.starts, strict=True):
                    start[t] = s
        else:
            ok = False
            bad.update(raise_at)
        for t, u, w in constraints:
            if start[t] >= 0 and start[u] >= 0:
                lower[t] = max(lower[t], start[u] + w)
        self.sched = sched
        self.start = start
        self.lower = lower
        self._late_top = None
        bad.update(c for c, r in enumerate(sched) if overworked(inst, c, r))
        ok = ok and not bad
        self.bad = sorted(bad)
        self.feasible = ok
        return ok

    def try_change(
        self,
        changes: dict[int, tuple[int, ...] | tuple],
        known: dict[int, RouteSched] | None = None,
        limit: float | None = None,
        extra: float = 0.0,
    ) -> tuple[float, dict[int, RouteSched], dict[int, int]] | None:
        """Price a change that only delays things (insertions), with propagation.

        ``changes`` maps a carer to ``(new_seq, diff_at, shift)`` (or ``(new_seq, diff_at,
        shift, splice_min)`` when several tasks go into one route). Returns the change in
        costs, the new schedules and the new starts of every task they hold, or None when
        the change breaks a hard rule (a window, a shift, two tied tasks on one carer, a
        tie in time that cannot be kept). ``known`` holds schedules already computed for
        some of the new sequences under the current lower bounds (a route that only loses
        a task, priced once for several moves: :meth:`schedule_without`).

        With ``limit``, a change whose cost (plus ``extra``, the caller's own part of it)
        reaches ``limit`` while the ties it pushes are still being followed is dropped
        (None): following ties only delays starts, which does not lower a cost, so a
        caller looking for a change cheaper than ``limit`` loses nothing. (A break can
        move to a wait a delay opens earlier in the day and let a later call start
        earlier; such a change may be dropped, and the caller keeps another valid one.
        On the 18 Camden zone-weeks of the README's "now", seed 0, the plans are the same
        with and without limits.)
        """
        inst = self.inst
        t_in, t_out, t_apart, linked = inst.t_in, inst.t_out, inst.t_apart, inst.t_linked
        self_where, self_start = self.where, self.start
        overlay: dict[int, int] = {}
        seqs = {c: ch[0] for c, ch in changes.items()}
        where: dict[int, int] = {}
        for c, seq in seqs.items():
            for t in seq:
                if self_where[t] != c:
                    where[t] = c
        for t, c in where.items():
            if not linked[t]:
                overlay[t] = 0
                continue
            bound = 0
            for u in t_apart[t]:
                if where.get(u, self_where[u]) == c:
                    return None
            for u, w in t_in[t]:
                if u not in where and self_where[u] >= 0 and self_start[u] + w > bound:
                    bound = self_start[u] + w
            overlay[t] = bound
        low = _Lower(overlay, self.lower)
        new: dict[int, RouteSched] = {}
        starts: dict[int, int] = {}
        # carer -> [first, last] positions whose lower bounds rose, routes in the order pushed
        pending: dict[int, list[int]] = {}

        def push(c: int, t: int) -> None:
            q = seqs[c].index(t) if c in seqs else self.routes[c].index(t)
            span = pending.get(c)
            if span is None:
                pending[c] = [q, q]
            elif q < span[0]:
                span[0] = q
            elif q > span[1]:
                span[1] = q

        def check(c: int, seq: list[int], r: RouteSched, k0: int) -> None:
            """Record the starts from stop ``k0`` on; queue the ties they push."""
            rs = r.starts
            for k in range(k0, len(seq)):
                t = seq[k]
                s = rs[k]
                starts[t] = s
                if not linked[t]:
                    continue
                for u, w in t_out[t]:  # u starts no earlier than s + w
                    cu = where.get(u, self_where[u])
                    if cu < 0:
                        continue
                    if starts.get(u, self_start[u]) < s + w:
                        if low[u] < s + w:
                            overlay[u] = s + w
                        push(cu, u)
                for u, w in t_in[t]:  # t starts no earlier than u's start + w
                    if where.get(u, self_where[u]) < 0:
                        continue
                    su = starts.get(u, self_start[u])
                    if s < su + w:
                        if low[t] < su + w:
                            overlay[t] = su + w
                        push(c, t)

        for c, ch in changes.items():
            seq, diff_at, shift = ch[0], ch[1], ch[2]
            splice = ch[3] if len(ch) > 3 else None
            r = known.get(c) if known else None
            if r is None:
                r = forward(inst, c, seq, low, self.sched[c], diff_at, shift, splice, strict=False)
            if r is None:
                return None
            new[c] = r
            check(c, seq, r, diff_at)
        if limit is not None and pending and self._delta(new) + extra >= limit:
            return None
        # Each route whose bounds rose is scheduled again once from the first task that
        # now starts too early, its old tail reused only past the last bound that rose.
        rounds = 0
        while pending:
            c = next(iter(pending))
            lo, hi = pending.pop(c)
            seq = seqs.get(c, self.routes[c])
            base = new.get(c, self.sched[c])
            bstarts = base.starts
            q = next((k for k in range(lo, hi + 1) if bstarts[k] < low[seq[k]]), -1)
            if q < 0:
                continue
            rounds += 1
            if rounds > MAX_ROUNDS * (1 + len(changes)) * 4:
                return None  # a cyclic wait: the times climb without end
            r = forward(inst, c, seq, low, base, q, 0, hi + 1, strict=False)
            if r is None:
                return None
            new[c] = r
            check(c, seq, r, q)
            if limit is not None and pending and self._delta(new) + extra >= limit:
                return None
        for c, r in new.items():
            if overworked(inst, c, r):
                return None
        return self._delta(new), new, starts

    def _delta(self, new: dict[int, RouteSched]) -> float:
        """The change in route costs and the largest lateness's price if ``new`` replaced them."""
        delta = 0.0
        route_cost = self.route_cost
        sched = self.sched
        for c, r in new.items():
            delta += route_cost(r) - route_cost(sched[c])
        if self.inst.max_late_weight:
            after = max(self._max_late_without(new), max(r.maxlate for r in new.values()))
            delta += self.inst.max_late_weight * (after - self._max_late_without(()))
        return delta

    def schedule_without(self, c: int, seq: list[int], i: int) -> RouteSched | None:
        """Carer ``c``'s schedule once the task at ``i`` leaves (``seq``: the route without it).

        The same schedule :meth:`try_change` computes first for that route when the task
        moves to another carer (no task of ``seq`` changes carer, so the current lower
        bounds hold): a move that tries several places elsewhere prices the loss once.
        None when the shortened route breaks a hard rule.
        """
        return forward(self.inst, c, seq, self.lower, self.sched[c], i, -1, None, strict=False)

    def _max_late_without(self, changed: dict[int, RouteSched] | tuple) -> int:
        """The largest single lateness over the routes not in ``changed``."""
        top = self._late_top
        if top is None:
            top = sorted(((r.maxlate, c) for c, r in enumerate(self.sched)), reverse=True)[:4]
            self._late_top = top
        for value, c in top:
            if c not in changed:
                return value
        if len(top) < 4:
            return 0
        return max((r.maxlate for c, r in enumerate(self.sched) if c not in changed), default=0)

    def commit(
        self, changes: dict[int, list[int]], new: dict[int, RouteSched], starts: dict[int, int]
    ) -> None:
        """Apply a change priced by :meth:`try_change`."""
        inst = self.inst
        for c, seq in changes.items():
            for t in seq:
                if self.where[t] != c:
                    if self.where[t] >= 0:  # pragma: no cover - moves go through remove
                        self._count(t, self.where[t], -1)
                    self.where[t] = c
                    self._count(t, c, +1)
            self.routes[c] = seq
        for c, r in new.items():
            self.sched[c] = r
        self._late_top = None
        for t, s in starts.items():
            self.start[t] = s
        touched = set()
        for t in starts:
            if inst.t_linked[t]:
                touched.add(t)
                touched.update(u for u, _ in inst.t_out[t])
        for t in touched:
            bound = 0
            for u, w in inst.t_in[t]:
                if self.where[u] >= 0 and self.start[u] + w > bound:
                    bound = self.start[u] + w
            self.lower[t] = bound

    def remove(self, tasks: Sequence[int]) -> None:
        """Take tasks out of their routes (call :meth:`full_evaluate` afterwards)."""
        for t in tasks:
            c = self.where[t]
            if c < 0:
                continue
            self.routes[c] = [x for x in self.routes[c] if x != t]
            self._count(t, c, -1)
            self.where[t] = -1
            self.start[t] = -1
