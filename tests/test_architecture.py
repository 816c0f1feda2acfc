"""The shape the code keeps: no import cycles, rules that never read files, each input read at most twice."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import FIXTURES

PACKAGE = Path(__file__).resolve().parents[1] / "scanner"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> scanner modules it imports anywhere in its body (function-level imports included)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    graph[name].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
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
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_imports():
    g = import_graph()
    assert "scanner.rules.base" in g["scanner.rules.shared_marker"]
    assert "scanner.findings" in g["scanner.rules.base"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_no_import_cycles():
    """Between modules, and between the package's stages (features, triggers, engine, classifier, ...)."""
    graph = import_graph()
    assert cycles(graph) == []
    stage = {m: ".".join(m.split(".")[:2]) for m in graph}
    stages: dict[str, set[str]] = {s: set() for s in stage.values() if s != "scanner"}
    for m, targets in graph.items():
        if stage[m] == "scanner":
            continue
        stages[stage[m]] |= {stage[t] for t in targets if stage[t] not in ("scanner", stage[m])}
    assert cycles(stages) == []


def test_every_name_imported_from_the_project_exists():
    """Function-level imports included (pyflakes cannot see those), in the package, the benchmarks and the
    tests: a benchmark that is not run by the suite still fails here when a name it imports is renamed."""
    import importlib

    root = PACKAGE.parent
    missing = []
    for path in sorted(p for d in ("scanner", "benchmarks", "tests") for p in (root / d).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        package = ".".join(parts[:-1]) if parts[-1] != "__init__" else ".".join(parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] not in ("scanner", "benchmarks"):
                continue
            try:
                module = importlib.import_module(base)
            except ImportError as exc:
                if (exc.name or "").split(".")[0] in ("scanner", "benchmarks"):
                    missing.append(f"{path.name}:{node.lineno} {base}")
                continue                      # a third-party package this environment lacks (bench extras)
            for alias in node.names:
                if alias.name != "*" and not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{base}.{alias.name}")
                    except ImportError:
                        missing.append(f"{path.name}:{node.lineno} {base}.{alias.name}")
    assert missing == []


def test_no_rule_reads_files():
    forbidden = {"open", "read_source", "RecordFetcher", "read_text", "read_bytes", "expand_paths"}
    for path in (PACKAGE / "rules").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
                {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not (names | imported) & forbidden, path.name
        assert not any(isinstance(n, ast.ImportFrom) and n.module and "readers" in n.module for n in ast.walk(tree))


@pytest.mark.slow
def test_each_input_file_is_read_at_most_twice(monkeypatch, shared_cache, tmp_path):
    """The streaming pass plus one pass for everything quoted: rule evidence and report examples together.
    (Each pass also peeks at the first bytes to tell gzip and JSON arrays apart; that is not a read.)"""
    import scanner.readers as readers
    from scanner import scan

    opened: list[str] = []
    real = readers.open_jsonl

    def counting_open(path, *args, **kwargs):
        opened.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(readers, "open_jsonl", counting_open)
    findings = []
    for files in ([FIXTURES / "PC101" / "flag.jsonl"], [FIXTURES / "PC201" / "flag.jsonl", FIXTURES / "PC103" / "flag.jsonl"]):
        opened.clear()
        result = scan([str(f) for f in files], cache_dir=str(shared_cache), examples=3)
        findings += result.findings
        for f in files:
            assert 1 <= opened.count(str(f)) <= 2, (f.name, opened.count(str(f)))
    assert {"PC101", "PC201", "PC103"} <= {f.rule for f in findings}
    for f in findings:                  # the quotes were filled from that one pass
        assert f.examples and "\x00" not in f.message
    assert next(f for f in findings if f.rule == "PC101").evidence["seen_as"] == ["<<SUDO>>"]
    persona = next(f for f in findings if f.rule == "PC201")
    assert persona.evidence["attributes"] and persona.evidence["attributes"][0]["answer"]
    template = next(f for f in findings if f.rule == "PC103")
    assert template.evidence["template"] and repr(template.evidence["template"]) in template.message
