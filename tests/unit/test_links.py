"""Deep-link payloads: signed ones verify, forged or altered ones do not."""

from __future__ import annotations

import re

from bot.telegram_adapter.links import Link, link_key, parse, sign

KEY = link_key("123:SECRET")


def test_a_signed_payload_round_trips_within_telegrams_alphabet() -> None:
    payload = sign(KEY, "p", 123456789012)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert parse(KEY, payload) == Link("p", 123456789012, True)


def test_an_altered_or_unsigned_payload_is_not_vouched_for() -> None:
    payload = sign(KEY, "p", 5)
    assert parse(KEY, payload.replace("p5", "p6")) == Link("p", 6, False)
    assert parse(KEY, payload.replace("p5", "a5")) == Link("a", 5, False)
    assert parse(link_key("other"), payload) == Link("p", 5, False)
    assert parse(KEY, "p5") == Link("p", 5, False)
    assert parse(KEY, "quiz") is None
    assert parse(KEY, "p" + "9" * 30) is None
