"""The layers stay clean: no module imports another module's private (``_name``) symbol or
reads another module's private attribute. (Importing a package-internal *module* such as
``dossierflow.states._graph`` is fine; import-linter checks the direction of the layers.)"""

from __future__ import annotations

import ast
from pathlib import Path

import dossierflow

ROOT = Path(dossierflow.__file__).parent


def _own_names(tree: ast.AST) -> set[str]:
    """The private names a module defines itself (functions, classes, its attributes,
    module globals, slots)."""
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in ("self", "cls"):
            own.add(node.attr)
        elif isinstance(node, ast.Assign):
            own.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            own.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            own.add(node.value)
    return own


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_crosses_a_module() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _own_names(tree)
        where = path.relative_to(ROOT.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dossierflow"):
                package = ROOT.parent / (node.module or "").replace(".", "/")
                found += [f"{where}:{node.lineno} imports {node.module}.{a.name}"
                          for a in node.names if _private(a.name)
                          and not (package / f"{a.name}.py").exists()]
            elif isinstance(node, ast.Attribute) and _private(node.attr) and \
                    node.attr not in own and not (isinstance(node.value, ast.Name)
                                                  and node.value.id in ("self", "cls")):
                found.append(f"{where}:{node.lineno} reads .{node.attr}")
    assert found == []


def test_docs_and_code_cite_the_laws_not_project_notes() -> None:
    """Users have the laws and the public sources, not the project's own notes."""
    repo = ROOT.parent.parent
    texts = [*ROOT.rglob("*.py"), *(repo / "docs").glob("*.md"), repo / "README.md"]
    found = [str(p) for p in texts if p.exists() and "DOMAIN" in p.read_text(encoding="utf-8")]
    assert found == []
