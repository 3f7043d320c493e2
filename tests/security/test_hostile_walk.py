"""Hostile input on every route, generated from the URL configuration (as the isolation walker is).

Every route of ``referrals_site.urls`` (``urlwalk.discover``: includes, the API, FHIR and HSDS routers; routes
added tomorrow are walked tomorrow), its identifiers filled with real objects the worker may open, is requested
anonymously and by a worker with:

- query strings of non-ASCII digits (``６０６４０``, ``٦٠٦٤٠``, ``²``), negative, zero and huge page numbers
  (thousands of digits), very long strings and a NUL, under every parameter name the app reads;
- bodies (POST, and PUT/PATCH/DELETE where the route takes them) of non-ASCII digits, very long strings and
  NULs in every field name the app reads, as a form and as JSON; JSON nested thousands of levels deep, a
  megabyte of JSON, a number too large for a float, and bodies under the wrong content type.

Each answer must be below 500, and a refused request must change nothing: the project's tables are compared
before and after each request (inside a transaction rolled back afterwards, so requests do not disturb each
other). A route whose plain, empty request already changes something (signing out, withdrawing consent: they
take no input) is only held to "no 500". The Django admin is left out (staff only; its forms are Django's).
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from notifications import links

from .test_tenant_isolation import _exempt, _fillings, _is_admin
from .urlwalk import discover

ROUTES = [route for route in discover() if not _is_admin(route) and not _exempt(route)]

# Every query parameter and field name the app's views, forms, serializers and FHIR/HSDS readers read.
QUERY_NAMES = [
    "page",
    "per_page",
    "_count",
    "size",
    "zip",
    "postcode",
    "radius",
    "radius_miles",
    "proximity",
    "q",
    "search",
    "status",
    "category",
    "seeker",
    "since",
    "cursor",
    "direction",
    "from",
    "to",
    "tab",
    "older_than_days",
    "answer",
    "program",
    "urgency",
    "assigned",
    "format",
    "_lastUpdated",
    "owner",
    "modified_after",
    "taxonomy_term_id",
    "organization_id",
    "accepting",
    "next",
    "show_ineligible",
    "forward",
    "referral",
    "show",
    "language",
]
FIELD_NAMES = [
    "body",
    "comment",
    "note",
    "first_name",
    "last_name",
    "date_of_birth",
    "zip_code",
    "email",
    "phone",
    "preferred_language",
    "contact_preference",
    "choice",
    "reason",
    "to_status",
    "status",
    "version",
    "expected_version",
    "name",
    "title",
    "goal",
    "assignee",
    "urgency",
    "consent_method",
    "program",
    "seeker",
    "organization",
    "url",
    "events",
    "role",
    "team",
    "user",
    "password",
    "new_email",
    "otp",
    "otp_token",
    "token",
    "new_password1",
    "new_password2",
    "old_password",
    "description",
    "eligibility",
    "next_steps",
    "capacity_available",
    "capacity_maximum",
    "accepts_referrals",
    "shares_outbound",
    "confirm",
    "username",
    "resourceType",
    "statusReason",
    "businessStatus",
    "consent",
    "on_behalf_of",
    "on_behalf_of_program",
]

# Fields that hold numbers, codes or dates: where digits of other scripts must be refused (in a text field, a
# note or a name, "٦٠٦٤٠" is text, and kept).
NUMBER_FIELDS = [
    "date_of_birth",
    "zip_code",
    "phone",
    "version",
    "expected_version",
    "capacity_available",
    "capacity_maximum",
    "otp",
    "otp_token",
    "token",
]
NON_ASCII_DIGITS = ["６０６４０", "٦٠٦٤٠", "²", "٣"]
NEGATIVE = ["-1", "0", "-99999"]
HUGE_NUMBER = "9" * 5000
LONG = "x" * 20_000  # in every field at once: about 1 MB, under the upload limit
LONG_QUERY = "x" * 3_000  # in every parameter at once: about 100 KB of query string

QUERIES = {
    "non-ASCII digits": {name: NON_ASCII_DIGITS[index % 4] for index, name in enumerate(QUERY_NAMES)}
    | {"page": "²", "per_page": "٣", "_count": "３", "zip": "６０６４０", "postcode": "٦٠٦٤٠"},
    "negative and huge numbers": {name: (HUGE_NUMBER, *NEGATIVE)[index % 4] for index, name in enumerate(QUERY_NAMES)}
    | {"page": HUGE_NUMBER, "per_page": "-1", "_count": "0", "size": "-99999"},
    "long strings": {name: LONG_QUERY for name in QUERY_NAMES},
    "NUL": {name: "a\x00b" for name in QUERY_NAMES},
}

FORMS = {
    "non-ASCII digits": {name: NON_ASCII_DIGITS[index % 4] for index, name in enumerate(NUMBER_FIELDS)},
    "long strings": {name: LONG for name in FIELD_NAMES},
    "NUL": {name: "nul\x00" for name in FIELD_NAMES},
}
JSON_BODIES = {
    "non-ASCII digits": json.dumps(FORMS["non-ASCII digits"]),
    "long strings": json.dumps(FORMS["long strings"]),
    "NUL": json.dumps(FORMS["NUL"]),
    "deep nesting": "[" * 3000 + "]" * 3000,
    "deep nesting in a field": '{"body": ' + '{"a":' * 500 + "1" + "}" * 500 + "}",
    "huge JSON": json.dumps({"body": "x" * 1_000_000, "items": [0] * 20_000}),  # 1 MB, under the upload limit
    "a number too large for a float": '{"version": 1e999, "capacity_available": 1e999, "radius_miles": 1e999}',
    "wrong types": json.dumps({name: {"coding": "x", "value": [None]} for name in FIELD_NAMES}),
}
WRONG_CONTENT_TYPES = [
    ("text/plain", json.dumps(FORMS["non-ASCII digits"])),
    ("application/json", "body=x&choice=got_help"),
]
JSON_DOORS = ("/api/", "/fhir/", "/hsds/")


def _tables() -> list[str]:
    """The project's own tables (every installed app that lives in this repository)."""
    root = str(settings.BASE_DIR)
    tables = []
    for config in apps.get_app_configs():
        if config.path.startswith(root) and ".venv" not in config.path:
            tables += [model._meta.db_table for model in config.get_models() if model._meta.managed]
    return sorted(set(tables) - {"privacy_accessrecord"})  # reading a person's page records the read: not a change


def _snapshot(tables) -> tuple:
    """How many rows each table has and a checksum of their contents (order-free), in one query."""
    columns = ", ".join(
        f"(SELECT count(*) || ':' || coalesce(sum(hashtext(t::text)::bigint), 0) "
        f"FROM {connection.ops.quote_name(table)} t)"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return tuple(cursor.fetchone())


class Walk:
    """Sends hostile requests to one route at a time, each in a transaction rolled back afterwards, and
    collects every 5xx and every change a refused request made."""

    def __init__(self, tables):
        self.tables = tables
        self.problems: list[str] = []

    def send(self, client, method, path, *, before=None, label="", **kwargs):
        """One request; with ``before`` (a snapshot), a change is a problem. Returns the response and whether
        it changed data."""
        with transaction.atomic():
            response = getattr(client, method)(path, **kwargs)
            changed = False
            if response.status_code >= 500:
                self.problems.append(f"{method.upper()} {path[:120]} ({label}): {response.status_code}")
            elif before is not None:
                changed = _snapshot(self.tables) != before
                if changed and label:
                    self.problems.append(
                        f"{method.upper()} {path[:120]} ({label}) answered {response.status_code} and changed data"
                    )
            transaction.set_rollback(True)
        return response, changed

    def route(self, client, path, *, methods):
        for label, query in QUERIES.items():
            self.send(client, "get", path, data=query, label=f"query: {label}")
        # Which methods the route takes: a 405 names them in its Allow header (Django's and DRF's alike).
        probe, _ = self.send(client, "delete", path)
        if probe.status_code == 405:
            allowed = {method.strip().lower() for method in probe.get("Allow", "").split(",")}
            methods = [method for method in methods if method in allowed]
        before = _snapshot(self.tables)
        for method in methods:
            # A route that changes data on a plain, empty request (signing out, withdrawing consent) takes no
            # input to refuse: it is only held to "no 500".
            _, acts = self.send(client, method, path, before=before, data={} if method == "post" else "")
            check = None if acts else before
            if method == "post":
                for label, form in FORMS.items():
                    self.send(client, method, path, before=check, data=form, label=f"form: {label}")
            json_door = path.startswith(JSON_DOORS)
            for label, body in JSON_BODIES.items() if json_door else [("deep nesting", JSON_BODIES["deep nesting"])]:
                self.send(
                    client,
                    method,
                    path,
                    before=check,
                    data=body,
                    content_type="application/json",
                    label=f"JSON: {label}",
                )
            if path.startswith("/fhir/"):
                self.send(
                    client,
                    method,
                    path,
                    before=check,
                    data=JSON_BODIES["wrong types"],
                    content_type="application/fhir+json",
                    label="FHIR JSON: wrong types",
                )
            for content_type, body in WRONG_CONTENT_TYPES:
                self.send(
                    client,
                    method,
                    path,
                    before=check,
                    data=body,
                    content_type=content_type,
                    label=f"wrong content type {content_type}",
                )


def _reads_input_anonymously(client, path) -> bool:
    """Whether an anonymous POST gets further than "sign in first" (a redirect to the sign-in page, 401/403)."""
    response = client.post(path)
    return not (
        response.status_code in (401, 403)
        or (response.status_code == 302 and "/accounts/login/" in response.get("Location", ""))
    )


def _path(route, values, network, referral) -> str:
    if route.name == "email_link":  # a real signed link, so the choice is read
        return re.sub(r"^https?://[^/]+", "", links.link_url(referral=referral, seeker=network.seeker))
    return next(_fillings(route, values))[1]


CHUNKS = 4  # the walk is split so that test workers share it


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_route_answers_hostile_input_without_a_500_and_changes_nothing(network, victims, chunk):
    from referrals.models import Referral

    assert len(ROUTES) > 80, "the walker found too few routes"
    referral = Referral.objects_across_tenants.get(public_id=victims["referral"])
    walk = Walk(_tables())
    anonymous = Client(raise_request_exception=False)
    worker = Client(raise_request_exception=False)
    for route in ROUTES[chunk::CHUNKS]:
        path = _path(route, victims, network, referral)
        if _reads_input_anonymously(anonymous, path):
            walk.route(anonymous, path, methods=("post",))
        worker.force_login(network.referrer)  # again for each route: one of them signs out
        walk.route(worker, path, methods=("post", "put", "patch", "delete"))
    assert walk.problems == []
