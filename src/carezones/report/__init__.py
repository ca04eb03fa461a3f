"""The report pack: tables for Excel and one self-contained HTML page to take to a meeting.

:func:`for_people` and :func:`write_workbook` turn carezones' tables into what a
commissioner opens in Excel (times as HH:MM, rounded numbers, units in the headers);
:func:`build_report` reads a run's folder and writes ``report.html`` (prints on A4) and
``report.xlsx``.
"""

from carezones.report.pack import build_report
from carezones.report.runs import read_runs
from carezones.report.tables import (
    for_people,
    hhmm,
    sheet_names,
    write_workbook,
)

__all__ = [
    "build_report",
    "for_people",
    "hhmm",
    "read_runs",
    "sheet_names",
    "write_workbook",
]
