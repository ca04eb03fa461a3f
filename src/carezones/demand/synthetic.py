"""A realistic synthetic population of clients, carers and providers on a real OSM extract.

See :func:`carezones.datasets.synthetic_population` for the model and its sources.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from carezones._options import make_rng
from carezones.demand import checks as tab
from carezones.demand import patterns as pat
from carezones.demand.visits import expand_visits
from carezones.demand.workforce import SLOT_SPANS, TRAVEL_ALLOWANCE, UTILISATION, capacity_minutes
from carezones.exceptions import Problem, ValidationError
from carezones.network import MODES, TravelNetwork, open_osm

logger = logging.getLogger(__name__)

#: Shares of carers with a bike and with a car they can use for work (assumptions, cited
#: in :func:`carezones.datasets.synthetic_population`); everyone can walk.
ACCESS: dict[str, float] = {"cycle": 0.30, "drive": 0.60}
#: Skills the generator uses, and the share of clients needing / carers holding each.
CLIENT_SKILLS: dict[str, float] = {"dementia": 0.30, "medication": 0.50, "end_of_life": 0.03}
CARER_SKILLS: dict[str, float] = {
    "dementia": 0.60,
    "medication": 0.85,
    "hoist": 0.50,
    "end_of_life": 0.20,
}
SKILLS = ("dementia", "end_of_life", "hoist", "medication")

MEDIAN_HOURS = 10.0  # a client's weekly hours: log-normal, median 10, sigma 0.6
SIGMA_HOURS = 0.6
MIN_HOURS, MAX_HOURS = 1.5, 40.0
DOUBLE_HANDED = 0.10  # share of clients needing two carers at each visit
VIRTUAL_OK = 0.15  # share of single-handed clients whose calls could be virtual
NEAR_NETWORK_M = 250.0  # homes farther than this from the walking network are not used
REACH_M = 400.0  # ... nor homes farther than this from any other mode's network
_RESIDENTIAL_ONE = {
    "house", "detached", "semidetached_house", "semi", "semi-detached", "bungalow", "terrace",
    "terraced", "farm", "cabin", "static_caravan", "houseboat", "hut",
}  # fmt: skip
_RESIDENTIAL_MANY = {"apartments", "flats", "residential", "dormitory", "maisonette", "yes"}
_LEVELS = {"apartments": 4.0, "flats": 4.0, "residential": 3.0, "dormitory": 3.0, "yes": 2.0}
_OFFICES = {"office", "commercial", "retail", "yes", "civic", "public"}
_NAMES = (
    "Bluebell", "Riverside", "Oakwood", "Hearthstone", "Kindred", "Meadow", "Brightwater",
    "Larkspur", "Willow", "Harbour", "Evergreen", "Fairhaven", "Heather", "Kestrel", "Maple",
    "Northgate", "Orchard", "Rosewood", "Silverbirch", "Thistle",
)  # fmt: skip
#: Shift types: start, end, most working minutes, and an unpaid break (minutes, window).
#: A split shift covers the morning and the evening peaks with a long break mid-day.
SHIFT_TYPES: dict[str, tuple[int, int, int, int, int, int]] = {
    "early": (7 * 60, 14 * 60 + 30, 420, 0, 0, 24 * 60),
    "late": (14 * 60 + 30, 22 * 60 + 30, 420, 0, 0, 24 * 60),
    "split": (7 * 60, 22 * 60 + 30, 480, 300, 10 * 60 + 30, 17 * 60),
}
_CONTRACTS = (16.0, 20.0, 24.0, 30.0, 37.5)


@dataclass(frozen=True)
class Homes:
    """Candidate home locations: x, y in the network's CRS and a weight (dwellings)."""

    xy: np.ndarray
    dwellings: np.ndarray
    kind: str  # "buildings" or "street nodes"
    offices: np.ndarray  # xy of non-residential buildings (provider offices)


# ----------------------------------------------------------------- where people live

_BUILDINGS: dict[tuple[str, int, int, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A tag as numbers (NaN where absent or not a number)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _read_buildings(network: TravelNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Residential points, their dwellings, office points (network CRS); None if unreadable."""
    path = Path(network.source)
    if not path.is_file():
        return None
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, network.crs.to_wkt())
    if key in _BUILDINGS:
        return _BUILDINGS[key]
    try:
        frame = open_osm(path).get_buildings()
    except (ValidationError, ValueError, KeyError) as exc:  # pragma: no cover - unreadable extract
        logger.info("no buildings read from %s (%s)", path.name, exc)
        return None
    if frame is None or len(frame) == 0:
        return None
    frame = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    frame = frame.sort_values("id").to_crs(network.crs)
    kind = frame["building"].astype(str).str.lower().to_numpy()
    tags = [c for c in ("amenity", "shop", "office", "craft") if c in frame.columns]
    other_use = frame[tags].notna().any(axis=1).to_numpy() if tags else np.zeros(len(frame), bool)
    area = frame.geometry.area.to_numpy()
    points = frame.geometry.representative_point()
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    one = np.isin(kind, list(_RESIDENTIAL_ONE))
    many = np.isin(kind, list(_RESIDENTIAL_MANY)) & ~((kind == "yes") & other_use)
    homes = (one | many) & (area >= 30)
    levels = _numbers(frame, "building:levels")
    default_levels = np.array([_LEVELS.get(k, 2.0) for k in kind])
    levels = np.where(np.isfinite(levels) & (levels >= 1), np.minimum(levels, 30), default_levels)
    dwellings = np.where(one, 1.0, np.clip(area * levels * 0.8 / 70.0, 1.0, 300.0))
    flats = _numbers(frame, "building:flats")
    dwellings = np.where(np.isfinite(flats) & (flats >= 1), flats, dwellings)
    offices = np.isin(kind, list(_OFFICES)) & (other_use | (kind != "yes")) & (area >= 30)
    out = (xy[homes], dwellings[homes], xy[offices])
    _BUILDINGS[key] = out
    return out


def _near(network: TravelNetwork, xy: np.ndarray, mode: str) -> np.ndarray:
    """Points within NEAR_NETWORK_M of ``mode``'s network and REACH_M of every other mode's."""
    ok = np.ones(len(xy), dtype=bool)
    if not len(xy):
        return ok
    for m in network.modes:
        ok &= network.index(m).tree.query(xy)[0] <= (NEAR_NETWORK_M if m == mode else REACH_M)
    if ok.sum() < 20:  # a mode with very few streets: only the main mode counts
        ok = network.index(mode).tree.query(xy)[0] <= NEAR_NETWORK_M
    return ok


def find_homes(network: TravelNetwork, area: shapely.Geometry | None = None) -> Homes:
    """Homes: residential buildings near the networks, else residential-street nodes.

    Only those inside ``area`` (a polygon in the network's CRS: the borough) when given.
    """
    homes = _find_homes(network)
    if area is None:
        return homes
    inside = shapely.contains_xy(area, *homes.xy.T)
    offices = homes.offices[shapely.contains_xy(area, *homes.offices.T)]
    if inside.sum() < 20:
        bad = Problem("synthetic_population", "too few homes", "20 in the area", str(inside.sum()))
        raise ValidationError([bad])
    xy = homes.xy[inside]
    return Homes(xy, homes.dwellings[inside], homes.kind, offices if len(offices) else xy)


def _find_homes(network: TravelNetwork) -> Homes:
    mode = "walk" if "walk" in network.modes else network.modes[0]
    got = _read_buildings(network)
    if got is not None:
        xy, dwellings, offices = got
        near = _near(network, xy, mode)
        if near.sum() >= 20:
            keep = _near(network, offices, mode)
            return Homes(xy[near], dwellings[near], "buildings", offices[keep])
    logger.info(
        "fewer than 20 residential buildings in %s: using residential-street nodes", network.source
    )
    edges = network.edges[mode]
    highway = edges["highway"].map(lambda v: v[0] if isinstance(v, list) and v else v).astype(str)
    streets = edges[highway.isin(["residential", "living_street"]).to_numpy()]
    ids = np.unique(
        np.concatenate([streets.index.get_level_values(k).to_numpy() for k in ("u", "v")])
    )
    nodes = network.nodes[mode]
    if len(ids) < 20:
        ids = nodes.index.to_numpy()
    xy = nodes.loc[ids, ["x", "y"]].to_numpy(dtype=float)
    return Homes(xy, np.ones(len(xy)), "street nodes", xy)


def _intensity(
    xy: np.ndarray, weights: np.ndarray, rng: np.random.Generator, background: float
) -> np.ndarray:
    """A few Gaussian density hotspots (a Dirichlet mixture) plus a background."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    extent = float(max(np.sqrt(np.prod(np.maximum(hi - lo, 1.0))), 200.0))
    k = int(np.clip(round(math.sqrt(extent / 1000.0)) + 2, 3, 8))
    centres = xy[rng.choice(len(xy), size=k, p=weights / weights.sum())]
    sigma = np.clip(extent * rng.uniform(0.04, 0.12, size=k), 150.0, 1500.0)
    mix = rng.dirichlet(np.ones(k))
    bump = np.zeros(len(xy))
    for c, s, w in zip(centres, sigma, mix, strict=True):
        d2 = ((xy - c) ** 2).sum(axis=1)
        bump += w * np.exp(-d2 / (2 * s * s))
    return background + k * bump


def _place(homes: Homes, n: int, rng: np.random.Generator, background: float) -> np.ndarray:
    weights = homes.dwellings * _intensity(homes.xy, homes.dwellings, rng, background)
    return homes.xy[rng.choice(len(homes.xy), size=n, p=weights / weights.sum())]


# ----------------------------------------------------------------- care patterns


def _round5(minutes: float) -> int:
    return int(5 * round(minutes / 5))


def _window(slot: str, duration: int, rng: np.random.Generator) -> tuple[int, int]:
    """A client's own window inside a default slot: 1-2 hours or the whole slot."""
    start, end = pat.SLOTS[slot]
    width = int(rng.choice([60, 90, 120, end - start], p=[0.2, 0.3, 0.3, 0.2]))
    width = min(max(width, duration + 30), end - start)
    offset = 15 * int(rng.integers(0, (end - start - width) // 15 + 1))
    return start + offset, start + offset + width


def _calls(minutes: float, rng: np.random.Generator) -> list[pat.Call]:
    """Calls adding up to about ``minutes`` a week: 1-4 a day of 30+ minutes, or fewer days."""
    if minutes < 7 * pat.MIN_VISIT_MINUTES:
        n_days = int(np.clip(round(minutes / 45), 1, 7))
        duration = max(pat.MIN_VISIT_MINUTES, _round5(minutes / n_days))
        shift = int(rng.integers(0, 7))
        days = tuple(sorted({(i * 7 // n_days + shift) % 7 for i in range(n_days)}))
        slot = "morning" if rng.random() < 0.6 else "lunch"
        return [pat.Call(days, *_window(slot, duration, rng), duration)]
    daily = minutes / 7
    n = int(np.clip(round(daily / 40), 1, 4))
    while n < 4 and daily / n > 75:
        n += 1
    slots = pat.SLOTS_BY_CALLS[n]
    weights = np.array([1.4 if s == "morning" else 1.0 for s in slots])
    out = []
    for slot, w in zip(slots, weights, strict=True):
        duration = max(pat.MIN_VISIT_MINUTES, _round5(daily * w / weights.sum()))
        out.append(pat.Call(tuple(range(7)), *_window(slot, duration, rng), duration))
    return sorted(out, key=lambda c: c.start)


def _rescale(hours: np.ndarray, target: float) -> np.ndarray:
    """Scale hours to add up to ``target``, none above MAX_HOURS (the excess goes to the others)."""
    h = hours.astype(float).copy()
    for _ in range(100):
        capped = h >= MAX_HOURS
        if capped.all():
            return np.full(len(h), MAX_HOURS)
        free_total = target - MAX_HOURS * capped.sum()
        h = np.where(capped, MAX_HOURS, h * free_total / h[~capped].sum())
        if (h <= MAX_HOURS + 1e-9).all():
            break
        h = np.minimum(h, MAX_HOURS)
    return h


def _fit_total(
    calls: list[list[pat.Call]], target_minutes: float, rng: np.random.Generator
) -> None:
    """Move daily calls by 5 minutes (35 a week) until within 17.5 minutes of the target."""
    daily = [(i, j) for i, cs in enumerate(calls) for j, c in enumerate(cs) if len(c.days) == 7]
    total = sum(pat.weekly_minutes(cs) for cs in calls)
    for _ in range(20 * len(daily) + 1):
        gap = target_minutes - total
        if abs(gap) <= 17.5 or not daily:
            return
        i, j = daily[int(rng.integers(len(daily)))]
        c = calls[i][j]
        step = 5 if gap > 0 else -5
        new = c.duration + step
        if new < pat.MIN_VISIT_MINUTES or new > c.end - c.start:
            continue
        calls[i][j] = pat.Call(c.days, c.start, c.end, new)
        total += 7 * step


# ----------------------------------------------------------------- the tables


def _check_args(
    network: TravelNetwork,
    n_clients: int,
    n_carers: int | str,
    n_providers: int,
    total_weekly_hours: float | None,
    shares: Mapping[str, float] | None,
    access: Mapping[str, float],
) -> None:
    problems = []
    counts = [("n_clients", n_clients, 1), ("n_providers", n_providers, 1)]
    if n_carers != "auto":
        counts.append(("n_carers", n_carers, 0))
    for name, value, least in counts:
        if not (
            isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= least
        ):
            problems.append(
                Problem(
                    "synthetic_population",
                    "bad count",
                    f"an integer >= {least}",
                    repr(value),
                    column=name,
                )
            )
    if total_weekly_hours is not None and not problems:
        low, high = 0.5 * n_clients, MAX_HOURS * n_clients
        if not (isinstance(total_weekly_hours, int | float) and low <= total_weekly_hours <= high):
            problems.append(
                Problem(
                    "synthetic_population",
                    "hours out of range",
                    f"from {low:g} to {high:g} hours a week for {n_clients} clients",
                    repr(total_weekly_hours),
                    column="total_weekly_hours",
                )
            )
    for mode, share in access.items():
        if mode not in ("cycle", "drive") or not (
            isinstance(share, int | float) and 0 <= share <= 1
        ):
            problems.append(
                Problem(
                    "synthetic_population",
                    "bad access share",
                    "shares in [0, 1] of carers with a bike ('cycle') or a car ('drive')",
                    f"{mode!r}: {share!r}",
                    column="access",
                )
            )
    shares = {} if shares is None else shares
    bad = [m for m in shares if m not in MODES or m not in network.modes]
    if shares and (bad or any(v < 0 for v in shares.values()) or sum(shares.values()) <= 0):
        problems.append(
            Problem(
                "synthetic_population",
                "unknown mode",
                "shares >= 0 of the network's modes " + ", ".join(network.modes),
                repr(dict(shares)),
                column="mode_shares",
            )
        )
    if problems:
        raise ValidationError(problems)


def _clients(
    homes: Homes, n: int, total: float | None, rng: np.random.Generator, crs: Any
) -> tuple[pd.DataFrame, float]:
    xy = _place(homes, n, rng, background=0.3)
    double = rng.random(n) < DOUBLE_HANDED
    hours = np.clip(
        rng.lognormal(math.log(MEDIAN_HOURS), SIGMA_HOURS, n) * np.where(double, 1.3, 1.0),
        MIN_HOURS,
        MAX_HOURS,
    )
    if total is not None:
        hours = _rescale(hours, float(total))
    calls = [_calls(h * 60, rng) for h in hours]
    if total is not None:
        _fit_total(calls, float(total) * 60, rng)
    skills = []
    for k in range(n):
        have = {s for s, p in CLIENT_SKILLS.items() if rng.random() < p}
        if double[k] or rng.random() < 0.03:
            have.add("hoist")
        skills.append(";".join(sorted(have)))
    minutes = np.array([pat.weekly_minutes(c) for c in calls])
    width = len(str(n))
    frame = pd.DataFrame(
        {
            "client_id": [f"C{k + 1:0{width}d}" for k in range(n)],
            "weekly_hours": minutes / 60,
            "pattern": [pat.format_pattern(c) for c in calls],
            "carers_needed": np.where(double, 2, 1),
            "skills": skills,
            "virtual_ok": ~double & (rng.random(n) < VIRTUAL_OK),
        }
    )
    frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)
    return frame, float(minutes.sum() / 60)


def _slot_demand(clients: pd.DataFrame) -> np.ndarray:
    """Carer-minutes of care by day (0 = Monday) and slot, from the clients' patterns."""
    out = np.zeros((7, len(SLOT_SPANS)))
    starts = np.array([span[0] for span in SLOT_SPANS.values()])
    for text, need in zip(clients["pattern"], clients["carers_needed"], strict=True):
        for call in pat.parse_pattern(text):
            k = int(np.clip(np.searchsorted(starts, call.start, side="right") - 1, 0, None))
            for d in call.days:
                out[d, k] += call.duration * int(need)
    return out * (1 + TRAVEL_ALLOWANCE) / UTILISATION


def _slot_demand_of_visits(visits: pd.DataFrame) -> np.ndarray:
    """As :func:`_slot_demand`, from a visits table (any client table, default patterns too)."""
    out = np.zeros((7, len(SLOT_SPANS)))
    starts = np.array([span[0] for span in SLOT_SPANS.values()])
    day = visits["day"].map({name: i for i, name in enumerate(pat.DAYS)}).to_numpy(int)
    slot = np.clip(np.searchsorted(starts, visits["window_start"].to_numpy(float),
                                   side="right") - 1, 0, None)  # fmt: skip
    need = visits["duration"].to_numpy(float) * visits["carers_needed"].to_numpy(float)
    np.add.at(out, (day, slot), need)
    return out * (1 + TRAVEL_ALLOWANCE) / UTILISATION


def _shifts_and_days(
    demand: np.ndarray, n: int | None, rng: np.random.Generator
) -> list[tuple[str, tuple[int, ...]]]:
    """Each carer's shift type and working days, chosen to cover the day-slots most short.

    Carers are added one at a time; each takes the working days (4-6 in a row) and the
    shift type that raise the worst cover of the week the most. With ``n`` None, carers
    are added until every day-slot is covered (a workforce sized to the demand).
    """
    capacity = {name: np.array(list(capacity_minutes(*spec).values())) for name, spec in
                SHIFT_TYPES.items()}  # fmt: skip
    have = np.zeros_like(demand)
    need = np.where(demand > 0, demand, 1.0)
    out: list[tuple[str, tuple[int, ...]]] = []
    limit = n if n is not None else 100_000
    while len(out) < limit:
        count = int(rng.choice([4, 5, 5, 6]))
        best: float | None = None
        pick: tuple[str, tuple[int, ...], np.ndarray] = ("early", (), have)
        for first in rng.permutation(7):
            days = tuple(sorted((int(first) + i) % 7 for i in range(count)))
            for name in rng.permutation(list(SHIFT_TYPES)):
                trial = have.copy()
                trial[list(days)] += capacity[name]
                score = np.sort((trial / need).ravel())[:4].sum()  # the worst day-slots
                if best is None or score > best:
                    best, pick = score, (str(name), days, trial)
        out.append((pick[0], pick[1]))
        have = pick[2]
        if n is None and (have >= demand - 1e-9).all():
            break
    return out


def _carer_modes(
    network: TravelNetwork,
    n: int,
    access: Mapping[str, float],
    rng: np.random.Generator,
    fixed: Mapping[str, float] | None,
) -> tuple[list[str], list[str]]:
    """Each carer's modes open to them and planning mode: walking, a bike, a car.

    Everyone can walk; a bike with probability ``access["cycle"]``, a car with
    ``access["drive"]`` (independently), when those networks are loaded. With ``fixed``
    (a what-if mix of modes), each carer gets one mode in those shares instead.
    """
    if fixed is not None:
        modes = [m for m in network.modes if fixed.get(m, 0) > 0]
        p = np.array([fixed[m] for m in modes], dtype=float)
        chosen = [str(m) for m in rng.choice(modes, size=n, p=p / p.sum())] if n else []
        return chosen, list(chosen)
    bike = rng.random(n) < access.get("cycle", 0.0)
    car = rng.random(n) < access.get("drive", 0.0)
    open_to = []
    for k in range(n):
        have = ["walk"] if "walk" in network.modes else []
        if bike[k] and "cycle" in network.modes:
            have.append("cycle")
        if car[k] and "drive" in network.modes:
            have.append("drive")
        open_to.append(";".join(have or [network.modes[0]]))
    return open_to, [m.split(";")[-1] for m in open_to]


def _carers(
    network: TravelNetwork,
    homes: Homes,
    n: int | None,
    clients: pd.DataFrame,
    access: Mapping[str, float],
    fixed: Mapping[str, float] | None,
    rng: np.random.Generator,
    demand: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    plan = _shifts_and_days(_slot_demand(clients) if demand is None else demand, n, rng)
    n = len(plan)
    open_to, planning = _carer_modes(network, n, access, rng, fixed)
    chosen = np.array(planning, dtype=object)
    xy = np.zeros((n, 2))
    for mode in network.modes:
        who = np.flatnonzero(chosen == mode)
        if not len(who):
            continue
        index = network.index(mode)
        near = index.tree.query(homes.xy)[0] <= NEAR_NETWORK_M
        mine = (
            Homes(homes.xy[near], homes.dwellings[near], homes.kind, homes.offices)
            if near.any()
            else Homes(index.xy, np.ones(len(index.xy)), "street nodes", index.xy)
        )
        xy[who] = _place(mine, len(who), rng, background=0.6)
    rows = []
    for k, (shift, days) in enumerate(plan):
        start, end, most, brk, bstart, bend = SHIFT_TYPES[shift]
        # the usual contract nearest 80-95% of the days' longest shifts: a carer's week
        # planned within their contracted hours (+10%) uses most of each shift
        full = len(days) * most / 60
        fits = [h for h in _CONTRACTS if h <= full]
        aim = full * float(rng.uniform(0.8, 0.95))
        hours = float(min(fits, key=lambda h: abs(h - aim))) if fits else full
        rows.append(
            {
                "mode": planning[k],
                "modes": open_to[k],
                "contracted_hours": hours,
                "shift_start": start,
                "shift_end": end,
                "max_minutes": most,
                "break_minutes": brk if brk else np.nan,
                "break_start": bstart if brk else np.nan,
                "break_end": bend if brk else np.nan,
                "days": ";".join(pat.DAYS[d] for d in days),
                "skills": ";".join(sorted(s for s, q in CARER_SKILLS.items() if rng.random() < q)),
                "shift_type": shift,
            }
        )
    width = len(str(max(n, 1)))
    frame = pd.DataFrame(rows, columns=["mode", "modes", "contracted_hours", "shift_start",
                                        "shift_end", "max_minutes", "break_minutes",
                                        "break_start", "break_end", "days", "skills",
                                        "shift_type"])  # fmt: skip
    frame.insert(0, "carer_id", [f"K{k + 1:0{width}d}" for k in range(n)])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=network.crs)


def _providers(
    homes: Homes, n: int, total_hours: float, rng: np.random.Generator, crs: Any
) -> gpd.GeoDataFrame:
    share = rng.dirichlet(np.full(n, 3.0))
    names = [
        _NAMES[k % len(_NAMES)] + (f" {k // len(_NAMES) + 1}" if k >= len(_NAMES) else "")
        for k in rng.permutation(max(n, len(_NAMES)))[:n]
    ]
    offices = homes.offices if len(homes.offices) else homes.xy
    xy = offices[rng.choice(len(offices), size=n, replace=len(offices) < n)]
    width = len(str(n))
    frame = pd.DataFrame(
        {
            "provider_id": [f"P{k + 1:0{max(width, 2)}d}" for k in range(n)],
            "name": [f"{nm} Home Care" for nm in names],
            "capacity_hours": np.round(share * total_hours * 1.15, -1).clip(10.0),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def generate(
    network: TravelNetwork,
    *,
    n_clients: int,
    n_carers: int | str,
    n_providers: int,
    total_weekly_hours: float | None,
    random_state: int | np.random.Generator | None,
    mode_shares: Mapping[str, float] | None = None,
    access: Mapping[str, float] | None = None,
    area: shapely.Geometry | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The model behind :func:`carezones.datasets.synthetic_population`.

    Parameters
    ----------
    network, n_clients, n_carers, n_providers, total_weekly_hours, random_state
        See :func:`carezones.datasets.synthetic_population`, which checks them.
    mode_shares, access
        See :func:`carezones.datasets.synthetic_population`.
    area
        Everyone lives (and every office is) inside this polygon (network CRS); None: anywhere.
    """
    access = dict(ACCESS if access is None else access)
    shares = None if mode_shares is None else dict(mode_shares)
    _check_args(network, n_clients, n_carers, n_providers, total_weekly_hours, shares, access)
    rng = random_state if isinstance(random_state, np.random.Generator) else make_rng(random_state)
    r_clients, r_carers, r_providers, r_links = rng.spawn(4)
    homes = find_homes(network, area)
    clients, hours = _clients(homes, int(n_clients), total_weekly_hours, r_clients, network.crs)
    carers = _carers(
        network, homes, None if n_carers == "auto" else int(n_carers), clients, access, shares,
        r_carers,
    )  # fmt: skip
    providers = _providers(homes, int(n_providers), hours, r_providers, network.crs)
    share = providers["capacity_hours"].to_numpy() / providers["capacity_hours"].sum()
    ids = providers["provider_id"].to_numpy()
    clients["provider_id"] = r_links.choice(ids, size=len(clients), p=share).astype(str)
    carers["provider_id"] = (
        r_links.choice(ids, size=len(carers), p=share).astype(str) if len(carers) else ""
    )
    out = []
    for frame, table in ((clients, "clients"), (carers, "carers"), (providers, "providers")):
        checked = tab.check_table(frame, table, f"synthetic {table}")
        if checked.problems:  # pragma: no cover - a bug in the generator, never bad input
            raise RuntimeError(f"synthetic {table} failed their own checks: {checked.problems[:3]}")
        out.append(checked.frame)
    logger.info(
        "synthetic population on %s: %d clients (%.0f h/week) at %s, %d carers, %d providers",
        os.path.basename(network.source),
        n_clients,
        hours,
        homes.kind,
        n_carers,
        n_providers,
    )
    return out[0], out[1], out[2]


def generate_carers(
    network: TravelNetwork,
    clients: pd.DataFrame,
    *,
    n_carers: int | str = "auto",
    random_state: int | np.random.Generator | None,
    access: Mapping[str, float] | None = None,
    area: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Synthetic carers for given clients (:func:`carezones.datasets.synthetic_carers`).

    Parameters
    ----------
    network
        The networks the carers' modes are drawn from.
    clients
        Any clients table (their visits, default patterns included, size the workforce).
    n_carers
        {int, "auto"} How many; "auto": added until every day-slot is covered.
    random_state, access
        As for :func:`carezones.datasets.synthetic_population`.
    area
        The carers live inside this polygon (network CRS); None: anywhere.
    """
    access = dict(ACCESS if access is None else access)
    rng = random_state if isinstance(random_state, np.random.Generator) else make_rng(random_state)
    homes = find_homes(network, area)
    demand = _slot_demand_of_visits(expand_visits(pd.DataFrame(clients)))
    n = None if n_carers == "auto" else int(n_carers)
    carers = _carers(network, homes, n, pd.DataFrame(), access, None, rng, demand=demand)
    checked = tab.check_table(carers, "carers", "synthetic carers")
    if checked.problems:  # pragma: no cover - a bug in the generator, never bad input
        raise RuntimeError(f"synthetic carers failed their own checks: {checked.problems[:3]}")
    return checked.frame
