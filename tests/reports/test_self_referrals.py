"""A self-referral in the organization report: received by the program's organization, on its own
"Self-referral" line of "Received, by the referring organization", and never counted as sent by anybody."""

from datetime import datetime

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_self_refer
from seekers.services import seeker_for_self_referral

from .test_organization_report import NO_FIGURES, report

pytestmark = pytest.mark.django_db


def test_the_provider_receives_it_on_its_own_line_and_nobody_sent_it(client, figures):
    network = figures.network
    seeker = seeker_for_self_referral(
        organization=network.provider,
        first_name="Elena",
        last_name="Ruiz",
        contact_kind="email",
        contact="elena@example.com",
        language="es",
    )
    referral = referral_self_refer(seeker=seeker, program=network.program, consent_wording="I agree.")
    Referral.objects.unscoped("test").filter(pk=referral.pk).update(
        sent_at=timezone.make_aware(datetime(2026, 2, 10, 9, 0))
    )
    tables = report(client, network.provider_admin)
    assert tables["summary"][0] == ["Sent (outbound)", *NO_FIGURES]
    assert tables["summary"][1][1] == "9"  # the eight of the hand-built network, and this one
    by_organization = {row[0]: row[1] for row in tables["inbound-by-organization"]}
    assert by_organization == {"Eastlake School District": "2", "Northside Health Center": "6", "Self-referral": "1"}
    assert tables["outbound-by-program"] == []
