"""Many scenarios at once: a parameter grid, and a run through any executor.

The executor only needs ``submit(fn, *args)`` returning futures with ``result()``:
``concurrent.futures`` executors and a Dask ``distributed.Client`` both qualify. Each task
runs one whole scenario and sends back its slim result (tables and outcomes, no solver
objects).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from os import PathLike
from typing import Any

from carezones._parallel import pool_context, single_threaded
from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.scenario.definition import Scenario
from carezones.scenario.result import ScenarioResult
from carezones.scenario.run import run_scenario

__all__ = ["expand", "run_all", "run_one", "sweep", "with_seeds"]

logger = logging.getLogger("carezones.scenario")


def _label(value: Any) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def expand(
    scenarios: Scenario | str | PathLike[str] | Iterable[Scenario | str | PathLike[str]],
    grid: Mapping[str, Sequence[Any]] | None,
) -> list[Scenario]:
    """The scenarios to run: those given, or one per combination of ``grid`` on a base."""
    if isinstance(scenarios, Scenario | str | PathLike):
        items = [scenarios]
    else:
        items = list(scenarios)
    loaded = [s if isinstance(s, Scenario) else Scenario.from_toml(s) for s in items]
    if not grid:
        return loaded
    if len(loaded) != 1:
        raise ProblemCollector("sweep").error(
            "bad grid", "one base scenario with a grid", f"{len(loaded)}"
        )
    base = loaded[0]
    keys = list(grid)
    bad = [k for k in keys if isinstance(grid[k], str) or not isinstance(grid[k], Sequence)]
    if bad:
        raise ValidationError(
            [
                Problem("grid", "bad values", "a list of values", repr(grid[k]), column=k)
                for k in bad
            ]
        )
    out = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        options = dict(zip(keys, combo, strict=True))
        label = ",".join(f"{k}={_label(v)}" for k, v in options.items())
        out.append(base.with_options(options, name=f"{base.name}[{label}]"))
    return out


def run_one(scenario: Scenario, n_jobs: int) -> ScenarioResult:
    """Run one scenario and return its slim result (the task each worker runs)."""
    return run_scenario(scenario, n_jobs=n_jobs).slim()


def run_all(
    scenarios: list[Scenario],
    *,
    executor: Any,
    n_workers: int,
    n_jobs: int,
    progress: Callable[[int, int, Any], None] | None = None,
    task: Callable[..., Any] = run_one,
    extra: Sequence[Any] | None = None,
) -> list[Any]:
    """Submit every scenario to ``executor`` (default: a process pool) and gather in order.

    Each task is ``task(scenario, n_jobs)`` (default :func:`run_one`: the slim result), or
    ``task(scenario, n_jobs, extra[i])`` with ``extra``: a module-level function, so a
    process pool or a Dask cluster can run it. ``progress(done, total, result)`` is called
    as each result is gathered.
    """
    if not isinstance(n_workers, int) or n_workers < 1:
        raise ProblemCollector("sweep").error(
            "bad value", "an integer >= 1", repr(n_workers), column="n_workers"
        )
    own = executor is None
    if own:
        ctx = pool_context()
        executor = ProcessPoolExecutor(
            max_workers=n_workers, mp_context=ctx, initializer=single_threaded
        )
    try:
        if extra is None:
            futures = [executor.submit(task, s, n_jobs) for s in scenarios]
        else:
            futures = [executor.submit(task, s, n_jobs, e) for s, e in zip(scenarios, extra,
                                                                          strict=True)]  # fmt: skip
        results = []
        for s, fut in zip(scenarios, futures, strict=True):
            results.append(fut.result())
            logger.info("sweep: %s done", s.name)
            if progress is not None:
                progress(len(results), len(scenarios), results[-1])
        return results
    finally:
        if own:
            executor.shutdown()


def sweep(
    scenarios: Scenario | str | PathLike[str] | Iterable[Scenario | str | PathLike[str]],
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    executor: Any = None,
    n_workers: int = 2,
    n_jobs: int = 1,
    seeds: int = 1,
    progress: Callable[[int, int, ScenarioResult], None] | None = None,
) -> list[ScenarioResult]:
    """Run many scenarios in parallel; results in the order given.

    With ``seeds=N`` each scenario runs N times, with seeds ``seed``, ``seed + 1``, ...
    for every random choice (the synthetic population, the zones, the routes; a
    population read from files stays the same): :func:`compare` then reports each
    outcome's mean and range.

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
    seeds
        Runs of each scenario, each with its own seeds (same name: replicates).
    progress
        Called with (runs gathered, runs in all, the result) as each run is gathered, in
        order: a long sweep can say how far it has got.

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
    runs = with_seeds(expand(scenarios, grid), seeds)
    return run_all(runs, executor=executor, n_workers=n_workers, n_jobs=n_jobs, progress=progress)


def with_seeds(scenarios: list[Scenario], seeds: int) -> list[Scenario]:
    """Each scenario ``seeds`` times, its seeds (and its population's) moved on by 0, 1, ...

    Parameters
    ----------
    scenarios
        The scenarios.
    seeds
        How many runs of each, at least 1.

    Examples
    --------
    >>> base = Scenario.from_dict({"name": "now", "seed": 4, "population": {"seed": 7}})
    >>> [(s.name, s.seed, s.population.seed) for s in with_seeds([base], 3)]
    [('now', 4, 7), ('now', 5, 8), ('now', 6, 9)]
    """
    if not (isinstance(seeds, int) and not isinstance(seeds, bool) and seeds >= 1):
        raise ProblemCollector("sweep").error(
            "bad value", "an integer >= 1", repr(seeds), column="seeds"
        )
    out = []
    for s in scenarios:
        for k in range(seeds):
            options: dict[str, Any] = {"seed": s.seed + k}
            if s.population is not None:
                options["population.seed"] = s.population.seed + k
            out.append(s.with_options(options, name=s.name) if k else s)
    return out
