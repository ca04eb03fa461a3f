"""Saving and loading a workshop's plan: the files ``carezones zones`` writes, and a scenario.

:func:`save_plan` writes ``zones.gpkg`` (layer ``zones``, with each zone's ``lot_id``, and
layer ``provider_lots``), ``assignments.csv`` (``client_id``, ``zone_id``), ``report.json``
(the zoner's report of the plan, with the lots), ``providers.csv`` (zone, lot, hours) and
``scenario.toml``: a scenario whose ``[zones] locked`` names the saved ``zones.gpkg``, so
:func:`carezones.run_scenario` keeps every zone as it is. :func:`load_plan` reads a folder
written by either back (:class:`SavedPlan`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy.sparse.csgraph import dijkstra

from carezones.exceptions import Problem, ValidationError

__all__ = ["SavedPlan", "load_plan", "save_plan"]


def save_plan(
    session: Any,
    folder: str | Path,
    *,
    network_source: str | Path | None = None,
    clients_source: str | Path | None = None,
    carers_source: str | Path | None = None,
) -> dict[str, Path]:
    """Write the session's plan to ``folder``; returns the files written by name.

    Parameters
    ----------
    session
        A :class:`~carezones.workshop.Session`.
    folder
        The output folder (made when missing).
    network_source, clients_source, carers_source
        The files the workshop was started from, named in ``scenario.toml``.

    Returns
    -------
    dict
        ``{"zones": ..., "assignments": ..., "report": ..., "providers": ..., "scenario": ...}``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    p = session.plan
    plan = session.zone_plan()
    zones = plan.zones.copy()
    zones["lot_id"] = list(p.lots)
    paths = {name: out / file for name, file in (
        ("zones", "zones.gpkg"), ("assignments", "assignments.csv"), ("report", "report.json"),
        ("providers", "providers.csv"), ("scenario", "scenario.toml"))}  # fmt: skip
    paths["zones"].unlink(missing_ok=True)
    zones.to_file(paths["zones"], layer="zones", driver="GPKG")
    has_lots = any(p.lots)
    if has_lots:
        lots = zones[zones["lot_id"] != ""].dissolve(by="lot_id", aggfunc={"weekly_hours": "sum"})
        lots = lots.reset_index()[["lot_id", "weekly_hours", "geometry"]]
        lots.to_file(paths["zones"], layer="provider_lots", driver="GPKG")
    plan.assignments().to_csv(paths["assignments"], index=False)
    pd.DataFrame(
        {"zone_id": zones["zone_id"], "lot_id": zones["lot_id"],
         "weekly_hours": zones["weekly_hours"]}
    ).to_csv(paths["providers"], index=False)  # fmt: skip
    data = plan.report.to_dict()
    scores = session.scores()
    data["provider_lots"] = {
        "summary": {
            "min_provider_hours": session.min_provider_hours,
            "n_lots": len(scores["lots"]),
        },
        "lots": scores["lots"],
    }
    data["workshop"] = {
        "violations": scores["violations"],
        "estimates": [
            {k: r[k] for k in ("zone_id", "travel_minutes_per_visit", "travel_per_care_hour",
                               "visit_minutes", "hourly_rate")}
            for r in scores["zones"]
        ],
        "note": "travel and rates are estimates (a route-length formula), not routed figures",
    }  # fmt: skip
    paths["report"].write_text(json.dumps(data, indent=1, default=str))
    paths["scenario"].write_text(
        _scenario_toml(session, out, network_source, clients_source, carers_source)
    )
    return paths


def _toml_str(value: str | Path) -> str:
    return json.dumps(str(value))  # a TOML basic string: JSON's escapes are TOML's


def _scenario_toml(
    session: Any,
    out: Path,
    network: str | Path | None,
    clients: str | Path | None,
    carers: str | Path | None,
) -> str:
    p = session.plan
    lines = [
        "# Reproduces the plan saved by `carezones workshop`: every zone of zones.gpkg is",
        "# locked, so the zoner keeps them as they are; provider lots are grouped again.",
        f"name = {_toml_str('workshop-' + out.resolve().name)}",
        'kind = "now"',
        f"seed = {int(session.random_state or 0)}",
        "",
        "[network]",
        f"source = {_toml_str(Path(network).resolve() if network else 'default')}",
        "",
    ]
    if clients and carers:
        lines += [
            "[data]",
            f"clients = {_toml_str(Path(clients).resolve())}",
            f"carers = {_toml_str(Path(carers).resolve())}",
            "",
        ]
    else:
        lines += ["# [data] needs clients and carers files: add them before running.", ""]
    lines += [
        "[zones]",
        f"min_weekly_hours = {session.floor:g}",
        *([f"max_weekly_hours = {session.cap:g}"] if session.cap is not None else []),
        f"n_zones = {len(p.zone_ids)}",
        'locked = "zones.gpkg"',
        "",
        "[providers]",
        f"n_providers = {max(len({lot for lot in p.lots if lot}), 1)}",
        f"min_provider_hours = {session.min_provider_hours:g}",
        "",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class SavedPlan:
    """A plan read back from a ``zones.gpkg``: a label per street unit and the zones' table."""

    labels: np.ndarray
    zone_ids: tuple[str, ...]
    locked: tuple[bool, ...]
    lots: dict[str, str] | None
    zones: gpd.GeoDataFrame


def load_plan(session: Any, folder: str | Path) -> SavedPlan:
    """Read a plan saved by the workshop or ``carezones zones`` (its ``zones.gpkg``).

    Every street unit takes the zone whose polygon contains it (a unit in none, the zone of
    its nearest unit on the network); ``lots`` is None when the file has no ``lot_id``.
    """
    path = Path(folder)
    path = path / "zones.gpkg" if path.is_dir() else path
    if not path.is_file():
        raise ValidationError(
            [Problem(str(path), "missing file", "a zones.gpkg written by carezones", "none")]
        )
    layers = pyogrio.list_layers(path)[:, 0].tolist()
    zones = gpd.read_file(path, layer="zones" if "zones" in layers else None)
    if "zone_id" not in zones.columns or zones.crs is None:
        raise ValidationError(
            [Problem(str(path), "not a zones file", "polygons with a zone_id and a CRS", "other")]
        )
    units = session.units
    zones = zones.to_crs(units.crs)
    labels = np.full(units.n, -1, dtype=np.intp)
    for z, geom in enumerate(zones.geometry):
        if geom is None or shapely.is_empty(geom):
            continue
        inside = shapely.contains_xy(geom, units.xy[:, 0], units.xy[:, 1])
        labels[(labels < 0) & inside] = z
    if (labels < 0).any() and (labels >= 0).any():
        labelled = np.flatnonzero(labels >= 0)
        _, _, src = dijkstra(units.graph, indices=labelled, min_only=True, return_predecessors=True)
        lost = labels < 0
        labels[lost] = np.where(src[lost] >= 0, labels[np.maximum(src[lost], 0)], 0)
    ids = tuple(zones["zone_id"].astype(str))
    locked = tuple(bool(v) for v in zones["locked"]) if "locked" in zones else (False,) * len(ids)
    lots = None
    if "lot_id" in zones.columns:
        lots = {z: ("" if pd.isna(v) else str(v)) for z, v in zip(ids, zones["lot_id"],
                                                                   strict=True)}  # fmt: skip
    return SavedPlan(np.maximum(labels, 0), ids, locked, lots, zones)
