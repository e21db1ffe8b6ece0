"""Deep links cannot be forged: a stranger cannot answer or peek at a group's post by id."""

from __future__ import annotations

import re

from tests.e2e.harness import ALICE, GOOD, GROUP, Harness, say, subscribe_and_post, texts, tg_place

MALLORY = 99


def _post_id(post: dict[str, object]) -> int:
    markup = post["reply_markup"]
    assert isinstance(markup, dict)
    url = markup["inline_keyboard"][0][0]["url"]
    found = re.search(r"start=p([0-9]+)-[A-Za-z0-9_-]{16}$", url)
    assert found, url
    return int(found.group(1))


async def test_a_stranger_cannot_answer_a_groups_post_through_a_crafted_link(
    bot: Harness,
) -> None:
    bot.api.add_user(MALLORY, "Mallory", language_code="en")
    post = await subscribe_and_post(bot, "transformer")
    post_id = _post_id(post)
    for payload in (f"p{post_id}", f"p{post_id}-AAAAAAAAAAAAAAAA"):
        await say(bot, MALLORY, MALLORY, f"/start {payload}")
        assert "no longer" in texts(bot.api, MALLORY)[-1]
    await say(bot, MALLORY, MALLORY, GOOD)
    assert "Covered" not in texts(bot.api, MALLORY)[-1]
    await say(bot, MALLORY, MALLORY, f"/start a{post_id}")
    assert not any("第0段" in t for t in texts(bot.api, MALLORY))
    assert bot.service is not None
    board = await bot.service.leaderboard(tg_place(GROUP), "all")
    assert board.standings == ()


async def test_the_posts_own_link_and_a_members_older_link_still_work(bot: Harness) -> None:
    post = await subscribe_and_post(bot, "transformer")
    signed = post["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
    await say(bot, ALICE, ALICE, f"/start {signed}")
    assert "Answer privately" in texts(bot.api, ALICE)[-1]
    bot.api.set_member_status(GROUP, ALICE, "member")
    await say(bot, ALICE, ALICE, f"/start p{_post_id(post)}")  # a button posted before signing
    assert "Answer privately" in texts(bot.api, ALICE)[-1]
    await say(bot, ALICE, ALICE, GOOD)
    assert "Covered" in texts(bot.api, ALICE)[-1]
