"""Packaging: every module imports, from the installed package too, and no package is left out."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import greentech_cli

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "greentech_cli"

# Run from a folder outside the repository: walks and imports whatever greentech_cli is installed.
WALK_INSTALLED = """
import importlib, json, pkgutil, sys
import greentech_cli
failed = {}
def onerror(name):
    failed[name] = repr(sys.exc_info()[1])
names = [m.name for m in pkgutil.walk_packages(greentech_cli.__path__, "greentech_cli.", onerror)]
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
print(json.dumps({"path": list(greentech_cli.__path__), "modules": names, "failed": failed}))
"""


def _source_modules() -> set[str]:
    """Every module and package in the source tree, by dotted name."""
    names = {"greentech_cli"}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_imports() -> None:
    failed: dict[str, str] = {}

    def onerror(name: str) -> None:
        failed[name] = repr(sys.exc_info()[1])

    modules = [
        module.name
        for module in pkgutil.walk_packages(greentech_cli.__path__, "greentech_cli.", onerror)
    ]
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed[name] = repr(exc)
    assert failed == {}
    assert {"greentech_cli", *modules} == _source_modules()


def test_every_module_imports_from_the_installed_package(tmp_path: Path) -> None:
    """Outside the repository, `import greentech_cli` finds the installed copy: all of it."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", WALK_INSTALLED],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    installed = json.loads(result.stdout.splitlines()[-1])
    assert installed["failed"] == {}
    assert {"greentech_cli", *installed["modules"]} == _source_modules(), installed["path"]


def _setup_packages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `packages` that setup.py hands to setuptools, read by running setup.py itself."""
    import setuptools

    given: dict[str, Any] = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: given.update(kwargs))
    monkeypatch.chdir(ROOT)  # find_packages() looks in the current folder, as in a build
    runpy.run_path(str(ROOT / "setup.py"), run_name="__main__")
    return list(given["packages"])


def test_setup_finds_every_package_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new wing (a folder with an __init__.py) cannot drop out of the wheel."""
    packages = _setup_packages(monkeypatch)
    assert "greentech_cli.data" in packages  # data/ ships inside the package
    folders = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in SOURCE.rglob("__init__.py")
    }
    assert set(packages) - {"greentech_cli.data"} == folders
    assert len(packages) == len(set(packages))


def test_every_folder_with_modules_is_a_package() -> None:
    """A folder of modules without an __init__.py would be a namespace package: not in the wheel."""
    with_modules = {path.parent for path in SOURCE.rglob("*.py")}
    assert (
        sorted(str(d.relative_to(ROOT)) for d in with_modules if not (d / "__init__.py").exists())
        == []
    )
