"""The week's reliefs (carezones.routing.cover): valid, reproducible, and as good as exact."""

from __future__ import annotations

import numpy as np
import pytest

from carezones.routing.cover import Part, cover_cost, cover_exact, cover_runs

DAYS = ["tuesday", "wednesday", "thursday", "friday", "saturday"]


def _week(seed: int, runs: int = 6, reliefs: int = 6, clients: int = 8):
    """A random small week: runs with 1-3 clients, parts on 1-2 days, 1-3 carers free for each."""
    rng = np.random.default_rng(seed)
    parts, mains = [], {}
    for r in range(runs):
        own = frozenset(f"c{c}" for c in rng.choice(clients, rng.integers(1, 4), replace=False))
        for c in own:
            mains.setdefault(c, set()).add(f"M{r}")
        for seg in ["all"] if rng.random() < 0.6 else ["am", "pm"]:
            for d in rng.choice(DAYS, rng.integers(1, 3), replace=False):
                free = rng.choice(reliefs, rng.integers(1, 4), replace=False)
                who = tuple((f"R{k}", float(rng.integers(60, 1800))) for k in free)
                parts.append(Part(f"M{r}", seg, str(d), own, who))
    return parts, mains


def _valid(parts: list[Part], cover: dict) -> None:
    drives: dict[tuple[str, str], set[str]] = {}
    allowed = {(p.run, p.part, p.day): {k for k, _ in p.carers} for p in parts}
    for (run, part, day), k in cover.items():
        assert k in allowed[(run, part, day)], (run, part, day, k)
        drives.setdefault((k, day), set()).add(run)
    assert all(len(r) == 1 for r in drives.values()), "a carer drives two runs in a day"


@pytest.mark.parametrize("seed", range(30))
def test_the_search_finds_the_exact_best_cover_of_small_weeks(seed: int) -> None:
    parts, mains = _week(seed)
    found = cover_runs(parts, mains, moves=20_000, random_state=0)
    exact = cover_exact(parts, mains)
    _valid(parts, found)
    _valid(parts, exact)
    assert cover_cost(parts, mains, found) == pytest.approx(cover_cost(parts, mains, exact))


def test_same_inputs_same_cover_and_an_unsettled_part_is_left_out() -> None:
    parts, mains = _week(3, runs=10, reliefs=5)
    parts.append(Part("M0", "all", "sunday", frozenset({"c0"}), ()))  # no one free
    one = cover_runs(parts, mains, random_state=7)
    assert one == cover_runs(parts, mains, random_state=7)
    assert ("M0", "all", "sunday") not in one
    _valid(parts, one)


def test_a_clients_own_main_covers_their_other_run_before_a_stranger() -> None:
    # c1 is on A's and B's runs; B is off on Tuesday. A does not drive on Tuesday (their
    # run has no calls that day), so A can cover B's run and c1 meets no one new; N is
    # nearer but new to c1.
    parts = [Part("B", "all", "tuesday", frozenset({"c1"}), (("A", 1200.0), ("N", 60.0)))]
    assert cover_runs(parts, {"c1": {"A", "B"}}) == {("B", "all", "tuesday"): "A"}


def test_one_relief_covers_a_run_on_both_its_days_off_when_free() -> None:
    # Run A is off Tuesday and Wednesday; R is free both days, S and T one each and
    # nearer: the client meets one relief, not two.
    parts = [
        Part("A", "all", "tuesday", frozenset({"c1"}), (("R", 900.0), ("S", 60.0))),
        Part("A", "all", "wednesday", frozenset({"c1"}), (("R", 900.0), ("T", 60.0))),
    ]
    got = cover_runs(parts, {"c1": {"A"}})
    assert set(got.values()) == {"R"}
