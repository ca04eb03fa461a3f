"""Writing a run's tables twice: exact ones for programs, readable ones for people.

Every command and :meth:`ScenarioResult.write <carezones.scenario.ScenarioResult.write>`
write their tables through :func:`write_tables`: the exact table (full precision, times
in minutes since midnight, shares 0-1: what carezones and your scripts read back) in the
``data/`` folder of the output, and the same table for people
(:func:`~carezones.tables.for_people`) beside the maps. Both go through the
spreadsheet-safe writer (:func:`carezones._files.write_csv`): no cell is a formula.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from carezones._files import write_csv
from carezones.tables.readable import for_people

__all__ = ["DATA_FOLDER", "data_file", "write_tables"]

#: The folder (inside an output folder) of the exact tables.
DATA_FOLDER = "data"

_README = """\
Exact tables, for programs (carezones reads these back, and so can your scripts):
full precision, times of day in minutes since midnight, legs in seconds and metres,
shares from 0 to 1, one row per record. The tables of the same names one folder up are
the same figures for people: rounded, times as HH:MM, shares as percentages, units in the
headers, zone names beside zone ids.
"""


def data_file(folder: str | os.PathLike[str], name: str) -> Path:
    """The exact table ``name`` of an output folder: ``data/NAME``, else ``NAME`` (older runs).

    Examples
    --------
    >>> data_file("nowhere", "routes.csv").as_posix()
    'nowhere/routes.csv'
    """
    exact = Path(folder) / DATA_FOLDER / name
    return exact if exact.is_file() else Path(folder) / name


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    folder: str | os.PathLike[str],
    *,
    zone_names: Mapping[str, str] | None = None,
    days_routed: int | None = None,
) -> list[Path]:
    """Write each table exact to ``folder/data/`` and readable to ``folder/``.

    Parameters
    ----------
    tables
        ``{file name: table}``, e.g. ``{"routes.csv": plan.routes}``.
    folder
        The output folder (made when missing).
    zone_names, days_routed
        Passed to :func:`~carezones.tables.for_people`.

    Returns
    -------
    list of Path
        The readable files, then the exact ones.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> paths = write_tables({"t.csv": pd.DataFrame({"start": [430.5]})}, folder)
    >>> (folder / "t.csv").read_text().split(), (folder / "data" / "t.csv").read_text().split()
    (['start', '(HH:MM)', '07:10'], ['start', '430.5'])
    """
    out = Path(folder)
    data = out / DATA_FOLDER
    data.mkdir(parents=True, exist_ok=True)
    (data / "README.txt").write_text(_README, encoding="utf-8")
    people, exact = [], []
    for name, frame in tables.items():
        table = pd.DataFrame(frame)
        write_csv(table, data / name, index=False)
        shown = for_people(table, zone_names=zone_names, days_routed=days_routed)
        write_csv(shown, out / name, index=False)
        people.append(out / name)
        exact.append(data / name)
    return people + exact
