"""The report's workbook: each table a sheet of one ``.xlsx``, as people read it.

Tables are shown as :func:`carezones.tables.for_people` shows them (times as HH:MM,
figures rounded, units in the headers: the same writer as every output table);
:func:`write_workbook` writes several as the sheets of one workbook (openpyxl), with
distinct sheet names (:func:`sheet_names`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from carezones.tables import for_people, hhmm

__all__ = [
    "MAX_SHEET_NAME",
    "for_people",
    "hhmm",
    "sheet_names",
    "write_workbook",
]


#: The longest sheet name Excel takes.
MAX_SHEET_NAME = 31


def sheet_names(names: Iterable[object]) -> list[str]:
    r"""A distinct Excel sheet name for each table name, as close to it as Excel allows.

    Excel takes at most 31 characters, none of ``[]:*?/\``, and tells sheets apart
    without case. A name that fits is kept; a longer one keeps its start and its last word
    (the table: ``zones``, ``outcomes``) around an ellipsis; a name already taken gets a
    number, ``(2)``. No two tables ever share a sheet.

    Examples
    --------
    >>> sheet_names(["zones", "scenario-with-a-very-long-name-one zones",
    ...              "scenario-with-a-very-long-name-two zones", "Zones"])
    ['zones', 'scenario-with-a-very-lon… zones', 'scenario-with-a-very… zones (2)', 'Zones (2)']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        text = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip().strip("'") or "table"
        head, _, tail = text.rpartition(" ")
        if not head or len(tail) > 12:
            head, tail = text, ""
        k = 1
        while True:
            suffix = f" ({k})" if k > 1 else ""
            sheet = text + suffix
            if len(sheet) > MAX_SHEET_NAME:
                end = (f" {tail}" if tail else "") + suffix
                sheet = head[: MAX_SHEET_NAME - len(end) - 1].rstrip() + "…" + end
            if sheet.casefold() not in taken and sheet.casefold() != "history":
                break
            k += 1
        taken.add(sheet.casefold())
        out.append(sheet)
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write each table (already for people, or raw) as a sheet of one ``.xlsx`` workbook.

    Every table gets a sheet of its own (:func:`sheet_names`: at most Excel's 31
    characters, distinct without case); when a name had to be shortened, a first sheet
    ``contents`` gives each sheet's full table name. The header row is frozen and columns
    are sized to their content. No cell can be a formula: text that openpyxl would store
    as one (an id such as ``=HYPERLINK(...)``) is stored as the text it is.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> p = write_workbook({"zones": pd.DataFrame({"weekly_hours": [1.0]})}, f"{folder}/r.xlsx")
    >>> p.name
    'r.xlsx'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    names = [str(n) for n in tables]
    sheets = sheet_names(names)
    frames: dict[str, pd.DataFrame] = {}
    if sheets != names:
        contents = pd.DataFrame({"sheet": sheets, "table": names})
        frames[sheet_names(["contents", *sheets])[0]] = contents
    frames.update(zip(sheets, tables.values(), strict=True))
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            table = frame if any("(" in str(c) for c in frame.columns) else for_people(frame)
            table.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # text starting with "=": keep it text
                        cell.data_type = "s"
            for i, column in enumerate(table.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
                ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    return target
