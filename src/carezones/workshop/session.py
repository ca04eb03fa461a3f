"""The workshop's editing model: a zone plan as a label per street unit, with undo and redo.

A :class:`Session` holds the clients placed on the zoner's street units, the current plan
(each unit's zone, the zone names, which are locked, each zone's provider lot and centre)
and its history. Every edit (move, lock, redraw, split, merge, load) pushes the previous
plan on the undo stack and is re-scored at once by :class:`~carezones.workshop.score.Scorer`.

No client's position leaves the session: :meth:`Session.view` and :meth:`Session.street_units`
give only street geometry (the units, the zone outlines) and aggregates per zone and lot.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from carezones.demand import expand_visits
from carezones.exceptions import ProblemCollector, ValidationError
from carezones.maps import demand_cells, zone_colours
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork, cache_dir
from carezones.routing import Budget
from carezones.workshop.routed import routed_figures
from carezones.workshop.score import Scorer, broken_rules
from carezones.workshop.store import SavedPlan, load_plan
from carezones.zoning import (
    MIN_PROVIDER_HOURS,
    MIN_WEEKLY_HOURS,
    NeighbourhoodZoner,
    ZonePlan,
    boundary_area,
    build_units,
    finish_plan,
    place_clients,
    provider_lots,
)

__all__ = ["WORKSHOP_N_INIT", "Plan", "Session"]

logger = logging.getLogger(__name__)

_HISTORY = 200
#: Zoner starts in the workshop (see :class:`Session`).
WORKSHOP_N_INIT = 2
#: Random starts of the provider lots after a redraw (provider_lots' default is 20, about
#: half of a Camden redraw's time).
LOT_STARTS = 5


@dataclass(frozen=True)
class Plan:
    """One state of the plan (what undo and redo restore).

    Attributes
    ----------
    labels
        Zone (position in ``zone_ids``) of every street unit.
    zone_ids
        The zones' names.
    locked
        Whether each zone is locked.
    lots
        Each zone's provider lot.
    centres
        Each zone's centre unit (-1: an empty zone).
    """

    labels: np.ndarray
    zone_ids: tuple[str, ...]
    locked: tuple[bool, ...]
    lots: tuple[str, ...]
    centres: tuple[int, ...]

    def index(self, zone_id: str) -> int:
        """Position of ``zone_id`` (ValidationError when unknown)."""
        try:
            return self.zone_ids.index(str(zone_id))
        except ValueError:
            raise ProblemCollector("workshop").error(
                "unknown zone", "a zone of the plan", repr(str(zone_id))
            ) from None


class Session:
    """A workshop's plan, its history and its scores.

    Parameters
    ----------
    network
        The travel networks (walking is used).
    clients
        The clients (``client_id``, ``weekly_hours``, points), as for the zoner.
    plan
        A starting :class:`~carezones.zoning.ZonePlan`, or a folder (or ``zones.gpkg``)
        written by ``carezones zones`` or the workshop; None: the zoner draws one.
    lots
        Each zone's provider lot (None: :func:`~carezones.zoning.provider_lots` groups them).
    min_weekly_hours, max_weekly_hours
        The zone floor and optional cap.
    n_zones
        {int, "auto"} Zones the zoner draws when no plan is given.
    min_provider_hours
        The lots' minimum weekly hours.
    n_providers
        {int, "auto"} Lots when they are grouped here.
    carers
        Optional carers (``provider_id``, homes) to match lots to providers.
    n_init, random_state
        The zoner's starts and seed (also used by "redraw the unlocked rest"). The
        workshop's default is 2 starts, not the zoner's 4: on Camden (18 zones, 3 locked)
        1, 2 and 4 starts drew the same plan, and a redraw is waited for in a meeting.
    boundary
        The area served (polygons with a CRS, as ``carezones zones --boundary``): zones
        are clipped to it and clients outside it are in no zone, "outside the boundary",
        so the workshop counts the hours and the unassigned clients ``zones`` counts.
        None: the whole network.
    """

    def __init__(
        self,
        network: TravelNetwork,
        clients: Any,
        *,
        plan: ZonePlan | str | Path | None = None,
        lots: dict[str, str] | None = None,
        min_weekly_hours: float = MIN_WEEKLY_HOURS,
        max_weekly_hours: float | None = None,
        n_zones: int | str = "auto",
        min_provider_hours: float = MIN_PROVIDER_HOURS,
        n_providers: int | str = "auto",
        carers: gpd.GeoDataFrame | None = None,
        n_init: int = WORKSHOP_N_INIT,
        random_state: int | None = 0,
        boundary: Any = None,
    ) -> None:
        self.network = network
        self.boundary = boundary
        #: How a saved scenario names the boundary ("extract", a file, or None).
        self.boundary_source: str | None = None
        self.clients = clients
        self.min_weekly_hours = float(min_weekly_hours)
        self.cap = None if max_weekly_hours is None else float(max_weekly_hours)
        self.min_provider_hours = float(min_provider_hours)
        self.n_providers = n_providers
        self.carers = carers
        self.n_init = int(n_init)
        self.random_state = random_state
        self.units = build_units(network, "walk", 100.0)
        self.demand = place_clients(
            clients, network, self.units, max_snap_distance=MAX_SNAP_DISTANCE
        )
        self.area = boundary_area(boundary, self.units)
        self.served = ~self.demand.far
        if self.area is not None:
            xy = self.demand.xy
            self.served &= shapely.contains_xy(self.area, xy[:, 0], xy[:, 1])
        self.scorer = Scorer(
            self.units,
            self.demand.unit,
            self.demand.hours,
            self.demand.offset,
            self.served,
            _weekly_visits(clients, self.demand.ids),
            area=self.area,
        )
        self.history: list[Plan] = []
        self.future: list[Plan] = []
        self.colours: dict[str, str] = {}
        if isinstance(plan, str | Path):
            self.plan = self._from_saved(load_plan(self, plan), lots)
        elif plan is None:
            self.plan = self._start(n_zones)
        else:
            self.plan = self._from_zone_plan(plan, lots)

    def _start(self, n_zones: int | str) -> Plan:
        """The zoner's plan and lots, from the workshop's cache when the same inputs were seen."""
        digest = hashlib.sha256()
        for arr in (np.round(self.units.xy, 2), self.demand.unit, self.demand.hours):
            digest.update(np.ascontiguousarray(arr).tobytes())
        digest.update("\0".join(self.demand.ids).encode())
        digest.update(
            json.dumps(
                [
                    self.min_weekly_hours,
                    self.cap,
                    str(n_zones),
                    self.n_init,
                    self.random_state,
                    str(self.n_providers),
                    self.min_provider_hours,
                    self.carers is None,
                ]
            ).encode()
        )
        if self.area is not None:
            digest.update(shapely.to_wkb(shapely.set_precision(self.area, 0.01)))
        path = cache_dir() / "workshop" / f"start-{digest.hexdigest()[:24]}.npz"
        if path.is_file():
            with np.load(path, allow_pickle=False) as f:
                logger.info("starting plan from the cache: %s", path)
                return Plan(f["labels"].astype(np.intp), tuple(f["zone_ids"].tolist()),
                            tuple(bool(v) for v in f["locked"]), tuple(f["lots"].tolist()),
                            tuple(int(v) for v in f["centres"]))  # fmt: skip
        plan = self._from_zone_plan(
            self._zoner(n_zones).fit(self.clients, network=self.network).plan_, None
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, labels=plan.labels, zone_ids=np.array(plan.zone_ids, dtype=str),
                 locked=np.array(plan.locked), lots=np.array(plan.lots, dtype=str),
                 centres=np.array(plan.centres))  # fmt: skip
        return plan

    # ------------------------------------------------------------------ building plans
    def _zoner(self, n_zones: int | str, locked: Any = None) -> NeighbourhoodZoner:
        return NeighbourhoodZoner(
            self.min_weekly_hours,
            max_weekly_hours=self.cap,
            n_zones=n_zones,  # type: ignore[arg-type]
            locked=locked,
            n_init=self.n_init,
            random_state=self.random_state,
            boundary=self.boundary,
        )

    def _from_zone_plan(self, plan: ZonePlan, lots: dict[str, str] | None) -> Plan:
        if plan.units is not self.units:
            raise ProblemCollector("workshop").error(
                "other network", "a plan on this walking network", "another"
            )
        zones = plan.zones
        ids = tuple(zones["zone_id"].astype(str))
        if lots is None:
            lots = self._group_lots(plan)
        centres = tuple(int(np.argmin(_sq(self.units.xy, x, y))) for x, y in
                        zip(zones["centre_x"], zones["centre_y"], strict=True))  # fmt: skip
        return Plan(
            np.asarray(plan.unit_labels, dtype=np.intp).copy(),
            ids,
            tuple(bool(v) for v in zones["locked"]),
            tuple(str(lots.get(z, "")) for z in ids),
            centres,
        )

    def _from_saved(self, saved: SavedPlan, lots: dict[str, str] | None = None) -> Plan:
        k = len(saved.zone_ids)
        lots = lots if lots is not None else saved.lots
        if lots is None:
            zones = saved.zones[["zone_id", "geometry"]].copy()
            zones["weekly_hours"] = np.bincount(
                saved.labels, weights=self.scorer.unit_hours, minlength=k
            )[:k]
            lots = self._group_lots(zones)
        centres = [self.scorer.centre_of(saved.labels, z) for z in range(k)]
        if {"centre_x", "centre_y"} <= set(saved.zones.columns):  # the saved centres
            xs = pd.to_numeric(saved.zones["centre_x"], errors="coerce").to_numpy(float)
            ys = pd.to_numeric(saved.zones["centre_y"], errors="coerce").to_numpy(float)
            for z, (x, y) in enumerate(zip(xs, ys, strict=True)):
                if np.isfinite(x) and np.isfinite(y):
                    unit = int(np.argmin(_sq(self.units.xy, x, y)))
                    centres[z] = unit if saved.labels[unit] == z else centres[z]
        named = tuple(str(lots.get(z, "")) for z in saved.zone_ids)
        return Plan(saved.labels.copy(), saved.zone_ids, saved.locked, named, tuple(centres))

    def _group_lots(self, plan: ZonePlan | gpd.GeoDataFrame) -> dict[str, str]:
        try:
            lots = provider_lots(
                plan,
                n_providers=self.n_providers,  # type: ignore[arg-type]
                min_provider_hours=self.min_provider_hours,
                carers=self.carers,
                n_init=LOT_STARTS,
                random_state=self.random_state,
            )
        except (ValidationError, RuntimeError) as exc:  # too few hours for one lot, say
            logger.warning("no provider lots: %s", exc)
            return {}
        return {str(z): str(lot) for z, lot in zip(lots.zones["zone_id"],
                                                   lots.zones["lot_id"], strict=True)}  # fmt: skip

    def zone_plan(self, plan: Plan | None = None) -> ZonePlan:
        """The plan as a :class:`~carezones.zoning.ZonePlan` (polygons, report), as the zoner's."""
        plan = plan or self.plan
        return self.zone_plan_from(plan.labels, list(plan.zone_ids), np.array(plan.locked))

    def zone_plan_from(
        self, labels: np.ndarray, zone_ids: list[str], locked: np.ndarray
    ) -> ZonePlan:
        """A :class:`~carezones.zoning.ZonePlan` of a label per street unit."""
        return finish_plan(
            self.units,
            self.demand,
            np.asarray(labels, dtype=np.intp),
            list(zone_ids),
            method="workshop",
            by_clients="occupied",  # pieces as the zoner and `zones --check` count them
            floor=self.min_weekly_hours,
            cap=np.inf if self.cap is None else self.cap,
            locked=np.asarray(locked, dtype=bool),
            random_state=self.random_state,
            area=self.area,
        )

    # ------------------------------------------------------------------ history
    def snapshot(self) -> tuple[Plan, tuple[Plan, ...], tuple[Plan, ...]]:
        """The plan and its history, as :meth:`restore` takes them back."""
        return self.plan, tuple(self.history), tuple(self.future)

    def restore(self, state: tuple[Plan, tuple[Plan, ...], tuple[Plan, ...]]) -> None:
        """Put back a :meth:`snapshot`: an edit that failed half-way leaves no trace."""
        self.plan, history, future = state
        self.history, self.future = list(history), list(future)

    def _push(self, new: Plan) -> Plan:
        self.history.append(self.plan)
        del self.history[:-_HISTORY]
        self.future.clear()
        self.plan = new
        return new

    def undo(self) -> bool:
        """Go back one edit (False when there is none)."""
        if not self.history:
            return False
        self.future.append(self.plan)
        self.plan = self.history.pop()
        return True

    def redo(self) -> bool:
        """Redo the last undone edit (False when there is none)."""
        if not self.future:
            return False
        self.history.append(self.plan)
        self.plan = self.future.pop()
        return True

    # ------------------------------------------------------------------ edits
    def move(self, units: Any, zone_id: str) -> list[int]:
        """Move street units to zone ``zone_id``; returns the zones changed (positions).

        Units of a locked zone, or a move into a locked zone, raise ``ValidationError``.
        """
        p = self.plan
        target = p.index(zone_id)
        idx = np.unique(np.asarray(list(units), dtype=np.intp))
        if len(idx) and (idx.min() < 0 or idx.max() >= self.units.n):
            raise ProblemCollector("workshop").error(
                "unknown street unit", f"0..{self.units.n - 1}", "other"
            )
        if p.locked[target]:
            raise ProblemCollector("workshop").error(
                "locked zone", "an unlocked zone", f"{zone_id} is locked"
            )
        idx = idx[p.labels[idx] != target]
        sources = np.unique(p.labels[idx])
        held = [p.zone_ids[z] for z in sources if z >= 0 and p.locked[z]]
        if held:
            raise ProblemCollector("workshop").error(
                "locked zone", "units of unlocked zones", f"units of {', '.join(held)} (locked)"
            )
        if not len(idx):
            return []
        labels = p.labels.copy()
        labels[idx] = target
        changed = sorted({target, *(int(z) for z in sources if z >= 0)})
        self._push(dataclasses.replace(p, labels=labels, centres=self._centres(labels, p, changed)))
        return changed

    def _centres(self, labels: np.ndarray, p: Plan, changed: list[int]) -> tuple[int, ...]:
        """Keep each centre unless its unit left the zone (then its new mean unit)."""
        out = list(p.centres)
        for z in changed:
            if out[z] < 0 or labels[out[z]] != z:
                out[z] = self.scorer.centre_of(labels, z)
        return tuple(out)

    def lock(self, zone_id: str, locked: bool = True) -> None:
        """Lock (or unlock) a zone."""
        p = self.plan
        z = p.index(zone_id)
        if p.locked[z] == bool(locked):
            return
        flags = list(p.locked)
        flags[z] = bool(locked)
        self._push(dataclasses.replace(p, locked=tuple(flags)))

    def redraw(self) -> None:
        """Redraw the unlocked zones with the zoner, keeping the locked ones as they are."""
        p = self.plan
        locked = [z for z in range(len(p.zone_ids)) if p.locked[z]]
        frame = None
        if locked:
            frame = gpd.GeoDataFrame(
                {"zone_id": [p.zone_ids[z] for z in locked]},
                geometry=[self.scorer.outline(p.labels, z) for z in locked],
                crs=self.units.crs,
            )
        fitted = self._zoner(len(p.zone_ids), frame).fit(self.clients, network=self.network)
        new = fitted.plan_
        lots = dict(zip(p.zone_ids, p.lots, strict=True))
        fresh = self._from_zone_plan(new, lots if len(locked) == len(p.zone_ids) else None)
        kept = {z: lots[z] for z in fresh.zone_ids if z in lots and fresh.locked[fresh.index(z)]}
        fresh = dataclasses.replace(
            fresh, lots=tuple(kept.get(z, lot) for z, lot in zip(fresh.zone_ids, fresh.lots,
                                                                  strict=True)),
        )  # fmt: skip
        self._push(fresh)

    def split(self, zone_id: str) -> str:
        """Split a zone in two of about equal hours along the network; returns the new zone.

        The zone's street units are ordered from one end of the zone to the other (the
        difference of their walks to its two farthest-apart units) and cut where the hours
        are nearest half; both zones get hours. A zone whose hours lie on fewer than two
        street units cannot be split so: a ``ValidationError`` says so, nothing changes.
        """
        p = self.plan
        z = p.index(zone_id)
        if p.locked[z]:
            raise ProblemCollector("workshop").error(
                "locked zone", "an unlocked zone", f"{zone_id} is locked"
            )
        members = np.flatnonzero(p.labels == z)
        hours = self.scorer.unit_hours[members]
        with_hours = int(np.count_nonzero(hours > 0))
        if with_hours < 2:
            raise ProblemCollector("workshop").error(
                "cannot split",
                "a zone whose clients' hours lie on two "
                "street units or more (so both zones get hours)",
                f"{zone_id}: {hours.sum():,.0f} h/week on {with_hours} street unit"
                f"{'s' if with_hours != 1 else ''}",
            )
        g = self.units.graph[members][:, members]
        start = int(np.argmax(self.scorer.from_centre(p.centres[z])[members]))
        d1 = dijkstra(g, indices=start)
        other = int(np.argmax(np.where(np.isfinite(d1), d1, -1)))
        d2 = dijkstra(g, indices=other)
        with np.errstate(invalid="ignore"):  # a unit neither reaches stays in the first half
            gap = np.nan_to_num(d1 - d2, nan=-1e12, posinf=1e12, neginf=-1e12)
        order = np.argsort(gap, kind="stable")
        cum = np.cumsum(hours[order])
        # Cut after position k-1: the first half order[:k] and the second both hold hours.
        lowest = int(np.argmax(cum > 0)) + 1
        highest = int(np.argmax(cum >= cum[-1]))
        k = lowest + int(np.argmin(np.abs(cum[lowest - 1 : highest] - cum[-1] / 2)))
        second = members[order[k:]]
        new_id = _next_id(p.zone_ids)
        labels = p.labels.copy()
        labels[second] = len(p.zone_ids)
        grown = dataclasses.replace(
            p,
            labels=labels,
            zone_ids=(*p.zone_ids, new_id),
            locked=(*p.locked, False),
            lots=(*p.lots, p.lots[z]),
            centres=(*p.centres, -1),
        )
        self._push(dataclasses.replace(
            grown, centres=self._centres(labels, grown, [z, len(p.zone_ids)])
        ))  # fmt: skip
        return new_id

    def merge(self, zone_id: str, into: str) -> None:
        """Merge zone ``zone_id`` into zone ``into`` (both unlocked)."""
        p = self.plan
        a, b = p.index(zone_id), p.index(into)
        if a == b or p.locked[a] or p.locked[b]:
            raise ProblemCollector("workshop").error(
                "bad merge", "two different unlocked zones", f"{zone_id} into {into}"
            )
        labels = p.labels.copy()
        labels[labels == a] = b
        labels[labels > a] -= 1
        keep = [i for i in range(len(p.zone_ids)) if i != a]
        merged = Plan(
            labels,
            tuple(p.zone_ids[i] for i in keep),
            tuple(p.locked[i] for i in keep),
            tuple(p.lots[i] for i in keep),
            tuple(p.centres[i] for i in keep),
        )
        self._push(dataclasses.replace(
            merged, centres=self._centres(labels, merged, [keep.index(b)])
        ))  # fmt: skip

    def set_plan(self, plan: ZonePlan, lots: dict[str, str] | None = None) -> None:
        """Replace the plan; undo brings the previous one back."""
        self._push(self._from_zone_plan(plan, lots))

    def load(self, folder: str | Path) -> None:
        """Continue from a plan saved by the workshop or ``carezones zones``; undo goes back."""
        self._push(self._from_saved(load_plan(self, folder)))

    def routed(
        self, zone_id: str, *, day: str = "monday", budget: Budget | None = None
    ) -> dict[str, Any]:
        """Route one zone's day with the router (see :func:`~carezones.workshop.routed_figures`)."""
        return routed_figures(self, zone_id, day=day, budget=budget)

    # ------------------------------------------------------------------ what the browser sees
    def scores(self) -> dict[str, Any]:
        """Every zone's and lot's figures and every rule the plan breaks (aggregates only)."""
        p = self.plan
        s = self.scorer.score(p.labels, np.array(p.centres, dtype=np.intp))
        zones = []
        for z, zid in enumerate(p.zone_ids):
            zones.append(
                {
                    "zone_id": zid,
                    "lot": p.lots[z],
                    "locked": p.locked[z],
                    **{k: _num(v[z]) for k, v in s.items()},
                }
            )
        lot_hours: dict[str, float] = {}
        for row in zones:
            if row["lot"]:
                lot_hours[row["lot"]] = lot_hours.get(row["lot"], 0.0) + row["weekly_hours"]
        lots = [
            {"lot": lot, "weekly_hours": h, "zones": [r["zone_id"] for r in zones
                                                       if r["lot"] == lot]}
            for lot, h in sorted(lot_hours.items())
        ]  # fmt: skip
        total = float(self.scorer.client_hours.sum())
        return {
            "zones": zones,
            "lots": lots,
            "violations": broken_rules(
                zones, lots, self.min_weekly_hours, self.cap, self.min_provider_hours
            ),
            "summary": {
                "n_zones": len(zones),
                "total_hours": total,
                "min_weekly_hours": self.min_weekly_hours,
                "max_weekly_hours": self.cap,
                "min_provider_hours": self.min_provider_hours,
                "n_clients": int(self.served.sum()),
                "n_unassigned": int((~self.served).sum()),
                "unassigned_hours": float(self.demand.hours[~self.served].sum()),
                "why_unassigned": self.why_unassigned(),
                "has_carers": self.carers is not None and len(self.carers) > 0,
                "can_undo": bool(self.history),
                "can_redo": bool(self.future),
            },
        }

    def why_unassigned(self) -> str:
        """How many clients are in no zone for each reason, as ``carezones zones`` says it."""
        far = self.demand.far
        outside = ~self.served & ~far
        parts = [(int(outside.sum()), "outside the boundary"),
                 (int(far.sum()), "far from the walking network")]  # fmt: skip
        return "; ".join(f"{n} {why}" for n, why in parts if n)

    def street_units(self) -> list[list[float]]:
        """Every street unit's [lat, lon] (WGS84, 6 decimals): network points, no client."""
        pts = gpd.GeoSeries(gpd.points_from_xy(self.units.xy[:, 0], self.units.xy[:, 1]),
                            crs=self.units.crs).to_crs(4326)  # fmt: skip
        return np.round(np.column_stack([pts.y, pts.x]), 6).tolist()

    def demand_hexagons(self) -> dict[str, Any]:
        """Clients and hours per 250 m hexagon (3 clients or more), as the saved maps show them."""
        cells = demand_cells(_points(self.clients), cell_size=250.0, min_count=3)
        cells["geometry"] = shapely.set_precision(cells.geometry.values, 1e-6)
        return cells.__geo_interface__

    def outlines(self, zones: list[int] | None = None) -> dict[str, Any]:
        """Zone outlines as a GeoJSON FeatureCollection (WGS84)."""
        p = self.plan
        which = range(len(p.zone_ids)) if zones is None else zones
        if not len(which):
            return {"type": "FeatureCollection", "features": []}
        shapes = [self.scorer.outline(p.labels, z) for z in which]
        frame = gpd.GeoDataFrame(
            {"zone_id": [p.zone_ids[z] for z in which], "lot": [p.lots[z] for z in which]},
            geometry=shapes,
            crs=self.units.crs,
        )
        if zones is None:  # every zone: its colour as on the saved maps (never a neighbour's)
            self.colours = zone_colours(frame)
        frame["colour"] = [self.colours.get(z, "#bbbbbb") for z in frame["zone_id"]]
        frame = frame.to_crs(4326)
        frame["geometry"] = shapely.set_precision(frame.geometry.values, 1e-6)
        return frame.__geo_interface__

    def view(self) -> dict[str, Any]:
        """Labels, outlines and scores: what the browser redraws after a large change."""
        return {
            "labels": self.plan.labels.tolist(),
            "outlines": self.outlines(),
            **self.scores(),
        }


def _weekly_visits(clients: Any, ids: np.ndarray) -> np.ndarray | None:
    """Visits a week of each client (None when the patterns cannot be expanded)."""
    try:
        visits = expand_visits(pd.DataFrame(clients))
    except (ValidationError, KeyError, ValueError) as exc:
        logger.info("visit patterns not expanded (%s): 30-minute visits assumed", exc)
        return None
    counts = visits["client_id"].astype(str).value_counts()
    return counts.reindex(pd.Index(ids)).fillna(0).to_numpy(float)


def _points(clients: Any) -> gpd.GeoDataFrame:
    """The clients as points (a GeoDataFrame, or a table with ``lon``/``lat``)."""
    if isinstance(clients, gpd.GeoDataFrame):
        return clients
    frame = pd.DataFrame(clients)
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)


def _sq(xy: np.ndarray, x: float, y: float) -> np.ndarray:
    return (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2


def _next_id(taken: tuple[str, ...]) -> str:
    i = 1
    while f"Z{i:02d}" in taken:
        i += 1
    return f"Z{i:02d}"


def _num(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
