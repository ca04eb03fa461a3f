"""Tests of the real "then" (kind = "rota"): a rota file read, scored, measured and compared."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from carezones import ValidationError, datasets, write_carers, write_clients
from carezones.cli import app
from carezones.network import TravelNetwork
from carezones.outcomes import outcomes_of
from carezones.rota import synthetic_rota
from carezones.scenario import Scenario, ScenarioResult, compare, run_scenario

ROTA = """
name = "{name}"
kind = "rota"
description = "today's market, from its call-monitoring export"

[network]
source = "default"

[data]
clients = "{clients}"
carers = "{carers}"
rota = "{rota}"

[providers]
min_provider_hours = 150
{extra}
"""

# A quick zoned plan of the same people (examples/quick_now.toml, on [data] files).
NOW = """
name = "now"
kind = "now"
seed = 0

[network]
source = "default"

[data]
clients = "clients.csv"
carers = "carers.csv"

[zones]
min_weekly_hours = 120
n_zones = 3

[providers]
n_providers = 2
min_provider_hours = 150

[routing]
max_seconds = 30
max_iterations = 40
n_jobs = 1
"""


def rota_file(folder: Path, name: str = "then_rota", extra: str = "", **files: str) -> Path:
    """A rota scenario file in ``folder`` (default people and rota file names)."""
    names = {"clients": "clients.csv", "carers": "carers.csv", "rota": "rota.csv", **files}
    path = folder / f"{name}.toml"
    path.write_text(ROTA.format(name=name, extra=extra, **names))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, helsinki: TravelNetwork) -> Path:
    """Clients, carers, a two-week synthetic rota and both scenario files."""
    out = tmp_path_factory.mktemp("rota_scenario")
    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=40, n_carers=24, n_providers=2, random_state=0
    )
    write_clients(clients, out / "clients.csv")
    write_carers(carers, out / "carers.csv")
    raw = synthetic_rota(clients, carers, weeks=2, random_state=0)
    raw.to_csv(out / "rota.csv", index=False, date_format="%d/%m/%Y %H:%M")
    rota_file(out)
    (out / "now.toml").write_text(NOW)
    return out


@pytest.fixture(scope="module")
def runs(folder: Path) -> dict[str, ScenarioResult]:
    return {
        "rota": run_scenario(folder / "then_rota.toml"),
        "now": run_scenario(folder / "now.toml"),
    }


# ------------------------------------------------------------------ running


def test_rota_compares_beside_a_zoned_plan_with_the_same_rows(
    runs: dict[str, ScenarioResult],
) -> None:
    """The rota's column sits beside the zoned plan's, outcome for outcome."""
    table = compare([runs["rota"], runs["now"]])
    assert list(table.columns)[:3] == ["unit", "then_rota", "now"]
    assert list(table.index) == [o.name for o in outcomes_of("plan")] + ["run_time_seconds"]
    pd.testing.assert_index_equal(
        runs["rota"].outcomes.to_series().index, runs["now"].outcomes.to_series().index
    )
    rota = table["then_rota"]
    for name in ("travel_to_care_ratio", "walk_cycle_share", "car_km_per_week",
                 "punctuality_share", "hourly_rate_gbp", "cost_gbp_per_week",
                 "distinct_carers_per_client", "scheduled_share"):  # fmt: skip
        assert np.isfinite(rota[name]), name
    for name in ("n_zones", "zones_below_floor", "carers_local_share", "workforce_gap_hours"):
        assert np.isnan(rota[name]), name
    assert rota["n_clients"] == table.loc["n_clients", "now"] == 40
    assert rota["virtual_visits_per_week"] == 0


def test_rota_outcomes_agree_with_its_score(runs: dict[str, ScenarioResult]) -> None:
    """Two weeks of dates are 14 days: weekly figures equal the rota's own per-week ones."""
    r = runs["rota"]
    assert r.rota is not None and r.route_plan is None
    s = r.rota.summary()
    assert r.outcomes.n_days == 14
    for name in ("care_hours_per_week", "travel_hours_per_week", "travel_to_care_ratio",
                 "car_km_per_week", "distinct_carers_per_client", "walk_cycle_share"):  # fmt: skip
        assert r.outcomes[name] == pytest.approx(s[name]), name
    planned = s["n_visits"] / s["n_weeks"]
    assert r.outcomes["visits_per_week"] == pytest.approx(planned)
    assert r.outcomes["scheduled_share"] == pytest.approx(1 - s["missed_visit_share"])


def test_each_client_in_their_providers_area(runs: dict[str, ScenarioResult]) -> None:
    """Clients and carers keep their providers; one whole-area row and figures per provider."""
    r = runs["rota"]
    ids = sorted(set(r.clients["provider_id"]))
    assert r.clients["zone_id"].tolist() == r.clients["provider_id"].tolist()
    assert sorted(r.zones["provider_id"]) == ids == sorted(r.outcomes.providers["provider_id"])
    assert r.outcomes["n_providers"] == len(ids)
    assert r.outcomes.providers["hourly_rate_gbp"].notna().all()
    assert set(r.routes["zone_id"].dropna()) <= set(ids)


def test_rota_result_writes_its_own_figures(
    runs: dict[str, ScenarioResult], tmp_path: Path
) -> None:
    """write() adds the rota's outcomes and violations; the report carries its summary."""
    files = {p.name for p in runs["rota"].write(tmp_path)}
    assert {"outcomes.csv", "rota_outcomes.csv", "rota_violations.csv", "zones.gpkg"} <= files
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["kind"] == "rota"
    assert report["rota"]["summary"]["n_weeks"] == 2.0
    rota_out = pd.read_csv(tmp_path / "rota_outcomes.csv")
    assert "missed_visit_share" in set(rota_out["outcome"])
    # who each client saw, week by week, as the rota has it
    continuity = pd.read_csv(tmp_path / "data" / "continuity.csv")
    assert continuity.groupby("client_id")["week_start"].nunique().max() == 2
    assert (continuity["carers"].str.split(";").str[0] == continuity["main_carer"]).all()
    assert continuity["main_carer_share"].between(0, 1).all()
    assert "Rota score" in str(runs["rota"])


def test_people_without_providers_are_measured_as_a_whole(
    folder: Path, helsinki: TravelNetwork
) -> None:
    """No provider_id anywhere: every zone_id is None, and the rota is still measured and priced."""
    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=40, n_carers=24, n_providers=2, random_state=0
    )
    write_clients(clients.drop(columns="provider_id"), folder / "clients_bare.csv")
    write_carers(carers.drop(columns="provider_id"), folder / "carers_bare.csv")
    path = rota_file(folder, "bare", clients="clients_bare.csv", carers="carers_bare.csv")
    result = run_scenario(path)
    assert result.clients["zone_id"].isna().all()
    assert len(result.zones) == 0 and len(result.outcomes.providers) == 0
    assert np.isnan(result.outcomes["n_providers"])
    assert np.isfinite(result.outcomes["hourly_rate_gbp"])
    assert result.outcomes["care_hours_per_week"] > 0


def test_an_excel_rota_with_its_own_headers(folder: Path) -> None:
    """[rota] sheet and [rota.columns] read an export with other headers and no double-up flag."""
    raw = pd.read_csv(folder / "rota.csv")
    raw = raw[raw["Double Up"] == "No"].drop(columns="Double Up")
    raw = raw.rename(columns={"Carer ID": "Staff No", "Client ID": "Service User"})
    with pd.ExcelWriter(folder / "rota.xlsx") as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="Cover", index=False)
        raw.to_excel(xl, sheet_name="Visits", index=False)
    extra = """
[rota]
sheet = "Visits"
on_time_minutes = 30

[rota.columns]
carer_id = "Staff No"
client_id = "Service User"
double_up = false
"""
    path = rota_file(folder, "excel", extra=extra, rota="rota.xlsx")
    scenario = Scenario.from_toml(path)
    assert scenario.rota is not None and scenario.rota.columns.double_up is None
    assert Scenario.from_dict(scenario.to_dict()).rota == scenario.rota  # round trip
    result = run_scenario(scenario)
    assert result.rota is not None and result.rota.rules.on_time_minutes == 30
    assert (result.visits["carers_needed"] == 1).all()
    assert result.outcomes["care_hours_per_week"] > 0


def test_cli_compare_rota_then_beside_now(folder: Path, tmp_path: Path) -> None:
    """`carezones scenario compare then_rota.toml now.toml` prints and writes both columns."""
    done = CliRunner().invoke(
        app,
        ["scenario", "compare", str(folder / "then_rota.toml"), str(folder / "now.toml"),
         "--out", str(tmp_path / "cmp")],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv", index_col="outcome")
    assert list(table.columns)[:3] == ["unit", "then_rota", "now"]
    assert (tmp_path / "cmp" / "then_rota" / "rota_violations.csv").exists()


# ------------------------------------------------------------------ the file's checks


def _error(path: Path) -> str:
    with pytest.raises(ValidationError) as err:
        Scenario.from_toml(path)
    return str(err.value)


def test_bad_rota_key_names_file_table_and_key(tmp_path: Path) -> None:
    """An unknown [rota] key is refused with the file, the table, the key and a close match."""
    path = rota_file(tmp_path, extra="\n[rota]\noon_time_minutes = 10\n")
    text = _error(path)
    assert f"{path} [rota], column 'oon_time_minutes': unknown key" in text
    assert "did you mean 'on_time_minutes'?" in text


def test_bad_rota_values_are_all_named(tmp_path: Path) -> None:
    """A bad sheet, column header, unknown column key and rule value are listed at once."""
    extra = """
[rota]
sheet = -1
on_time_minutes = -5

[rota.columns]
carer_id = ""
client = "Service User"
"""
    text = _error(rota_file(tmp_path, extra=extra))
    assert "4 problems found" in text
    where = f"{tmp_path / 'then_rota.toml'} [rota]"
    for column in ("sheet", "on_time_minutes", "columns.carer_id", "columns.client"):
        assert f"{where}, column '{column}'" in text, column
    assert "did you mean 'client_id'?" in text


def test_rota_file_must_be_a_csv_or_excel(tmp_path: Path) -> None:
    """[data] rota must name a .csv or Excel file."""
    text = _error(rota_file(tmp_path, rota="rota.pdf"))
    assert "[data], column 'rota': bad value" in text and "'rota.pdf'" in text


def test_tables_a_rota_does_not_use_are_refused(tmp_path: Path) -> None:
    """[zones], [routing] and [providers] n_providers mean nothing for a rota: refused, named."""
    extra = "\n[zones]\nn_zones = 3\n\n[routing]\nmax_seconds = 2\n"
    path = rota_file(tmp_path, extra=extra)
    path.write_text(path.read_text().replace("[providers]\n", "[providers]\nn_providers = 3\n"))
    text = _error(path)
    assert "found [zones]" in text and "found [routing]" in text
    assert "[providers], column 'n_providers': not used" in text


def test_rota_kind_needs_a_rota_and_only_it_takes_one(tmp_path: Path) -> None:
    """A rota scenario without [data] rota, and a rota file in a 'now' one, are refused."""
    path = rota_file(tmp_path)
    path.write_text(path.read_text().replace('rota = "rota.csv"\n', ""))
    assert "[data], column 'rota': missing key" in _error(path)
    now = tmp_path / "now.toml"
    now.write_text(NOW.replace('carers = "carers.csv"', 'carers = "carers.csv"\nrota = "r.csv"'))
    assert "[data], column 'rota': not used" in _error(now)


def test_missing_rota_file_is_named_before_anything_runs(tmp_path: Path) -> None:
    """A rota file that is not there names the scenario file and the key, not a traceback."""
    path = rota_file(tmp_path, rota="nowhere.csv")
    with pytest.raises(ValidationError) as err:
        run_scenario(path)
    assert f"{path} [data], column 'rota': missing file" in str(err.value)


def test_rota_options_by_dotted_key(folder: Path) -> None:
    """with_options reaches the rota's rules; the copy keeps the kind and the files."""
    base = Scenario.from_toml(folder / "then_rota.toml")
    copy = base.with_options({"rota.on_time_minutes": 5}, name="strict")
    assert copy.kind == "rota" and copy.rota is not None
    assert copy.rota.rules.on_time_minutes == 5.0
    assert copy.data == base.data
