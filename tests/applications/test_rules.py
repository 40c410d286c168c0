"""The date rules of applications at their edges: four months, two weeks, weekends and holidays, school years."""

from __future__ import annotations

import datetime as dt

from asti.applications import rules

D = dt.date


def test_four_months_notice() -> None:
    # sent Thu 3.12.2026: four months is Sat 3.4.2027, and Easter Monday is 29.3. – the first working day is Mon 5.4.
    assert rules.earliest_ecec_start(sent_on=D(2026, 12, 3), urgent=False) == D(2027, 4, 5)
    # sent 15.9.2026: 15.1.2027 is a Friday, kept
    assert rules.earliest_ecec_start(sent_on=D(2026, 9, 15), urgent=False) == D(2027, 1, 15)
    # sent 31.10.2026: no 31 February, the month's last day 28.2.2027 is a Sunday → Mon 1.3.
    assert rules.earliest_ecec_start(sent_on=D(2026, 10, 31), urgent=False) == D(2027, 3, 1)


def test_two_weeks_when_urgent() -> None:
    assert rules.earliest_ecec_start(sent_on=D(2026, 12, 3), urgent=True) == D(2026, 12, 17)
    # sent 10.12.2026: two weeks is Christmas Eve → the Monday after St Stephen's Day
    assert rules.earliest_ecec_start(sent_on=D(2026, 12, 10), urgent=True) == D(2026, 12, 28)
    # sent Fri 5.6.2026: two weeks is Midsummer Eve → Mon 22.6.
    assert rules.earliest_ecec_start(sent_on=D(2026, 6, 5), urgent=True) == D(2026, 6, 22)


def test_due_date_is_the_later_of_the_wished_start_and_the_notice() -> None:
    sent = D(2026, 12, 3)
    assert rules.ecec_due_date(sent_on=sent, start_date=D(2027, 8, 2), urgent=False) == D(2027, 8, 2)
    assert rules.ecec_due_date(sent_on=sent, start_date=D(2027, 8, 7), urgent=False) == D(2027, 8, 9)  # Sat → Mon
    assert rules.ecec_due_date(sent_on=sent, start_date=D(2027, 1, 11), urgent=False) == D(2027, 4, 5)
    assert rules.ecec_due_date(sent_on=sent, start_date=D(2026, 12, 21), urgent=True) == D(2026, 12, 21)


def test_school_years_and_cohorts() -> None:
    today = D(2026, 12, 3)
    assert rules.school_years_open(today) == (2026, 2027)
    assert rules.school_years_open(D(2027, 7, 31)) == (2026, 2027)
    assert rules.school_years_open(D(2027, 8, 2)) == (2027, 2028)
    assert rules.pre_primary_year_open(birth_date=D(2021, 3, 1), today=today) == 2027
    assert rules.pre_primary_year_open(birth_date=D(2020, 3, 1), today=today) == 2026  # late, year under way
    assert rules.pre_primary_year_open(birth_date=D(2022, 3, 1), today=today) is None
    assert rules.first_grade_year_open(birth_date=D(2020, 12, 31), today=today) == 2027
    assert rules.first_grade_year_open(birth_date=D(2021, 1, 1), today=today) is None
    assert rules.school_year_start(2027) == D(2027, 8, 2)  # 1.8.2027 is a Sunday


def test_afternoon_activities_grades_one_and_two_or_special_support() -> None:
    today = D(2026, 12, 3)
    assert rules.afternoon_year_open(birth_date=D(2020, 5, 1), today=today, special_support=False) == 2027
    assert rules.afternoon_year_open(birth_date=D(2018, 5, 1), today=today, special_support=False) == 2026
    assert rules.afternoon_year_open(birth_date=D(2017, 5, 1), today=today, special_support=False) is None
    assert rules.afternoon_year_open(birth_date=D(2017, 5, 1), today=today, special_support=True) == 2027
    assert rules.afternoon_year_open(birth_date=D(2021, 5, 1), today=today, special_support=True) is None


def test_ecec_until_the_pre_primary_year() -> None:
    today = D(2026, 12, 3)
    assert rules.may_apply_ecec(birth_date=D(2026, 6, 1), today=today)
    assert rules.may_apply_ecec(birth_date=D(2021, 12, 31), today=today)  # pre-primary from August 2027
    assert not rules.may_apply_ecec(birth_date=D(2020, 12, 31), today=today)  # in pre-primary now
    assert not rules.may_apply_ecec(birth_date=D(2027, 1, 1), today=today)  # not born yet


def test_school_year_due_date_and_late_applications() -> None:
    assert rules.school_year_due_date(sent_on=D(2027, 1, 15), year=2027) == D(2027, 8, 2)
    assert rules.school_year_due_date(sent_on=D(2027, 8, 20), year=2027) == D(2027, 9, 3)


def test_periods() -> None:
    opens, closes = D(2027, 1, 8), D(2027, 1, 21)
    assert rules.period_state(today=D(2027, 1, 7), opens_on=opens, closes_on=closes).state == "not_open"
    assert rules.period_state(today=opens, opens_on=opens, closes_on=closes).state == "open"
    assert rules.period_state(today=closes, opens_on=opens, closes_on=closes).state == "open"
    assert rules.period_state(today=D(2027, 1, 22), opens_on=opens, closes_on=closes).state == "late"
    assert rules.period_state(today=opens, opens_on=None, closes_on=None).state == "none"
    assert rules.reference_for(kind="ecec", year=2026, number=42) == "VK-2026-000042"
