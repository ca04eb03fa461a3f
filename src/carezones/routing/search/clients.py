"""Client consolidation: a client's visits moved together onto as few carers as fit.

Ruin-and-recreate moves a few visits at a time, so a client whose morning and evening
calls sit with two carers stays split even when one carer (a split shift) could make
both and continuity is priced: moving one visit alone never pays. :func:`consolidate`
takes all of one client's visits out and puts them back one by one, the visit fewest
carers can make first (its window latest in the day first, as an evening call narrows
the carers to those on late or split shifts), each at its cheapest place, where a carer
already holding one of the client's visits costs no new pair; the move is kept when the
whole cost (travel, lateness, continuity, unserved visits) falls.
"""

from __future__ import annotations

import numpy as np

from carezones.routing.search.insert import insert_visit
from carezones.routing.search.state import State

__all__ = ["consolidate"]


def _client_visits(state: State) -> dict[int, list[int]]:
    """Each client's servable visits (one per unit of tied visits)."""
    inst = state.inst
    out: dict[int, list[int]] = {}
    seen: set[tuple[int, ...]] = set()
    for v, tasks in enumerate(inst.v_tasks):
        unit = inst.v_unit[v]
        if not tasks or unit in seen:
            continue
        seen.add(unit)
        out.setdefault(inst.v_client[v], []).append(v)
    return out


def consolidate(state: State, rng: np.random.Generator, *, rounds: int = 1) -> int:
    """Move each client's visits together onto fewer carers where the cost falls.

    Clients are taken in random order (``rng``), ``rounds`` times; returns the moves
    kept. Does nothing without continuity prices.
    """
    inst = state.inst
    if inst.continuity_penalty <= 0 and not inst.pair_cost:
        return 0
    by_client = _client_visits(state)
    kept = 0
    for _ in range(rounds):
        clients = [cl for cl, vs in by_client.items() if len(vs) > 1]
        for k in rng.permutation(len(clients)):
            visits = by_client[clients[int(k)]]
            tasks = [t for v in visits for t in inst.v_unit[v]]
            held = {state.where[t] for t in tasks if state.where[t] >= 0}
            if len(held) <= 1 or any(state.where[t] < 0 for t in tasks):
                continue
            before = state.cost()
            snap = state.snapshot()
            best_cost, best_snap = before, None
            latest_first = sorted(visits, key=lambda v: -inst.t_ws[inst.v_unit[v][0]])
            for order in (latest_first, latest_first[::-1]):
                state.remove(tasks)
                if state.full_evaluate():
                    done = all(insert_visit(state, v) for v in order)
                    cost = state.cost()
                    if done and cost < best_cost - 1e-6:
                        best_cost, best_snap = cost, state.snapshot()
                state.restore(snap)
            if best_snap is not None:
                state.restore(best_snap)
                kept += 1
    return kept
