"""Tests of carezones.network: way filters per mode, connectivity, CRS, speeds, cache, errors."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import carezones as cz
from carezones import ValidationError, load_network
from carezones.network import MODES, Speeds, TravelNetwork, choose_crs
from carezones.network.speeds import parse_maxspeed
from osm_fixtures import EXPECTED_MODES, SPECIAL_WAYS, write_grid_osm


def way_ids(net: TravelNetwork, mode: str) -> set[int]:
    """Every OSM way id that is part of some edge of ``mode``."""
    return {int(w) for w in net.edges[mode]["osmid"].explode()}


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> TravelNetwork:
    folder = tmp_path_factory.mktemp("grid")
    return load_network(write_grid_osm(folder), cache=False)


@pytest.mark.parametrize("way", sorted(SPECIAL_WAYS))
def test_handmade_way_in_expected_modes(handmade: TravelNetwork, way: int) -> None:
    """Each hand-made way is in exactly the modes OSM's rules allow (motorway, foot=no, private)."""
    found = {mode for mode in MODES if way in way_ids(handmade, mode)}
    assert found == EXPECTED_MODES[way]


def test_handmade_oneway_is_directed_for_drive_not_walk(handmade: TravelNetwork) -> None:
    """A oneway=yes street is one edge for driving and two for walking."""
    drive = handmade.edges["drive"].reset_index()
    walk = handmade.edges["walk"].reset_index()
    assert len(drive[drive["osmid"].map(lambda o: o == 208)]) == 1
    assert len(walk[walk["osmid"].map(lambda o: o == 208)]) == 2


@pytest.mark.parametrize("ending", [".osm", ".osm.gz", ".osm.bz2"])
def test_xml_formats_read(tmp_path: Path, ending: str) -> None:
    """OSM XML, gzip and bzip2 files give the same walking network."""
    net = load_network(write_grid_osm(tmp_path, "grid" + ending), modes="walk", cache=False)
    assert way_ids(net, "walk") == {100, 101, 102, 103, 104, 105, 200, 205, 208}


def test_real_extract_footway_in_walk_not_drive(
    leeds: TravelNetwork, helsinki: TravelNetwork
) -> None:
    """Footways are walked and never driven; trunk roads (Leeds) are driven."""
    for net in (leeds, helsinki):
        walk = net.edges["walk"]
        footway_ids = {int(o) for h, o in zip(walk["highway"], walk["osmid"], strict=True)
                       if h == "footway" and not isinstance(o, list)}  # fmt: skip
        assert footway_ids
        assert not footway_ids & way_ids(net, "drive")
        assert not (net.edges["drive"]["highway"].explode() == "footway").any()
    assert (leeds.edges["drive"]["highway"].explode() == "trunk").any()


@pytest.mark.parametrize("name", ["leeds", "oxford", "helsinki"])
def test_no_building_is_an_edge(name: str, request: pytest.FixtureRequest) -> None:
    """No building way of the extract becomes an edge of any mode."""
    net = request.getfixturevalue(name)
    osm = cz.network.open_osm(net.source)
    buildings = osm.get_buildings()
    building_ids = set(buildings.loc[buildings["osm_type"] == "way", "id"].astype(int))
    assert building_ids
    for mode in net.modes:
        assert not building_ids & way_ids(net, mode)


@pytest.mark.parametrize("name", ["leeds", "oxford", "helsinki"])
def test_each_mode_strongly_connected_and_metric(name: str, request: pytest.FixtureRequest) -> None:
    """Every mode's graph is one strongly connected piece in a metric CRS."""
    net = request.getfixturevalue(name)
    assert net.crs.is_projected
    assert net.crs.axis_info[0].unit_name == "metre"
    for mode in MODES:
        graph = net.graphs[mode]
        assert nx.is_strongly_connected(graph)
        assert graph.graph["crs"] == net.crs.to_string()


def test_crs_choice() -> None:
    """British National Grid inside Great Britain, UTM elsewhere (Helsinki, Dublin)."""
    assert choose_crs(np.array([-1.26]), np.array([51.76])).to_epsg() == 27700
    assert choose_crs(np.array([24.94]), np.array([60.17])).to_epsg() == 32635
    assert choose_crs(np.array([-6.26]), np.array([53.35])).to_epsg() == 32629


def test_uk_extract_is_british_national_grid(oxford: TravelNetwork) -> None:
    """A UK extract is projected to EPSG:27700."""
    assert oxford.crs.to_epsg() == 27700


@pytest.mark.parametrize("mode", MODES)
def test_travel_time_is_length_over_speed(helsinki: TravelNetwork, mode: str) -> None:
    """travel_time == length / speed on every edge; walk and cycle at the default speeds."""
    edges = helsinki.edges[mode]
    assert np.allclose(edges["travel_time"], edges["length"] / (edges["speed_kph"] / 3.6))
    assert (edges["length"] >= 0).all()
    if mode == "walk":
        assert np.allclose(edges["speed_kph"], 4.8)
    if mode == "cycle":
        assert np.allclose(edges["speed_kph"], 15.0)


def test_drive_speed_from_maxspeed_with_urban_factor(leeds: TravelNetwork) -> None:
    """Drive speed is the posted limit (mph converted) times the urban factor."""
    edges = leeds.edges["drive"]
    posted = edges["maxspeed"].map(lambda v: v if isinstance(v, str) else None).dropna()
    assert len(posted)
    expected = parse_maxspeed(posted) * Speeds().drive_urban_factor
    assert np.allclose(edges.loc[posted.index, "speed_kph"], expected)


def testparse_maxspeed() -> None:
    """'20 mph', '50', '30 km/h' and junk parse to km/h or NaN."""
    import pandas as pd

    got = parse_maxspeed(pd.Series(["20 mph", "50", "30 km/h", "signals", None]))
    assert np.allclose(got[:3], [32.18688, 50, 30])
    assert np.isnan(got[3:]).all()


def test_speeds_configurable(tmp_path: Path) -> None:
    """Custom speeds give proportionally different travel times."""
    path = write_grid_osm(tmp_path)
    slow = load_network(path, modes="walk", speeds=Speeds(walk_kmh=2.4), cache=False)
    fast = load_network(path, modes="walk", cache=False)
    assert np.allclose(slow.edges["walk"]["travel_time"], 2 * fast.edges["walk"]["travel_time"])


def test_cache_round_trip_identical_graph(oxford_path: Path, tmp_path: Path) -> None:
    """A network reloaded from the cache equals the freshly built one, attribute for attribute."""
    first = load_network(oxford_path, cache_dir=tmp_path)
    assert any(tmp_path.iterdir())
    again = load_network(oxford_path, cache_dir=tmp_path)
    assert again.crs == first.crs
    for mode in MODES:
        assert nx.utils.graphs_equal(first.graphs[mode], again.graphs[mode])


def test_cache_modes_share_one_crs(oxford_path: Path, tmp_path: Path) -> None:
    """Modes built at different times from one file share the file's CRS."""
    drive = load_network(oxford_path, modes="drive", cache_dir=tmp_path)
    both = load_network(oxford_path, modes=("walk", "drive"), cache_dir=tmp_path)
    assert both.crs == drive.crs
    assert both.modes == ("walk", "drive")


def test_summary_columns(helsinki: TravelNetwork) -> None:
    """The summary gives nodes, edges, km, area and CRS per mode."""
    summary = helsinki.summary()
    assert list(summary.index) == list(MODES)
    assert (summary["km"] > 10).all()
    assert summary.loc["walk", "nodes"] == len(helsinki.nodes["walk"])


# ----------------------------------------------------------------- bad input


def test_missing_file() -> None:
    """A missing file is a ValidationError naming it."""
    with pytest.raises(ValidationError, match="missing file") as info:
        load_network("/nowhere/clients.osm.pbf")
    assert isinstance(info.value, ValueError)
    assert "/nowhere/clients.osm.pbf" in str(info.value)


def test_not_an_osm_file_name(tmp_path: Path) -> None:
    """A file without an OSM ending is refused by name."""
    path = tmp_path / "clients.csv"
    path.write_text("client_id\n1\n")
    with pytest.raises(ValidationError, match="not an OSM file"):
        load_network(path)


@pytest.mark.parametrize("name", ["junk.osm.pbf", "junk.osm"])
def test_not_osm_content(tmp_path: Path, name: str) -> None:
    """A file named like OSM but holding something else is a clear error."""
    path = tmp_path / name
    path.write_text("this is not OpenStreetMap data\n" * 20)
    with pytest.raises(ValidationError, match="not an OSM file"):
        load_network(path, cache=False)


def test_no_usable_ways(tmp_path: Path) -> None:
    """An extract with buildings but no highways says which modes have no ways."""
    path = write_grid_osm(tmp_path, with_highways=False)
    with pytest.raises(ValidationError, match="no usable ways") as info:
        load_network(path, cache=False)
    assert "walk" in str(info.value)


def test_unknown_mode(oxford_path: Path) -> None:
    """An unknown mode is a ValidationError listing the known ones."""
    with pytest.raises(ValidationError, match=r"unknown mode.*'bus'"):
        load_network(oxford_path, modes=("walk", "bus"))


def test_place_name_needs_online() -> None:
    """A non-file source is refused unless online=True (offline by default)."""
    with pytest.raises(ValidationError, match="online=True"):
        load_network(("Wigan",))  # type: ignore[arg-type]


def test_bad_speed() -> None:
    """A negative speed is refused by name."""
    with pytest.raises(ValidationError, match="walk_kmh"):
        Speeds(walk_kmh=-1)


@pytest.mark.online
def test_online_place_download() -> None:
    """A place name downloads through osmnx when online=True."""
    net = load_network("Oakham, Rutland, England", modes="walk", online=True)
    assert net.crs.to_epsg() == 27700
    assert len(net.nodes["walk"]) > 100
