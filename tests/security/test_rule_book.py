"""One rule book: no view, form, serializer, template tag, context processor or template computes a permission
itself.

"May this person do X to this object" is answered by the ``policies`` modules (referrals.policies,
seekers.policies, accounts.policies, ...). The modules that display (views, forms, API and FHIR views,
serializers, template tags, context processors) ask them; they never read memberships, claims, parties, grants or the
superuser flag to decide on their own. This test reads their source (ast) and fails on any such reading, so a
rule written a second time (and then differently) is caught when it is written.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Every app of the project (a new one is scanned without being listed here).
APPS = sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in ("tests", "bench"))

# Display modules allowed to read one of the names below, "path: name" -> why. Every other one asks the rule book.
ALLOWED: dict[str, str] = {
    "accounts/forms.py: Membership": "the Members page's role field offers the two roles as values; the services decide",
    "accounts/forms.py: Role": "the same role choices",
}

# Names that mean "I am working out who may do what": the membership and claim tables, the parties a person
# plays on a referral, the grant tables and guardian's checks, the status table's party rules.
FORBIDDEN_NAMES = {
    "Membership": "memberships and roles",
    "TeamMembership": "team memberships",
    "ProgramClaimer": "claims",
    "Party": "the parties of a referral",
    "referral_parties": "the parties of a referral",
    "is_seeker_only": "the parties of a referral",
    "PERMISSION_PARTY": "grants",
    "ReferralUserObjectPermission": "grants",
    "ReferralGroupObjectPermission": "grants",
    "allowed_targets": "the status table's parties",
    "allowed_reasons": "the status table's parties",
    "REOPEN_PARTIES": "the status table's parties",
    "is_organization_admin": "roles",
    "can_administer": "roles",
    "admin_organization_ids": "roles",
}
FORBIDDEN_ATTRIBUTES = {
    "is_superuser": "the network admin flag",
    "is_staff": "the staff flag",
    "has_perm": "guardian's check",
    "has_perms": "guardian's check",
    "Role": "membership roles",
    "parties": "the parties of a referral",
}


def display_modules() -> list[Path]:
    """Every module that shows things to people: views, forms, API and FHIR views, serializers, template tags and
    context processors (policies, selectors, services, models and admin are not display)."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = path.stem
            if (
                name.startswith(("views", "forms"))
                or name in ("serializers", "permissions", "web", "live", "context_processors")
                or "templatetags" in relative.parts
            ):
                found.append(path)
    return found


def permission_readings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            problems.append(f"line {node.lineno}: {node.id} ({FORBIDDEN_NAMES[node.id]})")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            problems.append(f"line {node.lineno}: .{node.attr} ({FORBIDDEN_ATTRIBUTES[node.attr]})")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FORBIDDEN_NAMES:
                    problems.append(f"line {node.lineno}: imports {alias.name} ({FORBIDDEN_NAMES[alias.name]})")
    return problems


def test_the_scan_covers_every_kind_of_display_module():
    names = {str(path.relative_to(ROOT)) for path in display_modules()}
    assert {"accounts", "referrals", "organization", "reports", "referrals_site"} <= set(APPS)
    for expected in [
        "referrals/views.py",
        "referrals/views_inbound.py",
        "api/views.py",
        "api/serializers.py",
        "fhir_api/views.py",
        "referrals/templatetags/referral_display.py",
        "people/views.py",
        "organization/views.py",
        "accounts/context_processors.py",
        "reports/views.py",
        "notifications/views.py",
        "referrals/live.py",
        "api/permissions.py",
        "referrals/forms.py",
        "people/forms_programs.py",
        "security/views.py",
    ]:
        assert expected in names


@pytest.mark.parametrize("path", display_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_display_module_computes_a_permission(path):
    problems = [problem for problem in permission_readings(path) if _reading_key(path, problem) not in ALLOWED]
    assert not problems, (
        f"{path.relative_to(ROOT)} works out a permission itself; ask the app's policies module "
        "(the rule book) instead:\n" + "\n".join(problems)
    )


def _reading_key(path: Path, problem: str) -> str:
    """``"path: name"``, as ALLOWED names a reading."""
    return f"{path.relative_to(ROOT)}: {problem.split('(')[0].split()[-1].lstrip('.')}"


def test_every_allowed_reading_is_still_there():
    """ALLOWED only shrinks: an entry whose reading is gone is taken off, so it cannot later excuse a new one."""
    readings = {_reading_key(path, problem) for path in display_modules() for problem in permission_readings(path)}
    stale = sorted(set(ALLOWED) - readings)
    assert not stale, f"These readings are gone: take them off ALLOWED: {stale}"


def test_the_scan_catches_a_view_that_reads_roles_itself(tmp_path):
    """The scan is not blind: the kinds of code the views held before the rule book are caught."""
    view = tmp_path / "views.py"
    view.write_text(
        "from accounts.models import Membership\n"
        "from referrals.statuses import Party\n"
        "def page(request, referral, parties):\n"
        "    if request.user.is_superuser or Party.ADMIN in parties:\n"
        "        return Membership.objects.filter(user=request.user, role=Membership.Role.ADMIN).exists()\n",
        encoding="utf-8",
    )
    problems = "\n".join(permission_readings(view))
    for caught in ["imports Membership", "imports Party", ".is_superuser", "Party (", ".Role"]:
        assert caught in problems


# Templates show what the view's context says; they never test a flag or a role themselves.
TEMPLATE_PERMISSION = re.compile(r"\b(is_superuser|is_staff|perms\.|\.role\b|memberships|claimer_memberships)")


def test_no_template_computes_a_permission():
    problems = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for tag in re.findall(r"{%.*?%}|{{.*?}}", line):
                if TEMPLATE_PERMISSION.search(tag):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {tag}")
    assert not problems, "templates decide on a role or flag themselves:\n" + "\n".join(problems)
