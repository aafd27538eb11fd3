"""Read-only and closed: updates, SERVICE and foreign graphs are refused on the parsed query; nothing is fetched."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.namespaces import DEFAULT_BASE
from server.sparql.guard import MAX_NESTING, Refused, expand_escapes, inspect, keywords
from tests.support.guard_cases import AS_WRITTEN, BOTH_READINGS, ESCAPED, SERVICE_REFUSED, listening

OWN = {DEFAULT_BASE + "catalog/dataset/wissensgraph"}
COUNT_ALL = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"


def refusal(response) -> tuple[str, str]:
    assert response.status_code == 400, response.data
    german, english = response.data.decode().splitlines()
    return german, english


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ <{DEFAULT_BASE}id/massnahme/1> <http://purl.org/dc/terms/title> \"x\" }}",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/graph.ttl>",
    "CLEAR DEFAULT",
    "DROP ALL",
    "CREATE GRAPH <http://example.org/g>",
    "PREFIX ex: <http://example.org/> WITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_in_german_and_english(client, update):
    german, english = refusal(client.get("/sparql", query_string={"query": update}))
    assert "SPARQL Update" in german and "not allowed" in english
    refusal(client.post("/sparql", data={"query": update}))
    refusal(client.post("/sparql", data=update.encode(), content_type="application/sparql-query"))


def test_update_operation_of_the_protocol_is_refused(client):
    refusal(client.post("/sparql", data={"update": "CLEAR ALL"}))
    refusal(client.post("/sparql", data=b"CLEAR ALL", content_type="application/sparql-update"))


def test_service_is_refused_and_nothing_is_contacted(client):
    with listening() as (url, connected):
        query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        german, english = refusal(client.get("/sparql", query_string={"query": query}))
        assert german == SERVICE_REFUSED and english.startswith("SERVICE (federated query) is not allowed")
        refusal(client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"}))
    assert connected == []


@pytest.mark.parametrize("reading", BOTH_READINGS)
def test_service_in_either_reading_is_refused_and_nothing_is_contacted(client, reading):
    with listening() as (url, connected):
        german, _ = refusal(client.get("/sparql", query_string={"query": BOTH_READINGS[reading].format(url=url)}))
        assert german == SERVICE_REFUSED
    assert connected == []


def test_each_reading_alone_finds_what_the_other_misses():
    query = AS_WRITTEN.format(url="http://127.0.0.1:9/sparql")
    assert "SERVICE" in keywords(query) and "SERVICE" not in keywords(expand_escapes(query))
    with pytest.raises(Refused, match="SERVICE"):
        inspect(query, OWN)
    for template in ESCAPED.values():
        query = template.format(url="http://127.0.0.1:9/sparql")
        assert "SERVICE" not in keywords(query) and "SERVICE" in keywords(expand_escapes(query))
        with pytest.raises(Refused, match="SERVICE"):
            inspect(query, OWN)


@pytest.mark.parametrize("query, refused", [
    ("\\u0049NSERT DATA {{ <{own}id/massnahme/1> <http://purl.org/dc/terms/title> \"x\" }}", "SPARQL Update (INSERT)"),
    ("\\u0044ELETE WHERE {{ ?s ?p ?o }}", "SPARQL Update (DELETE)"),
    ("\\u004cOAD <http://example.org/graph.ttl>", "SPARQL Update (LOAD)"),
    ("SELECT (COUNT(*) AS ?n) \\u0046ROM <http://example.org/data.ttl> WHERE {{ ?s ?p ?o }}",
     "Unbekannter Graph <http://example.org/data.ttl>"),
    ("SELECT (COUNT(*) AS ?n) \\u0046ROM NAMED <{own}catalog/dataset/wissensgraph> WHERE {{ ?s ?p ?o }}",
     "FROM NAMED <"),
], ids=["INSERT", "DELETE", "LOAD", "FROM", "FROM NAMED"])
def test_updates_and_foreign_graphs_spelt_with_escapes_are_refused(client, query, refused):
    german, _ = refusal(client.get("/sparql", query_string={"query": query.format(own=DEFAULT_BASE)}))
    assert refused in german


def test_the_word_service_in_a_literal_iri_comment_or_name_is_fine(client):
    query = f"""PREFIX service: <http://example.org/service/>
# SERVICE <http://example.org/> {{ }}
SELECT ?from ?service WHERE {{
  <{DEFAULT_BASE}id/massnahme/1> ?p ?from .
  BIND("SERVICE <http://example.org/sparql> {{ ?s ?p ?o }} FROM INSERT" AS ?service)
  FILTER(?from != "SERVICE" && ?p != service:SERVICE && ?p != <http://example.org/SERVICE>)
}} LIMIT 1"""
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    rows = json.loads(response.data)["results"]["bindings"]
    assert rows[0]["service"]["value"].startswith("SERVICE")


def test_from_a_remote_graph_is_refused(client):
    german, english = refusal(client.get("/sparql", query_string={"query": COUNT_ALL.format("FROM <http://example.org/data.ttl>")}))
    assert "http://example.org/data.ttl" in german and "never loads" in english
    refusal(client.get("/sparql", query_string={"query": COUNT_ALL.format(f"FROM NAMED <{next(iter(OWN))}>")}))
    refusal(client.get("/sparql", query_string={"query": "PREFIX ex: <http://example.org/> " + COUNT_ALL.format("FROM ex:g")}))


def test_from_our_own_graph_is_the_default_graph(client, built):
    response = client.get("/sparql", query_string={"query": COUNT_ALL.format(f"FROM <{next(iter(OWN))}>")})
    assert response.status_code == 200
    triples = json.loads((built / "manifest.json").read_text())["triples"]
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == triples


def test_default_graph_uri_must_name_our_graph(client):
    query = COUNT_ALL.format("")
    ok = client.get("/sparql", query_string={"query": query, "default-graph-uri": next(iter(OWN))})
    assert ok.status_code == 200
    german, english = refusal(client.get("/sparql", query_string={"query": query, "default-graph-uri": "http://example.org/g"}))
    assert "http://example.org/g" in english
    refusal(client.get("/sparql", query_string={"query": query, "named-graph-uri": next(iter(OWN))}))
    refusal(client.post("/sparql", data={"query": query, "default-graph-uri": "http://example.org/g"}))
    refusal(client.post("/sparql?default-graph-uri=http://example.org/g", data=query.encode(), content_type="application/sparql-query"))


def test_lexer_sees_keywords_only_outside_strings_iris_comments_and_names():
    assert keywords('SELECT ?service WHERE { ?s ex:SERVICE "SERVICE" . <http://x/SERVICE> a _:SERVICE } # SERVICE') == ["SELECT", "WHERE", "A"]
    assert "SERVICE" in keywords("SELECT * { ?s ?p 1.SERVICE <http://x/> {} }")  # 1 . SERVICE: a number, then the keyword
    assert inspect("PREFIX a: <x:> BASE <http://b/> describe a:b", OWN).form == "DESCRIBE"
    assert inspect("nonsense", OWN).form is None


# Literal contents without backslashes (an escape sequence may legitimately end a string) and line breaks.
literal_text = st.text(alphabet=st.characters(blacklist_characters='\\"\r\n', blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=200, deadline=None)
@given(text=literal_text, keyword=st.sampled_from(["SERVICE", "FROM", "INSERT", "DELETE", "LOAD", "DROP", "service"]))
def test_keywords_inside_literals_never_refuse(text, keyword):
    query = f'SELECT * WHERE {{ ?s ?p ?o FILTER(?o != "{text} {keyword} {text}") }}'
    assert inspect(query, OWN).form == "SELECT"


@settings(max_examples=100, deadline=None)
@given(spacing=st.sampled_from([" ", "\n", "\t", " # comment\n", "  "]), silent=st.booleans())
def test_service_keyword_is_always_refused(spacing, silent):
    query = f"SELECT * WHERE {{{spacing}SERVICE{spacing}{'SILENT' + spacing if silent else ''}<http://example.org/>{spacing}{{ ?s ?p ?o }} }}"
    with pytest.raises(Refused):
        inspect(query, OWN)


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth


def test_nesting_is_allowed_up_to_200_levels_and_refused_beyond_in_words():
    """200 levels written out (not the constant), so that changing the limit is a decision a test records."""
    assert inspect(_nested(200), OWN).form == "SELECT"
    with pytest.raises(Refused) as exc:
        inspect(_nested(201), OWN)
    assert (exc.value.german, exc.value.english, exc.value.status) == (
        "Die Abfrage ist zu tief verschachtelt (201 Ebenen, höchstens 200: Klammern, Operatorketten, "
        "UNION/OPTIONAL/MINUS-Ketten, Listenglieder und die Ressourcen von DESCRIBE zählen je eine Ebene).",
        "The query is nested too deeply (201 levels, at most 200: brackets, chains of operators, of "
        "UNION/OPTIONAL/MINUS, members of a collection and the resources DESCRIBE names count one level each).", 400)
    assert MAX_NESTING == 200


def test_nesting_counts_every_kind_of_bracket():
    def query(innermost: str) -> str:  # { + 198 × ( + the innermost brackets
        return "SELECT * WHERE { " + "(" * (MAX_NESTING - 2) + innermost + ")" * (MAX_NESTING - 2) + " }"
    assert inspect(query("[ ]"), OWN).form == "SELECT"
    with pytest.raises(Refused, match="zu tief verschachtelt"):
        inspect(query("[ [ ] ]"), OWN)


def test_brackets_side_by_side_are_not_nesting():
    """Depth is how many brackets are open at once: 300 groups one after the other are two levels deep (joined by
    UNION they are a chain, which the engine nests: tests/sparql/test_nesting.py)."""
    assert inspect("SELECT * WHERE { " + " ".join(["{ ?s ?p ?o }"] * 300) + " }", OWN).form == "SELECT"
    assert inspect("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", OWN).form == "SELECT"  # * here is no operator


def test_brackets_in_strings_iris_and_comments_are_not_nesting():
    many = "(" * (MAX_NESTING + 1)
    for query in (f'SELECT * WHERE {{ ?s ?p "{many}" }}', f"SELECT * WHERE {{ ?s ?p <http://x/{many}> }}",
                  f"SELECT * WHERE {{ # {many}\n ?s ?p ?o }}"):
        assert inspect(query, OWN).form == "SELECT", query


def test_a_from_graph_with_an_undeclared_prefix_is_refused_with_its_reason():
    """FROM is resolved on the query's tokens (no second parser): an undeclared prefix is a refusal that names it."""
    with pytest.raises(Refused) as exc:
        inspect("SELECT * FROM nirgends:g WHERE { ?s ?p ?o }", OWN)
    assert exc.value.german.startswith("FROM konnte nicht geprüft werden, die Abfrage ist fehlerhaft: ")
    assert exc.value.english.startswith("FROM could not be checked, the query is malformed: ")
    assert "nirgends" in exc.value.german


def test_a_closed_group_before_a_deep_one_leaves_the_depth_where_it_was():
    assert inspect("SELECT * WHERE { { } " + _nested(MAX_NESTING - 1).removeprefix("SELECT * WHERE ") + " }",
                   OWN).form == "SELECT"
    with pytest.raises(Refused, match="zu tief verschachtelt"):
        inspect("SELECT * WHERE { { } " + _nested(MAX_NESTING).removeprefix("SELECT * WHERE ") + " }", OWN)


def test_a_from_query_with_a_syntax_error_is_answered_naming_line_and_column(client):
    """The guard passes FROM our own graph; the engine finds the error and the answer names where it is."""
    german, english = refusal(client.get("/sparql", query_string={"query": f"SELECT *\nFROM <{next(iter(OWN))}>\nWHERE {{ ?s ?p }}"}))
    assert "Zeile 3, Spalte " in german and "Line 3, column " in english, (german, english)


def test_an_escape_beyond_unicode_is_left_as_written():
    """\\U00110000 names no character: the escaped reading keeps the escape as written instead of failing."""
    assert expand_escapes("?o = '\\U00110000' && \\u0041") == "?o = '\\U00110000' && A"
    assert inspect("SELECT * WHERE { ?s ?p '\\U00110000' }", OWN).form == "SELECT"


# ------------------------------------------------------------------ how the levels are counted, exactly

def depth(query: str) -> int:
    from server.sparql.guard import _tokens, nesting

    return nesting(list(_tokens(query)))


@pytest.mark.parametrize("query,levels", [
    ("SELECT * WHERE { ?s ?p ?o }", 1),
    ("DESCRIBE <a> <b> <c>", 3),                                # one per resource DESCRIBE names
    ("DESCRIBE <a> <b> WHERE { ?s ?p ?o }", 3),                 # … counted for the rest of the query
    ("SELECT * WHERE { ?s ?p (1 2 3) }", 4),                    # a collection: one per member after the first
    ("SELECT * WHERE { ?s ?p ((1) (2) (3)) }", 5),              # a collection inside a collection is a member too
    ("SELECT * WHERE { ?s ?p ((1) (2) (3)) . ?s ?p ((((((1)))))) }", 7),  # closed, it gives its levels back
    ("SELECT * WHERE { FILTER(?a + ?b) }", 3),                  # an operator: one link, the term after it no member
    ("SELECT * WHERE { FILTER(?a + ?b + ?c) }", 4),
    ("SELECT * WHERE { ?s ?p (1 (2) 3) . ?s ?p ((((1)))) }", 5),
])
def test_the_levels_the_guard_counts_are_the_documented_ones(query, levels):
    assert depth(query) == levels


# ------------------------------------------------------------------ FROM resolved on the tokens

GRAPH_DIR = DEFAULT_BASE + "catalog/dataset/"


def test_from_with_a_declared_prefix_or_a_base_is_resolved_to_our_graph():
    for query in (f"PREFIX own: <{GRAPH_DIR}> SELECT * FROM own:wissensgraph WHERE {{ ?s ?p ?o }}",
                  f"PREFIX o: <{GRAPH_DIR}> SELECT * FROM o:wissensgraph WHERE {{ ?s ?p ?o }}",
                  f"BASE <{GRAPH_DIR}> SELECT * FROM <wissensgraph> WHERE {{ ?s ?p ?o }}",
                  f"BASE <{DEFAULT_BASE}> PREFIX c: <catalog/dataset/> SELECT * FROM c:wissensgraph WHERE {{ ?s ?p ?o }}"):
        assert inspect(query, OWN).uses_own_graph_only, query


def test_from_with_a_declared_prefix_to_another_graph_is_refused_naming_the_full_iri():
    with pytest.raises(Refused) as exc:
        inspect("PREFIX ex: <http://example.org/> SELECT * FROM ex:fremd WHERE { ?s ?p ?o }", OWN)
    assert "http://example.org/fremd" in exc.value.english


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p ?o } FROM", "SELECT * FROM 42 WHERE { ?s ?p ?o }",
                                   "SELECT * FROM { ?s ?p ?o }"])
def test_from_without_a_graph_name_is_refused_saying_so(query):
    with pytest.raises(Refused) as exc:
        inspect(query, OWN)
    assert exc.value.english == "FROM could not be checked, the query is malformed: FROM is not followed by a graph name."
