"""The HTML of the pieces a resource page repeats: a linked value, a property's name, an item of the summary list.

Made here rather than as Jinja macros because a page repeats them 50–60 times and a macro call costs about ten
times a Python call (a fresh context each time): as macros they were a third of a measure page's first render
(bench/before_after.py). Everything shown is escaped with markupsafe, as Jinja's autoescape would.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from server.linkeddata.describe import Value
from server.web.text import breakable


def lang_attribute(lang: str | None, page_lang: str) -> str:
    """`` lang="xx"`` for text in another language than the page (WCAG 3.1.2), else nothing."""
    return f' lang="{escape(lang)}"' if lang and lang != page_lang else ""


def linked(text: str, lang: str | None, href: str | None, page_lang: str, span_class: str = "") -> Markup:
    """``text`` as a link to ``href``, or as a span where it links nowhere (a line may break after a slash)."""
    attr = lang_attribute(lang, page_lang)
    if href:
        return Markup(f'<a href="{escape(href)}"{attr}>{breakable(text)}</a>')
    css = f' class="{span_class}"' if span_class else ""
    return Markup(f"<span{css}{attr}>{breakable(text)}</span>")


MEMO_ENTRIES = 20_000  # resources and terms whose markup a build keeps; more are made per page


class PageMarkup:
    """The helpers one page's templates call: ``show(value)``, ``term_name(iri)`` and ``item(summary item)``.

    ``memo`` is kept for the whole build and language: a resource's label and address and a term's name are the same
    on every page that shows them (the units, fields and groups of many measures), so each is made once per build."""

    def __init__(self, page_lang: str, term: Callable[[str], dict],
                 value_label: Callable[[Value], tuple[str, str]], path_of: Callable[[str], str | None],
                 memo: dict | None = None) -> None:
        self.page_lang = page_lang
        self._term = term
        self._value_label = value_label
        self._path_of = path_of
        self._memo = {} if memo is None else memo

    def _kept(self, key: tuple, make: Callable[[], Markup]) -> Markup:
        found = self._memo.get(key)
        if found is None:
            found = make()
            if len(self._memo) < MEMO_ENTRIES:
                self._memo[key] = found
        return found

    def show(self, v: Value) -> Markup:
        """A value of the data section: a resource by its label (linked when it is ours), a literal as written."""
        if v.is_iri:
            return self._kept(("v", v.term.value), lambda: linked(*self._value_label(v), self._path_of(v.term.value),
                                                                  self.page_lang, "iri"))
        return linked(v.text, v.lang, None, self.page_lang, "value")

    def term_name(self, p: str) -> Markup:
        """A predicate or class: its label (to our own documentation for our terms) and its compact name."""
        return self._kept(("t", p), lambda: self._term_name(p))

    def _term_name(self, p: str) -> Markup:
        tm = self._term(p)
        return linked(tm["text"], tm["lang"], tm["href"], self.page_lang) + Markup(
            f' <code class="term">{escape(tm["name"])}</code>')

    def property_rows(self, outgoing: dict[str, list[Value]], skip: str, totals: dict[str, int] | None = None,
                      more: Callable[[int], Markup] | None = None) -> Markup:
        """The rows of the data section, one per property (but ``skip``) in IRI order (case-blind, as
        Jinja's dictsort), each with all its values – or, for a property in ``totals``, its first values and
        ``more(n)`` saying how many more there are and where they all are."""
        rows, totals = [], totals or {}
        for p, values in sorted(outgoing.items(), key=lambda pv: pv[0].lower()):
            if p == skip:
                continue
            cut = p in totals and more is not None
            if len(values) > 1 or cut:
                items = [f"<li>{self.show(v)}</li>" for v in values]
                if cut:
                    items.append(f'<li class="more">{more(totals[p] - len(values))}</li>')
                cell = '<ul class="plain">' + "".join(items) + "</ul>"
            else:
                cell = self.show(values[0])
            rows.append(f'\n      <tr><th scope="row">{self.term_name(p)}</th>\n      <td>{cell}</td></tr>\n    ')
        return Markup("".join(rows))

    def item(self, i) -> Markup:
        """A value of the summary list (:class:`server.linkeddata.summary.Item`)."""
        return linked(i.text, i.lang, i.path, self.page_lang)
