"""/forget over the real PTB stack: see what is kept, delete it, or cancel."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import (
    ALICE,
    BOB,
    GOOD,
    GROUP,
    Harness,
    say,
    subscribe_and_post,
    texts,
    tg_person,
)

NOTHING = {"attempts": 0, "peeks": 0, "cards": 0, "users": 0}


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """callback_data -> label of a message's inline buttons."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}


async def both_answer(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "transformer")
    await say(bot, GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    await say(bot, GROUP, BOB, GOOD, reply_to_message_id=post["message_id"])


async def test_forget_lists_the_counts_and_the_button_deletes_them_everywhere(
    bot: Harness,
) -> None:
    await both_answer(bot)
    await say(bot, ALICE, ALICE, "/quiz")
    await say(bot, ALICE, ALICE, "/answer")  # a revealed answer and a second review card
    await say(bot, ALICE, ALICE, "/forget")
    prompt = bot.api.messages(ALICE)[-1]
    assert "Answers: 1" in prompt["text"] and "Revealed answers: 1" in prompt["text"]
    assert "Review cards: 2" in prompt["text"] and "name and language" in prompt["text"]
    confirm = f"f:yes:{int(bot.clock.now().timestamp())}"
    assert buttons(prompt) == {confirm: "Delete my data", "f:no": "Cancel"}

    bot.api.press_button(ALICE, ALICE, prompt["message_id"], confirm)
    await bot.settle()
    done = bot.api.message(ALICE, prompt["message_id"])
    assert done is not None and "Deleted 5 rows" in done["text"] and not buttons(done)
    assert bot.service is not None
    assert await bot.service.stored_about(tg_person(ALICE)) == NOTHING
    assert (await bot.service.stored_about(tg_person(BOB)))["attempts"] == 1

    await say(bot, GROUP, BOB, "/top all")
    board = texts(bot.api, GROUP)[-1]
    assert "<b>Bob&" in board and "Alice" not in board
    await say(bot, ALICE, ALICE, "/forget")
    assert texts(bot.api, ALICE)[-1] == "I keep nothing about you."


async def test_cancel_keeps_everything(bot: Harness) -> None:
    await both_answer(bot)
    assert bot.service is not None
    before = await bot.service.stored_about(tg_person(ALICE))
    await say(bot, ALICE, ALICE, "/forget")
    prompt = bot.api.messages(ALICE)[-1]
    bot.api.press_button(ALICE, ALICE, prompt["message_id"], "f:no")
    await bot.settle()
    cancelled = bot.api.message(ALICE, prompt["message_id"])
    assert cancelled is not None and "nothing was deleted" in cancelled["text"]
    assert not buttons(cancelled)
    assert await bot.service.stored_about(tg_person(ALICE)) == before
    await say(bot, GROUP, BOB, "/top all")
    assert "Alice" in texts(bot.api, GROUP)[-1]


async def test_forget_in_a_group_points_to_the_private_chat_whose_link_opens_it(
    bot: Harness,
) -> None:
    await both_answer(bot)
    await say(bot, GROUP, ALICE, "/forget")
    reply = bot.api.messages(GROUP)[-1]
    link = f"https://t.me/{bot.api.bot_user['username']}?start=forget"
    assert "private chat" in reply["text"] and link in reply["text"] and not buttons(reply)
    assert bot.service is not None
    assert (await bot.service.stored_about(tg_person(ALICE)))["attempts"] == 1

    await say(bot, BOB, BOB, "/start forget")
    prompt = bot.api.messages(BOB)[-1]
    assert "作答：1 条" in prompt["text"]
    confirm = f"f:yes:{int(bot.clock.now().timestamp())}"
    assert buttons(prompt) == {confirm: "删除我的数据", "f:no": "取消"}


async def test_an_expired_delete_button_shows_fresh_counts_and_deletes_nothing(
    bot: Harness,
) -> None:
    await both_answer(bot)
    await say(bot, ALICE, ALICE, "/forget")
    prompt = bot.api.messages(ALICE)[-1]
    [old] = [data for data in buttons(prompt) if data.startswith("f:yes")]
    bot.clock.advance(minutes=11)
    await say(bot, ALICE, ALICE, "/quiz")
    await say(bot, ALICE, ALICE, "/answer")  # gathered after the prompt was shown
    bot.api.press_button(ALICE, ALICE, prompt["message_id"], old)
    await bot.settle()
    assert bot.service is not None
    kept = await bot.service.stored_about(tg_person(ALICE))
    assert kept["attempts"] == 1 and kept["peeks"] == 1
    refreshed = bot.api.message(ALICE, prompt["message_id"])
    assert refreshed is not None and "expired" in refreshed["text"]
    assert "Revealed answers: 1" in refreshed["text"]
    [fresh] = [data for data in buttons(refreshed) if data.startswith("f:yes")]
    bot.api.press_button(ALICE, ALICE, prompt["message_id"], fresh)
    await bot.settle()
    assert await bot.service.stored_about(tg_person(ALICE)) == NOTHING
