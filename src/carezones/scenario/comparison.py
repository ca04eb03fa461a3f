"""Scenarios side by side: their outcomes (:func:`compare`), what differs (:func:`differences`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from carezones.demand import ACCESS
from carezones.outcomes import CO2E_KG_PER_KM_AVERAGE_CAR, OUTCOMES
from carezones.scenario.definition import Scenario
from carezones.scenario.result import ScenarioResult
from carezones.scenario.spec import ROTA_UNUSED

__all__ = ["compare", "differences"]

#: Keys that say how a run is made or named, not what it models (never a difference).
NOT_PARAMETERS = ("name", "description", "routing.n_jobs")
#: Tables a kind does not use, shown as "(not used)".
UNUSED: dict[str, tuple[str, ...]] = {
    "then": ("zones.",),
    "now": ("providers.allocation",),
    "rota": tuple(f"{t}." if k is None else f"{t}.{k[0]}" for t, k in ROTA_UNUSED.items()),
}
NOT_USED = "(not used)"

_UNITS = {o.name: o.unit for o in OUTCOMES} | {"run_time_seconds": "s"}


def compare(results: Sequence[ScenarioResult], *, baseline: int = 0) -> pd.DataFrame:
    """Outcomes side by side: one row per outcome, with its unit, and each scenario's value.

    Every kind has the same rows (those of :data:`carezones.outcomes.OUTCOMES`), so a
    real rota (``kind = "rota"``) sits beside zoned plans; the last row,
    ``run_time_seconds``, is each scenario's run time. Results that share a name are runs
    of one scenario over several seeds (:func:`~carezones.scenario.sweep` with
    ``seeds=``): its column is their mean, with ``"{name} min"`` and ``"{name} max"``
    beside it. For every scenario after the ``baseline`` (the first, by default), the
    difference from it (``"{name} - {base}"``) and the change in percent
    (``"{name} vs {base} %"``).

    Parameters
    ----------
    results
        Scenario results (from :func:`run_scenario` or :func:`sweep`).
    baseline
        The position (among the distinct names, in order) of the scenario the others are
        compared with.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def run(name, share, seconds):
    ...     table = pd.Series({"walk_cycle_share": share})
    ...     return SimpleNamespace(name=name, runtime=seconds,
    ...                            outcomes=SimpleNamespace(to_series=lambda: table))
    >>> compare([run("then", 0.2, 9.0), run("now", 0.45, 7.0)])  # doctest: +NORMALIZE_WHITESPACE
                       unit  then   now  now - then  now vs then %
    outcome
    walk_cycle_share  share   0.2  0.45        0.25          125.0
    run_time_seconds      s   9.0  7.00       -2.00          -22.2
    >>> seeds = [run("now", 0.4, 7.0), run("now", 0.5, 8.0)]
    >>> compare(seeds)[["now", "now min", "now max"]]  # doctest: +NORMALIZE_WHITESPACE
                       now  now min  now max
    outcome
    walk_cycle_share  0.45      0.4      0.5
    run_time_seconds  7.50      7.0      8.0
    """
    groups: dict[str, list[pd.Series]] = {}
    for r in results:
        s = r.outcomes.to_series().astype(float)
        groups.setdefault(str(r.name), []).append(
            pd.concat([s, pd.Series({"run_time_seconds": float(r.runtime)})])
        )
    names = list(groups)
    columns: dict[str, pd.Series] = {}
    means: dict[str, pd.Series] = {}
    for name in names:
        runs = pd.concat(groups[name], axis=1)
        means[name] = columns[name] = runs.mean(axis=1)
        if runs.shape[1] > 1:
            columns[f"{name} min"] = runs.min(axis=1)
            columns[f"{name} max"] = runs.max(axis=1)
    out = pd.DataFrame(columns)
    out.index.name = "outcome"
    if names:
        base = names[baseline]
        for name in names:
            if name == base:
                continue
            diff = means[name] - means[base]
            out[f"{name} - {base}"] = diff
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = (diff / means[base].abs() * 100).where(means[base] != 0)
            out[f"{name} vs {base} %"] = pct.round(1)
    out.insert(0, "unit", [_UNITS.get(str(k), "") for k in out.index])
    return out


def _flat(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return "{}" if not value else ", ".join(f"{k} = {_text(v)}" for k, v in value.items())
    return str(value)


def _resolved(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a mapping, its "None: the default" options replaced by what they mean."""
    data = scenario.to_dict()
    speeds = scenario.network.speeds
    data["network"].update({k: getattr(speeds, k) for k in ("walk_kmh", "cycle_kmh",
                                                            "drive_urban_factor")})  # fmt: skip
    if "outcomes" in data and data["outcomes"].get("co2e_kg_per_km") is None:
        data["outcomes"]["co2e_kg_per_km"] = CO2E_KG_PER_KM_AVERAGE_CAR
    if scenario.population is not None:
        data["population"]["access"] = dict(ACCESS) | dict(scenario.population.access or {})
    return data


def _parameters(scenario: Scenario) -> dict[str, str]:
    """Every parameter of a scenario as text, by dotted key, as the run uses it."""
    flat: dict[str, Any] = {}
    for key, value in _flat(_resolved(scenario)).items():
        if key != "providers.recruitment":
            flat[key] = value
        if key == "providers.allocation":
            flat["providers.recruitment"] = (
                NOT_USED
                if scenario.kind == "rota"
                or (scenario.kind == "then" and scenario.providers.allocation == "given")
                else scenario.providers.recruits(scenario.kind)
            )
    unused = UNUSED.get(scenario.kind, ())
    return {
        key: NOT_USED if any(key.startswith(u) for u in unused) else _text(value)
        for key, value in flat.items()
        if key not in NOT_PARAMETERS
    }


def differences(scenarios: Sequence[Scenario | ScenarioResult]) -> pd.DataFrame:
    """What differs between scenarios: one row per parameter whose value is not the same in all.

    Generated from the scenarios themselves (every table and key, defaults included, as
    the run uses them: ``providers.recruitment`` as it is resolved for the scenario's
    kind, a table the kind does not use shown as "(not used)"), so a comparison says
    exactly what it changes. Names, descriptions and worker counts are left out; runs of
    one scenario over several seeds count once.

    Parameters
    ----------
    scenarios
        Scenarios, or results of them (their names tell them apart).

    Returns
    -------
    pandas.DataFrame
        Index ``parameter`` (a dotted key, e.g. ``providers.n_providers``), one column per
        scenario, each value as text.

    Examples
    --------
    >>> then = Scenario.from_dict({"name": "then", "kind": "then", "population": {},
    ...     "providers": {"n_providers": 30}})
    >>> now = Scenario.from_dict({"name": "now", "population": {},
    ...     "providers": {"n_providers": 8}, "demand": {"virtual_share": 0.5}})
    >>> differences([then, now])  # doctest: +NORMALIZE_WHITESPACE
                                 then         now
    parameter
    kind                             then         now
    zones.min_weekly_hours     (not used)        1000
    zones.n_zones              (not used)        auto
    zones.n_init               (not used)           4
    zones.resolution           (not used)         100
    zones.max_snap_distance    (not used)         500
    providers.n_providers              30           8
    providers.allocation     market_share  (not used)
    providers.recruitment        anywhere       local
    demand.virtual_share                0         0.5
    """
    specs: dict[str, Scenario] = {}
    for item in scenarios:
        spec = item.scenario if isinstance(item, ScenarioResult) else item
        specs.setdefault(str(spec.name), spec)
    tables = {name: _parameters(spec) for name, spec in specs.items()}
    keys = list(dict.fromkeys(k for table in tables.values() for k in table))
    rows = {
        key: [tables[n].get(key, "(absent)") for n in tables]
        for key in keys
        if len({tables[n].get(key, "(absent)") for n in tables}) > 1
    }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(tables))
    out.index.name = "parameter"
    return out
