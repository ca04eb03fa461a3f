"""Carers go where the work is: each carer's zone, the moves from home zones, and the gaps left.

:func:`staff_zones` puts the zones through the one staffing rule of the package,
:func:`carezones.demand.staff_groups` (also how scenarios staff zones and providers):
each zone staffed against its own day-slots, shifts and skills; a carer starts in the
zone they live in (the nearest zone for a home outside them all), and the zone furthest
short of its own demand takes carers, nearest first, while a move covers more than it
uncovers. A carer's day is capped by their contract
(:func:`~carezones.routing.week.capped_carers`). Every entry point uses it: scenarios
(through ``staff_groups``), ``carezones routes``, the workshop's routed day and
:func:`~carezones.routing.plan_routes` with zone polygons. Whatever stays short by more
than :data:`SHORT_SHARE` of a zone-day's need is reported by zone and day, in carer-hours
(the travel allowance and the utilisation of :func:`~carezones.demand.group_cover`
included).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.demand import DAYS, staff_groups
from carezones.routing.problem import WorkRules
from carezones.routing.week import capped_carers

__all__ = ["SHORT_SHARE", "Staffing", "carer_zones", "staff_zones"]

#: A zone-day is reported short when its gap is over this share of its need (and half an
#: hour): smaller gaps are a carer's shift not splitting across zones, which routing absorbs.
SHORT_SHARE = 0.05

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
        The visits planned, with ``zone_id`` (None: in no zone), ``day``,
        ``window_start``, ``duration``, ``carers_needed`` and optionally ``skills``.
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
    >>> visits = pd.DataFrame({"zone_id": ["A", "B"], "day": "monday", "window_start": 420,
    ...     "duration": [60, 180], "carers_needed": 1})
    >>> s = staff_zones(carers, visits, zones)
    >>> s.zone_of_carer.tolist(), s.moves[["carer_id", "from_zone", "to_zone"]].values.tolist()
    (['A', 'B'], [['k2', 'A', 'B']])
    """
    work = work or WorkRules()
    ids = zones["zone_id"].astype(str).tolist()
    home = carer_zones(carers, zones) if home_zone is None else home_zone
    index = {z: i for i, z in enumerate(ids)}
    home_at = np.array([index.get(str(z), -1) if pd.notna(z) else -1 for z in home])
    centres = zones.geometry.representative_point()
    homes = carers.geometry.to_crs(zones.crs)
    dist = np.hypot(homes.x.to_numpy()[:, None] - centres.x.to_numpy()[None, :],
                    homes.y.to_numpy()[:, None] - centres.y.to_numpy()[None, :])  # fmt: skip
    pref = dist.copy()
    placed = np.flatnonzero(home_at >= 0)
    pref[placed, home_at[placed]] -= 1e12  # residents first, the nearest of them first
    week = _one_week(visits)
    staffed = staff_groups(week, capped_carers(carers, work), ids,
                           week["zone_id"].astype(object).to_numpy(), pref)  # fmt: skip
    zone_of = pd.Series(np.asarray(staffed.group, dtype=object), index=carers.index, dtype=object)
    hours = (
        pd.to_numeric(carers["contracted_hours"], errors="coerce")
        if "contracted_hours" in carers.columns
        else pd.Series(np.nan, index=carers.index)
    )
    home_ids = np.where(home_at >= 0, np.asarray([*ids, None], dtype=object)[home_at], None)
    moved = np.flatnonzero((home_at >= 0) & (zone_of.to_numpy() != home_ids))
    moves = pd.DataFrame(
        {
            "carer_id": carers["carer_id"].astype(str).to_numpy()[moved],
            "from_zone": home_ids[moved],
            "to_zone": zone_of.to_numpy()[moved],
            "hours_per_week": hours.to_numpy(float)[moved],
        },
        columns=["carer_id", "from_zone", "to_zone", "hours_per_week"],
    )
    return Staffing(zone_of, home, moves, _short(staffed.cover))


def _one_week(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits of one week (a fortnight's first; staffing is a weekly pattern)."""
    day = visits["day"].astype(str).str.lower() if "day" in visits.columns else None
    out = visits if day is None else visits.assign(day=day)
    if day is not None and day.isin(DAYS).any():
        out = out[day.isin(DAYS).to_numpy()]
    elif day is not None:
        out = out.assign(day=day.str.replace(r"-\d+$", "", regex=True))
    return out.assign(zone_id=out["zone_id"].where(out["zone_id"].notna(), None))


def _short(cover: pd.DataFrame) -> pd.DataFrame:
    """Zone-days still short: per slot the larger of any care's and any one skill's gap."""
    cols = ["zone_id", "day", "need_hours", "have_hours", "short_hours"]
    if cover.empty:
        return pd.DataFrame(columns=cols)
    care = cover[cover["skill"] == ""]
    slot_gap = cover.groupby(["group", "day", "slot"], sort=False)["short_hours"].max()
    gap = slot_gap.groupby(level=["group", "day"], sort=False).sum()
    totals = care.groupby(["group", "day"], sort=False)[["needed_hours", "available_hours"]].sum()
    out = totals.join(gap.rename("short_hours"), how="outer").fillna(0.0).reset_index()
    out = out.rename(columns={"group": "zone_id", "needed_hours": "need_hours",
                              "available_hours": "have_hours"})  # fmt: skip
    out = out[out["short_hours"] > np.maximum(0.5, SHORT_SHARE * out["need_hours"])]
    order = {d: i for i, d in enumerate(DAYS)}
    out = out.sort_values(["zone_id", "day"], key=lambda c: c.map(order) if c.name == "day" else c)
    return out[cols].reset_index(drop=True)
