"""Offline geocoding: clients and carers given by UK postcode and/or address, placed on the map.

Nothing here touches the internet. Each row is placed at the best of these, in order, and
its ``match_quality`` says which:

1. ``"address"``: at a matching address of the OpenStreetMap extract itself (buildings and
   address points carrying ``addr:housenumber`` and ``addr:street``, or ``addr:place``).
   Case, spacing, punctuation and the usual abbreviations are ignored (Rd/Road, St/Street,
   St/Saint, Ave/Avenue, Ln/Lane, Cres/Crescent, Gdns/Gardens, Pl/Place, Sq/Square,
   Terr/Terrace, Ct/Court, Dr/Drive, ...); flat, unit and apartment prefixes are dropped;
   ``"12A"`` falls back to 12 and ``"12-14"`` to 12, 14 and 13; an OSM range ``"1-5"``
   answers for 1 to 5. A street name that is not found exactly is matched approximately
   (rapidfuzz's normalised Indel similarity, the ratio difflib also computes, at least
   ``min_similarity``) when the house number exists on the street found. When the row
   has a postcode, OSM addresses in another postcode district are not taken, and among
   several matches those with the same postcode win; matches that lie apart are
   ambiguous and not used.
2. ``"postcode"``: at the postcode's centroid in the postcode file the user supplies, or
   else at the centroid of the OSM addresses that carry that postcode.
3. ``"sector"``: at the centroid of the postcode sector (``"NW1 2"``): of the postcode
   file's postcodes in it, or else of the OSM addresses in it. A postcode given only to
   its sector lands here too.
4. ``"unmatched"``: no geometry; ``match_reason`` says why. Rows are never dropped.

Every row's ``match_reason`` says how it was placed or why not, without repeating any part
of its address. Postcodes that are not in UK format are reported by row and id in
:attr:`GeocodeResult.problems`. Logs carry counts only: never an address or a coordinate.

Postcode files
--------------
Both are free, open data under the Open Government Licence; download them once:

- **ONS Postcode Directory (ONSPD)**, every current and terminated UK postcode, from the
  ONS Open Geography Portal (geoportal.statistics.gov.uk, search "ONS Postcode Directory",
  the CSV zip). Pass the whole-UK CSV in ``Data/`` or, faster, the file of your postcode
  area(s) in ``Data/multi_csv/`` (or that folder). Columns read: ``pcds`` (else ``pcd``,
  ``pcd2``), and ``lat`` and ``long``, or else ``oseast1m`` and ``osnrth1m``.
- **OS Code-Point Open**, Great Britain, from the OS Data Hub (osdatahub.os.uk, Downloads,
  Open data, Code-Point Open, CSV). Pass one area file of ``Data/CSV/`` (``nw.csv``) or
  the folder. Columns read (no header): 1 postcode, 2 positional quality indicator
  (90 = no coordinates, skipped), 3 eastings, 4 northings.

Attribution they ask for: "Contains OS data © Crown copyright and database right",
"Contains Royal Mail data © Royal Mail copyright and database right", and for ONSPD
"Source: Office for National Statistics licensed under the Open Government Licence".
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from rapidfuzz import fuzz, process

from carezones.exceptions import ProblemCollector
from carezones.geocode.addresses import read_osm_addresses
from carezones.geocode.postcodes import read_postcodes
from carezones.geocode.rows import GeocodeResult, RowInputs, read_rows
from carezones.geocode.street import StreetNumbers
from carezones.geocode.text import (
    house_number_keys,
    input_number_keys,
    normalise_postcode,
    postcode_district,
    postcode_sector,
    split_number,
    street_key,
    street_keys,
    street_variants,
    typo_variants,
)
from carezones.network import TravelNetwork, choose_crs

__all__ = ["Geocoder"]

logger = logging.getLogger(__name__)

_XY = tuple[float, float]

#: A similar street name's objects without a postcode must lie this near the row's postcode.
AREA_M = 1000.0


class Geocoder:
    """An offline geocoder over one OSM extract's addresses and, optionally, a postcode file.

    Build it once with :meth:`from_osm` (or :meth:`from_addresses`), then geocode any
    number of tables with :meth:`geocode`.

    Parameters
    ----------
    addresses
        Addresses with columns ``housenumber``, ``street`` and ``postcode`` (missing values
        allowed) and any geometry type with a CRS, as :func:`read_osm_addresses` returns.
    postcodes
        Postcode centroids, as :func:`read_postcodes` returns, or None.
    crs
        The CRS of the results. None gives EPSG:4326. Distances are worked out in this
        CRS when it is projected, else in British National Grid (inside Great Britain) or
        the local UTM zone.
    min_similarity
        In [0, 1]: the least similarity ratio (``rapidfuzz.fuzz.ratio`` / 100) at which a
        street name that is not found exactly is taken as a spelling variant; None turns
        approximate matching off.
    max_spread_m
        Several OSM objects with the same address (a building and its entrance, say) are
        averaged when all lie within this many metres of their mean; when they lie farther
        apart, the address is ambiguous and the row falls back to its postcode.

    Examples
    --------
    >>> from carezones.datasets import default_osm_path
    >>> Geocoder.from_osm(default_osm_path())  # doctest: +ELLIPSIS
    Geocoder(... OSM addresses on ... streets, ... OSM postcodes, no postcode file, EPSG:4326)
    """

    def __init__(
        self,
        addresses: gpd.GeoDataFrame,
        *,
        postcodes: gpd.GeoDataFrame | None = None,
        crs: Any = None,
        min_similarity: float | None = 0.85,
        max_spread_m: float = 50.0,
    ) -> None:
        if min_similarity is not None and not 0 <= min_similarity <= 1:
            raise ProblemCollector("min_similarity").error(
                "out of range", "a number in [0, 1] or None", repr(min_similarity)
            )
        self.crs = CRS.from_user_input(crs) if crs is not None else CRS.from_epsg(4326)
        self.min_similarity = min_similarity
        self.max_spread_m = float(max_spread_m)
        self.addresses = addresses
        self._work_crs = self._choose_work_crs(addresses)
        self._index_addresses(addresses)
        self._index_postcodes(postcodes)
        self._similar_cache: dict[str, list[tuple[str, float]]] = {}

    @classmethod
    def from_osm(
        cls,
        source: str | os.PathLike[str] | TravelNetwork,
        *,
        postcodes: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
        crs: Any = None,
        cache: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> Geocoder:
        """Build a geocoder from an OSM extract, or from the extract a network was built from.

        Parameters
        ----------
        source
            An OSM file, or a :class:`~carezones.TravelNetwork` (its source file is read
            and its CRS becomes the results' CRS).
        postcodes
            A postcode file or folder (ONSPD or Code-Point Open, see
            :func:`read_postcodes`), an already read table, or None.
        crs
            The CRS of the results; None gives the network's CRS for a network, else
            EPSG:4326.
        cache
            The cache folder for converted OSM XML.
        **options
            ``min_similarity`` and ``max_spread_m`` (see :class:`Geocoder`).

        Examples
        --------
        >>> from carezones.datasets import load_default_network
        >>> net = load_default_network(modes="walk")
        >>> Geocoder.from_osm(net).crs == net.crs
        True
        """
        if isinstance(source, TravelNetwork):
            crs = source.crs if crs is None else crs
            source = source.source
        table = postcodes
        if isinstance(postcodes, (str, os.PathLike)):
            table = read_postcodes(postcodes)
        return cls(read_osm_addresses(source, cache=cache), postcodes=table, crs=crs, **options)

    @classmethod
    def from_addresses(cls, addresses: gpd.GeoDataFrame, **options: Any) -> Geocoder:
        """Build a geocoder from any address table (same columns as :func:`read_osm_addresses`)."""
        return cls(addresses, **options)

    # ---- building the index -------------------------------------------------------------

    def _choose_work_crs(self, addresses: gpd.GeoDataFrame) -> CRS:
        if self.crs.is_projected:
            return self.crs
        if len(addresses) == 0:
            return CRS.from_epsg(27700)
        points = shapely.centroid(addresses.geometry.to_crs(4326).values)
        return choose_crs(shapely.get_x(points), shapely.get_y(points))

    def _index_addresses(self, addresses: gpd.GeoDataFrame) -> None:
        missing = [c for c in ("housenumber", "street", "postcode") if c not in addresses.columns]
        if missing or addresses.crs is None:
            raise ProblemCollector("addresses").error(
                "not an address table",
                "columns housenumber, street, postcode and a CRS",
                f"missing {', '.join(missing) or 'CRS'}",
            )
        points = shapely.centroid(addresses.geometry.to_crs(self._work_crs).values)
        self._xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
        self._postcode = [normalise_postcode(p) for p in addresses["postcode"]]
        self._district = [postcode_district(p) if p else None for p in self._postcode]
        self._exact: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._expanded: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._numbers = StreetNumbers(self._xy, self._district)
        streets: set[str] = set()
        numbers = addresses["housenumber"].tolist()
        for i, street in enumerate(addresses["street"].tolist()):
            keys = street_keys(street)
            streets.update(keys)
            exact, others = house_number_keys(numbers[i])
            if not exact:
                continue
            for key in keys:
                self._exact[key, exact].append(i)
                for other in others:
                    self._expanded[key, other].append(i)
                self._numbers.add(key, (exact, *others), i)
        self._streets = streets
        self._street_list = sorted(streets)
        groups: dict[str, list[int]] = defaultdict(list)
        sectors: dict[str, list[int]] = defaultdict(list)
        for i, pc in enumerate(self._postcode):
            if pc:
                groups[pc].append(i)
                sectors[postcode_sector(pc)].append(i)
        self._osm_postcode = {k: (*self._xy[v].mean(axis=0), len(v)) for k, v in groups.items()}
        self._osm_sector = {k: (*self._xy[v].mean(axis=0), len(v)) for k, v in sectors.items()}

    def _index_postcodes(self, postcodes: gpd.GeoDataFrame | None) -> None:
        self._file_index = pd.Index([], dtype=object)
        self._file_xy = np.empty((0, 2))
        self._file_sectors: dict[str, tuple[float, float, int]] | None = None
        if postcodes is None:
            return
        if "postcode" not in postcodes.columns or postcodes.crs is None:
            raise ProblemCollector("postcodes").error(
                "not a postcode table",
                "a GeoDataFrame with a postcode column and a CRS (read_postcodes)",
                "something else",
            )
        points = postcodes.geometry.to_crs(self._work_crs).values
        self._file_index = pd.Index(postcodes["postcode"].astype(object))
        self._file_xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])

    def _sector_centroids(self) -> dict[str, tuple[float, float, int]]:
        if self._file_sectors is None:
            table = pd.DataFrame(
                {
                    "sector": self._file_index.str.slice(0, -2),
                    "x": self._file_xy[:, 0],
                    "y": self._file_xy[:, 1],
                }
            ).groupby("sector", sort=False)
            means, sizes = table.mean(), table.size()
            self._file_sectors = {
                s: (x, y, int(n))
                for s, x, y, n in zip(means.index, means["x"], means["y"], sizes, strict=True)
            }
        return self._file_sectors

    def __repr__(self) -> str:
        pcs = (
            f"{len(self._file_index)} postcodes in file"
            if len(self._file_index)
            else ("no postcode file")
        )
        return (
            f"Geocoder({len(self._xy)} OSM addresses on {len(self._streets)} streets, "
            f"{len(self._osm_postcode)} OSM postcodes, {pcs}, {self.crs.to_string()})"
        )

    # ---- geocoding ----------------------------------------------------------------------

    def geocode(
        self,
        frame: pd.DataFrame,
        *,
        id_column: str | None = None,
        address_column: str | None = None,
        postcode_column: str | None = None,
        house_number_column: str | None = None,
        street_column: str | None = None,
        source: str | None = None,
        errors: str = "report",
    ) -> GeocodeResult:
        """Place every row of ``frame``: at its address, postcode or sector, or unmatched.

        Parameters
        ----------
        frame
            The clients or carers. Extra columns are kept; a geometry column is replaced.
        id_column
            The id column (unique, no blanks); problems name rows by it. Found as
            :func:`~carezones.read_clients` finds it (any case and spacing: ``Client ID``
            is ``client_id``); None takes ``client_id``, ``carer_id``, ``provider_id`` or
            ``id``.
        address_column
            A one-line address (``"Flat 3, 12a Gate St, London WC2A 3HP"``); the house
            number, street and a trailing postcode are read from it.
        postcode_column
            The postcode; when given it wins over one read from the address.
        house_number_column, street_column
            The house number and street, when the table has them apart; they win over
            those read from the address.
        source
            A name for the table in problems (its file name); default ``"frame"``.
        errors
            {"report", "raise"}. ``"report"`` returns bad postcodes and unmatched rows in
            the result; ``"raise"`` raises a :class:`ValidationError` listing them.
            When none of the four location columns is given, columns named ``address``,
            ``postcode``, ``house_number`` and ``street`` (any case, and a few usual
            variants) are used.

        Returns
        -------
        GeocodeResult
            ``frame`` (a GeoDataFrame in :attr:`crs` with ``match_quality`` and
            ``match_reason``), ``counts`` per quality and ``problems``.

        Raises
        ------
        ValidationError
            For a missing column, blank or repeated ids, or (``errors="raise"``) any bad
            postcode or unmatched row.

        Examples
        --------
        >>> import pandas as pd
        >>> from carezones.datasets import default_osm_path
        >>> geocoder = Geocoder.from_osm(default_osm_path())
        >>> clients = pd.DataFrame({"client_id": ["c1", "c2", "c3"],
        ...                         "address": ["Mikonkatu 18", "MIKONKATU 18", "Nowhere 5"]})
        >>> result = geocoder.geocode(clients, id_column="client_id", address_column="address")
        >>> result.counts
        {'address': 2, 'street': 0, 'postcode': 0, 'sector': 0, 'unmatched': 1}
        >>> result.frame.loc[2, "match_reason"]
        'street not in the OSM extract; no postcode'
        """
        rows = read_rows(
            frame, id_column=id_column, address_column=address_column,
            postcode_column=postcode_column, house_number_column=house_number_column,
            street_column=street_column, source=source or "frame",
        )  # fmt: skip
        placed = [self._place(row) for row in rows.rows]
        result = GeocodeResult.build(frame, rows, placed, self._work_crs, self.crs)
        logger.info("geocoded %d rows: %s", len(rows.rows), result.counts)
        if errors == "raise":
            result.raise_for_problems()
        elif errors != "report":
            raise ProblemCollector("errors").error(
                "unknown value", "'report' or 'raise'", repr(errors)
            )
        return result

    def _place(self, row: RowInputs) -> tuple[str, str, _XY | None]:
        """``(quality, reason, xy in the working CRS)`` of one row."""
        xy, why, quality = self._match_address(row)
        if xy is not None:
            return quality, why, xy
        address_note = f"; address not used: {why}" if why not in ("no address",) else ""
        if row.postcode is not None:
            got = self._postcode_point(row.postcode)
            if got is not None:
                return "postcode", got[1] + address_note, got[0]
        if row.sector is not None:
            got = self._sector_point(row.sector)
            if got is not None:
                return "sector", got[1] + address_note, got[0]
        if row.postcode is not None:
            pc_why = "postcode and its sector in neither the postcode file nor the OSM extract"
        elif row.sector is not None:
            pc_why = "postcode sector in neither the postcode file nor the OSM extract"
        elif row.postcode_text:
            pc_why = "postcode not in UK format"
        else:
            pc_why = "no postcode"
        reason = pc_why if why == "no address" and pc_why != "no postcode" else f"{why}; {pc_why}"
        if why == "no address" and pc_why == "no postcode":
            reason = "no address or postcode given"
        return "unmatched", reason, None

    def _postcode_point(self, postcode: str) -> tuple[_XY, str] | None:
        pos = self._file_index.get_indexer([postcode])[0] if len(self._file_index) else -1
        if pos >= 0:
            x, y = self._file_xy[pos]
            return (float(x), float(y)), "postcode centroid from the postcode file"
        got = self._osm_postcode.get(postcode)
        if got is not None:
            x, y, n = got
            plural = "es" if n > 1 else ""
            return (x, y), f"centroid of the {n} OSM address{plural} with the postcode"
        return None

    def _sector_point(self, sector: str) -> tuple[_XY, str] | None:
        got = self._sector_centroids().get(sector) if len(self._file_index) else None
        if got is not None:
            x, y, n = got
            return (x, y), f"centroid of the sector's {n} postcodes in the postcode file"
        got = self._osm_sector.get(sector)
        if got is not None:
            x, y, n = got
            plural = "es" if n > 1 else ""
            return (x, y), f"centroid of the {n} OSM address{plural} in the sector"
        return None

    def _match_address(self, row: RowInputs) -> tuple[_XY | None, str, str]:
        """The point, how it was found and its quality ("address" or "street"), or None and why.

        A street found exactly is never swapped for a similar name: a house missing from
        the extract is placed between its neighbours on that street (quality "street") or
        falls back to the postcode. A similar street name is tried only when no street of
        the row's name exists, and only inside the row's postcode district.
        """
        if row.number is None and not row.streets:
            return None, "no address", ""
        if row.number is None:
            return None, "no house number", ""
        numbers = input_number_keys(row.number)
        if row.letter:  # "Flat C, 1 Bolt Street" may be 1C
            numbers = tuple(dict.fromkeys((f"{numbers[0]}{row.letter}", *numbers)))
        if not row.streets or not numbers:
            return None, ("no street" if numbers else "no house number"), ""
        why = "street not in the OSM extract"
        tried: list[str] = []
        for text in row.streets:
            for key in street_variants(street_key(text)):
                if key not in self._streets:
                    continue
                tried.append(key)
                xy, how = self._on_street(key, numbers, row.postcode)
                if xy is not None:
                    return xy, how, "address"
                why = how
        if tried:
            return self._between(tried, numbers, why, row.postcode)
        mended = self._mended_street(row.streets[0])
        if mended is not None:  # "High Sr": one short word mistyped, one street it can be
            xy, how = self._on_street(mended, numbers, row.postcode)
            if xy is not None:
                return xy, f"a short street word read as a typo; {how}", "address"
            return self._between([mended], numbers, how, row.postcode)
        if self.min_similarity is None:
            return None, why, ""
        for key, score in self._similar(street_key(row.streets[0])):
            xy, how = self._on_street(key, numbers, row.postcode, strict=True)
            if xy is not None:
                note = f"street name matched approximately (similarity {score:.2f}); {how}"
                return xy, note, "address"
        return None, why, ""

    def _between(
        self, keys: list[str], numbers: tuple[str, ...], why: str, postcode: str | None
    ) -> tuple[_XY | None, str, str]:
        """Place on the first street found, between the neighbours of the row's number."""
        plain = [split_number(n) for n in numbers]
        wanted = next((p[0] for p in plain if p is not None), None)
        if wanted is None:
            return None, f"street found; {why}", ""
        for key in keys:
            if postcode is None and self._numbers.places(key) > 1:
                continue  # which of the places is not known: no guess
            got = self._numbers.place(key, wanted, postcode)
            if got is None:
                continue
            if postcode is not None and self._far_from_postcode_xy(got.xy, postcode):
                continue
            return got.xy, got.reason, "street"
        if "apart" in why:
            why = f"street found, number ambiguous ({why})"
        return None, why, ""

    def _on_street(
        self, key: str, numbers: tuple[str, ...], postcode: str | None, *, strict: bool = False
    ) -> tuple[_XY | None, str]:
        for j, number in enumerate(numbers):
            found = self._exact.get((key, number))
            exact = found is not None and j == 0
            found = found or self._expanded.get((key, number))
            if not found:
                continue
            several = self._numbers.places(key) > 1
            if several and postcode is None:
                return (
                    None,
                    (
                        "street name found in several places more than 1 km apart in the OSM "
                        "extract; no postcode to say which"
                    ),
                )
            xy, why = self._resolve(found, postcode, strict=strict or several)
            if xy is None:
                return None, why
            if exact:
                return xy, "house number and street found in the OSM extract"
            return xy, "house number found within a range or without its letter in the OSM extract"
        return None, "house number not on the street in the OSM extract"

    def _resolve(
        self, found: list[int], postcode: str | None, *, strict: bool = False
    ) -> tuple[_XY | None, str]:
        """The mean point of ``found``, if in the row's postcode district.

        ``strict`` (a similar street name): objects without a postcode count only when the
        row's postcode (or its sector) is known and lies within :data:`AREA_M` of them.
        """
        index = found
        if postcode is not None:
            same = [i for i in found if self._postcode[i] == postcode]
            district = postcode_district(postcode)
            index = same or [i for i in found if self._district[i] == district]
            unknown = [i for i in found if self._district[i] is None]
            if not index and unknown and (not strict or self._near_postcode(unknown, postcode)):
                index = unknown
            if not index:
                return None, "address found only in another postcode district"
            if not same and self._far_from_postcode(index, postcode):
                return None, f"address found more than {AREA_M:.0f} m from the row's postcode"
        points = self._xy[index]
        centre = points.mean(axis=0)
        if len(index) > 1 and np.hypot(*(points - centre).T).max() > self.max_spread_m:
            return None, f"address matches places more than {self.max_spread_m:.0f} m apart"
        return (float(centre[0]), float(centre[1])), ""

    def _mended_street(self, text: str) -> str | None:
        """The one street of the extract that mending a short word's typo gives, if one."""
        found = {
            key
            for variant in typo_variants(text)
            for key in street_variants(street_key(variant))
            if key in self._streets
        }
        return found.pop() if len(found) == 1 else None

    def _far_from_postcode(self, index: list[int], postcode: str) -> bool:
        """Whether the row's postcode is known and lies farther than :data:`AREA_M` away."""
        centre = self._xy[index].mean(axis=0)
        return self._far_from_postcode_xy((float(centre[0]), float(centre[1])), postcode)

    def _far_from_postcode_xy(self, xy: _XY, postcode: str) -> bool:
        got = self._postcode_point(postcode)
        if got is None:
            return False
        return float(np.hypot(xy[0] - got[0][0], xy[1] - got[0][1])) > AREA_M

    def _near_postcode(self, index: list[int], postcode: str) -> bool:
        """Whether the row's postcode area lies within :data:`AREA_M` of these objects."""
        got = self._postcode_point(postcode) or self._sector_point(postcode_sector(postcode))
        if got is None:
            return False
        centre = self._xy[index].mean(axis=0)
        return float(np.hypot(centre[0] - got[0][0], centre[1] - got[0][1])) <= AREA_M

    def _similar(self, query: str) -> list[tuple[str, float]]:
        """Streets whose name is close to ``query``, best first, with their similarity."""
        if query in self._similar_cache:
            return self._similar_cache[query]
        tokens = query.split()
        queries = [query] + [" ".join(tokens[:k]) for k in range(len(tokens) - 1, 1, -1)]
        scored: dict[str, float] = {}
        cutoff = 100 * (self.min_similarity or 0.0)
        for q in queries:
            for name, score, _ in process.extract(
                q, self._street_list, scorer=fuzz.ratio, limit=3, score_cutoff=cutoff
            ):
                scored[name] = max(score / 100, scored.get(name, 0.0))
        best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:3]
        self._similar_cache[query] = best
        return best
