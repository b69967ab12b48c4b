"""Dependencies point one way: accounts at the bottom, quizzes above it, gamification and billing on
top. Read from the source (every import statement, also those inside functions, and apps.get_model
calls), so a shortcut through a lazy import cannot hide."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "quizzes", "gamification", "billing")
FORBIDDEN = {
    "accounts": {"quizzes", "gamification", "billing"},
    "quizzes": {"gamification", "billing"},
}


def apps_referenced(path: Path) -> set[str]:
    """Top-level apps among `path`'s imports and `apps.get_model("app", ...)` calls."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found & set(APPS)


def sources(app: str):
    # Migrations name other apps in their dependencies only as the schema requires; they are not code
    # paths of the app.
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_no_app_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(apps_referenced(path) & FORBIDDEN[app]) for path in sources(app)
    }
    assert {path: names for path, names in offending.items() if names} == {}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_apps_templates_include_no_template_of_an_app_above_it(app):
    offending = {}
    for path in sorted((ROOT / "templates" / app).rglob("*.html")):
        text = path.read_text()
        names = sorted(other for other in FORBIDDEN[app] if f'"{other}/' in text or f"'{other}/" in text)
        if names:
            offending[str(path.relative_to(ROOT))] = names
    assert offending == {}


def test_the_checker_sees_a_lazy_import_and_a_get_model(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n    from gamification.models import Badge\n\n"
        "def g(apps):\n    return apps.get_model('billing', 'Subscription')\n"
    )
    assert apps_referenced(module) == {"gamification", "billing"}


def fixtures_of(conftest: Path) -> set[str]:
    return {
        node.name
        for node in ast.parse(conftest.read_text()).body
        if isinstance(node, ast.FunctionDef)
        and any(ast.unparse(decorator).startswith("pytest.fixture") for decorator in node.decorator_list)
    }


def test_tests_import_helpers_from_tests_helpers_and_only_fixtures_from_conftest_modules():
    """Shared functions and constants live in tests/helpers/; a conftest module is imported only to
    bring one of its fixtures into another directory."""
    not_fixtures = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".conftest"):
                conftest = ROOT.joinpath(*node.module.split(".")).with_suffix(".py")
                names = sorted({alias.name for alias in node.names} - fixtures_of(conftest))
                if names:
                    not_fixtures[str(path.relative_to(ROOT))] = names
    assert not_fixtures == {}
