"""Building each mode's network from an OSM file with pyrosm (used by :func:`load_network`).

Reading: pyrosm's way filters per mode (plus the UK's shared-use footways for cycling).
Building: project to the metric CRS, direct the edges (one-way streets), simplify, keep
the largest strongly connected part, and put ``length``, ``speed_kph`` and ``travel_time``
on every edge.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyrosm
from google.protobuf.message import DecodeError
from pyproj import CRS
from pyrosm.exceptions import InvalidOSMFileError
from shapely import linestrings

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.network.crs import choose_crs
from carezones.network.osm import open_osm
from carezones.network.speeds import PYROSM_TYPE, Speeds, edge_speeds

__all__ = ["build_modes"]

logger = logging.getLogger(__name__)

# Edge attributes kept from pyrosm (the others are OSM metadata that no stage uses).
_EDGE_COLUMNS = (
    "osmid", "highway", "name", "ref", "maxspeed", "oneway", "reversed", "access", "foot",
    "bicycle", "service", "junction", "bridge", "tunnel", "length",
)  # fmt: skip


def _tidy(value: Any) -> Any:
    """Collapse a pyrosm list attribute to one value when all its values agree."""
    if isinstance(value, list):
        unique = list(dict.fromkeys(v for v in value if not (isinstance(v, float) and np.isnan(v))))
        if not unique:
            return None
        return unique[0] if len(unique) == 1 else unique
    return value


def _read_mode(osm: pyrosm.OSM, mode: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
    """Raw pyrosm nodes and segment edges (lon/lat) for ``mode``; None when empty."""
    extra = ["service", "access", "foot", "bicycle"]
    with warnings.catch_warnings():
        # pyrosm warns when it finds no ways; carezones reports that itself, per mode.
        warnings.filterwarnings("ignore", message="Could not find any", category=UserWarning)
        return _read_mode_quiet(osm, mode, extra)


def _read_mode_quiet(
    osm: pyrosm.OSM, mode: str, extra: list[str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
    got = osm.get_network(network_type=PYROSM_TYPE[mode], nodes=True, extra_attributes=extra)
    if got is None or got[1] is None or len(got[1]) == 0:
        return None
    nodes, edges = got
    if mode == "cycle":
        shared = osm.get_network(
            network_type="cycling",
            nodes=True,
            custom_filter=[
                '["highway"~"^(footway|pedestrian|bridleway)$"]["bicycle"~"^(yes|designated|permissive)$"]'
            ],
            extra_attributes=extra,
        )
        if shared is not None and shared[1] is not None and len(shared[1]):
            cols = [c for c in edges.columns if c in shared[1].columns]
            edges = pd.concat([edges, shared[1][cols]], ignore_index=True)
            nodes = pd.concat([nodes, shared[0]], ignore_index=True).drop_duplicates("id")
            edges = gpd.GeoDataFrame(edges, geometry="geometry", crs=got[1].crs)
            nodes = gpd.GeoDataFrame(nodes, geometry="geometry", crs=got[0].crs)
            edges.attrs["network_type"] = "cycling"
            nodes.attrs["network_type"] = "cycling"
    return nodes, edges


def _build_mode(
    osm: pyrosm.OSM,
    nodes: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    mode: str,
    crs: CRS,
    speeds: Speeds,
    simplify: bool,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Project, direct, simplify and keep the largest strongly connected part."""
    nodes = nodes.to_crs(crs)
    edges = edges.to_crs(crs)
    graph = osm.to_graph(
        nodes,
        edges,
        graph_type="networkx",
        network_type=PYROSM_TYPE[mode],
        retain_all=True,
        simplify=simplify,
        progress=False,
    )
    largest = max(nx.strongly_connected_components(graph), key=len)
    graph = graph.subgraph(largest)
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    xs = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)
    ys = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
    street_count = dict(graph.degree())
    node_frame = gpd.GeoDataFrame(
        {"x": xs, "y": ys, "street_count": [street_count[n] for n in node_ids]},
        geometry=gpd.points_from_xy(xs, ys),
        index=pd.Index(node_ids, name="osmid"),
        crs=crs,
    )
    rows = []
    for u, v, k, data in graph.edges(keys=True, data=True):
        row = {"u": u, "v": v, "key": k}
        for col in _EDGE_COLUMNS:
            if col in data:
                row[col] = _tidy(data[col])
        row["geometry"] = data.get("geometry")
        rows.append(row)
    frame = pd.DataFrame(rows)
    missing = frame["geometry"].isna().to_numpy()
    if missing.any():
        pts = np.stack(
            [
                node_frame.loc[frame.loc[missing, "u"], ["x", "y"]].to_numpy(),
                node_frame.loc[frame.loc[missing, "v"], ["x", "y"]].to_numpy(),
            ],
            axis=1,
        )
        frame.loc[missing, "geometry"] = linestrings(pts)
    edge_frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    edge_frame["length"] = edge_frame["length"].astype(float)
    edge_frame["speed_kph"] = edge_speeds(edge_frame, mode, speeds)
    edge_frame["travel_time"] = edge_frame["length"] / (edge_frame["speed_kph"] / 3.6)
    edge_frame = edge_frame.set_index(["u", "v", "key"])
    return node_frame, edge_frame


def build_modes(
    path: Path,
    modes: Sequence[str],
    speeds: Speeds,
    simplify: bool,
    folder: Path | None,
    crs: CRS | None,
) -> tuple[dict[str, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]], CRS]:
    """Read and build the networks of ``modes`` from the OSM file at ``path``.

    Parameters
    ----------
    path
        A checked OSM file (see :func:`~carezones.network.osm.check_osm_path`).
    modes
        The modes to build.
    speeds
        The speeds that give every edge its ``travel_time``.
    simplify
        Merge chains of degree-2 nodes (osmnx's simplification).
    folder
        The cache folder (for the PBF copy of an OSM XML file), or None.
    crs
        The CRS to project to; None chooses it from the file's nodes.

    Returns
    -------
    dict, CRS
        Mode to ``(nodes, edges)`` frames, and the CRS they are in.
    """
    osm = open_osm(path, cache=folder)
    raw = {}
    empty = []
    for mode in modes:
        t0 = time.perf_counter()
        try:
            got = _read_mode(osm, mode)
        except InvalidOSMFileError as exc:
            raise ProblemCollector(str(path)).error(
                "not an OSM file", "an OSM PBF file", f"unreadable ({exc})"
            ) from exc
        except DecodeError as exc:  # pyrosm's protobuf reader on a cut-off or damaged file
            raise ProblemCollector(str(path)).error(
                "damaged OSM file",
                "a complete OSM PBF file",
                f"a file whose data cannot be decoded ({exc}); was the download cut "
                "off? Download it again",
            ) from None
        if got is None:
            empty.append(mode)
        else:
            raw[mode] = got
        logger.info("read %s ways of %s in %.1f s", mode, path.name, time.perf_counter() - t0)
    if empty:
        raise ValidationError(
            [
                Problem(
                    str(path),
                    "no usable ways",
                    f"highway ways that {mode} can use",
                    "none (leave this mode out with modes=...)",
                    column=mode,
                )
                for mode in empty
            ]
        )
    if crs is None:
        first = next(iter(raw.values()))[0]
        crs = choose_crs(first["lon"].to_numpy(float), first["lat"].to_numpy(float))
    built = {}
    for mode, (n, e) in raw.items():
        t0 = time.perf_counter()
        built[mode] = _build_mode(osm, n, e, mode, crs, speeds, simplify)
        logger.info("built %s graph in %.1f s", mode, time.perf_counter() - t0)
    return built, crs
