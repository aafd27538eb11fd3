"""Load runs with wrk (Debian package): rotating request paths from a file, results as one JSON line.

Each wrk thread walks the path list with a stride of the thread count from its own offset, so two threads never
send the same path at the same time and a list of N paths repeats only after N requests. ``limit`` stops each
thread after that many answers (the first requests after a start); wrk still waits out its duration.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = r"""
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  stride = tonumber(args[2])
  limit = tonumber(args[3])
  headers = { Accept = args[4] }
  next_index = id
  answers = 0
  if limit > 0 then
    response = function(status, headers, body)
      answers = answers + 1
      if answers >= limit then wrk.thread:stop() end
    end
  end
end

function request()
  local path = paths[(next_index % #paths) + 1]
  next_index = next_index + stride
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "bytes": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, summary.bytes,
    e.status, e.timeout, e.connect + e.read + e.write))
end
"""


@dataclass(frozen=True)
class Stats:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    bytes: int
    errors: int  # answers with status >= 400, timeouts, connection errors
    cpu_ms: dict | None = None  # the server's CPU milliseconds per request during the run, by part (see Engine.cpu)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def available() -> str | None:
    return shutil.which("wrk") or (Path("/usr/bin/wrk").exists() and "/usr/bin/wrk") or None


class Wrk:
    def __init__(self, workdir: Path, connections: int, threads: int, timeout_s: float) -> None:
        self.binary = available()
        if not self.binary:
            raise RuntimeError("wrk is not installed: run bench/peers-setup.sh (apt-get install wrk)")
        self.script = workdir / "rotate.lua"
        self.script.write_text(LUA)
        self.connections, self.threads, self.timeout_s = connections, threads, timeout_s

    def run(self, url: str, paths_file: Path, accept: str, seconds: float, limit: int = 0) -> Stats:
        """``url`` is scheme://host:port; the paths come from ``paths_file``, one per line."""
        command = [self.binary, f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds:g}s", f"--timeout={self.timeout_s:g}s",
                   "-s", str(self.script), url, "--", str(paths_file), str(self.threads), str(limit), accept]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + self.timeout_s + 60)
        line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        r = json.loads(line.removeprefix("WRK-JSON "))
        # With limit, throughput is meaningless (wrk waits out -d); the seconds still let rps be computed.
        return Stats(requests=r["requests"], seconds=r["duration_us"] / 1e6, p50_ms=r["p50_us"] / 1000, p99_ms=r["p99_us"] / 1000,
                     max_ms=r["max_us"] / 1000, bytes=r["bytes"], errors=r["status_errors"] + r["timeouts"] + r["socket_errors"])
