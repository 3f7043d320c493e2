"""Security headers on every page, templates fit for a strict CSP, and `check --deploy` clean in production."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

from notifications import links

ROOT = Path(settings.BASE_DIR)


def test_pages_send_a_strict_content_security_policy_and_the_other_headers(client, network):
    client.force_login(network.referrer)
    for path in ["/accounts/login/", "/account/email/"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_htmx_injects_no_inline_style_and_its_indicator_rules_are_in_the_stylesheet(client, network):
    """htmx adds an inline <style> for its indicator unless told not to; the CSP would refuse it and log an
    error on every page."""
    import json

    client.force_login(network.referrer)
    html = client.get("/people/").content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1))
    assert config["includeIndicatorStyles"] is False
    htmx = (ROOT / "static" / "vendor" / "htmx" / "htmx.min.js").read_text(encoding="utf-8")
    assert "includeIndicatorStyles!==false" in htmx  # the setting this htmx version reads
    stylesheet = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".htmx-indicator { opacity: 0; visibility: hidden; }" in stylesheet
    assert ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator { opacity: 1;" in stylesheet


def test_pages_with_a_secret_in_the_url_never_send_it_as_a_referrer(client, db):
    response = client.get("/accounts/password/reset/MQ/set-password/")
    assert response["Referrer-Policy"] == "strict-origin"


def origin_a_browser_sends(page) -> str:
    """The Origin header a browser puts on a form POST from ``page`` to its own site.

    The Fetch standard ("append a request Origin header") serializes the origin as ``null`` when the
    page's referrer policy is ``no-referrer``; Django's test client sends no Origin at all, so without this
    a test cannot see what a browser would.
    """
    return "null" if page["Referrer-Policy"] == "no-referrer" else "http://testserver"


def post_from_page(client, path, data):
    page = client.get(path)
    return client.post(
        path,
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **data},
        HTTP_ORIGIN=origin_a_browser_sends(page),
    )


def test_a_browser_can_ask_for_a_password_reset(db):
    client = Client(enforce_csrf_checks=True)
    response = post_from_page(client, "/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"


def test_a_seeker_can_answer_from_the_email_link_in_a_browser(network):
    referral = network.refer()
    path = re.sub(r"^https?://[^/]+", "", links.link_url(referral=referral, seeker=referral.seeker))
    response = post_from_page(Client(enforce_csrf_checks=True), path, {"choice": "got_help"})

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "got_help"


def test_session_and_csrf_cookies_are_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def _our_templates():
    skip = {".venv", "node_modules", "staticfiles", ".git"}
    for path in ROOT.rglob("*.html"):
        if skip.isdisjoint(path.relative_to(ROOT).parts) and "templates" in path.parts:
            yield path


# Emails are not pages of the site: mail programs show them, under no policy of ours, and most of them ignore
# stylesheets, so the email layout (templates/emails/_base.html) writes its styles in a <style> block that
# notifications.services.render_message inlines. Scripts stay forbidden there too.
EMAIL_TEMPLATES = ROOT / "templates" / "emails"
STYLE_CHECKS = {"style= attribute", "<style> element"}


def test_no_template_has_inline_script_style_or_event_handlers():
    """The CSP forbids them; a template that uses one would silently break in browsers."""
    offenders = []
    for path in _our_templates():
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", path.read_text(), flags=re.DOTALL)
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("style= attribute", INLINE_STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("on*= handler", EVENT_HANDLER),
            ("javascript: URL", JAVASCRIPT_URL),
        ]:
            if name in STYLE_CHECKS and path.is_relative_to(EMAIL_TEMPLATES):
                continue
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert list(_our_templates()), "expected templates"
    assert offenders == []


# What production must name (referrals_site/settings/prod.py refuses to start without them); nothing connects.
PRODUCTION_SERVICES = {
    "DATABASE_URL": "postgres://referrals@db.invalid:5432/referrals",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "SITE_URL": "https://referrals.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **os.environ,
        **PRODUCTION_SERVICES,
        "DJANGO_SETTINGS_MODULE": "referrals_site.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "referrals.example",
        "CSRF_TRUSTED_ORIGINS": "https://referrals.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_set_hsts_and_secure_cookies():
    env = {
        **os.environ,
        **PRODUCTION_SERVICES,
        "DJANGO_SETTINGS_MODULE": "referrals_site.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "referrals.example",
    }
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True"] * 5, result.stderr
