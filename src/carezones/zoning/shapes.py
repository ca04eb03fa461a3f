"""Zone shapes a commissioner can describe: no fragments, no empty holes, and their figures.

A zone's polygon is the union of its units' Voronoi cells (see :mod:`carezones.zoning.geo`).
A zone that is one piece on the walking network can still be drawn in several pieces: a
street that runs behind another zone's streets has its cells there. :func:`clean_labels`
gives every such *fragment* that holds no client to the zone around it (the neighbour it
shares most border with), so each zone is drawn as one polygon, and a hole in a zone only
ever holds another zone (or ground outside the served area). :func:`shape_figures` counts
parts and holes and gives the Polsby-Popper compactness of every polygon.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Voronoi, cKDTree

from carezones.zoning.graph import drawn_pieces

__all__ = ["SHAPE_COLUMNS", "clean_labels", "shape_figures", "shape_summary"]

SHAPE_COLUMNS = ["parts", "empty_parts", "holes", "empty_holes", "polsby_popper"]
"""The per-zone shape figures every report carries."""

_MAX_ROUNDS = 12


def _cell_graph(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of Voronoi cells that share a border, and the border's length (metres)."""
    if len(xy) < 4:
        i, j = np.triu_indices(len(xy), 1)
        return i, j, np.ones(len(i))
    vor = Voronoi(xy, qhull_options="Qbb Qc Qz")
    pairs = np.asarray(vor.ridge_points, dtype=np.intp)
    verts = [np.asarray(r) for r in vor.ridge_vertices]
    length = np.empty(len(pairs))
    scale = float(np.ptp(xy, axis=0).max()) or 1.0
    for n, r in enumerate(verts):
        if (r >= 0).all():
            a, b = vor.vertices[r[0]], vor.vertices[r[1]]
            length[n] = float(np.hypot(*(a - b)))
        else:  # a ridge out to infinity: on the edge of the served area
            length[n] = scale
    lone = np.setdiff1d(np.arange(len(xy)), pairs.ravel())
    if len(lone):  # points Qhull merged with a neighbour (a few mm apart): join them
        _, near = cKDTree(xy).query(xy[lone], k=2)
        pairs = np.vstack([pairs, np.column_stack([lone, near[:, 1]])])
        length = np.r_[length, np.full(len(lone), 1e-3)]
    return pairs[:, 0], pairs[:, 1], length


def clean_labels(
    xy: np.ndarray,
    graph: sparse.csr_matrix,
    labels: np.ndarray,
    weights: np.ndarray,
    *,
    frozen: np.ndarray | None = None,
    floor: float = 0.0,
    cap: float = np.inf,
) -> np.ndarray:
    """Give every fragment of a zone's drawing to the zone around it.

    A *fragment* is a part of a zone's polygon other than its main part (the one with
    most hours). A fragment with no client always moves to the neighbour that shares most
    border with it; one with clients moves too when the zone it leaves keeps ``floor``
    and the zone it joins stays within ``cap``. No move splits a zone's clients on the
    network (:func:`~carezones.zoning.graph.drawn_pieces`: a zone's clients joined by its
    own streets or by streets where nobody lives).

    Parameters
    ----------
    xy
        Each unit's position (metres).
    graph
        The unit graph (walking seconds).
    labels
        Each unit's zone (-1: none).
    weights
        Each unit's weekly hours.
    frozen
        Optional mask of zones (by label) whose units never move and never grow (locked).
    floor, cap
        The hours every zone keeps when a fragment with clients moves.

    Returns
    -------
    numpy.ndarray
        New labels, each zone drawn as one part where the moves allow.

    Examples
    --------
    >>> xy = np.array([[x, y] for y in range(4) for x in range(4)], dtype=float) * 100
    >>> labels = np.zeros(16, dtype=np.intp); labels[8:] = 1; labels[1] = 1  # an island
    >>> w = np.ones(16); w[1] = 0
    >>> int(clean_labels(xy, sparse.csr_matrix((16, 16)), labels, w)[1])
    0
    """
    labels = np.asarray(labels, dtype=np.intp).copy()
    weights = np.asarray(weights, dtype=float)
    k = int(labels.max()) + 1 if len(labels) else 0
    if k < 2:
        return labels
    frozen_z = np.zeros(k, dtype=bool)
    if frozen is not None:
        frozen_z[: len(frozen)] = np.asarray(frozen, dtype=bool)[:k]
    cxy, first, inv = np.unique(np.round(xy, 3), axis=0, return_index=True, return_inverse=True)
    inv = np.asarray(inv).ravel()
    n = len(cxy)
    a, b, length = _cell_graph(cxy)
    cell_w = np.bincount(inv, weights=weights, minlength=n)
    occupied = weights > 0
    blocked = np.zeros(n, dtype=bool)  # cells whose move would split a zone's clients
    for _ in range(_MAX_ROUNDS):
        lab = labels[first]
        comp, loose = _fragments(lab, a, b, cell_w, frozen_z)
        moves = _move_fragments(loose, comp, lab, a, b, length, frozen_z, blocked)
        moves = _within_limits(moves, labels, weights, k, floor, cap)
        if not moves:
            break
        trial = _apply(labels, lab, inv, moves)
        touched = np.unique([z for m in moves for z in m[1:3]])
        before = drawn_pieces(graph, labels, k, occupied, touched)
        worse = np.flatnonzero(drawn_pieces(graph, trial, k, occupied, touched) > before)
        if len(worse):  # try the moves of the zones that got worse one at a time
            keep = []
            for move in moves:
                if move[1] in worse or move[2] in worse:
                    pair = np.array(move[1:3])
                    alone = _apply(labels, lab, inv, [move])
                    if (drawn_pieces(graph, alone, k, occupied, pair)[pair] > before[pair]).any():
                        blocked[move[0]] = True
                        continue
                keep.append(move)
            if not keep:
                continue
            trial = _apply(labels, lab, inv, keep)
            after = drawn_pieces(graph, trial, k, occupied, touched)
            if (after > before).any():  # moves that only split a zone together: one per round
                trial = _apply(labels, lab, inv, keep[:1])
                if (drawn_pieces(graph, trial, k, occupied, touched) > before).any():
                    blocked[keep[0][0]] = True
                    continue
        labels = trial
    return labels


Move = tuple[np.ndarray, int, int, float]
"""A fragment's cells, the zone it leaves, the zone it joins, and its hours."""


def _fragments(
    lab: np.ndarray, a: np.ndarray, b: np.ndarray, cell_w: np.ndarray, frozen_z: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Each cell's part of its zone's drawing, and the parts that are not a zone's main one."""
    n = len(lab)
    same = (lab[a] == lab[b]) & (lab[a] >= 0)
    g = sparse.coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    frame = pd.DataFrame({"zone": lab, "comp": comp, "w": cell_w, "cells": 1})
    frame = frame[frame["zone"] >= 0]
    parts = frame.groupby(["zone", "comp"], sort=False)[["w", "cells"]].sum().reset_index()
    parts = parts.sort_values(["zone", "w", "cells"], ascending=[True, False, False])
    main = set(parts.drop_duplicates("zone")["comp"])
    loose = parts[~parts["comp"].isin(main) & ~frozen_z[parts["zone"].to_numpy()]]
    return comp, loose.sort_values(["w", "cells"])


def _within_limits(
    moves: list[Move], labels: np.ndarray, weights: np.ndarray, k: int, floor: float, cap: float
) -> list[Move]:
    """The moves that keep every zone within the floor and the cap (fragments with hours)."""
    hours = np.bincount(np.maximum(labels, 0), weights=weights * (labels >= 0), minlength=k)
    out = []
    for move in moves:
        _, donor, taker, h = move
        if h > 0 and (hours[donor] - h < floor - 1e-9 or hours[taker] + h > cap + 1e-9):
            continue
        hours[donor] -= h
        hours[taker] += h
        out.append(move)
    return out


def _apply(labels: np.ndarray, lab: np.ndarray, inv: np.ndarray, moves: list[Move]) -> np.ndarray:
    """Unit labels after moving each fragment's cells to its new zone."""
    cell_new = lab.copy()
    for cells, _donor, taker, _h in moves:
        cell_new[cells] = taker
    changed = (cell_new != lab)[inv]
    return np.where(changed, cell_new[inv], labels)


def _move_fragments(
    loose: pd.DataFrame,
    comp: np.ndarray,
    lab: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    length: np.ndarray,
    frozen_z: np.ndarray,
    blocked: np.ndarray,
) -> list[Move]:
    """Each loose fragment and the neighbour zone that shares most border with it."""
    out: list[Move] = []
    if loose.empty:
        return out
    order = np.argsort(comp, kind="stable")
    bounds = np.searchsorted(comp[order], np.arange(comp.max() + 2))
    for part in loose.itertuples():
        cells = order[bounds[part.comp] : bounds[part.comp + 1]]
        if blocked[cells].any():
            continue
        inside = np.zeros(len(comp), dtype=bool)
        inside[cells] = True
        edge = inside[a] ^ inside[b]
        other = np.where(inside[a[edge]], lab[b[edge]], lab[a[edge]])
        ok = (other >= 0) & (other != part.zone)
        ok &= ~frozen_z[np.maximum(other, 0)]
        if not ok.any():
            continue
        border = pd.Series(length[edge][ok]).groupby(other[ok]).sum()
        out.append((cells, int(part.zone), int(border.idxmax()), float(part.w)))
    return out


def shape_figures(shapes: list[Any], points: list[np.ndarray] | None = None) -> pd.DataFrame:
    """Parts, holes, holes that hold no other zone, and Polsby-Popper of each polygon.

    Parameters
    ----------
    shapes
        One (multi)polygon per zone, covering the served area without overlaps.
    points
        Optional positions (n x 2) of each zone's clients: a part holding none of them
        is an ``empty_parts`` fragment.

    Returns
    -------
    pandas.DataFrame
        ``parts`` (polygons drawn), ``empty_parts`` (parts but the largest holding
        none of the zone's clients: fragments), ``holes`` (interior rings), ``empty_holes`` (holes
        in which no other zone lies: outside the served area, or a gap) and
        ``polsby_popper`` (4 pi area / perimeter squared of the whole shape: 1 for a
        circle, near 0 for a ragged or stringy one).

    Examples
    --------
    >>> ring = shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2))
    >>> shape_figures([ring, shapely.box(1, 1, 2, 2)])[["parts", "holes", "empty_holes"]]
       parts  holes  empty_holes
    0      1      1            0
    1      1      0            0
    >>> two = shapely.union_all([shapely.box(0, 0, 1, 1), shapely.box(5, 0, 6, 1)])
    >>> int(shape_figures([two], [np.array([[0.5, 0.5]])])["empty_parts"].iloc[0])
    1
    """
    geoms = np.asarray(shapes, dtype=object)
    tree = shapely.STRtree(geoms) if len(geoms) else None
    rows = []
    for z, geom in enumerate(geoms):
        polys = [p for p in shapely.get_parts(geom) if not p.is_empty and p.area > 0]
        rings = [shapely.Polygon(r) for p in polys for r in p.interiors]
        empty_parts = 0
        if points is not None and len(polys) > 1:
            xy = np.asarray(points[z], dtype=float).reshape(-1, 2)
            biggest = int(np.argmax([p.area for p in polys]))
            for i, p in enumerate(polys):
                if i != biggest and not shapely.intersects_xy(p, xy[:, 0], xy[:, 1]).any():
                    empty_parts += 1
        empty = 0
        for hole in rings:
            near = tree.query(hole, predicate="intersects") if tree is not None else []
            filled = sum(shapely.area(shapely.intersection(geoms[j], hole)) for j in near if j != z)
            empty += int(filled < 0.5 * hole.area)
        area, perimeter = shapely.area(geom), shapely.length(geom)
        rows.append(
            {
                "parts": len(polys),
                "empty_parts": empty_parts if points is not None else 0,
                "holes": len(rings),
                "empty_holes": empty,
                "polsby_popper": float(4 * np.pi * area / perimeter**2) if perimeter > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=SHAPE_COLUMNS)


def shape_summary(figures: pd.DataFrame) -> dict[str, Any]:
    """Plan-wide shape figures: the most parts, all holes, empty holes, mean Polsby-Popper."""
    if figures.empty:
        return {
            "max_parts": 0,
            "n_empty_parts": 0,
            "n_holes": 0,
            "n_empty_holes": 0,
            "mean_polsby_popper": None,
        }
    return {
        "max_parts": int(figures["parts"].max()),
        "n_empty_parts": int(figures["empty_parts"].sum()),
        "n_holes": int(figures["holes"].sum()),
        "n_empty_holes": int(figures["empty_holes"].sum()),
        "mean_polsby_popper": round(float(figures["polsby_popper"].mean()), 3),
    }
