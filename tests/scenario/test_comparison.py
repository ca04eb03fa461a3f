"""What differs between scenarios: a table generated from the specs, exactly the changed keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from carezones.scenario import Scenario, differences, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = {"name": "a", "population": {"n_clients": 40}, "zones": {"n_zones": 3},
        "providers": {"n_providers": 2}, "routing": {"n_jobs": 1}}  # fmt: skip


def test_the_differences_table_lists_exactly_the_parameters_that_differ() -> None:
    """Three keys changed on a copy: those three rows and no others, with both values."""
    a = Scenario.from_dict(BASE)
    b = a.with_options(
        {"zones.n_zones": 4, "demand.virtual_share": 0.5, "costing.pay_terms": "zero_hours",
         "routing.n_jobs": 2, "description": "another"},
        name="b",
    )  # fmt: skip
    table = differences([a, b])
    assert set(table.index) == {"zones.n_zones", "demand.virtual_share", "costing.pay_terms"}
    assert table.loc["zones.n_zones"].tolist() == ["3", "4"]
    assert table.loc["costing.pay_terms"].tolist() == ["salaried", "zero_hours"]
    assert list(table.columns) == ["a", "b"]
    assert differences([a, a.with_options({}, name="c")]).empty  # only the name differs


def test_nested_tables_and_resolved_defaults_count() -> None:
    """A changed overhead line or carers' access shows by its own key; recruitment as resolved."""
    a = Scenario.from_dict(BASE)
    b = a.with_options({"costing.fixed_costs_gbp_per_week": {"office": 500.0},
                        "population.access": {"cycle": 0.3, "drive": 0.8}}, name="b")  # fmt: skip
    table = differences([a, b])
    assert "population.access.drive" in table.index
    assert "population.access.cycle" not in table.index  # 0.3 is the default too
    assert "costing.fixed_costs_gbp_per_week.office" in table.index
    assert "costing.fixed_costs_gbp_per_week.registered_manager" in table.index
    then = Scenario.from_dict({**BASE, "name": "then", "kind": "then"})
    assert differences([then, a]).loc["providers.recruitment"].tolist() == ["anywhere", "local"]


def test_zones_only_differs_from_then_in_zones_and_providers_alone() -> None:
    """The example files: "now, zones only" changes the zones and providers of "then", no more.

    "now" adds local recruitment and virtual calls; the brokered "then" changes its market.
    """
    names = ("then", "then_brokered", "now", "now_zones_only")
    then, brokered, now, zones_only = (load_scenario(EXAMPLES / f"{n}.toml") for n in names)
    changed = set(differences([then, zones_only]).index)
    assert changed
    assert all(k == "kind" or k.startswith(("zones.", "providers.", "population.n_providers"))
               for k in changed), changed  # fmt: skip
    assert "providers.recruitment" not in changed  # carers recruited as then's were
    assert set(differences([zones_only, now]).index) == {"providers.recruitment",
                                                         "demand.virtual_share"}  # fmt: skip
    assert set(differences([then, brokered]).index) == {"providers.allocation",
                                                        "providers.recruitment"}  # fmt: skip


@pytest.mark.parametrize("name", ["then", "then_brokered", "now", "now_zones_only"])
def test_camden_examples_share_their_people(name: str) -> None:
    """Every Camden example deals out the same clients and carers (the same population)."""
    s = load_scenario(EXAMPLES / f"{name}.toml")
    assert s.population is not None
    assert (s.population.n_clients, s.population.n_carers, s.population.total_weekly_hours,
            s.population.seed, s.seed) == (2000, "auto", 21000, 0, 0)  # fmt: skip
