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

import numpy as np
import pandas as pd

from carezones.demand import patterns as pat
from carezones.exceptions import CarezonesWarning

__all__ = [
    "SLOT_SPANS",
    "TRAVEL_ALLOWANCE",
    "UTILISATION",
    "Coverage",
    "WorkforceWarning",
    "capacity_minutes",
    "slot_of",
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
