"""Travel speeds per mode, and the speed of every edge of a network.

Walking and cycling have one speed each; driving takes each way's ``maxspeed`` (or the
road type's national limit) times an urban factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from carezones.exceptions import Problem, ProblemCollector, ValidationError

__all__ = [
    "MODES",
    "PYROSM_TYPE",
    "Speeds",
    "check_mode",
    "check_modes",
    "edge_speeds",
    "parse_maxspeed",
]

#: The travel modes carezones knows.
MODES: tuple[str, ...] = ("walk", "cycle", "drive")

PYROSM_TYPE = {"walk": "walking", "cycle": "cycling", "drive": "driving"}

# National speed limits (km/h) by road type, used where a way has no readable ``maxspeed``
# (GB limits: 70 mph motorways, 60 mph single-carriageway national limit, 30 mph in built-up
# areas; 20 mph for living streets and service roads).
_DRIVE_DEFAULT_KMH: dict[str, float] = {
    "motorway": 112.7,
    "motorway_link": 80.5,
    "trunk": 96.6,
    "trunk_link": 64.4,
    "primary": 80.5,
    "primary_link": 48.3,
    "secondary": 64.4,
    "secondary_link": 48.3,
    "tertiary": 48.3,
    "tertiary_link": 48.3,
    "unclassified": 48.3,
    "residential": 48.3,
    "living_street": 16.1,
    "service": 16.1,
    "road": 48.3,
}


@dataclass(frozen=True)
class Speeds:
    """Travel speeds per mode.

    Parameters
    ----------
    walk_kmh
        Walking speed, km/h (default 4.8, a typical adult pace).
    cycle_kmh
        Cycling speed, km/h (default 15).
    drive_urban_factor
        Share of the speed limit a car keeps on average in town (junctions, traffic),
        in (0, 1]; default 0.6.
    drive_default_kmh
        Speed limit by ``highway`` value where a way has no readable ``maxspeed``;
        None gives the GB national limits. Types missing from the mapping use
        ``drive_fallback_kmh``.
    drive_fallback_kmh
        Speed limit for road types in neither ``maxspeed`` nor ``drive_default_kmh``.
    drive_access_kmh
        Speed at which a car covers the gap between a point and its nearest network node
        (parking, the last metres), km/h.

    Examples
    --------
    >>> Speeds(walk_kmh=4.0).mps("walk")
    1.1111111111111112
    >>> Speeds(walk_kmh=-1)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - Speeds, column 'walk_kmh': bad speed: expected a number > 0, found -1
    """

    walk_kmh: float = 4.8
    cycle_kmh: float = 15.0
    drive_urban_factor: float = 0.6
    drive_default_kmh: Mapping[str, float] | None = None
    drive_fallback_kmh: float = 48.3
    drive_access_kmh: float = 15.0

    def __post_init__(self) -> None:
        check = ProblemCollector("Speeds")
        for name in ("walk_kmh", "cycle_kmh", "drive_fallback_kmh", "drive_access_kmh"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
                check.add("bad speed", "a number > 0", repr(value), column=name)
        f = self.drive_urban_factor
        if not (isinstance(f, int | float) and 0 < f <= 1):
            check.add("bad factor", "a number in (0, 1]", repr(f), column="drive_urban_factor")
        table = dict(_DRIVE_DEFAULT_KMH)
        if self.drive_default_kmh is not None:
            for key, value in dict(self.drive_default_kmh).items():
                if not (isinstance(value, int | float) and value > 0):
                    check.add(
                        "bad speed",
                        "a number > 0",
                        repr(value),
                        column=f"drive_default_kmh[{key!r}]",
                    )
                table[str(key)] = float(value)
        check.raise_if_any()
        object.__setattr__(self, "drive_default_kmh", table)

    def mps(self, mode: str) -> float:
        """Speed in metres per second at which ``mode`` covers off-network distance."""
        kmh = {"walk": self.walk_kmh, "cycle": self.cycle_kmh, "drive": self.drive_access_kmh}
        return kmh[check_mode(mode)] / 3.6

    def to_dict(self) -> dict[str, Any]:
        """Return the speeds as a plain dict (for caches and reports)."""
        out = asdict(self)
        out["drive_default_kmh"] = dict(sorted(dict(self.drive_default_kmh or {}).items()))
        return out


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ValidationError.

    Parameters
    ----------
    mode
        A mode's name {"walk", "cycle", "drive"}.
    """
    if mode not in MODES:
        raise ProblemCollector("mode").error(
            "unknown mode", "one of " + ", ".join(MODES), repr(mode)
        )
    return mode


def check_modes(modes: str | Iterable[str]) -> tuple[str, ...]:
    """``modes`` (one mode or several) as a tuple without repeats; ValidationError if unknown."""
    if isinstance(modes, str):
        modes = (modes,)
    modes = tuple(modes)
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValidationError(
            [Problem("modes", "unknown mode", "some of " + ", ".join(MODES), repr(m)) for m in bad]
            or [Problem("modes", "no mode", "at least one mode", "none")]
        )
    return tuple(dict.fromkeys(modes))


def parse_maxspeed(values: pd.Series) -> np.ndarray:
    """km/h from OSM ``maxspeed`` text ("30 mph", "50", "20;30"); NaN where unreadable."""
    text = values.astype("string").str.lower()
    number = text.str.extract(r"(\d+(?:\.\d+)?)", expand=False).astype(float)
    mph = text.str.contains("mph", na=False).to_numpy()
    kmh = np.array(number, dtype=float)
    kmh[mph] *= 1.609344
    return kmh


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def edge_speeds(edges: pd.DataFrame, mode: str, speeds: Speeds) -> np.ndarray:
    """Speed in km/h for every edge of ``mode``."""
    n = len(edges)
    if mode == "walk":
        return np.full(n, speeds.walk_kmh)
    if mode == "cycle":
        return np.full(n, speeds.cycle_kmh)
    limit = (
        parse_maxspeed(edges["maxspeed"].map(_first)) if "maxspeed" in edges else np.full(n, np.nan)
    )
    table = dict(speeds.drive_default_kmh or {})
    default = (
        edges["highway"].map(_first).map(table).astype(float).fillna(speeds.drive_fallback_kmh)
    )
    limit = np.where(np.isfinite(limit) & (limit > 0), limit, default.to_numpy())
    return limit * speeds.drive_urban_factor
