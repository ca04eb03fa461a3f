"""Travel times between points, per mode: snapping, matrices and isochrones.

The public path of :mod:`carezones.network.travel`, where the code lives.
"""

from carezones.network.travel import (
    Snapped,
    isochrones,
    snap_points,
    travel_time,
    travel_time_matrix,
    travel_times_from,
)

__all__ = [
    "Snapped",
    "isochrones",
    "snap_points",
    "travel_time",
    "travel_time_matrix",
    "travel_times_from",
]
