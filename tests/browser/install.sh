#!/usr/bin/env bash
# Installs what tests/browser/test_browser.py needs: Debian's chromium (only if missing) and axe-core from package-lock.json.
# Idempotent; called by tests/install.sh (make test). Needs root (or sudo) for apt-get, and npm.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

pinned=$(node -p "require('./package.json').dependencies['axe-core']")
installed=$(node -p "require('./node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$pinned" ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

/usr/bin/chromium --version
echo "axe-core $(node -p "require('./node_modules/axe-core/package.json').version")"
