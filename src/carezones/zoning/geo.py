"""Geo adapter of the zoner: units on the walking network, clients on units, polygons, metrics.

*Units* are the walking network's nodes plus points every ``resolution`` metres along
longer streets, joined by the street pieces between them (two-way, seconds). Zones are
sets of units; a client belongs to the zone of its nearest unit, and a zone's polygon is
the union of its units' Voronoi cells clipped to the served area, so the polygon that
contains an address and the zone of its nearest unit always agree.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from carezones._options import make_rng
from carezones.exceptions import ProblemCollector
from carezones.network import TravelNetwork, check_mode, snap_points
from carezones.zoning.graph import drawn_pieces, pieces, zone_medians

Locked: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | Mapping[str, Iterable[Any]] | Iterable[Any]

_UNITS: weakref.WeakKeyDictionary[TravelNetwork, dict[tuple[str, float], Units]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, eq=False)
class Units:
    """The zoning units of one mode's network."""

    xy: np.ndarray
    graph: sparse.csr_matrix
    tree: cKDTree
    crs: CRS
    area: shapely.Geometry
    mode: str
    speed_mps: float

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.xy)


def build_units(network: TravelNetwork, mode: str, resolution: float) -> Units:
    """Units of ``mode``'s network (cached per network, mode and resolution)."""
    check_mode(mode)
    network._require(mode)
    cache = _UNITS.setdefault(network, {})
    key = (mode, float(resolution))
    if key in cache:
        return cache[key]
    index = network.index(mode)
    edges = network.edges[mode]
    pos = pd.Index(index.node_ids)
    u = pos.get_indexer(edges.index.get_level_values("u"))
    v = pos.get_indexer(edges.index.get_level_values("v"))
    tt = np.maximum(edges["travel_time"].to_numpy(float), 1e-6)
    length = edges["length"].to_numpy(float)
    geoms = edges.geometry.to_numpy()
    # One street per unordered pair of ends (the quickest); walking is two-way.
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((tt, hi, lo))
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (lo[order][1:] != lo[order][:-1]) | (hi[order][1:] != hi[order][:-1])
    sel = order[keep]
    sel = sel[u[sel] != v[sel]]
    u, v, tt, length, geoms = u[sel], v[sel], tt[sel], length[sel], geoms[sel]
    parts = np.maximum(np.ceil(length / resolution).astype(int), 1)
    n_nodes = len(index.node_ids)
    extra = parts - 1
    edge_of = np.repeat(np.arange(len(sel)), extra)
    step = np.concatenate([np.arange(1, p) for p in parts]) if extra.sum() else np.zeros(0, int)
    frac = step / parts[edge_of] if len(step) else np.zeros(0)
    pts = shapely.line_interpolate_point(geoms[edge_of], frac, normalized=True)
    inner_xy = (
        np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) if len(pts) else np.zeros((0, 2))
    )
    inner_id = n_nodes + np.arange(len(edge_of))
    # Chain each street: u -> inner points -> v, each piece tt / parts seconds.
    start = np.concatenate([[0], np.cumsum(extra)[:-1]]) if len(extra) else np.zeros(0, int)
    a_list, b_list, w_list = [], [], []
    simple = extra == 0
    a_list.append(u[simple])
    b_list.append(v[simple])
    w_list.append(tt[simple])
    long = np.flatnonzero(~simple)
    if len(long):
        # chain positions: for edge e with p parts: nodes [u, i0..i_{p-2}, v]
        firsts = inner_id[start[long]]
        lasts = inner_id[start[long] + extra[long] - 1]
        a_list += [u[long], lasts]
        b_list += [firsts, v[long]]
        w_list += [tt[long] / parts[long]] * 2
        within = np.ones(len(inner_id), dtype=bool)
        within[(start + extra - 1)[extra > 0]] = False  # last inner point of each street
        a_list.append(inner_id[within])
        b_list.append(inner_id[within] + 1)
        w_list.append((tt / parts)[edge_of[within]])
    a, b, w = np.concatenate(a_list), np.concatenate(b_list), np.concatenate(w_list)
    n = n_nodes + len(inner_id)
    graph = sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    xy = np.vstack([index.xy, inner_xy])
    area = shapely.MultiPoint(xy).convex_hull.buffer(resolution)
    units = Units(xy, graph, cKDTree(xy), network.crs, area, mode, network.speeds.mps(mode))
    cache[key] = units
    return units


@dataclass(frozen=True)
class Demand:
    """Clients placed on units."""

    ids: np.ndarray
    hours: np.ndarray
    unit: np.ndarray
    offset: np.ndarray
    far: np.ndarray
    index: pd.Index
    xy: np.ndarray


def as_points(clients: Any, where: str) -> gpd.GeoDataFrame:
    """A clients table as a GeoDataFrame (Point geometry, or ``lon``/``lat`` columns)."""
    if isinstance(clients, gpd.GeoDataFrame):
        return clients
    if isinstance(clients, pd.DataFrame) and {"lon", "lat"} <= set(clients.columns):
        geom = gpd.points_from_xy(clients["lon"], clients["lat"])
        return gpd.GeoDataFrame(clients, geometry=geom, crs=4326)
    raise ProblemCollector(where).error(
        "not a clients table",
        "a GeoDataFrame of points, or lon/lat columns",
        type(clients).__name__,
    )


def place_clients(
    clients: Any,
    network: TravelNetwork,
    units: Units,
    *,
    max_snap_distance: float,
    where: str = "clients",
    need_hours: bool = True,
) -> Demand:
    """Validate clients and place each on its nearest unit (``far`` beyond the threshold)."""
    frame = as_points(clients, where)
    check = ProblemCollector(where)
    cols = ["client_id"] + (["weekly_hours"] if need_hours else [])
    for col in cols:
        if col not in frame.columns:
            check.add("missing column", f"a {col!r} column", "none", column=col)
    check.raise_if_any()
    ids = frame["client_id"].astype(str).to_numpy()
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    for cid in dict.fromkeys(ids[dup]):
        check.add("duplicate id", "unique ids", f"{cid!r} more than once", column="client_id")
    if need_hours:
        hours = pd.to_numeric(frame["weekly_hours"], errors="coerce").to_numpy(float)
        for i in np.flatnonzero(~(np.isfinite(hours) & (hours >= 0))):
            check.add(
                "bad hours",
                "a number >= 0",
                repr(frame["weekly_hours"].iloc[i]),
                row=f"client {ids[i]!r}",
                column="weekly_hours",
            )
    else:
        hours = np.zeros(len(frame))
    check.raise_if_any()
    snap_points(network, frame.geometry, mode=units.mode, where=where)  # CRS and NaN checks
    pts = frame.geometry.to_crs(units.crs)
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    dist, unit = units.tree.query(xy) if len(xy) else (np.zeros(0), np.zeros(0, int))
    dist = np.asarray(dist, dtype=float)
    return Demand(
        ids,
        hours,
        np.asarray(unit, dtype=np.intp),
        dist / units.speed_mps,
        dist > max_snap_distance,
        frame.index,
        xy,
    )


def boundary_area(boundary: Any, units: Units) -> shapely.Geometry | None:
    """The served area within ``boundary`` (polygons with a CRS), or None without one."""
    if boundary is None:
        return None
    if isinstance(boundary, shapely.Geometry):
        raise ProblemCollector("boundary").error(
            "a shape without a CRS", "a GeoSeries or GeoDataFrame", "a shape"
        )
    if isinstance(boundary, gpd.GeoDataFrame):
        boundary = boundary.geometry
    if not isinstance(boundary, gpd.GeoSeries) or boundary.crs is None:
        raise ProblemCollector("boundary").error(
            "no CRS", "polygons with a CRS", type(boundary).__name__
        )
    shape = shapely.union_all(shapely.make_valid(boundary.to_crs(units.crs).to_numpy()))
    if shapely.area(shape) <= 0:
        raise ProblemCollector("boundary").error("no area", "polygons", shape.geom_type)
    return shapely.intersection(units.area, shape)


def polygons(
    units: Units, labels: np.ndarray, k: int, *, area: shapely.Geometry | None = None
) -> list[shapely.Geometry]:
    """Each zone's polygon: the union of its units' Voronoi cells, within the served area.

    ``area`` (default: the units' served area) clips the polygons, e.g. to a boundary.
    """
    area = units.area if area is None else area
    xy, first = np.unique(np.round(units.xy, 3), axis=0, return_index=True)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(xy), extend_to=units.area, ordered=True)
    )
    lab = labels[first]
    out = []
    for z in range(k):
        mine = cells[lab == z]
        shape = shapely.coverage_union_all(mine) if len(mine) else shapely.Polygon()
        out.append(shapely.make_valid(shape).intersection(area))
    return out


def _pair_median(
    units: Units,
    demand: Demand,
    labels: np.ndarray,
    rng: np.random.Generator,
    per_zone: int = 60,
    radius: np.ndarray | None = None,
) -> float:
    """Median walking seconds between two clients of the same zone (sampled per zone).

    With ``radius`` (each zone's longest time from its centre to a client's street point)
    the searches stop at twice the radius, which no two clients of the zone can exceed.
    """
    values = []
    for z in np.unique(labels[labels >= 0]):
        who = np.flatnonzero(labels == z)
        if len(who) < 2:
            continue
        if len(who) > per_zone:
            who = np.sort(rng.choice(who, per_zone, replace=False))
        src, inv = np.unique(demand.unit[who], return_inverse=True)
        limit = 2 * radius[z] + 1.0 if radius is not None else np.inf
        d = np.atleast_2d(dijkstra(units.graph, indices=src, limit=limit))[:, src][inv][:, inv]
        t = d + demand.offset[who][:, None] + demand.offset[who][None, :]
        iu = np.triu_indices(len(who), 1)
        values.append(t[iu])
    return float(np.median(np.concatenate(values))) if values else float("nan")


def evaluate(
    units: Units,
    demand: Demand,
    client_zone: np.ndarray,
    unit_labels: np.ndarray,
    k: int,
    *,
    centres: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    by_clients: bool | str = False,
    random_state: int | None = 0,
) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray]:
    """Per-zone metrics, overall metrics and each zone's centre (its network median)."""
    rng = make_rng(random_state)
    ok = client_zone >= 0
    w = np.bincount(demand.unit[ok], weights=demand.hours[ok], minlength=units.n)
    exact = centres is None  # a plan from elsewhere gets its exact medians
    if centres is None:
        centres = _mean_centres(units, unit_labels, w, k)
    centres = zone_medians(
        None,
        unit_labels,
        centres,
        fixed=fixed,
        candidates=16,
        exact=exact,
        graph=units.graph,
        weights=w,
        xy=units.xy,
    )
    dist = np.atleast_2d(dijkstra(units.graph, indices=centres))
    to_centre = np.full(len(client_zone), np.nan)
    to_centre[ok] = dist[client_zone[ok], demand.unit[ok]] + demand.offset[ok]
    if by_clients == "occupied":  # drawn polygons: clients joined by own or empty streets
        lived = np.zeros(units.n, dtype=bool)  # streets where any client lives
        lived[demand.unit[~demand.far & (demand.hours > 0)]] = True
        n_pieces = drawn_pieces(units.graph, unit_labels, k, lived)
    elif by_clients:
        n_pieces = client_pieces(units, demand, client_zone, k)
    else:
        n_pieces = pieces(units.graph, unit_labels, k)
    radius = np.zeros(k)  # each zone's longest time from its centre to a client's street point
    if ok.any():
        np.maximum.at(radius, client_zone[ok], dist[client_zone[ok], demand.unit[ok]])
    table = _zone_rows(units, demand, client_zone, unit_labels, centres, dist, to_centre, n_pieces)
    hours_ok = demand.hours[ok]
    summary = {
        "n_zones": k,
        "n_clients": int(ok.sum()),
        "total_hours": float(hours_ok.sum()),
        "mean_minutes_to_centre": float(np.average(to_centre[ok], weights=hours_ok) / 60)
        if hours_ok.sum() > 0
        else float("nan"),
        "median_minutes_between_clients": _pair_median(
            units, demand, client_zone, rng, radius=radius
        )
        / 60,
        "share_within_15_min": float((to_centre[ok] <= 900).mean()) if ok.any() else float("nan"),
        "smallest_zone_hours": float(table["weekly_hours"].min()) if k else float("nan"),
        "largest_zone_hours": float(table["weekly_hours"].max()) if k else float("nan"),
        "hours_cv": float(table["weekly_hours"].std(ddof=0) / table["weekly_hours"].mean())
        if k and table["weekly_hours"].mean() > 0
        else float("nan"),
        "all_one_piece": bool((n_pieces == 1).all()),
    }
    return table, summary, centres


def _mean_centres(units: Units, unit_labels: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    """Each zone's unit nearest its hours-weighted mean position (a start for the medians)."""
    centres = np.zeros(k, dtype=np.intp)
    for z in range(k):
        members = np.flatnonzero(unit_labels == z)
        if len(members):
            wz = w[members] + 1e-6
            mean = np.average(units.xy[members], axis=0, weights=wz)
            centres[z] = members[np.argmin(((units.xy[members] - mean) ** 2).sum(axis=1))]
    return centres


def _zone_rows(
    units: Units,
    demand: Demand,
    client_zone: np.ndarray,
    unit_labels: np.ndarray,
    centres: np.ndarray,
    dist: np.ndarray,
    to_centre: np.ndarray,
    n_pieces: np.ndarray,
) -> pd.DataFrame:
    """Per-zone hours, clients, walk to the centre, share within 15 minutes, diameter, pieces."""
    rows = []
    for z in range(len(centres)):
        who = np.flatnonzero(client_zone == z)
        members = np.flatnonzero(unit_labels == z)
        hours = float(demand.hours[who].sum())
        far_unit = members[np.argmax(dist[z, members])] if len(members) else centres[z]
        sweep = dijkstra(units.graph, indices=int(far_unit))
        diameter = float(sweep[members].max()) if len(members) else 0.0
        rows.append(
            {
                "weekly_hours": hours,
                "n_clients": len(who),
                "minutes_to_centre": float(
                    np.average(to_centre[who], weights=demand.hours[who]) / 60
                )
                if hours > 0
                else float("nan"),
                "share_within_15_min": float((to_centre[who] <= 900).mean())
                if len(who)
                else float("nan"),
                "diameter_minutes": diameter / 60,
                "pieces": int(n_pieces[z]),
            }
        )
    return pd.DataFrame(rows)


def client_pieces(units: Units, demand: Demand, client_zone: np.ndarray, k: int) -> np.ndarray:
    """Pieces of each client set: its clients split by the other zones' clients' street points."""
    ok = (client_zone >= 0) & ~demand.far
    coo = units.graph.tocoo()
    out = np.zeros(k, dtype=int)
    for z in range(k):
        mine = np.unique(demand.unit[ok & (client_zone == z)])
        if len(mine) == 0:
            continue
        blocked = np.zeros(units.n, dtype=bool)
        blocked[demand.unit[ok & (client_zone != z)]] = True
        blocked[mine] = False
        keep = ~blocked[coo.row] & ~blocked[coo.col]
        g = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=units.graph.shape
        )
        _, comp = connected_components(g, directed=False)
        out[z] = len(np.unique(comp[mine]))
    return out


def grow_client_labels(
    units: Units, demand: Demand, client_zone: np.ndarray, *, free_sources: bool = False
) -> np.ndarray:
    """Label every unit with the zone of its nearest (on the network) client.

    With ``free_sources`` the clients labelled -1 count as sources too, so units nearest
    to them stay unlabelled (-1): that grows locked client sets only as far as halfway
    to the other clients.
    """
    ok = ~demand.far if free_sources else (client_zone >= 0) & ~demand.far
    labels = np.full(units.n, -1, dtype=np.intp)
    if not (ok & (client_zone >= 0)).any():
        return labels
    # A unit shared by clients of several zones goes to a locked zone first, then the
    # zone with most hours there.
    frame = pd.DataFrame(
        {"unit": demand.unit[ok], "zone": client_zone[ok], "h": demand.hours[ok] + 1e-9}
    )
    frame = frame.groupby(["unit", "zone"])["h"].sum().reset_index()
    frame["labelled"] = frame["zone"] >= 0
    best = frame.sort_values(
        ["unit", "labelled", "h", "zone"], ascending=[True, False, False, True]
    ).drop_duplicates("unit")
    sources = best["unit"].to_numpy()
    _, _, src = dijkstra(units.graph, indices=sources, min_only=True, return_predecessors=True)
    zone_of = pd.Series(best["zone"].to_numpy(), index=sources)
    reach = src >= 0
    labels[reach] = zone_of.reindex(src[reach]).to_numpy()
    return labels


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class Drawn:
    """Units and clients inside drawn polygons (the first polygon that contains each)."""

    unit_zone: np.ndarray
    unit_count: np.ndarray
    client_zone: np.ndarray
    client_count: np.ndarray


def contained(geoms: np.ndarray, units: Units, demand: Demand) -> Drawn:
    """Which drawn polygon holds each unit and each client: the one measure of a drawn plan.

    Both a plan checked as polygons (``check_plan``, ``--check``) and zones locked as
    polygons (``locked=``, ``--locked``) place streets and clients with this function, so
    the same polygons give the same hours and pieces either way.
    """
    geoms = shapely.make_valid(np.asarray(geoms, dtype=object))
    unit_count = np.zeros(units.n, dtype=int)
    unit_zone = np.full(units.n, -1, dtype=np.intp)
    client_count = np.zeros(len(demand.ids), dtype=int)
    client_zone = np.full(len(demand.ids), -1, dtype=np.intp)
    for z, g in enumerate(geoms):
        if shapely.is_empty(g):
            continue
        inside = shapely.contains_xy(g, units.xy[:, 0], units.xy[:, 1])
        unit_count += inside
        unit_zone[(unit_zone < 0) & inside] = z
        inside = shapely.contains_xy(g, demand.xy[:, 0], demand.xy[:, 1])
        client_count += inside
        client_zone[(client_zone < 0) & inside] = z
    return Drawn(unit_zone, unit_count, client_zone, client_count)


def locked_units(
    locked: Locked | None, units: Units, demand: Demand
) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """Each unit's locked zone (-1: free), the locked zones' ids and pinned clients.

    Locked polygons pin the clients they contain (``None`` for client sets, whose
    clients' streets carry them).
    """
    labels = np.full(units.n, -1, dtype=np.intp)
    if locked is None:
        return labels, [], None
    if isinstance(locked, gpd.GeoSeries):
        locked = gpd.GeoDataFrame(geometry=locked)
    if isinstance(locked, gpd.GeoDataFrame):
        if locked.crs is None:
            raise ProblemCollector("locked").error("no CRS", "polygons with a CRS", "none")
        frame = locked.to_crs(units.crs)
        ids = (
            frame["zone_id"].astype(str).tolist()
            if "zone_id" in frame
            else [f"L{i + 1}" for i in range(len(frame))]
        )
        drawn = contained(frame.geometry.to_numpy(), units, demand)
        return drawn.unit_zone, ids, drawn.client_zone
    if isinstance(locked, Mapping):
        ids, sets = [str(k) for k in locked], [list(v) for v in locked.values()]
    else:
        items = list(locked)
        if items and all(isinstance(x, shapely.Geometry) for x in items):
            raise ProblemCollector("locked").error(
                "polygons without a CRS", "a GeoSeries or GeoDataFrame of polygons", "bare shapes"
            )
        ids, sets = [f"L{i + 1}" for i in range(len(items))], [list(v) for v in items]
    position = pd.Index(demand.ids)
    client_zone = np.full(len(demand.ids), -1, dtype=np.intp)
    check = ProblemCollector("locked")
    for z, members in enumerate(sets):
        where = position.get_indexer([str(m) for m in members])
        for m in np.asarray(members, dtype=object)[where < 0]:
            check.add(
                "unknown client",
                "a client_id of the clients table",
                repr(str(m)),
                row=f"zone {ids[z]!r}",
            )
        client_zone[where[where >= 0]] = z
    check.raise_if_any()
    return grow_client_labels(units, demand, client_zone, free_sources=True), ids, None


def seed_units(seeds: Any, units: Units, lock_labels: np.ndarray) -> np.ndarray:
    """The free units nearest the seed points (provider offices), one per seed."""
    if seeds is None:
        return np.zeros(0, dtype=np.intp)
    if isinstance(seeds, gpd.GeoDataFrame):
        seeds = seeds.geometry
    if not isinstance(seeds, gpd.GeoSeries):
        arr = np.asarray(seeds, dtype=float).reshape(-1, 2)
        seeds = gpd.GeoSeries(gpd.points_from_xy(arr[:, 0], arr[:, 1]), crs=4326)
    if seeds.crs is None:
        raise ProblemCollector("seeds").error("no CRS", "points with a CRS", "none")
    pts = seeds.to_crs(units.crs)
    dist, unit = units.tree.query(np.column_stack([pts.x, pts.y]))
    unit = np.asarray(unit, dtype=np.intp)
    check = ProblemCollector("seeds")
    for j in range(len(unit)):
        if dist[j] > 2000:
            check.add(
                "far from the network",
                "within 2 km of a street",
                f"{dist[j]:.0f} m away",
                row=f"seed {j}",
            )
        elif lock_labels[unit[j]] >= 0:
            check.add(
                "inside a locked zone", "a seed outside locked zones", "inside one", row=f"seed {j}"
            )
        elif (unit[:j] == unit[j]).any():
            check.add(
                "duplicate seed",
                "one seed per street point",
                "the same point as an earlier seed",
                row=f"seed {j}",
            )
    check.raise_if_any()
    return unit
