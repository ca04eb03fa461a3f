"""The routing budget: when a solve stops (iterations, with a time cap as a safety net).

One frozen :class:`Budget` is made and checked where a user enters (a scenario file's
``[routing]`` table, ``carezones routes``, the workshop, :func:`~carezones.routing.solve`
or :func:`~carezones.routing.plan_routes`) and passed on unchanged to the solver, which
turns it into PyVRP's stopping criteria and the local search's iteration count.

This is a leaf of :mod:`carezones.routing`: it imports none of the folder's modules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from carezones.exceptions import ProblemCollector

__all__ = ["MAX_ITERATIONS", "MAX_SECONDS", "Budget"]

#: Iterations after which a zone-day stops (PyVRP's per run; the local search's a share of
#: them): runs that stop on iterations, not on time, give the same plan every time. About
#: 4 s for a Camden zone-day of 300 visits on a 2-core laptop.
MAX_ITERATIONS = 300
#: The time cap of one solve (a zone-day), in seconds: a safety net that a zone-day of a
#: borough does not reach on iterations; a solve that reaches it is counted and said.
MAX_SECONDS = 60.0


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Budget:
    """When a routing solve stops: after ``max_iterations``, or at ``max_seconds``.

    Parameters
    ----------
    max_iterations
        PyVRP's iterations per run (the local search runs a share of them, fixed by the
        solver), so that the same inputs and seed give the same plan on any machine;
        None: stop on time alone (benchmarks at a fixed time; not reproducible).
    max_seconds
        The time cap of one solve (one zone-day), a number > 0. With ``max_iterations``
        it only ends a solve early, and the result says so (``time_limited``); without,
        the solver's phases share it.

    Examples
    --------
    >>> Budget()
    Budget(max_iterations=300, max_seconds=60.0)
    >>> Budget(max_iterations=None, max_seconds=10).stops_on_time
    True
    >>> Budget(max_iterations=0)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - Budget, column 'max_iterations': bad option: expected None or an integer > 0, found 0
    """

    max_iterations: int | None = MAX_ITERATIONS
    max_seconds: float = MAX_SECONDS

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        it = self.max_iterations
        if it is not None and not (_whole(it) and it > 0):
            c.add("bad option", "None or an integer > 0", repr(it), column="max_iterations")
        s = self.max_seconds
        if not (
            isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) and s > 0
        ):
            c.add("bad option", "a number of seconds > 0", repr(s), column="max_seconds")
        c.raise_if_any()
        object.__setattr__(self, "max_seconds", float(s))

    @property
    def stops_on_time(self) -> bool:
        """True when only the clock stops a solve (no ``max_iterations``)."""
        return self.max_iterations is None

    def describe(self) -> str:
        """The budget in words, as the assumptions tables print it.

        Examples
        --------
        >>> Budget().describe()
        '300 iterations per zone-day (at most 60 s): the same inputs give the same plan'
        """
        if self.max_iterations is None:
            return f"{self.max_seconds:g} s per zone-day: runs may differ with the machine's speed"
        return (
            f"{self.max_iterations} iterations per zone-day (at most {self.max_seconds:g} s): "
            "the same inputs give the same plan"
        )
