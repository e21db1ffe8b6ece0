"""`quizbot run`, as a process, against a Bot API server at a configured URL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]


async def test_quizbot_run_polls_a_configured_server_and_never_logs_the_token(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.add_user(7, "Admin")
    fake_api.add_chat(-500, "group", "G")
    fake_api.set_admin(-500, 7)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_api.base_url}"\nbase_file_url = "{fake_api.base_file_url}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "q.db"}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_TOKEN": fake_api.token, "QUIZBOT_CONFIG": str(config)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake_api.wait_for(lambda: fake_api.calls("getUpdates"), 60, what="polling")
        fake_api.send_text(-500, 7, "/subscribe 09:00 Asia/Shanghai")
        await fake_api.wait_for(lambda: fake_api.messages(-500), 60, what="a reply")
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert "Subscribed" in fake_api.messages(-500)[-1]["text"]
    assert len(fake_api.calls("setMyCommands")) == 6
    log = stderr.decode()
    assert "starting quizbot" in log and fake_api.token not in log
