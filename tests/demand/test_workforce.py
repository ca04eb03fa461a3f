"""Staffing: every provider or zone staffed by one rule against its own day-slots, skills."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carezones.demand import group_cover, short_hours, staff_groups


def _carers(rows: list[tuple[str, int, int, str]]) -> pd.DataFrame:
    """Carers from (days, shift start, shift end, skills)."""
    return pd.DataFrame(
        [{"days": d, "shift_start": a, "shift_end": b, "max_minutes": b - a, "skills": k}
         for d, a, b, k in rows]
    )  # fmt: skip


def test_each_group_gets_the_carers_its_own_slots_and_skills_need() -> None:
    """A group needing a hoist gets the carer with one, whatever its preference says."""
    visits = pd.DataFrame({"day": "monday", "window_start": [450, 450],
                           "duration": [60, 60], "carers_needed": 1,
                           "skills": ["hoist", ""]})  # fmt: skip
    carers = _carers([("monday", 420, 840, ""), ("monday", 420, 840, "hoist")])
    # each group prefers the wrong carer
    s = staff_groups(visits, carers, ["H", "P"], ["H", "P"], np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert s.group.tolist() == ["P", "H"]
    assert s.short()["short_hours"].sum() == 0.0


def test_a_short_workforce_is_reported_with_the_hours() -> None:
    """A group no carer can cover on Sunday evening is left short by the hours it needs."""
    visits = pd.DataFrame({"day": ["monday", "sunday"], "window_start": [450, 1200],
                           "duration": [60, 70], "carers_needed": 1, "skills": ""})  # fmt: skip
    carers = _carers([("monday", 420, 840, "")])
    s = staff_groups(visits, carers, ["A"], ["A", "A"], np.zeros((1, 1)))
    short = s.short().set_index("group")
    need = 70 / 60 * 1.25 / 0.7  # the care, its travel allowance, at the utilisation
    assert short.loc["A", "short_hours"] == pytest.approx(need)
    assert short.loc["A", "short_day_slots"] == 1 and "sunday bed" in short.loc["A", "worst"]
    again = short_hours(group_cover(visits, carers, ["A", "A"], s.group))
    assert again["short_hours"].tolist() == pytest.approx([need])


def test_preference_decides_between_carers_who_fit_alike() -> None:
    """Two carers who fit alike go to the groups that prefer them (nearest first)."""
    visits = pd.DataFrame({"day": "monday", "window_start": [450, 450], "duration": 30,
                           "carers_needed": 1, "skills": ""})  # fmt: skip
    carers = _carers([("monday", 420, 840, ""), ("monday", 420, 840, "")])
    near = np.array([[5.0, 1.0], [1.0, 5.0]])  # carer 0 lives near B, carer 1 near A
    assert staff_groups(visits, carers, ["A", "B"], ["A", "B"], near).group.tolist() == ["B", "A"]
    far = near[:, ::-1]
    assert staff_groups(visits, carers, ["A", "B"], ["A", "B"], far).group.tolist() == ["A", "B"]


def test_spare_carers_go_where_they_are_preferred() -> None:
    """Once every group is covered, carers left work for the group that prefers them most."""
    visits = pd.DataFrame({"day": "monday", "window_start": [450], "duration": 30,
                           "carers_needed": 1, "skills": ""})  # fmt: skip
    carers = _carers([("monday", 420, 840, "")] * 3)
    pref = np.array([[0.0, 9.0], [9.0, 0.0], [9.0, 0.0]])
    s = staff_groups(visits, carers, ["A", "B"], ["A"], pref)
    assert s.group.tolist() == ["A", "B", "B"]
