"""Every command in the README is run as written, so none goes stale.

Shell blocks (```sh) are collected; each command is either run here, against the fake Bot
API and in temporary folders, or listed in NOT_RUN with the test that covers it instead.
The ```console capture of `quizbot try` is replayed through a pseudo-terminal and must match.
"""

from __future__ import annotations

import configparser
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import ENVIRONMENT
from bot.quiz.bank.loader import load_bank
from tests.e2e.harness import free_port
from tests.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
SEED = ROOT.parent / "shared" / "seed" / "000_7a3e52b117d8218b.txt"
README_TOKEN = "123456:ABC-your-token"

NOT_RUN = {
    "make test": "CI runs it (.ci/run); this test is part of it",
    "docker build -t quizbot .": "no Docker engine here: hadolint lints the Dockerfile and "
    "test_docker_image.py runs its CMD and HEALTHCHECK with its ENV",
    "docker run -d --name quizbot --restart unless-stopped --stop-timeout 120 -e BOT_TOKEN "
    "-v quizbot-data:/data quizbot": "as above",
    "DISCORD_TOKEN=your-bot-token quizbot run": (
        "Discord is not reachable from the tests: tests/discord/test_run_command.py runs "
        "`quizbot run` with DISCORD_TOKEN against the fake Discord"
    ),
    "export DATABASE_URL=postgresql+asyncpg://quiz:secret@db.example.org/quiz": (
        "no such server here: the PostgreSQL suites run on a throw-away server instead"
    ),
    "quizbot copy-db --from sqlite+aiosqlite:///data/quizbot.db --to "
    "postgresql+asyncpg://quiz:secret@db.example.org/quiz": (
        "test_copy_db.py runs it both ways on a throw-away PostgreSQL"
    ),
    "quizbot run --role updates": "test_instances.py runs instances by role on PostgreSQL",
    "quizbot run --role scheduler": "test_instances.py runs three schedulers on PostgreSQL",
    "sudo cp deploy/quizbot.service /etc/systemd/system/ && sudo systemctl enable --now quizbot": (
        "needs root and systemd: test_the_systemd_unit_runs_the_tested_command checks the unit"
    ),
}


def shell_commands() -> list[str]:
    """Every command line in the README's ```sh blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


class Machine:
    """A newcomer's shell: the venv on PATH, a home folder, the bot pointed at the fake API."""

    def __init__(self, api: FakeBotApi, home: Path) -> None:
        self.api = api
        self.home = home
        config = home / "config.toml"
        config.write_text(
            f'[telegram]\nbase_url = "{api.base_url}"\nbase_file_url = "{api.base_file_url}"\n',
            encoding="utf-8",
        )
        self.env = {
            "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "share"),
            "QUIZBOT_CONFIG": str(config),
            "DATABASE_URL": f"sqlite+aiosqlite:///{home / 'quizbot.db'}",
        }

    def run(
        self, command: str, *, cwd: Path = ROOT, stdin: str = "", **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """Run a command to its end."""
        return subprocess.run(
            ["bash", "-c", command],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**self.env, **extra},
            timeout=300,
            check=False,
        )

    def start(self, command: str, **extra: str) -> subprocess.Popen[str]:
        """Start a long-running command in its own process group."""
        return subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    @staticmethod
    def stop(process: subprocess.Popen[str]) -> str:
        """SIGTERM the whole group (as systemd or docker stop would); return stderr."""
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        return stderr


async def run_make_run(machine: Machine, command: str) -> None:
    process = machine.start(command)
    try:
        await machine.api.wait_for(
            lambda: machine.api.calls("getUpdates") or process.poll() is not None,
            240,
            what="polling",
        )
    finally:
        stderr = machine.stop(process)
    assert machine.api.calls("getUpdates"), stderr
    assert README_TOKEN not in stderr


async def run_make_try(machine: Machine, command: str) -> None:
    result = machine.run(command, stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Bye!" in result.stdout and "difficulty" in result.stdout


async def run_try_capture(machine: Machine, command: str) -> None:
    expected = capture()
    assert command == expected[0]
    shown = terminal_session(command, inputs(expected[1:]), machine.env)
    assert [line.rstrip() for line in shown.splitlines()] == expected[1:]


async def run_check_bank(machine: Machine, command: str) -> None:
    result = machine.run(command)
    assert result.returncode == 0, result.stderr
    assert ": OK," in result.stdout


IMPORT = "quizbot import-markdown notes.md --out content/bank/imported.yaml"
CHECK_IMPORTED = "quizbot check-bank content/questions.yaml"


async def run_import_flow(machine: Machine, command: str) -> None:
    """The documented flow on a copy of the bank: import, include, check-bank (as /reload)."""
    work = machine.home / "notes"
    shutil.copytree(ROOT / "content", work / "content")
    shutil.copy(SEED, work / "notes.md")
    before = len(load_bank(work / "content" / "questions.yaml").ready())
    result = machine.run(IMPORT, cwd=work)
    assert result.returncode == 0, result.stderr
    assert len(load_bank(work / "content/bank/imported.yaml").ready()) == 3
    [snippet] = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "imported" in b]
    [line] = [line for line in snippet.splitlines() if "imported.yaml" in line]
    entry = work / "content" / "questions.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("include:\n", f"include:\n{line}\n", 1), encoding="utf-8")
    result = machine.run(CHECK_IMPORTED, cwd=work)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"OK, {before + 3} ready questions" in result.stdout
    # /reload loads the configured entry file with the same loader as check-bank.
    assert len(load_bank(entry).ready()) == before + 3


async def run_webhook(machine: Machine, command: str) -> None:
    ports = {"QUIZBOT_WEBHOOK_PORT": str(free_port()), "QUIZBOT_HEALTH_PORT": str(free_port())}
    process = machine.start(command, BOT_TOKEN=README_TOKEN, **ports)
    try:
        await machine.api.wait_for(
            lambda: machine.api.webhook_url or process.poll() is not None, 120, what="setWebhook"
        )
        # As the Docker HEALTHCHECK asks: the flag --webhook is not in its environment.
        on_health_port = machine.run(
            "quizbot health", QUIZBOT_HEALTH_PORT=ports["QUIZBOT_HEALTH_PORT"]
        )
        on_webhook_port = machine.run(
            "quizbot health",
            QUIZBOT_MODE="webhook",
            QUIZBOT_WEBHOOK_PORT=ports["QUIZBOT_WEBHOOK_PORT"],
        )
    finally:
        stderr = machine.stop(process)
    assert machine.api.webhook_url == "https://quiz.example.org/telegram", stderr
    assert on_health_port.returncode == 0, on_health_port.stderr
    assert on_webhook_port.returncode == 0, on_webhook_port.stderr
    assert "change-me" not in stderr


async def run_health(machine: Machine, command: str) -> None:
    port = str(free_port())
    process = machine.start("quizbot run", BOT_TOKEN=README_TOKEN, QUIZBOT_HEALTH_PORT=port)
    try:
        await machine.api.wait_for(lambda: machine.api.calls("getUpdates"), 120, what="polling")
        result = machine.run(command, QUIZBOT_HEALTH_PORT=port)
    finally:
        machine.stop(process)
    assert result.returncode == 0, result.stderr
    assert '"database": "ok"' in result.stdout


async def run_backup(machine: Machine, command: str) -> None:
    assert machine.run("quizbot migrate").returncode == 0
    result = machine.run(command, cwd=machine.home)
    assert result.returncode == 0, result.stderr
    assert (machine.home / "backup.db").read_bytes().startswith(b"SQLite format 3")


async def run_migrate(machine: Machine, command: str) -> None:
    result = machine.run(command)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (machine.home / "quizbot.db").is_file()


RUNNERS: dict[str, Callable[[Machine, str], Awaitable[None]]] = {
    f"BOT_TOKEN={README_TOKEN} make run": run_make_run,
    "make try": run_make_try,
    "quizbot check-bank": run_check_bank,
    "quizbot check-bank content/examples/sample.yaml --stats": run_check_bank,
    IMPORT: run_import_flow,
    CHECK_IMPORTED: run_import_flow,
    "QUIZBOT_WEBHOOK_URL=https://quiz.example.org "
    "QUIZBOT_WEBHOOK_SECRET=change-me-to-a-long-random-token quizbot run --webhook": run_webhook,
    "quizbot health": run_health,
    "quizbot backup backup.db": run_backup,
    "quizbot migrate": run_migrate,
}


def test_every_readme_command_is_run_here_or_covered_elsewhere() -> None:
    commands = shell_commands()
    assert len(commands) == len(set(commands))
    assert set(commands) == set(RUNNERS) | set(NOT_RUN)


@pytest.mark.parametrize("command", list(RUNNERS))
async def test_readme_command_works_as_written(command: str, tmp_path: Path) -> None:
    async with FakeBotApi(token=README_TOKEN) as api:
        await RUNNERS[command](Machine(api, tmp_path), command)
    assert api.internal_errors == [] and api.schema_errors() == []


def capture() -> list[str]:
    """The README's terminal capture: the `$ command` line, then what the terminal shows."""
    [block] = re.findall(r"```console\n(.*?)```", README, re.S)
    lines = [line.rstrip() for line in block.splitlines()]
    assert lines[0].startswith("$ ")
    return [lines[0][2:], *lines[1:]]


def inputs(shown: list[str]) -> list[str]:
    """What the user typed: the text after each `> ` or `… ` prompt."""
    return [line[2:] for line in shown if line in (">", "…") or line.startswith(("> ", "… "))]


async def test_the_try_capture_is_what_the_terminal_shows(tmp_path: Path) -> None:
    async with FakeBotApi(token=README_TOKEN) as api:
        machine = Machine(api, tmp_path)
        await run_try_capture(machine, "quizbot try --bank content/examples/sample.yaml")


def terminal_session(command: str, typed: list[str], env: dict[str, str]) -> str:
    """Run `command` on a pseudo-terminal, typing each line when a prompt waits for it."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        ["bash", "-c", command],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env={**env, "TERM": "dumb"},
    )
    os.close(follower)
    pending = list(typed)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if select.select([leader], [], [], 0.3)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the program exited and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                continue
            waiting = output.decode(errors="replace").endswith(("> ", "… "))
            if pending and waiting:
                os.write(leader, (pending.pop(0) + "\n").encode())
            elif process.poll() is not None:
                break
    finally:
        os.close(leader)
        process.wait(30)
    assert not pending, f"the session ended before the input {pending[0]!r}"
    return output.decode().replace("\r\n", "\n")


def test_the_systemd_unit_runs_the_tested_command() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "quizbot.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].split("/")[-1] == "quizbot run"
    assert service["ExecStart"].startswith(service["WorkingDirectory"] + "/.venv/bin/")
    assert service["User"] != "root"
    for line in service.get("Environment", "").splitlines():
        assert line.split("=", 1)[0] in ENVIRONMENT, line
