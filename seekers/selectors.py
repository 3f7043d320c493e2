import re

from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Replace

from .models import Seeker, SeekerIdentifier

PHONE_SEPARATORS = ("(", ")", "-", " ", ".", "+")
PHONE_LIKE = re.compile(r"[\d().+-]+")


def people_search(queryset, query: str, *, contact_condition=None):
    """Every word must match the name, email, phone (by digits) or zip code. With ``contact_condition`` (a Q on
    the seeker), email, phone and zip code match only the people it holds for (a program searches the contact
    details its referrals share, never the others)."""
    phone_digits = F("phone")
    for separator in PHONE_SEPARATORS:  # profiles made before validation may hold "(773) 555-1000"
        phone_digits = Replace(phone_digits, Value(separator), Value(""))
    queryset = queryset.annotate(search_name=Concat("first_name", Value(" "), "last_name"), search_phone=phone_digits)
    words = query.split()
    if all(PHONE_LIKE.fullmatch(word) for word in words):
        words = ["".join(words)]  # "312 555 0142" is one phone number
    for word in words[:8]:
        contact = Q(email__icontains=word) | Q(zip_code__startswith=word)
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3 and PHONE_LIKE.fullmatch(word):
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            contact |= Q(search_phone__contains=digits)
        if contact_condition is not None:
            contact &= contact_condition
        queryset = queryset.filter(Q(search_name__icontains=word) | contact)
    return queryset


def people_with_activity(queryset):
    """The seekers in People I'm Helping's order: latest activity first, on the indexed ``last_activity_at``
    that the referral services keep current (creation, status changes, notes and every other change).

    ``last_activity`` is that column; the open referral counts come from ``people.selectors.with_open_referrals``
    for the page's rows only, so no per-seeker subquery runs over everything the user may see.
    """
    return queryset.annotate(last_activity=F("last_activity_at")).order_by(
        "-last_activity_at", "last_name", "first_name", "pk"
    )


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


# --- the same person, before a second profile is made -----------------------------------------------------

# How alike two names must be: trigram similarity on PostgreSQL ("Jon Smith"/"John Smith" 0.62, a typo such
# as "Okonkow"/"Okonkwo" 0.65; family members at one address, "Nadia"/"Luis Hernandez", 0.48, stay apart), the
# ratio of difflib's SequenceMatcher under SQLite.
NAME_SIMILARITY = 0.6
NAME_RATIO_SQLITE = 0.8
MAX_MATCHES = 5


def plain_name(first_name: str, last_name: str) -> str:
    """The name as it is compared: accents removed, case folded, spaces single ("José  García" → "jose garcia")."""
    import unicodedata

    text = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    text = "".join(character for character in text if not unicodedata.combining(character))
    return " ".join(text.casefold().split())


def _why(seeker, *, email, phone, name_alike) -> str:
    reasons = []
    if email and seeker.email.lower() == email.lower():
        reasons.append("same email")
    if phone and seeker.phone == phone:
        reasons.append("same phone")
    if name_alike:
        reasons.append("similar name")
    return ", ".join(reasons)


def seeker_likely_matches(
    *,
    user,
    organization,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    date_of_birth=None,
    zip_code: str = "",
    exclude=None,
) -> tuple[list, int]:
    """The people ``organization`` already helps who are likely the person about to be added: the same email
    or phone, or a close name (accent- and case-insensitive) with the same date of birth or zip code.

    Returns (the matches ``user`` may open, each with ``match_reasons``, best first; how many more matched
    that ``user`` may not open). ``phone`` and ``zip_code`` are as the profile stores them (normalized).
    """
    from django.db import connection
    from django.db.models.functions import Lower

    zip5 = (zip_code or "")[:5]
    same_contact = Q(pk__in=[])
    if email:
        same_contact |= Q(email__iexact=email)
    if phone:
        same_contact |= Q(phone=phone)
    same_detail = Q(pk__in=[])
    if date_of_birth:
        same_detail |= Q(date_of_birth=date_of_birth)
    if len(zip5) == 5:
        same_detail |= Q(zip_code__startswith=zip5)
    wanted = plain_name(first_name, last_name)
    found = Seeker.objects.for_organization(organization).filter(same_contact | same_detail)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import Unaccent
        from django.contrib.postgres.search import TrigramSimilarity

        name = Unaccent(Lower(Concat("first_name", Value(" "), "last_name")))
        found = (
            found.annotate(name_similarity=TrigramSimilarity(name, wanted))
            .filter(same_contact | (same_detail & Q(name_similarity__gte=NAME_SIMILARITY)))
            .order_by("-name_similarity", "pk")
        )
        rows = list(found[:50])
        alike = {seeker.pk for seeker in rows if seeker.name_similarity >= NAME_SIMILARITY}
    else:  # SQLite under `make run`: the same rule, the names compared here
        from difflib import SequenceMatcher

        rows, alike = [], set()
        for seeker in found.order_by("pk")[:200]:
            ratio = SequenceMatcher(None, plain_name(seeker.first_name, seeker.last_name), wanted).ratio()
            if ratio >= NAME_RATIO_SQLITE:
                alike.add(seeker.pk)
            contact = (email and seeker.email.lower() == email.lower()) or (phone and seeker.phone == phone)
            if contact or seeker.pk in alike:
                seeker.name_similarity = ratio
                rows.append(seeker)
        rows.sort(key=lambda seeker: (-seeker.name_similarity, seeker.pk))
    if not rows:
        return [], 0
    visible = set(
        Seeker.objects.restrict(user, "view").filter(pk__in=[seeker.pk for seeker in rows]).values_list("pk", flat=True)
    )
    matches = []
    for seeker in rows:
        if seeker.pk in visible and len(matches) < MAX_MATCHES:
            reasons = _why(seeker, email=email, phone=phone, name_alike=seeker.pk in alike)
            if seeker.pk in alike and date_of_birth and seeker.date_of_birth == date_of_birth:
                reasons += " and the same date of birth"
            elif seeker.pk in alike and len(zip5) == 5 and seeker.zip_code.startswith(zip5):
                reasons += " and the same zip code"
            seeker.match_reasons = reasons
            matches.append(seeker)
    return matches, sum(1 for seeker in rows if seeker.pk not in visible)
