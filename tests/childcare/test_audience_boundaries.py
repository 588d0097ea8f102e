"""Each audience's views are its own: parents' pages and staff pages share code only through
services, selectors and ``childcare.web``, never through each other's view modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("childcare", "portal", "notifications")
AUDIENCES = ("parents", "backoffice")


def _modules() -> list[tuple[str, bool, str]]:
    """(dotted name, is a package, source) of every Python module in the portal's packages."""
    found = []
    for path in sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found.append((".".join(parts), is_package, path.read_text()))
    return found


def _imported_modules(module: str, is_package: bool, source: str) -> set[str]:
    """Every module imported, relative imports resolved, ``from a import b`` counted as ``a.b`` too."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _violations(modules: list[tuple[str, bool, str]]) -> list[str]:
    found = []
    for module, is_package, source in modules:
        imported = _imported_modules(module, is_package, source)
        for audience in AUDIENCES:
            views = f"childcare.{audience}.views"
            allowed = (
                module == f"childcare.{audience}.urls" or module == views or module.startswith(views + ".")
            )
            if not allowed and any(name == views or name.startswith(views + ".") for name in imported):
                found.append(f"{module} imports {views}")
    return found


def test_no_module_imports_an_audiences_views_except_that_audiences_views_and_urls():
    modules = _modules()
    assert len(modules) > 50, "the source tree was not found"
    assert _violations(modules) == []


@pytest.mark.parametrize(
    ("module", "source", "bad"),
    [
        ("childcare.parents.views.offers", "from childcare.backoffice.views.access import act", True),
        ("childcare.backoffice.views.rounds", "from childcare.parents.views import proofs", True),
        ("childcare.backoffice.views.rounds", "from ...parents.views.proofs import UploadForm", True),
        ("childcare.backoffice.views.rounds", "from ...parents import views", True),
        ("childcare.admissions.offers", "import childcare.parents.views.offers", True),
        ("childcare.parents.views.offers", "from . import proofs", False),
        ("childcare.parents.urls", "from childcare.parents.views import offers", False),
        ("childcare.parents.views.offers", "from childcare.web import run_service", False),
    ],
)
def test_the_check_sees_every_way_of_writing_an_import(module, source, bad):
    """The check itself: absolute, relative and ``from package import module`` forms are all caught."""
    assert bool(_violations([(module, False, source)])) is bad
