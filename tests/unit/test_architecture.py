"""The layout's rules (docs/architecture.md) hold: import rules checked by import-linter
with the repository's contracts (.importlinter), modules kept short, services never
committing. A broken rule fails here with the tool's own message."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("survey_app", "analytics", "forms")
#: About 500 lines: a module a newcomer can read without scrolling through a book.
MAX_MODULE_LINES = 500


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(tool), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def _source_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_fail_on_a_violation(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    with (tmp_path / "analytics" / "__init__.py").open("a") as module:
        module.write("\nimport sqlalchemy  # noqa\n")
    with (tmp_path / "survey_app" / "services" / "platform" / "phrasing.py").open("a") as module:
        module.write("\nfrom survey_app.services.results import reports  # noqa\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert "analytics is pure: no Flask, no database, nothing of the application BROKEN" in result.stdout
    assert "survey_app.services.platform is not allowed to import" in result.stdout
    assert "survey_app.services.platform.phrasing -> survey_app.services.results.reports" in result.stdout


def test_no_module_is_longer_than_about_500_lines():
    long = {str(path.relative_to(ROOT)): n for path in _source_modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"split these modules by what they do (docs/architecture.md): {long}"


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"commit", "rollback"}]


def test_services_flush_but_never_commit():
    offenders = {str(path.relative_to(ROOT)): lines for path in sorted((ROOT / "survey_app/services").rglob("*.py"))
                 if (lines := _commits(path))}
    assert not offenders, f"services flush, the view or command commits (docs/architecture.md): {offenders}"


@pytest.mark.parametrize("name", ["request", "session", "g", "abort"])
def test_services_never_read_the_request(name):
    offenders = []
    for path in sorted((ROOT / "survey_app/services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask" and any(a.name == name for a in node.names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"services take plain arguments, never flask.{name}: {offenders}"
