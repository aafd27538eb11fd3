"""Which server holds slow clients: gunicorn's threaded worker, waitress alone, and gunicorn supervising waitress
processes (what `kg serve` runs), on loopback.

Per server: (1) throughput of 8 clients fetching pages and SPARQL answers for ``--seconds``, as a ratio to gunicorn's
threaded worker measured in the same run (rounds alternate, medians); (2) with ``--slow`` slowloris connections open
(a header line every 2 s, never finished), how many of 12 normal requests are answered within 10 s and how long they
take. All with 2 web processes x 16 threads where the server has processes (waitress alone: 1 x 32).

    .venv/bin/python bench/servers.py [--seconds 10] [--slow 40] [--rounds 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ["/", "/doc/massnahme/{n}", "/massnahmen?handlungsfeld=gefluechtete", "/suche?q=Sprache", "/doc/massnahme/{n}.ttl",
         "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20{n}"]


def command(kind: str, port: int) -> list[str]:
    app = "server.app:create_app()"
    if kind == "gunicorn-gthread":
        return [str(BIN / "gunicorn"), app, "-b", f"127.0.0.1:{port}", "-w", "2", "-k", "gthread", "--threads", "16"]
    if kind == "waitress":
        return [str(BIN / "waitress-serve"), "--listen", f"127.0.0.1:{port}", "--threads", "32", "--connection-limit",
                "1000", "--call", "server.app:create_app"]
    if kind == "gunicorn+waitress":
        return [str(BIN / "gunicorn"), app, "-c", "python:server.serving.gunicorn_config", "-b", f"127.0.0.1:{port}",
                "-w", "2", "--threads", "16"]
    raise ValueError(kind)


SERVERS = ("gunicorn-gthread", "waitress", "gunicorn+waitress")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, build: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "KG_BUILD_DIR": str(build), "KG_CLIENT_QUERIES": "100", "KG_CLIENT_QUERY_SECONDS": "1000"}
    proc = subprocess.Popen(command(kind, port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/dumps/index.json", 5)
            for path in ("/", "/massnahmen?handlungsfeld=gefluechtete", "/suche?q=Sprache"):
                get(port, path, 30)
            return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{kind} did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def get(port: int, path: str, timeout: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def throughput(port: int, seconds: float) -> float:
    done, until = [], time.monotonic() + seconds

    def client(seed: int) -> None:
        rnd, conn, n = random.Random(seed), http.client.HTTPConnection("127.0.0.1", port, timeout=30), 0
        while time.monotonic() < until:
            conn.request("GET", rnd.choice(PAGES).format(n=rnd.randint(1, 129)))
            conn.getresponse().read()
            n += 1
        done.append(n)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def under_slowloris(port: int, slow: int) -> tuple[int, float]:
    stop_flag, socks = threading.Event(), []

    def loris() -> None:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            while not stop_flag.wait(2):
                s.sendall(b"X-a: b\r\n")
        except OSError:
            pass

    threads = [threading.Thread(target=loris, daemon=True) for _ in range(slow)]
    for t in threads:
        t.start()
    time.sleep(3)
    answered, times = 0, []
    for i in range(12):
        began = time.monotonic()
        try:
            if get(port, ["/", f"/doc/massnahme/{i + 1}", "/sparql?query=ASK%7B%7D"][i % 3], 10) == 200:
                answered += 1
        except OSError:
            pass
        times.append(time.monotonic() - began)
    stop_flag.set()
    for s in socks:
        s.close()
    return answered, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--build", default=str(ROOT / "build"))
    args = parser.parse_args()
    build = Path(args.build).resolve()
    rates: dict[str, list[float]] = {kind: [] for kind in SERVERS}
    held: dict[str, tuple[int, float]] = {}
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for kind in SERVERS:
            proc, port = start(kind, build)
            try:
                rates[kind].append(throughput(port, args.seconds))
                if kind not in held:
                    held[kind] = under_slowloris(port, args.slow)
            finally:
                stop(proc)
    baseline = statistics.median(rates["gunicorn-gthread"])
    print(f"8 clients x {args.seconds:.0f} s per round, {args.rounds} rounds; {args.slow} slowloris connections; "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after")
    print(f"{'server':20} {'req/s':>8} {'ratio':>6}   answered under slowloris (median s)")
    for kind in SERVERS:
        rate = statistics.median(rates[kind])
        answered, median = held[kind]
        print(f"{kind:20} {rate:8.1f} {rate / baseline:6.2f}   {answered:2d}/12 ({median:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
