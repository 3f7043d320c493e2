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

from goals.models import Goal
from privacy.models import AccessRecord
from privacy.services import access_record
from referrals.models import Note, Referral, ReferralEvent
from referrals.services import note_add
from seekers.models import Seeker

from .urlwalk import discover

ROUTES = discover()

# Routes exempt from the identifier checks, and why. Kept small on purpose.
EXEMPT = {
    "admin": "the Django admin: staff only, with its own sign-in; checked below (non-staff are sent to its login)",
}

# Parameter-name hints: which kind of object a parameter names. Anything else is tried with every kind.
HINTS = {
    "seeker": "seeker", "person": "seeker", "people": "seeker",
    "referral": "referral",
    "goal": "goal",
    "note": "note",
    "event": "event",
    "program": "program", "service": "program",
    "team": "team",
    "organization": "organization", "org": "organization",
    "task": "referral", "servicerequest": "referral",  # FHIR: a Task / ServiceRequest is a referral
    "patient": "seeker",  # FHIR: a Patient is a seeker
}
PUBLIC_KINDS = {"program"}  # the shared directory: readable by every signed-in user
PROTECTED_KINDS = {"seeker", "referral", "goal", "note", "event", "access_record"}


def _is_admin(route) -> bool:
    return bool(route.namespaces) and route.namespaces[0] == "admin"


def _hint(name: str) -> str | None:
    lowered = name.lower().replace("_", "")
    for word, kind in HINTS.items():
        if word in lowered:
            return kind
    return None


@pytest.fixture
def victims(network):
    """One real object of each kind, owned by the Northside site (and the City Food Bank program)."""
    referral = network.refer(comment="Victim comment VICTIM-MARKER")
    goal = Goal.objects_across_tenants.create(organization=network.site, seeker=network.seeker,
                                              title="Find stable housing", created_by=network.referrer)
    note = note_add(actor=network.referrer, referral=referral, body="Victim note VICTIM-MARKER")
    event = referral.events.order_by("id").first()
    record = access_record(user=network.referrer, seeker=network.seeker)
    return {
        "seeker": network.seeker.public_id,
        "referral": referral.public_id,
        "goal": goal.public_id,
        "note": note.public_id,
        "event": event.public_id,
        "access_record": record.public_id,
        "program": network.program.public_id,
        "team": network.sharing_team.public_id,
        "organization": network.site.public_id,
        "user": network.referrer.public_id,
    }


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
        sorted(Referral.objects_across_tenants.values_list("public_id", "status", "version", "comment",
                                                          "consent_withdrawn_at", "goal_id", "assigned_to_id")),
        sorted(Seeker.objects_across_tenants.values_list("public_id", "first_name", "last_name", "email", "phone")),
        sorted(Goal.objects_across_tenants.values_list("public_id", "title", "status")),
    )


def _fill(route, values_by_kind, kind_for_unhinted):
    values = {}
    for parameter in route.parameters:
        if parameter.kind == "format":
            values[parameter.name] = "json"
        elif parameter.kind == "identifier":
            values[parameter.name] = values_by_kind[_hint(parameter.name) or kind_for_unhinted]
        else:
            values[parameter.name] = "x"
    return route.build(values)


def _request(client, method, path):
    return client.get(path) if method == "get" else client.post(path, {})


def _rolled_back(client, method, path):
    """A request by someone entitled to the object, undone afterwards (it may write)."""
    with transaction.atomic():
        response = _request(client, method, path)
        transaction.set_rollback(True)
    return response


def _method(client, path):
    """GET when the route answers GET; POST (an empty form) for POST-only routes."""
    with transaction.atomic():
        response = client.get(path)
        transaction.set_rollback(True)
    return "post" if response.status_code == 405 else "get"


OBJECT_ROUTES = [r for r in ROUTES if r.identifiers and not _is_admin(r)]
PLAIN_ROUTES = [r for r in ROUTES if not r.parameters and not _is_admin(r)]
OTHER_ROUTES = [r for r in ROUTES if r.parameters and not r.identifiers and not _is_admin(r)]


def test_every_route_is_classified():
    problems = []
    for route in ROUTES:
        if _is_admin(route):
            continue
        problems += [f"{route.label}: {problem}" for problem in route.problems]
        for parameter in route.parameters:
            if parameter.kind == "integer":
                problems.append(f"{route.label}: <int:{parameter.name}> - URLs carry public_id UUIDs, never keys")
            elif parameter.kind == "other":
                problems.append(f"{route.label}: parameter {parameter.name} of an unknown converter")
    assert problems == []
    assert OBJECT_ROUTES, "expected routes with identifiers"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.label)
def test_another_tenants_objects_are_not_found(route, network, victims):
    check_another_tenant(route, network, victims)


def check_another_tenant(route, network, victims):
    owners = [_client(u) for u in (network.site_admin, network.referrer, network.claimer, network.provider_admin)]
    kinds = [_hint(p.name) for p in route.identifiers if _hint(p.name)] or list(victims)
    method = _method(owners[0], _fill(route, victims, kinds[0]))

    # 1. Coverage: some kind of real object must open this route for its own people, or the checks below
    # would pass for the wrong reason (a kind of object the walker does not know yet).
    opened = None
    for kind in [k for k in victims if k in kinds] + [k for k in victims if k not in kinds]:
        path = _fill(route, victims, kind)
        if any(_rolled_back(owner, method, path).status_code not in (404, 405) for owner in owners):
            opened = kind
            break
    assert opened, (f"{route.label}: no known kind of object opens this route for its own tenant; add the kind "
                    "to the victims fixture (and HINTS) in tests/security/test_tenant_isolation.py")

    # 2. Another tenant: the same answer as for an identifier that exists nowhere; nothing written.
    nowhere = {kind: uuid.uuid4() for kind in victims}
    before = _fingerprint()
    for outsider in (network.outsider, network.outsider_admin):
        client = _client(outsider)
        for kind in victims:
            path = _fill(route, victims, kind)
            for verb in {method, "post"}:
                answer = _request(client, verb, path)
                baseline = _request(client, verb, _fill(route, nowhere, kind))
                if kind in PUBLIC_KINDS and verb == "get" and answer.status_code < 500:
                    continue  # the shared program directory
                assert answer.status_code < 500, f"{route.label} {verb} {kind}: {answer.status_code}"
                if kind in PUBLIC_KINDS:
                    continue  # posting to a program: refusal is the program's own tests; nothing changes (below)
                assert answer.status_code in (403, 404, 405), (
                    f"{route.label}: {outsider.short_name} of another tenant got {answer.status_code} "
                    f"on {verb.upper()} {path} ({kind})")
                assert answer.status_code == baseline.status_code, (
                    f"{route.label}: {verb.upper()} answers {answer.status_code} for another tenant's {kind} "
                    f"but {baseline.status_code} for one that does not exist - that reveals it exists")
                assert b"VICTIM-MARKER" not in answer.content
    assert _fingerprint() == before, f"{route.label}: another tenant's request changed data"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.label)
def test_same_tenant_without_the_right_gets_403_or_404(route, network, victims):
    check_same_tenant_without_right(route, network, victims)


def check_same_tenant_without_right(route, network, victims):
    before = _fingerprint()
    kinds = [_hint(p.name) for p in route.identifiers if _hint(p.name)] or sorted(PROTECTED_KINDS)
    for user in (network.private_worker, network.other_claimer):
        client = _client(user)
        for kind in kinds:
            if kind not in PROTECTED_KINDS:
                continue
            path = _fill(route, victims, kind)
            for verb in ("get", "post"):
                answer = _request(client, verb, path)
                assert answer.status_code in (403, 404, 405), (
                    f"{route.label}: {user.short_name} (same network, no right) got {answer.status_code} "
                    f"on {verb.upper()} {path} ({kind})")
    assert _fingerprint() == before, f"{route.label}: a request without the right changed data"


@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=lambda r: r.label)
def test_pages_without_identifiers_show_nothing_of_another_tenant(route, network, victims):
    check_page_without_identifiers(route, network, victims)


def check_page_without_identifiers(route, network, victims):
    path = route.build({})
    for user in (network.outsider, network.outsider_admin, network.private_worker):
        answer = _client(user).get(path)
        assert answer.status_code < 500, f"{route.label}: {answer.status_code}"
        body = answer.content if not getattr(answer, "streaming", False) else b""
        assert b"VICTIM-MARKER" not in body
        assert str(victims["seeker"]).encode() not in body and str(victims["referral"]).encode() not in body
        assert b"Hernandez" not in body, f"{route.label} shows another tenant's person to {user.short_name}"


@pytest.mark.parametrize("route", OTHER_ROUTES, ids=lambda r: r.label)
def test_signed_links_refuse_forged_values(route, network):
    """Routes that carry a signed value (email links, password reset): a forged one opens nothing."""
    values = {p.name: ("json" if p.kind == "format" else "forged-value") for p in route.parameters}
    path = route.build(values)
    for client in (Client(raise_request_exception=False), _client(network.outsider)):
        for verb in ("get", "post"):
            answer = _request(client, verb, path)
            assert answer.status_code < 500, f"{route.label}: {answer.status_code}"
            assert b"VICTIM-MARKER" not in answer.content and b"Hernandez" not in answer.content


def test_the_admin_sends_non_staff_to_its_sign_in(network, victims):
    client = _client(network.site_admin)  # an organization admin is not a network admin
    admin_routes = [r for r in ROUTES if _is_admin(r) and not r.problems and r.name and r.name != "logout"
                    and not r.name.endswith(("login", "jsi18n"))]
    assert admin_routes
    for route in admin_routes:
        path = route.build({p.name: "1" for p in route.parameters})
        answer = client.get(path)
        assert answer.status_code in (302, 404), f"{route.label}: {answer.status_code}"
        if answer.status_code == 302:
            assert "/admin/login/" in answer["Location"], route.label
