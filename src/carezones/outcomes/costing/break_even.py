"""What a provider's size does to its costs: break-even hours, the rate it needs, its workforce.

A provider's costs a week are its variable costs per contact hour ``v`` (careworker pay
for the hours its terms pay, on-costs, mileage, the running costs that grow with the
hours) times its contact hours ``H``, plus its fixed costs ``F`` (registered manager,
care coordinators, office, registration and insurance). Offered a rate ``p`` per contact
hour, it breaks even at::

    break-even weekly hours  H* = F / (p - v)       (never, when p <= v)

and, to earn its surplus share ``s`` as well, it needs a rate of::

    needed rate at size H    (v + F / H) / (1 - s)

so a provider below ``H*`` loses money at the offered rate however well it is run: the
reason a commissioner sets a provider floor. :func:`rate_curve` draws the needed rate
against size; :func:`workforce_needed` turns a plan's paid hours into the carers and
full-time equivalents needed to serve the care.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.outcomes.costing.inputs import MPH_HOURLY_RATE_GBP, CostInputs, is_number

__all__ = ["break_even_hours", "needed_rate", "rate_curve", "workforce_needed"]

#: Provider sizes (contact hours a week) :func:`rate_curve` draws by default.
CURVE_HOURS = (100, 150, 200, 250, 300, 400, 500, 600, 700, 800, 1000, 1200, 1500, 2000, 2500,
               3000, 4000)  # fmt: skip


def _check(where: str, **values: Any) -> None:
    problems = [
        Problem(where, "bad value", "a number >= 0", repr(v), column=k)
        for k, v in values.items()
        if not (is_number(v) and float(v) >= 0)
    ]
    if problems:
        raise ValidationError(problems)


def break_even_hours(
    variable_cost: float, fixed_costs_per_week: float, offered_rate: float
) -> float:
    """Weekly contact hours at which the offered rate covers a provider's costs.

    Parameters
    ----------
    variable_cost
        Costs per contact hour that do not shrink with size, £ >= 0.
    fixed_costs_per_week
        The provider's fixed costs, £ a week >= 0.
    offered_rate
        The rate the commissioner offers per contact hour, £ >= 0.

    Returns
    -------
    float
        ``fixed_costs_per_week / (offered_rate - variable_cost)``; ``inf`` when the rate
        does not cover the variable costs (no size breaks even), 0 without fixed costs.

    Examples
    --------
    A toy provider: £3,000 a week of fixed costs, £26 of variable costs per contact hour,
    offered £32: each hour leaves £6 towards the fixed costs, so 500 hours a week.

    >>> break_even_hours(26.0, 3000.0, 32.0)
    500.0
    >>> break_even_hours(33.0, 3000.0, 32.0)
    inf
    """
    _check("break_even_hours", variable_cost=variable_cost,
           fixed_costs_per_week=fixed_costs_per_week, offered_rate=offered_rate)  # fmt: skip
    margin = float(offered_rate) - float(variable_cost)
    if fixed_costs_per_week == 0:
        return 0.0
    return float(fixed_costs_per_week) / margin if margin > 0 else math.inf


def needed_rate(
    variable_cost: Any, fixed_costs_per_week: float, weekly_hours: Any, surplus_share: float
) -> Any:
    """The rate per contact hour a provider of ``weekly_hours`` needs, its surplus included.

    ``(variable_cost + fixed_costs_per_week / weekly_hours) / (1 - surplus_share)``, for
    scalars or arrays; ``inf`` at no hours.

    Examples
    --------
    >>> round(needed_rate(26.0, 3000.0, 500.0, 0.0), 2), round(needed_rate(26.0, 3000.0,
    ...       1000.0, 0.03), 2)
    (32.0, 29.9)
    """
    hours = np.asarray(weekly_hours, dtype=float)
    with np.errstate(divide="ignore"):
        spread = np.where(hours > 0, float(fixed_costs_per_week) / np.where(hours > 0, hours, 1),
                          np.inf)  # fmt: skip
    out = (np.asarray(variable_cost, dtype=float) + spread) / (1.0 - float(surplus_share))
    return float(out) if np.ndim(out) == 0 else out


def rate_curve(
    variable_cost: float,
    *,
    inputs: CostInputs | None = None,
    offered_rate: float | None = None,
    sizes: Any = None,
) -> pd.DataFrame:
    """The rate a provider needs against its size, beside the rate offered.

    Parameters
    ----------
    variable_cost
        Costs per contact hour that do not shrink with size (a plan's
        ``variable_cost_gbp_per_hour``), £ >= 0.
    inputs
        Fixed costs and surplus share; None: the defaults.
    offered_rate
        The offered rate, £ per contact hour; None: the Minimum Price for Homecare.
    sizes
        Contact hours a week to price; None: :data:`CURVE_HOURS`.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``provider_weekly_hours``, ``cost_gbp_per_hour`` (costs alone:
        break-even), ``needed_rate_gbp_per_hour`` (with the surplus),
        ``offered_rate_gbp_per_hour`` and ``covered`` (the offered rate covers the
        costs).

    Examples
    --------
    >>> curve = rate_curve(28.48, sizes=[500, 1000, 2000])
    >>> curve[["provider_weekly_hours", "needed_rate_gbp_per_hour", "covered"]].round(2)
       provider_weekly_hours  needed_rate_gbp_per_hour  covered
    0                  500.0                     34.92    False
    1                 1000.0                     32.14     True
    2                 2000.0                     30.75     True
    """
    inputs = CostInputs() if inputs is None else inputs
    offered_rate = MPH_HOURLY_RATE_GBP if offered_rate is None else offered_rate
    hours = np.asarray(CURVE_HOURS if sizes is None else sizes, dtype=float)
    fixed = inputs.fixed_costs_per_week
    cost = needed_rate(variable_cost, fixed, hours, 0.0)
    return pd.DataFrame(
        {
            "provider_weekly_hours": hours,
            "cost_gbp_per_hour": cost,
            "needed_rate_gbp_per_hour": needed_rate(
                variable_cost, fixed, hours, inputs.surplus_share
            ),
            "offered_rate_gbp_per_hour": float(offered_rate),
            "covered": cost <= float(offered_rate) + 1e-12,
        }
    )


def workforce_needed(
    paid_hours: float,
    care_hours: float,
    demanded_care_hours: float,
    *,
    inputs: CostInputs | None = None,
    full_time_hours: float = 37.5,
) -> dict[str, float]:
    """The paid hours, FTE and carers a plan needs to serve all the care demanded.

    The plan's paid hours per contact hour, times the carer-hours demanded (what was
    served plus what was not), is the paid week for equal care; a carer also takes
    holiday and is sometimes off sick, so the workforce is that week times
    ``1 + holiday rate + sickness share``, in full-time equivalents (``full_time_hours``)
    and in carers working ``inputs.weekly_paid_hours`` on average.

    Parameters
    ----------
    paid_hours
        The plan's paid carer hours a week (under its terms).
    care_hours
        The plan's contact hours a week (carer-hours: a double-up counts twice).
    demanded_care_hours
        Carer-hours a week the demanded care needs (served and unserved).
    inputs
        Holiday, sickness and the average paid week; None: the defaults.
    full_time_hours
        Hours a week of one FTE, > 0.

    Returns
    -------
    dict
        ``paid_hours_equal_care``, ``fte_needed`` and ``carers_needed``.

    Examples
    --------
    >>> out = workforce_needed(1500.0, 1000.0, 1100.0, full_time_hours=37.5)
    >>> {k: round(v, 1) for k, v in out.items()}
    {'paid_hours_equal_care': 1650.0, 'fte_needed': 50.6, 'carers_needed': 63.3}
    """
    inputs = CostInputs() if inputs is None else inputs
    _check("workforce_needed", paid_hours=paid_hours, care_hours=care_hours,
           demanded_care_hours=demanded_care_hours)  # fmt: skip
    if not (is_number(full_time_hours) and full_time_hours > 0):
        raise ProblemCollector("workforce_needed").error(
            "bad value", "a number > 0", repr(full_time_hours), column="full_time_hours"
        )
    if care_hours <= 0:
        nan = float("nan")
        return {"paid_hours_equal_care": nan, "fte_needed": nan, "carers_needed": nan}
    equal = float(paid_hours) / float(care_hours) * float(demanded_care_hours)
    staffed = equal * (1.0 + inputs.holiday_rate + inputs.sickness_share)
    return {
        "paid_hours_equal_care": equal,
        "fte_needed": staffed / float(full_time_hours),
        "carers_needed": staffed / inputs.weekly_paid_hours,
    }
