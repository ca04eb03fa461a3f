"""Checks the commands make on their arguments before any long step.

An output that cannot be written, ``--jobs 0`` or an input table that is empty or
corrupt ends the command at once with exit code 2 and a message naming the option, never
after minutes of work or with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from carezones._files import check_out_file, check_out_folder, excel_numbers
from carezones.demand import read_csv_text
from carezones.exceptions import ProblemCollector, ValidationError

__all__ = ["check_jobs", "check_out_file", "check_out_folder", "read_input_table"]


def check_jobs(jobs: int | None, *, option: str = "--jobs") -> None:
    """A number of processes >= 1 (None: the default), else a :class:`ValidationError`.

    Parameters
    ----------
    jobs
        The value given.
    option
        The option's name in the message.
    """
    if jobs is not None and jobs < 1:
        raise ProblemCollector(option).error(
            "bad value", "a number of processes >= 1 (1: no parallelism)", str(jobs)
        )


def read_input_table(path: Path) -> pd.DataFrame:
    """A clients or carers table from CSV (all text), Excel, Parquet, GeoPackage or GeoJSON.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    pandas.DataFrame
        The raw table (a GeoDataFrame for spatial formats).

    Raises
    ------
    ValidationError
        For a missing file, a folder, an unknown format, an unreadable or empty file.
    """
    where = str(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ProblemCollector(where).error("not a file", "a table file", "a folder")
    if not path.is_file():
        raise ProblemCollector(where).error("missing file", "an existing table", "none")
    if suffix not in (".csv", ".xlsx", ".xls", ".parquet", ".gpkg", ".geojson", ".json"):
        raise ProblemCollector(where).error(
            "unknown format", ".csv, .xlsx, .parquet, .gpkg or .geojson", repr(suffix or "none")
        )
    if path.stat().st_size == 0:
        raise ProblemCollector(where).error("empty file", "a header row and data rows", "0 bytes")
    try:
        frame = _read(path, suffix)
    except ValidationError:
        raise
    except ImportError as exc:
        raise ProblemCollector(where).error(
            "cannot read Excel", "openpyxl installed (pip install openpyxl)", "not installed"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ProblemCollector(where).error(
            "not UTF-8", "text saved as UTF-8", f"byte at position {exc.start}"
        ) from None
    except Exception as exc:  # each format's own parser error: name the file and format
        raise ProblemCollector(where).error(
            "unreadable file", f"a readable {suffix} file", type(exc).__name__
        ) from None
    if len(frame) == 0:
        raise ProblemCollector(where).error(
            "no rows", "at least one data row under the header", "a header only"
        )
    return frame


def _read(path: Path, suffix: str) -> pd.DataFrame:
    if suffix == ".csv":
        return read_csv_text(path)
    if suffix in (".xlsx", ".xls"):
        frame = pd.read_excel(path, dtype=object)
        problems = excel_numbers(frame, str(path))
        if problems:
            raise ValidationError(problems)
        return frame.astype(str).where(frame.notna(), "")
    if suffix == ".parquet":
        return pd.read_parquet(path)
    return gpd.read_file(path)
