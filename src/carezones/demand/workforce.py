"""Whether the carers can cover the demand: hours a week, and each day's peaks.

A workforce covers its clients when, for every day and every slot of the day (morning,
lunch, tea, bed), the carers on shift have the time the visits need: their carer-hours
(a double-handed visit counts twice) plus the travel between them (a
``travel_allowance``, 25% of the care by default), at a ``utilisation`` of the carers'
time (70% by default: windows leave gaps no plan can fill). Weekly, the contracted hours
are set against the care plus the expected travel. :func:`workforce_coverage` measures
it; ``carezones population`` and ``carezones routes`` warn (:class:`WorkforceWarning`)
with the figures when a day's slot falls short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carezones.demand import patterns as pat
from carezones.exceptions import CarezonesWarning

__all__ = [
    "CANDIDATES",
    "FIT",
    "SLOT_SPANS",
    "TRAVEL_ALLOWANCE",
    "UTILISATION",
    "Coverage",
    "GroupStaffing",
    "WorkforceWarning",
    "capacity_minutes",
    "group_cover",
    "short_hours",
    "slot_of",
    "staff_groups",
    "workforce_coverage",
]

#: Where each slot's work happens (visits start in the slot's window and may run on).
SLOT_SPANS: dict[str, tuple[int, int]] = {
    "morning": (7 * 60, 11 * 60),
    "lunch": (12 * 60, 14 * 60 + 45),
    "tea": (16 * 60 + 30, 19 * 60),
    "bed": (19 * 60 + 30, 22 * 60 + 45),
}
#: Travel assumed on top of care, as a share of the care (a planning allowance).
TRAVEL_ALLOWANCE = 0.25
#: The share of a carer's time in a slot that care and travel can fill. Measured: sized at
#: 70%, 2,000 Camden clients (21,000 h/week) in 18 zones get 99.1% of Monday's visits routed
#: (soft windows); at 80%, 98.0%.
UTILISATION = 0.7


class WorkforceWarning(CarezonesWarning):
    """The carers cannot cover the demand on some days or slots (figures in the message)."""


@dataclass(frozen=True)
class Coverage:
    """The carers' time against the visits' needs.

    Attributes
    ----------
    slots
        One row per day and slot: ``day``, ``slot``, ``visits``, ``care_hours``
        (carer-hours of the visits starting in the slot), ``needed_hours`` (with the
        travel allowance, at the utilisation), ``available_hours`` (carers on shift)
        and ``cover`` (available over needed; below 1: short).
    contracted_hours
        The carers' contracted hours a week.
    care_hours
        The clients' carer-hours a week (double-handed visits twice).
    travel_hours
        The travel expected on top: ``care_hours`` x the travel allowance.
    travel_allowance, utilisation
        The assumptions used.
    """

    slots: pd.DataFrame
    contracted_hours: float
    care_hours: float
    travel_hours: float
    travel_allowance: float
    utilisation: float

    @property
    def weekly_cover(self) -> float:
        """Contracted hours over care plus expected travel."""
        need = self.care_hours + self.travel_hours
        return self.contracted_hours / need if need else float("inf")

    @property
    def short(self) -> pd.DataFrame:
        """The day-slots the carers on shift cannot cover."""
        return self.slots[self.slots["cover"] < 1.0]

    def message(self) -> str:
        """A plain summary: weekly hours, then the worst day-slots."""
        text = (
            f"carers' contracted hours {self.contracted_hours:,.0f} h/week against care "
            f"{self.care_hours:,.0f} h plus expected travel {self.travel_hours:,.0f} h "
            f"({self.travel_allowance:.0%} of care): {self.weekly_cover:.2f}x"
        )
        short = self.short.sort_values("cover")
        if len(short):
            worst = "; ".join(
                f"{r.day} {r.slot} {r.available_hours:,.0f} h on shift for {r.needed_hours:,.0f} h"
                for r in short.head(4).itertuples()
            )
            text += f"; {len(short)} day-slot(s) short: {worst}"
        return text


def capacity_minutes(
    shift_start: float,
    shift_end: float,
    max_minutes: float,
    break_minutes: float = 0.0,
    break_start: float = 0.0,
    break_end: float = 24 * 60,
) -> dict[str, float]:
    """A carer's minutes of work in each slot on a day they work.

    The shift's overlap with each slot's span, less an unpaid break (taken where it fits
    the break window and the fewest slot minutes), scaled down so that the day holds at
    most ``max_minutes``.

    Parameters
    ----------
    shift_start, shift_end, max_minutes
        The shift (minutes since midnight) and its most working minutes.
    break_minutes, break_start, break_end
        An unpaid break and its window (a split shift: a long break mid-day).

    Examples
    --------
    >>> capacity_minutes(7 * 60, 14 * 60 + 30, 420)["morning"]
    240.0

    A split shift: a five-hour unpaid break in 10:30-17:00 leaves the morning and the
    evening, 480 working minutes spread over them.

    >>> split = capacity_minutes(7 * 60, 22 * 60 + 30, 480, 300, 630, 1020)
    >>> {slot: round(m) for slot, m in split.items()}
    {'morning': 202, 'lunch': 0, 'tea': 126, 'bed': 152}
    """
    free = [(float(shift_start), float(shift_end))]
    if break_minutes > 0:
        lo = max(shift_start, break_start)
        hi = min(shift_end, break_end)
        if hi - lo >= break_minutes:
            free = _minus(free, _quietest(lo, hi, break_minutes))
    out = {}
    for slot, (a, b) in SLOT_SPANS.items():
        out[slot] = float(sum(max(0.0, min(b, z) - max(a, s)) for s, z in free))
    total = sum(out.values())
    if total > max_minutes > 0:
        out = {k: v * max_minutes / total for k, v in out.items()}
    return out


def _quietest(lo: float, hi: float, length: float) -> tuple[float, float]:
    """The stretch of ``length`` minutes in ``[lo, hi]`` that overlaps the slots least."""
    best, at = None, lo
    for start in np.arange(lo, hi - length + 1, 15.0):
        busy = sum(max(0.0, min(b, start + length) - max(a, start)) for a, b in SLOT_SPANS.values())
        if best is None or busy < best:
            best, at = busy, float(start)
    return at, at + length


def _minus(spans: list[tuple[float, float]], cut: tuple[float, float]) -> list[tuple[float, float]]:
    out = []
    for s, z in spans:
        if cut[1] <= s or cut[0] >= z:
            out.append((s, z))
            continue
        if cut[0] > s:
            out.append((s, cut[0]))
        if cut[1] < z:
            out.append((cut[1], z))
    return out


def slot_of(start: np.ndarray) -> np.ndarray:
    """The slot a visit belongs to, by its window's start (the nearest slot before it)."""
    names = list(SLOT_SPANS)
    starts = np.array([SLOT_SPANS[s][0] for s in names])
    k = np.searchsorted(starts, start, side="right") - 1
    return np.array(names, dtype=object)[np.clip(k, 0, len(names) - 1)]


def workforce_coverage(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    *,
    days: Iterable[str] | None = None,
    travel_allowance: float = TRAVEL_ALLOWANCE,
    utilisation: float = UTILISATION,
) -> Coverage:
    """The carers' time against the visits' needs, day by day and slot by slot.

    Parameters
    ----------
    visits
        Visits (:func:`~carezones.expand_visits` of the clients, for the whole week).
    carers
        Carers as the readers return them (``days``, ``shift_start``, ``shift_end``,
        ``max_minutes``, ``contracted_hours``; optional ``break_minutes``,
        ``break_start``, ``break_end``).
    days
        The days to measure; default every day of ``visits``.
    travel_allowance
        Travel on top of care, as a share of the care.
    utilisation
        The share of a carer's slot time care and travel can fill, in (0, 1].

    Returns
    -------
    Coverage

    Examples
    --------
    >>> visits = pd.DataFrame({"day": "monday", "window_start": [420, 430, 1170],
    ...     "duration": [60, 60, 30], "carers_needed": [1, 2, 1]})
    >>> carers = pd.DataFrame({"days": ["monday;tuesday"], "shift_start": [420],
    ...     "shift_end": [870], "max_minutes": [420], "contracted_hours": [14.0]})
    >>> cover = workforce_coverage(visits, carers)
    >>> cover.slots.set_index("slot").loc[["morning", "bed"], "cover"].round(2).tolist()
    [0.75, 0.0]
    """
    v = visits.copy()
    v["slot"] = slot_of(v["window_start"].to_numpy(float))
    v["carer_minutes"] = v["duration"].astype(float) * v["carers_needed"].astype(float)
    wanted = list(dict.fromkeys(days if days is not None else v["day"].astype(str)))
    care = v.groupby(["day", "slot"])["carer_minutes"].sum()
    count = v.groupby(["day", "slot"]).size()
    per_carer = [_carer_slots(row) for row in carers.to_dict("records")]
    works = [
        {d.strip() for d in str(row.get("days") or ";".join(pat.DAYS)).split(";")}
        for row in carers.to_dict("records")
    ]
    rows = []
    for day in wanted:
        for slot in SLOT_SPANS:
            care_h = float(care.get((day, slot), 0.0)) / 60.0
            need = care_h * (1 + travel_allowance) / utilisation
            have = sum(c[slot] for c, w in zip(per_carer, works, strict=True) if day in w) / 60
            rows.append(
                {
                    "day": day,
                    "slot": slot,
                    "visits": int(count.get((day, slot), 0)),
                    "care_hours": care_h,
                    "needed_hours": need,
                    "available_hours": have,
                    "cover": have / need if need else float("inf"),
                }
            )
    scale = 7.0 / max(len(set(v["day"])), 1)
    care_week = float(v["carer_minutes"].sum()) / 60.0 * scale
    return Coverage(
        slots=pd.DataFrame(rows),
        contracted_hours=float(carers["contracted_hours"].astype(float).sum()),
        care_hours=care_week,
        travel_hours=care_week * travel_allowance,
        travel_allowance=float(travel_allowance),
        utilisation=float(utilisation),
    )


def _carer_slots(row: dict) -> dict[str, float]:
    b = row.get("break_minutes", 0.0)
    b = 0.0 if b is None or pd.isna(b) else float(b)
    most = row.get("max_minutes")
    most = (
        float(row["shift_end"]) - float(row["shift_start"])
        if most is None or pd.isna(most)
        else float(most)
    )
    return capacity_minutes(
        float(row["shift_start"]),
        float(row["shift_end"]),
        most,
        b,
        float(row.get("break_start", 0.0) or 0.0) if b else 0.0,
        float(row.get("break_end", 24 * 60) or 24 * 60) if b else 24 * 60,
    )


# ----------------------------------------------------------------- staffing groups

#: How many of the carers who would cover most of a group's shortfall are tried in a swap.
CANDIDATES = 12
#: At each step of :func:`staff_groups` a group takes the most preferred carer whose move
#: does at least this share of the best move's good (so a group recruits near its clients
#: when that costs it little).
FIT = 0.5


@dataclass(frozen=True)
class GroupStaffing:
    """Carers dealt to groups (providers or zones) by one rule, and each group's cover.

    Attributes
    ----------
    group
        The group of each carer (in the carers' order).
    cover
        One row per group, day, slot and skill (``skill`` "" for care of any kind):
        ``needed_hours`` (carer-hours of the visits starting in the slot, with the travel
        allowance, at the utilisation), ``available_hours`` (the group's carers on shift,
        with the skill) and ``short_hours`` (needed less available, at least 0).
    """

    group: np.ndarray
    cover: pd.DataFrame

    def short(self) -> pd.DataFrame:
        """Per group: the hours, day-slots and worst day-slot its carers are short.

        ``short_hours`` a week: per day-slot, the larger of the shortfall in care of any
        kind and in any one skill, added up.

        Examples
        --------
        >>> s = GroupStaffing(np.array(["a"]), pd.DataFrame({"group": ["a", "a", "b"],
        ...     "day": "monday", "slot": ["morning", "morning", "bed"],
        ...     "skill": ["", "hoist", ""], "needed_hours": [5.0, 3.0, 2.0],
        ...     "available_hours": [4.0, 1.0, 2.0], "short_hours": [1.0, 2.0, 0.0]}))
        >>> s.short()[["group", "short_hours", "short_day_slots"]]
          group  short_hours  short_day_slots
        0     a          2.0                1
        1     b          0.0                0
        """
        return short_hours(self.cover)


def short_hours(cover: pd.DataFrame) -> pd.DataFrame:
    """Per group, the hours a week its workforce is short of its own demand.

    See :meth:`GroupStaffing.short`; ``cover`` is a :func:`group_cover` table.
    """
    if not len(cover):
        return pd.DataFrame(columns=["group", "short_hours", "short_day_slots", "worst"])
    worst_row = cover.groupby(["group", "day", "slot"], sort=False)["short_hours"].max()
    rows = []
    for group, per in worst_row.groupby(level=0, sort=False):
        short = per[per > 1e-9]
        worst = (
            f"{short.idxmax()[1]} {short.idxmax()[2]} ({short.max():,.1f} h)" if len(short) else ""
        )
        rows.append((group, float(short.sum()), len(short), worst))
    return pd.DataFrame(rows, columns=["group", "short_hours", "short_day_slots", "worst"])


def _skill_sets(values: Any, n: int) -> list[set[str]]:
    if values is None:
        return [set() for _ in range(n)]
    return [
        {s.strip() for s in str(v).split(";") if s.strip()} if isinstance(v, str) else set()
        for v in values
    ]


def _rows(visits: pd.DataFrame) -> tuple[list[tuple[str, str, str]], list[str]]:
    days = list(dict.fromkeys(visits["day"].astype(str)))
    needed = sorted(set().union(*_skill_sets(visits.get("skills"), len(visits))))
    return [(d, s, k) for d in days for s in SLOT_SPANS for k in ["", *needed]], needed


def _need_matrix(
    visits: pd.DataFrame,
    visit_group: np.ndarray,
    n_groups: int,
    rows: list[tuple[str, str, str]],
    travel_allowance: float,
    utilisation: float,
) -> np.ndarray:
    """Minutes each group needs in each row: care x (1 + allowance) / utilisation."""
    index = {r: i for i, r in enumerate(rows)}
    need = np.zeros((n_groups, len(rows)))
    slots = slot_of(visits["window_start"].to_numpy(float))
    minutes = (
        visits["duration"].to_numpy(float) * visits["carers_needed"].to_numpy(float)
        if "carers_needed" in visits.columns
        else visits["duration"].to_numpy(float)
    ) * (1 + travel_allowance) / utilisation
    skills = _skill_sets(visits.get("skills"), len(visits))
    days = visits["day"].astype(str).to_numpy()
    for k in range(len(visits)):
        g = visit_group[k]
        if g < 0:
            continue
        for skill in ("", *skills[k]):
            need[g, index[(days[k], slots[k], skill)]] += minutes[k]
    return need


def _capacity_matrix(
    carers: pd.DataFrame, rows: list[tuple[str, str, str]]
) -> np.ndarray:
    """Minutes each carer works in each row (on their days, in the slot, with the skill)."""
    records = carers.to_dict("records")
    skills = _skill_sets(carers.get("skills"), len(carers))
    cap = np.zeros((len(records), len(rows)))
    for c, row in enumerate(records):
        slots = _carer_slots(row)
        works = {d.strip() for d in str(row.get("days") or ";".join(pat.DAYS)).split(";")}
        for i, (day, slot, skill) in enumerate(rows):
            if day in works and (not skill or skill in skills[c]):
                cap[c, i] = slots[slot]
    return cap


def _gain(cap: np.ndarray, short: np.ndarray) -> np.ndarray:
    """Minutes of shortfall each carer (row of ``cap``) would cover, over every row."""
    return np.minimum(cap, short[None, :]).sum(axis=1)


def _swap(
    g: int, cover: np.ndarray, out: np.ndarray, cap: np.ndarray, need: np.ndarray,
    have: np.ndarray,
) -> bool:
    """Swap one of group ``g``'s carers with one of another group's, when that covers more.

    The carers of other groups who would cover most of ``g``'s shortfall are tried against
    each of ``g``'s own; the swap taking away the most shortfall from the two groups is
    made (``out`` and ``have`` updated). False when no swap helps.
    """
    mine = np.flatnonzero(out == g)
    others = np.flatnonzero((out != g) & (cover > 1e-9))
    if not len(mine) or not len(others):
        return False
    best, move = 1e-9, None
    for c in others[np.argsort(-cover[others], kind="stable")][:CANDIDATES]:
        a = out[c]
        before = (np.maximum(need[g] - have[g], 0).sum() + np.maximum(need[a] - have[a], 0).sum())
        new_g = have[g][None, :] + cap[c][None, :] - cap[mine]
        new_a = have[a][None, :] - cap[c][None, :] + cap[mine]
        after = (np.maximum(need[g][None, :] - new_g, 0).sum(axis=1)
                 + np.maximum(need[a][None, :] - new_a, 0).sum(axis=1))  # fmt: skip
        k = int(np.argmax(before - after))
        if before - after[k] > best:
            best, move = before - after[k], (int(c), int(mine[k]))
    if move is None:
        return False
    c, d = move
    a = out[c]
    have[g] += cap[c] - cap[d]
    have[a] += cap[d] - cap[c]
    out[c], out[d] = g, a
    return True


def _homeward(
    out: np.ndarray, pref: np.ndarray, cap: np.ndarray, need: np.ndarray, have: np.ndarray
) -> int:
    """Swap carers back towards the group they prefer, wherever no shortfall grows.

    For each carer away from the group they prefer most, the carer of that group (away
    from their own) whose place they can take with the least shortfall added is swapped
    with them when the two groups' shortfall does not grow. Returns the swaps made.
    """
    first = np.argmin(pref, axis=1)
    swaps = 0
    for c in np.flatnonzero(out != first):
        h, a = int(first[c]), int(out[c])
        there = np.flatnonzero((out == h) & (first != h))
        if not len(there):
            continue
        before = (np.maximum(need[h] - have[h], 0).sum() + np.maximum(need[a] - have[a], 0).sum())
        new_h = have[h][None, :] + cap[c][None, :] - cap[there]
        new_a = have[a][None, :] - cap[c][None, :] + cap[there]
        after = (np.maximum(need[h][None, :] - new_h, 0).sum(axis=1)
                 + np.maximum(need[a][None, :] - new_a, 0).sum(axis=1))  # fmt: skip
        k = int(np.argmin(after - (first[there] == a) * 1e-6))  # one who also goes home first
        if after[k] <= before + 1e-9:
            d = int(there[k])
            have[h] += cap[c] - cap[d]
            have[a] += cap[d] - cap[c]
            out[c], out[d] = h, a
            swaps += 1
    return swaps


def group_cover(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    visit_group: Any,
    carer_group: Any,
    *,
    travel_allowance: float = TRAVEL_ALLOWANCE,
    utilisation: float = UTILISATION,
) -> pd.DataFrame:
    """Each group's carers against its own visits, by day, slot and skill.

    Parameters
    ----------
    visits
        Visits (``day``, ``window_start``, ``duration``, optional ``carers_needed`` and
        ``skills``).
    carers
        Carers (``days``, ``shift_start``, ``shift_end``, ``max_minutes``, optional breaks
        and ``skills``).
    visit_group, carer_group
        The group (a provider or a zone) of each visit and each carer; None: in no group.
    travel_allowance, utilisation
        As for :func:`workforce_coverage`.

    Returns
    -------
    pandas.DataFrame
        The :attr:`GroupStaffing.cover` table.

    Examples
    --------
    >>> visits = pd.DataFrame({"day": "monday", "window_start": [420, 430],
    ...     "duration": [60, 60], "carers_needed": [1, 2], "skills": ["", "hoist"]})
    >>> carers = pd.DataFrame({"days": ["monday"], "shift_start": [420], "shift_end": [870],
    ...     "max_minutes": [420], "skills": ["hoist"]})
    >>> cover = group_cover(visits, carers, ["A", "A"], ["A"])
    >>> cover[cover["slot"] == "morning"][["skill", "needed_hours", "available_hours",
    ...       "short_hours"]].round(2)
       skill  needed_hours  available_hours  short_hours
    0                 5.36              4.0         1.36
    1  hoist          3.57              4.0         0.00
    """
    v_group = pd.Series(list(visit_group), dtype=object)
    c_group = pd.Series(list(carer_group), dtype=object)
    names = sorted({str(g) for g in pd.concat([v_group, c_group]) if g is not None and g == g})
    index = {g: i for i, g in enumerate(names)}
    rows, _ = _rows(visits)
    vg = np.array([index.get(str(g), -1) if g is not None and g == g else -1 for g in v_group])
    cg = np.array([index.get(str(g), -1) if g is not None and g == g else -1 for g in c_group])
    need = _need_matrix(visits, vg, len(names), rows, travel_allowance, utilisation)
    cap = _capacity_matrix(carers, rows)
    have = np.zeros_like(need)
    for g in range(len(names)):
        have[g] = cap[cg == g].sum(axis=0)
    return _cover_table(names, rows, need, have)


def _cover_table(
    names: list[str], rows: list[tuple[str, str, str]], need: np.ndarray, have: np.ndarray
) -> pd.DataFrame:
    g, r = np.nonzero((need > 0) | (have > 0))
    keep = need[g, r] > 0
    g, r = g[keep], r[keep]
    return pd.DataFrame(
        {
            "group": np.asarray(names, dtype=object)[g] if len(g) else [],
            "day": [rows[i][0] for i in r],
            "slot": [rows[i][1] for i in r],
            "skill": [rows[i][2] for i in r],
            "needed_hours": need[g, r] / 60.0,
            "available_hours": have[g, r] / 60.0,
            "short_hours": np.maximum(need[g, r] - have[g, r], 0.0) / 60.0,
        }
    )


def staff_groups(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    groups: list[str],
    visit_group: Any,
    preference: np.ndarray,
    *,
    travel_allowance: float = TRAVEL_ALLOWANCE,
    utilisation: float = UTILISATION,
) -> GroupStaffing:
    """Deal carers to groups by one rule: each group staffed against its own day-slots and skills.

    Each carer starts in the group that prefers them most (lowest ``preference``: a
    zone's own residents, a provider's nearest carers, or a random group); then, one at a
    time, the group furthest short of its own demand (the share of its needed hours, by
    day, slot and skill, not yet covered) takes a carer from another group, while the move
    covers more of its shortfall than it uncovers where the carer was (a carer with the
    skills it lacks counts in each): the most preferred of those whose move does at least
    :data:`FIT` of the best move's good; when no move helps, a swap of one of its carers
    with one of another group's may. Last, carers working away from the group they prefer
    are swapped back towards it wherever that leaves no group shorter. What no move or
    swap can cover is left short, and said so in :attr:`GroupStaffing.cover`. Among moves
    as good, a carer coming back to the group that prefers them, then one already away
    from it, is moved before one at home. So every provider or zone is staffed by the same
    rule, and where carers live counts only through ``preference``
    (distances for a provider recruiting near its clients, random numbers for one that
    recruits anywhere).

    Parameters
    ----------
    visits
        The visits of a week (see :func:`group_cover`).
    carers
        The carers to deal out (see :func:`group_cover`).
    groups
        The group names.
    visit_group
        The group of each visit (a name of ``groups``; None: in none).
    preference
        ``(len(carers), len(groups))``: how much each group prefers each carer, lowest
        first.
    travel_allowance, utilisation
        As for :func:`workforce_coverage`.

    Returns
    -------
    GroupStaffing

    Examples
    --------
    Two groups, one needing a morning and one an evening; two carers, an early and a late
    shift: each group gets the carer whose shift fits, whatever its preference says.

    >>> visits = pd.DataFrame({"day": "monday", "window_start": [450, 1200],
    ...     "duration": [60, 60], "carers_needed": 1})
    >>> carers = pd.DataFrame({"days": "monday", "shift_start": [420, 870],
    ...     "shift_end": [870, 1350], "max_minutes": 420})
    >>> s = staff_groups(visits, carers, ["am", "pm"], ["am", "pm"],
    ...                  np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> s.group.tolist()
    ['am', 'pm']
    """
    index = {g: i for i, g in enumerate(groups)}
    vg = np.array([index.get(str(g), -1) if g is not None and g == g else -1 for g in visit_group])
    rows, _ = _rows(visits)
    need = _need_matrix(visits, vg, len(groups), rows, travel_allowance, utilisation)
    cap = _capacity_matrix(carers, rows)
    pref = np.asarray(preference, dtype=float).reshape(len(carers), len(groups))
    first = np.argmin(pref, axis=1) if len(groups) else np.zeros(len(carers), dtype=np.intp)
    out = first.copy()
    have = np.zeros_like(need)
    np.add.at(have, out, cap)
    total = np.maximum(need.sum(axis=1), 1e-9)
    stuck = np.zeros(len(groups), dtype=bool)
    for _ in range(2 * len(carers)):
        short = np.maximum(need - have, 0.0)
        share = short.sum(axis=1) / total
        share[stuck] = 0.0
        g = int(np.argmax(share)) if len(groups) else 0
        if not len(groups) or share[g] <= 1e-12:
            break  # every group covered, or helped no more
        cover = _gain(cap, short[g])  # what each carer would cover at g
        left = need[out] - have[out]  # each carer's own group: need less what it has
        loss = (np.maximum(left + cap, 0.0) - np.maximum(left, 0.0)).sum(axis=1)
        net = np.where(out == g, -np.inf, cover - loss)  # shortfall a move takes away
        if net.max() <= 1e-9:
            if not _swap(g, cover, out, cap, need, have):
                stuck[g] = True
            else:
                stuck[:] = False
            continue
        # the order moves are weighed in: carers coming home to g, then carers away from
        # home anyway (moving them costs no one their home), then by g's preference
        ranked = np.lexsort((pref[:, g], out == first, first != g))
        pick = int(ranked[np.flatnonzero(net[ranked] >= FIT * net.max())[0]])
        have[out[pick]] -= cap[pick]
        have[g] += cap[pick]
        out[pick] = g
        stuck[:] = False  # a move changes what the others can give
    _homeward(out, pref, cap, need, have)
    names = np.asarray(groups, dtype=object)
    return GroupStaffing(names[out] if len(out) else np.array([], dtype=object),
                    _cover_table(list(groups), rows, need, have))  # fmt: skip
