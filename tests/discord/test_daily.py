"""The daily post in a server channel: who may subscribe, when it arrives, how it is answered."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.discord.harness import BAD, GOOD, Harness, World, answer_in_modal, subscribe_and_post
from tests.fake_discord import buttons, message_text


async def test_a_member_without_manage_server_cannot_subscribe(bot: Harness, world: World) -> None:
    refused = await bot.fake.slash(world.alice, world.channel, "subscribe", time="09:00")
    assert refused.ephemeral
    assert "only members with Manage Server" in refused.text()
    assert await bot.stored_chat(world.channel) is None


async def test_an_admin_subscribes_for_a_minute_ahead_and_the_post_arrives_on_time(
    bot: Harness, world: World
) -> None:
    bot.clock.current = datetime(2026, 11, 27, 0, 59, 30, tzinfo=UTC)  # 08:59:30 in Shanghai
    done = await bot.fake.slash(
        world.admin, world.channel, "subscribe", time="09:00", zone="Asia/Shanghai"
    )
    assert "Subscribed: one question every day at 09:00 (Asia/Shanghai)" in done.text()
    assert "Next: 2026-11-27 09:00" in done.text()
    await bot.tick()
    assert bot.fake.channel_messages(world.channel) == []  # not yet

    bot.clock.current = datetime(2026, 11, 27, 1, 0, 5, tzinfo=UTC)
    await bot.tick()
    [post] = bot.fake.channel_messages(world.channel)
    [embed] = post["embeds"]
    assert embed["title"] == "📝 Question of the day"
    assert "自注意力怎么计算" in embed["description"]
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "Topic": "transformer",
        "Difficulty": "★★",
    }
    assert [b["label"] for b in buttons(post)] == ["✍️ Answer", "💡 Show answer"]
    await bot.tick()
    assert len(bot.fake.channel_messages(world.channel)) == 1  # posted once


async def test_two_members_answer_in_the_form_each_sees_only_their_verdict(
    bot: Harness, world: World
) -> None:
    post = await subscribe_and_post(bot, world)
    right = await answer_in_modal(bot.fake, world.alice, post, GOOD)
    wrong = await answer_in_modal(bot.fake, world.bob, post, BAD)
    assert right.ephemeral and wrong.ephemeral
    assert "Coverage 100%" in right.text()
    assert "Coverage 0%" in wrong.text() and "Missing: 点积、缩放、softmax" in wrong.text()
    assert bot.fake.channel_messages(world.channel) == [post]  # the channel sees nothing
    assert "10 points" in (await bot.fake.slash(world.alice, world.channel, "score")).text()
    assert "0 points" in (await bot.fake.slash(world.bob, world.channel, "score")).text()
    assert message_text(post)
