"""programs.eligibility.evaluate: the verdict of a program's rules on a seeker's facts, by tables of cases."""

from decimal import Decimal

import pytest

from programs.eligibility import (
    Kind,
    ProgramRules,
    SeekerFacts,
    clean_rules,
    distance_miles,
    evaluate,
    guideline_region,
    poverty_guideline,
)

UPTOWN = (41.9719, -87.6624)  # 60640
LOOP = (41.8857, -87.6181)  # 60601, about 6.4 miles south
GUIDELINES = {"contiguous": (15960, 5680)}


def facts(**known):
    if "zip_code" in known and "latitude" not in known:
        centre = {"60640": UPTOWN, "60601": LOOP}.get(known["zip_code"])
        if centre:
            known["latitude"], known["longitude"] = centre
    if "household_size" in known and "poverty_guideline" not in known:
        known["poverty_guideline"] = poverty_guideline(GUIDELINES, known.get("zip_code", ""), known["household_size"])
    return SeekerFacts(**known)


AGE_CASES = [
    # (min, max, age, kind, reason)
    (None, None, None, Kind.LIKELY, None),
    (18, None, 17, Kind.NOT_ELIGIBLE, "age 17, program serves ages 18+"),
    (18, None, 18, Kind.LIKELY, None),
    (None, 64, 65, Kind.NOT_ELIGIBLE, "age 65, program serves ages up to 64"),
    (None, 64, 64, Kind.LIKELY, None),
    (18, 24, 30, Kind.NOT_ELIGIBLE, "age 30, program serves ages 18–24"),
    (18, 24, None, Kind.CHECK, "date of birth not recorded (program serves ages 18–24)"),
    (0, 5, 0, Kind.LIKELY, None),
]


@pytest.mark.parametrize(("low", "high", "age", "kind", "reason"), AGE_CASES)
def test_age(low, high, age, kind, reason):
    verdict = evaluate(ProgramRules(min_age=low, max_age=high), facts(age=age))
    assert verdict.kind == kind
    assert verdict.reasons == ((reason,) if reason else ())


AREA_CASES = [
    # (zip codes served, radius, seeker zip, kind, reason)
    ((), None, "60601", Kind.LIKELY, None),
    (("60640", "60660"), None, "60640", Kind.LIKELY, None),
    (("60640", "60660"), None, "60601", Kind.NOT_ELIGIBLE, "outside the service area (zip code 60601)"),
    (("60640",), None, "", Kind.CHECK, "zip code not recorded (the program serves a limited area)"),
    ((), 10, "60601", Kind.LIKELY, None),
    ((), 5, "60601", Kind.NOT_ELIGIBLE, "outside the service area (zip code 60601)"),
    (("60601",), 1, "60601", Kind.LIKELY, None),  # in the zip codes though beyond the radius
    ((), 5, "00001", Kind.CHECK, "zip code 00001 cannot be placed on the map to check the service area"),
]


@pytest.mark.parametrize(("zip_codes", "radius", "seeker_zip", "kind", "reason"), AREA_CASES)
def test_service_area(zip_codes, radius, seeker_zip, kind, reason):
    rules = ProgramRules(zip_codes=zip_codes, radius_miles=radius, latitude=UPTOWN[0], longitude=UPTOWN[1])
    verdict = evaluate(rules, facts(zip_code=seeker_zip))
    assert (verdict.kind, verdict.reasons) == (kind, (reason,) if reason else ())


def test_a_radius_without_the_programs_position_is_no_rule():
    assert evaluate(ProgramRules(radius_miles=5), facts(zip_code="60601")).kind == Kind.LIKELY


INCOME_CASES = [
    # (limit %, household size, monthly income, kind, reason)
    (None, None, None, Kind.LIKELY, None),
    # 2026, household of 3: 15,960 + 2 × 5,680 = 27,320 a year; 200% = 54,640 = 4,553.33 a month
    (200, 3, Decimal("4553"), Kind.LIKELY, None),
    (200, 3, Decimal("4600"), Kind.NOT_ELIGIBLE, "income 202% of the poverty guideline, program serves up to 200%"),
    (100, 1, Decimal("0"), Kind.LIKELY, None),
    (100, 1, Decimal("1330"), Kind.LIKELY, None),  # 15,960 / 12 = 1,330 exactly 100%
    (100, 1, Decimal("1331"), Kind.NOT_ELIGIBLE, "income 100.1% of the poverty guideline, program serves up to 100%"),
    (200, None, Decimal("1000"), Kind.CHECK, "household size not recorded (program serves up to 200% of poverty)"),
    (200, 2, None, Kind.CHECK, "income not recorded (program serves up to 200% of poverty)"),
    (200, None, None, Kind.CHECK, "income and household size not recorded (program serves up to 200% of poverty)"),
]


@pytest.mark.parametrize(("limit", "size", "income", "kind", "reason"), INCOME_CASES)
def test_income(limit, size, income, kind, reason):
    verdict = evaluate(
        ProgramRules(income_limit_percent=limit), facts(zip_code="60640", household_size=size, monthly_income=income)
    )
    assert (verdict.kind, verdict.reasons) == (kind, (reason,) if reason else ())


def test_income_where_no_guideline_is_loaded_is_to_check():
    alaska = facts(zip_code="99501", household_size=2, monthly_income=Decimal("1000"))
    assert alaska.poverty_guideline is None
    verdict = evaluate(ProgramRules(income_limit_percent=200), alaska)
    assert verdict == evaluate(ProgramRules(income_limit_percent=200), alaska)
    assert (verdict.kind, verdict.reasons) == (Kind.CHECK, ("no poverty guideline on file for where the seeker lives",))


LANGUAGE_CASES = [
    ((), ("vi",), Kind.LIKELY, None),
    (("en", "es"), (), Kind.LIKELY, None),
    (("en", "es"), ("es",), Kind.LIKELY, None),
    (("en", "es"), ("vi",), Kind.CHECK, "the program lists English, Spanish; the seeker speaks Vietnamese"),
]


@pytest.mark.parametrize(("program", "seeker", "kind", "reason"), LANGUAGE_CASES)
def test_languages(program, seeker, kind, reason):
    verdict = evaluate(ProgramRules(languages=program), facts(languages=seeker))
    assert (verdict.kind, verdict.reasons) == (kind, (reason,) if reason else ())


def test_not_eligible_wins_over_unknowns_and_lists_every_reason():
    rules = ProgramRules(min_age=18, zip_codes=("60640",), income_limit_percent=200, languages=("pl",))
    verdict = evaluate(rules, facts(age=16, zip_code="60601", languages=("vi",)))
    assert verdict.kind == Kind.NOT_ELIGIBLE
    assert verdict.reasons == ("age 16, program serves ages 18+", "outside the service area (zip code 60601)")
    unknowns = evaluate(rules, facts(age=30, zip_code="60640", languages=("vi",)))
    assert unknowns.kind == Kind.CHECK and len(unknowns.reasons) == 2


def test_reasons_are_in_spanish_for_a_spanish_reader():
    from django.utils import translation

    with translation.override("es"):
        verdict = evaluate(ProgramRules(min_age=18), facts(age=17))
        assert str(verdict.label) == "No cumple los requisitos"
        assert verdict.reasons == ("edad 17, el programa atiende edades 18+",)


GUIDELINE_CASES = [
    ("60640", 1, 15960),
    ("60640", 4, 33000),
    ("60640", 9, 15960 + 8 * 5680),
    ("99501", 1, None),  # Alaska: no table loaded
    ("96813", 1, None),  # Hawaii
    ("60640", None, None),
]


@pytest.mark.parametrize(("zip_code", "size", "expected"), GUIDELINE_CASES)
def test_poverty_guideline(zip_code, size, expected):
    assert poverty_guideline(GUIDELINES, zip_code, size) == expected


def test_guideline_regions():
    assert [guideline_region(z) for z in ("99501", "99999", "96701", "96898", "60640", "")] == [
        "alaska",
        "alaska",
        "hawaii",
        "hawaii",
        "contiguous",
        "contiguous",
    ]


def test_distance_is_the_great_circle():
    assert distance_miles(*UPTOWN, *UPTOWN) == 0
    assert 6.0 < distance_miles(*UPTOWN, *LOOP) < 6.8


CLEAN_CASES = [
    ({"min_age": "18", "max_age": " 64 "}, {"min_age": 18, "max_age": 64}, {}),
    ({"min_age": "", "max_age": None}, {"min_age": None, "max_age": None}, {}),
    ({"min_age": "eighteen"}, {}, {"min_age": "An age in whole years from 0 to 150."}),
    ({"min_age": "17.5"}, {}, {"min_age": "An age in whole years from 0 to 150."}),
    ({"min_age": "30", "max_age": "20"}, {}, {"max_age": "The maximum age cannot be below the minimum age."}),
    (
        {"service_area_zip_codes": "60640, 60660;60640\n60601"},
        {"service_area_zip_codes": ["60640", "60660", "60601"]},
        {},
    ),
    (
        {"service_area_zip_codes": "60640, 6064, 00001"},
        {},
        {
            "service_area_zip_codes": "Not a US zip code we know: 6064, 00001. Enter five-digit zip codes, like 60640, 60641."
        },
    ),
    ({"service_radius_miles": "0"}, {}, {"service_radius_miles": "A whole number of miles from 1 to 1000."}),
    ({"income_limit_percent_of_poverty": "200"}, {"income_limit_percent_of_poverty": 200}, {}),
    (
        {"income_limit_percent_of_poverty": "lots"},
        {},
        {
            "income_limit_percent_of_poverty": "A whole percentage from 1 to 1000, like 200 for twice the poverty guideline."
        },
    ),
    ({"languages": "English, spa, Vietnamese, en"}, {"languages": ["en", "es", "vi"]}, {}),
    (
        {"languages": "English, Klingon"},
        {},
        {"languages": "Not a language we know: Klingon. Use names like Spanish or codes like es."},
    ),
    (
        {"required_documents": "Photo ID\n\n  Proof of address, dated this month  \nPhoto ID"},
        {"required_documents": ["Photo ID", "Proof of address, dated this month"]},
        {},
    ),
    ({"required_documents": "x" * 501}, {}, {"required_documents": "Each document at most 500 characters."}),
]


@pytest.mark.parametrize(("given", "stored", "errors"), CLEAN_CASES)
def test_clean_rules(given, stored, errors):
    values, problems = clean_rules(given)
    assert problems == errors
    for name, value in stored.items():
        assert values[name] == value
