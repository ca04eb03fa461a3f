"""carezones: home-care neighbourhood zones around the routes carers can walk or cycle.

One subpackage per stage of the pipeline, imports running one way (see
``docs/architecture.md``): :mod:`~carezones.network` (travel networks from OpenStreetMap,
travel times), :mod:`~carezones.demand` (clients, carers, providers, visits),
:mod:`~carezones.geocode` (offline geocoding), :mod:`~carezones.zoning` (zones and provider
lots), :mod:`~carezones.routing` (daily care routes), :mod:`~carezones.rota` (real rotas),
:mod:`~carezones.outcomes` (outcomes and costs), :mod:`~carezones.scenario` (what-if
scenarios), :mod:`~carezones.maps` (maps and figures), :mod:`~carezones.workshop` (the
co-production workshop in the browser) and :mod:`~carezones.cli`.
"""

import importlib as _importlib
import logging as _logging
from typing import Any as _Any

from carezones._version import __version__
from carezones.demand import (
    ShortVisitWarning,
    WorkforceWarning,
    expand_visits,
    group_cover,
    read_carers,
    read_clients,
    read_providers,
    snap_population,
    staff_groups,
    workforce_coverage,
    write_carers,
    write_clients,
    write_providers,
)
from carezones.exceptions import (
    CarezonesError,
    CarezonesWarning,
    FarFromNetworkWarning,
    InfeasibleError,
    Problem,
    SolverError,
    ValidationError,
)
from carezones.geocode import Geocoder, GeocodeResult, read_osm_addresses, read_postcodes
from carezones.network import (
    MODES,
    Snapped,
    Speeds,
    TravelNetwork,
    isochrones,
    load_network,
    snap_points,
    travel_time,
    travel_time_matrix,
    travel_times_from,
)
from carezones.outcomes import (
    CostBreakdown,
    CostInputs,
    OutcomeParams,
    Outcomes,
    break_even_hours,
    hourly_rate,
    measure_outcomes,
    provider_rates,
    zone_rates,
)
from carezones.rota import RotaColumns, RotaRules, RotaScore, read_rota, rota_to_routes, score_rota
from carezones.routing import (
    RoutePlan,
    RoutingModel,
    RoutingParams,
    RoutingProblem,
    RoutingResult,
    build_problem,
    plan_routes,
    validate_plan,
)
from carezones.scenario import Scenario, ScenarioResult, load_scenario, run_scenario, sweep
from carezones.zoning import (
    NeighbourhoodZoner,
    PlanReport,
    ProviderLots,
    ZonePlan,
    agglomerative_zones,
    check_plan,
    grid_zones,
    kmeans_zones,
    neighbourhood_zones,
    provider_lots,
    ward_zones,
)

__all__ = [
    "MODES",
    "CarezonesError",
    "CarezonesWarning",
    "CostBreakdown",
    "CostInputs",
    "FarFromNetworkWarning",
    "GeocodeResult",
    "Geocoder",
    "InfeasibleError",
    "NeighbourhoodZoner",
    "OutcomeParams",
    "Outcomes",
    "PlanReport",
    "Problem",
    "ProviderLots",
    "RotaColumns",
    "RotaRules",
    "RotaScore",
    "RoutePlan",
    "RoutingModel",
    "RoutingParams",
    "RoutingProblem",
    "RoutingResult",
    "Scenario",
    "ScenarioResult",
    "ShortVisitWarning",
    "Snapped",
    "SolverError",
    "Speeds",
    "TravelNetwork",
    "ValidationError",
    "WorkforceWarning",
    "ZonePlan",
    "__version__",
    "agglomerative_zones",
    "break_even_hours",
    "build_problem",
    "check_plan",
    "expand_visits",
    "group_cover",
    "grid_zones",
    "hourly_rate",
    "isochrones",
    "kmeans_zones",
    "load_network",
    "load_scenario",
    "measure_outcomes",
    "neighbourhood_zones",
    "plan_routes",
    "provider_lots",
    "provider_rates",
    "read_carers",
    "read_clients",
    "read_osm_addresses",
    "read_postcodes",
    "read_providers",
    "read_rota",
    "rota_to_routes",
    "run_scenario",
    "score_rota",
    "snap_points",
    "snap_population",
    "staff_groups",
    "sweep",
    "travel_time",
    "travel_time_matrix",
    "travel_times_from",
    "validate_plan",
    "ward_zones",
    "workforce_coverage",
    "workshop",
    "write_carers",
    "write_clients",
    "write_providers",
    "zone_rates",
]

_logging.getLogger(__name__).addHandler(_logging.NullHandler())


def __getattr__(name: str) -> _Any:
    """``carezones.workshop``, loaded on first use (the web server is not imported before).

    The subpackage is callable: ``carezones.workshop(network, clients)`` starts a workshop.
    """
    if name == "workshop":
        return _importlib.import_module("carezones.workshop")
    raise AttributeError(f"module 'carezones' has no attribute {name!r}")
