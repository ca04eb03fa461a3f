"""Daily care routes inside each zone: a vehicle-routing problem solved with PyVRP.

Two ways in:

- the numeric core, for users who bring their own travel times and for published
  benchmarks: a builder, :class:`RoutingModel`, whose ``add_*`` methods return handles,
  compiled into an immutable :class:`RoutingProblem` and solved by :func:`solve`;
- the table adapter, :func:`build_problem`, which takes visits and carers tables (see
  ``docs/conventions.md``) and a :class:`~carezones.TravelNetwork`, builds one travel-time
  matrix per travel mode with :func:`carezones.travel_time_matrix` and calls the core.
  :func:`plan_routes` does it for every zone and day of a plan, zones in parallel.

In the core every time is an **integer number of seconds** (times of day since
midnight); in tables, times of day are minutes since midnight as everywhere in carezones.

Rules
-----
- Each carer starts and ends at their own home and travels with their own mode (one
  travel-time matrix per mode: a routing profile). A carer who can use several
  (``modes = "walk;cycle;drive"``) is planned with the least sustainable, then each
  carer-day takes the most sustainable mode that keeps the day
  (:class:`ModeRule`, :mod:`carezones.routing.modes`): the mode is an outcome.
- A visit's window is the agreed arrival window: the visit starts inside it (hard by
  default; with ``time_windows="soft"`` it may start up to ``max_lateness_minutes``
  late, each minute priced by ``lateness_penalty``) and lasts its full duration.
- A carer leaves home no earlier than the shift start and is back by the shift end;
  working time (leaving home to getting back, waiting between visits included, less an
  unpaid break taken on the way) is at most the carer's maximum; carers leave home as
  late as their first visits allow. An optional unpaid break of ``break_duration`` is
  taken inside the carer's break window whenever their day spans it.
- A visit needing skills goes only to carers who have all of them.
- A double-handed visit gets two different carers who start it together; its
  ``skills`` may name each carer's (``"hoist | hoist;peg"``).
- Linked visits (:meth:`RoutingModel.add_link`; ``link_id``, ``link_role``, ``min_gap``,
  ``max_gap`` in a visits table): the second starts ``min_gap`` to ``max_gap`` after the
  first (0 and 0: together), on different carers where the link says so; links may chain
  across carers. A link no pair of carers can keep leaves both visits unscheduled.
- Continuity: each carer new to a client costs ``continuity_penalty``.
- A visit that cannot be served is returned as unscheduled with the reason, never
  dropped: "no carer with skill X", "only one carer with skill X for a double-handed
  visit", "window too tight for any carer's shift", "not reachable from any carer's
  home", "not reachable in time", or, when the carers who could do it are all busy,
  "no free time in any eligible carer's day" / "no two eligible carers free at the
  same time".

The objective is the carers' travel time in seconds plus those penalties (with soft
windows, each late minute, and optionally the largest single lateness,
``max_lateness_penalty``).

How it is solved
----------------
PyVRP (state of the art, MIT) routes every visit with a carer's home as its depot, the
carer's mode as its routing profile, skills as prohibitive edges in a per-carer profile and
the continuity penalty spread over the edges into a client's visits. PyVRP cannot
synchronise two carers, nor take breaks; so its routes are then repaired (both halves of
each double-handed visit reinserted together) and improved by a ruin-and-recreate local
search that prices every move with a full schedule evaluation (windows, shifts, breaks,
skills, synchrony, the gaps of linked visits: the earliest starts consistent with every
carer's route, found as a least fixed point, so one carer's wait pushes another's and a
cyclic wait is seen as infeasible). Both visits of a link are moved together. PyVRP then
runs again from that solution with the start of every scheduled double-handed or linked
visit pinned, so every tie holds in anything it finds while it re-optimises the rest;
its answer is mended and searched again, and the better of the two solutions is kept. On
a plain time-window instance (no double-handed visits, links, breaks, soft windows or
continuity) PyVRP gets almost all of the time budget.
"""

from carezones.routing.budget import MAX_ITERATIONS, MAX_SECONDS, Budget
from carezones.routing.exact import ExactResult, exact_optimum
from carezones.routing.instances import linked_instance
from carezones.routing.links import links_from_visits
from carezones.routing.model import RoutingModel
from carezones.routing.modes import MODE_ORDER, ModeRule, choose_modes, planning_mode
from carezones.routing.plan import RoutePlan, client_carers, plan_routes
from carezones.routing.problem import (
    ROUTING_RULES,
    SPREAD_MINUTES,
    Carer,
    Link,
    Location,
    Profile,
    RoutingParams,
    RoutingProblem,
    Visit,
    WorkRules,
    rules_pyvrp_lacks,
)
from carezones.routing.result import ROUTE_COLUMNS, SHIFT_COLUMNS, RoutingResult
from carezones.routing.solver import solve
from carezones.routing.staffing import Staffing, carer_zones, staff_zones
from carezones.routing.tables import build_problem
from carezones.routing.validate import RULES as VALIDATION_RULES
from carezones.routing.validate import validate_plan
from carezones.routing.week import capped_carers

__all__ = [
    "MAX_ITERATIONS",
    "MAX_SECONDS",
    "MODE_ORDER",
    "ROUTE_COLUMNS",
    "SHIFT_COLUMNS",
    "SPREAD_MINUTES",
    "VALIDATION_RULES",
    "Budget",
    "Carer",
    "ExactResult",
    "Link",
    "Location",
    "ModeRule",
    "Profile",
    "RoutePlan",
    "RoutingModel",
    "ROUTING_RULES",
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "Staffing",
    "Visit",
    "WorkRules",
    "build_problem",
    "capped_carers",
    "carer_zones",
    "choose_modes",
    "client_carers",
    "exact_optimum",
    "linked_instance",
    "links_from_visits",
    "plan_routes",
    "planning_mode",
    "rules_pyvrp_lacks",
    "solve",
    "staff_zones",
    "validate_plan",
]
