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

# The real chat model is re-quantised once with llama.cpp's quantize tool, built from source
# (scripts/models-chat.mjs): it needs a C++ toolchain when the model is not cached yet.
missing=()
for tool in git cmake make g++; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Building the test model needs ${missing[*]}: run 'sudo apt-get install -y git cmake make g++', then run this again." >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git cmake make g++ >/dev/null
fi

# encoder.wasm is rebuilt by the unit tests and compared byte for byte with the committed one
# (scripts/build-encoder-wasm.mjs --check): that needs the recorded compiler, Debian's clang-16
# with lld-16 (about 20 s to install).
if ! command -v clang-16 >/dev/null || [ ! -x /usr/bin/wasm-ld-16 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Rebuilding encoder.wasm needs clang-16 and lld-16: run 'sudo apt-get install -y clang-16 lld-16', then run this again." >&2
    exit 1
  fi
  echo "Installing clang-16 and lld-16 from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-16 lld-16 >/dev/null
fi

npm ci --no-audit --no-fund
npm test
