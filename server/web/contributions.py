"""What feature packages add to the resource documents of :mod:`server.linkeddata`.

A package offers further representations of a document (``/doc/massnahme/22.bib``) and further sections of a
resource page (a Drucksache's citing measures). The types live here, outside every blueprint, so a package
contributes without importing another blueprint's module; the app factory hands the contributions over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response

from server.formats import Format


@dataclass(frozen=True)
class Document:
    """The /doc/ request a renderer answers: which resource, and which page of its incoming links."""

    kind: str            # URI type segment, "def" for the ontology and the concept schemes
    key: str
    subject: str         # the data IRI the document describes
    format: Format       # the representation asked for
    negotiated: bool     # chosen by Accept (no suffix in the URL), so the answer varies with it
    page: int = 1


@dataclass(frozen=True)
class Renderer:
    """One representation of a document: its suffix and media type (``format``), and what produces it."""

    format: Format
    render: Callable[[Document], Response]
    kinds: frozenset[str] | None = None   # the kinds it exists for; None: every kind
    negotiable: bool = False              # chosen by Accept on the suffix-less URL
    linked: bool = False                  # named in Link: rel="alternate" and on the page

    def serves(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass(frozen=True)
class Section:
    """An optional block of a resource page: the view computes its data, the template shows it."""

    name: str
    kinds: frozenset[str]
    template: str                              # included by the resource page with ``section`` = the data
    compute: Callable[[str], object | None]    # resource IRI -> data; None: nothing to show
    place: str = "main"                        # "main": after the summary and text; "end": before the data section
