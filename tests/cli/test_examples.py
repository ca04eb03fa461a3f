"""The examples run: every script in examples/ and every quick scenario file, outputs checked.

Each runs in its own process, as a user would run it, writing to a temporary folder. The
Camden-sized scenario files (minutes each, and they need the shared extract) are left to
``python benchmarks/bench_scenario.py``. The notebooks are run by nbmake:
``python -m pytest --nbmake notebooks``.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Each script and the files it must write to ``--out``.
SCRIPTS = {
    "what_if.py": [
        "comparison.csv",
        "travel_to_care.png",
        "quick_then/zones.gpkg",
        "quick_then/outcomes.csv",
        "quick_now/zones.gpkg",
        "quick_now/routes.csv",
        "quick_now_demand_+15pct/outcomes.csv",
    ],
    "zones_for_tender.py": [
        "zones.gpkg",
        "zones.csv",
        "check.json",
        "assignments.csv",
        "zones.png",
        "zones_map.html",
    ],
    "score_a_rota.py": [
        "rota_export.csv",
        "summary.json",
        "violations.csv",
        "carer_days.csv",
        "continuity.csv",
    ],
}

#: What ``carezones scenario run`` writes (``ScenarioResult.write``).
SCENARIO_FILES = [
    "zones.gpkg",
    "assignments.csv",
    "carers.csv",
    "routes.csv",
    "shifts.csv",
    "unscheduled.csv",
    "continuity.csv",
    "outcomes.csv",
    "zone_outcomes.csv",
    "provider_outcomes.csv",
    "staffing.csv",
    "virtual_calls.csv",
    "report.json",
]

#: Borough-sized scenarios, run by the benchmark rather than the test suite.
BENCHMARK_ONLY = {"then.toml", "then_brokered.toml", "now.toml", "now_zones_only.toml"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr}"
    assert "Warning" not in done.stderr, done.stderr
    return done


def _check_outputs(out: Path, names: list[str]) -> None:
    missing = [n for n in names if not (out / n).is_file()]
    empty = [n for n in names if n not in missing and (out / n).stat().st_size == 0]
    assert not missing and not empty, f"missing: {missing}; empty: {empty}"


def _scenario_params() -> list[object]:
    params = []
    for path in sorted(EXAMPLES.glob("*.toml")):
        with open(path, "rb") as fh:
            spec = tomllib.load(fh)
        source = spec.get("network", {}).get("source", "default")
        absent = [
            str(value)
            for key, value in spec.get("data", {}).items()
            if key != "columns" and isinstance(value, str) and not (EXAMPLES / value).exists()
        ]
        if absent:
            reason = f"{path.name} is a template: it reads your own files ({', '.join(absent)})"
        elif path.name in BENCHMARK_ONLY or source not in ("default", "helsinki"):
            reason = f"{path.name} ({source}): run by python benchmarks/bench_scenario.py"
        else:
            params.append(pytest.param(path, id=path.name, marks=pytest.mark.slow))
            continue
        params.append(pytest.param(path, id=path.name, marks=pytest.mark.skip(reason=reason)))
    return params


def test_every_script_has_expected_outputs() -> None:
    """Every script in examples/ is listed here with the files it writes."""
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_script_runs(script: str, tmp_path: Path) -> None:
    """``python examples/NAME.py --out DIR`` succeeds, warns nothing and writes its files."""
    out = tmp_path / "out"
    done = _run([str(EXAMPLES / script), "--out", str(out)], cwd=tmp_path)
    assert str(out.resolve()) in done.stdout
    _check_outputs(out, SCRIPTS[script])


def test_camden_scenarios_left_to_the_benchmark() -> None:
    """The borough-sized scenario files exist and are the ones the benchmark runs."""
    assert BENCHMARK_ONLY <= {p.name for p in EXAMPLES.glob("*.toml")}


@pytest.mark.parametrize("path", _scenario_params())
def test_scenario_file_runs(path: Path, tmp_path: Path) -> None:
    """``carezones scenario run FILE --out DIR`` succeeds and writes every output."""
    out = tmp_path / "out"
    cli = "import sys; from carezones.cli import main; sys.argv[0] = 'carezones'; main()"
    _run(["-c", cli, "scenario", "run", str(path), "--out", str(out)], cwd=tmp_path)
    _check_outputs(out, SCENARIO_FILES)
