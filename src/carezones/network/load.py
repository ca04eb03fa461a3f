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

import logging
import os
from collections.abc import Iterable
from typing import Any

import geopandas as gpd

from carezones.exceptions import ProblemCollector
from carezones.network import osm as _osm
from carezones.network.build import build_modes
from carezones.network.cache import (
    cache_folder,
    load_cached,
    read_cached_crs,
    save_atomically,
    write_text_atomically,
)
from carezones.network.graph import TravelNetwork
from carezones.network.online import download_network
from carezones.network.speeds import MODES, Speeds, check_modes

__all__ = ["load_network"]

logger = logging.getLogger(__name__)


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
    >>> import numpy as np
    >>> edges = net.edges["walk"]
    >>> bool(np.allclose(edges["travel_time"], edges["length"] / (4.8 / 3.6)))
    True
    """
    modes = check_modes(modes)
    speeds = Speeds() if speeds is None else speeds
    if not isinstance(source, str | os.PathLike) or (
        online and not str(source).lower().endswith(_osm.OSM_SUFFIXES)
    ):
        if not online:
            raise ProblemCollector("source").error(
                "not a file",
                "an OSM file path (or online=True to download a place)",
                type(source).__name__,
            )
        return download_network(source, modes=modes, speeds=speeds)
    path = _osm.check_osm_path(source)
    folder = _osm.cache_dir(cache_dir) if cache else None
    entry = cache_folder(folder, _osm.file_digest(path), speeds, simplify) if folder else None
    crs_file = entry / "crs.wkt" if entry else None
    crs = read_cached_crs(crs_file, path) if crs_file is not None else None
    nodes: dict[str, gpd.GeoDataFrame] = {}
    edges: dict[str, gpd.GeoDataFrame] = {}
    todo = []
    for mode in modes:
        got = load_cached(entry / mode, path) if entry is not None and crs is not None else None
        if got is not None:
            nodes[mode], edges[mode] = got.nodes[mode], got.edges[mode]
            logger.debug("%s network of %s from cache", mode, path.name)
        else:
            todo.append(mode)
    if todo:
        built, crs = build_modes(path, todo, speeds, simplify, folder, crs)
        for mode, (n, e) in built.items():
            nodes[mode], edges[mode] = n, e
            if entry is not None:
                save_atomically(
                    TravelNetwork({mode: n}, {mode: e}, crs, str(path), speeds), entry / mode
                )
        if crs_file is not None and not crs_file.exists():
            write_text_atomically(crs_file, crs.to_wkt())
    assert crs is not None
    order = [m for m in MODES if m in nodes]
    return TravelNetwork(
        {m: nodes[m] for m in order}, {m: edges[m] for m in order}, crs, str(path), speeds
    )
