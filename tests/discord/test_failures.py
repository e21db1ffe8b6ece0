"""What goes wrong: bad options, lost channels and permissions, 429s, a dropped gateway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.discord.harness import GOOD, Harness, World, answer_in_modal, subscribe_and_post
from tests.fake_discord import message_text


async def test_top_names_a_member_called_everyone_without_pinging_anyone(
    bot: Harness, world: World
) -> None:
    post = await subscribe_and_post(bot, world)
    await answer_in_modal(bot.fake, world.bob, post, GOOD)
    top = await bot.fake.slash(world.alice, world.channel, "top", period="week")
    assert not top.ephemeral
    [shown] = top.replies()
    assert shown in bot.fake.channel_messages(world.channel)
    text = message_text(shown)
    assert "Bob <b>& @\u200beveryone — 10 points" in text  # inert: no @everyone left in it
    [sent] = bot.fake.calls("POST", f"/webhooks/.*/{top.token}$")
    assert sent.body["allowed_mentions"]["parse"] == []


async def test_a_bad_time_zone_or_period_gets_a_usage_hint(bot: Harness, world: World) -> None:
    bad_time = await bot.fake.slash(world.admin, world.channel, "subscribe", time="25:00")
    assert bad_time.ephemeral and "Usage: /subscribe" in bad_time.text()
    bad_zone = await bot.fake.slash(world.admin, world.channel, "subscribe", zone="Mars/Olympus")
    assert bad_zone.ephemeral and "Usage: /subscribe" in bad_zone.text()
    bad_period = await bot.fake.slash(world.admin, world.channel, "top", period="year")
    assert bad_period.ephemeral and "Usage: /top" in bad_period.text()
    bad_days = await bot.fake.slash(world.admin, world.channel, "settings", days="someday")
    assert bad_days.ephemeral and "Usage: /settings" in bad_days.text()
    chat = await bot.stored_chat(world.channel)
    assert chat is None or not chat.subscribed


async def test_zones_autocomplete_from_the_iana_list(bot: Harness, world: World) -> None:
    choices = await bot.fake.autocomplete(world.admin, world.channel, "subscribe", "zone", "shang")
    assert [c["value"] for c in choices] == ["Asia/Shanghai"]


async def test_a_deleted_channel_is_unsubscribed_with_the_reason(
    bot: Harness, world: World
) -> None:
    await subscribe_and_post(bot, world)
    bot.fake.delete_channel(world.channel)
    chat = await bot.stored_chat(world.channel)
    for _ in range(8):  # three Unknown Channel answers in a row (posts or reveals) stop it
        bot.clock.current += timedelta(hours=12)
        await bot.tick()
        chat = await bot.stored_chat(world.channel)
        assert chat is not None
        if not chat.subscribed:
            break
    assert chat is not None and not chat.subscribed
    assert chat.disabled_reason is not None and "10003" in chat.disabled_reason


async def test_missing_permissions_unsubscribes_at_once_and_settings_shows_why(
    bot: Harness, world: World
) -> None:
    await bot.fake.slash(world.admin, world.channel, "subscribe", time="09:00")
    bot.fake.fail(
        "POST",
        rf"/channels/{world.channel}/messages$",
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    chat = await bot.stored_chat(world.channel)
    assert chat is not None and not chat.subscribed
    shown = await bot.fake.slash(world.admin, world.channel, "settings")
    assert "Subscribed: no" in shown.text() and "Stopped: 50013 Missing Permissions" in shown.text()


async def test_a_429_is_waited_out_and_the_post_is_sent_once(bot: Harness, world: World) -> None:
    await bot.fake.slash(world.admin, world.channel, "subscribe", time="09:00")
    limited = bot.fake.rate_limit("POST", rf"/channels/{world.channel}/messages$", retry_after=0.05)
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    assert limited.hits == 1
    statuses = [r.status for r in bot.fake.calls("POST", rf"/channels/{world.channel}/messages$")]
    assert statuses == [429, 200]
    assert len(bot.fake.channel_messages(world.channel)) == 1
    chat = await bot.stored_chat(world.channel)
    assert chat is not None and chat.subscribed


async def test_the_gateway_drops_and_resumes_and_no_interaction_is_lost(
    bot: Harness, world: World
) -> None:
    async with bot.fake.gateway.down():
        waiting = bot.fake.command(world.alice, world.channel, "help")
        await bot.fake.send(waiting)  # into the gap: only the session's log holds it
        assert waiting.callback is None
    await bot.fake.settle(waiting)
    assert "/quiz" in waiting.text()
    assert len(bot.fake.gateway.identifies) == 1
    [resume] = bot.fake.gateway.resumes
    assert resume["session_id"] == bot.fake.gateway.session.id  # type: ignore[union-attr]
    after = await bot.fake.slash(world.alice, world.channel, "help")
    assert after.complete


async def test_a_failure_is_logged_with_the_interaction_id_and_the_user_gets_no_traceback(
    bot: Harness, world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("the database is on fire")

    assert bot.service is not None
    monkeypatch.setattr(bot.service, "score_card", broken)
    done = await bot.fake.slash(world.alice, world.channel, "score")
    assert done.ephemeral and done.text() == "Sorry, something went wrong. Please try again later."
    assert "on fire" not in done.text()
    assert any(f"interaction {done.id} failed" in r.getMessage() for r in caplog.records)
