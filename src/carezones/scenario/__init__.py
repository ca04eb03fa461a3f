"""What-if scenarios: a TOML file that runs the whole pipeline, and comparisons of several.

A scenario names the network, the people (a synthetic ``[population]`` or ``[data]``
files) and the parameters of each stage; :func:`run_scenario` runs network ->
clients/carers -> zones -> provider lots -> carers staffed -> virtual calls -> routes ->
outcomes -> costs and returns a :class:`ScenarioResult` whose
:meth:`~ScenarioResult.write` writes every output; :func:`compare` puts several results
side by side (one row per outcome, one column per scenario) and :func:`differences` says
which parameters differ between them (generated from the scenarios); :func:`sweep` runs
many scenarios in parallel (a process pool, or a Dask cluster); :func:`sensitivity`
varies each assumption over a stated range and measures the change in the zones' saving
(then minus now), re-planning or re-pricing, through the same sweep; :func:`reprice`
measures a finished plan again under other prices.

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
    # walk_kmh = 4.8, cycle_kmh = 15, drive_urban_factor = 0.6: the travel speeds

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
    allocation = "market_share"   # "then": "market_share", "random", "brokered" or "given"
    # recruitment = "local"       # or "anywhere"; default: local for "now" and "brokered"

    [demand]
    growth = 0.0                  # 0.15: demand +15% (copies of existing clients)
    virtual_share = 0.0           # share of virtual_ok visits made virtual calls
    virtual_call_pay_share = 1.0  # carer time paid per minute of a virtual call
    # carer_mode_mix = {walk = 0.35, cycle = 0.2, drive = 0.45}

    [routing]
    days = ["monday"]             # or "week"
    max_seconds = 10              # per zone and day
    n_jobs = 2
    time_windows = "hard"         # and any other RoutingParams option

    [outcomes]
    co2e_kg_per_km = 0.16725      # default: UK government 2025, average car
    cover_rate_gbp_per_hour = 48.21    # unserved care priced as cover
    offered_rate_gbp_per_hour = 32.14  # the commissioner's rate: break-even hours
    parking_minutes = 0.0         # per drive to a client in a dense area

    [costing]                     # any CostInputs field (docs/costs.md: every default's source)
    wage_gbp_per_hour = 12.21     # or "real_living_wage", "real_living_wage_london"
    pay_terms = "salaried"        # or "travel_paid", "zero_hours" (2015's terms)

An unknown key or a bad value is a :class:`~carezones.ValidationError` naming the file,
the table and the key, with every problem in the file listed at once.

The "then" baseline (``kind = "then"``): ``n_providers`` providers each serve clients
spread over the whole area, with no zones. Two markets bound what zones save: by market
share (``allocation = "market_share"``: each client given to a provider at random in
proportion to the providers' capacities, wherever they live: the upper bound), and
brokered (``"brokered"``: each package offered, in the order referrals come, to the
provider whose office is nearest with room under its capacity, each provider recruiting
near its clients: the lower bound); also uniformly (``"random"``) or as the tables say
(``"given"``). Both deal out the same clients and carers. Every provider ("then") and
every zone ("now") is staffed by the same rule, against its own day-slots, shifts and
skills (:func:`carezones.staff_groups`), recruiting near its clients (``recruitment =
"local"``, the default for "now" and a brokered market) or anywhere (the default for the
others); a workforce short of its own demand is reported with the hours
(``staffing.csv``, ``workforce_short_hours``). ``examples/now_zones_only.toml`` recruits
as ``then.toml`` does, so it differs from it in zones and providers alone.

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
``n_jobs`` processes. Visits made virtual calls are chosen (with the seed) before routing
and not routed, so the carer time they free is planned for other visits (see
:mod:`carezones.outcomes.virtual`). Costs are what providers pay: the hours their carers
are paid for under ``[costing] pay_terms``, with each provider's fixed costs spread over
its planned hours, so each provider's break-even hours at the offered rate stand beside
the floor (``docs/costs.md``).
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
