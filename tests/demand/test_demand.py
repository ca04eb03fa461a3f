"""Tests of carezones.demand: readers, writers, validation rules, visit expansion, snapping."""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carezones as cz
from carezones.demand import RULES
from carezones.demand import patterns as pat
from carezones.network import TravelNetwork

FORMATS = ("csv", "gpkg", "geojson", "parquet")
SKILLS = ["dementia", "end_of_life", "hoist", "medication"]


def clients_table() -> pd.DataFrame:
    """Three valid clients in central Helsinki (one with a pattern)."""
    return pd.DataFrame(
        {
            "client_id": ["c1", "c2", "007"],
            "lon": [24.9384, 24.9450, 24.9300],
            "lat": [60.1699, 60.1650, 60.1680],
            "weekly_hours": [14.0, None, 7.0],
            "pattern": ["", "mon-sun 07:00-10:00 45; mon,wed,fri 12:00-14:00 30", ""],
            "carers_needed": [1, 2, 1],
            "skills": ["Dementia", "medication, hoist", ""],
            "virtual_ok": ["no", "false", "yes"],
            "provider_id": ["P1", "", "P2"],
        }
    )


def carers_table() -> pd.DataFrame:
    """Two valid carers in central Helsinki."""
    return pd.DataFrame(
        {
            "carer_id": ["k1", "k2"],
            "lon": [24.9400, 24.9350],
            "lat": [60.1690, 60.1660],
            "mode": ["walk", "drive"],
            "contracted_hours": [30.0, 37.5],
            "shift_start": ["07:00", 420],
            "shift_end": ["15:00", 1320],
            "days": ["mon-fri", ""],
            "skills": ["dementia;hoist", ""],
            "provider_id": ["P1", "P2"],
        }
    )


def providers_table() -> pd.DataFrame:
    """Two providers, one with an office."""
    return pd.DataFrame(
        {
            "provider_id": ["P1", "P2"],
            "name": ["Bluebell Home Care", ""],
            "capacity_hours": [1000.0, None],
            "lon": [24.9410, None],
            "lat": [60.1670, None],
        }
    )


def rules_of(err: pytest.ExceptionInfo[cz.ValidationError]) -> list[str]:
    return [p.what for p in err.value.problems]


# ------------------------------------------------------------------ reading


def test_read_clients_normalises_and_keeps_every_row() -> None:
    """Valid clients come back typed and normalised, with every row and extra column kept."""
    table = clients_table().assign(note=["a", "b", "c"])
    clients = cz.read_clients(table)
    assert isinstance(clients, gpd.GeoDataFrame) and clients.crs.to_epsg() == 4326
    assert list(clients.columns) == [
        "client_id", "weekly_hours", "pattern", "carers_needed", "skills", "virtual_ok",
        "provider_id", "note", "geometry",
    ]  # fmt: skip
    assert clients["client_id"].tolist() == ["c1", "c2", "007"]
    assert clients["weekly_hours"].tolist() == [14.0, 6.75, 7.0]
    assert clients["skills"].tolist() == ["dementia", "hoist;medication", ""]
    assert clients["virtual_ok"].tolist() == [False, False, True]
    assert clients["carers_needed"].dtype == np.int64


def test_read_carers_defaults() -> None:
    """Optional carer columns get their documented defaults."""
    carers = cz.read_carers(carers_table().drop(columns=["days", "provider_id"]))
    assert carers.loc[1, "max_minutes"] == 480  # min(shift length, 480)
    assert carers.loc[0, "max_minutes"] == 480
    assert carers.loc[0, "days"] == ";".join(pat.DAYS)
    assert carers["provider_id"].tolist() == ["", ""]


def test_read_providers_with_and_without_offices() -> None:
    """Providers with offices are a GeoDataFrame (empty where none); without, a DataFrame."""
    providers = cz.read_providers(providers_table())
    assert isinstance(providers, gpd.GeoDataFrame)
    assert providers.geometry.isna().tolist() == [False, True]
    assert providers["name"].tolist() == ["Bluebell Home Care", "P2"]
    plain = cz.read_providers(providers_table().drop(columns=["lon", "lat"]))
    assert not isinstance(plain, gpd.GeoDataFrame)


def test_easting_northing_with_crs(grid: TravelNetwork) -> None:
    """Easting/northing columns are read in the CRS given and checked against the network."""
    table = pd.DataFrame(
        {
            "client_id": ["a", "b"],
            "easting": [530_050.0, 530_210.0],
            "northing": [180_040.0, 180_330.0],
            "weekly_hours": [7, 10],
        }
    )
    clients = cz.read_clients(table, crs=27700, network=grid)
    assert clients.crs.to_epsg() == 27700
    assert clients.geometry.x.tolist() == [530_050.0, 530_210.0]


def test_index_named_id_is_used() -> None:
    """A frame indexed by client_id is read as if client_id were a column."""
    clients = cz.read_clients(clients_table().set_index("client_id"))
    assert clients["client_id"].tolist() == ["c1", "c2", "007"]


# ------------------------------------------------------------------ one bad table per rule


def _set(column: str, row: int, value: Any) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({column: object}) if column in frame else frame
        frame.loc[row, column] = value
        return frame

    return mutate


def _drop(*columns: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.drop(columns=list(columns))


def _geometry(geom: shapely.Geometry, crs: Any = 4326) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        points = list(gpd.points_from_xy(frame["lon"], frame["lat"]))
        points[1] = geom
        return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=points, crs=crs)

    return mutate


CLIENT_CASES = [
    ("missing column", _drop("client_id"), {}),
    ("missing column", _drop("weekly_hours", "pattern"), {}),
    ("missing column", _drop("lon", "lat"), {}),
    ("missing value", _set("client_id", 1, "")),
    ("missing value", _set("weekly_hours", 0, None)),
    ("duplicate id", _set("client_id", 2, "c1")),
    ("missing coordinates", _set("lon", 1, np.nan)),
    ("missing coordinates", _set("lat", 1, "north")),
    ("not a point", _geometry(shapely.LineString([(24.93, 60.16), (24.94, 60.17)]))),
    ("no CRS", lambda f: f.rename(columns={"lon": "easting", "lat": "northing"})),
    ("conflicting CRS", _geometry(shapely.Point(24.94, 60.17)), {"crs": 27700}),
    ("outside the network's area", _set("lon", 2, 26.5), "helsinki"),
    ("not a number", _set("weekly_hours", 0, "lots")),
    ("not a whole number", _set("carers_needed", 0, 1.5)),
    ("not true or false", _set("virtual_ok", 0, "maybe")),
    ("hours out of range", _set("weekly_hours", 0, 0)),
    ("hours out of range", _set("weekly_hours", 0, -2)),
    ("hours out of range", _set("weekly_hours", 0, 169)),
    ("hours out of range", _set("pattern", 1, "mon-sun 00:00-24:00 1440; mon-sun 00:01-23:59 60")),
    ("bad pattern", _set("pattern", 1, "every day at seven")),
    ("bad pattern", _set("pattern", 1, "funday 07:00-10:00 30")),
    ("bad pattern", _set("pattern", 1, "mon 07:00-25:00 30")),
    ("bad duration", _set("pattern", 1, "mon 07:00-10:00 0")),
    ("window ends before start", _set("pattern", 1, "mon 10:00-07:00 30")),
    ("window shorter than visit", _set("pattern", 1, "mon 07:00-07:20 30")),
    ("duplicate call", _set("pattern", 1, "mon 07:00-10:00 30; mon-fri 07:00-09:00 30")),
    ("pattern disagrees with weekly_hours", _set("weekly_hours", 1, 10.0)),
    ("default pattern does not fit", _set("weekly_hours", 0, 60)),
    ("unknown skill", _set("skills", 0, "dementia;cooking"), {"skills": SKILLS}),
    ("bad skill name", _set("skills", 0, "dementia/hoist")),
    ("bad skill name", _set("skills", 0, "dementia hoist")),
    ("bad skill name", _set("skills", 0, "dementia\thoist")),
    ("bad gap", _set("pattern", 1, "mon 07:00-10:00 30, then 10-99999999999999999999 min later 5")),
    ("bad gap", _set("pattern", 1, "mon 07:00-10:00 30, then 300-240 minutes later 15")),
    ("follow-up does not fit", _set("pattern", 1, "mon 21:00-22:00 30, then 170-175 min later 30")),
    ("bad carers_needed", _set("carers_needed", 0, 3)),
    ("bad carers_needed", _set("carers_needed", 0, 0)),
    ("unknown provider", _set("provider_id", 0, "P9"), {"providers": ["P1", "P2"]}),
]
CARER_CASES = [
    ("missing column", _drop("contracted_hours"), {}),
    ("missing value", _set("contracted_hours", 0, None)),
    ("duplicate id", _set("carer_id", 1, "k1")),
    ("unknown mode", _set("mode", 0, "bike")),
    ("unknown mode", lambda t: t.assign(modes=["walk;bus", ""])),
    ("no mode", _set("mode", 0, "")),
    ("mode not among modes", lambda t: t.assign(modes=["cycle", ""])),
    ("hours out of range", _set("contracted_hours", 0, 0)),
    ("hours out of range", _set("contracted_hours", 0, 200)),
    ("time out of range", _set("shift_start", 0, "25:00")),
    ("time out of range", _set("shift_end", 0, 1500)),
    ("window ends before start", _set("shift_end", 0, "06:00")),
    ("bad working minutes", _set("max_minutes", 0, 600)),
    ("bad working minutes", _set("max_minutes", 0, 0)),
    ("contract does not fit shifts", _set("days", 0, "mon,tue")),
    ("unknown day", _set("days", 0, "funday")),
    ("unknown skill", _set("skills", 0, "juggling"), {"skills": SKILLS}),
    ("bad skill name", _set("skills", 0, "dementia / hoist")),
    (
        "unknown provider",
        _set("provider_id", 0, "P9"),
        {"providers": pd.DataFrame({"provider_id": ["P1", "P2"]})},
    ),
]
PROVIDER_CASES = [
    ("duplicate id", _set("provider_id", 1, "P1")),
    ("hours out of range", _set("capacity_hours", 0, -5)),
    ("not a number", _set("capacity_hours", 0, "plenty")),
]


def _run_case(
    reader: Callable[..., Any], table: pd.DataFrame, case: tuple[Any, ...], helsinki: TravelNetwork
) -> list[cz.Problem]:
    rule, mutate = case[0], case[1]
    extra = case[2] if len(case) > 2 else {}
    kwargs = {"network": helsinki} if extra == "helsinki" else dict(extra)
    with pytest.raises(cz.ValidationError) as err:
        reader(mutate(table), **kwargs)
    assert rule in rules_of(err), str(err.value)
    assert rule in str(err.value)  # the message names the rule
    assert rule in RULES
    assert "24.9" not in str(err.value) and "60.1" not in str(err.value)  # never a coordinate
    return list(err.value.problems)


@pytest.mark.parametrize("case", CLIENT_CASES, ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_client_rule(case: tuple[Any, ...], helsinki: TravelNetwork) -> None:
    """Each bad clients table raises ValidationError naming its rule, never a coordinate."""
    problems = _run_case(cz.read_clients, clients_table(), case, helsinki)
    row_problems = [p for p in problems if p.what == case[0] and p.row is not None]
    for p in row_problems:
        assert re.match(r"row \d+", p.row)


@pytest.mark.parametrize("case", CARER_CASES, ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_carer_rule(case: tuple[Any, ...], helsinki: TravelNetwork) -> None:
    """Each bad carers table raises ValidationError naming its rule."""
    _run_case(cz.read_carers, carers_table(), case, helsinki)


@pytest.mark.parametrize(
    "case", PROVIDER_CASES, ids=lambda c: c[0] if isinstance(c, tuple) else None
)
def test_provider_rule(case: tuple[Any, ...], helsinki: TravelNetwork) -> None:
    """Each bad providers table raises ValidationError naming its rule."""
    _run_case(cz.read_providers, providers_table(), case, helsinki)


def test_modes_open_to_a_carer_and_the_mode_plans_start_from() -> None:
    """``modes`` says what a carer can use; ``mode`` what plans start from.

    Without ``mode`` plans start from the least sustainable; without ``modes`` a carer can
    use only their ``mode``.
    """
    table = carers_table().drop(columns="mode").assign(modes=["cycle|walk", "drive;walk;cycle"])
    carers = cz.read_carers(table)
    assert carers["modes"].tolist() == ["walk;cycle", "walk;cycle;drive"]
    assert carers["mode"].tolist() == ["cycle", "drive"]
    plain = cz.read_carers(carers_table())
    assert plain["modes"].tolist() == ["walk", "drive"] == plain["mode"].tolist()
    with pytest.raises(cz.ValidationError, match="a 'mode' or a 'modes' column"):
        cz.read_carers(carers_table().drop(columns="mode"))


def test_every_rule_is_tested() -> None:
    """Every documented table rule has at least one bad table above (file rules tested below)."""
    tested = {c[0] for c in CLIENT_CASES + CARER_CASES + PROVIDER_CASES}
    files = {"missing file", "unknown format", "unreadable file", "which layer", "mode not loaded"}
    assert set(RULES) - tested == files


def test_problem_names_file_row_id_column(tmp_path: Path) -> None:
    """A problem names the file, the row and id, the column, what was expected and found."""
    path = tmp_path / "clients.csv"
    clients_table().assign(carers_needed=[1, 3, 1]).to_csv(path, index=False)
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(path)
    (p,) = err.value.problems
    assert (p.where, p.what, p.row, p.column, p.expected, p.found) == (
        str(path), "bad carers_needed", "row 2 (client_id 'c2')", "carers_needed", "1 or 2", "3",
    )  # fmt: skip


def test_every_problem_collected_then_raised_once() -> None:
    """Several defects in several rows are all listed in one ValidationError."""
    bad = clients_table()
    bad.loc[0, "weekly_hours"] = 200
    bad.loc[1, "pattern"] = "mon 10:00-07:00 30"
    bad.loc[2, "lon"] = np.nan
    bad["carers_needed"] = [1, 2, 5]
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(bad)
    assert sorted(rules_of(err)) == sorted(
        [
            "hours out of range",
            "window ends before start",
            "missing coordinates",
            "bad carers_needed",
        ]
    )


def test_swapped_lon_lat_gets_a_hint(helsinki: TravelNetwork) -> None:
    """Latitude and longitude swapped for every row: one problem, with the likely cause."""
    table = clients_table().rename(columns={"lon": "lat", "lat": "lon"})
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(table, network=helsinki)
    assert rules_of(err) == ["outside the network's area"]
    assert "swapped" in str(err.value)
    assert "24.9" not in str(err.value)


def test_metres_as_degrees_gets_a_hint(grid: TravelNetwork) -> None:
    """Metres in lon/lat columns (a wrong CRS) are named as such."""
    table = pd.DataFrame(
        {"client_id": ["a"], "lon": [530_050.0], "lat": [180_040.0], "weekly_hours": [7]}
    )
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(table, network=grid)
    assert "metres" in str(err.value)


def test_short_visits_warn() -> None:
    """Visits under 30 minutes give a ShortVisitWarning naming the client, not its location."""
    table = clients_table()
    table.loc[1, "pattern"] = "mon-sun 07:00-10:00 15"
    with pytest.warns(cz.ShortVisitWarning, match="'c2'") as record:
        clients = cz.read_clients(table)
    assert len(clients) == 3
    assert issubclass(cz.ShortVisitWarning, cz.CarezonesWarning)
    assert "24.9" not in str(record[0].message)
    assert Path(record[0].filename).name == Path(__file__).name  # stacklevel: the caller's line


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(fmt: str, tmp_path: Path) -> None:
    """Clients, carers and providers survive write then read unchanged, in every format."""
    for table, read, write in (
        (clients_table(), cz.read_clients, cz.write_clients),
        (carers_table(), cz.read_carers, cz.write_carers),
        (providers_table(), cz.read_providers, cz.write_providers),
        (providers_table().drop(columns=["lon", "lat"]), cz.read_providers, cz.write_providers),
    ):
        first = read(table)
        again = read(write(first, tmp_path / f"t.{fmt}"))
        _assert_same(first, again)


def test_round_trip_projected_crs(tmp_path: Path) -> None:
    """A projected table keeps its CRS in GeoPackage, GeoJSON and Parquet; CSV stores lon/lat."""
    clients = cz.read_clients(clients_table()).to_crs(32635)
    for fmt in ("gpkg", "geojson", "parquet"):
        _assert_same(clients, cz.read_clients(cz.write_clients(clients, tmp_path / f"c.{fmt}")))
    via_csv = cz.read_clients(cz.write_clients(clients, tmp_path / "c.csv"))
    assert via_csv.crs.to_epsg() == 4326
    assert_geodataframe_equal(via_csv.to_crs(32635), clients, check_less_precise=True)


def test_one_geopackage_holds_all_three(tmp_path: Path) -> None:
    """The three tables can share one GeoPackage, one layer each."""
    path = tmp_path / "population.gpkg"
    cz.write_clients(cz.read_clients(clients_table()), path)
    cz.write_carers(cz.read_carers(carers_table()), path)
    cz.write_providers(cz.read_providers(providers_table()), path)
    assert len(cz.read_clients(path)) == 3
    assert len(cz.read_carers(path)) == 2
    assert len(cz.read_providers(path)) == 2


def test_csv_keeps_leading_zeros(tmp_path: Path) -> None:
    """Ids are text: '007' stays '007' through CSV."""
    path = cz.write_clients(cz.read_clients(clients_table()), tmp_path / "c.csv")
    assert cz.read_clients(path)["client_id"].tolist() == ["c1", "c2", "007"]


def test_file_problems(tmp_path: Path) -> None:
    """Missing files, unknown endings, unreadable files and ambiguous layers are named."""
    cases = []
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(tmp_path / "nope.csv")
    cases.append(rules_of(err))
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(tmp_path / "clients.xlsx")
    cases.append(rules_of(err))
    (tmp_path / "junk.gpkg").write_text("not a geopackage")
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(tmp_path / "junk.gpkg")
    cases.append(rules_of(err))
    two = tmp_path / "two.gpkg"
    cz.write_clients(cz.read_clients(clients_table()), two, format="gpkg")
    cz.read_clients(clients_table()).to_file(two, layer="other")
    cz.read_clients(clients_table()).to_file(two, layer="more")
    with pytest.raises(cz.ValidationError) as err:
        cz.read_carers(two)
    cases.append(rules_of(err))
    with pytest.raises(cz.ValidationError) as err:
        cz.write_clients(cz.read_clients(clients_table()), tmp_path / "c.txt")
    cases.append(rules_of(err))
    assert cases == [
        ["missing file"],
        ["unknown format"],
        ["unreadable file"],
        ["which layer"],
        ["unknown format"],
    ]
    assert len(cz.read_clients(two, layer="more")) == 3


def test_writer_refuses_invalid_tables(tmp_path: Path) -> None:
    """Writers check first: a table the readers would refuse is never written."""
    with pytest.raises(cz.ValidationError):
        cz.write_clients(clients_table().assign(weekly_hours=[0, None, 7]), tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists()


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    if isinstance(a, gpd.GeoDataFrame):
        assert_geodataframe_equal(a, b)
    else:
        assert not isinstance(b, gpd.GeoDataFrame)
        pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------ visits


@pytest.mark.parametrize(
    "hours", [0.4, 1.5, 3.0, 3.49, 3.5, 7.0, 10.01, 10.125, 14.0, 20.0, 37.3, 56.0]
)
def test_expanded_hours_equal_weekly_hours(hours: float) -> None:
    """The default pattern's visits add up to weekly_hours rounded to the minute."""
    table = pd.DataFrame({"client_id": ["a"], "weekly_hours": [hours]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cz.ShortVisitWarning)
        visits = cz.expand_visits(table)
    total = int(visits["duration"].sum())
    assert total == round(hours * 60)
    assert abs(total / 60 - hours) <= 0.5 / 60 + 1e-12
    assert ((visits["window_end"] - visits["window_start"]) >= visits["duration"]).all()


def test_rounding_rule_halves_to_even() -> None:
    """607.5 minutes round to 608, 622.5 to 622 (Python's round: halves to even)."""
    totals = [
        int(
            cz.expand_visits(pd.DataFrame({"client_id": ["a"], "weekly_hours": [h]}))[
                "duration"
            ].sum()
        )
        for h in (10.125, 10.375)
    ]
    assert totals == [608, 622]


def test_default_pattern_rule() -> None:
    """Calls per day follow the documented rule (4 calls of 30 minutes at 14 h)."""
    assert [len(pat.default_calls(h)[0].days) for h in (1.0, 2.0, 3.0)] == [2, 4, 6]
    assert [
        sum(1 for c in pat.default_calls(h) if 0 in c.days) for h in (3.5, 7, 10.5, 14, 40)
    ] == [1, 2, 3, 4, 4]
    assert {c.duration for c in pat.default_calls(14)} == {30}


def test_pattern_visits_are_exact() -> None:
    """An explicit pattern expands to its calls exactly, on its days, in its windows."""
    clients = cz.read_clients(clients_table())
    visits = cz.expand_visits(clients)
    c2 = visits[visits["client_id"] == "c2"]
    assert len(c2) == 7 + 3
    assert c2["duration"].sum() == 7 * 45 + 3 * 30 == clients.loc[1, "weekly_hours"] * 60
    lunch = c2[c2["window_start"] == 720]
    assert lunch["day"].tolist() == ["monday", "wednesday", "friday"]
    assert (c2["carers_needed"] == 2).all() and (c2["skills"] == "hoist;medication").all()
    per_client = visits.groupby("client_id")["duration"].sum()
    expected = (clients.set_index("client_id")["weekly_hours"] * 60).round().astype(int)
    pd.testing.assert_series_equal(
        per_client.sort_index(), expected.sort_index(), check_names=False
    )


def test_visit_ids_stable_unique_and_readable() -> None:
    """visit_id is '{client}-{day}-{HHMM}', unique, and the same on every run."""
    clients = cz.read_clients(clients_table())
    a, b = cz.expand_visits(clients), cz.expand_visits(clients)
    pd.testing.assert_frame_equal(a, b)
    assert a["visit_id"].is_unique
    assert a["visit_id"].str.fullmatch(r"(c1|c2|007)-(mon|tue|wed|thu|fri|sat|sun)-\d{4}").all()
    assert "c2-wed-1200" in set(a["visit_id"])
    assert list(a.columns) == [
        "visit_id", "client_id", "call_id", "day", "window_start", "window_end", "duration",
        "carers_needed", "skills", "virtual_ok",
    ]  # fmt: skip
    # the same pattern entry on every day it happens: one call_id
    assert a.groupby("call_id")["window_start"].nunique().eq(1).all()
    assert a["call_id"].str.fullmatch(r"(c1|c2|007)#\d+").all()


def test_expand_some_days_with_dates() -> None:
    """days= picks days; week_start= adds dates and orders the week from that weekday."""
    clients = cz.read_clients(clients_table())
    visits = cz.expand_visits(
        clients, days=["fri", "monday"], week_start="2025-07-09"
    )  # a Wednesday
    assert visits["day"].unique().tolist() == ["friday", "monday"]
    dates = visits.groupby("day")["date"].first()
    assert dates["friday"] == pd.Timestamp("2025-07-11") and dates["monday"] == pd.Timestamp(
        "2025-07-14"
    )
    assert (visits["date"].dt.day_name().str.lower() == visits["day"]).all()


def test_expand_bad_arguments() -> None:
    """Unknown days and dates are ValidationErrors."""
    with pytest.raises(cz.ValidationError, match="unknown day"):
        cz.expand_visits(clients_table(), days="someday")
    with pytest.raises(cz.ValidationError, match="not a date"):
        cz.expand_visits(clients_table(), week_start="soon")
    with pytest.raises(cz.ValidationError, match="hours out of range"):
        cz.expand_visits(clients_table().assign(weekly_hours=[0, None, 7]))


# ------------------------------------------------------------------ snapping


def test_snap_population_reports_far_points(grid: TravelNetwork) -> None:
    """Far clients are flagged and warned about (by id), never dropped."""
    clients = cz.read_clients(
        pd.DataFrame(
            {
                "client_id": ["near", "far"],
                "easting": [530_110.0, 530_200.0],
                "northing": [180_090.0, 181_300.0],
                "weekly_hours": [7, 7],
            }
        ),
        crs=27700,
    )
    carers = cz.read_carers(
        pd.DataFrame(
            {
                "carer_id": ["k1"],
                "easting": [530_000.0],
                "northing": [180_000.0],
                "mode": ["walk"],
                "contracted_hours": [20],
            }
        ),
        crs=27700,
    )
    with pytest.warns(cz.FarFromNetworkWarning, match="'far'"):
        snapped = cz.snap_population(grid, clients, carers)
    assert snapped[["table", "id"]].values.tolist() == [
        ["clients", "near"],
        ["clients", "far"],
        ["carers", "k1"],
    ]
    assert snapped["far"].tolist() == [False, True, False]
    assert snapped.loc[0, "node"] == 7  # (530100, 180100) is node 7 of the grid


def test_snap_population_mode_not_loaded(grid: TravelNetwork) -> None:
    """A carer whose mode's network is not loaded is an error naming the carer."""
    carers = cz.read_carers(
        pd.DataFrame(
            {
                "carer_id": ["k1"],
                "easting": [530_000.0],
                "northing": [180_000.0],
                "mode": ["cycle"],
                "contracted_hours": [20],
            }
        ),
        crs=27700,
    )
    with pytest.raises(cz.ValidationError, match=r"carer_id 'k1': mode not loaded.*'cycle'"):
        cz.snap_population(grid, carers=carers)


# ------------------------------------------------------------------ properties

_ids = st.lists(st.integers(0, 999), min_size=1, max_size=6, unique=True).map(
    lambda xs: [f"{x:03d}" if x % 2 else f"c-{x}" for x in xs]
)


@st.composite
def _calls(draw: st.DrawFn) -> str:
    out, starts = [], set()
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
        start = draw(st.integers(0, 20)) * 60 + draw(st.sampled_from([0, 15, 30, 45]))
        if any((d, start) in starts for d in days):
            continue
        starts.update((d, start) for d in days)
        width = draw(st.integers(30, 180))
        duration = draw(st.integers(30, min(width, 90)))
        out.append(pat.Call(tuple(sorted(days)), start, min(start + width, 1440), duration))
    return (
        pat.format_pattern([c for c in out if c.end - c.start >= c.duration])
        or "mon 07:00-10:00 30"
    )


@st.composite
def valid_clients(draw: st.DrawFn) -> pd.DataFrame:
    ids = draw(_ids)
    n = len(ids)
    use_pattern = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    floats = st.floats(24.92, 24.96, allow_nan=False)
    return pd.DataFrame(
        {
            "client_id": ids,
            "lon": draw(st.lists(floats, min_size=n, max_size=n)),
            "lat": draw(st.lists(st.floats(60.160, 60.175), min_size=n, max_size=n)),
            "weekly_hours": [None if p else draw(st.floats(3.5, 56.0)) for p in use_pattern],
            "pattern": [draw(_calls()) if p else "" for p in use_pattern],
            "carers_needed": draw(st.lists(st.sampled_from([1, 2]), min_size=n, max_size=n)),
            "skills": [
                ";".join(draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3)))
                for _ in ids
            ],
            "virtual_ok": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "provider_id": draw(
                st.lists(st.sampled_from(["", "P1", "P2"]), min_size=n, max_size=n)
            ),
            "note": draw(st.lists(st.text("abc xyz", max_size=8), min_size=n, max_size=n)),
        }
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_clients())
def test_property_any_valid_table_round_trips(table: pd.DataFrame) -> None:
    """Any valid clients table survives write then read unchanged in every format, all rows kept."""
    first = cz.read_clients(table, skills=SKILLS, providers=["P1", "P2"])
    assert (
        first["client_id"].tolist() == table["client_id"].tolist()
    )  # nothing dropped or reordered
    visits = cz.expand_visits(first)
    per_client = visits.groupby("client_id")["duration"].sum().reindex(first["client_id"])
    assert (per_client.to_numpy() == (first["weekly_hours"] * 60).round().to_numpy()).all()
    with tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS:
            again = cz.read_clients(cz.write_clients(first, Path(folder) / f"c.{fmt}"))
            _assert_same(first, again)


def _defect(kind: str, row: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype(object)
        if kind in ("hours out of range", "default pattern does not fit"):
            frame.loc[row, "pattern"] = ""
            frame.loc[row, "weekly_hours"] = {"hours out of range": -1.0}.get(kind, 60.0)
        elif kind == "duplicate id":
            frame.loc[row, "client_id"] = frame.loc[(row + 1) % len(frame), "client_id"]
        elif kind == "missing coordinates":
            frame.loc[row, "lat"] = np.nan
        elif kind == "bad carers_needed":
            frame.loc[row, "carers_needed"] = 3
        elif kind == "unknown skill":
            frame.loc[row, "skills"] = "knitting"
        elif kind == "not true or false":
            frame.loc[row, "virtual_ok"] = "perhaps"
        else:
            frame.loc[row, "pattern"] = {
                "window ends before start": "tue 12:00-11:00 30",
                "window shorter than visit": "tue 12:00-12:20 45",
                "bad pattern": "tuesday noon",
            }[kind]
        return frame

    return mutate


DEFECTS = [
    "hours out of range", "default pattern does not fit", "duplicate id", "missing coordinates",
    "bad carers_needed", "unknown skill", "not true or false", "window ends before start",
    "window shorter than visit", "bad pattern",
]  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(valid_clients(), st.sampled_from(DEFECTS), st.data())
def test_property_one_defect_is_named(table: pd.DataFrame, kind: str, data: st.DataObject) -> None:
    """A valid table with one injected defect raises ValidationError naming that defect and row."""
    if kind == "duplicate id" and len(table) < 2:
        kind = "bad carers_needed"
    row = data.draw(st.integers(0, len(table) - 1))
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(_defect(kind, row)(table), skills=SKILLS)
    assert set(rules_of(err)) == {kind}
    assert any(
        p.row is not None and p.row.startswith(f"row {row + 1}") for p in err.value.problems
    ) or (kind == "duplicate id")
