"""`make screenshots` (scripts/screenshots.py) is not part of the suite; this runs it on one page."""

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_screenshots_command_draws_a_page_at_both_widths(tmp_path):
    if not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Chromium at /usr/bin/chromium (scripts/test-deps.sh installs it).")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "scripts/screenshots.py", "--only", "sign-in", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert png_size(tmp_path / "sign-in-desktop.png")[0] == 1280
    assert png_size(tmp_path / "sign-in-phone.png")[0] == 390


def test_the_committed_screenshots_are_the_pages_the_command_draws():
    listed = subprocess.run(
        [sys.executable, "scripts/screenshots.py", "--list"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout.split()
    committed = {path.name for path in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert committed == {f"{name}-{width}.png" for name in listed for width in ("desktop", "phone")}
