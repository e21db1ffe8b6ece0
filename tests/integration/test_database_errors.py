"""Every database problem at `run`, `migrate`, `try --db` and `backup`: one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-secret-password"
COMMANDS = ["run", "migrate", "try", "backup"]


def quizbot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        input="",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd), **env},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def attempt(command: str, url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The command on the database at `url` (for `try`, the file behind it)."""
    env = {"BOT_TOKEN": "123456:never-used", "QUIZBOT_BANK": str(ROOT / "content/questions.yaml")}
    if command == "try":
        return quizbot(
            "try", "--db", url.removeprefix("sqlite+aiosqlite:///"), env=env, cwd=tmp_path
        )
    args = ["backup", str(tmp_path / "copy.db")] if command == "backup" else [command]
    return quizbot(*args, env={**env, "DATABASE_URL": url}, cwd=tmp_path)


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0, (
        result.stderr
    )
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["run", "migrate", "backup"])
def test_a_nonsense_database_url_is_one_line(command: str, tmp_path: Path) -> None:
    result = attempt(command, "not a url at all", tmp_path)
    assert_one_line(result, "not a database URL")


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_postgresql_url_that_cannot_be_opened_is_one_line_without_the_password(
    command: str, tmp_path: Path
) -> None:
    url = f"postgresql+asyncpg://quiz:{PASSWORD}@127.0.0.1:9/quiz"  # nothing listens on port 9
    result = attempt(command, url, tmp_path)
    assert_one_line(result, "cannot open the database postgresql+asyncpg://quiz:")
    assert PASSWORD not in result.stderr + result.stdout
    assert "unsupported" not in result.stderr


def test_backup_of_a_postgresql_url_names_pg_dump_and_hides_the_password(tmp_path: Path) -> None:
    result = attempt("backup", f"postgresql+asyncpg://quiz:{PASSWORD}@127.0.0.1:9/quiz", tmp_path)
    assert_one_line(result, "pg_dump")
    assert PASSWORD not in result.stderr + result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_a_database_is_one_line_and_left_alone(
    command: str, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database\n", encoding="utf-8")
    result = attempt(command, f"sqlite+aiosqlite:///{notes}", tmp_path)
    assert_one_line(result, str(notes), "not an SQLite database")
    assert notes.read_text(encoding="utf-8") == "my notes, not a database\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_as_the_database_is_one_line(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    result = attempt(command, f"sqlite+aiosqlite:///{folder}", tmp_path)
    assert_one_line(result, str(folder), "is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
@pytest.mark.parametrize("command", ["run", "migrate", "try"])
def test_a_read_only_folder_is_one_line(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = attempt(command, f"sqlite+aiosqlite:///{folder / 'q.db'}", tmp_path)
    finally:
        folder.chmod(0o755)
    assert_one_line(result, str(folder), "read-only")


def test_the_read_only_check_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root the folder above is writable anyway; the check still names the folder."""
    from bot.storage import check

    monkeypatch.setattr("bot.storage.check.os.access", lambda *_: False)
    problem = check.sqlite_file_problem(tmp_path / "sub" / "q.db")
    assert problem is not None and "read-only" in problem and str(tmp_path) in problem
