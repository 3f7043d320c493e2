"""Build a realistic referral network in its own PostgreSQL database, fast.

    python -m bench.generate                 # 1,000,000 referrals (the benchmark network)
    python -m bench.generate --add-programs 45000   # grow the directory to 50,000 programs

Rows go in with PostgreSQL COPY; the big tables' secondary indexes and constraints are dropped first and
rebuilt from their own definitions afterwards (faster than maintaining them row by row). The grant rows are
the ones referrals.services._grant_on_create gives (tests/scale/test_generator.py checks that on a small
network). It prints the time each phase took and writes a summary for bench/measure.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
HELPER_EMAIL = "helper@bench.example"
CLAIMER_EMAIL = "claimer@bench.example"
PASSWORD = "bench-password"


@dataclass(frozen=True)
class Size:
    organizations: int = 200
    sites: int = 150  # the first ``sites`` organizations run a Site; every organization provides programs
    programs: int = 5_000
    seekers: int = 200_000
    referrals: int = 1_000_000
    categories: int = 20
    sharing_team_size: int = 15
    private_team_size: int = 5
    claimers_per_program: int = 2
    hub_programs: int = 20  # busy programs (a county food bank, 211 housing intake) ...
    hub_share: float = 0.10  # ... that receive this share of all referrals
    bench_claimer_hubs: int = 4  # the measured claimer works this many hubs
    goals_per_seeker: float = 0.25
    notes_per_referral: float = 0.30
    seed: int = 20261125


SMALL = Size(
    organizations=6,
    sites=4,
    programs=40,
    seekers=300,
    referrals=2_000,
    sharing_team_size=3,
    private_team_size=2,
    hub_programs=4,
    bench_claimer_hubs=2,
)


class Progress:
    """A progress bar on stderr."""

    def __init__(self, label: str, total: int, enabled: bool = True):
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.started = time.perf_counter()
        self.shown = -1

    def update(self, done: int):
        percent = done * 100 // self.total
        if not self.enabled or percent == self.shown:
            return
        self.shown = percent
        filled = percent // 4
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r  {self.label:<12} [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}% "
            f"{done:>10,}/{self.total:,}  {elapsed:6.1f} s"
        )
        sys.stderr.flush()

    def finish(self):
        self.update(self.total)
        if self.enabled:
            sys.stderr.write("\n")


def _encode(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif not isinstance(value, str):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Table:
    """COPY rows into one model's table. Columns not given take the model field's default."""

    FLUSH_ROWS = 50_000

    def __init__(self, loader: Loader, model, columns: list[str] | None = None, *, with_id: bool = True):
        self.loader = loader
        self.model = model
        fields = [
            f
            for f in model._meta.concrete_fields
            if (with_id or not f.primary_key) and not getattr(f, "generated", False)
        ]
        if columns is not None:
            fields = [model._meta.get_field(name) for name in columns]
        self.fields = fields
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.defaults = [self._default(f) for f in fields]
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0

    def _default(self, field):
        if field.has_default():
            default = field.default
            if callable(default):
                if default is uuid.uuid4:
                    return uuid.uuid4
                value = field.get_default()  # once: every row gets the same default
                return lambda: value
            return lambda value=default: value
        if field.null:
            return lambda: None
        return lambda: ""

    def add(self, **values):
        line = []
        for field, default in zip(self.fields, self.defaults):
            value = values.get(field.attname, _MISSING)
            line.append(_encode(default() if value is _MISSING else value))
        self.buffer.write("\t".join(line))
        self.buffer.write("\n")
        self._count()

    def add_raw(self, *values):
        """Values in column order, already plain (ints, or strings without tabs, newlines or backslashes)."""
        self.buffer.write("\t".join(map(str, values)))
        self.buffer.write("\n")
        self._count()

    def _count(self):
        self.pending += 1
        if self.pending >= self.FLUSH_ROWS:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        self.buffer.seek(0)
        with self.loader.connection.cursor() as cursor:
            cursor.copy_expert(f'COPY "{self.table}" ({", ".join(self.columns)}) FROM STDIN', self.buffer)
        self.written += self.pending
        self.buffer = io.StringIO()
        self.pending = 0


_MISSING = object()


class Loader:
    """Owns the connection, drops and rebuilds secondary indexes and constraints around the load."""

    def __init__(self, connection):
        self.connection = connection
        self.saved: list[tuple[str, str]] = []  # (table, statement to recreate)

    def execute(self, sql, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def strip(self, table: str):
        """Drop the table's secondary indexes and its foreign-key/unique constraints, remembering them."""
        constraints = self.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
            [table],
        )
        for name, definition in constraints:
            self.saved.append((table, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
            self.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        indexes = self.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')",
            [table],
        )
        for name, definition in indexes:
            self.saved.append((table, definition))
            self.execute(f'DROP INDEX "{name}"')

    def rebuild(self, progress: bool):
        bar = Progress("indexes", len(self.saved), progress)
        for number, (_, statement) in enumerate(self.saved, 1):
            self.execute(statement)
            bar.update(number)
        bar.finish()
        self.saved.clear()

    def reset_sequence(self, model):
        table = model._meta.db_table
        self.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
        )


# --- the vocabulary of a plausible directory -------------------------------------------------------------

FIRST_NAMES = (
    "Maria James Priya Omar Ana Dana Sam Rita Lena David Kim Jose Luis Aisha Chen Fatima Noah Emma "
    "Liam Olivia Ava Mateo Sofia Elijah Mia Lucas Amara Yusuf Grace Hana Diego Zoe Ivan Nia Kofi "
    "Leah Arjun Rosa Tomas Ines Malik Sara Jin Carmen Abdi Lucia Ben Eva Raj Tess"
).split()
LAST_NAMES = (
    "Garcia Lee Shah Haddad Torres Whitfield Okafor Alvarez Park Cohen Bauer Medina Hernandez Smith "
    "Johnson Williams Brown Jones Miller Davis Lopez Gonzalez Wilson Anderson Thomas Taylor Moore "
    "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera"
).split()
PLACES = (
    "Northside Eastlake Uptown Lakeview Pilsen Austin Englewood Hyde Park Rogers Park Humboldt Logan "
    "Bridgeport Woodlawn Garfield Albany Edgewater Kenwood Avondale Chatham Bronzeville Peoria Joliet "
    "Aurora Elgin Rockford Springfield Naperville Evanston Cicero Waukegan Champaign Decatur"
).split()
CATEGORIES = [
    ("Food", "Food Pantry", "free groceries, fresh produce and hot meals"),
    ("Housing", "Housing Services", "shelter, transitional housing and help finding an apartment"),
    ("Rent assistance", "Rental Assistance", "one-time help with rent and security deposits to prevent eviction"),
    ("Utilities", "Utility Assistance", "help paying gas, electric and water bills and avoiding shutoff"),
    ("Health care", "Community Clinic", "primary care, checkups and vaccinations on a sliding fee scale"),
    ("Mental health", "Counseling Center", "counseling, therapy and support groups for anxiety and depression"),
    ("Substance use", "Recovery Services", "addiction treatment, recovery coaching and harm reduction"),
    ("Employment", "Job Center", "job search help, resume writing and interview practice"),
    ("Job training", "Career Training", "certificate training in trades, health care and technology"),
    ("Legal aid", "Legal Aid Clinic", "free legal advice on eviction, immigration and benefits"),
    ("Childcare", "Childcare Assistance", "subsidized childcare and after-school programs"),
    ("Education", "Adult Education", "GED classes, English lessons and literacy tutoring"),
    ("Transportation", "Ride Program", "rides to medical appointments and transit passes"),
    ("Clothing", "Clothing Closet", "free clothing, coats and shoes for adults and children"),
    ("Income support", "Financial Coaching", "tax preparation, budgeting help and emergency cash assistance"),
    ("Benefits enrollment", "Benefits Enrollment", "help applying for SNAP, Medicaid and WIC"),
    ("Domestic violence", "Safety Services", "confidential shelter, advocacy and safety planning"),
    ("Senior services", "Senior Center", "meals, home visits and caregiver support for older adults"),
    ("Youth programs", "Youth Services", "mentoring, tutoring and summer jobs for young people"),
    ("Disability services", "Disability Resources", "independent living support and assistive technology"),
]
ELIGIBILITY = [
    "Open to everyone.",
    "Residents of the county.",
    "Household income under 200% of the poverty line.",
    "Adults 18 and older.",
    "Families with children under 18.",
    "Adults 60 and older.",
    "Veterans and their families.",
    "Young people aged 14 to 24.",
    "Pregnant or parenting people.",
]
COMMENTS = [
    "Needs help this week.",
    "Prefers a call in the afternoon.",
    "Speaks Spanish at home.",
    "Lost their job last month.",
    "Has an eviction notice.",
    "Two children under five.",
    "",
]
NOTE_BODIES = [
    "Left a voicemail, will try again tomorrow.",
    "Spoke with the client; documents are ready.",
    "Client asked to be called after 5 pm.",
    "Appointment booked for next week.",
    "Waiting for proof of income.",
    "Client confirmed they received the groceries.",
]

OPEN_MIX = [
    ("sent", 30),
    ("viewed", 20),
    ("accepted", 20),
    ("waitlisted", 10),
    ("in_service", 10),
    ("needs_client_action", 10),
]
CLOSED_MIX = [("got_help", 40), ("declined", 20), ("not_completed", 15), ("withdrawn", 20), ("entered_in_error", 5)]
REASONS = {
    "declined": ["not_eligible", "no_capacity", "out_of_area", "other"],
    "not_completed": ["couldnt_contact", "couldnt_get_help"],
    "withdrawn": ["no_longer_interested", "expired_no_response"],
}


def _weighted(rng, mix):
    names, weights = zip(*mix)
    return rng.choices(names, weights)[0]


def _illinois_zip_codes():
    import zipcodes

    places = [
        (z["zip_code"], float(z["lat"]), float(z["long"]))
        for z in zipcodes.filter_by(state="IL")
        if z.get("lat") and z.get("zip_code_type") == "STANDARD" and z.get("active")
    ]
    chicago = [p for p in places if p[0].startswith("606")]
    return places, chicago


def _short(first, last):
    return f"{first} {last[:1]}."


# --- the network ---------------------------------------------------------------------------------------------


def _strip_all(loader, models):
    for model in models:
        loader.strip(model._meta.db_table)


def generate(size: Size, *, progress: bool = True, vacuum: bool = True) -> dict:
    """Fill the (migrated, empty) default database. Returns a summary for the measurements."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, Organization, Team, TeamMembership, User
    from goals.models import Goal
    from programs.models import Category, Program, ProgramClaimer
    from referrals import statuses
    from referrals.models import (
        Note,
        Referral,
        ReferralEvent,
        ReferralGroupObjectPermission,
        ReferralUserObjectPermission,
    )
    from seekers.models import Seeker

    if Referral.objects_across_tenants.exists() or Organization.objects.exists():
        raise SystemExit("The benchmark database is not empty; drop and recreate it first (bench/run.sh does).")

    rng = random.Random(size.seed)
    now = timezone.now()
    timings = {}
    started = time.perf_counter()
    loader = Loader(connection)
    big = [Referral, ReferralEvent, Note, ReferralGroupObjectPermission, ReferralUserObjectPermission, Seeker]

    user_groups = User.groups.through
    program_categories = Program.categories.through
    permission_ids = {
        p.codename: p.pk
        for p in Permission.objects.filter(content_type__app_label="referrals", content_type__model="referral")
    }
    zip_places, chicago = _illinois_zip_codes()
    password = make_password(PASSWORD)

    with transaction.atomic():
        loader.execute("SET LOCAL synchronous_commit = off")
        loader.execute("SET LOCAL maintenance_work_mem = '512MB'")
        _strip_all(loader, big)

        # guardian's post_migrate may have made an AnonymousUser already
        ids = {
            "group": Group.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            "user": User.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        }

        def next_id(kind):
            ids[kind] += 1
            return ids[kind]

        groups = Table(loader, Group, ["id", "name"])
        users = Table(loader, User)
        memberships = Table(loader, Membership, with_id=False)
        teams_table = Table(loader, Team)
        team_members = Table(loader, TeamMembership, with_id=False)
        claimers_table = Table(loader, ProgramClaimer, with_id=False)
        user_group_rows = Table(loader, user_groups, ["user_id", "group_id"])

        def new_user(first, last, email, joined):
            user_id = next_id("user")
            users.add(
                id=user_id,
                email=email,
                first_name=first,
                last_name=last,
                password=password,
                date_joined=joined,
                is_active=True,
            )
            return user_id

        # Categories and organizations (each with its admin group and one admin).
        t0 = time.perf_counter()
        category_table = Table(loader, Category)
        for number, (name, _, _) in enumerate(CATEGORIES[: size.categories], 1):
            category_table.add(id=number, name=name, slug=name.lower().replace(" ", "-"))
        category_table.flush()

        org_table = Table(loader, Organization)
        org_names = {}
        org_admin_group = {}
        org_admin = {}
        for org in range(1, size.organizations + 1):
            place = PLACES[org % len(PLACES)]
            kind = "Health Center" if org <= size.sites else "Community Services"
            name = f"{place} {kind} {org}"
            org_names[org] = name
            group_id = next_id("group")
            groups.add(id=group_id, name=f"org:bench-{org}:admins")
            org_admin_group[org] = group_id
            org_table.add(
                id=org,
                name=name,
                slug=f"bench-{org}",
                runs_site=org <= size.sites,
                admin_group_id=group_id,
                created_at=now - timedelta(days=900),
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            admin = new_user(first, last, f"admin{org}@bench.example", now - timedelta(days=900))
            org_admin[org] = admin
            memberships.add(user_id=admin, organization_id=org, role="admin", joined_at=now - timedelta(days=900))
            user_group_rows.add_raw(admin, group_id)
        org_table.flush()

        # Sites: a sharing team and a private team of workers.
        workers_by_site: dict[int, list[int]] = {}
        team_of_worker: dict[int, int] = {}
        team_shares: dict[int, bool] = {}
        team_group: dict[int, int] = {}
        worker_name: dict[int, str] = {}
        team_id = 0
        for org in range(1, size.sites + 1):
            workers_by_site[org] = []
            for shares, count, label in [
                (True, size.sharing_team_size, "Care Navigation"),
                (False, size.private_team_size, "Intake"),
            ]:
                team_id += 1
                group_id = next_id("group")
                groups.add(id=group_id, name=f"team:bench-{org}:{team_id}")
                teams_table.add(
                    id=team_id,
                    organization_id=org,
                    name=label,
                    shares_outbound=shares,
                    group_id=group_id,
                    created_at=now - timedelta(days=800),
                )
                team_shares[team_id], team_group[team_id] = shares, group_id
                for member in range(count):
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    email = (
                        HELPER_EMAIL
                        if (org == 1 and shares and member == 0)
                        else f"worker{org}-{team_id}-{member}@bench.example"
                    )
                    joined = now - timedelta(days=rng.randint(400, 800))
                    user_id = new_user(first, last, email, joined)
                    memberships.add(user_id=user_id, organization_id=org, role="worker", joined_at=joined)
                    team_members.add(team_id=team_id, user_id=user_id, joined_at=joined)
                    user_group_rows.add_raw(user_id, group_id)
                    workers_by_site[org].append(user_id)
                    team_of_worker[user_id] = team_id
                    worker_name[user_id] = _short(first, last)
        teams_table.flush()

        # Programs: spread over every organization, placed in Illinois (half of them in Chicago).
        program_table = Table(loader, Program)
        category_rows = Table(loader, program_categories, ["program_id", "category_id"])
        program_org: dict[int, int] = {}
        program_group: dict[int, int] = {}
        program_claimers: dict[int, list[int]] = {}
        claimer_name: dict[int, str] = {}
        providers = list(range(size.sites + 1, size.organizations + 1)) or list(range(1, size.organizations + 1))
        hubs = list(range(1, size.hub_programs + 1))
        for program in range(1, size.programs + 1):
            if program <= size.hub_programs:
                # hubs belong to provider organizations; the measured claimer's hubs all to the first one
                org = providers[0] if program <= size.bench_claimer_hubs else providers[program % len(providers)]
            else:
                org = (program % size.organizations) + 1
            program_org[program] = org
            group_id = next_id("group")
            groups.add(id=group_id, name=f"program:bench-{org}:{program}")
            program_group[program] = group_id
            _write_program(
                program_table, category_rows, rng, program, org, group_id, zip_places, chicago, now, size.categories
            )
            program_claimers[program] = []
            for number in range(size.claimers_per_program):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                joined = now - timedelta(days=rng.randint(400, 800))
                user_id = new_user(first, last, f"claimer{program}-{number}@bench.example", joined)
                claimers_table.add(program_id=program, user_id=user_id, joined_at=joined)
                user_group_rows.add_raw(user_id, group_id)
                program_claimers[program].append(user_id)
                claimer_name[user_id] = _short(first, last)
        bench_claimer = new_user("Casey", "Morgan", CLAIMER_EMAIL, now - timedelta(days=700))
        claimer_name[bench_claimer] = "Casey M."
        for program in hubs[: size.bench_claimer_hubs]:
            claimers_table.add(program_id=program, user_id=bench_claimer, joined_at=now - timedelta(days=700))
            user_group_rows.add_raw(bench_claimer, program_group[program])
            program_claimers[program].append(bench_claimer)
        for table in (
            groups,
            users,
            program_table,
            category_rows,
            memberships,
            teams_table,
            team_members,
            claimers_table,
            user_group_rows,
        ):
            table.flush()
        program_names = dict(loader.execute('SELECT id, name FROM "programs_program"'))
        timings["organizations, people, programs"] = time.perf_counter() - t0

        # Seekers (each made by a worker of a site, on that worker's team) and some goals.
        t0 = time.perf_counter()
        seeker_table = Table(loader, Seeker)
        goal_table = Table(loader, Goal)
        seeker_org = [0] * (size.seekers + 1)
        seeker_creator = [0] * (size.seekers + 1)
        bar = Progress("seekers", size.seekers, progress)
        goal_id = 0
        for seeker in range(1, size.seekers + 1):
            org = rng.randint(1, size.sites)
            creator = rng.choice(workers_by_site[org])
            seeker_org[seeker], seeker_creator[seeker] = org, creator
            zip_code = rng.choice(chicago if rng.random() < 0.5 else zip_places)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            created = now - timedelta(days=rng.randint(1, 730))
            seeker_table.add(
                id=seeker,
                organization_id=org,
                first_name=first,
                last_name=last,
                zip_code=zip_code,
                email=f"seeker{seeker}@example.com",
                phone=f"312-555-{seeker % 10000:04d}",
                preferred_language="es" if rng.random() < 0.2 else "en",
                contact_preference="do_not_contact" if rng.random() < 0.03 else "email",
                created_by_id=creator,
                team_id=team_of_worker[creator],
                created_at=created,
                updated_at=created,
                last_activity_at=created,
                date_of_birth=(now - timedelta(days=rng.randint(18 * 365, 80 * 365))).date(),
            )
            if rng.random() < size.goals_per_seeker:
                goal_id += 1
                goal_table.add(
                    id=goal_id,
                    organization_id=org,
                    seeker_id=seeker,
                    title=rng.choice(
                        [
                            "Find stable housing",
                            "Get enough food",
                            "Find a job",
                            "See a doctor",
                            "Pay the utility bills",
                        ]
                    ),
                    created_by_id=creator,
                    created_at=created,
                )
            if seeker % 5000 == 0:
                bar.update(seeker)
        seeker_table.flush()
        goal_table.flush()
        bar.finish()
        timings["seekers"] = time.perf_counter() - t0

        # Referrals, with their grants, history and notes.
        t0 = time.perf_counter()
        referral_table = Table(loader, Referral)
        event_table = Table(loader, ReferralEvent)
        note_table = Table(loader, Note)
        group_grants = Table(loader, ReferralGroupObjectPermission, ["content_object_id", "group_id", "permission_id"])
        user_grants = Table(loader, ReferralUserObjectPermission, ["content_object_id", "user_id", "permission_id"])
        perm = permission_ids
        open_pairs: set[tuple[int, int]] = set()
        non_hubs = size.programs - size.hub_programs
        bar = Progress("referrals", size.referrals, progress)
        event_id = note_id = 0
        helper_visible = 0
        helper_id = next(u for u in workers_by_site[1] if team_shares[team_of_worker[u]])
        helper_team = team_of_worker[helper_id]
        for referral in range(1, size.referrals + 1):
            seeker = rng.randint(1, size.seekers)
            org = seeker_org[seeker]
            creator = seeker_creator[seeker]
            team = team_of_worker[creator]
            if rng.random() < 0.2:  # a teammate follows up for the same person
                teammates = [w for w in workers_by_site[org] if team_of_worker[w] == team]
                creator = rng.choice(teammates)
            if rng.random() < size.hub_share or non_hubs <= 0:
                program = rng.randint(1, size.hub_programs)
            else:
                program = rng.randint(size.hub_programs + 1, size.programs)
            provider = program_org[program]
            age_days = rng.random() ** 1.5 * 730
            sent_at = now - timedelta(days=age_days)
            if age_days > 60:
                status = _weighted(rng, CLOSED_MIX) if rng.random() < 0.9 else _weighted(rng, OPEN_MIX)
            else:
                status = _weighted(rng, OPEN_MIX) if rng.random() < 0.75 else _weighted(rng, CLOSED_MIX)
            if status in statuses.OPEN:
                if (seeker, program) in open_pairs:
                    status = "withdrawn"
                else:
                    open_pairs.add((seeker, program))
            reason = rng.choice(REASONS[status]) if status in REASONS else ""
            closed = status not in statuses.OPEN
            responded = status != "sent"
            claimers = program_claimers[program]
            claimer = rng.choice(claimers) if claimers else None
            # Nothing happens after the network is generated: a live poll would otherwise see "new" events.
            first_response_at = min(sent_at + timedelta(hours=rng.randint(1, 120)), now) if responded else None
            closed_at = (first_response_at or sent_at) + timedelta(days=rng.randint(1, 30)) if closed else None
            if closed_at and closed_at > now:
                closed_at = now
            updated_at = closed_at or first_response_at or sent_at
            if updated_at > now:
                updated_at = now
            history = [("viewed", "", "system")] if responded else []
            if status not in ("sent", "viewed"):
                party = "referrer" if status in ("withdrawn", "entered_in_error") else "claimer"
                if status == "got_help" and rng.random() < 0.4:
                    party = "seeker"
                history.append((status, reason, party))
            outcomes = {}
            if closed:
                last_party = history[-1][2]
                key = {"claimer": "program", "referrer": "referrer", "seeker": "seeker"}.get(last_party)
                if key:
                    outcomes = {f"{key}_outcome": status, f"{key}_outcome_at": closed_at}
            referral_table.add(
                id=referral,
                organization_id=org,
                program_id=program,
                seeker_id=seeker,
                referred_by_id=creator,
                referred_by_team_id=team,
                comment=rng.choice(COMMENTS),
                urgency="urgent" if rng.random() < 0.1 else "routine",
                status=status,
                status_reason=reason,
                version=1 + len(history),
                consent_given_at=sent_at,
                consent_method=rng.choice(["verbal", "written", "electronic"]),
                consent_recorded_by_id=creator,
                assigned_to_id=claimer if (claimer and responded and rng.random() < 0.5) else None,
                sent_at=sent_at,
                first_response_at=first_response_at,
                closed_at=closed_at,
                updated_at=updated_at,
                **outcomes,
            )
            # Grants: exactly referrals.services._grant_on_create (ignore_conflicts drops duplicates).
            user_grants.add_raw(referral, creator, perm["view_referral"])
            user_grants.add_raw(referral, creator, perm["act_as_referrer"])
            grants = {(program_group[program], perm["view_referral"]), (program_group[program], perm["act_as_claimer"])}
            for codename in ("view_referral", "act_as_referrer", "administer_referral"):
                grants.add((org_admin_group[org], perm[codename]))
            for codename in ("view_referral", "act_as_claimer", "administer_referral"):
                grants.add((org_admin_group[provider], perm[codename]))
            if team_shares[team]:
                grants.add((team_group[team], perm["view_referral"]))
                grants.add((team_group[team], perm["act_as_referrer"]))
            for group_id, permission_id in grants:
                group_grants.add_raw(referral, group_id, permission_id)
            if creator == helper_id or (team == helper_team and team_shares[team]):
                helper_visible += 1

            # History: created, consent given, then each status change; a note on some.
            site_name = org_names[org]
            referrer_display = worker_name[creator]
            event_id += 1
            event_table.add(
                id=event_id,
                organization_id=org,
                referral_id=referral,
                kind="created",
                actor_id=creator,
                actor_display=referrer_display,
                actor_organization=site_name,
                to_status="sent",
                created_at=sent_at,
            )
            event_id += 1
            event_table.add(
                id=event_id,
                organization_id=org,
                referral_id=referral,
                kind="consent_given",
                actor_id=creator,
                actor_display=referrer_display,
                actor_organization=site_name,
                detail={"method": "verbal"},
                created_at=sent_at,
            )
            previous, when = "sent", sent_at
            for to_status, to_reason, party in history:
                when = first_response_at if to_status == "viewed" else (closed_at or updated_at)
                if party == "claimer" or (party == "system" and claimer):
                    actor, display, organization = claimer, claimer_name.get(claimer, "System"), program_names[program]
                elif party == "seeker":
                    actor, display, organization = None, "Seeker (email link)", ""
                elif party == "referrer":
                    actor, display, organization = creator, referrer_display, site_name
                else:
                    actor, display, organization = None, "System", ""
                event_id += 1
                event_table.add(
                    id=event_id,
                    organization_id=org,
                    referral_id=referral,
                    kind="status_changed",
                    actor_id=actor,
                    actor_display=display,
                    actor_organization=organization,
                    from_status=previous,
                    to_status=to_status,
                    reason=to_reason,
                    via="email_link" if party == "seeker" else "web",
                    detail={"party": "system" if to_status == "viewed" else party},
                    created_at=when,
                )
                previous = to_status
            if rng.random() < size.notes_per_referral:
                note_id += 1
                note_uuid = uuid.uuid4()
                note_at = min(sent_at + timedelta(hours=rng.randint(1, 240)), now)
                note_table.add(
                    id=note_id,
                    public_id=note_uuid,
                    organization_id=org,
                    referral_id=referral,
                    author_id=creator,
                    author_display=referrer_display,
                    author_organization=site_name,
                    body=rng.choice(NOTE_BODIES),
                    created_at=note_at,
                )
                event_id += 1
                event_table.add(
                    id=event_id,
                    organization_id=org,
                    referral_id=referral,
                    kind="note_added",
                    actor_id=creator,
                    actor_display=referrer_display,
                    actor_organization=site_name,
                    detail={"note": str(note_uuid)},
                    created_at=note_at,
                )
            if referral % 5000 == 0:
                bar.update(referral)
        for table in (referral_table, event_table, note_table, group_grants, user_grants):
            table.flush()
        bar.finish()
        timings["referrals, grants, history, notes (COPY)"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        loader.rebuild(progress)
        timings["indexes and constraints"] = time.perf_counter() - t0
        for model in (
            Organization,
            Group,
            User,
            Team,
            Program,
            Category,
            Seeker,
            Goal,
            Referral,
            ReferralEvent,
            Note,
            Membership,
            TeamMembership,
            ProgramClaimer,
            ReferralGroupObjectPermission,
            ReferralUserObjectPermission,
            user_groups,
            program_categories,
        ):
            loader.reset_sequence(model)

    # The referrals were copied past the services, which keep the network scorecard's counts and each referral's
    # answer channel: count them, and fill the channels from the history.
    from referrals import kept
    from referrals.channels import refill_answer_channels

    t0 = time.perf_counter()
    kept.recount()
    timings["scorecard counts (recount)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    refill_answer_channels()
    timings["answer channels (refill)"] = time.perf_counter() - t0
    if vacuum:  # not inside a transaction (the tests')
        t0 = time.perf_counter()
        _vacuum_analyze(connection)
        timings["vacuum analyze"] = time.perf_counter() - t0
    counts = {
        name: loader.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')[0][0]
        for name, model in [
            ("organizations", Organization),
            ("programs", Program),
            ("users", User),
            ("seekers", Seeker),
            ("referrals", Referral),
            ("events", ReferralEvent),
            ("notes", Note),
            ("group grants", ReferralGroupObjectPermission),
            ("user grants", ReferralUserObjectPermission),
        ]
    }
    claimer_inbound = loader.execute(
        'SELECT COUNT(*) FROM "referrals_referral" WHERE program_id = ANY(%s)', [hubs[: size.bench_claimer_hubs]]
    )[0][0]
    return {
        "size": asdict(size),
        "seconds": round(time.perf_counter() - started, 1),
        "timings": {key: round(value, 1) for key, value in timings.items()},
        "counts": counts,
        "helper": {"email": HELPER_EMAIL, "visible_referrals": helper_visible},
        "claimer": {"email": CLAIMER_EMAIL, "inbound_referrals": claimer_inbound},
        "password": PASSWORD,
    }


def _write_program(table, category_rows, rng, program, org, group_id, zip_places, chicago, now, categories):
    category = rng.randrange(categories)
    label, noun, offer = CATEGORIES[category]
    zip_code, latitude, longitude = rng.choice(chicago if rng.random() < 0.5 else zip_places)
    place = PLACES[program % len(PLACES)]
    min_age = rng.choice([None, None, None, 18, 60, 14])
    # The income and document rules (issue 17) from the program's own draw, so the directory's other columns
    # stay what earlier runs generated.
    rules = random.Random(program)
    table.add(
        id=program,
        organization_id=org,
        group_id=group_id,
        name=f"{place} {noun} {program}",
        description=(
            f"{place} {noun} offers {offer}. Walk in or call ahead; staff speak English and Spanish. "
            f"We serve {rng.choice(['the whole county', 'the neighborhood', 'the city', 'the region'])}."
        ),
        eligibility=rng.choice(ELIGIBILITY),
        min_age=min_age,
        max_age=24 if min_age == 14 else None,
        languages=["en", "es"] if rng.random() < 0.6 else ["en"],
        address=f"{rng.randint(1, 9999)} Main St",
        city=place,
        state="IL",
        zip_code=zip_code,
        latitude=latitude + rng.uniform(-0.02, 0.02),
        longitude=longitude + rng.uniform(-0.02, 0.02),
        service_area_zip_codes=[zip_code],
        service_radius_miles=rng.choice([None, 5, 10, 25]),
        income_limit_percent_of_poverty=rules.choice([None, None, None, 138, 200, 250]),
        required_documents=rules.choice([[], [], ["Photo ID"], ["Photo ID", "Proof of address"]]),
        phone="312-555-0100",
        accepts_referrals=rng.random() < 0.9,
        capacity_available=rng.randint(0, 50),
        capacity_maximum=50,
        capacity_updated_at=now - timedelta(days=rng.randint(0, 60)),
        next_steps="We will call you within 3 days.",
        expected_response_hours=rng.choice([24, 48, 72, 120]),
        created_at=now - timedelta(days=900),
        updated_at=now,
    )
    category_rows.add_raw(program, category + 1)


def add_programs(count: int, *, progress: bool = True, seed: int = 7) -> dict:
    """Grow the directory by ``count`` programs (no referrals), e.g. from 5,000 to 50,000 for the search runs."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization
    from programs.models import Program

    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    zip_places, chicago = _illinois_zip_codes()
    loader = Loader(connection)
    organizations = list(Organization.objects.values_list("id", flat=True))
    categories = Program.categories.through
    with transaction.atomic():
        first_program = (Program.objects_across_tenants.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        first_group = (Group.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        groups = Table(loader, Group, ["id", "name"])
        programs = Table(loader, Program)
        category_rows = Table(loader, categories, ["program_id", "category_id"])
        category_count = min(len(CATEGORIES), loader.execute('SELECT COUNT(*) FROM "programs_category"')[0][0])
        bar = Progress("programs", count, progress)
        for number in range(count):
            program, group_id = first_program + number, first_group + number
            org = rng.choice(organizations)
            groups.add(id=group_id, name=f"program:bench-{org}:{program}")
            _write_program(
                programs, category_rows, rng, program, org, group_id, zip_places, chicago, now, category_count
            )
            if number % 1000 == 0:
                bar.update(number)
        groups.flush()
        programs.flush()
        category_rows.flush()
        bar.finish()
        for model in (Group, Program, categories):
            loader.reset_sequence(model)
    _vacuum_analyze(connection, ["programs_program", "auth_group", categories._meta.db_table])
    return {
        "added_programs": count,
        "seconds": round(time.perf_counter() - started, 1),
        "programs": Program.objects_across_tenants.count(),
    }


def _vacuum_analyze(connection, tables=None):
    """VACUUM (for index-only scans) and ANALYZE, as autovacuum would after a while in production."""
    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute("VACUUM ANALYZE")
        else:
            for table in tables:
                cursor.execute(f'VACUUM ANALYZE "{table}"')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a tiny network, to try the generator")
    parser.add_argument("--referrals", type=int, help="override the number of referrals")
    parser.add_argument("--add-programs", type=int, metavar="N", help="only add N programs to the directory")
    parser.add_argument(
        "--grow-directory-to",
        type=int,
        metavar="N",
        help="only add programs until the directory has N (nothing when it has them already)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    RESULTS.mkdir(exist_ok=True)
    if args.grow_directory_to:
        from programs.models import Program

        args.add_programs = args.grow_directory_to - Program.objects_across_tenants.count()
        if args.add_programs <= 0:
            print(f"The directory has {args.grow_directory_to:,} programs or more already.")
            return
    if args.add_programs:
        summary = add_programs(args.add_programs, progress=not args.no_progress)
        print(
            f"Added {summary['added_programs']:,} programs in {summary['seconds']} s "
            f"({summary['programs']:,} in the directory)."
        )
        (RESULTS / "programs.json").write_text(json.dumps(summary, indent=2))
        return
    size = SMALL if args.small else Size()
    if args.referrals:
        size = Size(**{**asdict(size), "referrals": args.referrals})
    summary = generate(size, progress=not args.no_progress)
    (RESULTS / "network.json").write_text(json.dumps(summary, indent=2))
    print(f"Generated the network in {summary['seconds']} s:")
    for phase, seconds in summary["timings"].items():
        print(f"  {phase:<45} {seconds:8.1f} s")
    for name, count in summary["counts"].items():
        print(f"  {name:<20} {count:>12,}")
    print(
        f"  helper {summary['helper']['email']} sees {summary['helper']['visible_referrals']:,} referrals; "
        f"claimer {summary['claimer']['email']} receives {summary['claimer']['inbound_referrals']:,}."
    )


if __name__ == "__main__":
    main()
