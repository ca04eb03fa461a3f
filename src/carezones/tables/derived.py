"""Columns a person needs that the exact tables spread over several: modes per carer-day.

A carer's ``mode`` is only the one plans start from; :func:`carers_with_days` counts the
carer-days each mode was used (the plan's choice). An unscheduled visit of a client in no
zone says why the client is in none (:func:`with_zone_reasons`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["carers_with_days", "with_zone_reasons"]


def carers_with_days(carers: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """The carers with the carer-days each mode was used (the plan's choice, day by day).

    ``days_walking``, ``days_cycling``, ``days_driving``: days with at least one visit
    made on that mode. A carer's ``mode`` (only the one plans start from, not a mode
    used) is left out; ``modes`` says what the carer can use.
    """
    out = pd.DataFrame(carers).drop(columns="mode", errors="ignore")
    worked = shifts
    if {"carer_id", "mode"} <= set(shifts.columns):
        if "n_visits" in shifts.columns:
            worked = shifts[pd.to_numeric(shifts["n_visits"], errors="coerce").fillna(0) > 0]
        counts = worked.groupby(["carer_id", "mode"]).size().unstack(fill_value=0)
    else:
        counts = pd.DataFrame()
    for mode, column in (("walk", "days_walking"), ("cycle", "days_cycling"),
                         ("drive", "days_driving")):  # fmt: skip
        per = counts[mode] if mode in counts.columns else pd.Series(dtype=float)
        out[column] = out["carer_id"].map(per).fillna(0).astype(int)
    return out


def with_zone_reasons(unscheduled: pd.DataFrame, why: pd.Series) -> pd.DataFrame:
    """Unscheduled visits of clients in no zone, saying why the client is in none.

    "client in no zone" becomes "client in no zone: outside the boundary" (the reason in
    the assignments), so a visit's reason can be read on its own.

    Examples
    --------
    >>> visits = pd.DataFrame({"client_id": ["c1", "c2"],
    ...                        "reason": ["client in no zone", "no carers in zone"]})
    >>> with_zone_reasons(visits, pd.Series({"c1": "outside the boundary"}))["reason"].tolist()
    ['client in no zone: outside the boundary', 'no carers in zone']
    """
    if not len(unscheduled) or "reason" not in unscheduled or not len(why):
        return unscheduled
    out = unscheduled.copy()
    lost = out["reason"].astype(str) == "client in no zone"
    found = out.loc[lost, "client_id"].astype(str).map(why.rename(index=str))
    out.loc[lost, "reason"] = [
        "client in no zone" + (f": {w}" if isinstance(w, str) and w else "") for w in found
    ]
    return out
