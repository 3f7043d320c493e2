import re

from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Replace

from .models import Seeker, SeekerIdentifier


def seekers_visible_to(user):
    """The seekers ``user`` helps, for a lookup narrowed next by an index: ``Seeker.objects.restrict(user,
    "view")`` under the name other modules know (the rule is in seekers.policies)."""
    return Seeker.objects.restrict(user, "view")


PHONE_SEPARATORS = ("(", ")", "-", " ", ".", "+")
PHONE_LIKE = re.compile(r"[\d().+-]+")


def people_search(queryset, query: str):
    """Every word must match the name, email, phone (by digits) or zip code."""
    phone_digits = F("phone")
    for separator in PHONE_SEPARATORS:  # profiles made before validation may hold "(773) 555-1000"
        phone_digits = Replace(phone_digits, Value(separator), Value(""))
    queryset = queryset.annotate(search_name=Concat("first_name", Value(" "), "last_name"),
                                 search_phone=phone_digits)
    words = query.split()
    if all(PHONE_LIKE.fullmatch(word) for word in words):
        words = ["".join(words)]  # "312 555 0142" is one phone number
    for word in words[:8]:
        condition = Q(search_name__icontains=word) | Q(email__icontains=word) | Q(zip_code__startswith=word)
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3 and PHONE_LIKE.fullmatch(word):
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            condition |= Q(search_phone__contains=digits)
        queryset = queryset.filter(condition)
    return queryset


def people_with_activity(queryset):
    """The seekers in People I'm Helping's order: latest activity first, on the indexed ``last_activity_at``
    that the referral services keep current (creation, status changes, notes and every other change).

    ``last_activity`` is that column; the open referral counts come from ``people.selectors.with_open_referrals``
    for the page's rows only, so no per-seeker subquery runs over everything the user may see.
    """
    return queryset.annotate(last_activity=F("last_activity_at")).order_by(
        "-last_activity_at", "last_name", "first_name", "pk")


def seekers_by_identifiers(*, organization, identifiers) -> list[Seeker]:
    """The organization's people that any of the (system, value) identifiers names (another system's ids,
    such as an EHR's record numbers); never another organization's. Usually none or one."""
    pairs = [(str(system).strip(), str(value).strip()) for system, value in identifiers]
    if not pairs:
        return []
    condition = Q()
    for system, value in pairs:
        condition |= Q(system=system, value=value)
    seeker_ids = SeekerIdentifier.objects.for_organization(organization).filter(condition).values("seeker_id")
    return list(Seeker.objects.for_organization(organization).filter(pk__in=seeker_ids).order_by("pk"))
