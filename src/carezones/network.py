"""Travel networks per mode (walk, cycle, drive) from OpenStreetMap.

:func:`load_network` reads an OSM extract with pyrosm, keeps the ways each mode may use,
keeps the largest strongly connected part of each mode's graph, projects it to a metric
CRS (British National Grid inside Great Britain, the local UTM zone elsewhere) and puts
``length`` (m), ``speed_kph`` and ``travel_time`` (s) on every edge. The result is a
:class:`TravelNetwork`, cached on disk so loading the same file again is fast.

Which ways each mode may use
---------------------------
The way filters are pyrosm's, which follow osmnx's ``walk``, ``bike`` and ``drive``
filters and OSM's access hierarchy:

- walk: footways, paths, pedestrian streets, steps, living streets, crossings, tracks and
  roads; never motorways or cycleways; ``foot=no`` / ``access=private`` (unless
  ``foot=yes``) and ``service=private`` excluded; a road whose sidewalk is mapped as a
  separate way is left out so the pavement is not counted twice. Walking is two-way.
- cycle: cycleways, paths, tracks and roads; never motorways, footways or steps, except
  footways, pedestrian streets and bridleways that carry ``bicycle=yes``, ``designated``
  or ``permissive`` (the UK's shared-use paths), which carezones adds;
  ``bicycle=no`` / ``access=private`` excluded; one-way streets honoured, with
  ``oneway:bicycle=no`` contraflow.
- drive: osmnx's ``drive`` rules: roads open to cars, without service roads, honouring
  ``oneway``.

Buildings, landuse and every other non-highway way never become edges.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS

from . import _osm
from ._cache import (
    _CACHE_VERSION,
    _cache_folder,
    _read_frame,
    _records,
    _save_atomically,
    _write_frame,
    _write_text_atomically,
)
from .exceptions import Problem, ValidationError

if TYPE_CHECKING:
    from scipy import sparse
    from scipy.spatial import cKDTree

__all__ = ["MODES", "Speeds", "TravelNetwork", "load_network", "choose_crs"]

logger = logging.getLogger(__name__)

#: The travel modes carezones knows.
MODES: tuple[str, ...] = ("walk", "cycle", "drive")

_PYROSM_TYPE = {"walk": "walking", "cycle": "cycling", "drive": "driving"}

# National speed limits (km/h) by road type, used where a way has no readable ``maxspeed``
# (GB limits: 70 mph motorways, 60 mph single-carriageway national limit, 30 mph in built-up
# areas; 20 mph for living streets and service roads).
_DRIVE_DEFAULT_KMH: dict[str, float] = {
    "motorway": 112.7,
    "motorway_link": 80.5,
    "trunk": 96.6,
    "trunk_link": 64.4,
    "primary": 80.5,
    "primary_link": 48.3,
    "secondary": 64.4,
    "secondary_link": 48.3,
    "tertiary": 48.3,
    "tertiary_link": 48.3,
    "unclassified": 48.3,
    "residential": 48.3,
    "living_street": 16.1,
    "service": 16.1,
    "road": 48.3,
}


@dataclass(frozen=True)
class Speeds:
    """Travel speeds per mode.

    Parameters
    ----------
    walk_kmh
        Walking speed, km/h (default 4.8, a typical adult pace).
    cycle_kmh
        Cycling speed, km/h (default 15).
    drive_urban_factor
        Share of the speed limit a car keeps on average in town (junctions, traffic),
        in (0, 1]; default 0.6.
    drive_default_kmh
        Speed limit by ``highway`` value where a way has no readable ``maxspeed``;
        None gives the GB national limits. Types missing from the mapping use
        ``drive_fallback_kmh``.
    drive_fallback_kmh
        Speed limit for road types in neither ``maxspeed`` nor ``drive_default_kmh``.
    drive_access_kmh
        Speed at which a car covers the gap between a point and its nearest network node
        (parking, the last metres), km/h.

    Examples
    --------
    >>> Speeds(walk_kmh=4.0).mps("walk")
    1.1111111111111112
    >>> Speeds(walk_kmh=-1)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - Speeds, column 'walk_kmh': bad speed: expected a number > 0, found -1
    """

    walk_kmh: float = 4.8
    cycle_kmh: float = 15.0
    drive_urban_factor: float = 0.6
    drive_default_kmh: Mapping[str, float] | None = None
    drive_fallback_kmh: float = 48.3
    drive_access_kmh: float = 15.0

    def __post_init__(self) -> None:
        problems = []
        for name in ("walk_kmh", "cycle_kmh", "drive_fallback_kmh", "drive_access_kmh"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
                problems.append(
                    Problem("Speeds", "bad speed", "a number > 0", repr(value), column=name)
                )
        f = self.drive_urban_factor
        if not (isinstance(f, int | float) and 0 < f <= 1):
            problems.append(
                Problem(
                    "Speeds",
                    "bad factor",
                    "a number in (0, 1]",
                    repr(f),
                    column="drive_urban_factor",
                )
            )
        table = dict(_DRIVE_DEFAULT_KMH)
        if self.drive_default_kmh is not None:
            for key, value in dict(self.drive_default_kmh).items():
                if not (isinstance(value, int | float) and value > 0):
                    problems.append(
                        Problem(
                            "Speeds",
                            "bad speed",
                            "a number > 0",
                            repr(value),
                            column=f"drive_default_kmh[{key!r}]",
                        )
                    )
                table[str(key)] = float(value)
        if problems:
            raise ValidationError(problems)
        object.__setattr__(self, "drive_default_kmh", table)

    def mps(self, mode: str) -> float:
        """Speed in metres per second at which ``mode`` covers off-network distance."""
        kmh = {"walk": self.walk_kmh, "cycle": self.cycle_kmh, "drive": self.drive_access_kmh}
        return kmh[check_mode(mode)] / 3.6

    def to_dict(self) -> dict[str, Any]:
        """Return the speeds as a plain dict (for caches and reports)."""
        out = asdict(self)
        out["drive_default_kmh"] = dict(sorted(dict(self.drive_default_kmh or {}).items()))
        return out


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ValidationError."""
    if mode not in MODES:
        raise ValidationError(
            [Problem("mode", "unknown mode", "one of " + ", ".join(MODES), repr(mode))]
        )
    return mode


def _check_modes(modes: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(modes, str):
        modes = (modes,)
    modes = tuple(modes)
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValidationError(
            [Problem("modes", "unknown mode", "some of " + ", ".join(MODES), repr(m)) for m in bad]
            or [Problem("modes", "no mode", "at least one mode", "none")]
        )
    return tuple(dict.fromkeys(modes))


# --------------------------------------------------------------------------- CRS


# Great Britain (England, Scotland, Wales) in lon/lat, less the island of Ireland.
_GB_BOX = (-8.2, 49.8, 1.9, 60.95)
_IRELAND_BOX = (-10.7, 51.3, -5.4, 55.45)


def choose_crs(lon: np.ndarray, lat: np.ndarray) -> CRS:
    """Return the metric CRS for points at ``lon``/``lat`` (degrees).

    British National Grid (EPSG:27700) when their median lies in Great Britain, else the
    UTM zone of their median.

    Examples
    --------
    >>> choose_crs(np.array([-0.14]), np.array([51.54])).to_epsg()
    27700
    >>> choose_crs(np.array([24.94]), np.array([60.17])).to_epsg()
    32635
    """
    x, y = float(np.nanmedian(lon)), float(np.nanmedian(lat))

    def inside(box: tuple[float, float, float, float]) -> bool:
        return box[0] <= x <= box[2] and box[1] <= y <= box[3]

    if inside(_GB_BOX) and not inside(_IRELAND_BOX):
        return CRS.from_epsg(27700)
    zone = int((x + 180) // 6) + 1
    return CRS.from_epsg((32600 if y >= 0 else 32700) + zone)


# --------------------------------------------------------------------------- speeds


def _parse_maxspeed(values: pd.Series) -> np.ndarray:
    """km/h from OSM ``maxspeed`` text ("30 mph", "50", "20;30"); NaN where unreadable."""
    text = values.astype("string").str.lower()
    number = text.str.extract(r"(\d+(?:\.\d+)?)", expand=False).astype(float)
    mph = text.str.contains("mph", na=False).to_numpy()
    kmh = np.array(number, dtype=float)
    kmh[mph] *= 1.609344
    return kmh


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _edge_speeds(edges: pd.DataFrame, mode: str, speeds: Speeds) -> np.ndarray:
    """Speed in km/h for every edge of ``mode``."""
    n = len(edges)
    if mode == "walk":
        return np.full(n, speeds.walk_kmh)
    if mode == "cycle":
        return np.full(n, speeds.cycle_kmh)
    limit = (
        _parse_maxspeed(edges["maxspeed"].map(_first))
        if "maxspeed" in edges
        else np.full(n, np.nan)
    )
    table = dict(speeds.drive_default_kmh or {})
    default = (
        edges["highway"].map(_first).map(table).astype(float).fillna(speeds.drive_fallback_kmh)
    )
    limit = np.where(np.isfinite(limit) & (limit > 0), limit, default.to_numpy())
    return limit * speeds.drive_urban_factor


# --------------------------------------------------------------------------- network


@dataclass(frozen=True)
class _ModeIndex:
    """Arrays for fast queries on one mode: node ids, coordinates, KD-tree, CSR graph."""

    node_ids: np.ndarray
    xy: np.ndarray
    tree: cKDTree
    csr: sparse.csr_matrix


@dataclass(eq=False)
class TravelNetwork:
    """Projected travel networks for one area, one per mode.

    Build it with :func:`load_network`. ``nodes[mode]`` and ``edges[mode]`` are
    GeoDataFrames in osmnx's layout (nodes indexed by ``osmid`` with ``x``, ``y``; edges
    indexed by ``u``, ``v``, ``key`` with ``length`` in metres, ``speed_kph`` and
    ``travel_time`` in seconds); ``graphs[mode]`` is the same network as a networkx
    ``MultiDiGraph`` (built on first use).

    Parameters
    ----------
    nodes
        Mode to node GeoDataFrame.
    edges
        Mode to edge GeoDataFrame.
    crs
        The metric CRS of every frame.
    source
        Where the network came from (a file path or a place description).
    speeds
        The speeds used for ``travel_time``.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network(modes="walk")
    >>> net.modes
    ('walk',)
    >>> net.crs.is_projected
    True
    """

    nodes: dict[str, gpd.GeoDataFrame]
    edges: dict[str, gpd.GeoDataFrame]
    crs: CRS
    source: str
    speeds: Speeds = field(default_factory=Speeds)

    @property
    def modes(self) -> tuple[str, ...]:
        """The modes this network holds, in :data:`MODES` order."""
        return tuple(m for m in MODES if m in self.edges)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` of every mode's nodes, in :attr:`crs`."""
        b = np.array([frame.total_bounds for frame in self.nodes.values()])
        return (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )

    @cached_property
    def graphs(self) -> dict[str, nx.MultiDiGraph]:
        """Mode to projected networkx ``MultiDiGraph`` in osmnx's conventions."""
        return {mode: self.graph(mode) for mode in self.modes}

    def graph(self, mode: str) -> nx.MultiDiGraph:
        """Return one mode's network as a networkx ``MultiDiGraph`` (osmnx layout).

        Nodes carry ``x``, ``y`` and ``street_count``; edges carry every edge column that
        is not missing, ``geometry`` included, as :func:`osmnx.graph_from_gdfs` does.
        """
        self._require(mode)
        nodes, edges = self.nodes[mode], self.edges[mode]
        graph = nx.MultiDiGraph(crs=self.crs.to_string(), simplified=True, mode=mode)
        graph.add_nodes_from(
            zip(nodes.index, _records(nodes.drop(columns="geometry")), strict=True)
        )
        flat = edges.reset_index()
        ends = zip(
            flat["u"],
            flat["v"],
            flat["key"],
            _records(flat.drop(columns=["u", "v", "key"])),
            strict=True,
        )
        graph.add_edges_from(ends)
        return graph

    def _require(self, mode: str) -> None:
        check_mode(mode)
        if mode not in self.edges:
            raise ValidationError(
                [
                    Problem(
                        self.source,
                        "mode not loaded",
                        "one of " + ", ".join(self.modes),
                        repr(mode),
                        column="mode",
                    )
                ]
            )

    def index(self, mode: str) -> _ModeIndex:
        """Return the query arrays of ``mode`` (built once, then reused)."""
        self._require(mode)
        cache: dict[str, _ModeIndex] = self.__dict__.setdefault("_indexes", {})
        if mode not in cache:
            cache[mode] = _build_index(self.nodes[mode], self.edges[mode])
        return cache[mode]

    def summary(self, mode: str | None = None) -> pd.DataFrame:
        """Nodes, edges, km of network, area covered (km², convex hull) and CRS per mode.

        Examples
        --------
        >>> from carezones import datasets
        >>> net = datasets.load_default_network(modes="walk")
        >>> list(net.summary().columns)
        ['nodes', 'edges', 'km', 'area_km2', 'crs']
        """
        modes = self.modes if mode is None else (mode,)
        rows = []
        for m in modes:
            self._require(m)
            nodes, edges = self.nodes[m], self.edges[m]
            hull = nodes.geometry.union_all().convex_hull
            rows.append(
                {
                    "mode": m,
                    "nodes": len(nodes),
                    "edges": len(edges),
                    "km": float(edges["length"].sum() / 1000),
                    "area_km2": float(hull.area / 1e6),
                    "crs": self.crs.to_string(),
                }
            )
        return pd.DataFrame(rows).set_index("mode")

    def __repr__(self) -> str:
        parts = ", ".join(f"{m}: {len(self.nodes[m])} nodes" for m in self.modes)
        return f"TravelNetwork({self.source!r}, {self.crs.to_string()}, {parts})"

    # ------------------------------------------------------------------ cache

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the network to ``folder`` as GeoParquet (one nodes and one edges file per mode).

        Examples
        --------
        >>> import tempfile
        >>> from carezones import datasets
        >>> net = datasets.load_default_network(modes="walk")
        >>> with tempfile.TemporaryDirectory() as d:
        ...     again = TravelNetwork.load(net.save(d))
        >>> again.summary().equals(net.summary())
        True
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for mode in self.modes:
            _write_frame(self.nodes[mode].reset_index(), out / f"{mode}_nodes.parquet")
            _write_frame(self.edges[mode].reset_index(), out / f"{mode}_edges.parquet")
        meta = {
            "version": _CACHE_VERSION,
            "source": self.source,
            "crs": self.crs.to_wkt(),
            "speeds": self.speeds.to_dict(),
            "modes": list(self.modes),
        }
        (out / "network.json").write_text(json.dumps(meta, indent=1))
        return out

    @classmethod
    def load(
        cls, folder: str | os.PathLike[str], modes: Sequence[str] | None = None
    ) -> TravelNetwork:
        """Read a network written by :meth:`save`."""
        folder = Path(folder)
        meta = json.loads((folder / "network.json").read_text())
        crs = CRS.from_wkt(meta["crs"])
        modes = meta["modes"] if modes is None else modes
        nodes = {m: _read_frame(folder / f"{m}_nodes.parquet").set_index("osmid") for m in modes}
        edges = {
            m: _read_frame(folder / f"{m}_edges.parquet").set_index(["u", "v", "key"])
            for m in modes
        }
        return cls(nodes, edges, crs, meta["source"], Speeds(**meta["speeds"]))


def _build_index(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> _ModeIndex:
    from scipy import sparse
    from scipy.spatial import cKDTree

    node_ids = nodes.index.to_numpy(dtype=np.int64)
    xy = nodes[["x", "y"]].to_numpy(dtype=float)
    pos = pd.Index(node_ids)
    u = pos.get_indexer(edges.index.get_level_values("u"))
    v = pos.get_indexer(edges.index.get_level_values("v"))
    w = edges["travel_time"].to_numpy(dtype=float)
    # Parallel edges: keep the quickest. Zero-length edges get a tiny positive weight,
    # since a stored zero is not an edge for scipy.sparse.csgraph.
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w = u[first], v[first], np.maximum(w[first], 1e-9)
    n = len(node_ids)
    csr = sparse.csr_matrix((w, (u, v)), shape=(n, n))
    return _ModeIndex(node_ids=node_ids, xy=xy, tree=cKDTree(xy), csr=csr)


def load_network(
    source: str | os.PathLike[str] | tuple[float, float, float, float] | Any,
    *,
    modes: str | Iterable[str] = MODES,
    speeds: Speeds | None = None,
    simplify: bool = True,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    online: bool = False,
) -> TravelNetwork:
    """Load the travel networks of an area from an OSM extract (or, opt-in, from the web).

    Parameters
    ----------
    source
        An OSM file: ``.osm.pbf`` (read with pyrosm), ``.osm``, ``.osm.bz2`` or
        ``.osm.gz`` (converted to PBF once with pyosmium). With ``online=True`` also a
        place name, a ``(west, south, east, north)`` bounding box in degrees, or a
        shapely polygon in lon/lat, downloaded through osmnx.
    modes
        Some of {"walk", "cycle", "drive"}; default all three.
    speeds
        Travel speeds; default :class:`Speeds` ().
    simplify
        {True, False} Merge chains of degree-2 nodes into single edges (osmnx's
        simplification, keeping geometry). True by default.
    cache
        {True, False} Reuse (and write) the per-mode cache, keyed by the file's content,
        the mode, the speeds and ``simplify``.
    cache_dir
        Cache folder; default ``$CAREZONES_CACHE_DIR`` or ``~/.cache/carezones``.
    online
        {False, True} Allow a download through osmnx when ``source`` is not a file.

    Returns
    -------
    TravelNetwork
        The projected networks, one per mode.

    Raises
    ------
    ValidationError
        For a missing file, a file that is not OSM, a mode with no usable ways, an
        unknown mode, or a place given while ``online`` is False.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = load_network(datasets.default_osm_path(), modes=("walk", "drive"))
    >>> net.modes
    ('walk', 'drive')
    >>> edges = net.edges["walk"]
    >>> bool(np.allclose(edges["travel_time"], edges["length"] / (4.8 / 3.6)))
    True
    """
    modes = _check_modes(modes)
    speeds = Speeds() if speeds is None else speeds
    if not isinstance(source, str | os.PathLike) or (
        online and not str(source).lower().endswith(_osm.OSM_SUFFIXES)
    ):
        if not online:
            raise ValidationError(
                [
                    Problem(
                        "source",
                        "not a file",
                        "an OSM file path (or online=True to download a place)",
                        type(source).__name__,
                    )
                ]
            )
        from ._online import download_network

        return download_network(source, modes=modes, speeds=speeds)
    path = _osm.check_osm_path(source)
    folder = _osm.cache_dir(cache_dir) if cache else None
    entry = _cache_folder(folder, _osm.file_digest(path), speeds, simplify) if folder else None
    crs_file = entry / "crs.wkt" if entry else None
    crs = CRS.from_wkt(crs_file.read_text()) if crs_file and crs_file.exists() else None
    nodes: dict[str, gpd.GeoDataFrame] = {}
    edges: dict[str, gpd.GeoDataFrame] = {}
    todo = []
    for mode in modes:
        if entry is not None and crs is not None and (entry / mode / "network.json").exists():
            got = TravelNetwork.load(entry / mode)
            nodes[mode], edges[mode] = got.nodes[mode], got.edges[mode]
            logger.debug("%s network of %s from cache", mode, path.name)
        else:
            todo.append(mode)
    if todo:
        from ._build import build_modes

        built, crs = build_modes(path, todo, speeds, simplify, folder, crs)
        for mode, (n, e) in built.items():
            nodes[mode], edges[mode] = n, e
            if entry is not None:
                _save_atomically(
                    TravelNetwork({mode: n}, {mode: e}, crs, str(path), speeds), entry / mode
                )
        if crs_file is not None and not crs_file.exists():
            _write_text_atomically(crs_file, crs.to_wkt())
    assert crs is not None
    order = [m for m in MODES if m in nodes]
    return TravelNetwork(
        {m: nodes[m] for m in order}, {m: edges[m] for m in order}, crs, str(path), speeds
    )
