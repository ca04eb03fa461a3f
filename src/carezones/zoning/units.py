"""The council's own geography: zones made of whole units, and plans aligned to units.

Councils work in wards, LSOAs/MSOAs and Primary Care Network areas (ONS publishes their
boundaries; see ``docs/data.md``). :func:`read_units` reads such polygons;
:func:`unit_zones` draws zones as unions of whole units (the zoner's plan, each unit given
to the zone holding most of its hours, each zone's stray pieces given to the zone they
share most border with, then units moved across zone borders, keeping every zone in one
piece, until every zone meets the floor); :func:`align_to_units` says how a plan splits
units and the hours involved; :func:`dissolve_plan` turns units with a zone column into
zone polygons for :func:`~carezones.zoning.check_plan` (``--check FILE --zone-id-column COL``).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones.exceptions import ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork
from carezones.zoning.geo import build_units, place_clients
from carezones.zoning.plan import ZonePlan, check_polygons
from carezones.zoning.source import open_polygons

__all__ = ["align_to_units", "dissolve_plan", "read_units", "unit_zones"]


def read_units(
    source: str | os.PathLike[str] | gpd.GeoDataFrame, unit_id: str, *, where: str | None = None
) -> gpd.GeoDataFrame:
    """Units (wards, LSOAs, PCN areas) as ``unit_id`` and polygons, every problem listed.

    Parameters
    ----------
    source
        A GeoPackage, GeoJSON or shapefile, or a GeoDataFrame.
    unit_id
        The column naming each unit (e.g. ``WD24CD``, ``LSOA21CD``).
    where
        The name used in error messages (default: the file).

    Returns
    -------
    geopandas.GeoDataFrame
        ``unit_id`` (text) and the polygon of each unit.
    """
    name = where or (str(source) if not isinstance(source, gpd.GeoDataFrame) else "units")
    frame = source if isinstance(source, gpd.GeoDataFrame) else open_polygons(Path(source), name)
    check = ProblemCollector(name)
    if len(frame) == 0:
        check.add("no rows", "at least one unit polygon", "an empty layer")
        check.raise_if_any()
    if unit_id not in frame.columns:
        check.add("missing column", f"a {unit_id!r} column", ", ".join(map(str, frame.columns)),
                  column=unit_id)  # fmt: skip
        check.raise_if_any()
    if frame.crs is None:
        check.add("no CRS", "polygons with a CRS", "none")
    ids = frame[unit_id].astype(str)
    for uid in dict.fromkeys(ids[ids.duplicated(keep=False)]):
        check.add("duplicate id", "one row per unit", f"{uid!r} more than once", column=unit_id)
    kinds = frame.geometry.geom_type
    for i in np.flatnonzero(~kinds.isin(["Polygon", "MultiPolygon"]).to_numpy()):
        check.add("not a polygon", "Polygon or MultiPolygon", str(kinds.iloc[i]),
                  row=f"unit {ids.iloc[i]!r}", column="geometry")  # fmt: skip
    check.raise_if_any()
    out = gpd.GeoDataFrame(
        {"unit_id": ids.to_numpy()},
        geometry=shapely.make_valid(frame.geometry.to_numpy()),
        crs=frame.crs,
    )
    for a, b, share in _overlaps(out):
        check.add("overlapping units", "units that meet only along their borders (a zone is "
                  "a union of whole units)", f"{ids.iloc[a]!r} and {ids.iloc[b]!r} share "
                  f"{share:.0%} of the smaller", column="geometry")  # fmt: skip
    check.raise_if_any()
    return out


def _overlaps(units: gpd.GeoDataFrame, *, tolerance: float = 0.01) -> list[tuple[int, int, float]]:
    """Pairs of units sharing more than ``tolerance`` of the smaller one's area."""
    geoms = units.geometry.to_numpy()
    if units.crs is not None and units.crs.is_geographic:  # areas in metres, not degrees
        geoms = units.geometry.to_crs(units.geometry.estimate_utm_crs()).to_numpy()
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if not len(a):
        return []
    shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    smaller = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
    share = np.where(smaller > 0, shared / np.maximum(smaller, 1e-12), 0.0)
    return [(int(i), int(j), float(f)) for i, j, f in zip(a, b, share, strict=True)
            if f > tolerance][:20]  # fmt: skip


def dissolve_plan(units: gpd.GeoDataFrame, zone_column: str) -> gpd.GeoDataFrame:
    """Zone polygons from units that carry their zone in ``zone_column``.

    Examples
    --------
    >>> u = gpd.GeoDataFrame({"ward": ["a", "b", "c"], "zone": ["N", "N", "S"]}, crs=27700,
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(0, -1, 2, 0)])
    >>> dissolve_plan(u, "zone")[["zone_id", "n_units"]].to_dict("records")
    [{'zone_id': 'N', 'n_units': 2}, {'zone_id': 'S', 'n_units': 1}]
    """
    check = ProblemCollector("plan")
    if zone_column not in units.columns:
        check.add("missing column", f"a {zone_column!r} column",
                  ", ".join(map(str, units.columns)), column=zone_column)  # fmt: skip
    check.raise_if_any()
    frame = units[units[zone_column].notna()].copy()
    frame["zone_id"] = frame[zone_column].astype(str)
    groups = frame.groupby("zone_id", sort=True)
    geoms = [shapely.coverage_union_all(g.geometry.to_numpy()) for _, g in groups]
    return gpd.GeoDataFrame(
        {"zone_id": list(groups.groups), "n_units": groups.size().to_numpy()},
        geometry=[shapely.make_valid(g) for g in geoms],
        crs=units.crs,
    )


def _unit_hours(
    units: gpd.GeoDataFrame, clients: gpd.GeoDataFrame, labels: pd.Series
) -> pd.DataFrame:
    """Weekly hours of each (unit, zone) pair: clients by the unit polygon containing them."""
    ids = clients["client_id"].astype(str).to_numpy()
    zone = labels.reindex(ids).to_numpy()
    hours = pd.to_numeric(clients["weekly_hours"], errors="coerce").fillna(0).to_numpy(float)
    unit_of = _unit_of(units, clients)
    frame = pd.DataFrame({"unit": unit_of, "zone": zone, "hours": hours})
    frame = frame[(frame["unit"] >= 0) & frame["zone"].notna()]
    return frame.groupby(["unit", "zone"])["hours"].sum().reset_index()


def _unit_of(units: gpd.GeoDataFrame, clients: gpd.GeoDataFrame) -> np.ndarray:
    """The unit (row) whose polygon holds each client; -1 for a client in none."""
    pts = clients.geometry.to_crs(units.crs)
    tree = shapely.STRtree(units.geometry.to_numpy())
    pi, ui = tree.query(pts.to_numpy(), predicate="within")
    first = pd.Series(ui, index=pi).groupby(level=0).first()
    unit_of = np.full(len(clients), -1)
    unit_of[first.index.to_numpy()] = first.to_numpy()
    return unit_of


def align_to_units(
    plan: ZonePlan, clients: gpd.GeoDataFrame, units: gpd.GeoDataFrame
) -> pd.DataFrame:
    """How each zone of ``plan`` splits units: the units it shares and the hours involved.

    Returns
    -------
    pandas.DataFrame
        One row per zone: ``zone_id``, ``units_whole`` (units all of whose clients are in
        the zone), ``units_split`` (units it shares with another zone),
        ``split_hours`` (the zone's hours in those shared units) and ``split_share``
        (that as a share of the zone's hours).
    """
    pairs = _unit_hours(units, clients, plan.labels)
    zones_per_unit = pairs.groupby("unit")["zone"].nunique()
    pairs["split"] = pairs["unit"].map(zones_per_unit).to_numpy() > 1
    rows = []
    for zone in plan.zones["zone_id"]:
        mine = pairs[pairs["zone"] == zone]
        total = float(mine["hours"].sum())
        split = float(mine.loc[mine["split"], "hours"].sum())
        rows.append(
            {
                "zone_id": zone,
                "units_whole": int((~mine["split"]).sum()),
                "units_split": int(mine["split"].sum()),
                "split_hours": round(split, 2),
                "split_share": round(split / total, 4) if total > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows)


def unit_zones(
    plan: ZonePlan,
    clients: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    network: TravelNetwork,
    *,
    min_weekly_hours: float,
    max_weekly_hours: float | None = None,
    resolution: float = 100.0,
    where: str = "units",
) -> ZonePlan:
    """Zones as unions of whole units: ``plan`` snapped to the units, then the floor met.

    Each unit goes to the zone holding most of its clients' hours (units without clients:
    the zone whose polygon covers most of it). A zone's units that do not touch its main
    piece join the zone they share the longest border with (where the units allow: an
    island stays). Zones below the floor then take whole units from a touching zone that
    stays above it and in one piece (the unit with fewest hours that
    lifts the zone, or the largest one), until every zone meets the floor; a zone no
    such move can lift joins its smallest neighbour (one zone fewer). The result is
    measured as drawn polygons (:func:`check_plan`'s one measure).

    Parameters
    ----------
    plan
        A zone plan of the same clients (e.g. the zoner's).
    clients
        The clients (``client_id``, ``weekly_hours``, points).
    units
        From :func:`read_units`.
    network
        The networks ``plan`` was drawn on.
    min_weekly_hours, max_weekly_hours
        The floor and the optional cap.
    resolution
        As in :class:`NeighbourhoodZoner` (the street points that measure the zones).
    where
        How the units are named in messages (e.g. ``"--units wards.gpkg"``).

    Returns
    -------
    ZonePlan
        The zones, each a union of whole units; the zone table has ``n_units``. Clients in
        no unit are unassigned ("outside every zone").

    Raises
    ------
    ValidationError
        When no client lies inside any unit (units of another area, or another CRS).
    """
    frame = units.to_crs(plan.zones.crs).reset_index(drop=True)
    if not (_unit_of(frame, clients) >= 0).any():
        raise ProblemCollector(where).error(
            "no client inside",
            "units over the clients' area",
            f"none of the "
            f"{len(clients)} clients inside any of the {len(frame)} units (another "
            "area, or coordinates in another CRS?)",
            column="geometry",
        )
    ids = plan.zones["zone_id"].astype(str).tolist()
    pairs = _unit_hours(frame, clients, plan.labels)
    zone_of = np.full(len(frame), -1)
    best = pairs.sort_values(["unit", "hours"], ascending=[True, False]).drop_duplicates("unit")
    zone_of[best["unit"].to_numpy()] = [ids.index(z) for z in best["zone"]]
    hours = np.zeros(len(frame))
    unit_hours = pairs.groupby("unit")["hours"].sum()
    hours[unit_hours.index.to_numpy()] = unit_hours.to_numpy()
    empty = np.flatnonzero(zone_of < 0)
    if len(empty):  # no clients: the zone covering most of the unit
        cover = shapely.area(
            shapely.intersection(
                frame.geometry.to_numpy()[empty][:, None], plan.zones.geometry.to_numpy()[None, :]
            )
        )
        zone_of[empty] = np.argmax(cover, axis=1)
    touching = _touching(frame)
    zone_of = _one_piece(frame, zone_of, hours, touching)
    zone_of = _meet_floor(zone_of, hours, len(ids), float(min_weekly_hours), touching)
    frame["zone"] = [ids[z] for z in zone_of]
    drawn = dissolve_plan(frame, "zone")
    order = [z for z in ids if z in set(drawn["zone_id"])]
    drawn = drawn.set_index("zone_id").loc[order].reset_index()
    cap = np.inf if max_weekly_hours is None else float(max_weekly_hours)
    units_net = build_units(network, plan.units.mode, float(resolution))
    demand = place_clients(clients, network, units_net, max_snap_distance=MAX_SNAP_DISTANCE)
    out = check_polygons(drawn, units_net, demand, network, floor=float(min_weekly_hours), cap=cap)
    out.zones["n_units"] = drawn["n_units"].to_numpy()
    return ZonePlan(out.labels, out.zones, out.report, "unions of units", out.units,
                    out.unit_labels)  # fmt: skip


Touching = dict[int, np.ndarray]


def _touching(frame: gpd.GeoDataFrame) -> Touching:
    """Each unit's neighbours: the units whose polygons touch or overlap it."""
    geoms = frame.geometry.to_numpy()
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a != b
    a, b = a[keep], b[keep]
    return {int(i): b[a == i] for i in np.unique(a)}


def _pieces(members: np.ndarray, touching: Touching) -> list[list[int]]:
    """The units of ``members`` in groups that touch one another (connected pieces)."""
    inside = {int(u) for u in members}
    seen: set[int] = set()
    out = []
    for u in inside:
        if u in seen:
            continue
        seen.add(u)
        piece, stack = [u], [u]
        while stack:
            for y in touching.get(stack.pop(), ()):
                y = int(y)
                if y in inside and y not in seen:
                    seen.add(y)
                    piece.append(y)
                    stack.append(y)
        out.append(sorted(piece))
    return sorted(out)


def _one_piece(
    frame: gpd.GeoDataFrame, zone_of: np.ndarray, hours: np.ndarray, touching: Touching
) -> np.ndarray:
    """Each zone in one piece, where the units allow.

    A zone's other pieces (fewer hours, then less area, than its main piece) join the
    zone they share the longest border with; a piece that touches no other zone (an
    island) stays.
    """
    zone_of = zone_of.copy()
    geoms = frame.geometry.to_numpy()
    area = shapely.area(geoms)
    edges = shapely.boundary(geoms)
    for _ in range(len(frame)):
        changed = False
        for z in np.unique(zone_of):
            pieces = _pieces(np.flatnonzero(zone_of == z), touching)
            pieces.sort(key=lambda p: (hours[p].sum(), area[p].sum()), reverse=True)
            for piece in pieces[1:]:
                shared: dict[int, float] = {}
                for u in piece:
                    for y in touching.get(u, ()):
                        if zone_of[y] != z:
                            length = shapely.length(shapely.intersection(edges[u], edges[y]))
                            shared[int(zone_of[y])] = shared.get(int(zone_of[y]), 0.0) + length
                if shared:
                    zone_of[piece] = max(sorted(shared), key=shared.__getitem__)
                    changed = True
        if not changed:
            break
    return zone_of


def _meet_floor(
    zone_of: np.ndarray, hours: np.ndarray, k: int, floor: float, touching: Touching
) -> np.ndarray:
    """Move whole units across zone borders until every zone meets the floor (or stuck).

    A unit moves only to a zone it touches and only when the zone it leaves stays in one
    piece, so zones made one piece by :func:`_one_piece` stay so.
    """
    zone_of = zone_of.copy()

    def keeps_whole(u: int) -> bool:
        rest = np.flatnonzero(zone_of == zone_of[u])
        return len(_pieces(rest[rest != u], touching)) <= 1

    for _ in range(10 * len(zone_of)):
        totals = np.bincount(zone_of, weights=hours, minlength=k)
        short = [z for z in np.argsort(totals) if totals[z] < floor - 1e-9]
        if not short:
            break
        moved = False
        for z in short:
            need = floor - totals[z]
            mine = np.flatnonzero(zone_of == z)
            border = np.unique(np.concatenate([touching.get(int(u), []) for u in mine] or [[]]))
            border = border.astype(int)
            options = [
                u for u in border
                if zone_of[u] != z and totals[zone_of[u]] - hours[u] >= floor and hours[u] > 0
                and keeps_whole(int(u))
            ]  # fmt: skip
            if not options:
                continue
            lifting = [u for u in options if hours[u] >= need]
            pick = (
                min(lifting, key=lambda u: hours[u])
                if lifting
                else max(options, key=lambda u: hours[u])
            )
            zone_of[pick] = z
            moved = True
            break
        if not moved:  # stuck: the shortest zone joins its smallest neighbour
            z = short[0]
            mine = np.flatnonzero(zone_of == z)
            near = [touching.get(int(u), np.zeros(0, int)) for u in mine]
            others = {int(zone_of[u]) for u in np.concatenate(near or [np.zeros(0, int)])}
            others.discard(int(z))
            if not others:
                break
            zone_of[mine] = min(others, key=lambda o: totals[o])
    return zone_of
