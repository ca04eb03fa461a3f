"""A network argument means the same to every command: a path, default, a shared name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carezones import ValidationError, datasets
from carezones.cli import app
from carezones.workshop import Workshop

runner = CliRunner()

#: How the same extract can be named: (argument, the file it names).
FORMS = ["a path", "default", "helsinki", "leeds", "its-example.osm.pbf"]


def form(name: str) -> tuple[str, Path]:
    """The argument for a form of name, and the file every command must load for it."""
    if name == "a path":
        return str(datasets.default_osm_path()), datasets.default_osm_path()
    if name in ("default", "helsinki"):
        return name, datasets.default_osm_path()
    folder = datasets.shared_data_dir()
    if folder is None or not (folder / "its-example.osm.pbf").exists():
        pytest.skip("shared OSM data absent: ../shared/data/osm/its-example.osm.pbf not found")
    return name, folder / "its-example.osm.pbf"


def run(*args: object) -> str:
    done = runner.invoke(app, [str(a) for a in args])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.fixture(scope="module", params=FORMS)
def named(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """People and zones made with the network named one way; the name and the file."""
    arg, path = form(request.param)
    folder = tmp_path_factory.mktemp("named")
    people = run("population", "--network", arg, "--clients", 40, "--carers", 14,
                 "--providers", 1, "--out", folder / "pop")  # fmt: skip
    zones = run("zones", "--network", arg, "--clients", folder / "pop" / "clients.gpkg",
                "--min-weekly-hours", 60, "--no-map", "--out", folder / "zones")  # fmt: skip
    return {"arg": arg, "path": path, "folder": folder, "population": people, "zones": zones}


def test_network_command_takes_the_name(named: dict[str, Any]) -> None:
    """`carezones network NAME` summarises the extract the name gives."""
    out = run("network", named["arg"], "--mode", "walk")
    assert named["path"].name in out and "walk" in out


def test_population_takes_the_name(named: dict[str, Any]) -> None:
    """`carezones population --network NAME` loads it and writes the people."""
    assert f"Loading the networks of {named['path'].name}" in named["population"]
    assert (named["folder"] / "pop" / "clients.gpkg").is_file()


def test_zones_takes_the_name(named: dict[str, Any]) -> None:
    """`carezones zones --network NAME` loads it and draws the zones."""
    assert f"walking network of {named['path'].name}" in named["zones"]
    assert (named["folder"] / "zones" / "zones.gpkg").is_file()


def test_routes_takes_the_name(named: dict[str, Any], tmp_path: Path) -> None:
    """`carezones routes --network NAME` loads it and plans the day."""
    folder = named["folder"]
    out = run("routes", "--network", named["arg"], "--clients", folder / "pop" / "clients.gpkg",
              "--carers", folder / "pop" / "carers.gpkg", "--zones", folder / "zones",
              "--day", "monday", "--max-iterations", 10, "--no-map", "--out",
              tmp_path / "routes")  # fmt: skip
    assert f"networks of {named['path'].name}" in out
    assert (tmp_path / "routes" / "routes.csv").is_file()


def test_workshop_takes_the_name(
    named: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`carezones workshop --network NAME` loads it (served here for no time at all)."""
    served = []
    monkeypatch.setattr(Workshop, "serve", lambda self: served.append(self) or self.stop())
    out = run("workshop", "--network", named["arg"], "--clients",
              named["folder"] / "pop" / "clients.gpkg", "--min-weekly-hours", 60, "--out",
              tmp_path / "ws")  # fmt: skip
    assert f"Loading {named['path'].name}" in out and len(served) == 1
    assert served[0].session.network.source == str(named["path"])


def test_the_readme_example_needs_no_folder(tmp_path: Path) -> None:
    """`carezones network camden.osm.pbf`, as the README writes it, finds the shared file."""
    _, path = form("leeds")  # skips without the shared folder
    camden = path.parent / "camden.osm.pbf"
    assert datasets.osm_source("camden.osm.pbf") == camden
    assert datasets.osm_source(tmp_path / "not-here" / "camden.osm.pbf") == camden
    assert datasets.osm_source("camden") == camden


def test_an_unknown_name_says_what_is_accepted(tmp_path: Path) -> None:
    """A name that is no file, no 'default' and no shared extract is refused, listing them."""
    with pytest.raises(ValidationError, match="missing file") as err:
        datasets.osm_source(tmp_path / "nowhere.osm.pbf")
    assert "'default'" in str(err.value) and "camden (camden.osm.pbf)" in str(err.value)
    done = runner.invoke(app, ["network", str(tmp_path / "nowhere.osm.pbf")])
    assert done.exit_code != 0 and "missing file" in str(done.exception)
