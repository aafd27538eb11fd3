"""The served graph survives a failed build and follows a good one."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.errors import BuildError


def test_failed_build_keeps_serving_the_previous_graph_and_a_good_one_is_picked_up(project_copy, tmp_path, make_app):
    out = tmp_path / "srv" / "build"
    build(out=out, project=project_copy)
    client = make_app(KG_BUILD_DIR=str(out), KG_RELOAD_CHECK_SECONDS=0).test_client()
    assert client.get("/doc/massnahme/5.nt").status_code == 200

    path = project_copy.data / "massnahmen.csv"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,", 1), encoding="utf-8")
    served = out.resolve()
    with pytest.raises(BuildError, match="D05"):
        build(out=out, project=project_copy)
    assert out.resolve() == served
    assert client.get("/doc/massnahme/5.nt").status_code == 200, "previous graph still served"

    changed = good.replace("Neben einem beispielhaften", "Neben einem (geänderten) beispielhaften", 1)
    assert changed != good
    path.write_text(changed, encoding="utf-8")
    build(out=out, project=project_copy)
    assert "Neben einem (geänderten) beispielhaften" in client.get("/doc/massnahme/5.nt").get_data(as_text=True)


def test_security_headers_and_errors_without_internals(built, make_app):
    client = make_app().test_client()
    r = client.get("/doc/massnahme/1")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.post("/id/massnahme/1")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert client.open("/doc/massnahme/1", method="OPTIONS").status_code == 200
    head = client.head("/doc/massnahme/1.ttl")
    assert head.status_code == 200 and head.data == b""
