"""Reading clients and carers given by address or postcode: ``read_clients(..., geocode=...)``.

The readers in :mod:`carezones.demand` call :func:`check_geocoded` when ``geocode`` is
given and the table has no location of its own but has address or postcode columns. The
rows are placed by :class:`carezones.geocode.Geocoder`; a row that cannot be placed is
never dropped silently: it is either a problem of the :class:`~carezones.ValidationError`
(``unmatched="raise"``) or listed in ``attrs["unmatched"]`` of the table returned
(``unmatched="set-aside"``). Problems and log lines name rows by number and id and give
the match reason; never an address, a postcode or a coordinate.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from carezones.demand import checks as tab
from carezones.demand.schema import COORD_PAIRS, SCHEMAS, Checked
from carezones.demand.values import is_missing, show_value
from carezones.exceptions import Problem, ProblemCollector
from carezones.geocode import AUTO_COLUMNS, Geocoder, cell_text
from carezones.network import TravelNetwork

__all__ = [
    "UNMATCHED",
    "GeocodeOption",
    "address_columns",
    "check_geocoded",
    "has_location",
    "make_geocoder",
]

logger = logging.getLogger(__name__)

#: The values of the readers' ``unmatched`` option.
UNMATCHED = ("raise", "set-aside")
GeocodeOption: TypeAlias = Geocoder | TravelNetwork | str | os.PathLike[str]


def check_unmatched(unmatched: str) -> None:
    """Raise a :class:`ValidationError` for an unknown ``unmatched`` value."""
    if unmatched not in UNMATCHED:
        raise ProblemCollector("unmatched").error(
            "unknown value", "'raise' or 'set-aside'", repr(unmatched)
        )


def make_geocoder(geocode: GeocodeOption) -> Geocoder:
    """A :class:`~carezones.geocode.Geocoder` as given, or built from an OSM file or network."""
    if isinstance(geocode, Geocoder):
        return geocode
    if isinstance(geocode, TravelNetwork | str | os.PathLike):
        return Geocoder.from_osm(geocode)
    raise ProblemCollector("geocode").error(
        "not a geocoder",
        "a carezones.geocode.Geocoder, an OSM file or a TravelNetwork",
        type(geocode).__name__,
    )


def _names(frame: pd.DataFrame) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for c in frame.columns:
        names.setdefault(str(c).strip().lower(), c)
    return names


def _coordinate_columns(frame: pd.DataFrame) -> tuple[Any, Any] | None:
    names = _names(frame)
    for xname, yname, _ in COORD_PAIRS:
        if xname in names and yname in names:
            return names[xname], names[yname]
    return None


def has_location(frame: pd.DataFrame) -> bool:
    """True when the table has a geometry or a pair of coordinate columns with any value."""
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        geoms = frame.geometry
        return len(frame) == 0 or bool((geoms.notna() & ~geoms.is_empty).any())
    pair = _coordinate_columns(frame)
    if pair is None:
        return False
    filled = ~(frame[pair[0]].map(is_missing) & frame[pair[1]].map(is_missing))
    return len(frame) == 0 or bool(filled.any())


def address_columns(frame: pd.DataFrame) -> list[Any]:
    """The columns the geocoder reads (address, postcode, house_number, street, or variants)."""
    names = _names(frame)
    return [names[n] for variants in AUTO_COLUMNS.values() for n in variants if n in names]


def _ids_usable(problems: list[Problem], id_col: str) -> bool:
    return not any(
        p.column == id_col and p.what in ("missing column", "duplicate id", "missing value")
        for p in problems
    )


def check_geocoded(
    frame: pd.DataFrame,
    table: str,
    where: str,
    *,
    geocoder: Geocoder,
    unmatched: str,
    crs: Any,
    network: TravelNetwork | None,
    skills: Iterable[str] | None,
    providers: Iterable[str] | None,
) -> Checked:
    """Geocode a clients or carers table, then check it as the readers do.

    Returns the checked table (every problem in ``problems``, the unmatched rows among
    them for ``unmatched="raise"``) with ``match_quality`` and ``match_reason`` columns,
    and ``attrs["unmatched"]`` (records of row, id and reason) and ``attrs["match_counts"]``.
    """
    id_col = SCHEMAS[table][0].name
    names = _names(frame)
    if id_col not in names and frame.index.name == id_col:
        frame = frame.reset_index()
        names = _names(frame)
    # The ids first: without unique ids, unplaced rows could not be named.
    first = tab.check_table(
        frame, table, where, skills=skills, providers=providers, locations=False
    )
    if not _ids_usable(first.problems, id_col):
        return first
    pair = _coordinate_columns(frame)
    if pair is not None:  # present but empty: the geocoder's points replace them
        frame = frame.drop(columns=list(pair))
    result = geocoder.geocode(frame, id_column=names[id_col], source=where)
    placed = result.frame
    if crs is not None:
        placed = placed.to_crs(_output_crs(crs))
    qualities = placed["match_quality"].tolist()
    lost = [i for i, q in enumerate(qualities) if q == "unmatched"]
    reasons = _note_bad_postcodes(
        placed, result.problems, [cell_text(v) for v in frame[names[id_col]]]
    )
    placed = placed.assign(match_reason=reasons)
    checked = tab.check_table(
        placed,
        table,
        where,
        network=network,
        skills=skills,
        providers=providers,
        unplaced=set(lost),
    )
    ids = checked.frame[id_col].tolist()
    records = [{id_col: ids[i], "row": i + 1, "match_reason": reasons[i]} for i in lost]
    counts = dict(result.counts)
    if unmatched == "raise":
        checked.problems += [
            Problem(
                where,
                "unmatched",
                "a location found by address, postcode or postcode sector",
                r["match_reason"],
                row=f"row {r['row']} ({id_col} {r[id_col]!r})",
                column="location",
            )
            for r in records
        ]
        records = []
    else:
        keep = [q != "unmatched" for q in qualities]
        checked.frame = checked.frame[keep].reset_index(drop=True)
        aside = {r[id_col] for r in records}
        checked.short = [c for c in checked.short if c not in aside]
    checked.frame.attrs["unmatched"] = records
    checked.frame.attrs["match_counts"] = counts
    logger.info(
        "%s: %d rows geocoded (%s)%s",
        where,
        len(qualities),
        ", ".join(f"{q} {n}" for q, n in counts.items()),
        f"; {len(records)} unmatched set aside" if records else "",
    )
    return checked


def _output_crs(crs: Any) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except CRSError as exc:
        raise ProblemCollector("crs").error(
            "no CRS", "a CRS pyproj understands (e.g. 27700)", show_value(crs)
        ) from exc


def _note_bad_postcodes(
    placed: pd.DataFrame, problems: Iterable[Problem], ids: list[str | None]
) -> list[str]:
    """Each row's reason; a placed row whose postcode could not be read says so."""
    reasons = [str(r) for r in placed["match_reason"]]
    row_of = {f"id {v!r}": i for i, v in enumerate(ids)}
    for p in problems:
        i = row_of.get(p.row or "")
        if i is None or p.what != "bad postcode":
            continue
        if placed["match_quality"].iat[i] != "unmatched":
            reasons[i] += f"; postcode not used: {p.found}"
    return reasons


def missing_location_hint(problems: list[Problem], frame: pd.DataFrame) -> list[Problem]:
    """Point a table with address columns but no coordinates to ``geocode=``."""
    if not address_columns(frame):
        return problems
    return [
        Problem(
            p.where,
            p.what,
            p.expected + ", or geocode=... to place the rows by their address/postcode columns",
            p.found,
            row=p.row,
            column=p.column,
        )
        if p.what == "missing column" and p.column == "location"
        else p
        for p in problems
    ]
