"""The one rule book of eligibility: what a program's structured eligibility says, checked against what is known
of a seeker.

``evaluate(rules, facts)`` is a pure function (no database, no clock): the program's rules (``ProgramRules``,
read from a Program by ``ProgramRules.of``) and the seeker's facts (``SeekerFacts``) give a ``Verdict``:

- ``likely``: every rule the program states is met by what we know;
- ``check``: nothing rules the seeker out, but something a rule needs is unknown ("income not recorded");
- ``not_eligible``: a rule rules the seeker out ("age 17, program serves 18+").

The reasons are sentences for the helper, in the active language. The same module cleans what a claimer or an
admin enters as rules (``clean_rules``), so that a rule is stored only in a form ``evaluate`` reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.zipcode import InvalidZipCode, parse_zip

EARTH_RADIUS_MILES = 3958.8
MAX_AGE = 150
MAX_RADIUS_MILES = 1000
MAX_INCOME_PERCENT = 1000
MAX_HOUSEHOLD_SIZE = 30
MAX_MONTHLY_INCOME = Decimal("1000000")
MAX_DOCUMENTS = 20
MAX_DOCUMENT_LENGTH = 500
MAX_ZIP_CODES = 500


class Kind(models.TextChoices):
    LIKELY = "likely", gettext_lazy("Likely eligible")
    CHECK = "check", gettext_lazy("Check eligibility")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible")


@dataclass(frozen=True)
class Verdict:
    kind: str
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    @property
    def is_likely(self) -> bool:
        return self.kind == Kind.LIKELY

    @property
    def is_not_eligible(self) -> bool:
        return self.kind == Kind.NOT_ELIGIBLE


@dataclass(frozen=True)
class ProgramRules:
    """A program's structured eligibility. Empty means "no rule": an unset age, no zip codes and no radius, no
    income limit, no languages."""

    min_age: int | None = None
    max_age: int | None = None
    zip_codes: tuple[str, ...] = ()
    radius_miles: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    income_limit_percent: int | None = None
    languages: tuple[str, ...] = ()
    required_documents: tuple[str, ...] = ()

    @classmethod
    def of(cls, program) -> ProgramRules:
        return cls(
            min_age=program.min_age,
            max_age=program.max_age,
            zip_codes=tuple(program.service_area_zip_codes or ()),
            radius_miles=program.service_radius_miles,
            latitude=program.latitude,
            longitude=program.longitude,
            income_limit_percent=program.income_limit_percent_of_poverty,
            languages=tuple(program.languages or ()),
            required_documents=tuple(program.required_documents or ()),
        )


@dataclass(frozen=True)
class SeekerFacts:
    """What is known of a seeker; None or empty is "not recorded". ``latitude``/``longitude`` are the centre of
    their zip code (None when it cannot be placed); ``poverty_guideline`` is the yearly guideline in dollars for
    their household size where they live (None when there is no table for it)."""

    age: int | None = None
    zip_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    household_size: int | None = None
    monthly_income: Decimal | None = None
    languages: tuple[str, ...] = ()
    poverty_guideline: int | None = None

    @property
    def income_percent(self) -> Decimal | None:
        """Yearly income as a percentage of the guideline, exact (None when either is unknown)."""
        if self.monthly_income is None or not self.poverty_guideline:
            return None
        return Decimal(self.monthly_income) * 12 * 100 / Decimal(self.poverty_guideline)


def distance_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), as program search computes it in SQL."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dlat, half_dlng = (phi2 - phi1) / 2, math.radians(lng2 - lng1) / 2
    a = math.sin(half_dlat) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlng) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def _age_range(rules: ProgramRules) -> str:
    if rules.min_age is not None and rules.max_age is not None:
        return _("%(min)s–%(max)s") % {"min": rules.min_age, "max": rules.max_age}
    if rules.min_age is not None:
        return _("%(min)s+") % {"min": rules.min_age}
    return _("up to %(max)s") % {"max": rules.max_age}


def _age(rules: ProgramRules, facts: SeekerFacts) -> tuple[str, str] | None:
    if rules.min_age is None and rules.max_age is None:
        return None
    if facts.age is None:
        return Kind.CHECK, _("date of birth not recorded (program serves ages %(range)s)") % {
            "range": _age_range(rules)
        }
    if (rules.min_age is not None and facts.age < rules.min_age) or (
        rules.max_age is not None and facts.age > rules.max_age
    ):
        return Kind.NOT_ELIGIBLE, _("age %(age)s, program serves ages %(range)s") % {
            "age": facts.age,
            "range": _age_range(rules),
        }
    return None


def _area(rules: ProgramRules, facts: SeekerFacts) -> tuple[str, str] | None:
    has_radius = rules.radius_miles is not None and rules.latitude is not None and rules.longitude is not None
    if not rules.zip_codes and not has_radius:
        return None
    if not facts.zip_code:
        return Kind.CHECK, _("zip code not recorded (the program serves a limited area)")
    if facts.zip_code in rules.zip_codes:
        return None
    if has_radius:
        if facts.latitude is None or facts.longitude is None:
            return Kind.CHECK, _("zip code %(zip)s cannot be placed on the map to check the service area") % {
                "zip": facts.zip_code
            }
        if distance_miles(rules.latitude, rules.longitude, facts.latitude, facts.longitude) <= rules.radius_miles:
            return None
    return Kind.NOT_ELIGIBLE, _("outside the service area (zip code %(zip)s)") % {"zip": facts.zip_code}


def _income(rules: ProgramRules, facts: SeekerFacts) -> tuple[str, str] | None:
    if rules.income_limit_percent is None:
        return None
    limit = rules.income_limit_percent
    if facts.monthly_income is None and facts.household_size is None:
        return Kind.CHECK, _("income and household size not recorded (program serves up to %(limit)s%% of poverty)") % {
            "limit": limit
        }
    if facts.monthly_income is None:
        return Kind.CHECK, _("income not recorded (program serves up to %(limit)s%% of poverty)") % {"limit": limit}
    if facts.household_size is None:
        return Kind.CHECK, _("household size not recorded (program serves up to %(limit)s%% of poverty)") % {
            "limit": limit
        }
    if facts.income_percent is None:
        return Kind.CHECK, _("no poverty guideline on file for where the seeker lives")
    percent = facts.income_percent
    if percent > limit:
        shown = percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        if shown <= limit:  # just over: "100.1%", not "100%, program serves up to 100%"
            shown = percent.quantize(Decimal("0.1"), rounding=ROUND_UP)
        return Kind.NOT_ELIGIBLE, _(
            "income %(percent)s%% of the poverty guideline, program serves up to %(limit)s%%"
        ) % {"percent": number_format(shown), "limit": limit}
    return None


def _languages(rules: ProgramRules, facts: SeekerFacts) -> tuple[str, str] | None:
    # Programs find interpreters: a language in common is not required, only worth checking.
    if not rules.languages or not facts.languages or set(rules.languages) & set(facts.languages):
        return None

    def names(codes):
        return ", ".join(language_display(code) for code in codes)

    return Kind.CHECK, _("the program lists %(program)s; the seeker speaks %(seeker)s") % {
        "program": names(rules.languages),
        "seeker": names(facts.languages),
    }


def language_display(code: str) -> str:
    """The language's name in the active language (Django's own names: "Spanish", "español"), else our English
    name for it, else the code."""
    from django.utils.translation import get_language_info

    from core.languages import language_name

    try:
        return _(get_language_info(code)["name"])
    except KeyError:
        return language_name(code) or code


RULES = (_age, _area, _income, _languages)


def evaluate(rules: ProgramRules, facts: SeekerFacts) -> Verdict:
    """The verdict of every rule together: the reasons that rule the seeker out when one does, else the
    unknowns to check, else likely eligible."""
    findings = [finding for rule in RULES if (finding := rule(rules, facts)) is not None]
    excluded = tuple(reason for kind, reason in findings if kind == Kind.NOT_ELIGIBLE)
    if excluded:
        return Verdict(Kind.NOT_ELIGIBLE, excluded)
    unknown = tuple(reason for kind, reason in findings if kind == Kind.CHECK)
    if unknown:
        return Verdict(Kind.CHECK, unknown)
    return Verdict(Kind.LIKELY)


# --------------------------------------------------------------------------------------------------------------
# The poverty guideline. HHS publishes one table a year for the 48 contiguous states and DC, and one each for
# Alaska and Hawaii: a yearly amount for one person and an amount for each additional person.

REGION_CONTIGUOUS, REGION_ALASKA, REGION_HAWAII = "contiguous", "alaska", "hawaii"
REGIONS = (REGION_CONTIGUOUS, REGION_ALASKA, REGION_HAWAII)


def guideline_region(zip_code: str) -> str:
    """The guideline table a zip code falls under: Alaska's zip codes start 995–999, Hawaii's 967–968."""
    prefix = zip_code[:3]
    if "995" <= prefix <= "999":
        return REGION_ALASKA
    if prefix in ("967", "968"):
        return REGION_HAWAII
    return REGION_CONTIGUOUS


def poverty_guideline(tables: dict, zip_code: str, household_size: int | None) -> int | None:
    """The yearly guideline for ``household_size`` under ``tables`` ({region: (first person, each additional)}),
    or None when the household size is unknown or there is no table for the zip code's region."""
    if not household_size:
        return None
    table = tables.get(guideline_region(zip_code or ""))
    if table is None:
        return None
    first, additional = table
    return first + (household_size - 1) * additional


# --------------------------------------------------------------------------------------------------------------
# What a person enters as rules (the listing page, the admin) or as a seeker's facts, cleaned into what the rules
# read. Each returns (values, errors by field); nothing is stored when there are errors.


def _whole_number(value, *, low: int, high: int, message: str) -> tuple[int | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, message
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, message
    if not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        return None, message
    return int(number), None


def parse_list(value) -> list[str]:
    """A list typed in one box: separated by commas, semicolons or new lines (or a list already)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
    else:
        items = str(value).replace(";", "\n").replace(",", "\n").splitlines()
    return [item.strip() for item in items if item.strip()]


def parse_language_codes(value) -> tuple[list[str], list[str]]:
    """Language codes ("es") or English names ("Spanish") -> (codes, what was not recognized)."""
    from core.languages import parse_language_codes as parse

    return parse(parse_list(value))


def clean_rules(fields: dict) -> tuple[dict, dict]:
    """A program's eligibility fields as entered -> (the values to store, {field: message}). Only the fields
    given are cleaned; ``min_age``/``max_age`` are checked together when both are given."""
    from programs.geo import zip_centre

    cleaned, errors = {}, {}
    for name in ("min_age", "max_age"):
        if name in fields:
            cleaned[name], error = _whole_number(
                fields[name], low=0, high=MAX_AGE, message=f"An age in whole years from 0 to {MAX_AGE}."
            )
            if error:
                errors[name] = error
    if cleaned.get("min_age") is not None and cleaned.get("max_age") is not None:
        if cleaned["min_age"] > cleaned["max_age"]:
            errors["max_age"] = "The maximum age cannot be below the minimum age."
    if "service_radius_miles" in fields:
        cleaned["service_radius_miles"], error = _whole_number(
            fields["service_radius_miles"],
            low=1,
            high=MAX_RADIUS_MILES,
            message=f"A whole number of miles from 1 to {MAX_RADIUS_MILES}.",
        )
        if error:
            errors["service_radius_miles"] = error
    if "service_area_zip_codes" in fields:
        zip_codes, problems = [], []
        for item in parse_list(fields["service_area_zip_codes"]):
            try:
                zip_code = parse_zip(item)
            except InvalidZipCode:
                problems.append(item)
                continue
            if zip_centre(zip_code) is None:
                problems.append(item)
            elif zip_code not in zip_codes:
                zip_codes.append(zip_code)
        if problems:
            errors["service_area_zip_codes"] = (
                f"Not a US zip code we know: {', '.join(problems[:5])}. Enter five-digit zip codes, like 60640, 60641."
            )
        elif len(zip_codes) > MAX_ZIP_CODES:
            errors["service_area_zip_codes"] = f"At most {MAX_ZIP_CODES} zip codes; use a radius for a wider area."
        cleaned["service_area_zip_codes"] = zip_codes
    if "income_limit_percent_of_poverty" in fields:
        cleaned["income_limit_percent_of_poverty"], error = _whole_number(
            fields["income_limit_percent_of_poverty"],
            low=1,
            high=MAX_INCOME_PERCENT,
            message=f"A whole percentage from 1 to {MAX_INCOME_PERCENT}, like 200 for twice the poverty guideline.",
        )
        if error:
            errors["income_limit_percent_of_poverty"] = error
    if "languages" in fields:
        codes, unknown = parse_language_codes(fields["languages"])
        if unknown:
            errors["languages"] = (
                f"Not a language we know: {', '.join(unknown[:5])}. Use names like Spanish or codes like es."
            )
        cleaned["languages"] = codes
    if "required_documents" in fields:
        documents = list(dict.fromkeys(line for line in parse_list_lines(fields["required_documents"])))
        if len(documents) > MAX_DOCUMENTS:
            errors["required_documents"] = f"At most {MAX_DOCUMENTS} documents."
        elif any(len(document) > MAX_DOCUMENT_LENGTH for document in documents):
            errors["required_documents"] = f"Each document at most {MAX_DOCUMENT_LENGTH} characters."
        cleaned["required_documents"] = documents
    return cleaned, errors


def parse_list_lines(value) -> list[str]:
    """One item a line (a document's description may hold commas)."""
    if value is None:
        return []
    items = [str(item) for item in value] if isinstance(value, (list, tuple)) else str(value).splitlines()
    return [" ".join(item.split()) for item in items if item.strip()]


# --------------------------------------------------------------------------------------------------------------
# The same rules as a database filter, so that a search hides the programs a seeker is not eligible for and counts
# them in one query. tests/programs/test_eligibility_search.py checks, case by case, that the database and
# ``evaluate`` agree on "not eligible".


def _serves_zip_code(zip_code: str):
    """Programs whose service-area zip codes include ``zip_code``: JSON containment on PostgreSQL (``@>``); on
    SQLite (``make run``), which has no JSON containment, a match of the quoted code in the stored JSON text
    (zip codes are stored as a JSON list of five-digit strings, so the quoted code matches whole elements only)."""
    import json

    from django.db import connection
    from django.db.models import Q

    if connection.vendor == "postgresql":
        return Q(service_area_zip_codes__contains=[zip_code])
    return Q(service_area_zip_codes__icontains=json.dumps(zip_code))


def not_eligible_annotation(facts: SeekerFacts):
    """A boolean expression over Program rows: True where ``evaluate`` would say ``not_eligible`` for ``facts``
    (unknown facts and languages never rule a program out, as in ``evaluate``)."""
    part, values = not_eligible_part(facts)
    return not_eligible_expression(part, values)


def not_eligible_part(facts: SeekerFacts) -> tuple[tuple, dict]:
    """``not_eligible_annotation`` as program search's SQL written once reads it (programs.selectors
    CompiledPrograms): which facts are known (the part of a search's shape) and the values the SQL binds."""
    from programs.selectors import _centre_values

    income_percent = facts.income_percent
    placed = facts.latitude is not None and facts.longitude is not None
    part = ("facts", facts.age is not None, income_percent is not None, bool(facts.zip_code), placed)
    values = {}
    if facts.age is not None:
        values["facts_age"] = facts.age
    if income_percent is not None:
        values["facts_income_percent"] = income_percent
    if facts.zip_code:
        values["facts_zip_code"] = facts.zip_code
        if placed:
            values.update(
                {f"facts_{name}": value for name, value in _centre_values(facts.latitude, facts.longitude).items()}
            )
    return part, values


def not_eligible_expression(part: tuple, values: dict):
    from django.db.models import BooleanField, Case, DecimalField, Q, Value, When

    from programs.selectors import _haversine_radians

    _, has_age, has_income, has_zip_code, placed = part
    false, true = Value(False), Value(True)
    conditions = []
    if has_age:
        conditions.append(Q(min_age__gt=values["facts_age"]) | Q(max_age__lt=values["facts_age"]))
    if has_income:
        # As an expression: a plain value would be rounded to the column's integer type (100.08 -> 100).
        percent = Value(values["facts_income_percent"], output_field=DecimalField())
        conditions.append(Q(income_limit_percent_of_poverty__lt=percent))
    if has_zip_code:
        has_radius = Q(service_radius_miles__isnull=False, latitude__isnull=False, longitude__isnull=False)
        branches = [
            When(Q(service_area_zip_codes=[]) & ~has_radius, then=false),
            When(_serves_zip_code(values["facts_zip_code"]), then=false),
        ]
        if not placed:
            branches.append(When(has_radius, then=false))  # cannot be placed: to check, not ruled out
        else:
            distance = _haversine_radians(values["facts_lat0"], values["facts_lng0"], values["facts_cos_lat0"])
            branches.append(When(has_radius & Q(service_radius_miles__gte=distance), then=false))
        conditions.append(Q(Case(*branches, default=true, output_field=BooleanField())))
    if not conditions:
        return Value(False)
    either = conditions[0]
    for condition in conditions[1:]:
        either |= condition
    return Case(When(either, then=true), default=false, output_field=BooleanField())
