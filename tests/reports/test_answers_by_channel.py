"""The seeker's answers counted by the channel that carried them, in the organization report and the network
scorecard (page, chart and CSV): made through the real services, one answer per channel."""

import csv
import io

import pytest

from referrals.actors import Actor
from referrals.answers import LinkRecipient
from referrals.models import ReferralEvent
from referrals.replies import referral_answer_by_text
from referrals.services import referral_answer_by_link, referral_change_status
from reports.selectors import cell_text
from tests import factories

pytestmark = pytest.mark.django_db

SEEKER_ANSWER_LABELS = [
    "Email link",
    "Text message",
    "Signed in (the seeker's own page)",
    "Staff, for the seeker",
    "No answer from the seeker yet",
]


@pytest.fixture
def answered(network):
    """Seven referrals Northside sent to City Food Bank's programs, answered by each channel (two by email)."""
    n = network

    def sent(program=None):
        seeker = factories.SeekerFactory(organization=n.site, created_by=n.referrer, team=n.sharing_team)
        referral = factories.referral(referrer=n.referrer, seeker=seeker, program=program or n.program)
        return referral, seeker

    for choice in ("got_help", "couldnt_get_help"):
        referral, seeker = sent()
        result = referral_answer_by_link(referral=referral, recipient=LinkRecipient(seeker=seeker), choice=choice)
        assert result.outcome == "recorded"
    referral, seeker = sent()
    assert referral_answer_by_text(referral=referral, seeker=seeker, choice="no_longer_interested").outcome == (
        "recorded"
    )
    referral, seeker = sent()
    referral_change_status(
        actor=Actor.for_seeker(seeker, via=ReferralEvent.Via.WEB), referral=referral, to_status="got_help"
    )
    referral, _ = sent(n.other_program)
    referral_change_status(actor=n.referrer, referral=referral, to_status="got_help")  # staff, for the seeker
    referral, _ = sent()
    referral_change_status(actor=n.claimer, referral=referral, to_status="got_help")  # the program's word
    sent()  # no answer yet
    return n


def tables(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response, {
        table.slug: [[cell_text(cell) for cell in row] for row in table.rows] for table in response.context["tables"]
    }


def test_the_organization_report_counts_the_answers_by_channel_for_both_sides(client, answered):
    _, sent = tables(client, answered.site_admin, "/reports/")
    assert sent["answers-by-channel"] == [
        [label, *counts]
        for label, counts in zip(
            SEEKER_ANSWER_LABELS, [["2", "0"], ["1", "0"], ["1", "0"], ["1", "0"], ["2", "0"]], strict=True
        )
    ]
    response, received = tables(client, answered.provider_admin, "/reports/")
    assert [row[2] for row in received["answers-by-channel"]] == ["2", "1", "1", "1", "2"]
    assert "The seeker's answers, by channel" in response.content.decode()


def test_a_later_answer_replaces_the_earlier_one(client, answered):
    """A reopened referral answered again counts once, by its latest answer."""
    event = ReferralEvent.objects_across_tenants.filter(kind="status_changed", via="email_link").first()
    referral = event.referral
    from referrals.services import referral_reopen

    referral_reopen(actor=answered.site_admin, referral=referral, note="The seeker called back.")
    referral_change_status(actor=answered.referrer, referral=referral, to_status="got_help")
    _, sent = tables(client, answered.site_admin, "/reports/")
    assert [row[1] for row in sent["answers-by-channel"]] == ["1", "1", "1", "2", "2"]


def test_the_network_scorecard_counts_the_answers_by_channel_with_their_share(client, answered):
    from accounts.models import User

    admin = User.objects.create_superuser(email="net@example.com", password=factories.PASSWORD, first_name="N")
    response, scorecard = tables(client, admin, "/reports/network/")
    assert scorecard["answers-by-channel"] == [
        ["Email link", "2", "40.0"],
        ["Text message", "1", "20.0"],
        ["Signed in (the seeker's own page)", "1", "20.0"],
        ["Staff, for the seeker", "1", "20.0"],
        ["No answer from the seeker yet", "2", ""],
    ]
    page = response.content.decode()
    assert "Bar chart of referrals by answered by" in page

    download = client.get("/reports/network/answers-by-channel.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["Answered by", "Referrals", "Share of the answers (%)"]
    assert rows[1] == ["Email link", "2", "40.0"]


def test_the_organization_csv_has_the_answers_by_channel(client, answered):
    client.force_login(answered.site_admin)
    download = client.get("/reports/answers-by-channel.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["Answered by", "Sent", "Received"]
    assert rows[2] == ["Text message", "1", "0"]


def test_the_latest_answer_is_read_from_the_index_of_answers(answered):
    """The reports look up each referral's latest answer in the partial index of the seeker's answers
    (referrals 0014): its condition is the lookup's own (referrals.models.seeker_answer_q), so PostgreSQL can
    prove the index holds every line the lookup may find. If the two drifted apart, the plan would fall back to
    reading every history line of every referral of the period."""
    from django.db import connection

    from referrals.channels import answer_channel
    from referrals.models import Referral

    if connection.vendor != "postgresql":
        pytest.skip("partial covering indexes are built on PostgreSQL only")
    rows = Referral.objects_across_tenants.values("id", channel=answer_channel())
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using event_seeker_answer" in plan, plan
    # And the figures it reads are the ones the history records (the network of the fixture, every channel once).
    channels = sorted(row["channel"] for row in rows)
    assert channels == ["", "", "email_link", "email_link", "signed_in", "staff", "text"]


def looked_up():
    """Each referral's kept answer channel beside the one its history gives (referrals.channels.answer_channel)."""
    from referrals.channels import answer_channel
    from referrals.models import Referral

    rows = Referral.objects_across_tenants.annotate(history=answer_channel()).order_by("pk")
    return [(row.answer_channel, row.history) for row in rows]


def test_the_services_keep_each_referrals_answer_channel_as_its_history_gives_it(answered):
    pairs = looked_up()
    assert sorted(kept for kept, _ in pairs) == ["", "", "email_link", "email_link", "signed_in", "staff", "text"]
    assert [kept for kept, _ in pairs] == [history for _, history in pairs]


def test_a_later_answer_replaces_the_kept_channel_and_a_reopening_keeps_it(answered):
    from referrals.services import referral_reopen

    referral = ReferralEvent.objects_across_tenants.filter(kind="status_changed", via="email_link").first().referral
    referral_reopen(actor=answered.site_admin, referral=referral, note="The seeker called back.")
    referral.refresh_from_db()
    assert referral.answer_channel == "email_link"  # the latest answer is still the seeker's, by email
    referral_change_status(actor=answered.referrer, referral=referral, to_status="got_help")
    referral.refresh_from_db()
    assert referral.answer_channel == "staff"
    assert [kept for kept, _ in looked_up()] == [history for _, history in looked_up()]


def test_the_refill_repairs_kept_channels_from_the_history(answered):
    from referrals.channels import refill_answer_channels
    from referrals.models import Referral

    Referral.objects_across_tenants.update(answer_channel="text")  # as if written past the services
    assert refill_answer_channels() == 6  # every referral but the one answered by text
    assert [kept for kept, _ in looked_up()] == [history for _, history in looked_up()]
    assert refill_answer_channels() == 0


def test_the_kept_channel_is_the_one_the_history_line_gives_for_every_status_party_and_channel(network):
    """``answer_channel_of`` (what referral_change_status keeps) against ``seeker_answer_q`` and the channel
    ``answer_channel`` reads from a history line, for every closing and party and every way a change arrives."""
    from referrals.channels import _answer_channel_case, answer_channel_of
    from referrals.models import seeker_answer_q
    from referrals.statuses import Party, Reason, Status

    seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
    referral = factories.referral(referrer=network.referrer, seeker=seeker, program=network.program)
    changes = [(str(status), "") for status in Status] + [
        (str(status), str(reason)) for status in (Status.NOT_COMPLETED, Status.WITHDRAWN) for reason in Reason
    ]
    parties = [*(str(party) for party in Party), "None"]
    lines = [
        ReferralEvent(
            organization_id=referral.organization_id,
            referral=referral,
            kind=ReferralEvent.Kind.STATUS_CHANGED,
            actor_display="Someone",
            via=via,
            to_status=to_status,
            reason=reason,
            detail={"party": party},
        )
        for to_status, reason in changes
        for party in parties
        for via in ReferralEvent.Via.values
    ]
    ReferralEvent.objects_across_tenants.bulk_create(lines)
    from django.db.models import BooleanField, ExpressionWrapper

    read = ReferralEvent.objects_across_tenants.filter(referral=referral, kind="status_changed").annotate(
        answer=ExpressionWrapper(seeker_answer_q(), output_field=BooleanField()), channel=_answer_channel_case()
    )
    compared = 0
    for line in read:
        party = line.detail["party"]
        expected = answer_channel_of(
            to_status=line.to_status, reason=line.reason, party=None if party == "None" else Party(party), via=line.via
        )
        assert (line.channel if line.answer else "") == expected, (line.to_status, line.reason, party, line.via)
        compared += 1
    assert compared >= len(lines) and any(line.answer for line in read)
