"""Opt-in downloads through osmnx (never used unless the caller passes ``online=True``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from carezones.network.crs import choose_crs
from carezones.network.graph import TravelNetwork
from carezones.network.speeds import Speeds, edge_speeds

__all__ = ["download_network"]

_OSMNX_TYPE = {"walk": "walk", "cycle": "bike", "drive": "drive"}


def download_network(source: Any, *, modes: Sequence[str], speeds: Speeds) -> TravelNetwork:
    """Download each mode's network with osmnx and shape it like :func:`load_network`'s.

    ``source`` is a place name, a ``(west, south, east, north)`` box or a lon/lat polygon.
    """
    # Imported here, not at the top: osmnx takes about 2 s to import, and only an
    # opt-in download needs it (carezones reads extracts with pyrosm).
    import osmnx as ox

    nodes, edges = {}, {}
    crs = None
    for mode in modes:
        kind = _OSMNX_TYPE[mode]
        if isinstance(source, str):
            graph = ox.graph_from_place(source, network_type=kind, retain_all=True)
        elif isinstance(source, BaseGeometry):
            graph = ox.graph_from_polygon(source, network_type=kind, retain_all=True)
        else:
            graph = ox.graph_from_bbox(
                tuple(float(v) for v in source), network_type=kind, retain_all=True
            )
        graph = graph.subgraph(max(nx.strongly_connected_components(graph), key=len)).copy()
        if crs is None:
            xs = np.array([d["x"] for _, d in graph.nodes(data=True)])
            ys = np.array([d["y"] for _, d in graph.nodes(data=True)])
            crs = choose_crs(xs, ys)
        graph = ox.project_graph(graph, to_crs=crs)
        n, e = ox.graph_to_gdfs(graph)
        e = e.copy()
        e["length"] = e["length"].astype(float)
        e["speed_kph"] = edge_speeds(pd.DataFrame(e), mode, speeds)
        e["travel_time"] = e["length"] / (e["speed_kph"] / 3.6)
        nodes[mode] = gpd.GeoDataFrame(n[["x", "y", "street_count", "geometry"]], crs=crs)
        edges[mode] = e
    return TravelNetwork(nodes, edges, crs, f"osmnx:{source}", speeds)
