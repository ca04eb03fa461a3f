"""Schedules of carers' days: the full evaluation behind the repair and the local search.

A *task* is one carer's part of a visit: a single-handed visit is one task, a
double-handed visit two (its halves, partners of each other). A route is a carer's
sequence of tasks. Its schedule is computed forwards from the carer's shift start:

- arrival = end of the previous stop + travel (the carer's own mode);
- start = the arrival rounded up to ``step`` seconds, no earlier than the window start
  and, for a half of a double-handed visit, no earlier than the partner's start;
- a start after the hard latest start (window end, plus the allowed lateness when
  windows are soft) makes the route infeasible; soft lateness is priced per second;
- a start after the task's preferred latest start (``t_pref``, none by default) is
  priced per second too (``pref_weight``), on its own account: it keeps a client's
  recurring call at about the same time each day;
- the optional unpaid break (``B`` seconds inside ``[bs, be]``) is taken in the first
  gap where it delays nothing, or in the last gap where it can still fit; time before
  leaving home and after getting back counts as free;
- the carer leaves home just in time for the first visit and must be back by the
  shift end; working time (leaving home to getting back, less a break taken inside
  that span) must not exceed the carer's maximum.

Tasks tied in time (the halves of a double-handed visit, which start together, and the
visits of a link, whose starts keep a gap) obey difference constraints "task ``t`` starts
no earlier than task ``u`` starts plus ``w``" (``w`` may be negative: a maximum gap is
"``first`` no earlier than ``second`` less the gap"). The solution's schedule is the least
fixed point of those constraints over every carer's route, found by raising lower bounds
until every constraint holds; one carer's wait may push another's, along chains. A cyclic
wait (carer A waits for B at one client while B waits for A at another: a deadlock) makes
times climb past the windows and the solution is infeasible, so the search never keeps it.
Every time is an integer number of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "NO_PREFERENCE", "Instance", "RouteSched", "empty", "forward", "overworked", "push_delay",
    "pushed_starts",
]  # fmt: skip

MAX_ROUNDS = 64  # raising rounds before a cyclic wait is declared infeasible
NO_PREFERENCE = 1 << 40  # the preferred latest start of a task without one (seconds)


@dataclass
class Instance:
    """Solver-side data as plain Python lists (fast scalar access in loops)."""

    # tasks
    t_visit: list[int]
    t_loc: list[int]
    t_ws: list[int]
    t_we: list[int]  # hard latest start
    t_due: list[int]  # window end (lateness counts after it)
    t_dur: list[int]
    t_partner: list[int]  # the other half of a double-handed visit, or -1
    # visits
    v_tasks: list[tuple[int, ...]]
    v_client: list[int]
    v_eligible: list[list[int]]
    # carers
    c_home: list[int]
    c_ss: list[int]
    c_se: list[int]
    c_maxw: list[int]
    c_break: list[int]
    c_bs: list[int]
    c_be: list[int]
    c_need_break: list[bool]
    c_T: list[list[list[int]]]  # travel seconds, the carer's own profile (shared lists)
    step: int = 1
    late_weight: float = 0.0  # cost per second late
    continuity_penalty: float = 0.0
    unscheduled_penalty: float = 1e7
    known: set[tuple[int, int]] = field(default_factory=set)  # (client, carer)
    max_late_weight: float = 0.0  # cost per second of the largest single lateness
    # per carer, a split shift: the whole gap at the break is unpaid (default: none)
    c_split: list[bool] = field(default_factory=list)
    # (client, carer) -> cost of that carer serving that client at all; a pair absent
    # costs ``continuity_penalty`` unless it is in ``known`` (then 0)
    pair_cost: dict[tuple[int, int], float] = field(default_factory=dict)
    # a soft "latest preferred start" per task (default: none) and its price per second
    t_pref: list[int] = field(default_factory=list)
    pref_weight: float = 0.0
    # tasks tied in time: start[t] >= start[u] + w for (u, w) in t_in[t]; t_out mirrors it
    t_in: list[list[tuple[int, int]]] = field(default_factory=list)
    t_out: list[list[tuple[int, int]]] = field(default_factory=list)
    t_apart: list[tuple[int, ...]] = field(default_factory=list)  # tasks on other carers
    t_eligible: list[list[int]] = field(default_factory=list)  # carers who may do the task
    v_unit: list[tuple[int, ...]] = field(default_factory=list)  # tasks moved together
    t_linked: list[bool] = field(init=False)  # tied to another task in time
    constraints: list[tuple[int, int, int]] = field(init=False)  # (t, u, w) of every tie

    def __post_init__(self) -> None:
        nt = len(self.t_loc)
        if not self.t_in:  # only double-handed halves are tied
            self.t_in = [[(u, 0)] if u >= 0 else [] for u in self.t_partner]
        if not self.t_out:
            self.t_out = [[] for _ in range(nt)]
            for t, pairs in enumerate(self.t_in):
                for u, w in pairs:
                    self.t_out[u].append((t, w))
        if not self.t_apart:
            self.t_apart = [(u,) if u >= 0 else () for u in self.t_partner]
        if not self.t_eligible:
            self.t_eligible = [self.v_eligible[v] for v in self.t_visit]
        if not self.t_pref:
            self.t_pref = [NO_PREFERENCE] * nt
        if not self.v_unit:
            self.v_unit = list(self.v_tasks)
        self.t_linked = [bool(a or b) for a, b in zip(self.t_in, self.t_out, strict=True)]
        self.constraints = [(t, u, w) for t, pairs in enumerate(self.t_in) for u, w in pairs]

    def pair_price(self, client: int, carer: int) -> float:
        """What carer ``carer`` serving client ``client`` at all costs (continuity)."""
        key = (client, carer)
        got = self.pair_cost.get(key)
        if got is not None:
            return got
        return 0.0 if key in self.known else self.continuity_penalty

    @property
    def n_tasks(self) -> int:
        """Number of tasks."""
        return len(self.t_loc)

    @property
    def n_carers(self) -> int:
        """Number of carers."""
        return len(self.c_home)


class Bounds(Protocol):
    """Lower bounds on task starts, indexed by task (a list, or an overlay of one)."""

    def __getitem__(self, t: int, /) -> int:
        """The bound of task ``t``."""
        ...


class RouteSched:
    """One carer's scheduled route (immutable once built).

    ``pre_*[k]`` is the state just before stop ``k`` (``k == len(seq)``: before the
    way home), so a changed route can resume from any position and stop early once
    its state matches the old one again. ``late`` and ``pref`` add up the seconds past
    the window ends and past the preferred starts. The departure and the working time
    are computed when first asked for (the search rarely needs them: see
    :func:`overworked`).
    """

    __slots__ = (
        "_c", "_dep", "_inst", "_maxlate", "_work", "brk", "late", "pre_brk", "pre_end",
        "pre_late", "pre_pref", "pre_taken", "pre_travel", "pref", "readys", "ret", "seq",
        "starts", "travel",
    )  # fmt: skip

    def __init__(self) -> None:
        self.seq: list[int] = []
        self.starts: list[int] = []
        self.readys: list[int] = []
        self.pre_end: list[int] = []
        self.pre_travel: list[int] = []
        self.pre_late: list[int] = []
        self.pre_pref: list[int] = []
        self.pre_taken: list[bool] = []
        self.pre_brk: list[tuple[int, bool] | None] = []
        self.travel = 0
        self.late = 0
        self.pref = 0  # seconds started after the preferred starts, summed
        self._maxlate: int | None = 0
        self.ret = 0
        self.brk: tuple[int, bool] | None = None
        self._inst: Instance | None = None
        self._c = -1
        self._dep: int | None = 0
        self._work: int | None = 0

    @property
    def dep(self) -> int:
        """When the carer leaves home (as late as the first visits allow)."""
        if self._dep is None:
            inst = self._inst
            assert inst is not None
            self._dep = _departure(
                inst, self._c, self.seq, self.starts, self.readys, self.pre_taken, self.brk
            )
        return self._dep

    @property
    def maxlate(self) -> int:
        """The largest single lateness (0 unless the instance prices it)."""
        if self._maxlate is None:
            inst = self._inst
            assert inst is not None
            self._maxlate = _max_late(inst, self.seq, self.starts)
        return self._maxlate

    @property
    def work(self) -> int:
        """Working time: leaving home to getting back, less a break taken on the way."""
        if self._work is None:
            inst = self._inst
            assert inst is not None
            inside = self.brk is not None and self.brk[1]
            unpaid = inst.c_break[self._c] if inside else 0
            if inside and inst.c_split and inst.c_split[self._c]:
                unpaid = max(unpaid, _split_gap(inst, self._c, self))
            self._work = self.ret - self.dep - unpaid
        return self._work


def _split_gap(inst: Instance, c: int, r: RouteSched) -> int:
    """The idle time (no visit, no travel) of the gap where carer ``c`` took the break."""
    taken = r.pre_taken
    for k in range(1, len(r.seq)):
        if taken[k + 1] and not taken[k]:
            leg = inst.c_T[c][inst.t_loc[r.seq[k - 1]]][inst.t_loc[r.seq[k]]]
            return r.starts[k] - r.pre_end[k] - leg
    return 0


def overworked(inst: Instance, c: int, r: RouteSched) -> bool:
    """Whether carer ``c``'s day ``r`` is longer than their maximum working time.

    Cheap in the usual case: a day that ends within the maximum of the shift start
    cannot be too long (carers never leave before their shift starts).
    """
    maxw = inst.c_maxw[c]
    return r.ret - inst.c_ss[c] > maxw and r.work > maxw


def _ceil(x: int, step: int) -> int:
    return -(-x // step) * step


def forward(
    inst: Instance,
    c: int,
    seq: list[int],
    lower: Bounds,
    base: RouteSched | None = None,
    diff_at: int = 0,
    shift: int = 0,
    splice_min: int | None = None,
    strict: bool = True,
) -> RouteSched | None:
    """Schedule carer ``c``'s route ``seq``; None when it breaks a hard rule.

    ``lower[t]`` is a lower bound on task ``t``'s start (from the tasks tied to it). With
    ``base`` (the old schedule of this carer), stops before ``diff_at`` are unchanged
    and old stop ``k - shift`` is new stop ``k`` after the change; from ``splice_min``
    on, the old tail is reused as soon as the state matches. With ``strict`` False the
    maximum working time is not checked (working time is not monotone in the bounds, so
    the fixed-point searches check it once they have settled).
    """
    r = _forward(inst, c, seq, lower, base, diff_at, shift, splice_min)
    if strict and r is not None and overworked(inst, c, r):
        return None
    return r


def _forward(
    inst: Instance,
    c: int,
    seq: list[int],
    lower: Bounds,
    base: RouteSched | None,
    diff_at: int,
    shift: int,
    splice_min: int | None,
) -> RouteSched | None:
    n = len(seq)
    if n == 0:
        return empty(inst, c)
    T = inst.c_T[c]
    step = inst.step
    loc_ = inst.t_loc
    ws_ = inst.t_ws
    we_ = inst.t_we
    due_ = inst.t_due
    pref_ = inst.t_pref
    dur_ = inst.t_dur
    r = RouteSched()
    r.seq = seq
    if base is not None and diff_at > 0:  # the unchanged stops, and the state after them
        k0 = diff_at
        starts, readys = base.starts[:k0], base.readys[:k0]
        pre_end, pre_travel, pre_late = base.pre_end[:k0], base.pre_travel[:k0], base.pre_late[:k0]
        pre_pref = base.pre_pref[:k0]
        pre_taken, pre_brk = base.pre_taken[:k0], base.pre_brk[:k0]
        prev_end, travel, late = base.pre_end[k0], base.pre_travel[k0], base.pre_late[k0]
        pref = base.pre_pref[k0]
        taken, brk = base.pre_taken[k0], base.pre_brk[k0]
        prev = loc_[seq[k0 - 1]]
    else:
        k0 = 0
        starts, readys, pre_end, pre_travel, pre_late, pre_pref = [], [], [], [], [], []
        pre_taken, pre_brk = [], []
        prev_end, travel, late, pref = inst.c_ss[c], 0, 0, 0
        taken, brk = not inst.c_need_break[c], None
        prev = inst.c_home[c]
    if splice_min is None:
        splice_min = diff_at + (shift if shift > 0 else 0) + 1
    if base is not None:
        nb = len(base.seq)
        b_end, b_taken, b_brk = base.pre_end, base.pre_taken, base.pre_brk
    else:
        nb = 0
        b_end = b_taken = b_brk = []  # type: ignore[assignment]
    k = k0
    while k < n:
        if k >= splice_min:
            j = k - shift
            if 0 <= j < nb and prev_end == b_end[j] and taken == b_taken[j] and brk == b_brk[j]:
                assert base is not None
                return _splice(
                    inst, c, r, base, j, starts, readys, pre_end, pre_travel, pre_late,
                    pre_pref, pre_taken, pre_brk, travel, late, pref,
                )  # fmt: skip
        t = seq[k]
        loc = loc_[t]
        tt = T[prev][loc]
        pre_end.append(prev_end)
        pre_travel.append(travel)
        pre_late.append(late)
        pre_pref.append(pref)
        pre_taken.append(taken)
        pre_brk.append(brk)
        travel += tt
        ready = prev_end + tt
        lb = ws_[t]
        low = lower[t]
        if low > lb:
            lb = low
        rr = -(-ready // step) * step if step > 1 else ready
        s = rr if rr > lb else lb
        if not taken:
            took = _break_before(inst, c, k, prev_end, ready, tt, lb, s, dur_[t])
            if took is None:
                return None  # the break window has passed
            if took[0] is not None:
                taken = True
                brk, ready, s = took
        if s > we_[t]:
            return None
        d = s - due_[t]
        if d > 0:
            late += d
        d = s - pref_[t]
        if d > 0:
            pref += d
        starts.append(s)
        readys.append(ready)
        prev_end = s + dur_[t]
        prev = loc
        k += 1
    return _finish(
        inst, c, r, starts, readys, pre_end, pre_travel, pre_late, pre_pref, pre_taken,
        pre_brk, prev, prev_end, travel, late, pref, taken, brk,
    )  # fmt: skip


def _break_before(
    inst: Instance, c: int, k: int, prev_end: int, ready: int, tt: int, lb: int, s: int, dur: int
) -> tuple[tuple[int, bool] | None, int, int] | None:
    """Whether carer ``c`` takes the break before stop ``k`` (the break not yet taken).

    At home before leaving (stop 0), at the door after travelling, or before travelling.
    It is taken when it delays nothing, or when after this visit it would no longer fit.
    Returns ``(brk, ready, start)`` (``brk`` None: not taken here), or None when the break
    window has passed.
    """
    ss, B, bs, be, step = inst.c_ss[c], inst.c_break[c], inst.c_bs[c], inst.c_be[c], inst.step
    if k == 0:  # at home, before leaving
        p = ss if ss > bs else bs
        ok = p + B <= be
        rb = p + B + tt
        arrive_b = rb
    else:
        p = ready if ready > bs else bs  # after travelling, at the door
        rb = p + B
        ok = rb <= be
        arrive_b = ready
        if not ok:  # before travelling
            p = prev_end if prev_end > bs else bs
            rb = p + B + tt
            ok = p + B <= be
            arrive_b = rb
    if not ok:
        return None
    rbb = _ceil(rb, step) if step > 1 else rb
    sb = rbb if rbb > lb else lb
    if sb <= s:  # free: it delays nothing
        return (p, k > 0), arrive_b, s
    e = s + dur
    if (e if e > bs else bs) + B > be:  # last chance
        return (p, k > 0), arrive_b, sb
    return None, ready, s


def _finish(
    inst: Instance,
    c: int,
    r: RouteSched,
    starts: list[int],
    readys: list[int],
    pre_end: list[int],
    pre_travel: list[int],
    pre_late: list[int],
    pre_pref: list[int],
    pre_taken: list[bool],
    pre_brk: list[tuple[int, bool] | None],
    prev: int,
    prev_end: int,
    travel: int,
    late: int,
    pref: int,
    taken: bool,
    brk: tuple[int, bool] | None,
) -> RouteSched | None:
    pre_end.append(prev_end)
    pre_travel.append(travel)
    pre_late.append(late)
    pre_pref.append(pref)
    pre_taken.append(taken)
    pre_brk.append(brk)
    home = inst.c_home[c]
    tt = inst.c_T[c][prev][home]
    ret = prev_end + tt
    if not taken:
        B = inst.c_break[c]
        bs = inst.c_bs[c]
        be = inst.c_be[c]
        p = ret if ret > bs else bs
        if p + B <= be:
            brk = (p, False)  # at home, after the day's work
        else:
            p = prev_end if prev_end > bs else bs
            if p + B > be:
                return None
            brk = (p, True)
            ret = p + B + tt
    if ret > inst.c_se[c]:
        return None
    r.starts = starts
    r.readys = readys
    r.pre_end = pre_end
    r.pre_travel = pre_travel
    r.pre_late = pre_late
    r.pre_pref = pre_pref
    r.pre_taken = pre_taken
    r.pre_brk = pre_brk
    r.travel = travel + tt
    r.late = late
    r.pref = pref
    r.ret = ret
    r.brk = brk
    r._inst = inst
    r._c = c
    r._dep = r._work = None
    r._maxlate = None if inst.max_late_weight else 0
    return r


def _max_late(inst: Instance, seq: list[int], starts: list[int]) -> int:
    due = inst.t_due
    worst = 0
    for t, s in zip(seq, starts, strict=True):
        d = s - due[t]
        if d > worst:
            worst = d
    return worst


def _splice(
    inst: Instance,
    c: int,
    r: RouteSched,
    base: RouteSched,
    j: int,
    starts: list[int],
    readys: list[int],
    pre_end: list[int],
    pre_travel: list[int],
    pre_late: list[int],
    pre_pref: list[int],
    pre_taken: list[bool],
    pre_brk: list[tuple[int, bool] | None],
    travel: int,
    late: int,
    pref: int,
) -> RouteSched | None:
    """Reuse ``base`` from its stop ``j`` on (the state before it matches)."""
    dt = travel - base.pre_travel[j]
    dl = late - base.pre_late[j]
    dp = pref - base.pre_pref[j]
    r.starts = starts + base.starts[j:]
    r.readys = readys + base.readys[j:]
    r.pre_end = pre_end + base.pre_end[j:]
    r.pre_travel = pre_travel + (
        [x + dt for x in base.pre_travel[j:]] if dt else base.pre_travel[j:]
    )
    r.pre_late = pre_late + ([x + dl for x in base.pre_late[j:]] if dl else base.pre_late[j:])
    r.pre_pref = pre_pref + ([x + dp for x in base.pre_pref[j:]] if dp else base.pre_pref[j:])
    r.pre_taken = pre_taken + base.pre_taken[j:]
    r.pre_brk = pre_brk + base.pre_brk[j:]
    r.travel = base.travel + dt
    r.late = base.late + dl
    r.pref = base.pref + dp
    r.ret = base.ret
    r.brk = base.brk
    r._inst = inst
    r._c = c
    r._dep = r._work = None
    r._maxlate = None if inst.max_late_weight else 0
    return r


def push_delay(
    inst: Instance,
    seq: list[int],
    starts: list[int],
    readys: list[int],
    pre_taken: list[bool],
    brk: tuple[int, bool] | None,
) -> int:
    """How much later the carer can leave home without moving the day's end (Savelsbergh).

    Waiting is absorbed stop by stop; a stop may move up to its latest start (its start
    for a task tied to others in time, which are fixed; the window end for soft
    windows and the preferred start, so no lateness is added); stops from an inside
    break on never move.
    """
    step = inst.step
    linked = inst.t_linked
    we_ = inst.t_we
    due_ = inst.t_due
    pref_ = inst.t_pref
    n = len(seq)
    if brk is not None and brk[1]:
        n = next((k for k in range(n) if pre_taken[k + 1] and not pre_taken[k]), n)
    cum = 0
    best = 1 << 62
    for k in range(n):
        t = seq[k]
        s = starts[k]
        rr = -(-readys[k] // step) * step if step > 1 else readys[k]
        if s > rr:
            cum += s - rr
        if linked[t]:
            latest = s
        else:
            cap = due_[t] if due_[t] < pref_[t] else pref_[t]
            latest = cap if cap > s else s
            if latest > we_[t]:
                latest = we_[t]
        slack = cum + latest - s
        if slack < best:
            best = slack
    if n == 0:
        return 0
    delay = cum if cum < best else best
    return delay // step * step if delay > 0 else 0


def _departure(
    inst: Instance,
    c: int,
    seq: list[int],
    starts: list[int],
    readys: list[int],
    pre_taken: list[bool],
    brk: tuple[int, bool] | None,
) -> int:
    """When the carer leaves home: just in time for the first stop, after the push."""
    step = inst.step
    delay = push_delay(inst, seq, starts, readys, pre_taken, brk)
    r0 = -(-readys[0] // step) * step if step > 1 else readys[0]
    wait0 = starts[0] - r0
    first = starts[0] + (delay - wait0 if delay > wait0 else 0)
    return first - inst.c_T[c][inst.c_home[c]][inst.t_loc[seq[0]]]


def pushed_starts(inst: Instance, r: RouteSched) -> list[int]:
    """Starts once the carer leaves as late as :func:`push_delay` allows."""
    step = inst.step
    delay = push_delay(inst, r.seq, r.starts, r.readys, r.pre_taken, r.brk)
    out = []
    cum = 0
    for k, s in enumerate(r.starts):
        rr = -(-r.readys[k] // step) * step if step > 1 else r.readys[k]
        if s > rr:
            cum += s - rr
        out.append(s + (delay - cum if delay > cum else 0))
    return out


def empty(inst: Instance, c: int) -> RouteSched:
    """The schedule of a carer with no visit."""
    r = RouteSched()
    ss = inst.c_ss[c]
    r.pre_end = [ss]
    r.pre_travel = [0]
    r.pre_late = [0]
    r.pre_pref = [0]
    r.pre_taken = [True]
    r.pre_brk = [None]
    r._dep = r.ret = ss
    r._work = 0
    return r
