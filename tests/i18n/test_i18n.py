"""Interface language (German default, English switch), the legal pages and their operator settings."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kg.namespaces import TYPES
from server import i18n
from server.pages.facets import FACET_NAMES, SORTS
from server.pages.search_index import KINDS
from tests.support.htmltree import parse_html

SERVER = Path(__file__).resolve().parents[2] / "server"  # every package keeps its templates in its own folder
PAGES = ["/", "/massnahmen", "/suche?q=Kita", "/suche", "/doc/massnahme/39", "/doc/handlungsfeld/vernetzung",
         "/doc/oe/51", "/doc/zielgruppe/kinder-bis-sechs-jahre", "/doc/drucksache/IV-0349", "/id/massnahme/",
         "/barrierefreiheit", "/impressum", "/def/handlungsfelder"]


def html_lang(response) -> str:
    return parse_html(response.data).find("html").get("lang")


# ------------------------------------------------------------------ the strings


def test_every_string_exists_in_both_languages_with_the_same_placeholders():
    fields = string.Formatter()
    for key, (de, en) in i18n.STRINGS.items():
        assert de.strip() and en.strip(), key
        assert {f for _, f, _, _ in fields.parse(de) if f} == {f for _, f, _, _ in fields.parse(en) if f}, key


def test_every_key_the_templates_use_exists():
    used = set()
    templates = sorted(SERVER.rglob("templates/**/*.html"))
    assert len(templates) > 20, "the templates of every package are read"
    for template in templates:
        text = template.read_text()
        used |= set(re.findall(r"""\b(?:t|_)\(\s*["']([\w.]+)["']\s*[,)]""", text))  # literal keys, not prefixes
        plural = re.findall(r"""\btn\(\s*["']([\w.]+)["']\s*,""", text)
        used |= {f"{k}.{n}" for k in plural for n in ("one", "other")}
    used |= {f"kind.{k}.{n}" for k in TYPES for n in ("one", "other")}
    used |= {f"facet.{f}" for f in FACET_NAMES} | {f"list.sort_{s}" for s in SORTS}
    used |= {f"kind.{k}.one" for k, _ in KINDS}
    missing = sorted(k for k in used if k not in i18n.STRINGS)
    assert not missing


def test_pick_prefers_the_wanted_language_then_german_then_untagged():
    assert i18n.pick({"de": "Geflüchtete", "en": "Refugees"}, "en") == ("Refugees", "en")
    assert i18n.pick({"de": "Maßnahme"}, "en") == ("Maßnahme", "de")
    assert i18n.pick({"": "0349 (IV) BDs"}, "en") == ("0349 (IV) BDs", "")
    assert i18n.pick({}, "en") == ("", "")


@pytest.mark.parametrize("lang,expected", [("de", "33.970"), ("en", "33,970")])
def test_numbers_get_the_languages_thousands_separator(app, lang, expected):
    with app.test_request_context(f"/?lang={lang}"):
        assert i18n.number(33970) == expected and i18n.number(7) == "7"


# ------------------------------------------------------------------ switching


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages(client, path):
    client.delete_cookie(i18n.COOKIE)
    german = client.get(path)
    english = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert german.status_code == english.status_code == 200
    assert html_lang(german) == "de" and html_lang(english) == "en"
    client.delete_cookie(i18n.COOKIE)


def test_choice_is_remembered_in_a_cookie_and_can_be_switched_back(client):
    client.delete_cookie(i18n.COOKIE)
    r = client.get("/massnahmen?lang=en")
    assert "lang=en" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
    assert parse_html(client.get("/massnahmen").data).find("h1").text() == "Filter the measures"
    back = parse_html(client.get("/massnahmen").data).find("a", cls="lang-switch")
    assert back.text() == "Deutsch" and back.get("lang") == "de" and back.get("hreflang") == "de"
    client.get(back.get("href"))
    assert parse_html(client.get("/massnahmen").data).find("h1").text() == "Maßnahmen filtern"
    client.delete_cookie(i18n.COOKIE)
    # A response that sets the cookie is for this client only, even where the page is otherwise public.
    assert "private" in client.get("/doc/massnahme/1?lang=en").headers["Cache-Control"]
    client.delete_cookie(i18n.COOKIE)


def test_unknown_language_is_ignored(client):
    client.delete_cookie(i18n.COOKIE)
    r = client.get("/?lang=fr")
    assert html_lang(r) == "de" and "Set-Cookie" not in r.headers


def test_switch_link_keeps_the_other_parameters(client):
    client.delete_cookie(i18n.COOKIE)
    page = parse_html(client.get("/massnahmen?oe=51&oe=50&sort=titel").data)
    assert page.find("a", cls="lang-switch").get("href") == "/massnahmen?oe=51&oe=50&sort=titel&lang=en"


def test_data_labels_follow_the_language_where_the_graph_has_them(client):
    client.delete_cookie(i18n.COOKIE)
    page = parse_html(client.get("/massnahmen?lang=en").data)
    labels = {label.find("span").text() for label in page.find_all("label") if (label.get("for") or "").startswith("f-handlungsfeld-")}
    assert "Refugees" in labels and "Geflüchtete" not in labels
    # German-only data is marked as German on the English page (WCAG 3.1.2).
    title = page.find("table", id_="measures").find("tbody").find_all("td")[1].find("a")
    assert title.get("lang") == "de"
    client.delete_cookie(i18n.COOKIE)


def test_html_depends_on_the_cookie_and_etags_differ_per_language(client):
    client.delete_cookie(i18n.COOKIE)
    german = client.get("/doc/massnahme/39")
    assert "Cookie" in german.headers["Vary"]
    client.set_cookie(i18n.COOKIE, "en")
    english = client.get("/doc/massnahme/39")
    assert english.headers["ETag"] != german.headers["ETag"]
    # A German copy in the cache must not be confirmed as the English page, the English copy must be.
    assert client.get("/doc/massnahme/39", headers={"If-None-Match": german.headers["ETag"]}).status_code == 200
    assert client.get("/doc/massnahme/39", headers={"If-Modified-Since": german.headers["Last-Modified"]}).status_code == 200
    assert client.get("/doc/massnahme/39", headers={"If-None-Match": english.headers["ETag"]}).status_code == 304
    client.delete_cookie(i18n.COOKIE)
    assert client.get("/doc/massnahme/39", headers={"If-None-Match": english.headers["ETag"]}).status_code == 200
    assert client.get("/doc/massnahme/39", headers={"If-None-Match": german.headers["ETag"]}).status_code == 304


def test_search_box_is_labelled_on_every_page(client):
    client.delete_cookie(i18n.COOKIE)
    for path in ("/", "/doc/massnahme/1", "/impressum"):
        page = parse_html(client.get(path).data)
        form = page.find("form", role="search")
        assert form.get("action") == "/suche"
        box = form.find("input", name="q")
        assert form.find("label", **{"for": box.get("id")}).text() == "Suche"


# ------------------------------------------------------------------ legal pages


def test_legal_pages_show_marked_placeholders_until_configured(client):
    client.delete_cookie(i18n.COOKIE)
    for path, setting in (("/impressum", "KG_OPERATOR_NAME"), ("/barrierefreiheit", "KG_ACCESSIBILITY_CONTACT")):
        page = parse_html(client.get(path).data)
        placeholders = [p.text() for p in page.find_all("span", cls="placeholder")]
        assert any(setting in p for p in placeholders), (path, placeholders)


def test_legal_pages_show_the_operator_settings(built, make_app):
    client = make_app(
        KG_OPERATOR_NAME="Region Hannover, Team Integration",
        KG_OPERATOR_ADDRESS="Hildesheimer Straße 20|30169 Hannover",
        KG_OPERATOR_CONTACT="E-Mail: integration@example.org",
        KG_OPERATOR_REPRESENTATIVE="die Regionspräsidentin",
        KG_ACCESSIBILITY_REVIEWED="2026-11-27",
        KG_ENFORCEMENT_BODY="Schlichtungsstelle beim Landesbeauftragten",
    ).test_client()
    imprint = parse_html(client.get("/impressum").data)
    assert imprint.find("span", cls="placeholder") is None
    assert imprint.find("address").text() == "Region Hannover, Team Integration Hildesheimer Straße 20 30169 Hannover"
    assert imprint.find("a", href="mailto:integration@example.org").text() == "integration@example.org"
    statement = parse_html(client.get("/barrierefreiheit").data)
    assert statement.find("span", cls="placeholder") is None  # the accessibility contact falls back to the operator's
    assert statement.find("a", href="mailto:integration@example.org") is not None
    text = statement.find("main").text()
    assert "Region Hannover, Team Integration ist bemüht" in text and "2026-11-27" in text and "Schlichtungsstelle beim" in text


def test_accessibility_statement_has_the_required_parts(client):
    client.delete_cookie(i18n.COOKIE)
    page = parse_html(client.get("/barrierefreiheit").data)
    headings = [h.text() for h in page.find("main").find_all("h2")]
    for part in ("Stand der Vereinbarkeit", "Nicht barrierefreie Inhalte", "Erstellung dieser Erklärung",
                 "Feedback und Kontaktangaben", "Schlichtungsverfahren"):
        assert any(h.startswith(part) for h in headings), part
    footer = page.find("footer")
    assert footer.find("a", href="/barrierefreiheit").get("aria-current") == "page"
    assert footer.find("a", href="/impressum") is not None
