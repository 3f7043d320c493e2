"""The demo network: a believable referral network in Chicago, built through the services."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pgtrigger
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.services import membership_set, organization_create, team_add_member, team_create
from goals.models import Goal
from programs.geo import zip_centre
from programs.services import category_get_or_create, program_add_claimer, program_create
from seekers.models import Seeker

from . import kept, services, stalls, statuses
from .actors import Actor
from .channels import refill_answer_channels
from .models import Note, Referral, ReferralEvent

PASSWORD = "referrals-demo"
S = statuses.Status
R = statuses.Reason

PROGRAMS = [
    # organization, name, categories, zip, min_age, max_age, expected hours, capacity, description
    (
        "foodbank",
        "Community Food Pantry",
        ["Food"],
        "60640",
        None,
        None,
        48,
        (40, 120),
        "Weekly groceries, fresh produce and diapers for households in need. No ID required.",
    ),
    (
        "foodbank",
        "Mobile Food Market",
        ["Food"],
        "60623",
        None,
        None,
        72,
        (80, 200),
        "A market on wheels that brings free fresh food to neighbourhood sites twice a month.",
    ),
    (
        "foodbank",
        "SNAP Enrollment Help",
        ["Food", "Benefits"],
        "60608",
        18,
        None,
        72,
        (15, 30),
        "One-on-one help applying for SNAP (food stamps) and WIC.",
    ),
    (
        "hopehousing",
        "Emergency Rental Assistance",
        ["Housing"],
        "60612",
        18,
        None,
        72,
        (5, 40),
        "One-time help with past-due rent for tenants facing eviction.",
    ),
    (
        "hopehousing",
        "Family Shelter Placement",
        ["Housing"],
        "60644",
        None,
        None,
        24,
        (1, 25),
        "Same-week shelter placement for families with children.",
    ),
    (
        "hopehousing",
        "Housing Counseling",
        ["Housing"],
        "60622",
        18,
        None,
        120,
        (20, 40),
        "Budgeting, credit repair and first-time home buyer counseling.",
    ),
    (
        "lakeshore",
        "Community Health Clinic",
        ["Health"],
        "60614",
        None,
        None,
        48,
        (30, 60),
        "Primary care on a sliding fee scale; walk-ins on Tuesdays.",
    ),
    (
        "lakeshore",
        "Mental Health Counseling",
        ["Health"],
        "60625",
        12,
        None,
        96,
        (8, 30),
        "Short-term counseling in English and Spanish, individual or family.",
    ),
    (
        "lakeshore",
        "Job Readiness Program",
        ["Employment"],
        "60647",
        18,
        None,
        96,
        (25, 50),
        "Resume writing, interview practice and job placement support.",
    ),
    (
        "lakeshore",
        "Youth Employment Program",
        ["Employment"],
        "60637",
        16,
        24,
        96,
        (12, 40),
        "Paid summer and after-school jobs for young people aged 16 to 24.",
    ),
    (
        "lakeshore",
        "Tenant Legal Aid Clinic",
        ["Legal"],
        "60601",
        18,
        None,
        120,
        (10, 30),
        "Free legal advice and representation for tenants facing eviction.",
    ),
    (
        "lakeshore",
        "Immigration Legal Help",
        ["Legal"],
        "60623",
        None,
        None,
        168,
        (5, 20),
        "Consultations on immigration status, DACA renewals and family petitions.",
    ),
    (
        "lakeshore",
        "Senior Benefits Navigation",
        ["Benefits", "Health"],
        "60660",
        60,
        None,
        72,
        (15, 30),
        "Help older adults sign up for Medicare, Medicaid and property-tax relief.",
    ),
]

SEEKER_NAMES = [
    ("Luis", "Hernandez", "es"),
    ("Aisha", "Johnson", "en"),
    ("Mei", "Chen", "en"),
    ("Carlos", "Ramirez", "es"),
    ("Fatima", "Ali", "en"),
    ("DeShawn", "Williams", "en"),
    ("Rosa", "Martinez", "es"),
    ("Tom", "Kowalski", "en"),
    ("Grace", "Okonkwo", "en"),
    ("Jorge", "Lopez", "es"),
    ("Emily", "Brown", "en"),
    ("Hassan", "Mahmoud", "en"),
    ("Lucia", "Gonzalez", "es"),
    ("Kevin", "Nguyen", "en"),
    ("Tanya", "Jackson", "en"),
    ("Miguel", "Torres", "es"),
    ("Sarah", "Miller", "en"),
    ("Andre", "Davis", "en"),
    ("Elena", "Rodriguez", "es"),
    ("Samuel", "Green", "en"),
    ("Keisha", "Thomas", "en"),
    ("Pedro", "Sanchez", "es"),
    ("Anna", "Nowak", "en"),
    ("Darnell", "Harris", "en"),
    ("Sofia", "Flores", "es"),
    ("Brian", "Walsh", "en"),
    ("Yolanda", "Reyes", "es"),
    ("Marcus", "Young", "en"),
    ("Olivia", "Kim", "en"),
    ("Ricardo", "Diaz", "es"),
    ("Hannah", "Schmidt", "en"),
    ("Jamal", "Robinson", "en"),
]
ZIPS = ["60640", "60623", "60608", "60612", "60622", "60614", "60625", "60647", "60637", "60644", "60660", "60601"]
GOALS = [
    "Find stable housing",
    "Get enough food for the family",
    "Find a job",
    "See a doctor regularly",
    "Resolve the eviction case",
]

# The story each demo referral tells: (claimer steps, final step by whom).
STORIES = [
    [],
    [("viewed",)],
    [("viewed",), (S.NEEDS_CLIENT_ACTION, "")],
    [("viewed",), (S.ACCEPTED, "")],
    [("viewed",), (S.WAITLISTED, "")],
    [("viewed",), (S.ACCEPTED, ""), (S.IN_SERVICE, "")],
    [("viewed",), (S.ACCEPTED, ""), (S.GOT_HELP, "")],
    [("viewed",), (S.DECLINED, R.NO_CAPACITY)],
    [("viewed",), (S.DECLINED, R.NOT_ELIGIBLE)],
    [("viewed",), (S.NOT_COMPLETED, R.COULDNT_CONTACT)],
    [("referrer", S.WITHDRAWN, R.NO_LONGER_INTERESTED)],
    [("referrer", S.ENTERED_IN_ERROR, "")],
    [("viewed",), (S.ACCEPTED, ""), ("seeker", S.GOT_HELP, "")],
    [("viewed",), (S.ACCEPTED, ""), ("seeker", S.NOT_COMPLETED, R.COULDNT_GET_HELP)],
    [("system", S.WITHDRAWN, R.EXPIRED_NO_RESPONSE)],
]

NOTES = [
    "Called and left a voicemail; will try again tomorrow morning.",
    "Seeker prefers afternoon appointments because of work.",
    "Documents received: ID and proof of address.",
    "Llamé a la persona; prefiere hablar en español.",
    "Intake scheduled for next Tuesday at 10am.",
]


def _user(email, first, last, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user:
        return user
    if extra.get("is_superuser"):
        return User.objects.create_superuser(email=email, password=PASSWORD, first_name=first, last_name=last)
    return User.objects.create_user(email=email, password=PASSWORD, first_name=first, last_name=last)


def _ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def is_seeded() -> bool:
    return Organization.objects.filter(slug="northside").exists()


@transaction.atomic
def seed(*, stdout=None) -> bool:
    """Builds the demo network once. Returns False (and changes nothing) when it is already there."""
    if is_seeded():
        return False
    rng = random.Random(20261125)
    say = (lambda message: stdout.write(message)) if stdout else (lambda message: None)

    northside = organization_create(name="Northside Health Center", runs_site=True, slug="northside")
    eastlake = organization_create(name="Eastlake School District", runs_site=True, slug="eastlake")
    foodbank = organization_create(
        name="City Food Bank", slug="foodbank", description="Food pantries, mobile markets and help with SNAP and WIC."
    )
    hopehousing = organization_create(
        name="Hope Housing",
        slug="hopehousing",
        description="Rental assistance, shelter placement and housing counseling.",
    )
    lakeshore = organization_create(
        name="Lakeshore Community Services",
        slug="lakeshore",
        description="A community clinic, counseling and job readiness on the North Side.",
    )
    providers = {"foodbank": foodbank, "hopehousing": hopehousing, "lakeshore": lakeshore}

    maria = _user("maria@northside.example", "Maria", "Garcia")
    james = _user("james@northside.example", "James", "Lee")
    priya = _user("priya@northside.example", "Priya", "Shah")
    omar = _user("omar@northside.example", "Omar", "Haddad")
    ana = _user("ana@eastlake.example", "Ana", "Torres")
    dana = _user("dana@eastlake.example", "Dana", "Whitfield")
    sam = _user("sam@foodbank.example", "Sam", "Okafor")
    rita = _user("rita@foodbank.example", "Rita", "Alvarez")
    lena = _user("lena@hopehousing.example", "Lena", "Park")
    david = _user("david@hopehousing.example", "David", "Cohen")
    kim = _user("kim@lakeshore.example", "Kim", "Bauer")
    jose = _user("jose@lakeshore.example", "José", "Medina")
    _user("admin@network.example", "Network", "Admin", is_superuser=True)

    membership_set(user=maria, organization=northside, joined_at=_ago(700))
    membership_set(user=james, organization=northside, joined_at=_ago(500))
    membership_set(user=priya, organization=northside, joined_at=_ago(400))
    membership_set(user=omar, organization=northside, role=Membership.Role.ADMIN, joined_at=_ago(900))
    membership_set(user=ana, organization=eastlake, joined_at=_ago(300))
    membership_set(user=dana, organization=eastlake, role=Membership.Role.ADMIN, joined_at=_ago(800))
    membership_set(user=sam, organization=foodbank, joined_at=_ago(600))
    membership_set(user=rita, organization=foodbank, role=Membership.Role.ADMIN, joined_at=_ago(1000))
    membership_set(user=lena, organization=hopehousing, joined_at=_ago(800))
    membership_set(user=david, organization=hopehousing, role=Membership.Role.ADMIN, joined_at=_ago(1100))
    membership_set(user=kim, organization=lakeshore, joined_at=_ago(650))
    membership_set(user=jose, organization=lakeshore, role=Membership.Role.ADMIN, joined_at=_ago(950))
    # Lena was a claimer at Hope Housing long before she also joined Northside as a worker.
    membership_set(user=lena, organization=northside, joined_at=_ago(120))

    care = team_create(organization=northside, name="Care Navigation", shares_outbound=True)
    intake = team_create(organization=northside, name="Intake", shares_outbound=False)
    student_support = team_create(organization=eastlake, name="Student Support", shares_outbound=True)
    team_add_member(team=care, user=maria)
    team_add_member(team=care, user=james)
    team_add_member(team=intake, user=priya)
    team_add_member(team=intake, user=lena)
    team_add_member(team=student_support, user=ana)
    say("Organizations, people and teams created.\n")

    programs = []
    for org_key, name, categories, zip_code, min_age, max_age, hours, (available, maximum), text in PROGRAMS:
        lat, lng = zip_centre(zip_code)
        languages = ["en", "es"] if rng.random() < 0.6 else ["en"]
        program = program_create(
            organization=providers[org_key],
            name=name,
            categories=[category_get_or_create(name=c) for c in categories],
            description=text,
            eligibility=_eligibility_text(min_age, max_age),
            min_age=min_age,
            max_age=max_age,
            languages=languages,
            address=f"{rng.randint(100, 4999)} N {rng.choice(['Clark', 'Broadway', 'Western', 'Ashland'])} St",
            city="Chicago",
            state="IL",
            zip_code=zip_code,
            latitude=lat,
            longitude=lng,
            service_radius_miles=rng.choice([5, 10, 15]),
            phone=f"(312) 555-{rng.randint(1000, 9999)}",
            accepts_referrals=True,
            capacity_available=available,
            capacity_maximum=maximum,
            capacity_updated_at=_ago(rng.randint(0, 10)),
            # Shelter and rent help count their slots: accepting takes one (programs.capacity); the shelter's
            # one fills up during the demo, so search shows it as "Waitlist".
            counts_slots=name in ("Family Shelter Placement", "Emergency Rental Assistance"),
            expected_response_hours=hours,
            next_steps="Bring a photo ID and proof of address if you have them. We will call you to set a time.",
            # Programs that serve in Spanish wrote their next steps in Spanish too; the others' show in English.
            next_steps_es=(
                "Traiga una identificación con foto y un comprobante de domicilio si los tiene. "
                "Le llamaremos para acordar una hora."
            )
            if "es" in languages
            else "",
        )
        programs.append(program)
    by_name = {program.name: program for program in programs}
    program_add_claimer(program=by_name["Community Food Pantry"], user=sam, joined_at=_ago(600))
    program_add_claimer(program=by_name["Mobile Food Market"], user=sam, joined_at=_ago(500))
    program_add_claimer(program=by_name["SNAP Enrollment Help"], user=rita, joined_at=_ago(900))
    program_add_claimer(program=by_name["Emergency Rental Assistance"], user=lena, joined_at=_ago(800))
    program_add_claimer(program=by_name["Family Shelter Placement"], user=lena, joined_at=_ago(700))
    program_add_claimer(program=by_name["Housing Counseling"], user=david, joined_at=_ago(1000))
    for name in [
        "Community Health Clinic",
        "Mental Health Counseling",
        "Job Readiness Program",
        "Youth Employment Program",
        "Tenant Legal Aid Clinic",
        "Immigration Legal Help",
        "Senior Benefits Navigation",
    ]:
        program_add_claimer(program=by_name[name], user=kim, joined_at=_ago(600))
    program_add_claimer(program=by_name["Tenant Legal Aid Clinic"], user=jose, joined_at=_ago(900))
    say(f"{len(programs)} programs created.\n")

    helpers = [(maria, care), (james, care), (priya, intake), (maria, care), (ana, student_support)]
    seekers = []
    for index, (first, last, language) in enumerate(SEEKER_NAMES):
        helper, team = helpers[index % len(helpers)]
        organization = eastlake if helper == ana else northside
        age = rng.randint(8, 17) if helper == ana else rng.randint(18, 78)
        seeker = Seeker.objects_across_tenants.create(
            organization=organization,
            first_name=first,
            last_name=last,
            date_of_birth=date.today().replace(month=rng.randint(1, 12), day=rng.randint(1, 28))
            - timedelta(days=365 * age),
            zip_code=ZIPS[index % len(ZIPS)],
            email=f"{first.lower()}.{last.lower()}@example.com",
            phone=f"+1773555{1000 + index:04d}",
            preferred_language=language,
            contact_preference=Seeker.ContactPreference.DO_NOT_CONTACT
            if index == 7
            else Seeker.ContactPreference.EMAIL,
            created_by=helper,
            team=team,
            created_at=_ago(200 - index),
        )
        seekers.append((seeker, helper))
        if index % 3 == 0:
            Goal.objects_across_tenants.create(
                organization=organization, seeker=seeker, title=GOALS[index % 5], created_by=helper
            )
    say(f"{len(seekers)} people created.\n")

    count = 0
    for index, (seeker, helper) in enumerate(seekers):
        eligible = [p for p in programs if _age_fits(p, seeker)]
        chosen = rng.sample(eligible, k=min(len(eligible), 2 if index % 2 else 1))
        for offset, program in enumerate(chosen):
            story = STORIES[(index + offset * 7) % len(STORIES)]
            goal = seeker.goals.first()
            referral = services.referral_create(
                actor=helper,
                seeker=seeker,
                program=program,
                comment=f"{seeker.first_name} asked for help with {program.categories.first().name.lower()}.",
                urgency=statuses.Urgency.URGENT if (index + offset) % 5 == 0 else statuses.Urgency.ROUTINE,
                consent_method=rng.choice(list(Referral.ConsentMethod.values)),
                goal=goal,
            )
            referral = _tell(referral, story, helper, rng)
            _backdate(referral, start=_ago(rng.uniform(1, 60)), rng=rng)
            count += 1
    say(f"{count} referrals created, in every status, with their history and notes.\n")
    _programs_participate(by_name, sam=sam, rita=rita, maria=maria, foodbank=foodbank, seekers=seekers, rng=rng)
    say("Programs as participants: a claimer's referral, one on behalf of a program, one forwarded.\n")
    _self_referrals(by_name, sam=sam, rita=rita, lena=lena, rng=rng)
    for step in EXTRA_STEPS:
        step(programs=by_name, say=say)
    say("Self-referrals: new, accepted and closed (and whatever the apps above added).\n")
    # The stories are backdated past the services (_backdate), which keep the scorecard's counts and each
    # referral's answer channel (the latest answer may have changed places): count again, fill them again.
    kept.recount()
    refill_answer_channels()
    return True


# Steps that apps above this one add to the demo (their AppConfig.ready), called with the programs by name and
# ``say``: seeker_door adds a request for help nobody confirmed yet (its table is its own).
EXTRA_STEPS: list = []


# People who asked a program themselves on the public directory (issue 16 item 2), and how far it went.
SELF_REFERRALS = [
    # (first, last, language, contact kind, contact, program, claimer's steps, days ago)
    ("Elena", "Ruiz", "es", "email", "elena.ruiz@example.com", "Community Food Pantry", [], 1),
    ("Marisol", "Ortega", "es", "email", "marisol.ortega@example.com", "Emergency Rental Assistance", ["accepted"], 5),
    (
        "Devon",
        "Brooks",
        "en",
        "email",
        "devon.brooks@example.com",
        "SNAP Enrollment Help",
        ["accepted", "got_help"],
        20,
    ),
]


def _self_referrals(by_name, *, sam, rita, lena, rng):
    """Self-referrals in several states: Elena's is new (Sam sees it in Inbound Referrals), Marisol's accepted by
    Lena, Devon's closed by Rita as got help. Each seeker record belongs to the program's organization."""
    from seekers.services import seeker_for_self_referral

    claimers = {"Community Food Pantry": sam, "Emergency Rental Assistance": lena, "SNAP Enrollment Help": rita}
    for first, last, language, kind, contact, name, steps, days in SELF_REFERRALS:
        program = by_name[name]
        seeker = seeker_for_self_referral(
            organization=program.organization,
            first_name=first,
            last_name=last,
            contact_kind=kind,
            contact=contact,
            language=language,
        )
        referral = services.referral_self_refer(
            seeker=seeker,
            program=program,
            comment="Necesito ayuda lo antes posible." if language == "es" else "I need help as soon as I can.",
            consent_wording=(
                f"I agree that {program.name} ({program.organization.name}) receives my name, my email address or "
                "mobile number, my language and my message, and contacts me about my request."
            ),
        )
        for status in steps:
            referral = services.referral_change_status(
                actor=claimers[name], referral=referral, to_status=status, reason=""
            )
        _backdate(referral, start=_ago(days), rng=rng)


def _programs_participate(by_name, *, sam, rita, maria, foodbank, seekers, rng):
    """Issue 15: Sam (a claimer at City Food Bank) adds people and refers them, for himself and on behalf of
    Mobile Food Market (which shares its outbound referrals), and forwards one of the pantry's inbound
    referrals to SNAP Enrollment Help."""
    from programs.services import organization_program_set_sharing, program_set_questions
    from seekers.services import seeker_create

    organization_program_set_sharing(actor=rita, program=by_name["Mobile Food Market"], shares_outbound=True)
    nadia = seeker_create(
        actor=sam,
        organization=foodbank,
        first_name="Nadia",
        last_name="Petrov",
        zip_code="60640",
        email="nadia.petrov@example.com",
    )
    own = services.referral_create(
        actor=sam,
        seeker=nadia,
        program=by_name["Emergency Rental Assistance"],
        consent_method="verbal",
        comment="Came to the pantry behind on rent; two children at home.",
    )
    _backdate(own, start=_ago(6), rng=rng)
    tomas = seeker_create(
        actor=sam,
        organization=foodbank,
        first_name="Tomás",
        last_name="Vega",
        zip_code="60623",
        email="tomas.vega@example.com",
        preferred_language="es",
    )
    for_market = services.referral_create(
        actor=sam,
        seeker=tomas,
        program=by_name["Community Health Clinic"],
        consent_method="verbal",
        on_behalf_of_program=by_name["Mobile Food Market"],
        comment="Met at the market stop on 26th Street; needs a regular doctor.",
    )
    _backdate(for_market, start=_ago(4), rng=rng)
    pantry = by_name["Community Food Pantry"]
    # Issue 17: the pantry asks its own questions on the Connect form (all optional: referrals made elsewhere in
    # the demo, and the README's FHIR guide, send none).
    household, diet, saturday = program_set_questions(
        actor=sam,
        program=pantry,
        questions=[
            {
                "kind": "number",
                "text": "How many people live in the household?",
                "text_es": "¿Cuántas personas viven en el hogar?",
            },
            {
                "kind": "several_choices",
                "text": "Dietary needs",
                "text_es": "Necesidades alimentarias",
                "help": "So that the box fits the family.",
                "help_es": "Para que la caja sirva a la familia.",
                "choices": ["Diabetic", "Halal", "Kosher", "Vegetarian", "Baby formula"],
                "choices_es": ["Diabético", "Halal", "Kosher", "Vegetariano", "Fórmula para bebé"],
            },
            {
                "kind": "yes_no",
                "text": "Can they pick up on Saturdays?",
                "text_es": "¿Puede recoger los sábados?",
            },
        ],
    )
    luis = next(seeker for seeker, _ in seekers if seeker.first_name == "Luis")
    if (
        Referral.objects.unscoped("the demo's own referrals")
        .filter(seeker=luis, program__in=[pantry, by_name["SNAP Enrollment Help"]], status__in=statuses.OPEN)
        .exists()
    ):
        luis = nadia
    inbound = services.referral_create(
        actor=maria if luis.organization_id != foodbank.pk else sam,
        seeker=luis,
        program=pantry,
        consent_method="written",
        comment=f"{luis.first_name} needs groceries and help applying for SNAP.",
        answers={str(household.public_id): 4, str(diet.public_id): ["Baby formula"], str(saturday.public_id): "yes"},
    )
    services.referral_mark_viewed(actor=sam, referral=inbound)
    services.referral_forward(
        actor=sam,
        referral=inbound,
        program=by_name["SNAP Enrollment Help"],
        consent_method="verbal",
        comment="Our pantry is full this month; SNAP will help more in the long run.",
    )


def _eligibility_text(min_age, max_age) -> str:
    if min_age and max_age:
        return f"Ages {min_age} to {max_age}."
    if min_age:
        return f"Ages {min_age} and older."
    return "Open to everyone."


def _age_fits(program, seeker) -> bool:
    age = (date.today() - seeker.date_of_birth).days // 365
    return (program.min_age is None or age >= program.min_age) and (program.max_age is None or age <= program.max_age)


def _tell(referral, story, helper, rng):
    claimer = referral.program.claimer_memberships.select_related("user").first().user
    for step in story:
        if step == ("viewed",):
            referral = services.referral_mark_viewed(actor=claimer, referral=referral)
            continue
        if step[0] == "referrer":
            _, status, reason = step
            referral = services.referral_change_status(
                actor=helper,
                referral=referral,
                to_status=status,
                reason=reason,
                note="Made for the wrong person." if status == S.ENTERED_IN_ERROR else "",
            )
        elif step[0] == "seeker":
            _, status, reason = step
            referral = services.referral_change_status(
                actor=Actor.for_seeker(referral.seeker), referral=referral, to_status=status, reason=reason
            )
        elif step[0] == "system":
            _, status, reason = step
            referral = services.referral_change_status(
                actor=Actor.system(), referral=referral, to_status=status, reason=reason
            )
        else:
            status, reason = step
            referral = services.referral_change_status(
                actor=claimer, referral=referral, to_status=status, reason=reason
            )
        if rng.random() < 0.5:
            services.note_add(actor=rng.choice([claimer, helper]), referral=referral, body=rng.choice(NOTES))
    return referral  # as the story left it: its status, closed or not


# The party of a status change whose own outcome the referral keeps (referrals.services.referral_change_status).
OUTCOME_SIDES = {"seeker": "seeker", "claimer": "program", "referrer": "referrer"}


def _backdate(referral, *, start, rng):
    """Spreads a story told just now over the days it would have taken, so ages and response times look real."""
    referral.refresh_from_db()  # as the story left it (each service changed its own copy)
    moment = start
    events = list(referral.events.order_by("id"))
    first_response = closed = None
    status_since = start
    reported = {}  # each side's own outcome (What each side reports) dates from its backdated status change
    for event in events:
        event.created_at = moment
        if event.kind == ReferralEvent.Kind.STATUS_CHANGED:
            status_since = moment
            side = OUTCOME_SIDES.get(event.detail.get("party"))
            if side:
                reported[f"{side}_outcome_at"] = moment
        if event.kind == ReferralEvent.Kind.STATUS_CHANGED and event.detail.get("party") == "claimer":
            first_response = first_response or moment
        if event.to_status and event.kind in (ReferralEvent.Kind.STATUS_CHANGED, ReferralEvent.Kind.REOPENED):
            closed = moment if event.to_status in statuses.CLOSED else None
        moment = min(moment + timedelta(hours=rng.uniform(2, 60)), timezone.now())
    # Demo data only: the history is append-only (a database trigger); made-up stories are backdated
    # once, right after they were told, which is the one rewrite the demo needs.
    with pgtrigger.ignore("referrals.ReferralEvent:protect_history"):
        ReferralEvent.objects.unscoped("the demo's own events").bulk_update(events, ["created_at"])
    notes = list(referral.notes.all())
    for note in notes:
        note.created_at = start + (note.created_at - start if note.created_at > start else timedelta(0))
        note.created_at = min(note.created_at, events[-1].created_at)
    Note.objects.unscoped("the demo's own notes").bulk_update(notes, ["created_at"])
    Referral.objects.unscoped("the demo's own referral").filter(pk=referral.pk).update(
        sent_at=start,
        first_response_at=first_response,
        closed_at=closed if referral.is_closed else None,
        updated_at=events[-1].created_at,
        # The stall period runs from the backdated status change: some demo referrals are stalled already.
        stall_due_at=stalls.stall_due(referral.program, referral.status, start=status_since),
        # Consent was recorded with the referral, not on the day the demo was loaded.
        consent_given_at=start if referral.consent_given_at else None,
        **{field: when for field, when in reported.items() if getattr(referral, field)},
    )
    # The seeker's last activity is the latest of their backdated stories.
    latest = (
        Referral.objects.unscoped("the demo seeker's referrals")
        .filter(seeker_id=referral.seeker_id)
        .aggregate(Max("updated_at"))
    )
    Seeker.objects.unscoped("the demo's own seeker").filter(pk=referral.seeker_id).update(
        last_activity_at=latest["updated_at__max"]
    )
