"""Fault injection on the production server: query processes, web workers and `kg build` are killed at random
points (a bounded number of each). Throughout, no query process runs past its time limit, none outlives the server,
every answer comes from a complete build, and in the end the last complete build is served and no partial build
directory is left."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from kg.build import ROOT
from tests.support.processes import QUERY_PROCESS, alive, children, descendants, fetch, kg_serve, name, wait_for

pytestmark = pytest.mark.live
KG = Path(sys.executable).parent / "kg"
TIMEOUT = 2.0          # KG_QUERY_TIMEOUT
LIMIT = TIMEOUT + 2.0 + 1.5  # the query process's own alarm (timeout + 2 s), and sampling slack
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TITLE = ",Entdeckertag 2019"  # the start of a title cell (Nr. 5), changed between builds so that each build's files differ


def kg_build(project, out: Path) -> subprocess.Popen:
    return subprocess.Popen([str(KG), "build", "--out", str(out), "--data", str(project.data), "--workbook", "-", "--jobs", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def retitle(project, text: str) -> None:
    path = project.data / "massnahmen.csv"
    content = path.read_text(encoding="utf-8")
    assert TITLE in content
    path.write_text(content.replace(TITLE, f"{TITLE} {text}", 1), encoding="utf-8")


def query_processes(master: int) -> list[int]:
    return [p for p in descendants(master) if name(p) == QUERY_PROCESS]


def manifests(builds: Path) -> dict[str, dict]:
    found = {}
    for path in builds.iterdir():
        if path.is_dir() and not path.name.endswith(".partial") and (path / "manifest.json").exists():
            manifest = json.loads((path / "manifest.json").read_text())
            found[manifest["build_id"]] = manifest
    return found


class Watch:
    """Samples the server all along: what it serves, and how long each query process has been busy without pause."""

    def __init__(self, url: str, master: int, builds: Path) -> None:
        self.url, self.master, self.builds = url, master, builds
        self.violations: list[str] = []
        self.answers: dict[str, int] = {"sparql": 0, "index": 0, "dump": 0}  # checked answers per kind
        self.served: set[str] = set()  # build ids dumps/index.json named
        self.query_pids: set[int] = set()
        self._seen: dict[str, dict] = {}
        self._busy: dict[int, tuple[int, float, float]] = {}  # pid -> (cpu ticks, since, last sample)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._data, daemon=True), threading.Thread(target=self._cpu, daemon=True)]

    def __enter__(self) -> Watch:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _get(self, path: str, accept: str) -> tuple[int, Message, bytes] | None:
        try:
            return fetch(self.url + path, accept, timeout=30)
        except OSError:
            return None  # the web worker answering it was killed: no data served, nothing wrong

    def _complete(self) -> dict[str, dict]:
        """Every complete build seen so far (a build may finish just before it is served, or be pruned after)."""
        self._seen.update(manifests(self.builds))
        return self._seen

    def _data(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            self._complete()
            answer = self._get("sparql?" + urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }} # {n}"}),
                               "application/sparql-results+json")
            if answer and answer[0] == 200:
                triples = int(json.loads(answer[2])["results"]["bindings"][0]["n"]["value"])
                counts = {m["triples"] for m in self._complete().values()}
                self._check("sparql", triples in counts, f"SPARQL counted {triples} triples; complete builds have {sorted(counts)}")
            elif answer and answer[0] != 503:
                self.violations.append(f"SPARQL answered {answer[0]}")
            index = self._get("dumps/index.json", "application/json")
            if index and index[0] == 200:
                body = json.loads(index[2])
                self.served.add(body["build_id"])
                self._check("index", self._complete().get(body["build_id"], {}).get("triples") == body["triples"],
                            f"dumps/index.json: {body['build_id']} with {body['triples']} triples is no complete build")
            dump = self._get("dumps/graph.nt", "application/n-triples")
            if dump and dump[0] == 200:
                shas = {m["files"]["graph.nt"]["sha256"] for m in self._complete().values()}
                self._check("dump", hashlib.sha256(dump[2]).hexdigest() in shas, "dumps/graph.nt is no complete build's")
            self._stop.wait(0.2)

    def _check(self, kind: str, ok: bool, message: str) -> None:
        self.answers[kind] += 1
        if not ok:
            self.violations.append(message)

    def _cpu(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.25):
            now = time.monotonic()
            for pid in [p for p in descendants(self.master) if name(p) == QUERY_PROCESS]:
                self.query_pids.add(pid)
            for pid in list(self.query_pids):
                ticks = _cpu_ticks(pid)
                if ticks is None or not alive(pid):
                    self._busy.pop(pid, None)
                    continue
                before = self._busy.get(pid)
                if before is None:
                    self._busy[pid] = (ticks, now, now)
                    continue
                old_ticks, since, last = before
                working = (ticks - old_ticks) / tick >= 0.5 * (now - last)  # busy at least half the time since
                since = since if working else now
                self._busy[pid] = (ticks, since, now)
                if now - since > LIMIT:
                    self.violations.append(f"query process {pid} busy for {now - since:.1f} s (limit {LIMIT:.1f} s)")
                    self._busy[pid] = (ticks, now, now)


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def test_killing_query_processes_web_workers_and_builds_never_serves_an_incomplete_build(project_copy, tmp_path):
    rnd = random.Random(17)
    out = tmp_path / "srv" / "build"
    began = time.monotonic()
    first = kg_build(project_copy, out)
    assert first.wait(600) == 0
    build_seconds = time.monotonic() - began  # builds are killed at a random point within this
    builds = out.parent / ".builds"
    env = {"KG_QUERY_TIMEOUT": str(TIMEOUT), "KG_RELOAD_CHECK_SECONDS": "0.5", "KG_CLIENT_QUERIES": "50",
           "KG_CLIENT_QUERY_SECONDS": "100000"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    faults: list[str] = []
    try:
        with kg_serve(out) as (url, server), Watch(url, server.pid, builds) as watch:
            stop = threading.Event()

            def runaway() -> None:  # keeps query processes busy, to be killed
                while not stop.is_set():
                    try:
                        urllib.request.urlopen(url + "sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=30).read()
                    except OSError:
                        pass

            attackers = [threading.Thread(target=runaway, daemon=True) for _ in range(2)]
            for thread in attackers:
                thread.start()
            plan = ["query"] * 3 + ["worker"] * 2 + ["build"] * 3
            rnd.shuffle(plan)
            plan.insert(len(plan) // 2, "complete build")
            for fault in plan:
                time.sleep(rnd.uniform(0.5, 2.0))
                if fault == "query":
                    wait_for(lambda: query_processes(server.pid), 5)  # a killed web worker's successor starts its own
                    busy = query_processes(server.pid)
                    if busy:
                        os.kill(rnd.choice(busy), signal.SIGKILL)
                        faults.append("query process killed")
                elif fault == "worker":
                    workers = [p for p in children(server.pid) if alive(p) and name(p) == "gunicorn"]
                    os.kill(rnd.choice(workers), signal.SIGKILL)
                    faults.append("web worker killed")
                elif fault == "build":
                    for _ in range(3):  # a build that ended before its kill point is no fault: another one
                        build = kg_build(project_copy, out)
                        time.sleep(rnd.uniform(0.05, 0.95) * build_seconds)
                        running = build.poll() is None
                        build.kill()
                        code = build.wait()
                        faults.append(f"build killed (exit {code})" if running else f"build ended (exit {code}) before its kill")
                        if running:
                            break
                else:
                    retitle(project_copy, "(Stand 2)")
                    assert kg_build(project_copy, out).wait(600) == 0
                    faults.append("complete build")
            stop.set()
            retitle(project_copy, "(Stand 3)")
            last = kg_build(project_copy, out)  # a final complete build: served in the end, partials cleaned
            assert last.wait(600) == 0
            final = json.loads((out.resolve() / "manifest.json").read_text())
            assert wait_for(lambda: _serves(url, final), 20), "the last complete build is served"
            for thread in attackers:
                thread.join(35)
        time.sleep(TIMEOUT + 3)
        leftovers = [pid for pid in watch.query_pids if alive(pid)]
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    assert watch.violations == [], (faults, watch.violations[:10])
    # Not a count that depends on the machine's speed: every kind of answer was checked, across builds changing.
    assert min(watch.answers.values()) >= 3, f"the watch did sample the server: {watch.answers}"
    assert len(watch.served) >= 2, f"the watch saw the served build change: {watch.served}"
    assert leftovers == [], f"query processes outlived the server: {leftovers}"
    assert len(watch.query_pids) >= 3 and sum("killed" in f for f in faults) >= 6, faults
    assert sum(f.startswith("build killed") for f in faults) >= 2, f"builds were killed while they ran: {faults}"
    print(faults)  # shown with -s: which faults this run injected
    assert not list(builds.glob("*.partial")), "a partial directory of a killed build was left"


def _serves(url: str, manifest: dict) -> bool:
    try:
        body = json.loads(urllib.request.urlopen(url + "dumps/index.json", timeout=10).read())
    except OSError:
        return False
    return body["build_id"] == manifest["build_id"]
