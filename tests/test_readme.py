"""The README's tour of the Python API runs as it is written, on the bundled extract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_api_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of the README's "A tour of the Python API" block runs without an error."""
    text = README.read_text()
    tour = text[text.index("## A tour of the Python API"):]
    code = re.search(r"```python\n(.*?)```", tour, re.S).group(1)
    assert 'expand_visits(clients, days="week")' in code  # the call issue 28 found broken
    monkeypatch.chdir(tmp_path)  # the tour saves plan.html in the working directory
    scope: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), scope)  # the README's own code
    assert (tmp_path / "plan.html").stat().st_size > 100_000
    assert len(scope["plan"].validate()) == 0  # type: ignore[attr-defined]
