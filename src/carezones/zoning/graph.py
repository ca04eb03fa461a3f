"""The weighted graph of street units the zoner works on, and the figures of a partition.

A symmetric sparse graph of travel seconds between *units* (network nodes, plus points
along long streets), the weekly hours on each unit and the units' coordinates; with a
table of times from every unit with hours to every unit when it fits in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

__all__ = [
    "CoreResult",
    "EPS_SHARE",
    "TABLE_CANDIDATES",
    "TABLE_CELLS",
    "TABLE_CHUNK",
    "UnitGraph",
    "pieces",
    "prepare",
    "supported_zones",
    "zone_medians",
]


EPS_SHARE = 1e-3  # weight of an empty unit relative to the mean hours of a unit with hours


TABLE_CELLS = 64_000_000  # largest table of times (units with hours x units) kept: 512 MB


TABLE_CHUNK = 4_000_000  # cells computed at a time while filling it


TABLE_CANDIDATES = 160  # centre candidates per zone with a table: the units nearest its mean


@dataclass(frozen=True)
class CoreResult:
    """A partition of the units of one connected graph.

    Attributes
    ----------
    labels
        Zone index (0..k-1) of every unit.
    centres
        Unit index of every zone's centre.
    hours
        Hours of every zone.
    cost
        Hours-weighted seconds from the units to their zone's centre.
    feasible
        Every zone at or above the floor (and below the cap).
    offsets
        The additive weights (seconds) of the zones' weighted Voronoi cells, when known.
    """

    labels: np.ndarray
    centres: np.ndarray
    hours: np.ndarray
    cost: float
    feasible: bool
    offsets: np.ndarray | None = None


def supported_zones(total_hours: float, floor: float) -> int:
    """How many zones of at least ``floor`` hours ``total_hours`` can support."""
    if floor <= 0:
        return 10**9
    return int(np.floor(total_hours / floor + 1e-9))


def pieces(
    graph: sparse.csr_matrix, labels: np.ndarray, k: int, occupied: np.ndarray | None = None
) -> np.ndarray:
    """Number of connected pieces of each zone's units (0 for an empty zone).

    With ``occupied`` (a mask of units), only pieces holding an occupied unit count: a
    hand-drawn boundary that strands a bit of street with nobody on it does not split the
    zone for its clients.

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> pieces(g, np.array([0, 1, 0]), 2).tolist()
    [2, 1]
    """
    coo = graph.tocoo()
    keep = (labels[coo.row] == labels[coo.col]) & (labels[coo.row] >= 0)
    inner = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=graph.shape
    )
    _, comp = connected_components(inner, directed=False)
    out = np.zeros(k, dtype=int)
    ok = labels >= 0
    if occupied is not None:
        ok &= occupied
    pairs = np.unique(np.column_stack([labels[ok], comp[ok]]), axis=0)
    np.add.at(out, pairs[:, 0], 1)
    return out


def drawn_pieces(
    graph: sparse.csr_matrix,
    labels: np.ndarray,
    k: int,
    occupied: np.ndarray,
    zones: np.ndarray | None = None,
) -> np.ndarray:
    """Pieces of each zone for its clients: its occupied units joined by its own or empty streets.

    A carer may walk along a street where nobody lives whatever zone the map gives it, but
    not through another zone's clients: a zone is one piece when its occupied units are
    connected through units that are its own or unoccupied. This is the one measure of a
    drawn plan (the zoner's cleaned polygons, hand-drawn polygons, locked zones).
    ``zones`` limits the count to those zones (the others get 0).

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> drawn_pieces(g, np.array([0, 1, 0]), 2, np.array([True, False, True])).tolist()
    [1, 0]
    >>> drawn_pieces(g, np.array([0, 1, 0]), 2, np.array([True, True, True])).tolist()
    [2, 1]
    """
    occupied = np.asarray(occupied, dtype=bool)
    coo = graph.tocoo()
    out = np.zeros(k, dtype=int)
    for z in range(k) if zones is None else np.unique(zones):
        mine = (labels == z) & occupied
        if not mine.any():
            continue
        open_ = (labels == z) | ~occupied
        keep = open_[coo.row] & open_[coo.col]
        inner = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=graph.shape
        )
        _, comp = connected_components(inner, directed=False)
        out[z] = len(np.unique(comp[mine]))
    return out


class UnitGraph:
    """The unit graph with the pieces every step reuses."""

    def __init__(
        self, graph: sparse.csr_matrix, weights: np.ndarray, xy: np.ndarray, table: bool = True
    ) -> None:
        self.csr = graph.tocsr()
        coo = self.csr.tocoo()
        self.rows, self.cols, self.data = coo.row, coo.col, coo.data
        self.n = self.csr.shape[0]
        self.w = np.asarray(weights, dtype=float)
        self.xy = np.asarray(xy, dtype=float)
        positive = self.w[self.w > 0]
        eps = EPS_SHARE * (positive.mean() if len(positive) else 1.0)
        self.w_eps = self.w + eps  # empty units count a little, for tidy shapes
        # Times from every unit with hours to every unit, when they fit in memory: centre
        # moves and distance rows then become lookups instead of graph searches.
        self.have = np.flatnonzero(self.w > 0)
        self.row = np.full(self.n, -1, dtype=np.intp)
        self.row[self.have] = np.arange(len(self.have))
        self.table: np.ndarray | None = None
        self.more: dict[int, np.ndarray] = {}
        self._aug: tuple[bytes, sparse.csr_matrix] | None = None
        if table and 0 < len(self.have) * self.n <= TABLE_CELLS:
            self.table = np.empty((len(self.have), self.n))
            step = max(1, TABLE_CHUNK // self.n)  # in chunks: no second copy in memory
            for lo in range(0, len(self.have), step):
                self.table[lo : lo + step] = dijkstra(
                    self.csr, directed=True, indices=self.have[lo : lo + step]
                )

    def distances(self, sources: np.ndarray) -> np.ndarray:
        """Rows of travel seconds from each source to every unit (from the table when kept)."""
        sources = np.atleast_1d(np.asarray(sources, dtype=np.intp))
        if self.table is None:
            return np.atleast_2d(dijkstra(self.csr, directed=True, indices=sources))
        rows = self.row[sources]
        out = np.empty((len(sources), self.n))
        known = rows >= 0
        out[known] = self.table[rows[known]]
        for i in np.flatnonzero(~known):  # a centre without hours: its own search, kept
            s = int(sources[i])
            if s not in self.more:
                if (len(self.more) + 1) * self.n > TABLE_CELLS // 4:
                    self.more.clear()
                self.more[s] = dijkstra(self.csr, directed=True, indices=s)
            out[i] = self.more[s]
        return out

    def voronoi(self, centres: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Additively weighted network Voronoi: labels and the shortest-path forest."""
        k = len(centres)
        base = offsets - offsets.min() + 1.0
        key = centres.tobytes()
        if self._aug is None or self._aug[0] != key:
            rows = np.concatenate([self.rows, np.arange(self.n, self.n + k)])
            cols = np.concatenate([self.cols, centres])
            data = np.concatenate([self.data, np.ones(k)])
            aug = sparse.csr_matrix((data, (rows, cols)), shape=(self.n + k, self.n + k))
            self._aug = (key, aug)
        aug = self._aug[1]
        aug.data[-k:] = base  # the virtual sources' rows come last, one street each
        _, pred, src = dijkstra(
            aug,
            directed=True,
            indices=np.arange(self.n, self.n + k),
            min_only=True,
            return_predecessors=True,
        )
        labels = src[: self.n] - self.n
        parent = pred[: self.n].astype(np.intp)
        parent[parent >= self.n] = -1
        return labels.astype(np.intp), parent

    def forest(self, labels: np.ndarray, centres: np.ndarray) -> np.ndarray:
        """Shortest-path forest of every zone inside itself, rooted at its centre."""
        keep = labels[self.rows] == labels[self.cols]
        inner = sparse.csr_matrix(
            (self.data[keep], (self.rows[keep], self.cols[keep])), shape=(self.n, self.n)
        )
        _, pred, _ = dijkstra(
            inner, directed=True, indices=centres, min_only=True, return_predecessors=True
        )
        parent = pred.astype(np.intp)
        parent[parent < 0] = -1
        return parent


def prepare(graph: sparse.csr_matrix, weights: np.ndarray, xy: np.ndarray) -> UnitGraph:
    """The unit graph with its table of times, to reuse over several :func:`partition_connected`."""
    return UnitGraph(graph, weights, xy)


def zone_medians(
    g: UnitGraph | None,
    labels: np.ndarray,
    centres: np.ndarray,
    *,
    fixed: np.ndarray | None = None,
    candidates: int = 8,
    dist: np.ndarray | None = None,
    skip: np.ndarray | None = None,
    graph: sparse.csr_matrix | None = None,
    weights: np.ndarray | None = None,
    xy: np.ndarray | None = None,
    exact: bool = False,
) -> np.ndarray:
    """Move each zone's centre to its hours-weighted network median (among candidates).

    With a table of times (``g.table``, or ``exact`` when ``g`` is built here) the zone's
    160 units nearest its hours-weighted mean position (every unit of a smaller zone) are
    candidates; otherwise the current centre and the zone's
    ``candidates`` units nearest (in a straight line) to its hours-weighted mean position.
    ``fixed`` zones keep their centre.
    """
    if g is None:  # exact (a table of times) when no centres are known yet
        g = UnitGraph(graph, weights, xy, table=exact)  # type: ignore[arg-type]
    k = len(centres)
    fixed = np.zeros(k, dtype=bool) if fixed is None else fixed
    out = np.array(centres, copy=True)
    todo = ~fixed if skip is None else ~fixed & ~skip
    for z in np.flatnonzero(todo):
        members = np.flatnonzero(labels == z)
        if len(members) == 0 or g.w[members].sum() <= 0:
            continue
        mean = np.average(g.xy[members], axis=0, weights=g.w[members])
        near = members[np.argsort(((g.xy[members] - mean) ** 2).sum(axis=1))]
        if g.table is not None:
            # The zone's most central units, each priced exactly from the table.
            cands = np.union1d(near[:TABLE_CANDIDATES], [centres[z]])
            have = members[g.w[members] > 0]
            cost = g.w[have] @ g.table[np.ix_(g.row[have], cands)]
            best = int(np.argmin(cost))
            if cost[best] < cost[np.searchsorted(cands, centres[z])] - 1e-9:  # ties stay
                out[z] = cands[best]
            continue
        cands = np.union1d(near[:candidates], [centres[z]])
        # Every candidate is a member, so it reaches every member within twice the
        # zone's radius from the current centre: a bounded search is exact.
        from_centre = dist[z] if dist is not None else dijkstra(g.csr, indices=int(centres[z]))
        radius = from_centre[members].max()
        limit = 2 * radius + 1.0 if np.isfinite(radius) else np.inf
        block = np.atleast_2d(dijkstra(g.csr, indices=cands, limit=limit))
        cost = np.where(np.isfinite(block[:, members]), block[:, members], 1e18) @ g.w_eps[members]
        out[z] = cands[int(np.argmin(cost))]
    return out
