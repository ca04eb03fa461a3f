"""carezones: home-care neighbourhood zones around the routes carers can walk or cycle.

The pipeline, one module per stage: :mod:`~carezones.network` (travel networks from
OpenStreetMap), :mod:`~carezones.travel` (snapping, travel-time matrices, isochrones), and
the stages built on them.
"""

from importlib.metadata import PackageNotFoundError, version

from .costing import CostBreakdown, CostInputs, hourly_rate, provider_rates, zone_rates
from .demand import (
    ShortVisitWarning,
    expand_visits,
    read_carers,
    read_clients,
    read_providers,
    snap_population,
    write_carers,
    write_clients,
    write_providers,
)
from .exceptions import (
    CarezonesError,
    CarezonesWarning,
    FarFromNetworkWarning,
    InfeasibleError,
    Problem,
    ValidationError,
)
from .geocode import Geocoder, GeocodeResult, read_osm_addresses, read_postcodes
from .network import MODES, Speeds, TravelNetwork, load_network
from .outcomes import OutcomeParams, Outcomes, measure_outcomes
from .providers import ProviderLots, provider_lots
from .rota import RotaColumns, RotaRules, RotaScore, read_rota, rota_to_routes, score_rota
from .routing import (
    RoutePlan,
    RoutingModel,
    RoutingParams,
    RoutingProblem,
    RoutingResult,
    build_problem,
    plan_routes,
    validate_plan,
)
from .scenario import Scenario, ScenarioResult, load_scenario, run_scenario, sweep
from .travel import (
    Snapped,
    isochrones,
    snap_points,
    travel_time,
    travel_time_matrix,
    travel_times_from,
)
from .zoning import (
    NeighbourhoodZoner,
    PlanReport,
    ZonePlan,
    check_plan,
    grid_zones,
    kmeans_zones,
    neighbourhood_zones,
    ward_zones,
)

try:
    __version__ = version("carezones")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

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
    "Speeds",
    "TravelNetwork",
    "ValidationError",
    "ZonePlan",
    "__version__",
    "build_problem",
    "check_plan",
    "expand_visits",
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
    "sweep",
    "travel_time",
    "travel_time_matrix",
    "travel_times_from",
    "validate_plan",
    "ward_zones",
    "write_carers",
    "write_clients",
    "write_providers",
    "zone_rates",
]

import logging as _logging

_logging.getLogger(__name__).addHandler(_logging.NullHandler())
