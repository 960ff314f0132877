"""The layering contract (pyproject.toml [tool.importlinter]) holds, and breaking it is caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which(
    "lint-imports"
)
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed")


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the contract over the package in `project` (its own copy, found before any other)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT), str(project / "pyproject.toml"), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "greentech_cli", project / "greentech_cli")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_package_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The CLI reaching the store directly.
        ("cli/search.py", "from greentech_cli.store import contacts", "only through services"),
        # A lower layer importing a higher one (a renderer importing a service) ...
        ("render/labels.py", "from greentech_cli.services.schedule import visits", "Layers"),
        # ... also when the import is only for type checking.
        (
            "exporters/cells.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from greentech_cli.cli import app",
            "Layers",
        ),
        # A cycle inside one layer.
        ("store/common.py", "from greentech_cli.store import contacts", "No import cycles"),
    ],
)
def test_a_forbidden_import_breaks_the_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    project = _copy(tmp_path)
    target = project / "greentech_cli" / module
    target.write_text(target.read_text() + "\n" + line + "\n")
    result = _lint(project)
    assert result.returncode == 1, result.stdout
    broken_part = result.stdout.split("Broken contracts", 1)[1]
    assert broken in broken_part


PACKAGE = ROOT / "greentech_cli"
# cli/ holds one module per command group (each with a register function) besides these.
CLI_FOUNDATION = {"__init__", "app", "coercion", "context", "options", "progress"}


def _modules(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py"))


def test_no_module_is_over_500_lines() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 500} == {}


def test_rooms_stay_small() -> None:
    assert len(_modules(PACKAGE)) <= 10, _modules(PACKAGE)
    assert _modules(PACKAGE / "services") == ["__init__"]  # every service lives in a wing
    for folder in sorted(p.parent for p in PACKAGE.rglob("__init__.py")):
        modules = _modules(folder)
        if folder.parent == PACKAGE / "services":
            assert len(modules) <= 10, (folder.name, modules)
        elif folder == PACKAGE / "cli":
            commands = set(modules) - CLI_FOUNDATION
            for name in commands:
                text = (folder / f"{name}.py").read_text(encoding="utf-8")
                assert "def register(app: typer.Typer)" in text, name
        elif folder != PACKAGE:
            assert len(modules) <= 15, (folder.name, modules)
