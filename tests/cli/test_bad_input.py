"""A catalogue of bad inputs: each is a clear error (file, row or column named), never a traceback.

Every case runs through the Python API (a :class:`CarezonesError`, usually a
``ValidationError``) and, where a command reads that input, through the command line
(``carezones.cli.main``: exit code 2, no "Traceback"), in-process and again through the
installed ``carezones`` command in a subprocess. No message, warning or log line of any of
them may contain a coordinate of the files given.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carezones as cz
from carezones.cli import main
from carezones.demand import FileShapeWarning, read_csv_text
from carezones.geocode import read_postcodes
from carezones.network import DamagedCacheWarning
from carezones.report import build_report
from carezones.rota import RotaColumns, read_rota
from carezones.scenario import Scenario
from carezones.zoning import read_units, read_zones

# Street points of the Leeds extract (its-example.osm.pbf), in lon/lat.
POINTS = [(-1.55573, 53.80702), (-1.55074, 53.80797), (-1.5504, 53.80723), (-1.55547, 53.80741)]
COORD_TEXT = {f"{abs(v):.3f}" for p in POINTS for v in p} | {"53.80", "1.555", "1.550"}
LONG_DECIMAL = re.compile(r"\d\.\d{4,}")

CLIENTS_HEAD = "client_id,lon,lat,weekly_hours"
CLIENT_ROWS = [f"c{i + 1},{x},{y},{7 * (i + 1)}" for i, (x, y) in enumerate(POINTS)]
CARERS_HEAD = "carer_id,lon,lat,mode,contracted_hours"
CARER_ROWS = [f"k{i + 1},{x},{y},walk,30" for i, (x, y) in enumerate(POINTS[:2])]


def no_coordinates(text: str) -> None:
    """Fail when ``text`` holds any coordinate of the test files."""
    for c in COORD_TEXT:
        assert c not in text, f"coordinate {c} leaked: {text}"
    assert not LONG_DECIMAL.search(text), f"a coordinate-like number leaked: {text}"


def csv_text(head: str, rows: list[str]) -> str:
    return "\n".join([head, *rows]) + "\n"


# ---------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Case:
    """One bad input: files to write, an API call, a command line, and the words expected."""

    name: str
    files: dict[str, str | bytes]
    api: Callable[[Path], object] | None
    cli: list[str] | None
    expect: tuple[str, ...]


def clients_case(name: str, text: str | bytes, *expect: str, file: str = "clients.csv") -> Case:
    """A bad clients file, read by read_clients and by ``carezones zones``."""
    return Case(
        name,
        {file: text},
        lambda d: cz.read_clients(d / file),
        ["zones", "--network", "{leeds}", "--clients", file, "--out", "out"],
        (file, *expect),
    )


def carers_case(name: str, text: str, *expect: str) -> Case:
    return Case(
        name,
        {"carers.csv": text},
        lambda d: cz.read_carers(d / "carers.csv"),
        None,
        ("carers.csv", *expect),
    )


def providers_case(name: str, text: str, *expect: str) -> Case:
    return Case(
        name,
        {"providers.csv": text},
        lambda d: cz.read_providers(d / "providers.csv"),
        None,
        ("providers.csv", *expect),
    )


GOOD = csv_text(CLIENTS_HEAD, CLIENT_ROWS)


def with_row(i: int, row: str, head: str = CLIENTS_HEAD, rows: list[str] = CLIENT_ROWS) -> str:
    got = list(rows)
    got[i] = row
    return csv_text(head, got)


x0, y0 = POINTS[0]
x1, y1 = POINTS[1]

CLIENT_CASES = [
    clients_case("header only", CLIENTS_HEAD + "\n", "no rows", "header only"),
    clients_case("empty file", "", "empty file"),
    clients_case("blank lines only", "\n\n  \n", "empty file"),
    clients_case(
        "values beyond the header",
        csv_text("client_id,lon,lat", [f"c1,{x0},{y0},7,x"]),
        "more values than headers",
        "rows 2",
    ),
    clients_case(
        "semicolons",
        csv_text(CLIENTS_HEAD.replace(",", ";"), [r.replace(",", ";") for r in CLIENT_ROWS]),
        "not comma-separated",
        "semicolons",
    ),
    clients_case(
        "tabs",
        csv_text(CLIENTS_HEAD.replace(",", "\t"), [r.replace(",", "\t") for r in CLIENT_ROWS]),
        "not comma-separated",
        "tabs",
    ),
    clients_case("latin-1", (GOOD + "c9,-1.55,53.8,7,Jos\xe9\n").encode("latin-1"), "not UTF-8"),
    clients_case("utf-16", GOOD.encode("utf-16"), "not UTF-8"),
    clients_case("binary", bytes(range(256)) * 4, "not UTF-8"),
    clients_case("latitude 95", with_row(1, f"c2,{x1},95,7"), "latitude out of range", "'c2'"),
    clients_case("longitude 200", with_row(1, f"c2,200,{y1},7"), "longitude out of range", "'c2'"),
    clients_case(
        "metres in lon/lat",
        csv_text(CLIENTS_HEAD, ["c1,430000,433000,7", "c2,430100,433100,7"]),
        "coordinates out of range",
        "metres",
    ),
    clients_case(
        "columns differing in case",
        csv_text("client_id,Client_ID,lon,lat,weekly_hours", [f"c1,c9,{x0},{y0},7"]),
        "duplicate column",
        "Client_ID",
    ),
    clients_case(
        "header twice",
        csv_text("client_id,client_id,lon,lat,weekly_hours", [f"c1,c9,{x0},{y0},7"]),
        "duplicate column",
    ),
    clients_case(
        "no id column",
        csv_text("lon,lat,weekly_hours", [f"{x0},{y0},7", f"{x1},{y1},7"]),
        "missing column",
        "client_id",
    ),
    clients_case("duplicate ids", with_row(1, f"c1,{x1},{y1},7"), "duplicate id", "'c1'"),
    clients_case("empty id", with_row(1, f",{x1},{y1},7"), "missing value", "row 2"),
    clients_case(
        "hours not a number", with_row(2, "c3,-1.5504,53.80723,ten"), "not a number", "'c3'"
    ),
    clients_case("hours 200", with_row(2, "c3,-1.5504,53.80723,200"), "hours out of range", "'c3'"),
    clients_case("hours negative", with_row(2, "c3,-1.5504,53.80723,-3"), "hours out of range"),
    clients_case(
        "no location",
        csv_text("client_id,weekly_hours", ["c1,7", "c2,7"]),
        "missing column",
        "location",
    ),
    clients_case("empty lon", with_row(3, f"c4,,{POINTS[3][1]},7"), "missing coordinates", "'c4'"),
    clients_case(
        "lat text", with_row(3, f"c4,{POINTS[3][0]},north,7"), "missing coordinates", "'c4'"
    ),
    clients_case("lat inf", with_row(3, f"c4,{POINTS[3][0]},inf,7"), "missing coordinates"),
    clients_case(
        "carers_needed 3",
        csv_text(CLIENTS_HEAD + ",carers_needed", [f"c1,{x0},{y0},7,3"]),
        "carers_needed",
    ),
    clients_case(
        "carers_needed 1.5",
        csv_text(CLIENTS_HEAD + ",carers_needed", [f"c1,{x0},{y0},7,1.5"]),
        "not a whole number",
    ),
    clients_case(
        "virtual_ok maybe",
        csv_text(CLIENTS_HEAD + ",virtual_ok", [f"c1,{x0},{y0},7,maybe"]),
        "not true or false",
    ),
    clients_case(
        "pattern hour 25",
        csv_text("client_id,lon,lat,pattern", [f"c1,{x0},{y0},mon-sun 25:00-26:00 30"]),
        "'c1'",
    ),
    clients_case(
        "pattern unknown day",
        csv_text("client_id,lon,lat,pattern", [f"c1,{x0},{y0},funday 07:00-08:00 30"]),
        "'c1'",
    ),
    clients_case(
        "no hours and no pattern", csv_text("client_id,lon,lat", [f"c1,{x0},{y0}"]), "weekly_hours"
    ),
    clients_case("unknown suffix", GOOD, "unknown format", file="clients.txt"),
    clients_case(
        "garbage GeoPackage", b"not a geopackage at all", "unreadable file", file="clients.gpkg"
    ),
    clients_case("garbage Parquet", b"PAR1 broken", "unreadable file", file="clients.parquet"),
    clients_case(
        "broken GeoJSON",
        '{"type": "FeatureCollection", "features": [',
        "unreadable",
        file="clients.geojson",
    ),
    clients_case(
        "polygons for clients",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"client_id": "c1", "weekly_hours": 7}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[0, 0], [0, 1], [1, 1], [0, 0]]]}}]}",
        "not a point",
        file="clients.geojson",
    ),
]


def _folder_named_csv(d: Path) -> object:
    (d / "clients.csv").mkdir()
    return cz.read_clients(d / "clients.csv")


CARER_CASES = [
    carers_case("carers header only", CARERS_HEAD + "\n", "no rows"),
    carers_case("mode bus", with_row(0, f"k1,{x0},{y0},bus,30", CARERS_HEAD, CARER_ROWS), "mode"),
    carers_case(
        "contracted 0",
        with_row(0, f"k1,{x0},{y0},walk,0", CARERS_HEAD, CARER_ROWS),
        "contracted_hours",
        "'k1'",
    ),
    carers_case(
        "shift 25:00",
        csv_text(CARERS_HEAD + ",shift_start", [f"k1,{x0},{y0},walk,30,25:00"]),
        "shift_start",
    ),
    carers_case(
        "shift ends first",
        csv_text(CARERS_HEAD + ",shift_start,shift_end", [f"k1,{x0},{y0},walk,30,15:00,07:00"]),
        "shift_end",
    ),
    carers_case(
        "days funday",
        csv_text(CARERS_HEAD + ",days", [f"k1,{x0},{y0},walk,30,funday"]),
        "unknown day",
    ),
    carers_case(
        "hours beyond the days",
        csv_text(CARERS_HEAD + ",days", [f"k1,{x0},{y0},walk,60,mon"]),
        "'k1'",
    ),
    carers_case(
        "no mode column",
        csv_text("carer_id,lon,lat,contracted_hours", [f"k1,{x0},{y0},30"]),
        "missing column",
        "mode",
    ),
]

PROVIDER_CASES = [
    providers_case("providers header only", "provider_id,name\n", "no rows"),
    providers_case("capacity -5", "provider_id,capacity_hours\nP1,-5\n", "hours out of range"),
    providers_case("duplicate provider", "provider_id\nP1\nP1\n", "duplicate id", "'P1'"),
]

API_ONLY = [
    Case("folder named clients.csv", {}, _folder_named_csv, None, ("clients.csv", "a folder")),
    Case("read_clients(42)", {}, lambda d: cz.read_clients(42), None, ("not a table", "int")),
    Case("read_clients(None)", {}, lambda d: cz.read_clients(None), None, ("not a table",)),
    Case("read_carers(list)", {}, lambda d: cz.read_carers(["k1"]), None, ("not a table",)),
    Case(
        "missing clients file",
        {},
        lambda d: cz.read_clients(d / "nope.csv"),
        None,
        ("nope.csv", "missing file"),
    ),
]

# ------------------------------------------------------------------ networks

NETWORK_CASES = [
    Case(
        "truncated pbf",
        {"cut.osm.pbf": "{leeds_head}"},
        lambda d: cz.load_network(d / "cut.osm.pbf", modes="walk", cache=False),
        ["network", "cut.osm.pbf", "--mode", "walk"],
        ("cut.osm.pbf", "damaged OSM file"),
    ),
    Case(
        "random bytes pbf",
        {"junk.osm.pbf": bytes(range(256)) * 8},
        lambda d: cz.load_network(d / "junk.osm.pbf", modes="walk", cache=False),
        ["network", "junk.osm.pbf", "--mode", "walk"],
        ("junk.osm.pbf",),
    ),
    Case(
        "empty pbf",
        {"empty.osm.pbf": b""},
        lambda d: cz.load_network(d / "empty.osm.pbf", modes="walk", cache=False),
        ["network", "empty.osm.pbf", "--mode", "walk"],
        ("empty.osm.pbf",),
    ),
    Case(
        "not XML",
        {"bad.osm": "<osm><node id='1' lat= </osm"},
        lambda d: cz.load_network(d / "bad.osm", modes="walk", cache=False),
        ["network", "bad.osm", "--mode", "walk"],
        ("bad.osm",),
    ),
    Case(
        "missing OSM file",
        {},
        lambda d: cz.load_network(d / "gone.osm.pbf", modes="walk"),
        ["network", "gone.osm.pbf"],
        ("gone.osm.pbf", "missing file"),
    ),
    Case(
        "OSM suffix txt",
        {"map.txt": "x"},
        lambda d: cz.load_network(d / "map.txt", modes="walk"),
        ["network", "map.txt"],
        ("map.txt",),
    ),
    Case(
        "mode boat",
        {},
        lambda d: cz.load_network(LEEDS, modes="boat"),
        ["network", "{leeds}", "--mode", "boat"],
        ("boat",),
    ),
]

# ------------------------------------------------------------------ zones

EMPTY_GEOJSON = '{"type": "FeatureCollection", "features": []}'
POINTS_GEOJSON = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"zone_id": "a"}'
    ', "geometry": {"type": "Point", "coordinates": [0.5, 0.5]}}]}'
)


def boundary_geojson(props: list[dict[str, str]]) -> str:
    """Square polygons in lon/lat with the given properties."""
    frame = gpd.GeoDataFrame(
        pd.DataFrame(props),
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(props))],
        crs=4326,
    )
    return frame.to_json()


ONS = boundary_geojson(
    [{"WD24CD": "E05000001", "WD24NM": "Ward A"}, {"WD24CD": "E05000002", "WD24NM": "Ward B"}]
)
DUPLICATE_ZONES = boundary_geojson([{"zone_id": "z1"}, {"zone_id": "z1"}])
ZONES_CLI = ["zones", "--network", "{leeds}", "--clients", "good.csv", "--out", "out"]

ZONE_CASES = [
    Case("--zones abc", {"good.csv": GOOD}, None, [*ZONES_CLI, "--zones", "abc"], ("--zones",)),
    Case(
        "--check missing",
        {"good.csv": GOOD},
        lambda d: read_zones(d / "gone.gpkg"),
        [*ZONES_CLI, "--check", "gone.gpkg"],
        ("gone.gpkg", "missing file"),
    ),
    Case(
        "--locked missing",
        {"good.csv": GOOD},
        None,
        [*ZONES_CLI, "--locked", "gone.gpkg"],
        ("--locked", "gone.gpkg", "missing file"),
    ),
    Case(
        "--check points file",
        {"good.csv": GOOD, "pts.geojson": POINTS_GEOJSON},
        lambda d: read_zones(d / "pts.geojson"),
        [*ZONES_CLI, "--check", "pts.geojson"],
        ("pts.geojson", "not polygons", "Point"),
    ),
    Case(
        "--check ONS file without --zone-id-column",
        {"good.csv": GOOD, "wards.geojson": ONS},
        lambda d: read_zones(d / "wards.geojson"),
        [*ZONES_CLI, "--check", "wards.geojson"],
        ("wards.geojson", "which id column", "WD24CD", "--zone-id-column"),
    ),
    Case(
        "--zone-id-column not in the file",
        {"good.csv": GOOD, "wards.geojson": ONS},
        lambda d: read_zones(d / "wards.geojson", id_column="WARD"),
        [*ZONES_CLI, "--check", "wards.geojson", "--zone-id-column", "WARD"],
        ("wards.geojson", "missing column", "WARD"),
    ),
    Case(
        "--check duplicate zone ids",
        {"good.csv": GOOD, "dup.geojson": DUPLICATE_ZONES},
        lambda d: read_zones(d / "dup.geojson"),
        [*ZONES_CLI, "--check", "dup.geojson"],
        ("dup.geojson", "duplicate id", "'z1'"),
    ),
    Case(
        "--check garbage",
        {"good.csv": GOOD, "junk.gpkg": b"\x00junk"},
        lambda d: read_zones(d / "junk.gpkg"),
        [*ZONES_CLI, "--check", "junk.gpkg"],
        ("junk.gpkg", "unreadable file"),
    ),
    Case(
        "--out is a file",
        {"good.csv": GOOD, "taken": "x"},
        None,
        ["zones", "--network", "{leeds}", "--clients", "good.csv", "--out", "taken"],
        ("--out", "taken", "an existing file"),
    ),
    Case(
        "--out under a file",
        {"good.csv": GOOD, "taken": "x"},
        None,
        ["zones", "--network", "{leeds}", "--clients", "good.csv", "--out", "taken/sub"],
        ("--out", "taken", "cannot create"),
    ),
    Case(
        "--min-weekly-hours -5",
        {"good.csv": GOOD},
        None,
        [*ZONES_CLI, "--min-weekly-hours", "-5"],
        ("min_weekly_hours", "-5"),
    ),
    Case(
        "--providers abc",
        {"good.csv": GOOD},
        None,
        [*ZONES_CLI, "--providers", "abc"],
        ("--providers",),
    ),
]

# ------------------------------------------------------------------ options in the API


def _leeds_clients() -> gpd.GeoDataFrame:
    return cz.read_clients(pd.read_csv(io.StringIO(GOOD), dtype=str))


def _net() -> cz.TravelNetwork:
    return cz.load_network(LEEDS, modes="walk")


_SHARED = cz.datasets.shared_data_dir()
LEEDS = str(_SHARED / "its-example.osm.pbf") if _SHARED else "its-example.osm.pbf"

OPTION_CASES = [
    Case(
        "random_state='x' zoner",
        {},
        lambda d: cz.NeighbourhoodZoner(1, n_zones=2, random_state="x").fit(
            _leeds_clients(), network=_net()
        ),
        None,
        ("random_state", "bad seed", "'x'"),
    ),
    Case(
        "random_state=-1 zoner",
        {},
        lambda d: cz.NeighbourhoodZoner(1, n_zones=2, random_state=-1).fit(
            _leeds_clients(), network=_net()
        ),
        None,
        ("random_state", "bad seed"),
    ),
    Case(
        "n_zones=0",
        {},
        lambda d: cz.NeighbourhoodZoner(1, n_zones=0).fit(_leeds_clients(), network=_net()),
        None,
        ("n_zones",),
    ),
    Case(
        "zoner n_zones above street points",
        {},
        lambda d: cz.NeighbourhoodZoner(1, n_zones=9).fit(_leeds_clients(), network=_net()),
        None,
        ("n_zones", "too many zones", "street points with hours"),
    ),
    Case(
        "n_zones above street points",
        {},
        lambda d: cz.kmeans_zones(_leeds_clients(), _net(), n_zones=50),
        None,
        ("n_zones", "street points with hours"),
    ),
    Case(
        "kmeans random_state='x'",
        {},
        lambda d: cz.kmeans_zones(_leeds_clients(), _net(), n_zones=2, random_state="x"),
        None,
        ("bad seed",),
    ),
    Case(
        "cutoff=-5",
        {},
        lambda d: cz.travel_time_matrix(_net(), _leeds_clients().geometry, cutoff=-5),
        None,
        ("cutoff", "-5"),
    ),
    Case(
        "cutoff='far'",
        {},
        lambda d: cz.travel_time_matrix(_net(), _leeds_clients().geometry, cutoff="far"),
        None,
        ("cutoff",),
    ),
    Case(
        "isochrone minutes -5",
        {},
        lambda d: cz.network.isochrones(_net(), POINTS[0], -5, crs=4326),
        None,
        ("minutes", "-5"),
    ),
    Case(
        "synthetic random_state='x'",
        {},
        lambda d: cz.datasets.synthetic_population(
            _net(), n_clients=5, n_carers=2, n_providers=1, random_state="x"
        ),
        None,
        ("bad seed",),
    ),
]

# ------------------------------------------------------------------ option files

RUN = ["scenario", "run"]
TOML_CASES = [
    Case(
        "scenario not UTF-8",
        {"s.toml": 'name = "caf\xe9"\n'.encode("latin-1")},
        lambda d: Scenario.from_toml(d / "s.toml"),
        [*RUN, "s.toml", "--out", "out"],
        ("s.toml", "not UTF-8", "line 1"),
    ),
    Case(
        "scenario not TOML",
        {"s.toml": "name = [unclosed\n"},
        lambda d: Scenario.from_toml(d / "s.toml"),
        [*RUN, "s.toml", "--out", "out"],
        ("s.toml", "not TOML"),
    ),
    Case(
        "scenario missing",
        {},
        lambda d: Scenario.from_toml(d / "gone.toml"),
        [*RUN, "gone.toml", "--out", "out"],
        ("gone.toml", "missing file"),
    ),
    Case(
        "scenario is a folder",
        {"dir.toml/x": "x"},
        lambda d: Scenario.from_toml(d / "dir.toml"),
        [*RUN, "dir.toml", "--out", "out"],
        ("dir.toml", "a folder"),
    ),
    Case(
        "scenario unknown key",
        {"s.toml": "nmae = 'x'\n"},
        lambda d: Scenario.from_toml(d / "s.toml"),
        [*RUN, "s.toml", "--out", "out"],
        ("s.toml", "nmae"),
    ),
    Case(
        "scenario --jobs 0",
        {"s.toml": "name = 'x'\n"},
        None,
        [*RUN, "s.toml", "--jobs", "0", "--out", "out"],
        ("--jobs", "0"),
    ),
    Case(
        "scenario --out is a file",
        {"s.toml": "name = 'x'\n", "taken": "x"},
        None,
        [*RUN, "s.toml", "--out", "taken"],
        ("--out", "an existing file"),
    ),
    Case(
        "compare missing file",
        {},
        None,
        ["scenario", "compare", "gone.toml", "--out", "out"],
        ("gone.toml", "missing file"),
    ),
    Case(
        "routing params missing",
        {},
        lambda d: cz.routing.RoutingParams.from_toml(d / "r.toml"),
        None,
        ("r.toml", "missing file"),
    ),
    Case(
        "costing not TOML",
        {"c.toml": "[costing\n"},
        lambda d: cz.outcomes.CostInputs.from_toml(d / "c.toml"),
        None,
        ("c.toml", "not TOML"),
    ),
]

ROTA = [
    "rota",
    "score",
    "--rota",
    "rota.csv",
    "--clients",
    "good.csv",
    "--carers",
    "carers.csv",
    "--network",
    "{leeds}",
    "--out",
    "out",
]
ROTA_FILES = {
    "good.csv": GOOD,
    "carers.csv": csv_text(CARERS_HEAD, CARER_ROWS),
    "rota.csv": "Carer ID,Client ID\nk1,c1\n",
}
ROTA_HEAD = "Visit ID,Carer ID,Client ID,Planned Start,Planned End,Actual Start,Actual End"
ROTA_CASES = [
    Case(
        "--columns missing",
        ROTA_FILES,
        lambda d: RotaColumns.from_toml(d / "cols.toml"),
        [*ROTA, "--columns", "cols.toml"],
        ("cols.toml", "missing file"),
    ),
    Case(
        "--columns not TOML",
        {**ROTA_FILES, "cols.toml": "[rota_columns\ncarer_id = 'x'"},
        lambda d: RotaColumns.from_toml(d / "cols.toml"),
        [*ROTA, "--columns", "cols.toml"],
        ("cols.toml", "not TOML"),
    ),
    Case(
        "--columns not UTF-8",
        {**ROTA_FILES, "cols.toml": b"carer_id = '\xff'\n"},
        lambda d: RotaColumns.from_toml(d / "cols.toml"),
        [*ROTA, "--columns", "cols.toml"],
        ("cols.toml", "not UTF-8"),
    ),
    Case(
        "--columns unknown key",
        {**ROTA_FILES, "cols.toml": "[rota_columns]\ncarer = 'x'\n"},
        lambda d: RotaColumns.from_toml(d / "cols.toml"),
        [*ROTA, "--columns", "cols.toml"],
        ("carer",),
    ),
    Case(
        "rota --out is a file",
        {**ROTA_FILES, "taken": "x"},
        None,
        [*ROTA[:-1], "taken"],
        ("--out", "an existing file"),
    ),
    Case(
        "rota start with no time",
        {"r.csv": csv_text(ROTA_HEAD, ["v1,k1,c1,07/07/2025,07/07/2025 09:00,,"])},
        lambda d: read_rota(d / "r.csv"),
        None,
        ("r.csv", "bad datetime", "'07/07/2025'"),
    ),
    Case(
        "rota header only",
        {"r.csv": ROTA_HEAD + "\n"},
        lambda d: read_rota(d / "r.csv"),
        None,
        ("r.csv",),
    ),
]

GEOCODE = ["geocode", "--osm", "{leeds}", "--id-column", "client_id", "--out", "out/g.gpkg"]
GEOCODE_CASES = [
    Case(
        "geocode --input empty",
        {"in.csv": ""},
        None,
        [*GEOCODE, "--input", "in.csv"],
        ("in.csv", "empty file"),
    ),
    Case(
        "geocode --input header only",
        {"in.csv": "client_id,address\n"},
        None,
        [*GEOCODE, "--input", "in.csv"],
        ("in.csv", "no rows"),
    ),
    Case(
        "geocode --input corrupt xlsx",
        {"in.xlsx": b"PK\x03\x04 not a workbook"},
        None,
        [*GEOCODE, "--input", "in.xlsx"],
        ("in.xlsx", "unreadable file"),
    ),
    Case(
        "geocode --input corrupt parquet",
        {"in.parquet": b"PAR1xx"},
        None,
        [*GEOCODE, "--input", "in.parquet"],
        ("in.parquet", "unreadable file"),
    ),
    Case(
        "geocode --input missing",
        {},
        None,
        [*GEOCODE, "--input", "gone.csv"],
        ("gone.csv", "missing file"),
    ),
    Case(
        "geocode --input latin-1",
        {"in.csv": b"client_id,address\nc1,1 Caf\xe9 Road\n"},
        None,
        [*GEOCODE, "--input", "in.csv"],
        ("in.csv", "not UTF-8"),
    ),
    Case(
        "geocode --out is a folder",
        {"in.csv": "client_id,address\nc1,1 Road\n", "o/x": "x"},
        None,
        [*GEOCODE[:-1], "o", "--input", "in.csv"],
        ("--out", "an existing folder"),
    ),
]

OTHER_CLI = [
    Case(
        "routes --jobs 0",
        {},
        None,
        [
            "routes",
            "--network",
            "{leeds}",
            "--clients",
            "c.csv",
            "--carers",
            "k.csv",
            "--zones",
            "z",
            "--jobs",
            "0",
            "--out",
            "out",
        ],
        ("--jobs", "0"),
    ),
    Case(
        "routes --zones missing",
        {"c.csv": GOOD, "k.csv": csv_text(CARERS_HEAD, CARER_ROWS)},
        None,
        [
            "routes",
            "--network",
            "{leeds}",
            "--clients",
            "c.csv",
            "--carers",
            "k.csv",
            "--zones",
            "nozones",
            "--out",
            "out",
        ],
        ("nozones",),
    ),
    Case(
        "population --carers abc",
        {},
        None,
        ["population", "--network", "{leeds}", "--carers", "abc", "--out", "out"],
        ("--carers", "'abc'"),
    ),
    Case(
        "population --out is a file",
        {"taken": "x"},
        None,
        ["population", "--network", "{leeds}", "--out", "taken"],
        ("--out", "an existing file"),
    ),
    Case(
        "demo --out is a file",
        {"taken": "x"},
        None,
        ["demo", "--out", "taken"],
        ("--out", "an existing file"),
    ),
]

# ------------------------------------------------------------------ issue 27: the newer inputs


def xlsx(rows: list[list[object]]) -> bytes:
    """A workbook of one sheet holding ``rows`` as Excel stores them (numbers as numbers)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def geojson_boxes(boxes: list[tuple[float, float, float, float]], ids: list[str], key: str) -> str:
    """Boxes in lon/lat with an id column ``key``."""
    return gpd.GeoDataFrame({key: ids}, geometry=[shapely.box(*b) for b in boxes],
                            crs=4326).to_json()  # fmt: skip


AROUND_LEEDS = (-1.60, 53.78, -1.50, 53.83)  # holds every client of GOOD
OUTCOMES = "outcome,value,unit\nn_clients,4,clients\nweekly_hours,70,h/week\n"
ZONES_OPTS = ["--network", "{leeds}", "--clients", "good.csv", "--out", "out", "--no-map",
              "--min-weekly-hours", "10"]  # fmt: skip
SCENARIO = (
    'name = "s"\nkind = "now"\n[network]\nsource = "default"\n[population]\nn_clients = 20\n'
    "n_carers = 8\nn_providers = 1\n[zones]\nmin_weekly_hours = 50\n"
)
WORKSHOP = ["workshop", "--network", "{leeds}", "--clients", "good.csv", "--out", "out"]

ISSUE_27_CASES = [
    # the workshop's command line
    Case("workshop --port -1", {"good.csv": GOOD}, None, [*WORKSHOP, "--port", "-1"],
         ("--port", "-1", "a port number from 0")),
    Case("workshop --port 70000", {"good.csv": GOOD}, None, [*WORKSHOP, "--port", "70000"],
         ("--port", "70000")),
    Case("workshop corrupt --zones", {"good.csv": GOOD, "z/zones.gpkg": b"\x00junk"}, None,
         [*WORKSHOP, "--zones", "z"], ("zones.gpkg", "unreadable file")),
    Case("workshop --zones with duplicate ids", {"good.csv": GOOD, "z.geojson": DUPLICATE_ZONES},
         None, [*WORKSHOP, "--zones", "z.geojson"], ("z.geojson", "duplicate id", "'z1'")),
    Case("workshop --zones empty folder", {"good.csv": GOOD, "z/x.txt": "x"}, None,
         [*WORKSHOP, "--zones", "z"], ("zones.gpkg", "missing file")),
    # carezones report: run folders checked before anything is read into a page
    Case("report truncated file", {"run/outcomes.csv": OUTCOMES[:-8]},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("outcomes.csv", "truncated file", "line 3")),
    Case("report empty file", {"run/outcomes.csv": ""}, lambda d: build_report(d / "run"),
         ["report", "run"], ("outcomes.csv", "empty file")),
    Case("report file not UTF-8", {"run/outcomes.csv": b"outcome,value\nn_\xff,4\n"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("outcomes.csv", "not UTF-8", "line 2")),
    Case("report ragged file", {"run/outcomes.csv": OUTCOMES,
                                "run/provider_outcomes.csv": "provider_id,weekly_hours\nP1,3,4\n"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("provider_outcomes.csv", "ragged rows", "line 2: 3 values")),
    Case("report zones.gpkg of the wrong type",
         {"run/outcomes.csv": OUTCOMES, "run/zones.gpkg": "zone_id,weekly_hours\nZ1,3\n"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("zones.gpkg", "unreadable file")),
    Case("report missing columns", {"run/outcomes.csv": "a,b\n1,2\n"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("outcomes.csv", "missing column", "'outcome'")),
    Case("report text for hours",
         {"run/outcomes.csv": OUTCOMES,
          "run/provider_outcomes.csv": "provider_id,weekly_hours\nP1,lots\n"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("provider_outcomes.csv", "not a number", "'lots'")),
    Case("report report.json not an object", {"run/outcomes.csv": OUTCOMES,
                                              "run/report.json": "[1, 2]"},
         lambda d: build_report(d / "run"), ["report", "run"],
         ("report.json", "not a JSON object")),
    Case("report subfolders differing only in case",
         {"cmp/comparison.csv": "outcome,unit,now,Now\nn_clients,clients,4,4\n",
          "cmp/now/outcomes.csv": OUTCOMES, "cmp/Now/outcomes.csv": OUTCOMES},
         lambda d: build_report(d / "cmp"), ["report", "cmp"],
         ("names differ only in case", "'Now'", "'now'")),
    Case("report --out an existing folder", {"run/outcomes.csv": OUTCOMES, "there/x": "x"},
         lambda d: build_report(d / "run", d / "there"), ["report", "run", "--out", "there"],
         ("--out", "an existing folder")),
    Case("report --out not .html", {"run/outcomes.csv": OUTCOMES},
         lambda d: build_report(d / "run", d / "r.xlsx"), ["report", "run", "--out", "r.xlsx"],
         ("--out", "not an HTML file", ".xlsx")),
    # --units
    Case("--units empty", {"good.csv": GOOD, "u.geojson": EMPTY_GEOJSON},
         lambda d: read_units(d / "u.geojson", "unit_id"), ["zones", *ZONES_OPTS, "--units",
                                                            "u.geojson"],
         ("u.geojson", "no rows")),
    Case("--units CSV", {"good.csv": GOOD, "u.csv": "unit_id\nA\n"},
         lambda d: read_units(d / "u.csv", "unit_id"), ["zones", *ZONES_OPTS, "--units", "u.csv"],
         ("u.csv", "no geometry")),
    Case("--units far from the network",
         {"good.csv": GOOD, "u.geojson": geojson_boxes([(0, 0, 1, 1), (1, 0, 2, 1)], ["A", "B"],
                                                       "unit_id")},
         None, ["zones", *ZONES_OPTS, "--units", "u.geojson"],
         ("u.geojson", "no client inside", "none of the 4 clients")),
    Case("--units overlapping",
         {"good.csv": GOOD, "u.geojson": geojson_boxes([AROUND_LEEDS, AROUND_LEEDS], ["A", "B"],
                                                       "unit_id")},
         lambda d: read_units(d / "u.geojson", "unit_id"), ["zones", *ZONES_OPTS, "--units",
                                                            "u.geojson"],
         ("u.geojson", "overlapping units", "'A' and 'B'")),
    Case("--boundary leaving every client out",
         {"good.csv": GOOD, "b.geojson": geojson_boxes([(0, 0, 1, 1)], ["far"], "name")},
         None, ["zones", *ZONES_OPTS, "--boundary", "b.geojson"],
         ("clients", "no client in any zone", "all 4 clients left out: 4 outside the boundary")),
    # scenarios: the locked file, bounded numbers
    Case("scenario locked file with duplicate ids",
         {"s.toml": SCENARIO + 'locked = "dup.geojson"\n', "dup.geojson": DUPLICATE_ZONES},
         lambda d: cz.run_scenario(d / "s.toml"), [*RUN, "s.toml", "--out", "out"],
         ("dup.geojson", "duplicate id", "'z1'")),
    Case("scenario locked file not a GeoPackage",
         {"s.toml": SCENARIO + 'locked = "junk.gpkg"\n', "junk.gpkg": b"\x00junk"},
         lambda d: cz.run_scenario(d / "s.toml"), [*RUN, "s.toml", "--out", "out"],
         ("junk.gpkg", "unreadable file")),
    Case("scenario locked file far away",
         {"s.toml": SCENARIO + 'locked = "far.geojson"\n',
          "far.geojson": geojson_boxes([(0, 0, 1, 1)], ["z1"], "zone_id")},
         lambda d: cz.run_scenario(d / "s.toml"), [*RUN, "s.toml", "--out", "out"],
         ("locked", "no street", "'z1'")),
    Case("scenario carer_mode_mix 1e308",
         {"s.toml": SCENARIO + "[demand]\ncarer_mode_mix = {walk = 1e308, drive = 1e308}\n"},
         lambda d: Scenario.from_toml(d / "s.toml"), [*RUN, "s.toml", "--out", "out"],
         ("s.toml", "carer_mode_mix", "1,000,000")),
    Case("scenario cover_rate_gbp_per_hour 1e308",
         {"s.toml": SCENARIO + "[outcomes]\ncover_rate_gbp_per_hour = 1e308\n"},
         lambda d: Scenario.from_toml(d / "s.toml"), [*RUN, "s.toml", "--out", "out"],
         ("s.toml", "cover_rate_gbp_per_hour", "1e+308")),
    # patterns and skills
    clients_case("pattern gap of 20 digits",
                 csv_text("client_id,lon,lat,pattern",
                          [f'c1,{x0},{y0},"mon 07:00-10:00 30, then 10-99999999999999999999 '
                           'minutes later 15"']),
                 "bad gap", "at most 1440 minutes"),
    clients_case("follow-up past midnight",
                 csv_text("client_id,lon,lat,pattern",
                          [f'c1,{x0},{y0},"mon 21:00-22:00 30, then 170-175 minutes later 30"']),
                 "follow-up does not fit", "23:50-24:00"),
    clients_case("skills separated by a slash",
                 csv_text(CLIENTS_HEAD + ",skills", [f"c1,{x0},{y0},7,dementia/hoist"]),
                 "bad skill name", "'/'", "'c1'"),
    clients_case("skills separated by a space",
                 csv_text(CLIENTS_HEAD + ",skills", [f"c1,{x0},{y0},7,dementia hoist"]),
                 "bad skill name", "a space"),
    clients_case("skills separated by a tab",
                 csv_text(CLIENTS_HEAD + ",skills", [f'c1,{x0},{y0},7,"dementia\thoist"']),
                 "bad skill name", "a tab"),
    # Excel: a 19-digit id is already changed in the file
    Case("geocode --input 19-digit id from Excel",
         {"in.xlsx": xlsx([["client_id", "address"], [1.2345678901234568e18, "1 Road"]])},
         None, [*GEOCODE, "--input", "in.xlsx"],
         ("in.xlsx", "number too long for Excel", "row 2", "client_id")),
    Case("rota 19-digit carer id from Excel",
         {"r.xlsx": xlsx([ROTA_HEAD.split(","), ["v1", 9.876543210987655e18, "c1",
                                                 "07/07/2025 09:00", "07/07/2025 09:30", "", ""]])},
         lambda d: read_rota(d / "r.xlsx"), None,
         ("r.xlsx", "number too long for Excel", "row 2", "Carer ID")),
    Case("--columns bad datetime_format",
         {**ROTA_FILES, "cols.toml": "[rota_columns]\ndatetime_format = '%d/%m/%Y %Q'\n"},
         lambda d: RotaColumns.from_toml(d / "cols.toml"), [*ROTA, "--columns", "cols.toml"],
         ("datetime_format", "%Q", "bad directive")),
]  # fmt: skip

CASES = [
    *CLIENT_CASES,
    *CARER_CASES,
    *PROVIDER_CASES,
    *API_ONLY,
    *NETWORK_CASES,
    *ZONE_CASES,
    *OPTION_CASES,
    *TOML_CASES,
    *ROTA_CASES,
    *GEOCODE_CASES,
    *OTHER_CLI,
    *ISSUE_27_CASES,
]


def test_catalogue_is_large_and_distinct() -> None:
    """The catalogue holds at least 80 distinct bad inputs, each named once."""
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 80


# ------------------------------------------------------------------ running a case


def write_files(case: Case, folder: Path, leeds: Path) -> None:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "{leeds_head}":
            content = leeds.read_bytes()[:20_000]
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def fill(args: list[str], leeds: Path) -> list[str]:
    return [str(leeds) if a == "{leeds}" else a for a in args]


def run_cli(
    args: list[str],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """Run ``carezones ARGS`` in-process through ``main`` (exit code and all output)."""
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "argv", ["carezones", *args])
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        with pytest.raises(SystemExit) as exit_:
            main()
    got = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), got.out + got.err


def check_message(text: str, case: Case) -> None:
    assert "Traceback" not in text, text
    for word in case.expect:
        assert word in text, f"{word!r} not in {text!r}"
    no_coordinates(text)


@pytest.mark.parametrize("case", [c for c in CASES if c.api is not None], ids=lambda c: c.name)
def test_api_bad_input(
    case: Case, tmp_path: Path, leeds_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the API: a CarezonesError naming the place and the rule, no coordinate anywhere."""
    write_files(case, tmp_path, leeds_path)
    assert case.api is not None
    caplog.set_level(logging.DEBUG, logger="carezones")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(cz.CarezonesError) as err:
            case.api(tmp_path)
    check_message(str(err.value).replace(str(tmp_path) + os.sep, ""), case)
    for w in caught:
        no_coordinates(str(w.message))
    for record in caplog.records:
        no_coordinates(record.getMessage())


@pytest.mark.parametrize("case", [c for c in CASES if c.cli is not None], ids=lambda c: c.name)
def test_cli_bad_input(
    case: Case,
    tmp_path: Path,
    leeds_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the command line: exit code 2, the place and the rule named, no traceback."""
    write_files(case, tmp_path, leeds_path)
    assert case.cli is not None
    code, text = run_cli(fill(case.cli, leeds_path), tmp_path, monkeypatch, capsys)
    assert code == 2, text
    check_message(text, case)


#: Every command-line case also runs through the installed ``carezones`` command.
SUBPROCESS = [c.name for c in CASES if c.cli is not None]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_cli_bad_input_in_a_subprocess(name: str, tmp_path: Path, leeds_path: Path) -> None:
    """The installed ``carezones`` command: exit code 2, a message, no traceback."""
    case = next(c for c in CASES if c.name == name)
    write_files(case, tmp_path, leeds_path)
    assert case.cli is not None
    exe = Path(sys.executable).with_name("carezones")
    got = subprocess.run(
        [str(exe), *fill(case.cli, leeds_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert got.returncode == 2, got.stdout + got.stderr
    check_message(got.stdout + got.stderr, case)


# ------------------------------------------------------------------ what is accepted


def test_trailing_comma_is_read_unshifted_with_a_warning(tmp_path: Path) -> None:
    """Data rows ending with a comma: values stay in their columns, the warning says why."""
    path = tmp_path / "clients.csv"
    path.write_text(csv_text(CLIENTS_HEAD, [r + "," for r in CLIENT_ROWS]))
    with pytest.warns(FileShapeWarning, match="trailing comma") as record:
        clients = cz.read_clients(path)
    assert clients["client_id"].tolist() == ["c1", "c2", "c3", "c4"]
    assert clients.geometry.x.round(5).tolist() == [p[0] for p in POINTS]
    no_coordinates(str(record[0].message))


def test_trailing_comma_with_a_bad_value_names_the_id_not_a_longitude(tmp_path: Path) -> None:
    """The leak of issue 14: a shifted file used to print longitudes as client ids."""
    rows = [r + "," for r in CLIENT_ROWS]
    rows[1] = rows[1].replace(",14,", ",ten,")
    path = tmp_path / "clients.csv"
    path.write_text(csv_text(CLIENTS_HEAD, rows))
    with pytest.warns(FileShapeWarning), pytest.raises(cz.ValidationError) as err:
        cz.read_clients(path)
    assert "client_id 'c2'" in str(err.value)
    no_coordinates(str(err.value))


def test_client_id_header_with_a_space_is_recognised(tmp_path: Path) -> None:
    """'Client ID' and ' client-id ' are the client_id column."""
    for head in ("Client ID", " client-id "):
        path = tmp_path / "clients.csv"
        path.write_text(csv_text(CLIENTS_HEAD.replace("client_id", head), CLIENT_ROWS))
        assert cz.read_clients(path)["client_id"].tolist() == ["c1", "c2", "c3", "c4"]


def test_missing_id_column_gives_no_spurious_duplicate(tmp_path: Path) -> None:
    """Without a client_id column there is one problem, not a 'duplicate id None' too."""
    path = tmp_path / "clients.csv"
    path.write_text(csv_text("lon,lat,weekly_hours", [f"{x},{y},7" for x, y in POINTS]))
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(path)
    assert [p.what for p in err.value.problems] == ["missing column"]


def test_one_latitude_of_95_is_blamed_on_its_row_only() -> None:
    """Without a network, one bad latitude is one problem on that row."""
    table = pd.read_csv(io.StringIO(with_row(2, "c3,-1.5504,95,7")), dtype=str)
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(table)
    assert len(err.value.problems) == 1
    assert "client_id 'c3'" in str(err.value)


def test_zone_id_column_reads_an_ons_boundary_file(tmp_path: Path) -> None:
    """--zone-id-column (id_column=) takes the zone ids from an ONS-style column."""
    (tmp_path / "wards.geojson").write_text(ONS)
    zones = read_zones(tmp_path / "wards.geojson", id_column="WD24CD")
    assert zones["zone_id"].tolist() == ["E05000001", "E05000002"]
    assert "WD24NM" in zones.columns


def test_damaged_cache_entry_is_said_and_rebuilt(leeds_path: Path, tmp_path: Path) -> None:
    """A cut-off cache file: a DamagedCacheWarning, then the network rebuilt and cached again."""
    first = cz.load_network(leeds_path, modes="walk", cache_dir=tmp_path)
    (edges,) = tmp_path.glob("net-*/walk/walk_edges.parquet")
    edges.write_bytes(edges.read_bytes()[:100])
    with pytest.warns(DamagedCacheWarning, match="damaged"):
        again = cz.load_network(leeds_path, modes="walk", cache_dir=tmp_path)
    assert len(again.edges["walk"]) == len(first.edges["walk"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        third = cz.load_network(leeds_path, modes="walk", cache_dir=tmp_path)
    assert len(third.edges["walk"]) == len(first.edges["walk"])


def test_damaged_cache_crs_is_rebuilt(leeds_path: Path, tmp_path: Path) -> None:
    """A damaged crs.wkt of a cache entry is also said and rebuilt."""
    cz.load_network(leeds_path, modes="walk", cache_dir=tmp_path)
    (crs,) = tmp_path.glob("net-*/crs.wkt")
    crs.write_text("PROJCRS[broken")
    with pytest.warns(DamagedCacheWarning):
        net = cz.load_network(leeds_path, modes="walk", cache_dir=tmp_path)
    assert net.crs is not None


# ------------------------------------------------------------------ random input

READERS: dict[str, Callable[[Path], object]] = {
    "clients.csv": lambda p: cz.read_clients(p),
    "carers.csv": lambda p: cz.read_carers(p),
    "providers.csv": lambda p: cz.read_providers(p),
    "clients.geojson": lambda p: cz.read_clients(p),
    "zones.geojson": lambda p: read_zones(p),
    "rota.csv": lambda p: read_rota(p),
    "scenario.toml": lambda p: Scenario.from_toml(p),
    "columns.toml": lambda p: RotaColumns.from_toml(p),
    "network.osm.pbf": lambda p: cz.load_network(p, cache=False),
    "postcodes.csv": lambda p: read_postcodes(p),
    "rota.xlsx": lambda p: read_rota(p),
}


@settings(
    max_examples=90, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(sorted(READERS)), data=st.binary(max_size=400))
def test_random_bytes_never_crash_a_reader(name: str, data: bytes, tmp_path: Path) -> None:
    """Any bytes given to any reader: a result or a CarezonesError, never another exception."""
    path = tmp_path / name
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            READERS[name](path)
        except cz.CarezonesError as exc:
            assert "Traceback" not in str(exc)


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.integers(0, 3),
    row=st.integers(0, 3),
    cell=CELL,
    table=st.sampled_from(["clients", "carers"]),
)
def test_random_cells_give_a_table_or_a_clear_error(
    column: int, row: int, cell: str, table: str, tmp_path: Path
) -> None:
    """One random cell in a good file: the table or a ValidationError, no other row's coordinate."""
    head, rows = (CLIENTS_HEAD, CLIENT_ROWS) if table == "clients" else (CARERS_HEAD, CARER_ROWS)
    row = row % len(rows)
    cells = [r.split(",") for r in rows]
    cells[row][column] = cell
    buffer = io.StringIO()
    csv.writer(buffer).writerows([head.split(","), *cells])
    path = tmp_path / f"{table}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    reader = cz.read_clients if table == "clients" else cz.read_carers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader(path)
        except cz.ValidationError as exc:
            text = str(exc)
            for i, (x, y) in enumerate(POINTS[: len(rows)]):
                if i != row:
                    assert f"{abs(x):.3f}" not in text and f"{y:.3f}" not in text, text


def test_read_csv_text_keeps_leading_zeros(tmp_path: Path) -> None:
    """The shape checks keep CSV cells as text (ids with leading zeros survive)."""
    path = tmp_path / "t.csv"
    path.write_text("client_id,lon\n007,1\n")
    assert read_csv_text(path)["client_id"].tolist() == ["007"]


# ------------------------------------------------------------------ issue 27: said, not silent

REPORT_CASES = [c.name for c in ISSUE_27_CASES if c.name.startswith("report") and c.cli]


@pytest.mark.parametrize("name", REPORT_CASES)
def test_a_refused_report_writes_nothing(
    name: str,
    tmp_path: Path,
    leeds_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`carezones report` on a bad run folder exits 2 and writes no page or workbook."""
    case = next(c for c in ISSUE_27_CASES if c.name == name)
    write_files(case, tmp_path, leeds_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert case.cli is not None
    code, _ = run_cli(case.cli, tmp_path, monkeypatch, capsys)
    assert code == 2
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_report_refuses_a_linked_run_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run file that is a symbolic link (to a system file, say) is refused, not reported."""
    secret = tmp_path / "secret.txt"
    secret.write_text("outcome,value,unit\nroot,0,x\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "outcomes.csv").symlink_to(secret)
    with pytest.raises(cz.ValidationError, match="symbolic link"):
        build_report(tmp_path / "run")
    code, text = run_cli(["report", "run"], tmp_path, monkeypatch, capsys)
    assert code == 2 and "outcomes.csv: symbolic link" in text and "Traceback" not in text
    (tmp_path / "run" / "outcomes.csv").unlink()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "outcomes.csv").write_text(OUTCOMES)
    (tmp_path / "cmp").mkdir()
    (tmp_path / "cmp" / "comparison.csv").write_text("outcome,unit,now\nn_clients,clients,4\n")
    (tmp_path / "cmp" / "now").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(cz.ValidationError, match="symbolic link"):
        build_report(tmp_path / "cmp")
    assert not list(tmp_path.rglob("report.*"))


def test_boundary_leaving_clients_out_says_how_many_and_why(
    tmp_path: Path,
    leeds_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """2 of 4 clients outside --boundary: counted on the console, reasons in assignments.csv."""
    (tmp_path / "good.csv").write_text(GOOD)
    west = (-1.5600, 53.80, -1.5530, 53.81)  # holds c1 and c4
    (tmp_path / "b.geojson").write_text(geojson_boxes([west], ["part"], "name"))
    code, text = run_cli(fill(["zones", *ZONES_OPTS, "--boundary", "b.geojson"], leeds_path),
                         tmp_path, monkeypatch, capsys)  # fmt: skip
    assert code == 0, text
    assert "2 of 4 clients are in no zone (2 outside the boundary)" in text
    assert "breaks no rule, but 2 of 4 clients are in no zone" in text
    table = pd.read_csv(tmp_path / "out" / "assignments.csv", dtype=str, keep_default_na=False)
    why = dict(zip(table["client_id"], table["reason"], strict=True))
    assert why == {"c1": "", "c2": "outside the boundary", "c3": "outside the boundary",
                   "c4": ""}  # fmt: skip
    no_coordinates(text)


def test_routing_n_jobs_is_cut_to_the_cores(tmp_path: Path) -> None:
    """[routing] n_jobs = 16 uses at most this computer's cores (it used to start 16)."""
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO + "[routing]\nn_jobs = 16\n")
    assert Scenario.from_toml(path).routing.n_jobs == min(16, os.cpu_count() or 1)
