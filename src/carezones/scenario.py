"""What-if scenarios: a TOML file that runs the whole pipeline, and comparisons of several.

A scenario names the network, the people (a synthetic ``[population]`` or ``[data]``
files) and the parameters of each stage; :func:`run_scenario` runs network ->
clients/carers -> zones -> provider lots -> routes -> outcomes -> costs and returns a
:class:`ScenarioResult` whose :meth:`~ScenarioResult.write` writes every output;
:func:`compare` puts several results side by side (one row per outcome, one column per
scenario); :func:`sweep` runs many scenarios in parallel (a process pool, or a Dask
cluster).

The scenario file
-----------------
::

    name = "now"                  # default: the file's name
    kind = "now"                  # "now": neighbourhood zones; "then": the baseline below;
                                  # "rota": today's real rota (see below)
    description = "8 providers in 18 neighbourhood zones"
    seed = 0                      # every random choice of the run

    [network]
    source = "camden"             # "default" (bundled Helsinki), a shared extract, or a path
    modes = ["walk", "cycle", "drive"]

    [population]                  # a synthetic population ...
    n_clients = 2000
    n_carers = 1100
    n_providers = 8
    total_weekly_hours = 21000
    seed = 0
    # mode_shares = {walk = 0.25, cycle = 0.15, drive = 0.6}

    # [data]                      # ... or files (paths relative to this file)
    # clients = "clients.csv"
    # carers = "carers.csv"
    # providers = "providers.csv"

    [zones]                       # "now" only
    min_weekly_hours = 1000
    n_zones = 18                  # or "auto"

    [providers]
    n_providers = 8               # "auto" ("now" only)
    min_provider_hours = 1000
    allocation = "market_share"   # "then": "market_share", "random" or "given"

    [demand]
    growth = 0.0                  # 0.15: demand +15% (copies of existing clients)
    virtual_share = 0.0           # share of virtual_ok visits made virtual calls
    # carer_mode_mix = {walk = 0.35, cycle = 0.2, drive = 0.45}

    [routing]
    days = ["monday"]             # or "week"
    max_seconds = 10              # per zone and day
    n_jobs = 2
    time_windows = "hard"         # and any other RoutingParams option

    [outcomes]
    co2e_kg_per_km = 0.16725      # default: UK government 2025, average car

    [costing]                     # any CostInputs field
    wage_gbp_per_hour = 12.21

An unknown key or a bad value is a :class:`~carezones.ValidationError` naming the file,
the table and the key, with every problem in the file listed at once.

The "then" baseline (``kind = "then"``): ``n_providers`` providers each serve clients
spread over the whole area, with no zones: each client is given to a provider at random
in proportion to the providers' market shares (``allocation = "market_share"``),
uniformly (``"random"``) or as the tables say (``"given"``); carers are given to
providers so each provider's contracted hours match its clients' hours; each provider's
clients and carers are routed as one group. In "now", carers work in the zone they live
in, moved to the nearest zone short of carers where their own has more than its share.

The real "then" (``kind = "rota"``): today's market as a call-monitoring export says it
was, nothing routed. The people come from ``[data]`` files and the rota from
``[data] rota``; :func:`carezones.rota.score_rota` rebuilds each carer's days on the
network and :func:`carezones.outcomes.measure_outcomes` measures them (visits made at
their actual times, missed visits unscheduled, weeks counted by date, each client in
their provider's "zone", no zone figures) and prices them with ``[costing]``, so
:func:`compare` puts the real market beside zoned plans, outcome for outcome::

    kind = "rota"

    [data]
    clients = "clients.csv"       # client_id, lon/lat, weekly_hours, provider_id
    carers = "carers.csv"         # carer_id, home, mode, ... provider_id
    rota = "rota.xlsx"            # the export: .csv or .xlsx

    [rota]                        # optional
    sheet = "Visits"              # Excel only; default the first sheet
    on_time_minutes = 15          # and any other RotaRules option

    [rota.columns]                # optional: which header holds what (RotaColumns)
    client_id = "Service User ID"
    double_up = false             # the export has no double-up column

``[network]``, ``[providers] min_provider_hours``, ``[outcomes]`` and ``[costing]`` mean
what they mean elsewhere; ``[population]``, ``[zones]``, ``[demand]``, ``[routing]`` and
``[providers] n_providers``/``allocation`` are refused. Figures "a week" are the rota's
totals over its dates times 7 / its number of dates; a zoned scenario routing one day
reports continuity over that day, so route ``days = "week"`` beside a rota for a like
comparison of ``distinct_carers_per_client``.

Routing takes most of the time: ``max_seconds`` per zone and day, zones in parallel over
``n_jobs`` processes. Visits made virtual are routed in person and their trips removed
afterwards (see :mod:`carezones.outcomes`).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from . import _scenario_spec as spec
from ._scenario_result import ScenarioResult
from .costing import CostInputs
from .exceptions import Problem, ValidationError

__all__ = [
    "Scenario",
    "ScenarioResult",
    "compare",
    "load_scenario",
    "run_scenario",
    "sweep",
]

logger = logging.getLogger(__name__)

_SECTIONS: dict[str, type] = {
    "network": spec.NetworkSpec,
    "population": spec.PopulationSpec,
    "data": spec.DataSpec,
    "zones": spec.ZoneSpec,
    "providers": spec.ProviderSpec,
    "demand": spec.DemandSpec,
    "routing": spec.RoutingSpec,
    "outcomes": spec.OutcomeSpec,
    "rota": spec.RotaSpec,
}
_TOP = ["name", "kind", "description", "seed", *_SECTIONS, "costing"]


@dataclass(frozen=True)
class Scenario:
    """A scenario: what to run and with which parameters (see :mod:`carezones.scenario`).

    Build it with :meth:`from_toml` or :meth:`from_dict`; every table is a frozen
    dataclass checked on creation.

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "quick", "population": {"n_clients": 40}})
    >>> s.kind, s.network.source, s.routing.days
    ('now', 'default', ('monday',))
    >>> s.with_options({"zones.n_zones": 3}).zones.n_zones
    3
    >>> Scenario.from_dict({"zones": {"n_zone": 3}, "population": {}}, where="my.toml")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - my.toml [zones], column 'n_zone': unknown key: expected one of min_weekly_hours, n_zones, n_init, resolution, max_snap_distance (did you mean 'n_zones'?), found 'n_zone'
    """  # noqa: E501

    name: str = "scenario"
    kind: str = "now"
    description: str = ""
    seed: int = 0
    network: spec.NetworkSpec = field(default_factory=spec.NetworkSpec)
    population: spec.PopulationSpec | None = None
    data: spec.DataSpec | None = None
    zones: spec.ZoneSpec = field(default_factory=spec.ZoneSpec)
    providers: spec.ProviderSpec = field(default_factory=spec.ProviderSpec)
    demand: spec.DemandSpec = field(default_factory=spec.DemandSpec)
    routing: spec.RoutingSpec = field(default_factory=spec.RoutingSpec)
    outcomes: spec.OutcomeSpec = field(default_factory=spec.OutcomeSpec)
    rota: spec.RotaSpec | None = None
    costing: CostInputs = field(default_factory=CostInputs)
    base_dir: str = "."
    where: str = "scenario"

    def __post_init__(self) -> None:
        problems = _top_problems(self.__dict__, self.where)
        if (self.population is None) == (self.data is None):
            problems.append(
                Problem(
                    self.where,
                    "people",
                    "exactly one of a [population] table and a [data] table",
                    "both" if self.population is not None else "neither",
                )
            )
        if self.kind == "rota" and (self.data is None or self.data.rota is None):
            problems.append(
                Problem(
                    f"{self.where} [data]",
                    "missing key",
                    "the rota file (kind = 'rota')",
                    "none",
                    column="rota",
                )
            )
        if self.kind != "rota" and self.data is not None and self.data.rota is not None:
            problems.append(
                Problem(
                    f"{self.where} [data]",
                    "not used",
                    "a rota file only with kind = 'rota'",
                    repr(self.data.rota),
                    column="rota",
                )
            )
        if self.kind == "then" and self.providers.n_providers == "auto":
            problems.append(
                Problem(
                    f"{self.where} [providers]",
                    "bad value",
                    "a number of providers for kind = 'then'",
                    "'auto'",
                    column="n_providers",
                )
            )
        if problems:
            raise ValidationError(problems)

    # ------------------------------------------------------------------ reading

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> Scenario:
        """Read a scenario file; paths in it are relative to its folder."""
        p = Path(path)
        if not p.is_file():
            raise ValidationError(
                [Problem(str(p), "missing file", "a scenario file (.toml)", "not found")]
            )
        try:
            with open(p, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError([Problem(str(p), "not TOML", "a TOML file", str(exc))]) from None
        data.setdefault("name", p.stem)
        return cls.from_dict(data, where=str(p), base_dir=p.resolve().parent)

    @classmethod
    def from_dict(
        cls,
        values: Mapping[str, Any],
        *,
        where: str = "scenario",
        base_dir: str | PathLike[str] | None = None,
    ) -> Scenario:
        """Build from a mapping shaped like the file; every problem is listed at once."""
        problems = spec.unknown_keys(values, _TOP, where) + spec.rota_kind_problems(values, where)
        kwargs: dict[str, Any] = {
            k: values[k] for k in ("name", "kind", "description", "seed") if k in values
        }
        for key, kind in _SECTIONS.items():
            if key in values:
                got, found = spec.section(kind, values[key], f"{where} [{key}]")
                kwargs[key] = got
                problems += found
        if "costing" in values:
            try:
                kwargs["costing"] = CostInputs.from_dict(
                    values["costing"], where=f"{where} [costing]"
                )
            except ValidationError as err:
                problems += list(err.problems)
        if problems:
            raise ValidationError(_unique(problems + _top_problems(kwargs, where)))
        return cls(**kwargs, base_dir=str(base_dir or Path.cwd()), where=where)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a mapping shaped like the file (:meth:`from_dict` reads it back)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "seed": self.seed,
        }
        for key in _SECTIONS:
            value = getattr(self, key)
            if value is None or (self.kind == "rota" and key in spec.ROTA_UNUSED):
                continue
            if hasattr(value, "to_dict"):
                out[key] = value.to_dict()
                continue
            table = {}
            for f in fields(value):
                v = getattr(value, f.name)
                if v is not None:
                    table[f.name] = (
                        dict(v)
                        if isinstance(v, Mapping)
                        else (list(v) if isinstance(v, tuple) else v)
                    )
            out[key] = table
        if self.kind == "rota":
            out["providers"] = {"min_provider_hours": self.providers.min_provider_hours}
        out["costing"] = self.costing.to_dict()
        return out

    def with_options(self, options: Mapping[str, Any], *, name: str | None = None) -> Scenario:
        """A copy with some options changed, by dotted key (``"zones.n_zones"``, ``"seed"``).

        Parameters
        ----------
        options
            Dotted keys and values, e.g. ``{"demand.growth": 0.15}``.
        name
            The copy's name; default the same.
        """
        data = self.to_dict()
        for key, value in options.items():
            parts = str(key).split(".")
            target = data
            for part in parts[:-1]:
                target = target.setdefault(part, {})
                if not isinstance(target, dict):
                    raise ValidationError(
                        [Problem(self.where, "unknown key", "a dotted key to a table", repr(key))]
                    )
            target[parts[-1]] = value
        if name is not None:
            data["name"] = name
        if (
            "data" in data
            and "population" in data
            and any(str(k).startswith("data") for k in options)
        ):
            data.pop("population")
        return Scenario.from_dict(data, where=self.where, base_dir=self.base_dir)


def _top_problems(values: Mapping[str, Any], where: str) -> list[Problem]:
    """Problems of the top-level keys (name, kind, description, seed)."""
    problems = []

    def bad(key: str, expected: str) -> None:
        problems.append(Problem(where, "bad value", expected, repr(values[key]), column=key))

    name, kind = values.get("name", "scenario"), values.get("kind", "now")
    if not (isinstance(name, str) and name.strip()):
        bad("name", "a non-empty name")
    if kind not in ("now", "then", "rota"):
        bad("kind", "'now', 'then' or 'rota'")
    if not isinstance(values.get("description", ""), str):
        bad("description", "text")
    seed = values.get("seed", 0)
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        bad("seed", "an integer >= 0")
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    """The problems without repeats (a check made both on the file and on the tables)."""
    return list(dict.fromkeys(problems))


def load_scenario(path: str | PathLike[str]) -> Scenario:
    """Read a scenario file (``Scenario.from_toml``)."""
    return Scenario.from_toml(path)


# ---------------------------------------------------------------------- running


def run_scenario(
    scenario: Scenario | str | PathLike[str],
    *,
    n_jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run a scenario's pipeline: network, people, zones, lots, routes, outcomes, costs.

    With ``kind = "rota"``: network, people, the rota read and scored, its outcomes and
    costs (nothing routed; see :mod:`carezones.scenario`).

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the path of a scenario file.
    n_jobs
        Routing worker processes; default the scenario's ``[routing] n_jobs`` (unused
        with ``kind = "rota"``).
    progress
        Called with the name of each step as it starts.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "tiny", "population": {"n_clients": 30,
    ...     "n_carers": 14, "n_providers": 2}, "zones": {"min_weekly_hours": 100,
    ...     "n_zones": 2}, "providers": {"n_providers": 1, "min_provider_hours": 100},
    ...     "routing": {"max_seconds": 2, "max_iterations": 30, "n_jobs": 1}})
    >>> result = run_scenario(s)
    >>> sorted(result.zones["zone_id"]), round(result.outcomes["n_zones"])
    (['Z01', 'Z02'], 2)
    """
    from ._scenario_run import run

    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    return run(scenario, n_jobs=n_jobs, progress=progress)


def compare(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Outcomes side by side: one row per outcome, one column per scenario.

    Every kind has the same rows (those of :data:`carezones.outcomes.OUTCOMES`), so a
    real rota (``kind = "rota"``) sits beside zoned plans. The last row,
    ``run_time_seconds``, is each scenario's run time. Repeated names get ``" (2)"``,
    ``" (3)"``, ...

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> a = SimpleNamespace(name="then", runtime=9.0,
    ...     outcomes=SimpleNamespace(to_series=lambda: pd.Series({"walk_cycle_share": 0.2})))
    >>> b = SimpleNamespace(name="now", runtime=7.0,
    ...     outcomes=SimpleNamespace(to_series=lambda: pd.Series({"walk_cycle_share": 0.45})))
    >>> compare([a, b])  # doctest: +NORMALIZE_WHITESPACE
                      then   now
    outcome
    walk_cycle_share   0.2  0.45
    run_time_seconds   9.0  7.00
    """
    columns: dict[str, pd.Series] = {}
    for r in results:
        name, k = str(r.name), 1
        while name in columns:
            k += 1
            name = f"{r.name} ({k})"
        s = r.outcomes.to_series().astype(float)
        columns[name] = pd.concat([s, pd.Series({"run_time_seconds": float(r.runtime)})])
    out = pd.DataFrame(columns)
    out.index.name = "outcome"
    return out


def sweep(
    scenarios: Scenario | str | PathLike[str] | Iterable[Scenario | str | PathLike[str]],
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    executor: Any = None,
    n_workers: int = 2,
    n_jobs: int = 1,
) -> list[ScenarioResult]:
    """Run many scenarios in parallel; results in the order given.

    Parameters
    ----------
    scenarios
        Scenarios (or scenario files); or one base scenario with ``grid``.
    grid
        Dotted option -> values (``{"zones.n_zones": [6, 12], "demand.growth": [0, 0.15]}``):
        one scenario per combination, named ``"base[zones.n_zones=6,demand.growth=0]"``.
    executor
        Anything with ``submit(fn, *args)`` returning futures with ``result()``: a
        ``concurrent.futures`` executor, or a Dask ``distributed.Client`` (``pip install
        carezones[dask]``). None: a process pool of ``n_workers``.
    n_workers
        Workers of the default process pool.
    n_jobs
        Routing processes inside each scenario (1: none, the executor gives parallelism).

    Returns
    -------
    list of ScenarioResult
        Slim results (:meth:`ScenarioResult.slim`), equal to serial runs' when the
        routing stops on iterations (``[routing] max_iterations``) rather than time.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> base = Scenario.from_dict({"name": "base", "population": {"n_clients": 30,
    ...     "n_carers": 14, "n_providers": 2}, "zones": {"min_weekly_hours": 100},
    ...     "providers": {"n_providers": 1, "min_provider_hours": 100},
    ...     "routing": {"max_seconds": 5, "max_iterations": 30}})
    >>> with ThreadPoolExecutor(1) as pool:
    ...     results = sweep(base, {"zones.n_zones": [2]}, executor=pool)
    >>> [r.name for r in results], results[0].outcomes["n_zones"]
    (['base[zones.n_zones=2]'], 2.0)
    """
    from ._sweep import expand, run_all

    return run_all(expand(scenarios, grid), executor=executor, n_workers=n_workers, n_jobs=n_jobs)
