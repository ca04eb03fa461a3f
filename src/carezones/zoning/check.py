"""Measuring any zone plan against the rules: :func:`check_plan`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork
from carezones.zoning.defaults import MIN_WEEKLY_HOURS
from carezones.zoning.geo import build_units, grow_client_labels, place_clients
from carezones.zoning.plan import PlanReport, ZonePlan, check_polygons, finish

__all__ = ["check_plan"]


def check_plan(
    plan: ZonePlan | gpd.GeoDataFrame | gpd.GeoSeries | pd.Series | Mapping[str, str],
    clients: Any,
    network: TravelNetwork,
    *,
    min_weekly_hours: float = MIN_WEEKLY_HOURS,
    max_weekly_hours: float | None = None,
    mode: str = "walk",
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> PlanReport:
    """Measure any zone plan and list every rule it breaks.

    Parameters
    ----------
    plan
        A :class:`ZonePlan`; polygons (a GeoDataFrame with ``zone_id``, e.g. read from a
        hand-drawn file; a client belongs to the polygon containing it); or client sets
        (a Series or mapping ``client_id -> zone_id``).
    clients
        The clients (``client_id``, ``weekly_hours``, points).
    network
        The networks.
    min_weekly_hours, max_weekly_hours
        The floor and the optional cap.
    mode
        {"walk", "cycle", "drive"}
    resolution, max_snap_distance
        As in :class:`NeighbourhoodZoner`.

    Returns
    -------
    PlanReport
        The same metrics as the zoner's report, plus every rule broken: below the floor,
        above the cap, not one piece on the network, overlaps and gaps (polygons).

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(60, random_state=3)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(60)],
    ...                             "weekly_hours": 10.0}, geometry=nodes.geometry.values,
    ...                            crs=net.crs)
    >>> import shapely
    >>> xmid = float(net.nodes["walk"]["x"].median())
    >>> box = net.nodes["walk"].total_bounds
    >>> halves = gpd.GeoDataFrame({"zone_id": ["west", "east"]}, crs=net.crs, geometry=[
    ...     shapely.box(box[0] - 500, box[1] - 500, xmid, box[3] + 500),
    ...     shapely.box(xmid - 50, box[1] - 500, box[2] + 500, box[3] + 500)])
    >>> report = check_plan(halves, clients, net, min_weekly_hours=100)
    >>> sorted(set(report.violations["rule"]))
    ['overlap']
    """
    floor = float(min_weekly_hours)
    cap = np.inf if max_weekly_hours is None else float(max_weekly_hours)
    units = build_units(network, mode, float(resolution))
    demand = place_clients(clients, network, units, max_snap_distance=float(max_snap_distance))
    if isinstance(plan, ZonePlan):
        ids = plan.zones["zone_id"].tolist()
        if plan.units is not units:
            raise ProblemCollector("plan").error(
                "other network",
                "a plan drawn on this network and mode",
                "a plan from another network, mode or resolution",
            )
        out = finish(
            units,
            demand,
            plan.unit_labels,
            ids,
            method=plan.method,
            floor=floor,
            cap=cap,
            locked=plan.zones["locked"].to_numpy(),
            by_clients="occupied",
        )
        return out.report
    if isinstance(plan, gpd.GeoSeries):
        plan = gpd.GeoDataFrame(geometry=plan)
    if isinstance(plan, gpd.GeoDataFrame):
        return check_polygons(plan, units, demand, network, floor=floor, cap=cap).report
    mapping = pd.Series(plan, dtype=object) if not isinstance(plan, pd.Series) else plan
    mapping.index = mapping.index.astype(str)
    ids = sorted({str(v) for v in mapping.dropna()})
    client_zone = np.array(
        [
            ids.index(str(mapping[c])) if c in mapping.index and pd.notna(mapping[c]) else -1
            for c in demand.ids
        ],
        dtype=np.intp,
    )
    unit_labels = grow_client_labels(units, demand, client_zone)
    out = finish(
        units, demand, unit_labels, ids, method="client sets", floor=floor, cap=cap, by_clients=True
    )
    return out.report
