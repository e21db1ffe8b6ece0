"""`quizbot run` as a process when it cannot start or cannot poll: one line each, no secret."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import sys
from pathlib import Path

from tests.fake_bot_api import FakeBotApi, Fault

ROOT = Path(__file__).resolve().parents[2]
WRONG_TOKEN = "999999:WRONG-token-that-the-server-rejects_0123"
CONFLICT = Fault(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running",
)


def _config(tmp_path: Path, base_url: str, bank: str = "") -> Path:
    config = tmp_path / "config.toml"
    text = (
        f'[telegram]\nbase_url = "{base_url}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "q.db"}"\n'
    )
    if bank:
        text += f'[bank]\npath = "{bank}"\n'
    config.write_text(text, encoding="utf-8")
    return config


async def _run(config: Path, token: str) -> tuple[int, str, str]:
    env = {**os.environ, "BOT_TOKEN": token, "QUIZBOT_CONFIG": str(config)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_rejected_token_is_one_line_that_never_shows_the_token(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    code, out, err = await _run(_config(tmp_path, fake_api.base_url), WRONG_TOKEN)
    # The fake answers 401 to a token it does not know (PTB: InvalidToken).
    assert code == 2
    assert WRONG_TOKEN not in out + err and "WRONG-token" not in out + err
    assert "Traceback" not in err
    stops = [line for line in err.splitlines() if "quizbot stopped" in line]
    assert len(stops) == 1 and "rejected the bot token" in stops[0], err
    assert "alembic" not in err.lower(), err  # Alembic's INFO lines stay quiet


async def test_no_network_says_the_bot_api_cannot_be_reached_not_that_the_token_was_refused(
    tmp_path: Path,
) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}/bot"
    code, out, err = await _run(_config(tmp_path, base_url), WRONG_TOKEN)
    assert code == 2
    assert "cannot reach the Bot API" in err and "refused to start" not in err, err
    assert "WRONG-token" not in out + err and "Traceback" not in err
    assert [line for line in err.splitlines() if " INFO alembic" in line] == []


async def test_a_second_instance_polling_is_one_line_then_a_back_off(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.inject("getUpdates", error=CONFLICT, times=None)
    env = {
        **os.environ,
        "BOT_TOKEN": fake_api.token,
        "QUIZBOT_CONFIG": str(_config(tmp_path, fake_api.base_url)),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake_api.wait_for(lambda: len(fake_api.calls("getUpdates")) >= 4, 60, what="polls")
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    log = stderr.decode()
    assert "Traceback" not in log, log
    conflicts = [line for line in log.splitlines() if "another instance is polling" in line]
    assert len(conflicts) == 1, log
    times = [call.time for call in fake_api.calls("getUpdates")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.9 for gap in gaps[:3]), gaps  # PTB's back-off: 1 s, 1.5 s, 2.25 s ...
    assert fake_api.token not in log


async def test_a_bank_without_a_ready_question_stops_the_bot_with_one_line(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "questions:\n  - id: d1\n    kind: open\n    status: draft\n    question: 草稿？\n"
        "    answer: ''\n",
        encoding="utf-8",
    )
    code, _, err = await _run(_config(tmp_path, fake_api.base_url, str(bank)), fake_api.token)
    assert code == 2, err
    assert err.strip().count("\n") == 0 and "no ready question" in err and str(bank) in err, err
    assert fake_api.calls("getMe") == []
