"""On-disk cache of travel networks: GeoParquet frames, atomic writes, cache keys."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .network import Speeds, TravelNetwork

_CACHE_VERSION = 1


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts without their missing values (osmnx leaves those attributes out)."""
    rows = frame.to_dict("records")
    return [{k: v for k, v in row.items() if not _missing(v)} for row in rows]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _write_frame(frame: gpd.GeoDataFrame, path: Path) -> None:
    """GeoParquet, with list-valued columns stored as JSON text (and named in metadata)."""
    frame = frame.copy()
    json_cols = []
    for col in frame.columns:
        if frame[col].dtype == object and col != "geometry":
            if frame[col].map(lambda v: isinstance(v, list)).any():
                json_cols.append(col)
                frame[col] = frame[col].map(lambda v: json.dumps(v) if v is not None else None)
    frame.attrs = {}
    frame.to_parquet(path, index=False)
    (path.with_suffix(".json")).write_text(json.dumps({"json_columns": json_cols}))


def _read_frame(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_parquet(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    for col in meta["json_columns"]:
        frame[col] = frame[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return frame


def _cache_folder(folder: Path, digest: str, speeds: Speeds, simplify: bool) -> Path:
    """The cache folder of one file's networks (one subfolder per mode, one CRS for all)."""
    blob = json.dumps(
        {"v": _CACHE_VERSION, "file": digest, "speeds": speeds.to_dict(), "simplify": simplify},
        sort_keys=True,
    )
    return folder / ("net-" + hashlib.sha256(blob.encode()).hexdigest()[:24])


def _save_atomically(network: TravelNetwork, folder: Path) -> None:
    """Save to a private folder, then rename it into place (first writer wins)."""
    import uuid

    tmp = folder.with_name(f"{folder.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    network.save(tmp)
    try:
        tmp.rename(folder)
    except OSError:  # another process cached it first
        shutil.rmtree(tmp, ignore_errors=True)


def _write_text_atomically(path: Path, text: str) -> None:

    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text)
    tmp.replace(path)
