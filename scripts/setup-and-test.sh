#!/usr/bin/env bash
# One command from a fresh clone to a full test run: installs Debian's Chromium when it is
# missing (the tests drive it; nothing downloads a browser of its own), installs the project
# exactly as locked, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is missing: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH), then run this again." >&2
    exit 1
  fi
  echo "Installing Chromium from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

npm ci --no-audit --no-fund
npm test
