"""ARCHITECTURE.md's rules, checked on the source: one-way layers, no import circle, no
module importing another module's private names."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "analysis"
LAYERS = ["intake", "stats", "study", "report"]        # a layer imports only from itself and leftwards
ALLOWED = {"intake": {"intake"}, "stats": {"stats"}, "study": {"intake", "stats", "study"},
           "report": {"intake", "stats", "study", "report"}}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, top_level_only: bool):
    """(module imported, names taken from it) of every import statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


def test_layers_import_only_leftwards():
    wrong = []
    for name, path in _modules().items():
        layer = name.split(".")[1] if name.count(".") >= 1 else None
        if layer not in ALLOWED:
            continue
        for module, _ in _imports(path, top_level_only=False):
            parts = module.split(".")
            if parts[0] == "analysis" and len(parts) > 1 and parts[1] in LAYERS and parts[1] not in ALLOWED[layer]:
                wrong.append(f"{name} imports {module}")
    assert not wrong, wrong


def test_no_import_circle():
    modules = _modules()
    graph = {name: {m for m, names in _imports(path, top_level_only=True) if m in modules and m != name}
             | {f"{m}.{n}" for m, names in _imports(path, top_level_only=True) for n in names if f"{m}.{n}" in modules}
             for name, path in modules.items()}
    graph = {k: {m for m in v if m != "analysis"} for k, v in graph.items()}   # the package root is a leaf
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not cycles, cycles


def test_no_private_name_of_another_module_is_imported():
    modules = _modules()        # a private module of a package (the SEM engine) may be imported
    wrong = [f"{name} takes {n} from {module}"
             for name, path in modules.items() for module, names in _imports(path, top_level_only=False)
             if module.startswith("analysis") and module != name
             for n in names if n.startswith("_") and not n.startswith("__") and f"{module}.{n}" not in modules]
    assert not wrong, wrong
