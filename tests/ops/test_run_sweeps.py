"""`manage.py run_sweeps`: every sweep of the beat once, in-process, with a chosen clock; and the development
server's once-a-minute loop under `make run`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command, get_commands

from ops import in_process as sweeps
from referrals.models import EscalationStep
from referrals_site.celery import app

pytestmark = pytest.mark.django_db


def run(*args, capture):
    out = StringIO()
    mail.outbox.clear()
    with capture(execute=True):
        call_command("run_sweeps", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_runs_every_sweep_of_the_beat_once_with_the_clock_given(network, django_capture_on_commit_callbacks):
    referral = network.refer()
    later = (referral.sent_at + timedelta(hours=network.program.expected_response_hours + 1)).isoformat()

    lines = run("--now", later, capture=django_capture_on_commit_callbacks)

    assert (
        [line.split(":")[0] for line in lines]
        == list(sweeps.schedule())
        == [name for name in app.conf.beat_schedule if name != "outbox"] + ["outbox"]
    )
    assert "escalation: 1 claimer reminders" in lines
    # The outbox sweep, run last with the same clock, finds the new-referral emails (never delivered: this
    # test queued nothing when the referral was made) and sends them with the reminder.
    assert "outbox: 3 email queued" in lines
    assert (network.claimer.email, "No answer yet: referral to Community Food Pantry") in [
        (message.to[0], message.subject) for message in mail.outbox
    ]
    assert referral.escalation_steps.get().step == EscalationStep.Step.CLAIMER_REMINDER

    again = run("--now", later, capture=django_capture_on_commit_callbacks)
    assert "escalation: nothing due" in again and mail.outbox == []  # idempotent, like the sweeps


def test_the_clock_defaults_to_now_and_one_sweep_can_be_chosen(network, django_capture_on_commit_callbacks):
    network.refer()
    assert run("--only", "escalation", capture=django_capture_on_commit_callbacks) == ["escalation: nothing due"]
    assert not EscalationStep.objects.exists()


def test_a_time_without_a_zone_is_the_sites(network, django_capture_on_commit_callbacks, settings):
    referral = network.refer()
    from django.utils import timezone

    local = referral.sent_at + timedelta(hours=3 * network.program.expected_response_hours, minutes=2)

    naive = timezone.localtime(local).replace(tzinfo=None).isoformat(timespec="minutes")
    assert "escalation: 1 referrer escalations" in run("--now", naive, capture=django_capture_on_commit_callbacks)


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-05T10:00", "", "5"])
def test_a_bad_clock_is_refused_naming_the_form(network, value):
    network.refer()
    with pytest.raises(CommandError, match="--now must be a time such as 2027-01-05T10:00"):
        call_command("run_sweeps", "--now", value, stdout=StringIO())
    assert not EscalationStep.objects.exists()


def test_an_unknown_sweep_is_refused_naming_the_choices(db):
    with pytest.raises(CommandError) as refused:
        call_command("run_sweeps", "--only", "escalations", stdout=StringIO())
    assert str(refused.value) == (
        f"There is no sweep named 'escalations'; the sweeps are {', '.join(sweeps.schedule())}."
    )


def test_the_development_server_runs_the_sweeps_once_per_serving_process(monkeypatch, settings):
    from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver

    from ops.management.commands.runserver import Command

    assert get_commands()["runserver"] == "ops"  # ours, not staticfiles': ops comes first in INSTALLED_APPS
    started = []
    monkeypatch.setattr(
        sweeps.threading,
        "Thread",
        lambda **kwargs: type("T", (), {"start": lambda self: started.append(kwargs["args"])})(),
    )
    monkeypatch.setattr(sweeps, "_loop_started", sweeps.threading.Event())
    monkeypatch.setattr(StaticfilesRunserver, "inner_run", lambda self, *args, **options: None)

    settings.SWEEPS_IN_PROCESS_SECONDS = 0
    Command(stdout=StringIO()).inner_run()
    assert started == []  # production and tests: the beat runs them

    settings.SWEEPS_IN_PROCESS_SECONDS = 60
    Command(stdout=StringIO()).inner_run()
    Command(stdout=StringIO()).inner_run()  # a second inner_run in the same process starts no second loop
    assert started == [(60,)]
