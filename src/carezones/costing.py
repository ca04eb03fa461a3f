"""Open-book hourly rate of home care, per zone and per provider.

The rate follows the structure of the Homecare Association's *Minimum Price for Homecare*
(MPH) [1]_: careworker pay for contact time and for travel time, paid training time,
holiday pay, sick pay, employer National Insurance and pension, mileage, the costs of
running the business (overheads) and a surplus. Every figure is a
:class:`CostInputs` field a commissioner can override with a provider's open-book costs.

Everything is expressed per **contact hour** (an hour of care delivered in a client's
home), because that is what councils buy. Pay for travel time and mileage are spread over
the contact hours, so the rate depends on the measured travel per visit and on the visit
length: a zone of 30-minute calls with 10 minutes between them costs more per hour of care
than one of hour-long calls with 5 minutes between them [1]_.

How one contact hour is priced (:func:`hourly_rate`)::

    travel ratio      r = travel minutes per visit / visit minutes
    contact pay         = wage
    travel pay          = wage * r
    training pay        = (contact pay + travel pay) * training_share
    worked pay          = contact + travel + training pay
    holiday pay         = worked pay * holiday_weeks / (52 - holiday_weeks)
    sick pay            = worked pay * sickness_share
    gross pay           = worked + holiday + sick pay
    annual earnings   E = wage * weekly_paid_hours * 52
    employer NI         = gross pay * employer_ni_rate * max(0, 1 - ni_threshold / E)
    employer pension    = gross pay * employer_pension_rate
                          * max(0, min(E, pension_upper) - pension_lower) / E
    mileage             = miles per visit * (60 / visit minutes) * mileage_gbp_per_mile
    overheads           = sum of the overhead lines, £ per contact hour
    costs               = all of the above
    surplus             = costs * surplus_share / (1 - surplus_share)
    total               = costs + surplus        (so the surplus is surplus_share of the total)

2025/26 defaults, and where each comes from
-------------------------------------------
Published figures (cited):

- National Living Wage £12.21 an hour from April 2025, and the MPH for England of
  **£32.14** an hour at that wage [1]_.
- Employer National Insurance 15% on earnings above the secondary threshold of £5,000 a
  year (£96.15 a week) from 6 April 2025 [1]_ [6]_. The Employment Allowance (£10,500 a
  year per employer) is left out, as it does not vary with hours of care.
- Employer pension: the automatic-enrolment minimum, 3% of qualifying earnings between
  £6,240 and £50,270 a year (2025/26) [7]_.
- Holiday: the statutory 5.6 weeks a year, paid on the hours worked in the other 46.4
  weeks, i.e. 5.6 / 46.4 = 12.07% of pay for hours worked [8]_.
- Mileage: HMRC's approved mileage allowance for cars, 45p a mile (first 10,000 miles),
  which is free of tax and National Insurance, so no on-costs are added to it [9]_.
- Surplus: 3% of the price, the share the MPH has used (46p of £15.19 in 2014 [4]_,
  60p of £20.69 in 2020/21 [5]_).
- The Homecare Association puts the statutory employment costs of careworkers at the
  minimum wage at £22.71 an hour in 2025/26 [3]_; carezones reads this as the careworker
  costs (pay, on-costs and mileage) and matches it to the penny.

Assumed by carezones (the MPH 2025/26 report's own per-component table [2]_ was not
available when this module was written; change any of these to your own figures):

- The reference visit: 30 minutes of care, 7.5 minutes of travel (a travel ratio of 25%)
  and 2.5 miles (7.5 minutes at 20 mph) per visit (:data:`MPH_VISIT_MINUTES`,
  :data:`MPH_TRAVEL_MINUTES_PER_VISIT`, :data:`MPH_MILES_PER_VISIT`). UKHCA's published
  breakdowns had travel pay at about 19-20% of contact pay (£1.70 against £8.72 in
  2020/21 [5]_).
- Paid training time 3% of hours worked; sick pay 3% of pay (UKHCA used 2.9%, from ONS
  sickness-absence data, in 2020/21 [5]_); 30 paid hours a week on average (this sets how
  much of the pay sits below the NI and pension thresholds); 20 mph between visits when
  miles are not measured.
- Running the business: **£8.47** per contact hour, one overhead line covering the
  registered manager and office staff, recruitment, training delivery, digital systems,
  telephony, insurance, regulatory fees, PPE and consumables, office rent, rates and
  utilities, finance, legal and professional fees [3]_. It is the balancing item: the
  whole-penny amount that brings the reference visit to £32.14. It is 26.4% of the
  price, against 27% in UKHCA's 2014 breakdown [4]_ and 25.1% in 2020/21 [5]_.

How close the reproduction is: with these defaults, the careworker costs come to
£22.7053 (published £22.71) and the total to **£32.13948**, which rounds to £32.14; the
0.05p left over comes from holding the overhead line to a whole penny. The MPH publishes
whole pennies, so components rounded for display may differ from the rounded total by a
penny. This is a calibration to two published totals, not a line-by-line replication of
the MPH spreadsheet.

References
----------
.. [1] Homecare Association, "The Homecare Association releases its Minimum Price for
   Homecare 2025/26", press release, 18 December 2024.
   https://homecareassociation.org.uk/resource/the-homecare-association-releases-its-minimum-price-for-homecare-2025-26.html
.. [2] Homecare Association, "Minimum Price for Homecare, England, 2025-2026" (report;
   not available when this module was written, so its component table is not used).
   https://www.homecareassociation.org.uk/static/3a39caec-73af-428f-a261647e5a309c2f/Homecare-Association-Minimum-Price-for-Homecare-England-2025-2026.pdf
.. [3] Homecare Association, "Fee rates for state-funded homecare in 2025-26", 5 June 2025.
   https://www.homecareassociation.org.uk/resource/fee-rates-for-state-funded-homecare-in-2025-26.html
.. [4] Community Care, "Home care leaders reveal 'minimum price' councils should pay for
   care", 4 February 2014 (UKHCA breakdown of £15.19: running the business 27% and profit
   3% of the total price).
   https://www.communitycare.co.uk/2014/02/04/home-care-leaders-reveal-minimum-price-councils-pay-care/
.. [5] UKHCA, "Minimum Price for Homecare for April 2020 - March 2021" (£20.69: contact
   time £8.72, travel time £1.70, NI and pensions £1.14, other wage on-costs £1.97,
   mileage £1.36, running the business £5.20, profit £0.60; sick pay 2.9% of gross pay).
   https://thecareruk.com/ukhcas-minimum-price-for-homecare-for-april-2020-march-2021/ and
   https://www.caremanagementmatters.co.uk/new-ukhca-minimum-price-homecare/
.. [6] Employer National Insurance from 6 April 2025 (Autumn Budget 2024): rate 13.8% to
   15%, secondary threshold £9,100 to £5,000 a year (£96 a week). As summarised in
   https://lewisbrownlee-co-uk.rc.clientzone.com/news/spring-statement/article/2025/March/national-insurance-contributions
   and https://pmaaccountants.co.uk/blog/national-insurance-changes-from-april-2025
.. [7] Automatic enrolment 2025/26: employer minimum 3% of qualifying earnings between
   £6,240 and £50,270 a year. As summarised in
   https://www.moorepay.co.uk/payroll-hr-rates/automatic-enrolment/ and
   https://ajg.com/uk/news-and-insights/2025-26-earnings-thresholds-for-automatic-enrolment
.. [8] The Working Time Regulations 1998: 5.6 weeks' paid leave a year; for irregular
   hours this accrues at 5.6 / 46.4 = 12.07% of hours worked. As summarised in
   http://www.ddpayroll.co.uk/statutory-entitlements/statutory-holiday-entitlement/
.. [9] HMRC approved mileage allowance payments (ITEPA 2003 s. 229-236): cars and vans
   45p a mile for the first 10,000 business miles, bicycles 20p; paid at or below these,
   they are free of tax and National Insurance. As summarised in
   https://www.taxinsider.co.uk/how-many-miles (August 2024).
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import Problem, ValidationError, unknown_keys

__all__ = [
    "KM_PER_MILE",
    "MPH_HOURLY_RATE_GBP",
    "MPH_MILES_PER_VISIT",
    "MPH_TRAVEL_MINUTES_PER_VISIT",
    "MPH_VISIT_MINUTES",
    "CostBreakdown",
    "CostInputs",
    "hourly_rate",
    "provider_rates",
    "zone_rates",
]

#: The Homecare Association's Minimum Price for Homecare, England, 2025/26, £ an hour [1].
MPH_HOURLY_RATE_GBP = 32.14
#: Reference visit length (minutes of care) at which the defaults give £32.14 (assumed).
MPH_VISIT_MINUTES = 30.0
#: Reference travel time per visit (minutes) at which the defaults give £32.14 (assumed).
MPH_TRAVEL_MINUTES_PER_VISIT = 7.5
#: Reference car miles per visit (7.5 minutes at 20 mph; assumed).
MPH_MILES_PER_VISIT = 2.5
#: Kilometres in a statute mile.
KM_PER_MILE = 1.609344

_WEEKS_PER_YEAR = 52.0
_DEFAULT_OVERHEADS: dict[str, float] = {"running_the_business": 8.47}

# Components of a contact hour: (name, group) in display order; overhead lines go
# between mileage and surplus.
_PAY_COMPONENTS = (
    ("contact_pay", "careworker pay"),
    ("travel_pay", "careworker pay"),
    ("training_pay", "careworker pay"),
    ("holiday_pay", "on-costs"),
    ("sick_pay", "on-costs"),
    ("employer_ni", "on-costs"),
    ("employer_pension", "on-costs"),
    ("mileage", "travel expenses"),
)
_RESERVED_NAMES = frozenset(
    [name for name, _ in _PAY_COMPONENTS] + ["surplus", "total", "overheads"]
)


class _Lines(Mapping[str, float]):
    """Named £ amounts that cannot change: hashable and picklable (for process pools)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, float]) -> None:
        self._items = tuple(items.items())

    def __getitem__(self, key: str) -> float:
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return repr(dict(self._items))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Lines, (dict(self._items),))


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True)
class CostInputs:
    """The open-book inputs of the hourly rate, with 2025/26 defaults.

    Every default is cited or marked as assumed in the module documentation
    (:mod:`carezones.costing`); with them and the reference visit
    (:data:`MPH_VISIT_MINUTES`, :data:`MPH_TRAVEL_MINUTES_PER_VISIT`,
    :data:`MPH_MILES_PER_VISIT`) :func:`hourly_rate` gives the Homecare Association's
    £32.14 an hour.

    Parameters
    ----------
    wage_gbp_per_hour
        Careworker pay for every hour worked (contact, travel, training), £ > 0;
        default 12.21, the National Living Wage from April 2025.
    holiday_weeks
        Paid holiday a year, weeks in [0, 52); default 5.6 (statutory). Holiday pay is
        ``holiday_weeks / (52 - holiday_weeks)`` of pay for hours worked (12.07%).
    training_share
        Paid training time as a share of hours worked, in [0, 1); default 0.03 (assumed).
    sickness_share
        Sick pay as a share of pay for hours worked, in [0, 1); default 0.03 (assumed).
    employer_ni_rate
        Employer National Insurance rate, in [0, 1); default 0.15 (from 6 April 2025).
    ni_threshold_gbp_per_year
        Employer NI secondary threshold, £ a year >= 0; default 5000.
    employer_pension_rate
        Employer pension contribution on qualifying earnings, in [0, 1); default 0.03.
    pension_lower_gbp_per_year, pension_upper_gbp_per_year
        Qualifying earnings band, £ a year; defaults 6240 and 50270 (2025/26).
    weekly_paid_hours
        A careworker's average paid hours a week over the year, in (0, 168]; default 30
        (assumed). With the wage it gives the annual earnings that the NI threshold and
        the pension band are applied to.
    mileage_gbp_per_mile
        Mileage paid to careworkers, £ a mile >= 0; default 0.45 (HMRC's approved rate).
    travel_mph
        Average driving speed between visits, mph > 0, used only to estimate miles when
        they are not measured; default 20 (assumed).
    overheads_gbp_per_hour
        The costs of running the business, £ per contact hour, as named lines (e.g.
        ``{"office_staff": 4.9, "premises": 0.8, "regulation_insurance": 0.7, ...}``);
        None gives one line, ``{"running_the_business": 8.47}`` (calibrated to £32.14).
    surplus_share
        Surplus (profit) as a share of the total price, in [0, 1); default 0.03.

    Examples
    --------
    >>> inputs = CostInputs(wage_gbp_per_hour=12.60)
    >>> inputs.wage_gbp_per_hour, round(inputs.holiday_rate, 4)
    (12.6, 0.1207)
    >>> dict(inputs.overheads_gbp_per_hour)
    {'running_the_business': 8.47}
    >>> CostInputs(surplus_share=1.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - CostInputs, column 'surplus_share': bad value: expected a number in [0, 1), found 1.5
    """

    wage_gbp_per_hour: float = 12.21
    holiday_weeks: float = 5.6
    training_share: float = 0.03
    sickness_share: float = 0.03
    employer_ni_rate: float = 0.15
    ni_threshold_gbp_per_year: float = 5000.0
    employer_pension_rate: float = 0.03
    pension_lower_gbp_per_year: float = 6240.0
    pension_upper_gbp_per_year: float = 50270.0
    weekly_paid_hours: float = 30.0
    mileage_gbp_per_mile: float = 0.45
    travel_mph: float = 20.0
    overheads_gbp_per_hour: Mapping[str, float] | None = field(default=None)
    surplus_share: float = 0.03

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(name: str, expected: str, value: Any) -> None:
            problems.append(Problem("CostInputs", "bad value", expected, repr(value), column=name))

        def check(name: str, low: float, high: float, low_open: bool, high_open: bool) -> None:
            value = getattr(self, name)
            ok = _is_number(value)
            if ok:
                v = float(value)
                ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
            if not ok:
                left = "(" if low_open else "["
                right = ")" if high_open else "]"
                if math.isinf(high):
                    expected = f"a number {'>' if low_open else '>='} {low:g}"
                else:
                    expected = f"a number in {left}{low:g}, {high:g}{right}"
                bad(name, expected, value)
            else:
                object.__setattr__(self, name, float(value))

        inf = math.inf
        check("wage_gbp_per_hour", 0, inf, True, True)
        check("holiday_weeks", 0, _WEEKS_PER_YEAR, False, True)
        for name in (
            "training_share",
            "sickness_share",
            "employer_ni_rate",
            "employer_pension_rate",
            "surplus_share",
        ):
            check(name, 0, 1, False, True)
        for name in (
            "ni_threshold_gbp_per_year",
            "pension_lower_gbp_per_year",
            "pension_upper_gbp_per_year",
            "mileage_gbp_per_mile",
        ):
            check(name, 0, inf, False, True)
        check("weekly_paid_hours", 0, 168, True, False)
        check("travel_mph", 0, inf, True, True)
        low, high = self.pension_lower_gbp_per_year, self.pension_upper_gbp_per_year
        if _is_number(low) and _is_number(high) and high < low:
            bad("pension_upper_gbp_per_year", f"a number >= pension_lower ({low:g})", high)
        object.__setattr__(self, "overheads_gbp_per_hour", self._overheads(problems))
        if problems:
            raise ValidationError(problems)

    def _overheads(self, problems: list[Problem]) -> Mapping[str, float]:
        lines = self.overheads_gbp_per_hour
        if lines is None:
            return _Lines(_DEFAULT_OVERHEADS)
        column = "overheads_gbp_per_hour"
        if not isinstance(lines, Mapping):
            problems.append(
                Problem(
                    "CostInputs",
                    "bad value",
                    "a mapping of name to £ per contact hour",
                    repr(lines),
                    column=column,
                )
            )
            return _Lines({})
        out: dict[str, float] = {}
        for name, value in lines.items():
            where = f"{column}[{name!r}]"
            if not (isinstance(name, str) and name.strip()):
                problems.append(
                    Problem(
                        "CostInputs", "bad name", "a non-empty text name", repr(name), column=column
                    )
                )
            elif name in _RESERVED_NAMES:
                problems.append(
                    Problem(
                        "CostInputs",
                        "bad name",
                        "a name other than " + ", ".join(sorted(_RESERVED_NAMES)),
                        repr(name),
                        column=column,
                    )
                )
            elif not (_is_number(value) and float(value) >= 0):
                problems.append(
                    Problem("CostInputs", "bad value", "a number >= 0", repr(value), column=where)
                )
            else:
                out[name] = float(value)
        return _Lines(out)

    # ------------------------------------------------------------- derived figures

    @property
    def holiday_rate(self) -> float:
        """Holiday pay as a share of pay for hours worked (5.6 weeks: 0.1207)."""
        return self.holiday_weeks / (_WEEKS_PER_YEAR - self.holiday_weeks)

    @property
    def annual_earnings_gbp(self) -> float:
        """A careworker's pay a year, £: wage x weekly paid hours x 52."""
        return self.wage_gbp_per_hour * self.weekly_paid_hours * _WEEKS_PER_YEAR

    @property
    def ni_share(self) -> float:
        """Employer NI as a share of gross pay, after the secondary threshold."""
        earnings = self.annual_earnings_gbp
        return self.employer_ni_rate * max(0.0, 1.0 - self.ni_threshold_gbp_per_year / earnings)

    @property
    def pension_share(self) -> float:
        """Employer pension as a share of gross pay, on the qualifying earnings band."""
        earnings = self.annual_earnings_gbp
        qualifying = min(earnings, self.pension_upper_gbp_per_year)
        qualifying -= self.pension_lower_gbp_per_year
        return self.employer_pension_rate * max(0.0, qualifying) / earnings

    # ------------------------------------------------------------- conversion

    def to_dict(self) -> dict[str, Any]:
        """Return the inputs as a plain dict (TOML-ready; overheads as a nested dict).

        Examples
        --------
        >>> CostInputs().to_dict()["overheads_gbp_per_hour"]
        {'running_the_business': 8.47}
        >>> CostInputs.from_dict(CostInputs().to_dict()) == CostInputs()
        True
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["overheads_gbp_per_hour"] = dict(self.overheads_gbp_per_hour or {})
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], *, where: str = "CostInputs") -> CostInputs:
        """Build from a mapping (e.g. a TOML table), naming any unknown key.

        Parameters
        ----------
        values
            Field names and values; missing fields keep their defaults.
        where
            What the mapping is called in error messages (e.g. ``"now.toml [costing]"``).

        Examples
        --------
        >>> CostInputs.from_dict({"wage_gbp_per_hour": 12.60}).wage_gbp_per_hour
        12.6
        >>> CostInputs.from_dict({"wage": 12.60})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        carezones.exceptions.ValidationError: 1 problem found:
          - CostInputs, column 'wage': unknown key: ... (did you mean 'wage_gbp_per_hour'?), ...
        """
        if not isinstance(values, Mapping):
            raise ValidationError(
                [
                    Problem(
                        where,
                        "bad table",
                        "a mapping of field names to values",
                        type(values).__name__,
                    )
                ]
            )
        problems = unknown_keys(values, [f.name for f in fields(cls)], where, cutoff=0.3)
        if problems:
            raise ValidationError(problems)
        try:
            return cls(**dict(values))
        except ValidationError as err:  # name the file or table, not the class
            problems = [dataclasses.replace(p, where=where) for p in err.problems]
            raise ValidationError(problems) from None

    @classmethod
    def from_toml(cls, path: str | PathLike[str], *, table: str = "costing") -> CostInputs:
        """Read the ``[costing]`` table (or the whole file when it has none) of a TOML file.

        Overhead lines go in a sub-table, ``[costing.overheads_gbp_per_hour]``.
        """
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        section = data.get(table, data)
        return cls.from_dict(section, where=f"{path} [{table}]" if table in data else str(path))


@dataclass(frozen=True)
class CostBreakdown:
    """The price of one contact hour, component by component, in £ per contact hour.

    Returned by :func:`hourly_rate`. ``total`` is the hourly rate; ``str()`` prints a
    table and :meth:`to_frame` returns it.

    Attributes
    ----------
    contact_pay, travel_pay, training_pay
        Careworker pay for contact time, travel time and training time.
    holiday_pay, sick_pay, employer_ni, employer_pension
        On-costs of that pay.
    mileage
        Mileage paid for the car miles between visits.
    overheads
        The costs of running the business, by line.
    surplus
        The provider's surplus.
    visit_minutes, travel_minutes_per_visit, miles_per_visit
        The visit pattern priced.
    """

    contact_pay: float
    travel_pay: float
    training_pay: float
    holiday_pay: float
    sick_pay: float
    employer_ni: float
    employer_pension: float
    mileage: float
    overheads: Mapping[str, float]
    surplus: float
    visit_minutes: float
    travel_minutes_per_visit: float
    miles_per_visit: float

    @property
    def careworker_costs(self) -> float:
        """Pay, on-costs and mileage: what it costs to employ the careworkers."""
        return sum(getattr(self, name) for name, _ in _PAY_COMPONENTS)

    @property
    def business_costs(self) -> float:
        """The overhead lines together."""
        return float(sum(self.overheads.values()))

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
        rows = [(name, group, getattr(self, name)) for name, group in _PAY_COMPONENTS]
        rows += [(name, "business costs", value) for name, value in self.overheads.items()]
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


def _components(
    inputs: CostInputs, visit_minutes: Any, travel_minutes: Any, miles: Any
) -> dict[str, Any]:
    """The pay components per contact hour (scalars or numpy arrays alike)."""
    wage = inputs.wage_gbp_per_hour
    ratio = travel_minutes / visit_minutes
    contact = wage + 0.0 * ratio
    travel = wage * ratio
    training = (contact + travel) * inputs.training_share
    worked = contact + travel + training
    holiday = worked * inputs.holiday_rate
    sick = worked * inputs.sickness_share
    gross = worked + holiday + sick
    return {
        "contact_pay": contact,
        "travel_pay": travel,
        "training_pay": training,
        "holiday_pay": holiday,
        "sick_pay": sick,
        "employer_ni": gross * inputs.ni_share,
        "employer_pension": gross * inputs.pension_share,
        "mileage": miles * (60.0 / visit_minutes) * inputs.mileage_gbp_per_mile,
    }


def _surplus(costs: Any, inputs: CostInputs) -> Any:
    return costs * inputs.surplus_share / (1.0 - inputs.surplus_share)


def _check_inputs(inputs: CostInputs | None) -> CostInputs:
    if inputs is None:
        return CostInputs()
    if not isinstance(inputs, CostInputs):
        raise ValidationError(
            [Problem("inputs", "bad value", "a CostInputs or None", type(inputs).__name__)]
        )
    return inputs


def hourly_rate(
    *,
    travel_minutes_per_visit: float,
    visit_minutes: float,
    miles_per_visit: float | None = None,
    inputs: CostInputs | None = None,
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

    Returns
    -------
    CostBreakdown
        Every component in £ per contact hour and, in ``total``, the hourly rate.

    Raises
    ------
    ValidationError
        A visit length <= 0, negative travel or miles, or a value that is not a number;
        the message names the argument.

    Examples
    --------
    The Homecare Association's 2025/26 minimum price, from the reference visit:

    >>> b = hourly_rate(travel_minutes_per_visit=MPH_TRAVEL_MINUTES_PER_VISIT,
    ...                 visit_minutes=MPH_VISIT_MINUTES)
    >>> round(b.total, 2), round(b.careworker_costs, 2)
    (32.14, 22.71)
    >>> print(b)  # doctest: +NORMALIZE_WHITESPACE
    Hourly rate per contact hour: 30-minute visits, 7.5 min travel and 2.50 miles per visit
    component             group                £/h   share
    contact_pay           careworker pay     12.21   38.0%
    travel_pay            careworker pay      3.05    9.5%
    training_pay          careworker pay      0.46    1.4%
    holiday_pay           on-costs            1.90    5.9%
    sick_pay              on-costs            0.47    1.5%
    employer_ni           on-costs            2.00    6.2%
    employer_pension      on-costs            0.36    1.1%
    mileage               travel expenses     2.25    7.0%
    running_the_business  business costs      8.47   26.4%
    surplus               surplus             0.96    3.0%
    total                                    32.14  100.0%

    Shorter calls cost more per hour of care; walking carers claim no mileage:

    >>> round(hourly_rate(travel_minutes_per_visit=7.5, visit_minutes=15).total, 2)
    38.68
    >>> round(hourly_rate(travel_minutes_per_visit=7.5, visit_minutes=30,
    ...                   miles_per_visit=0).total, 2)
    29.82
    """
    inputs = _check_inputs(inputs)
    problems = []
    args: list[tuple[str, Any, float, str]] = [
        ("travel_minutes_per_visit", travel_minutes_per_visit, 0.0, "a number of minutes >= 0"),
        ("visit_minutes", visit_minutes, math.ulp(0.0), "a number of minutes > 0"),
        ("miles_per_visit", miles_per_visit, 0.0, "None or a number of miles >= 0"),
    ]
    for name, value, least, expected in args:
        if name == "miles_per_visit" and value is None:
            continue
        if not (_is_number(value) and float(value) >= least):
            problems.append(Problem("hourly_rate", "bad value", expected, repr(value), column=name))
    if problems:
        raise ValidationError(problems)
    visit, travel = float(visit_minutes), float(travel_minutes_per_visit)
    if miles_per_visit is None:
        miles = travel / 60.0 * inputs.travel_mph
    else:
        miles = float(miles_per_visit)
    parts = {k: float(v) for k, v in _components(inputs, visit, travel, miles).items()}
    overheads = inputs.overheads_gbp_per_hour or {}
    costs = sum(parts.values()) + sum(overheads.values())
    return CostBreakdown(
        **parts,
        overheads=_Lines(overheads),
        surplus=_surplus(costs, inputs),
        visit_minutes=visit,
        travel_minutes_per_visit=travel,
        miles_per_visit=miles,
    )


# ---------------------------------------------------------------------- per zone

_SUMMARY_NUMBERS = ("care_minutes", "travel_minutes", "n_visits")
_RATE_COLUMNS = (*[name for name, _ in _PAY_COMPONENTS], "overheads", "surplus")


def _check_summary(summary: Any) -> pd.DataFrame:
    """The summary with zone_id as text and numbers as floats; every problem raised once."""
    where = "summary"
    if not isinstance(summary, pd.DataFrame):
        raise ValidationError(
            [Problem(where, "not a table", "a pandas DataFrame", type(summary).__name__)]
        )
    problems = [
        Problem(where, "missing column", "a column of this name", "absent", column=col)
        for col in ("zone_id", *_SUMMARY_NUMBERS)
        if col not in summary.columns
    ]
    if problems:
        raise ValidationError(problems)
    numbers = [*_SUMMARY_NUMBERS, *(["car_km"] if "car_km" in summary.columns else [])]
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
            if _is_number(value) and float(value) >= 0:
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
        ``travel_minutes`` (paid travel time), ``n_visits`` and optionally ``car_km``
        (kilometres driven, paid as mileage; walking and cycling add none). Without
        ``car_km``, miles are estimated from travel time at ``inputs.travel_mph``, as if
        every carer drove.
    inputs
        The costs; None gives the 2025/26 defaults.

    Returns
    -------
    pandas.DataFrame
        One row per zone, in order of first appearance: ``zone_id``, ``n_visits``,
        ``care_hours``, ``travel_hours``, ``visit_minutes`` and
        ``travel_minutes_per_visit`` (averages), ``miles_per_visit``, ``miles_measured``,
        the components in £ per contact hour (``contact_pay``, ``travel_pay``,
        ``training_pay``, ``holiday_pay``, ``sick_pay``, ``employer_ni``,
        ``employer_pension``, ``mileage``, ``overheads``, ``surplus``),
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
    grouped = checked.groupby("zone_id", sort=False).sum()
    problems = []
    for zone, row in grouped.iterrows():
        for col in ("n_visits", "care_minutes"):
            if row[col] <= 0:
                problems.append(
                    Problem(
                        "summary",
                        "zone without care",
                        "a total > 0",
                        "0",
                        row=f"zone_id {zone!r}",
                        column=col,
                    )
                )
    if problems:
        raise ValidationError(problems)
    visits = grouped["n_visits"].to_numpy()
    visit_minutes = grouped["care_minutes"].to_numpy() / visits
    travel_minutes = grouped["travel_minutes"].to_numpy() / visits
    if measured:
        miles = grouped["car_km"].to_numpy() / KM_PER_MILE / visits
    else:
        miles = travel_minutes / 60.0 * inputs.travel_mph
    out = pd.DataFrame(
        {
            "zone_id": grouped.index.to_numpy(dtype=object),
            "n_visits": visits,
            "care_hours": grouped["care_minutes"].to_numpy() / 60.0,
            "travel_hours": grouped["travel_minutes"].to_numpy() / 60.0,
            "visit_minutes": visit_minutes,
            "travel_minutes_per_visit": travel_minutes,
            "miles_per_visit": miles,
            "miles_measured": measured,
        }
    )
    parts = _components(inputs, visit_minutes, travel_minutes, miles)
    for name, values in parts.items():
        out[name] = values
    out["overheads"] = sum((inputs.overheads_gbp_per_hour or {}).values())
    costs = out[[*parts, "overheads"]].sum(axis=1)
    out["surplus"] = _surplus(costs, inputs)
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
        raise ValidationError(
            [
                Problem(
                    "zone_to_provider",
                    "bad value",
                    "a mapping or Series of zone_id to provider_id, or a DataFrame",
                    type(zone_to_provider).__name__,
                )
            ]
        )
    mapping: dict[str, str] = {}
    problems = []
    for zone, provider in pairs:
        zone, provider = str(zone).strip(), str(provider).strip()
        if mapping.setdefault(zone, provider) != provider:
            problems.append(
                Problem(
                    "zone_to_provider",
                    "zone in two lots",
                    "one provider_id per zone",
                    f"{mapping[zone]!r} and {provider!r}",
                    row=f"zone_id {zone!r}",
                )
            )
    if problems:
        raise ValidationError(problems)
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
        raise ValidationError(
            [
                Problem(
                    "rates", "not a table", "the DataFrame zone_rates returns", type(rates).__name__
                )
            ]
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
    weighted = frame[list(_RATE_COLUMNS)].mul(frame["care_hours"], axis=0)
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
    sums = weighted.groupby("provider_id", sort=False).sum()
    for name in _RATE_COLUMNS:
        out[name] = (sums[name] / hours).to_numpy()
    out["hourly_rate_gbp"] = out[list(_RATE_COLUMNS)].sum(axis=1)
    out["cost_gbp"] = out["hourly_rate_gbp"] * out["care_hours"]
    return out
