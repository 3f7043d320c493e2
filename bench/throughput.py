"""Throughput: gunicorn with the production settings, loaded by wrk from a second process on loopback.

    python -m bench.throughput    # writes bench/results/throughput.json

8 concurrent connections on Inbound Referrals, signed in as the benchmark claimer (a session cookie made with
the production settings). wrk comes from Debian (`apt-get install wrk`); it is installed when missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .generate import CLAIMER_EMAIL

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT", "0")) or _free_port()
CONNECTIONS = 8
DURATION = os.environ.get("BENCH_WRK_DURATION", "30s")
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
PATH = "/inbound/"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def _environment(static_root: str) -> dict:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="referrals_site.settings.prod",
        SECRET_KEY="bench-throughput-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ALLOW_CONSOLE_EMAIL="true",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rn_bench"),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
        STATIC_ROOT=static_root,
        PYTHONPATH=str(ROOT),
        WEB_CONCURRENCY=str(WORKERS),
    )
    return environment


def _python(code: str, environment: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"failed:\n{result.stderr}")
    return result.stdout.strip()


SIGN_IN = f"""
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user = get_user_model().objects.get(email={CLAIMER_EMAIL!r})
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""


def _ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    command = ["apt-get", "install", "-y", "wrk"]
    if os.geteuid() != 0:
        command = ["sudo", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def _get(path: str, cookie: str = "") -> tuple[int, str, str]:
    """(status, body, the csrftoken cookie the answer set, if any)."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            set_cookies = response.headers.get_all("Set-Cookie") or []
            csrf = next((c.split(";")[0] for c in set_cookies if c.startswith("csrftoken=")), "")
            return response.status, response.read().decode(), csrf
    except urllib.error.HTTPError as error:
        return error.code, "", ""


def _wrk(wrk: str, cookie: str, duration: str) -> dict:
    output = subprocess.run(
        [
            wrk,
            "-t",
            "2",
            "-c",
            str(CONNECTIONS),
            "-d",
            duration,
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{PORT}{PATH}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(re.findall(r"^(\w+)=([\d.]+)$", output, re.MULTILINE))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        **{key: float(value) for key, value in values.items()},
        "raw": output,
    }


def main():
    RESULTS.mkdir(exist_ok=True)
    wrk = _ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        environment = _environment(static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=environment, cwd=ROOT, check=True
        )
        cookie = _python(SIGN_IN, environment).splitlines()[-1]
        log = open(RESULTS / "gunicorn.log", "w")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "referrals_site.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(WORKERS),
            ],
            env=environment,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(60):
                time.sleep(1)
                try:
                    if _get("/healthz")[0] == 200:
                        break
                except OSError:
                    continue
            else:
                raise SystemExit("gunicorn did not become healthy; see bench/results/gunicorn.log")
            status, body, csrf = _get(PATH, cookie)
            if status != 200 or "Not updated" not in body:
                raise SystemExit(f"{PATH} answered {status} without the dashboard; not measuring a redirect.")
            # As a browser: the first page sets the CSRF cookie its forms need, and every request sends it back.
            cookie = f"{cookie}; {csrf}" if csrf else cookie
            _wrk(wrk, cookie, "5s")  # warm-up: every worker connected, templates compiled
            result = _wrk(wrk, cookie, DURATION)
        finally:
            server.send_signal(signal.SIGTERM)  # only the gunicorn this script started
            server.wait(timeout=30)
            log.close()
    cache_seconds = int(os.environ.get("INBOUND_PAGE_CACHE_SECONDS", "60"))
    result.update(
        path=PATH,
        connections=CONNECTIONS,
        duration=DURATION,
        gunicorn_workers=WORKERS,
        settings="referrals_site.settings.prod",
        page_cache_seconds=cache_seconds,
    )
    name = "throughput.json" if cache_seconds else "throughput-uncached.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(
        f"  Inbound Referrals under wrk (page cache {'on' if cache_seconds else 'off'}), "
        f"{CONNECTIONS} connections, {WORKERS} gunicorn workers: "
        f"{result['requests_per_second']} requests/s, p50 {result.get('p50_ms')} ms, p95 {result.get('p95_ms')} ms, "
        f"{int(result.get('non_2xx', 0))} non-2xx",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
