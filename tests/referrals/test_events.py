"""Events flow one way: referrals publishes what it recorded, the channels subscribe and never call back.

The registry (referrals.events) calls in-transaction subscribers beside the change (their outbox rows commit
or roll back with it) and on-commit subscribers only once the change has committed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from notifications.models import OutboxMessage
from referrals import events
from referrals.models import ReferralEvent
from referrals.services import referral_change_status
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

ROOT = Path(__file__).resolve().parents[2]
Phase = events.Phase


@pytest.fixture
def heard():
    """Two test subscribers to the history: one in the transaction, one on commit."""
    calls = []
    events.subscribe(
        events.HISTORY_EVENT,
        lambda event: calls.append(("in_transaction", event.kind)),
        phase=Phase.IN_TRANSACTION,
        name="test.in_transaction",
    )
    events.subscribe(
        events.HISTORY_EVENT,
        lambda event: calls.append(("on_commit", event.kind)),
        phase=Phase.ON_COMMIT,
        name="test.on_commit",
    )
    yield calls
    events.unsubscribe("test.in_transaction")
    events.unsubscribe("test.on_commit")


@pytest.mark.django_db
def test_on_commit_subscribers_hear_of_a_change_only_once_it_commits(
    network, heard, django_capture_on_commit_callbacks
):
    referral = network.refer()
    heard.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
        assert heard == [("in_transaction", "status_changed")]  # beside the change, not yet after it

    for callback in callbacks:
        callback()  # the commit (which also delivers the emails: their "email sent" lines are events too)
    assert [call for call in heard if call[1] == "status_changed"] == [
        ("in_transaction", "status_changed"),
        ("on_commit", "status_changed"),
    ]


@pytest.mark.django_db
def test_a_change_that_rolls_back_publishes_nothing(network, heard, django_capture_on_commit_callbacks):
    webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.example.org/referrals"
    )
    referral = network.refer()
    emails, deliveries = OutboxMessage.objects.count(), WebhookDelivery.objects_across_tenants.count()
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
            assert OutboxMessage.objects.count() > emails  # the channels wrote their rows beside the change
            raise RuntimeError("the request failed after the change")

    assert callbacks == []  # nothing queued: no delivery task, no on-commit subscriber
    assert ("on_commit", "status_changed") not in heard
    assert OutboxMessage.objects.count() == emails
    assert WebhookDelivery.objects_across_tenants.count() == deliveries
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.django_db
def test_a_failing_on_commit_subscriber_neither_undoes_the_change_nor_silences_the_others(
    network, heard, django_capture_on_commit_callbacks
):
    def broken(event):
        raise RuntimeError("a push service is down")

    events.subscribe(events.HISTORY_EVENT, broken, phase=Phase.ON_COMMIT, name="test.broken")
    try:
        referral = network.refer()
        with django_capture_on_commit_callbacks(execute=True):
            referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    finally:
        events.unsubscribe("test.broken")

    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert ("on_commit", "status_changed") in heard
    assert OutboxMessage.objects.filter(kind="status_changed", status=OutboxMessage.Status.SENT).exists()


def test_the_channels_subscribe_at_start_up_inside_the_transaction():
    by_name = {subscriber.name: subscriber for subscriber in events.subscribers()}

    assert by_name["notifications.email"].topic == events.HISTORY_EVENT
    assert by_name["notifications.email.escalation"].topic == events.ESCALATION_STEP
    assert by_name["webhooks"].topic == events.HISTORY_EVENT
    assert by_name["sms.text"].topic == events.HISTORY_EVENT
    assert by_name["sms.text.escalation"].topic == events.ESCALATION_STEP
    # Outbox rows are written beside the change: a notification is never lost once the change is saved.
    assert {
        by_name[name].phase
        for name in (
            "notifications.email",
            "notifications.email.escalation",
            "webhooks",
            "sms.text",
            "sms.text.escalation",
        )
    } == {Phase.IN_TRANSACTION}


def test_subscribing_again_under_the_same_name_replaces_the_subscription():
    before = len(events.subscribers())
    for _ in range(2):
        events.subscribe(events.HISTORY_EVENT, print, phase=Phase.ON_COMMIT, name="test.twice")
    try:
        assert len(events.subscribers()) == before + 1
    finally:
        events.unsubscribe("test.twice")
    assert len(events.subscribers()) == before


def test_an_unknown_topic_or_phase_is_refused():
    with pytest.raises(ValueError):
        events.subscribe("history", print, phase=Phase.ON_COMMIT)
    with pytest.raises(TypeError):
        events.subscribe(events.HISTORY_EVENT, print, phase="on_commit")


@pytest.mark.django_db
def test_the_history_shows_no_email_sent_line_for_a_rolled_back_delivery_and_one_for_a_sent_one(
    network, django_capture_on_commit_callbacks
):
    """The delivery core's report ("email sent") reaches the history through referrals' own receiver."""
    with django_capture_on_commit_callbacks(execute=True):
        referral = network.refer()
    sent = referral.events.filter(kind=ReferralEvent.Kind.EMAIL_SENT)
    assert sorted(event.detail["to"] for event in sent) == ["Sam O.", "Seeker"]
    assert {event.actor_display for event in sent} == {"System"}


# ---------------------------------------------------------------------------------------------------------
# The direction of the imports, read from the source (module-level and function-level imports alike)

# What a channel may read of the referrals app: models, reads, the status table, the links it puts in
# messages, the labels of the answers, and the registry it subscribes to. Never a service.
# ``referrals.stalls`` is read like the status table: the stall periods and who each step tells.
CHANNEL_MAY_IMPORT = {
    "referrals",
    "referrals.models",
    "referrals.selectors",
    "referrals.statuses",
    "referrals.events",
    "referrals.links",
    "referrals.answers",
    "referrals.stalls",
    # Answers and STOP/START that arrive by text: the channel parses, referrals decides and
    # records (docs/architecture.md, "Adding a channel", 3).
    "referrals.replies",
}
CHANNELS = ("notifications", "sms", "webhooks")


def imported_modules(source: str) -> set[str]:
    """Every module ``source`` imports, wherever the import statement is (functions, methods, branches),
    with ``from package import module`` counted as ``package.module``, and import_module("...") calls."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def python_files(app: str):
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


def referral_imports(path: Path) -> set[str]:
    return {name for name in imported_modules(path.read_text()) if name.split(".")[0] == "referrals"}


def module_of(name: str) -> str:
    """The module a dotted import names: ``referrals.models.Referral`` is in ``referrals.models``."""
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ROOT.joinpath(*parts[:length])
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts[:length])
    return name


def channel_may_import(name: str) -> bool:
    return module_of(name) in CHANNEL_MAY_IMPORT


@pytest.mark.parametrize("app", CHANNELS)
def test_channels_never_import_a_referral_service(app):
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in python_files(app)
        for name in referral_imports(path)
        if not channel_may_import(name)
    }
    assert not offending, "a channel imports referral services (publish an event instead):\n" + "\n".join(
        sorted(offending)
    )


def test_referrals_never_imports_a_channel():
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in python_files("referrals")
        for name in imported_modules(path.read_text())
        if name.split(".")[0] in CHANNELS
    }
    assert not offending, "referrals imports a channel (channels subscribe to referrals.events):\n" + "\n".join(
        sorted(offending)
    )


def test_the_import_check_sees_imports_inside_functions_and_every_spelling():
    source = """
import referrals.services
from referrals import services
from referrals.sweeps import escalation_sweep

def later():
    from referrals.services import record_event
    import importlib
    importlib.import_module("referrals.tasks")

class Page:
    def post(self):
        from referrals.models import Referral
        from referrals import statuses
"""
    names = {name for name in imported_modules(source) if name.startswith("referrals")}
    refused = {name for name in names if not channel_may_import(name)}
    assert refused == {
        "referrals.services",
        "referrals.services.record_event",
        "referrals.sweeps",
        "referrals.sweeps.escalation_sweep",
        "referrals.tasks",
    }
    assert {"referrals.models.Referral", "referrals.statuses"} <= names - refused
