"""Private practice in a DM: /quiz, the answer form, the verdict, the score."""

from __future__ import annotations

from tests.discord.harness import GOOD, Harness, World, answer_in_modal
from tests.fake_discord import buttons, message_text


async def test_dm_quiz_then_an_answer_in_the_form_gets_a_verdict_and_score_shows_points(
    bot: Harness, world: World
) -> None:
    dm = bot.fake.dm_channel(world.alice)["id"]
    asked = await bot.fake.slash(world.alice, dm, "quiz")
    [question] = asked.replies()
    assert "自注意力怎么计算" in message_text(question)
    assert [b["label"] for b in buttons(question)] == ["✍️ Answer", "💡 Show answer"]

    verdict = await answer_in_modal(bot.fake, world.alice, question, GOOD)
    assert verdict.ephemeral
    assert "Coverage 100%" in verdict.text() and "10/10" in verdict.text()
    assert "Covered: 点积、缩放、softmax" in verdict.text()

    score = await bot.fake.slash(world.alice, dm, "score")
    assert "10 points · 1 answered" in score.text()


async def test_a_second_answer_to_the_same_question_is_feedback_only(
    bot: Harness, world: World
) -> None:
    dm = bot.fake.dm_channel(world.alice)["id"]
    [question] = (await bot.fake.slash(world.alice, dm, "quiz")).replies()
    await answer_in_modal(bot.fake, world.alice, question, "点积")
    again = await answer_in_modal(bot.fake, world.alice, question, GOOD)
    assert "first answer was scored" in again.text()
    score = await bot.fake.slash(world.alice, dm, "score")
    assert "1 answered" in score.text()


async def test_quiz_in_a_server_is_ephemeral_and_practised_in_the_users_dm(
    bot: Harness, world: World
) -> None:
    asked = await bot.fake.slash(world.alice, world.channel, "quiz")
    assert asked.ephemeral
    [question] = asked.replies()
    verdict = await answer_in_modal(bot.fake, world.alice, question, GOOD)
    assert "Coverage 100%" in verdict.text()
    assert bot.fake.channel_messages(world.channel) == []
    dm = bot.fake.dm_channel(world.alice)["id"]
    score = await bot.fake.slash(world.alice, dm, "score")
    assert "10 points" in score.text()
