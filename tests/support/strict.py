"""No silent skips: a test that skips or xfails makes the whole run fail, naming it.

`make test` promises the whole suite. A skipped browser test (no chromium), an engine that is not installed or an
``xfail`` for a route that is missing would otherwise let the run pass while a part of it never ran; a missing piece
must stop the run with the command that installs it (``make test`` runs ``tests/install.sh`` first). Tests left out
on purpose are deselected with ``-m`` (the fast loop), which is not a skip. Loaded by tests/conftest.py.
"""

from __future__ import annotations

import pytest

HINT = ("Install what is missing with `bash tests/install.sh` (`make test` runs it), or make the test assert; "
        "to leave tests out on purpose, deselect them with -m.")


class StrictRun:
    def __init__(self) -> None:
        self.not_run: list[str] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        xfail = getattr(report, "wasxfail", None)
        if report.skipped:
            reason = xfail if xfail is not None else (
                report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr))
            self.not_run.append(f"{'xfail' if xfail is not None else 'skip'} {report.nodeid}: {reason}")
        elif report.passed and xfail is not None:  # a non-strict xfail that passed (XPASS)
            self.not_run.append(f"xpass {report.nodeid}: {xfail}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.not_run and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.not_run:
            terminalreporter.section("skipped or xfailed: the run FAILS (tests/support/strict.py)", sep="!", red=True)
            for line in self.not_run:
                terminalreporter.line(line, red=True)
            terminalreporter.line(HINT, red=True)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(StrictRun(), "strict-run")
