"""A small element tree from html.parser, so HTTP tests assert on parsed pages rather than on substrings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        """Whether the attribute is present (boolean attributes such as ``checked`` have no value)."""
        return name in self.attrs

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts = (c if isinstance(c, str) else " " if c.tag == "br" else c.text() for c in self.children)
        return " ".join("".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """Descendants by tag, class and attribute values (``id_`` for ``id``, ``data_key`` for ``data-key``)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(body: bytes | str) -> Element:
    builder = _Builder()
    builder.feed(body.decode("utf-8") if isinstance(body, bytes) else body)
    builder.close()
    return builder.root


def definitions(root: Element) -> dict[str, Element]:
    """Each ``<dt>``'s text with the ``<dd>`` that follows it in the same parent (a plain ``<dl>`` or one wrapped in
    ``<div>`` per pair, as summary lists are)."""
    found: dict[str, Element] = {}
    for parent in (root, *root.iter()):
        elements = [c for c in parent.children if isinstance(c, Element)]
        for dt, dd in zip(elements, elements[1:], strict=False):
            if dt.tag == "dt" and dd.tag == "dd":
                found[dt.text()] = dd
    return found


def summary(page: Element) -> dict[str, Element]:
    """The page's first summary list (``<dl class="summary">`` under the title): each row's heading with its ``<dd>``."""
    found = page.find("dl", cls="summary")
    assert found is not None, "the page has no summary list"
    return {row.find("dt").text().strip(): row.find("dd") for row in found.find_all("div")}


def table_rows(table: Element) -> list[list[Element]]:
    """The cells of each body row of a table."""
    body = table.find("tbody") or table
    return [[c for c in tr.children if isinstance(c, Element) and c.tag in ("td", "th")] for tr in body.find_all("tr")]
