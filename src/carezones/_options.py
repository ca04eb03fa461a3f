"""Checks of options every stage takes: random seeds and cutoffs.

A bad option is a :class:`~carezones.exceptions.ValidationError` naming it, never the
TypeError or ValueError of the library underneath (numpy, scipy, scikit-learn).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from carezones.exceptions import ProblemCollector

__all__ = ["check_cutoff", "check_random_state", "make_rng"]

_SEED = "a whole number >= 0, a numpy Generator or SeedSequence, or None"


def check_random_state(random_state: Any, *, where: str = "random_state") -> Any:
    """``random_state`` when numpy can seed from it, else a :class:`ValidationError`.

    Parameters
    ----------
    random_state
        None, a whole number >= 0, a :class:`numpy.random.Generator`,
        :class:`numpy.random.SeedSequence` or :class:`numpy.random.RandomState`.
    where
        The option's name in the message.

    Returns
    -------
    object
        ``random_state`` unchanged.

    Examples
    --------
    >>> check_random_state("x")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - random_state: bad seed: expected a whole number >= 0, a numpy Generator or \
SeedSequence, or None, found 'x'
    """
    if random_state is None or isinstance(
        random_state, np.random.Generator | np.random.SeedSequence | np.random.RandomState
    ):
        return random_state
    if (
        isinstance(random_state, numbers.Integral)
        and not isinstance(random_state, bool)
        and int(random_state) >= 0
    ):
        return random_state
    raise ProblemCollector(where).error("bad seed", _SEED, repr(random_state)[:40])


def make_rng(random_state: Any, *, where: str = "random_state") -> np.random.Generator:
    """A numpy Generator from a checked ``random_state`` (see :func:`check_random_state`).

    Parameters
    ----------
    random_state
        As for :func:`check_random_state`.
    where
        The option's name in the message.

    Returns
    -------
    numpy.random.Generator
        ``random_state`` itself when it is a Generator.
    """
    check_random_state(random_state, where=where)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def check_cutoff(cutoff: Any, *, where: str = "cutoff", unit: str = "seconds") -> float | None:
    """``cutoff`` as a float >= 0, None kept; else a :class:`ValidationError`.

    Parameters
    ----------
    cutoff
        A travel-time limit, or None (no limit).
    where
        The option's name in the message.
    unit
        The unit named in the message.

    Returns
    -------
    float or None
        The cutoff.
    """
    if cutoff is None:
        return None
    ok = isinstance(cutoff, numbers.Real) and not isinstance(cutoff, bool)
    if not ok or math.isnan(float(cutoff)) or float(cutoff) < 0:
        raise ProblemCollector(where).error(
            "bad cutoff", f"a number of {unit} >= 0, or None", repr(cutoff)[:40]
        )
    return float(cutoff)
