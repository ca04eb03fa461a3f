"""Several scenarios' outcomes side by side, with units, differences and ranges: :func:`compare`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carezones.outcomes import OUTCOMES
from carezones.scenario.result import ScenarioResult

__all__ = ["compare"]

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
