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
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from carezones._files import check_out_folder, write_csv
from carezones.demand import FALSE, TRUE
from carezones.exceptions import ProblemCollector
from carezones.tables import for_people
from carezones.zoning import read_zones

__all__ = [
    "EXISTS",
    "FILES",
    "SavedPlan",
    "load_plan",
    "save_plan",
    "saved_boundary",
    "zones_file",
]


#: The rule named when a save would write over files already there (the server's 409).
EXISTS = "would overwrite"
#: The files a save writes, by name.
FILES = {"zones": "zones.gpkg", "assignments": "assignments.csv", "report": "report.json",
         "providers": "providers.csv", "scenario": "scenario.toml"}  # fmt: skip


def save_plan(
    session: Any,
    folder: str | Path,
    *,
    overwrite: bool = False,
    network_source: str | Path | None = None,
    clients_source: str | Path | None = None,
    carers_source: str | Path | None = None,
) -> dict[str, Path]:
    """Write the session's plan to ``folder``; returns the files written by name.

    The files are written to a temporary folder inside ``folder`` and moved into place
    once all are written, so a failure (a full disk, no permission) writes nothing. Tables
    go through :func:`carezones._files.write_csv`: an id starting ``=``, ``+``, ``-`` or
    ``@`` is not a formula when the file is opened in a spreadsheet.

    Parameters
    ----------
    session
        A :class:`~carezones.workshop.Session`.
    folder
        The output folder (made when missing).
    overwrite
        Write over the files of a plan already saved in ``folder``; False (the default):
        a :class:`ValidationError` (rule :data:`EXISTS`) naming them, nothing written.
    network_source, clients_source, carers_source
        The files the workshop was started from, named in ``scenario.toml``.

    Returns
    -------
    dict
        ``{"zones": ..., "assignments": ..., "report": ..., "providers": ..., "scenario": ...}``.

    Raises
    ------
    ValidationError
        When ``folder`` is a file or cannot be made or written, a file to write is a
        symbolic link, or (without ``overwrite``) a file is already there.
    """
    out = Path(folder)
    paths = {name: out / file for name, file in FILES.items()}
    where = f"save: folder {out}"
    if out.exists() and not out.is_dir():
        raise ProblemCollector(where).error("not a folder", "a folder to save in", "a file")
    links = [p.name for p in paths.values() if p.is_symlink()]
    if links:
        raise ProblemCollector(where).error(
            "symbolic link", "plain files to write", ", ".join(links)
        )
    taken = [p.name for p in paths.values() if p.exists()]
    if taken and not overwrite:
        raise ProblemCollector(where).error(
            EXISTS,
            "a folder without a saved plan, or overwrite: true",
            ", ".join(taken) + " already there",
        )
    made = _first_missing(out)
    check_out_folder(out, option="save: folder")
    try:
        with tempfile.TemporaryDirectory(prefix=".carezones-save-", dir=out) as tmp:
            staged = {name: Path(tmp) / file for name, file in FILES.items()}
            _write(session, staged, out, network_source, clients_source, carers_source)
            for name, path in staged.items():
                os.replace(path, paths[name])
    except BaseException as exc:
        if made is not None:  # nothing written: not even the folder
            shutil.rmtree(made, ignore_errors=True)
        if isinstance(exc, OSError | pyogrio.errors.DataSourceError):
            found = getattr(exc, "strerror", None) or type(exc).__name__
            raise ProblemCollector(where).error(
                "cannot write", "a folder you may write to, with room", found
            ) from None
        raise
    return paths


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (None: it exists)."""
    missing = None
    for p in (path, *path.parents):
        if p.exists():
            break
        missing = p
    return missing


def _write(
    session: Any,
    paths: dict[str, Path],
    out: Path,
    network_source: str | Path | None,
    clients_source: str | Path | None,
    carers_source: str | Path | None,
) -> None:
    """Write the five files of a plan to ``paths`` (``out``: the folder they will be in)."""
    p = session.plan
    plan = session.zone_plan()
    zones = plan.zones.copy()
    zones["lot_id"] = list(p.lots)
    zones.to_file(paths["zones"], layer="zones", driver="GPKG")
    if any(p.lots):
        lots = zones[zones["lot_id"] != ""].dissolve(by="lot_id", aggfunc={"weekly_hours": "sum"})
        lots = lots.reset_index()[["lot_id", "weekly_hours", "geometry"]]
        lots.to_file(paths["zones"], layer="provider_lots", driver="GPKG")
    if session.boundary is not None:
        session.boundary.to_file(paths["zones"], layer="boundary", driver="GPKG")
    write_csv(plan.assignments(), paths["assignments"], index=False)
    write_csv(
        for_people(pd.DataFrame({"zone_id": zones["zone_id"], "lot_id": zones["lot_id"],
                                 "weekly_hours": zones["weekly_hours"]})),
        paths["providers"], index=False,
    )  # fmt: skip
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
    paths["report"].write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    paths["scenario"].write_text(
        _scenario_toml(session, out, network_source, clients_source, carers_source),
        encoding="utf-8",
    )


def _toml_str(value: str | Path) -> str:
    return json.dumps(str(value))  # a TOML basic string: JSON's escapes are TOML's


def _scenario_toml(
    session: Any,
    out: Path,
    network: str | Path | None,
    clients: str | Path | None,
    carers: str | Path | None,
) -> str:
    """A scenario that runs as it is and keeps every saved zone (``[zones] locked``).

    Without a carers file, ``carers = "auto"``: a synthetic workforce sized to the
    clients' visits (said so in the file and in the run's assumptions). The rules the
    plan breaks, if any, are listed at the top.
    """
    p = session.plan
    broken = session.scores()["violations"]
    lines = [
        "# Reproduces the plan saved by `carezones workshop`: every zone of zones.gpkg is",
        "# locked, so the zoner keeps them as they are; provider lots are grouped again.",
        "# Run it with: carezones scenario run scenario.toml --out run/",
    ]
    if broken:
        lines.append(f"# WARNING: the plan breaks {len(broken)} rule(s) (report.json lists them):")
        lines += [f"#   {v['rule']}: {v['zone_id']}: {v['detail']}" for v in broken[:20]]
    lines += [
        f"name = {_toml_str('workshop-' + out.resolve().name)}",
        'kind = "now"',
        f"seed = {int(session.random_state or 0)}",
        "",
        "[network]",
        f"source = {_toml_str(Path(network).resolve() if network else 'default')}",
        *([f"boundary = {_toml_str(session.boundary_source)}"]
          if getattr(session, "boundary_source", None) else []),
        "",
    ]  # fmt: skip
    if clients:
        lines += ["[data]", f"clients = {_toml_str(Path(clients).resolve())}"]
        if carers:
            lines.append(f"carers = {_toml_str(Path(carers).resolve())}")
        else:
            lines += ["# No carers file was given to the workshop: a synthetic workforce sized",
                      "# to these clients' visits. Name your carers file here to plan with it.",
                      'carers = "auto"']  # fmt: skip
        lines.append("")
    else:
        n = len(session.demand.ids)
        hours = float(session.demand.hours.sum())
        lines += ["# The workshop was given a table, not a file: these are synthetic clients",
                  "# of the same number and hours. To plan your own, write them to a file",
                  "# (carezones.write_clients) and replace this table with",
                  '# [data] clients = "clients.csv" and carers = "auto" (or your carers).',
                  "[population]", f"n_clients = {n}", f"total_weekly_hours = {hours:.1f}",
                  'n_carers = "auto"', f"seed = {int(session.random_state or 0)}", ""]  # fmt: skip
    lines += [
        "[zones]",
        f"min_weekly_hours = {session.min_weekly_hours:g}",
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


def saved_boundary(folder: str | Path) -> gpd.GeoDataFrame | None:
    """The ``boundary`` layer of a saved plan's ``zones.gpkg`` (None when it has none)."""
    path = zones_file(folder)
    if not path.is_file() or "boundary" not in [str(n) for n, _ in pyogrio.list_layers(path)]:
        return None
    return gpd.read_file(path, layer="boundary")


def zones_file(folder: str | Path) -> Path:
    """The ``zones.gpkg`` of a saved plan's folder (``folder`` itself when it names a file)."""
    path = Path(folder)
    return path / "zones.gpkg" if path.is_dir() or not path.suffix else path


def load_plan(session: Any, folder: str | Path) -> SavedPlan:
    """Read a plan saved by the workshop or ``carezones zones`` (its ``zones.gpkg``).

    The file is checked as ``carezones zones --check`` checks one
    (:func:`~carezones.zoning.read_zones`: polygons with a CRS, unique ``zone_id``), its
    ``locked`` values must be booleans (``true``/``false``, ``yes``/``no``, ``1``/``0``;
    ``"no"`` is not locked) and its zones must lie on this walking network: each holds at
    least one street unit. Every street unit takes the zone whose polygon contains it (a
    unit in none, the zone of its nearest unit on the network); ``lots`` is None when the
    file has no ``lot_id``.

    Raises
    ------
    ValidationError
        Listing every problem, naming the file, the zone and the column.
    """
    path = zones_file(folder)
    zones = read_zones(path)
    where = str(path)
    check = ProblemCollector(where, ids=zones["zone_id"].tolist(), id_column="zone_id")
    locked = _flags(zones["locked"], check) if "locked" in zones else [False] * len(zones)
    units = session.units
    zones = zones.to_crs(units.crs)
    labels = np.full(units.n, -1, dtype=np.intp)
    for z, geom in enumerate(zones.geometry):
        inside = shapely.contains_xy(geom, units.xy[:, 0], units.xy[:, 1])
        labels[(labels < 0) & inside] = z
    held = np.bincount(labels[labels >= 0], minlength=len(zones))
    if not held.any():
        check.add("off the network", "zones over this workshop's walking network",
                  f"none of its {units.n:,} street units inside any of the {len(zones)} zones "
                  "(another area, or another CRS)", column="geometry")  # fmt: skip
    else:
        for z in np.flatnonzero(held == 0):
            check.add("no street", "a zone holding at least one street unit of the network",
                      "none inside it (too small, or off the network)", int(z), "geometry")
    check.raise_if_any()
    labels = _fill(units, labels)
    ids = tuple(zones["zone_id"].astype(str))
    lots = None
    if "lot_id" in zones.columns:
        lots = {z: ("" if pd.isna(v) else str(v)) for z, v in zip(ids, zones["lot_id"],
                                                                   strict=True)}  # fmt: skip
    return SavedPlan(labels, ids, tuple(locked), lots, zones)


def _flags(values: pd.Series, check: ProblemCollector) -> list[bool]:
    """The ``locked`` column as booleans: true/false, yes/no, 1/0 (text or numbers)."""
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool | np.bool_) or (isinstance(v, int | np.integer) and v in (0, 1)):
            out.append(bool(v))
            continue
        text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().lower()
        if text in TRUE | FALSE or text == "":
            out.append(text in TRUE)
        else:
            found = repr(v) if len(repr(v)) <= 40 else repr(v)[:37] + "..."
            check.add("not true or false", "true/false, yes/no or 1/0", found, i, "locked")
            out.append(False)
    return out


def _fill(units: Any, labels: np.ndarray) -> np.ndarray:
    """Units in no zone: the zone of the nearest unit on the network (else in a line)."""
    lost = labels < 0
    if not lost.any():
        return labels
    labelled = np.flatnonzero(~lost)
    _, _, src = dijkstra(units.graph, indices=labelled, min_only=True, return_predecessors=True)
    reached = lost & (src >= 0)
    labels = labels.copy()
    labels[reached] = labels[src[reached]]
    apart = np.flatnonzero(labels < 0)  # on a piece of network no zone touches
    if len(apart):
        _, nearest = cKDTree(units.xy[labelled]).query(units.xy[apart])
        labels[apart] = labels[labelled[np.asarray(nearest, dtype=np.intp)]]
    return labels
