"""The routed figures of one zone: the router's travel and rate beside the estimates."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.demand import expand_visits
from carezones.exceptions import ProblemCollector
from carezones.outcomes import zone_rates
from carezones.routing import Budget, plan_routes, staff_zones

__all__ = ["routed_figures"]


def routed_figures(
    session: Any, zone_id: str, *, day: str = "monday", budget: Budget | None = None
) -> dict[str, Any]:
    """Route one zone's day with the router: the measured travel and rate (not estimates).

    The zone's clients and its carers (staffed as every entry point does,
    :func:`~carezones.routing.staff_zones`: home zone first, then moved to the zones short
    of carer-hours; their own modes, which the network must hold) go to
    :func:`~carezones.routing.plan_routes`; the figures are the
    travel per visit and per hour of care of the routes and
    :func:`~carezones.outcomes.zone_rates`' open-book rate. ``budget`` is the routing's
    (default :class:`~carezones.routing.Budget` ()).
    """
    p = session.plan
    p.index(zone_id)  # an unknown zone is refused by name
    if session.carers is None:
        raise ProblemCollector("workshop").error(
            "no carers", "the workshop started with --carers", "none"
        )
    # every client's zone, and carers staffed as everywhere: home zone, then zones short
    placed = ~session.demand.far
    zone_of = dict(zip(session.demand.ids[placed],
                       np.asarray(p.zone_ids, dtype=object)[p.labels[session.demand.unit[placed]]],
                       strict=True))  # fmt: skip
    frame = pd.DataFrame(session.clients)
    everyone = session.clients.assign(zone_id=frame["client_id"].astype(str).map(zone_of))
    everyone = everyone[everyone["zone_id"].notna()]
    homes = session.carers.geometry.to_crs(session.units.crs)
    _, unit = session.units.tree.query(np.column_stack([homes.x, homes.y]))
    home = np.asarray(p.zone_ids, dtype=object)[p.labels[np.asarray(unit, dtype=np.intp)]]
    live = [k for k, c in enumerate(p.centres) if c >= 0]
    xy = session.units.xy[[p.centres[k] for k in live]]
    centres = gpd.GeoDataFrame({"zone_id": [p.zone_ids[k] for k in live]},
                               geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                               crs=session.units.crs)  # fmt: skip
    visits = expand_visits(everyone, days=day)
    visits["zone_id"] = visits["client_id"].map(everyone.set_index("client_id")["zone_id"])
    staffing = staff_zones(session.carers, visits, centres,
                           home_zone=pd.Series(home, index=session.carers.index))  # fmt: skip
    clients = everyone[everyone["zone_id"] == str(zone_id)]
    carers = session.carers[(staffing.zone_of_carer == str(zone_id)).to_numpy()]
    if not len(carers) or not len(clients):
        raise ProblemCollector("workshop").error(
            "nothing to route",
            f"clients and carers in {zone_id}",
            f"{len(clients)} clients, {len(carers)} carers",
        )
    routes = plan_routes(
        visits[visits["zone_id"] == str(zone_id)], carers.assign(zone_id=str(zone_id)),
        session.network, clients=clients, zones="zone_id", days=day, budget=budget, n_jobs=1,
        random_state=session.random_state,
    )  # fmt: skip
    report = routes.report()
    out: dict[str, Any] = {
        "zone_id": str(zone_id), "day": day, "carers": len(carers),
        "visits": report["visits"], "unscheduled": report["unscheduled"],
        "travel_per_care_hour": None, "travel_minutes_per_visit": None, "hourly_rate": None,
    }  # fmt: skip
    summary = routes.summary
    if len(summary) and summary["n_visits"].sum() > 0:
        rate = zone_rates(summary).iloc[0]
        out["travel_minutes_per_visit"] = float(rate["travel_minutes_per_visit"])
        out["hourly_rate"] = float(rate["hourly_rate_gbp"])
        care = float(summary["care_minutes"].sum())
        out["travel_per_care_hour"] = float(summary["travel_minutes"].sum()) / care * 60
    return out
