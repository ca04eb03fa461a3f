"""Carers go where the work is: each carer's zone, the moves from home zones, and the gaps left.

:func:`staff_zones` is the one rule every entry point uses (scenarios, ``carezones
routes``, the workshop's routed day, :func:`~carezones.routing.plan_routes` with zone
polygons): a carer works in the zone they live in (the nearest zone for a home outside
them all), then carers move, one at a time, to the zone whose days are shortest of
carer-hours from the zone that can best spare them, nearest first, while a move covers
more than it uncovers. A zone-day's need is its visits' carer-minutes (double-handed
twice) plus the travel allowance (:data:`carezones.demand.TRAVEL_ALLOWANCE`); a carer
brings, on each day they work, the minutes their contract allows a day
(:func:`~carezones.routing.week.capped_carers`) at a working share.
Whatever stays short is reported by zone and day, in carer-hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.demand import DAYS, TRAVEL_ALLOWANCE
from carezones.routing.problem import WorkRules, working_days, works_on
from carezones.routing.week import capped_carers

__all__ = ["Staffing", "carer_zones", "staff_zones"]

#: The share of a carer's working minutes that care and travel fill (the rest: waiting).
WORKING_SHARE = 0.85


@dataclass(frozen=True)
class Staffing:
    """Each carer's zone, the moves made, and the zone-days still short.

    Attributes
    ----------
    zone_of_carer
        ``zone_id`` per carer (indexed like the carers table).
    home_zone
        Each carer's home zone (the nearest zone for a home outside them all).
    moves
        One row per carer moved: ``carer_id``, ``from_zone``, ``to_zone``,
        ``hours_per_week`` (their contract, or their weekly minutes / 60).
    short
        One row per zone-day still short: ``zone_id``, ``day``, ``need_hours``,
        ``have_hours``, ``short_hours`` (carer-hours, travel allowance included).
    """

    zone_of_carer: pd.Series
    home_zone: pd.Series
    moves: pd.DataFrame
    short: pd.DataFrame

    def message(self) -> str:
        """The moves and the gaps in one line each, for a console."""
        lines = []
        if len(self.moves):
            lines.append(
                f"{len(self.moves)} carer(s) moved from their home zone to a zone short of "
                "carers: " + ", ".join(
                    f"{r.carer_id} {r.from_zone}->{r.to_zone}"
                    for r in self.moves.head(8).itertuples()
                ) + (" ..." if len(self.moves) > 8 else "")
            )  # fmt: skip
        for zone, rows in self.short.groupby("zone_id", sort=True):
            days = ", ".join(f"{r.day} {r.short_hours:.0f} h" for r in rows.itertuples())
            lines.append(f"zone {zone} is short of carer-hours on {days}")
        return "\n".join(lines)


def carer_zones(carers: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """The zone each carer's home falls in, or the nearest zone for homes outside them all.

    Parameters
    ----------
    carers
        Carers with home Points.
    zones
        Zone polygons with ``zone_id``.
    """
    poly = zones[["zone_id", "geometry"]].reset_index(drop=True)
    homes = gpd.GeoDataFrame(geometry=carers.geometry.to_crs(zones.crs).to_numpy(), crs=zones.crs)
    inside = gpd.sjoin(homes, poly, how="left", predicate="within")
    inside = inside[~inside.index.duplicated()]["zone_id"]
    out = inside.to_numpy(dtype=object)
    missing = pd.isna(out)
    if missing.any() and len(poly):
        near = gpd.sjoin_nearest(homes[missing], poly, how="left")
        near = near[~near.index.duplicated()]["zone_id"]
        out[missing] = near.reindex(homes.index[missing]).to_numpy(dtype=object)
    return pd.Series(out, index=carers.index, dtype=object)


def _need(visits: pd.DataFrame, zone_ids: list[str], days: list[str]) -> np.ndarray:
    """Carer-minutes each zone needs each day, travel allowance included."""
    out = np.zeros((len(zone_ids), len(days)))
    z = {k: i for i, k in enumerate(zone_ids)}
    d = {k: j for j, k in enumerate(days)}
    minutes = visits["duration"].astype(float) * visits["carers_needed"].astype(float)
    day = visits["day"].astype(str).str.lower() if "day" in visits.columns else ""
    frame = pd.DataFrame({"z": visits["zone_id"].astype(str), "d": day, "m": minutes})
    for (zone, dd), m in frame.groupby(["z", "d"])["m"].sum().items():
        if zone in z and dd in d:
            out[z[zone], d[dd]] = m * (1.0 + TRAVEL_ALLOWANCE)
    return out


def _brings(carers: pd.DataFrame, days: list[str], work: WorkRules) -> np.ndarray:
    """Minutes each carer brings on each day (0 on days off)."""
    capped = capped_carers(carers, work)
    most = pd.to_numeric(capped.get("max_minutes", pd.Series(np.nan, index=carers.index)),
                         errors="coerce").fillna(8 * 60).to_numpy(float)  # fmt: skip
    span = (carers["shift_end"].astype(float) - carers["shift_start"].astype(float)).to_numpy()
    per_day = np.minimum(most, span) * WORKING_SHARE
    on = np.array([[works_on(w, d) for d in days] for w in working_days(carers)], dtype=bool)
    return on * per_day[:, None]


def staff_zones(
    carers: gpd.GeoDataFrame,
    visits: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    *,
    work: WorkRules | None = None,
    home_zone: pd.Series | None = None,
) -> Staffing:
    """Each carer's zone: home first, then moves to the zones short of carer-hours (see module).

    Parameters
    ----------
    carers
        Carers with home Points, ``shift_start``, ``shift_end`` and optionally
        ``max_minutes``, ``contracted_hours`` and ``days``.
    visits
        The visits planned, with ``zone_id`` (None: in no zone), ``duration``,
        ``carers_needed`` and ``day``.
    zones
        Zone polygons with ``zone_id`` (or each zone's centre as a Point, with
        ``home_zone`` given).
    work
        The hours and days carers work; default :class:`~carezones.routing.WorkRules` ().
    home_zone
        Each carer's home zone when already known (indexed like ``carers``); default:
        the zone polygon their home falls in, else the nearest.

    Returns
    -------
    Staffing

    Examples
    --------
    >>> import shapely
    >>> zones = gpd.GeoDataFrame({"zone_id": ["A", "B"]},
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=27700)
    >>> carers = gpd.GeoDataFrame({"carer_id": ["k1", "k2"], "shift_start": 420,
    ...     "shift_end": 840, "max_minutes": 420},
    ...     geometry=gpd.points_from_xy([1, 2], [1, 1]), crs=27700)
    >>> visits = pd.DataFrame({"zone_id": ["A", "B"], "day": "monday",
    ...     "duration": [60, 300], "carers_needed": 1})
    >>> s = staff_zones(carers, visits, zones)
    >>> s.zone_of_carer.tolist(), s.moves[["carer_id", "from_zone", "to_zone"]].values.tolist()
    (['A', 'B'], [['k2', 'A', 'B']])
    """
    work = work or WorkRules()
    ids = zones["zone_id"].astype(str).tolist()
    days = [d for d in DAYS if "day" in visits.columns and d in set(visits["day"].str.lower())]
    days = days or [""]
    home = carer_zones(carers, zones) if home_zone is None else home_zone
    index = {z: i for i, z in enumerate(ids)}
    assigned = np.array([index.get(str(z), -1) if pd.notna(z) else -1 for z in home])
    need = _need(visits.dropna(subset=["zone_id"]), ids, days)
    brings = _brings(carers, days, work)
    have = np.zeros_like(need)
    for i, z in enumerate(assigned):
        if z >= 0:
            have[z] += brings[i]
    centres = zones.geometry.representative_point()
    homes = carers.geometry.to_crs(zones.crs)
    dist = np.hypot(homes.x.to_numpy()[:, None] - centres.x.to_numpy()[None, :],
                    homes.y.to_numpy()[:, None] - centres.y.to_numpy()[None, :])  # fmt: skip
    moved_from: dict[int, int] = {}
    for _ in range(len(carers)):
        deficit = np.clip(need - have, 0, None)
        z = int(np.argmax(deficit.sum(1)))
        if deficit[z].sum() <= 0:
            break
        cover = np.minimum(brings, deficit[z][None, :]).sum(1)  # what each carer fixes there
        a = assigned
        before = np.clip(need[a] - have[a], 0, None).sum(1)
        after = np.clip(need[a] - have[a] + brings, 0, None).sum(1)
        loss = np.where(a >= 0, after - before, 0.0)
        gain = cover - loss
        gain[a == z] = -np.inf
        if not np.isfinite(gain).any() or gain.max() <= 1e-9:
            break
        good = np.flatnonzero(gain >= 0.5 * gain.max())
        pick = int(good[np.argmin(dist[good, z])])
        if assigned[pick] >= 0:
            have[assigned[pick]] -= brings[pick]
            moved_from.setdefault(pick, int(assigned[pick]))
        assigned[pick] = z
        have[z] += brings[pick]
    left = np.flatnonzero(assigned < 0)
    if len(left):
        assigned[left] = np.argmin(dist[left], axis=1)
    zone_of = pd.Series(np.asarray(ids, dtype=object)[assigned], index=carers.index, dtype=object)
    hours = (
        pd.to_numeric(carers["contracted_hours"], errors="coerce").to_numpy(float)
        if "contracted_hours" in carers.columns
        else brings.sum(1) / WORKING_SHARE / 60
    )
    moves = pd.DataFrame(
        [
            {"carer_id": str(carers["carer_id"].iloc[i]), "from_zone": ids[f],
             "to_zone": ids[assigned[i]], "hours_per_week": float(hours[i])}
            for i, f in sorted(moved_from.items())
            if assigned[i] != f
        ],
        columns=["carer_id", "from_zone", "to_zone", "hours_per_week"],
    )  # fmt: skip
    have = np.zeros_like(need)
    for i, z in enumerate(assigned):
        have[z] += brings[i]
    gap = need - have
    rows = [
        {"zone_id": ids[i], "day": days[j], "need_hours": need[i, j] / 60,
         "have_hours": have[i, j] / 60, "short_hours": gap[i, j] / 60}
        for i in range(len(ids)) for j in range(len(days)) if gap[i, j] > 30
    ]  # fmt: skip
    short = pd.DataFrame(rows, columns=["zone_id", "day", "need_hours", "have_hours",
                                        "short_hours"])  # fmt: skip
    return Staffing(zone_of, home, moves, short)
