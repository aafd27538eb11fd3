#!/usr/bin/env bash
# What the test suite needs besides the Python packages, installed only where missing (idempotent; `make test` runs it
# first): Debian's chromium and fonts for the browser tests, a Java runtime for the OWL reasoner of
# tests/kg/test_reasoner.py, npm for axe-core (tests/browser) and the SPARQL editor bundle, Virtuoso 7 as the second
# external engine behind KG_SPARQL_ENDPOINT (tests/app/test_remote_store.py), nginx for the reverse-proxy test
# (tests/app/test_nginx.py). The Oxigraph server and the other engines come with the test extras from PyPI. Needs root
# or sudo for apt-get; where it cannot install, it
# stops naming the packages and the command, and the run does not start (no test is silently skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
{ [ -x /usr/bin/virtuoso-t ] && [ -x /usr/bin/isql-vt ]; } || missing+=(virtuoso-opensource-7-bin)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)  # tests/app/test_nginx.py (deploy/nginx.conf)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""
  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"
  else
    echo "The tests need the Debian packages ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "tests/install.sh: installing ${missing[*]}" >&2
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
          "${missing[@]}" >/dev/null; }; then
    echo "Could not install ${missing[*]}; run: sudo apt-get update && sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
bash tests/browser/install.sh
