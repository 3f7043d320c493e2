import csv
import io

import pytest

from accounts.models import Membership
from accounts.services import membership_set
from referrals import exports
from tests import factories

API_URL = "/api/v1/exports/referrals.csv"
WEB_URL = "/exports/referrals.csv"


def _rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def referrals(network):
    sent = network.refer()
    elsewhere = factories.ProgramFactory(organization=network.other_site, name="Eastlake Tutoring")
    outsiders = network.refer(referrer=network.outsider, seeker=network.outsider_seeker, program=elsewhere)
    return sent, outsiders


def test_a_site_admin_downloads_what_their_organization_sent(network, referrals, api):
    sent, outsiders = referrals
    response = api(network.site_admin).get(API_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert [(row["id"], row["direction"], row["direction_code"], row["program"]) for row in rows] == [
        (str(sent.public_id), "Sent", "sent", "Community Food Pantry")
    ]
    assert rows[0]["referred_by_first_name"] == "Maria"


def test_cells_read_as_the_pages_do_with_codes_beside_them_and_local_times(network, api, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from referrals.models import Referral

    settings.TIME_ZONE = "America/Chicago"
    referral = network.refer()
    Referral.objects.unscoped("test").filter(pk=referral.pk).update(
        sent_at=datetime(2026, 12, 4, 15, 30, tzinfo=ZoneInfo("UTC")),
        status="declined",
        status_reason="no_capacity",
        program_outcome="declined",
        closed_at=datetime(2026, 12, 5, 16, 0, tzinfo=ZoneInfo("UTC")),  # a closed referral has its closing time
    )
    row = _rows(api(network.site_admin).get(API_URL))[0]

    assert (row["status"], row["status_code"]) == ("Declined", "declined")
    assert (row["status_reason"], row["status_reason_code"]) == ("No capacity", "no_capacity")
    assert (row["urgency"], row["urgency_code"]) == ("Routine", "routine")
    assert (row["program_outcome"], row["program_outcome_code"]) == ("Declined", "declined")
    assert (row["seeker_outcome"], row["seeker_outcome_code"]) == ("", "")
    assert row["sent_at"] == "2026-12-04T09:30:00-06:00"


def test_a_referral_not_yet_opened_reads_not_updated(network, api):
    network.refer()
    row = _rows(api(network.site_admin).get(API_URL))[0]
    assert (row["status"], row["status_code"]) == ("Not updated", "sent")


def test_a_provider_admin_downloads_what_their_programs_received(network, referrals, api):
    sent, _ = referrals
    rows = _rows(api(network.provider_admin).get(API_URL))
    assert [(row["id"], row["direction_code"]) for row in rows] == [(str(sent.public_id), "received")]


def test_the_web_url_serves_the_same_lines_to_a_signed_in_admin(network, referrals, client):
    client.force_login(network.outsider_admin)
    response = client.get(WEB_URL)
    assert response.status_code == 200
    assert [row["program"] for row in _rows(response)] == ["Eastlake Tutoring"]


@pytest.mark.parametrize("role", ["referrer", "claimer", "outsider"])
def test_non_admins_get_403_on_the_web(network, client, role):
    client.force_login(getattr(network, role))
    assert client.get(WEB_URL).status_code == 403


def test_anonymous_web_visitors_are_sent_to_sign_in(db, client):
    response = client.get(WEB_URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_an_admin_of_several_organizations_names_one_of_their_own(network, referrals, api):
    membership_set(user=network.site_admin, organization=network.provider, role=Membership.Role.ADMIN)
    client = api(network.site_admin)
    assert client.get(API_URL).status_code == 400
    rows = _rows(client.get(API_URL, {"organization": str(network.provider.public_id)}))
    assert [row["direction"] for row in rows] == ["Received"]
    refused = client.get(API_URL, {"organization": str(network.other_site.public_id)})
    assert refused.status_code == 404  # another tenant's, as any id they do not administer
    assert refused.json()["detail"] == "No organization you administer has that id."
    client.force_login(network.site_admin)
    web = client.get(WEB_URL, {"organization": str(network.other_site.public_id)})
    assert web.status_code == 404 and web.content.decode() == "No organization you administer has that id."


def test_cells_that_spreadsheets_would_run_are_defused(network, api):
    network.seeker.last_name = '=HYPERLINK("http://evil")'
    network.seeker.save()
    network.refer()
    rows = _rows(api(network.site_admin).get(API_URL))
    assert rows[0]["seeker_last_name"].startswith("'=")


def test_the_export_is_one_query_streamed_in_chunks(network, django_assert_num_queries, monkeypatch):
    for program in [factories.ProgramFactory(organization=network.provider) for _ in range(5)]:
        network.refer(program=program)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    with django_assert_num_queries(2):  # the admin check and the access records, before any line is produced
        lines = exports.referral_csv_lines(user=network.site_admin, organization=network.site)
    with django_assert_num_queries(1):  # then one query for every row, however many chunks
        rows = list(lines)
    assert rows[0].startswith("id,direction,")
    assert len(rows) == 6


def test_the_selector_refuses_a_non_admin_at_once(network):
    with pytest.raises(exports.ExportNotAllowed):
        exports.referral_csv_lines(user=network.referrer, organization=network.site)


def test_the_answers_to_the_intake_questions_are_one_readable_column(network, api):
    from programs.services import program_set_questions

    housing, children, needs = program_set_questions(
        actor=network.claimer,
        program=network.program,
        questions=[
            {"kind": "one_choice", "text": "Do you rent or own?", "choices": ["Rent", "Own"], "required": True},
            {"kind": "number", "text": "How many children?"},
            {"kind": "several_choices", "text": "Needs", "choices": ["Food", "Rent", "Power"]},
        ],
    )
    network.refer(answers={str(housing.public_id): "Rent", str(needs.public_id): ["Power", "Food"]})
    network.refer(program=network.other_program)
    rows = _rows(api(network.site_admin).get(API_URL))
    assert [row["intake_answers"] for row in rows] == [
        "Do you rent or own?: Rent; How many children?: Not answered; Needs: Food, Power",
        "",
    ]
