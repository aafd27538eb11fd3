"""Predeclared prefixes, error messages people can act on, the 0-row hint, and the result views of the query page.

Requests go through the app (Flask test client) on the real test build; pages are parsed as HTML (lxml), RDF as RDF.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from lxml import html
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from kg.namespaces import DEFAULT_BASE
from server.sparql.examples import EXAMPLES
from server.sparql.prefixes import PREDECLARED

IK = DEFAULT_BASE + "def/ik#"
PER_FIELD = next(e for e in EXAMPLES if e.slug == "massnahmen-je-handlungsfeld")


@pytest.fixture()
def client(app):
    """A fresh client per test: the language cookie of one test must not choose the next one's language."""
    return app.test_client()


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["results"]["bindings"]


def page(response) -> html.HtmlElement:
    assert response.mimetype == "text/html"
    return html.fromstring(response.data.decode())


def alert_text(doc: html.HtmlElement) -> str:
    return " ".join(doc.xpath("//section[@id='query-error']/p")[0].text_content().split())


# ------------------------------------------------------------------ predeclared prefixes


def test_a_query_without_prefix_lines_returns_the_129_measures(client):
    query = "SELECT ?m ?titel WHERE { ?m a ik:Massnahme ; dcterms:title ?titel }"
    assert len(rows(client.get("/sparql", query_string={"query": query, "format": "json"}))) == 129
    every_prefix = ("SELECT (COUNT(*) AS ?n) WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?f . ?f skos:prefLabel ?l "
                    "FILTER(lang(?l) = 'de' && datatype(?l) = rdf:langString && isIRI(?m) && STRSTARTS(STR(?m), STR(id:))) }")
    assert rows(client.post("/sparql", data=every_prefix.encode(), content_type="application/sparql-query"))[0]["n"]["value"] == "129"


def test_explicit_declarations_win_over_the_predeclared_ones(client):
    query = "PREFIX ik: <http://example.org/other#>\nSELECT ?m WHERE { ?m a ik:Massnahme }"
    assert rows(client.get("/sparql", query_string={"query": query})) == []


def test_predeclared_prefixes_do_not_shift_line_numbers(client):
    query = "SELECT ?m WHERE {\n  ?m a ik:Massnahme .\n  ?m dcterms:title\n}"
    german, english = client.get("/sparql", query_string={"query": query}).data.decode().splitlines()
    assert "Zeile 4, Spalte 1:" in german and "Line 4, column 1:" in english


def test_service_description_lists_the_predeclared_prefixes(client):
    g = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    service = URIRef(client.application.config["KG_BASE_URI"] + "sparql")  # from configuration, never from Host
    declared = {str(g.value(d, SH.prefix)): g.value(d, SH.namespace) for d in g.objects(service, SH.declare)}
    assert set(declared) == set(PREDECLARED)
    assert declared["ik"] == Literal(IK, datatype=XSD.anyURI)


# ------------------------------------------------------------------ errors people can act on


ERRORS = [
    ("SELECT * WHERE { ?s a ex:Ding }", (1, 23), "Präfix ex: ist nicht deklariert", "Prefix ex: is not declared"),
    ("SELECT * WHERE { ?s dct:title ?t }", (1, 21), "Meinten Sie dcterms:?", "Did you mean dcterms:?"),
    ("SELECT * WHERE {\n  ?s ?p ?o\n", (3, 1), "fehlt eine schließende Klammer „}“ zur „{“ aus Zeile 1",
     "closing bracket „}“ is missing here, for the „{“ of line 1"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > 3 }", (1, 41), "offen ist noch „(“", "„(“ of line 1, column 33 is still open"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 5", (1, 29), "„LIMT“ ist kein SPARQL-Schlüsselwort – gemeint ist wohl LIMIT",
     "„LIMT“ is not a SPARQL keyword – LIMIT is probably meant"),
    ('SELECT * WHERE { ?s ?p "offen }', (1, 24), "wird nicht geschlossen: es fehlt ein \"", "is not closed: a \" is missing"),
    ("SELECT * WHERE {\n  ?s ?p\n}", (3, 1), "fehlt das Objekt", "lacks the object"),
    ("SELECT * WHERE { ?s ?p ?o } ORDER ?s", (1, 35), "Nach ORDER fehlt BY", "BY is missing after ORDER"),
]


@pytest.mark.parametrize(("query", "where", "german", "english"), ERRORS, ids=[e[2][:30] for e in ERRORS])
def test_syntax_errors_say_where_and_what_in_the_page_language(client, query, where, german, english):
    line, column = where
    text = client.get("/sparql", query_string={"query": query}).data.decode()
    assert f"Zeile {line}, Spalte {column}:" in text and german in text, text
    assert f"Line {line}, column {column}:" in text and english in text, text

    for lang, expected, other in (("de", german, english), ("en", english, german)):
        response = client.get("/sparql", query_string={"query": query, "format": "html", "lang": lang})
        assert response.status_code == 400
        doc = page(response)
        message = alert_text(doc)
        assert expected in message and other not in message, message  # one message, in the page's language
        textarea = doc.get_element_by_id("query")
        assert textarea.text_content() == query  # the query stays for editing
        assert (textarea.get("data-error-line"), textarea.get("data-error-column")) == (str(line), str(column))


def test_the_engines_raw_dump_is_never_shown(client):
    doc = page(client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s a ex:Ding }", "format": "html"}))
    assert "expected one of" not in alert_text(doc) and "\\u{" not in alert_text(doc)


@pytest.mark.parametrize(("query", "unknown", "nearest"), [
    ("SELECT ?m WHERE { ?m a ik:Massnahmen }", "ik:Massnahmen", "ik:Massnahme"),
    ("SELECT ?m ?oe WHERE { ?m ik:zustaendigg ?oe }", "ik:zustaendigg", "ik:zustaendig"),
    (f"SELECT ?m WHERE {{ ?m a <{IK}Handlungsfelder> }}", f"<{IK}Handlungsfelder>", "ik:Handlungsfeld"),
])
def test_an_empty_result_names_the_term_the_graph_lacks_and_the_nearest(client, query, unknown, nearest):
    doc = page(client.get("/sparql", query_string={"query": query, "format": "html"}))
    assert doc.get_element_by_id("result-count").text_content().strip() == "0 Zeilen"
    hint = " ".join(doc.get_element_by_id("result-hint").text_content().split())
    assert unknown in hint and "kommt im Graphen nicht vor" in hint and f"Meinten Sie {nearest}" in hint
    english = page(client.get("/sparql", query_string={"query": query, "format": "html", "lang": "en"}))
    assert "does not occur in the graph" in english.get_element_by_id("result-hint").text_content()


def test_an_empty_result_with_known_terms_gets_no_hint(client):
    query = "SELECT ?m WHERE { ?m a ik:Massnahme ; ik:mindestalter 999 }"
    doc = page(client.get("/sparql", query_string={"query": query, "format": "html"}))
    assert doc.get_element_by_id("result-count").text_content().strip() == "0 Zeilen"
    assert not doc.xpath("//*[@id='result-hint']")


def test_vocabulary_for_completion_has_classes_and_properties_with_counts_and_labels(client):
    response = client.get("/sparql/vokabular.json")
    assert response.status_code == 200 and response.headers["ETag"]
    payload = json.loads(response.data)
    terms = {t["name"]: t for t in payload["terms"]}
    assert terms["ik:Massnahme"]["kind"] == "class" and terms["ik:Massnahme"]["count"] == 129
    assert terms["ik:Massnahme"]["label"] == "Maßnahme"
    assert terms["ik:zustaendig"]["kind"] == "property" and terms["dcterms:title"]["count"] >= 129
    assert payload["prefixes"]["ik"] == IK and set(payload["prefixes"]) == set(PREDECLARED)
    counts = [t["count"] for t in payload["terms"]]
    assert counts == sorted(counts, reverse=True)  # most used first


# ------------------------------------------------------------------ results: values, labels, downloads, chart


def example_page(client, example, lang: str = "de") -> html.HtmlElement:
    return page(client.get("/sparql", query_string={"query": example.text(DEFAULT_BASE, lang), "format": "html", "lang": lang}))


def test_result_cells_are_plain_values_and_iris_are_labelled_links(client):
    doc = example_page(client, PER_FIELD)
    table = doc.xpath("//div[@class='result-view-table']/table")[0]
    assert [th.text_content() for th in table.xpath("thead//th")] == ["handlungsfeld", "name", "anzahl"]
    first = table.xpath("tbody/tr")[0]
    link = first.xpath("td[1]/a")[0]
    assert link.get("href").startswith("/id/handlungsfeld/") and link.get("title").startswith(DEFAULT_BASE + "id/handlungsfeld/")
    assert link.text_content() == first.xpath("td[2]/span")[0].text_content()  # the label, not the IRI
    count_cell = first.xpath("td[3]")[0]
    assert count_cell.xpath("span")[0].text_content().isdigit()
    assert count_cell.xpath("small[@class='term-note']")[0].text_content() == "xsd:integer"  # shown on demand
    assert doc.xpath("//input[@id='show-types' and @type='checkbox']")


def test_bar_chart_view_for_a_label_and_a_number(client):
    doc = example_page(client, PER_FIELD)
    assert doc.xpath("//input[@id='view-chart']")[0].get("checked") is not None  # this example opens as a chart
    chart = doc.xpath("//div[@class='result-view-chart']/figure")[0]
    svg = chart.xpath(".//svg")[0]
    assert svg.get("role") == "img" and svg.xpath("title")
    bars = svg.xpath(".//rect")
    counts = [int(r.xpath("td")[0].text_content()) for r in chart.xpath(".//table/tbody/tr")]
    assert len(bars) == len(counts) == 8 and sum(counts) == 129
    widths = [float(b.get("width")) for b in bars]
    assert widths == sorted(widths, reverse=True) and widths[0] == 290.0  # longest bar for the largest count


def test_no_chart_where_there_is_no_number_column(client):
    example = next(e for e in EXAMPLES if e.slug == "beispielmassnahmen")  # numbers as text (dcterms:identifier)
    doc = example_page(client, example)
    assert not doc.xpath("//div[@class='result-view-chart']") and not doc.xpath("//input[@id='view-chart']")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_download_buttons_give_the_shown_result_as_a_named_file(client, fmt):
    doc = example_page(client, PER_FIELD)
    form = doc.xpath("//form[@class='downloads']")[0]
    assert {b.get("value") for b in form.xpath(".//button[@name='format']")} == {"csv", "tsv", "json", "xml"}
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    download = client.post(form.get("action"), data={**fields, "format": fmt})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="massnahmen-je-handlungsfeld.{fmt}"'
    direct = client.get("/sparql", query_string={"query": PER_FIELD.text(DEFAULT_BASE), "format": fmt})
    assert download.data == direct.data  # the same bytes as the endpoint gives
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(download.data.decode())))) == 8


def test_graph_results_download_as_rdf(client):
    example = next(e for e in EXAMPLES if e.is_graph)
    doc = example_page(client, example)
    formats = {b.get("value") for b in doc.xpath("//form[@class='downloads']//button[@name='format']")}
    assert formats == {"ttl", "nt", "jsonld", "rdf"}


def test_a_query_without_title_gets_a_hash_name(client):
    response = client.get("/sparql", query_string={"query": "ASK {}", "format": "json"})
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="abfrage-') and disposition.endswith('.json"')
    assert client.get("/sparql", query_string={"query": "ASK {}", "format": "json"}).headers["Content-Disposition"] == disposition


def test_the_page_in_english(client):
    doc = page(client.get("/sparql", query_string={"lang": "en"}, headers={"Accept": "text/html"}))
    assert doc.xpath("//h1")[0].text_content() == "SPARQL query"
    assert doc.xpath("//meta[@name='description']/@content")[0].startswith("Query the knowledge graph")
    assert doc.get("lang") == "en"
    titles = [h.text_content() for h in doc.xpath("//section[@aria-labelledby='beispiele-h']//h3")]
    assert "Measures per field of action" in titles and "Maßnahmen je Handlungsfeld" not in titles
    result = example_page(client, PER_FIELD, "en")
    assert result.get_element_by_id("result-count").text_content().strip() == "8 rows"
    assert result.xpath("//label[@for='view-chart']")[0].text_content() == "Bar chart"
