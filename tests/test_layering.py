"""The house rules for imports, checked from the source (issue 16): what may import what.

- the core (audit_tool/) never imports Qt (tests/test_safety.py imports every module to prove
  it); here, statically: the store imports nothing above it, the disclosure rules and the
  renderers import no store, the GUI runs no SQL, no import cycles, no module over 600 lines.
Imports under `if TYPE_CHECKING:` are for type hints only and are left out; imports inside a
function count (a cycle hidden in a function is still a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("audit_tool", "ui")
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    found["main"] = ROOT / "main.py"
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path) -> set[str]:
    """Our own modules `name` imports at run time (resolved, submodules included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    out: set[str] = set()

    def add(target: str) -> None:
        # the longest prefix that is one of our modules
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)] if child.level > 1 else base
                    mod = ".".join(base + ([child.module] if child.module else []))
                else:
                    mod = child.module or ""
                for alias in child.names:
                    full = f"{mod}.{alias.name}"
                    add(full if full in MODULES else mod)
            visit(child)

    visit(tree)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_graph_sees_imports():
    # a parser that found nothing would pass every rule below
    assert "audit_tool.store" in GRAPH["audit_tool.audits"]
    assert any(_under(m, "audit_tool") for m in GRAPH["ui.session"])


def test_store_imports_nothing_above_it():
    # the checklist definitions (immutable values) and the plain domain types sit below it
    below = ("audit_tool.store", "audit_tool.errors", "audit_tool.passphrase", "audit_tool.paths",
             "audit_tool.fileio", "audit_tool.checklists.model", "audit_tool.checklists.loader",
             "audit_tool.domain")
    bad = {
        (name, dep)
        for name, deps in GRAPH.items()
        if _under(name, "audit_tool.store")
        for dep in deps
        if not any(_under(dep, b) for b in below)
    }
    assert not bad, sorted(bad)


@pytest.mark.parametrize(
    "layer",
    ["audit_tool.disclosure.rules", "audit_tool.disclosure.cellkey", "audit_tool.disclosure.suppress",
     "audit_tool.disclosure.kanon", "audit_tool.reports.pdf", "audit_tool.reports.docx",
     "audit_tool.reports.charts", "audit_tool.reports.model", "audit_tool.reports.fonts",
     "audit_tool.reports.measure", "audit_tool.formatting"],
)
def test_rules_and_renderers_import_no_store(layer):
    """Disclosure rules and renderers take values: they never read the database."""
    if not any(_under(m, layer) for m in MODULES):
        pytest.fail(f"{layer} is gone: update this list")

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for dep in GRAPH[todo.pop()]:
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    bad = {
        (name, dep)
        for name in GRAPH
        if _under(name, layer)
        for dep in reaches(name)
        if _under(dep, "audit_tool.store")
    }
    assert not bad, sorted(bad)


def test_core_imports_no_gui():
    bad = {(n, d) for n, deps in GRAPH.items() if _under(n, "audit_tool") for d in deps
           if _under(d, "ui")}
    assert not bad, sorted(bad)


def test_gui_runs_no_sql():
    words = (".execute(", ".executemany(", "query_one(", "query_all(", "SELECT ", "INSERT INTO")
    bad = [
        f"{path.relative_to(ROOT)}: {w.strip()}"
        for name, path in MODULES.items()
        if _under(name, "ui")
        for w in words
        if w in path.read_text(encoding="utf-8")
    ]
    assert not bad, bad


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components; any component of two or more is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    # a package's __init__ that re-exports its own submodules is not a cycle worth failing on
    return [c for c in cycles if not all(_under(m, c[0]) for m in c)]


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "b": set()}) == [
        ["a.x", "a.y", "a.z"]
    ]


def test_no_import_cycles():
    found = _cycles(GRAPH)
    assert not found, found


def test_no_module_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long
