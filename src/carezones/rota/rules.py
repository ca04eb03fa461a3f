"""The rules a rota is scored by: :class:`RotaRules`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from carezones.exceptions import ProblemCollector, ValidationError, unknown_keys
from carezones.network import MAX_SNAP_DISTANCE

__all__ = ["RotaRules"]


@dataclass(frozen=True)
class RotaRules:
    """How a rota is judged.

    Parameters
    ----------
    on_time_minutes
        A visit is on time when it starts within this many minutes of the planned start,
        either way (15: the window most UK councils monitor).
    short_visit_share
        A visit is short when it lasts less than this share of its planned length, in
        (0, 1].
    overrun_minutes
        A visit is longer than its slot when it lasts more than this many minutes beyond
        its planned length.
    together_minutes
        The two carers of a double-up are together when their starts and their ends are
        within this many minutes.
    short_call_minutes
        Planned calls shorter than this count in ``short_call_share`` (NICE guideline
        NG21 asks for at least 30).
    tolerance_seconds
        Slack in every comparison of the validator (call monitoring logs whole minutes).
    max_snap_distance
        Metres; clients or homes farther from their mode's network are unreachable.

    Examples
    --------
    >>> RotaRules(short_visit_share=0.9).on_time_minutes
    15.0
    >>> RotaRules(short_visit_share=1.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - RotaRules, column 'short_visit_share': bad option: expected a number in (0, 1], found 1.5
    """

    on_time_minutes: float = 15.0
    short_visit_share: float = 0.85
    overrun_minutes: float = 15.0
    together_minutes: float = 10.0
    short_call_minutes: float = 30.0
    tolerance_seconds: float = 60.0
    max_snap_distance: float = MAX_SNAP_DISTANCE

    def __post_init__(self) -> None:
        check = ProblemCollector("RotaRules")
        for f in fields(self):
            value = getattr(self, f.name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(value) and value >= 0
            expected = "a number >= 0"
            if f.name == "short_visit_share":
                ok, expected = ok and 0 < value <= 1, "a number in (0, 1]"
            if not ok:
                check.add("bad option", expected, repr(value), column=f.name)
            else:
                object.__setattr__(self, f.name, float(value))
        check.raise_if_any()

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RotaRules:
        """Build from a mapping (e.g. a TOML table), naming any unknown key.

        Examples
        --------
        >>> RotaRules.from_dict({"on_time_minutes": 30}).on_time_minutes
        30.0
        """
        known = sorted(f.name for f in fields(cls))
        problems = unknown_keys(values, known, "RotaRules", what="unknown option")
        if problems:
            raise ValidationError(problems)
        return cls(**dict(values))
