"""Run folders read for the report pack, every file checked before anything is written.

:func:`read_runs` reads what ``carezones zones``, ``routes``, ``scenario run`` or ``scenario
compare`` wrote (the exact tables of its ``data/`` folder) and checks it first: each file a
plain file inside the folder (a symbolic link, or a file reached through a linked folder,
would put another file into the report); CSV files
UTF-8, not empty, every row as long as the header (a truncated or ragged file names its
line), with the columns the report uses and numbers where it computes; ``report.json`` a
JSON object; ``zones.gpkg`` a GeoPackage whose zones have ``zone_id`` and numeric
``weekly_hours``; scenario folders whose names differ in more than case (Excel's sheet
names and many file systems do not tell ``Now`` from ``now``). Every problem of every file
is listed in one :class:`~carezones.exceptions.ValidationError`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from carezones._files import refuse_link
from carezones.exceptions import Problem, ProblemCollector
from carezones.tables import DATA_FOLDER

__all__ = ["CSV_FILES", "extra_table", "read_runs"]

#: The CSV files of a run the report reads: the columns it needs, and the words of column
#: names that must hold numbers (every column whose name holds the word).
CSV_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "outcomes.csv": (("outcome", "value"), ()),
    "zone_outcomes.csv": ((), ()),
    "provider_outcomes.csv": ((), ("hours",)),
    "unscheduled.csv": ((), ()),
    "assumptions.csv": ((), ()),
}
_SHOWN_LINES = 5


def _text(path: Path, check: ProblemCollector) -> str | None:
    """The UTF-8 text of a plain file inside the run folder (None, and a problem, if not)."""
    where = str(path)
    if path.is_dir() and not path.is_symlink():
        check.extend([_problem(where, "not a file", "a file", "a folder")])
        return None
    raw = path.read_bytes()
    if not raw.strip():
        check.extend([_problem(where, "empty file", "the file as carezones wrote it", "0 bytes"
                               if not raw else "only blank space")])  # fmt: skip
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        found = f"byte 0x{raw[exc.start]:02x} at line {line} (a binary file?)"
        check.extend([_problem(where, "not UTF-8", "text saved as UTF-8", found)])
        return None


def _problem(
    where: str, what: str, expected: str, found: str, column: str | None = None
) -> Problem:
    return Problem(where, what, expected, found, column=column)


def _csv(
    path: Path,
    check: ProblemCollector,
    required: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """A run's CSV file, checked: None (and the problems added) when it cannot be used."""
    text = _text(path, check)
    if text is None:
        return None
    where = str(path)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        check.extend([_problem(where, "not CSV", "comma-separated rows", str(exc))])
        return None
    header, body = rows[0], rows[1:]
    short = [(i + 2, len(r)) for i, r in enumerate(body) if r and len(r) != len(header)]
    if short:
        last = len(short) == 1 and short[0][0] == len(rows) and short[0][1] < len(header)
        shown = "; ".join(f"line {n}: {k} values" for n, k in short[:_SHOWN_LINES])
        more = f" and {len(short) - _SHOWN_LINES} more lines" if len(short) > _SHOWN_LINES else ""
        check.extend([_problem(where, "truncated file" if last else "ragged rows",
                               f"{len(header)} values a row, as in the header",
                               shown + more)])  # fmt: skip
        return None
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError) as exc:  # what the row check let through
        check.extend([_problem(where, "unreadable file", "the CSV file carezones wrote",
                               str(exc)[:120])])  # fmt: skip
        return None
    missing = [c for c in required if c not in frame.columns]
    for column in missing:
        check.extend([_problem(where, "missing column", f"a {column!r} column (as carezones "
                               "writes the file)", ", ".join(map(str, frame.columns))[:200],
                               column)])  # fmt: skip
    for column in frame.columns:
        if any(word in str(column) for word in numbers) and not _numeric(frame[column]):
            check.extend([_problem(where, "not a number", "numbers", _first_text(frame[column]),
                                   str(column))])  # fmt: skip
    return None if missing else frame


def _numeric(values: pd.Series) -> bool:
    """Every filled value of ``values`` a number (True for an empty column)."""
    filled = values.dropna()
    return bool(pd.to_numeric(filled, errors="coerce").notna().all())


def _first_text(values: pd.Series) -> str:
    filled = values.dropna()
    bad = filled[pd.to_numeric(filled, errors="coerce").isna()]
    shown = repr(str(bad.iloc[0])) if len(bad) else "text"
    return f"{shown}{f' and {len(bad) - 1} more' if len(bad) > 1 else ''}"


def _comparison(path: Path, check: ProblemCollector) -> pd.DataFrame | None:
    """``comparison.csv``: an outcome column, ``unit``, and numbers in every other column."""
    frame = _csv(path, check, ("unit",))
    if frame is None:
        return None
    values = [c for c in frame.columns[1:] if c != "unit"]
    bad = [c for c in values if not _numeric(frame[c])]
    for column in bad:
        check.extend([_problem(str(path), "not a number", "numbers (each scenario's values)",
                               _first_text(frame[column]), str(column))])  # fmt: skip
    return None if bad else frame


def _json(path: Path, check: ProblemCollector) -> dict[str, Any]:
    text = _text(path, check)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        check.extend([_problem(str(path), "not JSON", "the report.json carezones wrote",
                               str(exc)[:120])])  # fmt: skip
        return {}
    if not isinstance(data, dict):
        check.extend([_problem(str(path), "not a JSON object", "an object of keys and values",
                               type(data).__name__)])  # fmt: skip
        return {}
    return data


def _zones(path: Path, check: ProblemCollector) -> tuple[Any, Any]:
    """The ``zones`` and ``provider_lots`` layers of ``zones.gpkg`` (None when absent)."""
    where = str(path)
    if path.is_dir():
        check.extend([_problem(where, "not a file", "a GeoPackage", "a folder")])
        return None, None
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
        zones = gpd.read_file(path, layer="zones") if "zones" in layers else None
        lots = gpd.read_file(path, layer="provider_lots") if "provider_lots" in layers else None
    except Exception as exc:  # pyogrio's DataSourceError and friends: name the file
        check.extend([_problem(where, "unreadable file", "the GeoPackage carezones wrote",
                               type(exc).__name__)])  # fmt: skip
        return None, None
    if zones is None:
        return None, lots
    for column in ("zone_id", "weekly_hours"):
        if column not in zones.columns:
            found = ", ".join(map(str, zones.columns))[:200]
            check.extend([_problem(where, "missing column", f"a {column!r} column in layer "
                                   "'zones'", found, column)])  # fmt: skip
            return None, None
    if not _numeric(zones["weekly_hours"]):
        check.extend([_problem(where, "not a number", "numbers (layer 'zones')",
                               _first_text(zones["weekly_hours"]), "weekly_hours")])  # fmt: skip
        return None, None
    return zones, lots


def _run(folder: Path, root: Path, check: ProblemCollector) -> dict[str, Any]:
    """What one run's folder holds, each file checked."""

    def present(name: str) -> Path | None:
        path = folder / name
        exact = folder / DATA_FOLDER / name  # the exact table, beside the readable one
        if name.endswith(".csv") and (exact.exists() or exact.is_symlink()):
            path = exact
        if not (path.exists() or path.is_symlink()):
            return None
        found = refuse_link(path, root)
        check.extend(found)
        return None if found else path

    zones = present("zones.gpkg")
    report = present("report.json")
    layers = _zones(zones, check) if zones is not None else (None, None)
    tables = {}
    for name, (required, numbers) in CSV_FILES.items():
        path = present(name)
        tables[name] = _csv(path, check, required, numbers) if path is not None else None
    return {
        "name": folder.name,
        "zones": layers[0],
        "lots": layers[1],
        "report": _json(report, check) if report is not None else {},
        "outcomes": tables["outcomes.csv"],
        "zone_outcomes": tables["zone_outcomes.csv"],
        "providers": tables["provider_outcomes.csv"],
        "unscheduled": tables["unscheduled.csv"],
        "assumptions": tables["assumptions.csv"],
        "map": next((folder / n for n in ("plan.html", "routes.html", "zones.html")
                     if (folder / n).is_file()), None),
    }


def read_runs(folder: str | Path) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    """The comparison (or None) and the runs of a run folder, every file checked first.

    Parameters
    ----------
    folder
        A folder written by ``carezones zones``, ``routes``, ``scenario run`` or
        ``scenario compare``. Tables are read from its ``data/`` folder (the exact
        tables) when it has one, else beside the maps (runs written before there was one).

    Returns
    -------
    tuple
        ``comparison.csv`` (None for one run) and a dict per run (``name``, ``zones``,
        ``lots``, ``report``, ``outcomes``, ``zone_outcomes``, ``providers``,
        ``unscheduled``, ``assumptions``, ``map``).

    Raises
    ------
    ValidationError
        Listing every problem of every file (file, line or column, expected, found).
    """
    root = Path(folder)
    check = ProblemCollector(str(root))
    if not root.is_dir():
        check.add("not a folder", "a folder written by carezones",
                  "a file" if root.exists() else "no such folder")  # fmt: skip
        check.raise_if_any()
    comparison = None
    path = root / "comparison.csv"
    exact = root / DATA_FOLDER / "comparison.csv"
    if exact.exists() or exact.is_symlink():
        path = exact
    if path.exists() or path.is_symlink():
        found = refuse_link(path, root)
        check.extend(found)
        comparison = None if found else _comparison(path, check)
        if comparison is None:  # a broken comparison is not a single run
            check.raise_if_any()
    if comparison is None:
        runs = [_run(root, root, check)]
    else:
        names = [str(c) for c in comparison.columns]
        rank = {n: i for i, n in enumerate(names)}  # the comparison's order: then, now
        subs = sorted((p for p in root.iterdir() if p.is_dir()),
                      key=lambda p: (rank.get(p.name, len(rank)), p.name))  # fmt: skip
        by_case: dict[str, list[str]] = {}
        for sub in subs:
            by_case.setdefault(sub.name.casefold(), []).append(sub.name)
        for same in (v for v in by_case.values() if len(v) > 1):
            check.add("names differ only in case", "scenario folders with different names "
                      "(Excel sheets and many file systems take Now and now for one)",
                      ", ".join(map(repr, same)))  # fmt: skip
        runs = []
        for sub in subs:
            if sub.name in names or (sub / "zones.gpkg").exists():
                found = refuse_link(sub, root)
                check.extend(found)
                if not found:
                    runs.append(_run(sub, root, check))
    check.raise_if_any()
    return comparison, [r for r in runs if r["zones"] is not None or r["outcomes"] is not None]


def extra_table(
    folder: str | Path,
    name: str,
    required: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """A further CSV file of a run folder, checked as the run's own (None when absent).

    ``differences.csv`` (``scenario compare``) and ``sensitivity.csv`` (``scenario
    sensitivity``): a plain file inside the folder, UTF-8, not ragged, with the
    ``required`` columns and numbers in the ``numbers`` ones; every problem listed in one
    ValidationError.
    """
    root = Path(folder)
    path = root / name
    if not (path.exists() or path.is_symlink()):
        return None
    check = ProblemCollector(str(root))
    found = refuse_link(path, root)
    check.extend(found)
    frame = None if found else _csv(path, check, required, numbers)
    check.raise_if_any()
    return frame
