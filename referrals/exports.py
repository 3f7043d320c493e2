"""The CSV export of an organization's referrals, sent and received, for its admins.

Rows are read with ``values()`` and ``iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL), so
the export issues one query and holds one chunk in memory however many referrals there are; the web view
and the API stream the lines as they are produced.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from accounts.models import Organization
from accounts.policies import organizations_admin_of
from core.errors import NotAllowed
from core.csv_cells import line_writer, safe_cell

from .models import Referral

CHUNK_SIZE = 2000

COLUMNS = [
    ("id", "public_id"),
    ("direction", None),
    ("sent_at", "sent_at"),
    ("status", "status"),
    ("status_reason", "status_reason"),
    ("urgency", "urgency"),
    ("referring_organization", "organization__name"),
    ("referred_by_first_name", "referred_by__first_name"),
    ("referred_by_last_name", "referred_by__last_name"),
    ("program", "program__name"),
    ("program_organization", "program__organization__name"),
    ("seeker_first_name", "seeker__first_name"),
    ("seeker_last_name", "seeker__last_name"),
    ("first_response_at", "first_response_at"),
    ("closed_at", "closed_at"),
    ("seeker_outcome", "seeker_outcome"),
    ("program_outcome", "program_outcome"),
    ("referrer_outcome", "referrer_outcome"),
]


class ExportNotAllowed(NotAllowed):
    """The user is not an admin of the organization they asked for."""


def export_organizations_for(user):
    """The organizations whose referrals ``user`` may export: those they are an admin of (accounts.policies)."""
    return organizations_admin_of(user)


def referrals_for_export(*, user, organization: Organization):
    """Referrals ``organization`` sent or received, as an admin of it sees them (same grants as the web)."""
    if not export_organizations_for(user).filter(pk=organization.pk).exists():
        raise ExportNotAllowed(f"You are not an admin of {organization.name}.")
    return (
        Referral.objects.restrict(user, "view:all")
        .filter(Q(organization=organization) | Q(program__organization=organization))
        .order_by("sent_at", "id")
    )


def referral_csv_lines(*, user, organization: Organization, request=None, via: str = "web") -> Iterator[str]:
    """The export, line by line: a header, then one line per referral.

    Refuses at once (ExportNotAllowed) when ``user`` is not an admin of ``organization``; otherwise records at
    once, in one query, an "exported" access record for every referral (and so every person) it holds, so
    "Who looked at this person" shows the export. The rows are read only as the lines are consumed.
    """
    from privacy.services import Action, access_records_for_many

    referrals = referrals_for_export(user=user, organization=organization)
    access_records_for_many(user=user, request=request, via=via, action=Action.EXPORTED, referrals=referrals)
    return _lines(referrals, organization)


def _lines(referrals, organization) -> Iterator[str]:
    fields = [field for _, field in COLUMNS if field] + ["organization_id"]
    writer = line_writer()
    yield writer.writerow([name for name, _ in COLUMNS])
    for row in referrals.values(*fields).iterator(chunk_size=CHUNK_SIZE):
        direction = "sent" if row["organization_id"] == organization.pk else "received"
        yield writer.writerow([direction if field is None else safe_cell(row[field]) for _, field in COLUMNS])


def export_filename(organization: Organization) -> str:
    return f"referrals-{organization.slug}.csv"
