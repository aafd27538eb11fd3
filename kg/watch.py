"""Preview for the clerk: rebuild whenever a file in data/ (or the workbook) is saved, and record the outcome.

`kg serve --watch` runs :class:`Watcher` next to the development server. A good build replaces build/ as any
`kg build` does (the server switches to it by itself); a bad one leaves the served build as it is, and the
findings are written to ``<out>.preview.json``, which the server shows on every page until the next good build.
Editors save in steps (temporary files, Excel's ``~$`` lock files, a half-written XLSX): the watcher waits until the
files have stopped changing and ignores lock files.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from kg.build import Project, build
from kg.errors import BuildError

WATCHED = (".csv", ".yaml", ".yml", ".xlsx")
SETTLE_SECONDS = 0.4  # files unchanged for this long count as saved


@dataclass
class Status:
    ok: bool
    finished: str
    source: str  # where the tables came from
    problems: list[str] = field(default_factory=list)
    build_id: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def status_path(out: Path) -> Path:
    out = Path(out)
    return out.with_name(f"{out.name}.preview.json")


def read_status(path: Path) -> Status | None:
    """The outcome of the last preview rebuild, from its ``….preview.json``; None when there is none (yet)."""
    try:
        return Status(**json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _ignored(name: str) -> bool:
    return name.startswith(("~$", ".~lock", ".#")) or name.endswith(("~", ".tmp"))


def snapshot(project: Project) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file."""
    files = {}
    paths = list(Path(project.data).iterdir()) if Path(project.data).is_dir() else []
    if project.workbook is not None and Path(project.workbook).parent != Path(project.data):
        paths.append(Path(project.workbook))
    for path in paths:
        if path.suffix.lower() in WATCHED and not _ignored(path.name):
            try:
                st = path.stat()
            except OSError:
                continue
            files[str(path)] = (st.st_mtime_ns, st.st_size)
    return files


class Watcher:
    def __init__(self, project: Project, out: Path, base: str, interval: float = 0.5, workers: int | None = 1) -> None:
        self.project, self.out, self.base = project, Path(out), base
        self.interval, self.workers = interval, workers
        # A workbook made while the preview runs (kg workbook) is picked up, as `kg build` would pick it up.
        self.auto_workbook = project.workbook is None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def rebuild(self) -> Status:
        """One build into ``out``. Unlike `kg build` it never adds to published-uris.txt: a preview publishes nothing."""
        if self.auto_workbook:
            from kg.workbook import default_path

            found = default_path(self.project.data)
            self.project.workbook = found if found.exists() else None
        source = str(self.project.workbook) if self.project.workbook else str(self.project.data)
        finished = lambda: datetime.now().astimezone().isoformat(timespec="seconds")  # noqa: E731 – the clerk's clock
        try:
            result = build(out=self.out, project=self.project, base=self.base, workers=self.workers)
        except BuildError as exc:
            status = Status(False, finished(), source, [str(p) for p in exc.problems])
        except Exception as exc:  # a half-saved workbook, an unreadable file: shown, and retried on the next save
            status = Status(False, finished(), source, [f"{type(exc).__name__}: {exc}"])
        else:
            status = Status(True, finished(), source, build_id=result.path.name)
        path = status_path(self.out)
        path.parent.mkdir(parents=True, exist_ok=True)  # a first build that failed made no directory for it
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        tmp.write_text(status.to_json(), encoding="utf-8")
        os.replace(tmp, path)
        return status

    def next_change(self, seen: dict) -> dict | None:
        """Wait until the watched files differ from ``seen`` and have settled; their new snapshot (None: stopped)."""
        while not self._stop.wait(self.interval):
            now = snapshot(self.project)
            if now == seen:
                continue
            while not self._stop.wait(SETTLE_SECONDS):
                settled = snapshot(self.project)
                if settled == now:
                    return now
                now = settled
        return None

    def run(self) -> None:
        """Rebuild whenever the watched files changed and settled (the caller built once before); until :meth:`stop`."""
        seen = snapshot(self.project)
        while (seen := self.next_change(seen)) is not None:
            self.report(self.rebuild())

    def report(self, status: Status) -> None:
        stamp = time.strftime("%H:%M:%S")
        if status.ok:
            print(f"[{stamp}] Vorschau aktualisiert ({status.build_id}) / preview rebuilt", flush=True)
        else:
            print(f"[{stamp}] Vorschau NICHT aktualisiert, {len(status.problems)} Problem(e) – der bisherige Stand bleibt:",
                  flush=True)
            for problem in status.problems[:25]:
                print(f"  {problem}", flush=True)

    def start(self) -> Watcher:
        self._thread = threading.Thread(target=self.run, name="kg-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)
