"""Tenant scoping that fails loudly.

Every tenant-owned model uses ``TenantManager``. Its querysets refuse to run until the query has been
started from a tenant (``for_organizations``), from the rule book (``Model.objects.restrict(user, action)``), from a related object that was itself fetched in scope (``seeker.referrals.all()``), or
explicitly with ``unscoped(reason)`` (admin, tasks that take ids, the network-wide reports).

django-scopes filters every query by one field. A referral belongs to two tenants at once (the referring
organization and the program's), so a single automatic filter would hide inbound referrals from the
program that received them. This guard keeps the loud failure and leaves the filtering to the selectors,
which know both sides.
"""

from __future__ import annotations

from django.db import models


class UnscopedQueryError(RuntimeError):
    """A tenant-owned table was queried without a tenant scope."""


class TenantQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tenant_scoped = False

    def _clone(self):
        clone = super()._clone()
        clone._tenant_scoped = self._tenant_scoped
        return clone

    def _scoped(self):
        clone = self._chain()
        clone._tenant_scoped = True
        return clone

    def unscoped(self, reason: str):
        """Use across tenants on purpose; ``reason`` says why, for the reader."""
        if not reason:
            raise ValueError("unscoped() needs a reason")
        return self._scoped()

    def for_organizations(self, organizations):
        return self.filter(organization__in=organizations)._scoped()

    def for_organization(self, organization):
        return self.filter(organization=organization)._scoped()

    def _check_scope(self):
        if not self._tenant_scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__} queried without a tenant scope: start from for_organizations(), "
                "restrict(user, action) or a related object, or call unscoped(reason)."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._check_scope()
        return super().count()

    def exists(self):
        self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        self._check_scope()
        return super().delete()

    delete.alters_data = True


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Manager of tenant-owned models. Related managers start in scope: their parent was fetched in scope."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "instance", None) is not None or getattr(self, "core_filters", None):
            queryset._tenant_scoped = True
        return queryset
