"""Linked visits in tables: the ``link_id``, ``link_role``, ``min_gap``, ``max_gap`` columns.

A visits table ties two visits by giving them the same ``link_id``, one with
``link_role = "first"`` and one with ``"second"``: the second starts ``min_gap`` to
``max_gap`` minutes after the first starts (both 0, or both empty: together). The gaps are
read from the ``second`` row (or the ``first`` row when the second leaves them empty). An
optional ``different_carers`` column says whether the two visits need different carers;
by default a simultaneous pair does (two carers at once) and an ordered pair does not.

:func:`links_from_visits` turns those columns into a links table (``first``, ``second``,
``min_gap``, ``max_gap`` in minutes, ``different_carers``), the form
:func:`~carezones.routing.validate_plan` and the table adapter read;
:func:`problem_links` gives the links of a compiled problem in that form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carezones.exceptions import ProblemCollector
from carezones.routing.problem import RoutingProblem

__all__ = ["LINK_COLUMNS", "links_from_visits", "problem_links"]

#: The columns of a links table.
LINK_COLUMNS = ["link_id", "first", "second", "min_gap", "max_gap", "different_carers"]
#: The longest gap a link may ask for (a day): visits are routed day by day.
MAX_GAP_MINUTES = 24 * 60


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "link_id": pd.Series(dtype=object),
            "first": pd.Series(dtype=object),
            "second": pd.Series(dtype=object),
            "min_gap": pd.Series(dtype=float),
            "max_gap": pd.Series(dtype=float),
            "different_carers": pd.Series(dtype=bool),
        }
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == ""


def _truth(value: Any) -> bool | None:
    if _blank(value):
        return None
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f"):
        return False
    return None


def links_from_visits(visits: pd.DataFrame, *, where: str = "visits") -> pd.DataFrame:
    """The links a visits table declares with ``link_id`` and ``link_role``.

    Parameters
    ----------
    visits
        A visits table; without a ``link_id`` column it has no links.
    where
        The table's name in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per link: ``link_id``, ``first``, ``second`` (visit ids), ``min_gap``,
        ``max_gap`` (minutes), ``different_carers``.

    Raises
    ------
    ValidationError
        Listing every link without exactly one ``first`` and one ``second``, a bad role, a
        gap that is not a number >= 0, or ``min_gap > max_gap``.

    Examples
    --------
    >>> visits = pd.DataFrame({"visit_id": ["am", "pm", "x"], "link_id": ["m1", "m1", None],
    ...     "link_role": ["first", "second", None], "min_gap": [None, 240, None],
    ...     "max_gap": [None, 300, None]})
    >>> links_from_visits(visits).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'link_id': 'm1', 'first': 'am', 'second': 'pm', 'min_gap': 240.0, 'max_gap': 300.0,
      'different_carers': False}]
    """
    if "link_id" not in visits.columns:
        return _empty()
    ids = visits["visit_id"].astype(str).tolist() if "visit_id" in visits.columns else None
    c = ProblemCollector(where, ids=ids, id_column="visit_id")
    if "link_role" not in visits.columns:
        c.add("missing column", "a column 'link_role' beside 'link_id'", "none",
              column="link_role")  # fmt: skip
        c.raise_if_any()
    rows: dict[str, dict[str, Any]] = {}
    for i, (lid, role) in enumerate(zip(visits["link_id"], visits["link_role"], strict=True)):
        if _blank(lid):
            continue
        key = str(lid)
        got = rows.setdefault(key, {"first": [], "second": []})
        text = "" if _blank(role) else str(role).strip().lower()
        if text not in ("first", "second"):
            c.add("bad link_role", "'first' or 'second'", repr(role), row=i, column="link_role")
            continue
        got[text].append(i)
    out = []
    days = visits["day"].tolist() if "day" in visits.columns else None
    get = {col: visits[col].tolist() if col in visits.columns else None
           for col in ("min_gap", "max_gap", "different_carers")}  # fmt: skip
    for key, got in rows.items():
        if len(got["first"]) != 1 or len(got["second"]) != 1:
            at = (got["first"] + got["second"] or [None])[0]
            c.add("bad link", "one 'first' and one 'second' visit per link_id",
                  f"{len(got['first'])} first and {len(got['second'])} second for {key!r}",
                  row=at, column="link_id")  # fmt: skip
            continue
        a, b = got["first"][0], got["second"][0]
        if days is not None and str(days[a]) != str(days[b]):
            c.add("link across days", "both visits of a link on the same day",
                  f"{days[a]} and {days[b]} for {key!r}", row=b, column="day")  # fmt: skip
            continue
        gaps = []
        for col in ("min_gap", "max_gap"):
            values = get[col]
            value = None
            if values is not None:
                value = values[b] if not _blank(values[b]) else values[a]
            try:
                gap = 0.0 if _blank(value) else float(value)
            except (TypeError, ValueError):
                gap = -1.0
            if not (np.isfinite(gap) and 0 <= gap <= MAX_GAP_MINUTES):
                c.add("bad gap", f"a number of minutes from 0 to {MAX_GAP_MINUTES}", repr(value),
                      row=b, column=col)  # fmt: skip
                gap = 0.0
            gaps.append(gap)
        if gaps[0] > gaps[1]:
            c.add("bad gap", "min_gap <= max_gap", f"{gaps[0]:g} > {gaps[1]:g}", row=b,
                  column="max_gap")  # fmt: skip
        apart = None
        if get["different_carers"] is not None:
            apart = _truth(get["different_carers"][b])
            if apart is None:
                apart = _truth(get["different_carers"][a])
        if apart is None:
            apart = gaps[0] == 0 and gaps[1] == 0
        vid = visits["visit_id"].tolist()
        out.append([key, vid[a], vid[b], gaps[0], gaps[1], bool(apart)])
    c.raise_if_any()
    if not out:
        return _empty()
    return pd.DataFrame(out, columns=LINK_COLUMNS)


def problem_links(problem: RoutingProblem) -> pd.DataFrame:
    """The links of a compiled problem as a links table (gaps in minutes)."""
    if not problem.links:
        return _empty()
    ids = problem.visit_ids
    return pd.DataFrame(
        [
            [
                f"link{k}",
                ids[x.first],
                ids[x.second],
                x.min_gap / 60.0,
                x.max_gap / 60.0,
                x.different_carers,
            ]
            for k, x in enumerate(problem.links)
        ],
        columns=LINK_COLUMNS,
    )
