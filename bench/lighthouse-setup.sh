#!/usr/bin/env bash
# Installs what bench/lighthouse.py needs: Lighthouse 12.2.3 from bench/lighthouse/package-lock.json (npm ci, never
# fetched at run time) and Debian's chromium (tests/browser/install.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
bash ../tests/browser/install.sh >/dev/null
cd lighthouse
pinned=$(node -p "require('./package.json').dependencies.lighthouse")
installed=$(node -p "require('./node_modules/lighthouse/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "lighthouse $(node -p "require('./node_modules/lighthouse/package.json').version")"
