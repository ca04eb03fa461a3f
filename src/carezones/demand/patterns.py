"""Weekly care patterns: the compact text form, times of day, and the default pattern.

A pattern is a list of :class:`Call` s: on these days, one visit of this many minutes
inside this time window. Its text form is one entry per call, separated by ``;``::

    mon-sun 07:00-10:00 45; mon,wed,fri 12:00-14:00 30

Each entry is ``DAYS START-END MINUTES``:

- DAYS: day names (``mon`` or ``monday``), comma-separated lists (``mon,wed,fri``),
  ranges (``mon-fri``; a range may wrap, ``sat-mon``), or ``daily``, ``weekdays``,
  ``weekends``.
- START-END: the window the visit must start and end in, ``HH:MM-HH:MM`` within one day
  (``24:00`` is midnight at the end of the day).
- MINUTES: the visit's length in whole minutes (an optional ``m`` or ``min`` suffix is
  allowed).

An entry may add a linked visit that follows it: ``mon-sun 07:00-10:00 45, then 240-300
minutes later 15`` is breakfast and, starting 240 to 300 minutes after breakfast starts, a
15-minute call (a medication prompt). The two visits are linked (``link_id``,
``link_role``, ``min_gap``, ``max_gap`` in the visits table); the same carer may do both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The days of the week, in order, as carezones writes them.
DAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

#: The days of a fortnight: the week's, then the second week's (``"monday-2"``, ...).
FORTNIGHT: tuple[str, ...] = DAYS + tuple(f"{d}-2" for d in DAYS)

_DAY_NAMES = {d: i for i, d in enumerate(DAYS)} | {d[:3]: i for i, d in enumerate(DAYS)}
_DAY_NAMES |= {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_DAY_SETS = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}

#: The default windows of the day's calls, minutes since midnight (DESIGN.md).
SLOTS: dict[str, tuple[int, int]] = {
    "morning": (7 * 60, 10 * 60),
    "lunch": (12 * 60, 14 * 60),
    "tea": (16 * 60 + 30, 18 * 60 + 30),
    "bed": (19 * 60 + 30, 22 * 60),
}

#: Which slots a default pattern of n calls a day uses.
SLOTS_BY_CALLS: dict[int, tuple[str, ...]] = {
    1: ("morning",),
    2: ("morning", "bed"),
    3: ("morning", "lunch", "bed"),
    4: ("morning", "lunch", "tea", "bed"),
}

#: The shortest visit the default pattern aims for (NICE NG21: at least 30 minutes).
MIN_VISIT_MINUTES = 30

#: The most weekly hours the default pattern can hold: four calls a day that each fill
#: the shortest window (120 minutes).
MAX_DEFAULT_WEEKLY_HOURS = 4 * 120 * 7 / 60


class PatternError(ValueError):
    """A pattern that cannot be read (internal: callers turn it into a Problem)."""


@dataclass(frozen=True)
class Call:
    """One recurring visit: on ``days``, ``duration`` minutes inside ``[start, end]``.

    ``then`` is an optional linked visit after it: ``(min_gap, max_gap, duration)`` in
    minutes, its start ``min_gap`` to ``max_gap`` after this visit's start.
    """

    days: tuple[int, ...]
    start: int
    end: int
    duration: int
    then: tuple[int, int, int] | None = None

    def __str__(self) -> str:
        window = f"{format_time(self.start)}-{format_time(self.end)}"
        text = f"{format_days(self.days)} {window} {self.duration}"
        if self.then is not None:
            lo, hi, dur = self.then
            text += f", then {lo}-{hi} minutes later {dur}"
        return text


def parse_time(text: str) -> int:
    """Minutes since midnight of ``"HH:MM"`` (``"24:00"`` is 1440).

    Examples
    --------
    >>> parse_time("07:30")
    450
    """
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text)
    if not m:
        raise PatternError(f"time {text.strip()!r} (expected HH:MM)")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise PatternError(f"time {text.strip()!r} (expected 00:00 to 24:00)")
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    """``"HH:MM"`` of minutes since midnight.

    Examples
    --------
    >>> format_time(450)
    '07:30'
    """
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


def parse_days(text: str) -> tuple[int, ...]:
    """Day numbers (0 = Monday) of a day list such as ``"mon-fri"`` or ``"mon,wed,sat-sun"``.

    Examples
    --------
    >>> parse_days("fri-mon")
    (0, 4, 5, 6)
    """
    found: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if part in _DAY_SETS:
            found.update(_DAY_SETS[part])
            continue
        ends = part.split("-")
        if len(ends) > 2 or not all(e in _DAY_NAMES for e in ends):
            raise PatternError(f"days {part!r} (expected names like mon, mon-fri, daily)")
        a, b = _DAY_NAMES[ends[0]], _DAY_NAMES[ends[-1]]
        found.update((a + k) % 7 for k in range((b - a) % 7 + 1))
    if not found:
        raise PatternError("no days")
    return tuple(sorted(found))


def format_days(days: Iterable[int]) -> str:
    """The shortest text of a set of day numbers (``"mon-sun"``, ``"mon,wed,fri"``).

    Examples
    --------
    >>> format_days([0, 1, 2, 3, 4])
    'mon-fri'
    >>> format_days([0, 2, 4])
    'mon,wed,fri'
    """
    days = sorted(set(days))
    if len(days) == 7:
        return "mon-sun"
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]][:3]}-{DAYS[run[-1]][:3]}")
        else:
            parts.extend(DAYS[d][:3] for d in run)
    return ",".join(parts)


_MIN = r"\s*(?:m|min|mins|minutes)?"
_ENTRY = (
    r"(\S+(?:\s*,\s*\S+)*)\s+(\S+)\s*-\s*(\S+)\s+(\d+)" + _MIN
    + r"(?:\s*,\s*then\s+(\d+)\s*[-\u2013]\s*(\d+)\s*(?:m|min|mins|minutes)\s+later\s+(\d+)"
    + _MIN + ")?"
)  # fmt: skip


def parse_pattern(text: str) -> list[Call]:
    """Read a pattern's text form (see the module docstring).

    Windows that end before they start, or are shorter than their visit, are read
    as written: :func:`check_calls` reports them.

    Examples
    --------
    >>> [str(c) for c in parse_pattern("daily 07:00-10:00 45; mon,wed,fri 12:00-14:00 30m")]
    ['mon-sun 07:00-10:00 45', 'mon,wed,fri 12:00-14:00 30']
    >>> str(parse_pattern("daily 07:00-10:00 45, then 240-300 minutes later 15")[0])
    'mon-sun 07:00-10:00 45, then 240-300 minutes later 15'
    """
    calls = []
    for entry in text.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        m = re.fullmatch(_ENTRY, entry, flags=re.IGNORECASE)
        if not m:
            raise PatternError(
                f"entry {entry!r} (expected DAYS HH:MM-HH:MM MINUTES, optionally followed by "
                "', then MIN-MAX minutes later MINUTES')"
            )
        then = None
        if m.group(5) is not None:
            then = (int(m.group(5)), int(m.group(6)), int(m.group(7)))
        calls.append(
            Call(
                parse_days(m.group(1)),
                parse_time(m.group(2)),
                parse_time(m.group(3)),
                int(m.group(4)),
                then,
            )
        )
    if not calls:
        raise PatternError("no calls")
    return calls


def format_pattern(calls: Sequence[Call]) -> str:
    """The text form of a list of calls.

    Examples
    --------
    >>> format_pattern(default_calls(7.0))
    'mon-sun 07:00-10:00 30; mon-sun 19:30-22:00 30'
    """
    return "; ".join(str(c) for c in calls)


def check_calls(calls: Sequence[Call]) -> list[tuple[str, str, str]]:
    """Problems of a parsed pattern as ``(rule, expected, found)`` triples."""
    problems = []
    seen: set[tuple[int, int]] = set()
    for call in calls:
        if call.end <= call.start:
            problems.append(
                (
                    "window ends before start",
                    "a window ending after it starts",
                    f"{format_time(call.start)}-{format_time(call.end)}",
                )
            )
        elif call.end - call.start < call.duration:
            problems.append(
                (
                    "window shorter than visit",
                    f"a window of at least {call.duration} minutes",
                    f"{format_time(call.start)}-{format_time(call.end)} "
                    f"({call.end - call.start} minutes)",
                )
            )
        if call.duration <= 0:
            problems.append(
                ("bad duration", "a visit of at least 1 minute", f"{call.duration} minutes")
            )
        if call.then is not None:
            lo, hi, dur = call.then
            if dur <= 0:
                problems.append(
                    ("bad duration", "a linked visit of at least 1 minute", f"{dur} minutes")
                )
            day = 24 * 60
            if max(lo, hi, dur) > day:  # a follow-up is on the same day: 1440 is the most
                shown = ", ".join(_digits(v) for v in (lo, hi, dur))
                problems.append(
                    ("bad gap", f"gaps and a follow-up of at most {day} minutes (the follow-up "
                     "is on the same day)", f"{shown} minutes")
                )  # fmt: skip
            elif lo > hi:
                problems.append(
                    ("bad gap", "a gap 'MIN-MAX minutes later' with MIN <= MAX", f"{lo}-{hi}")
                )
            elif call.start + lo >= day:
                problems.append(
                    ("bad gap", "a linked visit starting the same day",
                     f"{lo} minutes after {format_time(call.start)}")
                )  # fmt: skip
            elif dur > 0 and call.start + lo + dur > min(call.end + hi, day):
                first, last = call.start + lo, min(call.end + hi, day)
                problems.append(
                    ("follow-up does not fit", f"a follow-up of {dur} minutes that fits in its "
                     "window (from MIN after the call's window starts to MAX after it ends, "
                     "the same day)",
                     f"{format_time(first)}-{format_time(last)} ({last - first} minutes)")
                )  # fmt: skip
        for d in call.days:
            if (d, call.start) in seen:
                problems.append(
                    (
                        "duplicate call",
                        "one call per window start and day",
                        f"two calls on {DAYS[d]} starting {format_time(call.start)}",
                    )
                )
            seen.add((d, call.start))
    return problems


def _digits(value: int) -> str:
    """A number as a message shows it: at most 12 digits, then '...'."""
    text = str(value)
    return text if len(text) <= 12 else text[:12] + "..."


def weekly_minutes(calls: Iterable[Call]) -> int:
    """Total minutes a week of a list of calls.

    Examples
    --------
    >>> weekly_minutes(parse_pattern("mon-sun 07:00-10:00 45; mon,wed,fri 12:00-14:00 30"))
    405
    """
    return sum(len(c.days) * (c.duration + (c.then[2] if c.then else 0)) for c in calls)


def default_calls(weekly_hours: float) -> list[Call]:
    """The default pattern of a client who has only ``weekly_hours``.

    The rule (documented in :func:`carezones.read_clients`):

    - ``W`` = weekly hours rounded to the nearest whole minute (halves to even).
    - ``W`` of 3.5 hours (210 minutes) or more: a call every day, ``n`` calls a day with
      ``n = min(4, W // 210)`` (so calls are at least 30 minutes), in the ``morning``,
      ``bed``, then ``lunch``, then ``tea`` windows (:data:`SLOTS_BY_CALLS`).
    - Less: one call in the morning window on ``d = max(1, W // 30)`` days spread over the
      week (Monday first).
    - ``W`` is split into whole minutes as evenly as possible; the remainder goes one
      minute each to the earliest visits (by day, then time), so the visits add up to
      exactly ``W`` minutes.

    Days for fewer than seven calls: day ``i * 7 // d`` for ``i`` in ``0 .. d - 1``
    (3 days: Monday, Wednesday, Friday).

    Examples
    --------
    >>> format_pattern(default_calls(14))
    'mon-sun 07:00-10:00 30; mon-sun 12:00-14:00 30; mon-sun 16:30-18:30 30; mon-sun 19:30-22:00 30'
    >>> format_pattern(default_calls(1.5))
    'mon,wed,fri 07:00-10:00 30'
    >>> weekly_minutes(default_calls(10.01))
    601
    """
    total = round(float(weekly_hours) * 60)
    if total <= 0:
        return []
    if total >= 7 * MIN_VISIT_MINUTES:
        n = min(4, total // (7 * MIN_VISIT_MINUTES))
        slots = [s for s in SLOTS if s in SLOTS_BY_CALLS[n]]
        days = list(range(7))
    else:
        n = 1
        slots = ["morning"]
        count = max(1, total // MIN_VISIT_MINUTES)
        days = [i * 7 // count for i in range(count)]
    visits = [(d, s) for d in days for s in slots]  # by day, then time
    base, extra = divmod(total, len(visits))
    length = {v: base + (1 if i < extra else 0) for i, v in enumerate(visits)}
    calls = []
    for slot in slots:
        by_length: dict[int, list[int]] = {}
        for d in days:
            by_length.setdefault(length[(d, slot)], []).append(d)
        start, end = SLOTS[slot]
        for minutes, on in sorted(by_length.items(), key=lambda kv: kv[1][0]):
            calls.append(Call(tuple(on), start, end, minutes))
    return calls
