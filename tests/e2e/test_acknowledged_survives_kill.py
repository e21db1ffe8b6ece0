"""An answer the bot has acknowledged is committed: `quizbot run` killed with SIGKILL the moment
its acknowledgement reaches the Bot API (the private verdict, or the group reaction) has still
stored the attempt, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.quiz.bank.loader import load_bank
from bot.quiz.records import Address, ChatKind, Person, Place
from bot.quiz.service import QuizService
from bot.storage.database import SqlDatabase
from tests.fake_bot_api import FakeBotApi
from tests.postgres import fresh_database

ROOT = Path(__file__).resolve().parents[2]
USER = 5151
GROUP = -1_000_000_777
ANSWER = "先点积，再除以根号d缩放，最后 softmax"
BANK = """\
meta:
  title: one question
  language: zh
  version: "1"
questions:
  - id: attn
    kind: open
    question: 自注意力怎么计算？
    tags: [transformer]
    answer: 点积、缩放、softmax。
    key_points:
      - point: 点积
        aliases: [dot product]
      - point: 缩放
        aliases: [根号d]
      - point: softmax
"""


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "postgres":
        async with fresh_database(request.getfixturevalue("postgres_url")) as fresh:
            yield fresh
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"


async def _start(api: FakeBotApi, url: str, folder: Path) -> asyncio.subprocess.Process:
    bank = folder / "questions.yaml"
    bank.write_text(BANK, encoding="utf-8")
    config = folder / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{api.base_url}"\nbase_file_url = "{api.base_file_url}"\n'
        f'rate_limit = false\n[database]\nurl = "{url}"\n[bank]\npath = "{bank}"\n'
        "[quiz]\ntick_seconds = 1\n",
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_TOKEN": api.token, "QUIZBOT_CONFIG": str(config)}
    with (folder / "bot.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=log, stderr=log
        )


async def _kill_now(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL


async def _attempts(url: str, folder: Path) -> int:
    database = await SqlDatabase.open(url)
    try:
        service = QuizService(database, load_bank(folder / "questions.yaml"))
        kept = await service.stored_about(Person(Address("telegram", str(USER)), "Dana"))
    finally:
        await database.close()
    return kept["attempts"]


async def _group_due_now(url: str, folder: Path) -> None:
    (folder / "questions.yaml").write_text(BANK, encoding="utf-8")
    database = await SqlDatabase.open(url)
    try:
        service = QuizService(database, load_bank(folder / "questions.yaml"))
        place = Place(Address("telegram", str(GROUP)), ChatKind.GROUP, "Study")
        chat = await service.subscribe(place, "09:00", "Asia/Shanghai")
        async with database.transaction() as tx:
            await tx.chats.update(
                chat.id, {"next_post_at": datetime.now(UTC) - timedelta(minutes=1)}
            )
    finally:
        await database.close()


async def test_a_private_verdict_means_the_attempt_is_stored(
    fake_api: FakeBotApi, url: str, tmp_path: Path
) -> None:
    fake_api.add_user(USER, "Dana", language_code="en")
    process = await _start(fake_api, url, tmp_path)
    try:
        await fake_api.wait_for(lambda: fake_api.calls("getUpdates"), 60, what="polling")
        fake_api.send_text(USER, USER, "/quiz")
        await fake_api.wait_for(lambda: fake_api.messages(USER), 30, what="a question")
        fake_api.send_text(USER, USER, ANSWER)
        await fake_api.wait_for(lambda: len(fake_api.messages(USER)) >= 2, 30, what="a verdict")
        await _kill_now(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    fake_api.internal_errors.clear()  # the killed client never read its last answers
    assert await _attempts(url, tmp_path) == 1


async def test_a_group_reaction_means_the_attempt_is_stored(
    fake_api: FakeBotApi, url: str, tmp_path: Path
) -> None:
    fake_api.add_user(USER, "Dana", language_code="en")
    fake_api.add_chat(GROUP, "supergroup", "Study")
    await _group_due_now(url, tmp_path)
    process = await _start(fake_api, url, tmp_path)
    try:
        posts = await fake_api.wait_for(lambda: fake_api.messages(GROUP), 60, what="the question")
        answer = fake_api.send_text(GROUP, USER, ANSWER, reply_to_message_id=posts[0]["message_id"])
        mine = answer["message"]["message_id"]
        await fake_api.wait_for(lambda: fake_api.reactions(GROUP, mine), 30, what="a reaction")
        await _kill_now(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    fake_api.internal_errors.clear()
    assert fake_api.reactions(GROUP, mine)[0]["emoji"] != "👀"  # counted, not a repeat
    assert await _attempts(url, tmp_path) == 1
