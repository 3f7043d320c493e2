"""The CSV export of an organization's referrals, sent and received, for its admins.

Cells read as the pages do: statuses, reasons and urgency by their labels ("Not updated"), each code in a
column of its own (``status_code``: ``sent``) for programs; times in the site's time zone with their offset.

Rows are read with ``values()`` and ``iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL), so
the export issues one query and holds one chunk in memory however many referrals there are; the web view
and the API stream the lines as they are produced.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from accounts.policies import organizations_admin_of
from core.csv_cells import line_writer, safe_cell
from core.errors import InvalidInput, NotAllowed, NotFound
from programs.intake import answers_as_text

from .models import Referral
from .statuses import Reason, Status, Urgency

CHUNK_SIZE = 2000

DIRECTIONS = {"sent": "Sent", "received": "Received"}


def _labelled(choices):
    """A coded column as the pages show it (its label), the code following in a column of its own."""
    labels = dict(choices)
    return lambda code: labels.get(code, code) if code else ""


def _local_time(value):
    """Times in the site's time zone with their offset (2026-12-04T09:30:00-06:00), as the pages show them."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


_status, _reason, _urgency = _labelled(Status.choices), _labelled(Reason.choices), _labelled(Urgency.choices)

# (header, field read from the database, how the cell shows it). A coded field gives two columns: the label
# under its name and the code under <name>_code.
COLUMNS = [
    ("id", "public_id", None),
    ("direction", None, None),
    ("direction_code", None, None),
    ("sent_at", "sent_at", _local_time),
    ("status", "status", _status),
    ("status_code", "status", None),
    ("status_reason", "status_reason", _reason),
    ("status_reason_code", "status_reason", None),
    ("urgency", "urgency", _urgency),
    ("urgency_code", "urgency", None),
    ("referring_organization", "organization__name", None),
    ("referred_by_first_name", "referred_by__first_name", None),
    ("referred_by_last_name", "referred_by__last_name", None),
    ("program", "program__name", None),
    ("program_organization", "program__organization__name", None),
    ("seeker_first_name", "seeker__first_name", None),
    ("seeker_last_name", "seeker__last_name", None),
    ("first_response_at", "first_response_at", _local_time),
    ("closed_at", "closed_at", _local_time),
    ("seeker_outcome", "seeker_outcome", _status),
    ("seeker_outcome_code", "seeker_outcome", None),
    ("program_outcome", "program_outcome", _status),
    ("program_outcome_code", "program_outcome", None),
    ("referrer_outcome", "referrer_outcome", _status),
    ("referrer_outcome_code", "referrer_outcome", None),
    # The program's intake questions as asked, in one cell: "Question: answer; Question: answer" (English).
    ("intake_answers", "intake_answers", answers_as_text),
]


SELF_REFERRAL = "Self-referral"  # the referring organization's cell of a referral the seeker made themselves


class ExportNotAllowed(NotAllowed):
    """The user is not an admin of the organization they asked for."""


def export_organizations_for(user):
    """The organizations whose referrals ``user`` may export: those they are an admin of (accounts.policies)."""
    return organizations_admin_of(user)


def export_organization_for(user, organization_public_id=None) -> Organization:
    """The organization ``user`` exports (the page and the API): the one they administer, or the one they name
    among those. Refuses (NotAllowed) anyone who administers none; a named organization they do not administer
    is not found for them (NotFound: the same for another tenant's and for none); none named by the admin of
    several is an invalid input on ``organization``."""
    organizations = list(export_organizations_for(user))
    if organization_public_id is not None:
        organizations = [o for o in organizations if str(o.public_id) == str(organization_public_id)]
        if not organizations:
            raise NotFound("No organization you administer has that id.", field="organization")
    if not organizations:
        raise ExportNotAllowed("Only an organization admin can export referrals.")
    if len(organizations) > 1:
        raise InvalidInput("You administer several organizations: say which one.", field="organization")
    return organizations[0]


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
    fields = sorted({field for _, field, _ in COLUMNS if field} | {"organization_id", "referred_by_id"})
    writer = line_writer()
    yield writer.writerow([name for name, _, _ in COLUMNS])
    for row in referrals.values(*fields).iterator(chunk_size=CHUNK_SIZE):
        self_referral = row["referred_by_id"] is None  # the seeker asked the program: received, sent by nobody
        direction = "sent" if row["organization_id"] == organization.pk and not self_referral else "received"
        row = {**row, "direction": DIRECTIONS[direction], "direction_code": direction}
        if self_referral:
            row["organization__name"] = SELF_REFERRAL

        yield writer.writerow(
            [safe_cell(row[field or name] if show is None else show(row[field])) for name, field, show in COLUMNS]
        )


def export_filename(organization: Organization) -> str:
    return f"referrals-{organization.slug}.csv"
