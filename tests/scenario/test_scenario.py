"""Tests of scenarios: the file's checks, the pipeline, then vs now, comparisons and sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from carezones import ValidationError, datasets, write_carers, write_clients
from carezones.cli import app
from carezones.scenario import (
    Scenario,
    ScenarioResult,
    compare,
    network_of,
    reprice,
    run_scenario,
    sweep,
)
from scenario_check import TINY, tiny


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScenarioResult]:
    folder = tmp_path_factory.mktemp("scenarios")
    return {
        kind: run_scenario(tiny(folder, kind, kind, "\n[demand]\nvirtual_share = 0.5\n"))
        for kind in ("then", "now")
    }


# ------------------------------------------------------------------ the file's checks


def test_unknown_key_names_file_table_and_key(tmp_path: Path) -> None:
    """An unknown key is refused with the file, the table, the key and the closest key."""
    path = tiny(tmp_path, extra="")
    path.write_text(path.read_text().replace("n_zones = 3", "n_zone = 3"))
    with pytest.raises(ValidationError) as err:
        Scenario.from_toml(path)
    text = str(err.value)
    assert f"{path} [zones], column 'n_zone': unknown key" in text
    assert "did you mean 'n_zones'?" in text


def test_unknown_table_is_named(tmp_path: Path) -> None:
    """An unknown top-level table is refused, naming it."""
    path = tiny(tmp_path, extra="\n[zoning]\nn_zones = 3\n")
    with pytest.raises(ValidationError, match=r"column 'zoning': unknown key"):
        Scenario.from_toml(path)


def test_bad_values_are_all_named_at_once(tmp_path: Path) -> None:
    """Bad values in several tables are listed together, each with its table and key."""
    path = tiny(
        tmp_path,
        extra="\n[demand]\nvirtual_share = 2\n\n[costing]\nwage_gbp_per_hour = -1\n",
    )
    text = path.read_text().replace("n_zones = 3", "n_zones = -2")
    text = text.replace("max_seconds = 30", 'max_seconds = 30\ntime_windows = "late"')
    path.write_text(text.replace('kind = "now"', 'kind = "later"'))
    with pytest.raises(ValidationError) as err:
        Scenario.from_toml(path)
    text = str(err.value)
    for table, key in (
        ("[zones]", "n_zones"),
        ("[demand]", "virtual_share"),
        ("[costing]", "wage_gbp_per_hour"),
        ("[routing]", "time_windows"),
    ):
        assert f"{path} {table}, column '{key}'" in text
    assert "column 'kind': bad value: expected 'now', 'then' or 'rota', found 'later'" in text


def test_people_from_exactly_one_table(tmp_path: Path) -> None:
    """A scenario needs a [population] or a [data] table, not both."""
    with pytest.raises(ValidationError, match=r"exactly one of a \[population\]"):
        Scenario.from_dict({"name": "x"}, where="x.toml")
    both = {"population": {}, "data": {"clients": "c.csv", "carers": "k.csv"}}
    with pytest.raises(ValidationError, match="found both"):
        Scenario.from_dict(both)


def test_then_needs_a_number_of_providers() -> None:
    """A 'then' scenario with n_providers = 'auto' is refused, naming [providers] n_providers."""
    with pytest.raises(ValidationError, match=r"\[providers\], column 'n_providers'"):
        Scenario.from_dict({"kind": "then", "population": {}})


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    """A file that is not TOML, or is missing, gives a clear error naming it."""
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(ValidationError, match="not TOML"):
        Scenario.from_toml(bad)
    with pytest.raises(ValidationError, match="missing file"):
        Scenario.from_toml(tmp_path / "nope.toml")


def test_missing_network_file_is_named(tmp_path: Path) -> None:
    """A network source that is neither a known name nor a file is named at run time."""
    path = tiny(tmp_path)
    path.write_text(path.read_text().replace('"default"', '"nowhere.osm.pbf"'))
    with pytest.raises(ValidationError, match=r"\[network\], column 'source': missing file"):
        run_scenario(path)


def test_round_trip_and_options(tmp_path: Path) -> None:
    """to_dict reads back to the same scenario; with_options changes dotted keys, checked."""
    s = Scenario.from_toml(tiny(tmp_path, extra="\n[costing]\nwage_gbp_per_hour = 12.6\n"))
    assert Scenario.from_dict(s.to_dict(), where=s.where, base_dir=s.base_dir) == s
    t = s.with_options({"zones.n_zones": 2, "demand.growth": 0.15}, name="t")
    assert (t.name, t.zones.n_zones, t.demand.growth) == ("t", 2, 0.15)
    assert t.costing.wage_gbp_per_hour == 12.6
    assert s.routing.days[0] == "monday" and s.routing.days[-1] == "sunday"  # a week
    assert s.with_options({"routing.days": "monday"}).routing.days == ("monday",)
    with pytest.raises(ValidationError, match="n_zones"):
        s.with_options({"zones.n_zones": 0})


def test_a_zone_cap_in_the_scenario_file(tmp_path: Path) -> None:
    """[zones] max_weekly_hours (the CLI's --max-weekly-hours) is read and checked."""
    s = Scenario.from_toml(tiny(tmp_path))
    capped = s.with_options({"zones.max_weekly_hours": 900.0})
    assert capped.zones.max_weekly_hours == 900.0 and s.zones.max_weekly_hours is None
    with pytest.raises(ValidationError, match="max_weekly_hours"):
        s.with_options({"zones.min_weekly_hours": 100, "zones.max_weekly_hours": 50})


# ------------------------------------------------------------------ running


def test_now_and_then_run_and_write(runs: dict[str, ScenarioResult], tmp_path: Path) -> None:
    """Both kinds run end to end and write every output; nothing dropped, no coordinates."""
    for kind, result in runs.items():
        out = tmp_path / kind
        names = {p.name for p in result.write(out)}
        assert names >= {"zones.gpkg", "assignments.csv", "routes.csv", "unscheduled.csv",
                         "outcomes.csv", "report.json"}  # fmt: skip
        assignments = pd.read_csv(out / "assignments.csv")
        assert len(assignments) == result.outcomes["n_clients"] == 40
        assert assignments["client_id"].is_unique
        routed = set(pd.read_csv(out / "routes.csv")["visit_id"])
        unscheduled = set(pd.read_csv(out / "unscheduled.csv")["visit_id"])
        virtual = set(pd.read_csv(out / "virtual_calls.csv")["visit_id"])
        assert virtual  # virtual_share 0.5: decided before routing, never routed
        assert routed | unscheduled | virtual == set(result.visits["visit_id"])
        assert not routed & unscheduled and not routed & virtual and not unscheduled & virtual
        for name in ("assignments.csv", "routes.csv", "carers.csv"):
            columns = set(pd.read_csv(out / name).columns)
            assert not columns & {"lon", "lat", "x", "y", "geometry"}
        report = json.loads((out / "report.json").read_text())
        assert report["kind"] == kind and report["outcomes"]["weekly_hours"] > 0


def test_then_is_providers_across_the_whole_area(runs: dict[str, ScenarioResult]) -> None:
    """'Then' routes each provider as one group: no zones, providers below the minimum flagged."""
    then = runs["then"]
    assert set(then.clients["zone_id"]) == set(then.clients["provider_id"])
    assert then.clients["provider_id"].nunique() == 3
    assert set(then.carers["provider_id"]) <= set(then.clients["provider_id"])
    assert np.isnan(then.outcomes["n_zones"]) and np.isnan(then.outcomes["carers_local_share"])
    assert then.outcomes["n_providers"] == 3
    assert then.lots is None


def test_now_has_zones_lots_and_local_carers(runs: dict[str, ScenarioResult]) -> None:
    """'Now' draws the zones asked for, groups them in lots, and carers work near home."""
    now = runs["now"]
    assert now.outcomes["n_zones"] == 3 and now.outcomes["zones_below_floor"] == 0
    assert now.outcomes["n_providers"] == 2
    assert now.lots is not None and now.lots.summary["lots_below_minimum"] == 0
    assert now.outcomes["carers_local_share"] > 0.5
    assert set(now.carers["zone_id"]) <= set(now.zones["zone_id"])


def test_same_people_in_then_and_now(runs: dict[str, ScenarioResult]) -> None:
    """Both files' populations share their seed, so clients and carers are the same."""
    a, b = runs["then"], runs["now"]
    assert a.clients["client_id"].tolist() == b.clients["client_id"].tolist()
    assert np.allclose(a.clients["weekly_hours"], b.clients["weekly_hours"])
    assert a.carers["mode"].tolist() == b.carers["mode"].tolist()
    # the same access (bikes, cars): any difference in walking and cycling comes from zones
    assert a.carers["modes"].tolist() == b.carers["modes"].tolist()
    assert a.carers["carer_id"].tolist() == b.carers["carer_id"].tolist()


def test_demand_is_reconciled_in_every_kind(runs: dict[str, ScenarioResult]) -> None:
    """Demanded = in person + virtual + unserved, in visits, clients' and carers' hours."""
    for result in runs.values():
        rec = result.outcomes.reconciliation.set_index("line")
        assert rec.loc["difference (0)"].abs().max() < 1e-6, result.name
        demanded = rec.loc["demanded", "client_hours_per_week"]
        assert demanded == pytest.approx(result.clients["weekly_hours"].sum(), abs=0.02)
        unserved = result.visits["visit_id"].isin(result.unscheduled["visit_id"])
        hours = result.visits.loc[unserved, "duration"].sum() / 60
        assert rec.loc["unserved", "client_hours_per_week"] == pytest.approx(hours)
        assert result.outcomes["days_routed"] == 7 and not result.outcomes.estimate


def test_a_week_is_planned_and_said(runs: dict[str, ScenarioResult], tmp_path: Path) -> None:
    """Scenarios plan all seven days; every output says what the weekly figures rest on."""
    result = runs["now"]
    assert sorted(set(result.routes["day"])) == sorted(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
    assert "a planned week" in str(result)
    names = {p.name for p in result.write(tmp_path / "out")}
    assert {"reconciliation.csv", "assumptions.csv"} <= names
    notes = pd.read_csv(tmp_path / "out" / "assumptions.csv").set_index("assumption")
    assert "chosen by the plan" in notes.loc["carer_mode_mix", "value"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["basis"].startswith(
        "a planned"
    )


def test_one_day_is_an_estimate_said_plainly(tmp_path: Path) -> None:
    """A quick one-day run scales up to a week and says so in its outputs."""
    result = run_scenario(tiny(tmp_path, extra=""), n_jobs=1).slim()
    quick = run_scenario(
        Scenario.from_toml(tiny(tmp_path)).with_options({"routing.days": "monday"}), n_jobs=1
    )
    assert quick.outcomes.estimate and quick.outcomes["days_routed"] == 1
    assert "ESTIMATE" in quick.outcomes.basis and "ESTIMATE" in str(quick)
    assert result.outcomes["days_routed"] == 7


def test_same_inputs_and_an_iteration_stop_give_identical_outputs(tmp_path: Path) -> None:
    """Routing that stops on iterations (the scenario default) repeats exactly."""
    first = run_scenario(tiny(tmp_path), n_jobs=2)
    again = run_scenario(tiny(tmp_path), n_jobs=2)
    pd.testing.assert_frame_equal(first.routes, again.routes)
    pd.testing.assert_frame_equal(first.outcomes.table, again.outcomes.table)


def test_seeds_give_ranges(tmp_path: Path) -> None:
    """--seeds N reruns each scenario with other seeds; compare gives mean, min and max."""
    said: list[tuple[int, int, int]] = []
    results = sweep(
        Scenario.from_toml(tiny(tmp_path)),
        n_workers=2,
        seeds=3,
        progress=lambda done, total, r: said.append((done, total, r.scenario.seed)),
    )
    assert [r.name for r in results] == ["tiny"] * 3
    assert said == [(1, 3, results[0].scenario.seed), (2, 3, results[0].scenario.seed + 1),
                    (3, 3, results[0].scenario.seed + 2)]  # fmt: skip
    assert len({r.scenario.population.seed for r in results}) == 3
    table = compare(results)
    assert {"tiny", "tiny min", "tiny max"} <= set(table.columns)
    values = table.drop(index="run_time_seconds").dropna()
    assert (values["tiny min"] <= values["tiny"] + 1e-9).all()
    assert (values["tiny"] <= values["tiny max"] + 1e-9).all()
    assert (values["tiny max"] - values["tiny min"]).abs().max() > 0  # the seeds matter


def test_soft_windows_price_lateness_and_unserved_care_is_costed() -> None:
    """A late start is measured in minutes and priced; unserved care costs the cover rate."""
    from carezones.outcomes import COVER_RATE_GBP_PER_HOUR

    s = Scenario.from_dict(
        {"name": "late", "population": {"n_clients": 12, "n_carers": 2, "n_providers": 1},
         "zones": {"min_weekly_hours": 10, "n_zones": 1},
         "providers": {"n_providers": 1, "min_provider_hours": 10},
         "routing": {"days": "monday", "max_iterations": 40, "n_jobs": 1}}
    )  # fmt: skip
    assert s.routing.params.time_windows == "soft"
    result = run_scenario(s)
    routes = result.routes.drop_duplicates("visit_id")
    late = routes["late"].sum() * 7
    assert result.outcomes["late_minutes_per_week"] == pytest.approx(late)
    summary = result.route_summary
    lateness = summary["late_minutes"].sum()
    assert lateness == pytest.approx(routes["late"].sum())
    cover = result.outcomes["unserved_carer_hours_per_week"] * COVER_RATE_GBP_PER_HOUR
    assert result.outcomes["cover_cost_gbp_per_week"] == pytest.approx(cover)
    assert result.outcomes["unscheduled_visits_per_week"] > 0  # two carers cannot do it all


def test_compare_one_row_per_outcome(runs: dict[str, ScenarioResult]) -> None:
    """Scenarios side by side: each outcome's unit, value, difference and change, run time.

    One row per outcome, a column per scenario, the difference and the percentage change
    from the first; one name twice is one scenario's replicates.
    """
    table = compare([runs["then"], runs["now"]])
    assert list(table.columns) == ["unit", "then", "now", "now - then", "now vs then %"]
    assert table.index[-1] == "run_time_seconds"
    for name in ("travel_to_care_ratio", "walk_cycle_share", "co2e_kg_per_week",
                 "hourly_rate_gbp", "carers_local_share"):  # fmt: skip
        assert name in table.index
    assert table.loc["walk_cycle_share", "unit"] == "share"
    diff = table.loc["cost_gbp_per_week", "now"] - table.loc["cost_gbp_per_week", "then"]
    assert table.loc["cost_gbp_per_week", "now - then"] == pytest.approx(diff)
    pct = 100 * diff / table.loc["cost_gbp_per_week", "then"]
    assert table.loc["cost_gbp_per_week", "now vs then %"] == pytest.approx(pct, abs=0.05)
    twice = compare([runs["now"], runs["now"]])  # one name twice: replicates of a scenario
    assert list(twice.columns) == ["unit", "now", "now min", "now max"]


def test_growth_and_mode_mix(tmp_path: Path) -> None:
    """Demand +25% adds 10 of 40 clients (copies); the carers' modes follow the mix."""
    s = Scenario.from_toml(tiny(tmp_path)).with_options(
        {"demand.growth": 0.25, "demand.carer_mode_mix": {"walk": 0.5, "cycle": 0.5}}
    )
    result = run_scenario(s)
    assert len(result.clients) == 50
    assert result.clients["client_id"].is_unique
    assert result.carers["mode"].value_counts().to_dict() == {"walk": 12, "cycle": 12}


def test_data_files_relative_to_the_scenario(tmp_path: Path, helsinki) -> None:  # type: ignore[no-untyped-def]
    """[data] reads the clients and carers files next to the scenario file."""
    clients, carers, _ = datasets.synthetic_population(
        helsinki, n_clients=30, n_carers=16, n_providers=2, random_state=1
    )
    (tmp_path / "people").mkdir()
    write_clients(clients, tmp_path / "people" / "clients.gpkg")
    write_carers(carers, tmp_path / "people" / "carers.gpkg")
    text = TINY.format(name="files", kind="then", pop_providers=2, providers=2)
    text = text.replace(
        "[population]\nn_clients = 40\nn_carers = 24\nn_providers = 2\nseed = 0",
        '[data]\nclients = "people/clients.gpkg"\ncarers = "people/carers.gpkg"',
    ).replace("n_providers = 2\nmin", 'n_providers = 2\nallocation = "given"\nmin')
    path = tmp_path / "files.toml"
    path.write_text(text)
    result = run_scenario(path)
    assert result.outcomes["n_clients"] == 30
    assert set(result.clients["provider_id"]) == set(clients["provider_id"])


# ------------------------------------------------------------------ sweeps


def _tables(results: list[ScenarioResult]) -> list[pd.Series]:
    return [r.outcomes.to_series() for r in results]


@pytest.fixture(scope="module")
def grid_base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario.from_toml(tiny(tmp_path_factory.mktemp("sweep"), "base"))


def test_grid_names_every_combination(grid_base: Scenario) -> None:
    """A grid gives one scenario per combination, named by its options."""
    from carezones.scenario.sweeps import expand

    got = expand(grid_base, {"zones.n_zones": [2, 3], "demand.growth": [0.0, 0.1]})
    assert [s.name for s in got][:2] == [
        "base[zones.n_zones=2,demand.growth=0]",
        "base[zones.n_zones=2,demand.growth=0.1]",
    ]
    assert len(got) == 4


def test_process_pool_sweep_equals_serial(grid_base: Scenario) -> None:
    """The default process pool gives the same outcomes as running one after another."""
    grid = {"demand.growth": [0.0, 0.1]}
    parallel = sweep(grid_base, grid, n_workers=2)
    serial = [run_scenario(grid_base.with_options({"demand.growth": g})) for g in (0.0, 0.1)]
    for a, b in zip(_tables(parallel), _tables(serial), strict=True):
        pd.testing.assert_series_equal(a, b)
    assert parallel[0].route_plan is None  # slim results


def test_dask_sweep_equals_serial(grid_base: Scenario) -> None:
    """A Dask LocalCluster (two workers) gives the same outcomes as a serial run."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    grid = {"demand.virtual_share": [0.0, 1.0]}
    serial = sweep(grid_base, grid, executor=_Serial())
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(grid_base, grid, executor=client)
    for a, b in zip(_tables(on_dask), _tables(serial), strict=True):
        pd.testing.assert_series_equal(a, b)
    assert [r.name for r in on_dask] == [r.name for r in serial]


class _Serial:
    """The smallest executor: runs each task when submitted."""

    class _Done:
        def __init__(self, value: object) -> None:
            self.value = value

        def result(self) -> object:
            return self.value

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        return self._Done(fn(*args))


# ------------------------------------------------------------------ command line


def test_cli_run_and_compare(tmp_path: Path) -> None:
    """`scenario run` writes the outputs; `scenario compare` prints and writes the table."""
    runner = CliRunner()
    a, b = tiny(tmp_path, "a", "then"), tiny(tmp_path, "b", "now")
    done = runner.invoke(app, ["scenario", "run", str(b), "--out", str(tmp_path / "run")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "run" / "outcomes.csv").exists()
    done = runner.invoke(
        app, ["scenario", "compare", str(a), str(b), "--out", str(tmp_path / "cmp")]
    )
    assert done.exit_code == 0, done.output
    table = pd.read_csv(tmp_path / "cmp" / "data" / "comparison.csv", index_col="outcome")
    assert list(table.columns) == ["unit", "a", "b", "b - a", "b vs a %"]
    assert "travel_to_care_ratio" in done.output and "run_time_seconds" in table.index
    changed = pd.read_csv(tmp_path / "cmp" / "differences.csv", index_col="parameter")
    assert {"kind", "providers.n_providers"} <= set(changed.index)
    assert "What differs between the scenarios" in done.output
    assert "What differs between the scenarios" in (tmp_path / "cmp" / "report.html").read_text()
    shown = pd.read_csv(tmp_path / "cmp" / "comparison.csv", index_col="outcome")
    assert list(shown.columns) == ["unit", "a", "b", "b - a", "b vs a (%)"]
    assert shown.loc["scheduled_share", "unit"] == "%"  # shares as percentages for people


def test_cli_compare_seeds_says_how_far_it_has_got(tmp_path: Path) -> None:
    """`compare --seeds 2` prints a line as each run is gathered, and writes the ranges."""
    b = tiny(tmp_path, "b", "now")
    done = CliRunner().invoke(
        app, ["scenario", "compare", str(b), "--seeds", "2", "--out", str(tmp_path / "cmp")]
    )
    assert done.exit_code == 0, done.output
    assert "2 runs (1 scenarios x 2 seeds)" in done.output
    assert "[1/2] b (seed 0) done in" in done.output and "[2/2] b (seed 1) done in" in done.output
    table = pd.read_csv(tmp_path / "cmp" / "data" / "comparison.csv", index_col="outcome")
    assert {"b", "b min", "b max"} <= set(table.columns)
    assert (tmp_path / "cmp" / "b-seed1" / "outcomes.csv").exists()


def test_cli_bad_file_fails_before_running(tmp_path: Path) -> None:
    """A bad key in any file stops `compare` before anything runs, naming the key."""
    good, bad = tiny(tmp_path, "good"), tiny(tmp_path, "bad")
    bad.write_text(bad.read_text().replace("max_seconds", "max_second"))
    done = CliRunner().invoke(app, ["scenario", "compare", str(good), str(bad)])
    assert done.exit_code != 0
    assert "max_second" in str(done.exception)


def test_a_zone_the_solver_fails_on_is_unscheduled_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the routing's final check fails on a zone, that zone is retried, then reported."""
    import carezones.routing.runner as runner
    from carezones.exceptions import SolverError

    real = runner._solve_days
    seeds: list[int] = []

    def flaky(job, network, seed):  # type: ignore[no-untyped-def]
        if job.zone_id == "Z01":
            seeds.append(seed)
            raise SolverError("the search returned an infeasible state")
        return real(job, network, seed)

    monkeypatch.setattr(runner, "_solve_days", flaky)
    result = run_scenario(tiny(tmp_path))
    assert len(seeds) == runner.ATTEMPTS and len(set(seeds)) == runner.ATTEMPTS
    failed = result.unscheduled[result.unscheduled["reason"].str.startswith("routing failed")]
    assert set(failed["zone_id"]) == {"Z01"}
    assert (failed["reason"] == "routing failed: the search returned an infeasible state").all()
    zone_visits = result.visits["client_id"].map(result.clients.set_index("client_id")["zone_id"])
    assert len(failed) == int((zone_visits == "Z01").sum())
    assert set(result.routes["zone_id"]) == {"Z02", "Z03"}


def test_a_boundary_keeps_the_same_people_inside_it_and_clips_the_zones(
    tmp_path: Path, helsinki
) -> None:
    """``[network] boundary``: then and now have the same people, all inside; areas clipped."""
    import geopandas as gpd
    import shapely

    from carezones.cli.scenarios import _layers

    x0, y0, x1, y1 = helsinki.nodes["walk"].total_bounds
    area = gpd.GeoDataFrame(
        {"name": ["South"]}, geometry=[shapely.box(x0, y0, x1, y0 + 0.6 * (y1 - y0))],
        crs=helsinki.crs,
    ).to_crs(4326)  # fmt: skip
    area.to_file(tmp_path / "south.geojson", driver="GeoJSON")
    results = {}
    for kind in ("then", "now"):
        path = tiny(tmp_path, kind, kind)
        path.write_text(
            path.read_text().replace('source = "default"\n',
                                     'source = "default"\nboundary = "south.geojson"\n')
        )  # fmt: skip
        results[kind] = run_scenario(path)
    then, now = results["then"], results["now"]
    south = area.to_crs(now.clients.crs).geometry.iloc[0]
    for r in (then, now):
        xy = shapely.get_coordinates(r.clients.geometry.to_numpy())
        assert shapely.contains_xy(south, xy[:, 0], xy[:, 1]).all(), r.name
        homes = shapely.get_coordinates(r.carers.geometry.to_numpy())
        assert shapely.contains_xy(south, homes[:, 0], homes[:, 1]).all(), r.name
    assert then.clients["client_id"].tolist() == now.clients["client_id"].tolist()
    assert then.clients.geometry.equals(now.clients.geometry)
    for r in (then, now):  # now's zones, and then's one area of every provider, clipped
        zones = r.zones.to_crs(r.clients.crs)
        assert shapely.covers(south.buffer(1.0), shapely.union_all(zones.geometry.to_numpy()))
    assert "boundary" in _layers(now) and _layers(now)["boundary"]["name"].iloc[0] == "South"
    with pytest.raises(ValidationError, match="boundary"):
        Scenario.from_dict({"name": "x", "network": {"boundary": ""}, "population": {}})
    plain = Scenario.from_dict({"name": "x", "network": {"boundary": "none"}, "population": {}})
    assert plain.network.boundary is None


# ---------------------------------------------- issue 26: baselines, staffing, prices


def test_every_provider_and_zone_is_staffed_against_its_own_demand(
    runs: dict[str, ScenarioResult], tmp_path: Path
) -> None:
    """Both kinds deal every carer by the staffing rule; any shortfall is reported in hours."""
    for kind, result in runs.items():
        groups = set(result.zones["zone_id"].astype(str))
        assert set(result.carers["zone_id"].astype(str)) <= groups
        cover = result.staffing
        assert cover is not None and set(cover["group"]) <= groups
        assert {"day", "slot", "skill", "needed_hours", "available_hours"} <= set(cover.columns)
        short = result.outcomes["workforce_short_hours"]
        assert short >= 0 and np.isfinite(short)
        per = result.outcomes.zones["workforce_short_hours"].sum()
        assert per == pytest.approx(short)
        out = tmp_path / kind
        result.write(out)
        assert len(pd.read_csv(out / "staffing.csv")) == len(cover)
        notes = pd.read_csv(out / "assumptions.csv").set_index("assumption")
        assert "same rule" in notes.loc["staffing", "value"]


def test_a_brokered_then_runs_and_keeps_the_people(tmp_path: Path) -> None:
    """The brokered market deals out the same clients and carers as the market by share."""
    path = tiny(tmp_path, "brokered", "then")
    path.write_text(path.read_text().replace("min_provider_hours = 150",
                                             'min_provider_hours = 150\nallocation = "brokered"'))
    brokered = run_scenario(path, n_jobs=1)
    market = run_scenario(tiny(tmp_path, "market", "then"), n_jobs=1)
    assert brokered.clients["client_id"].tolist() == market.clients["client_id"].tolist()
    assert brokered.carers["carer_id"].tolist() == market.carers["carer_id"].tolist()
    assert brokered.carers["modes"].tolist() == market.carers["modes"].tolist()
    # brokered clients are nearer their providers' carers than in a market without geography
    assert brokered.outcomes["home_to_visit_km"] < market.outcomes["home_to_visit_km"]
    notes = brokered.assumptions().set_index("assumption")
    assert "nearest with room" in notes.loc["market", "value"]
    assert "near their clients" in notes.loc["staffing", "value"]


def test_reprice_changes_the_prices_and_keeps_the_plan(runs: dict[str, ScenarioResult]) -> None:
    """Zero-hours terms re-priced on the same plan pay the care alone; nothing else moves."""
    now = runs["now"]
    again = reprice(now, {})
    pd.testing.assert_frame_equal(again.table, now.outcomes.table)
    zero = reprice(now, {"costing.pay_terms": "zero_hours",
                         "demand.virtual_call_pay_share": 1.0})  # fmt: skip
    assert zero["paid_hours_per_week"] == pytest.approx(now.outcomes["care_hours_per_week"])
    assert zero["travel_to_care_ratio"] == now.outcomes["travel_to_care_ratio"]
    assert zero["hourly_rate_gbp"] < now.outcomes["hourly_rate_gbp"]
    parked = reprice(now, {"outcomes.parking_minutes": 5.0})
    assert parked["travel_hours_per_week"] > now.outcomes["travel_hours_per_week"]


def test_speeds_are_scenario_options(tmp_path: Path) -> None:
    """[network] walk_kmh changes the walking network's travel times, named in the file's check."""
    slow = Scenario.from_toml(tiny(tmp_path)).with_options({"network.walk_kmh": 3.6})
    edges = network_of(slow).edges["walk"]
    assert np.allclose(edges["travel_time"], edges["length"] / 1.0)
    with pytest.raises(ValidationError, match="walk_kmh"):
        slow.with_options({"network.walk_kmh": -1})
