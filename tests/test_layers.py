"""The one-way house (issue 15): the import contracts of pyproject.toml hold, and they have teeth.

``lint-imports`` (import-linter) checks the contracts: the layers, the store
knowing nothing of alerts, the API knowing nothing of the dashboard. The same
run on a copy of the package with one forbidden import added must fail and
name it. The API's map view reads its geometry from ``diplowatch.data``, not
from the dashboard's files, which no import contract can see: a test reads the
sources for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "diplowatch"


def lint_imports(config: Path, package_parent: Path = PACKAGE.parent) -> subprocess.CompletedProcess[str]:
    """``lint-imports CONFIG`` in a fresh interpreter, on the package in ``package_parent`` (the checkout's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(package_parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--no-cache", "--no-logo", str(config)],
                          capture_output=True, text=True, env=env, cwd=config.parent, timeout=300)


def test_the_import_contracts_hold():
    done = lint_imports(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("store/reads.py", "from diplowatch.alerts import evaluate", "diplowatch.store is not allowed to import "
                                                                 "diplowatch.alerts"),
    ("store/writes.py", "import diplowatch.write", "diplowatch.store is not allowed to import diplowatch.write"),
    ("api/app.py", "from diplowatch.dashboard.pages import router as _pages",
     "diplowatch.api is not allowed to import diplowatch.dashboard"),
    ("alerts/rules.py", "from diplowatch import api", "diplowatch.alerts is not allowed to import diplowatch.api"),
])
def test_a_forbidden_import_breaks_the_contracts(tmp_path, module, line, broken):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "diplowatch", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "diplowatch" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # added by the test\n", encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    done = lint_imports(tmp_path / "pyproject.toml", copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert broken in done.stdout, done.stdout  # the copy is linted: the checkout has no such import


def test_the_api_reads_no_file_of_the_dashboard():
    """The map geometry is package data of diplowatch.data, read by the API and served by the web app."""
    for path in sorted((PACKAGE / "api").glob("*.py")):
        assert "diplowatch.dashboard" not in path.read_text(encoding="utf-8"), path.name
    geometry = PACKAGE / "data" / "static" / "vendor" / "countries-110m.json"
    assert geometry.is_file() and not (PACKAGE / "dashboard" / "static" / "vendor" / geometry.name).exists()
