"""The table adapter: a routing problem from visits, carers and a travel network.

Places are the carers' homes and the clients' homes; travel seconds between them come
from :func:`carezones.travel_time_matrix`, one matrix per mode the carers use. Walking and
cycling distances are the times at the mode's constant speed; driving distances are
measured along the fastest path of each leg actually driven, after solving.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from carezones.exceptions import FarFromNetworkWarning, Problem, ProblemCollector, ValidationError
from carezones.network import (
    MAX_SNAP_DISTANCE,
    MODES,
    TravelNetwork,
    snap_points,
    travel_time_matrix,
)
from carezones.routing.links import links_from_visits
from carezones.routing.model import RoutingModel
from carezones.routing.problem import RoutingParams, RoutingProblem
from carezones.routing.result import RoutingResult

__all__ = ["ZoneMatrices", "build_problem", "zone_matrices", "problem_from_matrices"]

VISIT_COLUMNS = ["visit_id", "client_id", "window_start", "window_end", "duration", "carers_needed"]
CARER_COLUMNS = ["carer_id", "mode", "shift_start", "shift_end"]


def _missing(frame: pd.DataFrame, name: str, columns: list[str]) -> list[Problem]:
    return [
        Problem(name, "missing column", f"a column {c!r}", "none", column=c)
        for c in columns
        if c not in frame.columns
    ]


def _add_links(m: RoutingModel, visits: pd.DataFrame, handles: dict[str, Any]) -> None:
    """Tie the visits the table links (``link_id``, ``link_role``, ``min_gap``, ``max_gap``)."""
    links = links_from_visits(visits)
    for row in links.itertuples(index=False):
        m.add_link(
            handles[str(row.first)],
            handles[str(row.second)],
            min_gap=round(float(row.min_gap) * 60),
            max_gap=round(float(row.max_gap) * 60),
            different_carers=bool(row.different_carers),
        )


def check_tables(visits: pd.DataFrame, carers: pd.DataFrame, network: TravelNetwork) -> None:
    """Raise once listing every problem in the visits and carers tables."""
    problems = _missing(visits, "visits", VISIT_COLUMNS) + _missing(carers, "carers", CARER_COLUMNS)
    if not isinstance(carers, gpd.GeoDataFrame):
        problems.append(
            Problem(
                "carers",
                "no home locations",
                "a GeoDataFrame with Point homes",
                type(carers).__name__,
            )
        )
    if problems:
        raise ValidationError(problems)
    for frame, name, key in ((visits, "visits", "visit_id"), (carers, "carers", "carer_id")):
        dup = frame[key][frame[key].duplicated()]
        problems += [
            Problem(name, "duplicate id", "unique ids", f"{v!r} twice", column=key)
            for v in dup.unique()
        ]
    for row in visits.itertuples(index=False):
        where = f"visit {row.visit_id!r}"
        if not (row.window_end >= row.window_start):
            problems.append(
                Problem(
                    "visits",
                    "window ends before it starts",
                    "window_end >= window_start",
                    f"{row.window_start} to {row.window_end}",
                    row=where,
                )
            )
        elif row.window_end - row.window_start < row.duration:
            problems.append(
                Problem(
                    "visits",
                    "longer than its window",
                    f"a window of at least its {row.duration} minutes (it must end by window_end)",
                    f"{row.window_start} to {row.window_end}",
                    row=where,
                    column="duration",
                )
            )
        if not (row.duration > 0):
            problems.append(
                Problem(
                    "visits",
                    "bad duration",
                    "minutes > 0",
                    repr(row.duration),
                    row=where,
                    column="duration",
                )
            )
        if row.carers_needed not in (1, 2):
            problems.append(
                Problem(
                    "visits",
                    "bad carers_needed",
                    "1 or 2",
                    repr(row.carers_needed),
                    row=where,
                    column="carers_needed",
                )
            )
    for row in carers.itertuples(index=False):
        where = f"carer {row.carer_id!r}"
        if row.mode not in MODES or row.mode not in network.modes:
            problems.append(
                Problem(
                    "carers",
                    "unknown mode",
                    "one of " + ", ".join(network.modes),
                    repr(row.mode),
                    row=where,
                    column="mode",
                )
            )
        if not (row.shift_end >= row.shift_start):
            problems.append(
                Problem(
                    "carers",
                    "shift ends before it starts",
                    "shift_end >= shift_start",
                    f"{row.shift_start} to {row.shift_end}",
                    row=where,
                )
            )
    if problems:
        raise ValidationError(problems)


def visit_points(visits: pd.DataFrame, clients: gpd.GeoDataFrame | None) -> gpd.GeoSeries:
    """One point per client of the visits, indexed by ``client_id``."""
    if isinstance(visits, gpd.GeoDataFrame) and clients is None:
        pts = visits.drop_duplicates("client_id").set_index("client_id").geometry
        return gpd.GeoSeries(pts, crs=visits.crs)
    if clients is None or not isinstance(clients, gpd.GeoDataFrame):
        raise ProblemCollector("clients").error(
            "no client locations",
            "clients=... a GeoDataFrame with client_id and Point geometry",
            "none" if clients is None else type(clients).__name__,
        )
    if "client_id" not in clients.columns:
        raise ProblemCollector("clients").error(
            "missing column", "a column 'client_id'", "none", column="client_id"
        )
    cl = clients.drop_duplicates("client_id").set_index("client_id")
    need = pd.unique(visits["client_id"])
    missing = [c for c in need if c not in cl.index]
    if missing:
        raise ValidationError(
            [
                Problem(
                    "visits",
                    "unknown client",
                    "a client in the clients table",
                    repr(c),
                    column="client_id",
                )
                for c in missing[:50]
            ]
        )
    return gpd.GeoSeries(cl.geometry.loc[need], crs=clients.crs)


@dataclass
class ZoneMatrices:
    """Travel seconds (and metres where known) per mode between a zone's places."""

    names: list[str]  # "carer:<id>" and "client:<id>"
    points: gpd.GeoSeries  # in the network's CRS, indexed by name
    seconds: dict[str, np.ndarray]
    metres: dict[str, np.ndarray | None]


def zone_matrices(
    network: TravelNetwork,
    carers: gpd.GeoDataFrame,
    client_points: gpd.GeoSeries,
    *,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> ZoneMatrices:
    """Matrices between every carer's home and every client, for each mode the carers use."""
    homes = carers.set_index("carer_id").geometry.to_crs(network.crs)
    pts = client_points.to_crs(network.crs)
    names = [f"carer:{c}" for c in homes.index] + [f"client:{c}" for c in pts.index]
    points = gpd.GeoSeries(
        list(homes.to_numpy()) + list(pts.to_numpy()), index=names, crs=network.crs
    )
    seconds, metres = {}, {}
    open_to = set(carers["mode"].astype(str))
    if "modes" in carers.columns:
        open_to |= {m for ms in carers["modes"].fillna("").astype(str) for m in ms.split(";")}
    for mode in [m for m in MODES if m in open_to]:
        snapped = snap_points(
            network, points, mode=mode, max_snap_distance=max_snap_distance, where="places"
        )
        far_homes = [
            n[6:]
            for n, f in zip(names, snapped.far, strict=True)
            if f
            and n.startswith("carer:")
            and mode in set(carers.loc[carers["carer_id"].astype(str) == n[6:], "mode"])
        ]
        if far_homes:
            warnings.warn(
                f"{len(far_homes)} {mode} carer home(s) farther than {max_snap_distance:.0f} m "
                f"from the {mode} network (e.g. carer {far_homes[0]!r}); "
                "their visits will be unreachable",
                FarFromNetworkWarning,
                stacklevel=3,
            )
        m = travel_time_matrix(network, snapped, mode=mode, far="inf")
        seconds[mode] = m
        metres[mode] = m * network.speeds.mps(mode) if mode in ("walk", "cycle") else None
    return ZoneMatrices(names, points, seconds, metres)


def known_pairs(known_carers: Any) -> set[tuple[str, str]]:
    if known_carers is None:
        return set()
    if isinstance(known_carers, pd.DataFrame):
        return {
            (str(a), str(b))
            for a, b in zip(known_carers["client_id"], known_carers["carer_id"], strict=True)
        }
    if isinstance(known_carers, Mapping):
        return {(str(k), str(c)) for k, cs in known_carers.items() for c in cs}
    return {(str(a), str(b)) for a, b in known_carers}


def _minutes(value: Any) -> int:
    return round(float(value) * 60)


def problem_from_matrices(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    mats: ZoneMatrices,
    *,
    known: Iterable[tuple[str, str]] = (),
    params: RoutingParams | None = None,
    network: TravelNetwork | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
    pair_price: Mapping[tuple[str, str], float] | None = None,
) -> RoutingProblem:
    """The routing problem of some visits and carers, given the zone's matrices.

    ``known`` pairs cost nothing; ``pair_price`` gives other pairs their own price.
    """
    params = params or RoutingParams()
    pos = {n: i for i, n in enumerate(mats.names)}
    need = [f"carer:{c}" for c in carers["carer_id"]] + [
        f"client:{c}" for c in pd.unique(visits["client_id"])
    ]
    idx = np.array([pos[n] for n in need], dtype=np.int64)
    m = RoutingModel()
    xy = mats.points.iloc[idx]
    locs = {
        n: m.add_location(name=n, x=float(p.x), y=float(p.y)) for n, p in zip(need, xy, strict=True)
    }
    profiles = {}
    for mode in mats.seconds:
        sub = np.ix_(idx, idx)
        dist = mats.metres[mode]
        profiles[mode] = m.add_profile(
            mats.seconds[mode][sub], distances=None if dist is None else dist[sub], name=mode
        )
    handles = {}
    for row in carers.itertuples(index=False):
        get = row._asdict()
        b = get.get("break_minutes", 0)
        b = 0 if b is None or pd.isna(b) else b
        handles[str(row.carer_id)] = m.add_carer(
            locs[f"carer:{row.carer_id}"],
            profile=profiles[row.mode],
            shift_start=_minutes(row.shift_start),
            shift_end=_minutes(row.shift_end),
            max_working=_minutes(get["max_minutes"])
            if pd.notna(get.get("max_minutes", np.nan))
            else None,
            break_duration=_minutes(b),
            break_start=_minutes(get.get("break_start", 0) if b else 0),
            break_end=_minutes(get.get("break_end", 24 * 60) if b else 24 * 60),
            skills=get.get("skills", "") or "",
            name=str(row.carer_id),
            split=str(get.get("shift_type", "") or "").lower() == "split",
        )
    visit_handles = {}
    for row in visits.itertuples(index=False):
        get = row._asdict()
        agreed = get.get("agreed_start")
        visit_handles[str(row.visit_id)] = m.add_visit(
            locs[f"client:{row.client_id}"],
            window_start=_minutes(row.window_start),
            window_end=_minutes(row.window_end),
            duration=_minutes(row.duration),
            carers_needed=int(row.carers_needed),
            skills=get.get("skills", "") or "",
            client=str(row.client_id),
            name=str(row.visit_id),
            agreed_start=None if agreed is None or pd.isna(agreed) else _minutes(agreed),
        )
    _add_links(m, visits, visit_handles)
    for client, carer in known:
        if carer in handles:
            m.add_known_carer(client, handles[carer])
    for (client, carer), price in (pair_price or {}).items():
        if carer in handles and (client, carer) not in known:
            m.add_known_carer(client, handles[carer], price=price)
    context = (
        NetworkContext(network, mats, idx.tolist(), max_snap_distance)
        if network is not None
        else None
    )
    return m.compile(params, context=context)


def build_problem(
    visits: pd.DataFrame,
    carers: gpd.GeoDataFrame,
    network: TravelNetwork,
    *,
    clients: gpd.GeoDataFrame | None = None,
    day: str | None = None,
    known_carers: Any = None,
    params: RoutingParams | None = None,
    max_snap_distance: float = MAX_SNAP_DISTANCE,
) -> RoutingProblem:
    """A routing problem from the visits and carers tables and the travel network.

    Parameters
    ----------
    visits
        The visits table (``docs/conventions.md``); a GeoDataFrame with the clients'
        points, or a DataFrame with ``clients`` given.
    carers
        The carers table, a GeoDataFrame of homes. Optional columns: ``max_minutes``,
        ``skills``, ``break_minutes``, ``break_start``, ``break_end`` (an unpaid break and
        the window it must fall in), ``days`` (``"monday;tuesday"``: days worked).
    network
        The travel networks, one per mode the carers use.
    clients
        The clients GeoDataFrame (``client_id`` and Point geometry).
    day
        {"monday", ..., "sunday"} Keep only that day's visits and the carers working it.
    known_carers
        Carers each client already knows (no continuity penalty): a DataFrame
        (``client_id``, ``carer_id``), a mapping client to carer ids, or pairs.
    params
        Rules and penalties; default ``RoutingParams()`` (visits start
        on whole minutes).
    max_snap_distance
        Metres; places farther from a mode's network cannot be reached in that mode.

    Returns
    -------
    RoutingProblem
        With travel seconds per mode, ready for :func:`carezones.routing.solve`;
        its results can draw their legs with ``to_geodataframe()``.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from carezones import datasets
    >>> from carezones.routing import Budget, build_problem, solve
    >>> net = datasets.load_default_network(modes=("walk", "cycle"))
    >>> clients = gpd.GeoDataFrame({"client_id": ["c1", "c2"]},
    ...     geometry=gpd.points_from_xy([24.9384, 24.9450], [60.1699, 60.1650]), crs=4326)
    >>> visits = pd.DataFrame({"visit_id": ["v1", "v2"], "client_id": ["c1", "c2"],
    ...     "window_start": [480, 540], "window_end": [540, 600], "duration": [30, 45],
    ...     "carers_needed": [1, 1], "skills": ["", ""]})
    >>> carers = gpd.GeoDataFrame({"carer_id": ["ann"], "mode": ["cycle"], "shift_start": [420],
    ...     "shift_end": [720], "max_minutes": [300], "skills": [""]},
    ...     geometry=gpd.points_from_xy([24.9400], [60.1680]), crs=4326)
    >>> result = solve(build_problem(visits, carers, net, clients=clients),
    ...                budget=Budget(max_iterations=50))
    >>> result.routes["visit_id"].tolist(), result.validate().empty
    (['v1', 'v2'], True)
    """
    check_tables(visits, carers, network)
    if day is not None:
        day = str(day).lower()
        if "day" in visits.columns:
            visits = visits[visits["day"].astype(str).str.lower() == day]
        if "days" in carers.columns:
            works = carers["days"].fillna("").astype(str).str.lower().str.split(";")
            carers = carers[works.map(lambda d: day in [x.strip() for x in d])]
    pts = visit_points(visits, clients)
    mats = zone_matrices(network, carers, pts, max_snap_distance=max_snap_distance)
    return problem_from_matrices(
        visits,
        carers,
        mats,
        known=known_pairs(known_carers),
        params=params,
        network=network,
        max_snap_distance=max_snap_distance,
    )


@dataclass(eq=False)
class NetworkContext:
    """What a result needs to measure and draw its legs on the network (not pickled)."""

    network: TravelNetwork | None
    mats: ZoneMatrices
    positions: list[int]  # problem location -> row of the zone's matrices
    max_snap_distance: float = MAX_SNAP_DISTANCE
    _edges: dict[str, dict[tuple[int, int], tuple[float, Any]]] = field(
        default_factory=dict, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["network"] = None
        state["_edges"] = {}
        return state

    def _need_network(self) -> TravelNetwork:
        if self.network is None:
            raise ProblemCollector("to_geodataframe").error(
                "no network",
                "the result's network attached",
                "a result that travelled between processes without it",
            )
        return self.network

    def _edge_table(self, mode: str) -> dict[tuple[int, int], tuple[float, Any]]:
        if mode not in self._edges:
            net = self._need_network()
            index = net.index(mode)
            pos = pd.Index(index.node_ids)
            e = net.edges[mode]
            u = pos.get_indexer(e.index.get_level_values("u"))
            v = pos.get_indexer(e.index.get_level_values("v"))
            order = np.argsort(e["travel_time"].to_numpy(), kind="stable")[::-1]
            lengths = e["length"].to_numpy(float)
            geoms = e.geometry.to_numpy()
            table = {}
            for i in order:  # the quickest parallel edge is written last
                table[(int(u[i]), int(v[i]))] = (float(lengths[i]), geoms[i])
            self._edges[mode] = table
        return self._edges[mode]

    def _paths(self, mode: str, pairs: list[tuple[int, int]]) -> list[tuple[list[int], Any, Any]]:
        """Node paths between places (matrix positions) in ``mode``, with both snaps."""
        net = self._need_network()
        places = sorted({p for pair in pairs for p in pair})
        pts = self.mats.points.iloc[places]
        snapped = snap_points(
            net, pts, mode=mode, max_snap_distance=self.max_snap_distance, where="places"
        )
        node = dict(zip(places, snapped.position.tolist(), strict=True))
        origins = sorted({node[a] for a, _ in pairs})
        _, pred = dijkstra(
            net.index(mode).csr, directed=True, indices=origins, return_predecessors=True
        )
        row = {o: i for i, o in enumerate(origins)}
        out = []
        for a, b in pairs:
            src, dst = node[a], node[b]
            path = [dst]
            p = pred[row[src]]
            while path[-1] != src and path[-1] >= 0:
                path.append(int(p[path[-1]]))
            path.reverse()
            if path[0] != src:
                path = []
            out.append((path, self.mats.points.iloc[a], self.mats.points.iloc[b]))
        return out

    def leg_distances(self, legs: list[tuple[str, int, int]]) -> list[float]:
        """Metres along the network of each leg ``(mode, from, to)`` (problem locations)."""
        out = [np.nan] * len(legs)
        names = self.positions
        for mode in {m for m, _, _ in legs}:
            which = [i for i, (m, _, _) in enumerate(legs) if m == mode]
            pairs = [(names[legs[i][1]], names[legs[i][2]]) for i in which]
            table = self._edge_table(mode)
            xy = self._need_network().index(mode).xy
            for i, (path, pa, pb) in zip(which, self._paths(mode, pairs), strict=True):
                if not path:
                    continue
                d = sum(table[(path[k], path[k + 1])][0] for k in range(len(path) - 1))
                d += float(np.hypot(*(xy[path[0]] - (pa.x, pa.y)))) + float(
                    np.hypot(*(xy[path[-1]] - (pb.x, pb.y)))
                )
                out[i] = d if legs[i][1] != legs[i][2] else 0.0
        return out

    def legs_geodataframe(
        self, result: RoutingResult, privacy_trim_m: float = 0.0
    ) -> gpd.GeoDataFrame:
        """Each leg of ``result`` along the network (see ``RoutingResult.to_geodataframe``)."""
        problem = result.problem
        loc_pos = {n: i for i, n in enumerate(self.mats.names)}
        legs = []
        for carer, group in result.routes.groupby("carer_id", sort=False):
            c = problem.carer_ids.index(carer)
            mode = problem.profile_names[int(problem.carer_profile[c])]
            stops = (
                [f"carer:{carer}"]
                + [f"client:{x}" for x in group["client_id"]]
                + [f"carer:{carer}"]
            )
            ids = [carer, *group["visit_id"], carer]
            travel = [*group["travel_seconds"], None]
            for k in range(len(stops) - 1):
                legs.append(
                    {
                        "carer_id": carer,
                        "sequence": k + 1,
                        "from_id": ids[k],
                        "to_id": ids[k + 1],
                        "mode": mode,
                        "_a": loc_pos[stops[k]],
                        "_b": loc_pos[stops[k + 1]],
                        "travel_seconds": travel[k],
                    }
                )
        frame = pd.DataFrame(legs)
        geoms: list[Any] = [None] * len(frame)
        dists = [np.nan] * len(frame)
        for mode in pd.unique(frame["mode"]) if len(frame) else []:
            which = np.flatnonzero(frame["mode"].to_numpy() == mode)
            table = self._edge_table(mode)
            pairs = [(int(frame["_a"].iat[i]), int(frame["_b"].iat[i])) for i in which]
            for i, (path, pa, pb) in zip(which, self._paths(mode, pairs), strict=True):
                coords = [(pa.x, pa.y)]
                for k in range(len(path) - 1):
                    g = table[(path[k], path[k + 1])][1]
                    coords.extend(shapely.get_coordinates(g).tolist())
                coords.append((pb.x, pb.y))
                line = shapely.LineString(coords if len(coords) > 1 else coords * 2)
                dists[i] = float(line.length)
                if privacy_trim_m > 0 and line.length > 2 * privacy_trim_m:
                    line = shapely.ops.substring(line, privacy_trim_m, line.length - privacy_trim_m)
                geoms[i] = line
        frame["distance_m"] = dists
        home = frame["to_id"] == frame["carer_id"]
        if len(frame):
            back = result.shifts.set_index("carer_id")["return_travel_seconds"]
            frame.loc[home, "travel_seconds"] = frame.loc[home, "carer_id"].map(back).to_numpy()
        frame = frame.drop(columns=["_a", "_b"])
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=self._need_network().crs)
