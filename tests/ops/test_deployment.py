"""The production stack, checked without Docker: the compose file, the image recipe and the prod settings."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = {"migrate", "web", "worker", "beat"}
REQUIRED = {
    "SECRET_KEY": "test-secret",
    "ALLOWED_HOSTS": "referrals.example.org",
    "POSTGRES_PASSWORD": "test-password",
    "SITE_URL": "https://referrals.example.org",
}


def _docker_compose_config() -> dict | None:
    """`docker compose config` when Docker's compose plugin works here; None otherwise."""
    if not shutil.which("docker"):
        return None
    try:
        if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode != 0:
            return None
        result = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE), "config", "--format", "json", "--no-interpolate"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **REQUIRED},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        pytest.fail(f"docker compose config refused the file:\n{result.stderr}")
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def compose() -> dict:
    return _docker_compose_config() or yaml.safe_load(COMPOSE.read_text())


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_the_stack_has_every_service(compose):
    assert set(compose["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat", "mailpit"}


def test_redis_never_evicts_queued_tasks(compose):
    command = _command(compose["services"]["redis"])
    assert re.search(r"--maxmemory-policy\s+noeviction", command)


def test_web_runs_gunicorn_with_production_settings(compose):
    web = compose["services"]["web"]
    assert re.search(r"\bgunicorn referrals_site\.wsgi\b", _command(web))
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "referrals_site.settings.prod"
    assert "runserver" not in COMPOSE.read_text()


def test_worker_and_beat_run_celery(compose):
    assert _command(compose["services"]["worker"]).startswith("celery -A referrals_site worker")
    assert _command(compose["services"]["beat"]).startswith("celery -A referrals_site beat")
    for name in APP_SERVICES:
        assert compose["services"][name]["environment"]["DJANGO_SETTINGS_MODULE"] == "referrals_site.settings.prod"


def test_migrations_run_once_before_the_app_starts(compose):
    assert _command(compose["services"]["migrate"]) == "python manage.py migrate --noinput"
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_configuration_comes_only_from_the_environment(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        for key in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
            # a required variable with no default: compose refuses to start without it
            assert re.fullmatch(r"\$\{" + key + r":\?[^}]*\}", environment[key]), (name, key)
        assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert re.fullmatch(
        r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    )


def test_every_variable_the_stack_reads_is_in_env_example():
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert used <= documented, used - documented


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "mailpit"])
def test_long_running_services_have_healthchecks(compose, name):
    healthcheck = compose["services"][name]["healthcheck"]
    assert healthcheck["test"] and not healthcheck.get("disable")


def test_the_web_healthcheck_asks_healthz(compose):
    assert compose["services"]["web"]["healthcheck"]["test"][-1] == "/healthz"


def test_the_image_is_slim_non_root_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install \.", dockerfile, re.MULTILINE)
    assert "collectstatic --noinput" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=referrals_site.settings.prod" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "gunicorn referrals_site.wsgi" in dockerfile


# The services production must name (prod.py refuses to start without them). Nothing here connects to them.
PRODUCTION_SERVICES = {
    "DATABASE_URL": "postgres://referrals@db.invalid:5432/referrals",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "SITE_URL": "https://referrals.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
PRODUCTION_VARIABLES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "ALLOW_CONSOLE_EMAIL",
    *PRODUCTION_SERVICES,
}


def _run_with_prod_settings(code: str, **env) -> subprocess.CompletedProcess:
    """``code`` under the production settings, with ``env`` over PRODUCTION_SERVICES (a None value unsets)."""
    environment = {key: value for key, value in os.environ.items() if key not in PRODUCTION_VARIABLES}
    environment.update(PRODUCTION_SERVICES, DJANGO_SETTINGS_MODULE="referrals_site.settings.prod")
    environment.update(env)
    environment = {key: value for key, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_refuse_to_start_without_a_secret():
    result = _run_with_prod_settings("import django; django.setup()", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("unset", ["DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_settings_refuse_development_fallbacks(unset):
    result = _run_with_prod_settings(
        "import django; django.setup()", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.example", **{unset: None}
    )
    assert result.returncode != 0
    assert f"{unset} must be set in production" in result.stderr


@pytest.mark.parametrize(
    "backend", [None, "django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.locmem.EmailBackend"]
)
def test_production_settings_refuse_console_email_unless_allowed(backend):
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    refused = _run_with_prod_settings(code, SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.example", EMAIL_BACKEND=backend)
    assert refused.returncode != 0
    assert "EMAIL_BACKEND must name a backend that delivers mail" in refused.stderr
    allowed = _run_with_prod_settings(
        code, SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.example", EMAIL_BACKEND=backend, ALLOW_CONSOLE_EMAIL="true"
    )
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip().endswith("EmailBackend")


def test_production_settings_start_with_every_service_named():
    result = _run_with_prod_settings(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SITE_URL, s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'])",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="x.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://referrals.example.org", "False", "django.db.backends.postgresql"]


def test_collectstatic_with_production_settings_serves_hashed_compressed_files(tmp_path):
    code = """
import django
from django.core.management import call_command
django.setup()
call_command("collectstatic", "--noinput", verbosity=0)
from django.templatetags.static import static
from django.test import Client
url = static("css/app.css")
response = Client().get(url, secure=True, headers={"Accept-Encoding": "gzip"})
print("|".join([url, str(response.status_code), response.get("Content-Encoding", ""),
                response.get("Cache-Control", "")]))
"""
    result = _run_with_prod_settings(code, SECRET_KEY="x" * 50, ALLOWED_HOSTS="testserver", STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    url, status, encoding, cache_control = result.stdout.strip().splitlines()[-1].split("|")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/app.*.css.gz"))
    assert status == "200" and encoding == "gzip"
    assert "immutable" in cache_control
