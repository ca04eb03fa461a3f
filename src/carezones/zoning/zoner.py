"""The zoner: :class:`NeighbourhoodZoner` and its function wrapper :func:`neighbourhood_zones`.

See :mod:`carezones.zoning` for how zones are drawn, :mod:`carezones.zoning.core` for the
numeric core and :mod:`carezones.zoning.geo` for the geo adapter.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from carezones._options import check_random_state, make_rng
from carezones.exceptions import InfeasibleError, ProblemCollector
from carezones.network import MAX_SNAP_DISTANCE, TravelNetwork, check_mode
from carezones.zoning.core import partition_connected
from carezones.zoning.defaults import MIN_WEEKLY_HOURS, N_INIT, check_zoner_options
from carezones.zoning.geo import (
    Demand,
    Locked,
    Units,
    boundary_area,
    build_units,
    locked_units,
    place_clients,
    seed_units,
)
from carezones.zoning.graph import prepare, supported_zones
from carezones.zoning.locks import check_locked, join_stranded, pin_clients
from carezones.zoning.plan import ZonePlan, finish, name_plan
from carezones.zoning.served import served_clients

__all__ = ["NeighbourhoodZoner", "neighbourhood_zones"]

logger = logging.getLogger(__name__)


class NeighbourhoodZoner(BaseEstimator):
    """Draw neighbourhood zones on the walking network, each above an hours floor.

    A scikit-learn estimator: ``__init__`` only stores the parameters (``get_params``,
    ``set_params`` and :func:`sklearn.base.clone` work), :meth:`fit` draws the zones and
    sets the attributes ending in ``_``; :meth:`predict` before :meth:`fit` raises
    :class:`sklearn.exceptions.NotFittedError`.

    Parameters
    ----------
    min_weekly_hours
        The floor: every zone carries at least this many weekly hours.
    max_weekly_hours
        Optional cap on a zone's weekly hours (None: no cap).
    n_zones
        {int, "auto"} How many zones; "auto" draws as many as the floor allows.
    mode
        {"walk", "cycle", "drive"} The network that measures compactness and contiguity.
    seeds
        Optional points (a GeoSeries/GeoDataFrame, e.g. provider offices): each becomes
        the centre of its own zone.
    locked
        Zones that must stay as they are: polygons (a GeoDataFrame with ``zone_id``, or a
        GeoSeries), or client sets (``{zone_id: [client_id, ...]}`` or a list of lists).
        Clients sharing a street point with a locked client join the locked zone.
    resolution
        Metres between the points placed along long streets (smaller: finer borders).
    max_snap_distance
        Clients farther than this (metres) from the network are left unassigned, with
        the reason.
    n_init
        Independent starts (then six centre swaps tried on the best); the best plan is
        kept.
    random_state
        Seed of every random choice.
    boundary
        Optional area served (a GeoDataFrame/GeoSeries of polygons with a CRS, e.g. the
        borough from ``--boundary FILE``): it clips the zones, and clients outside it are
        unassigned ("outside the boundary").
    places
        Optional named places (``name``, ``place``, points with a CRS, e.g.
        :func:`carezones.network.osm_places`): each zone gets a unique ``name`` from them
        (without: the ``zone_id``).

    Attributes
    ----------
    labels_ : pandas.Series
        ``zone_id`` of every client (indexed by ``client_id``; None when unassigned).
    zones_ : geopandas.GeoDataFrame
        One row per zone with its polygon and metrics (see :class:`ZonePlan`).
    report_ : PlanReport
        Metrics and broken rules.
    unassigned_ : pandas.DataFrame
        ``client_id`` and ``reason`` of every client in no zone.
    n_zones_ : int
        The number of zones drawn.
    plan_ : ZonePlan
        Everything above in one object.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(120, random_state=1)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(120)],
    ...                             "weekly_hours": 10.0}, geometry=nodes.geometry.values,
    ...                            crs=net.crs)
    >>> zoner = NeighbourhoodZoner(250, n_zones="auto", n_init=1, random_state=0)
    >>> zoner = zoner.fit(clients, network=net)
    >>> zoner.n_zones_, bool(zoner.zones_["weekly_hours"].min() >= 250)
    (4, True)
    >>> bool((zoner.predict(clients) == zoner.labels_).all())
    True
    """

    def __init__(
        self,
        min_weekly_hours: float = MIN_WEEKLY_HOURS,
        *,
        max_weekly_hours: float | None = None,
        n_zones: int | Literal["auto"] = "auto",
        mode: str = "walk",
        seeds: Any = None,
        locked: Locked | None = None,
        resolution: float = 100.0,
        max_snap_distance: float = MAX_SNAP_DISTANCE,
        n_init: int = N_INIT,
        random_state: int | None = None,
        boundary: Any = None,
        places: Any = None,
    ) -> None:
        self.min_weekly_hours = min_weekly_hours
        self.max_weekly_hours = max_weekly_hours
        self.n_zones = n_zones
        self.mode = mode
        self.seeds = seeds
        self.locked = locked
        self.resolution = resolution
        self.max_snap_distance = max_snap_distance
        self.n_init = n_init
        self.random_state = random_state
        self.boundary = boundary
        self.places = places

    def _check_params(self) -> tuple[float, float]:
        c = ProblemCollector("NeighbourhoodZoner")
        check_zoner_options(
            c, min_weekly_hours=self.min_weekly_hours, max_weekly_hours=self.max_weekly_hours,
            n_zones=self.n_zones, n_init=self.n_init, resolution=self.resolution,
            max_snap_distance=self.max_snap_distance,
        )  # fmt: skip
        c.raise_if_any()
        floor, cap = self.min_weekly_hours, self.max_weekly_hours
        check_random_state(self.random_state, where="NeighbourhoodZoner random_state")
        check_mode(self.mode)
        return float(floor), np.inf if cap is None else float(cap)

    def fit(
        self, clients: Any, y: Any = None, *, network: TravelNetwork | None = None
    ) -> NeighbourhoodZoner:
        """Draw the zones of ``clients`` (``client_id``, ``weekly_hours``, points) on ``network``.

        Parameters
        ----------
        clients
            The clients: ``client_id``, ``weekly_hours`` and Point geometry (any CRS).
        y
            Unused (scikit-learn's slot for targets). A network passed here, as
            ``fit(clients, net)`` in earlier versions, still works with a
            ``DeprecationWarning``.
        network
            The travel networks; the zoner's ``mode`` is the one it draws on.

        Returns
        -------
        NeighbourhoodZoner
            ``self``, fitted.

        Raises
        ------
        ValidationError
            Bad parameters or clients, or no network (every problem listed).
        InfeasibleError
            The hours cannot support the zones asked for (the message says how many they
            support), or no split meeting the floor was found.
        """
        network = _network_argument(y, network, "fit")
        floor, cap = self._check_params()
        units = build_units(network, self.mode, float(self.resolution))
        demand = place_clients(
            clients, network, units, max_snap_distance=float(self.max_snap_distance)
        )
        plan, n = _draw(self, units, demand, floor, cap)
        name_plan(plan, self.places)
        self.plan_ = plan
        self.labels_ = plan.labels
        self.zones_ = plan.zones
        self.report_ = plan.report
        self.unassigned_ = plan.report.unassigned
        self.n_zones_ = n
        return self

    def predict(self, new_clients: Any) -> pd.Series:
        """Zone of each new address (the polygon it falls in); None when far from the network.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self, "plan_")
        return self.plan_.predict(new_clients, max_snap_distance=float(self.max_snap_distance))

    def fit_predict(
        self, clients: Any, y: Any = None, *, network: TravelNetwork | None = None
    ) -> pd.Series:
        """Fit, then return :attr:`labels_` (the arguments are :meth:`fit`'s)."""
        return self.fit(clients, network=_network_argument(y, network, "fit_predict")).labels_


def _network_argument(y: Any, network: TravelNetwork | None, method: str) -> TravelNetwork:
    """The network given by keyword, or (deprecated) in ``y``'s place."""
    if isinstance(y, TravelNetwork) and network is None:
        warnings.warn(
            f"NeighbourhoodZoner.{method}(clients, network) is deprecated: pass the network "
            f"by keyword, {method}(clients, network=network)",
            DeprecationWarning,
            stacklevel=3,
        )
        return y
    if not isinstance(network, TravelNetwork):
        raise ProblemCollector(f"NeighbourhoodZoner.{method}").error(
            "no network", "network=<a TravelNetwork>", type(network).__name__, column="network"
        )
    return network


def neighbourhood_zones(
    clients: Any,
    network: TravelNetwork,
    *,
    min_weekly_hours: float = MIN_WEEKLY_HOURS,
    max_weekly_hours: float | None = None,
    n_zones: int | Literal["auto"] = "auto",
    mode: str = "walk",
    seeds: Any = None,
    locked: Locked | None = None,
    resolution: float = 100.0,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    n_init: int = N_INIT,
    random_state: int | None = None,
    boundary: Any = None,
    places: Any = None,
) -> ZonePlan:
    """Draw neighbourhood zones; ``NeighbourhoodZoner(...).fit(clients, network=network).plan_``.

    Parameters
    ----------
    clients
        The clients: ``client_id``, ``weekly_hours`` and Point geometry (any CRS).
    network
        The travel networks.
    min_weekly_hours, max_weekly_hours, n_zones, mode, seeds, locked
        As in :class:`NeighbourhoodZoner`.
    resolution, max_snap_distance, n_init, random_state, boundary, places
        As in :class:`NeighbourhoodZoner`.

    Returns
    -------
    ZonePlan
        The zones, each client's zone, the report and the unassigned clients.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> nodes = net.nodes["walk"].sample(90, random_state=2)
    >>> clients = gpd.GeoDataFrame({"client_id": [f"c{i}" for i in range(90)],
    ...                             "weekly_hours": 12.0}, geometry=nodes.geometry.values,
    ...                            crs=net.crs)
    >>> plan = neighbourhood_zones(clients, net, min_weekly_hours=300, n_zones=3, n_init=1,
    ...                            random_state=0)
    >>> plan.report.ok, len(plan.zones), int(plan.labels.notna().sum())
    (True, 3, 90)
    """
    zoner = NeighbourhoodZoner(
        min_weekly_hours,
        max_weekly_hours=max_weekly_hours,
        n_zones=n_zones,
        mode=mode,
        seeds=seeds,
        locked=locked,
        resolution=resolution,
        max_snap_distance=max_snap_distance,
        n_init=n_init,
        random_state=random_state,
    )
    return zoner.fit(clients, network=network).plan_


def _draw(
    zoner: NeighbourhoodZoner, units: Units, demand: Demand, floor: float, cap: float
) -> tuple[ZonePlan, int]:
    lock_labels, lock_ids, pinned = locked_units(zoner.locked, units, demand)
    check_locked(lock_ids, lock_labels)
    area = boundary_area(zoner.boundary, units)
    ok = served_clients(demand, area, pinned, locked=len(lock_ids))
    w = np.bincount(demand.unit[ok], weights=demand.hours[ok], minlength=units.n)
    seeds = seed_units(zoner.seeds, units, lock_labels)
    n_locked = len(lock_ids)
    total = float(w.sum())
    free = np.flatnonzero(lock_labels < 0)
    sub = units.graph[free][:, free]
    n_comp, comp = connected_components(sub, directed=False)
    comp_hours = np.bincount(comp, weights=w[free], minlength=n_comp)
    seed_comp = comp[np.searchsorted(free, seeds)] if len(seeds) else np.zeros(0, int)
    want = zoner.n_zones
    k_free = None if want == "auto" else int(want) - n_locked
    if k_free is not None and k_free < max(len(seeds), 0 if n_locked else 1):
        raise ProblemCollector("NeighbourhoodZoner").error(
            "too few zones",
            f"n_zones >= {n_locked + max(len(seeds), 1)} (locked zones plus seeds)",
            repr(want),
            column="n_zones",
        )
    with_hours = int((w[free] > 0).sum())
    if k_free is not None and k_free > max(with_hours, len(seeds)):
        raise ProblemCollector("NeighbourhoodZoner").error(
            "too many zones",
            f"at most {with_hours + n_locked} zones (street points with hours, one "
            "zone each at least)",
            repr(want),
            column="n_zones",
        )
    ks = _allocate(
        comp_hours, np.bincount(seed_comp, minlength=n_comp), k_free, floor, cap, total, n_locked
    )
    labels, centres, fixed = _draw_components(
        zoner, units, w, lock_labels, (free, comp, comp_hours), seeds, seed_comp, ks,
        (floor, cap, total), n_locked,
    )  # fmt: skip
    k = len(centres)
    extra = join_stranded(units, demand, labels, n_locked)
    if pinned is not None:
        pinned = pin_clients(units, demand, labels, pinned, n_locked, extra)
    free_ids = _free_ids(k - n_locked, set(lock_ids))
    ids = lock_ids + free_ids
    locked_flags = np.arange(k) < n_locked
    centre_arr = np.array(centres, dtype=np.intp)
    if n_locked:
        centre_arr[:n_locked] = [
            np.flatnonzero(labels == z)[0] if (labels == z).any() else 0 for z in range(n_locked)
        ]
    plan = finish(
        units,
        demand,
        labels,
        ids,
        method="neighbourhood zoner",
        floor=floor,
        cap=cap,
        centres=None if k == n_locked else centre_arr,
        fixed=None if k == n_locked else np.array(fixed),
        locked=locked_flags,
        by_clients="occupied",
        extra_unassigned=extra,
        random_state=zoner.random_state,
        clean=True,
        area=area,
        pinned=pinned,
    )
    return plan, k


def _draw_components(
    zoner: NeighbourhoodZoner,
    units: Units,
    w: np.ndarray,
    lock_labels: np.ndarray,
    components: tuple[np.ndarray, np.ndarray, np.ndarray],
    seeds: np.ndarray,
    seed_comp: np.ndarray,
    ks: np.ndarray,
    limits: tuple[float, float, float],
    n_locked: int,
) -> tuple[np.ndarray, list[int], list[bool]]:
    """Zone each free piece of the network into its share of the zones (largest first).

    Zones are numbered north to south, west to east within a piece, seeds first in the
    order given (so seed j is the centre of zone j). Returns every unit's label, each
    zone's centre (-1 for the locked zones) and whether it is fixed (a seed).
    """
    free, comp, comp_hours = components
    floor, cap, total = limits
    labels = lock_labels.copy()
    centres = np.full(n_locked, -1, dtype=np.intp).tolist()
    fixed = [False] * n_locked
    rng = make_rng(zoner.random_state)
    next_label = n_locked
    for c in np.argsort(-comp_hours, kind="stable"):
        if ks[c] == 0:
            continue
        members = free[comp == c]
        local = pd.Index(members)
        g = units.graph[members][:, members]
        mine = seeds[seed_comp == c]
        res = _solve_component(
            g,
            w[members],
            units.xy[members],
            ks[c],
            local.get_indexer(mine),
            floor,
            cap,
            zoner,
            rng,
            auto=zoner.n_zones == "auto",
            total=total,
            n_locked=n_locked,
        )
        order = np.lexsort((units.xy[members[res.centres], 0], -units.xy[members[res.centres], 1]))
        if len(mine):  # seeds first, in the order given, so seed j is the centre of zone j
            order = np.r_[np.arange(len(mine)), [o for o in order if o >= len(mine)]]
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        labels[members] = next_label + rank[res.labels]
        centres += members[res.centres[order]].tolist()
        fixed += [bool(o < len(mine)) for o in order]
        next_label += len(order)
    return labels, centres, fixed


def _free_ids(n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    i = 1
    width = max(2, len(str(n)))
    while len(out) < n:
        name = f"Z{i:0{width}d}"
        if name not in taken:
            out.append(name)
        i += 1
    return out


def _infeasible(
    total: float, floor: float, asked: int, n_locked: int, detail: str = ""
) -> InfeasibleError:
    support = supported_zones(total, floor)
    locked = f" (with {n_locked} locked)" if n_locked else ""
    return InfeasibleError(
        f"{total:.0f} weekly hours support at most {support} zones of at least {floor:g} h/week; "
        f"{asked} zones were asked for{locked}.{detail}"
    )


def _allocate(
    hours: np.ndarray,
    seeds: np.ndarray,
    k_free: int | None,
    floor: float,
    cap: float,
    total: float,
    n_locked: int,
) -> np.ndarray:
    """Zones per free piece of the network (several only when locked zones cut it)."""
    most = np.floor(hours / floor + 1e-9).astype(int)
    least = np.maximum(seeds, np.where(hours >= floor, 1, 0))
    if np.isfinite(cap):
        least = np.maximum(least, np.ceil(hours / cap - 1e-9).astype(int))
    if ((least > most).any() and (least > most)[hours >= floor].any()) or (seeds > most).any():
        asked = int(least.sum()) + n_locked if k_free is None else k_free + n_locked
        raise _infeasible(
            total, floor, asked, n_locked, " The seeds or the cap need more zones than that."
        )
    if k_free is None:
        if most.sum() == 0 and n_locked == 0:
            raise _infeasible(total, floor, 1, n_locked)
        return most
    if k_free > most.sum() or k_free < least.sum():
        raise _infeasible(total, floor, k_free + n_locked, n_locked)
    ks = least.copy()
    while ks.sum() < k_free:
        room = np.where(ks < most, hours / (ks + 1), -1)
        ks[int(np.argmax(room))] += 1
    return ks


def _solve_component(
    g: Any,
    w: np.ndarray,
    xy: np.ndarray,
    k: int,
    seeds: np.ndarray,
    floor: float,
    cap: float,
    zoner: NeighbourhoodZoner,
    rng: np.random.Generator,
    *,
    auto: bool,
    total: float,
    n_locked: int,
) -> Any:
    lowest = max(len(seeds), 1, int(np.ceil(w.sum() / cap - 1e-9)) if np.isfinite(cap) else 1)
    g = prepare(g, w, xy)  # one table of times for every attempt and zone count
    while True:
        for attempt in range(2):
            t0 = time.perf_counter()
            res = partition_connected(
                g, w, xy, k, floor=floor, cap=cap, seeds=seeds, random_state=rng,
                n_init=zoner.n_init * (1 + attempt),
            )  # fmt: skip
            logger.info(
                "%d zones, attempt %d: %s in %.1f s", k, attempt + 1,
                "meets the floor" if res.feasible else "below the floor", time.perf_counter() - t0,
            )  # fmt: skip
            if res.feasible:
                return res
            if auto:
                break
        if not auto or k <= lowest:
            raise _infeasible(
                total,
                floor,
                k + n_locked,
                n_locked,
                " No split into that many connected zones meeting the floor was found;"
                " ask for fewer zones or a lower floor.",
            )
        k -= 1
