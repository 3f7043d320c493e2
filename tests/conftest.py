import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership

from . import factories

# The HTTPS receiver of webhook tests (tests/webhooks, and the real-worker tests of tests/notifications).
pytest_plugins = ["tests.webhooks.receiver"]


def pytest_sessionstart(session):
    """On CI, tests that need Redis must never silently skip: fail at once when it is unreachable."""
    if os.environ.get("CI") == "true":
        import redis

        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except Exception as error:  # noqa: BLE001
            pytest.exit(f"CI needs Redis at {url}: {error}", returncode=3)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts and ends with an empty cache: rate-limit counters, cached pages and figures never carry
    from one test to the next (the test settings' cache is per process; a counter left by an earlier test in the
    same window once made a rate-limit test see 429 from its first request). A test that points the cache at
    Redis, which the parallel workers share, is left alone."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    local = isinstance(cache, LocMemCache)
    if local:
        cache.clear()
    yield
    if local:
        cache.clear()


@dataclass
class Network:
    """The fixed people of STYLE.md, in two sites and a provider."""

    site: object
    other_site: object
    provider: object
    program: object
    other_program: object
    sharing_team: object
    private_team: object
    referrer: object
    teammate: object
    private_worker: object
    site_admin: object
    claimer: object
    other_claimer: object
    provider_admin: object
    outsider: object
    outsider_admin: object
    seeker: object
    outsider_seeker: object

    def refer(self, *, referrer=None, seeker=None, program=None, **fields):
        return factories.referral(
            referrer=referrer or self.referrer, seeker=seeker or self.seeker, program=program or self.program, **fields
        )


@pytest.fixture
def network(db) -> Network:
    site = factories.OrganizationFactory(name="Northside Health Center", runs_site=True)
    other_site = factories.OrganizationFactory(name="Eastlake School District", runs_site=True)
    provider = factories.OrganizationFactory(name="City Food Bank", runs_site=False)
    program = factories.ProgramFactory(organization=provider, name="Community Food Pantry")
    other_program = factories.ProgramFactory(organization=provider, name="Mobile Food Market")
    sharing_team = factories.TeamFactory(organization=site, name="Care Navigation", shares_outbound=True)
    private_team = factories.TeamFactory(organization=site, name="Intake", shares_outbound=False)
    long_ago = timezone.now() - timedelta(days=400)
    referrer = factories.worker(site, team=sharing_team, first_name="Maria", last_name="Garcia", joined_at=long_ago)
    teammate = factories.worker(site, team=sharing_team, first_name="James", last_name="Lee")
    private_worker = factories.worker(site, team=private_team, first_name="Priya", last_name="Shah")
    site_admin = factories.worker(site, role=Membership.Role.ADMIN, first_name="Omar", last_name="Haddad")
    claimer = factories.claimer(program, first_name="Sam", last_name="Okafor")
    other_claimer = factories.claimer(other_program, first_name="Rita", last_name="Alvarez")
    provider_admin = factories.worker(provider, role=Membership.Role.ADMIN, first_name="Rosa", last_name="Diaz")
    outsider = factories.worker(other_site, first_name="Ana", last_name="Torres")
    outsider_admin = factories.worker(other_site, role=Membership.Role.ADMIN, first_name="Dana", last_name="White")
    seeker = factories.SeekerFactory(
        organization=site, created_by=referrer, team=sharing_team, first_name="Luis", last_name="Hernandez"
    )
    # Named, not drawn by Faker: tests assert that "Hernandez" or this person's name never shows across the
    # tenant line, and a random name is sometimes "Hernandez" (1 draw in 150) or "Luis".
    outsider_seeker = factories.SeekerFactory(
        organization=other_site, created_by=outsider, first_name="Keiko", last_name="Tanaka"
    )
    return Network(
        site,
        other_site,
        provider,
        program,
        other_program,
        sharing_team,
        private_team,
        referrer,
        teammate,
        private_worker,
        site_admin,
        claimer,
        other_claimer,
        provider_admin,
        outsider,
        outsider_admin,
        seeker,
        outsider_seeker,
    )


@pytest.fixture
def one_window(monkeypatch):
    """Keep the rate limiter's clock (core.ratelimit's fixed windows) inside one window, so a test that counts
    requests never straddles two."""
    import time
    from types import SimpleNamespace

    import core.ratelimit

    start = (time.time() // 3600) * 3600 + 1
    monkeypatch.setattr(core.ratelimit, "time", SimpleNamespace(time=lambda: start))
