"""The routed figures of one zone: the router's travel and rate beside the estimates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carezones.demand import expand_visits
from carezones.exceptions import Problem, ValidationError
from carezones.outcomes import zone_rates
from carezones.routing import Budget, plan_routes

__all__ = ["routed_figures"]


def routed_figures(
    session: Any, zone_id: str, *, day: str = "monday", budget: Budget | None = None
) -> dict[str, Any]:
    """Route one zone's day with the router: the measured travel and rate (not estimates).

    The zone's clients and the carers who live in it (their own modes; the network must
    hold them) go to :func:`~carezones.routing.plan_routes`; the figures are the
    travel per visit and per hour of care of the routes and
    :func:`~carezones.outcomes.zone_rates`' open-book rate. ``budget`` is the routing's
    (default :class:`~carezones.routing.Budget` ()).
    """
    p = session.plan
    z = p.index(zone_id)
    if session.carers is None:
        raise ValidationError(
            [Problem("workshop", "no carers", "the workshop started with --carers", "none")]
        )
    in_zone = (p.labels[session.demand.unit] == z) & ~session.demand.far
    frame = pd.DataFrame(session.clients)
    clients = session.clients[frame["client_id"].astype(str).isin(set(session.demand.ids[in_zone]))]
    homes = session.carers.geometry.to_crs(session.units.crs)
    _, unit = session.units.tree.query(np.column_stack([homes.x, homes.y]))
    carers = session.carers[p.labels[np.asarray(unit, dtype=np.intp)] == z]
    if not len(carers) or not len(clients):
        raise ValidationError(
            [Problem("workshop", "nothing to route", f"clients and carers living in {zone_id}",
                     f"{len(clients)} clients, {len(carers)} carers")]
        )  # fmt: skip
    clients = clients.assign(zone_id=str(zone_id))
    routes = plan_routes(
        expand_visits(clients, days=day), carers.assign(zone_id=str(zone_id)), session.network,
        clients=clients, zones="zone_id", days=day, budget=budget, n_jobs=1,
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
