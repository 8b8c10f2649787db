#!/usr/bin/env bash
# Makes Debian's chromium available for the dashboard's browser test (tests/test_admin_browser.py).
# Already there ($CHROMIUM, or chromium on PATH): nothing to do. Root with apt-get: installs it.
# Otherwise: fails with a message that says what to do, so the test never silently skips.
set -euo pipefail

works() {
  # Debian's wrapper script prints a harmless warning on stderr; only the exit status matters.
  "$1" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1
}

if [ -n "${CHROMIUM:-}" ]; then
  if [ -x "$CHROMIUM" ] && works "$CHROMIUM"; then
    exit 0
  fi
  echo "ERROR: CHROMIUM=$CHROMIUM is not a working chromium executable." >&2
  exit 1
fi

if command -v chromium >/dev/null 2>&1 && works "$(command -v chromium)"; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser test (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get update -qq; then
    echo "ERROR: apt-get update failed; chromium cannot be installed from here." >&2
    exit 1
  fi
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  if command -v chromium >/dev/null 2>&1 && works "$(command -v chromium)"; then
    echo "chromium installed: $(chromium --version 2>/dev/null)"
    exit 0
  fi
  echo "ERROR: chromium was installed but does not start." >&2
  exit 1
fi

echo "ERROR: chromium is not installed and cannot be installed here (needs root and apt-get)." >&2
echo "       Install Debian's 'chromium' package (sudo apt-get install chromium)," >&2
echo "       or set CHROMIUM=/path/to/chromium, and run again." >&2
exit 1
