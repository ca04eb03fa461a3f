"""The inputs of the open-book hourly rate: :class:`CostInputs`, with the 2025/26 defaults.

See :mod:`carezones.outcomes.costing` for where each default comes from.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from typing import Any

import numpy as np

from carezones._files import read_toml
from carezones.exceptions import Problem, ProblemCollector, ValidationError, unknown_keys

__all__ = [
    "FIXED_COSTS_GBP_PER_WEEK",
    "KM_PER_MILE",
    "MPH_HOURLY_RATE_GBP",
    "MPH_MILES_PER_VISIT",
    "MPH_TRAVEL_MINUTES_PER_VISIT",
    "MPH_VISIT_MINUTES",
    "PAY_COMPONENTS",
    "PAY_TERMS",
    "REFERENCE_PROVIDER_HOURS",
    "WAGES",
    "WEEKS_PER_YEAR",
    "CostInputs",
    "FrozenLines",
    "is_number",
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


WEEKS_PER_YEAR = 52.0


#: Wages a scenario may name instead of a figure, £ an hour, 2025/26: the National Living
#: Wage from 1 April 2025 (21 and over) and the Living Wage Foundation's Real Living Wage
#: announced on 23 October 2024 (UK and London; paid by accredited employers from
#: 1 May 2025). Sources in ``docs/costs.md``.
WAGES: dict[str, float] = {
    "national_living_wage": 12.21,
    "real_living_wage": 12.60,
    "real_living_wage_london": 13.85,
}


#: What carers are paid for: "salaried", every minute of the planned working day (contact,
#: travel and the waiting between calls, from leaving home to getting back, less an
#: unpaid break); "travel_paid", contact and travel but not the waiting; "zero_hours",
#: contact time only (travel and waiting unpaid: the 2015 market's terms).
PAY_TERMS = ("salaried", "travel_paid", "zero_hours")


#: The weekly contact hours of the provider the defaults are calibrated at: with the
#: default fixed costs spread over 1,000 hours (Wigan's agreed provider minimum) the
#: running costs come to the MPH's £8.47 per contact hour (assumed; see docs/costs.md).
REFERENCE_PROVIDER_HOURS = 1000.0


#: The fixed costs of one provider (one registered branch), £ a week, 2025/26; each line's
#: source or assumption is in ``docs/costs.md``. Employer NI (15% above £5,000) and
#: pension (3% of £6,240-£50,270) are included in the salaries.
FIXED_COSTS_GBP_PER_WEEK: dict[str, float] = {
    "registered_manager": 877.0,  # £39,437 a year (ONS ASHE, SOC 1232) + on-costs
    "care_coordinators": 1189.0,  # two at £27,000 a year + on-costs (assumed)
    "office": 481.0,  # rent, rates, utilities, phones, rostering and ECM systems: £25,000
    "registration_and_insurance": 150.0,  # CQC fee, 100 service users (£4,819) + £3,000
}


# The MPH's £8.47 of running costs per contact hour, less the fixed costs at the reference
# size: the part of running the business that grows with the hours (recruitment, training
# delivery, PPE, supervision, finance): 8.47 - 2,697 / 1,000 = £5.773.
_DEFAULT_OVERHEADS: dict[str, float] = {
    "running_the_business": round(
        8.47 - sum(FIXED_COSTS_GBP_PER_WEEK.values()) / REFERENCE_PROVIDER_HOURS, 6
    )
}


# Components of a contact hour: (name, group) in display order; overhead lines go
# between mileage and surplus.
PAY_COMPONENTS = (
    ("contact_pay", "careworker pay"),
    ("travel_pay", "careworker pay"),
    ("waiting_pay", "careworker pay"),
    ("training_pay", "careworker pay"),
    ("holiday_pay", "on-costs"),
    ("sick_pay", "on-costs"),
    ("employer_ni", "on-costs"),
    ("employer_pension", "on-costs"),
    ("mileage", "travel expenses"),
)


_RESERVED_NAMES = frozenset(
    [name for name, _ in PAY_COMPONENTS] + ["surplus", "total", "overheads", "fixed_costs"]
)


class FrozenLines(Mapping[str, float]):
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
        return (FrozenLines, (dict(self._items),))


def is_number(value: Any) -> bool:
    """A finite int or float (numpy's included), not a bool."""
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
        Careworker pay for every paid hour (contact, travel and waiting as ``pay_terms``
        say, training), £ > 0, or a name of :data:`WAGES`: "national_living_wage"
        (12.21, the default, from April 2025), "real_living_wage" (12.60) or
        "real_living_wage_london" (13.85); a name is stored as its figure.
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
        the pension band are applied to, and it is the week "carers needed" counts in.
    mileage_gbp_per_mile
        Mileage paid to careworkers, £ a mile >= 0; default 0.45 (HMRC's approved rate).
    travel_mph
        Average driving speed between visits, mph > 0, used only to estimate miles when
        they are not measured; default 20 (assumed).
    overheads_gbp_per_hour
        The running costs that grow with the hours, £ per contact hour, as named lines;
        None gives ``{"running_the_business": 5.773}``: the MPH's £8.47 less the default
        fixed costs at the reference size, so the defaults still give £32.14.
    surplus_share
        Surplus (profit) as a share of the total price, in [0, 1); default 0.03.
    pay_terms
        {"salaried", "travel_paid", "zero_hours"} What carers are paid for
        (:data:`PAY_TERMS`): the whole planned working day, waiting between calls
        included (the default); contact and travel; or contact only (2015's zero-hours
        terms, travel unpaid).
    fixed_costs_gbp_per_week
        Each provider's fixed costs, £ a week, as named lines (registered manager, care
        coordinators, office, registration and insurance): spread over the provider's
        own weekly contact hours, so a small provider costs more per hour. None gives
        :data:`FIXED_COSTS_GBP_PER_WEEK` when ``overheads_gbp_per_hour`` is None too,
        else none (your own overhead lines are then the whole of the running costs).
    reference_provider_hours
        Contact hours a week over which fixed costs are spread when a provider's size is
        not known (:func:`hourly_rate` without ``provider_weekly_hours``), > 0; default
        1000 (:data:`REFERENCE_PROVIDER_HOURS`).

    Examples
    --------
    >>> inputs = CostInputs(wage_gbp_per_hour="real_living_wage")
    >>> inputs.wage_gbp_per_hour, round(inputs.holiday_rate, 4)
    (12.6, 0.1207)
    >>> dict(inputs.overheads_gbp_per_hour)
    {'running_the_business': 5.773}
    >>> sum(inputs.fixed_costs_gbp_per_week.values())
    2697.0
    >>> CostInputs(overheads_gbp_per_hour={"office": 6.0}).fixed_costs_gbp_per_week
    {}
    >>> CostInputs(surplus_share=1.5)
    Traceback (most recent call last):
    ...
    carezones.exceptions.ValidationError: 1 problem found:
      - CostInputs, column 'surplus_share': bad value: expected a number in [0, 1), found 1.5
    """

    wage_gbp_per_hour: float | str = 12.21
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
    pay_terms: str = "salaried"
    fixed_costs_gbp_per_week: Mapping[str, float] | None = field(default=None)
    reference_provider_hours: float = REFERENCE_PROVIDER_HOURS

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        own_overheads = self.overheads_gbp_per_hour is not None
        if isinstance(self.wage_gbp_per_hour, str) and self.wage_gbp_per_hour in WAGES:
            object.__setattr__(self, "wage_gbp_per_hour", WAGES[self.wage_gbp_per_hour])

        def bad(name: str, expected: str, value: Any) -> None:
            problems.append(Problem("CostInputs", "bad value", expected, repr(value), column=name))

        def check(name: str, low: float, high: float, low_open: bool, high_open: bool) -> None:
            value = getattr(self, name)
            ok = is_number(value)
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
        if isinstance(self.wage_gbp_per_hour, str):
            names = ", ".join(repr(k) for k in WAGES)
            bad("wage_gbp_per_hour", f"a number > 0 or one of {names}", self.wage_gbp_per_hour)
        else:
            check("wage_gbp_per_hour", 0, inf, True, True)
        check("holiday_weeks", 0, WEEKS_PER_YEAR, False, True)
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
        check("reference_provider_hours", 0, inf, True, True)
        if self.pay_terms not in PAY_TERMS:
            bad("pay_terms", "one of " + ", ".join(repr(t) for t in PAY_TERMS), self.pay_terms)
        low, high = self.pension_lower_gbp_per_year, self.pension_upper_gbp_per_year
        if is_number(low) and is_number(high) and high < low:
            bad("pension_upper_gbp_per_year", f"a number >= pension_lower ({low:g})", high)
        fixed = self.fixed_costs_gbp_per_week
        if fixed is None:
            fixed = {} if own_overheads else FIXED_COSTS_GBP_PER_WEEK
        object.__setattr__(
            self,
            "overheads_gbp_per_hour",
            self._lines(self.overheads_gbp_per_hour, _DEFAULT_OVERHEADS,
                        "overheads_gbp_per_hour", "£ per contact hour", problems),
        )  # fmt: skip
        object.__setattr__(
            self,
            "fixed_costs_gbp_per_week",
            self._lines(fixed, {}, "fixed_costs_gbp_per_week", "£ a week", problems),
        )
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def _lines(
        lines: Any, default: Mapping[str, float], column: str, unit: str, problems: list[Problem]
    ) -> Mapping[str, float]:
        if lines is None:
            return FrozenLines(default)
        if not isinstance(lines, Mapping):
            problems.append(
                Problem(
                    "CostInputs",
                    "bad value",
                    f"a mapping of name to {unit}",
                    repr(lines),
                    column=column,
                )
            )
            return FrozenLines({})
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
            elif not (is_number(value) and float(value) >= 0):
                problems.append(
                    Problem("CostInputs", "bad value", "a number >= 0", repr(value), column=where)
                )
            else:
                out[name] = float(value)
        return FrozenLines(out)

    # ------------------------------------------------------------- derived figures

    @property
    def fixed_costs_per_week(self) -> float:
        """One provider's fixed costs, £ a week (the sum of ``fixed_costs_gbp_per_week``)."""
        return float(sum((self.fixed_costs_gbp_per_week or {}).values()))

    @property
    def variable_overheads(self) -> float:
        """Running costs per contact hour that grow with the hours (``overheads_gbp_per_hour``)."""
        return float(sum((self.overheads_gbp_per_hour or {}).values()))

    @property
    def wage_name(self) -> str:
        """The wage in words: its name in :data:`WAGES` when it is one, else "£x an hour"."""
        for name, value in WAGES.items():
            if self.wage_gbp_per_hour == value:
                return f"£{value:.2f} an hour ({name.replace('_', ' ')})"
        return f"£{float(self.wage_gbp_per_hour):.2f} an hour"

    @property
    def holiday_rate(self) -> float:
        """Holiday pay as a share of pay for hours worked (5.6 weeks: 0.1207)."""
        return self.holiday_weeks / (WEEKS_PER_YEAR - self.holiday_weeks)

    @property
    def annual_earnings_gbp(self) -> float:
        """A careworker's pay a year, £: wage x weekly paid hours x 52."""
        return float(self.wage_gbp_per_hour) * self.weekly_paid_hours * WEEKS_PER_YEAR

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
        {'running_the_business': 5.773}
        >>> CostInputs.from_dict(CostInputs().to_dict()) == CostInputs()
        True
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["overheads_gbp_per_hour"] = dict(self.overheads_gbp_per_hour or {})
        out["fixed_costs_gbp_per_week"] = dict(self.fixed_costs_gbp_per_week or {})
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
            raise ProblemCollector(where).error(
                "bad table", "a mapping of field names to values", type(values).__name__
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
        data = read_toml(path, what="a TOML file with a [costing] table")
        section = data.get(table, data)
        return cls.from_dict(section, where=f"{path} [{table}]" if table in data else str(path))
