"""Reading OpenStreetMap files: checks, format conversion and the on-disk cache folder.

pyrosm reads only OSM PBF. OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``) is converted to
PBF once with pyosmium and the converted copy is kept in the cache folder, keyed by the
file's content, so every later stage reads the same PBF.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path

import osmium
import pyrosm
from pyrosm.exceptions import InvalidOSMFileError

from carezones.exceptions import ProblemCollector

__all__ = ["OSM_SUFFIXES", "cache_dir", "check_osm_path", "file_digest", "open_osm", "pbf_path"]

logger = logging.getLogger(__name__)

#: File name endings carezones reads as OpenStreetMap data.
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml", ".xml.bz2", ".xml.gz")


def cache_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache folder, creating it.

    Parameters
    ----------
    path
        A folder to use. When None, ``$CAREZONES_CACHE_DIR`` or ``~/.cache/carezones``.

    Returns
    -------
    Path
        The folder.
    """
    if path is None:
        env = os.environ.get("CAREZONES_CACHE_DIR")
        path = Path(env) if env else Path.home() / ".cache" / "carezones"
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_osm_path(source: str | os.PathLike[str]) -> Path:
    """Check that ``source`` is an existing file with an OSM file name ending.

    Parameters
    ----------
    source
        A path to an ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.

    Raises
    ------
    ValidationError
        When the file is missing, is a folder, or has an ending carezones cannot read.
    """
    path = Path(source)
    where = str(path)
    if not path.exists():
        raise ProblemCollector(where).error("missing file", "an existing OSM file", "no such file")
    if path.is_dir():
        raise ProblemCollector(where).error("not a file", "an OSM file", "a folder")
    name = path.name.lower()
    if not name.endswith(OSM_SUFFIXES):
        raise ProblemCollector(where).error(
            "not an OSM file",
            "a name ending in " + ", ".join(OSM_SUFFIXES),
            f"{path.suffix or 'no ending'!r}",
        )
    return path


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's content (hex).

    Parameters
    ----------
    path
        The file.
    """
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def pbf_path(
    source: str | os.PathLike[str], *, cache: str | os.PathLike[str] | None = None
) -> Path:
    """Return a PBF file holding ``source``'s data, converting OSM XML once if needed.

    Parameters
    ----------
    source
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.
    cache
        The cache folder (see :func:`cache_dir`).

    Returns
    -------
    Path
        ``source`` itself for PBF, else the converted copy in the cache folder.

    Raises
    ------
    ValidationError
        When the file is missing or is not readable OSM XML.
    """
    path = check_osm_path(source)
    if _is_pbf(path):
        return path
    target = cache_dir(cache) / f"xml-{file_digest(path)[:20]}.osm.pbf"
    if target.exists():
        return target
    # A unique partial name, renamed atomically: processes converting the same file at
    # once (parallel test workers, a sweep) never see or clobber each other's half-written file.
    partial = target.with_name(f"{target.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part.osm.pbf")
    logger.info("converting %s to PBF", path.name)
    try:
        writer = osmium.SimpleWriter(str(partial), overwrite=True)
        try:
            for obj in osmium.FileProcessor(str(path)):
                writer.add(obj)
        finally:
            writer.close()
    except RuntimeError as exc:
        partial.unlink(missing_ok=True)
        raise ProblemCollector(str(path)).error(
            "not an OSM file", "OpenStreetMap XML", f"unreadable ({exc})"
        ) from exc
    partial.replace(target)
    return target


def open_osm(
    source: str | os.PathLike[str], *, cache: str | os.PathLike[str] | None = None
) -> pyrosm.OSM:
    """Open an OSM file with pyrosm (XML is converted to PBF first).

    Parameters
    ----------
    source
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.
    cache
        The folder for the PBF copy of an XML file; default :func:`cache_dir`.

    Raises
    ------
    ValidationError
        When the file is missing or is not OpenStreetMap data.
    """
    path = pbf_path(source, cache=cache)
    try:
        return pyrosm.OSM(str(path))
    except (InvalidOSMFileError, ValueError, OSError) as exc:
        raise ProblemCollector(str(source)).error(
            "not an OSM file", "an OSM PBF file", f"unreadable ({exc})"
        ) from exc
