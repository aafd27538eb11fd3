#!/usr/bin/env bash
# Installs what bench/peers.py compares against: wrk (load generator), nginx (static files), Virtuoso open
# source 7 (Debian) and the pip extra `bench` (rdflib-endpoint; Oxigraph's server comes with the `test` extra).
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get. Never run by `make test`.
# Services are not started by the packages (nothing listens on :80 or :1111); peers.py runs its own instances
# on loopback in a temporary directory. A package that cannot be installed is reported and skipped; peers.py
# then prints "skipped: …" for that engine.
set -uo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT=(env DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends)

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/virtuoso-t ] || missing+=(virtuoso-opensource-7-bin)
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq || true
  for pkg in "${missing[@]}"; do
    "${APT[@]}" "$pkg" >/dev/null || echo "peers-setup: could not install $pkg (bench/peers.py will skip it)" >&2
  done
fi

if [ ! -x .venv/bin/python ]; then make .venv/.installed >/dev/null; fi
{ .venv/bin/python -c "import rdflib_endpoint, uvicorn, click" 2>/dev/null && [ -x .venv/bin/py-spy ]; } || .venv/bin/python -m pip install --quiet -e '.[test,bench]' >/dev/null 2>&1 || echo "peers-setup: pip install of the bench extra failed" >&2

command -v wrk >/dev/null && echo "wrk: $(wrk -v 2>&1 | head -1)"
[ -x /usr/sbin/nginx ] && echo "nginx: $(/usr/sbin/nginx -v 2>&1)"
[ -x /usr/bin/virtuoso-t ] && echo "virtuoso: $(/usr/bin/virtuoso-t -? 2>&1 | grep -m1 -i version)"
.venv/bin/python -c "import importlib.metadata as m; print('rdflib-endpoint', m.version('rdflib-endpoint'), '· oxigraph', m.version('oxigraph'))"
exit 0
