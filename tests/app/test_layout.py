"""The layout keeps one place per concern: no import cycles, no blueprint package reaching into another, and the
shared web plumbing written once (format choice, CORS, PREFIX lines, caches, local paths)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
# Packages that own a blueprint; only the app factory (server/app.py) wires them together.
BLUEPRINT_PACKAGES = {p.parent.name for p in SERVER.glob("*/views.py")}


def modules() -> dict[str, Path]:
    found = {}
    for path in SERVER.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The server modules a module imports, at module level and inside functions alike."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        out |= {name for name in names if name in known}
    return out


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, set(found)) - {name} for name, path in found.items()}


def test_the_blueprint_packages_are_the_ones_the_readme_names():
    assert BLUEPRINT_PACKAGES == {"catalog", "changes", "drucksache", "dumps", "linkeddata", "pages", "sparql"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in BLUEPRINT_PACKAGES | {"web", "i18n", "releases"}:
        assert f"`server/{package}/`" in readme, package


def test_the_import_graph_of_server_has_no_cycles():
    edges = graph()
    # A package imports its own __init__ implicitly; count only explicit module-to-module imports.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert len(edges) > 40


def test_no_blueprint_package_imports_another_ones_modules():
    crossing = []
    for name, targets in graph().items():
        package = name.split(".")[1] if name.count(".") >= 1 else None
        if package not in BLUEPRINT_PACKAGES:
            continue
        for target in targets:
            other = target.split(".")[1] if target.count(".") >= 1 else None
            if other in BLUEPRINT_PACKAGES and other != package:
                crossing.append(f"{name} imports {target}")
    assert not crossing, crossing


def test_shared_packages_import_no_blueprint_package():
    for name, targets in graph().items():
        if name == "server.app" or name.split(".")[1:2] and name.split(".")[1] in BLUEPRINT_PACKAGES:
            continue
        assert not [t for t in targets if t.split(".")[1:2] and t.split(".")[1] in BLUEPRINT_PACKAGES], name


# concern -> (pattern in source, the one module allowed to contain it)
OWNERS = {
    "reading Accept": (r"accept_mimetypes|best_match\(|parse_media_range|quality_and_fitness", {"server/web/negotiation.py"}),
    "the CORS header": (r"Access-Control-Allow-Origin", {"server/web/cors.py"}),
    "writing PREFIX lines": (r"""f["']PREFIX \{""", {"server/sparql_syntax.py"}),
    "a data IRI's local path": (r"""["']/["']\s*\+\s*\w+\[len\(""", {"server/web/urls.py"}),
    "a cache": (r"lru_cache|OrderedDict|class \w*Cache\b", {"server/caches.py"}),
    "setting Vary: Accept by hand": (r"""vary\.add\(["']Accept|["']Vary["']\]\s*=""", {"server/web/negotiation.py"}),
    "registering an app-wide hook from a blueprint": (r"before_app_request|after_app_request|app_context_processor|"
                                                      r"app_template_global", set()),
}


def test_every_concern_has_one_owner():
    wrong = []
    for concern, (pattern, owners) in OWNERS.items():
        for path in sorted(SERVER.rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if re.search(pattern, path.read_text(encoding="utf-8")) and rel not in owners:
                wrong.append(f"{concern}: {rel}")
    assert not wrong, wrong


def test_views_and_templates_hold_no_sparql():
    """Queries live in queries.py modules; templates get their data from the view, never call into the store."""
    query_text = re.compile(r"""["'](?:SELECT|CONSTRUCT|ASK)\s+[?{(*]|\bWHERE\s*\{\{""")
    for path in sorted(SERVER.rglob("views.py")):
        assert not query_text.search(path.read_text(encoding="utf-8")), path
    for path in sorted(SERVER.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(?:field|unit|group)_overview\(|drucksache_details\(|measure_citation\(|\.store\b|\bselect\(", text), path
