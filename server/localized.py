"""Labels of every resource in each language the graph has them in, for showing data in the interface language."""

from __future__ import annotations

import pyoxigraph as ox

from server import i18n
from server.per_build import per_build
from server.state import Published

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


class Labels:
    """``uri -> {lang: label}``; rdfs:label wins over skos:prefLabel in the same language (for units it adds the number)."""

    def __init__(self, store) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        for predicate in (SKOS_PREF, RDFS_LABEL):  # rdfs:label second, so it overwrites
            for triple in store.triples(None, ox.NamedNode(predicate), None):
                if isinstance(triple.object, ox.Literal) and isinstance(triple.subject, ox.NamedNode):
                    self._labels.setdefault(triple.subject.value, {})[triple.object.language or ""] = triple.object.value

    def all(self, uri: str) -> dict[str, str]:
        return self._labels.get(uri, {})

    def get(self, uri: str, lang: str | None = None) -> tuple[str, str]:
        """(label, its language) in the wanted language where the graph has it; the URI's last part otherwise."""
        text, text_lang = i18n.pick(self.all(uri), lang)
        return (text, text_lang) if text else (uri.rstrip("/").rsplit("/", 1)[-1], "")


def labels_for(published: Published) -> Labels:
    return per_build("labels", published, lambda p: Labels(p.store))
