"""Tenant isolation, generated from the URL configuration.

Every route of ``referrals_site.urls`` (includes, the API and FHIR routers included; present and future) is
discovered by ``urlwalk.discover``, its identifiers filled with real objects of one tenant, and requested
by people who must not see them:

- a user of **another tenant** (a worker and an organization admin): the answer must be the same as for
  an identifier that exists nowhere (404, or 403/405 that does not depend on the object) - never 2xx,
  never a 5xx, nothing written (no history, no note, no access record, no change);
- a user of the **same tenant without the right** (a worker outside the sharing team; a claimer of another
  program of the same provider): 403 or 404.

Routes without identifiers are requested by the outsider, and must not show the other tenant's people.
Programs are the documented exception: the directory is shared, so any signed-in user may read one.

A route the walker cannot classify fails: a non-UUID identifier, an integer id, a pattern it cannot
build, or an identifier no known kind of object opens for its own people (teach ``victims`` the new kind).
Public routes need no identifier; the only routes exempt from the object checks are listed in
``EXEMPT`` with the reason.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import Invitation, Membership, Team, TeamMembership, User
from goals.models import Goal
from privacy.models import AccessRecord
from programs.models import Program, ProgramClaimer
from referrals.models import Note, Referral, ReferralEvent
from security.models import ApiToken
from seekers.models import Seeker

from .urlwalk import discover

ROUTES = discover()

# Routes exempt from the identifier checks, and why. Kept small on purpose.
EXEMPT = {
    "admin": "the Django admin: staff only, with its own sign-in; checked below (non-staff are sent to its login)",
    "notifications:mailbox": "the development mailbox: DEBUG only, 404 otherwise (checked below)",
}

# Parameters that name a fixed choice, not an object (the data is scoped by the signed-in user).
CHOICES = {
    "section": ["referrals", "no-such-section"],  # report CSV sections: scoped to the user's organization
    "action": ["deactivate", "rotate"],  # webhook endpoint actions (POST), on the endpoint named beside it
}

# What a refusal may look like. 400 only when it is also the answer for an identifier that exists nowhere
# (a body validated before the lookup reveals nothing).
REFUSED = (400, 403, 404, 405)

# Parameter-name hints: which kind of object a parameter names. Anything else is tried with every kind.
HINTS = {
    "seeker": "seeker",
    "person": "seeker",
    "people": "seeker",
    "inbound": "referral",
    "outbound": "referral",
    "referral": "referral",
    "goal": "goal",
    "note": "note",
    "event": "event",
    "program": "program",
    "service": "program",
    "team": "team",
    "organization": "organization",
    "org": "organization",
    "task": "referral",
    "servicerequest": "referral",  # FHIR: a Task / ServiceRequest is a referral
    "questionnaireresponse": "referral",  # FHIR: a referral's intake answers
    "questionnaire": "program",  # FHIR: a program's intake questions (the shared directory)
    "patient": "seeker",  # FHIR: a Patient is a seeker
    "webhook": "webhook",
    # The HSDS API (/hsds/): the public directory's providers, places and categories.
    "provider": "provider",
    "serviceatlocation": "service_at_location",
    "taxonomyterm": "taxonomy_term",
    "taxonomy": "taxonomy",
    "member": "user",  # the Organization pages: a member of the organization (or of the team)
    "claimer": "claimer",  # ... and a claimer of the program
    "apitoken": "api_token",
    "invitation": "invitation",  # the Members page: an invitation of an existing account to join  # the account page: one of the signed-in person's own API tokens
}
HINT_WORDS = sorted(HINTS, key=len, reverse=True)  # "servicerequest" before "service"
# The shared directory: readable by every signed-in user (programs), and by anyone through the HSDS API
# (programs, their providers, their places and our category taxonomy).
PUBLIC_KINDS = {"program", "provider", "service_at_location", "taxonomy_term", "taxonomy"}
PROTECTED_KINDS = {
    "seeker",
    "referral",
    "goal",
    "note",
    "event",
    "access_record",
    "webhook",
    "organization",
    "team",
    "user",
    "claimer",  # these four: organization admins only
    "api_token",  # its owner only
    "invitation",
}  # the organization's admins only


def _is_admin(route) -> bool:
    return bool(route.namespaces) and route.namespaces[0] == "admin"


def _hint(parameter) -> str | None:
    """The kind a parameter names: from its name (seeker_id), else the path segment before it (people/)."""
    for text in (parameter.name, parameter.segment):
        lowered = text.lower().replace("_", "").replace("-", "")
        for word in HINT_WORDS:
            if word in lowered:
                return HINTS[word]
    return None


def _seeker_account(seeker):
    """The seeker's own account (pages under /my/ open for it), made once per test."""
    if seeker.user_id is None:
        seeker.user = User.objects.create_user(
            email=f"own-{seeker.public_id}@example.com",
            password="x",
            first_name=seeker.first_name,
            last_name=seeker.last_name,
        )
        Seeker.objects_across_tenants.filter(pk=seeker.pk).update(user=seeker.user)
    return seeker.user


def _client(user) -> Client:
    client = Client()
    client.raise_request_exception = False
    client.force_login(user)
    return client


def _fingerprint():
    """What an outsider's request must never change (or add)."""
    return (
        ReferralEvent.objects_across_tenants.count(),
        Note.objects_across_tenants.count(),
        AccessRecord.objects_across_tenants.count(),
        sorted(
            Referral.objects_across_tenants.values_list(
                "public_id", "status", "version", "comment", "consent_withdrawn_at", "goal_id", "assigned_to_id"
            )
        ),
        sorted(Seeker.objects_across_tenants.values_list("public_id", "first_name", "last_name", "email", "phone")),
        sorted(Goal.objects_across_tenants.values_list("public_id", "title", "status")),
        # Members, roles, teams, claimers and sharing (the Organization pages change them).
        sorted(Membership.objects.values_list("organization_id", "user_id", "role")),
        sorted(Team.objects.values_list("public_id", "name", "shares_outbound")),
        sorted(TeamMembership.objects.values_list("team_id", "user_id")),
        sorted(ProgramClaimer.objects.values_list("program_id", "user_id")),
        sorted(Program.objects_across_tenants.values_list("public_id", "shares_outbound")),
        sorted(User.objects.values_list("email", "first_name", "last_name", "is_active")),
        sorted(ApiToken.objects.values_list("public_id", flat=True)),
        sorted(Invitation.objects.values_list("public_id", "accepted_at", "cancelled_at")),
    )


def _fillings(route, values_by_kind, kinds=None):
    """(kinds used, path) for each way to fill the route: hinted parameters get their kind, the others
    every kind in turn (the same kind for all of them)."""
    unhinted_kinds = [None]
    if any(_hint(p) is None for p in route.identifiers):
        unhinted_kinds = list(kinds or values_by_kind)
    for unhinted in unhinted_kinds:
        values, used = {}, set()
        for parameter in route.parameters:
            if parameter.kind == "format":
                values[parameter.name] = "json"
            elif parameter.kind == "identifier":
                kind = _hint(parameter) or unhinted
                used.add(kind)
                values[parameter.name] = values_by_kind[kind]
            elif parameter.kind == "choice":
                values[parameter.name] = CHOICES[parameter.name][0]
            else:
                values[parameter.name] = "forged-value"
        yield used, route.build(values)


METHODS = ("get", "post", "put", "patch", "delete")


def _request(client, method, path):
    if method in ("get", "post"):
        return getattr(client, method)(path, {})
    return getattr(client, method)(path, "{}", content_type="application/json")


def _rolled_back(client, method, path):
    """A request by someone entitled to the object, undone afterwards (it may write)."""
    with transaction.atomic():
        response = _request(client, method, path)
        transaction.set_rollback(True)
    return response


def _is_signed(route) -> bool:
    return any(p.kind == "signed" for p in route.parameters)


def _exempt(route) -> str | None:
    qualified = ":".join([*route.namespaces, route.name])
    for prefix, reason in EXEMPT.items():
        if qualified.startswith(prefix):
            return reason
    return None


OBJECT_ROUTES = [r for r in ROUTES if r.identifiers and not _exempt(r)]
PLAIN_ROUTES = [r for r in ROUTES if not r.identifiers and not _is_signed(r) and not _exempt(r)]
SIGNED_ROUTES = [r for r in ROUTES if _is_signed(r) and not _exempt(r)]


def test_every_route_is_classified():
    problems = []
    for route in ROUTES:
        if _exempt(route):
            continue
        problems += [f"{route.label}: {problem}" for problem in route.problems]
        for parameter in route.parameters:
            if parameter.kind == "integer":
                problems.append(f"{route.label}: <int:{parameter.name}> - URLs carry public_id UUIDs, never keys")
            elif parameter.kind == "choice" and parameter.name not in CHOICES:
                problems.append(f"{route.label}: choice parameter {parameter.name} has no values in CHOICES")
            elif parameter.kind == "other":
                problems.append(f"{route.label}: parameter {parameter.name} of an unknown converter")
    assert problems == []
    assert OBJECT_ROUTES, "expected routes with identifiers"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.label)
def test_another_tenants_objects_are_not_found(route, network, victims):
    check_another_tenant(route, network, victims)


def check_another_tenant(route, network, victims):
    owners = [
        _client(u)
        for u in (
            network.site_admin,
            network.referrer,
            network.claimer,
            network.provider_admin,
            _seeker_account(network.seeker),
        )
    ]
    fillings = list(_fillings(route, victims))

    # 1. Coverage: some kind of real object must open this route for its own people, or the checks below
    # would pass for the wrong reason (a kind of object the walker does not know yet). Signed routes are
    # opened by their signature, which the walker cannot forge: their own tests cover the valid link.
    if not _is_signed(route):
        opened = any(
            _rolled_back(owner, method, path).status_code not in (404, 405)
            for _, path in fillings
            for owner in owners
            for method in METHODS
        )
        assert opened, (
            f"{route.label}: no known kind of object opens this route for its own tenant; add the "
            "kind to the victims fixture (tests/security/conftest.py) and HINTS (here)"
        )

    # 2. Another tenant: the same answer as for an identifier that exists nowhere; nothing written.
    nowhere = {kind: uuid.uuid4() for kind in victims}
    before = _fingerprint()
    for outsider, methods in ((network.outsider, ("get", "post")), (network.outsider_admin, METHODS)):
        client = _client(outsider)
        for (used, path), (_, baseline_path) in zip(fillings, _fillings(route, nowhere)):
            for method in methods:
                answer = _request(client, method, path)
                assert answer.status_code < 500, f"{route.label} {method} {path}: {answer.status_code}"
                if used <= PUBLIC_KINDS:
                    continue  # the shared program directory: readable by all; writes are checked below
                if answer.status_code == 404:
                    continue  # the answer for what does not exist
                baseline = _request(client, method, baseline_path)
                assert answer.status_code in REFUSED, (
                    f"{route.label}: {outsider.short_name} of another tenant got {answer.status_code} "
                    f"on {method.upper()} {path} ({', '.join(sorted(used))})"
                )
                assert answer.status_code == baseline.status_code, (
                    f"{route.label}: {method.upper()} answers {answer.status_code} for another tenant's "
                    f"{', '.join(sorted(used))} but {baseline.status_code} for one that does not exist"
                )
                assert b"VICTIM-MARKER" not in answer.content
    assert _fingerprint() == before, f"{route.label}: another tenant's request changed data"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.label)
def test_same_tenant_without_the_right_gets_403_or_404(route, network, victims):
    check_same_tenant_without_right(route, network, victims)


def check_same_tenant_without_right(route, network, victims):
    before = _fingerprint()
    nowhere = {kind: uuid.uuid4() for kind in victims}
    for user in (network.private_worker, network.other_claimer):
        client = _client(user)
        for (used, path), (_, baseline_path) in zip(
            _fillings(route, victims, PROTECTED_KINDS), _fillings(route, nowhere, PROTECTED_KINDS)
        ):
            if not used & PROTECTED_KINDS:
                continue
            for method in METHODS:
                answer = _request(client, method, path)
                assert answer.status_code in (403, 404, 405) or (
                    answer.status_code in REFUSED
                    and answer.status_code == _request(client, method, baseline_path).status_code
                ), (
                    f"{route.label}: {user.short_name} (same network, no right) got {answer.status_code} "
                    f"on {method.upper()} {path} ({', '.join(sorted(used))})"
                )
                assert b"VICTIM-MARKER" not in answer.content
    assert _fingerprint() == before, f"{route.label}: a request without the right changed data"


@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=lambda r: r.label)
def test_pages_without_identifiers_show_nothing_of_another_tenant(route, network, victims):
    check_page_without_identifiers(route, network, victims)


def check_page_without_identifiers(route, network, victims):
    for _, path in _fillings(route, victims):
        for user in (network.outsider, network.outsider_admin, network.private_worker):
            answer = _client(user).get(path)
            assert answer.status_code < 500, f"{route.label}: {answer.status_code}"
            body = answer.content if not getattr(answer, "streaming", False) else b"".join(answer.streaming_content)
            assert b"VICTIM-MARKER" not in body
            assert str(victims["seeker"]).encode() not in body and str(victims["referral"]).encode() not in body
            assert b"Hernandez" not in body, f"{route.label} shows another tenant's person to {user.short_name}"


@pytest.mark.parametrize("route", SIGNED_ROUTES, ids=lambda r: r.label)
def test_signed_links_refuse_forged_values(route, network, victims):
    """Routes that carry a signed value (email links, password reset): a forged one opens nothing, for
    another tenant's object or one that does not exist alike, and changes nothing."""
    before = _fingerprint()
    nowhere = {kind: uuid.uuid4() for kind in victims}
    for client in (Client(raise_request_exception=False), _client(network.outsider)):
        for (_, path), (_, baseline_path) in zip(_fillings(route, victims), _fillings(route, nowhere)):
            for method in ("get", "post"):
                answer = _request(client, method, path)
                assert answer.status_code < 500, f"{route.label} {path}: {answer.status_code}"
                assert answer.status_code == _request(client, method, baseline_path).status_code
                assert b"VICTIM-MARKER" not in answer.content and b"Hernandez" not in answer.content
    assert _fingerprint() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if _exempt(r) and not _is_admin(r)], ids=lambda r: r.label)
def test_exempt_routes_are_closed_in_production_settings(route, network, victims):
    """The DEBUG-only development mailbox answers 404 to everyone with DEBUG off."""
    for _, path in _fillings(route, victims):
        for client in (Client(raise_request_exception=False), _client(network.site_admin)):
            assert client.get(path).status_code == 404, route.label


def test_the_admin_sends_non_staff_to_its_sign_in(network, victims):
    client = _client(network.site_admin)  # an organization admin is not a network admin
    admin_routes = [
        r
        for r in ROUTES
        if _is_admin(r)
        and not r.problems
        and r.name
        and r.name != "logout"
        and not r.name.endswith(("login", "jsi18n"))
    ]
    assert admin_routes
    for route in admin_routes:
        path = route.build({p.name: "1" for p in route.parameters})
        answer = client.get(path)
        assert answer.status_code in (302, 404), f"{route.label}: {answer.status_code}"
        if answer.status_code == 302:
            assert "/admin/login/" in answer["Location"], route.label
