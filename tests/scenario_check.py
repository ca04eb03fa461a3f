"""A tiny scenario file for tests of scenarios, reports and maps (the bundled extract)."""

from __future__ import annotations

from pathlib import Path

# Small and reproducible: the routing stops on iterations, not on time.
TINY = """
name = "{name}"
kind = "{kind}"
seed = 0

[network]
source = "default"

[population]
n_clients = 40
n_carers = 24
n_providers = {pop_providers}
seed = 0

[zones]
min_weekly_hours = 120
n_zones = 3

[providers]
n_providers = {providers}
min_provider_hours = 150

[routing]
max_seconds = 30
max_iterations = 40
n_jobs = 1
"""


def tiny(tmp_path: Path, name: str = "tiny", kind: str = "now", extra: str = "") -> Path:
    """Write a tiny scenario file NAME.toml of ``kind`` in ``tmp_path`` and return its path."""
    providers = 3 if kind == "then" else 2
    path = tmp_path / f"{name}.toml"
    text = TINY.format(name=name, kind=kind, pop_providers=providers, providers=providers)
    path.write_text(text + extra)
    return path
