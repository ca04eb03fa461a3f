"""Exceptions and warnings raised by carezones.

Every error carezones raises on purpose is a :class:`CarezonesError`. Each subclass also
inherits the built-in exception a caller would naturally catch, so ``except ValueError``
keeps working for bad input.

Messages name the file, column, row or id, what was expected and what was found. They
never contain a client's coordinates or address.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CarezonesError",
    "CarezonesWarning",
    "FarFromNetworkWarning",
    "InfeasibleError",
    "Problem",
    "ValidationError",
]


class CarezonesError(Exception):
    """Base class of every error carezones raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    where
        The file, table or argument the problem is in, e.g. ``"clients.csv"``.
    what
        A short name of the rule broken, e.g. ``"duplicate id"``.
    expected
        What was expected.
    found
        What was found (never a coordinate or an address).
    row
        The row number or id concerned, if any.
    column
        The column concerned, if any.
    """

    where: str
    what: str
    expected: str
    found: str
    row: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        place = self.where
        if self.column is not None:
            place += f", column {self.column!r}"
        if self.row is not None:
            place += f", {self.row}"
        return f"{place}: {self.what}: expected {self.expected}, found {self.found}"


class ValidationError(CarezonesError, ValueError):
    """Bad input: every problem found, listed once.

    Parameters
    ----------
    problems
        The problems found, or a single message.

    Examples
    --------
    >>> err = ValidationError([Problem("clients.csv", "duplicate id", "unique ids",
    ...                                "'c1' twice", column="client_id")])
    >>> print(err)
    1 problem found:
      - clients.csv, column 'client_id': duplicate id: expected unique ids, found 'c1' twice
    """

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(problems)
            n = len(self.problems)
            lines = [f"{n} problem{'s' if n != 1 else ''} found:"]
            lines += [f"  - {p}" for p in self.problems[:50]]
            if n > 50:
                lines.append(f"  ... and {n - 50} more")
            message = "\n".join(lines)
        super().__init__(message)


def unknown_keys(
    values: Mapping[str, Any],
    known: Sequence[str],
    where: str,
    *,
    what: str = "unknown key",
    cutoff: float = 0.5,
) -> list[Problem]:
    """A problem for every key of ``values`` not in ``known``, with the closest match.

    Examples
    --------
    >>> (problem,) = unknown_keys({"n_zone": 3}, ["n_zones", "mode"], "zones")
    >>> problem.expected, problem.found
    ("one of n_zones, mode (did you mean 'n_zones'?)", "'n_zone'")
    """
    problems = []
    for key in values:
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=cutoff)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(
                    where, what, "one of " + ", ".join(known) + hint, repr(key), column=str(key)
                )
            )
    return problems


class InfeasibleError(CarezonesError, RuntimeError):
    """The problem as posed has no solution (for example too few hours for the zones asked)."""


class CarezonesWarning(UserWarning):
    """Base class of carezones' warnings."""


class FarFromNetworkWarning(CarezonesWarning):
    """Some points lie farther from the network than the snapping threshold."""
