"""Text rules of the offline geocoder: UK postcodes, street names, house numbers, addresses.

Everything here is pure string work, so it is easy to test and fast: the geocoder calls
these functions once per distinct value. Nothing here logs; the inputs are personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FULL_POSTCODE",
    "ParsedAddress",
    "find_postcode",
    "house_number_keys",
    "input_number_keys",
    "normalise_postcode",
    "parse_address",
    "postcode_district",
    "postcode_sector",
    "sector_of",
    "split_number",
    "street_key",
    "street_keys",
    "street_variants",
]

# The UK postcode format (the Government Data Standards Catalogue rules): an outward code
# (area letters, district digit(s), optional letter) and an inward code (sector digit and
# two unit letters, never C, I, K, M, O or V). GIR 0AA is the one historic exception.
_OUTWARD = (
    r"(?:[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]))"
)
_INWARD = r"(?:[0-9][ABD-HJLNP-UW-Z]{2})"
FULL_POSTCODE = re.compile(rf"^(?:({_OUTWARD})({_INWARD})|(GIR)(0AA))$")
_SECTOR_ONLY = re.compile(rf"^({_OUTWARD})([0-9])$")
# A loose shape, to find something that looks like a postcode at the end of an address line.
_LOOSE_TAIL = re.compile(r"[,\s]*\b([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\s*[.,]?\s*$", re.I)

# Street-type and other common abbreviations in UK addresses (after lower-casing and
# removing punctuation). "st" is handled apart: "street" at the end, "saint" elsewhere.
_ABBREVIATIONS: dict[str, str] = {
    "rd": "road", "str": "street", "ave": "avenue", "av": "avenue", "avn": "avenue",
    "ln": "lane", "cres": "crescent", "cresc": "crescent", "cresent": "crescent",
    "gdns": "gardens", "gdn": "garden", "gds": "gardens", "pl": "place", "sq": "square",
    "sqr": "square", "terr": "terrace", "ter": "terrace", "tce": "terrace", "ct": "court",
    "crt": "court", "dr": "drive", "drv": "drive", "cl": "close", "clo": "close",
    "gr": "grove", "gro": "grove", "gv": "grove", "pk": "park", "pde": "parade",
    "wk": "walk", "wlk": "walk", "hl": "hill", "mt": "mount", "mws": "mews", "yd": "yard",
    "grn": "green", "hts": "heights", "blvd": "boulevard", "bldgs": "buildings",
    "cotts": "cottages", "ctr": "centre", "pkwy": "parkway", "vls": "villas", "vw": "view",
    "gt": "great", "lt": "little", "upr": "upper", "lwr": "lower", "nth": "north",
    "sth": "south", "est": "estate", "cir": "circus", "rw": "row", "wy": "way",
}  # fmt: skip
_STREET_TYPES = frozenset(_ABBREVIATIONS.values()) | {
    "street", "lane", "way", "row", "rise", "end", "wharf", "wood", "vale", "side", "gate",
}  # fmt: skip

_APOSTROPHES = re.compile("['`\u00b4\u02bc\u2018\u2019]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_DASH = "-\u2013\u2014/"  # hyphen, en dash, em dash, slash
_DASHES = re.compile(rf"\s*(?:[{_DASH}]|\bto\b)\s*", re.I)
_FLAT = re.compile(
    r"^(?:flat|apartment|apt|unit|suite|room|studio|maisonette|floor|fl)\b\.?\s*"
    r"(?:no\.?\s*)?[0-9]*[a-z]?\b[\s,]*",
    re.I,
)
_LEADING_NUMBER = re.compile(
    rf"^(?:no\.?\s*)?(\d+[a-z]?(?:\s*(?:[{_DASH}]|to)\s*\d+[a-z]?)?(?:;\d+[a-z]?)*)(?![0-9a-z;])"
    r"[\s,]*(.*)$",
    re.I,
)
_TRAILING_NUMBER = re.compile(r"^(\D*[a-z]\D*?)\s+(\d+\s?[a-z]?)$", re.I)
_FLAT_LETTER = re.compile(r"^(?:flat|apartment|apt|unit)\.?\s+([a-z])$", re.I)
_NUMBER_LIST = re.compile(r"\b\d+[a-z]?(?:\s*;\s*\d+[a-z]?)+\b", re.I)
_ONE_NUMBER = re.compile(r"^(\d+)\s?([a-z]?)$", re.I)
_RANGE = re.compile(r"^(\d+)\s?([a-z]?)-(\d+)\s?([a-z]?)$", re.I)

#: Widest house-number range an OSM address is indexed under, number by number.
MAX_RANGE_SPAN = 60


def normalise_postcode(text: object) -> str | None:
    """Return a UK postcode in its standard form (``"NW1 2DB"``), or None when it is not one.

    Case, spaces and stray punctuation are ignored.

    Parameters
    ----------
    text
        Anything: a postcode as typed, a number, None.

    Examples
    --------
    >>> normalise_postcode(" nw12db ")
    'NW1 2DB'
    >>> normalise_postcode("NW1") is None
    True
    """
    if not isinstance(text, str):
        return None
    compact = _NON_WORD.sub("", text.lower()).upper()
    match = FULL_POSTCODE.match(compact)
    if match is None:
        return None
    outward, inward = (match.group(1), match.group(2)) if match.group(1) else ("GIR", "0AA")
    return f"{outward} {inward}"


def sector_of(text: object) -> str | None:
    """The postcode sector (``"NW1 2"``) of a full postcode or of a sector given alone."""
    full = normalise_postcode(text)
    if full is not None:
        return postcode_sector(full)
    if not isinstance(text, str):
        return None
    compact = _NON_WORD.sub("", text.lower()).upper()
    match = _SECTOR_ONLY.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_sector(postcode: str) -> str:
    """The sector of a normalised postcode: ``"NW1 2DB"`` -> ``"NW1 2"``."""
    return postcode[:-2]


def postcode_district(postcode: str) -> str:
    """The district (outward code) of a postcode or sector: ``"NW1 2DB"`` -> ``"NW1"``."""
    return postcode.split(" ", 1)[0]


def find_postcode(text: str) -> tuple[str | None, str]:
    """Split a trailing postcode-like token off an address line: ``(postcode text, rest)``."""
    match = _LOOSE_TAIL.search(text)
    if match is None:
        return None, text
    return match.group(1), text[: match.start()]


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def street_key(text: object) -> str:
    """A street name reduced to a comparison key: lower case, no punctuation, no abbreviations.

    Examples
    --------
    >>> street_key("St. John's Wood Rd.")
    'saint johns wood road'
    >>> street_key("CAMDEN HIGH ST")
    'camden high street'
    """
    if not isinstance(text, str):
        return ""
    text = _APOSTROPHES.sub("", _ascii_lower(text)).replace("&", " and ")
    tokens = _NON_WORD.sub(" ", text).split()
    out = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token == "st":
            out.append("street" if i == last else "saint")
        else:
            out.append(_ABBREVIATIONS.get(token, token))
    return " ".join(out)


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def typo_variants(text: object) -> list[str]:
    """The street text with one short word's typo mended, before abbreviations are expanded.

    A word of two or three letters that is not an abbreviation but one letter away from
    one (``"Sr"`` from ``"St"``, ``"Rf"`` from ``"Rd"``) is replaced by each such
    abbreviation in turn; ``street_key`` then expands it where it stands (``"St"`` last
    is Street, first is Saint). The caller keeps a variant only when exactly one names a
    street of the extract.

    Examples
    --------
    >>> typo_variants("High Sr")
    ['High St', 'High Str', 'High Sq', 'High Sqr', 'High Dr', 'High Gr']
    """
    if not isinstance(text, str):
        return []
    known = ["st", *_ABBREVIATIONS]
    words = text.split()
    out = []
    for i, word in enumerate(words):
        plain = _NON_WORD.sub("", _ascii_lower(word))
        if not 2 <= len(plain) <= 3 or plain in known or plain in _STREET_TYPES:
            continue
        for fix in (k for k in dict.fromkeys(known) if _one_edit(plain, k)):
            mended = [*words[:i], fix.capitalize(), *words[i + 1 :]]
            out.append(" ".join(mended))
    return list(dict.fromkeys(out))


def ends_with_street_type(key: str) -> bool:
    """Whether a street key ends with a street-type word ("road", "street", ...)."""
    return key.rsplit(" ", 1)[-1] in _STREET_TYPES


def _tidy_number(text: str) -> str:
    text = _DASHES.sub("-", text.strip().upper())
    return re.sub(r"\s+", "", text)


def split_number(text: str) -> tuple[int, str] | None:
    """``"12A"`` -> ``(12, "A")``; None when the text is not one house number."""
    match = _ONE_NUMBER.match(text)
    return (int(match.group(1)), match.group(2).upper()) if match else None


def house_number_keys(text: object) -> tuple[str, tuple[str, ...]]:
    """How an OSM ``addr:housenumber`` is indexed: ``(exact key, other keys)``.

    The other keys are the numbers inside a range on its side of the street (``"1-5"``
    also under 1, 3 and 5; ``"2-5"`` under 2 to 5) and the members of a list (``"1;3"``).
    """
    if not isinstance(text, str) or not text.strip():
        return "", ()
    exact = _tidy_number(text)
    parts = [p for p in re.split(r"[;,]", exact) if p]
    others: list[str] = []
    for part in parts:
        if part != exact:
            others.append(part)
        match = _RANGE.match(part)
        if match:
            lo, hi = int(match.group(1)), int(match.group(3))
            if 0 <= hi - lo <= MAX_RANGE_SPAN:
                # "131-143" is one side of the street (odd numbers): 136 is across it
                step = 2 if lo % 2 == hi % 2 and hi > lo else 1
                others.extend(str(n) for n in range(lo, hi + 1, step))
    return exact, tuple(dict.fromkeys(k for k in others if k != exact))


def input_number_keys(text: object) -> tuple[str, ...]:
    """The keys an input house number is looked up under, best first.

    The number as written, then its plain number without a letter (``"12A"`` -> ``"12"``),
    then for a range its first, last and inner numbers.

    Examples
    --------
    >>> input_number_keys("12 a")
    ('12A', '12')
    >>> input_number_keys("12 to 14")
    ('12-14', '12', '14', '13')
    """
    if not isinstance(text, str) or not text.strip():
        return ()
    exact = _tidy_number(text)
    if ";" in exact or "," in exact:  # "20;22": each listed number, in order
        listed = [p for p in re.split(r"[;,]", exact) if p]
        return tuple(dict.fromkeys(k for p in listed for k in input_number_keys(p)))
    keys = [exact]
    one = split_number(exact)
    if one is not None and one[1]:
        keys.append(str(one[0]))
    match = _RANGE.match(exact)
    if match:
        lo, hi = int(match.group(1)), int(match.group(3))
        keys += [f"{lo}{match.group(2).upper()}", str(lo), str(hi)]
        if 0 <= hi - lo <= MAX_RANGE_SPAN:
            keys += [str(n) for n in range(lo + 1, hi)]
    return tuple(dict.fromkeys(k for k in keys if k))


@dataclass(frozen=True)
class ParsedAddress:
    """The parts of a one-line address: house number, candidate street texts, postcode text."""

    number: str | None
    streets: tuple[str, ...]
    postcode: str | None
    flat_letter: str = ""


def _strip_flat(part: str) -> str:
    previous = None
    while previous != part:
        previous = part
        part = _FLAT.sub("", part, count=1).strip()
    return part


def parse_address(text: object) -> ParsedAddress:
    """Split a one-line UK address into house number, candidate streets and postcode.

    Flat, unit and apartment prefixes are dropped (a flat letter, "Flat C", is kept in
    ``flat_letter``: the house may be 1C); a number alone before another numbered part is a
    flat ("2, 79 High Street" is flat 2 of 79); a list of numbers ("20;22") is one house
    number; the first comma-separated part that starts with a number gives the house
    number, and the rest of that part (or the next part) is the street. The other parts
    follow as further street candidates.

    Examples
    --------
    >>> parse_address("Flat 3, 12a Gate St., London WC2A 3HP")
    ParsedAddress(number='12a', streets=('Gate St.', 'London'), postcode='WC2A 3HP', flat_letter='')
    >>> parse_address("Flat C, 1 Bolt Street").flat_letter, parse_address("2, 79 High St").number
    ('C', '79')
    """
    if not isinstance(text, str) or not text.strip():
        return ParsedAddress(None, (), None)
    postcode, rest = find_postcode(text.strip())
    rest = _NUMBER_LIST.sub(lambda m: m.group(0).replace(" ", ""), rest)
    raw = [p.strip() for p in re.split(r"[,\n]+|;(?!\d)", rest)]
    letter = next((m.group(1).upper() for p in raw if (m := _FLAT_LETTER.match(p))), "")
    parts = [p for p in (_strip_flat(p) for p in raw) if p]
    number: str | None = None
    streets: list[str] = []
    for i, part in enumerate(parts):
        match = _LEADING_NUMBER.match(part)
        if match is None:
            continue
        number, street = match.group(1), match.group(2).strip()
        if not street and i + 1 < len(parts) and _LEADING_NUMBER.match(parts[i + 1]):
            continue  # "2, 79 High Street": flat 2 of number 79
        if street:
            streets.append(street)
        streets += parts[i + 1 :]
        streets += parts[:i]
        break
    else:
        for i, part in enumerate(parts):
            match = _TRAILING_NUMBER.match(part)
            if match is not None:
                number = match.group(2)
                streets = [match.group(1).strip(), *parts[i + 1 :], *parts[:i]]
                break
        else:
            streets = parts
    return ParsedAddress(number, tuple(streets), postcode, letter)


def street_keys(street: object) -> list[str]:
    """The keys an OSM street is indexed under: the whole name and each comma-separated part."""
    if not isinstance(street, str) or not street.strip():
        return []
    keys = [street_key(street)]
    if "," in street:
        keys += [street_key(part) for part in street.split(",")]
    return [k for k in dict.fromkeys(keys) if k]


def street_variants(key: str) -> Iterable[str]:
    """The street key, then shorter leading parts that end in a street type, with/without "the"."""
    tokens = key.split()
    seen = set()
    for k in range(len(tokens), 0, -1):
        part = " ".join(tokens[:k])
        if k < len(tokens) and not ends_with_street_type(part):
            continue
        for variant in (part, part[4:] if part.startswith("the ") else "the " + part):
            if variant and variant not in seen:
                seen.add(variant)
                yield variant
