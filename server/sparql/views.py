"""SPARQL 1.1 Protocol endpoint at /sparql: read-only, closed, with hard limits.

GET ``?query=``, POST form (``query=``) and POST ``application/sparql-query`` run a query on a worker
process (:mod:`server.sparql.pool`) and answer in the negotiated format (:mod:`server.sparql.formats`).
Without a query, browsers get the query page with examples (:mod:`server.sparql.page`) and RDF clients the
Service Description. The query text is read only in the query process, under its limits: there the predeclared
prefixes it does not declare are put in front (:mod:`server.sparql.prefixes`), the guard checks it, the engine runs
it, and a syntax error is explained in words (:mod:`server.sparql.errors`).
"""

from __future__ import annotations

import hashlib
import json
import signal
from dataclasses import dataclass, replace
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.caches import AnswerCache, memoized, per_build
from server.config import max_body_bytes
from server.formats import GRAPH_FORMATS, HTML, SOLUTION_FORMATS
from server.i18n import current_lang
from server.sparql import page, shortlink_views
from server.sparql.admission import Busy, Limits, OverLimit, Stopped
from server.sparql.downloads import content_disposition
from server.sparql.errors import Problem
from server.sparql.formats import ERROR_OFFER, GRAPHS_OFFER, SOLUTIONS_OFFER
from server.sparql.guard import Refused, check_protocol_dataset
from server.sparql.hints import empty_result_hint
from server.sparql.pool import BuildBroken, GraphRef, QueryPool, QueryTimeout, WorkerLost
from server.sparql.prefixes import predeclared
from server.sparql.service_description import default_graph_names, service_description
from server.sparql.vocabulary import vocabulary
from server.sparql.worker import Job, Outcome
from server.sparql_syntax import prefixes
from server.state import published as current_published
from server.web.caching import for_build
from server.web.cors import SPARQL_METHODS, open_to_all
from server.web.negotiation import NotAcceptable, UnknownFormat, choose, refusal, requested_formats, vary_on_accept
from server.web.proxies import client_address
from server.web.responses import json_response
from server.web.untrusted import shown
from server.web.urls import public_url

bp = Blueprint("sparql", __name__, template_folder="templates", static_folder="static", static_url_path="/sparql/static")

POOL = "sparql_pool"
ANSWERS = "sparql_results"
EXPOSED = ("X-SPARQL-Truncated", "X-SPARQL-Max-Rows", "X-SPARQL-Max-Bytes", "Content-Disposition")
ENTRY_OVERHEAD = 1024  # bytes an answer costs in the cache beyond its body and table: key, objects, LRU links
FORM_CONTENT = "application/x-www-form-urlencoded"
QUERY_CONTENT = "application/sparql-query"
UTF_8 = {"utf-8", "utf8", "us-ascii", "ascii"}  # ASCII is a subset: a client may well declare it
ENDPOINT_PATHS = ("/sparql", "/sparql/")  # the W3C protocol tests address /sparql/


def init_app(app: Flask) -> None:
    """The endpoint, one pool of query processes (they start with the first query) and one answer cache per app."""
    config = app.config
    app.extensions[POOL] = QueryPool(config["KG_QUERY_WORKERS"], int(config["KG_QUERY_MEMORY_MB"]), Limits(
        slots=config["KG_QUERY_WORKERS"], per_client=config["KG_CLIENT_QUERIES"], budget=config["KG_CLIENT_QUERY_SECONDS"],
        window=config["KG_CLIENT_WINDOW"], reserved=config["KG_QUERY_RESERVED"], share=config["KG_QUERY_SHARE"],
        timeout=float(config["KG_QUERY_TIMEOUT"]), queue=config["KG_QUERY_QUEUE"]))
    app.extensions[ANSWERS] = AnswerCache(int(config["KG_QUERY_CACHE_MB"]) * 1024 * 1024, _answer_size)
    app.register_blueprint(bp)
    shortlink_views.init_app(app, run=run_query)
    app.after_request(_cors)  # app-wide: a 405 from routing never reaches the blueprint's own hooks


def share_queries(app: Flask, current: Flask) -> None:
    """``app`` (an old release's) answers queries with the query processes, client accounting and answer cache of
    ``current``: one set of limits per server, not one more per release (answers are kept per build)."""
    app.extensions[POOL].close()  # its own, never used: no process started yet
    app.extensions[POOL], app.extensions[ANSWERS] = current.extensions[POOL], current.extensions[ANSWERS]


def _cors(response: Response) -> Response:
    """Every answer of the endpoint is readable by scripts on other sites, refusals and 405 included."""
    if request.path in ENDPOINT_PATHS:
        open_to_all(response, methods=SPARQL_METHODS, expose=EXPOSED)
        vary_on_accept(response)
    return response


@bp.route("/sparql/", methods=["GET", "POST"])
@bp.route("/sparql", methods=["GET", "POST"])  # registered first: url_for builds this one
def endpoint():
    query = None
    try:
        _check_encoding()
        query = _read_query()
        _check_dataset_parameters()
        if query is None:
            return _without_query()
        return _run(query)
    except REFUSALS as exc:
        return _refused(exc, query)


def run_query(query: str) -> Response:
    """Answer ``query`` as the endpoint does (limits, guard, negotiation, cache); for the short links."""
    try:
        return _run(query)
    except REFUSALS as exc:
        return _refused(exc, query)


REFUSALS = (Refused, UnknownFormat, NotAcceptable, RequestEntityTooLarge)


def _refused(exc: Exception, query: str | None) -> Response:
    """The answer to a request refused before or instead of running (400/406/413/415), for the endpoint and short links."""
    if isinstance(exc, RequestEntityTooLarge):  # the body outgrew MAX_CONTENT_LENGTH while it was read
        return _error(*_too_long(current_app.config["KG_MAX_QUERY_LENGTH"]).answer(), None)
    if isinstance(exc, Refused):
        return _error(*exc.answer(), query)
    return _error(*refusal(exc), query)


@bp.get("/sparql/vokabular.json")
def vocabulary_json():
    """Classes and properties of the graph (most used first) with labels: what the editor completes."""
    published, base, lang = current_published(), current_app.config["KG_BASE_URI"], current_lang()
    payload = per_build(f"sparql-vocabulary-json|{base}|{lang}", published,
                        lambda p: {"prefixes": predeclared(base), **vocabulary(p, base).as_json(lang)})
    return for_build(json_response(payload), published.etag, published.modified)


# ------------------------------------------------------------------ protocol


def _read_query() -> str | None:
    """The query text of a GET or POST request, or None; refuses updates, oversized and odd requests."""
    limit = current_app.config["KG_MAX_QUERY_LENGTH"]
    if request.content_length and request.content_length > max_body_bytes(limit):
        raise _too_long(limit)
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == QUERY_CONTENT:
            values = [request.get_data(as_text=True)]
        elif mimetype == FORM_CONTENT:
            values = request.form.getlist("query")
        elif mimetype == "application/sparql-update" or "update" in request.values:
            raise _update_refused()
        else:
            raise Refused(
                f"Nicht unterstützter Inhaltstyp {mimetype or '(keiner)'}: {FORM_CONTENT} oder {QUERY_CONTENT} verwenden.",
                f"Unsupported content type {mimetype or '(none)'}: use {FORM_CONTENT} or {QUERY_CONTENT}.", 415)
    else:
        values = request.args.getlist("query")
    if "update" in request.values:
        raise _update_refused()
    if len(values) > 1:
        raise Refused("Der Parameter query darf nur einmal vorkommen.", "The query parameter must occur only once.")
    if not values:
        return None  # no query at all: the query page or the service description
    if not values[0].strip():
        raise Refused("Die Abfrage ist leer.", "The query is empty.")
    if len(values[0]) > limit:
        raise _too_long(limit)
    return values[0]


def _check_encoding() -> None:
    """Query text must be UTF-8 (SPARQL 1.1 Protocol §2.1): refuse anything else instead of running mangled text.

    Werkzeug would decode other bytes with replacement characters, and a query about „M\ufffdnner“ would then run
    and find nothing. The raw query string and body are checked once, before anything is decoded.
    """
    _utf8(unquote_to_bytes(request.query_string.replace(b"+", b" ")))
    if request.method != "POST" or request.mimetype not in (QUERY_CONTENT, FORM_CONTENT):
        return
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in UTF_8:
        shown_charset = shown(charset, 40)
        raise Refused(f"Der Abfragetext muss UTF-8-kodiert sein; die Anfrage gibt charset={shown_charset} an. "
                      "Bitte die Abfrage als UTF-8 senden (charset=utf-8 oder ohne charset).",
                      f"The query text must be encoded in UTF-8; the request declares charset={shown_charset}. "
                      "Please send the query as UTF-8 (charset=utf-8 or no charset).")
    body = request.get_data(cache=True)  # cached: the form parser reads the same bytes afterwards
    _utf8(unquote_to_bytes(body.replace(b"+", b" ")) if request.mimetype == FORM_CONTENT else body)


def _utf8(raw: bytes) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"Die Anfrage ist nicht UTF-8-kodiert (Byte 0x{raw[exc.start]:02X} an Stelle {exc.start + 1}). "
                      "Bitte die Abfrage als UTF-8 senden.",
                      f"The request is not encoded in UTF-8 (byte 0x{raw[exc.start]:02X} at position {exc.start + 1}). "
                      "Please send the query as UTF-8.") from None


def _too_long(limit: int) -> Refused:
    return Refused(f"Die Abfrage ist zu lang (höchstens {limit} Zeichen).",
                   f"The query is too long (at most {limit} characters).", 413)


def _update_refused() -> Refused:
    return Refused("Nur lesende Abfragen: SPARQL Update ist an diesem Endpunkt nicht erlaubt.",
                   "Read-only endpoint: SPARQL Update is not allowed here.")


def _own_graphs() -> frozenset[str]:
    return _context(current_app.config["KG_BASE_URI"], public_url()).own_graphs


@dataclass(frozen=True)
class _Context:
    """What every query on one base and public address shares (made once: every query needs it)."""

    prefixes: dict[str, str]
    own_graphs: frozenset[str]
    key: str  # their part of the answer's key (see job_key)


@memoized(16)
def _context(base: str, root: str) -> _Context:
    table, own = prefixes(base), frozenset(default_graph_names(base, root))
    return _Context(table, own, _key_part(table, own))


def _key_part(table: dict[str, str], own: frozenset[str]) -> str:
    return repr(sorted(table.items())) + "\x00" + repr(sorted(own))


def _check_dataset_parameters() -> None:
    check_protocol_dataset(request.values.getlist("default-graph-uri"), request.values.getlist("named-graph-uri"), _own_graphs())


# ------------------------------------------------------------------ running a query


def _run(query: str):
    # The query text is not looked into here: prefixes, guard and engine read it in the bounded query process.
    formats, refusals = _negotiate()
    config = current_app.config
    base = config["KG_BASE_URI"]
    timeout = float(config["KG_QUERY_TIMEOUT"])
    context = _context(base, public_url())
    job = Job(query=query, solutions_format=formats["solutions"], graph_format=formats["graph"], max_rows=config["KG_MAX_ROWS"],
              max_bytes=_max_bytes(), timeout=timeout, base_iri=base, prefixes=context.prefixes, own_graphs=context.own_graphs)
    published = current_published()
    endpoint, release = config["KG_SPARQL_ENDPOINT"], config.get("KG_RELEASE_VIEW") or ""
    graph = per_build(f"sparql-graph|{endpoint}|{release}", published, lambda p: GraphRef.of(p, endpoint, release))
    key = job_key(published.etag, graph.endpoint, job, context.key)
    unchanged = _precondition(key, html=HTML.key in formats.values())
    if unchanged is not None:
        return unchanged
    cache: AnswerCache[Outcome] = current_app.extensions[ANSWERS]
    cached = cache.get(key)
    if cached is not None:
        return _result_response(cached, query, key)
    try:
        outcome = current_app.extensions[POOL].run(job, graph, wait=float(config["KG_QUERY_QUEUE_WAIT"]),
                                                   client=client_address())
    except OverLimit as exc:
        return _error(429, "Sie haben Ihren Anteil an der Rechenzeit für Abfragen ausgeschöpft "
                           f"({config['KG_CLIENT_QUERIES']} gleichzeitig, {config['KG_CLIENT_QUERY_SECONDS']:g} s je "
                           f"{config['KG_CLIENT_WINDOW']:g} s). Bitte in {exc.retry_after} s wieder versuchen.",
                      f"You have used up your share of query time ({config['KG_CLIENT_QUERIES']} at once, "
                      f"{config['KG_CLIENT_QUERY_SECONDS']:g} s per {config['KG_CLIENT_WINDOW']:g} s). "
                      f"Please try again in {exc.retry_after} s.", query, retry_after=exc.retry_after)
    except Stopped as exc:  # it ran long while others waited: its client learns that the query itself is the reason
        share = config["KG_QUERY_SHARE"]
        return _error(503, f"Die Abfrage wurde nach ihrem Anteil an Rechenzeit ({share:g} s) angehalten, damit die Abfragen "
                           f"anderer laufen können. Bitte in {exc.retry_after} s wieder versuchen oder die Abfrage eingrenzen.",
                      f"The query was stopped after its share of time ({share:g} s) so that other clients' queries can run. "
                      f"Please try again in {exc.retry_after} s, or narrow the query.", query, retry_after=exc.retry_after)
    except Busy as exc:
        current_app.logger.info("SPARQL query turned away: %s", exc.reason)
        return _error(503, "Der Server ist mit anderen Abfragen ausgelastet. Bitte gleich noch einmal versuchen.",
                      "The server is busy with other queries. Please try again shortly.", query, retry_after=exc.retry_after)
    except QueryTimeout:
        return _timed_out(timeout, query)
    except BuildBroken as exc:  # damaged after it was checked: the server falls back to an intact build
        current_app.logger.warning("SPARQL: %s", exc)
        current_app.extensions["kg"].recheck()
        return _error(503, "Der veröffentlichte Datenstand ist beschädigt; der Server wechselt zum letzten intakten Stand. "
                           "Bitte gleich noch einmal versuchen.",
                      "The published data is damaged; the server is switching to the last intact build. "
                      "Please try again shortly.", query, retry_after=2)
    except WorkerLost as exc:
        if exc.exitcode == -signal.SIGALRM:  # the query process's own alarm ended it after the time limit
            return _timed_out(timeout, query)
        current_app.logger.warning("SPARQL worker lost: %s", exc)
        return _error(503, "Die Abfrage wurde abgebrochen: ihr Prozess ist beendet worden (z. B. Speichergrenze überschritten).",
                      "The query was stopped: its process ended (e.g. it exceeded the memory limit).", query, retry_after=5)
    if outcome.error_kind == "refused":
        status, german, english = outcome.refusal
        return _error(status, german, english, query)
    if outcome.error_kind == "syntax":
        problem = outcome.problem
        return _error(400, f"Fehlerhafte Abfrage – {problem.de}", f"Malformed query – {problem.en}", query, problem=problem)
    if outcome.error_kind == "format":  # no acceptable format in the family the query's result belongs to
        return _error(*refusal(refusals["graph" if outcome.kind == "graph" else "solutions"]), query)
    if outcome.error_kind == "not_xml":
        return _not_xml(outcome, query)
    if outcome.error_kind == "memory":
        return _error(503, "Die Abfrage hat die Speichergrenze überschritten und wurde abgebrochen.",
                      "The query exceeded the memory limit and was stopped.", query, retry_after=5)
    if outcome.error_kind:  # engine or external-engine failure: details go to the log, not to the client
        current_app.logger.warning("SPARQL query failed: %s", outcome.error)
        return _error(502 if graph.endpoint else 500, "Die Abfrage ist fehlgeschlagen.", "The query failed.", query)
    cache.put(key, outcome)
    return _result_response(outcome, query, key)


def _timed_out(timeout: float, query: str) -> Response:
    return _error(503, f"Die Abfrage hat das Zeitlimit von {timeout:g} s überschritten und wurde abgebrochen.",
                  f"The query exceeded the time limit of {timeout:g} s and was stopped.", query, retry_after=5)


def job_key(build_id: str, endpoint: str, job: Job, context: str) -> str:
    """Stable key of a query on one build; also the ETag of its answer. ``context``: the job's prefixes and own graphs
    as :func:`_key_part` writes them."""
    parts = [build_id, endpoint, job.query, str(job.solutions_format), str(job.graph_format), str(job.max_rows),
             str(job.base_iri), context]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _answer_size(outcome: Outcome) -> int:
    """What an answer holds in memory: its bytes (body, and the table as compact JSON), plus the entry itself."""
    return len(outcome.body) + len(outcome.table or b"") + ENTRY_OVERHEAD


def _max_bytes() -> int:
    return int(float(current_app.config["KG_MAX_RESULT_MB"]) * 1024 * 1024)


def _precondition(key: str, html: bool) -> Response | None:
    """RFC 9110 §13.1.2: ``If-None-Match`` compares weakly; when it matches (``*`` always does: the answer exists),
    GET gets 304 and POST 412 – a POST is never answered 304 without running."""
    condition = request.if_none_match
    if not condition or not (condition.star_tag or condition.contains_weak(key)):
        return None
    if request.method in ("GET", "HEAD"):
        response = Response(status=304)
        response.set_etag(key)
        if html:  # the same Vary as the page it stands for (the interface language is in a cookie)
            response.vary.add("Cookie")
        return response
    return _error(412, "Vorbedingung nicht erfüllt: If-None-Match trifft auf das vorhandene Ergebnis zu, "
                       "daher wird die POST-Anfrage nicht ausgeführt (RFC 9110). Ohne If-None-Match senden, "
                       "oder mit GET nachfragen, ob sich das Ergebnis geändert hat.",
                  "Precondition failed: If-None-Match matches the existing result, so the POST request is not "
                  "carried out (RFC 9110). Send it without If-None-Match, or use GET to ask whether the result changed.",
                  request.values.get("query"))


def _not_xml(outcome: Outcome, query: str) -> Response:
    """XML 1.0 cannot hold the character at all (not even as a reference): say which, and what can."""
    others = "Turtle, N-Triples, JSON-LD" if request.values.get("format") == "rdf" or outcome.kind == "graph" else "JSON, CSV, TSV"
    return _error(406, f"Das Ergebnis enthält das Steuerzeichen {outcome.error}, das XML 1.0 nicht darstellen kann. "
                       f"Bitte ein anderes Format anfordern: {others}.",
                  f"The result contains the control character {outcome.error}, which XML 1.0 cannot represent. "
                  f"Please ask for another format: {others}.", query)


def _negotiate() -> tuple[dict[str, str | None], dict[str, UnknownFormat | NotAcceptable]]:
    """The format for each result family, chosen before the query is read (its result decides which one is used).

    A family without an acceptable format gets None and its refusal, answered (400/406) if the result is of that
    family; when neither family has one, the request is refused at once.
    """
    formats: dict[str, str | None] = {}
    refusals: dict[str, UnknownFormat | NotAcceptable] = {}
    for family, offered in (("solutions", SOLUTIONS_OFFER), ("graph", GRAPHS_OFFER)):
        try:
            formats[family] = choose(request, offered).key
        except (UnknownFormat, NotAcceptable) as exc:
            formats[family], refusals[family] = None, exc
    if len(refusals) == 2:
        raise refusals["solutions"]
    return formats, refusals


def _result_response(outcome: Outcome, query: str, key: str) -> Response:
    if outcome.format == HTML.key:
        html, outcome = _page_within_cap(query, outcome)
        response = Response(html, mimetype="text/html")
    else:
        fmt = (SOLUTION_FORMATS | GRAPH_FORMATS)[outcome.format]
        response = Response(outcome.body, mimetype=fmt.mimetype)
        # Named after the query's title: the page's download buttons ask for an attachment, curl -OJ gets the name.
        response.headers["Content-Disposition"] = content_disposition(query, fmt.key, attachment=bool(request.values.get("download")))
    response.set_etag(key)  # same query on the same build, same answer: clients and HTTP caches may reuse it
    response.headers["X-SPARQL-Truncated"] = "true" if outcome.truncated else "false"
    if outcome.cut == "rows":
        response.headers["X-SPARQL-Max-Rows"] = str(current_app.config["KG_MAX_ROWS"])
    elif outcome.cut == "bytes":
        response.headers["X-SPARQL-Max-Bytes"] = str(_max_bytes())
    return response


def _page_within_cap(query: str, outcome: Outcome) -> tuple[str, Outcome]:
    """The result page, at most KG_MAX_RESULT_MB: the query process sent only rows whose estimated rendering fits;
    should labels or the chart make the page larger after all, fewer rows are rendered (at most a few times)."""
    limit = _max_bytes()
    html = page.render(query, outcome, hint=_hint(outcome, query))
    for _ in range(3):
        size = len(html.encode("utf-8"))
        if size <= limit or not outcome.rows:
            break
        table = json.loads(outcome.table)
        keep = min(outcome.rows - 1, int(outcome.rows * limit / size * 0.9))
        table["rows"] = table["rows"][:keep]
        outcome = replace(outcome, table=json.dumps(table, ensure_ascii=False).encode("utf-8"), rows=keep,
                          truncated=True, cut="bytes")
        html = page.render(query, outcome, hint=_hint(outcome, query))
    return html, outcome


# ------------------------------------------------------------------ without a query


def _hint(outcome: Outcome, query: str) -> Problem | None:
    """For an empty SELECT on the page: the classes or properties the query names that the graph does not have."""
    if outcome.kind != "solutions" or outcome.rows:
        return None
    base = current_app.config["KG_BASE_URI"]
    return empty_result_hint(query, vocabulary(current_published(), base), base)


def _without_query() -> Response:
    fmt = choose(request, GRAPHS_OFFER)
    if fmt is HTML:
        return Response(page.render(None), mimetype="text/html")
    published = current_published()
    description = service_description(current_app.config["KG_BASE_URI"], published.manifest, endpoint=public_url("sparql"))
    return Response(description.serialize(format=fmt.rdflib, encoding="utf-8"), mimetype=fmt.mimetype)


# ------------------------------------------------------------------ HTML and errors


def _wants_html() -> bool:
    explicit = [v.lower() for v in requested_formats(request)]
    if explicit:
        return "html" in explicit or "text/html" in explicit
    return choose(request, ERROR_OFFER) is HTML


def _error(status: int, german: str, english: str, query: str | None, retry_after: int | None = None,
           problem: Problem | None = None) -> Response:
    """The page with one message in its language for browsers; both languages, one line each, for programs."""
    if _wants_html():
        problem = problem or Problem(german, english)
        response = Response(page.render(query, problem=problem), status=status, mimetype="text/html")
    else:
        response = Response(f"{german}\n{english}\n", status=status, mimetype="text/plain")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response
