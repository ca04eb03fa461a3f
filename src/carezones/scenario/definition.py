"""A scenario: what to run and with which parameters (:class:`Scenario`, :func:`load_scenario`).

See :mod:`carezones.scenario` for the file's tables and what a run does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

from carezones._files import read_toml
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.outcomes import CostInputs
from carezones.scenario import spec

__all__ = ["Scenario", "load_scenario"]

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
    "modes": spec.ModeSpec,
    "rota": spec.RotaSpec,
}
_TOP = ["name", "kind", "description", "seed", *_SECTIONS, "costing"]


@dataclass(frozen=True)
class Scenario:
    """A scenario: what to run and with which parameters (see :mod:`carezones.scenario`).

    Build it with :meth:`from_toml` or :meth:`from_dict`; every table is a frozen
    dataclass checked on creation.

    Parameters
    ----------
    name
        The scenario's name (column headings of comparisons).
    kind
        {"now", "then", "rota"} Zones and provider lots; the built-in baseline of
        providers spread over the whole area; or a real rota scored.
    description
        Free text, carried into the results.
    seed
        Seed of every random choice of the run.
    network
        ``[network]``: where the networks come from and which modes
        (:class:`~carezones.scenario.spec.NetworkSpec`).
    population
        ``[population]``: a synthetic population, or None when ``[data]`` gives files.
    data
        ``[data]``: the clients, carers, providers (and rota) files, or None.
    zones
        ``[zones]``: the zoner's options (:class:`~carezones.scenario.spec.ZoneSpec`).
    providers
        ``[providers]``: how many providers, their minimum, the "then" allocation.
    demand
        ``[demand]``: growth, virtual calls, the carer mode mix.
    routing
        ``[routing]``: days routed, budget, workers and the routing rules.
    outcomes
        ``[outcomes]``: emission factor, short calls, punctuality tolerance, cover rate.
    modes
        ``[modes]``: the rule choosing each carer-day's mode
        (:class:`~carezones.scenario.spec.ModeSpec`).
    rota
        ``[rota]``: how a real rota is read and scored (``kind = "rota"``).
    costing
        ``[costing]``: the open-book rate's inputs (:class:`~carezones.CostInputs`).
    base_dir
        The folder relative paths are read from (the scenario file's).
    where
        The file's name, as messages show it.

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "quick", "population": {"n_clients": 40}})
    >>> s.kind, s.network.source, len(s.routing.days)
    ('now', 'default', 7)
    >>> s.with_options({"zones.n_zones": 3}).zones.n_zones
    3
    >>> Scenario.from_dict({"zones": {"n_zone": 3}, "population": {}}, where="my.toml")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - my.toml [zones], column 'n_zone': unknown key: expected one of min_weekly_hours, max_weekly_hours, n_zones, n_init, resolution, max_snap_distance, locked (did you mean 'n_zones'?), found 'n_zone'
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
    modes: spec.ModeSpec = field(default_factory=spec.ModeSpec)
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
        data = read_toml(p, what="a scenario file (.toml)")
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
                    raise ProblemCollector(self.where).error(
                        "unknown key", "a dotted key to a table", repr(key)
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
    """Read a scenario file (``Scenario.from_toml``); every problem in it is listed at once.

    Parameters
    ----------
    path
        A scenario file (TOML; see :mod:`carezones.scenario` for its tables).

    Returns
    -------
    Scenario
        The scenario, every table checked.
    """
    return Scenario.from_toml(path)
