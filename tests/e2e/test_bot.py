"""The sixteen scenarios: the real PTB stack over real HTTP against the fake Bot API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.e2e.harness import (
    ADMIN,
    ALICE,
    BOB,
    CHOICE,
    GOOD,
    GROUP,
    OPEN,
    OWNER,
    Harness,
    has_peeked,
    say,
    stored_chat,
    subscribe_and_post,
    texts,
    tg_person,
    tg_place,
)
from tests.fake_bot_api import FakeBotApi, Fault


async def test_admin_subscribes_and_a_tick_posts_the_question_with_both_buttons(
    bot: Harness,
) -> None:
    post = await subscribe_and_post(bot, "transformer")
    assert any("Subscribed" in t and "09:00" in t for t in texts(bot.api, GROUP))
    buttons = [b for row in post["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0]["url"].startswith(f"https://t.me/{bot.api.bot_user['username']}?start=p")
    assert buttons[1]["callback_data"].startswith("a:")
    assert "自注意力" in post["text"] or "多头" in post["text"]


async def test_two_members_are_graded_and_scored_once_even_when_delivered_twice(
    bot: Harness,
) -> None:
    post = await subscribe_and_post(bot, "transformer")
    update = bot.api.send_text(GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    await bot.settle()
    bot.api.redeliver(update)
    await bot.settle()
    await say(bot, GROUP, BOB, "点积", reply_to_message_id=post["message_id"])
    reactions = bot.api.calls("setMessageReaction", GROUP)
    assert len(reactions) >= 2
    assert bot.service is not None
    alice = await bot.service.score_card(tg_place(GROUP), tg_person(ALICE))
    bob = await bot.service.score_card(tg_place(GROUP), tg_person(BOB))
    assert (alice.points, alice.answered) == (10, 1)
    assert (bob.points, bob.answered) == (3, 1)
    assert not any("softmax" in t for t in texts(bot.api, GROUP)[1:])


async def test_a_non_admin_subscribe_is_refused_and_changes_nothing(bot: Harness) -> None:
    await say(bot, GROUP, ALICE, "/subscribe 10:00")
    assert "only group admins" in texts(bot.api, GROUP)[-1]
    assert bot.service is not None
    chat = await stored_chat(bot.service, GROUP)
    assert chat is None or not chat.subscribed


async def test_anonymous_admin_can_subscribe(bot: Harness) -> None:
    bot.api.send_anonymous_admin_text(GROUP, "/subscribe 08:00")
    await bot.settle()
    assert bot.service is not None
    chat = await stored_chat(bot.service, GROUP)
    assert chat is not None and chat.subscribed and chat.post_time == "08:00"


async def test_answer_before_the_reveal_goes_to_the_asker_privately_and_forfeits(
    bot: Harness,
) -> None:
    await subscribe_and_post(bot, "transformer")
    await say(bot, GROUP, ALICE, "/answer")
    private = texts(bot.api, ALICE)
    assert private and "Reference answer" in private[0]
    assert "Sent the answer to Alice privately" in texts(bot.api, GROUP)[-1]
    assert not any("第0段" in t for t in texts(bot.api, GROUP))
    assert bot.service is not None
    post = await bot.service.open_post(tg_place(GROUP), tg_person(ALICE))
    assert post is not None and await has_peeked(bot.service, post.id, ALICE)


async def test_reveal_time_posts_the_split_answer_and_a_summary(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "transformer")
    await say(bot, GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    bot.clock.advance(hours=12)
    await bot.tick()
    await bot.settle()
    reveal = [t for t in texts(bot.api, GROUP) if "段" in t or "answered" in t]
    assert len(reveal) >= 2 and all(len(t) <= 4096 for t in reveal)
    joined = "".join(reveal)
    assert "<b>&</b>" in joined  # escaped on the way out, shown literally
    assert "1 人作答" in reveal[-1] and "Alice 10" in reveal[-1]  # the group's default: zh


async def test_score_and_top_show_the_right_numbers_with_escaped_names(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "transformer")
    await say(bot, GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    await say(bot, GROUP, BOB, GOOD, reply_to_message_id=post["message_id"])
    await say(bot, GROUP, ALICE, "/score")
    assert "10 points" in texts(bot.api, GROUP)[-1]
    await say(bot, GROUP, ALICE, "/top all")
    board = texts(bot.api, GROUP)[-1]
    assert "1. Alice — 10" in board and "1. <b>Bob& — 10" in board
    await say(bot, GROUP, ALICE, "/top year")
    assert "Usage: /top" in texts(bot.api, GROUP)[-1]


async def test_a_choice_question_is_a_quiz_poll_and_poll_answers_score(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "optimization")
    poll = post["poll"]
    assert poll["type"] == "quiz" and not poll["is_anonymous"]
    assert poll["question"] == CHOICE.question
    bot.api.answer_poll(ALICE, poll["id"], [1])
    bot.api.answer_poll(BOB, poll["id"], [0])
    await bot.settle()
    assert bot.service is not None
    assert (await bot.service.score_card(tg_place(GROUP), tg_person(ALICE))).points == 10
    assert (await bot.service.score_card(tg_place(GROUP), tg_person(BOB))).points == 0


async def test_private_practice_gives_a_verdict_and_a_missed_question_returns_first(
    bot: Harness,
) -> None:
    await say(bot, ALICE, ALICE, "/settings topics transformer")
    await say(bot, ALICE, ALICE, "/quiz")
    first = texts(bot.api, ALICE)[-1]
    await say(bot, ALICE, ALICE, "我不知道")
    verdict = texts(bot.api, ALICE)[-1]
    assert "Coverage 0%" in verdict or "Not quite" in verdict
    if "Missing" in verdict:
        assert "点积" in verdict
    bot.clock.advance(minutes=5)
    await say(bot, ALICE, ALICE, "/quiz")
    again = texts(bot.api, ALICE)[-1]
    assert "Review" in again and again.split("\n\n")[1] == first.split("\n\n")[1]


async def test_a_blocked_chat_is_unsubscribed_and_every_other_chat_gets_its_question(
    bot: Harness,
) -> None:
    assert bot.service is not None
    chats = [-600 - i for i in range(12)]
    for chat_id in chats:
        bot.api.add_chat(chat_id, "group", f"G{chat_id}")
        await bot.service.subscribe(tg_place(chat_id), "09:00")
    bot.api.inject("sendMessage", chat_id=chats[3], error=Fault.kicked(), times=None)
    bot.api.inject("sendPoll", chat_id=chats[3], error=Fault.kicked(), times=None)
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    await bot.settle()
    for chat_id in chats:
        sent = bot.api.messages(chat_id)
        assert len(sent) == (0 if chat_id == chats[3] else 1), chat_id
    blocked = await stored_chat(bot.service, chats[3])
    assert blocked is not None and not blocked.subscribed and blocked.disabled_reason


async def test_a_migrated_group_is_moved_and_gets_its_question_once(bot: Harness) -> None:
    await say(bot, GROUP, ADMIN, "/subscribe 09:00")
    bot.api.migrate_group(GROUP, -1009000000001)
    await bot.settle()
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    await bot.settle()
    assert len(bot.api.messages(-1009000000001)) == 1
    assert bot.service is not None
    moved = await stored_chat(bot.service, -1009000000001)
    assert moved is not None and moved.subscribed


async def test_a_send_to_a_group_migrated_unseen_follows_the_new_id(bot: Harness) -> None:
    assert bot.service is not None
    await bot.service.subscribe(tg_place(GROUP), "09:00")
    bot.api.inject("*", chat_id=GROUP, error=Fault.migrated(-1009000000002), times=None)
    bot.api.add_chat(-1009000000002, "supergroup", "Study group")
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    await bot.settle()
    assert len(bot.api.messages(-1009000000002)) == 1
    assert await stored_chat(bot.service, GROUP) is None


async def test_a_429_is_waited_out_and_the_message_sent_once(bot: Harness) -> None:
    assert bot.service is not None
    await bot.service.subscribe(tg_place(GROUP), "09:00")
    await bot.service.configure(tg_place(GROUP), topics=["transformer"])
    bot.api.inject("sendMessage", chat_id=GROUP, error=Fault.too_many_requests(1))
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    await bot.settle()
    assert len(bot.api.calls("sendMessage", GROUP)) == 2
    assert len(bot.api.messages(GROUP)) == 1


@pytest.mark.parametrize("args", ["25:00", "09:00 Mars/Base", "9am tomorrow please"])
async def test_bad_subscribe_arguments_get_a_usage_hint_and_change_nothing(
    bot: Harness, args: str
) -> None:
    await say(bot, GROUP, ADMIN, f"/subscribe {args}")
    assert texts(bot.api, GROUP)[-1].startswith("Usage: /subscribe")
    assert bot.service is not None
    chat = await stored_chat(bot.service, GROUP)
    assert chat is None or not chat.subscribed


async def test_a_bot_down_at_nine_posts_once_when_it_comes_back_within_the_grace(
    fake_api: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    fake_api.add_user(ADMIN, "Admin")
    fake_api.add_chat(GROUP, "group", "Study group")
    fake_api.set_admin(GROUP, ADMIN)
    first = await Harness(fake_api, tmp_path / "bot.db", clock).start()
    fake_api.send_text(GROUP, ADMIN, "/subscribe 09:00")
    await fake_api.wait_idle(quiet=0.15)
    await first.stop()
    clock.current = datetime(2026, 11, 27, 1, 10, tzinfo=UTC)  # 09:10 in Shanghai
    second = await Harness(fake_api, tmp_path / "bot.db", clock).start()
    try:
        await second.tick()
        await second.tick()
        await second.settle()
    finally:
        await second.stop()
    questions = [m for m in fake_api.messages(GROUP) if m.get("reply_markup") or m.get("poll")]
    assert len(questions) == 1


async def test_no_log_line_contains_the_token(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post = await subscribe_and_post(bot, "transformer")
    await say(bot, GROUP, ALICE, GOOD, reply_to_message_id=post["message_id"])
    bot.api.inject("sendMessage", chat_id=ALICE, error=Fault.server_error())
    await say(bot, ALICE, ALICE, "/quiz")
    assert caplog.records
    assert not any(bot.api.token in record.getMessage() for record in caplog.records)
    assert not any(bot.api.token.split(":")[1] in record.getMessage() for record in caplog.records)


async def test_answering_privately_counts_on_the_groups_post_and_leaderboard(
    bot: Harness,
) -> None:
    post = await subscribe_and_post(bot, "transformer")
    payload = post["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
    await say(bot, ALICE, ALICE, f"/start {payload}")
    assert "Answer privately" in texts(bot.api, ALICE)[-1]
    group_before = len(bot.api.messages(GROUP))
    await say(bot, ALICE, ALICE, GOOD)
    assert "Covered" in texts(bot.api, ALICE)[-1]
    assert len(bot.api.messages(GROUP)) == group_before
    assert bot.service is not None
    board = await bot.service.leaderboard(tg_place(GROUP), "all")
    assert [(s.name, s.points) for s in board.standings] == [("Alice", 10)]


async def test_show_answer_button_in_a_group_sends_the_long_answer_privately(
    bot: Harness,
) -> None:
    post = await subscribe_and_post(bot, "transformer")
    bot.api.press_button(
        GROUP,
        BOB,
        post["message_id"],
        post["reply_markup"]["inline_keyboard"][1][0]["callback_data"],
    )
    await bot.settle()
    [answer] = bot.api.calls("answerCallbackQuery")
    assert len(answer.params.get("text", "")) <= 200
    private = texts(bot.api, BOB)
    assert len(private) >= 2 and "参考答案" in private[0]
    assert all(len(t) <= 4096 for t in private)


async def test_a_hundred_answers_do_not_flood_the_group(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "transformer")
    before = len(bot.api.calls("sendMessage", GROUP))
    for user_id in range(1000, 1100):
        bot.api.send_text(GROUP, user_id, GOOD, reply_to_message_id=post["message_id"])
    await bot.api.wait_for(
        lambda: len(bot.api.calls("setMessageReaction", GROUP)) >= 100, 60, what="100 reactions"
    )
    await bot.settle()
    assert len(bot.api.calls("sendMessage", GROUP)) - before <= 20
    assert bot.service is not None
    board = await bot.service.leaderboard(tg_place(GROUP), "all")
    assert len(board.standings) == 10 and board.standings[0].points == 10


async def test_owner_reload_refuses_a_broken_bank_and_keeps_the_old_one(
    bot: Harness, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions:\n  - id: x\n    kind: essay\n", encoding="utf-8")
    bot.app.bot_data.settings = bot.settings.__class__(
        telegram=bot.settings.telegram,
        database=bot.settings.database,
        quiz=bot.settings.quiz,
        bank=bot.settings.bank.__class__(path=str(broken)),
    )
    await say(bot, OWNER, OWNER, "/reload")
    reply = texts(bot.api, OWNER)[-1]
    assert "was not loaded" in reply and "broken.yaml:2" in reply
    assert bot.service is not None and bot.service.bank.get(OPEN.id) is not None
    await say(bot, ALICE, ALICE, "/reload")
    assert "Only the bot's owners" in texts(bot.api, ALICE)[-1]
