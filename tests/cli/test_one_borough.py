"""One borough, one set of totals: population, zones, routes, workshop and report agree (issue 28).

The bundled Helsinki extract has no administrative boundary, so the borough is a polygon
file (the middle of the extract). The synthetic people live inside it; five clients
outside it (near streets) and two far from any street are added, as a real client list
has. Every command must then count the same clients and hours in zones, and the same
seven clients in no zone, each with its reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from carezones import datasets, expand_visits, read_clients
from carezones.cli import app
from carezones.maps import zone_colours
from carezones.tables import data_file
from carezones.workshop import workshop
from readable_check import readable_problems

runner = CliRunner()


def run(*args: str) -> str:
    """Run a command; its output (it must succeed)."""
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The pipeline run once on one boundary: population, zones, routes and the reports."""
    folder = tmp_path_factory.mktemp("borough")
    net = datasets.load_default_network(modes="walk")
    nodes = net.nodes["walk"]
    west, south, east, north = nodes.total_bounds
    dx, dy = (east - west) * 0.2, (north - south) * 0.2
    box = shapely.box(west + dx, south + dy, east - dx, north - dy)
    gpd.GeoDataFrame({"name": ["borough"]}, geometry=[box], crs=nodes.crs).to_file(
        folder / "borough.gpkg", driver="GPKG"
    )
    out = {"folder": folder}
    out["population"] = run("population", "--network", "default", "--boundary",
                            folder / "borough.gpkg", "--clients", 150, "--carers", "auto",
                            "--providers", 2, "--format", "csv", "--out",
                            folder / "pop")  # fmt: skip
    people = pd.read_csv(folder / "pop" / "clients.csv", dtype=str)
    placed = gpd.GeoDataFrame(
        people, geometry=gpd.points_from_xy(people["lon"].astype(float),
                                            people["lat"].astype(float)), crs=4326
    ).to_crs(nodes.crs)  # fmt: skip
    inside = shapely.contains_xy(box, placed.geometry.x, placed.geometry.y)
    out["inside_before"] = bool(inside.all())
    # five clients outside the borough (at street nodes), two 3 km from any street
    outside = nodes[~shapely.contains_xy(box, nodes.geometry.x, nodes.geometry.y)].iloc[::97][:5]
    far = [shapely.Point(east + 3000, north + 3000), shapely.Point(west - 3000, south - 3000)]
    extra = gpd.GeoDataFrame(
        {"client_id": [f"X{i}" for i in range(7)], "weekly_hours": [7.0, 14.0, 3.5, 10.5, 7.0,
                                                                    21.0, 7.0]},
        geometry=list(outside.geometry) + far, crs=nodes.crs,
    ).to_crs(4326)  # fmt: skip
    extra["lon"], extra["lat"] = extra.geometry.x, extra.geometry.y
    clients = pd.concat([people, pd.DataFrame(extra.drop(columns="geometry"))], ignore_index=True)
    clients.to_csv(folder / "clients.csv", index=False)
    out["zones"] = run("zones", "--network", "default", "--clients", folder / "clients.csv",
                       "--boundary", folder / "borough.gpkg", "--min-weekly-hours", 250,
                       "--providers", 2, "--min-provider-hours", 400, "--out",
                       folder / "zones")  # fmt: skip
    out["routes"] = run("routes", "--network", "default", "--clients", folder / "clients.csv",
                        "--carers", folder / "pop" / "carers.csv", "--zones", folder / "zones",
                        "--day", "monday", "--max-iterations", 30, "--out",
                        folder / "routes")  # fmt: skip
    run("report", folder / "zones")
    run("report", folder / "routes")
    out["clients"] = read_clients(folder / "clients.csv")
    return out


def test_population_lives_inside_the_boundary(borough: dict[str, Any]) -> None:
    """`population --boundary FILE` places every synthetic person inside the borough."""
    assert borough["inside_before"]
    assert "people placed in" not in borough["population"]  # a file: no extract name to say


def test_every_command_counts_the_same_clients_and_hours(borough: dict[str, Any]) -> None:
    """Zones, assignments, routes, their reports and the workshop agree on every total."""
    folder, clients = borough["folder"], borough["clients"]
    hours = clients.set_index("client_id")["weekly_hours"].astype(float)
    zoned = json.loads((folder / "zones" / "report.json").read_text())
    summary = zoned["summary"]
    lost = {r["client_id"]: r["reason"] for r in zoned["unassigned"]}
    assert set(lost) == {f"X{i}" for i in range(7)}
    assert sum(r.startswith("outside the boundary") for r in lost.values()) == 5
    assert sum(r.startswith("far from the walking network") for r in lost.values()) == 2
    assert summary["n_clients"] + summary["n_unassigned"] == len(clients)
    assert summary["unassigned_hours"] == pytest.approx(hours[list(lost)].sum())
    zones = gpd.read_file(folder / "zones" / "zones.gpkg", layer="zones")
    assert zones["weekly_hours"].sum() == pytest.approx(summary["total_hours"])
    assert summary["total_hours"] + summary["unassigned_hours"] == pytest.approx(hours.sum())

    # every client in assignments.csv once; a client in no zone has its reason there
    for table in ("data/assignments.csv", "assignments.csv"):
        assigned = pd.read_csv(folder / "zones" / table, dtype=str, keep_default_na=False)
        assert sorted(assigned["client_id"]) == sorted(clients["client_id"])
        none = assigned[assigned["zone_id"] == ""].set_index("client_id")["reason"]
        assert none.to_dict() == lost
        assert (assigned.loc[assigned["zone_id"] != "", "reason"] == "").all()

    # routes: the same totals, and every Monday visit of a client in no zone, with why
    routed = json.loads((folder / "routes" / "report.json").read_text())
    totals = routed["totals"]
    for key in ("n_zones", "n_clients", "n_unassigned"):
        assert totals[key] == summary[key], key
    for key in ("total_hours", "unassigned_hours"):
        assert totals[key] == pytest.approx(summary[key]), key
    monday = expand_visits(clients, days="monday")
    lost_visits = monday[monday["client_id"].isin(list(lost))]
    unscheduled = pd.read_csv(folder / "routes" / "data" / "unscheduled.csv", dtype=str)
    why = unscheduled[unscheduled["reason"].str.startswith("client in no zone")]
    assert sorted(why["visit_id"]) == sorted(lost_visits["visit_id"])
    for row in why.itertuples():
        assert row.reason == f"client in no zone: {lost[row.client_id]}"

    # the console lines: zones and routes say the same totals
    line = re.search(r"Totals: (.*)", borough["zones"]).group(1)
    assert f"Totals: {line}" in borough["routes"]
    assert "7 clients" in line and "5 outside the boundary; 2 far from the walking network" in line

    # the reports say them on page one
    for run_dir in ("zones", "routes"):
        page = (folder / run_dir / "report.html").read_text()
        assert line.replace("'", "&#x27;") in page, run_dir

    # the outcomes count every client, and the reconciliation holds
    outcomes = pd.read_csv(folder / "routes" / "data" / "outcomes.csv").set_index("outcome")
    assert outcomes.loc["weekly_hours", "value"] == pytest.approx(hours.sum())
    rec = pd.read_csv(folder / "routes" / "data" / "reconciliation.csv").set_index("line")
    assert rec.loc["difference (0)"].abs().max() < 1e-6

    # the workshop, continuing from the zones: the same clients and hours in zones
    ws = workshop("default", folder / "clients.csv", zones=folder / "zones",
                  min_weekly_hours=250, out=folder / "ws", start=False)  # fmt: skip
    try:
        seen = ws.session.scores()["summary"]
    finally:
        ws.stop()
    assert seen["n_clients"] == summary["n_clients"]
    assert seen["n_unassigned"] == summary["n_unassigned"]
    assert seen["total_hours"] == pytest.approx(summary["total_hours"])
    assert seen["unassigned_hours"] == pytest.approx(summary["unassigned_hours"])
    assert seen["why_unassigned"] == "5 outside the boundary; 2 far from the walking network"


def test_the_tables_people_open_are_readable(borough: dict[str, Any]) -> None:
    """Every readable CSV: a unit in each header or text, no figure with three decimals."""
    for run_dir in ("zones", "routes"):
        assert readable_problems(borough["folder"] / run_dir) == [], run_dir
    routes = pd.read_csv(borough["folder"] / "routes" / "routes.csv", dtype=str)
    assert routes["start (HH:MM)"].str.fullmatch(r"\d\d:\d\d").all()
    assert "zone_name" in routes.columns  # names beside ids, as on the maps
    providers = pd.read_csv(borough["folder"] / "zones" / "providers.csv", dtype=str)
    assert providers["provider_id"].notna().all()  # matched, or "to tender"
    carers = pd.read_csv(borough["folder"] / "routes" / "carers.csv")
    days = carers[["days_walking (carer-days)", "days_cycling (carer-days)",
                   "days_driving (carer-days)"]].sum(axis=1)  # fmt: skip
    assert "mode" not in carers.columns and days.max() <= 1  # a mode per carer-day: one day
    outcomes = pd.read_csv(borough["folder"] / "routes" / "outcomes.csv").set_index("outcome")
    assert outcomes.loc["demanded_hours_per_week", "unit"] == "h/week, 1 day x 7"
    assert outcomes.loc["distinct_carers_per_client", "unit"] == "carers in 1 day"
    assert outcomes.loc["scheduled_share", "unit"] == "%"
    # each client's carers, named, over the one day routed
    continuity = pd.read_csv(borough["folder"] / "routes" / "continuity.csv", dtype=str)
    assert {"distinct_carers (carers in 1 day)", "main_carer", "main_carer_share (% in 1 day)",
            "carers"} <= set(continuity.columns)  # fmt: skip
    assert (continuity["carers"].str.split(";").str[0] == continuity["main_carer"]).all()
    exact = pd.read_csv(borough["folder"] / "routes" / "data" / "outcomes.csv")
    share = exact.set_index("outcome").loc["scheduled_share", "value"]
    assert outcomes.loc["scheduled_share", "value"] == pytest.approx(100 * share, abs=0.05)
    assert np.isfinite(share)


def test_the_maps_show_zones_demand_unserved_visits_and_routes_per_zone(
    borough: dict[str, Any],
) -> None:
    """routes.html: zones, demand, unserved visits per hexagon and a routes layer per zone."""
    page = (borough["folder"] / "routes" / "routes.html").read_text()
    zones = gpd.read_file(borough["folder"] / "zones" / "zones.gpkg", layer="zones")
    for zone in zones["zone_id"]:
        assert f"Routes in {zone}" in page
    assert "cz-demand" in page and "Unserved visits" in page
    lost = pd.read_csv(data_file(borough["folder"] / "routes", "unscheduled.csv"), dtype=str)
    n = int((lost["day"] == "monday").sum())
    assert n > 0 and f"{n:,} unserved visits" in page  # every one counted in the legend
    drawn = re.search(r"; (\d+) visits? elsewhere \(hexagons of fewer", page)
    placeless = re.search(r"; (\d+) visits of clients with no known place", page)
    hidden = sum(int(m.group(1)) for m in (drawn, placeless) if m)
    assert ("cz-unserved" in page) == (hidden < n)  # a hexagon drawn unless all are too few
    zone_page = (borough["folder"] / "zones" / "zones.html").read_text()
    for colour in set(zone_colours(zones).values()):
        assert colour in page and colour in zone_page  # one colour per zone on both maps
