"""Virtual calls: which visits become them, and the travel they save.

Decided before routing (what a scenario does): :func:`choose_virtual` picks, with a
seed, a share of the visits that could be virtual calls (``virtual_ok``); they are not
routed, so the carer time they would have taken (the trip and the visit) is free for
the plan to give to other visits, and the call itself is paid as the scenario says
(``virtual_call_pay_share`` of :class:`~carezones.outcomes.OutcomeParams`). The travel they
save is then estimated as the plan's travel per in-person carer-visit.

Decided after routing (:func:`~carezones.outcomes.measure_outcomes` of a plan routed
with every visit in person and ``virtual_share`` > 0): a virtual call keeps its care time
but needs no trip: each carer's route is re-walked with those visits left out, in the
same order, and the travel saved is the old route's travel minus the new one's (the
time freed stays idle: nothing is re-planned). A leg between two stops that were not
next to each other before is read from the travel times (a
:class:`~carezones.routing.RoutePlan`'s matrices, or a ``travel`` table of legs); without
them it is estimated as the longer of the first and last legs of the chain it replaces
(for one visit ``a -> v -> b``: saving ``min(in, out)``), which is never more than the
chain itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from carezones._options import make_rng
from carezones.routing import RoutePlan

__all__ = ["Direct", "choose_virtual", "plan_direct", "table_direct", "travel_saved"]

#: ``direct(zone_id, day, carer_id, from_visit, to_visit)`` -> seconds, or None when unknown;
#: a stop of None is the carer's home.
Direct = Callable[[Any, Any, str, "str | None", "str | None"], "float | None"]


def choose_virtual(
    visits: pd.DataFrame,
    share: float,
    random_state: int | None,
    *,
    scheduled: Iterable[str] | None = None,
) -> set[str]:
    """The visits made virtual: ``round(share * n)`` of the n ``virtual_ok`` visits.

    Drawn at random with ``random_state`` from the visits sorted by id, so the choice does
    not depend on the order of the table. Only single-handed visits marked ``virtual_ok``
    qualify; with ``scheduled``, only those of them that were routed.

    Examples
    --------
    >>> visits = pd.DataFrame({"visit_id": ["a", "b", "c", "d"],
    ...                        "virtual_ok": [True, True, False, True]})
    >>> sorted(choose_virtual(visits, 2 / 3, 0))
    ['a', 'd']
    >>> choose_virtual(visits, 2 / 3, 0) == choose_virtual(visits.iloc[::-1], 2 / 3, 0)
    True
    """
    if share <= 0 or "virtual_ok" not in visits.columns:
        return set()
    ok = visits["virtual_ok"].fillna(False).astype(bool)
    if "carers_needed" in visits.columns:
        ok &= visits["carers_needed"].fillna(1).astype(float) <= 1
    if scheduled is not None:
        ok &= visits["visit_id"].astype(str).isin(set(map(str, scheduled)))
    ok = visits[ok]
    ids = np.sort(ok["visit_id"].astype(str).unique())
    k = round(share * len(ids))
    if k == 0:
        return set()
    rng = make_rng(random_state)
    return {str(v) for v in ids[rng.permutation(len(ids))[:k]]}


def plan_direct(plan: RoutePlan) -> Direct:
    """Direct legs read from the travel-time matrices of a route plan's problems."""
    cache: dict[tuple[Any, Any], tuple[dict[str, int], dict[str, int]]] = {}

    def direct(zone: Any, day: Any, carer: str, a: str | None, b: str | None) -> float | None:
        result = plan.results.get((zone, day))
        if result is None:
            return None
        p = result.problem
        key = (zone, day)
        if key not in cache:
            cache[key] = (
                {c: i for i, c in enumerate(p.carer_ids)},
                {v: i for i, v in enumerate(p.visit_ids)},
            )
        carers, visits = cache[key]
        if carer not in carers or (a is not None and a not in visits):
            return None
        if b is not None and b not in visits:
            return None
        c = carers[carer]
        home = int(p.carer_home[c])
        la = home if a is None else int(p.visit_location[visits[a]])
        lb = home if b is None else int(p.visit_location[visits[b]])
        value = float(p.durations[int(p.carer_profile[c])][la, lb])
        return value if np.isfinite(value) else None

    return direct


def table_direct(travel: pd.DataFrame, routes: pd.DataFrame, carer_mode: dict[str, str]) -> Direct:
    """Direct legs read from a table of legs.

    The table has ``from_id``, ``to_id`` (client ids, or carer ids for their homes),
    ``mode`` and ``travel_seconds``; a leg missing one way is read the other way.
    """
    lookup = {
        (str(f), str(t), str(m)): float(s)
        for f, t, m, s in travel[["from_id", "to_id", "mode", "travel_seconds"]].itertuples(
            index=False
        )
    }
    client_of = dict(
        zip(routes["visit_id"].astype(str), routes["client_id"].astype(str), strict=True)
    )

    def direct(zone: Any, day: Any, carer: str, a: str | None, b: str | None) -> float | None:
        pa = carer if a is None else client_of.get(a)
        pb = carer if b is None else client_of.get(b)
        if pa is None or pb is None:
            return None
        if pa == pb:
            return 0.0
        mode = carer_mode.get(carer, "")
        got = lookup.get((pa, pb, mode))
        return got if got is not None else lookup.get((pb, pa, mode))

    return direct


def _route_saving(
    stops: list[str],
    legs: list[float],
    virtual: set[str],
    direct: Direct | None,
    where: tuple[Any, Any, str],
) -> float:
    """Seconds saved on one route.

    ``stops`` are its visit ids in order, ``legs`` the ``len(stops) + 1`` legs from home
    through the stops and home again.
    """
    kept = [i for i, v in enumerate(stops) if v not in virtual]
    if len(kept) == len(stops):
        return 0.0
    old = float(sum(legs))
    if not kept:
        return old
    nodes = [-1, *kept, len(stops)]  # -1 and len(stops): home
    new = 0.0
    for a, b in itertools.pairwise(nodes):
        if b == a + 1:
            new += legs[a + 1]
            continue
        got = None
        if direct is not None:
            got = direct(
                *where,
                None if a < 0 else stops[a],
                None if b >= len(stops) else stops[b],
            )
        if got is None:  # the longer of the chain's first and last legs
            got = max(legs[a + 1], legs[b])
        new += min(float(got), float(sum(legs[a + 1 : b + 1])))
    return max(old - new, 0.0)


def travel_saved(
    routes: pd.DataFrame,
    shifts: pd.DataFrame,
    virtual: set[str],
    direct: Direct | None,
) -> pd.DataFrame:
    """Seconds and metres of travel saved per carer-day.

    Returns ``zone_id``, ``day``, ``carer_id``, ``mode``, ``saved_seconds`` and
    ``saved_m`` (the saved time at the carer's average speed that day).
    """
    cols = ["zone_id", "day", "carer_id", "mode", "saved_seconds", "saved_m"]
    if not virtual or not len(routes):
        return pd.DataFrame(columns=cols)
    keys = ["zone_id", "day", "carer_id"]
    touched = routes.loc[routes["visit_id"].isin(virtual), keys].drop_duplicates()
    mine = routes.merge(touched, on=keys).sort_values([*keys, "sequence"], kind="stable")
    shift_of = {
        (z, d, c): row
        for z, d, c, row in zip(
            shifts["zone_id"], shifts["day"], shifts["carer_id"], shifts.to_dict("records"),
            strict=True,
        )
    }  # fmt: skip
    rows = []
    for (zone, day, carer), route in mine.groupby(keys, sort=False):
        shift = shift_of[(zone, day, carer)]
        legs = route["travel_seconds"].astype(float).tolist()
        back = shift.get("return_travel_seconds", np.nan)
        if pd.isna(back):
            back = float(shift["travel_seconds"]) - sum(legs)
        legs.append(float(back))
        saved = _route_saving(
            route["visit_id"].astype(str).tolist(), legs, virtual, direct, (zone, day, carer)
        )
        total_s = float(shift["travel_seconds"])
        speed = float(shift["distance_m"]) / total_s if total_s > 0 else 0.0
        rows.append((zone, day, carer, str(shift["mode"]), saved, saved * speed))
    return pd.DataFrame(rows, columns=cols)
