"""Exceptions and warnings raised by carezones.

Every error carezones raises on purpose is a :class:`CarezonesError`. Each subclass also
inherits the built-in exception a caller would naturally catch, so ``except ValueError``
keeps working for bad input.

Messages name the file, column, row or id, what was expected and what was found. They
never contain a client's coordinates or address.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from numpy import integer as np_integer

__all__ = [
    "CarezonesError",
    "CarezonesWarning",
    "FarFromNetworkWarning",
    "InfeasibleError",
    "Problem",
    "ProblemCollector",
    "SolverError",
    "ValidationError",
    "unknown_keys",
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


class ProblemCollector:
    """The problems found in one input, collected as they are found and raised once.

    Every check of a table, a file or a set of options adds to one collector; when the
    checks are done, :meth:`raise_if_any` raises a single :class:`ValidationError` listing
    them all. Rows are named as the user sees them: ``row 3 (client_id 'c7')``.

    Parameters
    ----------
    where
        The file, table or argument checked, e.g. ``"clients.csv"``.
    labels
        The label of each row as the user numbers them (e.g. the spreadsheet's row
        numbers); None numbers rows from 1.
    ids
        The id of each row, shown beside its label when not empty; may be set later
        (``collector.ids = ...``) once the ids are known.
    id_column
        The name of the id column, e.g. ``"client_id"``.

    Examples
    --------
    >>> problems = ProblemCollector("clients.csv", ids=["c1", ""], id_column="client_id")
    >>> problems.add("not a number", "a number of hours", "'ten'", 0, "weekly_hours")
    >>> problems.add("missing value", "a value", "empty", 1, "client_id")
    >>> print(problems.problems[0])
    clients.csv, column 'weekly_hours', row 1 (client_id 'c1'): not a number: expected \
a number of hours, found 'ten'
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 2 problems found:
    ...
    """

    def __init__(
        self,
        where: str,
        *,
        labels: Sequence[Any] | None = None,
        ids: Sequence[Any] | None = None,
        id_column: str | None = None,
    ) -> None:
        self.where = where
        self.labels = labels
        self.ids: Sequence[Any] | None = ids
        self.id_column = id_column
        self.problems: list[Problem] = []

    def row(self, i: int) -> str:
        """The user's name of row ``i`` (0-based): its label, and its id when known."""
        label = i + 1 if self.labels is None else self.labels[i]
        ident = self.ids[i] if self.ids is not None and i < len(self.ids) else None
        if ident is None or (isinstance(ident, float) and ident != ident) or ident == "":
            return f"row {label}"
        return f"row {label} ({self.id_column or 'id'} {ident!r})"

    def add(
        self,
        what: str,
        expected: str,
        found: str,
        row: int | str | None = None,
        column: str | None = None,
    ) -> None:
        """Record one problem; an integer ``row`` is a 0-based row index, named by :meth:`row`.

        The arguments are :class:`Problem`'s fields, in its order, without ``where``.
        """
        label = self.row(row) if isinstance(row, int | np_integer) else row
        self.problems.append(Problem(self.where, what, expected, found, row=label, column=column))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere (they keep their own ``where``)."""
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        """Raise one :class:`ValidationError` listing every problem, if there are any."""
        if self.problems:
            raise ValidationError(self.problems)

    def error(
        self,
        what: str,
        expected: str,
        found: str,
        row: str | None = None,
        column: str | None = None,
    ) -> ValidationError:
        """Record one problem and return the error listing every problem: ``raise c.error(...)``.

        For a check that cannot go on (a file that is not there, a table that is not a
        table): the caller raises what it returns, ``from`` the cause when there is one.
        ``row`` is written as given.

        Examples
        --------
        >>> raise ProblemCollector("zones.gpkg").error("missing file", "a file", "none")
        Traceback (most recent call last):
        ...
        carezones.exceptions.ValidationError: 1 problem found:
          - zones.gpkg: missing file: expected a file, found none
        """
        self.problems.append(Problem(self.where, what, expected, found, row=row, column=column))
        return ValidationError(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)


def unknown_keys(
    values: Mapping[str, Any],
    known: Sequence[str],
    where: str,
    *,
    what: str = "unknown key",
    cutoff: float = 0.5,
) -> list[Problem]:
    """A problem for every key of ``values`` not in ``known``, with the closest match.

    Parameters
    ----------
    values
        The mapping given (a TOML table, options).
    known
        The keys allowed.
    where
        The place named in the problems, e.g. ``"my.toml [zones]"``.
    what
        The rule's name in the problems.
    cutoff
        How close (0-1, :func:`difflib.get_close_matches`) a key must be to be suggested.

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


class SolverError(CarezonesError, RuntimeError):
    """The router's own final check rejected the plan it found (a bug to report, not bad input).

    Scenario runs route that zone again with other seeds, then list its visits as
    unscheduled with the reason; nothing is dropped.
    """


class CarezonesWarning(UserWarning):
    """Base class of carezones' warnings."""


class FarFromNetworkWarning(CarezonesWarning):
    """Some points lie farther from the network than the snapping threshold."""
