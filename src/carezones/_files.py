"""Files carezones reads and writes: TOML options, output folders, spreadsheet-safe cells.

Every stage opens its option files (scenario, rota columns, routing, costing) through
:func:`read_toml`, checks an output path with :func:`check_out_folder` /
:func:`check_out_file` before doing any work, and writes tables people open in Excel
through :func:`safe_cells` (or :func:`write_csv`). Each raises one
:class:`~carezones.exceptions.ValidationError` naming the file, what was expected and what
was found.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from carezones.exceptions import Problem, ProblemCollector

__all__ = [
    "FORMULA_PREFIXES",
    "MAX_NAME_BYTES",
    "check_out_file",
    "check_out_folder",
    "excel_numbers",
    "inside_folder",
    "read_toml",
    "refuse_link",
    "safe_cell",
    "safe_cells",
    "unescape_cell",
    "unsafe_cell",
    "write_csv",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The longest file or folder name (bytes of UTF-8) most file systems take.
MAX_NAME_BYTES = 255


def read_toml(path: str | os.PathLike[str], *, what: str = "a TOML file") -> dict[str, Any]:
    """The tables of a TOML file, or one :class:`ValidationError` saying what is wrong.

    Parameters
    ----------
    path
        The file.
    what
        What the file should be, for the message, e.g. ``"a scenario file (.toml)"``.

    Returns
    -------
    dict
        The file's top-level table.

    Raises
    ------
    ValidationError
        When the file is missing, a folder, not UTF-8 text or not valid TOML (with the
        line and column of the first error).

    Examples
    --------
    >>> read_toml("nowhere.toml")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - nowhere.toml: missing file: expected a TOML file, found no such file
    """
    p = Path(path)
    where = str(p)
    if p.is_dir():
        raise ProblemCollector(where).error("not a file", what, "a folder")
    if not p.is_file():
        raise ProblemCollector(where).error("missing file", what, "no such file")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProblemCollector(where).error(
            "not UTF-8",
            f"{what} saved as UTF-8 text",
            f"byte 0x{raw[exc.start]:02x} at line {line} (save the file as UTF-8)",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemCollector(where).error("not TOML", what, str(exc)) from None


def _creatable(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is not a writable folder, else None."""
    parent = path
    while not parent.exists():
        if parent.parent == parent:
            return None
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return parent
    return None


def check_out_folder(path: str | os.PathLike[str], *, option: str = "--out") -> Path:
    """Check that ``path`` is, or can be made, a folder to write into; make it.

    Parameters
    ----------
    path
        The output folder.
    option
        The option or argument that named it, for the message.

    Returns
    -------
    pathlib.Path
        The folder, created if needed.

    Raises
    ------
    ValidationError
        When ``path`` is an existing file, or the folder cannot be created or written.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ProblemCollector(f"{option} {p}").error(
            "not a folder", "a folder for the outputs", "an existing file"
        )
    if p.is_dir():
        if not os.access(p, os.W_OK | os.X_OK):
            raise ProblemCollector(f"{option} {p}").error(
                "cannot write", "a folder you may write to", "read-only"
            )
        return p
    blocker = _creatable(p)
    if blocker is not None:
        found = "a file in the way" if blocker.exists() and not blocker.is_dir() else "read-only"
        raise ProblemCollector(f"{option} {p}").error(
            "cannot create", f"a folder that can be made ({blocker})", found
        )
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProblemCollector(f"{option} {p}").error(
            "cannot create", "a folder that can be made", exc.strerror or type(exc).__name__
        ) from None
    return p


def check_out_file(path: str | os.PathLike[str], *, option: str = "--out") -> Path:
    """Check that the file ``path`` can be written (its folder made if needed).

    Parameters
    ----------
    path
        The output file.
    option
        The option or argument that named it, for the message.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValidationError
        When ``path`` is a folder, or cannot be written.
    """
    p = Path(path)
    if p.is_dir():
        raise ProblemCollector(f"{option} {p}").error(
            "not a file", "a file name to write", "an existing folder"
        )
    if p.exists():
        if not os.access(p, os.W_OK):
            raise ProblemCollector(f"{option} {p}").error(
                "cannot write", "a file you may write", "read-only"
            )
        return p
    check_out_folder(p.parent, option=option)
    return p


def inside_folder(
    root: str | os.PathLike[str], name: object, *, where: str = "folder"
) -> Path:
    """``root / name`` when it stays inside ``root``, or one :class:`ValidationError`.

    The name is relative to ``root``: an absolute path, a ``..``, a home folder (``~``), a
    NUL byte, a part longer than :data:`MAX_NAME_BYTES` or a symbolic link leading out of
    ``root`` are refused, each named. ``root`` itself is what the user named (on the
    command line): it may be a link; nothing under it may lead out of it.

    Parameters
    ----------
    root
        The folder the user named.
    name
        A relative name inside it (``""`` or None: ``root`` itself).
    where
        What named it, for the message (e.g. ``"save: folder"``).

    Returns
    -------
    pathlib.Path
        The resolved path inside ``root`` (it may not exist yet).

    Examples
    --------
    >>> inside_folder("/srv/out", "plans/a").as_posix()
    '/srv/out/plans/a'
    >>> inside_folder("/srv/out", "../etc")
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - folder: outside the folder: expected a name inside /srv/out (no '..'), found '../etc'
    """
    base = Path(root).expanduser().resolve()
    text = "" if name is None else name
    if not isinstance(text, str):
        raise ProblemCollector(where).error("bad name", "a folder name (text)", repr(text))
    found = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    check = ProblemCollector(where)
    parts = Path(text).parts if "\0" not in text else ()
    if "\0" in text:
        check.add("bad name", "a name without a NUL byte", "a NUL byte")
    elif Path(text).is_absolute() or Path(text).anchor or text.startswith("~"):
        check.add("outside the folder", f"a name relative to {base}", found)
    elif ".." in parts:
        check.add("outside the folder", f"a name inside {base} (no '..')", found)
    for part in parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            check.add(
                "name too long",
                f"names of at most {MAX_NAME_BYTES} bytes",
                f"a name of {len(part.encode('utf-8', 'surrogateescape'))} bytes",
            )
    check.raise_if_any()
    target = (base / text).resolve()  # follows every link that exists along the way
    if not target.is_relative_to(base):
        raise ProblemCollector(where).error(
            "outside the folder",
            f"a name inside {base} (no link out of it)",
            f"{found}, a link to a place outside it",
        )
    return target


def refuse_link(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> list[Problem]:
    """Problems of a file that is a symbolic link or lies outside ``root`` (none: fine).

    A run folder's files are read only when they are plain files inside the folder: a
    link (to ``/etc/passwd``, say) would put another file into a report.

    Examples
    --------
    >>> refuse_link("/srv/run/outcomes.csv", "/srv/run")
    []
    """
    p, base = Path(path), Path(root).resolve()
    if p.is_symlink():
        return [Problem(str(p), "symbolic link", "a plain file or folder inside the run folder",
                        "a link to another place (copy it in instead)")]  # fmt: skip
    if not p.resolve().is_relative_to(base):
        return [Problem(str(p), "outside the folder", f"a file inside {base}",
                        "a file reached through a linked folder")]  # fmt: skip
    return []


#: The largest whole number Excel stores exactly: it keeps 15 significant digits.
EXCEL_DIGITS = 15


def excel_numbers(frame: pd.DataFrame, where: str, *, first_row: int = 2) -> list[Problem]:
    """Problems of numbers in a sheet too long to be ids Excel kept (16 digits or more).

    Excel keeps 15 significant digits, so a 19-digit id typed into a cell as a number is
    already changed in the file (``1234567890123456789`` is stored as
    ``1234567890123456768``); read as it is, it would silently name another client.

    Parameters
    ----------
    frame
        The sheet as read (``dtype=object``: numbers as Excel stored them).
    where
        The file, for the message.
    first_row
        The spreadsheet row of the frame's first row (2: under the header).

    Examples
    --------
    >>> t = pd.DataFrame({"client_id": [1.2345678901234568e18, 7.0], "hours": [7.5, 3.0]})
    >>> [p.row for p in excel_numbers(t, "c.xlsx")]
    ['row 2']
    """
    problems = []
    for column in frame.columns:
        for i, value in enumerate(frame[column].to_numpy(dtype=object)):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and value == value and abs(value) >= 10**EXCEL_DIGITS:
                digits = len(str(int(abs(value))))
                problems.append(
                    Problem(where, "number too long for Excel", f"ids of at most {EXCEL_DIGITS} "
                            "digits as numbers (format a column of longer ids as Text in "
                            "Excel, then type them again)", f"a number of {digits} digits: "
                            f"Excel kept {EXCEL_DIGITS}, so the id is already changed",
                            row=f"row {i + first_row}", column=str(column))
                )  # fmt: skip
    return problems


def unsafe_cell(value: object) -> bool:
    """Whether a spreadsheet would read ``value`` (text) as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell(value: object) -> object:
    r"""``value`` with a leading ``'`` when a spreadsheet would read it as a formula.

    Examples
    --------
    >>> safe_cell("=1+1"), safe_cell("c1"), safe_cell(-3.5)
    ("'=1+1", 'c1', -3.5)
    """
    return "'" + value if unsafe_cell(value) else value  # type: ignore[operator]


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and text column names) cannot start a formula.

    Numbers stay numbers (a negative longitude is not text); only strings starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'``, which
    spreadsheets show as text and carezones' readers take off again.

    Parameters
    ----------
    frame
        The table to write.

    Returns
    -------
    pandas.DataFrame
        The table to hand to ``to_csv`` or ``to_excel``.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            if series.map(unsafe_cell).any():
                out[column] = series.map(safe_cell).astype(object)
    if any(unsafe_cell(c) for c in out.columns):
        out.columns = [safe_cell(c) for c in out.columns]
    if out.index.dtype == object and any(unsafe_cell(v) for v in out.index):
        out.index = pd.Index([safe_cell(v) for v in out.index], name=out.index.name)
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """``frame.to_csv(path, **kwargs)`` with :func:`safe_cells` applied first.

    Parameters
    ----------
    frame
        The table.
    path
        The CSV file.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (e.g. ``index=False``).
    """
    safe_cells(frame).to_csv(path, **kwargs)


def unescape_cell(value: object) -> object:
    """The inverse of :func:`safe_cell`: ``'=x`` read back from a CSV is ``=x``."""
    if isinstance(value, str) and value.startswith("'") and unsafe_cell(value[1:]):
        return value[1:]
    return value
