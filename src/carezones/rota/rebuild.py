"""Rebuilding carers' days from a checked rota: times, order and the travel leg into each visit.

Every carer-visit row gets its times in minutes since midnight of its planned date, its
place in the carer's day and the travel leg into it (network seconds, one
:func:`carezones.travel_time_matrix` per carer mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.network import TravelNetwork, snap_points, travel_time_matrix
from carezones.rota.rules import RotaRules

__all__ = ["ACTIVE_MODES", "Rebuilt", "rebuild"]


ACTIVE_MODES = ("walk", "cycle")


_NS_MIN = 60_000_000_000  # nanoseconds in a minute


@dataclass
class Rebuilt:
    """Rows with minutes, order and legs; the matrices used; the carers' table for the validator."""

    rows: pd.DataFrame
    travel: dict[str, pd.DataFrame]  # mode -> seconds between places (labels "c:..", "h:..")
    carers: pd.DataFrame
    has_network: bool


@dataclass
class _Places:
    """Seconds between places per mode, and the drive network's snaps (for path metres)."""

    seconds: dict[str, pd.DataFrame]
    snapped: dict[str, Any]  # mode -> Snapped of the matrix's places (network modes only)


def _minutes(values: pd.Series, base: pd.Series) -> np.ndarray:
    delta = (values.to_numpy("datetime64[ns]") - base.to_numpy("datetime64[ns]")).astype(float)
    delta[np.isnat(values.to_numpy("datetime64[ns]"))] = np.nan
    return delta / _NS_MIN


def _carer_table(rota: pd.DataFrame, carers: pd.DataFrame | None) -> pd.DataFrame:
    """The carers as the validator reads them (homes labelled ``h:<carer_id>``)."""
    ids = pd.unique(rota["carer_id"])
    if carers is None:
        return pd.DataFrame(
            {
                "carer_id": ids,
                "mode": "unknown",
                "home": [f"h:{c}" for c in ids],
                "shift_start": 0.0,
                "shift_end": 2 * 1440.0,
            }
        )
    if "carer_id" not in carers.columns:
        raise ProblemCollector("carers").error(
            "missing column", "a column 'carer_id'", "none", column="carer_id"
        )
    keep = [
        "carer_id",
        "mode",
        "shift_start",
        "shift_end",
        "max_minutes",
        "skills",
        "days",
        "break_minutes",
        "break_start",
        "break_end",
    ]
    out = pd.DataFrame(carers[[c for c in keep if c in carers.columns]]).copy()
    out["carer_id"] = out["carer_id"].astype(str)
    out = out.drop_duplicates("carer_id")
    out = out[out["carer_id"].isin(set(ids))].reset_index(drop=True)
    if "mode" not in out.columns:
        out["mode"] = "unknown"
    out["mode"] = out["mode"].astype(str)
    out["shift_start"] = out.get("shift_start", pd.Series(0.0, index=out.index)).astype(float)
    out["shift_end"] = out.get("shift_end", pd.Series(2880.0, index=out.index)).astype(float)
    out["home"] = "h:" + out["carer_id"]
    for col in ("carer_id", "home", "mode", "skills", "days"):
        if col in out.columns:
            out[col] = out[col].astype(object)
    return out


def _place_matrices(
    network: TravelNetwork | None,
    rows: pd.DataFrame,
    carers: pd.DataFrame,
    clients: gpd.GeoDataFrame | None,
    geo_carers: gpd.GeoDataFrame | None,
    max_snap_distance: float,
) -> _Places:
    """Seconds between every client and home a mode's carers use, one matrix per mode."""
    mode_of = carers.set_index("carer_id")["mode"]
    out: dict[str, pd.DataFrame] = {}
    snaps: dict[str, Any] = {}
    modes = [str(m) for m in pd.unique(mode_of)]
    if network is not None:
        missing = []
        if not isinstance(clients, gpd.GeoDataFrame):
            missing.append("clients=... (a GeoDataFrame with client_id and Point geometry)")
        if not isinstance(geo_carers, gpd.GeoDataFrame):
            missing.append("carers=... (a GeoDataFrame with carer_id, mode and home geometry)")
        if missing:
            raise ValidationError(
                [Problem("score_rota", "no locations", m, "none") for m in missing]
            )
        assert clients is not None and geo_carers is not None
        bad = [m for m in modes if m not in network.modes]
        if bad:
            raise ValidationError(
                [
                    Problem(
                        "carers",
                        "mode not loaded",
                        "one of " + ", ".join(network.modes),
                        repr(m),
                        column="mode",
                    )
                    for m in bad
                ]
            )
        cl_geom = clients.geometry.to_crs(network.crs)
        cl_geom.index = pd.Index(clients["client_id"].astype(str))
        cl_geom = cl_geom[~cl_geom.index.duplicated()]
        homes = geo_carers.geometry.to_crs(network.crs)
        homes.index = pd.Index(geo_carers["carer_id"].astype(str))
        homes = homes[~homes.index.duplicated()]
    for mode in modes:
        who = set(mode_of.index[mode_of.to_numpy() == mode])
        used = rows["carer_id"].isin(who).to_numpy()
        client_ids = pd.unique(rows.loc[used, "client_id"])
        carer_ids = [c for c in mode_of.index if c in who]
        labels = [f"h:{c}" for c in carer_ids] + [f"c:{c}" for c in client_ids]
        if network is None:
            m = np.zeros((len(labels), len(labels)))
        else:
            pts = gpd.GeoSeries(
                list(homes.loc[carer_ids].to_numpy()) + list(cl_geom.loc[client_ids].to_numpy()),
                crs=network.crs,
            )
            snapped = snap_points(
                network, pts, mode=mode, max_snap_distance=max_snap_distance, where="places"
            )
            snaps[mode] = snapped
            m = travel_time_matrix(network, snapped, mode=mode, far="inf")
        names = pd.Index(labels, dtype=object)
        out[mode] = pd.DataFrame(m, index=names, columns=names)
    return _Places(out, snaps)


def _path_metres(
    network: TravelNetwork, mode: str, snapped: Any, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Metres along the fastest path from place ``a[i]`` to place ``b[i]`` (matrix positions).

    One Dijkstra with predecessors per distinct origin node, then every path walked back
    at once; the quickest of parallel edges is the one taken. Snap distances included.
    """
    index = network.index(mode)
    n = len(index.node_ids)
    na, nb = snapped.position[a], snapped.position[b]
    origins, row = np.unique(na, return_inverse=True)
    _, pred = dijkstra(index.csr, directed=True, indices=origins, return_predecessors=True)
    edges = network.edges[mode]
    pos = pd.Index(index.node_ids)
    u = pos.get_indexer(edges.index.get_level_values("u"))
    v = pos.get_indexer(edges.index.get_level_values("v"))
    key = u.astype(np.int64) * n + v
    order = np.lexsort((edges["travel_time"].to_numpy(float), key))
    key, first = np.unique(key[order], return_index=True)
    length = edges["length"].to_numpy(float)[order][first]
    total = np.zeros(len(a))
    cur = nb.astype(np.int64).copy()
    todo = cur != na
    for _ in range(n):
        if not todo.any():
            break
        i = np.flatnonzero(todo)
        p = pred[row[i], cur[i]].astype(np.int64)
        lost = p < 0
        total[i[lost]] = np.nan
        ok = i[~lost]
        p = p[~lost]
        total[ok] += length[np.searchsorted(key, p * n + cur[ok])]
        cur[ok] = p
        todo[i[lost]] = False
        todo[ok] = cur[ok] != na[ok]
    return total + snapped.distance[a] + snapped.distance[b]


def rebuild(
    rota: pd.DataFrame,
    *,
    network: TravelNetwork | None,
    clients: gpd.GeoDataFrame | None,
    carers: pd.DataFrame | None,
    rules: RotaRules,
    times: str = "actual",
) -> Rebuilt:
    """Each carer's day in order, with the travel leg into every visit and the way home."""
    rows = rota.copy()
    base = rows["date"]
    ps, pe = _minutes(rows["planned_start"], base), _minutes(rows["planned_end"], base)
    as_, ae = _minutes(rows["actual_start"], base), _minutes(rows["actual_end"], base)
    planned = pe - ps
    rows["planned_minutes"] = planned
    has_s, has_e = ~np.isnan(as_), ~np.isnan(ae)
    rows["missed"] = ~has_s & ~has_e
    rows["incomplete"] = has_s ^ has_e
    if times == "planned":
        start, end = ps, pe
        done = np.ones(len(rows), dtype=bool)
    else:
        start = np.where(has_s, as_, ae - planned)
        end = np.where(has_e, ae, as_ + planned)
        done = ~rows["missed"].to_numpy()
    rows["start"], rows["end"] = start, end
    rows["actual_minutes"] = np.where(has_s & has_e, ae - as_, np.nan)
    rows["start_delay_minutes"] = np.where(has_s, as_ - ps, np.nan)
    rows["planned_start_minutes"], rows["planned_end_minutes"] = ps, pe
    rows["routed"] = done
    key = np.where(done, start, ps)
    rows["_key"] = key
    rows = rows.sort_values(
        ["carer_id", "date", "_key", "planned_start", "visit_id"], kind="stable"
    ).reset_index(drop=True)
    rows["sequence"] = rows.groupby(["carer_id", "date"]).cumcount().to_numpy() + 1
    car = _carer_table(rows, carers)
    rows["mode"] = rows["carer_id"].map(car.set_index("carer_id")["mode"]).astype(str)
    places = _place_matrices(
        network,
        rows,
        car,
        clients,
        carers if network is not None else None,
        rules.max_snap_distance,
    )
    _legs(rows, places, network)
    return Rebuilt(rows.drop(columns="_key"), places.seconds, car, network is not None)


def _legs(rows: pd.DataFrame, places: _Places, network: TravelNetwork | None) -> None:
    """Seconds and metres of the leg into each routed row, and home after the last.

    Walking and cycling metres are the seconds at the mode's speed (as in routing);
    driving metres are measured along the fastest path.
    """
    travel = places.seconds
    known = network is not None
    n = len(rows)
    routed = rows["routed"].to_numpy()
    sub = rows[routed]
    day = sub["carer_id"] + "|" + sub["date"].astype(str)
    first = (day != day.shift()).to_numpy()
    last = (day != day.shift(-1)).to_numpy()
    here = ("c:" + sub["client_id"]).to_numpy(dtype=object)
    home = ("h:" + sub["carer_id"]).to_numpy(dtype=object)
    prev = np.where(first, home, np.roll(here, 1))
    into, back = np.full(len(sub), np.nan), np.full(len(sub), np.nan)
    into_m, back_m = np.full(len(sub), np.nan), np.full(len(sub), np.nan)
    modes = sub["mode"].to_numpy(dtype=object)
    if known:
        assert network is not None
        for mode, matrix in travel.items():
            idx = pd.Index(matrix.index)
            m = matrix.to_numpy()
            w = modes == mode
            a, b = idx.get_indexer(prev[w]), idx.get_indexer(here[w])
            into[w] = m[a, b]
            lw = w & last
            c, h = idx.get_indexer(here[lw]), idx.get_indexer(home[lw])
            back[lw] = m[c, h]
            if mode in ACTIVE_MODES:
                into_m[w], back_m[lw] = (
                    into[w] * network.speeds.mps(mode),
                    back[lw] * network.speeds.mps(mode),
                )
                continue
            legs = np.unique(np.column_stack([np.r_[a, c], np.r_[b, h]]), axis=0)
            metres = _path_metres(network, mode, places.snapped[mode], legs[:, 0], legs[:, 1])
            size = len(idx)
            found = pd.Series(metres, index=legs[:, 0] * size + legs[:, 1])
            into_m[w] = found.reindex(a * size + b).to_numpy()
            back_m[lw] = found.reindex(c * size + h).to_numpy()
            same = a == b
            into_m[np.flatnonzero(w)[same]] = 0.0
    rows["travel_seconds"], rows["return_seconds"] = np.nan, np.nan
    rows["distance_m"], rows["return_distance_m"] = np.nan, np.nan
    rows.loc[routed, "travel_seconds"] = into
    rows.loc[routed, "return_seconds"] = back
    rows.loc[routed, "distance_m"] = into_m
    rows.loc[routed, "return_distance_m"] = back_m
    rows["first_of_day"] = False
    rows["last_of_day"] = False
    rows.loc[routed, "first_of_day"] = first
    rows.loc[routed, "last_of_day"] = last
    assert len(rows) == n
