"""On-disk cache of travel networks: cache keys and atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from carezones.network.frames import FORMAT_VERSION
from carezones.network.graph import TravelNetwork
from carezones.network.speeds import Speeds

__all__ = ["cache_folder", "save_atomically", "write_text_atomically"]


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
