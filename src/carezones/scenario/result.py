"""The result of a scenario run: :class:`ScenarioResult` (see :mod:`carezones.scenario`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.outcomes import Outcomes
from carezones.rota import RotaScore
from carezones.routing import RoutePlan
from carezones.scenario.definition import Scenario
from carezones.tables import carers_with_days, with_zone_reasons, write_tables
from carezones.zoning import PlanReport, ProviderLots

__all__ = ["ScenarioResult"]


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Everything a scenario run produced.

    Attributes
    ----------
    scenario
        The scenario run.
    clients, carers
        The people, with ``zone_id`` and ``provider_id`` (carers also ``home_zone_id`` in
        "now").
    zones
        One row per zone (in "then" and "rota", per provider, each covering the whole
        area) with its polygon and ``provider_id``.
    lots
        The provider lots ("now"), else None.
    zone_report
        The zone plan's report ("now"), else None.
    visits
        The visits routed (in "rota", planned: ``day`` is the ISO date, with ``date``).
    routes, shifts, unscheduled, route_summary, continuity
        The route plan's tables (in "rota", the rota's visits made, carer-days, missed
        visits, :attr:`RotaScore.carer_days <carezones.rota.RotaScore.carer_days>` and
        the rota's continuity per client and week).
    outcomes
        The outcomes (:class:`~carezones.outcomes.Outcomes`).
    timings
        Seconds per step.
    runtime
        Seconds for the whole run.
    route_plan
        The :class:`~carezones.routing.RoutePlan` (None once :meth:`slim`; None in "rota").
    rota
        The scored rota (:class:`~carezones.rota.RotaScore`), in "rota" only.
    staffing
        Each zone's (in "then", provider's) carers against its own in-person visits of the
        week, by day, slot and skill (:attr:`carezones.demand.GroupStaffing.cover`): ``group``,
        ``day``, ``slot``, ``skill``, ``needed_hours``, ``available_hours``,
        ``short_hours``; None in "rota".
    """

    scenario: Scenario
    clients: gpd.GeoDataFrame
    carers: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    lots: ProviderLots | None
    zone_report: PlanReport | None
    visits: pd.DataFrame
    routes: pd.DataFrame
    shifts: pd.DataFrame
    unscheduled: pd.DataFrame
    route_summary: pd.DataFrame
    continuity: pd.DataFrame
    outcomes: Outcomes
    timings: dict[str, float]
    runtime: float
    route_plan: RoutePlan | None = field(default=None, repr=False)
    rota: RotaScore | None = field(default=None, repr=False)
    staffing: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def slim(self) -> ScenarioResult:
        """The result without the route plan's solver objects (small to pickle)."""
        return replace(self, route_plan=None)

    def assumptions(self) -> pd.DataFrame:
        """Every assumption that shapes the figures: its name, value and what it shapes.

        Printed beside every result and written to ``assumptions.csv``: a figure a
        commissioner quotes comes with what it rests on.
        """
        sc, r = self.scenario, self.scenario.routing
        p, o, m = r.params, self.outcomes.params, sc.modes
        rows = [("weekly figures", self.outcomes.basis, "every figure a week")]
        if sc.kind != "rota":
            timed = (
                int(self.route_summary["time_limited"].sum())
                if "time_limited" in self.route_summary
                else 0
            )
            stop = r.budget.describe() + (
                f"; {timed} zone-day(s) hit the time cap and may differ"
                if timed and not r.budget.stops_on_time
                else ""
            )
            windows = (
                (
                    "a visit starts at or after its window's start and ends by its end; "
                    "soft: it may end any time late"
                    if p.max_lateness_minutes is None
                    else "a visit starts at or after its window's start and ends by its end; "
                    f"soft: it may end up to {p.max_lateness_minutes} min late"
                )
                + f", each minute priced as {p.lateness_penalty:g} s of travel"
                + (
                    f", the latest visit's minutes also as {p.max_lateness_penalty:g} s"
                    if p.max_lateness_penalty
                    else ""
                )
                if p.time_windows == "soft"
                else "hard: a visit that cannot start at or after its window's start and end by "
                "its end is unscheduled"
            )
            mix = sc.demand.carer_mode_mix
            rows += [
                ("routing stop", stop, "reproducibility"),
                ("time windows", windows, "punctuality, unscheduled visits"),
                ("continuity", (f"regular runs: a call's first carer keeps it, a planned "
                 "relief covers their days off; "
                 f"{p.continuity_penalty:g} s of travel per carer new to a client in the "
                 "week (a third for one met outside the client's runs)")
                 if p.continuity_penalty > 0 and len(r.days) > 1 else
                 f"{p.continuity_penalty:g} s of travel per carer new to a client, each day "
                 "on its own", "carers per client, main carer share"),
                ("same time each day", (f"a recurring call starts within {p.spread_minutes} "
                 "min of the time first planned (no earlier than a third of it before; "
                 f"minutes later than a third after priced as {p.spread_penalty:g} s of "
                 "travel), whatever the continuity price")
                 if p.spread_penalty > 0 and len(r.days) > 1 else
                 "one day planned: no call recurs" if len(r.days) <= 1 else
                 "not priced (spread_penalty 0): each day's calls anywhere in their windows",
                 "call spread, punctuality"),
                ("working hours", "each carer's week within their contracted hours "
                 f"+{o.hours_tolerance:.0%}, spread over their working days; at most "
                 f"{self.scenario.routing.work.max_consecutive_days} days in a row",
                 "unscheduled visits, carers within hours"),
                ("mode rule", "walk when no leg is over "
                 f"{m.max_walk_leg_minutes:g} min and the day's travel is at most "
                 f"{m.walk_travel_factor:g}x its planned mode's; cycle within "
                 f"{m.max_cycle_leg_minutes:g} min and {m.cycle_travel_factor:g}x",
                 "walk/cycle share, travel, car km, CO2e"),
                ("carer_mode_mix",
                 "ASSUMED: carers fixed to " + ", ".join(f"{k} {v:.0%}" for k, v in mix.items())
                 if mix else "none: each carer-day's mode is chosen by the plan",
                 "walk/cycle share, travel, car km, CO2e"),
                ("demand growth", _growth(sc.demand.growth), "every figure"),
                *_market_rows(sc),
                ("travel speeds", _speeds_note(sc), "travel, the mode of each carer-day"),
            ]  # fmt: skip
        rows += [
            ("virtual_share", f"{o.virtual_share:.0%} of the visits that could be virtual",
             "virtual hours, travel saved"),
            ("virtual calls", ("decided before routing (seeded), not routed: the carer time "
             "they free is planned; " if sc.kind != "rota" else "")
             + f"each paid as {o.virtual_call_pay_share:.0%} of its length in contact time",
             "paid hours, travel saved"),
            ("parking_minutes", f"{o.parking_minutes:g} min per drive to a client in a dense "
             f"area (at least {sc.outcomes.dense_km_per_km2:g} km of walkable street per km² "
             "within 400 m), added to the plan's travel (the plan is not re-made)",
             "travel, paid hours, rate"),
            ("punctuality_minutes", f"{o.punctuality_minutes:g} min after the window",
             "punctuality share"),
            ("cover_rate_gbp_per_hour", f"£{o.cover_rate_gbp_per_hour:.2f}/h for unserved care",
             "cost a week (like for like)"),
            ("co2e_kg_per_km", f"{o.co2e_kg_per_km:g} kg CO2e per car km", "CO2e"),
            ("open-book costs", _costing_note(sc.costing), "hourly rate, cost a week"),
            ("pay terms", _TERMS[sc.costing.pay_terms], "paid hours, hourly rate, cost"),
            ("wage", sc.costing.wage_name, "hourly rate, cost"),
            ("fixed costs per provider", _fixed_note(sc.costing), "hourly rate by provider "
             "size, break-even hours"),
            ("offered_rate_gbp_per_hour", f"£{o.offered_rate_gbp_per_hour:.2f}/h offered "
             "per contact hour" + (" (the Minimum Price for Homecare 2025/26)"
                                   if o.offered_rate_gbp_per_hour == 32.14 else ""),
             "break-even hours"),
            ("workforce needed", f"FTE of {o.full_time_hours:g} h/week; carers paid "
             f"{sc.costing.weekly_paid_hours:g} h/week on average; holiday and sickness "
             "covered", "FTE and carers needed"),
        ]  # fmt: skip
        if sc.data is not None and sc.data.carers.strip().lower() == "auto":
            rows.append(("carers", "ASSUMED: a synthetic workforce sized to the clients' visits "
                         "(no carers file)", "every figure"))  # fmt: skip
        if sc.population is not None:
            access = sc.population.access or {"cycle": 0.3, "drive": 0.6}
            rows.append(
                (
                    "carers' access (synthetic)",
                    f"a bike {access.get('cycle', 0):.0%}, a car {access.get('drive', 0):.0%}",
                    "which modes are open",
                )
            )
        return pd.DataFrame(rows, columns=["assumption", "value", "shapes"])

    def report(self) -> dict[str, Any]:
        """JSON-ready figures: scenario, timings, outcomes, zones, lots (no personal data)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.scenario.kind,
            "description": self.scenario.description,
            "scenario": self.scenario.to_dict(),
            "runtime_seconds": self.runtime,
            "timings": self.timings,
            "basis": self.outcomes.basis,
            "outcomes": self.outcomes.to_dict(),
            "reconciliation": _records(self.outcomes.reconciliation),
            "assumptions": _records(self.assumptions()),
            "zones": _records(self.outcomes.zones),
            "providers": _records(self.outcomes.providers),
            "unscheduled_reasons": self.unscheduled["reason"].value_counts().to_dict()
            if len(self.unscheduled)
            else {},
        }
        if self.zone_report is not None:
            out["zone_plan"] = {**self.zone_report.to_dict()["summary"],
                                "why_unassigned": self.zone_report.why_unassigned()}
        if self.rota is not None:
            out["rota"] = {
                "summary": self.rota.summary(),
                "violations": {str(k): int(n) for k, n in self.rota.violation_counts().items()},
            }
        if self.lots is not None:
            out["provider_lots"] = self.lots.summary
        return json.loads(json.dumps(out, default=_plain))

    def write(self, out_dir: str | PathLike[str]) -> list[Path]:
        """Write every output to ``out_dir`` and return the files.

        ``zones.gpkg`` (layer ``zones``, and ``provider_lots`` in "now") and
        ``report.json``; and each table twice (:func:`carezones.tables.write_tables`):
        exact in ``data/`` (what programs read back) and for people beside it (rounded,
        HH:MM, percentages, units in the headers, zone names beside ids):
        ``assignments.csv`` (client, zone, provider, reason when in no zone),
        ``carers.csv`` (with the carer-days walked, cycled and driven), ``routes.csv``,
        ``shifts.csv``, ``unscheduled.csv`` (a client in no zone says why),
        ``continuity.csv`` (who each client saw: the main carer, their share, every carer
        met; in "rota" per client and week),
        ``outcomes.csv``, ``reconciliation.csv`` (demanded = in person + virtual +
        unserved), ``assumptions.csv``, ``zone_outcomes.csv``, ``provider_outcomes.csv``,
        ``staffing.csv`` (each zone's or provider's carers against its own day-slots and
        skills), ``virtual_calls.csv`` (the visits made virtual calls: with
        ``routes.csv`` and ``unscheduled.csv``, every visit once) and ``report.json``;
        in "rota" also ``rota_outcomes.csv`` (the rota's own figures: missed, late,
        short visits, ...) and ``rota_violations.csv``. No file holds a
        client's coordinates.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        gpkg = out / "zones.gpkg"
        gpkg.unlink(missing_ok=True)
        _plain_frame(self.zones).to_file(gpkg, layer="zones", driver="GPKG")
        if self.lots is not None:
            _plain_frame(self.lots.lots).to_file(gpkg, layer="provider_lots", driver="GPKG")
        written.append(gpkg)
        assignments = self.clients[["client_id", "zone_id", "provider_id"]].copy()
        assignments["reason"] = ""
        why = pd.Series(dtype=object)
        if self.zone_report is not None and len(self.zone_report.unassigned):
            why = self.zone_report.unassigned.set_index("client_id")["reason"]
            assignments["reason"] = assignments["client_id"].map(why).fillna("")
        keep = ["carer_id", "mode", "modes", "contracted_hours", "home_zone_id", "zone_id",
                "provider_id"]  # fmt: skip
        carers = self.carers[[c for c in keep if c in self.carers.columns]]
        tables = {
            "assignments.csv": assignments,
            "carers.csv": carers_with_days(carers, self.shifts),
            "routes.csv": self.routes,
            "shifts.csv": self.shifts,
            "unscheduled.csv": with_zone_reasons(self.unscheduled, why),
            "continuity.csv": self.continuity,
            "outcomes.csv": self.outcomes.table,
            "reconciliation.csv": self.outcomes.reconciliation,
            "assumptions.csv": self.assumptions(),
            "zone_outcomes.csv": self.outcomes.zones,
            "provider_outcomes.csv": self.outcomes.providers,
        }
        if self.staffing is not None:
            tables["staffing.csv"] = self.staffing
        if "virtual" in self.visits.columns:
            calls = self.visits[self.visits["virtual"].astype(bool)]
            keep = [c for c in ("visit_id", "client_id", "day", "duration") if c in calls]
            tables["virtual_calls.csv"] = calls[keep]
        if self.rota is not None:
            tables["rota_outcomes.csv"] = self.rota.table().reset_index()
            tables["rota_violations.csv"] = self.rota.violations
        names = (
            dict(zip(self.zones["zone_id"].astype(str), self.zones["name"].astype(str),
                     strict=True))
            if "name" in self.zones.columns
            else None
        )  # fmt: skip
        written += write_tables(
            {k: pd.DataFrame(v) for k, v in tables.items()}, out, zone_names=names,
            days_routed=self.days_routed,
        )  # fmt: skip
        (out / "report.json").write_text(json.dumps(self.report(), indent=1))
        written.append(out / "report.json")
        return written

    @property
    def days_routed(self) -> int | None:
        """How many days the figures come from (None when not measured)."""
        table = self.outcomes.table
        row = table.loc[table["outcome"] == "days_routed", "value"]
        return int(row.iloc[0]) if len(row) and np.isfinite(row.iloc[0]) else None

    def __str__(self) -> str:
        head = f"Scenario {self.name!r} ({self.scenario.kind}): {self.runtime:.1f} s"
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
        rota = "" if self.rota is None else f"\n{self.rota}"
        rec = self.outcomes.reconciliation.round(1).to_string(index=False)
        notes = "\n".join(f"  {a}: {v}" for a, v, _ in self.assumptions().itertuples(index=False))
        return (
            f"{head}\n  steps: {steps}\n{self.outcomes}{rota}\n"
            f"Demand reconciled (a week):\n{rec}\nAssumptions:\n{notes}"
        )


_TERMS = {
    "salaried": "salaried: the whole planned working day paid (care, travel, and the waiting "
    "between calls)",
    "travel_paid": "care and travel paid; waiting between calls unpaid",
    "zero_hours": "zero hours: care time only paid; travel and waiting unpaid (2015's terms)",
}


def _fixed_note(costing: Any) -> str:
    lines = dict(costing.fixed_costs_gbp_per_week or {})
    if not lines:
        return "none (every running cost per contact hour)"
    parts = ", ".join(f"{k.replace('_', ' ')} £{v:,.0f}" for k, v in lines.items())
    return f"£{sum(lines.values()):,.0f} a week: {parts}"


def _speeds_note(scenario: Any) -> str:
    s = scenario.network.speeds
    return (f"walk {s.walk_kmh:g} km/h, cycle {s.cycle_kmh:g} km/h, drive "
            f"{s.drive_urban_factor:g} x the speed limit")  # fmt: skip


def _market_rows(scenario: Any) -> list[tuple[str, str, str]]:
    """How clients and carers reach providers: the market and the staffing rule."""
    p = scenario.providers
    recruits = p.recruits(scenario.kind)
    where = ("near their clients first" if recruits == "local"
             else "anywhere (in a random order)")  # fmt: skip
    rows = []
    if scenario.kind == "then":
        market = {
            "market_share": "clients given to providers at random by market share, wherever "
            "they live (no geography: the upper bound of what zones save)",
            "random": "clients given to providers uniformly at random, wherever they live",
            "brokered": "each package offered, in referral order, to the provider whose office "
            "is nearest with room under its capacity (the lower bound of what zones save)",
            "given": "clients and carers with the providers the tables give",
        }[p.allocation]
        rows.append(("market", market, "travel, every route figure"))
    if not (scenario.kind == "then" and p.allocation == "given"):
        rows.append(("staffing", "each " + ("provider" if scenario.kind == "then" else "zone")
                     + " staffed by the same rule against its own day-slots, shifts and "
                     f"skills (carezones.staff_groups), recruiting {where}",
                     "visits served, travel, carers local"))  # fmt: skip
    return rows


def _costing_note(costing: Any) -> str:
    """The costing inputs that differ from the defaults, or that there are none."""
    changed = {k: v for k, v in costing.to_dict().items() if v != type(costing)().to_dict().get(k)}
    if not changed:
        return "the defaults (Homecare Association Minimum Price for Homecare 2025/26)"
    return "changed: " + ", ".join(f"{k} = {v}" for k, v in changed.items())


def _growth(growth: float) -> str:
    """Demand growth in words (no leading sign: a spreadsheet reads ``+15%`` as a formula).

    Examples
    --------
    >>> _growth(0.0), _growth(0.15), _growth(-0.1)
    ('none', '15% more demand', '10% less demand')
    """
    if not growth:
        return "none"
    return f"{abs(growth):.0%} {'more' if growth > 0 else 'less'} demand"


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")


def _plain_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns as text (None kept) so GeoPackage drivers accept them."""
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or v != v else str(v))
    return out
