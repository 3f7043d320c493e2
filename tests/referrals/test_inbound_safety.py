"""Inbound Referrals chooses and counts a page by the programs the user works, and reads the rows it shows through
each referral's grants: a referral to a claimed program that the user holds no grant on is never shown. (Every
referral is granted to its program's group and its organization's admins when it is made, and nothing takes those
grants back, so such a referral exists only by hand; tests/referrals/test_seed_demo.py checks the two rules give
the same referrals for every demo user.)"""

from django.urls import reverse

from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.selectors import referrals_inbound_for


def _revoke_all_grants(referral):
    ReferralGroupObjectPermission.objects.filter(content_object=referral).delete()
    ReferralUserObjectPermission.objects.filter(content_object=referral).delete()


def test_a_referral_without_a_grant_is_never_shown_in_the_claimer_s_inbound(client, network):
    shown = network.refer()
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    assert hidden.program_id == shown.program_id
    _revoke_all_grants(hidden)
    assert list(referrals_inbound_for(network.claimer)) == [shown]
    assert list(Referral.objects.restrict(network.claimer, "receive")) == [shown]
    assert not Referral.objects.restrict(network.claimer, "view:all").filter(pk=hidden.pk).exists()
    client.force_login(network.claimer)
    response = client.get(reverse("referrals:inbound"))
    assert list(response.context["rows"]) == [shown]
    assert hidden.seeker.last_name not in response.content.decode()
    # The page's ids and counts come from the programs alone ("receive:ids"): the hand-made referral is counted,
    # and only counted.
    assert set(Referral.objects.restrict(network.claimer, "receive:ids")) == {shown, hidden}
    assert response.context["total"] == 2


def test_an_organization_admin_receives_their_programs_referrals_without_claiming_them(network):
    referral = network.refer(program=network.other_program)
    assert list(referrals_inbound_for(network.provider_admin)) == [referral]
    assert list(referrals_inbound_for(network.provider_admin, to_choose=True)) == [referral]


def test_the_kept_statement_reads_each_page_as_the_queryset_does(network):
    """Inbound reads a page's rows by a statement written once (views_inbound._PAGE_ROWS) with a place for each of
    the page's 26 ids, a shorter page padded with 0: the same rows, in the same order, joined the same way, for a
    page of any length, and never a referral the user holds no grant on."""
    from referrals.selectors import referrals_for_page
    from referrals.views_inbound import ORDER, PAGE_ROWS, _fetch_page
    from tests import factories

    referrals = [
        network.refer(
            seeker=factories.SeekerFactory(organization=network.site), urgency="urgent" if n % 3 else "routine"
        )
        for n in range(PAGE_ROWS)
    ]
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    _revoke_all_grants(hidden)
    ids = [referral.pk for referral in reversed(referrals)]
    for length in (1, 2, 7, PAGE_ROWS - 1, PAGE_ROWS):
        page_ids = ids[:length]
        expected = list(referrals_for_page(network.claimer, page_ids, order=ORDER).select_related("seeker"))
        fetched = _fetch_page(network.claimer, page_ids)
        assert [r.pk for r in fetched] == [r.pk for r in expected] and len(fetched) == length
        assert [r.seeker.last_name for r in fetched] == [r.seeker.last_name for r in expected]
        assert fetched[0].program.name == network.program.name
    assert _fetch_page(network.claimer, [hidden.pk, *ids[:3]]) == _fetch_page(network.claimer, ids[:3])
    assert _fetch_page(network.claimer, []) == []
    assert _fetch_page(network.outsider, ids[:5]) == []  # someone else's statement, bound to their id


def test_a_page_s_grants_come_from_the_kept_statement_as_from_the_queryset(network):
    """referral_accesses reads a list page's grants (the person's own and their groups') by a statement written once,
    a place for each of 26 ids: the same parties as the queryset gives, for pages of any length, and a longer list
    is read by the queryset itself."""
    from guardian.shortcuts import assign_perm

    from referrals import policies
    from tests import factories

    referrals = [network.refer(seeker=factories.SeekerFactory(organization=network.site)) for _ in range(30)]
    assign_perm("act_as_referrer", network.claimer, referrals[3])  # an own grant beside the group's
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    _revoke_all_grants(hidden)
    for person in (network.claimer, network.referrer, network.outsider, network.provider_admin):
        for page in (referrals[:1], referrals[:7], [hidden, *referrals[:25]], referrals[:26], referrals):
            ids = [referral.pk for referral in page]
            expected: dict = {pk: set() for pk in ids}
            for pk, codename in policies._page_grants(person, ids):
                expected[pk].add(codename)
            accesses = policies.referral_accesses(person, page)
            assert {pk: set(access.parties) for pk, access in accesses.items()} == {
                pk: policies._parties(expected[pk], referral, person) for pk, referral in zip(ids, page, strict=True)
            }
    claimer_parties = policies.referral_accesses(network.claimer, referrals[:5])
    assert "claimer" in claimer_parties[referrals[0].pk].parties
    assert claimer_parties[referrals[3].pk].parties >= {"claimer", "referrer"}
    assert not policies.referral_accesses(network.claimer, [hidden])[hidden.pk].parties
    assert not policies.referral_accesses(network.outsider, referrals[:5])[referrals[0].pk].parties


def test_the_programs_and_their_claimers_come_from_kept_statements_as_from_the_querysets(network):
    """Inbound reads the programs a person receives for, and who claims them, by statements bound to the person's
    id: the same programs and claimers as the querysets give, for a claimer, an organization's admin (its
    organization's programs, claimed or not) and someone who receives nothing."""
    from programs.selectors import claimer_rows, claimers_by_program
    from referrals.views_inbound import _CLAIMERS, _PROGRAMS, programs_received_by
    from tests import factories

    second = factories.claimer(network.program, first_name="Aaron")
    for person in (network.claimer, network.provider_admin, network.referrer, second):
        programs = list(programs_received_by(person))
        assert list(_PROGRAMS(user=person.pk)) == programs
        assert claimers_by_program(_CLAIMERS(user=person.pk)) == claimers_by_program(
            claimer_rows([p.pk for p in programs])
        )
    assert {p.pk for p in _PROGRAMS(user=network.provider_admin.pk)} == {network.program.pk, network.other_program.pk}
    assert list(_PROGRAMS(user=network.referrer.pk)) == []
    assert claimers_by_program(_CLAIMERS(user=second.pk))[network.program.pk][0] == second  # by first name
