#!/usr/bin/env bash
# Makes Debian's chromium available for the dashboard's browser test.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser test..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
  command -v chromium >/dev/null && exit 0
fi
echo "ERROR: chromium is not installed and cannot be installed here (needs root and apt-get)." >&2
echo "       Install Debian's 'chromium' package (or set CHROMIUM=/path/to/chromium) and run again." >&2
exit 1
