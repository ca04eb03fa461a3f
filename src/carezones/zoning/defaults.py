"""The zoner's defaults, written once: the API, the command line and scenario files use them."""

__all__ = ["MIN_PROVIDER_HOURS", "MIN_WEEKLY_HOURS", "N_INIT"]

#: The zone floor, h/week: Wigan's sustainable minimum per provider (DESIGN.md).
MIN_WEEKLY_HOURS = 1000.0
#: The provider minimum, h/week.
MIN_PROVIDER_HOURS = 1000.0
#: Independent starts of the zoner (then centre swaps on the best).
N_INIT = 4
