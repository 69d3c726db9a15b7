#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a browser downloaded by Playwright). Install it if missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "chromium not found: installing Debian's package (needed by the browser tests) …"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium
