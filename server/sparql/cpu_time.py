"""Processor time a query process has used (Linux ``/proc/<pid>/stat``), for admission to charge its client.

Wall time says how long a query held its slot, not what it cost: on a machine busy with other work an ordinary query
waits for the processor and takes seconds that it did not use. The process's own CPU time (user and system, all its
threads) is what the query really took. Read from outside the process, so that it is known while the query runs too.
"""

from __future__ import annotations

import os

try:
    _TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):  # not a POSIX system
    _TICKS = 0


def cpu_seconds(pid: int) -> float | None:
    """User + system time of process ``pid`` so far, or None (gone, or no /proc)."""
    if not _TICKS:
        return None
    stat = proc_file(f"/proc/{pid}/stat")
    if stat is None:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # after "pid (name) "; the name may hold spaces and brackets
    try:
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15 of proc(5)
    except (IndexError, ValueError):
        return None


def proc_file(path: str) -> str | None:
    """A small /proc file's text, or None (gone, or no /proc). os.open/os.read: a tenth of what pathlib's read_text
    costs, and every query reads two or three of them."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            return os.read(fd, 4096).decode("ascii", "replace")
        finally:
            os.close(fd)
    except OSError:
        return None


class Meter:
    """The CPU seconds process ``pid`` has used since ``start`` (its reading when the meter was made); once the
    process is gone, the last value seen. Other web processes read the same from ``pid`` and ``start`` (admission
    keeps them in the shared table)."""

    def __init__(self, pid: int, start: float) -> None:
        self.pid, self.start, self._last = pid, start, 0.0

    def __call__(self) -> float:
        now = cpu_seconds(self.pid)
        if now is not None:
            self._last = max(self._last, now - self.start)
        return self._last


def meter(pid: int | None) -> Meter | None:
    """A meter of the CPU seconds ``pid`` uses from now on, or None where CPU time cannot be read (then admission
    counts wall time)."""
    start = cpu_seconds(pid) if pid is not None else None
    return None if start is None else Meter(pid, start)
