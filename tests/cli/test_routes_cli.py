"""``carezones routes``: files in, routes.csv, unscheduled.csv and report.json out."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from carezones import datasets
from carezones.cli import app
from carezones.demand import expand_visits, write_carers, write_clients
from carezones.zoning import NeighbourhoodZoner


@pytest.fixture(scope="module")
def files(tmp_path_factory, helsinki):
    """A small synthetic population on Helsinki, zoned in two, written as files."""
    folder = tmp_path_factory.mktemp("routes")
    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=24, n_carers=14, n_providers=1, random_state=3
    )
    zoner = NeighbourhoodZoner(
        clients["weekly_hours"].sum() / 3, n_zones=2, n_init=1, random_state=0
    ).fit(clients, network=helsinki)
    (folder / "zones").mkdir()
    zoner.zones_.to_file(folder / "zones" / "zones.gpkg", layer="zones", driver="GPKG")
    zoner.plan_.assignments().to_csv(folder / "zones" / "assignments.csv", index=False)
    write_clients(clients, folder / "clients.gpkg")
    write_carers(carers, folder / "carers.gpkg")
    return folder, clients


def test_routes_command_writes_the_plan(files) -> None:
    """Every Monday visit is in routes.csv or unscheduled.csv; the report has no violation."""
    folder, clients = files
    out = folder / "out"
    args = ["routes", "--network", "helsinki", "--clients", str(folder / "clients.gpkg"),
            "--carers", str(folder / "carers.gpkg"), "--zones", str(folder / "zones"),
            "--day", "monday", "--out", str(out), "--seconds", "2", "--jobs", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "[5/5]" in result.output
    routes = pd.read_csv(out / "data" / "routes.csv", dtype={"visit_id": str})  # exact
    unscheduled = pd.read_csv(out / "data" / "unscheduled.csv", dtype={"visit_id": str})
    visits = expand_visits(clients, days="monday")
    assert set(routes["visit_id"]) | set(unscheduled["visit_id"]) == set(visits["visit_id"])
    assert not set(routes["visit_id"]) & set(unscheduled["visit_id"])
    needed = {"zone_id", "day", "carer_id", "start", "end", "travel_seconds", "mode"}
    assert needed <= set(routes.columns)
    readable = pd.read_csv(out / "routes.csv", dtype=str)  # for people: HH:MM, units
    assert {"arrival (HH:MM)", "start (HH:MM)"} <= set(readable.columns)
    assert readable["start (HH:MM)"].str.fullmatch(r"\d\d:\d\d").all()
    report = json.loads((out / "report.json").read_text())
    assert report["violations"] == 0 and report["visits"] == len(visits)
    text = "".join((out / f).read_text() for f in ("routes.csv", "data/routes.csv", "report.json"))
    assert "POINT" not in text and "lon" not in text  # no client location in the outputs
    page = (out / "routes.html").read_text()  # the map: offline, zones and Monday's routes
    assert "carezones: 2 zones" in page and "Monday" in page
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", page)  # nothing fetched
    named = [c for c in clients["client_id"] if re.search(rf"\b{re.escape(str(c))}\b", page)]
    assert named == []  # no client is named on the map


def test_routes_command_names_a_missing_zones_folder(files) -> None:
    """A zones folder without zones.gpkg or assignments.csv is a clear error."""
    folder, _ = files
    (folder / "empty").mkdir(exist_ok=True)
    args = ["routes", "--network", "helsinki", "--clients", str(folder / "clients.gpkg"),
            "--carers", str(folder / "carers.gpkg"), "--zones", str(folder / "empty")]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "zones.gpkg or assignments.csv" in str(result.exception)


def test_routes_map_opens_in_chromium_with_labels_apart(files, tmp_path) -> None:
    """routes.html opens offline with no console error: routes by mode, zone labels apart."""
    from browser_check import CHROMIUM, chromium, keep, label_boxes, overlapping

    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium absent ({CHROMIUM})")
    folder, _ = files
    out = tmp_path / "out"
    args = ["routes", "--network", "helsinki", "--clients", str(folder / "clients.gpkg"),
            "--carers", str(folder / "carers.gpkg"), "--zones", str(folder / "zones"),
            "--out", str(out), "--seconds", "2", "--max-iterations", "50",
            "--jobs", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = out / "routes.html"
    done = chromium(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    errors = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln and "rror" in ln]
    assert not errors, errors
    dom = done.stdout
    assert dom.count('class="cz-zone-label"') == 2
    assert re.search(r"Routes in \S+[^(<]* \(\d+ carers?\)", dom)  # a layer per zone
    boxes = label_boxes(dom)
    assert boxes and not overlapping(boxes), overlapping(boxes)
    picture = tmp_path / "routes-map.png"
    chromium(page, tmp_path / "shot", f"--screenshot={picture}")
    keep(picture)
    assert picture.stat().st_size > 10_000
