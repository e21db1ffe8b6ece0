"""An in-memory Store for tests; each method runs without awaiting, so it is atomic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.quiz.store import (
    DAILY,
    Attempt,
    Card,
    Chat,
    NewPost,
    Post,
    PostSummary,
    Recorded,
    Totals,
    User,
)


class MemoryStore:
    """Dictionaries keyed like the SQL tables' unique constraints."""

    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, User] = {}
        self.posts: dict[int, Post] = {}
        self.slots: dict[tuple[int, datetime], int] = {}
        self.attempts: dict[tuple[int, int], Attempt] = {}
        self.peeks: set[tuple[int, int]] = set()
        self.history: set[tuple[int, int, str]] = set()
        self.cards: dict[tuple[int, str], Card] = {}

    async def get_chat(self, chat_id: int) -> Chat | None:
        """The chat, or None."""
        return self.chats.get(chat_id)

    async def save_chat(self, chat: Chat) -> None:
        """Insert or replace the chat."""
        self.chats[chat.id] = chat

    async def save_user(self, user: User) -> None:
        """Insert or update the user."""
        self.users[user.id] = user

    async def due_chats(self, now: datetime, limit: int) -> list[Chat]:
        """Subscribed chats whose next post time has come, oldest first."""
        due = [
            c
            for c in self.chats.values()
            if c.subscribed and c.next_post_at is not None and c.next_post_at <= now
        ]
        return sorted(due, key=lambda c: (c.next_post_at, c.id))[:limit]

    async def claim_post(
        self, post: NewPost, next_post_at: datetime | None, cycle: int | None
    ) -> Post | None:
        """Create the post unless its slot is taken; a daily post moves the chat on."""
        if (post.chat_id, post.slot) in self.slots:
            return None
        chat = self.chats.get(post.chat_id)
        if post.kind == DAILY:
            if chat is None or chat.next_post_at != post.slot:
                return None
            self.chats[chat.id] = replace(
                chat, next_post_at=next_post_at, cycle=chat.cycle if cycle is None else cycle
            )
            self.history.add((chat.id, chat.cycle if cycle is None else cycle, post.question_id))
        created = Post(
            id=len(self.posts) + 1,
            chat_id=post.chat_id,
            question_id=post.question_id,
            slot=post.slot,
            kind=post.kind,
            posted_at=post.posted_at,
            reveal_at=post.reveal_at,
        )
        self.posts[created.id] = created
        self.slots[(post.chat_id, post.slot)] = created.id
        return created

    async def skip_slot(self, chat_id: int, slot: datetime, next_post_at: datetime) -> bool:
        """Move the chat's next post time on from `slot` without posting."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.next_post_at != slot:
            return False
        self.chats[chat_id] = replace(chat, next_post_at=next_post_at)
        return True

    async def set_post_message(self, post_id: int, message_id: int, poll_id: str | None) -> None:
        """Record the sent message (and poll) of a post."""
        self.posts[post_id] = replace(self.posts[post_id], message_id=message_id, poll_id=poll_id)

    async def record_delivery(
        self, post_id: int, message_id: int, poll_id: str | None, chat_id: int, focus: bool
    ) -> None:
        """Record the sent message; focus a private chat on it; clear the chat's failures."""
        await self.set_post_message(post_id, message_id, poll_id)
        chat = self.chats.get(chat_id)
        if chat is None:
            return
        if focus and not chat.is_group:
            chat = replace(chat, focus_post_id=post_id)
        self.chats[chat_id] = replace(chat, failures=0)

    async def add_failure(self, chat_id: int) -> int | None:
        """Count one more failed send to the chat; the new count, or None for an unknown chat."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return None
        self.chats[chat_id] = replace(chat, failures=chat.failures + 1)
        return chat.failures + 1

    async def get_post(self, post_id: int) -> Post | None:
        """The post, or None."""
        return self.posts.get(post_id)

    async def post_by_message(self, chat_id: int, message_id: int) -> Post | None:
        """The post whose question is that message."""
        return next(
            (p for p in self.posts.values() if p.chat_id == chat_id and p.message_id == message_id),
            None,
        )

    async def post_by_poll(self, poll_id: str) -> Post | None:
        """The post whose question is that poll."""
        return next((p for p in self.posts.values() if p.poll_id == poll_id), None)

    async def latest_post(self, chat_id: int, kind: str) -> Post | None:
        """The chat's newest post of that kind."""
        posts = [p for p in self.posts.values() if p.chat_id == chat_id and p.kind == kind]
        return max(posts, key=lambda p: (p.slot, p.id), default=None)

    async def due_reveals(self, now: datetime, limit: int) -> list[Post]:
        """Sent, unrevealed posts whose reveal time has come."""
        due = [
            p
            for p in self.posts.values()
            if p.revealed_at is None
            and p.message_id is not None
            and p.reveal_at is not None
            and p.reveal_at <= now
        ]
        return sorted(due, key=lambda p: (p.reveal_at, p.id))[:limit]

    async def claim_reveal(self, post_id: int, now: datetime) -> bool:
        """Mark the post revealed; False if it already was."""
        post = self.posts[post_id]
        if post.revealed_at is not None:
            return False
        self.posts[post_id] = replace(post, revealed_at=now)
        return True

    async def set_reveal_message(self, post_id: int, message_id: int) -> None:
        """Record the message that revealed the post's answer."""
        self.posts[post_id] = replace(self.posts[post_id], reveal_message_id=message_id)

    async def add_attempt(self, attempt: Attempt) -> bool:
        """Store a first attempt; False when this user already has one on the post."""
        key = (attempt.post_id, attempt.user_id)
        if key in self.attempts:
            return False
        self.attempts[key] = attempt
        return True

    async def get_attempt(self, post_id: int, user_id: int) -> Attempt | None:
        """The user's counted attempt on the post."""
        return self.attempts.get((post_id, user_id))

    async def answer_context(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        poll_id: str | None = None,
    ) -> tuple[Post | None, Attempt | None, bool]:
        """The post an answer is to (by poll, message or focus), the user's attempt, a peek."""
        post: Post | None
        if poll_id is not None:
            post = await self.post_by_poll(poll_id)
        elif chat_id is not None and message_id is not None:
            post = await self.post_by_message(chat_id, message_id)
        else:
            chat = self.chats.get(chat_id) if chat_id is not None else None
            focus = chat.focus_post_id if chat is not None else None
            post = self.posts.get(focus) if focus is not None else None
        if post is None:
            return None, None, False
        key = (post.id, user_id)
        return post, self.attempts.get(key), key in self.peeks

    async def record_answer(
        self,
        user: User,
        attempt: Attempt,
        question_id: str,
        review: Callable[[Card | None], Card],
        streak_chat_id: int | None = None,
        streak_limit: int = 0,
    ) -> Recorded:
        """Save the user, add a first attempt and, when it was new, review its card."""
        self.users[user.id] = user
        key = (attempt.post_id, attempt.user_id)
        if key in self.attempts:
            return Recorded(False)
        self.attempts[key] = attempt
        card = review(self.cards.get((user.id, question_id)))
        self.cards[(card.user_id, card.question_id)] = card
        if streak_chat_id is None:
            return Recorded(True)
        history = await self.answered_history(streak_chat_id, user.id, streak_limit)
        latest = await self.latest_post(streak_chat_id, DAILY)
        return Recorded(True, tuple(history), latest is not None and latest.revealed_at is None)

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> None:
        """Record that the user saw the answer."""
        self.peeks.add((post_id, user_id))

    async def has_peeked(self, post_id: int, user_id: int) -> bool:
        """True when the user saw the answer of the post."""
        return (post_id, user_id) in self.peeks

    async def post_summary(self, post_id: int, limit: int) -> PostSummary:
        """Answers, mean coverage and the best scorers of a post."""
        rows = [a for (p, _), a in self.attempts.items() if p == post_id]
        if not rows:
            return PostSummary(0, 0.0, ())
        best = sorted(rows, key=lambda a: (-a.points, a.created_at, a.user_id))[:limit]
        top = tuple((a.user_id, self._name(a.user_id), a.points) for a in best)
        return PostSummary(len(rows), sum(a.coverage for a in rows) / len(rows), top)

    def _name(self, user_id: int) -> str:
        user = self.users.get(user_id)
        return user.name if user else str(user_id)

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        """Question ids asked in the chat during that cycle."""
        return {q for c, n, q in self.history if c == chat_id and n == cycle}

    def _chat_attempts(self, chat_id: int, since: datetime | None = None) -> list[Attempt]:
        return [
            a
            for (post_id, _), a in self.attempts.items()
            if self.posts[post_id].chat_id == chat_id and (since is None or a.created_at >= since)
        ]

    async def totals(self, chat_id: int, user_id: int) -> Totals:
        """The user's points, answers and mean coverage on the chat's posts."""
        mine = [a for a in self._chat_attempts(chat_id) if a.user_id == user_id]
        if not mine:
            return Totals(0, 0, 0.0)
        return Totals(
            sum(a.points for a in mine), len(mine), sum(a.coverage for a in mine) / len(mine)
        )

    async def answered_history(self, chat_id: int, user_id: int, limit: int) -> list[bool]:
        """For the chat's daily posts, newest first: did the user answer it?"""
        posts = sorted(
            (p for p in self.posts.values() if p.chat_id == chat_id and p.kind == DAILY),
            key=lambda p: (p.slot, p.id),
            reverse=True,
        )[:limit]
        return [(p.id, user_id) in self.attempts for p in posts]

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        """(user id, name, points, answers) of the chat's best."""
        table: dict[int, tuple[int, int]] = {}
        for a in self._chat_attempts(chat_id, since):
            points, answered = table.get(a.user_id, (0, 0))
            table[a.user_id] = (points + a.points, answered + 1)
        rows = [(u, self._name(u), p, n) for u, (p, n) in table.items()]
        return sorted(rows, key=lambda r: (-r[2], -r[3], r[0]))[:limit]

    async def get_card(self, user_id: int, question_id: str) -> Card | None:
        """The user's review card for a question."""
        return self.cards.get((user_id, question_id))

    async def save_card(self, card: Card) -> None:
        """Insert or replace a review card."""
        self.cards[(card.user_id, card.question_id)] = card

    async def due_cards(self, user_id: int, now: datetime, limit: int) -> list[Card]:
        """The user's cards due by `now`, most overdue first."""
        due = [c for (u, _), c in self.cards.items() if u == user_id and c.due <= now]
        return sorted(due, key=lambda c: (c.due, c.question_id))[:limit]

    async def carded(self, user_id: int) -> set[str]:
        """Question ids the user has a card for."""
        return {q for (u, q) in self.cards if u == user_id}

    async def user_data(self, user_id: int) -> dict[str, int]:
        """Rows kept about a user, by kind."""
        return self._user_rows(user_id)

    def _user_rows(self, user_id: int) -> dict[str, int]:
        return {
            "attempts": sum(1 for (_, u) in self.attempts if u == user_id),
            "peeks": sum(1 for (_, u) in self.peeks if u == user_id),
            "cards": sum(1 for (u, _) in self.cards if u == user_id),
            "users": int(user_id in self.users),
        }

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete the user's attempts, peeks, cards and user row; the rows deleted, by kind."""
        deleted = self._user_rows(user_id)
        self.attempts = {k: a for k, a in self.attempts.items() if k[1] != user_id}
        self.peeks = {k for k in self.peeks if k[1] != user_id}
        self.cards = {k: c for k, c in self.cards.items() if k[0] != user_id}
        self.users.pop(user_id, None)
        return deleted

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Move a chat and its posts and history to a new id."""
        old = self.chats.pop(old_id, None)
        if old is not None:
            self.chats[new_id] = replace(old, id=new_id, kind="supergroup")
        for post_id, post in list(self.posts.items()):
            if post.chat_id == old_id:
                self.posts[post_id] = replace(post, chat_id=new_id)
        self.slots = {(new_id if c == old_id else c, s): p for (c, s), p in self.slots.items()}
        self.history = {(new_id if c == old_id else c, n, q) for c, n, q in self.history}

    async def ping(self) -> None:
        """Always reachable."""

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats."""
        return {
            "chats": len(self.chats),
            "subscribed": sum(c.subscribed for c in self.chats.values()),
            "users": len(self.users),
            "posts": len(self.posts),
            "attempts": len(self.attempts),
        }
