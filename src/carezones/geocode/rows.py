"""The geocoder's input rows and its result.

Checking the table, reading each row's parts, and assembling the placed rows with their
match quality, reason and counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.geocode.text import normalise_postcode, parse_address, postcode_sector, sector_of

__all__ = [
    "AUTO_COLUMNS",
    "MATCH_QUALITIES",
    "GeocodeResult",
    "RowInputs",
    "RowTable",
    "cell_text",
    "read_rows",
]

#: The match qualities, best first.
MATCH_QUALITIES: tuple[str, ...] = ("address", "street", "postcode", "sector", "unmatched")

# Column names used when no location column is named (compared in lower case).
AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    "address_column": ("address", "full_address", "address_line", "address1", "address_line_1"),
    "postcode_column": ("postcode", "post_code", "postal_code", "pcds", "pcd"),
    "house_number_column": ("house_number", "housenumber", "house_no", "number"),
    "street_column": ("street", "street_name"),
}


@dataclass(frozen=True)
class RowInputs:
    """One row's parts: id, house number, candidate street texts and postcode."""

    id: str
    number: str | None
    streets: tuple[str, ...]
    postcode: str | None
    sector: str | None
    postcode_text: str | None
    letter: str = ""


@dataclass(frozen=True)
class RowTable:
    """The rows of a checked table and the problems found in them."""

    rows: list[RowInputs]
    problems: tuple[Problem, ...]
    id_column: str
    where: str


def cell_text(value: Any) -> str | None:
    """A cell as text: None for blanks, ``12`` for ``12.0``.

    Parameters
    ----------
    value
        A table cell.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _columns(frame: pd.DataFrame, named: dict[str, str | None]) -> dict[str, str | None]:
    if any(v is not None for v in named.values()):
        return named
    lower = {str(c).strip().lower(): c for c in frame.columns}
    return {
        key: next((lower[n] for n in names if n in lower), None)
        for key, names in AUTO_COLUMNS.items()
    }


#: The id columns looked for when none is named, in order.
ID_COLUMNS = ("client_id", "carer_id", "provider_id", "id")


def _key(header: object) -> str:
    """A header as compared: ``" Client ID "`` and ``"client-id"`` are ``client_id``."""
    return re.sub(r"[\s\-.]+", "_", str(header).strip().lower()).strip("_")


def find_id_column(frame: pd.DataFrame, id_column: str | None, source: str) -> str:
    """The table's id column as ``read_clients`` finds it: any case and spacing.

    Parameters
    ----------
    frame
        The table.
    id_column
        The name given, or None for the first of :data:`ID_COLUMNS` present.
    source
        The table's name in messages.

    Returns
    -------
    str
        The column's name as the table spells it.
    """
    if id_column is not None and id_column in frame.columns:
        return id_column
    keys = {_key(c): c for c in frame.columns}
    wanted = [_key(id_column)] if id_column is not None else list(ID_COLUMNS)
    for key in wanted:
        if key in keys:
            return str(keys[key])
    expected = f"a column {id_column!r}" if id_column else "one of " + ", ".join(ID_COLUMNS)
    raise ProblemCollector(source).error(
        "missing column",
        expected + " (any case or spacing)",
        "columns " + ", ".join(repr(str(c)) for c in frame.columns[:12]),
        column=id_column or "id",
    )


def read_rows(
    frame: pd.DataFrame,
    *,
    id_column: str | None,
    address_column: str | None,
    postcode_column: str | None,
    house_number_column: str | None,
    street_column: str | None,
    source: str,
) -> RowTable:
    """Check the table's columns and ids, and read each row's address parts and postcode."""
    if not isinstance(frame, pd.DataFrame):
        raise ProblemCollector(source).error(
            "not a table", "a pandas DataFrame", type(frame).__name__
        )
    named = {
        "address_column": address_column,
        "postcode_column": postcode_column,
        "house_number_column": house_number_column,
        "street_column": street_column,
    }
    id_column = find_id_column(frame, id_column, source)
    columns = _columns(frame, named)
    problems = [
        Problem(source, "missing column", "a column of the table", "no such column", column=name)
        for name in [id_column, *(c for c in columns.values() if c is not None)]
        if name not in frame.columns
    ]
    if all(c is None for c in columns.values()):
        problems.append(
            Problem(source, "no location columns",
                    "address_column, postcode_column, or house_number_column and street_column",
                    "none given, and no column named address, postcode, house_number or street")
        )  # fmt: skip
    if problems:
        raise ValidationError(problems)
    ids = [cell_text(v) for v in frame[id_column]]
    blank = [i for i, v in enumerate(ids) if v is None]
    repeated = [v for v, n in Counter(v for v in ids if v is not None).items() if n > 1]
    problems += [
        Problem(source, "blank id", "an id on every row", "blank", row=f"row {i + 1}",
                column=id_column)
        for i in blank
    ]  # fmt: skip
    problems += [
        Problem(source, "repeated id", "unique ids", f"{v!r} more than once", column=id_column)
        for v in repeated
    ]
    if problems:
        raise ValidationError(problems)
    return _parse_rows(frame, ids, columns, id_column, source)


def _values(frame: pd.DataFrame, column: str | None) -> list[str | None]:
    return [None] * len(frame) if column is None else [cell_text(v) for v in frame[column]]


def _parse_rows(
    frame: pd.DataFrame,
    ids: list[str | None],
    columns: dict[str, str | None],
    id_column: str,
    source: str,
) -> RowTable:
    addresses = _values(frame, columns["address_column"])
    postcodes = _values(frame, columns["postcode_column"])
    numbers = _values(frame, columns["house_number_column"])
    streets = _values(frame, columns["street_column"])
    rows, problems = [], []
    for i, row_id in enumerate(ids):
        parsed = parse_address(addresses[i])
        number = numbers[i] or parsed.number
        street = streets[i]
        street_texts = ((street,) if street else ()) + parsed.streets
        postcode_text = postcodes[i] or parsed.postcode
        postcode = normalise_postcode(postcode_text) if postcode_text else None
        sector = postcode_sector(postcode) if postcode else sector_of(postcode_text)
        where_column = columns["postcode_column"] if postcodes[i] else columns["address_column"]
        if postcode_text and postcode is None:
            found = "only a postcode sector" if sector else "text that is not a UK postcode"
            problems.append(
                Problem(source, "bad postcode", "a UK postcode such as 'SW1A 1AA'", found,
                        row=f"id {row_id!r}", column=where_column)
            )  # fmt: skip
        if not (postcode_text or number or street_texts):
            problems.append(
                Problem(source, "no location", "an address or a postcode", "blank",
                        row=f"id {row_id!r}")
            )  # fmt: skip
        letter = parsed.flat_letter if number and number.strip().isdigit() else ""
        rows.append(
            RowInputs(str(row_id), number, street_texts, postcode, sector, postcode_text, letter)
        )
    return RowTable(rows, tuple(problems), id_column, source)


@dataclass(frozen=True)
class GeocodeResult:
    """Rows placed by the geocoder.

    Attributes
    ----------
    frame
        The input rows, in order, with a Point geometry (empty for unmatched rows),
        ``match_quality`` (one of :data:`MATCH_QUALITIES`) and ``match_reason``.
    counts
        The number of rows per match quality, best first.
    problems
        Bad postcodes and rows without any location, by id.
    id_column
        The id column of :attr:`frame`.
    """

    frame: gpd.GeoDataFrame
    counts: dict[str, int]
    problems: tuple[Problem, ...] = field(default=())
    id_column: str = "id"

    @classmethod
    def build(
        cls,
        frame: pd.DataFrame,
        table: RowTable,
        placed: list[tuple[str, str, tuple[float, float] | None]],
        work_crs: CRS,
        crs: CRS,
    ) -> GeocodeResult:
        """Assemble the result from each row's ``(quality, reason, xy in work_crs)``."""
        xy = np.array([p[2] if p[2] is not None else (np.nan, np.nan) for p in placed], float)
        xy = xy.reshape(-1, 2)
        if not work_crs.equals(crs) and len(xy):
            move = Transformer.from_crs(work_crs, crs, always_xy=True)
            xy = np.column_stack(move.transform(xy[:, 0], xy[:, 1]))
        found = np.isfinite(xy).all(axis=1)
        geometry = np.array([shapely.Point() for _ in range(len(xy))], dtype=object)
        if found.any():  # unmatched rows keep an empty Point, as documented
            geometry[found] = shapely.points(xy[found])
        plain = pd.DataFrame(frame)
        if isinstance(frame, gpd.GeoDataFrame):
            plain = plain.drop(columns=[frame.geometry.name])
        plain = plain.drop(columns=[c for c in ("geometry",) if c in plain.columns])
        plain = plain.assign(
            match_quality=[p[0] for p in placed], match_reason=[p[1] for p in placed]
        )
        out = gpd.GeoDataFrame(plain, geometry=gpd.GeoSeries(geometry, index=plain.index), crs=crs)
        counts = {q: 0 for q in MATCH_QUALITIES}
        for p in placed:
            counts[p[0]] += 1
        return cls(out, counts, table.problems, table.id_column)

    def unmatched(self) -> pd.DataFrame:
        """The ids of the unmatched rows and the reason for each."""
        rows = self.frame[self.frame["match_quality"] == "unmatched"]
        return pd.DataFrame(rows[[self.id_column, "match_reason"]])

    def summary(self) -> pd.DataFrame:
        """Rows and share per match quality.

        Examples
        --------
        >>> GeocodeResult(gpd.GeoDataFrame(), {"address": 3, "postcode": 1, "sector": 0,
        ...                                    "unmatched": 0}).summary()
        ... # doctest: +NORMALIZE_WHITESPACE
                   rows  share
        quality
        address       3   0.75
        postcode      1   0.25
        sector        0   0.00
        unmatched     0   0.00
        """
        total = max(sum(self.counts.values()), 1)
        table = pd.DataFrame(
            {
                "rows": list(self.counts.values()),
                "share": [n / total for n in self.counts.values()],
            },
            index=pd.Index(list(self.counts), name="quality"),
        )
        return table

    def raise_for_problems(self) -> None:
        """Raise a :class:`ValidationError` listing bad postcodes and unmatched rows, if any."""
        problems = list(self.problems)
        listed = {p.row for p in problems}
        for row_id, reason in self.unmatched().itertuples(index=False):
            if f"id {row_id!r}" not in listed:
                problems.append(
                    Problem("geocode", "unmatched", "a row placed by address, postcode or sector",
                            reason, row=f"id {row_id!r}")
                )  # fmt: skip
        if problems:
            raise ValidationError(problems)

    def __str__(self) -> str:
        n = sum(self.counts.values())
        parts = ", ".join(f"{q} {c}" for q, c in self.counts.items())
        text = f"{n} row{'s' if n != 1 else ''} geocoded: {parts}"
        bad = sum(p.what == "bad postcode" for p in self.problems)
        if bad:
            text += f"; {bad} bad postcode{'s' if bad != 1 else ''}"
        return text
