"""Tests for carezones.exceptions: the one problem collector every reader and spec uses."""

from __future__ import annotations

import numpy as np
import pytest

from carezones.exceptions import Problem, ProblemCollector, ValidationError


def test_rows_are_named_as_the_user_sees_them() -> None:
    """Rows count from 1 (or carry their own labels) and show their id once known."""
    plain = ProblemCollector("clients.csv", id_column="client_id")
    assert plain.row(0) == "row 1"
    plain.ids = ["c1", ""]
    assert plain.row(0) == "row 1 (client_id 'c1')" and plain.row(1) == "row 2"
    labelled = ProblemCollector("rota.xlsx", labels=np.array([7, 9]), ids=["v1", None])
    assert labelled.row(1) == "row 9"
    assert labelled.row(0) == "row 7 (id 'v1')"


def test_add_takes_problem_fields_in_problem_order() -> None:
    """add(what, expected, found, row, column) makes the Problem with the collector's place."""
    c = ProblemCollector("carers.csv", ids=["k1"], id_column="carer_id")
    c.add("not a number", "a number of hours", "'ten'", 0, "contracted_hours")
    c.add("missing column", "a carer_id column", "none", column="carer_id")
    c.add("bad value", "an integer", "'x'", "row 12")
    assert c.problems == [
        Problem("carers.csv", "not a number", "a number of hours", "'ten'",
                row="row 1 (carer_id 'k1')", column="contracted_hours"),
        Problem("carers.csv", "missing column", "a carer_id column", "none", column="carer_id"),
        Problem("carers.csv", "bad value", "an integer", "'x'", row="row 12"),
    ]  # fmt: skip


def test_raise_once_with_every_problem() -> None:
    """Nothing is raised without problems; with some, one ValidationError lists them all."""
    c = ProblemCollector("spec")
    c.raise_if_any()
    assert not c and len(c) == 0
    c.add("bad value", "a number > 0", "-1", column="max_seconds")
    c.extend([Problem("other.csv", "missing file", "an existing file", "no such file")])
    with pytest.raises(ValidationError) as err:
        c.raise_if_any()
    assert len(err.value.problems) == 2 and list(c) == list(err.value.problems)
    assert "spec, column 'max_seconds'" in str(err.value) and "other.csv" in str(err.value)


def test_the_three_old_collectors_are_gone() -> None:
    """The demand checks, the rota reader and the scenario spec share ProblemCollector."""
    import carezones.demand.checks as checks
    import carezones.rota.read as rota_read
    import carezones.scenario.spec as spec

    for module in (checks, rota_read, spec):
        assert module.ProblemCollector is ProblemCollector
        assert not any(hasattr(module, n) for n in ("_Ctx", "_Collector", "_Checker"))
