"""The built wheel, installed with a single extra into a fresh virtual environment.

These tests build the wheel once per test session (``pip wheel``) and install it into new
venvs with pip, which needs PyPI or pip's cache: marked ``packaging`` (about a minute).
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.processes import ROOT

pytestmark = pytest.mark.packaging

PROJECT_TESTS = """
import sys


def test_without_the_fixture():
    # The plugin loaded for this project's own test and pulled in none of the emulator's stack.
    assert "scalekit_emulator.pytest_plugin" in sys.modules
    assert not {"starlette", "uvicorn"} & {name.split(".")[0] for name in sys.modules}


def test_with_the_fixture(scalekit_emulator):
    pass
"""

NO_EMULATOR_DEPENDENCIES = (
    "import sys, scalekit_emulator.pytest_plugin; "
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'starlette', 'uvicorn'}); "
    "assert not loaded, loaded"
)


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("scalekit_integrations-*.whl")
    return path


def install(tmp_path: Path, wheel: Path, extra: str) -> Path:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", f"{wheel}[{extra}]", "pytest")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return python


@pytest.mark.parametrize(
    ("extra", "adapter"), [("flask", "scalekit_flask"), ("django", "scalekit_django")]
)
def test_pytest_plugin_loads_without_the_emulator_extra(
    tmp_path: Path, wheel: Path, extra: str, adapter: str
) -> None:
    python = install(tmp_path, wheel, extra)

    imported = run(python, "-c", f"import {adapter}; {NO_EMULATOR_DEPENDENCIES}")
    assert imported.returncode == 0, imported.stdout + imported.stderr

    project = tmp_path / "project"
    project.mkdir()
    (project / "test_project.py").write_text(PROJECT_TESTS, encoding="utf-8")
    result = run(python, "-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    output = result.stdout + result.stderr
    assert "Error while loading plugin" not in output, output
    assert result.returncode == 1, output
    assert "1 passed, 1 error" in output, output
    assert 'pip install "scalekit-integrations[emulator]"' in output, output


def test_wheel_ships_the_license_and_the_changelog(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = next(name.split("/")[0] for name in names if ".dist-info/" in name)
    assert f"{dist_info}/licenses/LICENSE" in names
    assert f"{dist_info}/extra_metadata/CHANGELOG.md" in names
    license_text = zipfile.ZipFile(wheel).read(f"{dist_info}/licenses/LICENSE").decode()
    assert "Copyright (c) 2026 The scalekit-integrations authors" in license_text
