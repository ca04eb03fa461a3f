"""Small care teams: a zone's carers grouped so each team covers the week, clients given one.

Providers keep continuity with small teams: each client is cared for by the few carers of
one team, whose working days and shifts together cover every day and time of day the
client needs. :func:`form_teams` groups a zone's carers (each team grows from a carer by
adding the one who covers most of the day-slots still open, then the nearest, up to
``team_size``); :func:`assign_clients` gives each client the team with room for their
care in every day-slot, nearest first (travel from the team's homes), the largest
packages first. The routing then prices every carer outside a client's team as new to
them (:mod:`carezones.routing.week`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carezones.demand import SLOT_SPANS, capacity_minutes, slot_of
from carezones.routing.tables import ZoneMatrices

__all__ = ["Teams", "assign_clients", "form_teams"]

#: A team's minutes in a day-slot that care can fill (the rest: travel, waiting).
TEAM_UTILISATION = 0.6


@dataclass(frozen=True)
class Teams:
    """A zone's care teams.

    Attributes
    ----------
    team_of_carer
        ``carer_id -> team`` (an integer).
    team_of_client
        ``client_id -> team``.
    members
        ``team -> carer ids``.
    """

    team_of_carer: dict[str, int]
    team_of_client: dict[str, int]
    members: dict[int, list[str]]

    def known(self) -> set[tuple[str, str]]:
        """``(client_id, carer_id)`` for every carer of each client's team."""
        return {(cl, k) for cl, t in self.team_of_client.items() for k in self.members[t]}


def _capacity(carers: pd.DataFrame, days: tuple[str, ...]) -> np.ndarray:
    """Each carer's minutes in each day x slot (zeros on days off), within a day's cap."""
    slots = list(SLOT_SPANS)
    out = np.zeros((len(carers), len(days), len(slots)))
    for i, row in enumerate(carers.itertuples(index=False)):
        get = row._asdict()
        b = get.get("break_minutes", 0)
        b = 0.0 if b is None or pd.isna(b) else float(b)
        most = get.get("max_minutes", np.nan)
        most = 24 * 60.0 if most is None or pd.isna(most) else float(most)
        cap = capacity_minutes(
            float(row.shift_start), float(row.shift_end), most, b,
            float(get.get("break_start", 0) or 0) if b else 0.0,
            float(get.get("break_end", 24 * 60) or 24 * 60) if b else 24 * 60.0,
        )  # fmt: skip
        works = str(get.get("days", "") or "")
        on = {d.strip().lower() for d in works.split(";") if d.strip()} if works else None
        for j, day in enumerate(days):
            if on is None or not day or day.split("-")[0] in on:
                out[i, j] = [cap[s] for s in slots]
    return out


def _demand(visits: pd.DataFrame, days: tuple[str, ...], clients: list[str]) -> np.ndarray:
    """Each client's carer-minutes in each day x slot."""
    slots = {s: k for k, s in enumerate(SLOT_SPANS)}
    day_of = {d: j for j, d in enumerate(days)}
    row_of = {c: i for i, c in enumerate(clients)}
    out = np.zeros((len(clients), len(days), len(slots)))
    slot = slot_of(visits["window_start"].to_numpy(float))
    day = visits["day"].astype(str) if "day" in visits.columns else pd.Series("", index=visits.index)
    need = (visits["duration"].astype(float) * visits["carers_needed"].astype(float)).to_numpy()
    for c, d, s, m in zip(visits["client_id"].astype(str), day, slot, need, strict=True):
        if d in day_of:
            out[row_of[c], day_of[d], slots[s]] += m
    return out


def form_teams(
    carers: pd.DataFrame,
    visits: pd.DataFrame,
    mats: ZoneMatrices,
    days: tuple[str, ...],
    *,
    team_size: int,
) -> tuple[dict[str, int], dict[int, list[str]], np.ndarray, list[str]]:
    """Group the carers into teams that each cover the day-slots with demand.

    Returns ``carer_id -> team``, ``team -> carer ids``, the teams' minutes per day-slot
    and the carer ids in order.
    """
    ids = carers["carer_id"].astype(str).tolist()
    cap = _capacity(carers, days)
    wanted = _demand(visits, days, visits["client_id"].astype(str).unique().tolist()).sum(0) > 0
    open_ = list(range(len(ids)))
    pos = {n: i for i, n in enumerate(mats.names)}
    home = [pos.get(f"carer:{k}") for k in ids]
    walk = mats.seconds.get("walk", next(iter(mats.seconds.values())))
    team_of: dict[str, int] = {}
    members: dict[int, list[str]] = {}
    caps = []
    while open_:
        # the carer who works the most day-slots starts a team
        seed = max(open_, key=lambda i: ((cap[i] > 0) & wanted).sum() * 1000 - i)
        team = [seed]
        open_.remove(seed)
        covered = (cap[seed] > 0) & wanted
        while len(team) < team_size and open_ and not covered[wanted].all():
            def gain(i: int) -> tuple[int, float]:
                new = int(((cap[i] > 0) & wanted & ~covered).sum())
                far = (
                    float(walk[home[seed], home[i]])
                    if home[seed] is not None and home[i] is not None
                    else 0.0
                )
                return new, -far

            best = max(open_, key=gain)
            if gain(best)[0] == 0:
                break
            team.append(best)
            open_.remove(best)
            covered |= (cap[best] > 0) & wanted
        t = len(members)
        members[t] = [ids[i] for i in team]
        for i in team:
            team_of[ids[i]] = t
        caps.append(cap[team].sum(0))
    return team_of, members, np.array(caps), ids


def assign_clients(
    carers: pd.DataFrame,
    visits: pd.DataFrame,
    mats: ZoneMatrices,
    days: tuple[str, ...],
    *,
    team_size: int = 4,
) -> Teams:
    """Teams of the zone's carers and each client's team (see the module)."""
    team_of, members, caps, _ = form_teams(carers, visits, mats, days, team_size=team_size)
    clients = visits["client_id"].astype(str).unique().tolist()
    need = _demand(visits, days, clients)
    room = caps * TEAM_UTILISATION
    pos = {n: i for i, n in enumerate(mats.names)}
    walk = mats.seconds.get("walk", next(iter(mats.seconds.values())))
    homes = {t: [pos[f"carer:{k}"] for k in ks if f"carer:{k}" in pos] for t, ks in members.items()}
    team_of_client: dict[str, int] = {}
    for i in np.argsort(-need.sum(axis=(1, 2)), kind="stable"):
        cl = clients[i]
        at = pos.get(f"client:{cl}")
        best, pick = None, 0
        for t, hs in homes.items():
            short = float(np.clip(need[i] - room[t], 0, None).sum())
            far = float(min(walk[h, at] for h in hs)) if hs and at is not None else 0.0
            score = (short, far, t)
            if best is None or score < best:
                best, pick = score, t
        team_of_client[cl] = pick
        room[pick] -= need[i]
    return Teams(team_of, team_of_client, members)
