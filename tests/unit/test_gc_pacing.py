"""The garbage collection pacer collects the young generations on its beat until stopped."""

from __future__ import annotations

import asyncio
import gc

import pytest

from bot.gc_pacing import GcPacer


async def test_the_pacer_collects_young_generations_until_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collected: list[int] = []

    def collect(generation: int = 2) -> int:
        collected.append(generation)
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    pacer = GcPacer(seconds=0.01)
    pacer.start()
    pacer.start()  # a second start keeps the one task
    await asyncio.sleep(0.1)
    await pacer.stop()
    count = len(collected)
    await asyncio.sleep(0.05)
    assert count >= 2 and set(collected) == {1}
    assert len(collected) == count  # nothing after stop
