"""Several scenarios' outcomes side by side: :func:`compare`."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from carezones.scenario.result import ScenarioResult

__all__ = ["compare"]


def compare(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Outcomes side by side: one row per outcome, one column per scenario.

    Every kind has the same rows (those of :data:`carezones.outcomes.OUTCOMES`), so a
    real rota (``kind = "rota"``) sits beside zoned plans. The last row,
    ``run_time_seconds``, is each scenario's run time. Repeated names get ``" (2)"``,
    ``" (3)"``, ...

    Parameters
    ----------
    results
        Scenario results (from :func:`run_scenario` or :func:`sweep`).

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
