"""The tables of a scenario file: one frozen dataclass per TOML table, checked on creation.

Every check names the key; :func:`section` rewrites a dataclass's problems so they name
the file and table instead (``now.toml [zones]``), and unknown keys get a close match.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from carezones._parallel import worker_count
from carezones.demand import DAYS, FORTNIGHT
from carezones.exceptions import Problem, ProblemCollector, ValidationError, unknown_keys
from carezones.network import MAX_SNAP_DISTANCE, MODES, Speeds
from carezones.outcomes import COVER_RATE_GBP_PER_HOUR, MPH_HOURLY_RATE_GBP
from carezones.rota import RotaColumns, RotaRules
from carezones.routing import Budget, ModeRule, RoutingParams, WorkRules
from carezones.zoning import MIN_PROVIDER_HOURS, MIN_WEEKLY_HOURS, N_INIT, check_zoner_options

__all__ = [
    "ALLOCATIONS",
    "DAYS",
    "DENSE_KM_PER_KM2",
    "DataSpec",
    "DemandSpec",
    "ModeSpec",
    "NetworkSpec",
    "OutcomeSpec",
    "PopulationSpec",
    "ProviderSpec",
    "RECRUITMENT",
    "ROTA_SUFFIXES",
    "RotaSpec",
    "RoutingSpec",
    "ZoneSpec",
    "rota_kind_problems",
    "section",
    "unknown_keys",
]

#: The rota files ``[data] rota`` may name (what :func:`carezones.read_rota` reads).
ROTA_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
_T = TypeVar("_T")

#: Km of walkable street per km² within 400 m of a client above which a driver must park
#: (an assumption: Camden's streets are mostly above it, Rutland's outside its towns below).
DENSE_KM_PER_KM2 = 15.0


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# Checks of one section's fields; each adds to the section's ProblemCollector.


def _bad(c: ProblemCollector, obj: Any, name: str, expected: str, value: Any = None) -> None:
    found = repr(getattr(obj, name) if value is None else value)
    c.add("bad value", expected, found, column=name)


def _count(c: ProblemCollector, obj: Any, name: str, least: int, *, auto: bool = False) -> None:
    value = getattr(obj, name)
    if not ((auto and value == "auto") or (_int(value) and value >= least)):
        _bad(c, obj, name, f"an integer >= {least}" + (" or 'auto'" if auto else ""))


def _positive(
    c: ProblemCollector, obj: Any, name: str, *, optional: bool = False, zero: bool = False,
    most: float = math.inf,  # a bound where 1e308 would make a cost infinite
) -> None:  # fmt: skip
    value = getattr(obj, name)
    if optional and value is None:
        return
    if not (_number(value) and (value >= 0 if zero else value > 0) and value <= most):
        what = "a number >= 0" if zero else "a number > 0"
        what += f" and <= {most:g}" if most < math.inf else ""
        _bad(c, obj, name, ("None or " if optional else "") + what)



def _shares(c: ProblemCollector, obj: Any, name: str, *, optional: bool = True) -> None:
    value = getattr(obj, name)
    if value is None and optional:
        return
    ok = (
        isinstance(value, Mapping)
        and value
        and all(k in MODES and _number(v) and 0 <= v <= 1e6 for k, v in value.items())
    )
    if not ok or sum(value.values()) <= 0:
        _bad(c, obj, name, "shares from 0 to 1,000,000 (their ratios count) of "
             + ", ".join(MODES) + ", e.g. {walk = 0.3, drive = 0.7}")  # fmt: skip
    else:
        object.__setattr__(obj, name, {str(k): float(v) for k, v in value.items()})


@dataclass(frozen=True)
class NetworkSpec:
    """``[network]``: where the networks come from and which modes.

    ``source`` is "default" for the bundled Helsinki, a shared extract's name such as
    "camden", or a path to an OSM file; ``modes`` some of walk, cycle, drive.
    ``boundary`` is the area served: "extract" (the extract's own administrative area,
    as ``carezones zones`` uses by default), a polygons file (relative to the scenario
    file), or None (the default: the extract's whole area). With a boundary the
    synthetic population lives inside it (the same people in every scenario), zones are
    clipped to it, and the maps draw it. ``walk_kmh``, ``cycle_kmh`` and
    ``drive_urban_factor`` change the travel speeds (:class:`~carezones.Speeds`; None:
    its defaults, 4.8 km/h, 15 km/h and 0.6 of the speed limit).
    """

    source: str = "default"
    modes: tuple[str, ...] = MODES
    boundary: str | None = None
    walk_kmh: float | None = None
    cycle_kmh: float | None = None
    drive_urban_factor: float | None = None

    @property
    def speeds(self) -> Speeds:
        """The :class:`~carezones.Speeds` of this table."""
        given = {k: getattr(self, k) for k in ("walk_kmh", "cycle_kmh", "drive_urban_factor")}
        return Speeds(**{k: v for k, v in given.items() if v is not None})

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        _positive(c, self, "walk_kmh", optional=True, most=30)
        _positive(c, self, "cycle_kmh", optional=True, most=60)
        _positive(c, self, "drive_urban_factor", optional=True, most=1)
        if not (isinstance(self.source, str) and self.source.strip()):
            _bad(c, self, "source", "'default', a shared extract's name or a path to an OSM file")
        if self.boundary is not None and not (
            isinstance(self.boundary, str) and self.boundary.strip()
        ):
            _bad(c, self, "boundary", "'extract', 'none' or a path to a polygons file")
        elif isinstance(self.boundary, str) and self.boundary.strip().lower() == "none":
            object.__setattr__(self, "boundary", None)
        modes = (self.modes,) if isinstance(self.modes, str) else self.modes
        if not (isinstance(modes, list | tuple) and modes and all(m in MODES for m in modes)):
            _bad(c, self, "modes", "some of " + ", ".join(MODES))
        else:
            object.__setattr__(self, "modes", tuple(dict.fromkeys(modes)))
        c.raise_if_any()


@dataclass(frozen=True)
class PopulationSpec:
    """``[population]``: a synthetic population (see ``datasets.synthetic_population``).

    ``n_carers = "auto"`` (the default) sizes the workforce to the demand; ``access``
    gives the shares of carers with a bike and a car (``{cycle = 0.3, drive = 0.6}``);
    ``mode_shares`` instead fixes each carer to one mode (a what-if).
    """

    n_clients: int = 200
    n_carers: int | str = "auto"
    n_providers: int = 4
    total_weekly_hours: float | None = None
    access: Mapping[str, float] | None = None
    mode_shares: Mapping[str, float] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        _count(c, self, "n_clients", 1)
        _count(c, self, "n_carers", 1, auto=True)
        _count(c, self, "n_providers", 1)
        _positive(c, self, "total_weekly_hours", optional=True)
        _shares(c, self, "mode_shares")
        access = self.access
        if access is not None and not (
            isinstance(access, Mapping)
            and all(
                k in ("cycle", "drive") and _number(v) and 0 <= v <= 1 for k, v in access.items()
            )
        ):
            _bad(c, self, "access", "shares in [0, 1] of carers with a bike or a car, "
                 "e.g. {cycle = 0.3, drive = 0.6}")  # fmt: skip
        _count(c, self, "seed", 0)
        c.raise_if_any()


@dataclass(frozen=True)
class DataSpec:
    """``[data]``: the ``clients``, ``carers`` and optional ``providers`` files.

    With ``kind = "rota"``, also ``rota``: the call-monitoring export (``.csv`` or
    ``.xlsx``; see :func:`carezones.read_rota`). Paths are relative to the scenario file.
    ``carers = "auto"``: a synthetic workforce sized to the clients' visits
    (:func:`carezones.datasets.synthetic_carers`), for a plan of your clients before the
    carers' table is at hand; the assumptions table says so.
    """

    clients: str = ""
    carers: str = ""
    providers: str | None = None
    rota: str | None = None

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        for name in ("clients", "carers"):
            value = getattr(self, name)
            if not (isinstance(value, str) and value.strip()):
                _bad(c, self, name, "a path to a CSV, GeoPackage, GeoJSON or Parquet file")
        if self.providers is not None and not (
            isinstance(self.providers, str) and self.providers.strip()
        ):
            _bad(c, self, "providers", "None or a path to a providers file")
        if self.rota is not None and not (
            isinstance(self.rota, str) and self.rota.strip().lower().endswith(ROTA_SUFFIXES)
        ):
            _bad(
                c,
                self,
                "rota",
                "None or a path to a rota export (" + ", ".join(ROTA_SUFFIXES) + ")",
            )
        c.raise_if_any()


@dataclass(frozen=True)
class ZoneSpec:
    """``[zones]``: the neighbourhood zoner's options.

    The floor and the optional cap (h/week), number of zones ("auto": as many as the
    floor allows), starts, street resolution (m) and snap distance (m); the defaults are
    the zoner's (:mod:`carezones.zoning.defaults`). ``locked``: a zones file (polygons with
    ``zone_id``, e.g. the ``zones.gpkg`` that ``carezones workshop`` saves; relative to the
    scenario file) whose zones are kept as they are.
    """

    min_weekly_hours: float = MIN_WEEKLY_HOURS
    max_weekly_hours: float | None = None
    n_zones: int | str = "auto"
    n_init: int = N_INIT
    resolution: float = 100.0
    max_snap_distance: float = MAX_SNAP_DISTANCE
    locked: str | None = None

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        check_zoner_options(
            c, min_weekly_hours=self.min_weekly_hours, max_weekly_hours=self.max_weekly_hours,
            n_zones=self.n_zones, n_init=self.n_init, resolution=self.resolution,
            max_snap_distance=self.max_snap_distance,
        )  # fmt: skip
        if self.locked is not None and not (isinstance(self.locked, str) and self.locked.strip()):
            _bad(c, self, "locked", "None or a path to a zones file (polygons with zone_id)")
        c.raise_if_any()


#: How "then" gives clients to providers (``[providers] allocation``).
ALLOCATIONS = ("market_share", "random", "brokered", "given")
#: Where providers (or zones) find their carers (``[providers] recruitment``).
RECRUITMENT = ("local", "anywhere")


@dataclass(frozen=True)
class ProviderSpec:
    """``[providers]``: how many providers, their minimum, the "then" market, recruitment.

    ``n_providers`` ("auto": as many lots as the minimum allows, "now" only), the
    sustainable minimum (h/week), and for "then" how clients are given to providers:
    "market_share" (at random, in proportion to each provider's capacity: a market
    without geography, the upper bound of what zones save), "random" (uniformly),
    "brokered" (each package offered, in a random order, to the provider whose office is
    nearest with room under its capacity: the lower bound) or "given" (the tables'
    ``provider_id``). ``recruitment``: where each provider (or zone) finds its carers,
    "local" (nearest its clients first) or "anywhere" (in a random order); None: "local"
    for "now" and a brokered market, "anywhere" for the others. Either way each is
    staffed by the same rule, against its own day-slots, shifts and skills
    (:func:`carezones.staff_groups`), except with ``allocation = "given"``.
    """

    n_providers: int | str = "auto"
    min_provider_hours: float = MIN_PROVIDER_HOURS
    allocation: str = "market_share"
    recruitment: str | None = None

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        _count(c, self, "n_providers", 1, auto=True)
        _positive(c, self, "min_provider_hours")
        if self.allocation not in ALLOCATIONS:
            _bad(c, self, "allocation", ", ".join(repr(a) for a in ALLOCATIONS))
        if self.recruitment is not None and self.recruitment not in RECRUITMENT:
            _bad(c, self, "recruitment", "None, " + " or ".join(repr(r) for r in RECRUITMENT))
        c.raise_if_any()

    def recruits(self, kind: str) -> str:
        """Where carers are found in a scenario of ``kind``: "local" or "anywhere"."""
        if self.recruitment is not None:
            return self.recruitment
        return "local" if kind == "now" or self.allocation == "brokered" else "anywhere"


@dataclass(frozen=True)
class DemandSpec:
    """``[demand]``: demand growth, virtual calls and the carers' mode mix.

    ``growth`` 0.15: 15% more clients (copies of existing ones); ``virtual_share``: share
    of the ``virtual_ok`` visits made virtual calls, chosen (with the seed) before
    routing, so they are not routed and the carer time they free is planned;
    ``virtual_call_pay_share``: carer time paid per minute of a virtual call (1: as
    contact time); ``carer_mode_mix``: carers' modes reassigned to these shares.
    """

    growth: float = 0.0
    virtual_share: float = 0.0
    carer_mode_mix: Mapping[str, float] | None = None
    virtual_call_pay_share: float = 1.0

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        if not (_number(self.growth) and -1 < self.growth <= 10):
            _bad(c, self, "growth", "a number in (-1, 10], e.g. 0.15 for +15%")
        if not (_number(self.virtual_share) and 0 <= self.virtual_share <= 1):
            _bad(c, self, "virtual_share", "a number in [0, 1]")
        if not (_number(self.virtual_call_pay_share) and 0 <= self.virtual_call_pay_share <= 2):
            _bad(c, self, "virtual_call_pay_share", "a number in [0, 2]")
        _shares(c, self, "carer_mode_mix")
        c.raise_if_any()


@dataclass(frozen=True)
class RoutingSpec:
    """``[routing]``: days routed, the routing budget, workers and the routing rules.

    ``days`` ("week", the default: every day planned, continuity carried from day to day;
    or a day or a list of days: a quick estimate, weekly figures scaled up and said so);
    ``max_iterations`` and ``max_seconds``, the :class:`~carezones.routing.Budget` of each
    zone-day (the routing's own defaults: 300 iterations, so the same file gives the same
    plan, capped at 60 s); worker processes (at most the cores); and any
    :class:`~carezones.routing.RoutingParams` option (``time_windows``, soft by default: a
    visit may end late, at a price; ``continuity_penalty``, ...).
    """

    days: tuple[str, ...] = DAYS
    budget: Budget = field(default_factory=Budget)
    work: WorkRules = field(default_factory=WorkRules)
    n_jobs: int = 2
    params: RoutingParams = field(default_factory=lambda: RoutingParams(time_windows="soft"))

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        days = self.days
        if days in ("week", "all"):
            days = DAYS
        elif days == "fortnight":
            days = FORTNIGHT
        elif isinstance(days, str):
            days = (days,)
        if not (
            isinstance(days, list | tuple)
            and days
            and all(isinstance(d, str) and d.lower() in FORTNIGHT for d in days)
        ):
            expected = "a day name (monday ... sunday), a list of them, 'week' or 'fortnight'"
            _bad(c, self, "days", expected)
        else:
            lowered = {d.lower() for d in days}
            object.__setattr__(self, "days", tuple(d for d in FORTNIGHT if d in lowered))
        _count(c, self, "n_jobs", 1)
        if _int(self.n_jobs) and self.n_jobs >= 1:
            object.__setattr__(self, "n_jobs", worker_count(self.n_jobs, option="[routing] n_jobs"))
        if not isinstance(self.budget, Budget):
            _bad(c, self, "budget", "a routing Budget")
        if not isinstance(self.work, WorkRules):
            _bad(c, self, "work", "routing WorkRules")
        if not isinstance(self.params, RoutingParams):
            _bad(c, self, "params", "a RoutingParams")
        c.raise_if_any()

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RoutingSpec:
        """Split the table into the budget's keys, this spec's and the RoutingParams options."""
        budget_keys = {f.name for f in fields(Budget)}
        work_keys = {f.name for f in fields(WorkRules)}
        own = {f.name for f in fields(cls)} - {"params", "budget", "work"}
        mine = {k: v for k, v in values.items() if k in own}
        budget = Budget(**{k: v for k, v in values.items() if k in budget_keys})
        work = WorkRules(**{k: v for k, v in values.items() if k in work_keys})
        rest = {k: v for k, v in values.items() if k not in own | budget_keys | work_keys}
        params = RoutingParams(**{"time_windows": "soft", **rest})
        return cls(**mine, budget=budget, work=work, params=params)

    def to_dict(self) -> dict[str, Any]:
        """The table as written in a scenario file."""
        out: dict[str, Any] = {
            "days": list(self.days),
            "max_iterations": self.budget.max_iterations,
            "max_seconds": self.budget.max_seconds,
            "hours_tolerance": self.work.hours_tolerance,
            "max_consecutive_days": self.work.max_consecutive_days,
            "n_jobs": self.n_jobs,
        }
        out.update({f.name: getattr(self.params, f.name) for f in fields(RoutingParams)})
        return {k: v for k, v in out.items() if v is not None}

    @staticmethod
    def keys() -> list[str]:
        """Every key the table accepts."""
        return ["days", "max_iterations", "max_seconds", "hours_tolerance",
                "max_consecutive_days", "n_jobs"] + [
            f.name for f in fields(RoutingParams)
        ]


@dataclass(frozen=True)
class OutcomeSpec:
    """``[outcomes]``: emission factor, short calls, punctuality tolerance, cover rate.

    The emission factor (kg CO2e per car km; default the UK government's 2025 average
    car), the short-call limit (minutes), the minutes after its window a visit still
    counts as punctual, and the £/h that unserved care is priced at (agency or overtime
    cover, at most £1,000/h), so plans are compared on the same demanded care; the rate
    the commissioner offers providers (default the Minimum Price for Homecare, £32.14),
    against which providers' break-even hours are measured; the hours of a full-time
    equivalent; and the minutes a driver spends parking at each client in a dense area
    (``parking_minutes``, default 0: an assumption the plan is measured with, not
    re-made), a dense area being one with at least ``dense_km_per_km2`` km of walkable
    street per km² within 400 m of the client (default 15: most of Camden, Rutland's
    towns).
    """

    co2e_kg_per_km: float | None = None
    short_call_minutes: float = 30.0
    punctuality_minutes: float = 15.0
    cover_rate_gbp_per_hour: float = COVER_RATE_GBP_PER_HOUR
    offered_rate_gbp_per_hour: float = MPH_HOURLY_RATE_GBP
    full_time_hours: float = 37.5
    parking_minutes: float = 0.0
    dense_km_per_km2: float = DENSE_KM_PER_KM2

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        _positive(c, self, "co2e_kg_per_km", optional=True, zero=True, most=10)
        _positive(c, self, "short_call_minutes", most=1440)
        _positive(c, self, "punctuality_minutes", zero=True, most=1440)
        _positive(c, self, "cover_rate_gbp_per_hour", zero=True, most=1000)
        _positive(c, self, "offered_rate_gbp_per_hour", most=1000)
        _positive(c, self, "full_time_hours", most=168)
        _positive(c, self, "parking_minutes", zero=True, most=120)
        _positive(c, self, "dense_km_per_km2", zero=True, most=1000)
        c.raise_if_any()


@dataclass(frozen=True)
class ModeSpec:
    """``[modes]``: the rule choosing each carer-day's mode (:class:`~carezones.routing.ModeRule`).

    The longest leg on foot and by bike (minutes), and the most a day's travel on foot or
    by bike may be as a multiple of the planned (least sustainable) mode's.
    """

    max_walk_leg_minutes: float = ModeRule.max_walk_leg_minutes
    max_cycle_leg_minutes: float = ModeRule.max_cycle_leg_minutes
    walk_travel_factor: float = ModeRule.walk_travel_factor
    cycle_travel_factor: float = ModeRule.cycle_travel_factor

    def __post_init__(self) -> None:
        try:
            ModeRule(**dataclasses.asdict(self))
        except ValidationError as exc:
            problems = [dataclasses.replace(p, where=type(self).__name__) for p in exc.problems]
            raise ValidationError(problems) from None

    @property
    def rule(self) -> ModeRule:
        """The :class:`~carezones.routing.ModeRule` of this table."""
        return ModeRule(**dataclasses.asdict(self))


_OPTIONAL_HEADERS = ("double_up", "visit_id", "date")
_SHEET = "a sheet name or a position >= 0"


def _sheet_ok(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and bool(value.strip()))
        or (_int(value) and value >= 0)
    )


@dataclass(frozen=True)
class RotaSpec:
    """``[rota]`` (``kind = "rota"`` only): how the rota of ``[data] rota`` is read and judged.

    ``sheet``: the Excel sheet, a name or a position from 0 (default the first);
    ``columns`` (the ``[rota.columns]`` table): which header holds what, any
    :class:`~carezones.rota.RotaColumns` field (``double_up``, ``visit_id`` or ``date``
    ``= false``: the export has no such column); and any
    :class:`~carezones.rota.RotaRules` option (``on_time_minutes``,
    ``short_visit_share``, ...) as a key of the table itself.
    """

    sheet: str | int | None = None
    columns: RotaColumns = field(default_factory=RotaColumns)
    rules: RotaRules = field(default_factory=RotaRules)

    def __post_init__(self) -> None:
        c = ProblemCollector(type(self).__name__)
        if not _sheet_ok(self.sheet):
            _bad(c, self, "sheet", _SHEET)
        if not isinstance(self.columns, RotaColumns):
            _bad(c, self, "columns", "a table of RotaColumns fields")
        if not isinstance(self.rules, RotaRules):
            _bad(c, self, "rules", "a RotaRules")
        c.raise_if_any()

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RotaSpec:
        """Split the table into ``sheet``, the ``columns`` table and the RotaRules options."""
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        if "sheet" in values:
            kwargs["sheet"] = values["sheet"]
            if not _sheet_ok(values["sheet"]):
                problems.append(
                    Problem("RotaSpec", "bad value", _SHEET, repr(values["sheet"]), column="sheet")
                )
        columns = values.get("columns", {})
        if not isinstance(columns, Mapping):
            problems.append(
                Problem(
                    "RotaSpec", "bad table", "a table of header names", repr(columns),
                    column="columns",
                )
            )  # fmt: skip
        else:
            names = [f.name for f in fields(RotaColumns)]
            found = unknown_keys(columns, names, "RotaSpec")
            given: dict[str, Any] = {
                k: (None if k in _OPTIONAL_HEADERS and v is False else v)
                for k, v in columns.items()
                if k in names
            }
            try:
                kwargs["columns"] = RotaColumns(**given)
            except ValidationError as err:
                found += list(err.problems)
            problems += [
                dataclasses.replace(p, column=f"columns.{p.column}" if p.column else "columns")
                for p in found
            ]
        rules = {k: v for k, v in values.items() if k not in ("sheet", "columns")}
        try:
            kwargs["rules"] = RotaRules(**rules)
        except ValidationError as err:
            problems += [dataclasses.replace(p, what="bad value") for p in err.problems]
        if problems:
            raise ValidationError(problems)
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The table as written in a scenario file (only what differs from the defaults)."""
        out: dict[str, Any] = {} if self.sheet is None else {"sheet": self.sheet}
        default = RotaColumns()
        columns = {}
        for f in fields(RotaColumns):
            value = getattr(self.columns, f.name)
            if value != getattr(default, f.name):
                columns[f.name] = False if value is None else value
        if columns:
            out["columns"] = columns
        out.update({f.name: getattr(self.rules, f.name) for f in fields(RotaRules)})
        return out

    @staticmethod
    def keys() -> list[str]:
        """Every key the table accepts."""
        return ["sheet", "columns"] + [f.name for f in fields(RotaRules)]


#: Tables and keys a ``kind = "rota"`` scenario has no use for (a real rota is not routed).
ROTA_UNUSED: dict[str, tuple[str, ...] | None] = {
    "population": None,
    "zones": None,
    "demand": None,
    "routing": None,
    "modes": None,
    "providers": ("n_providers", "allocation"),
}


def rota_kind_problems(values: Mapping[str, Any], where: str) -> list[Problem]:
    """Problems of the tables of a scenario file that depend on its kind being "rota"."""
    problems = []
    rota_kind = values.get("kind") == "rota"
    if rota_kind:
        for table, keys in ROTA_UNUSED.items():
            given = values.get(table)
            if given is None:
                continue
            if keys is None:
                problems.append(
                    Problem(
                        where, "not used", "no such table with kind = 'rota' (a rota is not "
                        "routed: people from [data], visits from the rota)", f"[{table}]",
                    )
                )  # fmt: skip
                continue
            if isinstance(given, Mapping):
                problems += [
                    Problem(
                        f"{where} [{table}]", "not used", "no such key with kind = 'rota'",
                        repr(k), column=k,
                    )
                    for k in keys
                    if k in given
                ]  # fmt: skip
        data = values.get("data")
        if data is None:
            problems.append(
                Problem(
                    where, "missing table", "a [data] table naming the clients, carers and "
                    "rota files (kind = 'rota')", "none",
                )
            )  # fmt: skip
        if isinstance(data, Mapping) and "rota" not in data:
            problems.append(
                Problem(
                    f"{where} [data]", "missing key", "the rota file (kind = 'rota')", "none",
                    column="rota",
                )
            )  # fmt: skip
        return problems
    data = values.get("data")
    if isinstance(data, Mapping) and "rota" in data:
        problems.append(
            Problem(
                f"{where} [data]", "not used", "a rota file only with kind = 'rota'",
                repr(data["rota"]), column="rota",
            )
        )  # fmt: skip
    if "rota" in values:
        problems.append(
            Problem(where, "not used", "a [rota] table only with kind = 'rota'", "[rota]")
        )
    return problems


def section(cls: type[_T], values: Any, where: str) -> tuple[_T | None, list[Problem]]:
    """Build ``cls`` from a TOML table, or return the problems (naming ``where``)."""
    if not isinstance(values, Mapping):
        return None, [Problem(where, "bad table", "a table of keys and values", repr(values))]
    kind: Any = cls
    known = kind.keys() if hasattr(kind, "keys") else [f.name for f in fields(kind)]
    problems = unknown_keys(values, known, where)
    if problems:
        return None, problems
    try:
        if hasattr(kind, "from_dict"):
            return kind.from_dict(values), []
        return kind(**dict(values)), []
    except ValidationError as err:
        return None, [dataclasses.replace(p, where=where) for p in err.problems]
    except TypeError as err:  # pragma: no cover - a key the dataclass does not take
        return None, [Problem(where, "bad table", "known keys", str(err))]
