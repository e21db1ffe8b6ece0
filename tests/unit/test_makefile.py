"""`make run` installs only what running needs; `make test` adds the dev tools."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str, clone: Path) -> str:
    """What `make <target>` would run in a fresh clone (make -n: nothing is installed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}  # under make test
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        capture_output=True,
        text=True,
        cwd=clone,
        env=env,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_no_dev_tools_and_make_test_does(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    run = dry_run("run", tmp_path)
    assert "-m venv .venv" in run and "pip install --quiet -e ." in run
    assert "[dev]" not in run and run.rstrip().endswith(".venv/bin/quizbot run")
    test = dry_run("test", tmp_path)
    assert "pip install --quiet -e '.[dev]'" in test and ".venv/bin/pytest -q" in test
