"""Reading, checking and writing the clients, carers and providers tables.

The readers accept a file (CSV, GeoPackage, GeoJSON, Parquet) or a DataFrame/GeoDataFrame,
check every row against the rules in :data:`~carezones.demand.schema.RULES`, and raise one
:class:`~carezones.ValidationError` listing every problem found (file, row and id, column,
expected, found; never a coordinate). Nothing is dropped: a valid table comes back with as
many rows as it went in, extra columns kept.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd

from carezones.demand import checks as tab
from carezones.demand import geocoded as _geo
from carezones.demand import io as _io
from carezones.demand import patterns as pat
from carezones.demand.geocoded import GeocodeOption
from carezones.demand.schema import Checked
from carezones.exceptions import CarezonesWarning, ProblemCollector, ValidationError
from carezones.network import TravelNetwork

__all__ = [
    "ShortVisitWarning",
    "read_carers",
    "read_clients",
    "read_providers",
    "write_carers",
    "write_clients",
    "write_providers",
]

logger = logging.getLogger(__name__)

Source: TypeAlias = str | os.PathLike[str] | pd.DataFrame


class ShortVisitWarning(CarezonesWarning):
    """Some visits are shorter than 30 minutes.

    NICE guideline NG21 (2015) and quality standard QS123 ask for home-care visits of at
    least 30 minutes except for agreed short checks; the 15-minute calls service users
    rejected are the reason.
    """


def _read(
    source: Source,
    table: str,
    *,
    crs: Any,
    network: TravelNetwork | None,
    skills: Iterable[str] | None = None,
    providers: pd.DataFrame | Iterable[str] | None = None,
    layer: str | None = None,
    geocode: GeocodeOption | None = None,
    unmatched: str = "raise",
) -> Checked:
    if isinstance(source, pd.DataFrame):
        frame, where = source, table
    else:
        frame, where = _io.read_source(source, table, layer), str(source)
    if len(frame) == 0:
        raise ProblemCollector(where).error(
            "no rows",
            f"at least one {table[:-1]} (a data row under the header)",
            "a header only" if len(frame.columns) else "an empty table",
        )
    ids = providers["provider_id"].astype(str) if isinstance(providers, pd.DataFrame) else providers
    if geocode is not None:
        _geo.check_unmatched(unmatched)
    located = _geo.has_location(frame)
    if geocode is not None and not located and _geo.address_columns(frame):
        checked = _geo.check_geocoded(
            frame, table, where, geocoder=_geo.make_geocoder(geocode), unmatched=unmatched,
            crs=crs, network=network, skills=skills, providers=ids,
        )  # fmt: skip
    else:
        if geocode is not None and located:
            logger.info("%s: the table has locations, so geocode= is not used", where)
        checked = tab.check_table(
            frame, table, where, crs=crs, network=network, skills=skills, providers=ids
        )
        checked.problems = _geo.missing_location_hint(checked.problems, frame)
    if checked.problems:
        raise ValidationError(checked.problems)
    return checked


def _warn_short(checked: Checked, where: str) -> None:
    if checked.short:
        shown = ", ".join(repr(s) for s in checked.short[:10]) + (
            " ..." if len(checked.short) > 10 else ""
        )
        warnings.warn(
            ShortVisitWarning(
                f"{where}: {len(checked.short)} client(s) have visits shorter than "
                f"{pat.MIN_VISIT_MINUTES} minutes (NICE NG21 asks for at least 30): {shown}"
            ),
            stacklevel=3,
        )


def read_clients(
    source: Source,
    *,
    crs: Any = None,
    network: TravelNetwork | None = None,
    skills: Iterable[str] | None = None,
    providers: pd.DataFrame | Iterable[str] | None = None,
    layer: str | None = None,
    geocode: GeocodeOption | None = None,
    unmatched: str = "raise",
) -> gpd.GeoDataFrame:
    """Read and check a clients table.

    ============== ====== ============== ========= =========================================
    column         type   unit           required  default / meaning
    ============== ====== ============== ========= =========================================
    client_id      str                   yes       unique
    location       Point  CRS            yes       a geometry, or ``lon``/``lat`` (EPSG:4326
                                                   unless ``crs``), ``x``/``y`` or
                                                   ``easting``/``northing`` (``crs`` needed)
    weekly_hours   float  hours a week   one of    0 < hours <= 168; default pattern if no
                                         the two   pattern (see :mod:`carezones.demand`)
    pattern        str                   one of    ``""``: calls such as
                                         the two   ``"mon-sun 07:00-10:00 45"``
    carers_needed  int    carers         no        1; 1 or 2 (2: both at the same time)
    skills         str                   no        ``""``; ``;``-separated, e.g.
                                                   ``"dementia;hoist"`` (``,`` also read)
    virtual_ok     bool                  no        False; the visits could be virtual calls
    provider_id    str                   no        ``""`` (none); the current provider
    ============== ====== ============== ========= =========================================

    **By address or postcode.** A table without a location (no geometry, and coordinate
    columns absent or empty) but with some of these columns is placed by ``geocode``:

    ============== ====== ================================================================
    column         type   meaning (any case; the usual variants such as ``post_code`` read)
    ============== ====== ================================================================
    address        str    a one-line address, e.g. ``"Flat 3, 12a Gate St, London WC2A 3HP"``
    postcode       str    a UK postcode (any case and spacing); wins over one in ``address``
    house_number   str    with ``street``, when the table has them apart
    street         str    the street name
    ============== ====== ================================================================

    The table returned then has two more columns and two ``attrs``:

    ================= ==== ===============================================================
    name              type meaning
    ================= ==== ===============================================================
    match_quality     str  {"address", "street", "postcode", "sector"}: placed at the OSM
                           address, on its street between the neighbouring numbers,
                           the postcode's centroid, or the postcode sector's centroid
    match_reason      str  how the row was placed (never repeats the address)
    attrs["unmatched"]     the rows set aside (``unmatched="set-aside"``), one record
                           ``{"client_id", "row", "match_reason"}`` each (``row`` counts
                           data rows from 1); ``pd.DataFrame(clients.attrs["unmatched"])``
                           shows them as a table. Empty with ``unmatched="raise"``
    attrs["match_counts"]  rows per quality, ``{"address": n, ..., "unmatched": n}``
    ================= ==== ===============================================================

    Parameters
    ----------
    source
        A ``.csv``, ``.gpkg``, ``.geojson``/``.json`` or ``.parquet`` file, or a
        DataFrame/GeoDataFrame.
    crs
        CRS of coordinate columns (default EPSG:4326 for ``lon``/``lat``), or of a
        geometry without one. With ``geocode``, the CRS to return the points in (default
        the geocoder's).
    network
        When given, locations more than 20 km outside it are errors (with a hint when
        lon/lat look swapped or the CRS wrong).
    skills
        The allowed skill names; None allows any.
    providers
        A providers table or provider ids: ``provider_id`` values must be among them.
    layer
        The GeoPackage layer; default the layer named ``clients`` or the only one.
    geocode
        A :class:`carezones.geocode.Geocoder`, or an OSM file or
        :class:`~carezones.TravelNetwork` to build one from (OSM addresses only, results
        in the network's CRS). Build the geocoder yourself with
        ``Geocoder.from_osm(osm, postcodes=...)`` to add a postcode file (ONSPD or
        Code-Point Open, see :func:`carezones.read_postcodes`) and to reuse it for clients
        and carers. Used only when the table has no location but has address or postcode
        columns; a table with coordinates keeps them.
    unmatched
        {"raise", "set-aside"} Rows the geocoder cannot place. ``"raise"``: each is a
        problem ``unmatched`` of the :class:`ValidationError`, naming its row, id and the
        match reason. ``"set-aside"``: the table returned holds the placed rows only and
        ``attrs["unmatched"]`` lists the others with the reason; only counts are logged.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns above in that order (the location as ``geometry``, in its own CRS),
        then any other columns as given. Text is normalised (skills sorted and
        lower-case, patterns written as ``"mon-sun 07:00-10:00 45"``); with a pattern,
        ``weekly_hours`` is its exact total. Geocoded: see the table above.

    Raises
    ------
    ValidationError
        Listing every problem found (see :data:`RULES`; geocoded rows that could not be
        placed are ``unmatched`` problems, unless set aside).

    Warns
    -----
    ShortVisitWarning
        When some visits are shorter than 30 minutes.

    Examples
    --------
    >>> table = pd.DataFrame({"client_id": ["c1", "c2"], "lon": [24.9384, 24.9450],
    ...                       "lat": [60.1699, 60.1650], "weekly_hours": [14, None],
    ...                       "pattern": ["", "daily 7:00-10:00 45; mon,wed,fri 12:00-14:00 30"]})
    >>> clients = read_clients(table)
    >>> clients[["client_id", "weekly_hours", "carers_needed", "virtual_ok"]]
      client_id  weekly_hours  carers_needed  virtual_ok
    0        c1         14.00              1       False
    1        c2          6.75              1       False
    >>> clients.loc[1, "pattern"]
    'mon-sun 07:00-10:00 45; mon,wed,fri 12:00-14:00 30'
    >>> read_clients(table.assign(weekly_hours=[200, None]))
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - clients, column 'weekly_hours', row 1 (client_id 'c1'): hours out of range: expected more than 0 and at most 168 hours a week, found 200

    By address, with a geocoder built once from the OSM extract (and a postcode file):

    >>> from carezones.datasets import default_osm_path
    >>> from carezones.geocode import Geocoder
    >>> geocoder = Geocoder.from_osm(default_osm_path())
    >>> table = pd.DataFrame({"client_id": ["c1", "c2", "c3"], "weekly_hours": [7, 14, 3.5],
    ...                       "address": ["Mikonkatu 18", "MIKONKATU 18", "Nowhere 5"]})
    >>> read_clients(table, geocode=geocoder)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - clients, column 'location', row 3 (client_id 'c3'): unmatched: expected a location found by address, postcode or postcode sector, found street not in the OSM extract; no postcode
    >>> clients = read_clients(table, geocode=geocoder, unmatched="set-aside")
    >>> clients[["client_id", "match_quality"]]
      client_id match_quality
    0        c1       address
    1        c2       address
    >>> pd.DataFrame(clients.attrs["unmatched"])
      client_id  row                                match_reason
    0        c3    3  street not in the OSM extract; no postcode
    """  # noqa: E501
    checked = _read(
        source, "clients", crs=crs, network=network, skills=skills, providers=providers,
        layer=layer, geocode=geocode, unmatched=unmatched,
    )  # fmt: skip
    _warn_short(checked, "clients" if isinstance(source, pd.DataFrame) else str(source))
    return checked.frame


def read_carers(
    source: Source,
    *,
    crs: Any = None,
    network: TravelNetwork | None = None,
    skills: Iterable[str] | None = None,
    providers: pd.DataFrame | Iterable[str] | None = None,
    layer: str | None = None,
    geocode: GeocodeOption | None = None,
    unmatched: str = "raise",
) -> gpd.GeoDataFrame:
    """Read and check a carers table.

    ================ ====== ====================== ======== ====================================
    column           type   unit                   required default / meaning
    ================ ====== ====================== ======== ====================================
    carer_id         str                           yes      unique
    location         Point  CRS                    yes      home; as for :func:`read_clients`
    mode             str                           yes      {"walk", "cycle", "drive"}
    contracted_hours float  hours a week           yes      0 < hours <= 168
    shift_start      int    minutes since midnight no       420 (07:00); ``"HH:MM"`` also read
    shift_end        int    minutes since midnight no       1320 (22:00); after ``shift_start``
    max_minutes      int    minutes a day          no       min(shift length, 480); working
                                                            time a day, at most the shift
    days             str                           no       all week; working days as
                                                            ``"monday;tuesday"`` (``mon-fri``
                                                            also read)
    skills           str                           no       ``""``; as for clients
    provider_id      str                           no       ``""`` (none); the employer
    ================ ====== ====================== ======== ====================================

    ``contracted_hours`` must fit the working days times ``max_minutes``.

    Homes given by address or postcode are placed with ``geocode`` as for
    :func:`read_clients` (``match_quality``, ``match_reason``, ``attrs["unmatched"]``
    records ``{"carer_id", "row", "match_reason"}``).

    Parameters
    ----------
    source, crs, network, skills, providers, layer, geocode, unmatched
        As for :func:`read_clients` (the default layer is ``carers``).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns above in that order, then any others.

    Raises
    ------
    ValidationError
        Listing every problem found, as for :func:`read_clients`.

    Examples
    --------
    >>> table = pd.DataFrame({"carer_id": ["k1"], "lon": [24.94], "lat": [60.17],
    ...                       "mode": ["Cycle"], "contracted_hours": [30],
    ...                       "shift_start": ["07:00"], "shift_end": ["15:00"],
    ...                       "days": ["mon-fri"]})
    >>> carers = read_carers(table)
    >>> carers.loc[0, ["mode", "shift_start", "shift_end", "max_minutes"]].to_dict()
    {'mode': 'cycle', 'shift_start': 420, 'shift_end': 900, 'max_minutes': 480}
    >>> carers.loc[0, "days"]
    'monday;tuesday;wednesday;thursday;friday'
    """
    return _read(
        source, "carers", crs=crs, network=network, skills=skills, providers=providers,
        layer=layer, geocode=geocode, unmatched=unmatched,
    ).frame  # fmt: skip


def read_providers(
    source: Source,
    *,
    crs: Any = None,
    network: TravelNetwork | None = None,
    layer: str | None = None,
) -> pd.DataFrame:
    """Read and check a providers table.

    ============== ====== ============ ======== =====================================
    column         type   unit         required default / meaning
    ============== ====== ============ ======== =====================================
    provider_id    str                 yes      unique
    name           str                 no       the ``provider_id``
    capacity_hours float  hours a week no       NaN (not stated); > 0
    location       Point  CRS          no       the office; as for :func:`read_clients`
    ============== ====== ============ ======== =====================================

    Parameters
    ----------
    source, crs, network, layer
        As for :func:`read_clients` (the default layer is ``providers``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A GeoDataFrame when offices are given (rows without one have an empty
        geometry), else a DataFrame.

    Examples
    --------
    >>> read_providers(pd.DataFrame({"provider_id": ["P1", "P2"], "capacity_hours": [1000, None]}))
      provider_id name  capacity_hours
    0          P1   P1          1000.0
    1          P2   P2             NaN
    """
    return _read(source, "providers", crs=crs, network=network, layer=layer).frame


def _write(
    frame: pd.DataFrame, path: str | os.PathLike[str], table: str, format: str | None
) -> Path:
    checked = tab.check_table(frame, table, table)
    if checked.problems:
        raise ValidationError(checked.problems)
    return _io.write_table(checked.frame, path, table, format)


def write_clients(
    clients: pd.DataFrame, path: str | os.PathLike[str], *, format: str | None = None
) -> Path:
    """Check a clients table and write it to a file that :func:`read_clients` reads back unchanged.

    Parameters
    ----------
    clients
        A clients table (as :func:`read_clients` accepts).
    path
        The file; its ending picks the format unless ``format`` is given.
    format
        {"csv", "gpkg", "geojson", "parquet"} CSV stores the location as ``lon``/``lat``
        in EPSG:4326; the others keep the geometry and its CRS. A GeoPackage gets a layer
        named ``clients`` (so one file can hold all three tables).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"client_id": ["c1"], "lon": [24.94], "lat": [60.17],
    ...                       "weekly_hours": [7]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     again = read_clients(write_clients(read_clients(table), Path(d) / "clients.gpkg"))
    >>> again.loc[0, "weekly_hours"]
    np.float64(7.0)
    """
    return _write(clients, path, "clients", format)


def write_carers(
    carers: pd.DataFrame, path: str | os.PathLike[str], *, format: str | None = None
) -> Path:
    """Check a carers table and write it (as :func:`write_clients`; GeoPackage layer ``carers``).

    Parameters
    ----------
    carers
        A carers table (as :func:`read_carers` reads it: ``carer_id``, ``mode``,
        ``contracted_hours``, a home Point, ...).
    path
        The file to write: ``.csv`` (lon/lat or easting/northing), ``.gpkg``, ``.geojson``
        or ``.parquet``.
    format
        {"csv", "gpkg", "geojson", "parquet"} Overrides the file name's ending.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return _write(carers, path, "carers", format)


def write_providers(
    providers: pd.DataFrame, path: str | os.PathLike[str], *, format: str | None = None
) -> Path:
    """Check a providers table and write it (as :func:`write_clients`; layer ``providers``).

    Parameters
    ----------
    providers
        A providers table (``provider_id``, optional ``name``, ``capacity_hours``, office).
    path
        The file to write (``.csv``, ``.gpkg``, ``.geojson`` or ``.parquet``).
    format
        {"csv", "gpkg", "geojson", "parquet"} Overrides the file name's ending.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return _write(providers, path, "providers", format)
