"""Fast re-scoring of a zone plan after each move: the workshop's side panel.

:class:`Scorer` precomputes, once per workshop, everything a move cannot change: each street
unit's weekly hours, visits and clients, the walking network's edges between units, each
unit's Voronoi cell and its area, and each client's walk from its street point. A plan is
then a label per unit, and :meth:`Scorer.score` measures it with a few ``bincount`` calls
and one connected-components pass over the edges that stay inside a zone; only walking
times from a zone centre that has moved need a new Dijkstra (cached per centre).

The travel per hour of care and the hourly rate are *estimates* (labelled so in the
browser): a carer's day is taken as a round through ``visits a day / carers`` random points
of the zone, whose length follows Beardwood, Halton and Hammersley's formula
(``0.7124 * sqrt(n * area)``), stretched by a network detour factor and walked at the
network's speed. The routed figures come from the router (:meth:`Session.routed_figures`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from carezones.outcomes import hourly_rate
from carezones.zoning import drawn_pieces

__all__ = [
    "BHH_CONSTANT",
    "DETOUR_FACTOR",
    "SHIFT_HOURS",
    "WITHIN_SECONDS",
    "Scorer",
    "broken_rules",
]

#: Beardwood-Halton-Hammersley constant of a round through random points in a plane.
BHH_CONSTANT = 0.7124
#: Walking distance on the network over straight-line distance (typical of UK towns).
DETOUR_FACTOR = 1.3
#: Hours of care one carer gives in a day (to turn a zone's daily hours into rounds).
SHIFT_HOURS = 6.0
#: Seconds: "within 15 minutes' walk".
WITHIN_SECONDS = 900.0
_CACHE_ROWS = 96


@dataclass(frozen=True)
class StreetUnits:
    """What the scorer needs of the zoner's street units (a copy, so the scorer owns it)."""

    xy: np.ndarray
    graph: sparse.csr_matrix
    area: shapely.Geometry
    speed_mps: float


class Scorer:
    """Score zone plans on fixed street units and clients (one per workshop).

    Parameters
    ----------
    units
        The zoner's street units (``xy``, ``graph``, ``area``, ``speed_mps``).
    client_unit, client_hours, client_offset, client_ok
        Each client's street unit, weekly hours, walk (seconds) from the unit to the door,
        and whether it is placed (near enough to the network).
    client_visits
        Each client's visits a week (for the mean visit length; None: 30-minute visits).
    area
        The served area (the units' area within a boundary) that outlines are clipped to;
        None: the units' own area.
    """

    def __init__(
        self,
        units: Any,
        client_unit: np.ndarray,
        client_hours: np.ndarray,
        client_offset: np.ndarray,
        client_ok: np.ndarray,
        client_visits: np.ndarray | None = None,
        area: shapely.Geometry | None = None,
    ) -> None:
        served = units.area if area is None else area
        self.units = StreetUnits(units.xy, units.graph, served, float(units.speed_mps))
        n = len(units.xy)
        self.n = n
        ok = np.asarray(client_ok, dtype=bool)
        self.client_unit = np.asarray(client_unit, dtype=np.intp)[ok]
        self.client_hours = np.asarray(client_hours, dtype=float)[ok]
        self.client_offset = np.asarray(client_offset, dtype=float)[ok]
        visits = (
            np.asarray(client_visits, dtype=float)[ok]
            if client_visits is not None
            else self.client_hours * 2.0
        )
        self.unit_hours = np.bincount(self.client_unit, weights=self.client_hours, minlength=n)
        self.unit_visits = np.bincount(self.client_unit, weights=visits, minlength=n)
        self.unit_clients = np.bincount(self.client_unit, minlength=n).astype(float)
        coo = sparse.triu(units.graph, k=1).tocoo()
        self.edge_a, self.edge_b = coo.row.astype(np.intp), coo.col.astype(np.intp)
        self.cells, self.cell_of, self.cell_unit = _cells(units)
        self.unit_area = np.zeros(n)
        self.unit_area[self.cell_unit] = shapely.area(self.cells)
        self._rows: OrderedDict[int, np.ndarray] = OrderedDict()

    # ------------------------------------------------------------------ walking times
    def from_centre(self, centre: int) -> np.ndarray:
        """Walking seconds from unit ``centre`` to every unit (cached)."""
        row = self._rows.get(int(centre))
        if row is None:
            row = dijkstra(self.units.graph, indices=int(centre))
            self._rows[int(centre)] = row
            if len(self._rows) > _CACHE_ROWS:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(int(centre))
        return row

    def centre_of(self, labels: np.ndarray, zone: int) -> int:
        """A zone's unit nearest its hours-weighted mean position (-1 for an empty zone)."""
        members = np.flatnonzero(labels == zone)
        if not len(members):
            return -1
        weight = self.unit_hours[members] + 1e-6
        mean = np.average(self.units.xy[members], axis=0, weights=weight)
        return int(members[np.argmin(((self.units.xy[members] - mean) ** 2).sum(axis=1))])

    # ------------------------------------------------------------------ scoring
    def pieces(self, labels: np.ndarray, k: int) -> np.ndarray:
        """Pieces of each zone for its clients, by the measure ``zones --check`` uses.

        A zone is one piece when its units holding clients are joined through its own
        units or units where nobody lives (:func:`carezones.zoning.drawn_pieces`), so
        the workshop and ``carezones zones --check`` agree on the same plan.
        """
        return drawn_pieces(self.units.graph, labels, k, self.unit_hours > 0)

    def score(
        self,
        labels: np.ndarray,
        centres: np.ndarray,
        *,
        visit_minutes: float | None = None,
    ) -> dict[str, np.ndarray]:
        """Per-zone figures of a plan: a label per unit and each zone's centre unit.

        Returns arrays indexed by zone: ``weekly_hours``, ``n_clients``, ``visits``,
        ``pieces``, ``minutes_to_centre`` (hours-weighted), ``share_within_15_min``,
        ``area_km2``, ``travel_minutes_per_visit`` (estimate), ``travel_per_care_hour``
        (minutes of travel per hour of care, estimate), ``visit_minutes`` and
        ``hourly_rate`` (estimate, £ per contact hour, walking carers).
        """
        k = len(centres)
        labels = np.asarray(labels, dtype=np.intp)
        hours = np.bincount(labels, weights=self.unit_hours, minlength=k)[:k]
        visits = np.bincount(labels, weights=self.unit_visits, minlength=k)[:k]
        clients = np.bincount(labels, weights=self.unit_clients, minlength=k)[:k]
        area = np.bincount(labels, weights=self.unit_area, minlength=k)[:k] / 1e6
        zone_of = labels[self.client_unit]
        to_centre = np.full(len(zone_of), np.nan)
        for z in range(k):
            if centres[z] < 0:
                continue
            who = zone_of == z
            to_centre[who] = self.from_centre(int(centres[z]))[self.client_unit[who]]
        to_centre += self.client_offset
        finite = np.isfinite(to_centre)
        wt = np.where(finite, self.client_hours, 0.0)
        num = np.bincount(zone_of, weights=np.where(finite, to_centre, 0.0) * wt, minlength=k)[:k]
        with np.errstate(invalid="ignore", divide="ignore"):
            minutes = num / np.bincount(zone_of, weights=wt, minlength=k)[:k] / 60
            near = (to_centre <= WITHIN_SECONDS).astype(float)
            within = np.bincount(zone_of, weights=near, minlength=k)[:k] / clients
        travel, per_hour, mean_visit, rate = self.estimates(hours, visits, area, visit_minutes)
        return {
            "weekly_hours": hours,
            "n_clients": clients,
            "visits": visits,
            "pieces": self.pieces(labels, k),
            "minutes_to_centre": minutes,
            "share_within_15_min": within,
            "area_km2": area,
            "travel_minutes_per_visit": travel,
            "travel_per_care_hour": per_hour,
            "visit_minutes": mean_visit,
            "hourly_rate": rate,
        }

    def estimates(
        self,
        hours: np.ndarray,
        visits: np.ndarray,
        area_km2: np.ndarray,
        visit_minutes: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Estimated travel per visit (min), per care hour (min/h), visit length and rate."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_visit = (
                np.full(len(hours), float(visit_minutes))
                if visit_minutes is not None
                else hours * 60 / visits
            )
            per_day = visits / 7
            carers = np.maximum(hours / 7 / SHIFT_HOURS, 1.0)
            stops = np.maximum(per_day / carers, 1.0)
            metres = DETOUR_FACTOR * BHH_CONSTANT * np.sqrt(stops * area_km2 * 1e6) / stops
            travel = metres / self.units.speed_mps / 60
            per_hour = travel / mean_visit * 60
        rate = np.full(len(hours), np.nan)
        for z in np.flatnonzero(np.isfinite(travel) & (mean_visit > 0) & (hours > 0)):
            rate[z] = hourly_rate(
                travel_minutes_per_visit=float(travel[z]),
                visit_minutes=float(mean_visit[z]),
                miles_per_visit=0.0,
            ).total
        return travel, per_hour, mean_visit, rate

    # ------------------------------------------------------------------ outlines
    def outline(self, labels: np.ndarray, zone: int) -> shapely.Geometry:
        """A zone's polygon: the union of its units' Voronoi cells, within the served area."""
        mine = np.flatnonzero(labels[self.cell_unit] == zone)
        if not len(mine):
            return shapely.Polygon()
        shape = shapely.coverage_union_all(self.cells[mine])
        return shapely.make_valid(shape).intersection(self.units.area)


def _cells(units: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct unit position's Voronoi cell, the cell of every unit, each cell's unit.

    As in the zoner's polygons, a cell shared by several units goes to the first one's zone.
    """
    xy, first, inverse = np.unique(
        np.round(units.xy, 3), axis=0, return_index=True, return_inverse=True
    )
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(xy), extend_to=units.area, ordered=True)
    )
    cells = shapely.intersection(cells, units.area)
    return cells, np.asarray(inverse, dtype=np.intp).ravel(), np.asarray(first, dtype=np.intp)


def broken_rules(
    zones: list[dict[str, Any]],
    lots: list[dict[str, Any]],
    min_weekly_hours: float,
    cap: float | None,
    min_provider_hours: float,
) -> list[dict[str, Any]]:
    """Every rule a plan breaks: below the floor, above the cap, not one piece, lot too small."""
    out = []
    for r in zones:
        if r["weekly_hours"] < min_weekly_hours - 1e-9:
            out.append(
                {
                    "rule": "below floor",
                    "zone_id": r["zone_id"],
                    "detail": f"{r['weekly_hours']:.1f} h/week < {min_weekly_hours:g}",
                }
            )
        if cap is not None and r["weekly_hours"] > cap + 1e-9:
            out.append(
                {
                    "rule": "above cap",
                    "zone_id": r["zone_id"],
                    "detail": f"{r['weekly_hours']:.1f} h/week > {cap:g}",
                }
            )
        if r["pieces"] != 1:
            out.append(
                {
                    "rule": "not one piece",
                    "zone_id": r["zone_id"],
                    "detail": f"{r['pieces']} pieces on the walking network",
                }
            )
    for lot in lots:
        if lot["weekly_hours"] < min_provider_hours - 1e-9:
            out.append(
                {
                    "rule": "lot below provider minimum",
                    "zone_id": lot["lot"],
                    "detail": f"{lot['weekly_hours']:.1f} h/week < {min_provider_hours:g}",
                }
            )
    return out  # fmt: skip
