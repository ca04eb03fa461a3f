"""Tests for carezones.report: tables for Excel and the report pack (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from carezones import datasets
from carezones.cli.app import app
from carezones.report import build_report, for_people, hhmm, write_workbook


def test_times_of_day_become_hh_mm() -> None:
    """Minutes since midnight read as HH:MM; missing stays empty; past midnight is marked."""
    assert hhmm(pd.Series([0.0, 430.8833, 1439.99, 1441.0, np.nan])).tolist() == [
        "00:00", "07:10", "23:59", "00:01+1", ""
    ]  # fmt: skip


def test_tables_for_people_round_and_name_units() -> None:
    """Figures rounded as people quote them, shares as %, units in headers, ids unchanged."""
    frame = pd.DataFrame(
        {
            "zone_id": ["Z01"],
            "weekly_hours": [206.49999999999997],
            "start": [430.8833],
            "wait": [3.33333],
            "share_within_15_min": [0.123456],
            "area_km2": [1.234567],
        }
    )
    out = for_people(frame).iloc[0].to_dict()
    assert out == {
        "zone_id": "Z01",
        "weekly_hours (h/week)": 206,
        "start (HH:MM)": "07:10",
        "wait (min)": 3.33,
        "share_within_15_min (%)": 12.3,
        "area_km2 (km²)": 1.23,
    }


def test_workbook_has_a_sheet_per_table(tmp_path: Path) -> None:
    """The workbook holds one sheet per table with HH:MM times and units in the headers."""
    routes = pd.DataFrame({"carer_id": ["k1"], "arrival": [481.5], "travel_minutes": [12.3456]})
    zones = pd.DataFrame({"zone_id": ["Z01"], "weekly_hours": [1000.0000001]})
    path = write_workbook({"routes": routes, "zones": zones}, tmp_path / "r.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["routes", "zones"]
    rows = list(book["routes"].values)
    assert rows[0] == ("carer_id", "arrival (HH:MM)", "travel_minutes (min)")
    assert rows[1] == ("k1", "08:01", 12.3)
    assert list(book["zones"].values)[1] == ("Z01", 1000)


@pytest.fixture(scope="module")
def zones_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `carezones zones` run on the bundled Helsinki extract, with provider lots."""
    folder = tmp_path_factory.mktemp("run")
    net = datasets.load_default_network(modes="walk")
    clients, _, _ = datasets.synthetic_population(
        net, n_clients=200, n_carers=60, n_providers=2, random_state=0
    )
    clients = clients.to_crs(4326)
    frame = clients.assign(lon=clients.geometry.x, lat=clients.geometry.y)
    frame.drop(columns="geometry").to_csv(folder / "clients.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["zones", "--network", str(datasets.default_osm_path()), "--clients",
         str(folder / "clients.csv"), "--out", str(folder / "zones"), "--min-weekly-hours", "300",
         "--providers", "2", "--min-provider-hours", "600"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder / "zones"


def test_report_of_a_zones_run(zones_run: Path, tmp_path: Path) -> None:
    """`carezones report` writes one self-contained page (under 5 MB) and a workbook."""
    result = CliRunner().invoke(app, ["report", str(zones_run), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text().replace("<wbr>", "")  # header break points
    assert (tmp_path / "r.html").stat().st_size < 5e6
    assert "data:image/png;base64," in page and "<script" not in page
    assert "Hours per zone (floor 300 h/week)" in page and "weekly_hours (h/week)" in page
    assert "polsby_popper" in page and "@page{size:A4" in page
    book = load_workbook(tmp_path / "r.xlsx")
    assert "zones" in book.sheetnames
    header = next(book["zones"].values)
    assert {"zone_id", "name", "lot_id", "weekly_hours (h/week)"} <= set(header)


def test_report_of_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    """A folder with no run in it is refused with what was looked for."""
    from carezones import ValidationError

    with pytest.raises(ValidationError, match="no run here"):
        build_report(tmp_path)


def test_version() -> None:
    """`carezones --version` prints the version."""
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("carezones ")


def test_scenario_compare_writes_the_then_vs_now_pack(tmp_path: Path) -> None:
    """`scenario compare` of then and now writes report.html with the comparison and both maps."""
    from scenario_check import tiny

    then, now = tiny(tmp_path, "then", "then"), tiny(tmp_path, "now", "now")
    done = CliRunner().invoke(
        app, ["scenario", "compare", str(then), str(now), "--out", str(tmp_path / "cmp")]
    )
    assert done.exit_code == 0, done.output
    page = tmp_path / "cmp" / "report.html"
    text = page.read_text().replace("<wbr>", "")
    assert "Then and now" in text and "now - then (% change)" in text
    assert "travel time over contact time" in text  # each outcome said in words
    assert re.search(r"\([+-]\d+\.\d%\)", text)  # a difference with its % change
    assert text.count("data:image/png;base64,") >= 2  # a map per scenario, side by side
    assert "alt='then: no zones'" in text  # the providers' one area, not 3 stacked polygons
    assert "No zones: each provider's clients across the whole area" in text
    assert page.stat().st_size < 5e6
    build_report(tmp_path / "cmp", tmp_path / "again.html")  # timed in bench: not here
    assert "comparison" in load_workbook(tmp_path / "again.xlsx").sheetnames
    dual = (tmp_path / "cmp" / "then_now.html").read_text()  # the side-by-side map
    # "then": the providers' one shared area drawn once, said so, not 3 stacked polygons
    assert dual.count("cz-zone-label\\u0027") == 1 + 3  # JSON-encoded: 1 area + 3 zones
    assert "\\u003cb\\u003eWhole area\\u003c/b\\u003e (3 providers, no zones)" in dual
    assert "cz-street-label" in dual  # street names on the offline background


def test_plan_map_accepts_what_the_cli_wrote(zones_run: Path) -> None:
    """plan_map takes zones.gpkg's zones and its provider_lots layer as the CLI wrote them."""
    import geopandas as gpd

    from carezones.maps import plan_map

    zones = gpd.read_file(zones_run / "zones.gpkg", layer="zones")
    lots = gpd.read_file(zones_run / "zones.gpkg", layer="provider_lots")
    assert {"lot_id", "provider_id", "name"} <= set(zones.columns)
    page = plan_map(zones, lots=lots).get_root().render()
    for lot, provider in zip(lots["lot_id"], lots["provider_id"], strict=True):
        assert f"{lot} ({provider}):" in page  # each lot in the legend, with its provider
    assert (zones_run / "zones.html").exists()


def test_colliding_sheet_names_give_one_sheet_each(tmp_path: Path) -> None:
    """Names equal in their first 31 characters, or but for case, still get a sheet each."""
    long = "scenario-with-a-very-long-name-number-"
    tables = {
        f"{long}one zones": pd.DataFrame({"zone_id": ["A1", "A2"]}),
        f"{long}two zones": pd.DataFrame({"zone_id": ["B1"]}),
        "now zones": pd.DataFrame({"zone_id": ["C1"]}),
        "Now zones": pd.DataFrame({"zone_id": ["D1"]}),
        "a/b:c?": pd.DataFrame({"zone_id": ["E1"]}),
    }
    book = load_workbook(write_workbook(tables, tmp_path / "r.xlsx"))
    names = book.sheetnames
    assert names[0] == "contents" and len(names) == len(tables) + 1
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    contents = {row[0]: row[1] for row in list(book["contents"].values)[1:]}
    assert sorted(contents.values()) == sorted(tables)
    for sheet, table in contents.items():  # each table in its own sheet, whole
        rows = [r[0] for r in list(book[sheet].values)[1:]]
        assert rows == tables[table]["zone_id"].tolist()


def test_two_long_scenario_names_give_two_sheets(tmp_path: Path) -> None:
    """A comparison of two scenarios whose names share 31 characters keeps every table apart."""
    names = [f"scenario-with-a-very-long-name-number-{n}" for n in ("one", "two")]
    folder = tmp_path / "cmp"
    folder.mkdir()
    (folder / "comparison.csv").write_text(
        f"outcome,unit,{names[0]},{names[1]}\nn_clients,clients,40,41\n"
    )
    for k, name in enumerate(names):
        run = folder / name
        run.mkdir()
        (run / "outcomes.csv").write_text(f"outcome,value,unit\nn_clients,{40 + k},clients\n")
        (run / "assumptions.csv").write_text(f"assumption,value\nseed,{k}\n")
        (run / "provider_outcomes.csv").write_text(f"provider_id,weekly_hours\nP{k},{100 + k}\n")
        (run / "unscheduled.csv").write_text(f"visit_id,reason\nv{k},no carer\n")
    _, path = build_report(folder)
    book = load_workbook(path)
    assert len(book.sheetnames) == 1 + 1 + 2 * 3  # contents, comparison, 3 tables a scenario
    contents = {row[1]: row[0] for row in list(book["contents"].values)[1:]}
    for k, name in enumerate(names):
        providers = list(book[contents[f"{name} providers"]].values)
        assert providers[1][0] == f"P{k}" and len(providers) == 2
        assumptions = list(book[contents[f"{name} assumptions"]].values)
        assert assumptions[1] == ("seed", k)
