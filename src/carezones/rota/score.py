"""Scoring a rota: :func:`score_rota`, and :func:`rota_to_routes` (a rota as a routes table).

Each carer's day is rebuilt (:mod:`~carezones.rota.rebuild`); then each date's plan is
rechecked by the independent validator, :func:`carezones.routing.validate_plan`, and the
rota's own rules (missed, longer than slot, incomplete) are added.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.network import TravelNetwork
from carezones.rota.columns import RotaColumns, Source
from carezones.rota.read import checked_rota
from carezones.rota.rebuild import Rebuilt, rebuild
from carezones.rota.result import RULES, RotaScore, routes_table
from carezones.rota.rules import RotaRules
from carezones.rota.windows import plan_windows
from carezones.routing import client_carers, validate_plan

__all__ = [
    "carer_days",
    "continuity",
    "extra_violations",
    "flag_rows",
    "rota_to_routes",
    "score_rota",
    "validate_days",
]

logger = logging.getLogger("carezones.rota")


def validate_days(
    rebuilt: Rebuilt,
    clients: pd.DataFrame | None,
    rules: RotaRules,
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Every date rechecked by :func:`carezones.routing.validate_plan`; one row per violation."""
    rows = rebuilt.rows
    skills = _visit_skills(rows, clients, rebuilt.carers)
    # the care plan's window where the clients' patterns give one: the visit must end by
    # its end (the validator checks the end as start + duration); else a start within
    # on_time_minutes of the planned start
    planned = rows["planned_minutes"].astype(float)
    short = planned * rules.short_visit_share
    has_plan = rows["plan_window_end"].notna() if "plan_window_end" in rows else False
    window_start = (rows["planned_start_minutes"] - rules.on_time_minutes).where(
        ~has_plan, rows.get("plan_window_start")
    )
    window_end = (rows["planned_start_minutes"] + rules.on_time_minutes + short).where(
        ~has_plan, rows.get("plan_window_end") - (planned - short)
    )
    # plain object strings: the validator looks values up one by one, which is slow on
    # pandas' Arrow-backed strings
    visits_all = pd.DataFrame(
        {
            "visit_id": rows["visit_id"].astype(object),
            "client_id": rows["client_id"].astype(object),
            "place": ("c:" + rows["client_id"]).astype(object),
            "day": rows["day"].astype(object),
            "date": rows["date"],
            "window_start": window_start,
            "window_end": window_end,
            "duration": rows["planned_minutes"] * rules.short_visit_share,
            "carers_needed": rows["carers_needed"],
            "skills": skills.astype(object),
        }
    ).drop_duplicates("visit_id")
    routed = rows[rows["routed"].to_numpy()]
    routes_all = pd.DataFrame(
        {
            "carer_id": routed["carer_id"].astype(object),
            "visit_id": routed["visit_id"].astype(object),
            "start": routed["start"],
            "end": routed["end"],
            "sequence": routed["sequence"],
            "date": routed["date"],
        }
    )
    done = set(routed["visit_id"])
    parts = []
    dates = sorted(pd.unique(visits_all["date"]))
    by_date_routes = dict(iter(routes_all.groupby("date", sort=False)))
    for k, date in enumerate(dates):
        visits = visits_all[visits_all["date"] == date]
        routes = by_date_routes.get(date, routes_all.iloc[:0])
        missed = visits.loc[~visits["visit_id"].isin(done), ["visit_id"]]
        found = validate_plan(
            routes.drop(columns="date"),
            visits.drop(columns="date"),
            rebuilt.carers,
            travel=rebuilt.travel,
            unscheduled=missed,
            tolerance_seconds=rules.tolerance_seconds,
        )
        if len(found):
            parts.append(found.assign(date=date))
        if progress is not None:
            progress("validate", (k + 1) / len(dates))
    cols = ["date", "rule", "carer_id", "visit_id", "client_id", "detail"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out = _together(out, rows, rules)
    if not rebuilt.has_network:
        out = out[~out["rule"].isin(["travel", "unreachable"])]
    return out[cols].reset_index(drop=True)


def _visit_skills(
    rows: pd.DataFrame, clients: pd.DataFrame | None, carers: pd.DataFrame
) -> pd.Series:
    """The client's skills on each visit, when both tables carry skills; else none."""
    if clients is None or "skills" not in clients.columns or "skills" not in carers.columns:
        return pd.Series("", index=rows.index)
    table = pd.Series(clients["skills"].to_numpy(), index=clients["client_id"].astype(str))
    table = table[~table.index.duplicated()]
    return rows["client_id"].map(table).fillna("").astype(str)


def _together(found: pd.DataFrame, rows: pd.DataFrame, rules: RotaRules) -> pd.DataFrame:
    """Keep "not together" only where the two carers' starts or ends differ by more than allowed."""
    apart = found["rule"] == "not together"
    if not apart.any():
        return found
    routed = rows[rows["routed"].to_numpy()]
    g = routed.groupby("visit_id")
    spread = np.maximum(
        (g["start"].max() - g["start"].min()).to_numpy(),
        (g["end"].max() - g["end"].min()).to_numpy(),
    )
    spread_s = pd.Series(spread, index=g["start"].max().index)
    wide = found["visit_id"].map(spread_s).to_numpy(float) > rules.together_minutes
    return found[~apart.to_numpy() | wide]


def extra_violations(rows: pd.DataFrame, rules: RotaRules) -> pd.DataFrame:
    """The rota's own rules: missed, longer than the slot, incomplete record."""
    parts = []

    def clock(m: np.ndarray) -> list[str]:
        r = np.rint(np.nan_to_num(m)).astype(int)
        return [f"{x // 60:02d}:{x % 60:02d}" for x in r]

    missed = rows[rows["missed"].to_numpy()]
    if len(missed):
        slot = [
            f"no actual times (planned {a}-{b})"
            for a, b in zip(
                clock(missed["planned_start_minutes"].to_numpy()),
                clock(missed["planned_end_minutes"].to_numpy()),
                strict=True,
            )
        ]
        parts.append(missed.assign(rule="missed", detail=slot))
    over = rows["actual_minutes"].to_numpy(float) > (
        rows["planned_minutes"].to_numpy(float) + rules.overrun_minutes
    )
    long = rows[over]
    if len(long):
        text = [
            f"{a:.0f} min in a {b:.0f}-min slot"
            for a, b in zip(long["actual_minutes"], long["planned_minutes"], strict=True)
        ]
        parts.append(long.assign(rule="longer than slot", detail=text))
    half = rows[rows["incomplete"].to_numpy()]
    if len(half):
        said = np.where(
            half["actual_start"].isna(),
            "no actual start logged (start taken as the planned length before the end)",
            "no actual end logged (end taken as the planned length after the start)",
        )
        parts.append(half.assign(rule="incomplete", detail=said))
    cols = ["date", "rule", "carer_id", "visit_id", "client_id", "detail"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.concat([p[cols] for p in parts], ignore_index=True)


def flag_rows(rows: pd.DataFrame, violations: pd.DataFrame) -> pd.DataFrame:
    """Per-row flags from the violations: late, early, short, overlap, two_places, ..."""
    names = {
        "late": "late",
        "early": "early",
        "too short": "short",
        "overlap": "overlap",
        "travel": "two_places",
        "longer than slot": "longer_than_slot",
        "unreachable": "unreachable",
    }
    out = rows.copy()
    key = out["carer_id"] + "\x1f" + out["visit_id"]
    v = violations[violations["visit_id"].astype(str) != ""]
    vkey = v["carer_id"].astype(str) + "\x1f" + v["visit_id"].astype(str)
    for rule, col in names.items():
        hit = set(vkey[v["rule"].to_numpy() == rule])
        out[col] = key.isin(hit).to_numpy()
    per_visit = v[v["rule"].isin(["carers", "not together", "same carer twice"])]
    out["double_up_problem"] = out["visit_id"].isin(set(per_visit["visit_id"])).to_numpy()
    joined = (
        pd.DataFrame({"k": vkey.to_numpy(), "rule": v["rule"].to_numpy()})
        .drop_duplicates()
        .groupby("k")["rule"]
        .agg(";".join)
    )
    rules = joined.to_dict()
    out["rules"] = [rules.get(k, "") for k in key]
    return out


def carer_days(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per carer and date: visits, times, care, travel, ratio."""
    r = rows[rows["routed"].to_numpy()].copy()
    r["care"] = r["end"] - r["start"]
    r["out"] = np.where(r["first_of_day"], r["travel_seconds"], 0.0)
    r["between"] = np.where(r["first_of_day"], 0.0, r["travel_seconds"])
    g = r.groupby(["carer_id", "date"], sort=True)
    out = pd.DataFrame(
        {
            "day": g["day"].first(),
            "mode": g["mode"].first(),
            "n_visits": g["visit_id"].size(),
            "first_start": g["start"].min(),
            "last_end": g["end"].max(),
            "care_minutes": g["care"].sum(),
            "out_seconds": g["out"].sum(min_count=1),
            "between_seconds": g["between"].sum(min_count=1),
            "return_travel_seconds": g["return_seconds"].sum(min_count=1),
        }
    )
    first = r[r["first_of_day"].to_numpy()].set_index(["carer_id", "date"])["travel_seconds"]
    last = r[r["last_of_day"].to_numpy()].set_index(["carer_id", "date"])["return_seconds"]
    out["depart"] = out["first_start"] - first.reindex(out.index).to_numpy() / 60.0
    out["back"] = out["last_end"] + last.reindex(out.index).to_numpy() / 60.0
    out["working_minutes"] = out["back"] - out["depart"]
    out["travel_seconds"] = (
        out["out_seconds"] + out["between_seconds"] + out["return_travel_seconds"]
    )
    out["travel_between_visits_seconds"] = out["between_seconds"]
    metres = g["distance_m"].sum(min_count=1) + g["return_distance_m"].sum(min_count=1)
    out["distance_m"] = metres.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["travel_to_care_ratio"] = out["travel_seconds"] / 60.0 / out["care_minutes"]
    missed = rows[rows["missed"].to_numpy()].groupby(["carer_id", "date"])["visit_id"].size()
    out["n_missed"] = missed.reindex(out.index).fillna(0).astype(int).to_numpy()
    out = out.reset_index()
    cols = [
        "carer_id",
        "date",
        "day",
        "mode",
        "n_visits",
        "n_missed",
        "depart",
        "back",
        "working_minutes",
        "care_minutes",
        "travel_seconds",
        "travel_between_visits_seconds",
        "return_travel_seconds",
        "distance_m",
        "travel_to_care_ratio",
    ]
    return out[cols]


def continuity(rows: pd.DataFrame) -> pd.DataFrame:
    """Who each client saw each week (weeks from Monday), from the delivered visits.

    Distinct carers, the main carer and their share, every carer met
    (:func:`carezones.routing.client_carers`), beside the visits planned.
    """
    r = rows[~rows["missed"].to_numpy()]
    week = r["date"] - pd.to_timedelta(r["date"].dt.day_of_week, unit="D")
    out = client_carers(r.assign(week_start=week), ["client_id", "week_start"])
    planned = (
        rows.assign(
            week_start=rows["date"] - pd.to_timedelta(rows["date"].dt.day_of_week, unit="D")
        )
        .groupby(["client_id", "week_start"])["visit_id"]
        .nunique()
    )
    out["n_planned"] = planned.reindex(
        pd.MultiIndex.from_frame(out[["client_id", "week_start"]])
    ).to_numpy()
    return out[["client_id", "week_start", "n_planned", "n_visits", "distinct_carers",
                "main_carer", "main_carer_share", "carers"]]  # fmt: skip


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
        raise ProblemCollector("rota_to_routes").error(
            "bad option", "'actual' or 'planned'", repr(times), column="times"
        )
    rules = rules or RotaRules()
    table = checked_rota(rota, clients, carers, columns)
    rebuilt = rebuild(
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
        raise ProblemCollector("score_rota").error(
            "bad option", "a RotaRules", type(rules).__name__, column="rules"
        )
    table = checked_rota(rota, clients, carers, columns)
    if progress is not None:
        progress("rebuild", 0.0)
    rebuilt = rebuild(table, network=network, clients=clients, carers=carers, rules=rules)
    windows = plan_windows(rebuilt.rows, clients)
    for column in windows.columns:
        rebuilt.rows[column] = windows[column].to_numpy()
    t1 = time.perf_counter()
    if progress is not None:
        progress("rebuild", 1.0)
    found = validate_days(rebuilt, clients, rules, progress)
    t2 = time.perf_counter()
    violations = pd.concat(
        [x for x in (found, extra_violations(rebuilt.rows, rules)) if len(x)] or [found],
        ignore_index=True,
    )
    order = {rule: i for i, rule in enumerate(RULES)}
    violations = (
        violations.assign(_o=violations["rule"].map(order))
        .sort_values(["date", "_o", "carer_id", "visit_id"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    rows = flag_rows(rebuilt.rows, violations)
    days = carer_days(rows)
    cont = continuity(rows)
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
