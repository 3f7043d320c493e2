"""One error vocabulary (core.errors): every service refuses with an ApplicationError, and each surface maps it
once: a form shows it on its field, the API answers 400/403/404/409, FHIR an OperationOutcome."""

import ast
import builtins
import importlib
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from accounts.services import organization_member_add, organization_team_create, team_add_member
from api.exceptions import exception_handler
from core.errors import ApplicationError, Conflict, InvalidInput, NotAllowed, NotFound, add_to_form, http_status
from core.forms import add_service_errors, error_messages
from fhir_api.views import FHIRView
from programs.selectors import UnknownZipCode
from referrals.errors import ReasonRequired, ReferralError, StaleReferral
from webhooks.services import WebhookNotAllowed, webhook_endpoint_create

ROOT = Path(settings.BASE_DIR)


def test_the_kinds_and_their_http_answers():
    assert [http_status(error) for error in (InvalidInput("x"), NotAllowed("x"), NotFound("x"), Conflict("x"))] == [
        400,
        403,
        404,
        409,
    ]
    assert isinstance(NotAllowed("x"), PermissionDenied)  # a web view that lets it through answers 403
    assert ReferralError is ApplicationError
    assert issubclass(WebhookNotAllowed, NotAllowed) and issubclass(UnknownZipCode, InvalidInput)


def test_an_error_names_its_field_or_several():
    one = InvalidInput("Enter the email.", field="email", code="required")
    assert (one.message, one.code, one.field, one.errors) == (
        "Enter the email.",
        "required",
        "email",
        {"email": ["Enter the email."]},
    )
    several = InvalidInput(errors={"first_name": "Enter the first name.", "last_name": ["Enter the last name."]})
    assert several.errors == {"first_name": ["Enter the first name."], "last_name": ["Enter the last name."]}
    assert several.message == "Enter the first name. Enter the last name."
    assert ReasonRequired("Choose a reason.").errors == {"reason": ["Choose a reason."]}
    assert InvalidInput("No.", already=True).context == {"already": True}


class PersonForm(forms.Form):
    email = forms.CharField()


def test_a_form_shows_the_refusal_on_its_field_and_keeps_the_input():
    form = PersonForm({"email": "ana@example.org"})
    assert form.is_valid()
    add_to_form(form, InvalidInput("ana@example.org is already a member.", field="email"))
    assert form.errors == {"email": ["ana@example.org is already a member."]}
    assert form["email"].value() == "ana@example.org"
    other = PersonForm({"email": "ana@example.org"})
    other.is_valid()
    add_service_errors(other, InvalidInput("The only admin cannot be removed.", field="role"))
    assert other.non_field_errors() == ["The only admin cannot be removed."]
    assert error_messages(InvalidInput(errors={"a": "One.", "b": "Two."})) == ["One.", "Two."]


@pytest.mark.parametrize(
    "error, status, body",
    [
        (InvalidInput("Enter the email.", field="email"), 400, {"email": ["Enter the email."]}),
        (InvalidInput("Unknown fields."), 400, {"detail": "Unknown fields.", "code": "invalid"}),
        (
            NotAllowed("Only the program's claimers."),
            403,
            {"detail": "Only the program's claimers.", "code": "not_allowed"},
        ),
        (NotFound("No such thing."), 404, {"detail": "No such thing.", "code": "not_found"}),
        (Conflict("Changed meanwhile."), 409, {"detail": "Changed meanwhile.", "code": "conflict"}),
        (
            StaleReferral("Changed.", current=type("Current", (), {"version": 7})()),
            409,
            {"detail": "Changed.", "code": "stale", "current_version": 7},
        ),
        (UnknownZipCode("“00000” is not a zip code we know."), 400, {"zip": ["“00000” is not a zip code we know."]}),
    ],
)
def test_the_api_maps_each_kind_once(error, status, body):
    response = exception_handler(error, {})
    assert (response.status_code, response.data) == (status, body)


@pytest.mark.parametrize(
    "error, status, code",
    [
        (InvalidInput("Bad."), 400, "invalid"),
        (NotAllowed("No."), 403, "forbidden"),
        (NotFound("None."), 404, "not-found"),
        (StaleReferral("Changed.", current=None), 409, "conflict"),
        (Conflict("Illegal.", code="illegal_transition"), 409, "business-rule"),
    ],
)
def test_fhir_maps_each_kind_to_an_operation_outcome(error, status, code):
    view = FHIRView()
    view.request = view.initialize_request(APIRequestFactory().get("/fhir/Task"))
    response = view.handle_exception(error)
    assert response.status_code == status
    assert response.data["resourceType"] == "OperationOutcome"
    assert response.data["issue"][0]["code"] == code
    assert error.message in str(response.data)


def test_accounts_and_webhooks_refuse_in_the_vocabulary(network):
    with pytest.raises(InvalidInput) as error:
        organization_member_add(actor=network.site_admin, organization=network.site, email="not an address")
    assert error.value.errors == {"email": ["Enter an email address like name@example.org."]}
    with pytest.raises(InvalidInput) as error:
        organization_member_add(actor=network.site_admin, organization=network.site, email="new@example.org")
    assert set(error.value.errors) == {"first_name", "last_name"}
    with pytest.raises(InvalidInput):
        organization_team_create(actor=network.site_admin, organization=network.site, name="Care Navigation")
    with pytest.raises(InvalidInput, match="is not a member of"):
        team_add_member(team=network.sharing_team, user=network.outsider)
    with pytest.raises(InvalidInput) as error:
        webhook_endpoint_create(
            actor=network.provider_admin, organization=network.provider, url="http://hooks.example/x"
        )
    assert error.value.field == "url" and error.value.code == "https_only"
    with pytest.raises(WebhookNotAllowed):
        webhook_endpoint_create(actor=network.referrer, organization=network.site, url="https://hooks.example/x")


# Exceptions services raise that are not refusals to a person: each is caught inside its own app.
INTERNAL = {
    "DeliveryError": "webhooks: a failed delivery attempt, recorded on the row and retried",
    "DeliveryFailed": "a channel's send (sms): a failed attempt, recorded on the row by the delivery core",
    "Defer": "sms: quiet hours, the row waits in the outbox (core.outbox)",
    "RecordError": "programs.hsds: a rejected import row, printed and skipped",
    "ImportPathError": "programs.hsds: the import command's own argument error (CommandError)",
    "ValueError": "privacy.access_record(s_for_many): a call without a seeker or referral is a bug in the caller",
}


def raised_classes(path: Path):
    """(line, name, class) of each ``raise SomeClass(...)`` in the module (re-raising a caught error, or raising
    what a helper function built, is left to that helper's own module)."""
    module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name):
            name = node.exc.func.id
            found = getattr(module, name, None) or getattr(builtins, name, None)
            if isinstance(found, type):
                yield node.lineno, name, found


SERVICES = sorted(path for path in ROOT.glob("*/services.py") if path.parent.name not in {"notifications"}) + [
    ROOT / "programs" / "hsds" / "services.py"
]


@pytest.mark.parametrize("path", SERVICES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_service_refuses_with_an_application_error(path):
    """notifications/services.py is left out while the referral lifecycle moves out of it (issue 13, arch1)."""
    wrong = [
        f"line {line}: raises {name}"
        for line, name, found in raised_classes(path)
        if name not in INTERNAL and not issubclass(found, ApplicationError)
    ]
    assert not wrong, f"{path.relative_to(ROOT)} refuses outside core.errors:\n" + "\n".join(wrong)
