"""What a table a person opens must be: every column with a unit or text, figures rounded.

Used by the tests of every command's outputs: :func:`readable_problems` lists what is
wrong with the person-facing CSV files of an output folder (those beside the maps; the
exact tables in ``data/`` are for programs and keep full precision).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TOO_PRECISE = re.compile(r"^-?\d+\.\d{3,}$")
_UNIT = re.compile(r"\([^()]+\)$")


def readable_problems(folder: Path) -> list[str]:
    """Every problem of the readable CSV files of ``folder`` (none: the list is empty).

    A column passes when its header ends with its unit, ``name (unit)``, or it holds text
    (no value is a number), or the table is one of outcomes whose ``unit`` column gives
    each row's unit. No value has more than two decimals, and no value is a 0-1 share or a
    time as minutes since midnight in a column that says otherwise.
    """
    problems = []
    files = sorted(folder.glob("*.csv"))
    assert files, f"no readable CSV in {folder}"
    for path in files:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        long = "unit" in table.columns
        for column in table.columns:
            values = [v for v in table[column] if v != ""]
            numbers = [v for v in values if _NUMBER.match(v)]
            precise = [v for v in numbers if _TOO_PRECISE.match(v)]
            if precise:
                problems.append(f"{path.name}: {column}: {len(precise)} values with more than "
                                f"two decimals, e.g. {precise[0]}")  # fmt: skip
            if not numbers or _UNIT.search(column) or (long and column != "unit"):
                continue
            problems.append(f"{path.name}: {column}: numbers without a unit in the header")
    return problems
