"""The layers point inward and no module imports itself back: checked from the sources.

domain  <-  store  <-  projections  <-  application  <-  api, entrypoints

- the domain imports the standard library, ``eventsourcing.domain`` and pure libraries of its
  field only (tests/test_import_contract.py);
- store, projections and application import nothing above them;
- api/ holds HTTP only: besides its own modules it imports the application layer and the
  domain's types; its entry point (api/app.py) also imports the composition
  (entrypoints.bootstrap) and the settings, and the server's protocol (api/server.py) the settings;
- no circle exists among the project's modules, whether imports stand at the top of a module
  or inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "store", "projections", "application", "entrypoints", "api")
#: What each layer may import of the project's packages (itself always).
MAY_IMPORT = {
    "domain": {"domain"},
    "store": {"domain", "store"},
    "projections": {"domain", "store", "projections"},
    "application": {"domain", "store", "projections", "application"},
    "api": {"api", "application", "domain"},
    "entrypoints": set(PACKAGES),
}
#: Modules with more reach than their layer: the HTTP entry point wires the app, and the
#: server's protocol reads its timeout from the settings.
ENTRY_POINTS = {
    "api.app": {"entrypoints.bootstrap", "store.settings"},
    "api.server": {"store.settings"},
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources(root: Path) -> dict[str, Path]:
    """Every module of the project's packages under ``root``, by dotted name."""
    return {
        module_name(path, root): path
        for package in PACKAGES
        if (root / package).is_dir()
        for path in sorted((root / package).rglob("*.py"))
    }


def imports(path: Path, name: str, known: Iterable[str]) -> set[str]:
    """The project modules a file imports, wherever the import stands, made absolute."""
    known = set(known)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from store import migrations`` imports the module store.migrations
            targets = [
                f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known
            ]
            targets = targets or [base]
        for target in targets:
            module = target
            while module and module not in known:
                module = module.rpartition(".")[0]
            if module and module.split(".")[0] in PACKAGES:
                found.add(module)
    found.discard(name)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    found = sources(root)
    return {name: imports(path, name, found) for name, path in found.items()}


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    """Every import a layer may not make, as ``importer -> imported``."""
    bad = []
    for importer, targets in sorted(edges.items()):
        layer = importer.split(".")[0]
        for target in sorted(targets):
            allowed = target.split(".")[0] in MAY_IMPORT[layer]
            if not allowed and target not in ENTRY_POINTS.get(importer, set()):
                bad.append(f"{importer} -> {target}")
    return bad


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def project() -> dict[str, set[str]]:
    return graph(ROOT)


def test_the_checker_sees_every_layer(project):
    assert {name.split(".")[0] for name in project} == set(PACKAGES)
    assert "application.corrections" in project["application.service"]
    assert "application.reads" in project["api.deps"]


def test_no_layer_imports_a_layer_above_it(project):
    assert wrong_way(project) == []


def test_no_module_imports_itself_back_through_others(project):
    assert circles(project) == []


def test_api_holds_http_only_and_nothing_outside_imports_it(project):
    importers = {
        name for name, targets in project.items() if any(t.startswith("api") for t in targets)
    }
    assert {name.split(".")[0] for name in importers} <= {"api", "entrypoints"}
    assert not any(
        name.split(".")[0] in {"store", "projections"} for name in project["api.routes.streams"]
    )
    assert not (ROOT / "api" / "importer.py").exists()
    assert not (ROOT / "api" / "wiring.py").exists()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_catches_a_wrong_way_import_wherever_it_stands(tmp_path):
    write(tmp_path, {
        "application/__init__.py": "",
        "application/service.py": "def f():\n    from api.routes import streams\n",
        "api/__init__.py": "",
        "api/routes/__init__.py": "",
        "api/routes/streams.py": "from application import service\nfrom store.sql import Database\n",
        "store/__init__.py": "",
        "store/sql.py": "",
    })  # fmt: skip

    assert wrong_way(graph(tmp_path)) == [
        "api.routes.streams -> store.sql",
        "application.service -> api.routes.streams",
    ]


def test_the_checker_catches_a_circle_hidden_in_a_function(tmp_path):
    write(tmp_path, {
        "api/__init__.py": "",
        "api/pages.py": "from api.views import read\n",
        "api/views.py": "from api.streams import point\n",
        "api/streams.py": "def page():\n    from api.pages import talks_page\n",
        "api/health.py": "from api import views\n",
    })  # fmt: skip

    assert circles(graph(tmp_path)) == [["api.pages", "api.streams", "api.views"]]
