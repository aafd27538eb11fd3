"""How late a query stopped at its time limit may answer: the kill, the reply and a loaded machine's scheduling.

Tight enough that a limit enforced twice as long fails (a 2 s limit must answer within 3 s); set
``KG_TEST_TIMEOUT_SLACK`` (seconds) on a machine slower than two shared cores.
"""

from __future__ import annotations

import os

TIMEOUT_SLACK = float(os.environ.get("KG_TEST_TIMEOUT_SLACK", "1.0"))
