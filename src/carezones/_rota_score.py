"""Rebuilding carers' days from a checked rota and scoring them (see :mod:`carezones.rota`).

Every carer-visit row gets its times in minutes since midnight of its planned date, its
place in the carer's day and the travel leg into it (network seconds, one
:func:`carezones.travel_time_matrix` per carer mode); then each date's plan is rechecked
by the independent validator, :func:`carezones.routing.validate_plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .exceptions import Problem, ValidationError

if TYPE_CHECKING:
    import geopandas as gpd

    from .network import TravelNetwork
    from .rota import RotaRules

__all__ = ["Rebuilt", "rebuild", "validate_days"]

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
        raise ValidationError(
            [Problem("carers", "missing column", "a column 'carer_id'", "none", column="carer_id")]
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
        import geopandas as gpd

        from .travel import snap_points, travel_time_matrix

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
            import geopandas as gpd

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
    from scipy.sparse.csgraph import dijkstra

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


def validate_days(
    rebuilt: Rebuilt,
    clients: pd.DataFrame | None,
    rules: RotaRules,
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Every date rechecked by :func:`carezones.routing.validate_plan`; one row per violation."""
    from .routing_validate import validate_plan

    rows = rebuilt.rows
    skills = _visit_skills(rows, clients, rebuilt.carers)
    # plain object strings: the validator looks values up one by one, which is slow on
    # pandas' Arrow-backed strings
    visits_all = pd.DataFrame(
        {
            "visit_id": rows["visit_id"].astype(object),
            "client_id": rows["client_id"].astype(object),
            "place": ("c:" + rows["client_id"]).astype(object),
            "day": rows["day"].astype(object),
            "date": rows["date"],
            "window_start": rows["planned_start_minutes"] - rules.on_time_minutes,
            "window_end": rows["planned_start_minutes"] + rules.on_time_minutes,
            "duration": rows["planned_minutes"] * rules.short_visit_share,
            "carers_needed": rows["carers_needed"],
            "skills": skills.astype(object),
        }
    ).drop_duplicates("visit_id")
    routed = rows[rows["routed"].to_numpy()]
    routes_all = pd.DataFrame(
        {
            "carer_id": routed["carer_id"].astype(object),
            "visit_id": routed["visit_id"].astype(object),
            "start": routed["start"],
            "end": routed["end"],
            "sequence": routed["sequence"],
            "date": routed["date"],
        }
    )
    done = set(routed["visit_id"])
    parts = []
    dates = sorted(pd.unique(visits_all["date"]))
    by_date_routes = dict(iter(routes_all.groupby("date", sort=False)))
    for k, date in enumerate(dates):
        visits = visits_all[visits_all["date"] == date]
        routes = by_date_routes.get(date, routes_all.iloc[:0])
        missed = visits.loc[~visits["visit_id"].isin(done), ["visit_id"]]
        found = validate_plan(
            routes.drop(columns="date"),
            visits.drop(columns="date"),
            rebuilt.carers,
            travel=rebuilt.travel,
            unscheduled=missed,
            tolerance_seconds=rules.tolerance_seconds,
        )
        if len(found):
            parts.append(found.assign(date=date))
        if progress is not None:
            progress("validate", (k + 1) / len(dates))
    cols = ["date", "rule", "carer_id", "visit_id", "client_id", "detail"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out = _together(out, rows, rules)
    if not rebuilt.has_network:
        out = out[~out["rule"].isin(["travel", "unreachable"])]
    return out[cols].reset_index(drop=True)


def _visit_skills(
    rows: pd.DataFrame, clients: pd.DataFrame | None, carers: pd.DataFrame
) -> pd.Series:
    """The client's skills on each visit, when both tables carry skills; else none."""
    if clients is None or "skills" not in clients.columns or "skills" not in carers.columns:
        return pd.Series("", index=rows.index)
    table = pd.Series(clients["skills"].to_numpy(), index=clients["client_id"].astype(str))
    table = table[~table.index.duplicated()]
    return rows["client_id"].map(table).fillna("").astype(str)


def _together(found: pd.DataFrame, rows: pd.DataFrame, rules: RotaRules) -> pd.DataFrame:
    """Keep "not together" only where the two carers' starts or ends differ by more than allowed."""
    apart = found["rule"] == "not together"
    if not apart.any():
        return found
    routed = rows[rows["routed"].to_numpy()]
    g = routed.groupby("visit_id")
    spread = np.maximum(
        (g["start"].max() - g["start"].min()).to_numpy(),
        (g["end"].max() - g["end"].min()).to_numpy(),
    )
    spread_s = pd.Series(spread, index=g["start"].max().index)
    wide = found["visit_id"].map(spread_s).to_numpy(float) > rules.together_minutes
    return found[~apart.to_numpy() | wide]


def extra_violations(rows: pd.DataFrame, rules: RotaRules) -> pd.DataFrame:
    """The rota's own rules: missed, longer than the slot, incomplete record."""
    parts = []

    def clock(m: np.ndarray) -> list[str]:
        r = np.rint(np.nan_to_num(m)).astype(int)
        return [f"{x // 60:02d}:{x % 60:02d}" for x in r]

    missed = rows[rows["missed"].to_numpy()]
    if len(missed):
        slot = [
            f"no actual times (planned {a}-{b})"
            for a, b in zip(
                clock(missed["planned_start_minutes"].to_numpy()),
                clock(missed["planned_end_minutes"].to_numpy()),
                strict=True,
            )
        ]
        parts.append(missed.assign(rule="missed", detail=slot))
    over = rows["actual_minutes"].to_numpy(float) > (
        rows["planned_minutes"].to_numpy(float) + rules.overrun_minutes
    )
    long = rows[over]
    if len(long):
        text = [
            f"{a:.0f} min in a {b:.0f}-min slot"
            for a, b in zip(long["actual_minutes"], long["planned_minutes"], strict=True)
        ]
        parts.append(long.assign(rule="longer than slot", detail=text))
    half = rows[rows["incomplete"].to_numpy()]
    if len(half):
        said = np.where(
            half["actual_start"].isna(),
            "no actual start logged (start taken as the planned length before the end)",
            "no actual end logged (end taken as the planned length after the start)",
        )
        parts.append(half.assign(rule="incomplete", detail=said))
    cols = ["date", "rule", "carer_id", "visit_id", "client_id", "detail"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.concat([p[cols] for p in parts], ignore_index=True)


def flag_rows(rows: pd.DataFrame, violations: pd.DataFrame) -> pd.DataFrame:
    """Per-row flags from the violations: late, early, short, overlap, two_places, ..."""
    names = {
        "late": "late",
        "early": "early",
        "too short": "short",
        "overlap": "overlap",
        "travel": "two_places",
        "longer than slot": "longer_than_slot",
        "unreachable": "unreachable",
    }
    out = rows.copy()
    key = out["carer_id"] + "\x1f" + out["visit_id"]
    v = violations[violations["visit_id"].astype(str) != ""]
    vkey = v["carer_id"].astype(str) + "\x1f" + v["visit_id"].astype(str)
    for rule, col in names.items():
        hit = set(vkey[v["rule"].to_numpy() == rule])
        out[col] = key.isin(hit).to_numpy()
    per_visit = v[v["rule"].isin(["carers", "not together", "same carer twice"])]
    out["double_up_problem"] = out["visit_id"].isin(set(per_visit["visit_id"])).to_numpy()
    joined = (
        pd.DataFrame({"k": vkey.to_numpy(), "rule": v["rule"].to_numpy()})
        .drop_duplicates()
        .groupby("k")["rule"]
        .agg(";".join)
    )
    rules = joined.to_dict()
    out["rules"] = [rules.get(k, "") for k in key]
    return out


def carer_days(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per carer and date: visits, times, care, travel, ratio."""
    r = rows[rows["routed"].to_numpy()].copy()
    r["care"] = r["end"] - r["start"]
    r["out"] = np.where(r["first_of_day"], r["travel_seconds"], 0.0)
    r["between"] = np.where(r["first_of_day"], 0.0, r["travel_seconds"])
    g = r.groupby(["carer_id", "date"], sort=True)
    out = pd.DataFrame(
        {
            "day": g["day"].first(),
            "mode": g["mode"].first(),
            "n_visits": g["visit_id"].size(),
            "first_start": g["start"].min(),
            "last_end": g["end"].max(),
            "care_minutes": g["care"].sum(),
            "out_seconds": g["out"].sum(min_count=1),
            "between_seconds": g["between"].sum(min_count=1),
            "return_travel_seconds": g["return_seconds"].sum(min_count=1),
        }
    )
    first = r[r["first_of_day"].to_numpy()].set_index(["carer_id", "date"])["travel_seconds"]
    last = r[r["last_of_day"].to_numpy()].set_index(["carer_id", "date"])["return_seconds"]
    out["depart"] = out["first_start"] - first.reindex(out.index).to_numpy() / 60.0
    out["back"] = out["last_end"] + last.reindex(out.index).to_numpy() / 60.0
    out["working_minutes"] = out["back"] - out["depart"]
    out["travel_seconds"] = (
        out["out_seconds"] + out["between_seconds"] + out["return_travel_seconds"]
    )
    out["travel_between_visits_seconds"] = out["between_seconds"]
    metres = g["distance_m"].sum(min_count=1) + g["return_distance_m"].sum(min_count=1)
    out["distance_m"] = metres.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["travel_to_care_ratio"] = out["travel_seconds"] / 60.0 / out["care_minutes"]
    missed = rows[rows["missed"].to_numpy()].groupby(["carer_id", "date"])["visit_id"].size()
    out["n_missed"] = missed.reindex(out.index).fillna(0).astype(int).to_numpy()
    out = out.reset_index()
    cols = [
        "carer_id",
        "date",
        "day",
        "mode",
        "n_visits",
        "n_missed",
        "depart",
        "back",
        "working_minutes",
        "care_minutes",
        "travel_seconds",
        "travel_between_visits_seconds",
        "return_travel_seconds",
        "distance_m",
        "travel_to_care_ratio",
    ]
    return out[cols]


def continuity(rows: pd.DataFrame) -> pd.DataFrame:
    """Distinct carers per client per week (weeks from Monday), from the delivered visits."""
    r = rows[~rows["missed"].to_numpy()]
    week = r["date"] - pd.to_timedelta(r["date"].dt.day_of_week, unit="D")
    g = r.assign(week_start=week).groupby(["client_id", "week_start"], sort=True)
    out = pd.DataFrame(
        {"n_visits": g["visit_id"].nunique(), "distinct_carers": g["carer_id"].nunique()}
    ).reset_index()
    planned = (
        rows.assign(
            week_start=rows["date"] - pd.to_timedelta(rows["date"].dt.day_of_week, unit="D")
        )
        .groupby(["client_id", "week_start"])["visit_id"]
        .nunique()
    )
    out["n_planned"] = planned.reindex(
        pd.MultiIndex.from_frame(out[["client_id", "week_start"]])
    ).to_numpy()
    return out[["client_id", "week_start", "n_planned", "n_visits", "distinct_carers"]]
