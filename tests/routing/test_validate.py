"""The independent plan validator catches each planted violation and passes a valid plan."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from carezones import ValidationError
from carezones.routing import VALIDATION_RULES as RULES
from carezones.routing import validate_plan

PLACES = ["ann", "bob", "c1", "c2", "c3"]


def base() -> dict[str, pd.DataFrame]:
    """A valid Monday: ann does v1, v2 and v3 with bob; v4 is listed unscheduled."""
    visits = pd.DataFrame(
        {
            "visit_id": ["v1", "v2", "v3", "v4"],
            "client_id": ["c1", "c2", "c3", "c1"],
            "day": "monday",
            "window_start": [480, 480, 630, 1200],
            "window_end": [570, 630, 720, 1290],
            "duration": [30, 30, 30, 30],
            "carers_needed": [1, 1, 2, 1],
            "skills": ["", "hoist", "", ""],
            # v2 follows v1 by 30 to 90 minutes (here 60), the same carer allowed
            "link_id": ["m", "m", None, None],
            "link_role": ["first", "second", None, None],
            "min_gap": [None, 30, None, None],
            "max_gap": [None, 90, None, None],
            "different_carers": [None, False, None, None],
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": ["ann", "bob"],
            "mode": "walk",
            "shift_start": 420,
            "shift_end": 840,
            "max_minutes": 300,
            "skills": ["hoist", ""],
            "break_minutes": [30, 0],
            "break_start": [720, 0],
            "break_end": [810, 0],
            "days": "monday;tuesday",
        }
    )
    routes = pd.DataFrame(
        {
            "carer_id": ["ann", "ann", "ann", "bob"],
            "sequence": [1, 2, 3, 1],
            "visit_id": ["v1", "v2", "v3", "v3"],
            "start": [480, 540, 630, 630],
            "end": [510, 570, 660, 660],
        }
    )
    walk = pd.DataFrame(600.0, index=PLACES, columns=PLACES)
    for p in PLACES:
        walk.loc[p, p] = 0.0
    unscheduled = pd.DataFrame(
        {"visit_id": ["v4"], "reason": ["no free time in any eligible carer's day"]}
    )
    return {
        "routes": routes,
        "visits": visits,
        "carers": carers,
        "walk": walk,
        "unscheduled": unscheduled,
    }


def check(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return validate_plan(
        tables["routes"],
        tables["visits"],
        tables["carers"],
        travel={"walk": tables["walk"]},
        unscheduled=tables["unscheduled"],
    )


def test_a_valid_plan_has_no_violation() -> None:
    """The hand-made plan keeps every rule."""
    assert check(base()).empty


def _set(frame: str, row: int, column: str, value: object) -> Callable[[dict], None]:
    def plant(t: dict) -> None:
        t[frame].loc[row, column] = value

    return plant


def _shift(row: int, minutes: int) -> Callable[[dict], None]:
    def plant(t: dict) -> None:
        t["routes"].loc[row, ["start", "end"]] += minutes

    return plant


def _drop(row: int) -> Callable[[dict], None]:
    def plant(t: dict) -> None:
        t["routes"] = t["routes"].drop(index=row).reset_index(drop=True)

    return plant


def _append(**row: object) -> Callable[[dict], None]:
    def plant(t: dict) -> None:
        t["routes"] = pd.concat([t["routes"], pd.DataFrame([row])], ignore_index=True)

    return plant


def _unlist(t: dict) -> None:
    t["unscheduled"] = t["unscheduled"].iloc[:0]


def _also_unscheduled(t: dict) -> None:
    t["unscheduled"] = pd.concat(
        [t["unscheduled"], pd.DataFrame({"visit_id": ["v1"], "reason": ["x"]})]
    )


def _no_path(t: dict) -> None:
    t["walk"].loc["c1", "c2"] = np.inf


PLANTED = {
    "early": _shift(0, -20),
    "late": _shift(1, 70),
    "too short": _set("routes", 0, "end", 500),
    "skill": _set("routes", 1, "carer_id", "bob"),
    "overlap": _set("routes", 1, "start", 500),
    "travel": _set("routes", 1, "start", 515),
    "shift start": _set("carers", 0, "shift_start", 475),
    "shift end": _set("carers", 0, "shift_end", 660),
    "max minutes": _set("carers", 0, "max_minutes", 120),
    "break": _set("carers", 0, "break_start", 540),
    "same carer twice": _set("routes", 3, "carer_id", "ann"),
    "not together": _shift(3, 5),
    "carers": _drop(3),
    "missing visit": _unlist,
    "routed and unscheduled": _also_unscheduled,
    "unknown visit": _append(carer_id="bob", sequence=2, visit_id="v9", start=700, end=730),
    "unknown carer": _append(carer_id="zed", sequence=1, visit_id="v1", start=480, end=510),
    "duplicate": _append(carer_id="ann", sequence=4, visit_id="v1", start=480, end=510),
    "day off": _set("carers", 1, "days", "tuesday"),
    "unreachable": _no_path,
    "link gap": _set("visits", 1, "min_gap", 75),
    "link same carer": _set("visits", 1, "different_carers", True),
    "link incomplete": _drop(1),
}


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_each_planted_violation_is_caught(rule: str) -> None:
    """Breaking one rule in the valid plan reports that rule."""
    tables = {k: v.copy() for k, v in base().items()}
    if rule == "break":  # a 30-minute break that must fall inside a busy morning
        tables["carers"].loc[0, ["break_start", "break_end"]] = [510, 550]
    else:
        PLANTED[rule](tables)
    found = check(tables)
    assert rule in set(found["rule"]), found
    assert set(found["rule"]) <= set(RULES)


def test_every_rule_is_planted_somewhere() -> None:
    """The planted cases cover every rule the validator knows."""
    assert set(PLANTED) == set(RULES)


def test_soft_windows_allow_lateness_up_to_the_limit() -> None:
    """Ending 40 minutes late is fine with soft windows and 60 minutes allowed, not with 20."""
    tables = base()
    _shift(2, 100)(tables)  # v3, for both carers
    _shift(3, 100)(tables)
    kwargs = dict(
        travel={"walk": tables["walk"]}, unscheduled=tables["unscheduled"], time_windows="soft"
    )
    args = (tables["routes"], tables["visits"], tables["carers"])
    assert validate_plan(*args, max_lateness_minutes=60, **kwargs).empty
    assert "late" in set(validate_plan(*args, max_lateness_minutes=20, **kwargs)["rule"])


def test_missing_columns_are_listed_at_once() -> None:
    """Every missing column of every table is named in one error."""
    with pytest.raises(ValidationError) as err:
        validate_plan(
            pd.DataFrame({"carer_id": []}),
            pd.DataFrame({"visit_id": []}),
            pd.DataFrame(),
            travel={},
        )
    text = str(err.value)
    assert "'start'" in text and "'window_start'" in text and "'shift_end'" in text
