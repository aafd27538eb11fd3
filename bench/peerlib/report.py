"""Tables per data size and the goals of issue 18, from the runs of bench/peers.py."""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass, field

from peerlib.queries import LOOKUPS
from peerlib.wrk import Stats

OURS = "ours"
OURS_ON_VIRTUOSO = "ours→virtuoso"
ORDER = ("ours", "ours cache on", "oxigraph server", "virtuoso", "rdflib-endpoint", "nginx static")


@dataclass
class FactorResult:
    factor: int
    triples: int
    seconds: float
    rounds: int
    cases: list = field(default_factory=list)  # peers.Case
    skipped: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    checked: int = 0  # answers compared with pyoxigraph's (query text × engine)
    load: list[float] = field(default_factory=list)  # 1-minute load average after each run: how busy the machine was
    cold: dict[str, dict] = field(default_factory=dict)


def median(runs: list[Stats], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def paired(ours: list[Stats], peer: list[Stats]) -> list[float]:
    """req/s of ours ÷ the peer's, one ratio per round (the two ran next to each other)."""
    return [o.rps / p.rps for o, p in zip(ours, peer, strict=True) if p.rps > 0]


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def ratio_text(ratios: list[float]) -> str:
    if not ratios:
        return "–"
    text = _ratio(statistics.median(ratios))
    return text + (f" ({_ratio(min(ratios))}–{_ratio(max(ratios))})" if len(ratios) > 1 else "")


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}" if value < 100 else f"{value:,.0f}"


def cpu_text(cpu_ms: dict | None) -> str:
    """CPU ms per request: the total, for ours split as web + query processes."""
    if not cpu_ms:
        return "–"
    if set(cpu_ms) == {"web", "query"}:
        return f"{cpu_ms['web']:.2f}+{cpu_ms['query']:.2f}"
    return f"{sum(cpu_ms.values()):.2f}"


def median_cpu(runs: list[Stats]) -> dict | None:
    measured = [r.cpu_ms for r in runs if r.cpu_ms]
    if not measured:
        return None
    return {part: statistics.median(m[part] for m in measured) for part in measured[0]}


def factor_table(result: FactorResult, settings: str) -> list[str]:
    lines = [f"\n=== {result.factor}× — {result.triples:,} triples — {settings}",
             "    req/s, p50, p99: median over the rounds · ours/peer: req/s of ours (cache off) ÷ the row's, paired per round,",
             "    median (range) · † no parameter: same answer each request, only the text varies · ≠ answers differ (see below)",
             "    · E n: failed requests (status ≥ 400, timeout, socket) · ours cache on: the same few texts repeated (cache hits)",
             "    · CPU ms/req: the server's processes during the run ÷ its requests (ours: web layer + query processes)"]
    header = f"{'case':<44} {'engine':<16} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'CPU ms/req':>11}  ours/peer"
    lines += [header, "-" * (len(header) + 12)]
    for case in result.cases:
        label = (f"{case.key}  {case.title}" if len(case.key) == 1 else case.title if case.query is None else f"ex. {case.key}")[:41]
        if case.query is not None and not case.query.varies:
            label += " †"
        names = sorted([*case.runs, *case.refused], key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
        for i, name in enumerate(names):
            if name in case.refused:
                lines.append(f"{label if i == 0 else '':<44} {name:<16} {'cannot answer (not load-tested): ' + case.refused[name]:.70} ≠")
                continue
            runs = case.runs[name]
            ratio = "" if name == OURS or OURS not in case.runs else ratio_text(paired(case.runs[OURS], runs))
            if ratio == "–" and all(r.requests == 0 for r in runs):
                ratio = f"∞ (no answer within {result.seconds:g} s)"
            marks = (" ≠" if name in case.problems else "") + (f" E {sum(r.errors for r in runs)}" if any(r.errors for r in runs) else "")
            lines.append(f"{label if i == 0 else '':<44} {name:<16} {_num(median(runs, 'rps')):>9} {median(runs, 'p50_ms'):>9.2f} "
                         f"{median(runs, 'p99_ms'):>9.2f} {cpu_text(median_cpu(runs)):>11}  {ratio}{marks}")
    if result.load:
        lines.append(f"load average (1 min) after the runs: median {statistics.median(result.load):.1f}, max {max(result.load):.1f} "
                     f"on {os.cpu_count()} cores (other work on the machine; the ratios are paired per round for that reason)")
    for name, reason in result.skipped.items():
        lines.append(f"skipped: {name}: {reason}")
    if result.disagreements:
        lines.append(f"\n!!! {len(result.disagreements)} of {result.checked} ANSWERS DIFFER from pyoxigraph's on graph.nt at {result.factor}×:")
        lines += [f"!!!   {d}" for d in result.disagreements]
    else:
        lines.append(f"answers: every engine returned the same rows as pyoxigraph on graph.nt at {result.factor}× ({result.checked} answers checked)")
    if result.cold:
        lines.append(f"\ncold start at {result.factor}×: time to the first answer, then the first requests (8 connections, lookups b c d)")
        for name, c in result.cold.items():
            rounds = f" (median of {len(c['rounds'])})" if len(c.get("rounds", ())) > 1 else ""
            lines.append(f"  {name:<16} first answer {c['first_answer_s']:6.2f} s · first {c['requests']:.0f} requests: p50 {c['p50_ms']:.1f} ms, "
                         f"p99 {c['p99_ms']:.1f} ms, max {c['max_ms']:.1f} ms" + (f", {c['errors']:.0f} failed" if c["errors"] else "") + rounds)
        lines += cold_ratios(result)
    return lines


OLD_START = "ours, old start"


def cold_ratios(result: FactorResult) -> list[str]:
    """Old start ÷ ours, round by round (they ran next to each other): how much sooner the first answers come."""
    old, new = result.cold.get(OLD_START), result.cold.get(OURS)
    if not old or not new:
        return []
    pairs = list(zip(old.get("rounds", [old]), new.get("rounds", [new]), strict=False))
    out = []
    for key, label in (("first_answer_s", "time to the first answer"), ("p99_ms", "p99 of the first requests"),
                       ("p50_ms", "p50 of the first requests")):
        ratios = [o[key] / n[key] for o, n in pairs if n[key] > 0]
        if ratios:
            out.append(f"  old start ÷ ours, {label}: {ratio_text(ratios)}×")
    return out


def _case(result: FactorResult, key: str):
    return next((c for c in result.cases if c.key == key), None)


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "not measured"}[ok]


def goals(results: list[FactorResult]) -> list[str]:
    by_factor = {r.factor: r for r in results}
    lines = ["\n=== Goals of issue 18 (answer cache off; ours = gunicorn as in the README, direct, no cache in front)"]

    def worst(factor: int, keys, peer: str) -> tuple[bool | None, str]:
        r = by_factor.get(factor)
        found = []
        for key in keys:
            case = r and _case(r, key)
            if case and OURS in case.runs and peer in case.runs:
                ratios = paired(case.runs[OURS], case.runs[peer])
                if ratios:
                    found.append((statistics.median(ratios), key))
        if not found:
            return None, "no runs"
        low = min(found)
        return low[0] >= 0.5, f"lowest {low[0]:.2f} ({low[1]}) over {len(found)} queries"

    for factor in (1, 100):
        ok, note = worst(factor, LOOKUPS, "oxigraph server")
        lines.append(f"[{_verdict(ok)}] lookups b, c, d, OE example ≥ 0.5× Oxigraph server's req/s at {factor}×: {note}")
    r1 = by_factor.get(1)
    p50 = [(median(c.runs[OURS], "p50_ms"), c.key) for c in (r1.cases if r1 else []) if c.key in LOOKUPS and OURS in c.runs]
    lines.append(f"[{_verdict(max(p50)[0] <= 2 if p50 else None)}] lookups p50 ≤ 2 ms at 1×: "
                 + (f"highest {max(p50)[0]:.2f} ms ({max(p50)[1]})" if p50 else "no runs"))
    r100 = by_factor.get(100)
    sparql_keys = [c.key for c in (r100.cases if r100 else []) if c.query is not None]
    ok, note = worst(100, sparql_keys, "virtuoso")
    lines.append(f"[{_verdict(ok)}] every typical query and example ≥ 0.5× Virtuoso's req/s at 100× (our endpoint, embedded store): {note}")
    # The goal allows either path per query: our endpoint on the embedded store, or on Virtuoso (KG_SPARQL_ENDPOINT).
    best = []
    for key in sparql_keys:
        case = _case(r100, key)
        if "virtuoso" not in case.runs:
            continue
        ratios = [(statistics.median(paired(case.runs[ours], case.runs["virtuoso"])), ours)
                  for ours in (OURS, OURS_ON_VIRTUOSO) if ours in case.runs and paired(case.runs[ours], case.runs["virtuoso"])]
        if ratios:
            best.append((*max(ratios), key))
    if any(path == OURS_ON_VIRTUOSO for _, path, _ in best):
        low = min(best)
        via = sum(path == OURS_ON_VIRTUOSO for _, path, _ in best)
        lines.append(f"[{_verdict(low[0] >= 0.5)}] the same, the better path per query (embedded or KG_SPARQL_ENDPOINT on Virtuoso): "
                     f"lowest {low[0]:.2f} ({low[2]}, {low[1]}); {via} of {len(best)} queries faster via Virtuoso")
    page = r100 and _case(r100, "page")
    rps = median(page.runs[OURS], "rps") if page and OURS in page.runs else None
    lines.append(f"[{_verdict(rps >= 1000 if rps is not None else None)}] /doc/massnahme/N.html ≥ 1,000 req/s at 100× direct: "
                 + (f"{rps:,.0f} req/s" if rps is not None else "no runs")
                 + (f" (nginx static of the same bytes: {median(page.runs['nginx static'], 'rps'):,.0f} req/s)"
                    if page and "nginx static" in page.runs else ""))
    lines.append("[see bench/cache.py] /doc/massnahme/N.html through the nginx cache ≥ 0.5× nginx static (hit): measured there")
    small, large = (by_factor.get(min(by_factor)), by_factor.get(max(by_factor))) if by_factor else (None, None)
    if small and large and small is not large:
        parts, flat = [], True
        for key in ("page", "ttl"):
            a, b = _case(small, key), _case(large, key)
            if a and b and OURS in a.runs and OURS in b.runs:
                k = math.log(median(a.runs[OURS], "rps") / median(b.runs[OURS], "rps")) / math.log(large.factor / small.factor)
                parts.append(f"{key} k = {k:.2f}")
                flat = flat and k <= 0.2
        lines.append(f"[{_verdict(flat if parts else None)}] per-resource page cost flat (k ≤ 0.2, cost ∝ factor^k from req/s), "
                     f"{small.factor}×→{large.factor}× only (1000× not run here): {', '.join(parts) or 'no runs'}")
    else:
        lines.append("[not measured] per-resource page cost flat (k ≤ 0.2): needs two data sizes")
    cold = r100.cold.get(OURS) if r100 else None
    lines.append(f"[{_verdict(cold['p99_ms'] <= 300 if cold else None)}] first requests after a start at 100×: p99 ≤ 0.3 s: "
                 + (f"p99 {cold['p99_ms']:.0f} ms of the first {cold['requests']}, first answer after {cold['first_answer_s']:.2f} s"
                    + (f" (old start: {r100.cold[OLD_START]['first_answer_s']:.2f} s, p99 {r100.cold[OLD_START]['p99_ms']:.0f} ms)"
                       if OLD_START in r100.cold else "")
                    + (f" (Oxigraph server: {r100.cold['oxigraph server']['first_answer_s']:.2f} s, p99 "
                       f"{r100.cold['oxigraph server']['p99_ms']:.0f} ms)" if "oxigraph server" in r100.cold else "")
                    if cold else "no runs"))
    return lines


def render(results: list[FactorResult], settings: str, answers_only: bool = False) -> str:
    lines = []
    for result in results:
        table = factor_table(result, settings)
        lines += [line for line in table if line.startswith(("skipped", "!!!", "answers"))] if answers_only else table
    if not answers_only:
        lines += goals(results)
    return "\n".join(lines)


def as_json(results: list[FactorResult]) -> list[dict]:
    out = []
    for r in results:
        out.append({"factor": r.factor, "triples": r.triples, "seconds": r.seconds, "rounds": r.rounds, "skipped": r.skipped,
                    "checked": r.checked, "disagreements": r.disagreements, "load": r.load, "cold": r.cold,
                    "cases": [{"key": c.key, "title": c.title, "query": c.query is not None,
                               "varies": c.query.varies if c.query is not None else True, "problems": c.problems,
                               "refused": c.refused,
                               "runs": {name: [vars(s) | {"rps": s.rps} for s in runs] for name, runs in c.runs.items()}}
                              for c in r.cases]})
    return out


@dataclass
class SavedQuery:
    varies: bool


@dataclass
class SavedCase:
    key: str
    title: str
    query: SavedQuery | None
    runs: dict[str, list[Stats]]
    problems: dict[str, str]
    refused: dict[str, str]


def from_json(data: list[dict]) -> list[FactorResult]:
    """The results written by --json, to print them again (--render) or as Markdown."""
    from peerlib.queries import varies  # noqa: PLC0415 - only for files written before "varies" was saved

    results = []
    for r in data:
        cases = []
        for c in r["cases"]:
            is_query = c.get("query", c["key"] not in ("page", "ttl"))
            refused = c.get("refused") or {n: p.split(": ", 1)[1] for n, p in c["problems"].items() if ": answered " in p}
            cases.append(SavedCase(c["key"], c["title"], SavedQuery(c.get("varies", varies(c["key"]))) if is_query else None,
                                   {n: [Stats(**{k: v for k, v in s.items() if k != "rps"}) for s in runs] for n, runs in c["runs"].items()},
                                   c["problems"], refused))
        results.append(FactorResult(factor=r["factor"], triples=r["triples"], seconds=r["seconds"], rounds=r["rounds"], cases=cases,
                                    skipped=r["skipped"], disagreements=r["disagreements"], checked=r.get("checked", 0),
                                    cold=r["cold"], load=r.get("load", [])))
    return results


PEERS = ("oxigraph server", "virtuoso", "ours→virtuoso", "rdflib-endpoint")


def markdown(results: list[FactorResult]) -> str:
    """One compact table per data size, for bench/README.md."""
    out = []
    for r in results:
        out += [f"\n**{r.factor}×** ({r.triples:,} triples) – ours: req/s (p50 / p99 ms) [CPU ms per request: web + query "
                f"processes]; peers: req/s · **ours/peer** (paired median) [CPU ms per request]\n",
                "| case | ours, cache off | ours, cache on (hits) | " + " | ".join(PEERS) + " |",
                "|---|---|---|" + "---|" * len(PEERS)]
        for c in r.cases:
            label = (f"{c.key} {c.title}" if len(c.key) == 1 else c.title if c.query is None else f"ex. {c.key}") + (
                " †" if c.query is not None and not c.query.varies else "")
            ours = c.runs.get(OURS)
            def cpu(runs: list[Stats]) -> str:
                found = median_cpu(runs)
                return f" [{cpu_text(found)}]" if found else ""

            cells = [f"{_num(median(ours, 'rps'))} ({median(ours, 'p50_ms'):.1f} / {median(ours, 'p99_ms'):.0f}){cpu(ours)}" if ours else "–"]
            hits = c.runs.get("ours cache on")
            cells.append(f"{_num(median(hits, 'rps'))} ({median(hits, 'p50_ms'):.1f} / {median(hits, 'p99_ms'):.0f}){cpu(hits)}" if hits else "")
            for peer in PEERS if c.query is not None else ("nginx static",):
                if peer in c.refused:
                    cells.append("error ≠")
                    continue
                runs = c.runs.get(peer)
                if not runs:
                    cells.append("")
                    continue
                ratios = paired(ours, runs) if ours else []
                ratio = f"**{_ratio(statistics.median(ratios))}**" if ratios else "**∞** (no answer in the run)"
                cells.append(f"{_num(median(runs, 'rps'))} · {ratio}{cpu(runs)}" + (" ≠" if peer in c.problems else ""))
            if c.query is None:
                cells = cells[:2] + [f"nginx static: {cells[2]}"] + [""] * (len(PEERS) - 1)
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        if r.load:
            out.append(f"\nLoad average during the runs: median {statistics.median(r.load):.1f}, max {max(r.load):.1f} on 2 cores.")
    return "\n".join(out)
