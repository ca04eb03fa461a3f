"""How sure, how sensitive: each assumption varied, re-planned or re-priced, resumable, charted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from carezones import ValidationError
from carezones.cli import app
from carezones.report import build_report
from carezones.scenario import Assumption, Scenario, default_assumptions, sensitivity

TINY = {"population": {"n_clients": 30, "n_carers": 14, "n_providers": 2},
        "routing": {"days": "monday", "n_jobs": 1}}  # fmt: skip
THEN = Scenario.from_dict({"name": "then", "kind": "then", **TINY,
                           "providers": {"n_providers": 2, "min_provider_hours": 60}})  # fmt: skip
NOW = Scenario.from_dict({"name": "now", **TINY, "zones": {"min_weekly_hours": 60, "n_zones": 2},
                          "providers": {"n_providers": 1, "min_provider_hours": 60},
                          "demand": {"virtual_share": 0.5}})  # fmt: skip
VIRTUAL = Assumption("virtual share", {"demand.virtual_share": 0.0},
                     {"demand.virtual_share": 1.0}, "0%", "100%", "50%", sides=("now",))
COVER = Assumption("cover rate", {"outcomes.cover_rate_gbp_per_hour": 30.0},
                   {"outcomes.cover_rate_gbp_per_hour": 90.0}, "£30", "£90", "£48.21",
                   replan=False)  # fmt: skip


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("sensitivity")
    result = sensitivity(THEN, NOW, assumptions=[VIRTUAL, COVER], seeds=2, max_iterations=20,
                         save=folder / "runs")  # fmt: skip
    return folder, result


def test_each_assumption_at_both_ends_around_the_base(saved) -> None:  # type: ignore[no-untyped-def]
    """The table: the base, a seed, and each assumption low and high, on every headline figure."""
    _, result = saved
    table = result.table
    assert set(table["level"]) == {"base", "seed 1", "low", "high"}
    assert set(table["assumption"]) == {"base", "virtual share", "cover rate"}
    base = table[table["level"] == "base"]
    assert (base["change"] == 0).all()
    assert np.allclose(table["saving"], table["then"] - table["now"], equal_nan=True)
    # a re-priced assumption leaves every figure of the plan, and moves only the prices
    cover = table[table["assumption"] == "cover rate"].set_index(["level", "figure"])
    assert cover.loc[("low", "travel_to_care_ratio"), "change"] == 0
    assert cover.loc[("low", "paid_hours_per_week"), "change"] == 0
    high = cover.loc[("high", "cost_gbp_per_week")]
    unserved = result.base["then"][0]["unserved_carer_hours_per_week"] - \
        result.base["now"][0]["unserved_carer_hours_per_week"]  # fmt: skip
    assert high["change"] == pytest.approx(unserved * (90.0 - 48.21), rel=1e-6, abs=1e-6)
    # a "now"-only assumption re-plans "now" alone: "then" stays at its base
    virtual = table[table["assumption"] == "virtual share"]
    then_base = base.set_index("figure")["then"]
    assert np.allclose(virtual["then"], virtual["figure"].map(then_base), equal_nan=True)
    assert set(result.band().index) == set(table["figure"])
    assert result.max_iterations == 20
    # the summary: one row per assumption and end that was run, none made up of the others
    summary = result.summary()
    assert [(a, lv) for a, lv, _ in summary.index] == [
        ("virtual share", "low"), ("virtual share", "high"), ("cover rate", "low"),
        ("cover rate", "high")]  # fmt: skip


def test_an_interrupted_sensitivity_resumes_from_its_saved_runs(saved) -> None:  # type: ignore[no-untyped-def]
    """Run again with the same folder, nothing is re-run and the table is the same."""
    folder, first = saved
    said: list[str] = []
    again = sensitivity(THEN, NOW, assumptions=[VIRTUAL, COVER], seeds=2, max_iterations=20,
                        save=folder / "runs", progress=lambda d, t, k: said.append(k))  # fmt: skip
    assert said == []
    pd.testing.assert_frame_equal(first.table, again.table)
    # a changed budget is another run: the saved ones of the old budget are not reused
    (folder / "runs" / "now_virtual-share_low_0.json").unlink()
    said.clear()
    sensitivity(THEN, NOW, assumptions=[VIRTUAL, COVER], seeds=2, max_iterations=20,
                save=folder / "runs", progress=lambda d, t, k: said.append(k))  # fmt: skip
    assert said == ["now|virtual-share|low|0"]


def test_the_tornado_chart_is_in_the_report_pack(saved, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Written out with its base comparison, the report pack carries the tornado chart."""
    _, result = saved
    result.write(tmp_path)
    result.comparison().to_csv(tmp_path / "comparison.csv")
    page, book = build_report(tmp_path)
    text = page.read_text()
    assert "How sensitive the zones' saving is" in text
    assert "What providers need, by their size" in text
    assert text.count("data:image/png;base64") >= 2
    with pd.ExcelFile(book) as workbook:
        assert "sensitivity" in workbook.sheet_names


def test_default_assumptions_and_bad_input() -> None:
    """The defaults cover the issue's list; a repeated name or a bad seed count is refused."""
    names = [a.name for a in default_assumptions(THEN, NOW)]
    assert names == ["car access", "bike access", "speeds", "virtual share", "floor",
                     "parking per drive", "cover rate", "pay", "pay terms"]  # fmt: skip
    replanned = {a.name for a in default_assumptions(THEN, NOW) if a.replan}
    assert replanned == {"car access", "bike access", "speeds", "virtual share", "floor"}
    with pytest.raises(ValidationError, match="same name twice"):
        sensitivity(THEN, NOW, assumptions=[COVER, COVER])
    with pytest.raises(ValidationError, match="seeds"):
        sensitivity(THEN, NOW, assumptions=[COVER], seeds=0)
    with pytest.raises(ValidationError, match="sides"):
        Assumption("x", {"a": 1}, {"a": 2}, "1", "2", sides=("later",))


def test_cli_sensitivity_writes_the_chart_and_resumes(tmp_path: Path) -> None:
    """`scenario sensitivity THEN NOW --only ...` writes the table, the chart and the report."""
    files = []
    for s in (THEN, NOW):
        path = tmp_path / f"{s.name}.toml"
        path.write_text(_toml(s.to_dict()))
        files.append(str(path))
    out = tmp_path / "out"
    args = ["scenario", "sensitivity", *files, "--out", str(out), "--only", "cover rate",
            "--seeds", "1", "--iterations", "15", "--workers", "1"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    for name in ("sensitivity.csv", "tornado.png", "comparison.csv", "report.html"):
        assert (out / name).is_file(), name
    assert "[2/2]" in done.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "[1/2]" not in again.output  # resumed: nothing re-run
    bad = CliRunner().invoke(app, [*args[:-8], "--only", "weather"])
    assert bad.exit_code != 0 and "weather" in str(bad.exception)


def _toml(data: dict, prefix: str = "") -> str:  # type: ignore[type-arg]
    """A scenario mapping as TOML (enough for the tables a scenario has)."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return repr(v).replace("'", '"')
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return str(v)

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f"{kk} = {value(vv)}" for kk, vv in v.items() if vv is not None]
    return "\n".join(lines) + "\n"
