"""Bad input, each case with its defined answer. Never a 500, never a stack trace, never a foreign redirect.

SPARQL cases live in the same table once the endpoint is there; data cases are in tests/test_build.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from server.app import create_app


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    status: int | tuple[int, ...]
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    data: bytes | None = None


HTTP_CASES = [
    Case("accept-garbage-treated-as-none", "/id/massnahme/1", (303, 406), headers={"Accept": "garbage/%%%; q=x"}),
    Case("accept-empty-gives-html", "/id/massnahme/1", 303, headers={"Accept": ""}),
    Case("accept-huge", "/id/massnahme/1", (303, 406), headers={"Accept": "text/x-" + "a" * 8000}),
    Case("accept-q-zero-everything", "/id/massnahme/1", 406, headers={"Accept": "*/*;q=0"}),
    Case("accept-script-injection", "/id/massnahme/1", 406, headers={"Accept": "<script>alert(1)</script>"}),
    Case("unknown-format-param", "/id/massnahme/1?format=exe", 400),
    Case("format-param-injection", "/doc/massnahme/1?format=%3Cscript%3E", 400),
    Case("unknown-doc-suffix", "/doc/massnahme/1.exe", 404),
    Case("traversal-plain", "/id/../../etc/passwd", 404),
    Case("traversal-encoded", "/id/massnahme/..%2F..%2Fetc%2Fpasswd", 404),
    Case("traversal-double-encoded", "/doc/massnahme/%252e%252e%252fetc", 404),
    Case("traversal-in-type", "/id/..%2f..%2fetc/passwd", 404),
    Case("overlong-key", "/id/massnahme/" + "9" * 5000, 404),
    Case("overlong-path", "/" + "a/" * 3000, 404),
    Case("non-utf8-path", "/id/massnahme/%ff%fe%fd", 404),
    Case("null-byte", "/id/massnahme/1%00", 404),
    Case("unknown-type", "/id/gibtsnicht/1", 404),
    Case("post-to-resource", "/id/massnahme/1", 405, method="POST", data=b"x=1"),
    Case("delete-home", "/", 405, method="DELETE"),
    Case("put-doc", "/doc/massnahme/1.ttl", 405, method="PUT", data=b"<a> <b> <c> ."),
    Case("head-doc", "/doc/massnahme/1.ttl", 200, method="HEAD"),
    Case("options-doc", "/doc/massnahme/1", 200, method="OPTIONS"),
    Case("trace-method", "/", 405, method="TRACE"),
    Case("protocol-relative-path", "//evil.example/id/massnahme/1", (303, 404)),
]


@pytest.fixture(scope="module")
def client(built):
    return create_app({"KG_BUILD_DIR": str(built)}).test_client()


def _request(client, case: Case):
    return client.open(case.path, method=case.method, headers=case.headers, data=case.data)


@pytest.mark.parametrize("case", HTTP_CASES, ids=lambda c: c.name)
def test_bad_http_input_gets_its_defined_answer(client, case):
    r = _request(client, case)
    expected = case.status if isinstance(case.status, tuple) else (case.status,)
    assert r.status_code in expected, (case.name, r.status_code, r.get_data(as_text=True)[:200])
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "<script>alert(1)</script>" not in body
    assert "Content-Security-Policy" in r.headers
    if 300 <= r.status_code < 400:
        location = urlsplit(r.headers["Location"])
        assert location.netloc in ("", "localhost"), "redirects never leave this site"
