"""Interface language (German, English on request) and display names; :func:`init_app` wires it into the app."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from server.i18n.labels import Labels, labels_for, term_label
from server.i18n.language import (
    COOKIE,
    DEFAULT,
    LANGUAGES,
    after_request,
    before_request,
    current_lang,
    date_text,
    number,
    page_urls,
    pick,
    quantity,
    switch_url,
    t,
    tn,
)
from server.i18n.strings import STRINGS

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "STRINGS", "Labels", "current_lang", "init_app", "labels_for", "number",
           "pick", "quantity", "switch_url", "t", "term_label", "tn"]


def lang_attr(lang: str | None) -> Markup:
    """`` lang="xx"`` for data in another language than the page (WCAG 3.1.2), else nothing."""
    if lang and lang != current_lang():
        return Markup(' lang="%s"') % lang
    return Markup("")


def _bound_to_the_language() -> dict:
    """``t``, ``current_lang`` and ``lang_attr`` for one template render, with the request's language looked up once:
    a resource page calls them 70–90 times, and each global call asks Flask's request context again."""
    lang = current_lang()

    def bound_t(key: str, **params: object) -> str:
        de, en = STRINGS[key]
        text = en if lang == "en" else de
        return text.format(**params) if params else text

    def bound_lang_attr(text_lang: str | None) -> Markup:
        return Markup(' lang="%s"') % text_lang if text_lang and text_lang != lang else Markup("")

    return {"t": bound_t, "_": bound_t, "current_lang": lambda: lang, "lang_attr": bound_lang_attr}


def init_app(app: Flask) -> None:
    """The language of every request (``?lang=``, cookie) and the template globals every page uses."""
    app.before_request(before_request)
    app.after_request(after_request)
    app.context_processor(_bound_to_the_language)  # the globals below are what templates imported without context see
    app.add_template_global(t, "t")
    app.add_template_global(t, "_")  # for template scopes where a loop variable is called ``t`` (resource.html)
    app.add_template_global(tn, "tn")
    app.add_template_global(current_lang, "current_lang")
    app.add_template_global(number, "number")
    app.add_template_global(switch_url, "lang_switch_url")
    app.add_template_global(lang_attr, "lang_attr")
    app.add_template_global(term_label, "term_label")
    app.add_template_global(page_urls, "page_urls")
    app.add_template_global(lambda key: key in STRINGS, "has_t")
    app.add_template_filter(date_text, "date_text")
    app.add_template_filter(lambda text: str(text).split("\n"), "split_lines")
