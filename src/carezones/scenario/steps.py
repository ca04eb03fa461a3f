"""The steps of :func:`carezones.scenario.run_scenario`: network, tables, demand, carers' zones."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from carezones import datasets
from carezones.demand import GroupStaffing, read_carers, read_clients, read_providers, staff_groups
from carezones.network import (
    TravelNetwork,
    extract_boundary,
    load_network,
    osm_places,
    read_boundary,
)
from carezones.scenario.definition import Scenario

__all__ = [
    "DENSE_RADIUS_M",
    "Clock",
    "boundary_of",
    "dense_areas",
    "grow_demand",
    "load_tables",
    "mix_modes",
    "network_of",
    "osm_path",
    "staff_carers",
]

logger = logging.getLogger("carezones.scenario")

_NETWORKS: dict[tuple[str, tuple[str, ...], str], TravelNetwork] = {}


def osm_path(scenario: Scenario) -> Path:
    """The OSM file a scenario's ``[network] source`` names (:func:`datasets.osm_source`)."""
    return datasets.osm_source(
        scenario.network.source, base_dir=scenario.base_dir, where=f"{scenario.where} [network]",
        column="source",
    )


_PLACES: dict[Path, gpd.GeoDataFrame] = {}
_BOUNDARIES: dict[tuple[str, str], gpd.GeoDataFrame | None] = {}


def boundary_of(scenario: Scenario) -> gpd.GeoDataFrame | None:
    """The area the scenario serves (``[network] boundary``), or None; read once per file.

    "extract": the extract's administrative area holding most of its streets (None, with
    a warning in the log, when it has none); otherwise a polygons file, relative to the
    scenario file.
    """
    option = scenario.network.boundary
    if option is None:
        return None
    path = osm_path(scenario)
    key = (str(path), option if option == "extract" else str(Path(scenario.base_dir) / option))
    if key not in _BOUNDARIES:
        if option == "extract":
            modes = scenario.network.modes
            nodes = network_of(scenario).nodes["walk" if "walk" in modes else modes[0]]
            found = extract_boundary(path, nodes.geometry)
            if found is None:
                logger.warning("%s has no administrative boundary: not clipped", path.name)
        else:
            file = Path(option)
            found = read_boundary(file if file.is_absolute() else Path(scenario.base_dir) / file)
        _BOUNDARIES[key] = found
    return _BOUNDARIES[key]


def places_of(scenario: Scenario) -> gpd.GeoDataFrame:
    """The named places of the scenario's extract (zone names), read once per file."""
    path = osm_path(scenario)
    if path not in _PLACES:
        _PLACES[path] = osm_places(path)
    return _PLACES[path]


def network_of(scenario: Scenario) -> TravelNetwork:
    """The scenario's networks; the last two loaded in this process are kept in memory."""
    path = osm_path(scenario)
    speeds = scenario.network.speeds
    key = (str(path.resolve()), scenario.network.modes, repr(speeds.to_dict()))
    if key not in _NETWORKS:
        if len(_NETWORKS) >= 2:
            _NETWORKS.pop(next(iter(_NETWORKS)))
        _NETWORKS[key] = load_network(path, modes=scenario.network.modes, speeds=speeds)
    return _NETWORKS[key]


def load_tables(
    scenario: Scenario, network: TravelNetwork
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Clients, carers and providers: generated (``[population]``) or read (``[data]``)."""
    if scenario.population is not None:
        p = scenario.population
        return datasets.synthetic_population(
            network,
            n_clients=p.n_clients,
            n_carers=p.n_carers,
            n_providers=p.n_providers,
            total_weekly_hours=p.total_weekly_hours,
            random_state=p.seed,
            access=p.access,
            mode_shares=p.mode_shares,
            area=boundary_of(scenario),
        )
    assert scenario.data is not None
    base = Path(scenario.base_dir)

    def path(name: str) -> Path:
        return base / name if not Path(name).is_absolute() else Path(name)

    d = scenario.data
    providers = read_providers(path(d.providers), network=network) if d.providers else None
    clients = read_clients(path(d.clients), network=network, providers=providers)
    if d.carers.strip().lower() == "auto":  # a workforce sized to these clients
        carers = datasets.synthetic_carers(
            network, clients.to_crs(network.crs), random_state=scenario.seed,
            area=boundary_of(scenario),
        )  # fmt: skip
    else:
        carers = read_carers(path(d.carers), network=network, providers=providers)
    if providers is None:
        ids = sorted(
            set(clients.get("provider_id", pd.Series(dtype=str)).replace("", np.nan).dropna())
            | set(carers.get("provider_id", pd.Series(dtype=str)).replace("", np.nan).dropna())
        )
        providers = pd.DataFrame({"provider_id": ids, "name": ids, "capacity_hours": np.nan})
    return clients.to_crs(network.crs), carers.to_crs(network.crs), providers


def grow_demand(
    clients: gpd.GeoDataFrame, growth: float, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """More (or fewer) clients, as copies of existing ones.

    ``round(|growth| * n)`` clients drawn at random are copied, in their homes (new ids
    ``"{client_id}-g{k}"``), or, when ``growth`` is negative, removed.
    """
    n = round(abs(growth) * len(clients))
    if n == 0:
        return clients
    if growth < 0:
        drop = rng.choice(len(clients), size=min(n, len(clients) - 1), replace=False)
        return clients.drop(index=clients.index[np.sort(drop)]).reset_index(drop=True)
    pick = rng.choice(len(clients), size=n, replace=n > len(clients))
    copies = clients.iloc[np.sort(pick)].copy()
    rank = copies.groupby("client_id").cumcount() + 1
    copies["client_id"] = copies["client_id"].astype(str) + "-g" + rank.astype(str)
    out = pd.concat([clients, copies], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=clients.crs)


def mix_modes(
    carers: gpd.GeoDataFrame, shares: dict[str, float], rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Carers fixed to one mode each, in ``shares`` (largest remainder): a what-if assumption.

    A carer keeps their planning mode while it has room; the others are drawn at random.
    Each carer's ``modes`` becomes that one mode, so no mode is chosen by the plan.
    """
    modes = [m for m in shares if shares[m] > 0]
    total = sum(shares[m] for m in modes)
    raw = np.array([shares[m] / total * len(carers) for m in modes])
    target = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - target), kind="stable")[: len(carers) - target.sum()]:
        target[i] += 1
    room = dict(zip(modes, target, strict=True))
    order = rng.permutation(len(carers))
    current = carers["mode"].astype(str).to_numpy()
    new = np.empty(len(carers), dtype=object)
    for i in order:
        if room.get(current[i], 0) > 0:
            new[i] = current[i]
            room[current[i]] -= 1
    for i in order:
        if new[i] is None:
            m = next(m for m in modes if room[m] > 0)
            new[i] = m
            room[m] -= 1
    out = carers.copy()
    out["mode"] = new.astype(str)
    out["modes"] = new.astype(str)
    return out


def _preference(
    carers: gpd.GeoDataFrame,
    clients: pd.DataFrame,
    groups: list[str],
    recruitment: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """How much each group prefers each carer, lowest first.

    "local": the median straight-line distance from the carer's home to the group's
    clients (a group recruiting near its clients), a zone's own residents (``home_zone_id``)
    before everyone else; "anywhere": random numbers (a group recruiting wherever it finds
    carers).
    """
    if recruitment == "anywhere":
        return rng.random((len(carers), len(groups)))
    homes = carers.geometry.to_crs(clients.crs)
    hx, hy = homes.x.to_numpy(), homes.y.to_numpy()
    cx, cy = clients.geometry.x.to_numpy(), clients.geometry.y.to_numpy()
    of = clients["zone_id"].astype(object).to_numpy()
    out = np.full((len(carers), len(groups)), np.inf)
    for g, name in enumerate(groups):
        mine = np.flatnonzero(of == name)
        if len(mine):
            d = np.hypot(hx[:, None] - cx[None, mine], hy[:, None] - cy[None, mine])
            out[:, g] = np.median(d, axis=1)
    if "home_zone_id" in carers.columns:
        home = carers["home_zone_id"].astype(object).to_numpy()
        for g, name in enumerate(groups):
            out[home == name, g] -= 1e9  # residents first, the nearest of them first
    return out


def staff_carers(
    carers: gpd.GeoDataFrame,
    clients: gpd.GeoDataFrame,
    visits: pd.DataFrame,
    groups: list[str],
    *,
    recruitment: str,
    rng: np.random.Generator,
) -> GroupStaffing:
    """Deal the carers to providers or zones, each staffed against its own demand.

    The same rule in every scenario (:func:`carezones.staff_groups`): each group (the
    clients' ``zone_id``: a provider in "then", a zone in "now") against its own
    day-slots, shifts and skills, from ``visits`` (a week of the in-person visits);
    ``recruitment`` ("local" or "anywhere") says which carers a group weighs first.
    """
    pref = _preference(carers, clients, groups, recruitment, rng)
    zone_of = clients.drop_duplicates("client_id").set_index("client_id")["zone_id"]
    group = visits["client_id"].map(zone_of).astype(object).to_numpy()
    return staff_groups(visits, carers, groups, group, pref)


#: The radius (m) street density is measured in around a client (:func:`dense_areas`).
DENSE_RADIUS_M = 400.0


def dense_areas(network: TravelNetwork, points: gpd.GeoSeries, threshold: float) -> np.ndarray:
    """Whether each point lies in a dense area, where a driver must park.

    Dense: the walking network has at least ``threshold`` km of street per km² within
    :data:`DENSE_RADIUS_M` of the point (each street counted once, either direction).
    False everywhere without a walking network.
    """
    mode = "walk"
    if mode not in network.modes or not len(points):
        return np.zeros(len(points), dtype=bool)
    edges = network.edges[mode]
    u = edges.index.get_level_values("u").to_numpy()
    v = edges.index.get_level_values("v").to_numpy()
    once = u <= v
    ways = edges[once]
    middle = ways.geometry.interpolate(0.5, normalized=True)
    tree = cKDTree(np.column_stack([middle.x.to_numpy(), middle.y.to_numpy()]))
    length = ways["length"].to_numpy(dtype=float)
    pts = points.to_crs(network.crs)
    near = tree.query_ball_point(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]),
                                 DENSE_RADIUS_M)  # fmt: skip
    area_km2 = np.pi * DENSE_RADIUS_M**2 / 1e6
    km = np.array([length[i].sum() / 1000.0 for i in near])
    return km / area_km2 >= threshold


class Clock:
    """The steps of one scenario run: their timings, the log and the progress callback."""

    def __init__(self, name: str, progress: Callable[[str], None] | None) -> None:
        self.name = name
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._step: tuple[str, float] | None = None

    def step(self, name: str) -> None:
        """End the current step and start ``name``."""
        self.stop()
        logger.info("scenario %s: %s", self.name, name)
        if self.progress is not None:
            self.progress(name)
        self._step = (name, time.perf_counter())

    def stop(self) -> None:
        """End the current step, recording its time."""
        if self._step is not None:
            self.timings[self._step[0]] = time.perf_counter() - self._step[1]
            self._step = None

    @property
    def total(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.t0
