"""``POST /abfrage`` makes a short link for a query, ``GET /abfrage/<id>`` runs the query behind it.

The link answers like ``/sparql?query=…``: the page with the query and its result for browsers, the negotiated
result format for programs. An unknown id is a 404 page with the query form, the examples and a way back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, redirect, request, url_for

from server.i18n import current_lang
from server.sparql import page
from server.sparql.errors import Problem
from server.sparql.shortlinks import Refused, ShortLinks
from server.web.proxies import client_address
from server.web.urls import public_url

bp = Blueprint("abfrage", __name__)
STORE = "sparql_shortlinks"
RUN = "sparql_run_query"


def init_app(app: Flask, run: Callable[[str], Response]) -> None:
    """``run``: how the endpoint answers a query (server.sparql.views hands over its own: same limits, cache, formats)."""
    app.extensions[RUN] = run
    config = app.config
    app.extensions[STORE] = ShortLinks(Path(config["KG_SHORTLINK_DB"]), int(float(config["KG_SHORTLINK_MAX_MB"]) * 1024 * 1024),
                                       int(config["KG_SHORTLINK_RATE"]))
    app.register_blueprint(bp)


def _store() -> ShortLinks:
    return current_app.extensions[STORE]


def short_url(link: str) -> str:
    """The link as people share it: on this server's configured public address (never the Host header)."""
    return public_url("abfrage/" + link)


@bp.post("/abfrage")
def create():
    text = request.form.get("query", "")
    if not text.strip():
        return _problem(400, "Für einen Kurzlink fehlt die Abfrage.", "A short link needs a query.", text)
    limit = current_app.config["KG_MAX_QUERY_LENGTH"]
    if len(text) > limit:
        return _problem(413, f"Die Abfrage ist zu lang für einen Kurzlink (höchstens {limit} Zeichen).",
                        f"The query is too long for a short link (at most {limit} characters).", text)
    try:
        link = _store().put(text, client_address())
    except Refused as exc:
        if exc.status == 429:
            minutes = max(1, round(exc.retry_after / 60))
            response = _problem(429, f"Von dieser Adresse wurden in der letzten Stunde zu viele Kurzlinks angelegt. "
                                     f"In etwa {minutes} Minuten geht es wieder; die Abfrage selbst lässt sich weiter ausführen.",
                                f"Too many short links were made from this address in the last hour. Try again in about "
                                f"{minutes} minutes; the query itself still runs.", text)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return _problem(507, "Der Speicher für Kurzlinks ist voll; bestehende Kurzlinks gelten weiter. Bitte den Link "
                             "„Link zu dieser Abfrage“ verwenden.",
                        "The store for short links is full; existing short links keep working. Please use the link "
                        "„Link to this query“ instead.", text)
    return redirect(url_for("abfrage.show", link=link) + ("?lang=en" if current_lang() == "en" else ""), 303)


@bp.get("/abfrage/<link>")
def show(link: str):
    text = _store().get(link)
    if text is None:
        return _problem(404, "Diesen Kurzlink gibt es hier nicht (vielleicht unvollständig kopiert). Unten lässt sich eine "
                             "Abfrage schreiben oder eine Beispielabfrage wählen.",
                        "There is no such short link here (perhaps it was copied incompletely). Write a query below, "
                        "or choose an example.", None)
    g.sparql_shortlink = short_url(link)
    return current_app.extensions[RUN](text)


def _problem(status: int, german: str, english: str, query: str | None) -> Response:
    body = page.render(query, problem=Problem(german, english))
    return Response(body, status=status, mimetype="text/html")
