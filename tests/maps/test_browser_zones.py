"""In headless Chromium: the maps `carezones zones` writes, labels that never overlap (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from browser_check import CHROMIUM, chromium, count, keep, label_boxes, overlapping
from carezones import datasets
from carezones.cli.app import app
from carezones.network import load_network

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"headless Chromium absent ({CHROMIUM})"
)


def _zones_run(tmp_path: Path, extract: str | None, n: int, floor: str) -> Path:
    net = (
        datasets.load_default_network(modes="walk")
        if extract is None
        else load_network(datasets.shared_osm_path(extract), modes=("walk",))
    )
    clients, _, _ = datasets.synthetic_population(
        net, n_clients=n, n_carers=max(n // 3, 10), n_providers=2, random_state=0
    )
    clients = clients.to_crs(4326)
    frame = clients.assign(lon=clients.geometry.x, lat=clients.geometry.y)
    frame.drop(columns="geometry").to_csv(tmp_path / "clients.csv", index=False)
    source = datasets.default_osm_path() if extract is None else datasets.shared_osm_path(extract)
    result = CliRunner().invoke(
        app,
        ["zones", "--network", str(source), "--clients", str(tmp_path / "clients.csv"),
         "--out", str(tmp_path / "run"), "--min-weekly-hours", floor, "--providers", "auto",
         "--min-provider-hours", floor],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp_path / "run" / "zones.html"


@pytest.mark.parametrize(("extract", "n", "floor"), [(None, 300, "200"), ("camden", 1500, "600")])
def test_cli_zones_map_opens_with_named_labels_that_never_overlap(
    tmp_path: Path, extract: str | None, n: int, floor: str
) -> None:
    """`carezones zones` writes a map that opens offline, with no console error, labels apart."""
    if extract is not None and datasets.shared_data_dir() is None:
        pytest.skip("the shared UK extracts are not here (../shared/data/osm)")
    page = _zones_run(tmp_path, extract, n, floor)
    done = chromium(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    dom = done.stdout
    errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line and "rror" in line]
    assert not errors, errors
    n_zones = dom.count('<div class="cz-zone-label">')
    assert n_zones > 1 and count(dom, "cz-zone") == n_zones
    boxes = label_boxes(dom)
    assert boxes, "no label shown"
    assert not overlapping(boxes), overlapping(boxes)
    if extract == "camden":
        assert "Kentish Town" in dom or "Camden Town" in dom  # names from OSM places
        # clipped by default to the extract's own boundary, drawn with its name
        assert "Boundary: London Borough of Camden" in dom
        assert 'class="cz-place-label"' in dom
    picture = tmp_path / f"zones-{extract or 'demo'}.png"
    chromium(page, tmp_path / "profile2", f"--screenshot={picture}")
    keep(picture)
    assert picture.stat().st_size > 10_000


def test_scenario_maps_and_report_open_without_console_errors(tmp_path: Path) -> None:
    """`scenario run`'s map, `compare`'s side-by-side map and the report open cleanly."""
    from scenario_check import tiny

    then, now = tiny(tmp_path, "then", "then"), tiny(tmp_path, "now", "now")
    runner = CliRunner()
    done = runner.invoke(app, ["scenario", "run", str(now), "--out", str(tmp_path / "run")])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        app, ["scenario", "compare", str(then), str(now), "--out", str(tmp_path / "cmp")]
    )
    assert done.exit_code == 0, done.output
    pages = [
        tmp_path / "run" / "plan.html",
        tmp_path / "cmp" / "then_now.html",
        tmp_path / "cmp" / "report.html",
    ]
    for i, page in enumerate(pages):
        run = chromium(page, tmp_path / f"p{i}", "--enable-logging=stderr", "--v=0", "--dump-dom")
        errors = [ln for ln in run.stderr.splitlines() if "CONSOLE" in ln and "rror" in ln]
        assert not errors, (page.name, errors)
        if page.name != "report.html":
            assert not overlapping(label_boxes(run.stdout)), page.name
    picture = tmp_path / "report.png"
    chromium(pages[2], tmp_path / "shot", f"--screenshot={picture}")
    keep(picture)
