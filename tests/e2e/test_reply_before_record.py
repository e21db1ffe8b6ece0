"""A reply or a poll vote that reaches the bot before the record of the post it answers (the
broadcast commits its records in groups) is still an answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.harness import ADMIN, ALICE, GOOD, GROUP, Harness, say, tg_person, tg_place


async def _post_held_unrecorded(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, topic: str
) -> tuple[dict[str, Any], asyncio.Event, asyncio.Task[None]]:
    """Subscribe, start the 09:00 tick with its records held back: the post, the gate, the tick."""
    assert bot.service is not None
    record = bot.service.record_sent_many
    gate = asyncio.Event()

    async def held(*args: Any) -> None:
        await gate.wait()
        await record(*args)

    monkeypatch.setattr(bot.service, "record_sent_many", held)
    await say(bot, GROUP, ADMIN, "/subscribe 09:00 Asia/Shanghai")
    await say(bot, GROUP, ADMIN, f"/settings topics {topic}")
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    tick = asyncio.create_task(bot.tick())
    [post] = await bot.api.wait_for(
        lambda: [m for m in bot.api.messages(GROUP) if m.get("reply_markup") or m.get("poll")],
        10,
        what="the question",
    )
    return post, gate, tick


async def _release_after_fetch(bot: Harness, gate: asyncio.Event, tick: asyncio.Task[None]) -> None:
    await bot.api.wait_for(lambda: bot.api.pending_updates == 0, 10, what="the update fetched")
    await asyncio.sleep(0.3)  # the handler looked for the post and found no record yet
    gate.set()
    await tick
    await bot.settle()


async def test_a_reply_overtaking_its_posts_record_is_graded(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    post, gate, tick = await _post_held_unrecorded(bot, monkeypatch, "transformer")
    reply = bot.api.send_text(GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    await _release_after_fetch(bot, gate, tick)
    assert bot.api.reactions(GROUP, reply["message"]["message_id"])
    assert bot.service is not None
    card = await bot.service.score_card(tg_place(GROUP), tg_person(ALICE))
    assert card.answered == 1 and card.points > 0


async def test_a_vote_overtaking_its_polls_record_is_scored(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    post, gate, tick = await _post_held_unrecorded(bot, monkeypatch, "optimization")
    bot.api.answer_poll(ALICE, post["poll"]["id"], [1])
    await _release_after_fetch(bot, gate, tick)
    assert bot.service is not None
    card = await bot.service.score_card(tg_place(GROUP), tg_person(ALICE))
    assert (card.answered, card.points) == (1, 10)
