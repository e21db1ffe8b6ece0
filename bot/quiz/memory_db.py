"""An in-memory Database for tests: one unit of work at a time, rolled back by a snapshot."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.quiz import records as r
from bot.quiz import targets as t
from bot.quiz.ports import Answers, Cards, Chats, Posts, Users
from bot.quiz.records import DAILY, MISSED, QUESTION, REVEAL


@dataclass
class State:
    """Every table as a dictionary keyed like its primary key."""

    chats: dict[int, r.Chat] = field(default_factory=dict)
    chat_ids: dict[r.Address, int] = field(default_factory=dict)
    users: dict[int, r.User] = field(default_factory=dict)
    user_ids: dict[r.Address, int] = field(default_factory=dict)
    posts: dict[int, r.Post] = field(default_factory=dict)
    deliveries: dict[tuple[int, str], r.MessageRef] = field(default_factory=dict)
    attempts: dict[tuple[int, int], r.Attempt] = field(default_factory=dict)
    peeks: set[tuple[int, int]] = field(default_factory=set)
    asked: set[tuple[int, int, str]] = field(default_factory=set)
    cards: dict[tuple[int, str], r.Card] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


class _Repo:
    def __init__(self, s: State) -> None:
        self.s = s


class MemoryChats(_Repo):
    async def find(self, address: r.Address) -> r.Chat | None:
        chat_id = self.s.chat_ids.get(address)
        return None if chat_id is None else self.s.chats.get(chat_id)

    async def get(self, chat_id: int) -> r.Chat | None:
        return self.s.chats.get(chat_id)

    async def ensure(self, place: r.Place, defaults: r.Chat) -> r.Chat:
        found = await self.find(place.address)
        if found is None:
            found = replace(defaults, id=self.s.next_id(), title=defaults.title[:255])
            self.s.chats[found.id] = found
            self.s.chat_ids[place.address] = found.id
        return found

    async def address(self, chat_id: int) -> r.Address | None:
        return next((a for a, i in self.s.chat_ids.items() if i == chat_id), None)

    def _set(self, chat_id: int, changes: Mapping[str, object]) -> r.Chat | None:
        chat = self.s.chats.get(chat_id)
        if chat is not None:
            chat = replace(chat, **changes)  # type: ignore[arg-type]
            chat = self.s.chats[chat_id] = replace(chat, title=chat.title[:255])
        return chat

    async def update(self, chat_id: int, changes: Mapping[str, object]) -> None:
        self._set(chat_id, changes)

    async def unsubscribe(self, chat_id: int, reason: str | None) -> bool:
        if not (chat := self.s.chats.get(chat_id)) or not chat.subscribed:
            return False
        reason = reason and reason[:255]
        return bool(
            self._set(
                chat_id, {"subscribed": False, "next_post_at": None, "disabled_reason": reason}
            )
        )

    async def due(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[tuple[r.Chat, r.Address]]:
        due = [
            (c, a)
            for a, i in self.s.chat_ids.items()
            if (c := self.s.chats[i]).subscribed and c.next_post_at and c.next_post_at <= now
            if platforms is None or a.platform in platforms
        ]
        return sorted(due, key=lambda ca: (ca[0].next_post_at, ca[0].id))[:limit]

    async def advance(
        self, chat_id: int, slot: datetime, next_post_at: datetime, cycle: int | None
    ) -> bool:
        if not (chat := self.s.chats.get(chat_id)) or chat.next_post_at != slot:
            return False
        cycle = chat.cycle if cycle is None else cycle
        return bool(self._set(chat_id, {"next_post_at": next_post_at, "cycle": cycle}))

    async def advance_many(self, moves: Sequence[tuple[int, datetime, datetime, int]]) -> None:
        for chat_id, slot, next_post_at, cycle in moves:
            await self.advance(chat_id, slot, next_post_at, cycle)

    async def add_failure(self, chat_id: int) -> int | None:
        chat = self.s.chats.get(chat_id)
        failed = self._set(chat_id, {"failures": chat.failures + 1}) if chat else None
        return failed.failures if failed else None

    async def clear_failures(self, chat_id: int) -> None:
        self._set(chat_id, {"failures": 0})

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        return {q for c, n, q in self.s.asked if (c, n) == (chat_id, cycle)}

    async def asked_in(self, cycles: Mapping[int, int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for c, n, q in self.s.asked:
            if cycles.get(c) == n:
                found.setdefault(c, set()).add(q)
        return found

    async def mark_asked(self, chat_id: int, cycle: int, question_id: str) -> None:
        self.s.asked.add((chat_id, cycle, question_id))

    async def mark_asked_many(self, asked: Sequence[tuple[int, int, str]]) -> None:
        self.s.asked.update(asked)

    async def move(self, old: r.Address, new: r.Address) -> bool:
        if old not in self.s.chat_ids:
            return False
        self.s.chat_ids[new] = self.s.chat_ids.pop(old)
        return True


class MemoryUsers(_Repo):
    async def ensure(self, person: r.Person) -> r.User:
        user_id = self.s.user_ids.get(person.address) or self.s.next_id()
        self.s.user_ids[person.address] = user_id
        focus = self.s.users[user_id].focus_post_id if user_id in self.s.users else None
        user = r.User(user_id, person.name[:255], person.language, focus)
        self.s.users[user_id] = user
        return user

    async def find(self, address: r.Address) -> r.User | None:
        user_id = self.s.user_ids.get(address)
        return None if user_id is None else self.s.users.get(user_id)

    async def set_focus(self, user_id: int, post_id: int | None) -> None:
        if user_id in self.s.users:
            self.s.users[user_id] = replace(self.s.users[user_id], focus_post_id=post_id)

    async def set_focus_many(self, focus: Sequence[tuple[int, int]]) -> None:
        for user_id, post_id in focus:
            await self.set_focus(user_id, post_id)

    async def data(self, user_id: int) -> dict[str, int]:
        return {
            "attempts": sum(u == user_id for _, u in self.s.attempts),
            "peeks": sum(u == user_id for _, u in self.s.peeks),
            "cards": sum(u == user_id for u, _ in self.s.cards),
            "users": int(user_id in self.s.users),
        }

    async def forget(self, user_id: int) -> dict[str, int]:
        counts = await self.data(user_id)
        s = self.s
        s.attempts = {k: v for k, v in s.attempts.items() if k[1] != user_id}
        s.peeks = {k for k in s.peeks if k[1] != user_id}
        s.cards = {k: v for k, v in s.cards.items() if k[0] != user_id}
        s.user_ids = {a: i for a, i in s.user_ids.items() if i != user_id}
        s.users.pop(user_id, None)
        for chat in [c for c in s.chats.values() if c.owner_id == user_id]:
            s.chats[chat.id] = replace(chat, owner_id=None)
        return counts


class MemoryPosts(_Repo):
    async def create(self, post: r.NewPost) -> r.Post | None:
        if any((p.chat_id, p.slot) == (post.chat_id, post.slot) for p in self.s.posts.values()):
            return None
        created = r.Post(self.s.next_id(), **vars(post))
        self.s.posts[created.id] = created
        return created

    async def create_many(self, posts: Sequence[r.NewPost]) -> list[r.Post]:
        return [made for post in posts if (made := await self.create(post)) is not None]

    async def get(self, post_id: int) -> r.Post | None:
        return self.s.posts.get(post_id)

    async def latest(self, chat_id: int, kind: str) -> r.Post | None:
        mine = [p for p in self.s.posts.values() if (p.chat_id, p.kind) == (chat_id, kind)]
        return max(mine, key=lambda p: (p.slot, p.id), default=None)

    async def by_message(self, ref: r.MessageRef) -> r.Post | None:
        key = (ref.platform, ref.channel, ref.message)
        found = (
            i
            for (i, _), r in self.s.deliveries.items()
            if (r.platform, r.channel, r.message) == key
        )
        return self.s.posts.get(next(found, 0))

    async def by_poll(self, platform: str, poll: str) -> r.Post | None:
        found = (
            i for (i, _), r in self.s.deliveries.items() if (r.platform, r.poll) == (platform, poll)
        )
        return self.s.posts.get(next(found, 0))

    async def record_delivery(
        self, post_id: int, part: str, ref: r.MessageRef, at: datetime
    ) -> None:
        self.s.deliveries[(post_id, part)] = ref
        if post_id in self.s.posts:
            done = {"sent_at": at} if part == QUESTION else {"reveal_lease_until": None}
            self.s.posts[post_id] = replace(self.s.posts[post_id], **done)

    async def record_questions(
        self, sent: Sequence[tuple[int, r.MessageRef]], at: datetime
    ) -> None:
        for post_id, ref in sent:
            await self.record_delivery(post_id, QUESTION, ref, at)

    async def delivery(self, post_id: int, part: str) -> r.MessageRef | None:
        return self.s.deliveries.get((post_id, part))

    async def due_reveals(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[r.Post]:
        served = self._served(platforms)
        due = [
            p
            for p in self.s.posts.values()
            if p.revealed_at is None and p.sent_at and p.reveal_at and p.reveal_at <= now
            if served is None or p.chat_id in served
        ]
        return sorted(due, key=lambda p: (p.reveal_at, p.id))[:limit]

    async def claim_reveal(
        self, post_id: int, now: datetime, until: datetime | None = None
    ) -> bool:
        post = self.s.posts.get(post_id)
        if post is None or post.revealed_at is not None:
            return False
        self.s.posts[post_id] = replace(post, revealed_at=now, reveal_lease_until=until)
        return True

    def _served(self, platforms: Sequence[str] | None) -> set[int] | None:
        """Ids of the chats on these platforms; None for every chat."""
        if platforms is None:
            return None
        return {i for a, i in self.s.chat_ids.items() if a.platform in platforms}

    async def unsent(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[r.Post]:
        served = self._served(platforms)
        found = [
            p
            for p in self.s.posts.values()
            if (served is None or p.chat_id in served)
            and p.sent_at is None
            and p.failure is None
            and p.lease_until is not None
            and p.lease_until <= now
            and p.slot >= since
        ]
        return sorted(found, key=lambda p: (p.lease_until or now, p.id))[:limit]

    async def lease(self, post_id: int, owner: str, until: datetime, seen: datetime | None) -> bool:
        post = self.s.posts.get(post_id)
        if post is None or post.sent_at is not None or post.lease_until != seen:
            return False
        self.s.posts[post_id] = replace(post, lease_owner=owner, lease_until=until)
        return True

    async def set_question(self, post_id: int, question_id: str) -> bool:
        post = self.s.posts.get(post_id)
        if post is None or post.sent_at is not None:
            return False
        self.s.posts[post_id] = replace(post, question_id=question_id)
        return True

    async def renew(self, post_id: int, owner: str, until: datetime) -> bool:
        post = self.s.posts.get(post_id)
        if post is None or post.lease_owner != owner or post.sent_at or post.failure:
            return False
        self.s.posts[post_id] = replace(post, lease_until=until)
        return True

    async def fail(self, post_id: int, reason: str) -> None:
        if post_id in self.s.posts:
            post = self.s.posts[post_id]
            self.s.posts[post_id] = replace(post, failure=reason[:255], lease_until=None)

    async def expire(self, now: datetime, since: datetime) -> int:
        missed = [
            p.id
            for p in self.s.posts.values()
            if p.sent_at is None
            and p.failure is None
            and p.lease_until is not None
            and p.lease_until <= now
            and p.slot < since
        ]
        for post_id in missed:
            await self.fail(post_id, MISSED)
        return len(missed)

    async def unsent_reveals(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[r.Post]:
        served = self._served(platforms)
        found = [
            p
            for p in self.s.posts.values()
            if (served is None or p.chat_id in served)
            and p.revealed_at is not None
            and p.revealed_at >= since
            and p.reveal_lease_until is not None
            and p.reveal_lease_until <= now
            and (p.id, REVEAL) not in self.s.deliveries
        ]
        return sorted(found, key=lambda p: (p.reveal_lease_until or now, p.id))[:limit]

    async def lease_reveal(self, post_id: int, until: datetime | None, seen: datetime) -> bool:
        post = self.s.posts.get(post_id)
        if post is None or post.reveal_lease_until != seen:
            return False
        self.s.posts[post_id] = replace(post, reveal_lease_until=until)
        return True


class MemoryAnswers(_Repo):
    async def state(self, post_id: int, user_id: int) -> tuple[r.Attempt | None, bool]:
        return self.s.attempts.get((post_id, user_id)), (post_id, user_id) in self.s.peeks

    async def _named(self, post: t.Target | int, user: r.User | None) -> r.Post | None:
        posts = MemoryPosts(self.s)
        if isinstance(post, int):
            return self.s.posts.get(post)
        if isinstance(post, t.ReplyTarget):
            return await posts.by_message(post.ref)
        if isinstance(post, t.PollTarget):
            return await posts.by_poll(post.platform, post.poll)
        if isinstance(post, t.PostTarget):
            found = self.s.posts.get(post.post_id)
            chat_id = self.s.chat_ids.get(post.place.address)
            return found if found and found.chat_id == chat_id else None
        focus = user.focus_post_id if user else None
        return None if focus is None else self.s.posts.get(focus)

    async def lookup(self, post: t.Target | int, address: r.Address) -> r.AnswerState | None:
        user = await MemoryUsers(self.s).find(address)
        found = await self._named(post, user)
        if found is None:
            return None
        if user is None:
            return r.AnswerState(found, None)
        attempt, peeked = await self.state(found.id, user.id)
        card = self.s.cards.get((user.id, found.question_id))
        return r.AnswerState(found, user, attempt, peeked, card)

    async def add(self, attempt: r.Attempt) -> bool:
        key = (attempt.post_id, attempt.user_id)
        if key in self.s.attempts:
            return False
        self.s.attempts[key] = replace(attempt, answer=attempt.answer[:8000])
        return True

    async def record(self, attempt: r.Attempt, card: r.Card) -> bool:
        if card.user_id != attempt.user_id:
            raise ValueError("an attempt reviews its own user's card")
        added = await self.add(attempt)
        if added:
            self.s.cards[(card.user_id, card.question_id)] = card
        return added

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> bool:
        fresh = (post_id, user_id) not in self.s.peeks
        self.s.peeks.add((post_id, user_id))
        return fresh

    def _in_chat(self, chat_id: int) -> list[r.Attempt]:
        return [a for a in self.s.attempts.values() if self.s.posts[a.post_id].chat_id == chat_id]

    async def history(self, chat_id: int, user_id: int, limit: int) -> r.History:
        daily = [p for p in self.s.posts.values() if (p.chat_id, p.kind) == (chat_id, DAILY)]
        daily.sort(key=lambda p: (p.slot, p.id), reverse=True)
        shown = daily[:limit]
        answered = tuple((p.id, user_id) in self.s.attempts for p in shown)
        return r.History(answered, bool(shown) and shown[0].revealed_at is None)

    async def summary(self, post_id: int, limit: int) -> r.PostSummary:
        mine = [a for a in self.s.attempts.values() if a.post_id == post_id]
        mine.sort(key=lambda a: (-a.points, a.created_at, a.user_id))
        top = tuple((a.user_id, self.s.users[a.user_id].name, a.points) for a in mine[:limit])
        return r.PostSummary(len(mine), _mean([a.coverage for a in mine]), top)

    async def totals(self, chat_id: int, user_id: int) -> r.Totals:
        mine = [a for a in self._in_chat(chat_id) if a.user_id == user_id]
        return r.Totals(sum(a.points for a in mine), len(mine), _mean([a.coverage for a in mine]))

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        board: dict[int, list[int]] = {}
        for a in self._in_chat(chat_id):
            if since is None or a.created_at >= since:
                board.setdefault(a.user_id, []).append(a.points)
        rows = [(u, self.s.users[u].name, sum(p), len(p)) for u, p in board.items()]
        return sorted(rows, key=lambda r: (-r[2], -r[3], r[0]))[:limit]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


class MemoryCards(_Repo):
    async def get(self, user_id: int, question_id: str) -> r.Card | None:
        return self.s.cards.get((user_id, question_id))

    async def put(self, card: r.Card) -> None:
        self.s.cards[(card.user_id, card.question_id)] = card

    async def due(self, user_id: int, now: datetime, limit: int) -> list[r.Card]:
        due = [c for c in self.s.cards.values() if c.user_id == user_id and c.due <= now]
        return sorted(due, key=lambda c: (c.due, c.question_id))[:limit]

    async def carded(self, user_id: int) -> set[str]:
        return {q for u, q in self.s.cards if u == user_id}


class MemoryTx:
    def __init__(self, s: State) -> None:
        self.chats: Chats = MemoryChats(s)
        self.users: Users = MemoryUsers(s)
        self.posts: Posts = MemoryPosts(s)
        self.answers: Answers = MemoryAnswers(s)
        self.cards: Cards = MemoryCards(s)
        self.s = s

    async def setting(self, key: str) -> str | None:
        return self.s.settings.get(key)

    async def put_setting(self, key: str, value: str) -> None:
        self.s.settings[key] = value

    async def counts(self) -> dict[str, int]:
        s, subscribed = self.s, sum(c.subscribed for c in self.s.chats.values())
        counts = (len(s.chats), subscribed, len(s.users), len(s.posts), len(s.attempts))
        return dict(zip(("chats", "subscribed", "users", "posts", "attempts"), counts, strict=True))


class _Unit:
    """Holds the lock for the whole unit of work; an error restores the state at its start."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    async def __aenter__(self) -> MemoryTx:
        await self.db.lock.acquire()
        self.snapshot = copy.deepcopy(self.db.state)
        return MemoryTx(self.db.state)

    async def __aexit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.db.state.__dict__.update(self.snapshot.__dict__)
        self.db.lock.release()


class MemoryDatabase:
    """Units of work one at a time; an error restores the state as it was at the start."""

    def __init__(self) -> None:
        self.state = State()
        self.lock = asyncio.Lock()

    def transaction(self) -> _Unit:
        return _Unit(self)

    def read(self) -> _Unit:
        return _Unit(self)

    async def ping(self) -> None:
        async with self.transaction():
            pass

    async def close(self) -> None:
        pass
