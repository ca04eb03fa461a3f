"""The notebooks as a reader on the web sees them: results kept where the data may be shared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
#: Code that reads the shared UK extracts (nothing derived from them goes into the repository).
SHARED = re.compile(r"shared_osm_path|\b(rutland|camden|oxford|leeds)\b", re.IGNORECASE)


def _code(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_keep_outputs_only_on_the_bundled_extract(path: Path) -> None:
    """Bundled-extract notebooks are saved run (every code cell); shared-extract ones are not."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = _code(nb)
    shared = any(SHARED.search("".join(c["source"])) for c in cells)
    ran = [c for c in cells if c.get("execution_count") is not None]
    if shared:
        assert not any(c.get("outputs") for c in cells), f"{path.name} reads a shared extract"
    else:
        assert len(ran) == len(cells), f"{path.name}: {len(cells) - len(ran)} code cells not run"
        assert [c["execution_count"] for c in ran] == list(range(1, len(ran) + 1))
        errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, f"{path.name} was saved with an error"


def test_saved_outputs_name_no_local_path() -> None:
    """No saved output shows a temporary folder or a home directory of the machine it ran on."""
    for path in NOTEBOOKS:
        text = json.dumps([c.get("outputs", []) for c in _code(json.loads(path.read_text()))])
        assert not re.search(r"/tmp/|/home/|/work/|/root/", text), path.name


def test_notebooks_stay_small() -> None:
    """No notebook carries a saved interactive map: each file under 1 MB (maps made when run)."""
    for path in NOTEBOOKS:
        assert path.stat().st_size < 1_000_000, f"{path.name}: {path.stat().st_size:,} bytes"
