"""The fake Discord catches what real Discord would refuse, so the other tests can fail."""

from __future__ import annotations

import aiohttp

from tests.fake_discord import FakeDiscord


async def _call(fake: FakeDiscord, method: str, path: str, body: object = None) -> int:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.base_url + path, json=body, headers=headers) as response,
    ):
        return response.status


async def test_requests_outside_discords_description_are_reported() -> None:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("G")
        channel = fake.add_channel(guild, "c")
        await _call(fake, "PUT", f"/applications/{fake.application_id}/commands", [{"type": 1}])
        await _call(fake, "POST", f"/channels/{channel}/messages", {"content": 5})
        await _call(fake, "POST", f"/channels/{channel}/messages", {"content": "@everyone"})
        await _call(fake, "DELETE", "/users/@me")
    problems = "\n".join(fake.problems())
    assert "'name' is a required property" in problems
    assert "5 is not of type 'string', 'null'" in problems
    assert "allowed_mentions None" in problems
    assert "DELETE /users/@me: no such route and method" in problems


async def test_a_deleted_channel_answers_unknown_channel_and_faults_answer_once() -> None:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("G")
        channel = fake.add_channel(guild, "c")
        body = {"content": "hi", "allowed_mentions": {"parse": []}}
        fake.rate_limit("POST", f"/channels/{channel}/messages$", retry_after=0.01)
        assert await _call(fake, "POST", f"/channels/{channel}/messages", body) == 429
        assert await _call(fake, "POST", f"/channels/{channel}/messages", body) == 200
        fake.delete_channel(channel)
        assert await _call(fake, "POST", f"/channels/{channel}/messages", body) == 404
    assert fake.problems() == []
