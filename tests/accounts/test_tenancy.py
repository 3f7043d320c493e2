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
    owned = [
        model
        for model in apps.get_models()
        if any(field.name == "organization" and field.many_to_one for field in model._meta.fields)
    ]
    assert owned, "expected tenant-owned models"
    unguarded = [
        model.__name__
        for model in owned
        if model.__module__.split(".")[0] != "accounts" and not isinstance(model.objects, TenantManager)
    ]
    assert unguarded == []


def test_scoped_queries_run(network):
    referral = network.refer()
    assert list(Referral.objects.for_organization(network.site)) == [referral]
    assert list(Referral.objects.for_organization(network.other_site)) == []
    assert list(network.seeker.referrals.all()) == [referral]  # from an object fetched in scope
    assert Referral.objects.restrict(network.claimer, "view:all").count() == 1


# Where reading across tenants without a named reason is allowed: Django's own machinery (the admin, forms'
# querysets, migrations), writes of new rows, and the model definitions themselves.
PLAIN_MANAGER_ALLOWED_IN = {"admin.py", "forms.py", "models.py"}
PLAIN_MANAGER_WRITES = {"create", "bulk_create"}


def test_reads_across_tenants_say_why():
    """A read that crosses tenants names its reason (``objects.unscoped(reason)``); the silent
    ``objects_across_tenants`` manager is only for Django's machinery and for creating rows."""
    import ast
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    packages = [top for top in root.iterdir() if (top / "__init__.py").exists() and top.name not in {"tests", "bench"}]
    silent = []
    for path in sorted(path for package in packages for path in package.rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts:
            continue
        if path.name in PLAIN_MANAGER_ALLOWED_IN:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "objects_across_tenants":
                used_for = parents.get(node)
                if isinstance(used_for, ast.Attribute) and used_for.attr in PLAIN_MANAGER_WRITES:
                    continue
                silent.append(f"{relative}:{node.lineno}")
    assert not silent, "reads across tenants without a reason (use .objects.unscoped(reason)):\n" + "\n".join(silent)
