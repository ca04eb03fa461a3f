"""GeoParquet files of a network's frames (list-valued columns kept as JSON text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["FORMAT_VERSION", "read_frame", "records", "write_frame"]

#: Version of the files :meth:`TravelNetwork.save` writes (part of every cache key).
FORMAT_VERSION = 1


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts without their missing values (osmnx leaves those attributes out)."""
    rows = frame.to_dict("records")
    return [{k: v for k, v in row.items() if not _missing(v)} for row in rows]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def write_frame(frame: gpd.GeoDataFrame, path: Path) -> None:
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


def read_frame(path: Path) -> gpd.GeoDataFrame:
    """Read a frame written by :func:`write_frame`."""
    frame = gpd.read_parquet(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    for col in meta["json_columns"]:
        frame[col] = frame[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return frame
