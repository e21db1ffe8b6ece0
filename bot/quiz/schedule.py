"""Post and reveal times from a local time of day, an IANA zone and weekdays; DST-safe."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_MAX_GAP_MINUTES = 24 * 60


class ScheduleError(ValueError):
    """A time, zone or weekday the user gave cannot be used."""


def parse_time(text: str) -> time:
    """A local time of day from 'HH:MM' (also 9:00 and a full-width colon)."""
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"not a time of day: {text!r}; use HH:MM, e.g. 09:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"not a time of day: {text!r}; hours go to 23, minutes to 59")
    return time(hour, minute)


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone such as Asia/Shanghai."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name.strip()):
        raise ScheduleError(f"unknown time zone: {name!r}; use Area/City, e.g. Asia/Shanghai")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone: {name!r}; use Area/City, e.g. Asia/Shanghai"
        ) from None


def parse_weekdays(names: Iterable[str]) -> frozenset[int]:
    """Weekday numbers (Monday is 0) from names such as mon, tue."""
    days: set[int] = set()
    for name in names:
        key = name.strip().lower()[:3]
        if key not in WEEKDAY_NAMES:
            raise ScheduleError(f"unknown weekday: {name!r}; use mon, tue, ... sun")
        days.add(WEEKDAY_NAMES.index(key))
    if not days:
        raise ScheduleError("at least one weekday is needed")
    return frozenset(days)


def _exists(local: datetime) -> bool:
    """False for a wall time inside a DST gap (it does not survive a round trip)."""
    zone = local.tzinfo
    assert zone is not None
    back = local.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def local_slot(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `zone`: a skipped time moves to the first valid
    minute after it; a repeated time means its first occurrence."""
    local = datetime.combine(day, at, tzinfo=zone).replace(fold=0)
    minutes = 0
    while not _exists(local) and minutes < _MAX_GAP_MINUTES:
        minutes += 1
        local = datetime.combine(day, at, tzinfo=zone) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def next_post_time(at: time, zone: ZoneInfo, weekdays: Iterable[int], after: datetime) -> datetime:
    """The first post instant strictly after `after` (UTC) on one of the weekdays."""
    days = frozenset(weekdays) or frozenset(range(7))
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        slot = local_slot(day, at, zone)
        if slot > after:
            return slot
    raise AssertionError("a week always holds one of the chosen weekdays")


def reveal_time(posted: datetime, after_hours: int, next_post: datetime | None) -> datetime | None:
    """When a post's answer is revealed: hours after it, or at the next post when hours is 0."""
    if after_hours > 0:
        return posted + timedelta(hours=after_hours)
    return next_post


def period_start(period: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """UTC start of this week (Monday) or month in `zone`; None for all time."""
    local = now.astimezone(zone)
    if period == "week":
        day = local.date() - timedelta(days=local.weekday())
    elif period == "month":
        day = local.date().replace(day=1)
    else:
        return None
    return local_slot(day, time(0, 0), zone)
