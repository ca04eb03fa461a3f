"""The house rules of the code: one-way imports, no cycles, no reaching into another stage.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and ``make lint``
runs them; these tests run them too, and show that each contract catches what it is for by
planting a bad import in a copy of the package.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "carezones"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e .[dev])"
)

STAGES = ("network", "demand", "geocode", "datasets", "zoning", "routing", "rota", "outcomes",
          "tables", "scenario", "maps", "report", "cli", "workshop")  # fmt: skip

#: Imports inside functions, each with its reason (a documented cost of start-up time).
ALLOWED_INNER_IMPORTS = {
    ("network/online.py", "osmnx"): "osmnx takes about 2 s to import; only downloads need it",
}


def lint(package_parent: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package found in ``package_parent``, with the project's config."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def broken(done: subprocess.CompletedProcess[str]) -> set[str]:
    """The names of the contracts ``lint-imports`` reports broken."""
    text = " ".join(done.stdout.split())
    names = {
        "layers": "Stages import one way",
        "cycles": "No import cycles",
        **{
            f"{stage} modules": f"Only carezones.{stage} itself reaches into"
            for stage in STAGES
        },
    }
    out = set()
    for key, name in names.items():
        after = text.split(name, 1)[1] if name in text else ""
        for word in after.split():
            if word in ("KEPT", "BROKEN"):
                if word == "BROKEN":
                    out.add(key)
                break
    return out


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package, to plant bad imports in."""
    target = tmp_path / "src" / "carezones"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def plant(module: Path, line: str) -> None:
    """Add ``line`` after the module's ``from __future__`` import."""
    text = module.read_text()
    anchor = "from __future__ import annotations\n"
    assert anchor in text, module
    module.write_text(text.replace(anchor, anchor + line + "\n", 1))


def test_the_import_contracts_hold(tmp_path: Path) -> None:
    """Every contract (layers, no cycles, stages through their package) is kept today."""
    done = lint(PACKAGE.parent, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert broken(done) == set() and "16 kept, 0 broken" in done.stdout


def test_an_upward_import_breaks_the_layers(copy: Path, tmp_path: Path) -> None:
    """The network importing a scenario (a higher stage) is reported."""
    plant(copy / "network" / "speeds.py", "from carezones.scenario import Scenario  # noqa")
    done = lint(copy.parent, tmp_path)
    assert done.returncode != 0
    assert "layers" in broken(done)
    assert "carezones.network.speeds -> carezones.scenario" in done.stdout


def test_zoning_and_routing_stay_independent(copy: Path, tmp_path: Path) -> None:
    """Zoning importing routing (two stages of one layer) is reported."""
    plant(copy / "zoning" / "plan.py", "from carezones.routing import RoutePlan  # noqa")
    done = lint(copy.parent, tmp_path)
    assert done.returncode != 0
    assert "layers" in broken(done)
    assert "carezones.zoning.plan -> carezones.routing" in done.stdout


def test_a_circle_inside_a_stage_is_reported(copy: Path, tmp_path: Path) -> None:
    """The routing problem (the folder's leaf) importing the plan that imports it is a cycle."""
    plant(copy / "routing" / "problem.py", "import carezones.routing.plan  # noqa")
    done = lint(copy.parent, tmp_path)
    assert done.returncode != 0
    assert broken(done) == {"cycles"}


def test_reaching_into_another_stage_is_reported(copy: Path, tmp_path: Path) -> None:
    """A stage importing another stage's module, not its package, is reported."""
    plant(copy / "zoning" / "geo.py", "from carezones.network.graph import TravelNetwork  # noqa")
    done = lint(copy.parent, tmp_path)
    assert done.returncode != 0
    assert broken(done) == {"network modules"}
    assert "carezones.zoning.geo -> carezones.network.graph" in done.stdout


def _inner_imports() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(rel, a.name, inner.lineno) for a in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((rel, inner.module or ".", inner.lineno))
    return found


def test_no_import_inside_a_function_without_a_reason() -> None:
    """Imports sit at the top of modules, but for the listed start-up costs."""
    unexpected = [f for f in _inner_imports() if (f[0], f[1]) not in ALLOWED_INNER_IMPORTS]
    assert unexpected == []


def test_no_import_below_the_top_of_a_module() -> None:
    """No module imports after its first statement of code (no imports at the bottom)."""
    late = []
    for path in sorted(PACKAGE.rglob("*.py")):
        code_seen = False
        for stmt in ast.parse(path.read_text()).body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                if code_seen:
                    late.append((path.relative_to(PACKAGE).as_posix(), stmt.lineno))
            elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)) and not (
                isinstance(stmt, ast.Assign)
                and any(getattr(t, "id", "") == "__all__" for t in stmt.targets)
            ):
                code_seen = True
    assert late == []


def test_every_module_names_its_one_concept() -> None:
    """Each module opens with a docstring whose first line says the one concept it holds."""
    unnamed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        first = (doc or "").strip().splitlines()[0] if doc and doc.strip() else ""
        if len(first.split()) < 3:
            unnamed.append(path.relative_to(PACKAGE).as_posix())
    assert unnamed == []


def test_the_root_holds_only_the_public_entry_and_private_helpers() -> None:
    """At the package root: ``__init__``, private ``_*.py`` helpers, ``exceptions`` and stages."""
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    public = [m for m in modules if not m.startswith("_") and m != "exceptions.py"]
    assert public == []
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(STAGES)


def test_importing_carezones_does_not_start_the_web_stack() -> None:
    """``import carezones`` loads no web server; ``carezones.workshop`` loads it on use."""
    code = (
        "import sys, carezones\n"
        "print('uvicorn' in sys.modules, 'starlette' in sys.modules)\n"
        "print(callable(carezones.workshop), 'starlette' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "True", "True"]


def _names_in(path: Path) -> set[str]:
    """Every identifier a module's code uses: names, arguments, attributes and keywords."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.rsplit(".", 1)[-1])
    return names


def test_the_routing_budget_reaches_the_solver_through_four_modules() -> None:
    """TOML to PyVRP: ``spec`` -> ``run`` -> ``plan`` (binds a ``Solver``) -> ``solver``.

    The zone runner and the week planner call the ``Solver`` they are handed and never
    touch the budget; the scenario's steps do not carry it either.
    """
    on_path = ["scenario/spec.py", "scenario/run.py", "routing/plan.py", "routing/solver.py"]
    for module in on_path:
        assert {"budget", "Budget"} & _names_in(PACKAGE / module), module
    for module in ["routing/runner.py", "routing/week.py", "scenario/steps.py"]:
        assert not {"budget", "Budget", "max_iterations", "max_seconds"} & _names_in(
            PACKAGE / module
        ), module
    assert "Solver" in _names_in(PACKAGE / "routing/runner.py")
    assert "solve" not in _names_in(PACKAGE / "routing/week.py")


def test_each_package_init_only_re_exports() -> None:
    """A folder's ``__init__.py`` holds a docstring, imports and ``__all__``: no code."""
    busy = []
    for init in PACKAGE.rglob("__init__.py"):
        for stmt in ast.parse(init.read_text()).body:
            plain = isinstance(stmt, ast.Import | ast.ImportFrom) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            )
            named = isinstance(stmt, ast.Assign) and all(
                getattr(t, "id", "") in {"__all__", "__version__"} for t in stmt.targets
            )
            if not (plain or named or isinstance(stmt, ast.Try)):
                busy.append((init.relative_to(PACKAGE).as_posix(), stmt.lineno))
    root = [b for b in busy if b[0] == "__init__.py"]
    assert [b for b in busy if b[0] != "__init__.py"] == []
    # The root's NullHandler (as the logging docs ask) and its lazy ``__getattr__``, which
    # loads the workshop (a web server) only when ``carezones.workshop`` is used.
    assert len(root) <= 2
