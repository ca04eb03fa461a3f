"""Today's real rotas: call-monitoring exports read, rebuilt as routes and scored.

A provider's electronic call monitoring (ECM) export has one row per carer per visit:
the carer, the client, the planned start and end, and the actual (logged) start and
end. :func:`read_rota` reads it from CSV or Excel through a column mapping
(:class:`RotaColumns`) and checks every row; :func:`score_rota` rebuilds each carer's day
as a route and scores it; :func:`rota_to_routes` gives the same days as a routes table in
the layout of :class:`carezones.routing.RoutingResult`, so maps and outcomes can treat a
real rota as a plan.

How a day is rebuilt
--------------------
A carer's visits on a date (the planned start's date) are put in order of actual start,
falling back to the planned start for visits without one. A visit with neither actual
time is **missed**: it stays in the visits table, flagged, and is not travelled to. A
visit with only one actual time is **incomplete**: the other is taken as the planned
length away. Each carer leaves home, travels to each visit in turn and goes home again,
in their own mode (``carers["mode"]``), with network travel times from one
:func:`carezones.travel_time_matrix` per mode between the clients and the homes the
carers of that mode use.

How it is scored
----------------
Each date is rechecked by the independent validator,
:func:`carezones.routing.validate_plan`, with each visit's window set to the planned
start plus or minus ``on_time_minutes`` and its minimum length to ``short_visit_share``
of the planned length. Its rules then read (see :data:`RULES`): ``late`` and ``early``
(outside the window), ``too short`` (a short visit), ``overlap`` (a carer's visits
overlap), ``travel`` (a carer in two places at once: the gap between two visits is
shorter than the network travel time), ``carers`` and ``not together`` (a double-up
with one carer, or carers more than ``together_minutes`` apart), ``skill``, ``shift
start``, ``shift end``, ``max minutes``, ``day off`` (against the carers table). The rota
adds its own: ``missed``, ``longer than slot`` (the actual length exceeds the planned
length by more than ``overrun_minutes``) and ``incomplete``.

Client-facing figures (missed, punctuality, short visits) count visits, a double-up
once; carers' figures (care and travel hours, overlaps, two places at once) count each
carer. No coordinate or address is ever written to a message, a
log line or an output table; the rota's other columns (names, addresses, notes) are not
kept.
"""

from carezones.rota.columns import ROTA_COLUMNS, RotaColumns
from carezones.rota.read import read_rota
from carezones.rota.result import RULES, RotaScore
from carezones.rota.rules import RotaRules
from carezones.rota.score import rota_to_routes, score_rota
from carezones.rota.synth import synthetic_rota

__all__ = [
    "ROTA_COLUMNS",
    "RULES",
    "RotaColumns",
    "RotaRules",
    "RotaScore",
    "read_rota",
    "rota_to_routes",
    "score_rota",
    "synthetic_rota",
]
