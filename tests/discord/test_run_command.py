"""`quizbot run` as a process with only DISCORD_TOKEN, against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord

from tests.discord.harness import World
from tests.e2e.harness import free_port
from tests.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


async def test_quizbot_run_serves_discord_from_the_configured_api_and_never_logs_the_token(
    fake: FakeDiscord, world: World, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base_url = "{fake.base_url}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "q.db"}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env |= {
        "DISCORD_TOKEN": fake.token,
        "QUIZBOT_CONFIG": str(config),
        "QUIZBOT_HEALTH_PORT": str(free_port()),  # as in the Docker image
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake.wait_for(lambda: fake.gateway.connected.is_set(), 60, "the gateway connection")
        await fake.wait_for(lambda: fake.commands, 60, "the commands")
        done = await fake.slash(world.admin, world.channel, "subscribe", time="09:00")
        health = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "health", env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        report, _ = await health.communicate()
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert "Subscribed" in done.text()
    assert health.returncode == 0 and b'"database": "ok"' in report
    assert process.returncode == 0
    assert fake.calls("GET", "^/gateway/bot$")  # the gateway URL came from the configured API
    log = stderr.decode()
    assert "starting quizbot (discord, all)" in log and fake.token not in log


async def test_quizbot_run_for_discord_without_a_token_says_where_one_comes_from(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DISCORD_TOKEN")}
    env["QUIZBOT_CONFIG"] = str(tmp_path / "none.toml")
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--platform",
        "discord",
        env=env,
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == 2
    assert "DISCORD_TOKEN" in stderr.decode() and "Developer Portal" in stderr.decode()


def test_the_readme_invite_url_asks_for_exactly_the_permissions_the_bot_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [url] = re.findall(r"https://discord\.com/oauth2/authorize\S+", readme)
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, read_message_history=True
    )
    assert int(query["permissions"][0]) == needed.value
