"""Zone plans and their reports: what the zoner, the baselines and :func:`check_plan` return."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork
from carezones.zoning.geo import Demand, Units, as_points, contained, evaluate, polygons
from carezones.zoning.names import zone_names
from carezones.zoning.shapes import clean_labels, shape_figures, shape_summary

__all__ = ["PlanReport", "ZonePlan", "check_polygons", "finish", "name_plan", "totals_line"]

_VIOLATION_COLUMNS = ["rule", "zone_id", "detail"]
_NETWORK_NAME = {"walk": "walking", "cycle": "cycling", "drive": "driving"}


@dataclass(frozen=True)
class PlanReport:
    """Metrics of a zone plan and every rule it breaks.

    Attributes
    ----------
    summary
        Plan-wide figures: ``n_zones``, ``n_clients``, ``total_hours``,
        ``mean_minutes_to_centre`` (hours-weighted walking minutes from each client to
        the zone's centre), ``median_minutes_between_clients`` (two clients of the same
        zone), ``share_within_15_min`` (clients within 15 minutes' walk of the centre),
        ``smallest_zone_hours``, ``largest_zone_hours``, ``hours_cv`` (balance: standard deviation
        over mean), ``all_one_piece``, ``zones_below_floor``, ``n_unassigned`` (clients
        in no zone), ``unassigned_hours`` (their weekly hours) and the rules' parameters.
    zones
        One row per zone (indexed by ``zone_id``).
    violations
        One row per broken rule: ``rule`` ("below floor", "above cap", "not one piece",
        "overlap", "gap"), ``zone_id`` and ``detail``.
    unassigned
        ``client_id`` and ``reason`` of every client in no zone.
    """

    summary: dict[str, Any]
    zones: pd.DataFrame
    violations: pd.DataFrame
    unassigned: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when the plan breaks no rule."""
        return self.violations.empty

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready data."""
        zones = self.zones.reset_index()
        return json.loads(
            json.dumps(
                {
                    "summary": self.summary,
                    "zones": zones.to_dict("records"),
                    "violations": self.violations.to_dict("records"),
                    "unassigned": self.unassigned.to_dict("records"),
                },
                default=_plain,
            )
        )

    def totals(self) -> str:
        """The plan's totals in one line, as every command and the report pack say them.

        Examples
        --------
        >>> r = PlanReport({"n_zones": 2, "n_clients": 40, "total_hours": 812.4,
        ...     "n_unassigned": 1, "unassigned_hours": 9.5}, pd.DataFrame(), pd.DataFrame(),
        ...     pd.DataFrame({"client_id": ["a"], "reason": ["outside the boundary"]}))
        >>> r.totals()  # doctest: +ELLIPSIS
        '2 zones hold 40 clients and 812 h/week; 1 client (10 h/week) in no zone: 1 outside ...'
        """
        return totals_line(self.summary, self.why_unassigned())

    def why_unassigned(self) -> str:
        """How many clients are in no zone for each kind of reason (``"41 outside the boundary"``).

        Examples
        --------
        >>> r = PlanReport({}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"client_id": ["a",
        ...     "b", "c"], "reason": ["outside the boundary", "far from the walking network "
        ...     "(612 m from the nearest street)", "outside the boundary"]}))
        >>> r.why_unassigned()
        '2 outside the boundary; 1 far from the walking network'
        """
        if self.unassigned.empty:
            return ""
        kinds = self.unassigned["reason"].astype(str).str.split(" (", regex=False).str[0]
        return "; ".join(f"{n} {kind}" for kind, n in kinds.value_counts().items())

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"PlanReport({s['n_zones']} zones, {len(self.violations)} broken rules, "
            f"{s['n_unassigned']} unassigned)"
        )

    def __str__(self) -> str:
        s = self.summary
        lines = [
            f"{s['n_zones']} zones, {s['n_clients']} clients, {s['total_hours']:.0f} h/week "
            f"(zones {s['smallest_zone_hours']:.0f}-{s['largest_zone_hours']:.0f} h/week)",
            f"walk to centre {s['mean_minutes_to_centre']:.1f} min (hours-weighted), "
            f"between clients {s['median_minutes_between_clients']:.1f} min (median), "
            f"{100 * s['share_within_15_min']:.0f}% within 15 min",
            f"every zone one piece: {s['all_one_piece']}; unassigned: {s['n_unassigned']}"
            + (f" ({self.why_unassigned()})" if s["n_unassigned"] else ""),
        ]
        if self.ok and s["n_unassigned"]:
            total = s["n_clients"] + s["n_unassigned"]
            lines.append(f"breaks no rule, but {s['n_unassigned']} of {total} clients are in "
                         "no zone (each with its reason in the assignments)")  # fmt: skip
        elif self.ok:
            lines.append("breaks no rule")
        else:
            lines.append(f"{len(self.violations)} rule(s) broken:")
            lines += [
                f"  - {r.rule}: {r.zone_id}: {r.detail}" for r in self.violations.itertuples()
            ][:20]
        return "\n".join(lines)


def totals_line(summary: dict[str, Any], why: str = "") -> str:
    """"N zones hold C clients and H h/week; U clients (h h/week) in no zone: why".

    ``summary`` is a :class:`PlanReport`'s summary (or ``report.json``'s), ``why`` its
    :meth:`PlanReport.why_unassigned`.
    """
    n_zones, n_clients = int(summary.get("n_zones", 0)), int(summary.get("n_clients", 0))
    line = (f"{n_zones} zone{'s' * (n_zones != 1)} hold {n_clients:,} client"
            f"{'s' * (n_clients != 1)} and {float(summary.get('total_hours', 0)):,.0f} h/week")
    lost = int(summary.get("n_unassigned", 0) or 0)
    if lost:
        hours = summary.get("unassigned_hours")
        line += (f"; {lost:,} client{'s' * (lost != 1)}"
                 + (f" ({float(hours):,.0f} h/week)" if hours is not None else "")
                 + " in no zone" + (f": {why}" if why else ""))
    else:
        line += "; every client in a zone"
    return line  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


@dataclass(frozen=True, eq=False)
class ZonePlan:
    """Zones of a set of clients on a walking network.

    Attributes
    ----------
    labels
        ``zone_id`` of every client (indexed by ``client_id``; None when unassigned).
    zones
        One row per zone: ``zone_id``, ``weekly_hours``, ``n_clients``, ``centre_x``,
        ``centre_y`` (the zone's network median, in the network's CRS), ``area_km2``,
        ``diameter_minutes`` (walking), ``minutes_to_centre``, ``share_within_15_min``,
        ``pieces`` (connected pieces on the walking network), ``locked`` and the polygon.
        The polygons cover the served area without overlaps.
    report
        Metrics and broken rules (:class:`PlanReport`).
    method
        Which method drew the plan.
    """

    labels: pd.Series
    zones: gpd.GeoDataFrame
    report: PlanReport
    method: str
    units: Units = field(repr=False)
    unit_labels: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"ZonePlan({self.method!r}, {len(self.zones)} zones, "
            f"{int(self.labels.notna().sum())} clients, {len(self.report.unassigned)} unassigned)"
        )

    @property
    def centres(self) -> gpd.GeoSeries:
        """Each zone's centre as a point, indexed by ``zone_id``."""
        z = self.zones
        return gpd.GeoSeries(
            gpd.points_from_xy(z["centre_x"], z["centre_y"]), index=z["zone_id"], crs=z.crs
        )

    def predict(self, clients: Any, *, max_snap_distance: float = MAX_SNAP_DISTANCE) -> pd.Series:
        """Zone of each point: the zone of its nearest unit (the polygon containing it).

        Points farther than ``max_snap_distance`` from the network get None.
        """
        frame = _points_frame(clients)
        pts = frame.geometry.to_crs(self.units.crs)
        dist, unit = self.units.tree.query(np.column_stack([pts.x, pts.y]))
        ids = np.asarray(self.zones["zone_id"], dtype=object)
        lab = self.unit_labels[np.asarray(unit, dtype=np.intp)]
        out = np.where(
            (lab >= 0) & (np.asarray(dist) <= max_snap_distance), ids[np.maximum(lab, 0)], None
        )
        index = (
            pd.Index(frame["client_id"].astype(str), name="client_id")
            if "client_id" in frame
            else frame.index
        )
        return pd.Series(out, index=index, name="zone_id", dtype=object)

    def assignments(self) -> pd.DataFrame:
        """``client_id``, ``zone_id`` and ``reason`` for every client.

        ``zone_id`` is empty for a client in no zone and ``reason`` says why (e.g. "outside
        the boundary"); ``reason`` is empty for the others.
        """
        out = self.labels.rename("zone_id").reset_index()
        why = dict(zip(self.report.unassigned["client_id"].astype(str),
                       self.report.unassigned["reason"].astype(str), strict=True))  # fmt: skip
        out["reason"] = [why.get(str(c), "") for c in out["client_id"]]
        return out


def name_plan(plan: ZonePlan, places: gpd.GeoDataFrame | None) -> ZonePlan:
    """Name the plan's zones from ``places`` (:func:`~carezones.zoning.names.zone_names`).

    The ``name`` column of ``plan.zones`` and of the report's zone table is filled in
    place; the plan is returned.
    """
    if places is None:
        return plan
    names = zone_names(plan.zones, places).to_numpy()
    plan.zones["name"] = names
    plan.report.zones["name"] = names
    return plan


def _points_frame(clients: Any) -> gpd.GeoDataFrame:
    if isinstance(clients, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=clients)
    return as_points(clients, "clients")


def finish(
    units: Units,
    demand: Demand,
    unit_labels: np.ndarray,
    zone_ids: list[str],
    *,
    method: str,
    floor: float,
    cap: float,
    centres: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    locked: np.ndarray | None = None,
    by_clients: bool | str = False,
    extra_unassigned: dict[int, str] | None = None,
    random_state: int | None = 0,
    clean: bool = False,
    area: shapely.Geometry | None = None,
    pinned: np.ndarray | None = None,
) -> ZonePlan:
    """Build the plan: client labels, zone table with polygons, metrics and broken rules.

    With ``clean`` the fragments of a zone's drawing that hold no client join the zone
    around them (:func:`~carezones.zoning.shapes.clean_labels`; locked zones stay as they
    are). ``area`` (the served area within a boundary) clips the polygons; clients
    outside it are unassigned. ``pinned`` gives clients a zone by their position (those
    inside a locked polygon) whatever their nearest street point's zone.
    """
    k = len(zone_ids)
    if clean:
        ok = ~demand.far
        w = np.bincount(demand.unit[ok], weights=demand.hours[ok], minlength=units.n)
        unit_labels = clean_labels(
            units.xy, units.graph, unit_labels, w, frozen=locked, floor=floor, cap=cap
        )
    client_zone = unit_labels[demand.unit].copy()
    if pinned is not None:
        client_zone = np.where(pinned >= 0, pinned, client_zone)
    reasons: dict[int, str] = dict(extra_unassigned or {})
    if area is not None:
        outside = ~shapely.contains_xy(area, demand.xy[:, 0], demand.xy[:, 1])
        for i in np.flatnonzero(outside):
            reasons.setdefault(int(i), "outside the boundary")
    for i in np.flatnonzero(demand.far):
        metres = demand.offset[i] * units.speed_mps
        name = _NETWORK_NAME[units.mode]
        reasons[int(i)] = f"far from the {name} network ({metres:.0f} m from the nearest street)"
    for i in np.flatnonzero(client_zone < 0):
        reasons.setdefault(int(i), "in no zone")
    if reasons:
        client_zone[np.fromiter(reasons, dtype=np.intp)] = -1
    shapes = polygons(units, unit_labels, k, area=area)
    return _assemble(
        units,
        demand,
        unit_labels,
        client_zone,
        zone_ids,
        shapes,
        reasons,
        method=method,
        floor=floor,
        cap=cap,
        centres=centres,
        fixed=fixed,
        locked=locked,
        by_clients=by_clients,
        random_state=random_state,
    )


def _assemble(
    units: Units,
    demand: Demand,
    unit_labels: np.ndarray,
    client_zone: np.ndarray,
    zone_ids: list[str],
    shapes: list[Any],
    reasons: dict[int, str],
    *,
    method: str,
    floor: float,
    cap: float,
    centres: np.ndarray | None,
    locked: np.ndarray | None,
    fixed: np.ndarray | None = None,
    by_clients: bool | str = False,
    random_state: int | None,
    extra_violations: list[dict[str, Any]] | None = None,
    names: list[str] | None = None,
) -> ZonePlan:
    k = len(zone_ids)
    table, summary, centres = evaluate(
        units,
        demand,
        client_zone,
        unit_labels,
        k,
        centres=centres,
        fixed=fixed,
        by_clients=by_clients,
        random_state=random_state,
    )
    table.insert(0, "zone_id", zone_ids)
    table.insert(1, "name", list(names) if names is not None else list(zone_ids))
    table["centre_x"] = units.xy[centres, 0]
    table["centre_y"] = units.xy[centres, 1]
    table["area_km2"] = [shapely.area(s) / 1e6 for s in shapes]
    table["locked"] = np.zeros(k, dtype=bool) if locked is None else locked
    held = client_zone >= 0
    points = [
        np.vstack(
            [demand.xy[held & (client_zone == z)], units.xy[demand.unit[held & (client_zone == z)]]]
        )
        for z in range(k)
    ]
    figures = shape_figures(list(shapes), points)
    for column in figures.columns:
        table[column] = figures[column].to_numpy() if k else []
    summary.update(shape_summary(figures))
    zones = gpd.GeoDataFrame(table, geometry=list(shapes), crs=units.crs)
    violations = list(extra_violations or [])
    for row in table.itertuples():
        if row.weekly_hours < floor - 1e-9:
            violations.append(
                {
                    "rule": "below floor",
                    "zone_id": row.zone_id,
                    "detail": f"{row.weekly_hours:.1f} h/week < {floor:g}",
                }
            )
        if row.weekly_hours > cap + 1e-9:
            violations.append(
                {
                    "rule": "above cap",
                    "zone_id": row.zone_id,
                    "detail": f"{row.weekly_hours:.1f} h/week > {cap:g}",
                }
            )
        if row.pieces != 1:
            violations.append(
                {
                    "rule": "not one piece",
                    "zone_id": row.zone_id,
                    "detail": f"{row.pieces} pieces on the {_NETWORK_NAME[units.mode]} network",
                }
            )
    unassigned = pd.DataFrame(
        {
            "client_id": [demand.ids[i] for i in sorted(reasons)],
            "reason": [reasons[i] for i in sorted(reasons)],
        }
    )
    summary.update(
        {
            "method": method,
            "min_weekly_hours": floor,
            "max_weekly_hours": None if not np.isfinite(cap) else cap,
            "zones_below_floor": int((table["weekly_hours"] < floor - 1e-9).sum()),
            "n_unassigned": len(unassigned),
            "unassigned_hours": float(demand.hours[sorted(reasons)].sum()) if reasons else 0.0,
        }
    )
    labels = pd.Series(
        np.where(
            client_zone >= 0, np.asarray(zone_ids, dtype=object)[np.maximum(client_zone, 0)], None
        ),
        index=pd.Index(demand.ids, name="client_id"),
        name="zone_id",
        dtype=object,
    )
    report = PlanReport(
        summary,
        table.set_index("zone_id"),
        pd.DataFrame(violations, columns=_VIOLATION_COLUMNS),
        unassigned,
    )
    return ZonePlan(labels, zones, report, method, units, unit_labels)


def check_polygons(
    plan: gpd.GeoDataFrame,
    units: Units,
    demand: Demand,
    network: TravelNetwork,
    *,
    floor: float,
    cap: float,
    where: str = "plan",
) -> ZonePlan:
    """Evaluate hand-drawn polygons: units and clients by containment, overlaps and gaps."""
    if plan.crs is None:
        raise ProblemCollector(where).error("no CRS", "polygons with a CRS", "none")
    plan = plan.to_crs(units.crs)
    ids = (plan["zone_id"] if "zone_id" in plan else pd.Series(plan.index)).astype(str).tolist()
    geoms = shapely.make_valid(plan.geometry.to_numpy())
    drawn = contained(geoms, units, demand)
    unit_count, unit_labels = drawn.unit_count, drawn.unit_zone.copy()
    client_zone, client_count = drawn.client_zone.copy(), drawn.client_count
    reasons = {
        int(i): "outside every zone (a gap in the plan)" for i in np.flatnonzero(client_zone < 0)
    }
    for i in np.flatnonzero(demand.far):
        reasons[int(i)] = f"far from the {_NETWORK_NAME[units.mode]} network"
    if reasons:
        client_zone[np.fromiter(reasons, dtype=np.intp)] = -1
    violations: list[dict[str, Any]] = []
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a < b:
            shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
            if shared > 1.0:
                violations.append(
                    {
                        "rule": "overlap",
                        "zone_id": ids[a],
                        "detail": f"overlaps {ids[b]} by {shared / 1e4:.2f} ha",
                    }
                )
    gap_units = int((unit_count == 0).sum())
    gap_clients = int(((client_count == 0) & ~demand.far).sum())
    if gap_units or gap_clients:
        cover = shapely.union_all(geoms)
        gap_area = shapely.area(shapely.difference(units.area, cover)) / 1e6
        violations.append(
            {
                "rule": "gap",
                "zone_id": None,
                "detail": f"{gap_clients} clients and {gap_units} network points in no zone "
                f"({gap_area:.2f} km² of the served area uncovered)",
            }
        )
    shapes = [shapely.intersection(g, units.area) for g in geoms]
    return _assemble(
        units,
        demand,
        unit_labels,
        client_zone,
        ids,
        shapes,
        reasons,
        method="polygons",
        floor=floor,
        cap=cap,
        centres=None,
        locked=None,
        by_clients="occupied",
        random_state=0,
        extra_violations=violations,
        names=plan["name"].astype(str).tolist() if "name" in plan else None,
    )
