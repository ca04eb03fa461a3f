"""Open-book hourly rate of home care as providers pay it, per zone and per provider.

The rate follows the structure of the Homecare Association's *Minimum Price for Homecare*
(MPH) [1]_: careworker pay for contact time, for travel time and (under salaried terms)
for the waiting between calls inside a paid day, paid training time, holiday pay, sick
pay, employer National Insurance and pension, mileage, the running costs that grow with
the hours (overheads), each provider's fixed costs (registered manager, coordinators,
office, registration) spread over its own weekly hours, and a surplus. Every figure is a
:class:`CostInputs` field a commissioner can override with a provider's open-book costs;
``docs/costs.md`` gives every default's source. :mod:`~carezones.outcomes.costing.break_even`
turns the costs into break-even weekly hours at an offered rate, the rate a provider needs
by its size, and the workforce a plan needs.

Everything is expressed per **contact hour** (an hour of care delivered in a client's
home), because that is what councils buy. Pay for travel time and mileage are spread over
the contact hours, so the rate depends on the measured travel per visit and on the visit
length: a zone of 30-minute calls with 10 minutes between them costs more per hour of care
than one of hour-long calls with 5 minutes between them [1]_.

How one contact hour is priced (:func:`hourly_rate`)::

    travel ratio      r = travel minutes per visit / visit minutes
    waiting ratio     w = waiting minutes per visit / visit minutes
    contact pay         = wage                       (a virtual call: at its pay share)
    travel pay          = wage * r                   (0 under "zero_hours" terms)
    waiting pay         = wage * w                   ("salaried" terms only)
    training pay        = (contact + travel + waiting pay) * training_share
    worked pay          = contact + travel + waiting + training pay
    holiday pay         = worked pay * holiday_weeks / (52 - holiday_weeks)
    sick pay            = worked pay * sickness_share
    gross pay           = worked + holiday + sick pay
    annual earnings   E = wage * weekly_paid_hours * 52
    employer NI         = gross pay * employer_ni_rate * max(0, 1 - ni_threshold / E)
    employer pension    = gross pay * employer_pension_rate
                          * max(0, min(E, pension_upper) - pension_lower) / E
    mileage             = miles per visit * (60 / visit minutes) * mileage_gbp_per_mile
    overheads           = sum of the overhead lines, £ per contact hour
    fixed costs         = sum of the fixed lines, £ a week / the provider's contact hours a week
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
- Running the business: **£8.47** per contact hour at a provider of the reference size,
  1,000 contact hours a week, covering the registered manager and office staff,
  recruitment, training delivery, digital systems, telephony, insurance, regulatory
  fees, PPE and consumables, office rent, rates and utilities, finance, legal and
  professional fees [3]_. It is the balancing item: the whole-penny amount that brings
  the reference visit to £32.14, 26.4% of the price, against 27% in UKHCA's 2014
  breakdown [4]_ and 25.1% in 2020/21 [5]_. It is split into fixed costs of £2,697 a
  week per provider (registered manager, two care coordinators, office, CQC
  registration and insurance; sources in ``docs/costs.md``), £2.697 per contact hour at
  1,000 hours, and £5.773 per contact hour that grows with the hours. Carers are paid
  for the whole planned day by default (``pay_terms = "salaried"``); the MPH's reference
  visit has no waiting, so it gives the same £32.14.

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

from carezones.outcomes.costing.break_even import (
    break_even_hours,
    needed_rate,
    rate_curve,
    workforce_needed,
)
from carezones.outcomes.costing.inputs import (
    FIXED_COSTS_GBP_PER_WEEK,
    KM_PER_MILE,
    MPH_HOURLY_RATE_GBP,
    MPH_MILES_PER_VISIT,
    MPH_TRAVEL_MINUTES_PER_VISIT,
    MPH_VISIT_MINUTES,
    PAY_TERMS,
    REFERENCE_PROVIDER_HOURS,
    WAGES,
    CostInputs,
)
from carezones.outcomes.costing.rates import CostBreakdown, hourly_rate, provider_rates, zone_rates

__all__ = [
    "FIXED_COSTS_GBP_PER_WEEK",
    "KM_PER_MILE",
    "MPH_HOURLY_RATE_GBP",
    "MPH_MILES_PER_VISIT",
    "MPH_TRAVEL_MINUTES_PER_VISIT",
    "MPH_VISIT_MINUTES",
    "PAY_TERMS",
    "REFERENCE_PROVIDER_HOURS",
    "WAGES",
    "CostBreakdown",
    "CostInputs",
    "break_even_hours",
    "hourly_rate",
    "needed_rate",
    "provider_rates",
    "rate_curve",
    "workforce_needed",
    "zone_rates",
]
