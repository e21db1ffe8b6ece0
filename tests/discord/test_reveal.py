"""Choice buttons, Show answer, and the reveal that disables the buttons."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import FakeClock
from tests.discord.harness import (
    CHOICE_BANK,
    GOOD,
    Harness,
    World,
    answer_in_modal,
    custom_id,
    subscribe_and_post,
)
from tests.fake_discord import FakeDiscord, buttons, message_text


async def test_a_choice_question_is_answered_by_pressing_an_option(
    fake: FakeDiscord, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    bot = await Harness(fake, tmp_path / "bot.db", clock, bank=CHOICE_BANK).start()
    try:
        post = await subscribe_and_post(bot, world)
        labels = [b["label"] for b in buttons(post)]
        assert labels == ["A. 0.5", "B. 0.9", "C. 0.999", "💡 Show answer"]
        right = await fake.press(world.alice, post, _option(post, 1))
        wrong = await fake.press(world.bob, post, _option(post, 0))
        assert right.ephemeral and right.text() == "✅ Right!"
        assert wrong.ephemeral and "the answer is B" in wrong.text()
        again = await fake.press(world.bob, post, _option(post, 1))
        assert "first answer was scored" in again.text()
        assert fake.channel_messages(world.channel) == [post]
        top = await fake.slash(world.alice, world.channel, "top", period="all")
        assert "1. Alice — 10 points (1 answered)" in top.text()
    finally:
        await bot.stop()


def _option(post: dict[str, object], index: int) -> str:
    return str(buttons(post)[index]["custom_id"])


async def test_show_answer_is_ephemeral_and_forfeits_the_post(bot: Harness, world: World) -> None:
    post = await subscribe_and_post(bot, world)
    shown = await bot.fake.press(world.alice, post, custom_id(post, "quiz:show:"))
    assert shown.ephemeral
    assert "Reference answer" in shown.text() and "Q 与 K 点积" in shown.text()
    assert "scores no points" in shown.text()
    assert bot.fake.channel_messages(world.channel) == [post]

    late = await answer_in_modal(bot.fake, world.alice, post, GOOD)
    assert "You saw the answer first" in late.text()
    assert "0 points" in (await bot.fake.slash(world.alice, world.channel, "score")).text()


async def test_a_post_id_from_another_channel_is_refused(bot: Harness, world: World) -> None:
    post = await subscribe_and_post(bot, world)
    other = bot.fake.add_channel(world.guild, "elsewhere")
    forged = {**post, "channel_id": other}
    shown = await bot.fake.press(world.alice, forged, custom_id(post, "quiz:show:"))
    assert "does not belong here" in shown.text()


async def test_at_the_reveal_the_answer_and_summary_appear_and_the_buttons_are_disabled(
    bot: Harness, world: World
) -> None:
    post = await subscribe_and_post(bot, world)
    await answer_in_modal(bot.fake, world.alice, post, GOOD)
    bot.clock.current = datetime(2026, 11, 27, 13, 1, tzinfo=UTC)  # 12 hours later
    await bot.tick()
    question, reveal = bot.fake.channel_messages(world.channel)
    assert reveal["message_reference"]["message_id"] == post["id"]
    text = message_text(reveal)
    assert "Reference answer" in text and "Q 与 K 点积" in text
    assert "1 answered, average coverage 100%" in text and "🥇Alice 10" in text
    assert question["edited_timestamp"] is not None
    assert buttons(question) and all(b["disabled"] for b in buttons(question))
    late = await answer_in_modal(bot.fake, world.bob, question, GOOD)
    assert "The answer is out" in late.text()
