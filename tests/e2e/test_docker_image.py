"""The image's CMD and HEALTHCHECK, run the way the image runs them, without a Docker engine.

The Dockerfile is parsed for its ENV, CMD and HEALTHCHECK; the command runs with that
environment from the repository root (the image's /app). Two things are mapped: the /data
volume to a temporary folder, and the health port to a free one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import free_port
from tests.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def image_environment() -> dict[str, str]:
    """Every ENV of the Dockerfile."""
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def exec_form(instruction: str) -> list[str]:
    """The JSON exec form of CMD, or of HEALTHCHECK's CMD."""
    [arguments] = [a for i, a in dockerfile_instructions() if i == instruction]
    command = json.loads(arguments[arguments.index("[") :])
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def test_the_image_runs_as_a_non_root_user_with_data_in_a_volume() -> None:
    instructions = dockerfile_instructions()
    [user] = [a for i, a in instructions if i == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert any(i == "VOLUME" and "/data" in a for i, a in instructions)
    assert image_environment()["DATABASE_URL"].endswith("////data/quizbot.db")
    assert exec_form("CMD") == ["quizbot", "run"]


async def test_cmd_polls_answers_reports_healthy_and_stops_cleanly_on_sigterm(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.add_user(7, "Admin")
    fake_api.add_chat(-500, "group", "G")
    fake_api.set_admin(-500, 7)
    mounted = tmp_path / "config" / "config.toml"
    mounted.parent.mkdir()
    mounted.write_text(
        f'[telegram]\nbase_url = "{fake_api.base_url}"\n'
        f'base_file_url = "{fake_api.base_file_url}"\n',
        encoding="utf-8",
    )
    image = image_environment()
    volume = tmp_path / "data"
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        **image,
        "DATABASE_URL": image["DATABASE_URL"].replace("////data/", f"///{volume}/"),
        "QUIZBOT_HEALTH_PORT": str(free_port()),
        "QUIZBOT_CONFIG": str(mounted),
        "BOT_TOKEN": fake_api.token,
    }
    cmd, health = exec_form("CMD"), exec_form("HEALTHCHECK")
    process = await asyncio.create_subprocess_exec(
        *cmd, env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake_api.wait_for(lambda: fake_api.calls("getUpdates"), 60, what="polling")
        fake_api.send_text(-500, 7, "/subscribe 09:00 Asia/Shanghai")
        await fake_api.wait_for(lambda: fake_api.messages(-500), 60, what="a reply")
        check = await asyncio.create_subprocess_exec(
            *health, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await check.communicate()
        assert check.returncode == 0
        assert json.loads(out)["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert (volume / "quizbot.db").is_file()
    assert fake_api.token not in stderr.decode()


async def test_healthcheck_fails_when_the_bot_is_not_running(tmp_path: Path) -> None:
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        **image_environment(),
        "QUIZBOT_HEALTH_PORT": str(free_port()),
    }
    check = await asyncio.create_subprocess_exec(
        *exec_form("HEALTHCHECK"), env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await check.communicate()
    assert check.returncode == 1
    assert "cannot reach" in stderr.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"QUIZBOT_MODE": "webhook"}, "webhook mode needs a secret token"),
        (
            {"QUIZBOT_MODE": "webhook", "QUIZBOT_WEBHOOK_SECRET": "abc"},
            "webhook mode needs the public HTTPS address",
        ),
    ],
)
async def test_webhook_mode_refuses_to_start_without_secret_or_url(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        **image_environment(),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/q.db",
        "BOT_TOKEN": "123:abc",
        **extra,
    }
    process = await asyncio.create_subprocess_exec(
        *exec_form("CMD"), env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert message in stderr.decode()
