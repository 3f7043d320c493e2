"""``seed_demo`` itself: it refuses to run without DEBUG, and with real commits it sums up the emails it sends.
The demo network it seeds is checked in test_seed_demo.py."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(email="maria@northside.example").exists()


def test_seed_demo_sums_up_its_emails_instead_of_printing_them(transactional_db, settings, capsys):
    """Real commits (transactional_db): the emails are sent when the seed's transaction commits, as in make run."""
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    from io import StringIO

    from notifications.models import OutboxMessage

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue() + capsys.readouterr().out

    emails = OutboxMessage.objects.count()
    assert emails > 100
    assert len(printed.splitlines()) < 20, printed[:3000]
    assert "Subject:" not in printed
    assert f"{emails} demo messages" in printed and "/dev/mailbox/" in printed
    assert "Referral confirmation (seeker)" in printed
    # Every one of them is in the dev mailbox, sent as far as the outbox knows.
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
    assert printed.rstrip().splitlines()[-1].endswith("“referrals-demo”.")
