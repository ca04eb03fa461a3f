"""The result of scoring a rota: :class:`RotaScore`, its outcomes and its routes table.

See :mod:`carezones.rota`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carezones.outcomes import outcome_table, outcomes_of
from carezones.rota.rebuild import ACTIVE_MODES
from carezones.rota.rules import RotaRules
from carezones.routing import ROUTE_COLUMNS, VALIDATION_RULES
from carezones.tables import write_tables

__all__ = ["RULES", "RotaScore", "routes_table"]


def _rules() -> dict[str, str]:
    own = {
        "missed": "a visit has no actual times (nobody logged in or out)",
        "longer than slot": "a visit lasted longer than its planned slot by more than "
        "overrun_minutes",
        "incomplete": "a visit has an actual start or an actual end, not both",
    }
    return {**VALIDATION_RULES, **own}


#: Every rule a rota is checked against: the validator's, then the rota's own.
RULES: dict[str, str] = _rules()

@dataclass(frozen=True, eq=False)
class RotaScore:
    """A rota rebuilt as routes and scored.

    Attributes
    ----------
    visits
        One row per carer per visit, in each carer's day order: the rota's columns, then
        ``sequence`` (order in the carer's day), ``mode``, ``planned_minutes``,
        ``actual_minutes`` (NaN unless both actual times are logged),
        ``start_delay_minutes`` (actual minus planned start), ``start`` and ``end``
        (minutes since midnight of ``date``; estimated for incomplete visits),
        ``travel_seconds`` (the leg into the visit, from home for the first),
        ``return_seconds`` (home, after the last), and flags ``missed``, ``incomplete``,
        ``late``, ``early``, ``short``, ``longer_than_slot``, ``overlap``,
        ``two_places`` (reached sooner than the network allows), ``unreachable``,
        ``double_up_problem``, with ``rules`` naming every rule the row breaks.
    carer_days
        One row per carer and date with a visit made: ``n_visits``, ``n_missed``,
        ``depart`` and ``back`` (minutes since midnight), ``working_minutes``,
        ``care_minutes``, ``travel_seconds`` (home legs included),
        ``travel_between_visits_seconds``, ``return_travel_seconds``, ``distance_m``
        (walking and cycling: travel time at the mode's speed; NaN for driving) and
        ``travel_to_care_ratio``.
    continuity
        One row per client and week (from Monday): ``n_planned`` and ``n_visits`` made,
        ``distinct_carers``, ``main_carer``, ``main_carer_share`` and ``carers``
        (:func:`carezones.routing.client_carers`).
    violations
        One row per rule broken: ``date``, ``rule`` (a key of :data:`RULES`),
        ``carer_id``, ``visit_id``, ``client_id``, ``detail``.
    routes
        The visits made as a routes table (see :func:`rota_to_routes`).
    unscheduled
        The visits nobody made: ``visit_id``, ``client_id``, ``carers_needed``,
        ``reason``.
    rules
        The rules used.
    runtime
        Seconds taken to score.
    """

    visits: pd.DataFrame
    carer_days: pd.DataFrame
    continuity: pd.DataFrame
    violations: pd.DataFrame
    routes: pd.DataFrame
    unscheduled: pd.DataFrame
    rules: RotaRules
    runtime: float
    has_network: bool = True
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> dict[str, float | int]:
        """The outcomes a rota reports (:func:`carezones.outcomes.outcomes_of` ("rota")), by name.

        NaN where they cannot be measured (no network: travel and car km).

        Client-facing figures are per visit: a double-up is late when either carer is,
        early when both are, short when either carer's time is short, and missed when
        neither came. Carer events (overlaps, two places at once) count per carer-visit.
        """
        v = self.visits
        nan = float("nan")

        def share(a: Any, b: Any) -> float:
            return float(a) / float(b) if float(b) else nan

        visit = _per_visit(v)
        n_visits, n_started, n_logged = (
            len(visit),
            int(visit["started"].sum()),
            int(visit["logged"].sum()),
        )
        early = visit["early"] & visit["started"]
        lateness = visit.loc[visit["started"], "delay"].clip(lower=0)
        days = self.carer_days
        care = float(days["care_minutes"].sum()) / 60.0
        travel = float(days["travel_seconds"].sum()) / 3600.0 if self.has_network else nan
        between = (
            float(days["travel_between_visits_seconds"].sum()) / 3600.0 if self.has_network else nan
        )
        span = (v["date"].max() - v["date"].min()).days + 1 if len(v) else 0
        weeks = span / 7.0
        planned_h = float(v["planned_minutes"].sum()) / 60.0
        made = visit[visit["made"]]
        values = {
            "n_visits": n_visits,
            "n_carer_visits": len(v),
            "n_clients": int(v["client_id"].nunique()),
            "n_carers": int(v["carer_id"].nunique()),
            "n_carer_days": len(days),
            "n_weeks": weeks,
            "n_missed_visits": int((~visit["made"]).sum()),
            "missed_visit_share": share((~visit["made"]).sum(), n_visits),
            "on_time_share": share((visit["started"] & ~visit["late"] & ~early).sum(), n_started),
            "late_visit_share": share(visit["late"].sum(), n_started),
            "early_visit_share": share(early.sum(), n_started),
            "mean_lateness_minutes": float(lateness.mean()) if len(lateness) else nan,
            "max_lateness_minutes": float(lateness.max()) if len(lateness) else nan,
            "n_short_visits": int(visit["short"].sum()),
            "short_visit_share": share(visit["short"].sum(), n_logged),
            "short_call_share": share(
                (
                    v.drop_duplicates("visit_id")["planned_minutes"] < self.rules.short_call_minutes
                ).sum(),
                n_visits,
            ),
            "n_overrun_visits": int(visit["long"].sum()),
            "overrun_visit_share": share(visit["long"].sum(), n_logged),
            "n_overlapping_visits": int(v["overlap"].sum()),
            "n_two_places_at_once": int(v["two_places"].sum()) if self.has_network else 0,
            "n_double_up_problems": int(v.loc[v["double_up_problem"], "visit_id"].nunique()),
            "n_violations": len(self.violations),
            "planned_care_hours": planned_h,
            "care_hours": care,
            "delivered_hours_share": share(care, planned_h),
            "care_hours_per_week": care / weeks if weeks else nan,
            "travel_hours": travel,
            "travel_hours_per_week": travel / weeks if weeks else nan,
            "travel_between_visits_hours": between,
            "travel_to_care_ratio": share(travel, care) if self.has_network else nan,
            "walk_cycle_share": float(made["active"].mean()) if len(made) else nan,
            "car_km_per_week": float(
                days.loc[days["mode"] == "drive", "distance_m"].fillna(0.0).sum() / 1000.0 / weeks
            )
            if self.has_network and weeks
            else nan,
            "distinct_carers_per_client": float(self.continuity["distinct_carers"].mean())
            if len(self.continuity)
            else nan,
        }
        outcome_table(values, "rota")  # every declared rota outcome, and only those
        return {o.name: values[o.name] for o in outcomes_of("rota")}

    def table(self) -> pd.DataFrame:
        """The summary as a table: one row per outcome (``value``, ``unit``, ``meaning``).

        Indexed by the outcome's stable snake_case name, as in scenario comparisons.
        """
        table = outcome_table(self.summary(), "rota").set_index("outcome")
        return table.rename(columns={"description": "meaning"})

    def plan_tables(self) -> dict[str, pd.DataFrame]:
        """The visits made as a plan, in the layouts :mod:`carezones.outcomes` reads.

        ``routes`` (as :attr:`routes`), ``shifts`` (one row per carer-day, as a routing
        plan's: ``zone_id``, ``day``, ``carer_id``, ``mode``, ``n_visits``, ``depart``,
        ``back``, ``working_minutes``, ``travel_seconds``, ``return_travel_seconds``,
        ``distance_m``), ``visits`` (``visit_id``, ``client_id``, ``day``, ``duration``
        (planned minutes), ``carers_needed``) and ``unscheduled`` (the missed visits).
        Here ``day`` is the ISO date (``"2025-07-07"``), so that a rota of several weeks
        counts each of its days once when figures are scaled to a week.

        Examples
        --------
        >>> from carezones.rota import score_rota
        >>> rota = pd.DataFrame({"carer_id": ["K1"], "client_id": ["C1"],
        ...     "planned_start": ["2025-07-07 08:00"], "planned_end": ["2025-07-07 08:30"],
        ...     "actual_start": ["2025-07-07 08:05"], "actual_end": ["2025-07-07 08:35"]})
        >>> tables = score_rota(rota).plan_tables()
        >>> tables["shifts"][["zone_id", "day", "carer_id", "n_visits"]]
          zone_id         day carer_id  n_visits
        0    None  2025-07-07       K1         1
        """
        iso = {d: pd.Timestamp(d).strftime("%Y-%m-%d") for d in pd.unique(self.visits["date"])}
        routes = self.routes.assign(day=self.routes["date"].map(iso)).drop(columns="date")
        days = self.carer_days
        zone = (
            routes.groupby(["carer_id", "day"])["zone_id"].agg(_most_common)
            if len(routes)
            else pd.Series(dtype=object)
        )
        day = days["date"].map(iso)
        shifts = pd.DataFrame(
            {
                "zone_id": zone.reindex(
                    pd.MultiIndex.from_arrays([days["carer_id"], day])
                ).to_numpy(),
                "day": day.to_numpy(),
                **{
                    c: days[c].to_numpy()
                    for c in (
                        "carer_id",
                        "mode",
                        "n_visits",
                        "depart",
                        "back",
                        "working_minutes",
                        "travel_seconds",
                        "return_travel_seconds",
                        "distance_m",
                    )
                },
            }
        )
        planned = self.visits.drop_duplicates("visit_id")
        visits = pd.DataFrame(
            {
                "visit_id": planned["visit_id"].to_numpy(),
                "client_id": planned["client_id"].to_numpy(),
                "day": planned["date"].map(iso).to_numpy(),
                "duration": planned["planned_minutes"].to_numpy(float),
                "carers_needed": planned["carers_needed"].to_numpy(),
            }
        )
        unscheduled = self.unscheduled.merge(
            visits[["visit_id", "day"]], on="visit_id", how="left"
        ).assign(zone_id=None)
        return {"routes": routes, "shifts": shifts, "visits": visits, "unscheduled": unscheduled}

    def violation_counts(self) -> pd.Series:
        """How many times each rule is broken (rules in :data:`RULES` order)."""
        counts = self.violations["rule"].value_counts()
        order = [r for r in RULES if r in counts.index]
        return counts.reindex(order).astype(int).rename("count")

    def write(self, folder: str | os.PathLike[str]) -> Path:
        """Write every table as CSV and the summary as ``summary.json`` to ``folder``.

        Files: ``visits.csv``, ``carer_days.csv``, ``continuity.csv``,
        ``violations.csv``, ``routes.csv``, ``unscheduled.csv``, ``outcomes.csv``, each
        readable (rounded, times as HH:MM, units in the headers) and exact in ``data/``
        (:func:`carezones.tables.write_tables`), and ``summary.json``. Ids only: no
        coordinate or address.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "visits": self.visits,
            "carer_days": self.carer_days,
            "continuity": self.continuity,
            "violations": self.violations,
            "routes": self.routes,
            "unscheduled": self.unscheduled,
            "outcomes": self.table().reset_index(),
        }
        write_tables({f"{name}.csv": pd.DataFrame(frame) for name, frame in tables.items()}, out)
        summary = {
            k: (None if isinstance(x, float) and math.isnan(x) else x)
            for k, x in self.summary().items()
        }
        data = {
            "summary": summary,
            "violations": {k: int(n) for k, n in self.violation_counts().items()},
            "rules": {f.name: getattr(self.rules, f.name) for f in fields(self.rules)},
            "runtime_seconds": self.runtime,
        }
        (out / "summary.json").write_text(json.dumps(data, indent=1))
        return out

    def __str__(self) -> str:
        s = self.summary()

        def pct(x: float) -> str:
            return "n/a" if math.isnan(x) else f"{x:.1%}"

        def num(x: float, fmt: str = ".2f") -> str:
            return "n/a" if math.isnan(x) else format(x, fmt)

        counts = self.violation_counts()
        lines = [
            "Rota score",
            "==========",
            f"  {s['n_visits']:,} visits ({s['n_carer_visits']:,} carer-visits), "
            f"{s['n_clients']:,} clients, {s['n_carers']:,} carers, "
            f"{num(s['n_weeks'], '.1f')} weeks",
            f"  missed: {s['n_missed_visits']:,} ({pct(s['missed_visit_share'])})   "
            f"short: {s['n_short_visits']:,} ({pct(s['short_visit_share'])})   "
            f"longer than slot: {s['n_overrun_visits']:,}",
            f"  punctuality (±{self.rules.on_time_minutes:g} min): "
            f"{pct(s['on_time_share'])}   late: {pct(s['late_visit_share'])}   "
            f"mean lateness: {num(s['mean_lateness_minutes'], '.1f')} min",
            f"  overlapping: {s['n_overlapping_visits']:,}   two places at once: "
            f"{s['n_two_places_at_once']:,}   double-up problems: {s['n_double_up_problems']:,}",
            f"  care: {num(s['care_hours_per_week'], ',.0f')} h/week   travel: "
            f"{num(s['travel_hours_per_week'], ',.0f')} h/week   travel/care: "
            f"{num(s['travel_to_care_ratio'])}   on foot or by bike: {pct(s['walk_cycle_share'])}",
            f"  distinct carers per client per week: {num(s['distinct_carers_per_client'])}",
            f"  violations: {s['n_violations']:,}"
            + (
                ""
                if counts.empty
                else " (" + ", ".join(f"{k} {n:,}" for k, n in counts.items()) + ")"
            ),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"RotaScore({s['n_carer_visits']} carer-visits, {s['n_missed_visits']} missed, "
            f"{s['n_violations']} violations)"
        )


def _per_visit(v: pd.DataFrame) -> pd.DataFrame:
    """One row per visit from its carer-visit rows.

    A double-up is late when either carer is, early when both are, short when either is
    short, and missed when neither came.
    """
    started = v["start_delay_minutes"].notna().to_numpy()
    logged = v["actual_minutes"].notna().to_numpy()
    per = pd.DataFrame(
        {
            "visit_id": v["visit_id"].to_numpy(),
            "made": ~v["missed"].to_numpy(),
            "started": started,
            "logged": logged,
            "late": v["late"].to_numpy() & started,
            "early": v["early"].to_numpy() | ~started,
            "short": v["short"].to_numpy() & logged,
            "long": v["longer_than_slot"].to_numpy(),
            "delay": v["start_delay_minutes"].to_numpy(float),
            "active": v["mode"].isin(ACTIVE_MODES).to_numpy() | v["missed"].to_numpy(),
        }
    ).groupby("visit_id", sort=False)
    return per.agg(
        made=("made", "any"),
        started=("started", "any"),
        logged=("logged", "any"),
        late=("late", "any"),
        early=("early", "all"),
        short=("short", "any"),
        long=("long", "any"),
        delay=("delay", "max"),
        active=("active", "all"),
    )


_ROUTE_FRONT = ["zone_id", "day", "date"]


def _most_common(values: pd.Series) -> Any:
    counts = values.dropna().value_counts()
    return counts.index[0] if len(counts) else None


def routes_table(rows: pd.DataFrame, clients: Any, rules: RotaRules) -> pd.DataFrame:
    """The rebuilt visits as a routes table in :data:`carezones.routing.ROUTE_COLUMNS` layout."""
    r = rows[rows["routed"].to_numpy()]
    zone = None
    if isinstance(clients, pd.DataFrame) and "zone_id" in clients.columns:
        z = pd.Series(clients["zone_id"].to_numpy(), index=clients["client_id"].astype(str))
        zone = r["client_id"].map(z[~z.index.duplicated()]).to_numpy()
    seq = r.groupby(["carer_id", "date"]).cumcount().to_numpy() + 1
    own = np.clip(
        r["start"].to_numpy(float) - r["planned_start_minutes"].to_numpy(float)
        - rules.on_time_minutes, 0, None,
    )  # fmt: skip
    if "plan_window_end" in r.columns:  # the care plan's window: late when it ends after
        plan = np.clip(
            r["start"].to_numpy(float) + r["planned_minutes"].to_numpy(float)
            - r["plan_window_end"].to_numpy(float), 0, None,
        )  # fmt: skip
        late = np.where(r["plan_window_end"].notna().to_numpy(), plan, own)
    else:
        late = own
    partner = _partners(r)
    out = pd.DataFrame(
        {
            "zone_id": zone if zone is not None else None,
            "day": r["day"].to_numpy(),
            "date": r["date"].to_numpy(),
            "carer_id": r["carer_id"].to_numpy(),
            "sequence": seq,
            "visit_id": r["visit_id"].to_numpy(),
            "client_id": r["client_id"].to_numpy(),
            "arrival": r["start"].to_numpy(float),
            "start": r["start"].to_numpy(float),
            "end": r["end"].to_numpy(float),
            "wait": 0.0,
            "late": late,
            "travel_seconds": r["travel_seconds"].to_numpy(float),
            "mode": r["mode"].to_numpy(),
            "distance_m": r["distance_m"].to_numpy(float),
            "carers_needed": r["carers_needed"].to_numpy(),
            "with_carer": partner,
        }
    )
    return out[[*_ROUTE_FRONT, *ROUTE_COLUMNS]].reset_index(drop=True)


def _partners(rows: pd.DataFrame) -> np.ndarray:
    """The other carer of each double-up row ("" when none)."""
    g = rows.groupby("visit_id")["carer_id"]
    first, last = g.transform("first").to_numpy(), g.transform("last").to_numpy()
    me = rows["carer_id"].to_numpy()
    other = np.where(me == first, last, first)
    return np.where(other == me, "", other).astype(object)
