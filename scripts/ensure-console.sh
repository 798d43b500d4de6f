#!/usr/bin/env bash
# What the console's browser test needs (used by `make test`): the console's Node packages
# (playwright-core among them) and Debian's Chromium. Installs what is missing where it
# can; where it cannot, says so, and the browser test skips with the same reason (CI sets
# HOOKRELAY_REQUIRE_BROWSER=1 so that a skip there is a failure instead).
set -uo pipefail
cd "$(dirname "$0")/../console"

if ! command -v npm >/dev/null; then
  echo "console: npm is not installed; the browser test will be skipped (install Node.js 20+)" >&2
  exit 0
fi
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "console: installing its Node packages (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error || echo "console: npm ci failed; the browser test will be skipped" >&2
fi

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "console: installing Debian's chromium for the browser test..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null ||
      echo "console: apt-get could not install chromium; the browser test will be skipped" >&2
  else
    echo "console: $CHROMIUM is missing and cannot be installed here (needs root and apt-get);" \
      "the browser test will be skipped. Install it with: sudo apt-get install -y chromium" >&2
  fi
fi
exit 0
