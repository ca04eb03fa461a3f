"""Placing a house that the OSM extract lacks on its own street, between its neighbours.

OpenStreetMap holds only part of a town's addresses. When a row's street is in the
extract but its house number is not, the row is placed by linear interpolation between the
nearest known numbers below and above it on the same side of the street (odd or even),
with quality ``"street"``; never at a similarly named street elsewhere. When the
neighbours are too far apart (two streets of one name in different places, say), or there
are none on both sides, the row falls back to its postcode.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from carezones.geocode.text import postcode_district, split_number

__all__ = ["StreetNumbers"]

#: Neighbours farther apart than this are not one stretch of one street.
MAX_GAP_M = 400.0
#: Houses of one street name farther than this from all others are another place.
PLACE_GAP_M = 1000.0
#: With a neighbour on one side only, use it when it is at most this many numbers away.
MAX_ONE_SIDED = 4


@dataclass(frozen=True)
class Interpolated:
    """A point between two known houses, and how it was found."""

    xy: tuple[float, float]
    reason: str


class StreetNumbers:
    """The known house numbers of every street key, for interpolation.

    Parameters
    ----------
    xy
        Every OSM address's point in the geocoder's working CRS (metres).
    districts
        Every address's postcode district, or None.
    """

    def __init__(self, xy: np.ndarray, districts: Sequence[str | None]) -> None:
        self._xy = xy
        self._districts = districts
        self._numbers: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._places: dict[str, int] = {}

    def add(self, key: str, numbers: Sequence[str], index: int) -> None:
        """Record that address ``index`` carries ``numbers`` (its keys) on street ``key``."""
        seen = set()
        for text in numbers:
            one = split_number(text)
            if one is not None and one[0] not in seen:
                seen.add(one[0])
                self._numbers[key].append((one[0], index))

    def places(self, key: str) -> int:
        """In how many places (groups of houses more than :data:`PLACE_GAP_M` apart) ``key`` is.

        "Main Street" in two villages is two places: a number found on it is only the
        row's house when its postcode says which place.
        """
        if key not in self._places:
            index = sorted({i for _, i in self._numbers.get(key, [])})
            if len(index) < 2:
                self._places[key] = len(index)
            else:
                tree = cKDTree(self._xy[index])
                pairs = tree.query_pairs(PLACE_GAP_M, output_type="ndarray")
                graph = coo_matrix(
                    (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(index),) * 2
                )
                self._places[key] = int(connected_components(graph, directed=False)[0])
        return self._places[key]

    def has(self, key: str) -> bool:
        """Whether the street has any numbered address."""
        return key in self._numbers

    def place(self, key: str, number: int, postcode: str | None) -> Interpolated | None:
        """The row's point between its neighbours on ``key``, or None when not safe.

        Parameters
        ----------
        key
            The street key.
        number
            The row's house number (its letter dropped).
        postcode
            The row's postcode: only houses in its district (or without a postcode) count.
        """
        entries = self._numbers.get(key, [])
        if postcode is not None:
            district = postcode_district(postcode)
            entries = [(n, i) for n, i in entries if self._districts[i] in (None, district)]
        side = [(n, i) for n, i in entries if n % 2 == number % 2] or entries
        below = [(n, i) for n, i in side if n < number]
        above = [(n, i) for n, i in side if n > number]
        if below and above:
            lo = max(n for n, _ in below)
            hi = min(n for n, _ in above)
            a = self._mean([i for n, i in below if n == lo])
            b = self._mean([i for n, i in above if n == hi])
            if a is None or b is None or float(np.hypot(*(b - a))) > MAX_GAP_M:
                return None
            t = (number - lo) / (hi - lo)
            xy = a + t * (b - a)
            return Interpolated(
                (float(xy[0]), float(xy[1])),
                f"street found, house number not in the OSM extract: placed between numbers "
                f"{lo} and {hi}",
            )
        near = [(abs(n - number), n, i) for n, i in below + above]
        if not near:
            return None
        gap, n_near, _ = min(near)
        if gap > MAX_ONE_SIDED:
            return None
        point = self._mean([i for d, n, i in near if n == n_near])
        if point is None:
            return None
        return Interpolated(
            (float(point[0]), float(point[1])),
            f"street found, house number not in the OSM extract: placed at number {n_near}, "
            "the nearest on its side",
        )

    def _mean(self, index: list[int]) -> np.ndarray | None:
        points = self._xy[index]
        centre = points.mean(axis=0)
        if len(index) > 1 and float(np.hypot(*(points - centre).T).max()) > MAX_GAP_M / 4:
            return None  # one number in two places: not one street
        return centre
