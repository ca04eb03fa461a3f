"""Tables people read, beside tables machines read: one writer for every output table.

Each output folder holds its tables twice: exact in ``data/`` (for programs, and what
carezones reads back) and readable beside the maps (for people: :func:`for_people`).
How each column reads (its unit, and whether it is a time of day, a share, a count, ...)
is declared once, in :mod:`carezones.tables.columns`, outcomes by their own declaration
in :data:`carezones.outcomes.OUTCOMES`.
"""

from carezones.tables.columns import (
    DATA_ONLY,
    MEASURED_OVER_DAYS,
    Reading,
    reading_of,
    reading_of_unit,
)
from carezones.tables.derived import carers_with_days, with_zone_reasons
from carezones.tables.readable import for_people, hhmm, quote, unit_text
from carezones.tables.write import DATA_FOLDER, data_file, write_tables

__all__ = [
    "DATA_FOLDER",
    "DATA_ONLY",
    "MEASURED_OVER_DAYS",
    "Reading",
    "carers_with_days",
    "data_file",
    "for_people",
    "hhmm",
    "quote",
    "reading_of",
    "reading_of_unit",
    "unit_text",
    "with_zone_reasons",
    "write_tables",
]
