"""core.pagination.ids_by_parts: a list read one part per key (PostgreSQL: CROSS JOIN LATERAL over the keys) gives the
same ids, in the same order, as the list read as one query, for every window, filter and order."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from core.pagination import ids_by_parts
from referrals.models import URGENT_FIRST, Referral
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(network):
    """24 referrals to three programs, with ties in the order (the same moment, the same urgency), some closed."""
    third = factories.ProgramFactory(organization=network.provider, name="Winter Coats")
    programs = [network.program, network.other_program, third]
    now = timezone.now().replace(microsecond=0)
    made = []
    for index in range(8):
        seeker = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
        for number, program in enumerate(programs):
            referral = factories.referral(referrer=network.referrer, seeker=seeker, program=program)
            closed = (index + number) % 5 == 0
            Referral.objects_across_tenants.filter(pk=referral.pk).update(
                sent_at=now - timedelta(hours=(index * 7 + number) % 4),  # four moments: many ties
                urgency="urgent" if (index + 2 * number) % 3 == 0 else "routine",
                status="got_help" if closed else "sent",
                closed_at=now if closed else None,
            )
            made.append(referral.pk)
    return Referral.objects_across_tenants.filter(pk__in=made), [program.pk for program in programs]


ORDERS = [
    (URGENT_FIRST, "sent_at", "id"),  # Inbound Referrals'
    ("-sent_at", "-id"),
    ("urgency", F("sent_at").desc(), "id"),
]
FILTERS = [
    {},
    {"closed_at__isnull": True},
    {"status": "sent", "urgency": "urgent"},
    {"program__name": "Winter Coats"},
    {"pk__in": []},
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("filters", FILTERS)
def test_each_window_holds_the_ids_the_whole_list_holds_there(referrals, filters, order, monkeypatch):
    every, program_ids = referrals
    base = every.filter(**filters)
    whole = list(base.filter(program_id__in=program_ids).order_by(*order).values_list("pk", flat=True))
    assert connection.vendor == "postgresql"
    windows = [slice(start, start + size) for size, start in itertools.product((1, 5, 26), range(0, 30, 4))]
    for window in windows:
        assert ids_by_parts(base, "program_id", program_ids, order=order, window=window) == whole[window], window
    # Other databases read the list as one query: the same ids.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    for window in windows:
        assert ids_by_parts(base, "program_id", program_ids, order=order, window=window) == whole[window], window


def test_only_the_keys_asked_are_read(referrals):
    every, program_ids = referrals
    some = program_ids[:1]
    ids = ids_by_parts(every, "program_id", some, order=("id",), window=slice(0, 100))
    assert ids == list(every.filter(program_id__in=some).order_by("id").values_list("pk", flat=True))
    assert ids_by_parts(every, "program_id", [], order=("id",), window=slice(0, 100)) == []


def test_a_tenant_table_is_read_only_from_a_scope(referrals):
    from accounts.tenancy import UnscopedQueryError

    _, program_ids = referrals
    with pytest.raises(UnscopedQueryError):
        ids_by_parts(Referral.objects.all(), "program_id", program_ids, order=("id",), window=slice(0, 26))


def test_the_inbound_page_reads_each_program_from_its_index(referrals, network, client):
    """Inbound Referrals asks for the first rows of each program (one query, whatever the number of programs)."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(network.provider_admin)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/inbound/").status_code == 200
    chosen = [query["sql"] for query in captured.captured_queries if "CROSS JOIN LATERAL" in query["sql"]]
    assert len(chosen) == 1 and '"closed_at" IS NULL' in chosen[0]
