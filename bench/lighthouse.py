"""Lighthouse 12 (npm lighthouse@12.2.3, bench/lighthouse/package-lock.json) on the pages for people, run against
Debian's /usr/bin/chromium: performance, accessibility, best practices and SEO per page, mobile (Lighthouse's
default: Moto G power emulation, simulated slow 4G) and desktop.

The graph is built into a temporary directory with the server's own address as base URI, so canonical links,
hreflang alternates and the sitemap point at the origin Lighthouse loads (as they do in production, where
KG_BASE_URI is the public address). The server is the production one: gunicorn via ``kg serve``.

    bash bench/lighthouse-setup.sh        # once: npm ci in bench/lighthouse
    .venv/bin/python bench/lighthouse.py [--form-factor mobile|desktop|both] [--pages home,measure,...]

Prints one row per page with the four scores and the failing audits of any category under 100, and exits 1 if a
category is below 95 or SEO below 100 (the bar of issue 11).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {
    "home": "/",
    "massnahmen": "/massnahmen",
    "measure": "/doc/massnahme/22",
    "drucksache": "/doc/drucksache/IV-0349",
    "sparql": "/sparql",
    "search": "/suche?q=Sprachf%C3%B6rderung",
    "measure-en": "/doc/massnahme/22?lang=en",
}
BAR = {"performance": 95, "accessibility": 95, "best-practices": 95, "seo": 100}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url} within {seconds:.0f} s")


def run_lighthouse(url: str, form_factor: str, out: Path) -> dict:
    cmd = ["node", str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}", f"--chrome-flags={CHROME_FLAGS}",
           "--output=json", f"--output-path={out}", "--quiet", "--only-categories=" + ",".join(CATEGORIES)]
    if form_factor == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(cmd, check=True, env=env, timeout=300)
    return json.loads(out.read_text())


def failing_audits(report: dict, category: str) -> list[str]:
    refs = report["categories"][category]["auditRefs"]
    out = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            out.append(f"{ref['id']} ({audit['score']:.2f}{', ' + audit['displayValue'] if audit.get('displayValue') else ''})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form-factor", choices=("mobile", "desktop", "both"), default="both")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated names of: " + ", ".join(PAGES))
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} missing: run bash bench/lighthouse-setup.sh", file=sys.stderr)
        return 2
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    factors = ("mobile", "desktop") if args.form_factor == "both" else (args.form_factor,)
    failed = False
    with tempfile.TemporaryDirectory(prefix="ik-lighthouse-") as tmp:
        build_dir = Path(tmp) / "build"
        env = {**os.environ, "KG_BASE_URI": origin + "/"}
        kg = str(ROOT / ".venv" / "bin" / "kg")
        subprocess.run([kg, "build", "--out", str(build_dir)], check=True, env=env, stdout=subprocess.DEVNULL)
        server = subprocess.Popen([kg, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  env={**env, "KG_BUILD_DIR": str(build_dir)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(origin + "/")
            print(f"Lighthouse 12.2.3 against {CHROMIUM}, server {origin} (kg serve)")
            header = f"{'page':<12} {'form':<8} " + " ".join(f"{c[:13]:>14}" for c in CATEGORIES)
            print(header)
            print("-" * len(header))
            for form_factor in factors:
                for name in args.pages.split(","):
                    report = run_lighthouse(origin + PAGES[name], form_factor, Path(tmp) / f"{name}-{form_factor}.json")
                    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
                    print(f"{name:<12} {form_factor:<8} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
                    for c in CATEGORIES:
                        if scores[c] < 100:
                            print(f"    {c}: " + "; ".join(failing_audits(report, c)))
                        if scores[c] < BAR[c]:
                            failed = True
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("bar (≥ 95 in every category, SEO 100):", "missed" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
