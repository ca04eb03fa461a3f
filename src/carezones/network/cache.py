"""On-disk cache of travel networks: cache keys and atomic writes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
import warnings
from pathlib import Path

from pyproj import CRS

from carezones.exceptions import CarezonesWarning
from carezones.network.frames import FORMAT_VERSION
from carezones.network.graph import TravelNetwork
from carezones.network.speeds import Speeds

__all__ = [
    "DamagedCacheWarning",
    "cache_folder",
    "load_cached",
    "read_cached_crs",
    "save_atomically",
    "write_text_atomically",
]

logger = logging.getLogger(__name__)


class DamagedCacheWarning(CarezonesWarning):
    """A cached network could not be read (a cut-off write, a disk error); it is rebuilt."""


def _damaged(entry: Path, source: Path, exc: BaseException) -> None:
    warnings.warn(
        DamagedCacheWarning(
            f"the cached network {entry} of {source.name} is damaged "
            f"({type(exc).__name__}); it is deleted and rebuilt from the OSM file"
        ),
        stacklevel=4,
    )
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def load_cached(entry: Path, source: Path) -> TravelNetwork | None:
    """The network cached in ``entry``, or None when there is none or it is damaged.

    A damaged entry (any file missing, cut off or unreadable) is said with a
    :class:`DamagedCacheWarning` and deleted, so the caller rebuilds and saves it again.
    """
    if not entry.exists():
        return None
    try:
        return TravelNetwork.load(entry)
    except Exception as exc:  # whatever a damaged parquet, json or WKT file raises
        _damaged(entry, source, exc)
        return None


def read_cached_crs(crs_file: Path, source: Path) -> CRS | None:
    """The CRS of a cache entry, or None when absent or damaged (then the entry is deleted)."""
    if not crs_file.exists():
        return None
    try:
        return CRS.from_wkt(crs_file.read_text())
    except Exception as exc:  # pyproj's CRSError, a decode error, ...
        _damaged(crs_file.parent, source, exc)
        return None


def cache_folder(folder: Path, digest: str, speeds: Speeds, simplify: bool) -> Path:
    """The cache folder of one file's networks (one subfolder per mode, one CRS for all)."""
    blob = json.dumps(
        {"v": FORMAT_VERSION, "file": digest, "speeds": speeds.to_dict(), "simplify": simplify},
        sort_keys=True,
    )
    return folder / ("net-" + hashlib.sha256(blob.encode()).hexdigest()[:24])


def save_atomically(network: TravelNetwork, folder: Path) -> None:
    """Save to a private folder, then rename it into place (first writer wins)."""
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    network.save(tmp)
    try:
        tmp.rename(folder)
    except OSError:  # another process cached it first
        shutil.rmtree(tmp, ignore_errors=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a private file renamed into place."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text)
    tmp.replace(path)
