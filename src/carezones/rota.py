"""Today's real rotas: call-monitoring exports read, rebuilt as routes and scored.

A provider's electronic call monitoring (ECM) export has one row per carer per visit:
the carer, the client, the planned start and end, and the actual (logged) start and
end. :func:`read_rota` reads it from CSV or Excel through a column mapping
(:class:`RotaColumns`) and checks every row; :func:`score_rota` rebuilds each carer's day
as a route and scores it; :func:`rota_to_routes` gives the same days as a routes table in
the layout of :class:`carezones.routing.RoutingResult`, so maps and outcomes can treat a
real rota as a plan.

How a day is rebuilt
--------------------
A carer's visits on a date (the planned start's date) are put in order of actual start,
falling back to the planned start for visits without one. A visit with neither actual
time is **missed**: it stays in the visits table, flagged, and is not travelled to. A
visit with only one actual time is **incomplete**: the other is taken as the planned
length away. Each carer leaves home, travels to each visit in turn and goes home again,
in their own mode (``carers["mode"]``), with network travel times from one
:func:`carezones.travel_time_matrix` per mode between the clients and the homes the
carers of that mode use.

How it is scored
----------------
Each date is rechecked by the independent validator,
:func:`carezones.routing.validate_plan`, with each visit's window set to the planned
start plus or minus ``on_time_minutes`` and its minimum length to ``short_visit_share``
of the planned length. Its rules then read (see :data:`RULES`): ``late`` and ``early``
(outside the window), ``too short`` (a short visit), ``overlap`` (a carer's visits
overlap), ``travel`` (a carer in two places at once: the gap between two visits is
shorter than the network travel time), ``carers`` and ``not together`` (a double-up
with one carer, or carers more than ``together_minutes`` apart), ``skill``, ``shift
start``, ``shift end``, ``max minutes``, ``day off`` (against the carers table). The rota
adds its own: ``missed``, ``longer than slot`` (the actual length exceeds the planned
length by more than ``overrun_minutes``) and ``incomplete``.

Client-facing figures (missed, punctuality, short visits) count visits, a double-up
once; carers' figures (care and travel hours, overlaps, two places at once) count each
carer. No coordinate or address is ever written to a message, a
log line or an output table; the rota's other columns (names, addresses, notes) are not
kept.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _rota_score as sc
from ._rota_read import ROTA_COLUMNS, RotaColumns, Source, check_rota, read_rota_source
from ._rota_result import OUTCOMES, RULES, RotaScore, routes_table
from .exceptions import Problem, ValidationError, unknown_keys

if TYPE_CHECKING:
    import geopandas as gpd

    from .network import TravelNetwork

__all__ = [
    "OUTCOMES",
    "ROTA_COLUMNS",
    "RULES",
    "RotaColumns",
    "RotaRules",
    "RotaScore",
    "read_rota",
    "rota_to_routes",
    "score_rota",
    "synthetic_rota",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotaRules:
    """How a rota is judged.

    Parameters
    ----------
    on_time_minutes
        A visit is on time when it starts within this many minutes of the planned start,
        either way (15: the window most UK councils monitor).
    short_visit_share
        A visit is short when it lasts less than this share of its planned length, in
        (0, 1].
    overrun_minutes
        A visit is longer than its slot when it lasts more than this many minutes beyond
        its planned length.
    together_minutes
        The two carers of a double-up are together when their starts and their ends are
        within this many minutes.
    short_call_minutes
        Planned calls shorter than this count in ``short_call_share`` (NICE guideline
        NG21 asks for at least 30).
    tolerance_seconds
        Slack in every comparison of the validator (call monitoring logs whole minutes).
    max_snap_distance
        Metres; clients or homes farther from their mode's network are unreachable.

    Examples
    --------
    >>> RotaRules(short_visit_share=0.9).on_time_minutes
    15.0
    >>> RotaRules(short_visit_share=1.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - RotaRules, column 'short_visit_share': bad option: expected a number in (0, 1], found 1.5
    """

    on_time_minutes: float = 15.0
    short_visit_share: float = 0.85
    overrun_minutes: float = 15.0
    together_minutes: float = 10.0
    short_call_minutes: float = 30.0
    tolerance_seconds: float = 60.0
    max_snap_distance: float = 500.0

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(value) and value >= 0
            expected = "a number >= 0"
            if f.name == "short_visit_share":
                ok, expected = ok and 0 < value <= 1, "a number in (0, 1]"
            if not ok:
                problems.append(
                    Problem("RotaRules", "bad option", expected, repr(value), column=f.name)
                )
            else:
                object.__setattr__(self, f.name, float(value))
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RotaRules:
        """Build from a mapping (e.g. a TOML table), naming any unknown key.

        Examples
        --------
        >>> RotaRules.from_dict({"on_time_minutes": 30}).on_time_minutes
        30.0
        """
        known = sorted(f.name for f in fields(cls))
        problems = unknown_keys(values, known, "RotaRules", what="unknown option")
        if problems:
            raise ValidationError(problems)
        return cls(**dict(values))


# -------------------------------------------------------------------------------- reading


def read_rota(
    source: Source,
    *,
    columns: RotaColumns | None = None,
    clients: pd.DataFrame | list[str] | None = None,
    carers: pd.DataFrame | list[str] | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read and check a rota export (planned and actual visits), one row per carer per visit.

    Parameters
    ----------
    source
        A ``.csv``, ``.xlsx``/``.xlsm``/``.xls`` file (Excel needs openpyxl, a
        dependency), or a DataFrame.
    columns
        Which column holds what; default :class:`RotaColumns` (a typical ECM export).
        Headers match ignoring case, spaces and punctuation; carezones' own names
        (``carer_id``, ``planned_start``, ...) are also recognised.
    clients, carers
        Tables (with ``client_id`` / ``carer_id``) or lists of ids: when given, every id
        in the rota must be among them.
    sheet
        The Excel sheet (name or position); default the first.

    Returns
    -------
    pandas.DataFrame
        ``visit_id``, ``carer_id``, ``client_id`` (str), ``date`` (the planned start's
        day), ``day`` (its weekday name), ``planned_start``, ``planned_end``,
        ``actual_start``, ``actual_end`` (datetime64; NaT when not logged),
        ``double_up`` (bool), ``carers_needed`` (1 or 2) and ``row`` (the row in the
        source: for files as in a spreadsheet, the header being row 1; for a DataFrame
        from 1). Without a visit id column, ``visit_id`` is ``"<client_id>@<YYYYmmddTHHMM>"``
        of the planned start. Other columns are not kept.

    Raises
    ------
    ValidationError
        Listing every problem, each with its file, row (and visit id), column, what was
        expected and what was found: a missing column, a blank id, a datetime that does
        not parse, an end before its start, an unknown carer or client, a bad double-up
        flag, a carer twice on one visit, more than two carers on one visit, two carers
        at one client and planned start without a double-up flag (no visit ids).

    Examples
    --------
    >>> rota = pd.DataFrame({
    ...     "Carer ID": ["K1", "K1"], "Client ID": ["C1", "C2"],
    ...     "Planned Start": ["07/07/2025 08:00", "07/07/2025 09:00"],
    ...     "Planned End": ["07/07/2025 08:30", "07/07/2025 09:45"],
    ...     "Actual Start": ["07/07/2025 08:05", ""],
    ...     "Actual End": ["07/07/2025 08:31", ""]})
    >>> table = read_rota(rota)
    >>> table[["visit_id", "carer_id", "day", "carers_needed"]]
               visit_id carer_id     day  carers_needed
    0  C1@20250707T0800       K1  monday              1
    1  C2@20250707T0900       K1  monday              1
    >>> read_rota(rota.assign(**{"Actual End": ["07/07/2025 07:59", "tomorrow"]}))
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 2 problems found:
      - rota, column 'Actual End', row 2: bad datetime: expected a date and time such as 07/07/2025 08:30, found 'tomorrow'
      - rota, column 'Actual End', row 1: end before start: expected an actual end at or after the actual start, found 07/07/2025 08:05 to 07/07/2025 07:59
    """  # noqa: E501
    cols = columns if columns is not None else RotaColumns()
    if not isinstance(cols, RotaColumns):
        raise ValidationError(
            [
                Problem(
                    "read_rota",
                    "bad option",
                    "a RotaColumns",
                    type(cols).__name__,
                    column="columns",
                )
            ]
        )
    frame, where = read_rota_source(source, sheet=sheet)
    rota = check_rota(frame, cols, where, clients=clients, carers=carers)
    logger.info(
        "%s: %d rows, %d visits, %d carers, %d clients",
        where,
        len(rota),
        rota["visit_id"].nunique(),
        rota["carer_id"].nunique(),
        rota["client_id"].nunique(),
    )
    return rota


def _checked(rota: Source, clients: Any, carers: Any, columns: RotaColumns | None) -> pd.DataFrame:
    """A checked rota table: ``rota`` itself when already checked (its ids then rechecked)."""
    if not (
        isinstance(rota, pd.DataFrame) and list(rota.columns[: len(ROTA_COLUMNS)]) == ROTA_COLUMNS
    ):
        return read_rota(rota, columns=columns, clients=clients, carers=carers)
    problems = []
    for table, col, name in ((carers, "carer_id", "carers"), (clients, "client_id", "clients")):
        if not isinstance(table, pd.DataFrame):
            continue
        known = set(table[col].astype(str)) if col in table.columns else set()
        unknown = sorted(set(rota[col]) - known)
        problems += [
            Problem("rota", f"unknown {col[:-3]}", f"an id of the {name} table", repr(x),
                    column=col)
            for x in unknown
        ]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return rota


# -------------------------------------------------------------------------------- scoring


def rota_to_routes(
    rota: Source,
    *,
    network: TravelNetwork | None = None,
    clients: gpd.GeoDataFrame | None = None,
    carers: gpd.GeoDataFrame | None = None,
    rules: RotaRules | None = None,
    times: str = "actual",
    columns: RotaColumns | None = None,
) -> pd.DataFrame:
    """A rota as a routes table in the layout of :class:`carezones.routing.RoutingResult`.

    Parameters
    ----------
    rota
        A table from :func:`read_rota`, or what :func:`read_rota` reads.
    network
        Travel networks; with ``clients`` and ``carers`` (homes and modes) it gives each
        leg's ``travel_seconds``; without it they are NaN.
    clients, carers
        The clients (``client_id``, Point geometry, optional ``zone_id``) and carers
        (``carer_id``, ``mode``, home Point geometry) tables.
    rules
        See :class:`RotaRules` (``late`` is minutes after ``on_time_minutes`` past the
        planned start).
    times
        {"actual", "planned"} The visits made at their actual times (missed visits
        left out), or every planned visit at its planned times.
    columns
        The column mapping, when ``rota`` is read here.

    Returns
    -------
    pandas.DataFrame
        ``zone_id`` (the client's, when ``clients`` has one), ``day``, ``date``, then the
        routing columns: ``carer_id``, ``sequence``, ``visit_id``, ``client_id``,
        ``arrival`` (= ``start``: a rota does not log arrivals), ``start``, ``end``
        (minutes since midnight of ``date``), ``wait`` (0), ``late``,
        ``travel_seconds`` (the leg into the visit), ``mode``, ``distance_m`` (walking
        and cycling at the mode's speed; NaN for driving), ``carers_needed``,
        ``with_carer``.

    Examples
    --------
    >>> rota = pd.DataFrame({"carer_id": ["K1", "K1"], "client_id": ["C1", "C2"],
    ...     "planned_start": ["2025-07-07 08:00", "2025-07-07 09:00"],
    ...     "planned_end": ["2025-07-07 08:30", "2025-07-07 09:45"],
    ...     "actual_start": ["2025-07-07 08:20", "2025-07-07 09:02"],
    ...     "actual_end": ["2025-07-07 08:50", "2025-07-07 09:40"]})
    >>> rota_to_routes(rota)[["carer_id", "sequence", "visit_id", "start", "end", "late"]]
      carer_id  sequence          visit_id  start    end  late
    0       K1         1  C1@20250707T0800  500.0  530.0   5.0
    1       K1         2  C2@20250707T0900  542.0  580.0   0.0
    """
    if times not in ("actual", "planned"):
        raise ValidationError(
            [
                Problem(
                    "rota_to_routes",
                    "bad option",
                    "'actual' or 'planned'",
                    repr(times),
                    column="times",
                )
            ]
        )
    rules = rules or RotaRules()
    table = _checked(rota, clients, carers, columns)
    rebuilt = sc.rebuild(
        table, network=network, clients=clients, carers=carers, rules=rules, times=times
    )
    return routes_table(rebuilt.rows, clients, rules)


def score_rota(
    rota: Source,
    *,
    network: TravelNetwork | None = None,
    clients: gpd.GeoDataFrame | None = None,
    carers: gpd.GeoDataFrame | None = None,
    rules: RotaRules | None = None,
    columns: RotaColumns | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> RotaScore:
    """Rebuild each carer's day from a rota and score it.

    Parameters
    ----------
    rota
        A table from :func:`read_rota`, or what :func:`read_rota` reads (then checked
        against ``clients`` and ``carers``).
    network
        Travel networks for the carers' modes; None scores without travel (no
        ``travel``/``unreachable`` rule, travel outcomes NaN).
    clients
        Clients (``client_id``, Point geometry; ``skills`` checked against carers'):
        needed with a network.
    carers
        Carers as :func:`carezones.read_carers` returns them (``mode``, home, shifts,
        ``max_minutes``, ``days``, ``skills``); needed with a network. Without it, no
        shift, day or skill rule is checked.
    rules
        See :class:`RotaRules`.
    columns
        The column mapping, when ``rota`` is read here.
    progress
        Called as ``progress(stage, share_done)``.

    Returns
    -------
    RotaScore

    Examples
    --------
    >>> from carezones import datasets, read_carers, read_clients
    >>> net = datasets.load_default_network(modes="walk")
    >>> clients = read_clients(pd.DataFrame({"client_id": ["C1", "C2"],
    ...     "lon": [24.9384, 24.9450], "lat": [60.1699, 60.1650], "weekly_hours": [7, 7]}))
    >>> carers = read_carers(pd.DataFrame({"carer_id": ["K1"], "lon": [24.94], "lat": [60.17],
    ...     "mode": ["walk"], "contracted_hours": [30]}))
    >>> rota = pd.DataFrame({"carer_id": ["K1", "K1", "K1"], "client_id": ["C1", "C2", "C1"],
    ...     "planned_start": ["2025-07-07 08:00", "2025-07-07 08:35", "2025-07-07 12:00"],
    ...     "planned_end": ["2025-07-07 08:30", "2025-07-07 09:15", "2025-07-07 12:30"],
    ...     "actual_start": ["2025-07-07 08:00", "2025-07-07 08:32", None],
    ...     "actual_end": ["2025-07-07 08:30", "2025-07-07 08:50", None]})
    >>> score = score_rota(rota, network=net, clients=clients, carers=carers)
    >>> score.violations["rule"].tolist()
    ['too short', 'travel', 'missed']
    >>> s = score.summary()
    >>> s["n_missed_visits"], s["n_short_visits"], s["n_two_places_at_once"]
    (1, 1, 1)
    """
    t0 = time.perf_counter()
    rules = rules or RotaRules()
    if not isinstance(rules, RotaRules):
        raise ValidationError(
            [
                Problem(
                    "score_rota", "bad option", "a RotaRules", type(rules).__name__, column="rules"
                )
            ]
        )
    table = _checked(rota, clients, carers, columns)
    if progress is not None:
        progress("rebuild", 0.0)
    rebuilt = sc.rebuild(table, network=network, clients=clients, carers=carers, rules=rules)
    t1 = time.perf_counter()
    if progress is not None:
        progress("rebuild", 1.0)
    found = sc.validate_days(rebuilt, clients, rules, progress)
    t2 = time.perf_counter()
    violations = pd.concat(
        [x for x in (found, sc.extra_violations(rebuilt.rows, rules)) if len(x)] or [found],
        ignore_index=True,
    )
    order = {rule: i for i, rule in enumerate(RULES)}
    violations = (
        violations.assign(_o=violations["rule"].map(order))
        .sort_values(["date", "_o", "carer_id", "visit_id"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    rows = sc.flag_rows(rebuilt.rows, violations)
    days = sc.carer_days(rows)
    cont = sc.continuity(rows)
    routes = routes_table(rows, clients, rules)
    missed = rows[rows.groupby("visit_id")["missed"].transform("all").to_numpy(bool)]
    unscheduled = missed.drop_duplicates("visit_id")[["visit_id", "client_id", "carers_needed"]]
    unscheduled = unscheduled.assign(reason="missed: no actual times").reset_index(drop=True)
    runtime = time.perf_counter() - t0
    logger.info(
        "scored %d carer-visits: rebuild %.1f s, validator %.1f s, total %.1f s",
        len(rows),
        t1 - t0,
        t2 - t1,
        runtime,
    )
    return RotaScore(
        visits=rows,
        carer_days=days,
        continuity=cont,
        violations=violations,
        routes=routes,
        unscheduled=unscheduled,
        rules=rules,
        runtime=runtime,
        has_network=rebuilt.has_network,
        extra={"rebuild_seconds": t1 - t0, "validate_seconds": t2 - t1},
    )


def synthetic_rota(
    clients: gpd.GeoDataFrame,
    carers: gpd.GeoDataFrame,
    *,
    start_date: str = "2025-07-07",
    weeks: int = 4,
    random_state: int | np.random.Generator | None,
    missed_share: float = 0.01,
    delay_minutes: float = 4.0,
    delay_sd_minutes: float = 9.0,
) -> pd.DataFrame:
    """A plausible call-monitoring export for synthetic clients and carers (no real person).

    For demos, tests and benchmarks: the clients' weekly patterns are planned onto
    carers of the client's provider who work that day, have the skills and can reach the
    client inside the window by a planner's (optimistic, straight-line) travel estimate,
    preferring carers who know the client; then each carer's day is replayed with noise:
    starts drift (mean ``delay_minutes``, sd ``delay_sd_minutes``) and lateness carries
    on through the day, about 10% of visits are cut short and 4% overrun, a share
    ``missed_share`` has no actual times and half as many no actual end. So the rota
    breaks rules the way real ones do.

    Parameters
    ----------
    clients, carers
        Tables as :func:`carezones.datasets.synthetic_population` returns (clients with
        a ``pattern`` or ``weekly_hours``; carers with ``mode``, shifts, ``days``,
        ``skills``, optional ``provider_id``), with Point geometry.
    start_date
        The first day (a Monday for whole weeks).
    weeks
        How many weeks.
    random_state
        Seed or Generator; the same seed gives the same rota.
    missed_share, delay_minutes, delay_sd_minutes
        See above.

    Returns
    -------
    pandas.DataFrame
        The default :class:`RotaColumns` headers (``Visit ID``, ``Carer ID``,
        ``Client ID``, ``Planned Start``, ``Planned End``, ``Actual Start``,
        ``Actual End``, ``Double Up``), datetimes as datetime64, ``Double Up``
        ``"Yes"``/``"No"``, ordered by planned start.

    Examples
    --------
    >>> from carezones import datasets
    >>> net = datasets.load_default_network()
    >>> clients, carers, _ = datasets.synthetic_population(
    ...     net, n_clients=20, n_carers=8, n_providers=2, random_state=0)
    >>> rota = synthetic_rota(clients, carers, weeks=1, random_state=0)
    >>> list(rota.columns[:3])
    ['Visit ID', 'Carer ID', 'Client ID']
    >>> bool(read_rota(rota, clients=clients, carers=carers)["visit_id"].nunique() > 0)
    True
    """
    from ._rota_synth import make_rota

    problems = []
    if not (isinstance(weeks, int) and weeks >= 1):
        problems.append(
            Problem("synthetic_rota", "bad option", "an integer >= 1", repr(weeks), column="weeks")
        )
    if not (isinstance(missed_share, int | float) and 0 <= missed_share < 1):
        problems.append(
            Problem(
                "synthetic_rota",
                "bad option",
                "a number in [0, 1)",
                repr(missed_share),
                column="missed_share",
            )
        )
    if problems:
        raise ValidationError(problems)
    rng = (
        random_state
        if isinstance(random_state, np.random.Generator)
        else np.random.default_rng(random_state)
    )
    return make_rota(
        clients,
        carers,
        start_date=start_date,
        weeks=weeks,
        rng=rng,
        missed_share=float(missed_share),
        delay_minutes=float(delay_minutes),
        delay_sd_minutes=float(delay_sd_minutes),
    )
