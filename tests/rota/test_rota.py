"""Tests of rota import and scoring: column mapping, row checks, rebuilt days, every flag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carezones import ValidationError, read_carers, read_clients
from carezones.outcomes import outcomes_of
from carezones.rota import (
    ROTA_COLUMNS,
    RULES,
    RotaColumns,
    RotaRules,
    read_rota,
    rota_to_routes,
    score_rota,
    synthetic_rota,
)
from carezones.routing.result import ROUTE_COLUMNS
from conftest import grid_network
from readable_check import readable_problems

X0, Y0 = 530_000.0, 180_000.0  # the grid's corner (EPSG:27700); blocks of 100 m, 75 s walking
DAY = "07/07/2025"  # a Monday


def places() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients A (corner), B (4 blocks east), C (4 east, 4 north); two walking carers."""
    clients = read_clients(
        pd.DataFrame(
            {
                "client_id": ["A", "B", "C"],
                "x": [X0, X0 + 400, X0 + 400],
                "y": [Y0, Y0, Y0 + 400],
                "weekly_hours": [7.0, 7.0, 7.0],
                "skills": ["", "", "hoist"],
                "address": ["1 Secret Street", "2 Secret Street", "3 Secret Street"],
            }
        ),
        crs=27700,
    )
    carers = read_carers(
        pd.DataFrame(
            {
                "carer_id": ["K1", "K2"],
                "x": [X0, X0],
                "y": [Y0, Y0],
                "mode": ["walk", "walk"],
                "contracted_hours": [30, 30],
                "skills": ["hoist", "hoist"],
            }
        ),
        crs=27700,
    )
    return clients, carers


def rota(*rows: tuple[str, ...], date: str = DAY) -> pd.DataFrame:
    """A rota in the default ECM layout from (visit, carer, client, ps, pe, as, ae[, double])."""
    out = []
    for r in rows:
        visit, carer, client, ps, pe, as_, ae = r[:7]

        def at(t: str) -> str:
            return f"{date} {t}" if t else ""

        out.append(
            {
                "Visit ID": visit,
                "Carer ID": carer,
                "Client ID": client,
                "Planned Start": at(ps),
                "Planned End": at(pe),
                "Actual Start": at(as_),
                "Actual End": at(ae),
                "Double Up": r[7] if len(r) > 7 else "No",
            }
        )
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def grid():
    return grid_network(n=5, spacing=100.0)


def scored(grid, *rows, rules=None):
    clients, carers = places()
    return score_rota(rota(*rows), network=grid, clients=clients, carers=carers, rules=rules)


def rules_of(score, visit: str) -> set[str]:
    v = score.violations
    return set(v.loc[v["visit_id"] == visit, "rule"])


# ------------------------------------------------------------------------------ reading


def test_default_columns_read_and_normalised():
    """The default ECM headers are read; ids are strings, times datetimes, days named."""
    table = read_rota(rota(("V1", "K1", "A", "08:00", "08:30", "08:05", "08:31")))
    assert list(table.columns) == ROTA_COLUMNS
    row = table.iloc[0]
    assert (row["visit_id"], row["carer_id"], row["client_id"], row["day"]) == (
        "V1", "K1", "A", "monday"
    )  # fmt: skip
    assert row["planned_start"] == pd.Timestamp("2025-07-07 08:00")
    assert row["actual_end"] == pd.Timestamp("2025-07-07 08:31")
    assert row["row"] == "1" and row["carers_needed"] == 1


def test_iso_dates_are_never_read_day_first():
    """ISO dates (2025-07-08) are read year-month-day even with the UK day-first default."""
    row = ("V1", "K1", "A", "08:00", "08:30", "08:05", "08:31")
    table = read_rota(rota(row, date="2025-07-08"))
    assert table.iloc[0]["planned_start"] == pd.Timestamp("2025-07-08 08:00")
    assert table.iloc[0]["day"] == "tuesday"
    uk = read_rota(rota(row, date="08/07/2025"))
    assert uk.iloc[0]["planned_start"] == pd.Timestamp("2025-07-08 08:00")


def test_column_mapping_and_header_matching():
    """A custom mapping finds renamed columns, ignoring case, spaces and punctuation."""
    raw = pd.DataFrame(
        {
            "STAFF_NO": ["K1"],
            "service user": ["A"],
            "Sched. Start": ["2025-07-07T08:00"],
            "Sched. End": ["2025-07-07T08:30"],
            "Login": ["2025-07-07T08:02"],
            "Logout": ["2025-07-07T08:29"],
        }
    )
    cols = RotaColumns(
        carer_id="Staff No", client_id="Service User", planned_start="Sched Start",
        planned_end="Sched End", actual_start="login", actual_end="logout",
    )  # fmt: skip
    table = read_rota(raw, columns=cols)
    assert table.loc[0, "actual_start"] == pd.Timestamp("2025-07-07 08:02")
    assert table.loc[0, "visit_id"] == "A@20250707T0800"  # no visit id column: made up
    snake = raw.rename(columns={"STAFF_NO": "carer_id", "service user": "client_id",
                                "Sched. Start": "planned_start", "Sched. End": "planned_end",
                                "Login": "actual_start", "Logout": "actual_end"})  # fmt: skip
    assert read_rota(snake).loc[0, "carer_id"] == "K1"  # carezones' own names also work


def test_date_and_time_columns():
    """With a date column, start and end columns may hold only times of day."""
    raw = pd.DataFrame(
        {"Date": ["08/07/2025"], "Carer": ["K1"], "Client": ["A"], "Start": ["7:30"],
         "End": ["08:15"], "In": ["07:41"], "Out": [""]}
    )  # fmt: skip
    cols = RotaColumns(
        carer_id="Carer", client_id="Client", planned_start="Start", planned_end="End",
        actual_start="In", actual_end="Out", date="Date",
    )  # fmt: skip
    table = read_rota(raw, columns=cols)
    assert table.loc[0, "planned_start"] == pd.Timestamp("2025-07-08 07:30")  # day first
    assert table.loc[0, "actual_start"] == pd.Timestamp("2025-07-08 07:41")
    assert pd.isna(table.loc[0, "actual_end"]) and table.loc[0, "day"] == "tuesday"


def test_rota_columns_options_checked():
    """Bad mappings and unknown option names are named."""
    with pytest.raises(ValidationError, match="same column twice"):
        RotaColumns(planned_start="Start", planned_end="start")
    with pytest.raises(ValidationError, match=r"unknown option.*'carer'"):
        RotaColumns.from_dict({"carer": "x"})
    with pytest.raises(ValidationError, match=r"unknown option.*'late'"):
        RotaRules.from_dict({"late": 5})
    with pytest.raises(ValidationError, match="short_visit_share"):
        RotaRules(short_visit_share=0)


def test_columns_from_toml(tmp_path: Path):
    """A TOML file's [rota_columns] table gives the mapping."""
    path = tmp_path / "cols.toml"
    path.write_text('[rota_columns]\nclient_id = "Service User ID"\ndayfirst = false\n')
    cols = RotaColumns.from_toml(path)
    assert cols.client_id == "Service User ID" and cols.dayfirst is False


def test_bad_rows_named_by_row_and_column(tmp_path: Path):
    """Every bad row is reported once, by file, spreadsheet row and column; no address leaks."""
    clients, carers = places()
    raw = rota(
        ("V1", "K1", "A", "08:00", "08:30", "08:05", "08:31"),
        ("V2", "K9", "A", "09:00", "09:30", "", ""),  # unknown carer
        ("V3", "K1", "Z", "10:00", "10:30", "", ""),  # unknown client
        ("V4", "K1", "B", "11:00", "10:30", "", ""),  # planned end before start
        ("V5", "K1", "B", "12:00", "12:30", "12:10", "12:05"),  # actual end before start
        ("V6", "K1", "C", "13:00", "13:30", "13:0x", ""),  # bad datetime
        ("V7", "", "C", "14:00", "14:30", "", ""),  # blank carer
        ("V8", "K1", "C", "15:00", "15:30", "", "", "maybe"),  # bad flag
    )
    raw["Address"] = "1 Secret Street"
    path = tmp_path / "ecm.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(ValidationError) as info:
        read_rota(path, clients=clients, carers=carers)
    text = str(info.value)
    assert text.startswith("7 problems found")
    expected = {
        3: ("unknown carer", "Carer ID"), 4: ("unknown client", "Client ID"),
        5: ("end before start", "Planned End"), 6: ("end before start", "Actual End"),
        7: ("bad datetime", "Actual Start"), 8: ("blank id", "Carer ID"),
        9: ("bad flag", "Double Up"),
    }  # fmt: skip
    for row, (what, column) in expected.items():
        assert any(
            p.row and p.row.startswith(f"row {row} ") and p.what == what and p.column == column
            for p in info.value.problems
        ), (row, what)
    assert all(p.where == str(path) for p in info.value.problems)
    assert "Secret" not in text and "530" not in text  # no address, no coordinate


def test_missing_column_named():
    """A missing required column is named with the columns found."""
    raw = rota(("V1", "K1", "A", "08:00", "08:30", "", "")).drop(columns="Planned End")
    with pytest.raises(ValidationError, match=r"missing column: expected a column 'Planned End'"):
        read_rota(raw)


def test_excel_round_trip(tmp_path: Path):
    """An Excel export (native datetimes) reads like its CSV; bad rows name the sheet row."""
    raw = rota(
        ("V1", "K1", "A", "08:00", "08:30", "08:05", "08:31"),
        ("V2", "K1", "B", "09:00", "09:30", "", ""),
    )
    for col in ("Planned Start", "Planned End", "Actual Start", "Actual End"):
        raw[col] = pd.to_datetime(raw[col], format="%d/%m/%Y %H:%M")
    path = tmp_path / "ecm.xlsx"
    raw.to_excel(path, index=False, sheet_name="Visits")
    table = read_rota(path, sheet="Visits")
    expected = read_rota(rota(("V1", "K1", "A", "08:00", "08:30", "08:05", "08:31"),
                              ("V2", "K1", "B", "09:00", "09:30", "", "")))  # fmt: skip
    pd.testing.assert_frame_equal(table.drop(columns="row"), expected.drop(columns="row"))
    assert table["row"].tolist() == ["2", "3"]
    raw.loc[1, "Carer ID"] = "K9"
    raw.to_excel(path, index=False, sheet_name="Visits")
    with pytest.raises(ValidationError, match=r"row 3 \(visit_id 'V2'\): unknown carer"):
        read_rota(path, carers=["K1"])


def test_double_ups_paired():
    """Two carers share a double-up by visit id, or by client and planned start when flagged."""
    with_ids = read_rota(
        rota(("V1", "K1", "A", "08:00", "08:30", "", "", "yes"),
             ("V1", "K2", "A", "08:00", "08:30", "", "", "yes"))
    )  # fmt: skip
    assert with_ids["carers_needed"].tolist() == [2, 2]
    no_ids = rota(
        ("", "K1", "A", "08:00", "08:30", "", "", "Y"),
        ("", "K2", "A", "08:00", "08:30", "", "", "y"),
    ).drop(columns="Visit ID")
    table = read_rota(no_ids)
    assert table["visit_id"].nunique() == 1 and table["double_up"].all()
    unflagged = no_ids.assign(**{"Double Up": "No"})
    with pytest.raises(ValidationError, match="two carers, no double-up"):
        read_rota(unflagged)
    with pytest.raises(ValidationError, match="duplicate row"):
        read_rota(rota(("V1", "K1", "A", "08:00", "08:30", "", ""),
                       ("V1", "K1", "A", "08:00", "08:30", "", "")))  # fmt: skip


# ------------------------------------------------------------------------------ scoring


def test_on_time_day_has_no_violation(grid):
    """A day kept as planned, with time to walk between visits, breaks no rule."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:30", "08:00", "08:30"),
        ("V2", "K1", "B", "08:45", "09:15", "08:45", "09:15"),  # 5 min walk, 15 min gap
    )
    assert score.violations.empty, score.violations
    s = score.summary()
    assert s["on_time_share"] == 1.0 and s["n_missed_visits"] == 0
    assert s["n_two_places_at_once"] == 0 and s["n_overlapping_visits"] == 0


def test_overlapping_visits_flagged(grid):
    """A carer whose next visit starts before the last one ends is flagged 'overlap'."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:30", "08:00", "08:40"),
        ("V2", "K1", "B", "08:45", "09:15", "08:35", "09:05"),
    )
    assert "overlap" in rules_of(score, "V2")
    assert score.visits.set_index("visit_id").loc["V2", "overlap"]
    assert score.summary()["n_overlapping_visits"] == 1


def test_two_places_at_once_flagged(grid):
    """A gap shorter than the network walk between two clients is flagged 'travel'."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:30", "08:00", "08:30"),
        ("V2", "K1", "C", "08:35", "09:05", "08:33", "09:03"),  # 8 blocks: 10 min on foot
    )
    v2 = score.visits.set_index("visit_id").loc["V2"]
    assert v2["two_places"] and v2["travel_seconds"] == pytest.approx(600.0)
    detail = score.violations.set_index("rule").loc["travel", "detail"]
    assert "3.0 min after V1, needs 10.0" in detail
    assert score.summary()["n_two_places_at_once"] == 1


def test_visit_longer_than_slot_flagged(grid):
    """A visit lasting more than overrun_minutes beyond its slot is flagged."""
    score = scored(grid, ("V1", "K1", "A", "08:00", "08:30", "08:00", "09:10"))
    assert rules_of(score, "V1") == {"longer than slot"}
    assert score.violations.loc[0, "detail"] == "70 min in a 30-min slot"
    assert score.summary()["n_overrun_visits"] == 1
    relaxed = scored(grid, ("V1", "K1", "A", "08:00", "08:30", "08:00", "09:10"),
                     rules=RotaRules(overrun_minutes=60))  # fmt: skip
    assert relaxed.violations.empty


def test_missed_and_short_visits_counted(grid):
    """Visits with no actual times are missed; under 85% of the planned length, short."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:40", "08:00", "08:20"),  # 20 of 40 min: short
        ("V2", "K1", "B", "09:00", "09:40", "09:00", "09:35"),  # 35 of 40 (87.5%): not short
        ("V3", "K1", "A", "12:00", "12:30", "", ""),  # missed
        ("V4", "K1", "B", "17:00", "17:30", "", ""),  # missed
    )
    s = score.summary()
    assert (s["n_missed_visits"], s["n_short_visits"]) == (2, 1)
    assert s["missed_visit_share"] == 0.5 and s["short_visit_share"] == 0.5
    flags = score.visits.set_index("visit_id")
    assert flags["missed"].tolist() == [False, False, True, True]
    assert flags.loc["V1", "short"] and not flags.loc["V2", "short"]
    assert set(score.unscheduled["visit_id"]) == {"V3", "V4"}
    assert set(score.routes["visit_id"]) == {"V1", "V2"}  # missed visits are not travelled to
    assert s["care_hours"] == pytest.approx((20 + 35) / 60)
    assert s["planned_care_hours"] == pytest.approx(140 / 60)


def test_lateness_computed(grid):
    """Start delays against planned times give lateness, punctuality and late flags."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:30", "08:10", "08:40"),  # 10 min late: on time
        ("V2", "K1", "B", "10:00", "10:30", "10:25", "10:55"),  # 25 min late
        ("V3", "K1", "A", "13:00", "13:30", "12:40", "13:10"),  # 20 min early
    )
    v = score.visits.set_index("visit_id")
    assert v["start_delay_minutes"].tolist() == [10.0, 25.0, -20.0]
    assert v["late"].tolist() == [False, True, False]
    assert v["early"].tolist() == [False, False, True]
    s = score.summary()
    assert s["on_time_share"] == pytest.approx(1 / 3)
    assert s["late_visit_share"] == pytest.approx(1 / 3)
    assert s["mean_lateness_minutes"] == pytest.approx((10 + 25 + 0) / 3)
    assert s["max_lateness_minutes"] == 25.0
    routes = score.routes.set_index("visit_id")
    assert routes.loc["V2", "late"] == 10.0  # minutes past the 15-minute window
    wide = scored(grid, ("V2", "K1", "B", "10:00", "10:30", "10:25", "10:55"),
                  rules=RotaRules(on_time_minutes=30))  # fmt: skip
    assert wide.summary()["on_time_share"] == 1.0


def test_double_up_rules(grid):
    """A double-up with one carer, or carers far apart, is flagged; a few minutes apart is not."""
    together = scored(
        grid,
        ("V1", "K1", "C", "08:00", "08:30", "08:00", "08:30", "Yes"),
        ("V1", "K2", "C", "08:00", "08:30", "08:04", "08:33", "Yes"),
    )
    assert together.violations.empty
    assert together.routes["with_carer"].tolist() == ["K2", "K1"]
    apart = scored(
        grid,
        ("V1", "K1", "C", "08:00", "08:30", "08:00", "08:30", "Yes"),
        ("V1", "K2", "C", "08:00", "08:30", "08:20", "08:50", "Yes"),
    )
    assert "not together" in rules_of(apart, "V1")
    alone = scored(
        grid,
        ("V1", "K1", "C", "08:00", "08:30", "08:00", "08:30", "Yes"),
        ("V1", "K2", "C", "08:00", "08:30", "", "", "Yes"),
    )
    assert {"carers", "missed"} <= rules_of(alone, "V1")
    assert alone.summary()["n_double_up_problems"] == 1
    assert alone.summary()["n_missed_visits"] == 0  # one carer came


def test_travel_to_care_ratio_from_network(grid):
    """Travel is home to first visit, between visits and home, at network walking times."""
    score = scored(
        grid,
        ("V1", "K1", "B", "08:00", "08:30", "08:00", "08:30"),  # home (corner) -> B: 5 min
        ("V2", "K1", "C", "09:00", "09:30", "09:00", "09:30"),  # B -> C: 5 min; C -> home 10
    )
    day = score.carer_days.iloc[0]
    assert day["travel_seconds"] == pytest.approx(300 + 300 + 600)
    assert day["travel_between_visits_seconds"] == pytest.approx(300)
    assert day["depart"] == pytest.approx(475) and day["back"] == pytest.approx(580)
    assert day["distance_m"] == pytest.approx(1600)
    s = score.summary()
    assert s["travel_to_care_ratio"] == pytest.approx(20 / 60)
    assert s["walk_cycle_share"] == 1.0


def test_shift_and_skill_rules_from_carers(grid):
    """The carers table's shifts, days and skills are checked by the validator."""
    clients, carers = places()
    carers = carers.assign(skills="", days="tuesday")
    raw = rota(("V1", "K1", "C", "06:00", "06:30", "06:00", "06:30"))
    score = score_rota(raw, network=grid, clients=clients, carers=carers)
    assert {"skill", "shift start", "day off"} <= rules_of(score, "V1")


def test_distinct_carers_per_client_per_week(grid):
    """Continuity counts the carers each client saw in each week (from Monday)."""
    week1 = rota(("V1", "K1", "A", "08:00", "08:30", "08:00", "08:30"),
                 ("V2", "K2", "A", "12:00", "12:30", "12:00", "12:30"))  # fmt: skip
    week1b = rota(("V3", "K1", "A", "08:00", "08:30", "08:00", "08:30"), date="09/07/2025")
    week2 = rota(("V4", "K1", "A", "08:00", "08:30", "08:00", "08:30"), date="14/07/2025")
    clients, carers = places()
    score = score_rota(pd.concat([week1, week1b, week2]), network=grid, clients=clients,
                       carers=carers)  # fmt: skip
    c = score.continuity
    assert c["distinct_carers"].tolist() == [2, 1]
    # week 1: K1 made two of A's three visits, K2 one
    assert c["main_carer"].tolist() == ["K1", "K1"]
    assert c["main_carer_share"].round(3).tolist() == [0.667, 1.0]
    assert c["carers"].tolist() == ["K1;K2", "K1"]
    assert c["week_start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-07-07", "2025-07-14"]
    assert score.summary()["distinct_carers_per_client"] == 1.5
    assert score.summary()["n_weeks"] == pytest.approx(8 / 7)


def test_rota_to_routes_layout(grid):
    """The routes table has the routing layout; planned times keep missed visits."""
    clients, carers = places()
    raw = rota(("V1", "K1", "B", "08:00", "08:30", "08:20", "08:50"),
               ("V2", "K1", "A", "09:00", "09:30", "", ""))  # fmt: skip
    routes = rota_to_routes(raw, network=grid, clients=clients, carers=carers)
    assert list(routes.columns) == ["zone_id", "day", "date", *ROUTE_COLUMNS]
    assert routes["visit_id"].tolist() == ["V1"]
    assert routes.loc[0, "travel_seconds"] == pytest.approx(300.0)
    assert routes.loc[0, "late"] == 5.0
    planned = rota_to_routes(raw, network=grid, clients=clients.assign(zone_id="Z1"),
                             carers=carers, times="planned")  # fmt: skip
    assert planned["visit_id"].tolist() == ["V1", "V2"]
    assert planned["start"].tolist() == [480.0, 540.0]
    assert planned["zone_id"].tolist() == ["Z1", "Z1"]
    assert planned.loc[1, "travel_seconds"] == pytest.approx(300.0)
    with pytest.raises(ValidationError, match="'actual' or 'planned'"):
        rota_to_routes(raw, times="now")


def test_order_by_actual_start(grid):
    """A carer's day follows the actual starts, falling back to planned for missed visits."""
    score = scored(
        grid,
        ("V1", "K1", "A", "08:00", "08:30", "09:00", "09:30"),  # done second
        ("V2", "K1", "B", "09:00", "09:30", "08:00", "08:30"),  # done first
        ("V3", "K1", "A", "08:30", "08:45", "", ""),  # missed: placed by its planned start
    )
    v = score.visits
    assert v["visit_id"].tolist() == ["V2", "V3", "V1"]
    assert v["sequence"].tolist() == [1, 2, 3]
    assert score.routes["visit_id"].tolist() == ["V2", "V1"]


def test_without_network():
    """Without a network the rota is still scored; travel figures are NaN."""
    score = score_rota(rota(("V1", "K1", "A", "08:00", "08:30", "08:00", "08:40"),
                            ("V2", "K1", "B", "08:35", "09:05", "08:38", "09:05")))  # fmt: skip
    assert set(score.violations["rule"]) == {"overlap"}
    s = score.summary()
    assert np.isnan(s["travel_to_care_ratio"]) and s["n_two_places_at_once"] == 0


def test_checked_rota_ids_rechecked(grid):
    """A rota read without tables is checked against the tables it is scored with."""
    clients, carers = places()
    table = read_rota(rota(("V1", "K7", "A", "08:00", "08:30", "", "")))
    with pytest.raises(ValidationError, match=r"column 'carer_id': unknown carer.*'K7'"):
        score_rota(table, network=grid, clients=clients, carers=carers)


def test_network_needs_locations(grid):
    """A network without client or carer locations is a clear error."""
    with pytest.raises(ValidationError, match="no locations"):
        score_rota(rota(("V1", "K1", "A", "08:00", "08:30", "", "")), network=grid)


def test_outputs_written(grid, tmp_path: Path):
    """write() gives every table and a JSON summary with stable outcome names, no coordinates."""
    score = scored(grid, ("V1", "K1", "A", "08:00", "08:30", "08:00", "09:10"))
    score.write(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    tables = {"visits.csv", "carer_days.csv", "continuity.csv", "violations.csv", "routes.csv",
              "unscheduled.csv", "outcomes.csv"}  # fmt: skip
    assert names == tables | {"summary.json", "data"}  # readable here, exact in data/
    assert {p.name for p in (tmp_path / "data").glob("*.csv")} == tables
    assert readable_problems(tmp_path) == []
    data = json.loads((tmp_path / "summary.json").read_text())
    rota_outcomes = [o.name for o in outcomes_of("rota")]
    assert list(data["summary"]) == rota_outcomes
    assert data["violations"] == {"longer than slot": 1}
    assert all(re.fullmatch(r"[a-z0-9_]+", k) for k in rota_outcomes)
    assert list(score.table().index) == rota_outcomes
    for path in [*tmp_path.glob("*.csv"), *tmp_path.glob("data/*.csv")]:
        assert "530" not in path.read_text()  # no easting anywhere
    assert "1 missed" not in str(score) and "violations: 1" in str(score)


def test_violation_rules_are_documented(helsinki):
    """Every rule a synthetic rota breaks is in RULES; every visit is routed or unscheduled."""
    from carezones import datasets

    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=30, n_carers=12, n_providers=2, random_state=3
    )
    raw = synthetic_rota(clients, carers, weeks=1, random_state=3, missed_share=0.05)
    again = synthetic_rota(clients, carers, weeks=1, random_state=3, missed_share=0.05)
    pd.testing.assert_frame_equal(raw, again)
    score = score_rota(raw, network=helsinki, clients=clients, carers=carers)
    assert set(score.violations["rule"]) <= set(RULES)
    made = set(score.routes["visit_id"])
    missed = set(score.unscheduled["visit_id"])
    assert not made & missed
    assert made | missed == set(score.visits["visit_id"])
    s = score.summary()
    assert 0 < s["travel_to_care_ratio"] < 2 and 0 < s["on_time_share"] <= 1


def test_plan_tables_feed_outcomes(grid):
    """The outcomes module measures a scored rota's plan tables with the same figures."""
    outcomes = pytest.importorskip("carezones.outcomes")
    clients, carers = places()
    clients = clients.assign(zone_id="Z1")
    score = score_rota(
        rota(("V1", "K1", "B", "08:00", "08:30", "08:00", "08:30"),
             ("V2", "K1", "C", "09:00", "09:30", "09:00", "09:30")),
        network=grid, clients=clients, carers=carers,
    )  # fmt: skip
    t = score.plan_tables()
    out = outcomes.measure_outcomes(
        t["routes"], t["visits"], shifts=t["shifts"], unscheduled=t["unscheduled"],
        clients=clients, carers=carers,
    )  # fmt: skip
    s = score.summary()
    for name in ("travel_to_care_ratio", "walk_cycle_share"):
        assert out[name] == pytest.approx(s[name])
    assert out["care_hours_per_week"] == pytest.approx(7.0)  # one day of 1 h, scaled to a week


def test_cli_rota_score(helsinki, tmp_path: Path):
    """'carezones rota score' reads the files, scores and writes the outputs."""
    from typer.testing import CliRunner

    from carezones import datasets, write_carers, write_clients
    from carezones.cli import app

    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=15, n_carers=6, n_providers=1, random_state=5
    )
    write_clients(clients, tmp_path / "clients.csv")
    write_carers(carers, tmp_path / "carers.csv")
    raw = synthetic_rota(clients, carers, weeks=1, random_state=5)
    raw.to_csv(tmp_path / "rota.csv", index=False, date_format="%d/%m/%Y %H:%M")
    result = CliRunner().invoke(
        app,
        ["rota", "score", "--rota", str(tmp_path / "rota.csv"), "--clients",
         str(tmp_path / "clients.csv"), "--carers", str(tmp_path / "carers.csv"),
         "--network", "helsinki", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Rota score" in result.output and "travel/care" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["summary"]["n_visits"] == raw["Visit ID"].nunique()


def test_a_visit_overrunning_its_care_plan_window_is_late(grid):
    """With the client's agreed window, a visit is late when it ends after the window's end."""
    clients, carers = places()
    clients["pattern"] = ["mon-sun 07:30-08:45 45", "", ""]
    clients.loc[0, "weekly_hours"] = 5.25
    row = ("V1", "K1", "A", "08:00", "08:45", "08:10", "08:55")  # 10 min after planned
    plain = score_rota(rota(row), network=grid, clients=places()[0], carers=carers)
    assert not plain.visits.set_index("visit_id").loc["V1", "late"]  # within 15 min of plan
    judged = score_rota(rota(row), network=grid, clients=clients, carers=carers)
    assert judged.visits.set_index("visit_id").loc["V1", "late"]  # ends 08:55, window 08:45
    assert judged.routes.set_index("visit_id").loc["V1", "late"] == 10.0
