"""The domain imports only the standard library, eventsourcing.domain, pure libraries of its
field (edtf: EDTF dates; pycountry: ISO 3166 codes) and itself."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "domain"
SOURCES = sorted(DOMAIN.rglob("*.py"))
ALLOWED_THIRD_PARTY = ("eventsourcing.domain", "edtf", "pycountry")
FORBIDDEN = (
    "fastapi",
    "starlette",
    "pydantic",
    "sqlite3",
    "psycopg",
    "api",
    "store",
    "projections",
    "application",
    "entrypoints",
)


def imported_modules(path: Path, root: Path = DOMAIN.parent) -> list[str]:
    """Every module a file under ``root`` imports, made absolute, wherever the statement is."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                modules.append(f"{base}.{node.module}" if node.module else base)
            else:
                modules.append(node.module or "")
    return modules


def allowed(module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if top == "domain":
        return True
    if top in sys.stdlib_module_names and top not in FORBIDDEN:
        return True
    return any(module == name or module.startswith(f"{name}.") for name in ALLOWED_THIRD_PARTY)


def test_the_domain_package_has_sources_to_check():
    assert {path.name for path in SOURCES} >= {"base.py", "talks.py", "occurrence.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_a_domain_module_imports_only_the_standard_library_eventsourcing_and_the_domain(path):
    modules = imported_modules(path)

    assert [module for module in modules if not allowed(module)] == []
    assert [m for m in modules if m.split(".", maxsplit=1)[0] in FORBIDDEN] == []


@pytest.mark.parametrize(
    ("module", "verdict"),
    [
        ("datetime", True),
        ("domain.errors", True),
        ("eventsourcing.domain", True),
        ("eventsourcing.persistence", False),
        ("eventsourcing", False),
        ("sqlite3", False),
        ("fastapi", False),
        ("pydantic", False),
        ("psycopg", False),
        ("store.service", False),
        ("api.app", False),
        ("projections", False),
    ],
)
def test_the_contract_tells_allowed_imports_from_forbidden_ones(module, verdict):
    assert allowed(module) is verdict


def test_imports_are_found_wherever_they_stand(tmp_path):
    source = tmp_path / "domain" / "sneaky.py"
    source.parent.mkdir()
    source.write_text(
        "from . import talks\n"
        "def f():\n"
        "    import fastapi\n"
        "    from store.service import TimelineService\n"
        "if False:\n"
        "    import psycopg\n"
    )

    modules = imported_modules(source, root=tmp_path)

    assert sorted(modules) == ["domain", "fastapi", "psycopg", "store.service"]
    assert sorted(module for module in modules if not allowed(module)) == [
        "fastapi",
        "psycopg",
        "store.service",
    ]
