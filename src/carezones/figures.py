"""Static figures for reports (matplotlib): zone map, hours per zone, travel-to-care.

The public path of :mod:`carezones.maps.figures`, where the code lives.
"""

from carezones.maps.figures import hours_figure, travel_to_care_figure, zones_figure

__all__ = ["hours_figure", "travel_to_care_figure", "zones_figure"]
