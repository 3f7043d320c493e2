#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's Chromium for the browser tests.
# Playwright drives /usr/bin/chromium; nothing downloads a browser at run time.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
  sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "Chromium could not be installed; the browser tests cannot run." >&2
    exit 1
  fi
  echo "WARNING: /usr/bin/chromium is missing; browser tests will be skipped (apt-get install chromium)." >&2
fi
