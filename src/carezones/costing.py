"""Open-book hourly rate of home care, per zone and per provider.

The public path of :mod:`carezones.outcomes.costing`, where the code lives.
"""

from carezones.outcomes.costing import (
    KM_PER_MILE,
    MPH_HOURLY_RATE_GBP,
    MPH_MILES_PER_VISIT,
    MPH_TRAVEL_MINUTES_PER_VISIT,
    MPH_VISIT_MINUTES,
    CostBreakdown,
    CostInputs,
    hourly_rate,
    provider_rates,
    zone_rates,
)

__all__ = [
    "KM_PER_MILE",
    "MPH_HOURLY_RATE_GBP",
    "MPH_MILES_PER_VISIT",
    "MPH_TRAVEL_MINUTES_PER_VISIT",
    "MPH_VISIT_MINUTES",
    "CostBreakdown",
    "CostInputs",
    "hourly_rate",
    "provider_rates",
    "zone_rates",
]
