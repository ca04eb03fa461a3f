"""Tests of reading clients and carers by address or postcode: read_clients(..., geocode=...)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones.datasets import default_osm_path
from carezones.geocode import Geocoder, normalise_postcode, read_osm_addresses
from carezones.network import TravelNetwork

# ---- a hand-made geocoder (British National Grid metres), no shared data needed ---------

GATE_12 = (530700.0, 181500.0)
GROVE_3 = (529800.0, 182900.0)


@pytest.fixture(scope="module")
def hand() -> Geocoder:
    """Three addresses around Camden, results in British National Grid."""
    addresses = gpd.GeoDataFrame(
        {
            "housenumber": ["12", "3", None],
            "street": ["Gate Street", "Crescent Grove", None],
            "postcode": ["WC2A 3HP", "NW1 2EX", "NW1 2DB"],
        },
        geometry=[shapely.Point(GATE_12), shapely.Point(GROVE_3), shapely.Point(529700, 182800)],
        crs=27700,
    )
    return Geocoder.from_addresses(addresses, crs=27700)


def hand_clients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3"],
            "address": ["12 Gate St", "3 crescent grove", ""],
            "postcode": ["", "", "nw1 2db"],
            "weekly_hours": [7, 14, 3.5],
        }
    )


def test_hand_clients_are_placed_with_quality(hand: Geocoder) -> None:
    """Rows without coordinates are placed by address or postcode and keep match_quality."""
    clients = cz.read_clients(hand_clients(), geocode=hand)
    assert clients["match_quality"].tolist() == ["address", "address", "postcode"]
    assert clients.crs.to_epsg() == 27700
    assert clients.geometry.iloc[0].coords[0] == GATE_12
    assert clients.attrs["unmatched"] == []
    assert clients.attrs["match_counts"] == {"address": 2, "street": 0, "postcode": 1,
                                             "sector": 0, "unmatched": 0}  # fmt: skip
    assert clients["weekly_hours"].tolist() == [7.0, 14.0, 3.5]
    assert "match_reason" in clients.columns


def test_carers_by_postcode(hand: Geocoder) -> None:
    """Carers' homes given by postcode are placed too."""
    carers = pd.DataFrame({"carer_id": ["k1"], "postcode": ["WC2A3HP"], "mode": ["walk"],
                           "contracted_hours": [20]})  # fmt: skip
    placed = cz.read_carers(carers, geocode=hand)
    assert placed.loc[0, "match_quality"] == "postcode"
    assert placed.geometry.iloc[0].coords[0] == GATE_12


def test_unmatched_raise_names_row_id_and_reason_only(hand: Geocoder) -> None:
    """By default unplaced rows are problems naming row, id and reason, never the address."""
    table = pd.concat(
        [
            hand_clients(),
            pd.DataFrame({"client_id": ["c4", "c5"], "address": ["77 Secretlane Road", ""],
                          "postcode": ["", "ZZ99 SECRET"], "weekly_hours": [7, 200]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(table, geocode=hand)
    unmatched = {p.row: p.found for p in err.value.problems if p.what == "unmatched"}
    assert unmatched == {
        "row 4 (client_id 'c4')": "street not in the OSM extract; no postcode",
        "row 5 (client_id 'c5')": "postcode not in UK format",
    }
    assert "hours out of range" in [p.what for p in err.value.problems]  # collected together
    for secret in ("Secretlane", "SECRET", "Gate", "WC2A", "530700"):
        assert secret.lower() not in str(err.value).lower()


def test_set_aside_returns_placed_rows_and_lists_the_rest(
    hand: Geocoder, caplog: pytest.LogCaptureFixture
) -> None:
    """unmatched="set-aside" returns placed rows; attrs list the others; logs hold counts only."""
    table = hand_clients().assign(address=["12 Gate St", "5 Secretlane Road", ""],
                                  postcode=["", "", ""])  # fmt: skip
    with caplog.at_level(logging.DEBUG, logger="carezones"):
        clients = cz.read_clients(table, geocode=hand, unmatched="set-aside")
    assert clients["client_id"].tolist() == ["c1"]
    assert pd.DataFrame(clients.attrs["unmatched"]).to_dict("list") == {
        "client_id": ["c2", "c3"],
        "row": [2, 3],
        "match_reason": ["street not in the OSM extract; no postcode",
                         "no address or postcode given"],
    }  # fmt: skip
    assert len(clients) + len(clients.attrs["unmatched"]) == len(table)  # nothing lost
    assert "unmatched 2" in caplog.text and "2 unmatched set aside" in caplog.text
    assert "secretlane" not in caplog.text.lower() and "gate" not in caplog.text.lower()


def test_set_aside_still_raises_other_problems(hand: Geocoder) -> None:
    """Setting unmatched rows aside does not excuse other problems of the table."""
    table = hand_clients().assign(weekly_hours=[7, 14, -1])
    with pytest.raises(cz.ValidationError, match="hours out of range"):
        cz.read_clients(table, geocode=hand, unmatched="set-aside")


def test_geocoded_table_survives_merge_concat_and_round_trip(
    hand: Geocoder, tmp_path: Path
) -> None:
    """The attrs are plain records, so merge and concat work; a written table reads back."""
    clients = cz.read_clients(hand_clients(), geocode=hand, unmatched="set-aside")
    both = pd.concat([clients, clients.copy()])
    assert len(both) == 6
    assert len(clients.merge(clients.copy(), on="client_id")) == 3
    again = cz.read_clients(cz.write_clients(clients, tmp_path / "clients.csv"), geocode=hand)
    assert again["match_quality"].tolist() == clients["match_quality"].tolist()
    assert again.to_crs(27700).geometry.distance(clients.geometry).max() < 0.01


def test_crs_moves_the_geocoded_points(hand: Geocoder) -> None:
    """With geocode, crs= is the CRS of the points returned."""
    clients = cz.read_clients(hand_clients(), geocode=hand, crs=4326)
    assert clients.crs.to_epsg() == 4326
    back = clients.to_crs(27700).geometry.iloc[0]
    assert back.distance(shapely.Point(GATE_12)) < 0.01


def test_table_with_coordinates_is_not_geocoded(hand: Geocoder) -> None:
    """A table that has coordinates keeps them: no match_quality column is added."""
    table = hand_clients().assign(easting=[1.0, 2.0, 3.0], northing=[4.0, 5.0, 6.0])
    clients = cz.read_clients(table, crs=27700, geocode=hand)
    assert "match_quality" not in clients.columns
    assert clients.geometry.iloc[0].coords[0] == (1.0, 4.0)


def test_empty_coordinate_columns_are_geocoded(hand: Geocoder) -> None:
    """Blank lon/lat columns (a common export) count as no location: the rows are geocoded."""
    clients = cz.read_clients(hand_clients().assign(lon="", lat=""), geocode=hand)
    assert clients["match_quality"].tolist() == ["address", "address", "postcode"]
    assert "lon" not in clients.columns


def test_duplicate_ids_reported_without_geocoding(hand: Geocoder) -> None:
    """Repeated ids are reported as the table's own problem (rows could not be named)."""
    table = hand_clients().assign(client_id=["c1", "c1", "c3"])
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(table, geocode=hand)
    assert [p.what for p in err.value.problems] == ["duplicate id"]


def test_bad_options_raise(hand: Geocoder) -> None:
    """An unknown unmatched value or a geocode that is no geocoder raises ValidationError."""
    with pytest.raises(cz.ValidationError, match="unmatched"):
        cz.read_clients(hand_clients(), geocode=hand, unmatched="drop")
    with pytest.raises(cz.ValidationError, match="not a geocoder"):
        cz.read_clients(hand_clients(), geocode=42)  # type: ignore[arg-type]


def test_placed_row_with_unreadable_postcode_says_so(hand: Geocoder) -> None:
    """A row placed by address whose postcode is not a UK postcode notes it in match_reason."""
    table = hand_clients().assign(postcode=["not a postcode", "", "nw1 2db"])
    clients = cz.read_clients(table, geocode=hand)
    assert clients.loc[0, "match_quality"] == "address"
    assert clients.loc[0, "match_reason"].endswith(
        "postcode not used: text that is not a UK postcode"
    )


def test_address_columns_without_geocode_point_to_it() -> None:
    """A table with addresses but no coordinates and no geocoder says how to place it."""
    with pytest.raises(cz.ValidationError, match=r"geocode=\.\.\."):
        cz.read_clients(hand_clients())


def test_osm_file_and_network_build_the_geocoder(helsinki: TravelNetwork) -> None:
    """geocode= may be an OSM file (EPSG:4326) or a network (its CRS, area checked)."""
    table = pd.DataFrame({"client_id": ["c1"], "address": ["Mikonkatu 18"], "weekly_hours": [7]})
    by_file = cz.read_clients(table, geocode=default_osm_path())
    assert by_file.crs.to_epsg() == 4326 and by_file.loc[0, "match_quality"] == "address"
    by_network = cz.read_clients(table, geocode=helsinki, network=helsinki)
    assert by_network.crs == helsinki.crs
    assert by_file.to_crs(helsinki.crs).geometry.distance(by_network.geometry).max() < 0.01


# ---- the Oxford extract ------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxford_addresses(oxford_path: Path) -> gpd.GeoDataFrame:
    return read_osm_addresses(oxford_path)


@pytest.fixture(scope="module")
def oxford_geocoder(oxford_addresses: gpd.GeoDataFrame) -> Geocoder:
    """Oxford's OSM addresses, results in British National Grid."""
    return Geocoder(oxford_addresses, crs=27700)


def _unique_addresses(addresses: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """Up to n addresses with a plain number whose (street, number) occurs once."""
    plain = addresses["housenumber"].fillna("").str.fullmatch(r"\d+") & addresses["street"].notna()
    keys = addresses["street"].str.lower() + "|" + addresses["housenumber"].fillna("")
    once = keys.map(keys.value_counts()) == 1
    pool = addresses[plain & once]
    return pool.sample(min(n, len(pool)), random_state=3)


def _centroid(points: gpd.GeoSeries) -> tuple[float, float]:
    xy = shapely.centroid(points.to_crs(27700).values)
    return float(shapely.get_x(xy).mean()), float(shapely.get_y(xy).mean())


def test_oxford_clients_csv_reads_located(
    oxford_addresses: gpd.GeoDataFrame, oxford_geocoder: Geocoder, tmp_path: Path
) -> None:
    """A clients CSV of real Oxford addresses and postcodes reads at the expected quality."""
    sample = _unique_addresses(oxford_addresses, 20)
    assert len(sample) >= 10
    postcodes = oxford_addresses["postcode"].map(normalise_postcode)
    known = sorted(set(postcodes.dropna()))
    units = known[:5]
    sectors = sorted({pc[:-2] for pc in known})[:3]
    fake = [next(s + " " + u for u in ("ZZ", "ZY", "YZ") if s + " " + u not in set(known))
            for s in sectors]  # fmt: skip
    n = len(sample)
    table = pd.DataFrame(
        {
            "client_id": [f"a{i}" for i in range(n)] + [f"p{i}" for i in range(len(units))]
            + [f"s{i}" for i in range(len(fake))],
            "address": [f"{h} {s.upper()}, Oxford" for h, s in
                        zip(sample["housenumber"], sample["street"], strict=True)]
            + [""] * (len(units) + len(fake)),
            "postcode": [""] * n + [pc.lower().replace(" ", "") for pc in units] + fake,
            "weekly_hours": 7,
            "carers_needed": 1,
        }
    )  # fmt: skip
    path = tmp_path / "clients.csv"
    table.to_csv(path, index=False)
    clients = cz.read_clients(path, geocode=oxford_geocoder)
    expected = ["address"] * n + ["postcode"] * len(units) + ["sector"] * len(fake)
    assert clients["match_quality"].tolist() == expected
    truth = [_centroid(sample.geometry.iloc[[i]]) for i in range(n)]
    truth += [_centroid(oxford_addresses.geometry[postcodes == pc]) for pc in units]
    truth += [_centroid(oxford_addresses.geometry[postcodes.str[:-2] == s]) for s in sectors]
    got = np.column_stack([clients.geometry.x, clients.geometry.y])
    assert np.abs(got - np.array(truth)).max() < 0.01


def test_oxford_unmatched_rows_reported_by_id_and_reason(
    oxford_addresses: gpd.GeoDataFrame, oxford_geocoder: Geocoder, tmp_path: Path
) -> None:
    """Unplaceable Oxford rows are listed by id with their reason; no address in the error."""
    number, street = _unique_addresses(oxford_addresses, 1)[["housenumber", "street"]].iloc[0]
    table = pd.DataFrame(
        {
            "client_id": ["ok", "n1", "n2", "n3"],
            "address": [f"{number} {street}", f"9999 {street}", "14 Nonexistent Close", ""],
            "postcode": ["", "", "", "OX9 9ZZ"],
            "weekly_hours": [7, 7, 7, 7],
        }
    )  # fmt: skip
    path = tmp_path / "clients.csv"
    table.to_csv(path, index=False)
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(path, geocode=oxford_geocoder)
    problems = err.value.problems
    assert {p.row: p.found for p in problems} == {
        "row 2 (client_id 'n1')": "house number not on the street in the OSM extract; no postcode",
        "row 3 (client_id 'n2')": "street not in the OSM extract; no postcode",
        "row 4 (client_id 'n3')":
            "postcode and its sector in neither the postcode file nor the OSM extract",
    }  # fmt: skip
    assert {p.where for p in problems} == {str(path)}
    text = str(err.value)
    for secret in (street, "9999", "Nonexistent", "OX9 9ZZ", "OX9"):
        assert secret.lower() not in text.lower()
    placed = cz.read_clients(path, geocode=oxford_geocoder, unmatched="set-aside")
    assert placed["client_id"].tolist() == ["ok"]
    assert [r["client_id"] for r in placed.attrs["unmatched"]] == ["n1", "n2", "n3"]
