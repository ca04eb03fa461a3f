"""Generated home-health-care instances with linked visits, of the class published benchmarks use.

The published home-health-care routing benchmarks with interdependent services (Mankowska,
Meisel and Bierwirth 2014, and the instances built on theirs) share one design:
patients uniform on a 100 x 100 square with Euclidean travel times, staff with a few of six
qualifications and each visit asking one, a day-long horizon, soft time windows whose
tardiness is counted in the objective, and some patients needing two services that are
either simultaneous (two staff at once) or ordered with a minimum and a maximum gap. The
objective adds distance, total tardiness and the largest tardiness.
:func:`linked_instance` draws instances of that class (no file is downloaded): times are
minutes of the square's units, in seconds here, and the objective's weights make
``objective / 60`` the sum of distance, total tardiness and maximum tardiness, in minutes.
"""

from __future__ import annotations

import numpy as np

from carezones.routing.model import RoutingModel
from carezones.routing.problem import Location, RoutingParams, RoutingProblem, Visit

__all__ = ["SKILLS", "linked_instance"]

#: The six qualifications of the instances.
SKILLS = ("s1", "s2", "s3", "s4", "s5", "s6")
_DAY_START = 8 * 3600  # the horizon starts at 08:00
_HORIZON = 600 * 60  # ten hours


def linked_instance(
    n_visits: int,
    *,
    n_carers: int | None = None,
    homes: bool = False,
    linked_share: float = 0.3,
    random_state: int = 0,
) -> RoutingProblem:
    """A random instance of the linked home-health-care class.

    Parameters
    ----------
    n_visits
        Number of visits (a linked client has two); at least 2.
    n_carers
        Number of carers; None: one per five visits, at least 3.
    homes
        False: every carer starts and ends at one depot in the centre; True: at their own
        home, uniform on the square.
    linked_share
        Share of the clients with a linked pair, in [0, 0.5]: half of those simultaneous
        (two carers at once, each half with its own qualification), half ordered (the
        second 15 to 60 minutes after the first, plus up to two hours more).
    random_state
        Seed.

    Returns
    -------
    RoutingProblem
        Soft windows with unlimited lateness, ``lateness_penalty=60`` and
        ``max_lateness_penalty=60`` (a late minute costs as much as a minute of travel),
        no continuity.

    Examples
    --------
    >>> p = linked_instance(20, random_state=1)
    >>> p.n_visits, p.n_carers, len(p.links) > 0
    (20, 4, True)
    """
    rng = np.random.default_rng(random_state)
    nc = n_carers if n_carers is not None else max(3, n_visits // 5)
    share = min(max(linked_share, 0.0), 0.5)
    # clients: n single-visit clients and k linked clients with n + 2k = n_visits
    k = round(share * n_visits / (1 + share))
    k = min(k, n_visits // 2)
    n_single = n_visits - 2 * k
    n_clients = n_single + k
    xy_clients = rng.uniform(0, 100, size=(n_clients, 2))
    xy_homes = rng.uniform(0, 100, size=(nc, 2)) if homes else np.array([[50.0, 50.0]])
    xy = np.vstack([xy_homes, xy_clients])
    travel = np.rint(60 * np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    m = RoutingModel()
    locs = [m.add_location(name=f"p{i}", x=float(x), y=float(y)) for i, (x, y) in enumerate(xy)]
    profile = m.add_profile(travel.astype(np.int64), name="drive")
    n_homes = len(xy_homes)
    has: list[list[str]] = []
    for c in range(nc):  # 2 to 4 qualifications each, every one held by someone
        skills = {SKILLS[c % len(SKILLS)]}
        more = rng.choice(SKILLS, size=int(rng.integers(1, 4)), replace=False)
        skills.update(str(x) for x in more)
        has.append(sorted(skills))
        m.add_carer(locs[c % n_homes], profile=profile, shift_start=_DAY_START - 3600,
                    shift_end=_DAY_START + _HORIZON + 3 * 3600, skills=";".join(has[-1]),
                    name=f"n{c}")  # fmt: skip
    held = sorted({x for h in has for x in h})
    linked = set(rng.choice(n_clients, size=k, replace=False).tolist()) if k else set()
    kinds = {cl: ("together" if i % 2 == 0 else "ordered") for i, cl in enumerate(sorted(linked))}
    for cl in range(n_clients):
        loc = locs[n_homes + cl]
        width = int(rng.integers(60, 121)) * 60
        ws = _DAY_START + int(rng.integers(0, _HORIZON - width)) // 60 * 60
        dur = int(rng.integers(10, 31)) * 60

        def visit(
            name: str,
            start: int,
            length: int,
            loc: Location = loc,
            width: int = width,
            cl: int = cl,
            skill: str | None = None,
        ) -> Visit:
            skill = str(rng.choice(held)) if skill is None else skill
            return m.add_visit(loc, window_start=start, latest_start=start + width, duration=length,
                               skills=skill, client=f"c{cl}", name=name)  # fmt: skip

        if cl not in linked:
            visit(f"c{cl}", ws, dur)
        elif kinds[cl] == "together":
            one, two = rng.choice(nc, size=2, replace=False)  # two carers who can do it
            a = visit(f"c{cl}a", ws, dur, skill=str(rng.choice(has[one])))
            b = visit(f"c{cl}b", ws, dur, skill=str(rng.choice(has[two])))
            m.add_link(a, b)
        else:
            lo = int(rng.integers(15, 61)) * 60
            hi = lo + int(rng.integers(0, 121)) * 60
            a = visit(f"c{cl}a", ws, dur)
            b = visit(f"c{cl}b", min(ws + (lo + hi) // 2, _DAY_START + _HORIZON - width), dur)
            m.add_link(a, b, min_gap=lo, max_gap=hi, different_carers=False)
    params = RoutingParams(
        time_windows="soft",
        max_lateness_minutes=None,
        lateness_penalty=60.0,
        max_lateness_penalty=60.0,
        continuity_penalty=0.0,
        start_step=1,
    )
    return m.compile(params)
