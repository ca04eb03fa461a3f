"""Tests of `carezones demo`: the whole pipeline on the bundled map, with map, tables, figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carezones.cli import app
from readable_check import readable_problems


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_writes_every_output(demo_out: tuple[Path, str]) -> None:
    """The demo writes the offline map, zones, routes, outcomes, report and figures."""
    out, output = demo_out
    for name in ("plan.html", "zones.gpkg", "routes.csv", "unscheduled.csv", "outcomes.csv",
                 "report.json", "zones.png", "hours_per_zone.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    assert str((out / "plan.html").resolve()) in output


def test_demo_zones_meet_floor_and_visits_accounted(demo_out: tuple[Path, str]) -> None:
    """Every zone meets the floor, and every visit is routed or unscheduled with a reason."""
    out, _ = demo_out
    outcomes = pd.read_csv(out / "outcomes.csv").set_index("outcome")["value"]
    assert outcomes["zones_below_floor"] == 0
    assert outcomes["providers_below_floor"] == 0
    routes = pd.read_csv(out / "routes.csv")
    unscheduled = pd.read_csv(out / "unscheduled.csv")
    assert unscheduled["reason"].notna().all()
    assert not set(routes["visit_id"]) & set(unscheduled["visit_id"])
    report = json.loads((out / "report.json").read_text())
    assert report["outcomes"]["hourly_rate_gbp"] > 0
    exact = pd.read_csv(out / "data" / "routes.csv")  # programs read the exact tables
    assert set(exact["visit_id"]) == set(routes["visit_id"])


def test_demo_tables_read_as_people_quote_them(demo_out: tuple[Path, str]) -> None:
    """The tables beside the map: units in every header, no figure past two decimals."""
    out, output = demo_out
    assert readable_problems(out) == []
    carers = pd.read_csv(out / "carers.csv")
    days = ["days_walking (carer-days)", "days_cycling (carer-days)", "days_driving (carer-days)"]
    assert carers[days].to_numpy().sum() > 0 and "mode" not in carers.columns
    shares = pd.read_csv(out / "outcomes.csv").set_index("outcome")
    assert shares.loc["scheduled_share", "unit"] == "%"
    assert 50 < shares.loc["scheduled_share", "value"] <= 100
    assert re.search(r"scheduled_share +\d+(\.\d)? +%", output)  # as in the table


def test_demo_map_is_offline_and_private(demo_out: tuple[Path, str]) -> None:
    """The map loads no web resources and holds no client's exact coordinates."""
    import carezones as cz
    from carezones import datasets
    from carezones.cli.demo import DEMO_SCENARIO

    out, _ = demo_out
    page = (out / "plan.html").read_text()
    assert "https://" not in page.split("</script>")[-1] or "tile" not in page.lower()
    assert "unpkg.com" not in page and "cdn.jsdelivr" not in page
    pop = DEMO_SCENARIO["population"]
    net = datasets.load_default_network()
    clients, _, _ = datasets.synthetic_population(
        net, n_clients=pop["n_clients"], n_carers=pop["n_carers"], n_providers=pop["n_providers"],
        random_state=pop["seed"],
    )  # fmt: skip
    lonlat = clients.to_crs(4326).geometry
    for x, y in zip(lonlat.x, lonlat.y, strict=True):
        for digits in (5, 6):
            lon, lat = f"{x:.{digits}f}", f"{y:.{digits}f}"
            assert f"{lon}, {lat}" not in page and f"{lat}, {lon}" not in page
    assert isinstance(cz.__version__, str)


def test_demo_map_opens_in_chromium_with_place_labels_apart(
    demo_out: tuple[Path, str], tmp_path: Path
) -> None:
    """The demo's map opens offline with no console error; zone, place and street labels apart."""
    from browser_check import CHROMIUM, chromium, keep, label_boxes, overlapping

    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium absent ({CHROMIUM})")
    out, _ = demo_out
    page = out / "plan.html"
    done = chromium(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    errors = [ln for ln in done.stderr.splitlines() if "CONSOLE" in ln and "rror" in ln]
    assert not errors, errors
    dom = done.stdout
    assert dom.count('class="cz-place-label"') > 0  # the extract's own place names, offline
    assert dom.count('class="cz-zone-label"') == 5
    boxes = label_boxes(dom)
    assert len(boxes) >= 5  # every zone label and some place labels shown at the default zoom
    assert not overlapping(boxes), overlapping(boxes)  # zone, place and street labels
    # street names from the network, the main streets' shown at the default zoom
    streets = re.findall(r'class="[^"]*cz-street-icon[^"]*"[^>]*data-cz-box="([^"]*)"', dom)
    assert len(streets) > 20 and 0 < sum(1 for box in streets if box) < len(streets)
    assert "Mannerheimintie" in dom
    picture = tmp_path / "demo-map.png"
    chromium(page, tmp_path / "shot", f"--screenshot={picture}")
    keep(picture)
    assert picture.stat().st_size > 10_000
