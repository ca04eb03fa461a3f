"""Travel times between points, per mode: snapping, matrices and isochrones.

Points are snapped to the nearest node of a mode's network (a KD-tree on the projected
node coordinates). A travel time is the network time between the two nodes, computed with
:func:`scipy.sparse.csgraph.dijkstra` on the sparse graph, plus the two snap distances
covered at the mode's off-network speed (:meth:`carezones.Speeds.mps`).

Points farther from the network than ``max_snap_distance`` (default 500 m) are never kept
or dropped silently: by default they raise a :class:`~carezones.ValidationError` naming
them; ``far="inf"`` gives them infinite times instead and ``far="keep"`` keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import CRS, Transformer
from scipy.sparse.csgraph import dijkstra

from carezones._options import check_cutoff
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.network.graph import TravelNetwork
from carezones.network.speeds import check_mode

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "MAX_SNAP_DISTANCE",
    "Snapped",
    "diagnose_outside",
    "inside_area",
    "isochrones",
    "snap_points",
    "travel_time",
    "travel_time_matrix",
    "travel_times_from",
]

#: Metres from the network beyond which a point is not snapped (it is reported instead):
#: the one default of every ``max_snap_distance`` in carezones.
MAX_SNAP_DISTANCE = 500.0

Points = Any  # GeoDataFrame, GeoSeries, (lon, lat) arrays, an (n, 2) array, or Snapped
FarPolicy = Literal["raise", "inf", "keep"]

#: Points farther than this outside the network's bounds count as "outside the area" (m).
OUTSIDE_MARGIN_M = 20_000.0
_BLOCK_CELLS = 2**25  # cells of one Dijkstra block (~256 MB of float64)


@dataclass(frozen=True)
class Snapped:
    """Points snapped to one mode's network.

    Attributes
    ----------
    labels
        The points' labels: the input index, or 0..n-1 for arrays.
    mode
        The mode whose network the points were snapped to.
    position
        Position of each point's nearest node in the mode's node table.
    node
        OSM id of each point's nearest node.
    distance
        Straight-line distance from each point to its node, metres.
    far
        True where ``distance`` exceeds ``max_snap_distance``.
    max_snap_distance
        The threshold used, metres.
    seconds
        Time to cover ``distance`` at the mode's off-network speed.
    """

    labels: pd.Index
    mode: str
    position: np.ndarray
    node: np.ndarray
    distance: np.ndarray
    far: np.ndarray
    max_snap_distance: float
    seconds: np.ndarray

    def __len__(self) -> int:
        return len(self.position)

    @property
    def far_labels(self) -> list[Any]:
        """Labels of the points farther than the threshold."""
        return list(self.labels[self.far])

    def to_frame(self) -> pd.DataFrame:
        """One row per point: node, distance (m), far."""
        return pd.DataFrame(
            {"node": self.node, "snap_distance_m": self.distance, "far": self.far},
            index=self.labels,
        )


def _as_xy(points: Points, crs: Any, where: str) -> tuple[np.ndarray, np.ndarray, pd.Index, CRS]:
    """Coordinates, labels and CRS of ``points`` (not yet projected)."""
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is None and crs is None:
            raise ProblemCollector(where).error(
                "no CRS", "points with a CRS (or crs=...)", "a GeoSeries without one"
            )
        labels = points.index
        empty = points.isna().to_numpy() | points.is_empty.to_numpy()
        types = points.geom_type.to_numpy()
        bad_type = ~empty & (types != "Point")
        if bad_type.any():
            raise ValidationError(
                [
                    Problem(
                        where,
                        "not a point",
                        "Point geometry",
                        str(types[i]),
                        row=f"row {labels[i]!r}",
                    )
                    for i in np.flatnonzero(bad_type)
                ]
            )
        x = np.full(len(points), np.nan)
        y = np.full(len(points), np.nan)
        ok = ~empty
        x[ok] = shapely.get_x(points.to_numpy()[ok])
        y[ok] = shapely.get_y(points.to_numpy()[ok])
        return x, y, labels, CRS.from_user_input(points.crs if points.crs is not None else crs)
    if isinstance(points, tuple) and len(points) == 2:
        x = np.asarray(points[0], dtype=float).ravel()
        y = np.asarray(points[1], dtype=float).ravel()
    else:
        arr = np.asarray(points, dtype=float)
        if arr.ndim == 1 and arr.shape[0] == 2:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ProblemCollector(where).error(
                "bad points", "an (n, 2) array of x, y", f"shape {arr.shape}"
            )
        x, y = arr[:, 0], arr[:, 1]
    if len(x) != len(y):
        raise ProblemCollector(where).error(
            "bad points", "as many x as y", f"{len(x)} and {len(y)}"
        )
    return x, y, pd.RangeIndex(len(x)), CRS.from_user_input(crs if crs is not None else 4326)


def diagnose_outside(
    x: np.ndarray, y: np.ndarray, crs: CRS, network: TravelNetwork, where: str
) -> ValidationError:
    """Explain why points fall outside the network's area (CRS mix-ups are common).

    Parameters
    ----------
    x, y
        The points' coordinates in ``crs``.
    crs
        The CRS the points were given in.
    network
        The networks they should lie on.
    where
        The file or table the points came from (for the message).
    """
    hint = "the network's area"
    if crs.is_geographic:
        if np.nanmax(np.abs(x)) > 180 or np.nanmax(np.abs(y)) > 90:
            hint = "longitude/latitude in degrees; these values look like metres: give the CRS"
        elif inside_area(y, x, crs, network).mean() > 0.5:
            hint = "longitude, latitude; these look like latitude, longitude (swapped)"
    else:
        if np.nanmax(np.abs(x)) <= 180 and np.nanmax(np.abs(y)) <= 90:
            hint = f"metres in {crs.to_string()}; these values look like degrees: use crs=4326"
        elif inside_area(y, x, crs, network).mean() > 0.5:
            hint = "x, y; these look like y, x (swapped)"
    return ValidationError(
        [
            Problem(
                where,
                "outside the network's area",
                f"points within {OUTSIDE_MARGIN_M / 1000:.0f} km of {network.source!r} ({hint})",
                "most points outside it (wrong CRS or swapped coordinates?)",
            )
        ]
    )


def _project(x: np.ndarray, y: np.ndarray, crs: CRS, target: CRS) -> tuple[np.ndarray, np.ndarray]:
    if crs == target:
        return x, y
    with np.errstate(invalid="ignore"):
        px, py = Transformer.from_crs(crs, target, always_xy=True).transform(x, y)
    return np.asarray(px, dtype=float), np.asarray(py, dtype=float)


def inside_area(x: np.ndarray, y: np.ndarray, crs: CRS, network: TravelNetwork) -> np.ndarray:
    """Whether each point lies within :data:`OUTSIDE_MARGIN_M` of the network's bounds.

    Parameters
    ----------
    x, y
        The points' coordinates in ``crs``.
    crs
        Their CRS.
    network
        The networks.
    """
    if crs.is_geographic and (np.nanmax(np.abs(x)) > 180 or np.nanmax(np.abs(y)) > 90):
        return np.zeros(len(x), dtype=bool)
    px, py = _project(x, y, crs, network.crs)
    minx, miny, maxx, maxy = network.bounds
    m = OUTSIDE_MARGIN_M
    return (px >= minx - m) & (px <= maxx + m) & (py >= miny - m) & (py <= maxy + m)


def snap_points(
    network: TravelNetwork,
    points: Points,
    *,
    mode: str = "walk",
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    crs: Any = None,
    where: str = "points",
) -> Snapped:
    """Snap points to the nearest node of ``mode``'s network.

    Parameters
    ----------
    network
        The networks.
    points
        A GeoDataFrame or GeoSeries of points in any CRS; a ``(lon, lat)`` pair of arrays;
        or an ``(n, 2)`` array. Arrays are in ``crs`` (default EPSG:4326, lon/lat).
    mode
        {"walk", "cycle", "drive"}
    max_snap_distance
        Points farther than this from their node (metres) are flagged ``far``.
    crs
        The CRS of array input (or of a GeoSeries without one).
    where
        Name of the input used in error messages (a file name, say).

    Returns
    -------
    Snapped
        Node, distance and ``far`` flag for every point, in input order.

    Raises
    ------
    ValidationError
        Points with missing or NaN coordinates (rows named), or most points far outside
        the network's area (with a hint when the CRS or axis order looks wrong).

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> snapped = snap_points(net, ([24.9384, 24.9450], [60.1699, 60.1650]))
    >>> snapped.far.tolist()
    [False, False]
    """
    check_mode(mode)
    network._require(mode)
    x, y, labels, in_crs = _as_xy(points, crs, where)
    nan = ~(np.isfinite(x) & np.isfinite(y))
    if nan.any():
        raise ValidationError(
            [
                Problem(
                    where,
                    "missing coordinates",
                    "finite x and y",
                    "empty or NaN",
                    row=f"row {labels[i]!r}",
                )
                for i in np.flatnonzero(nan)
            ]
        )
    if len(x) and inside_area(x, y, in_crs, network).mean() <= 0.5:
        raise diagnose_outside(x, y, in_crs, network, where)
    px, py = _project(x, y, in_crs, network.crs)
    index = network.index(mode)
    distance, position = index.tree.query(np.column_stack([px, py]))
    position = np.asarray(position, dtype=np.intp)
    distance = np.asarray(distance, dtype=float)
    return Snapped(
        labels=labels,
        mode=mode,
        position=position,
        node=index.node_ids[position],
        distance=distance,
        far=distance > max_snap_distance,
        max_snap_distance=float(max_snap_distance),
        seconds=distance / network.speeds.mps(mode),
    )


def _snapped(
    network: TravelNetwork, points: Points, mode: str, max_snap_distance: float, where: str
) -> Snapped:
    if isinstance(points, Snapped):
        if points.mode != mode:
            raise ProblemCollector(where).error(
                "snapped to another mode", f"points snapped for {mode!r}", repr(points.mode)
            )
        return points
    return snap_points(network, points, mode=mode, max_snap_distance=max_snap_distance, where=where)


def _check_far(snapped: Snapped, far: FarPolicy, where: str) -> None:
    if far not in ("raise", "inf", "keep"):
        raise ProblemCollector("far").error("bad option", "'raise', 'inf' or 'keep'", repr(far))
    if far == "raise" and snapped.far.any():
        raise ValidationError(
            [
                Problem(
                    where,
                    "far from the network",
                    f"within {snapped.max_snap_distance:.0f} m of the {snapped.mode} network",
                    f"{snapped.distance[i]:.0f} m away (use far='inf' or 'keep' to go on)",
                    row=f"row {snapped.labels[i]!r}",
                )
                for i in np.flatnonzero(snapped.far)
            ]
        )


def _node_times(
    network: TravelNetwork, mode: str, src: np.ndarray, dst: np.ndarray, limit: float
) -> np.ndarray:
    """Network seconds from node positions ``src`` to ``dst`` (unique arrays)."""
    csr = network.index(mode).csr
    n = csr.shape[0]
    flip = len(dst) < len(src)  # run from the smaller side, on the reversed graph if needed
    graph, rows, cols = (csr.T.tocsr(), dst, src) if flip else (csr, src, dst)
    out = np.empty((len(rows), len(cols)))
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, len(rows), block):
        part = dijkstra(graph, directed=True, indices=rows[start : start + block], limit=limit)
        out[start : start + block] = part[:, cols]
    return out.T if flip else out


def travel_time_matrix(
    network: TravelNetwork,
    origins: Points,
    destinations: Points | None = None,
    *,
    mode: str = "walk",
    cutoff: float | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    far: FarPolicy = "raise",
) -> np.ndarray:
    """Travel times in seconds from every origin to every destination.

    Parameters
    ----------
    network
        The networks.
    origins
        Points (see :func:`snap_points`) or a :class:`Snapped`.
    destinations
        Points or a :class:`Snapped`; None means the origins.
    mode
        {"walk", "cycle", "drive"}
    cutoff
        Seconds; times above it are ``inf`` (and the search stops there, much faster).
    max_snap_distance
        Metres; see ``far``.
    far
        {"raise", "inf", "keep"} What to do with points farther than
        ``max_snap_distance`` from the network: raise a ValidationError naming them
        (default), give them ``inf`` times, or keep them.

    Returns
    -------
    numpy.ndarray
        ``(len(origins), len(destinations))`` seconds, exact to float precision.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> pts = ([24.9384, 24.9450, 24.9300], [60.1699, 60.1650, 60.1680])
    >>> m = travel_time_matrix(net, pts)
    >>> m.shape, bool((np.diag(m) >= 0).all()), bool(np.isfinite(m).all())
    ((3, 3), True, True)
    >>> bool(np.isinf(travel_time_matrix(net, pts, cutoff=1.0)[0, 1]))
    True
    """
    check_mode(mode)
    origin = _snapped(network, origins, mode, max_snap_distance, "origins")
    dest = (
        origin
        if destinations is None
        else _snapped(network, destinations, mode, max_snap_distance, "destinations")
    )
    _check_far(origin, far, "origins")
    if dest is not origin:
        _check_far(dest, far, "destinations")
    cutoff = check_cutoff(cutoff)
    limit = np.inf if cutoff is None else cutoff
    src, src_inv = np.unique(origin.position, return_inverse=True)
    dst, dst_inv = np.unique(dest.position, return_inverse=True)
    base = _node_times(network, mode, src, dst, limit)
    times = base[src_inv][:, dst_inv] + origin.seconds[:, None] + dest.seconds[None, :]
    if destinations is None:
        np.fill_diagonal(times, 0.0)  # a point to itself
    if cutoff is not None:
        times[times > cutoff] = np.inf
    if far == "inf":
        times[origin.far, :] = np.inf
        times[:, dest.far] = np.inf
    return times


def travel_times_from(
    network: TravelNetwork,
    origin: Points,
    destinations: Points,
    *,
    mode: str = "walk",
    cutoff: float | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    far: FarPolicy = "raise",
) -> np.ndarray:
    """Seconds from one origin to many destinations (a 1-D array).

    Parameters
    ----------
    network
        The networks.
    origin
        One point (as :func:`snap_points` takes points).
    destinations
        The points to reach.
    mode
        {"walk", "cycle", "drive"}
    cutoff
        Seconds; farther destinations get ``inf`` (None: no cutoff).
    max_snap_distance, far
        As in :func:`travel_time_matrix`.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> travel_times_from(net, ([24.9384], [60.1699]), ([24.9450, 24.93], [60.1650, 60.168])).shape
    (2,)
    """
    m = travel_time_matrix(
        network,
        origin,
        destinations,
        mode=mode,
        cutoff=cutoff,
        max_snap_distance=max_snap_distance,
        far=far,
    )
    if m.shape[0] != 1:
        raise ProblemCollector("origin").error(
            "not one point", "exactly one origin", f"{m.shape[0]} points"
        )
    return m[0]


def travel_time(
    network: TravelNetwork,
    origin: ArrayLike,
    destination: ArrayLike,
    *,
    mode: str = "walk",
    crs: Any = None,
) -> float:
    """Seconds from one point to another.

    Parameters
    ----------
    origin, destination
        ``(x, y)`` pairs in ``crs`` (default lon/lat).

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> t = travel_time(net, (24.9384, 60.1699), (24.9450, 60.1650))
    >>> 300 < t < 1800
    True
    """
    a = snap_points(
        network, np.asarray(origin, dtype=float).reshape(1, 2), mode=mode, crs=crs, where="origin"
    )
    b = snap_points(
        network,
        np.asarray(destination, dtype=float).reshape(1, 2),
        mode=mode,
        crs=crs,
        where="destination",
    )
    return float(travel_time_matrix(network, a, b, mode=mode)[0, 0])


def isochrones(
    network: TravelNetwork,
    point: ArrayLike | Points,
    minutes: float | list[float],
    *,
    mode: str = "walk",
    crs: Any = None,
    buffer: float = 25.0,
) -> gpd.GeoDataFrame:
    """The area reachable from a point within each of ``minutes``, as polygons.

    The reachable part of every street (whole edges, and the reachable fraction of the
    edges where time runs out) is buffered by ``buffer`` metres and merged.

    Parameters
    ----------
    point
        An ``(x, y)`` pair in ``crs`` (default lon/lat), or a one-point GeoSeries.
    minutes
        One or more time limits.
    mode
        {"walk", "cycle", "drive"}
    buffer
        Metres either side of a reachable street that count as reached.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per limit (``minutes``, ``mode``, ``area_km2``, ``geometry``), in the
        network's CRS, largest first.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> iso = isochrones(net, (24.9384, 60.1699), [5, 10])
    >>> bool(iso.geometry.iloc[0].buffer(1).contains(iso.geometry.iloc[1]))
    True
    """
    limits = sorted(
        [check_cutoff(m, where="minutes", unit="minutes") or 0.0 for m in np.atleast_1d(minutes)],
        reverse=True,
    )
    if isinstance(point, gpd.GeoSeries | gpd.GeoDataFrame):
        snapped = snap_points(network, point, mode=mode, where="point")
    else:
        snapped = snap_points(
            network, np.asarray(point, dtype=float).reshape(1, 2), mode=mode, crs=crs, where="point"
        )
    index = network.index(mode)
    seconds = dijkstra(index.csr, indices=int(snapped.position[0]), limit=limits[0] * 60)
    edges = network.edges[mode]
    pos = pd.Index(index.node_ids)
    tu = seconds[pos.get_indexer(edges.index.get_level_values("u"))]
    tt = edges["travel_time"].to_numpy(float)
    geoms = edges.geometry.to_numpy()
    rows = []
    for limit in limits:
        budget = limit * 60 - float(snapped.seconds[0])
        whole = tu + tt <= budget
        part = (tu < budget) & ~whole
        pieces = list(geoms[whole])
        for g, start, t in zip(geoms[part], tu[part], tt[part], strict=True):
            share = (budget - start) / t if t > 0 else 1.0
            pieces.append(shapely.ops.substring(g, 0, share, normalized=True))
        pieces.append(shapely.Point(index.xy[snapped.position[0]]))
        shape = shapely.union_all(shapely.buffer(np.array(pieces, dtype=object), buffer))
        rows.append(
            {"minutes": limit, "mode": mode, "area_km2": shape.area / 1e6, "geometry": shape}
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=network.crs)
