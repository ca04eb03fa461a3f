"""What-if scenarios: a TOML file that runs the whole pipeline, and comparisons of several.

A scenario names the network, the people (a synthetic ``[population]`` or ``[data]``
files) and the parameters of each stage; :func:`run_scenario` runs network ->
clients/carers -> zones -> provider lots -> routes -> outcomes -> costs and returns a
:class:`ScenarioResult` whose :meth:`~ScenarioResult.write` writes every output;
:func:`compare` puts several results side by side (one row per outcome, one column per
scenario); :func:`sweep` runs many scenarios in parallel (a process pool, or a Dask
cluster).

The scenario file
-----------------
::

    name = "now"                  # default: the file's name
    kind = "now"                  # "now": neighbourhood zones; "then": the baseline below;
                                  # "rota": today's real rota (see below)
    description = "8 providers in 18 neighbourhood zones"
    seed = 0                      # every random choice of the run

    [network]
    source = "camden"             # "default" (bundled Helsinki), a shared extract, or a path
    modes = ["walk", "cycle", "drive"]

    [population]                  # a synthetic population ...
    n_clients = 2000
    n_carers = 1100
    n_providers = 8
    total_weekly_hours = 21000
    seed = 0
    # mode_shares = {walk = 0.25, cycle = 0.15, drive = 0.6}

    # [data]                      # ... or files (paths relative to this file)
    # clients = "clients.csv"
    # carers = "carers.csv"
    # providers = "providers.csv"

    [zones]                       # "now" only
    min_weekly_hours = 1000
    n_zones = 18                  # or "auto"

    [providers]
    n_providers = 8               # "auto" ("now" only)
    min_provider_hours = 1000
    allocation = "market_share"   # "then": "market_share", "random" or "given"

    [demand]
    growth = 0.0                  # 0.15: demand +15% (copies of existing clients)
    virtual_share = 0.0           # share of virtual_ok visits made virtual calls
    # carer_mode_mix = {walk = 0.35, cycle = 0.2, drive = 0.45}

    [routing]
    days = ["monday"]             # or "week"
    max_seconds = 10              # per zone and day
    n_jobs = 2
    time_windows = "hard"         # and any other RoutingParams option

    [outcomes]
    co2e_kg_per_km = 0.16725      # default: UK government 2025, average car

    [costing]                     # any CostInputs field
    wage_gbp_per_hour = 12.21

An unknown key or a bad value is a :class:`~carezones.ValidationError` naming the file,
the table and the key, with every problem in the file listed at once.

The "then" baseline (``kind = "then"``): ``n_providers`` providers each serve clients
spread over the whole area, with no zones: each client is given to a provider at random
in proportion to the providers' market shares (``allocation = "market_share"``),
uniformly (``"random"``) or as the tables say (``"given"``); carers are given to
providers so each provider's contracted hours match its clients' hours; each provider's
clients and carers are routed as one group. In "now", carers work in the zone they live
in, moved to the nearest zone short of carers where their own has more than its share.

The real "then" (``kind = "rota"``): today's market as a call-monitoring export says it
was, nothing routed. The people come from ``[data]`` files and the rota from
``[data] rota``; :func:`carezones.rota.score_rota` rebuilds each carer's days on the
network and :func:`carezones.outcomes.measure_outcomes` measures them (visits made at
their actual times, missed visits unscheduled, weeks counted by date, each client in
their provider's "zone", no zone figures) and prices them with ``[costing]``, so
:func:`compare` puts the real market beside zoned plans, outcome for outcome::

    kind = "rota"

    [data]
    clients = "clients.csv"       # client_id, lon/lat, weekly_hours, provider_id
    carers = "carers.csv"         # carer_id, home, mode, ... provider_id
    rota = "rota.xlsx"            # the export: .csv or .xlsx

    [rota]                        # optional
    sheet = "Visits"              # Excel only; default the first sheet
    on_time_minutes = 15          # and any other RotaRules option

    [rota.columns]                # optional: which header holds what (RotaColumns)
    client_id = "Service User ID"
    double_up = false             # the export has no double-up column

``[network]``, ``[providers] min_provider_hours``, ``[outcomes]`` and ``[costing]`` mean
what they mean elsewhere; ``[population]``, ``[zones]``, ``[demand]``, ``[routing]`` and
``[providers] n_providers``/``allocation`` are refused. Figures "a week" are the rota's
totals over its dates times 7 / its number of dates; a zoned scenario routing one day
reports continuity over that day, so route ``days = "week"`` beside a rota for a like
comparison of ``distinct_carers_per_client``.

Routing takes most of the time: ``max_seconds`` per zone and day, zones in parallel over
``n_jobs`` processes. Visits made virtual are routed in person and their trips removed
afterwards (see :mod:`carezones.outcomes`).
"""

from carezones.scenario.comparison import compare, differences
from carezones.scenario.definition import Scenario, load_scenario
from carezones.scenario.result import ScenarioResult
from carezones.scenario.run import reprice, run_scenario
from carezones.scenario.sensitivities import (
    Assumption,
    Sensitivity,
    default_assumptions,
    sensitivity,
)
from carezones.scenario.steps import boundary_of, network_of, places_of
from carezones.scenario.sweeps import sweep

__all__ = [
    "Assumption",
    "Scenario",
    "ScenarioResult",
    "Sensitivity",
    "boundary_of",
    "compare",
    "default_assumptions",
    "differences",
    "load_scenario",
    "network_of",
    "places_of",
    "reprice",
    "run_scenario",
    "sensitivity",
    "sweep",
]
