"""Tests of the command line skeleton: network summary and the demo."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from carezones.cli import app

runner = CliRunner()


def test_network_summary(oxford_path: Path) -> None:
    """`carezones network FILE --mode walk` prints nodes, edges, km, area and the CRS."""
    result = runner.invoke(app, ["network", str(oxford_path), "--mode", "walk"])
    assert result.exit_code == 0, result.output
    for word in ("nodes", "edges", "km", "area_km2", "EPSG:27700", "walk"):
        assert word in result.output
    assert "drive" not in result.output


def test_network_missing_file_is_clear(tmp_path: Path) -> None:
    """A missing file ends with a non-zero exit and a message naming it."""
    result = runner.invoke(app, ["network", str(tmp_path / "nope.osm.pbf")])
    assert result.exit_code != 0
    assert "missing file" in str(result.exception)
