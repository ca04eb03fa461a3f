"""Benchmark: the "now" Camden week as a provider would run it (issue 25), and its trade-offs.

Run ``python benchmarks/bench_week.py`` (needs the shared extract in ``../shared/data/osm``;
about 10 minutes on 2 cores). It runs ``examples/now.toml`` (Camden, 2,000 clients,
21,000 h/week, 18 zones, a whole week, seed 0) and prints, against issue 25's targets:

- visits served, and visits ending after their window beyond the allowed lateness;
- distinct carers per client-week (every client; clients with 14+ visits a week), and the
  main carer's share of a client's carer-visits;
- recurring calls whose start moves by at most 30 minutes over the week;
- carers within their contracted hours (+/-10%), and every rule of the validator
  (windows, shifts, days off, weekly hours, days in a row);
- travel per hour of care, and the run's time;
- the carer-visits made by the call's main carer, by its planned relief, by another of
  the client's regular carers, and by none of them.

``--tradeoff 0 3600 14400 43200`` re-plans the same week (same people, zones and carers)
at each continuity price and prints price against travel per care hour, distinct carers,
the main carer's share and the calls kept to time. Price 0 still keeps each call to the time
first planned (the spread price is unchanged), so "travel vs price 0" is what continuity
alone costs; with 0 among the prices, one more row plans each day on its own (no continuity
and no spread price), as the planner did before the same time each day was priced.
``--fortnight`` plans two weeks and prints the 14-day indicator (different carers met in
14 days by clients with two or more visits a day). ``--monday`` routes Camden's Monday the
way ``carezones routes`` does (carers staffed to zones from their homes) and prints the
share served. ``--scenario FILE`` runs another scenario file.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from carezones.outcomes import HEAVY_CLIENT_VISITS, measure_outcomes
from carezones.routing import RoutingParams, client_carers, plan_routes
from carezones.scenario import Scenario, run_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TARGETS = {
    "served_share": ">= 0.99",
    "late_beyond_allowed": "0",
    "distinct_carers_per_client": "<= 3.0",
    "distinct_carers_heavy_clients": "<= 4.0",
    "main_carer_share": ">= 0.60",
    "call_spread_share": ">= 0.90",
    "carers_over_hours": "0",
    "week_rule_violations": "0",
}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def figures(plan, visits, clients, carers, params: RoutingParams) -> dict[str, float]:
    """The issue's figures of one planned week."""
    out = measure_outcomes(plan, visits, clients=clients, carers=carers)
    found = plan.validate()
    allowed = params.lateness_allowed / 60.0
    late = plan.routes.drop_duplicates("visit_id")["late"]
    virtual = visits["virtual"].astype(bool) if "virtual" in visits.columns else False
    calls = int(np.sum(virtual))  # made as virtual calls: served, not routed
    regular = plan.routes["regular"] if "regular" in plan.routes.columns else pd.Series(dtype=str)
    roles = {f"carer_visits_by_{role}_share": float((regular == role).mean()) if len(regular)
             else float("nan") for role in ("main", "relief", "team", "other")}  # fmt: skip
    return {
        "served_share": (plan.routes["visit_id"].nunique() + calls) / len(visits),
        "late_beyond_allowed": int((late > allowed + 1e-6).sum()),
        "distinct_carers_per_client": out["distinct_carers_per_client"],
        "distinct_carers_heavy_clients": out["distinct_carers_heavy_clients"],
        "main_carer_share": out["main_carer_share"],
        **_by_double_ups(plan.routes, visits),
        "call_spread_share": out["call_spread_share"],
        "carers_within_hours_share": out["carers_within_hours_share"],
        "carers_over_hours": out["carers_over_hours"],
        "week_rule_violations": int(found["zone_id"].eq("").sum()) if len(found) else 0,
        "all_violations": len(found),
        "travel_to_care_ratio": out["travel_to_care_ratio"],
        "staff_met_14_days": out["staff_met_14_days"],
        "punctuality_share": out["punctuality_share"],
        # what each carer-visit's carer is to the client (routes' ``regular``): the main
        # carer of the call's run, its planned relief, a carer of another of the client's
        # runs, or none of them (the day's search moved it: the planned carer could not)
        **roles,
    }


def _by_double_ups(routes: pd.DataFrame, visits: pd.DataFrame) -> dict[str, float]:
    """Distinct carers and main carer share for clients without and with double-ups.

    With regular runs (routes' ``regular``), also the carers each client meets only on
    visits moved off their runs (``other`` every time), and the distinct carers without them.

    Distinct carers also for those with :data:`~carezones.outcomes.HEAVY_CLIENT_VISITS` or
    more visits (the outcomes' heavy clients).

    A client with a double-handed visit meets at least two carers at it, and their main
    carer makes at most half of their carer-visits; the mean over all clients mixes the
    two. Over the plan's days (a week: the outcomes' figures; a fortnight: 14 days).
    """
    if not len(routes) or "carers_needed" not in visits.columns:
        return {}
    seen = client_carers(routes).set_index("client_id")
    needs = pd.to_numeric(visits["carers_needed"], errors="coerce").fillna(1)
    double = (needs >= 2).groupby(visits["client_id"].astype(str)).any()
    double = double.reindex(seen.index.astype(str), fill_value=False).to_numpy()
    off = None  # per client, the carers met only on visits moved off their runs
    if "regular" in routes.columns:
        only = routes.groupby(["client_id", "carer_id"])["regular"].agg(
            lambda r: bool((r == "other").all()))
        off = only.groupby(level="client_id").sum().reindex(seen.index, fill_value=0).to_numpy()
    out = {"clients_with_double_ups_share": float(double.mean())}
    for name, mask in (("without", ~double), ("with", double)):
        part = seen[mask]
        out[f"distinct_carers_{name}_double_ups"] = float(part["distinct_carers"].mean())
        out[f"main_carer_share_{name}_double_ups"] = float(part["main_carer_share"].mean())
        heavy = part[part["n_visits"] >= HEAVY_CLIENT_VISITS]
        out[f"distinct_carers_heavy_{name}_double_ups"] = float(heavy["distinct_carers"].mean())
        if off is not None:
            out[f"carers_met_only_off_runs_{name}_double_ups"] = float(off[mask].mean())
    if off is not None:
        out["distinct_carers_on_runs"] = float((seen["distinct_carers"].to_numpy() - off).mean())
    return out


def show(name: str, values: dict[str, float], seconds: float) -> None:
    print(f"\n== {name}: {seconds:.0f} s ({load()})")
    for key, value in values.items():
        target = TARGETS.get(key, "")
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"   {key:<40} {text:>10}   {('target ' + target) if target else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=EXAMPLES / "now.toml")
    parser.add_argument("--tradeoff", type=float, nargs="*", default=None,
                        help="continuity prices (s) to re-plan the week at")  # fmt: skip
    parser.add_argument("--fortnight", action="store_true", help="plan two weeks")
    parser.add_argument("--monday", action="store_true", help="Monday as 'carezones routes'")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    scenario = Scenario.from_toml(args.scenario)
    if args.fortnight:
        scenario = scenario.with_options({"routing.days": "fortnight"}, name=scenario.name)
    t0 = time.perf_counter()
    result = run_scenario(scenario, n_jobs=args.jobs)
    seconds = time.perf_counter() - t0
    params = scenario.routing.params
    plan = result.route_plan
    found = figures(plan, result.visits, result.clients, result.carers, params)
    show(f"{scenario.name}, {len(scenario.routing.days)} days, routing "
         f"{result.timings.get('routes', float('nan')):.0f} s", found, seconds)  # fmt: skip
    keys = ("travel_to_care_ratio", "distinct_carers_per_client", "main_carer_share",
            "call_spread_share", "served_share")  # fmt: skip
    if args.tradeoff:
        # the scenario's own prices: the run above, unless the list asks for them again
        rows = [] if params.continuity_penalty in args.tradeoff else [
            {"continuity price (s)": params.continuity_penalty,
             "spread price (s/min)": params.spread_penalty,
             **{k: found[k] for k in keys}, "seconds": seconds}]  # fmt: skip
        virtual = result.visits.get("virtual", pd.Series(False, index=result.visits.index))
        in_person = result.visits[~virtual.astype(bool).to_numpy()]  # as the scenario routed
        settings = [(float(price), params.spread_penalty) for price in args.tradeoff]
        if params.spread_penalty > 0 and any(price == 0 for price, _ in settings):
            settings.append((0.0, 0.0))  # each day on its own
        for price, spread in settings:
            p = dataclasses.replace(params, continuity_penalty=price, spread_penalty=spread)
            t = time.perf_counter()
            again = plan_routes(
                in_person, result.carers, result.route_plan.network, clients=result.clients,
                zones="zone_id", days=list(scenario.routing.days), params=p,
                budget=scenario.routing.budget, work=scenario.routing.work,
                mode_rule=scenario.modes.rule, n_jobs=args.jobs, random_state=scenario.seed,
            )  # fmt: skip
            f = figures(again, result.visits, result.clients, result.carers, p)
            rows.append({"continuity price (s)": price, "spread price (s/min)": spread,
                         **{k: f[k] for k in keys}, "seconds": time.perf_counter() - t})
            print(f"   price {price:g}, spread price {spread:g}: done ({load()})")
        table = pd.DataFrame(rows)
        base = table.loc[(table["continuity price (s)"] == 0)
                         & (table["spread price (s/min)"] == params.spread_penalty),
                         "travel_to_care_ratio"]  # fmt: skip
        if len(base):
            table["travel vs price 0"] = table["travel_to_care_ratio"] / float(base.iloc[0]) - 1
        print("\nTrade-off (same people, zones and carers):")
        table = table.sort_values(["spread price (s/min)", "continuity price (s)"],
                                  ascending=[False, True])  # fmt: skip
        print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    if args.monday:
        t = time.perf_counter()
        virtual = result.visits.get("virtual", pd.Series(False, index=result.visits.index))
        monday = result.visits[(result.visits["day"] == "monday").to_numpy()
                               & ~virtual.astype(bool).to_numpy()]  # routed in person
        carers = result.carers.drop(columns=["zone_id"])  # staffed again from their homes
        plan_m = plan_routes(monday, carers, result.route_plan.network, clients=result.clients,
                             zones=result.zones, days="monday", params=params,
                             budget=scenario.routing.budget, n_jobs=args.jobs,
                             random_state=scenario.seed)  # fmt: skip
        served = plan_m.routes["visit_id"].nunique() / len(monday)
        moved = 0 if plan_m.staffing is None else len(plan_m.staffing.moves)
        print(f"\nMonday as 'carezones routes': {served:.1%} of {len(monday):,} visits served "
              f"(target >= 98%), {moved} carers moved to zones short of carers, "
              f"{time.perf_counter() - t:.0f} s")
    print(f"\n{np.datetime64('now')}: done")


if __name__ == "__main__":
    main()
