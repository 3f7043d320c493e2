"""The floor: for each measured page, a bare view that runs the one indexed query the page needs and renders
the same rows with a minimal template. It goes through the same middleware (sessions, authentication,
security), so page time / floor time is what our permissions, tenancy and templates cost.

These views know the answer's shape in advance (which programs the claimer works, which teams share) and
skip every rule; they exist only in the benchmark's URLconf (bench/urls.py).
"""

import json
import math
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from accounts.models import Membership, TeamMembership
from programs.geo import zip_centre
from programs.models import Program, ProgramClaimer
from programs.selectors import _haversine, _sphere_values
from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.statuses import OPEN
from seekers.models import Seeker

PAGE = 25


def _table(request, title, header, rows):
    return render(request, "bench/floor.html", {"title": title, "header": header, "rows": rows})


@login_required
def people(request):
    """Seekers the helper works with (own, or their sharing team's), most recently active first."""
    user = request.user
    seekers = Seeker.objects_across_tenants.filter(
        Q(created_by=user)
        | Q(team_id__in=TeamMembership.objects.filter(user=user, team__shares_outbound=True).values("team_id"))
    ).order_by("-last_activity_at")[:PAGE]
    rows = [(f"{s.first_name} {s.last_name}", s.zip_code, s.last_activity_at) for s in seekers]
    return _table(request, "People", ["Name", "Zip", "Last activity"], rows)


@login_required
def people_referred(request):
    """A provider's People I'm Helping: the people with a referral to a program the claimer claims, one row each
    (those with an open referral first, then by their latest referral change): one grouped query over the
    claimer's inbound referrals, then the names of the page's people."""
    groups = (
        Referral.objects_across_tenants.filter(
            program_id__in=ProgramClaimer.objects.filter(user=request.user).values("program_id")
        )
        .values("seeker_id")
        .annotate(open=Count("pk", filter=Q(status__in=sorted(OPEN))), last=Max("updated_at"))
        .order_by(Case(When(open__gt=0, then=0), default=1, output_field=IntegerField()), "-last", "seeker_id")[:PAGE]
    )
    # The names of the page's people only (joining them before the grouping read every person's row).
    groups = list(groups)
    names = {
        pk: f"{first} {last}"
        for pk, first, last in Seeker.objects_across_tenants.filter(
            pk__in=[g["seeker_id"] for g in groups]
        ).values_list("pk", "first_name", "last_name")
    }
    rows = [(names[g["seeker_id"]], g["open"], g["last"]) for g in groups]
    return _table(request, "People", ["Name", "Open referrals", "Last activity"], rows)


@login_required
def profile(request, public_id):
    """One seeker and their referrals, newest first, in one query."""
    referrals = (
        Referral.objects_across_tenants.filter(seeker__public_id=public_id)
        .select_related("seeker", "program")
        .order_by("-sent_at")
    )
    rows = [(r.seeker.first_name, r.program.name, r.get_status_display(), r.sent_at) for r in referrals]
    return _table(request, "Profile", ["Name", "Program", "Status", "Sent"], rows)


def _inbound(user):
    return (
        Referral.objects_across_tenants.filter(
            program_id__in=ProgramClaimer.objects.filter(user=user).values("program_id"), status__in=sorted(OPEN)
        )
        .select_related("seeker", "program", "organization", "referred_by")
        .order_by("sent_at")
    )


def _inbound_rows(referrals):
    return [
        (
            r.seeker.first_name,
            r.seeker.last_name,
            r.program.name,
            r.referred_by.first_name,
            r.organization.name,
            r.sent_at,
            r.get_status_display(),
        )
        for r in referrals
    ]


INBOUND_HEADER = ["First", "Last", "Program", "From", "Organization", "Sent", "Status"]


@login_required
def inbound(request):
    return _table(request, "Inbound", INBOUND_HEADER, _inbound_rows(_inbound(request.user)[:PAGE]))


@login_required
def inbound_filtered(request):
    referrals = _inbound(request.user).filter(status=request.GET["status"], urgency=request.GET["urgency"])
    return _table(request, "Inbound", INBOUND_HEADER, _inbound_rows(referrals[:PAGE]))


@login_required
def referral(request, public_id):
    """The referral with its people, then its history and notes (three queries)."""
    found = Referral.objects_across_tenants.select_related("seeker", "program", "organization", "referred_by").get(
        public_id=public_id
    )
    events = list(found.events.order_by("-created_at", "-id"))
    notes = list(found.notes.order_by("-created_at"))
    rows = [(found.seeker.first_name, found.program.name, found.get_status_display(), found.sent_at)]
    rows += [
        (event.actor_display, event.actor_organization, event.get_kind_display(), event.created_at) for event in events
    ]
    rows += [(note.author_display, note.author_organization, note.body, note.created_at) for note in notes]
    return _table(request, "Referral", ["Who", "Where", "What", "When"], rows)


def _within(programs, latitude, longitude, radius):
    """The programs in the box around the point that the radius (miles) spans, on the indexed coordinates."""
    if not radius:
        return programs
    lat_span = radius / 69.0
    lng_span = radius / (69.0 * math.cos(math.radians(latitude)))
    return programs.filter(
        latitude__range=(latitude - lat_span, latitude + lat_span),
        longitude__range=(longitude - lng_span, longitude + lng_span),
    )


@login_required
def program_search(request):
    latitude, longitude = zip_centre(request.GET["zip"])
    radius = float(request.GET.get("radius") or 0)
    programs = Program.objects_across_tenants.select_related("organization")
    if request.GET.get("q"):
        terms = " & ".join(f"{word}:*" for word in request.GET["q"].split())
        programs = programs.filter(search_document=SearchQuery(terms, search_type="raw", config="simple"))
    programs = _within(programs, latitude, longitude, radius)
    programs = programs.filter(latitude__isnull=False).annotate(distance_miles=_haversine(latitude, longitude))
    if radius:
        programs = programs.filter(distance_miles__lte=radius)
    # By zip code alone (a radius or not), nearest first from the sphere point's index, as the page reads them.
    programs = programs.order_by(_nearest(latitude, longitude) if not request.GET.get("q") else "distance_miles")
    rows = [(p.name, p.organization.name, p.city, round(p.distance_miles, 1)) for p in programs[:PAGE]]
    return _table(request, "Programs", ["Program", "Organization", "City", "Miles"], rows)


def _nearest(latitude, longitude):
    """The order nearest first by the sphere point's index (programs 0008): a search by zip code alone."""
    point = _sphere_values(latitude, longitude)
    return RawSQL(
        '"programs_program"."sphere_point" <-> cube(ARRAY[%s, %s, %s]::float8[])',
        [point["x0"], point["y0"], point["z0"]],
    )


@login_required
def program_search_eligible(request):
    """Start a referral for a seeker (issue 17): the programs near the person's zip code that their facts do not
    rule out (the page's own eligibility filter, programs.eligibility.not_eligible_annotation), nearest first,
    with the verdict of each program shown; the person and the poverty guidelines read first, as the page must."""
    from programs.eligibility import ProgramRules, evaluate, not_eligible_annotation
    from programs.selectors import seeker_facts

    seeker = Seeker.objects_across_tenants.get(public_id=request.GET["seeker"])
    facts = seeker_facts(seeker)
    latitude, longitude = zip_centre(seeker.zip_code)
    radius = float(request.GET.get("radius") or 0)
    programs = Program.objects_across_tenants.select_related("organization")
    programs = _within(programs, latitude, longitude, radius)
    programs = (
        programs.filter(latitude__isnull=False)
        .annotate(distance_miles=_haversine(latitude, longitude), not_eligible=not_eligible_annotation(facts))
        .filter(not_eligible=False)
        .order_by("distance_miles")[:PAGE]
    )
    rows = [
        (p.name, p.organization.name, evaluate(ProgramRules.of(p), facts).kind, round(p.distance_miles, 1))
        for p in programs
    ]
    return _table(request, "Programs", ["Program", "Organization", "Verdict", "Miles"], rows)


def public_search(request):
    """The public directory's search (/find/), anonymous: the programs nearest the zip code, with their
    organization, in one indexed query (no count, no categories). By zip code alone, nearest first from the sphere
    point's index (programs 0008), as the page reads them; with a category or words, those programs sorted by
    distance."""
    latitude, longitude = zip_centre(request.GET["zip"])
    programs = Program.objects_across_tenants.select_related("organization")
    if request.GET.get("category"):
        programs = programs.filter(categories__slug=request.GET["category"])
    if request.GET.get("q"):
        terms = " & ".join(f"{word}:*" for word in request.GET["q"].split())
        programs = programs.filter(search_document=SearchQuery(terms, search_type="raw", config="simple"))
    programs = programs.filter(latitude__isnull=False).annotate(distance_miles=_haversine(latitude, longitude))
    if request.GET.get("category") or request.GET.get("q"):
        programs = programs.order_by("distance_miles")[:PAGE]
    else:
        programs = programs.order_by(_nearest(latitude, longitude))[:PAGE]
    rows = [(p.name, p.organization.name, p.city, round(p.distance_miles, 1)) for p in programs]
    return _table(request, "Programs", ["Program", "Organization", "City", "Miles"], rows)


def public_program(request, public_id):
    """A program's public page: the program and its organization, one query."""
    program = Program.objects_across_tenants.select_related("organization").get(public_id=public_id)
    rows = [(program.name, program.organization.name, program.address, program.phone, program.description)]
    return _table(request, "Program", ["Program", "Organization", "Address", "Phone", "What"], rows)


@login_required
def api_referrals(request):
    """The referrals the user was granted (directly or through a group), newest first, as JSON."""
    user = request.user
    granted = (
        ReferralUserObjectPermission.objects.filter(user=user, permission__codename="view_referral")
        .values("content_object_id")
        .union(
            ReferralGroupObjectPermission.objects.filter(
                group__in=user.groups.all(), permission__codename="view_referral"
            ).values("content_object_id")
        )
    )
    referrals = (
        Referral.objects_across_tenants.filter(pk__in=granted)
        .select_related("seeker", "program")
        .order_by("-sent_at")[:PAGE]
    )
    body = [
        {
            "id": str(r.public_id),
            "seeker": r.seeker.first_name,
            "program": r.program.name,
            "status": r.status,
            "sent_at": r.sent_at.isoformat(),
        }
        for r in referrals
    ]
    return HttpResponse(json.dumps({"results": body}), content_type="application/json")


@login_required
def sent(request):
    """The referrals the helper may act on as referrer (granted directly or through their team), the ones that
    need them (waiting for the seeker, or closed without help in 30 days), latest change first."""
    user = request.user
    granted = (
        ReferralUserObjectPermission.objects.filter(user=user, permission__codename="act_as_referrer")
        .values("content_object_id")
        .union(
            ReferralGroupObjectPermission.objects.filter(
                group__in=user.groups.all(), permission__codename="act_as_referrer"
            ).values("content_object_id")
        )
    )
    recently = timezone.now() - timedelta(days=30)
    referrals = (
        Referral.objects_across_tenants.filter(pk__in=granted)
        .filter(
            Q(status="needs_client_action")
            | Q(status__in=["declined", "not_completed"], closed_at__gte=recently)
            | Q(status="withdrawn", status_reason="expired_no_response", closed_at__gte=recently)
        )
        .select_related("seeker", "program")
        .order_by("-updated_at", "-id")[:PAGE]
    )
    rows = [
        (r.seeker.first_name, r.seeker.last_name, r.program.name, r.get_status_display(), r.updated_at)
        for r in referrals
    ]
    return _table(request, "Sent", ["First", "Last", "Program", "Status", "Changed"], rows)


@login_required
def report(request):
    """Counts by status of what the admin's organization sent and of what its programs received in the last 90
    days (``?days=365``: a year), in one statement of two grouped queries: every referral the report's figures
    are made of, read once, by the indexes the page reads them with (it reads both directions: its summary has a
    row for each)."""
    organization_id = Membership.objects.filter(user=request.user, role="admin").values("organization_id")[:1]
    since = timezone.now() - timedelta(days=int(request.GET.get("days", 90)))
    referrals = Referral.objects_across_tenants.filter(sent_at__gte=since)
    sent = (
        referrals.filter(organization_id=organization_id)
        .values("status")
        .annotate(direction=Value("sent"), count=Count("pk"))
        .order_by()
    )
    received = (
        referrals.filter(program__organization_id=organization_id)
        .values("status")
        .annotate(direction=Value("received"), count=Count("pk"))
        .order_by()
    )
    rows = [(row["direction"], row["status"], row["count"]) for row in sent.union(received, all=True)]
    return _table(request, "Report", ["Direction", "Status", "Referrals"], rows)


urlpatterns = [
    path("people/", people),
    path("people/referred/", people_referred),
    path("people/<uuid:public_id>/", profile),
    path("inbound/", inbound),
    path("inbound/filtered/", inbound_filtered),
    path("referrals/<uuid:public_id>/", referral),
    path("programs/", program_search),
    path("programs/eligible/", program_search_eligible),
    path("find/", public_search),
    path("find/programs/<uuid:public_id>/", public_program),
    path("api/referrals/", api_referrals),
    path("report/", report),
    path("sent/", sent),
]
