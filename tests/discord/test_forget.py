"""/forget on Discord: the counts, a delete button only its owner can use, and only in time."""

from __future__ import annotations

import json

from tests.discord.harness import GOOD, Harness, World, answer_in_modal, custom_id
from tests.fake_discord import buttons


async def _answered_in_dm(bot: Harness, world: World) -> None:
    dm = bot.fake.dm_channel(world.alice)["id"]
    [question] = (await bot.fake.slash(world.alice, dm, "quiz")).replies()
    verdict = await answer_in_modal(bot.fake, world.alice, question, GOOD)
    assert "Coverage 100%" in verdict.text()


async def test_forget_lists_the_counts_and_the_owners_button_deletes_them(
    bot: Harness, world: World
) -> None:
    await _answered_in_dm(bot, world)
    asked = await bot.fake.slash(world.alice, world.channel, "forget")
    assert asked.ephemeral
    [prompt] = asked.replies()
    assert "Answers: 1" in asked.text() and "Review cards: 1" in asked.text()
    assert [b["style"] for b in buttons(prompt)] == [4]

    done = await bot.fake.press(world.alice, prompt, custom_id(prompt, "quiz:forget:"))
    assert "Deleted" in done.text() or "deleted" in done.text(), done.text()
    again = await bot.fake.slash(world.alice, world.channel, "forget")
    assert again.text() == "I keep nothing about you."


async def test_someone_elses_delete_button_deletes_nothing(bot: Harness, world: World) -> None:
    await _answered_in_dm(bot, world)
    [prompt] = (await bot.fake.slash(world.alice, world.channel, "forget")).replies()
    pressed = await bot.fake.press(world.bob, prompt, custom_id(prompt, "quiz:forget:"))
    assert "does not belong here" in pressed.text()
    still = await bot.fake.slash(world.alice, world.channel, "forget")
    assert "Answers: 1" in still.text()


async def test_a_stale_delete_button_shows_the_counts_again_with_a_fresh_button(
    bot: Harness, world: World
) -> None:
    await _answered_in_dm(bot, world)
    [prompt] = (await bot.fake.slash(world.alice, world.channel, "forget")).replies()
    bot.clock.advance(minutes=11)
    stale = await bot.fake.press(world.alice, prompt, custom_id(prompt, "quiz:forget:"))
    assert stale.text().startswith("That confirmation had expired"), stale.text()
    assert "Answers: 1" in stale.text()
    [fresh] = stale.replies()
    assert custom_id(fresh, "quiz:forget:") != custom_id(prompt, "quiz:forget:")
    done = await bot.fake.press(world.alice, fresh, custom_id(fresh, "quiz:forget:"))
    assert "Answers: 1" not in done.text()
    assert (await bot.fake.slash(world.alice, world.channel, "forget")).text() == (
        "I keep nothing about you."
    )


async def test_a_delete_button_without_a_time_deletes_nothing(bot: Harness, world: World) -> None:
    await _answered_in_dm(bot, world)
    [prompt] = (await bot.fake.slash(world.alice, world.channel, "forget")).replies()
    undated = f"quiz:forget:{world.alice}"
    old = json.loads(json.dumps(prompt).replace(custom_id(prompt, "quiz:forget:"), undated))
    pressed = await bot.fake.press(world.alice, old, undated)
    assert pressed.text().startswith("That confirmation had expired")
    assert "Answers: 1" in (await bot.fake.slash(world.alice, world.channel, "forget")).text()
