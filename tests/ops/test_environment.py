"""Settings from the environment: every invalid value stops start-up naming its variable, and .env.example
lists every variable the app reads."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.ops.test_deployment import _run_with_prod_settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
# Code that is not the app: the tests, their settings, the benchmarks, the virtualenv.
NOT_THE_APP = {"tests", "bench", ".venv", "node_modules", "referral_network.egg-info"}
READS = re.compile(
    r"""(?:\benv_[a-z]+|_drf_rate|\bis_set|os\.environ\.get|os\.getenv|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


def _app_sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_THE_APP or relative == Path("referrals_site/settings/test.py"):
            continue
        yield relative, path.read_text()


def _variables_the_app_reads() -> dict[str, Path]:
    found = {}
    for relative, text in _app_sources():
        for match in READS.finditer(text):
            found.setdefault(match.group(1) or match.group(2), relative)
    return found


def _documented() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.MULTILINE))


def test_the_scan_finds_what_the_settings_read():
    found = _variables_the_app_reads()
    # A few known reads, so a scan that finds nothing cannot pass.
    assert {
        "SECRET_KEY",
        "MFA_REQUIRED_FOR_ADMINS",
        "SECURE_SSL_REDIRECT",
        "WEBHOOK_MAX_ATTEMPTS",
        "DJANGO_SETTINGS_MODULE",
        "CONN_MAX_AGE",
    } <= set(found)


def test_env_example_lists_every_variable_the_app_reads():
    missing = {name: str(where) for name, where in _variables_the_app_reads().items() if name not in _documented()}
    assert not missing, f"add these to .env.example: {missing}"


def test_env_example_lists_only_variables_something_reads():
    compose = (ROOT / "docker-compose.yml").read_text()
    read = set(_variables_the_app_reads()) | set(re.findall(r"\$\{([A-Z_]+)", compose))
    read |= {"WEB_CONCURRENCY"}  # read by gunicorn itself
    assert _documented() <= read, _documented() - read


def test_settings_read_the_environment_only_through_the_strict_helpers():
    for path in (ROOT / "referrals_site" / "settings").glob("*.py"):
        if path.name in {"environment.py", "test.py"}:
            continue
        text = path.read_text()
        assert "os.environ" not in text and "getenv" not in text, (
            f"{path.name} reads os.environ directly: use referrals_site.settings.environment"
        )


def _load_settings(monkeypatch, **env) -> dict:
    """A fresh copy of the base settings read under ``env`` (the settings in use stay as they are)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "referrals_site.settings._fresh_base", ROOT / "referrals_site" / "settings" / "base.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MFA_REQUIRED_FOR_ADMINS", "ture"),
        ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "maybe"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("REFERRAL_EXPIRY_DAYS", "３０"),  # non-ASCII digits
        ("SESSION_IDLE_TIMEOUT_SECONDS", "-5"),
        ("NOTIFICATION_RETRY_BASE_SECONDS", "30s"),
        ("API_THROTTLE_ANON", "60 per minute"),
        ("API_THROTTLE_HSDS", "300/fortnight"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_an_invalid_value_stops_start_up_naming_the_variable(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=rf"\b{name}\b"):
        _load_settings(monkeypatch, **{name: value})


def test_a_typo_in_secure_ssl_redirect_stops_production_start_up():
    result = _run_with_prod_settings(
        "import django; django.setup()", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x.example", SECURE_SSL_REDIRECT="flase"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: The environment variable SECURE_SSL_REDIRECT='flase' is not valid" in result.stderr


def test_valid_values_are_read(monkeypatch):
    settings = _load_settings(
        monkeypatch,
        MFA_REQUIRED_FOR_ADMINS="Off",
        AXES_FAILURE_LIMIT=" 7 ",
        WEBHOOK_RETRY_BASE_SECONDS="0.5",
        API_THROTTLE_ANON="10/hour",
        LOG_LEVEL="warning",
        ALLOWED_HOSTS="a.example, b.example,",
        SEEKER_RETENTION_DAYS="",
    )
    assert settings["MFA_REQUIRED_FOR_ADMINS"] is False
    assert settings["AXES_FAILURE_LIMIT"] == 7
    assert settings["WEBHOOK_RETRY_BASE_SECONDS"] == 0.5
    assert settings["RATE_LIMITS"]["api_anon"] == (10, 3600)
    assert settings["LOG_LEVEL"] == "WARNING"
    assert settings["ALLOWED_HOSTS"] == ["a.example", "b.example"]
    assert settings["SEEKER_RETENTION_DAYS"] == 0  # blank: the default


def test_the_removed_trust_x_forwarded_for_stops_start_up_pointing_to_num_proxies(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="TRUST_X_FORWARDED_FOR.*NUM_PROXIES"):
        _load_settings(monkeypatch, TRUST_X_FORWARDED_FOR="true")


def test_num_proxies_and_its_old_name(monkeypatch):
    assert _load_settings(monkeypatch, TRUST_X_FORWARDED_FOR="false")["NUM_PROXIES"] == 0
    assert _load_settings(monkeypatch, API_NUM_PROXIES="2")["NUM_PROXIES"] == 2
    settings = _load_settings(monkeypatch, NUM_PROXIES="1")
    assert settings["NUM_PROXIES"] == settings["REST_FRAMEWORK"]["NUM_PROXIES"] == 1
