"""The open-book hourly rate: :func:`hourly_rate` for one visit profile, and per zone and provider.

See :mod:`carezones.outcomes.costing` for how a contact hour is priced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carezones.exceptions import Problem, ProblemCollector, ValidationError
from carezones.outcomes.costing.inputs import (
    KM_PER_MILE,
    PAY_COMPONENTS,
    CostInputs,
    FrozenLines,
    is_number,
)

__all__ = ["CostBreakdown", "components", "hourly_rate", "provider_rates", "zone_rates"]


@dataclass(frozen=True)
class CostBreakdown:
    """The price of one contact hour, component by component, in £ per contact hour.

    Returned by :func:`hourly_rate`. ``total`` is the hourly rate; ``str()`` prints a
    table and :meth:`to_frame` returns it.

    Attributes
    ----------
    contact_pay, travel_pay, waiting_pay, training_pay
        Careworker pay for contact time, travel time, waiting between calls inside a paid
        day, and training time (what is paid follows ``pay_terms``).
    holiday_pay, sick_pay, employer_ni, employer_pension
        On-costs of that pay.
    mileage
        Mileage paid for the car miles between visits.
    overheads
        The running costs that grow with the hours, by line.
    fixed_costs
        The provider's fixed costs spread over its weekly contact hours, by line.
    surplus
        The provider's surplus.
    visit_minutes, travel_minutes_per_visit, miles_per_visit, waiting_minutes_per_visit
        The visit pattern priced.
    provider_weekly_hours
        The provider's contact hours a week its fixed costs are spread over.
    """

    contact_pay: float
    travel_pay: float
    waiting_pay: float
    training_pay: float
    holiday_pay: float
    sick_pay: float
    employer_ni: float
    employer_pension: float
    mileage: float
    overheads: Mapping[str, float]
    fixed_costs: Mapping[str, float]
    surplus: float
    visit_minutes: float
    travel_minutes_per_visit: float
    miles_per_visit: float
    waiting_minutes_per_visit: float = 0.0
    provider_weekly_hours: float = 1000.0

    @property
    def careworker_costs(self) -> float:
        """Pay, on-costs and mileage: what it costs to employ the careworkers."""
        return sum(getattr(self, name) for name, _ in PAY_COMPONENTS)

    @property
    def business_costs(self) -> float:
        """The running costs together: the overhead lines and the fixed costs' share."""
        return float(sum(self.overheads.values()) + sum(self.fixed_costs.values()))

    @property
    def variable_costs(self) -> float:
        """Costs per contact hour that do not shrink with size: careworker costs and overheads."""
        return self.careworker_costs + float(sum(self.overheads.values()))

    @property
    def total(self) -> float:
        """The hourly rate, £ per contact hour."""
        return self.careworker_costs + self.business_costs + self.surplus

    @property
    def cost_per_visit(self) -> float:
        """The price of one visit, £: the hourly rate times the visit length."""
        return self.total * self.visit_minutes / 60.0

    def to_frame(self) -> pd.DataFrame:
        """Return the components as a table (without a total row).

        Returns
        -------
        pandas.DataFrame
            Index ``component``; columns ``group`` (careworker pay, on-costs, travel
            expenses, business costs, surplus), ``gbp_per_hour`` and ``share`` of the total.

        Examples
        --------
        >>> b = hourly_rate(travel_minutes_per_visit=7.5, visit_minutes=30)
        >>> b.to_frame().loc[["contact_pay", "mileage"], "gbp_per_hour"].round(2).tolist()
        [12.21, 2.25]
        >>> round(float(b.to_frame()["gbp_per_hour"].sum()), 2)
        32.14
        """
        rows = [(name, group, getattr(self, name)) for name, group in PAY_COMPONENTS]
        rows += [(name, "business costs", value) for name, value in self.overheads.items()]
        rows += [(name, "fixed costs", value) for name, value in self.fixed_costs.items()]
        rows.append(("surplus", "surplus", self.surplus))
        frame = pd.DataFrame(rows, columns=["component", "group", "gbp_per_hour"])
        frame["share"] = frame["gbp_per_hour"] / self.total
        return frame.set_index("component")

    def __str__(self) -> str:
        frame = self.to_frame()
        head = (
            f"Hourly rate per contact hour: {round(self.visit_minutes, 1):g}-minute visits, "
            f"{round(self.travel_minutes_per_visit, 1):g} min travel and "
            f"{self.miles_per_visit:.2f} miles per visit"
        )
        width = max(len(str(name)) for name in [*frame.index, "total"])
        lines = [head, f"{'component':<{width}}  {'group':<16} {'£/h':>7} {'share':>7}"]
        for name, row in frame.iterrows():
            lines.append(
                f"{name!s:<{width}}  {row['group']:<16} {row['gbp_per_hour']:7.2f} "
                f"{row['share']:7.1%}"
            )
        lines.append(f"{'total':<{width}}  {'':<16} {self.total:7.2f} {1:7.1%}")
        return "\n".join(lines)


def components(
    inputs: CostInputs,
    contact_minutes: Any,
    travel_minutes: Any,
    miles: Any,
    waiting_minutes: Any = 0.0,
    paid_contact_minutes: Any = None,
) -> dict[str, Any]:
    """The pay components per contact hour (scalars or numpy arrays alike).

    ``contact_minutes`` are every minute of care, ``paid_contact_minutes`` the minutes of
    it carers are paid for (default all; a virtual call may be paid less); travel and
    waiting are paid as ``inputs.pay_terms`` says (travel unless "zero_hours", waiting
    only if "salaried"); ``miles`` are paid as mileage. Any period will do: only ratios
    count.
    """
    wage = float(inputs.wage_gbp_per_hour)
    terms = inputs.pay_terms
    paid = contact_minutes if paid_contact_minutes is None else paid_contact_minutes
    contact = wage * (paid / contact_minutes)
    travel = wage * (travel_minutes / contact_minutes) * (terms != "zero_hours")
    waiting = wage * (waiting_minutes / contact_minutes) * (terms == "salaried")
    training = (contact + travel + waiting) * inputs.training_share
    worked = contact + travel + waiting + training
    holiday = worked * inputs.holiday_rate
    sick = worked * inputs.sickness_share
    gross = worked + holiday + sick
    return {
        "contact_pay": contact,
        "travel_pay": travel,
        "waiting_pay": waiting,
        "training_pay": training,
        "holiday_pay": holiday,
        "sick_pay": sick,
        "employer_ni": gross * inputs.ni_share,
        "employer_pension": gross * inputs.pension_share,
        "mileage": miles * (60.0 / contact_minutes) * inputs.mileage_gbp_per_mile,
    }


def _surplus(costs: Any, inputs: CostInputs) -> Any:
    return costs * inputs.surplus_share / (1.0 - inputs.surplus_share)


def _check_inputs(inputs: CostInputs | None) -> CostInputs:
    if inputs is None:
        return CostInputs()
    if not isinstance(inputs, CostInputs):
        raise ProblemCollector("inputs").error(
            "bad value", "a CostInputs or None", type(inputs).__name__
        )
    return inputs


def hourly_rate(
    *,
    travel_minutes_per_visit: float,
    visit_minutes: float,
    miles_per_visit: float | None = None,
    inputs: CostInputs | None = None,
    waiting_minutes_per_visit: float = 0.0,
    provider_weekly_hours: float | None = None,
) -> CostBreakdown:
    """Price one contact hour for a visit pattern, open-book.

    Parameters
    ----------
    travel_minutes_per_visit
        Paid travel time per visit, minutes >= 0 (measured on the network, walking,
        cycling or driving).
    visit_minutes
        Average visit length (contact time), minutes > 0.
    miles_per_visit
        Car miles per visit that are paid as mileage, >= 0 (0 for carers who walk or
        cycle); None estimates them as ``travel_minutes_per_visit`` at
        ``inputs.travel_mph`` (all travel by car).
    inputs
        The costs; None gives the 2025/26 defaults.
    waiting_minutes_per_visit
        Paid time per visit that is neither care nor travel (waiting between calls inside
        a planned working day), minutes >= 0; paid only under "salaried" terms.
    provider_weekly_hours
        The provider's contact hours a week, > 0, over which its fixed costs are spread;
        None: ``inputs.reference_provider_hours`` (1,000).

    Returns
    -------
    CostBreakdown
        Every component in £ per contact hour and, in ``total``, the hourly rate.

    Raises
    ------
    ValidationError
        A visit length <= 0, negative travel, waiting or miles, a provider size <= 0, or
        a value that is not a number; the message names the argument.

    Examples
    --------
    The Homecare Association's 2025/26 minimum price, from the reference visit:

    >>> from carezones.outcomes.costing import MPH_TRAVEL_MINUTES_PER_VISIT, MPH_VISIT_MINUTES
    >>> b = hourly_rate(travel_minutes_per_visit=MPH_TRAVEL_MINUTES_PER_VISIT,
    ...                 visit_minutes=MPH_VISIT_MINUTES)
    >>> round(b.total, 2), round(b.careworker_costs, 2)
    (32.14, 22.71)
    >>> print(b)  # doctest: +NORMALIZE_WHITESPACE
    Hourly rate per contact hour: 30-minute visits, 7.5 min travel and 2.50 miles per visit
    component                   group                £/h   share
    contact_pay                 careworker pay     12.21   38.0%
    travel_pay                  careworker pay      3.05    9.5%
    waiting_pay                 careworker pay      0.00    0.0%
    training_pay                careworker pay      0.46    1.4%
    holiday_pay                 on-costs            1.90    5.9%
    sick_pay                    on-costs            0.47    1.5%
    employer_ni                 on-costs            2.00    6.2%
    employer_pension            on-costs            0.36    1.1%
    mileage                     travel expenses     2.25    7.0%
    running_the_business        business costs      5.77   18.0%
    registered_manager          fixed costs         0.88    2.7%
    care_coordinators           fixed costs         1.19    3.7%
    office                      fixed costs         0.48    1.5%
    registration_and_insurance  fixed costs         0.15    0.5%
    surplus                     surplus             0.96    3.0%
    total                                          32.14  100.0%

    Shorter calls cost more per hour of care; walking carers claim no mileage; a
    provider of 300 hours a week carries its fixed costs over fewer hours:

    >>> round(hourly_rate(travel_minutes_per_visit=7.5, visit_minutes=15).total, 2)
    38.68
    >>> round(hourly_rate(travel_minutes_per_visit=7.5, visit_minutes=30,
    ...                   miles_per_visit=0).total, 2)
    29.82
    >>> round(hourly_rate(**{"travel_minutes_per_visit": 7.5, "visit_minutes": 30},
    ...                   provider_weekly_hours=300).total, 2)
    38.63

    Salaried carers are paid the waiting between calls; zero-hours carers only contact:

    >>> from carezones.outcomes.costing import CostInputs
    >>> pattern = {"travel_minutes_per_visit": 7.5, "visit_minutes": 30,
    ...            "waiting_minutes_per_visit": 10.0}
    >>> round(hourly_rate(**pattern).waiting_pay, 2)
    4.07
    >>> zero = hourly_rate(**pattern, inputs=CostInputs(pay_terms="zero_hours"))
    >>> zero.travel_pay, zero.waiting_pay
    (0.0, 0.0)
    """
    inputs = _check_inputs(inputs)
    check = ProblemCollector("hourly_rate")
    args: list[tuple[str, Any, float, str]] = [
        ("travel_minutes_per_visit", travel_minutes_per_visit, 0.0, "a number of minutes >= 0"),
        ("visit_minutes", visit_minutes, math.ulp(0.0), "a number of minutes > 0"),
        ("miles_per_visit", miles_per_visit, 0.0, "None or a number of miles >= 0"),
        ("waiting_minutes_per_visit", waiting_minutes_per_visit, 0.0, "a number of minutes >= 0"),
        ("provider_weekly_hours", provider_weekly_hours, math.ulp(0.0), "None or a number > 0"),
    ]
    for name, value, least, expected in args:
        if name in ("miles_per_visit", "provider_weekly_hours") and value is None:
            continue
        if not (is_number(value) and float(value) >= least):
            check.add("bad value", expected, repr(value), column=name)
    check.raise_if_any()
    visit, travel = float(visit_minutes), float(travel_minutes_per_visit)
    if miles_per_visit is None:
        miles = travel / 60.0 * inputs.travel_mph
    else:
        miles = float(miles_per_visit)
    waiting = float(waiting_minutes_per_visit)
    size = float(
        inputs.reference_provider_hours if provider_weekly_hours is None else provider_weekly_hours
    )
    parts = {k: float(v) for k, v in components(inputs, visit, travel, miles, waiting).items()}
    overheads = inputs.overheads_gbp_per_hour or {}
    fixed = {k: v / size for k, v in (inputs.fixed_costs_gbp_per_week or {}).items()}
    costs = sum(parts.values()) + sum(overheads.values()) + sum(fixed.values())
    return CostBreakdown(
        **parts,
        overheads=FrozenLines(overheads),
        fixed_costs=FrozenLines(fixed),
        surplus=_surplus(costs, inputs),
        visit_minutes=visit,
        travel_minutes_per_visit=travel,
        miles_per_visit=miles,
        waiting_minutes_per_visit=waiting,
        provider_weekly_hours=size,
    )


# ---------------------------------------------------------------------- per zone

_SUMMARY_NUMBERS = ("care_minutes", "travel_minutes", "n_visits")
_OPTIONAL_NUMBERS = ("car_km", "waiting_minutes", "paid_contact_minutes", "provider_weekly_hours")
_RATE_COLUMNS = (*[name for name, _ in PAY_COMPONENTS], "overheads", "surplus")


def _check_summary(summary: Any) -> pd.DataFrame:
    """The summary with zone_id as text and numbers as floats; every problem raised once."""
    where = "summary"
    if not isinstance(summary, pd.DataFrame):
        raise ProblemCollector(where).error(
            "not a table", "a pandas DataFrame", type(summary).__name__
        )
    problems = [
        Problem(where, "missing column", "a column of this name", "absent", column=col)
        for col in ("zone_id", *_SUMMARY_NUMBERS)
        if col not in summary.columns
    ]
    if problems:
        raise ValidationError(problems)
    numbers = [*_SUMMARY_NUMBERS, *(c for c in _OPTIONAL_NUMBERS if c in summary.columns)]
    out = pd.DataFrame(index=range(len(summary)))
    zone = summary["zone_id"].to_numpy(dtype=object)
    zone_text = []
    for i, value in enumerate(zone):
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        missing = missing or value is pd.NA or (isinstance(value, str) and not value.strip())
        if missing:
            problems.append(
                Problem(
                    where,
                    "missing value",
                    "a zone id",
                    "empty",
                    row=f"row {i + 1}",
                    column="zone_id",
                )
            )
            zone_text.append("")
        else:
            zone_text.append(str(value).strip())
    out["zone_id"] = pd.array(zone_text, dtype=object)
    for col in numbers:
        values = summary[col].to_numpy(dtype=object)
        converted = np.full(len(values), np.nan)
        for i, value in enumerate(values):
            if is_number(value) and float(value) >= 0:
                converted[i] = float(value)
            else:
                label = f"row {i + 1}" + (f" (zone_id {zone_text[i]!r})" if zone_text[i] else "")
                problems.append(
                    Problem(where, "bad value", "a number >= 0", repr(value), row=label, column=col)
                )
        out[col] = converted
    if problems:
        raise ValidationError(problems)
    return out


def zone_rates(summary: pd.DataFrame, *, inputs: CostInputs | None = None) -> pd.DataFrame:
    """Open-book hourly rate of each zone, from its measured care and travel.

    Parameters
    ----------
    summary
        One or more rows per zone (per zone, per route or per visit; rows of a zone are
        added up) with columns ``zone_id``, ``care_minutes`` (contact time),
        ``travel_minutes`` (travel time), ``n_visits`` and optionally ``car_km``
        (kilometres driven, paid as mileage; walking and cycling add none),
        ``waiting_minutes`` (paid time between calls, under "salaried" terms),
        ``paid_contact_minutes`` (the part of ``care_minutes`` carers are paid for,
        default all: a virtual call may be paid less) and
        ``provider_weekly_hours`` (the contact hours a week of the zone's provider, over
        which its fixed costs are spread; default ``inputs.reference_provider_hours``).
        Without ``car_km``, miles are estimated from travel time at
        ``inputs.travel_mph``, as if every carer drove. Travel and waiting are paid as
        ``inputs.pay_terms`` says.
    inputs
        The costs; None gives the 2025/26 defaults.

    Returns
    -------
    pandas.DataFrame
        One row per zone, in order of first appearance: ``zone_id``, ``n_visits``,
        ``care_hours``, ``travel_hours``, ``visit_minutes`` and
        ``travel_minutes_per_visit`` (averages), ``miles_per_visit``, ``miles_measured``,
        ``waiting_hours``, ``paid_hours`` (what carers are paid for under the terms),
        ``provider_weekly_hours``, the components in £ per contact hour
        (``contact_pay``, ``travel_pay``, ``waiting_pay``, ``training_pay``,
        ``holiday_pay``, ``sick_pay``, ``employer_ni``, ``employer_pension``,
        ``mileage``, ``overheads``: the overhead lines and the fixed costs' share,
        ``surplus``), ``fixed_costs`` (the fixed costs' share, part of ``overheads``),
        ``variable_cost_gbp_per_hour`` (careworker costs and overhead lines),
        ``hourly_rate_gbp`` and ``cost_gbp`` (the rate times the care hours, for the
        period the summary covers).

    Raises
    ------
    ValidationError
        A missing column, a value that is not a number >= 0, or a zone with no visits or
        no care time; every problem is listed, with its row or zone.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "zone_id": ["walkable", "rural"],
    ...     "care_minutes": [30_000, 30_000],
    ...     "travel_minutes": [5_000, 10_000],
    ...     "n_visits": [1_000, 1_000],
    ...     "car_km": [0.0, 8_000.0],
    ... })
    >>> rates = zone_rates(summary)
    >>> rates[["zone_id", "travel_minutes_per_visit", "hourly_rate_gbp"]].round(2)
        zone_id  travel_minutes_per_visit  hourly_rate_gbp
    0  walkable                       5.0            28.41
    1     rural                      10.0            35.84
    """
    inputs = _check_inputs(inputs)
    checked = _check_summary(summary)
    measured = "car_km" in checked.columns
    if "waiting_minutes" not in checked.columns:
        checked["waiting_minutes"] = 0.0
    if "paid_contact_minutes" not in checked.columns:
        checked["paid_contact_minutes"] = checked["care_minutes"]
    size = (
        checked.groupby("zone_id", sort=False)["provider_weekly_hours"].first()
        if "provider_weekly_hours" in checked.columns
        else None
    )
    grouped = checked.drop(columns=["provider_weekly_hours"], errors="ignore")
    grouped = grouped.groupby("zone_id", sort=False).sum()
    check = ProblemCollector("summary")
    for zone, row in grouped.iterrows():
        if size is not None and size[zone] <= 0:
            check.add(
                "bad value",
                "a number > 0",
                "0",
                row=f"zone_id {zone!r}",
                column="provider_weekly_hours",
            )
        for col in ("n_visits", "care_minutes"):
            if row[col] <= 0:
                check.add(
                    "zone without care", "a total > 0", "0", row=f"zone_id {zone!r}", column=col
                )
    check.raise_if_any()
    visits = grouped["n_visits"].to_numpy()
    visit_minutes = grouped["care_minutes"].to_numpy() / visits
    travel_minutes = grouped["travel_minutes"].to_numpy() / visits
    if measured:
        miles = grouped["car_km"].to_numpy() / KM_PER_MILE / visits
    else:
        miles = travel_minutes / 60.0 * inputs.travel_mph
    care = grouped["care_minutes"].to_numpy()
    waiting = grouped["waiting_minutes"].to_numpy()
    paid_contact = grouped["paid_contact_minutes"].to_numpy()
    weekly = (
        size.reindex(grouped.index).to_numpy(dtype=float)
        if size is not None
        else np.full(len(grouped), inputs.reference_provider_hours)
    )
    terms = inputs.pay_terms
    paid = (
        paid_contact
        + grouped["travel_minutes"].to_numpy() * (terms != "zero_hours")
        + waiting * (terms == "salaried")
    )
    out = pd.DataFrame(
        {
            "zone_id": grouped.index.to_numpy(dtype=object),
            "n_visits": visits,
            "care_hours": care / 60.0,
            "travel_hours": grouped["travel_minutes"].to_numpy() / 60.0,
            "visit_minutes": visit_minutes,
            "travel_minutes_per_visit": travel_minutes,
            "miles_per_visit": miles,
            "miles_measured": measured,
            "waiting_hours": waiting / 60.0,
            "paid_hours": paid / 60.0,
            "provider_weekly_hours": weekly,
        }
    )
    parts = components(
        inputs, care, grouped["travel_minutes"].to_numpy(), miles * visits, waiting, paid_contact
    )
    for name, values in parts.items():
        out[name] = values
    fixed = inputs.fixed_costs_per_week / weekly
    out["overheads"] = inputs.variable_overheads + fixed
    costs = out[[*parts, "overheads"]].sum(axis=1)
    out["surplus"] = _surplus(costs, inputs)
    out["fixed_costs"] = fixed
    out["variable_cost_gbp_per_hour"] = costs - fixed
    out["hourly_rate_gbp"] = out[list(_RATE_COLUMNS)].sum(axis=1)
    out["cost_gbp"] = out["hourly_rate_gbp"] * out["care_hours"]
    return out


def _provider_of(zone_to_provider: Any) -> dict[str, str]:
    if isinstance(zone_to_provider, pd.DataFrame):
        missing = [c for c in ("zone_id", "provider_id") if c not in zone_to_provider.columns]
        if missing:
            raise ValidationError(
                [
                    Problem(
                        "zone_to_provider",
                        "missing column",
                        "a column of this name",
                        "absent",
                        column=c,
                    )
                    for c in missing
                ]
            )
        pairs: Any = zip(zone_to_provider["zone_id"], zone_to_provider["provider_id"], strict=True)
    elif isinstance(zone_to_provider, pd.Series | Mapping):
        pairs = zone_to_provider.items()
    else:
        raise ProblemCollector("zone_to_provider").error(
            "bad value",
            "a mapping or Series of zone_id to provider_id, or a DataFrame",
            type(zone_to_provider).__name__,
        )
    mapping: dict[str, str] = {}
    check = ProblemCollector("zone_to_provider")
    for zone, provider in pairs:
        zone, provider = str(zone).strip(), str(provider).strip()
        if mapping.setdefault(zone, provider) != provider:
            check.add(
                "zone in two lots",
                "one provider_id per zone",
                f"{mapping[zone]!r} and {provider!r}",
                row=f"zone_id {zone!r}",
            )
    check.raise_if_any()
    return mapping


def provider_rates(rates: pd.DataFrame, zone_to_provider: Any) -> pd.DataFrame:
    """Hourly rate of each provider: its zones' rates weighted by their care hours.

    Because every component is linear in the travel ratio and the miles per contact
    hour, this equals pricing the provider's pooled care, travel and miles directly.

    Parameters
    ----------
    rates
        The table :func:`zone_rates` returns.
    zone_to_provider
        Which provider holds each zone: a mapping or Series ``zone_id -> provider_id``,
        or a DataFrame with columns ``zone_id`` and ``provider_id``. Every zone in
        ``rates`` must be mapped; zones with no rate are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per provider, in order of first appearance: ``provider_id``,
        ``n_zones``, ``n_visits``, ``care_hours``, ``travel_hours``, ``visit_minutes``,
        ``travel_minutes_per_visit``, ``miles_per_visit``, the components in £ per
        contact hour, ``hourly_rate_gbp`` and ``cost_gbp``.

    Raises
    ------
    ValidationError
        A zone of ``rates`` that no provider holds (each one named).

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "zone_id": ["z1", "z2", "z3"],
    ...     "care_minutes": [30_000, 60_000, 30_000],
    ...     "travel_minutes": [5_000, 5_000, 10_000],
    ...     "n_visits": [1_000, 1_500, 1_000],
    ... })
    >>> rates = zone_rates(summary)
    >>> table = provider_rates(rates, {"z1": "A", "z2": "A", "z3": "B"})
    >>> table[["provider_id", "n_zones", "care_hours", "hourly_rate_gbp"]].round(2)
      provider_id  n_zones  care_hours  hourly_rate_gbp
    0           A        2      1500.0            28.51
    1           B        1       500.0            34.32
    """
    if not isinstance(rates, pd.DataFrame) or "zone_id" not in rates.columns:
        raise ProblemCollector("rates").error(
            "not a table", "the DataFrame zone_rates returns", type(rates).__name__
        )
    mapping = _provider_of(zone_to_provider)
    zones = rates["zone_id"].astype(str)
    unmapped = [z for z in zones if z not in mapping]
    if unmapped:
        raise ValidationError(
            [
                Problem(
                    "zone_to_provider",
                    "unmapped zone",
                    "a provider_id for every zone",
                    "no provider",
                    row=f"zone_id {z!r}",
                )
                for z in unmapped
            ]
        )
    frame = rates.assign(provider_id=zones.map(mapping).to_numpy(dtype=object))
    per_hour = [
        c for c in (*_RATE_COLUMNS, "fixed_costs", "variable_cost_gbp_per_hour")
        if c in frame.columns
    ]  # fmt: skip
    weighted = frame[per_hour].mul(frame["care_hours"], axis=0)
    weighted["provider_id"] = frame["provider_id"]
    by = frame.groupby("provider_id", sort=False)
    hours = by["care_hours"].sum()
    visits = by["n_visits"].sum()
    out = pd.DataFrame(
        {
            "provider_id": hours.index.to_numpy(dtype=object),
            "n_zones": by.size().to_numpy(),
            "n_visits": visits.to_numpy(),
            "care_hours": hours.to_numpy(),
            "travel_hours": by["travel_hours"].sum().to_numpy(),
            "visit_minutes": (hours * 60.0 / visits).to_numpy(),
            "travel_minutes_per_visit": (by["travel_hours"].sum() * 60.0 / visits).to_numpy(),
            "miles_per_visit": (
                (frame["miles_per_visit"] * frame["n_visits"])
                .groupby(frame["provider_id"], sort=False)
                .sum()
                / visits
            ).to_numpy(),
        }
    )
    for name in ("waiting_hours", "paid_hours"):
        if name in frame.columns:
            out[name] = by[name].sum().to_numpy()
    sums = weighted.groupby("provider_id", sort=False).sum()
    for name in per_hour:
        out[name] = (sums[name] / hours).to_numpy()
    out["hourly_rate_gbp"] = out[list(_RATE_COLUMNS)].sum(axis=1)
    out["cost_gbp"] = out["hourly_rate_gbp"] * out["care_hours"]
    return out
