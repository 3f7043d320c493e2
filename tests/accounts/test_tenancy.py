import pytest
from django.apps import apps

from accounts.tenancy import TenantManager, UnscopedQueryError
from goals.models import Goal
from referrals.models import Note, Referral, ReferralEvent
from seekers.models import Seeker


@pytest.mark.parametrize("model", [Seeker, Goal, Referral, Note, ReferralEvent])
def test_a_query_without_tenant_scope_fails(db, model):
    with pytest.raises(UnscopedQueryError):
        list(model.objects.all())
    with pytest.raises(UnscopedQueryError):
        model.objects.filter(pk=1).exists()
    with pytest.raises(UnscopedQueryError):
        model.objects.count()
    with pytest.raises(UnscopedQueryError):
        model.objects.update()


def test_every_model_with_an_organization_uses_the_scoped_manager():
    owned = [model for model in apps.get_models()
             if any(field.name == "organization" and field.many_to_one for field in model._meta.fields)]
    assert owned, "expected tenant-owned models"
    unguarded = [model.__name__ for model in owned
                 if model.__module__.split(".")[0] != "accounts" and not isinstance(model.objects, TenantManager)]
    assert unguarded == []


def test_scoped_queries_run(network):
    referral = network.refer()
    assert list(Referral.objects.for_organization(network.site)) == [referral]
    assert list(Referral.objects.for_organization(network.other_site)) == []
    assert list(network.seeker.referrals.all()) == [referral]  # from an object fetched in scope
    assert Referral.objects.visible_to(network.claimer).count() == 1
