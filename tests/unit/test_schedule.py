"""Post times across DST transitions and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.quiz.schedule import (
    ScheduleError,
    next_post_time,
    parse_time,
    parse_weekdays,
    parse_zone,
    period_start,
    reveal_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_shanghai_nine_oclock_is_one_utc() -> None:
    assert next_post_time(time(9), SHANGHAI, EVERY_DAY, utc(2026, 3, 1, 0, 0)) == utc(2026, 3, 1, 1)
    assert next_post_time(time(9), SHANGHAI, EVERY_DAY, utc(2026, 3, 1, 1, 0)) == utc(2026, 3, 2, 1)


def test_berlin_keeps_local_time_across_spring_forward() -> None:
    before = next_post_time(time(9), BERLIN, EVERY_DAY, utc(2026, 3, 28, 12))
    after = next_post_time(time(9), BERLIN, EVERY_DAY, before)
    assert before == utc(2026, 3, 29, 7)  # 09:00 CEST, DST began at 02:00 that night
    assert after == utc(2026, 3, 30, 7)


def test_a_time_in_the_skipped_hour_posts_at_the_first_valid_minute() -> None:
    slot = next_post_time(time(2, 30), BERLIN, EVERY_DAY, utc(2026, 3, 28, 12))
    assert slot.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == "2026-03-29 03:00"
    slot = next_post_time(time(2, 15), NEW_YORK, EVERY_DAY, utc(2026, 3, 7, 12))
    assert slot.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M") == "2026-03-08 03:00"


def test_a_time_in_the_repeated_hour_posts_once() -> None:
    first = next_post_time(time(2, 30), BERLIN, EVERY_DAY, utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)  # the first 02:30, still CEST
    second = next_post_time(time(2, 30), BERLIN, EVERY_DAY, first)
    assert second.astimezone(BERLIN).date().isoformat() == "2026-10-26"
    first_ny = next_post_time(time(1, 30), NEW_YORK, EVERY_DAY, utc(2026, 10, 31, 12))
    second_ny = next_post_time(time(1, 30), NEW_YORK, EVERY_DAY, first_ny)
    assert first_ny == utc(2026, 11, 1, 5, 30)
    assert second_ny.astimezone(NEW_YORK).date().isoformat() == "2026-11-02"


def test_new_york_across_fall_back_keeps_nine_oclock() -> None:
    slot = next_post_time(time(9), NEW_YORK, EVERY_DAY, utc(2026, 11, 1, 0))
    assert slot == utc(2026, 11, 1, 14)  # EST, UTC-5


def test_weekdays_skip_days_without_a_post() -> None:
    friday_evening = utc(2026, 11, 27, 12)  # a Friday
    weekdays = parse_weekdays(["mon", "wed"])
    assert next_post_time(time(9), SHANGHAI, weekdays, friday_evening) == utc(2026, 11, 30, 1)


@pytest.mark.parametrize("text", ["25:00", "9", "09:60", "nine", ""])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_time(text)


@pytest.mark.parametrize("name", ["Mars/Base", "../etc/passwd", "", "Asia/"])
def test_bad_zones_are_refused(name: str) -> None:
    with pytest.raises(ScheduleError):
        parse_zone(name)


def test_full_width_colon_and_single_digit_hours_are_understood() -> None:
    assert parse_time("9：05") == time(9, 5)


def test_reveal_after_hours_or_at_next_post() -> None:
    posted = utc(2026, 1, 1, 1)
    assert reveal_time(posted, 12, utc(2026, 1, 2, 1)) == utc(2026, 1, 1, 13)
    assert reveal_time(posted, 0, utc(2026, 1, 2, 1)) == utc(2026, 1, 2, 1)


def test_periods_start_at_local_midnight() -> None:
    now = utc(2026, 11, 27, 20)  # Saturday 04:00 in Shanghai
    assert period_start("week", now, SHANGHAI) == utc(2026, 11, 22, 16)
    assert period_start("month", now, SHANGHAI) == utc(2026, 10, 31, 16)
    assert period_start("all", now, SHANGHAI) is None
