"""Tests of offline geocoding: text rules, postcode files, matching, fallbacks, real UK extracts."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from carezones import ValidationError
from carezones.geocode import (
    MATCH_QUALITIES,
    Geocoder,
    geocode,
    normalise_postcode,
    read_osm_addresses,
    read_postcodes,
)
from carezones.geocode.text import input_number_keys, parse_address, sector_of, street_key

# ---- a hand-made address table (British National Grid metres, around Camden) ------------

GATE_12 = (530700.0, 181500.0)
HIGH_NW1 = (528900.0, 183600.0)
HIGH_NW3 = (526500.0, 185600.0)
_ADDRESSES = [
    ("12", "Gate Street", "WC2A 3HP", GATE_12),
    ("14", "Gate Street", "WC2A 3HP", (530720.0, 181500.0)),
    ("1-5", "Whidborne Street", "WC1H 8ET", (530300.0, 182600.0)),
    ("7", "St Cross Street", None, (531300.0, 181800.0)),
    ("21", "High Street", "NW1 7JR", HIGH_NW1),
    ("21", "High Street", "NW3 1QE", HIGH_NW3),
    ("40", "Fitzjohn's Avenue", "NW3 5NB", (526600.0, 185000.0)),
    ("40", "Fitzjohn's Avenue", "NW3 5NB", (526610.0, 185000.0)),
    ("9", "Camden Square", "NW1 9XA", (529600.0, 184500.0)),
    (None, None, "NW1 2DB", (529700.0, 182800.0)),
    (None, None, "NW1 2DB", (529720.0, 182820.0)),
    ("3", "Crescent Grove", "NW1 2EX", (529800.0, 182900.0)),
]


def hand_addresses() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "housenumber": [a[0] for a in _ADDRESSES],
            "street": [a[1] for a in _ADDRESSES],
            "postcode": [a[2] for a in _ADDRESSES],
        },
        geometry=[shapely.Point(a[3]) for a in _ADDRESSES],
        crs=27700,
    )


@pytest.fixture(scope="module")
def hand() -> Geocoder:
    """A geocoder over the hand-made addresses, results in British National Grid."""
    return Geocoder.from_addresses(hand_addresses(), crs=27700)


def one(geocoder: Geocoder, **columns: object) -> pd.Series:
    """Geocode one row given as keyword columns; return the placed row."""
    frame = pd.DataFrame({"client_id": ["c1"], **{k: [v] for k, v in columns.items()}})
    result = geocoder.geocode(frame, id_column="client_id")
    return result.frame.iloc[0]


def xy(row: pd.Series) -> tuple[float, float]:
    return (round(row.geometry.x, 3), round(row.geometry.y, 3))


# ---- text rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NW1 2DB", "NW1 2DB"),
        ("nw12db", "NW1 2DB"),
        (" sw1a  1aa ", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A-1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
        ("NW1", None),
        ("NW1 2", None),
        ("NW1 2CB", None),  # C is never a unit letter
        ("QW1 2DB", None),  # Q never starts a postcode
        ("12345", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_postcode(text: object, expected: str | None) -> None:
    """UK postcodes are recognised in any case and spacing; others give None."""
    assert normalise_postcode(text) == expected


def test_sector_of_full_and_partial_postcodes() -> None:
    """The sector comes from a full postcode or from a sector given alone, not from a district."""
    assert sector_of("nw1 2db") == "NW1 2"
    assert sector_of("NW1 2") == "NW1 2"
    assert sector_of("NW1") is None


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Gate Rd", "Gate Road"),
        ("Gate St", "Gate Street"),
        ("Gate Ave", "Gate Avenue"),
        ("Gate Ln", "Gate Lane"),
        ("Gate Cres", "Gate Crescent"),
        ("Gate Gdns", "Gate Gardens"),
        ("Gate Pl", "Gate Place"),
        ("Gate Sq", "Gate Square"),
        ("Gate Terr", "Gate Terrace"),
        ("Gate Ct", "Gate Court"),
        ("Gate Dr.", "Gate Drive"),
        ("St. John's Wood Rd", "Saint Johns Wood Road"),
        ("ST JOHN\u2019S  WOOD ROAD", "St John's Wood Road"),
        ("Elephant & Castle", "Elephant and Castle"),
        ("Säästöpankinranta", "Saastopankinranta"),
    ],
)
def test_street_key_ignores_abbreviation_case_and_punctuation(short: str, long: str) -> None:
    """Abbreviated, shouted or punctuated street names reduce to the same key as the full name."""
    assert street_key(short) == street_key(long)


@pytest.mark.parametrize(
    ("text", "number", "street", "postcode"),
    [
        ("12 Gate Street, London WC2A 3HP", "12", "Gate Street", "WC2A 3HP"),
        ("Flat 3, 12a Gate St", "12a", "Gate St", None),
        ("Unit 4 12-14 Gate Street", "12-14", "Gate Street", None),
        ("Apartment 2B, 12 Gate Street", "12", "Gate Street", None),
        ("12, Gate Street, London", "12", "Gate Street", None),
        ("Rose Cottage, 5 The Grove, nw3 1qe", "5", "The Grove", "nw3 1qe"),
        ("Kaivokatu 1", "1", "Kaivokatu", None),
    ],
)
def test_parse_address(text: str, number: str, street: str, postcode: str | None) -> None:
    """One-line addresses give the house number, the street first, and a trailing postcode."""
    parsed = parse_address(text)
    assert (parsed.number, parsed.streets[0], parsed.postcode) == (number, street, postcode)


def test_input_number_keys_fall_back_from_letters_and_ranges() -> None:
    """"12A" also tries 12; "12-14" tries the range, then 12, 14 and the numbers between."""
    assert input_number_keys("12a") == ("12A", "12")
    assert input_number_keys("12 - 16") == ("12-16", "12", "16", "13", "14", "15")


# ---- postcode files ----------------------------------------------------------------------


def test_read_postcodes_onspd_lat_long(tmp_path: Path) -> None:
    """ONSPD layout: pcds and lat/long read; rows without coordinates and bad postcodes left out."""
    path = tmp_path / "ONSPD_NW.csv"
    path.write_text(
        "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,osgrdind,lat,long\n"
        "NW1 2DB,NW1  2DB,NW1 2DB,198001,,529700,182800,1,51.530,-0.130\n"
        "NW1 2EX,NW1  2EX,NW1 2EX,198001,,529800,182900,1,51.531,-0.129\n"
        "ZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,198001,,,,9,99.999999,0.000000\n"
        "NW1 0XX,NW1  0XX,NW1 0XX,198001,,,,9,99.999999,0.000000\n"
    )
    table = read_postcodes(path)
    assert table.crs.to_epsg() == 4326
    assert table["postcode"].tolist() == ["NW1 2DB", "NW1 2EX"]
    assert table.geometry.iloc[0].coords[0] == pytest.approx((-0.130, 51.530))


def test_read_postcodes_onspd_grid_references(tmp_path: Path) -> None:
    """ONSPD without lat/long: oseast1m/osnrth1m read as BNG; BT rows moved from Irish Grid."""
    path = tmp_path / "onspd.csv"
    path.write_text("PCD,OSEAST1M,OSNRTH1M\nNW12DB,529700,182800\nBT1 1AA,333900,374600\n")
    table = read_postcodes(path, layout="onspd")
    assert table.crs.to_epsg() == 27700
    assert table.geometry.iloc[0].coords[0] == (529700.0, 182800.0)
    belfast = table.to_crs(4326).geometry.iloc[1]
    assert 54.5 < belfast.y < 54.7 and -6.0 < belfast.x < -5.8


def test_read_postcodes_code_point_open(tmp_path: Path) -> None:
    """Code-Point Open (no header): postcode, quality, eastings, northings; quality 90 skipped."""
    folder = tmp_path / "CSV"
    folder.mkdir()
    (folder / "nw.csv").write_text(
        '"NW1 2DB",10,529700,182800,"E92000001","E19000003","E18000007","","E09000007",""\n'
        '"NW1 9XA",90,0,0,"E92000001","","","","",""\n'
    )
    (folder / "wc.csv").write_text('"WC2A3HP",10,530700,181500,"E92000001","","","","",""\n')
    table = read_postcodes(folder)
    assert table.crs.to_epsg() == 27700
    assert sorted(table["postcode"]) == ["NW1 2DB", "WC2A 3HP"]


def test_read_postcodes_unknown_layout_and_missing_file(tmp_path: Path) -> None:
    """A file of neither layout, and a missing file, raise errors naming the file."""
    path = tmp_path / "other.csv"
    path.write_text("name,value\nx,1\n")
    with pytest.raises(ValidationError, match=r"other\.csv.*unknown postcode file layout"):
        read_postcodes(path)
    with pytest.raises(ValidationError, match="missing file"):
        read_postcodes(tmp_path / "nope.csv")


# ---- matching on the hand-made table ----------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "12 Gate Street",
        "12 gate st",
        "12 GATE ST.",
        "12, Gate Street, London",
        "Flat 3, 12 Gate St",
        "Unit 2 12 Gate Street WC2A 3HP",
        "12 Gate Street London",
        "No. 12 Gate Street",
    ],
)
def test_address_variants_match_exactly(hand: Geocoder, address: str) -> None:
    """Case, punctuation, abbreviations, flat prefixes and a trailing town still match."""
    row = one(hand, address=address)
    assert row["match_quality"] == "address"
    assert xy(row) == GATE_12


def test_letter_suffix_and_ranges(hand: Geocoder) -> None:
    """"12A" falls back to 12, "12-14" to 12, and 3 is found inside the OSM range "1-5"."""
    for address in ("12A Gate Street", "12-14 Gate Street", "12 to 14 Gate Street"):
        row = one(hand, address=address)
        assert row["match_quality"] == "address", address
        assert xy(row) == GATE_12
        assert "range or without its letter" in row["match_reason"]
    assert one(hand, address="3 Whidborne St")["match_quality"] == "address"


def test_structured_columns(hand: Geocoder) -> None:
    """House number and street given apart (numbers as numbers) match like a one-line address."""
    row = one(hand, house_number=12.0, street="GATE ST", postcode="wc2a3hp")
    assert row["match_quality"] == "address"
    assert xy(row) == GATE_12


def test_saint_and_street_abbreviations(hand: Geocoder) -> None:
    """"St" means Saint at the start and Street at the end."""
    assert one(hand, address="7 Saint Cross St")["match_quality"] == "address"


def test_approximate_street_names(hand: Geocoder) -> None:
    """A misspelt street matches approximately when the number is on it; the option turns it off."""
    row = one(hand, address="12 Gaet Street")
    assert row["match_quality"] == "address"
    assert "approximately" in row["match_reason"]
    strict = Geocoder.from_addresses(hand_addresses(), crs=27700, min_similarity=None)
    assert one(strict, address="12 Gaet Street")["match_quality"] == "unmatched"


def test_postcode_picks_among_same_addresses(hand: Geocoder) -> None:
    """Two "21 High Street"s far apart: the postcode picks one; without it the row is ambiguous."""
    assert xy(one(hand, address="21 High St", postcode="NW3 1QE")) == HIGH_NW3
    assert xy(one(hand, address="21 High St", postcode="NW1 7JR")) == HIGH_NW1
    row = one(hand, address="21 High Street")
    assert row["match_quality"] == "unmatched"
    assert "apart" in row["match_reason"]


def test_address_in_another_district_is_not_taken(hand: Geocoder) -> None:
    """An address whose OSM postcode district differs from the row's postcode falls back."""
    row = one(hand, address="12 Gate Street", postcode="NW3 1QE")
    assert row["match_quality"] == "postcode"
    assert "another postcode district" in row["match_reason"]


def test_nearby_duplicates_are_averaged(hand: Geocoder) -> None:
    """A building and its address node with the same address are averaged."""
    assert xy(one(hand, address="40 Fitzjohns Ave")) == (526605.0, 185000.0)


def test_postcode_and_sector_fallbacks(hand: Geocoder) -> None:
    """Without an address: OSM postcode centroid, then sector centroid, then unmatched."""
    row = one(hand, postcode="NW1 2DB")
    assert (row["match_quality"], xy(row)) == ("postcode", (529710.0, 182810.0))
    assert "2 OSM addresses" in row["match_reason"]
    row = one(hand, address="99 Gate Street", postcode="NW1 2ZZ")
    assert row["match_quality"] == "sector"
    assert "house number not on the street" in row["match_reason"]
    row = one(hand, postcode="NW1 2")
    assert row["match_quality"] == "sector"
    row = one(hand, postcode="SE1 7PB")
    assert row["match_quality"] == "unmatched"
    assert row.geometry is not None and row.geometry.is_empty  # an empty Point, as documented


def test_postcode_file_wins_over_osm_centroids(tmp_path: Path) -> None:
    """With a postcode file, its centroids (and its sectors) come before the OSM ones."""
    path = tmp_path / "onspd.csv"
    path.write_text("pcds,oseast1m,osnrth1m\nNW1 2DB,530000,183000\nNW1 2EE,530100,183100\n")
    geocoder = Geocoder.from_addresses(hand_addresses(), crs=27700, postcodes=read_postcodes(path))
    row = one(geocoder, postcode="nw1 2db")
    assert (row["match_quality"], xy(row)) == ("postcode", (530000.0, 183000.0))
    assert row["match_reason"] == "postcode centroid from the postcode file"
    row = one(geocoder, postcode="NW1 2ZZ")
    assert (row["match_quality"], xy(row)) == ("sector", (530050.0, 183050.0))


def test_counts_rows_kept_and_bad_postcodes_reported(hand: Geocoder) -> None:
    """Every row comes back in order with a quality; bad postcodes are reported by id and column."""
    frame = pd.DataFrame(
        {
            "client_id": ["a", "b", "c", "d", "e"],
            "address": ["12 Gate St", "", "", "Nowhere", ""],
            "postcode": ["", "NW1 2DB", "NW1 2", "X1", ""],
            "weekly_hours": [3.0, 4.0, 5.0, 6.0, 7.0],
        },
        index=[10, 11, 12, 13, 14],
    )
    result = hand.geocode(frame, id_column="client_id")
    assert result.counts == {"address": 1, "street": 0, "postcode": 1, "sector": 1, "unmatched": 2}
    assert list(result.counts) == list(MATCH_QUALITIES)
    assert result.frame.index.tolist() == [10, 11, 12, 13, 14]
    assert result.frame["weekly_hours"].tolist() == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert result.unmatched()["client_id"].tolist() == ["d", "e"]
    bad = {(p.what, p.row, p.column) for p in result.problems}
    assert ("bad postcode", "id 'c'", "postcode") in bad
    assert ("bad postcode", "id 'd'", "postcode") in bad
    assert ("no location", "id 'e'", None) in bad
    assert "2 bad postcodes" in str(result)
    assert result.frame.loc[14, "match_reason"] == "no address or postcode given"
    assert result.frame.loc[13, "match_reason"] == ("no house number; postcode not in UK format")


def test_errors_raise_lists_every_problem(hand: Geocoder) -> None:
    """errors="raise" raises once, naming each bad postcode and unmatched row by id."""
    frame = pd.DataFrame({"id": ["a", "b"], "postcode": ["NW1 2DB", "nonsense"]})
    with pytest.raises(ValidationError, match=r"(?s)1 problem.*id 'b'.*bad postcode"):
        hand.geocode(frame, id_column="id", errors="raise")


def test_table_problems_raise(hand: Geocoder) -> None:
    """Missing columns, blank or repeated ids and no location columns raise, naming each."""
    frame = pd.DataFrame({"id": ["a", "a", ""], "postcode": ["NW1 2DB"] * 3})
    with pytest.raises(ValidationError) as err:
        hand.geocode(frame, id_column="id")
    assert {p.what for p in err.value.problems} == {"repeated id", "blank id"}
    with pytest.raises(ValidationError, match=r"'pc'.*missing column"):
        hand.geocode(frame, id_column="id", postcode_column="pc")
    with pytest.raises(ValidationError, match="no location columns"):
        hand.geocode(frame[["id"]], id_column="id")


def test_crs_and_geodataframe_input(hand: Geocoder) -> None:
    """Results are in EPSG:4326 by default; a GeoDataFrame's own geometry is replaced."""
    wgs = Geocoder.from_addresses(hand_addresses())
    frame = gpd.GeoDataFrame(
        {"id": ["a"], "address": ["12 Gate St"]}, geometry=[shapely.Point(0, 0)], crs=3857
    )
    result = wgs.geocode(frame, id_column="id")
    assert result.frame.crs.to_epsg() == 4326
    point = result.frame.to_crs(27700).geometry.iloc[0]
    assert point.distance(shapely.Point(GATE_12)) < 0.01


def test_no_address_or_coordinate_in_reasons_problems_or_logs(
    hand: Geocoder, caplog: pytest.LogCaptureFixture
) -> None:
    """match_reason, problems and log lines never repeat an address, postcode or coordinate."""
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "address": ["12 Gate St", "77 Secretlane Road", "", "3 Crescent Grove"],
            "postcode": ["", "NW1 2ZZ", "ZZ99 SECRET", "NW1 2EX"],
        }
    )
    with caplog.at_level(logging.DEBUG, logger="carezones"):
        result = hand.geocode(frame, id_column="id")
    text = " ".join(result.frame["match_reason"]) + " ".join(map(str, result.problems))
    text += caplog.text
    for secret in ("Gate", "Secretlane", "SECRET", "NW1 2", "Crescent", "530700", "181500"):
        assert secret.lower() not in text.lower()


# ---- the real UK extracts ----------------------------------------------------------------


_EXTRACTS = ("leeds", "oxford", "camden")


@pytest.fixture(scope="module")
def real() -> dict[str, tuple[Geocoder, gpd.GeoDataFrame]]:
    """Per extract name: a geocoder (BNG results) and its OSM addresses, filled on first use."""
    return {}


def real_geocoder(
    name: str, request: pytest.FixtureRequest, cache: dict
) -> tuple[Geocoder, gpd.GeoDataFrame]:
    if name not in cache:
        path = request.getfixturevalue(f"{name}_path")
        addresses = read_osm_addresses(path)
        cache[name] = (Geocoder(addresses, crs=27700), addresses)
    return cache[name]


def unique_addresses(addresses: gpd.GeoDataFrame, n: int, seed: int) -> pd.DataFrame:
    """Up to ``n`` OSM addresses whose (street, plain number) occurs once in the extract."""
    keys = addresses["street"].map(street_key) + "|" + addresses["housenumber"].fillna("")
    plain = addresses["housenumber"].fillna("").str.fullmatch(r"\d+") & addresses["street"].fillna(
        ""
    ).str.fullmatch(r"[^,]+")
    once = keys.map(keys.value_counts()) == 1
    pool = addresses[plain & once].copy()
    pool["key"] = keys[pool.index]
    pool["point"] = shapely.centroid(pool.geometry.to_crs(27700).values)
    pool["postcode"] = pool["postcode"].map(normalise_postcode)
    return pool.sample(min(n, len(pool)), random_state=seed)


_SHORT = {"Street": "St", "Road": "Rd", "Avenue": "Ave", "Lane": "Ln", "Place": "Pl",
          "Square": "Sq", "Terrace": "Terr", "Crescent": "Cres", "Gardens": "Gdns"}  # fmt: skip


def spelling_variants(number: str, street: str, postcode: str | None, i: int) -> str:
    """The i-th way of writing an address: abbreviated, shouted, with a flat, with a town..."""
    short = street
    for long, abbreviation in _SHORT.items():
        short = re.sub(rf"\b{long}\b", abbreviation, short)
    short = re.sub(r"^Saint\b", "St", short)
    has_postcode = isinstance(postcode, str) and i % 2
    pc = f" {postcode.lower().replace(' ', '')}" if has_postcode else ""
    forms = [
        f"{number} {short}",
        f"{number} {street.upper().replace(chr(39), '')}, Leeds{pc}",
        f"Flat {i % 9 + 1}, {number} {short.lower()}.",
        f"{number}, {street}, England{pc}",
    ]
    return forms[i % len(forms)]


@pytest.mark.parametrize("name", _EXTRACTS)
def test_real_addresses_with_spelling_variants_match(
    name: str, request: pytest.FixtureRequest, real: dict
) -> None:
    """Real OSM addresses written four ways (abbreviated, shouted, flat prefix, commas) match."""
    geocoder, addresses = real_geocoder(name, request, real)
    sample = unique_addresses(addresses, 60, seed=1)
    assert len(sample) >= 8, f"too few unique addresses in {name}"
    frame = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(len(sample))],
            "address": [
                spelling_variants(n, s, p, i)
                for i, (n, s, p) in enumerate(
                    zip(sample["housenumber"], sample["street"], sample["postcode"], strict=True)
                )
            ],
        }
    )
    result = geocoder.geocode(frame, id_column="client_id")
    placed = result.frame
    assert (placed["match_quality"] == "address").all(), placed.loc[
        placed["match_quality"] != "address", "match_reason"
    ].tolist()
    distance = shapely.distance(placed.geometry.values, sample["point"].to_numpy())
    assert distance.max() < 0.01


@pytest.mark.parametrize("name", ["oxford", "camden"])
def test_real_misspelt_streets_and_letters(
    name: str, request: pytest.FixtureRequest, real: dict
) -> None:
    """A dropped letter in a long street name, and a letter after the number, still match."""
    geocoder, addresses = real_geocoder(name, request, real)
    sample = unique_addresses(addresses, 40, seed=2)
    sample = sample[sample["street"].str.len() >= 12]
    keys = set(addresses["street"].map(street_key) + "|" + addresses["housenumber"].fillna(""))
    typo = [f"{n} {s[:3]}{s[4:]}" for n, s in zip(sample["housenumber"], sample["street"],
                                                    strict=True)]  # fmt: skip
    letter = [
        f"{n}{'Z' if street_key(s) + '|' + n + 'Z' not in keys else 'Y'} {s}"
        for n, s in zip(sample["housenumber"], sample["street"], strict=True)
    ]
    ids = [f"t{i}" for i in range(2 * len(sample))]
    frame = pd.DataFrame({"id": ids, "address": typo + letter})
    placed = geocoder.geocode(frame, id_column="id").frame
    truth = np.concatenate([sample["point"].to_numpy()] * 2)
    good = (placed["match_quality"] == "address").to_numpy() & (
        shapely.distance(placed.geometry.values, truth) < 0.01
    )
    assert good[len(sample) :].all()
    assert good[: len(sample)].mean() >= 0.9


@pytest.mark.parametrize("name", _EXTRACTS)
def test_real_missing_parts_fall_back(
    name: str, request: pytest.FixtureRequest, real: dict
) -> None:
    """Real postcodes: no number -> postcode; unknown unit -> sector; no postcode -> unmatched."""
    geocoder, addresses = real_geocoder(name, request, real)
    postcodes = addresses["postcode"].map(normalise_postcode).dropna()
    postcodes = sorted(set(postcodes))[:5]
    streets = addresses.loc[addresses["street"].notna(), "street"].iloc[:5].tolist()
    n = min(len(postcodes), len(streets))
    assert n >= 1
    frame = pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(3 * n)],
            "street": streets[:n] + [""] * n + streets[:n],
            "postcode": postcodes[:n] + [pc[:-2] + "ZZ" for pc in postcodes[:n]] + [""] * n,
        }
    )
    result = geocoder.geocode(frame, id_column="id", street_column="street",
                              postcode_column="postcode")  # fmt: skip
    qualities = result.frame["match_quality"].tolist()
    assert qualities == ["postcode"] * n + ["sector"] * n + ["unmatched"] * n
    assert all(r.startswith("no house number") for r in result.frame["match_reason"][2 * n :])


@pytest.mark.parametrize("name", ["leeds", "camden"])
def test_real_postcodes_in_onspd_layout(name: str, request: pytest.FixtureRequest, real: dict,
                                        tmp_path: Path) -> None:  # fmt: skip
    """An ONSPD-layout file made from real OSM postcodes is read, and its centroids are used."""
    _, addresses = real_geocoder(name, request, real)
    postcodes = sorted(set(addresses["postcode"].map(normalise_postcode).dropna()))[:20]
    made_up = {pc: (400000.0 + 10 * i, 300000.0 + 10 * i) for i, pc in enumerate(postcodes)}
    path = tmp_path / "ONSPD_sample.csv"
    pd.DataFrame(
        {
            "pcd": [pc.replace(" ", "") for pc in postcodes],
            "pcds": postcodes,
            "oseast1m": [made_up[pc][0] for pc in postcodes],
            "osnrth1m": [made_up[pc][1] for pc in postcodes],
        }
    ).to_csv(path, index=False)
    table = read_postcodes(path)
    assert sorted(table["postcode"]) == postcodes
    with_file = Geocoder(addresses, crs=27700, postcodes=table)
    frame = pd.DataFrame({"id": postcodes, "postcode": [pc.lower() for pc in postcodes]})
    placed = with_file.geocode(frame, id_column="id").frame
    assert (placed["match_quality"] == "postcode").all()
    got = list(zip(placed.geometry.x, placed.geometry.y, strict=True))
    assert got == [made_up[pc] for pc in postcodes]


def test_network_gives_the_crs(leeds) -> None:  # type: ignore[no-untyped-def]
    """A geocoder built from a network reads its extract and returns points in its CRS."""
    geocoder = Geocoder.from_osm(leeds)
    assert geocoder.crs == leeds.crs
    result = geocode(pd.DataFrame({"id": ["a"], "postcode": ["LS2 9JT"]}), geocoder, id_column="id")
    assert result.frame.crs == leeds.crs


def test_cli_geocode(leeds_path: Path, tmp_path: Path) -> None:
    """`carezones geocode` writes the points and prints counts, with no address in its output."""
    from carezones.cli import app

    addresses = read_osm_addresses(leeds_path)
    first = unique_addresses(addresses.dropna(subset=["postcode"]), 1, seed=0).iloc[0]
    table = tmp_path / "clients.csv"
    pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3"],
            "address": [f"{first['housenumber']} {first['street']}", "", "Somewhere"],
            "postcode": ["", first["postcode"] or "", "LS2 XYZ"],
        }
    ).to_csv(table, index=False)
    out = tmp_path / "geocoded.gpkg"
    result = CliRunner().invoke(
        app,
        ["geocode", "--osm", str(leeds_path), "--input", str(table), "--id-column", "client_id",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 rows geocoded: address 1" in result.output
    assert "unmatched: client_id 'c3'" in result.output
    assert first["street"] not in result.output
    back = gpd.read_file(out)
    assert back["match_quality"].tolist()[0] == "address"
    assert len(back) == 3
