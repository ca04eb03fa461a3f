"""Baselines every zone plan is compared with: k-means, agglomerative (Ward's linkage), a grid.

Each labels the same units as the zoner (so polygons, predictions and metrics are built
the same way) and returns a :class:`~carezones.zoning.ZonePlan`. None of them knows the
floor: the report says which zones fall below it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from sklearn.cluster import AgglomerativeClustering, KMeans

from carezones._options import check_random_state
from carezones.exceptions import ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork
from carezones.zoning.geo import Demand, Units, build_units, place_clients
from carezones.zoning.plan import ZonePlan, finish

__all__ = ["agglomerative_zones", "grid_zones", "kmeans_zones", "ward_zones"]


def _prepare(
    clients: Any,
    network: TravelNetwork,
    n_zones: int,
    mode: str,
    resolution: float,
    max_snap_distance: float,
) -> tuple[Units, Demand, np.ndarray]:
    if not (isinstance(n_zones, int | np.integer) and n_zones >= 1):
        raise ProblemCollector("n_zones").error("bad n_zones", "an integer >= 1", repr(n_zones))
    units = build_units(network, mode, float(resolution))
    demand = place_clients(clients, network, units, max_snap_distance=float(max_snap_distance))
    ok = ~demand.far
    w = np.bincount(demand.unit[ok], weights=demand.hours[ok], minlength=units.n)
    if (w > 0).sum() < n_zones:
        raise ProblemCollector("n_zones").error(
            "too many zones", f"at most {(w > 0).sum()} (street points with hours)", str(n_zones)
        )
    return units, demand, w


def _ordered(units: Units, labels: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Renumber zones north to south, west to east; drop empty labels."""
    used = np.unique(labels[labels >= 0])
    centre = np.array(
        [np.average(units.xy[labels == z], axis=0, weights=w[labels == z] + 1e-9) for z in used]
    )
    order = np.lexsort((centre[:, 0], -centre[:, 1]))
    remap = np.full(int(labels.max()) + 1, -1, dtype=np.intp)
    remap[used[order]] = np.arange(len(used))
    width = max(2, len(str(len(used))))
    return remap[labels], [f"Z{i + 1:0{width}d}" for i in range(len(used))]


def kmeans_zones(
    clients: Any,
    network: TravelNetwork,
    *,
    n_zones: int,
    min_weekly_hours: float = 0.0,
    mode: str = "walk",
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    random_state: int | None = None,
) -> ZonePlan:
    """Baseline: k-means on the clients' coordinates, weighted by hours.

    Every street point joins the nearest k-means centre.

    Parameters
    ----------
    clients
        The clients: ``client_id``, ``weekly_hours`` and Point geometry.
    network
        The travel networks.
    n_zones
        How many zones to draw.
    min_weekly_hours
        The floor the report measures the zones against (the baseline does not aim for
        it: the report lists the zones below it); 0 measures none.
    mode
        {"walk", "cycle", "drive"} The network the units lie on.
    resolution
        Metres between the points placed along long streets, as the zoner's.
    max_snap_distance
        Clients farther than this (metres) from the network are left unassigned.
    random_state
        Seed of k-means.

    Returns
    -------
    ZonePlan
        The zones with the same polygons, metrics and report as the zoner's.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(60, random_state=3)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(60)],
    ...                             "weekly_hours": 10.0},
    ...                            geometry=nodes.geometry.values, crs=net.crs)
    >>> len(kmeans_zones(clients, net, n_zones=3, random_state=0).zones)
    3
    """
    check_random_state(random_state)
    units, demand, w = _prepare(clients, network, n_zones, mode, resolution, max_snap_distance)
    have = np.flatnonzero(w > 0)
    model = KMeans(n_clusters=int(n_zones), n_init=10, random_state=random_state)
    model.fit(units.xy[have], sample_weight=w[have])
    labels, ids = _ordered(units, model.predict(units.xy), w)
    return finish(units, demand, labels, ids, method="k-means", floor=min_weekly_hours, cap=np.inf)


def agglomerative_zones(
    clients: Any,
    network: TravelNetwork,
    *,
    n_zones: int,
    min_weekly_hours: float = 0.0,
    mode: str = "walk",
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> ZonePlan:
    """Baseline: agglomerative clustering (Ward's linkage) of the street points with clients.

    Clustering is constrained by network connectivity: two street points with clients are
    connected when their network Voronoi cells touch; the other streets join the zone of
    the nearest street point with clients. (Named after the method, not an electoral ward.)

    Parameters
    ----------
    clients
        The clients: ``client_id``, ``weekly_hours`` and Point geometry.
    network
        The travel networks.
    n_zones
        How many zones to draw.
    min_weekly_hours
        The floor the report measures the zones against (the baseline does not aim for
        it: the report lists the zones below it); 0 measures none.
    mode
        {"walk", "cycle", "drive"} The network the units lie on.
    resolution
        Metres between the points placed along long streets, as the zoner's.
    max_snap_distance
        Clients farther than this (metres) from the network are left unassigned.

    Returns
    -------
    ZonePlan
        The zones with the same polygons, metrics and report as the zoner's.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(60, random_state=3)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(60)],
    ...                             "weekly_hours": 10.0},
    ...                            geometry=nodes.geometry.values, crs=net.crs)
    >>> agglomerative_zones(clients, net, n_zones=3).report.summary["all_one_piece"]
    True
    """
    units, demand, w = _prepare(clients, network, n_zones, mode, resolution, max_snap_distance)
    have = np.flatnonzero(w > 0)
    _, _, src = dijkstra(units.graph, indices=have, min_only=True, return_predecessors=True)
    cell = np.searchsorted(have, src)
    coo = units.graph.tocoo()
    a, b = cell[coo.row], cell[coo.col]
    touch = a != b
    conn = sparse.csr_matrix(
        (np.ones(int(touch.sum())), (a[touch], b[touch])), shape=(len(have),) * 2
    )
    model = AgglomerativeClustering(n_clusters=int(n_zones), linkage="ward", connectivity=conn)
    cluster = model.fit_predict(units.xy[have])
    labels, ids = _ordered(units, cluster[cell], w)
    return finish(
        units,
        demand,
        labels,
        ids,
        method="agglomerative + connectivity",
        floor=min_weekly_hours,
        cap=np.inf,
    )


def ward_zones(
    clients: Any,
    network: TravelNetwork,
    *,
    n_zones: int,
    min_weekly_hours: float = 0.0,
    mode: str = "walk",
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> ZonePlan:
    """Deprecated name of :func:`agglomerative_zones`; same parameters and result.

    Council analysts read "ward" as an electoral ward, so the baseline is named after its
    method.

    Parameters
    ----------
    clients, network, n_zones, min_weekly_hours, mode, resolution, max_snap_distance
        As in :func:`agglomerative_zones`.

    Warns
    -----
    DeprecationWarning
        Always: use :func:`agglomerative_zones`.
    """
    warnings.warn(
        "ward_zones is deprecated: use agglomerative_zones (the same baseline)",
        DeprecationWarning,
        stacklevel=2,
    )
    return agglomerative_zones(
        clients, network, n_zones=n_zones, min_weekly_hours=min_weekly_hours, mode=mode,
        resolution=resolution, max_snap_distance=max_snap_distance,
    )  # fmt: skip


def grid_zones(
    clients: Any,
    network: TravelNetwork,
    *,
    n_zones: int,
    min_weekly_hours: float = 0.0,
    mode: str = "walk",
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> ZonePlan:
    """Baseline: a regular grid of square cells, sized so about ``n_zones`` hold clients.

    Streets in cells without clients join the cell of the nearest client.

    Parameters
    ----------
    clients
        The clients: ``client_id``, ``weekly_hours`` and Point geometry.
    network
        The travel networks.
    n_zones
        How many cells with clients to aim for.
    min_weekly_hours
        The floor the report measures the zones against (the baseline does not aim for
        it: the report lists the zones below it); 0 measures none.
    mode
        {"walk", "cycle", "drive"} The network the units lie on.
    resolution
        Metres between the points placed along long streets, as the zoner's.
    max_snap_distance
        Clients farther than this (metres) from the network are left unassigned.

    Returns
    -------
    ZonePlan
        The zones with the same polygons, metrics and report as the zoner's.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(60, random_state=3)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(60)],
    ...                             "weekly_hours": 10.0},
    ...                            geometry=nodes.geometry.values, crs=net.crs)
    >>> 2 <= len(grid_zones(clients, net, n_zones=4).zones) <= 6
    True
    """
    units, demand, w = _prepare(clients, network, n_zones, mode, resolution, max_snap_distance)
    have = np.flatnonzero(w > 0)
    pts = units.xy[have]
    lo = pts.min(axis=0)
    span = float(np.max(pts.max(axis=0) - lo)) + 1.0

    def cells(xy: np.ndarray, size: float) -> np.ndarray:
        ij = np.floor((xy - lo) / size).astype(np.int64)
        return ij[:, 0] * 1_000_003 + ij[:, 1]

    small, large = span / 1000, span
    for _ in range(60):  # bisection on the cell size
        mid = (small + large) / 2
        if len(np.unique(cells(pts, mid))) > n_zones:
            small = mid
        else:
            large = mid
    names, cell_of = np.unique(cells(pts, large), return_inverse=True)
    own = cells(units.xy, large)
    at = np.clip(np.searchsorted(names, own), 0, len(names) - 1)
    nearest = cell_of[units.tree.__class__(pts).query(units.xy)[1]]
    cell_of = np.where(names[at] == own, at, nearest)
    labels, ids = _ordered(units, cell_of.astype(np.intp), w)
    return finish(
        units, demand, labels, ids, method="regular grid", floor=min_weekly_hours, cap=np.inf
    )
