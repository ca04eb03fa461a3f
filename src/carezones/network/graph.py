"""The travel networks of one area, one per mode: :class:`TravelNetwork`."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy import sparse
from scipy.spatial import cKDTree

from carezones.exceptions import ProblemCollector
from carezones.network.frames import FORMAT_VERSION, read_frame, records, write_frame
from carezones.network.speeds import MODES, Speeds, check_mode

__all__ = ["ModeIndex", "TravelNetwork"]


@dataclass(frozen=True)
class ModeIndex:
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
        graph.add_nodes_from(zip(nodes.index, records(nodes.drop(columns="geometry")), strict=True))
        flat = edges.reset_index()
        ends = zip(
            flat["u"],
            flat["v"],
            flat["key"],
            records(flat.drop(columns=["u", "v", "key"])),
            strict=True,
        )
        graph.add_edges_from(ends)
        return graph

    def _require(self, mode: str) -> None:
        check_mode(mode)
        if mode not in self.edges:
            raise ProblemCollector(self.source).error(
                "mode not loaded", "one of " + ", ".join(self.modes), repr(mode), column="mode"
            )

    def index(self, mode: str) -> ModeIndex:
        """Return the query arrays of ``mode`` (built once, then reused)."""
        self._require(mode)
        cache: dict[str, ModeIndex] = self.__dict__.setdefault("_indexes", {})
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
            write_frame(self.nodes[mode].reset_index(), out / f"{mode}_nodes.parquet")
            write_frame(self.edges[mode].reset_index(), out / f"{mode}_edges.parquet")
        meta = {
            "version": FORMAT_VERSION,
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
        nodes = {m: read_frame(folder / f"{m}_nodes.parquet").set_index("osmid") for m in modes}
        edges = {
            m: read_frame(folder / f"{m}_edges.parquet").set_index(["u", "v", "key"]) for m in modes
        }
        return cls(nodes, edges, crs, meta["source"], Speeds(**meta["speeds"]))


def _build_index(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame) -> ModeIndex:
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
    return ModeIndex(node_ids=node_ids, xy=xy, tree=cKDTree(xy), csr=csr)
