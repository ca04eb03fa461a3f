"""How sure, how sensitive: the zones' saving with each assumption at either end of its range.

:func:`sensitivity` takes a "then" and a "now" scenario and measures the zones' saving
(then minus now) on each headline figure three ways:

- at the base: both scenarios as written, on ``seeds`` seeds (``seed``, ``seed + 1``, ...):
  the spread of the saving over seeds is the noise band, what the synthetic people and
  the solver alone move;
- with each assumption that changes the plan (carers' access to a car or a bike, travel
  speeds, the virtual share, the zone floor, the number of zones) at its low and its
  high end: each side it applies to re-planned for the whole week, on the base seed;
- with each assumption that changes only what the plan costs (parking per drive in dense
  areas, the cover rate, pay, pay terms) at its low and high end: the base plans
  re-priced (:func:`~carezones.scenario.run.reprice`).

Every run stops on the same iteration budget (``max_iterations`` per zone-day, the base
included, so a change is never a change of budget), runs through the sweep machinery
(:func:`~carezones.scenario.sweeps.run_all`: a process pool, or a Dask client) and, with
``save``, is written as it is gathered so that an interrupted run resumes.
:func:`carezones.maps.tornado_figure` draws the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from carezones._files import write_csv
from carezones.demand import ACCESS
from carezones.exceptions import CarezonesError, ProblemCollector
from carezones.outcomes import OUTCOMES, WAGES
from carezones.scenario.comparison import compare
from carezones.scenario.definition import Scenario
from carezones.scenario.run import reprice, run_scenario
from carezones.scenario.sweeps import run_all, with_seeds

__all__ = [
    "HEADLINE",
    "Assumption",
    "Sensitivity",
    "default_assumptions",
    "price_task",
    "sensitivity",
]

logger = logging.getLogger("carezones.scenario")

#: The figures whose saving (then minus now) the sensitivity measures, in order.
HEADLINE = (
    "scheduled_share",
    "travel_to_care_ratio",
    "walk_cycle_share",
    "car_km_per_week",
    "paid_hours_per_week",
    "fte_needed",
    "hourly_rate_gbp",
    "cost_gbp_per_week",
    "own_rate_cost_gbp_per_week",
)
_UNITS = {o.name: o.unit for o in OUTCOMES}
SIDES = ("then", "now")


@dataclass(frozen=True)
class Assumption:
    """One assumption and the range it is varied over.

    Parameters
    ----------
    name
        What it is, in words ("car access").
    low, high
        The options (dotted keys, as :meth:`Scenario.with_options` takes them) at the low
        and the high end.
    low_label, high_label, base_label
        The values in words, for tables and the chart.
    replan
        True: it changes the plan, so each side is re-planned; False: it changes only
        what the plan costs, so the base plans are re-priced.
    sides
        The scenarios it applies to: "then", "now" or both (the virtual share, the floor
        and the number of zones are "now"'s alone).

    Examples
    --------
    >>> a = Assumption("cover rate", {"outcomes.cover_rate_gbp_per_hour": 32.14},
    ...     {"outcomes.cover_rate_gbp_per_hour": 64.28}, "£32.14", "£64.28", "£48.21",
    ...     replan=False)
    >>> a.key
    'cover-rate'
    """

    name: str
    low: Mapping[str, Any]
    high: Mapping[str, Any]
    low_label: str
    high_label: str
    base_label: str = ""
    replan: bool = True
    sides: tuple[str, ...] = SIDES

    def __post_init__(self) -> None:
        check = ProblemCollector("Assumption")
        if not (isinstance(self.name, str) and self.name.strip()):
            check.add("bad value", "a name", repr(self.name), column="name")  # fmt: skip
        for side in ("low", "high"):
            if not isinstance(getattr(self, side), Mapping) or not getattr(self, side):
                check.add(
                    "bad value", "options by dotted key", repr(getattr(self, side)), column=side
                )
        if not self.sides or any(s not in SIDES for s in self.sides):
            check.add("bad value", "some of 'then', 'now'", repr(self.sides), column="sides")
        check.raise_if_any()

    @property
    def key(self) -> str:
        """The name as a file-safe key."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def default_assumptions(then: Scenario, now: Scenario) -> list[Assumption]:
    """The assumptions varied by default, and their ranges, around ``now``'s values.

    Carers' access to a car (40%-80%) and a bike (15%-45%), with synthetic people;
    travel speeds (walking 4.0-5.6 km/h, cycling 12-18 km/h and driving 0.5-0.7 of the
    speed limit together); the virtual share ("now": 0.25-0.75); the zone floor and the
    provider minimum ("now": 0.75x-1.1x); the number of zones ("now": 4 fewer, 2 more,
    when it is a number): all re-planned. Parking per drive in dense areas (3-8 min),
    the cover rate (1x-2x the Minimum Price for Homecare), pay (the Real Living Wage,
    UK and London) and pay terms (travel paid; zero hours): re-priced.
    """
    out: list[Assumption] = []
    if then.population is not None and now.population is not None:
        access = dict(ACCESS) | dict(now.population.access or {})

        def with_access(mode: str, share: float) -> dict[str, Any]:
            return {"population.access": {**access, mode: share}}

        for name, mode, low, high in (("car access", "drive", 0.4, 0.8),
                                      ("bike access", "cycle", 0.15, 0.45)):  # fmt: skip
            out.append(Assumption(name, with_access(mode, low), with_access(mode, high),
                                  f"{low:.0%}", f"{high:.0%}", f"{access[mode]:.0%}"))  # fmt: skip
    speeds = now.network.speeds
    out.append(
        Assumption(
            "speeds",
            {"network.walk_kmh": 4.0, "network.cycle_kmh": 12.0, "network.drive_urban_factor": 0.5},
            {"network.walk_kmh": 5.6, "network.cycle_kmh": 18.0, "network.drive_urban_factor": 0.7},
            "walk 4.0, cycle 12 km/h, drive 0.5", "walk 5.6, cycle 18 km/h, drive 0.7",
            f"walk {speeds.walk_kmh:g}, cycle {speeds.cycle_kmh:g} km/h, drive "
            f"{speeds.drive_urban_factor:g}",
        )
    )  # fmt: skip
    share = now.demand.virtual_share
    out.append(Assumption("virtual share", {"demand.virtual_share": 0.25},
                          {"demand.virtual_share": 0.75}, "25%", "75%", f"{share:.0%}",
                          sides=("now",)))  # fmt: skip
    floor, minimum = now.zones.min_weekly_hours, now.providers.min_provider_hours
    out.append(
        Assumption(
            "floor",
            {"zones.min_weekly_hours": 0.75 * floor,
             "providers.min_provider_hours": 0.75 * minimum},
            {"zones.min_weekly_hours": 1.1 * floor,
             "providers.min_provider_hours": 1.1 * minimum},
            f"{0.75 * floor:,.0f} h", f"{1.1 * floor:,.0f} h", f"{floor:,.0f} h", sides=("now",),
        )
    )  # fmt: skip
    n = now.zones.n_zones
    if isinstance(n, int) and n > 2:
        low_n, high_n = max(2, n - 4), n + 2
        lots = now.providers.n_providers
        low: dict[str, Any] = {"zones.n_zones": low_n}
        if isinstance(lots, int) and lots > low_n:
            low["providers.n_providers"] = low_n  # no more lots than zones
        out.append(Assumption("number of zones", low, {"zones.n_zones": high_n}, str(low_n),
                              str(high_n), str(n), sides=("now",)))  # fmt: skip
    mph = 32.14
    out += [
        Assumption("parking per drive", {"outcomes.parking_minutes": 3.0},
                   {"outcomes.parking_minutes": 8.0}, "3 min", "8 min",
                   f"{now.outcomes.parking_minutes:g} min", replan=False),
        Assumption("cover rate", {"outcomes.cover_rate_gbp_per_hour": mph},
                   {"outcomes.cover_rate_gbp_per_hour": round(2 * mph, 2)},
                   f"£{mph:.2f}", f"£{2 * mph:.2f}",
                   f"£{now.outcomes.cover_rate_gbp_per_hour:.2f}", replan=False),
        Assumption("pay", {"costing.wage_gbp_per_hour": "real_living_wage"},
                   {"costing.wage_gbp_per_hour": "real_living_wage_london"},
                   f"£{WAGES['real_living_wage']:.2f} (RLW)",
                   f"£{WAGES['real_living_wage_london']:.2f} (London)",
                   f"£{float(now.costing.wage_gbp_per_hour):.2f}", replan=False),
        Assumption("pay terms", {"costing.pay_terms": "zero_hours"},
                   {"costing.pay_terms": "travel_paid"}, "zero hours", "travel paid",
                   now.costing.pay_terms.replace("_", " "), replan=False),
    ]  # fmt: skip
    return out


def price_task(
    scenario: Scenario, n_jobs: int, prices: Sequence[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Run one scenario and re-price its plan: what each sweep task of :func:`sensitivity` does.

    Returns a small, plain dict (so any executor can send it back): ``runtime``,
    ``basis`` and ``outcomes``, by price key ("" for the plan as run), each outcome's
    value (None for NaN). A scenario that cannot be planned (an infeasible floor, a bad
    option) gives ``error`` (the message) and no outcomes: its figures are NaN in the
    table, said in its ``note``, and the rest of the sensitivity goes on.
    """
    try:
        result = run_scenario(scenario, n_jobs=n_jobs)
    except CarezonesError as exc:
        logger.warning("sensitivity: %s cannot be run: %s", scenario.name, exc)
        empty: dict[str, dict[str, Any]] = {"": {}, **{key: {} for key, _ in prices}}
        return {"runtime": math.nan, "basis": "", "outcomes": empty,
                "error": str(exc).splitlines()[0][:300]}  # fmt: skip
    outcomes = {"": result.outcomes.to_dict()}
    for key, options in prices:
        outcomes[key] = reprice(result, dict(options)).to_dict()
    return {"runtime": result.runtime, "basis": result.outcomes.basis, "outcomes": outcomes}


@dataclass(frozen=True)
class _Run:
    key: str
    side: str
    scenario: Scenario
    prices: tuple[tuple[str, dict[str, Any]], ...] = ()

    def fingerprint(self) -> str:
        text = json.dumps([self.scenario.to_dict(), list(self.prices)], sort_keys=True,
                          default=str)  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Sensitivity:
    """The result of :func:`sensitivity`.

    Attributes
    ----------
    table
        One row per assumption, level and figure: ``assumption``, ``level`` ("base",
        "low", "high", or "seed N" for the noise band), ``value`` and ``base_value`` (in
        words), ``replanned``, ``figure``, ``unit``, ``then``, ``now``, ``saving`` (then
        minus now), ``note`` (why a figure is missing: a run that could not be planned),
        ``change`` (the saving less the base's) and ``max_iterations`` (every run's budget).
    assumptions
        The assumptions varied.
    max_iterations
        The iteration budget of every run (per zone-day).
    runtimes
        Seconds of each run, by key.
    base
        The base runs' outcomes, by scenario name, one dict per seed.
    """

    table: pd.DataFrame
    assumptions: tuple[Assumption, ...]
    max_iterations: int
    runtimes: dict[str, float] = field(default_factory=dict)
    base: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def comparison(self) -> pd.DataFrame:
        """The base pair side by side (:func:`~carezones.scenario.compare`), over the seeds."""
        runs = [
            SimpleNamespace(name=name, runtime=float(o.get("_runtime", math.nan)),
                            outcomes=SimpleNamespace(to_series=_series(o)))
            for name, outcomes in self.base.items()
            for o in outcomes
        ]  # fmt: skip
        return compare(runs)  # type: ignore[arg-type]

    def band(self) -> pd.DataFrame:
        """Per figure, the saving's spread over seeds around the base: ``low``, ``high``."""
        seeds = self.table[self.table["level"].str.startswith(("base", "seed"))]
        base = self.table[self.table["level"] == "base"].set_index("figure")["saving"]
        spread = seeds.groupby("figure", sort=False)["saving"].agg(["min", "max"])
        return pd.DataFrame(
            {"low": spread["min"] - base.reindex(spread.index),
             "high": spread["max"] - base.reindex(spread.index)}
        )  # fmt: skip

    def summary(self) -> pd.DataFrame:
        """The change in the saving, one row per assumption and level, one column per figure."""
        varied = self.table[self.table["level"].isin(["low", "high"])]
        keys = ["assumption", "level", "value"]
        wide = varied.pivot_table(index=keys, columns="figure", values="change", sort=False,
                                  dropna=False)  # fmt: skip
        # dropna=False keeps a run that could not be planned (all NaN), but also makes every
        # assumption x level x value: keep the triples that were run
        wide = wide.reindex(pd.MultiIndex.from_frame(varied[keys].drop_duplicates()))
        return wide[[f for f in HEADLINE if f in wide.columns]]

    def write(self, folder: str | PathLike[str]) -> list[Path]:
        """Write ``sensitivity.csv`` (the table) and ``sensitivity_band.csv`` to ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(self.table, out / "sensitivity.csv", index=False)
        write_csv(self.band().reset_index(), out / "sensitivity_band.csv", index=False)
        return [out / "sensitivity.csv", out / "sensitivity_band.csv"]


def _series(values: dict[str, Any]) -> Callable[[], pd.Series]:
    clean = {k: (math.nan if v is None else float(v)) for k, v in values.items() if k[0] != "_"}
    return lambda: pd.Series(clean, dtype=float)


def _plan(
    then: Scenario, now: Scenario, assumptions: Sequence[Assumption], seeds: int
) -> list[_Run]:
    """Every run: the base pair over seeds (the first with the re-pricings), each variant."""
    prices = tuple(
        (f"{a.key}|{level}", dict(getattr(a, level)))
        for a in assumptions
        if not a.replan
        for level in ("low", "high")
    )
    runs = []
    for side, base in (("then", then), ("now", now)):
        for k, s in enumerate(with_seeds([base], seeds)):
            runs.append(_Run(f"{side}|base|base|{k}", side, s, prices if k == 0 else ()))
    for a in assumptions:
        if not a.replan:
            continue
        for level in ("low", "high"):
            for side, base in (("then", then), ("now", now)):
                if side in a.sides:
                    scenario = base.with_options(dict(getattr(a, level)), name=base.name)
                    runs.append(_Run(f"{side}|{a.key}|{level}|0", side, scenario))
    return runs


def _file(folder: Path, run: _Run) -> Path:
    return folder / (re.sub(r"[^A-Za-z0-9.-]+", "_", run.key) + ".json")


def _value(outcomes: Mapping[str, Any], figure: str) -> float:
    v = outcomes.get(figure)
    return float("nan") if v is None else float(v)


def _table(
    runs: dict[str, dict[str, Any]], assumptions: Sequence[Assumption], seeds: int
) -> pd.DataFrame:
    """The long table from every run's outcomes."""
    rows: list[dict[str, Any]] = []

    def get(side: str, key: str, level: str, price: str = "", seed: int = 0) -> tuple[dict, str]:
        run = runs[f"{side}|{key}|{level}|{seed}"]
        note = f"{side} could not be run: {run['error']}" if run.get("error") else ""
        return run["outcomes"][price], note

    def add(name: str, level: str, label: str, base: str, replanned: bool,
            then: tuple[dict, str], now: tuple[dict, str]) -> None:  # fmt: skip
        note = "; ".join(n for _, n in (then, now) if n)
        for figure in HEADLINE:
            t, n = _value(then[0], figure), _value(now[0], figure)
            rows.append({"assumption": name, "level": level, "value": label,
                         "base_value": base, "replanned": replanned, "figure": figure,
                         "unit": _UNITS.get(figure, ""), "then": t, "now": n,
                         "saving": t - n, "note": note})  # fmt: skip

    add("base", "base", "as written", "", True, get("then", "base", "base"),
        get("now", "base", "base"))  # fmt: skip
    for k in range(1, seeds):
        add("base", f"seed {k}", f"seed +{k}", "", True, get("then", "base", "base", seed=k),
            get("now", "base", "base", seed=k))  # fmt: skip
    for a in assumptions:
        for level in ("low", "high"):
            label = getattr(a, f"{level}_label")
            if a.replan:
                pair = [get(side, a.key, level) if side in a.sides else get(side, "base", "base")
                        for side in SIDES]  # fmt: skip
            else:
                pair = [get(side, "base", "base", price=f"{a.key}|{level}") for side in SIDES]
            add(a.name, level, label, a.base_label, a.replan, *pair)
    out = pd.DataFrame(rows)
    base = out[out["level"] == "base"].set_index("figure")["saving"]
    out["change"] = out["saving"] - out["figure"].map(base)
    return out


def sensitivity(
    then: Scenario | str | PathLike[str],
    now: Scenario | str | PathLike[str],
    *,
    assumptions: Sequence[Assumption] | None = None,
    seeds: int = 3,
    max_iterations: int = 100,
    max_seconds: float | None = None,
    executor: Any = None,
    n_workers: int = 2,
    n_jobs: int = 1,
    save: str | PathLike[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Sensitivity:
    """The zones' saving (then minus now) with each assumption at either end of its range.

    Parameters
    ----------
    then, now
        The two scenarios (or their files): the saving is then's figure less now's.
    assumptions
        What to vary; None: :func:`default_assumptions`.
    seeds
        Runs of the base pair, with seeds ``seed``, ``seed + 1``, ...: the noise band
        (variants run on the first seed only).
    max_iterations
        The routing's iterations per zone-day in every run, the base included (it may be
        below a headline run's; compare the base here with the headline's seed band).
    max_seconds
        The routing's time cap per zone-day; None: the scenarios' own.
    executor, n_workers, n_jobs
        As for :func:`~carezones.scenario.sweep`: any executor with ``submit`` (a Dask
        ``Client``), else a process pool of ``n_workers``; routing processes per run.
    save
        A folder: each run's figures are written there as it is gathered, and the runs
        it already holds (of the same scenarios, options and prices) are not run again.
    progress
        Called with (runs done, runs in all, the run's key) as each run is gathered.

    Returns
    -------
    Sensitivity

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> tiny = {"population": {"n_clients": 24, "n_carers": 12, "n_providers": 2},
    ...         "routing": {"days": "monday", "n_jobs": 1}}
    >>> then = Scenario.from_dict({"name": "then", "kind": "then", **tiny,
    ...                            "providers": {"n_providers": 2, "min_provider_hours": 50}})
    >>> now = Scenario.from_dict({"name": "now", **tiny, "zones": {"min_weekly_hours": 50,
    ...     "n_zones": 2}, "providers": {"n_providers": 1, "min_provider_hours": 50}})
    >>> cover = Assumption("cover rate", {"outcomes.cover_rate_gbp_per_hour": 30.0},
    ...     {"outcomes.cover_rate_gbp_per_hour": 60.0}, "£30", "£60", replan=False)
    >>> with ThreadPoolExecutor(1) as pool:
    ...     result = sensitivity(then, now, assumptions=[cover], seeds=1,
    ...                          max_iterations=20, executor=pool)
    >>> sorted(set(result.table["level"]))
    ['base', 'high', 'low']
    >>> list(result.comparison().columns[:3])
    ['unit', 'then', 'now']
    """
    if not (isinstance(seeds, int) and not isinstance(seeds, bool) and seeds >= 1):
        raise ProblemCollector("sensitivity").error(
            "bad value", "an integer >= 1", repr(seeds), column="seeds"
        )
    if not (isinstance(max_iterations, int) and max_iterations >= 1):
        raise ProblemCollector("sensitivity").error(
            "bad value", "an integer >= 1", repr(max_iterations), column="max_iterations"
        )
    pair = [s if isinstance(s, Scenario) else Scenario.from_toml(s) for s in (then, now)]
    budget: dict[str, Any] = {"routing.max_iterations": max_iterations}
    if max_seconds is not None:
        budget["routing.max_seconds"] = max_seconds
    then_s, now_s = (s.with_options(budget, name=s.name) for s in pair)
    chosen = list(default_assumptions(then_s, now_s) if assumptions is None else assumptions)
    names = [a.key for a in chosen]
    if len(set(names)) != len(names):
        raise ProblemCollector("sensitivity").error("same name twice", "assumptions with "
                                       "different names", ", ".join(names))
    runs = _plan(then_s, now_s, chosen, seeds)
    folder = Path(save) if save is not None else None
    done: dict[str, dict[str, Any]] = {}
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for run in runs:
            path = _file(folder, run)
            if path.is_file():
                data = json.loads(path.read_text())
                if data.get("fingerprint") == run.fingerprint():
                    done[run.key] = data
    todo = [r for r in runs if r.key not in done]
    logger.info("sensitivity: %d runs, %d saved, %d to run", len(runs), len(done), len(todo))

    def gathered(n: int, total: int, got: dict[str, Any]) -> None:
        run = todo[n - 1]
        record = {"key": run.key, "fingerprint": run.fingerprint(), **got}
        done[run.key] = record
        if folder is not None:
            _file(folder, run).write_text(json.dumps(record, indent=1))
        if progress is not None:
            progress(len(done), len(runs), run.key)

    if todo:
        run_all([r.scenario for r in todo], executor=executor, n_workers=n_workers,
                n_jobs=n_jobs, progress=gathered, task=price_task,
                extra=[r.prices for r in todo])  # fmt: skip
    table = _table(done, chosen, seeds).assign(max_iterations=max_iterations)
    runtimes = {k: float(v.get("runtime", math.nan)) for k, v in done.items()}
    base = {
        s.name: [
            {**done[f"{side}|base|base|{k}"]["outcomes"][""],
             "_runtime": runtimes[f"{side}|base|base|{k}"]}
            for k in range(seeds)
        ]
        for side, s in (("then", then_s), ("now", now_s))
    }  # fmt: skip
    return Sensitivity(table, tuple(chosen), max_iterations, runtimes, base)
