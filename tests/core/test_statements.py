"""core.statements: a queryset compiled once per process and run with each call's ids bound. It must give what
the queryset gives, for every user it is called for, and refuse what it cannot keep."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.expressions import RawSQL

from core.statements import IdsStatement, Statement
from referrals.models import Referral
from seekers.models import Seeker

pytestmark = pytest.mark.django_db

PEOPLE = ["referrer", "teammate", "private_worker", "claimer", "other_claimer", "outsider", "site_admin"]


def _build(user, seeker_id):
    return (
        Referral.objects.restrict(user, "refer")
        .filter(seeker_id=seeker_id)
        .select_related("program", "goal")
        .annotate(events_seen=Count("events"))
        .order_by("-sent_at", "-id")
    )


REFERRALS = Statement("a test: one seeker's referrals the user may act on", _build)


def test_each_call_binds_its_own_user_and_seeker(network):
    network.refer()
    network.refer(program=network.other_program)
    network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    for person in PEOPLE:
        user = getattr(network, person)
        for seeker in (network.seeker, network.outsider_seeker):
            expected = list(_build(user, seeker.pk))
            got = list(REFERRALS(user=user.pk, seeker_id=seeker.pk))
            assert got == expected, (person, seeker)
            for kept, built in zip(got, expected, strict=True):  # related rows and annotations, as the ORM gives
                assert kept.program.name == built.program.name
                assert kept.events_seen == built.events_seen > 0
    assert list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))  # somebody saw something


def test_the_sql_is_compiled_once(network, django_assert_num_queries):
    network.refer()
    list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))
    kept = dict(REFERRALS._kept)
    with django_assert_num_queries(1):
        list(REFERRALS(user=network.outsider.pk, seeker_id=network.seeker.pk))
    assert REFERRALS._kept == kept


def test_it_reads_but_cannot_be_narrowed(network):
    network.refer()
    referrals = REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk)
    assert referrals and len(referrals) == 1
    narrowings = (
        lambda q: q.filter(status="sent"),
        lambda q: q.count(),
        lambda q: q.exists(),
        lambda q: q.exclude(pk=1),
        lambda q: q.values("pk"),
        lambda q: q[:1],
    )
    for narrowing in narrowings:
        with pytest.raises(TypeError, match="prepared statement"):
            narrowing(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))


def test_a_uuid_is_bound_like_an_id(network):
    by_public_id = Statement(
        "a test: one person by public id",
        lambda user, public_id: Seeker.objects.restrict(user, "view").filter(public_id=public_id),
    )
    assert list(by_public_id(user=network.referrer.pk, public_id=network.seeker.public_id)) == [network.seeker]
    assert list(by_public_id(user=network.outsider.pk, public_id=network.seeker.public_id)) == []


def test_a_value_written_into_the_sql_is_refused(network):
    written = Statement(
        "a test: an id in the SQL's text",
        lambda seeker_id: Seeker.objects.unscoped("test").extra(where=[f"id = {int(seeker_id)}"]),
    )
    with pytest.raises(ValueError, match="changes with the ids"):
        written(seeker_id=network.seeker.pk)


def test_an_id_that_never_reaches_the_sql_is_refused(network):
    ignored = Statement(
        "a test: an unused id", lambda user, seeker_id: Seeker.objects.restrict(user, "view").filter(pk=1)
    )
    with pytest.raises(ValueError, match="not every id"):
        ignored(user=network.referrer.pk, seeker_id=network.seeker.pk)


def test_a_shape_keeps_a_statement_of_its_own(network):
    from referrals.policies import with_seeker_side

    side = Statement(
        "a test: on the seeker's side",
        lambda user: with_seeker_side(Referral.objects.restrict(user, "view:all"), user).values_list(
            "on_seeker_side", flat=True
        ),
    )
    network.refer()
    assert [bool(side) for side in side(shape={"is_superuser": False}, user=network.claimer.pk)] == [False]
    assert list(side(shape={"is_superuser": False}, user=network.referrer.pk)) == [True]
    assert len(side._kept) == 1
    list(side(shape={"is_superuser": True}, user=network.claimer.pk))
    assert len(side._kept) == 2


def test_migrate_forgets_what_was_kept(network):
    network.refer()
    list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))
    assert REFERRALS._kept
    call_command("migrate", verbosity=0)
    assert not REFERRALS._kept


AS_WRITTEN = Statement("a test: joined in the order written", _build, joins_as_written=True)


def _join_collapse_limit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


def _joins_as_written_only_for_the_statement(network):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    network.refer()
    before = _join_collapse_limit()
    for person in PEOPLE:
        user = getattr(network, person)
        assert list(AS_WRITTEN(user=user.pk, seeker_id=network.seeker.pk)) == list(_build(user, network.seeker.pk))
    assert _join_collapse_limit() == before != "1"  # the request's other statements plan as usual


def _with_the_setting(user, seeker_id):
    return _build(user, seeker_id).annotate(limit=RawSQL("current_setting('join_collapse_limit')", []))


SETTING_AS_WRITTEN = Statement("a test: the setting it runs with", _with_the_setting, joins_as_written=True)


def _the_statement_runs_with_the_setting(network, django_assert_num_queries, queries):
    with django_assert_num_queries(queries):
        rows = list(SETTING_AS_WRITTEN(user=network.referrer.pk, seeker_id=network.seeker.pk))
    assert rows and {row.limit for row in rows} == {"1"}
    assert _join_collapse_limit() != "1"


def test_joins_as_written_inside_a_transaction(network, django_assert_num_queries):
    _joins_as_written_only_for_the_statement(network)
    _the_statement_runs_with_the_setting(network, django_assert_num_queries, queries=3)  # set, run, put back


@pytest.mark.django_db(transaction=True)
def test_joins_as_written_in_autocommit(network, django_assert_num_queries):
    from django.db import connection

    assert not connection.in_atomic_block
    _joins_as_written_only_for_the_statement(network)
    _the_statement_runs_with_the_setting(network, django_assert_num_queries, queries=1)  # one query string


def test_compiling_runs_no_query_of_its_own(network, django_assert_num_queries):
    """The stand-ins are compiled, never run: the first call is one query, as every later one."""
    network.refer()
    fresh = Statement("a test: compiled on this call", _build)
    with django_assert_num_queries(1):
        assert len(fresh(user=network.referrer.pk, seeker_id=network.seeker.pk)) == 1


def _ids_and_programs(user, seeker_id):
    referrals = Referral.objects.restrict(user, "view").filter(seeker_id=seeker_id).order_by()
    return {
        "flat": referrals.values_list("id", flat=True).order_by("id"),
        "tuples": referrals.values_list("id", "program_id").order_by("id"),
        "dicts": referrals.values("id").order_by("id"),
        "union": referrals.values_list("id", flat=True).union(referrals.values_list("program_id", flat=True), all=True),
    }


VALUES = {
    kind: Statement(
        f"a test: values of one seeker's referrals, {kind}",
        lambda user, seeker_id, kind=kind: _ids_and_programs(user, seeker_id)[kind],
    )
    for kind in ("flat", "tuples", "dicts", "union")
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_values_come_back_as_the_queryset_gives_them(network, kind):
    network.refer()
    network.refer(program=network.other_program)
    for person in PEOPLE:
        user = getattr(network, person)
        expected = list(_ids_and_programs(user, network.seeker.pk)[kind])
        got = list(VALUES[kind](user=user.pk, seeker_id=network.seeker.pk))
        assert sorted(got, key=str) == sorted(expected, key=str), person
        assert {type(row) for row in got} <= {type(row) for row in expected}


ONE = Statement(
    "a test: one referral by public id",
    lambda user, public_id: Referral.objects.restrict(user, "view").filter(public_id=public_id)[:2],
)


def test_one_gives_the_row_or_raises_what_it_is_given(network):
    import uuid

    from core.statements import as_uuid

    referral = network.refer()
    missing = LookupError("no such referral")
    assert ONE.one(missing, user=network.referrer.pk, public_id=as_uuid(str(referral.public_id))) == referral
    for user, public_id in [
        (network.outsider, referral.public_id),  # not theirs
        (network.referrer, uuid.uuid4()),  # nobody's
        (network.referrer, as_uuid("not-a-uuid")),  # malformed: None, and no query
    ]:
        with pytest.raises(LookupError, match="no such referral"):
            ONE.one(missing, user=user.pk, public_id=public_id)
    assert as_uuid(referral.public_id) is referral.public_id and as_uuid("") is None and as_uuid(None) is None


def test_id_places_bind_a_list_of_any_length_up_to_their_number():
    from core.statements import from_places, id_places

    places = id_places([7, 3, 12], 5)
    assert places == {"id00": 7, "id01": 3, "id02": 12, "id03": 0, "id04": 0}
    assert from_places(places) == [7, 3, 12, 0, 0]
    assert from_places(id_places(list(range(1, 27)), 26)) == list(range(1, 27))  # id10 after id09, not after id01
    with pytest.raises(ValueError):
        id_places([1, 2, 3], 2)


PAGE = IdsStatement(
    "a test: a page's referrals by their ids",
    lambda user, ids: Referral.objects.restrict(user, "view:few").filter(pk__in=ids).order_by("-id"),
    places=3,
)


def test_ids_statement_gives_the_rows_of_any_page_up_to_its_places(network, django_assert_num_queries):
    """IdsStatement: a page of one, two or three ids (the others' places given 0) and another call's number of
    places give what the queryset gives; no ids, no query; more ids than places are refused."""
    mine = [network.refer(), network.refer(program=network.other_program)]
    other = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    user = network.referrer
    for ids in ([mine[0].pk], [mine[1].pk, other.pk], [mine[0].pk, mine[1].pk, other.pk]):
        expected = list(Referral.objects.restrict(user, "view:few").filter(pk__in=ids).order_by("-id"))
        assert PAGE.rows(ids, user=user.pk) == expected
        assert PAGE.rows(ids, places=5, user=user.pk) == expected
    with django_assert_num_queries(0):
        assert PAGE.rows([], user=user.pk) == []
    with pytest.raises(ValueError):
        PAGE.rows([1, 2, 3, 4], user=user.pk)


# PostgreSQL's prepared statements: a kept statement is prepared once per database session and run by EXECUTE.


def _prepared_statements() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _postgresql_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")


def test_a_kept_statement_runs_prepared_in_the_session(network, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _postgresql_only()
    network.refer()
    with CaptureQueriesContext(connection) as queries:
        first = list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))
        second = list(REFERRALS(user=network.outsider.pk, seeker_id=network.seeker.pk))
    assert len(queries) == 2  # the PREPARE is not one of the page's queries
    names = {query["sql"].split("(")[0].removeprefix("EXECUTE ") for query in queries.captured_queries}
    assert all(query["sql"].startswith("EXECUTE kept_") for query in queries.captured_queries)
    [name] = names  # one statement, prepared once, run for both users
    assert name in _prepared_statements()
    assert first == list(_build(network.referrer, network.seeker.pk)) and first
    assert second == list(_build(network.outsider, network.seeker.pk)) == []


@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_it_again(network):
    from django.db import connection

    _postgresql_only()
    network.refer()
    expected = list(_build(network.referrer, network.seeker.pk))
    assert list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk)) == expected
    connection.close()  # a new connection: a new session, without the statement
    connection.connect()
    assert not any(name.startswith("kept_") for name in _prepared_statements())
    assert list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk)) == expected


def test_a_rolled_back_transaction_keeps_it_prepared(network):
    from django.db import transaction

    _postgresql_only()
    network.refer()
    fresh = Statement("a test: first prepared in a transaction rolled back", _build)
    expected = list(_build(network.referrer, network.seeker.pk))
    with pytest.raises(RuntimeError), transaction.atomic():
        assert list(fresh(user=network.referrer.pk, seeker_id=network.seeker.pk)) == expected
        raise RuntimeError("rolled back")
    assert list(fresh(user=network.referrer.pk, seeker_id=network.seeker.pk)) == expected


def _echoing(user, seeker_id):
    """A value PostgreSQL cannot give a type to on its own (``$1 IS NOT NULL``): it cannot prepare this SQL."""
    return _build(user, seeker_id).annotate(echo=RawSQL("%s IS NOT NULL", [seeker_id]))


ECHOING = Statement("a test: SQL that PostgreSQL cannot prepare", _echoing)


def test_sql_postgresql_cannot_prepare_runs_as_it_is(network, caplog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _postgresql_only()
    network.refer()
    with CaptureQueriesContext(connection) as queries:
        rows = list(ECHOING(user=network.referrer.pk, seeker_id=network.seeker.pk))
    assert rows == list(_build(network.referrer, network.seeker.pk)) and rows
    assert {row.echo for row in rows} == {True}
    assert [query["sql"].startswith("SELECT") for query in queries.captured_queries] == [True]
    assert "did not prepare a kept statement" in caplog.text
    # The transaction the refusal happened in goes on, and the statement is not tried again.
    assert Seeker.objects_across_tenants.filter(pk=network.seeker.pk).exists()
    caplog.clear()
    assert list(ECHOING(user=network.referrer.pk, seeker_id=network.seeker.pk)) == rows
    assert "did not prepare" not in caplog.text


def test_migrate_prepares_under_a_new_name(network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _postgresql_only()
    network.refer()

    def name():
        with CaptureQueriesContext(connection) as queries:
            list(REFERRALS(user=network.referrer.pk, seeker_id=network.seeker.pk))
        return queries.captured_queries[0]["sql"].split("(")[0]

    before = name()
    call_command("migrate", verbosity=0)  # the same SQL may now read other columns
    assert name() != before


def test_turned_off_it_runs_the_sql_as_it_is(network, settings):
    """Behind a pooler that gives each transaction another session (DATABASE_PREPARED_STATEMENTS=false)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _postgresql_only()
    settings.DATABASE_PREPARED_STATEMENTS = False
    network.refer()
    fresh = Statement("a test: with preparing turned off", _build)
    before = _prepared_statements()
    with CaptureQueriesContext(connection) as queries:
        rows = list(fresh(user=network.referrer.pk, seeker_id=network.seeker.pk))
    assert rows == list(_build(network.referrer, network.seeker.pk)) and rows
    assert queries.captured_queries[0]["sql"].startswith("SELECT")
    assert _prepared_statements() == before
